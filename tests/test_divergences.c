// SPDX-License-Identifier: MIT
/*
 * test_divergences.c - where the model deliberately departs from Linux's
 * vfio_iommu_type1.c (each in the versions that have the defect), so that
 * no dirty page is ever lost and no mapping is lost to a lookup.
 *
 * Each test is named after its divergence, says what the kernel does, and
 * asserts what the model does.  Run against the kernel backend they are
 * expected to fail: each carries the marker the kernel-mode runner looks
 * for.
 */
#include <errno.h>
#include <string.h>

#include "helpers/dirty.h"

#define IOVA	FX_IOVA
#define START	VFIO_IOMMU_DIRTY_PAGES_FLAG_START
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

/* An IOMMU-backed group whose device pins, alone or beside an emulated one. */
static const struct fx_config dv_iommu_pin =
	FX_CONFIG("v2, IOMMU 4K, device pins", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K));

static const struct fx_config dv_mixed_pin =
	FX_CONFIG("v2, IOMMU 4K|2M|1G (device pins) + emulated", VFIO_TYPE1v2_IOMMU,
		  FX_PINNING(SZ_4K | SZ_2M | SZ_1G), FX_EMULATED);

#define A(p)	DIRTY_A(fx, p)
#define B(p)	DIRTY_B(fx, p)

/*
 * Mapping A (8 pages) at the range's page 0, B (8 pages) at page 64, so
 * each has a u64 word of the user's bitmap to itself; tracking on; A(1)
 * and B(2) written through dma_rw.
 */
static void map_ab_dirty(struct fx *fx, struct dirty_want *w)
{
	dirty_map_ab(fx, w, 8);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(dirty_write(fx, A(1), 1));
	expect_ok(dirty_write(fx, B(2), 1));
	dirty_want_set(w, A(1), 1);
	dirty_want_set(w, B(2), 1);
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(w);
}

/*
 * Divergence (a).  A GET_BITMAP whose copy to the user faults part-way,
 * here on B's word.  Kernel (vfio_iova_dirty_bitmap): each mapping's
 * bitmap is cleared and refilled from its pins right after its own copy,
 * so A's bits, already handed to a call that then fails with -EFAULT, are
 * gone: the next GET reports B(2) only.  Model: every per-mapping bitmap
 * is left as it was until all copies succeeded; the next GET reports A(1)
 * as well.
 */
/* kernel: expected to fail */
static void test_divergence_get_copy_fault_keeps_every_bitmap(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;
	unsigned char *buf;

	map_ab_dirty(fx, &w);
	buf = dirty_want_prepare(&w);
	fx_user_add(fx, buf + 8, 8, VFIOSIM_PROT_READ);
	expect_err(dirty_get(fx->c, IOVA, w.size, fx->pgsize, buf, vfiosim_bitmap_bytes(w.npages)),
		   EFAULT);
	fx_user_del(fx, buf + 8);
	/* A's word went out before the fault, in both */
	assert_int_equal(dirty_bit(buf, 1), 1);
	dirty_expect(fx, &w);
}

/*
 * Divergence (b).  UNMAP_DMA with GET_DIRTY_BITMAP whose copy faults on
 * B's word.  Kernel (vfio_dma_do_unmap): A's bits are copied and A is
 * removed before B's copy fails, so the call returns -EFAULT with A gone
 * and its dirty pages delivered to a call the caller must treat as failed.
 * Model: all copies first, then the removals: nothing is unmapped, and a
 * later unmap delivers A's and B's bits.
 */
/* kernel: expected to fail */
static void test_divergence_unmap_copy_fault_unmaps_nothing(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_dirty_unmap_arg a;
	uint64_t unmapped = 0, locked;
	struct dirty_want w;
	unsigned char *buf;

	map_ab_dirty(fx, &w);
	locked = fx_locked(fx);
	buf = dirty_want_prepare(&w);
	fx_user_add(fx, buf + 8, 8, VFIOSIM_PROT_READ);
	vfiosim_unmap_bitmap_arg(&a, IOVA, w.size, fx->pgsize, buf, vfiosim_bitmap_bytes(w.npages));
	expect_err(dirty_unmap_raw(fx->c, &a), EFAULT);
	fx_user_del(fx, buf + 8);
	/* probed from guest memory no mapping uses */
	assert_true(fx_mapped(fx, A(0), fx->guest + 1024 * fx->pgsize));
	assert_true(fx_mapped(fx, B(0), fx->guest + 1024 * fx->pgsize));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 2);
	expect_u64(fx_locked(fx), locked);
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 16 * fx->pgsize);
}

/*
 * Divergence (c).  An IOMMU-backed group's driver pins while tracking and
 * so brings the last group outside the pinned scope into it.  Kernel
 * (vfio_iommu_type1_pin_pages): the scope narrows at once; the next
 * report holds only pinned pages and dma_rw writes, and what the device
 * wrote by DMA since the last report (A(3) here, in the ground-truth log)
 * is lost.  Model: at that moment every IOMMU-mapped page is marked
 * dirty, so the next report is full; the one after is exact.
 */
/* kernel: expected to fail */
static void test_divergence_promotion_marks_iommu_mapped_dirty(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	uint64_t pfn = 0;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 128 * fx->pgsize);
	expect_ok(fx_map(fx, fx->guest, A(0), 8 * fx->pgsize, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * fx->pgsize, B(0), 8 * fx->pgsize, FX_RW));
	dirty_want_map(&w, A(0), 8 * fx->pgsize);
	dirty_want_map(&w, B(0), 8 * fx->pgsize);
	expect_ok(fx_dirty(fx->c, START));
	dirty_want_all(&w);
	dirty_expect(fx, &w);

	expect_ok(vfiosim_device_write(g, A(3), 64));
	expect_ret(vfiosim_pin_pages(fx->c, g, B(1), 1, RW, &pfn), 1);
	dirty_expect(fx, &w);			/* full, A(3) included */
	dirty_want_none(&w);
	dirty_want_set(&w, B(1), 1);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_unpin_pages(fx->c, g, B(1), 1));
}

/*
 * (6) A dma_rw write that faults part-way: the mapping's first four pages
 * are writable guest memory, the last four read-only (an emulated-only
 * container pins nothing at MAP, so such a mapping exists).  The write
 * lands in the first four pages and fails with -EFAULT.  The kernel marks
 * nothing for a chunk whose copy faulted, so those four written pages are
 * never reported; the model marks every page the write reached.
 */
/* kernel: expected to fail */
static void test_divergence_partial_dma_rw_marks_written_pages(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, va = FX_RO_BASE - 4 * P, bm[2] = { 0 };
	unsigned char *buf = fx_alloc(fx, 8 * P);
	size_t logged = vfiosim_log_count(fx->h);
	const struct vfiosim_write *w;

	fx_mm_map(fx, va, 4 * P, RW, 0);
	fx_mm_map(fx, FX_RO_BASE, 4 * P, VFIOSIM_PROT_READ, 0);
	expect_ok(fx_map(fx, va, IOVA, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, START));
	memset(buf, 0x5a, 8 * P);
	expect_err(vfiosim_dma_rw(fx->c, IOVA, buf, 8 * P, true), EFAULT);
	/* The ground truth: four pages' worth reached guest memory. */
	assert_int_equal(vfiosim_log_count(fx->h), logged + 1);
	w = vfiosim_log_get(fx->h, logged);
	expect_u64(w->iova, IOVA);
	expect_u64(w->len, 4 * P);
	assert_int_equal(*(unsigned char *)vfiosim_mm_ptr(fx->h, va + 4 * P - 1), 0x5a);

	expect_ok(dirty_get(fx->c, IOVA, 8 * P, P, bm, sizeof(bm)));
	expect_u64(bm[0], 0x0f);
}

/*
 * (7) A vendor pin at an IOVA off the page boundary pins the page holding
 * it.  The kernel keys its pinned-page entry by the raw IOVA while every
 * lookup of its own uses page-aligned ones, so when the last IOMMU domain
 * goes and a new one replays the mapping, the replay does not see the page
 * is already charged and charges it again: after everything is unpinned
 * and unmapped a page stays in locked_vm for good.  The model keys pins by
 * the page, as the in-kernel API's contract (and iommufd) does.
 */
/* kernel: expected to fail */
static void test_divergence_unaligned_pin_is_charged_once(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *dev = fx->g[0], *vendor = fx->g[1];
	uint64_t P = fx->pgsize, pfn = 0, unmapped = 0;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_u64(fx_locked(fx), 8);
	expect_ret(vfiosim_pin_pages(fx->c, vendor, IOVA + 2 * P + P / 2, 1, RW, &pfn), 1);
	expect_u64(pfn, vfiosim_mm_pfn(fx->h, fx->guest + 2 * P));
	expect_u64(fx_locked(fx), 8);
	/* The last domain goes: only the vendor's page stays charged. */
	expect_ok(vfiosim_container_detach(fx->c, dev));
	expect_u64(fx_locked(fx), 1);
	/* A domain again: the replay must not charge that page twice. */
	expect_ok(vfiosim_container_attach(fx->c, dev));
	expect_u64(fx_locked(fx), 8);
	expect_ok(vfiosim_unpin_pages(fx->c, vendor, IOVA + 2 * P + P / 2, 1));
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, &unmapped));
	expect_u64(unmapped, 8 * P);
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
}

/*
 * (8) A mapping whose last byte is the last IOVA (it ends at 2^64).  Linux
 * before 6.19 checks only iova + size - 1 for wrapping, so MAP accepts one
 * (where no IOMMU aperture is in the way), but every later lookup compares
 * against iova + size, which is 0 for it: it is never found again (pins,
 * dma_rw, an exact UNMAP all miss it), a second MAP of the same range
 * succeeds beside it, and when it sits on a lookup's path it hides other
 * mappings: the exact UNMAP of a plain mapping unmaps nothing.  7.x
 * compares inclusive last addresses; so does the model, on every version.
 * Both run with an emulated group and with an IOMMU group whose aperture
 * reaches 2^64.
 */
/* kernel: expected to fail */
static void test_divergence_mapping_to_the_top_of_iova_works(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, top = 0 - 16 * P, unmapped = 0;

	expect_ok(fx_map(fx, fx->guest, top, 16 * P, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	/* It is there: the same range again overlaps it. */
	expect_err(fx_map(fx, fx->guest, top, 16 * P, FX_RW), EEXIST);
	expect_err(fx_map(fx, fx->guest, 0 - P, P, FX_RW), EEXIST);
	expect_ok(fx_map(fx, fx->guest + 16 * P, IOVA, 8 * P, FX_RW));
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, &unmapped));
	expect_u64(unmapped, 8 * P);
	expect_ok(fx_unmap(fx, top, 16 * P, 0, &unmapped));
	expect_u64(unmapped, 16 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
}

/* The kernel's own order of events from the fuzzer: top first, then one below. */
/* kernel: expected to fail */
static void test_divergence_top_mapping_cannot_hide_another(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 0;

	expect_ok(fx_map(fx, fx->guest, 0 - P, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + P, IOVA, 49 * P, FX_RW));
	expect_ok(fx_unmap(fx, IOVA, 49 * P, 0, &unmapped));
	expect_u64(unmapped, 49 * P);
	expect_ok(fx_unmap(fx, 0 - P, P, 0, &unmapped));
	expect_u64(unmapped, P);
	expect_u64(fx_locked(fx), 0);
}

/*
 * No mapping reaches 2^64 here: the UNMAP's range does.  The kernel's
 * search compares each mapping with iova + size, which wrapped to 0, so
 * it turns away from every node and unmaps nothing (found by the diff
 * fuzzer: fuzz/regressions/diff/crash-59e406286850).
 */
/* kernel: expected to fail */
static void test_divergence_unmap_to_the_top_takes_what_is_below(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 0;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 16 * P, IOVA + 64 * P, 4 * P, FX_RW));
	expect_ok(fx_unmap(fx, P, 0 - P, 0, &unmapped));
	expect_u64(unmapped, 20 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
}

/*
 * The same lookup at attach.  With the last IOMMU group gone (the emulated
 * one keeps the container), the valid IOVA ranges widen to 2^64 again and
 * a mapping above 2^48 is made.  An IOMMU group whose aperture ends at
 * 2^48 - 1 comes back: the kernel's check for mappings past the aperture
 * looks up [2^48, 2^64), whose size wraps, finds none, and goes on to the
 * replay, where the IOMMU refuses the page (-EFAULT from the mock, as
 * VT-d beyond its address width).  The model finds the mapping and
 * refuses the attach with -EINVAL, as Linux does since 6.19 (found by
 * the diff fuzzer: fuzz/regressions/diff/crash-d5335e2c07f8).
 */
/* kernel: expected to fail */
static void test_divergence_aperture_check_sees_mappings_above(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, high = 1ULL << 48, unmapped = 0;

	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_ok(fx_map(fx, fx->guest, high, 16 * P, FX_RW));
	expect_err(vfiosim_container_attach(fx->c, fx->g[0]), EINVAL);
	expect_u64(fx_locked(fx), 0);
	expect_ok(fx_unmap(fx, high, 16 * P, 0, &unmapped));
	expect_u64(unmapped, 16 * P);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
}

/*
 * (9) Linux 5.10's UNMAP takes the mappings of the range in the order its
 * tree search meets them (the root first), and with GET_DIRTY_BITMAP each
 * mapping's copy writes whole u64 words.  Mappings A, B, C made in that
 * order make B the root: B's bits go out first, then A's copy rewrites
 * the word they share with A's own bits and zeros, and B's dirty page is
 * lost.  5.12 on (and the model) walk them in IOVA order.
 */
/* kernel: expected to fail */
static void test_divergence_unmap_reports_in_iova_order(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 0;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 64 * P);
	expect_ok(fx_map(fx, fx->guest, A(0), 10 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 10 * P, A(10), 10 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 20 * P, A(40), 10 * P, FX_RW));
	dirty_want_map(&w, A(0), 20 * P);
	dirty_want_map(&w, A(40), 10 * P);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(dirty_write(fx, A(3), 1));
	expect_ok(dirty_write(fx, A(12), 1));
	expect_ok(dirty_write(fx, A(45), 1));
	dirty_want_set(&w, A(3), 1);
	dirty_want_set(&w, A(12), 1);
	dirty_want_set(&w, A(45), 1);
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 30 * P);
}

/* An IOMMU group (aperture [0, 2^48)) beside an emulated one. */
static const struct fx_config dv_iommu_emul =
	FX_CONFIG("v2, IOMMU 4K + emulated", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K), FX_EMULATED);

/* An IOMMU whose aperture reaches 2^64 (the x86 MSI window reserved). */
static const struct fx_config dv_top_iommu =
	FX_CONFIG("v2, IOMMU 4K, aperture up to 2^64", VFIO_TYPE1v2_IOMMU, FX_IOMMU_TOP(SZ_4K));

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_divergence_get_copy_fault_keeps_every_bitmap, fx_v2_emul),
		FX_TEST(test_divergence_unmap_copy_fault_unmaps_nothing, fx_v2_emul),
		FX_TEST(test_divergence_unmap_copy_fault_unmaps_nothing, fx_v2_4k),
		FX_TEST(test_divergence_promotion_marks_iommu_mapped_dirty, dv_iommu_pin),
		FX_TEST(test_divergence_promotion_marks_iommu_mapped_dirty, dv_mixed_pin),
		FX_TEST(test_divergence_partial_dma_rw_marks_written_pages, fx_v2_emul),
		FX_TEST(test_divergence_unaligned_pin_is_charged_once, dv_mixed_pin),
		FX_TEST(test_divergence_mapping_to_the_top_of_iova_works, fx_v2_emul),
		FX_TEST(test_divergence_mapping_to_the_top_of_iova_works, dv_top_iommu),
		FX_TEST(test_divergence_top_mapping_cannot_hide_another, fx_v2_emul),
		FX_TEST(test_divergence_top_mapping_cannot_hide_another, dv_top_iommu),
		FX_TEST(test_divergence_unmap_to_the_top_takes_what_is_below, fx_v2_emul),
		FX_TEST(test_divergence_unmap_to_the_top_takes_what_is_below, dv_top_iommu),
		FX_TEST(test_divergence_aperture_check_sees_mappings_above, dv_iommu_emul),
		FX_TEST(test_divergence_unmap_reports_in_iova_order, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("divergences", tests, NULL, NULL);
}
