// SPDX-License-Identifier: MIT
/*
 * test_dirty_scope.c - which pages a report calls dirty, as groups come,
 * pin and go.
 *
 * The kernel's rule (update_user_bitmap, vfio_iommu_type1_pin_pages,
 * attach_group, detach_group): while any IOMMU-backed group has not pinned
 * pages, every IOMMU-mapped page is reported dirty; otherwise a report
 * holds the pages pinned at the previous report (or at START) or since,
 * and the pages dma_rw wrote since.  A group outside the scope that leaves
 * while tracking makes everything dirty once.
 *
 * Each test checks exact bitmaps, checks that every write in the ground
 * truth log since the previous report is reported, and runs under the
 * oracle, whose verdict teardown checks.  Every mapping starts a multiple
 * of 64 pages into the range, so each begins a u64 word of the user's
 * bitmap and repeated reports stay exact on the kernel too (see
 * stale_tail_ok in helpers/dirty.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helpers/dirty.h"
#include "vfiosim_oracle.h"

#define IOVA	FX_IOVA
#define START	VFIO_IOMMU_DIRTY_PAGES_FLAG_START
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

/* ------------------------------------------------------------ fixture */

#define SCOPE_TEST(f, cfg)	DIRTY_ORACLE_TEST(f, cfg)

/* IOMMU-backed (4K|2M|1G) and emulated. */
static const struct fx_config sc_mixed =
	FX_CONFIG("v2, IOMMU 4K|2M|1G + emulated", VFIO_TYPE1v2_IOMMU,
		  FX_IOMMU(SZ_4K | SZ_2M | SZ_1G), FX_EMULATED);

/* IOMMU-backed whose device pins (registers dma_unmap). */
static const struct fx_config sc_iommu_pin =
	FX_CONFIG("v2, IOMMU 4K, device pins", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K));

static const struct fx_config sc_mixed_pin =
	FX_CONFIG("v2, IOMMU 4K (device pins) + emulated", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K),
		  FX_EMULATED);

/* Two IOMMU-backed groups in separate domains; only the first can pin. */
static const struct fx_config sc_two_iommu =
	FX_CONFIG("v2, two IOMMU 4K groups, the first pins", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K),
		  FX_IOMMU(SZ_4K));

static const struct fx_config sc_two_emul =
	FX_CONFIG("v2, two emulated groups", VFIO_TYPE1v2_IOMMU, FX_EMULATED, FX_EMULATED);

static const struct fx_config sc_64k_pin = {
	FX_CONFIG_OF("v2, 64K CPU pages, IOMMU 64K|512M, device pins", VFIO_TYPE1v2_IOMMU,
		     FX_PINNING(SZ_64K | SZ_512M)),
	.host = { .page_size = SZ_64K },
};

static const struct fx_config sc_v1_emul =
	FX_CONFIG("v1, emulated group", VFIO_TYPE1_IOMMU, FX_EMULATED);

/* ------------------------------------------------------------ helpers */

/* Mappings A (16 pages at page 0) and B (8 pages at page 64) of a 128-page range. */
#define A(p)	DIRTY_A(fx, p)
#define B(p)	DIRTY_B(fx, p)

static void map_ab(struct fx *fx, struct dirty_want *w)
{
	dirty_map_ab(fx, w, 16);
}

static void pin(struct fx *fx, struct vfiosim_group *g, uint64_t iova, int prot)
{
	uint64_t pfn = 0;

	expect_ret(vfiosim_pin_pages(fx->c, g, iova, 1, prot, &pfn), 1);
	assert_true(pfn != 0);
}

static void unpin(struct fx *fx, struct vfiosim_group *g, uint64_t iova)
{
	expect_ok(vfiosim_unpin_pages(fx->c, g, iova, 1));
}

#define WANT(w, ...)	DIRTY_WANT(w, __VA_ARGS__)

/* ----------------------------------------------------- steady scopes */

/* IOMMU-backed groups only: every mapped page, every time. */
static void test_scope_iommu_only_all_dirty_every_get(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(fx->g[0], A(3), 100));
	expect_ok(vfiosim_device_write(fx->g[0], B(7), fx->pgsize));
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);
}

/*
 * Emulated only: pinned pages and dma_rw writes, nothing else.  After a
 * report the bitmap restarts from the pages pinned at that moment: a page
 * still pinned is reported again, one unpinned before is not; a page
 * unpinned after a report is reported once more.
 */
static void test_scope_emulated_pins_and_dma_rw(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	dirty_expect(fx, &w);				/* nothing yet */

	pin(fx, g, A(2), RW);
	pin(fx, g, B(1), RW);
	expect_ok(dirty_write(fx, A(11) - 4, 8));	/* pages 10 and 11 */
	expect_ok(vfiosim_device_write(g, A(2) + 16, 32));
	unpin(fx, g, B(1));
	WANT(&w, A(2), A(10), A(11), B(1));
	dirty_expect(fx, &w);

	WANT(&w, A(2));					/* still pinned */
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);
	unpin(fx, g, A(2));
	dirty_expect(fx, &w);				/* pinned at the last report */
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* An IOMMU-backed group beside an emulated one: all dirty, pins or not. */
static void test_scope_mixed_all_dirty(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	pin(fx, fx->g[1], A(4), RW);
	expect_ok(dirty_write(fx, B(2), 1));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	unpin(fx, fx->g[1], A(4));
	dirty_expect(fx, &w);
}

/* ---------------------------------------------------- scope transitions */

/*
 * An IOMMU-backed group whose driver pins joins the pinned scope (here
 * before tracking starts): from then on only pinned pages and dma_rw
 * writes are reported.  Its device writes only into pages it pinned.
 */
static void test_scope_iommu_pin_narrows_before_start(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	struct dirty_want w;

	map_ab(fx, &w);
	pin(fx, g, A(5), RW);
	expect_ok(fx_dirty(fx->c, START));
	WANT(&w, A(5));
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(g, A(5), fx->pgsize));
	dirty_expect(fx, &w);
	expect_ok(dirty_write(fx, B(6), 3));
	WANT(&w, A(5), B(6));
	dirty_expect(fx, &w);
	unpin(fx, g, A(5));
	WANT(&w, A(5));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/*
 * The same promotion while tracking.  The report right after it is where
 * the model departs from the kernel (divergence (c), see
 * test_divergences.c): here only what both agree on is checked, the
 * pinned page, and the oracle's exactness check (which follows the model)
 * is off for that report; the report after that is exact again.
 */
static void test_scope_iommu_pin_narrows_while_tracking(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	uint64_t buf[2] = { 0 };
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	pin(fx, g, B(3), RW);
	vfiosim_oracle_set_exact(dirty_test_oracle(), false);
	expect_ok(dirty_get(fx->c, IOVA, 128 * fx->pgsize, fx->pgsize, buf, sizeof(buf)));
	vfiosim_oracle_set_exact(dirty_test_oracle(), true);
	assert_int_equal(dirty_bit(buf, 64 + 3), 1);
	w.log_mark = vfiosim_log_count(fx->h);
	WANT(&w, B(3));
	dirty_expect(fx, &w);
	unpin(fx, g, B(3));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/*
 * Emulated only, then an IOMMU-backed group arrives: every mapping is
 * IOMMU-mapped and dirty on each report.  When it leaves again (the last
 * group outside the scope), everything is marked dirty once: the next
 * report is full, the one after is exact.
 */
static void test_scope_iommu_group_attach_demotes_detach_marks_all(void **state)
{
	static const struct vfiosim_group_config iommu = {
		.kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K,
	};
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0], *late;
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	pin(fx, g, A(1), RW);
	WANT(&w, A(1));
	dirty_expect(fx, &w);

	late = fx_group(fx, &iommu);
	expect_ok(vfiosim_container_attach(fx->c, late));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(late, B(5), 8));
	dirty_expect(fx, &w);

	expect_ok(vfiosim_container_detach(fx->c, late));
	dirty_expect(fx, &w);				/* marked at the detach */
	WANT(&w, A(1));
	dirty_expect(fx, &w);
	unpin(fx, g, A(1));
}

/* The IOMMU-backed group outside the scope leaves; the emulated one stays. */
static void test_scope_detach_last_outside_group_marks_all(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	pin(fx, fx->g[1], B(2), RW);
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	dirty_expect(fx, &w);
	WANT(&w, B(2));
	dirty_expect(fx, &w);
	unpin(fx, fx->g[1], B(2));
}

/*
 * Two IOMMU-backed groups; the one that pins joined the scope before
 * tracking.  The other leaving marks everything once; the mappings stay in
 * the first group's domain.
 */
static void test_scope_detach_outside_iommu_group_keeps_domain(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	struct dirty_want w;

	map_ab(fx, &w);
	pin(fx, g, A(9), RW);
	expect_ok(fx_dirty(fx->c, START));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_container_detach(fx->c, fx->g[1]));
	dirty_expect(fx, &w);
	WANT(&w, A(9));
	dirty_expect(fx, &w);
	/* the remaining domain still maps everything */
	expect_ok(vfiosim_device_write(g, A(9), 8));
	dirty_expect(fx, &w);
	unpin(fx, g, A(9));
}

/* A group already in the scope leaving marks nothing. */
static void test_scope_detach_pinned_group_marks_nothing(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	pin(fx, fx->g[0], A(3), RW);
	pin(fx, fx->g[1], B(4), RW);
	WANT(&w, A(3), B(4));
	dirty_expect(fx, &w);
	/* its device lets go of B(4) as it closes */
	expect_ok(vfiosim_container_detach(fx->c, fx->g[1]));
	expect_u64(fx_pinned(fx), 1);
	dirty_expect(fx, &w);
	WANT(&w, A(3));
	dirty_expect(fx, &w);
	unpin(fx, fx->g[0], A(3));
}

/* A page pinned and unpinned between two reports is in the next one only. */
static void test_scope_pin_unpin_between_reports(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	struct dirty_want w;

	map_ab(fx, &w);
	if (fx->cfg->group[0].kind == VFIOSIM_GROUP_IOMMU) {
		pin(fx, g, A(0), RW);			/* join the scope first */
		unpin(fx, g, A(0));
	}
	expect_ok(fx_dirty(fx->c, START));
	dirty_expect(fx, &w);
	pin(fx, g, A(15), RW);
	unpin(fx, g, A(15));
	pin(fx, g, B(0), VFIOSIM_PROT_READ);
	unpin(fx, g, B(0));
	WANT(&w, A(15), B(0));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* ------------------------------------------------------------- dma_rw */

/* Exactly the pages a write touches, across pages and across mappings. */
static void test_scope_dma_rw_marks_touched_pages(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 128 * P);
	/* two mappings meeting at page 64 */
	expect_ok(fx_map(fx, fx->guest, A(0), 64 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 64 * P, A(64), 16 * P, FX_RW));
	dirty_want_map(&w, A(0), 80 * P);
	expect_ok(fx_dirty(fx->c, START));

	expect_ok(dirty_write(fx, A(1) + P - 1, 1));		/* last byte of 1 */
	expect_ok(dirty_write(fx, A(3) + P - 1, 2));		/* 3 and 4 */
	expect_ok(dirty_write(fx, A(6), P));			/* 6 only */
	expect_ok(dirty_write(fx, A(8), P + 1));		/* 8 and 9 */
	expect_ok(dirty_write(fx, A(63) + 7, P));		/* 63 and 64: two mappings */
	expect_ok(dirty_write(fx, A(70) + 5, 3 * P));		/* 70 to 73 */
	WANT(&w, A(1), A(3), A(4), A(6), A(8), A(9), A(63), A(64), A(70), A(71), A(72),
	     A(73));
	dirty_expect(fx, &w);
	/* written pages are not pinned: gone after the report */
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/*
 * Refused dma_rw calls mark nothing; reads never mark; a write running off
 * its mapping into a hole fails but the part written stays marked, as in
 * the kernel (the first chunk is copied and marked before the second
 * fails).
 */
static void test_scope_dma_rw_errors(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	unsigned char buf[64] = { 0 };
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 256 * P);
	expect_ok(fx_map(fx, fx->guest, A(0), 4 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 4 * P, A(64), 4 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_ok(fx_map(fx, fx->guest + 8 * P, A(128), 4 * P, VFIO_DMA_MAP_FLAG_WRITE));
	dirty_want_map(&w, A(0), 4 * P);
	dirty_want_map(&w, A(64), 4 * P);
	dirty_want_map(&w, A(128), 4 * P);
	expect_ok(fx_dirty(fx->c, START));

	expect_err(vfiosim_dma_rw(fx->c, A(65), buf, 8, true), EPERM);	/* read-only */
	expect_ok(vfiosim_dma_rw(fx->c, A(65), buf, 8, false));
	expect_err(vfiosim_dma_rw(fx->c, A(129), buf, 8, true), EPERM);	/* write-only */
	expect_err(vfiosim_dma_rw(fx->c, A(129), buf, 8, false), EPERM);
	expect_ok(vfiosim_dma_rw(fx->c, A(1), buf, sizeof(buf), false));
	expect_err(vfiosim_dma_rw(fx->c, A(32), buf, 8, true), EINVAL);	/* unmapped */
	expect_err(vfiosim_dma_rw(fx->c, A(32), buf, 8, false), EINVAL);
	expect_err(vfiosim_dma_rw(fx->c, A(2), NULL, 8, true), EINVAL);
	expect_err(vfiosim_dma_rw(fx->c, A(2), buf, 0, true), EINVAL);
	/* from the last page into the hole */
	expect_err(vfiosim_dma_rw(fx->c, A(4) - 8, buf, 16, true), EINVAL);
	WANT(&w, A(3));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* --------------------------------------------------------- pin errors */

/*
 * Failed pins.  The kernel marks each page as it pins it and does not
 * clear the bits when it unwinds, so the pages pinned before the failing
 * one stay dirty; nothing stays pinned.
 */
static void test_scope_pin_errors_leave_unwind_bits(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	uint64_t P = fx->pgsize, pfns[4] = { 0 };
	uint64_t *many;
	int max = (int)(fx->page_size / 8);
	struct dirty_want w;

	/* read-write pages 0-63, read-only 64-67 */
	dirty_want_init(fx, &w, IOVA, 128 * P);
	expect_ok(fx_map(fx, fx->guest, A(0), 64 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 64 * P, A(64), 4 * P, VFIO_DMA_MAP_FLAG_READ));
	dirty_want_map(&w, A(0), 68 * P);
	expect_ok(fx_dirty(fx->c, START));

	many = fx_alloc(fx, (size_t)(max + 1) * sizeof(*many));
	expect_err(vfiosim_pin_pages(fx->c, g, A(0), max + 1, RW, many), E2BIG);
	expect_err(vfiosim_pin_pages(fx->c, g, A(0), 0, RW, pfns), EINVAL);
	expect_err(vfiosim_pin_pages(fx->c, g, A(0), 1, RW, NULL), EINVAL);
	expect_err(vfiosim_pin_pages(fx->c, g, A(80), 1, RW, pfns), EINVAL);
	expect_err(vfiosim_pin_pages(fx->c, g, A(65), 1, RW, pfns), EPERM);
	expect_u64(fx_pinned(fx), 0);
	dirty_expect(fx, &w);				/* nothing */

	/* pages 62 and 63 pinned, 64 read-only: -EPERM, 62 and 63 stay marked */
	expect_err(vfiosim_pin_pages(fx->c, g, A(62), 3, RW, pfns), EPERM);
	/* page 67 pinned, 68 unmapped: -EINVAL, 67 stays marked */
	expect_err(vfiosim_pin_pages(fx->c, g, A(67), 2, VFIOSIM_PROT_READ, pfns), EINVAL);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
	WANT(&w, A(62), A(63), A(67));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
	/* the largest allowed count works */
	expect_ok(fx_map(fx, fx->guest + 128 * P, IOVA + 1024 * P, (uint64_t)max * P, FX_RW));
	expect_ret(vfiosim_pin_pages(fx->c, g, IOVA + 1024 * P, max, RW, many), max);
	expect_ok(vfiosim_unpin_pages(fx->c, g, IOVA + 1024 * P, max));
}

/* A device without a dma_unmap callback may not pin; the scope stays wide. */
static void test_scope_pin_without_dma_unmap_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t pfn = 0;
	struct dirty_want w;

	map_ab(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], A(1), 1, RW, &pfn), EINVAL);
	/* only the domain's own pins of the 24 mapped pages */
	expect_u64(fx_pinned(fx), fx_pages(fx, 24 * fx->pgsize));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);
}

static void test_scope_pin_v1_eacces(void **state)
{
	struct fx *fx = *state;
	uint64_t pfn = 0;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * fx->pgsize, FX_RW));
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 1, RW, &pfn), EACCES);
	expect_u64(pfn, 0);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
}

/* ----------------------------------------------------- granularity, info */

/*
 * 64K minimum IOMMU page (and CPU page): a 4K write marks the whole 64K
 * page it falls in, a write across a 64K boundary marks both.
 */
static void test_scope_64k_granularity(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w;

	assert_int_equal(P, SZ_64K);
	map_ab(fx, &w);
	pin(fx, fx->g[0], A(0), RW);			/* join the scope */
	unpin(fx, fx->g[0], A(0));
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(dirty_write(fx, A(3) + SZ_4K, SZ_4K));
	expect_ok(dirty_write(fx, A(5) + P - SZ_4K, 2 * SZ_4K));
	pin(fx, fx->g[0], B(2), RW);
	expect_ok(vfiosim_device_write(fx->g[0], B(2) + 3 * SZ_4K, SZ_4K));
	WANT(&w, A(3), A(5), A(6), B(2));
	dirty_expect(fx, &w);
	unpin(fx, fx->g[0], B(2));
}

/* GET_INFO's migration capability: the minimum page size and 256 MiB. */
static void test_scope_get_info_migration_cap(void **state)
{
	struct fx *fx = *state;
	const struct vfio_iommu_type1_info_cap_migration *cap;
	int round;

	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	for (round = 0; round < 2; round++) {
		cap = fx_find_cap(fx_get_info(fx), VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
		assert_non_null(cap);
		assert_int_equal(cap->header.version, 1);
		assert_int_equal(cap->flags, 0);
		expect_u64(cap->pgsize_bitmap, fx->pgsize);
		expect_u64(cap->max_dirty_bitmap_size, DIRTY_BITMAP_MAX);
		/* the same while tracking */
		expect_ok(fx_dirty(fx->c, START));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SCOPE_TEST(test_scope_iommu_only_all_dirty_every_get, fx_v2_4k),
		SCOPE_TEST(test_scope_iommu_only_all_dirty_every_get, fx_v2_2m),
		SCOPE_TEST(test_scope_iommu_only_all_dirty_every_get, fx_v2_64k),
		SCOPE_TEST(test_scope_emulated_pins_and_dma_rw, fx_v2_emul),
		SCOPE_TEST(test_scope_mixed_all_dirty, sc_mixed),
		SCOPE_TEST(test_scope_iommu_pin_narrows_before_start, sc_iommu_pin),
		SCOPE_TEST(test_scope_iommu_pin_narrows_before_start, sc_mixed_pin),
		SCOPE_TEST(test_scope_iommu_pin_narrows_while_tracking, sc_iommu_pin),
		SCOPE_TEST(test_scope_iommu_group_attach_demotes_detach_marks_all, fx_v2_emul),
		SCOPE_TEST(test_scope_detach_last_outside_group_marks_all, sc_mixed),
		SCOPE_TEST(test_scope_detach_outside_iommu_group_keeps_domain, sc_two_iommu),
		SCOPE_TEST(test_scope_detach_pinned_group_marks_nothing, sc_two_emul),
		SCOPE_TEST(test_scope_pin_unpin_between_reports, fx_v2_emul),
		SCOPE_TEST(test_scope_pin_unpin_between_reports, sc_iommu_pin),
		SCOPE_TEST(test_scope_dma_rw_marks_touched_pages, fx_v2_emul),
		SCOPE_TEST(test_scope_dma_rw_errors, fx_v2_emul),
		SCOPE_TEST(test_scope_pin_errors_leave_unwind_bits, fx_v2_emul),
		SCOPE_TEST(test_scope_pin_without_dma_unmap_einval, sc_mixed),
		SCOPE_TEST(test_scope_pin_without_dma_unmap_einval, fx_v2_4k),
		SCOPE_TEST(test_scope_pin_v1_eacces, sc_v1_emul),
		SCOPE_TEST(test_scope_64k_granularity, sc_64k_pin),
		SCOPE_TEST(test_scope_get_info_migration_cap, fx_v2_4k),
		SCOPE_TEST(test_scope_get_info_migration_cap, fx_v2_2m),
		SCOPE_TEST(test_scope_get_info_migration_cap, fx_v2_64k),
		SCOPE_TEST(test_scope_get_info_migration_cap, fx_v2_emul),
		SCOPE_TEST(test_scope_get_info_migration_cap, sc_mixed),
	};

	return cmocka_run_group_tests_name("dirty_scope", tests, NULL, NULL);
}
