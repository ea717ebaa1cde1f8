// SPDX-License-Identifier: MIT
/*
 * test_iova_top.c - a mapping whose last byte is the last IOVA (it ends at
 * 2^64).  MAP_DMA accepts it, since only iova + size - 1 is checked for
 * wrapping, but type1 locates mappings by iova + size, which is 0 for this
 * one: no lookup finds it, and the loops that walk its pages stop at once.
 * Linux 6.12 and the model behave alike (docs/fuzzing.md, finding F3).
 */
#include <errno.h>
#include <string.h>

#include "helpers/dirty.h"

#define TOP	(0ULL - SZ_2M)		/* [TOP, 2^64) */
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

static const struct fx_config top_emul = {
	.name = "v2, emulated group",
	.type = VFIO_TYPE1v2_IOMMU,
	.nr_groups = 1,
	.group = { { .kind = VFIOSIM_GROUP_EMULATED } },
};

static const struct fx_config top_iommu_full = {
	.name = "v2, IOMMU 4K|2M|1G, aperture up to 2^64 - 1",
	.type = VFIO_TYPE1v2_IOMMU,
	.nr_groups = 1,
	.group = { { .kind = VFIOSIM_GROUP_IOMMU, .aperture_end = ~0ULL } },
};

static void test_top_mapping_is_accepted_but_unreachable(void **state)
{
	struct fx *fx = *state;
	uint64_t pfn = 0, unmapped = 1, byte = 0;

	expect_ok(fx_map(fx, fx->guest, TOP, SZ_2M, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	/* Neither a vendor pin nor dma_rw finds it. */
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], TOP, 1, RW, &pfn), EINVAL);
	expect_err(vfiosim_dma_rw(fx->c, TOP, &byte, 1, true), EINVAL);
	/* The exact unmap finds nothing either, and says so. */
	expect_ok(fx_unmap(fx, TOP, SZ_2M, 0, &unmapped));
	expect_u64(unmapped, 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_consistent(fx->c);
	/* Only closing the container frees it (teardown checks that). */
}

/*
 * An IOMMU group joining later: the IOVA list was empty, so no aperture
 * conflict is seen, and the replay's walk of the mapping ends before its
 * first page; the mapping is counted as in the domain with nothing there.
 * No device can write it and no report can cover it, so no dirty page is
 * lost: it only holds a mapping slot until the container closes.
 */
static void test_top_mapping_survives_an_iommu_attach(void **state)
{
	static const struct vfiosim_group_config iommu = { .kind = VFIOSIM_GROUP_IOMMU };
	struct fx *fx = *state;
	struct vfiosim_group *g;
	uint64_t bm[8];

	expect_ok(fx_map(fx, fx->guest, TOP, SZ_2M, FX_RW));
	g = fx_group(fx, &iommu);
	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
	expect_err(vfiosim_device_write(g, TOP, 8), EFAULT);
	expect_consistent(fx->c);
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* GET_BITMAP refuses a range ending at 2^64: it checks iova + size. */
	memset(bm, 0, sizeof(bm));
	expect_err(dirty_get(fx->c, TOP, SZ_2M, SZ_4K, bm, sizeof(bm)), EINVAL);
	expect_ok(vfiosim_container_detach(fx->c, g));
	expect_consistent(fx->c);
}

/* With the domain there first, the mock IOMMU refuses the last page. */
static void test_top_mapping_with_a_domain_fails_cleanly(void **state)
{
	struct fx *fx = *state;

	expect_err(fx_map(fx, fx->guest, TOP, SZ_2M, FX_RW), EFAULT);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_top_mapping_is_accepted_but_unreachable, top_emul),
		FX_TEST(test_top_mapping_survives_an_iommu_attach, top_emul),
		FX_TEST(test_top_mapping_with_a_domain_fails_cleanly, top_iommu_full),
	};

	return cmocka_run_group_tests_name("iova_top", tests, NULL, NULL);
}
