// SPDX-License-Identifier: MIT
/*
 * test_granularity.c - the tracking page size changing while tracking
 * (docs/divergences.md 4).  It can only change when an IOMMU's smallest
 * page is larger than the CPU page; type1 tolerates that with a WARN on
 * MAP/UNMAP, and these tests make no MAP/UNMAP while it holds.
 */
#include <string.h>

#include "helpers/dirty.h"
#include "helpers/fixture.h"

#define SZ_MAP	SZ_1M			/* 256 CPU pages, 16 pages of 64K */

/* E emulated, A IOMMU 4K|64K|2M, B IOMMU 64K|2M; both IOMMUs pin. */
static const struct fx_config cfg_units = {
	FX_CONFIG_OF("units", VFIO_TYPE1v2_IOMMU, FX_EMULATED, FX_PINNING(SZ_4K | SZ_64K | SZ_2M),
		     FX_PINNING(SZ_64K | SZ_2M)),
	.no_attach = true,
};

static uint64_t bm[SZ_MAP / SZ_4K / 64];

static void get(struct fx *fx, uint64_t pgsize)
{
	memset(bm, 0, sizeof(bm));
	expect_ok(dirty_get(fx->c, FX_IOVA, SZ_MAP, pgsize, bm,
			    vfiosim_bitmap_bytes(SZ_MAP / pgsize)));
}

static void pin(struct fx *fx, struct vfiosim_group *g, uint64_t iova)
{
	uint64_t pfn;

	expect_ret(vfiosim_pin_pages(fx->c, g, iova, 1, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE,
				     &pfn), 1);
}

/* kernel: expected to fail */
static void test_granularity_change_keeps_dirty_pages(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *e = fx->g[0], *a = fx->g[1], *b = fx->g[2];

	expect_ok(vfiosim_container_attach(fx->c, e));
	expect_ok(vfiosim_container_attach(fx->c, a));
	expect_ok(fx_map(fx, fx->guest, FX_IOVA, SZ_MAP, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	pin(fx, a, FX_IOVA + 3 * SZ_4K);		/* A joins the pinned scope */
	get(fx, SZ_4K);					/* full once: the promotion */
	get(fx, SZ_4K);
	expect_u64(bm[0], 1ULL << 3);

	expect_ok(vfiosim_container_attach(fx->c, b));	/* the unit becomes 64K */
	pin(fx, b, FX_IOVA + 5 * SZ_64K);		/* B joins the scope */
	get(fx, SZ_64K);				/* full once: the promotion */
	get(fx, SZ_64K);				/* page 0 (A's pin) and 5 */
	expect_u64(bm[0], (1ULL << 0) | (1ULL << 5));

	pin(fx, e, FX_IOVA + 17 * SZ_4K);		/* 64K page 1 */
	expect_ok(vfiosim_device_write(e, FX_IOVA + 17 * SZ_4K, 64));
	expect_ok(vfiosim_container_detach(fx->c, b));	/* the unit is 4K again */

	/*
	 * Still pinned: A's page 3 and E's page 17, each reported at least;
	 * B's pin went with B's device.  A change of unit may over-report
	 * (whole 64K pages come back as 16 small ones), never drop.
	 */
	get(fx, SZ_4K);
	assert_true(dirty_bit(bm, 3));
	assert_true(dirty_bit(bm, 17));
	for (unsigned int i = 32; i < SZ_MAP / SZ_4K; i++)
		if (dirty_bit(bm, i) && (i < 80 || i >= 96))
			fail_msg("page %u reported: outside every 64K page that was dirty", i);
	/* Once reported, the unit is stable again and reports are exact. */
	get(fx, SZ_4K);
	expect_u64(bm[0], (1ULL << 3) | (1ULL << 17));
	expect_ok(vfiosim_unpin_pages(fx->c, e, FX_IOVA + 17 * SZ_4K, 1));
	expect_ok(vfiosim_unpin_pages(fx->c, a, FX_IOVA + 3 * SZ_4K, 1));
}

/* A dma_rw write recorded in 64K units is still found in 4K units. */
/* kernel: expected to fail */
static void test_granularity_change_keeps_dma_rw_pages(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *e = fx->g[0], *a = fx->g[1], *b = fx->g[2];
	char byte = 1;

	expect_ok(vfiosim_container_attach(fx->c, e));
	expect_ok(vfiosim_container_attach(fx->c, a));
	expect_ok(fx_map(fx, fx->guest, FX_IOVA, SZ_MAP, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	pin(fx, a, FX_IOVA);
	get(fx, SZ_4K);
	get(fx, SZ_4K);

	expect_ok(vfiosim_container_attach(fx->c, b));		/* the unit becomes 64K */
	pin(fx, b, FX_IOVA + 15 * SZ_64K);			/* B joins the scope */
	get(fx, SZ_64K);					/* full once: the promotion */
	expect_ok(vfiosim_dma_rw(fx->c, FX_IOVA + 40 * SZ_4K, &byte, 1, true));
	expect_ok(vfiosim_container_detach(fx->c, b));		/* 4K again */
	get(fx, SZ_4K);
	assert_true(dirty_bit(bm, 0));		/* A's pin */
	assert_true(dirty_bit(bm, 40));		/* the dma_rw write */
	for (unsigned int i = 1; i < SZ_MAP / SZ_4K; i++)
		if (dirty_bit(bm, i) && i >= 16 && (i < 32 || i >= 48) && i < 240)
			fail_msg("page %u reported: outside every 64K page that was dirty", i);
	expect_ok(vfiosim_unpin_pages(fx->c, a, FX_IOVA, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_granularity_change_keeps_dirty_pages, cfg_units),
		FX_TEST(test_granularity_change_keeps_dma_rw_pages, cfg_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
