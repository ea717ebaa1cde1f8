// SPDX-License-Identifier: MIT
/*
 * test_iova_limits.c - the top of the 64-bit IOVA space, and ranges that
 * wrap past it.
 *
 * A mapping may end at 2^64: MAP of the last page works, the same range
 * again is -EEXIST, pins, dma_rw, device writes and reports reach it, an
 * exact UNMAP, an UNMAP of a range ending at 2^64 and UNMAP_ALL return
 * its size, and an IOMMU group attaching later replays it.  Linux before
 * 6.19 accepts such a mapping and then loses it to every lookup (a defect:
 * docs/divergences.md 8): these tests are expected failures there.  The
 * model keeps the fix on every version.
 *
 * A range that does wrap is refused: -EINVAL before 6.19, -EOVERFLOW
 * since, and since 6.19 MAP, GET_BITMAP and vendor pins check it before
 * their other arguments (MAP: before the access and alignment checks and
 * before the IOMMU page size WARN).  Each case runs on an emulated group
 * and on IOMMU groups whose aperture reaches 2^64.
 */
#include <errno.h>
#include <string.h>

#include "helpers/dirty.h"

#define IOVA		FX_IOVA
#define TOP(fx, n)	(0 - (uint64_t)(n) * (fx)->pgsize)	/* n pages below 2^64 */
#define RW		(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

/* IOMMU groups whose aperture reaches 2^64 (the x86 MSI window reserved). */
static const struct fx_config top_v2 =
	FX_CONFIG("v2, IOMMU 4K|2M|1G, aperture up to 2^64", VFIO_TYPE1v2_IOMMU, FX_IOMMU_TOP(0));

static const struct fx_config top_v1 =
	FX_CONFIG("v1, IOMMU 4K, aperture up to 2^64", VFIO_TYPE1_IOMMU, FX_IOMMU_TOP(SZ_4K));

/* The same beside an emulated group, whose driver pins through the domain. */
static const struct fx_config top_mixed =
	FX_CONFIG("v2, IOMMU 4K (aperture up to 2^64) + emulated", VFIO_TYPE1v2_IOMMU,
		  FX_IOMMU_TOP(SZ_4K), FX_EMULATED);

/* An IOMMU group with a vendor driver, aperture up to 2^64. */
static const struct fx_config top_pin_v2 =
	FX_CONFIG("v2, IOMMU 4K (aperture up to 2^64, device pins)", VFIO_TYPE1v2_IOMMU,
		  { .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K, .aperture_end = ~0ULL,
		    .has_dma_unmap = true });

/* 4K CPU pages under an IOMMU of 64K pages: type1 WARNs on MAP and UNMAP. */
static const struct fx_config top_warn =
	FX_CONFIG("v2, 4K CPU pages, IOMMU 64K|512M", VFIO_TYPE1v2_IOMMU,
		  FX_IOMMU(SZ_64K | SZ_512M));

static bool has_iommu(const struct fx *fx)
{
	return fx->cfg->group[0].kind == VFIOSIM_GROUP_IOMMU;
}

/* The group whose driver pins: the emulated one, else one with a device that can. */
static struct vfiosim_group *vendor(struct fx *fx)
{
	unsigned int i;

	for (i = 0; i < fx->nr_groups; i++)
		if (fx->cfg->group[i].kind == VFIOSIM_GROUP_EMULATED)
			return fx->g[i];
	for (i = 0; i < fx->nr_groups; i++)
		if (fx->cfg->group[i].has_dma_unmap)
			return fx->g[i];
	return NULL;
}

/* Pages charged for size bytes mapped: only with an IOMMU domain. */
static uint64_t charged(const struct fx *fx, uint64_t size)
{
	return has_iommu(fx) ? fx_pages(fx, size) : 0;
}

/* ------------------------------------------------- the last page maps */

/* MAP, the same range again, a neighbour, exact UNMAPs: all find it. */
static void test_top_mapping_is_found(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, unmapped = 0;

	expect_ok(fx_map(fx, G, TOP(fx, 4), 4 * P, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_u64(fx_locked(fx), charged(fx, 4 * P));
	expect_err(fx_map(fx, G, TOP(fx, 4), 4 * P, FX_RW), EEXIST);
	expect_err(fx_map(fx, G, TOP(fx, 1), P, FX_RW), EEXIST);
	expect_err(fx_map(fx, G, TOP(fx, 6), 3 * P, FX_RW), EEXIST);
	/* touching it from below is fine */
	expect_ok(fx_map(fx, G + 4 * P, TOP(fx, 6), 2 * P, FX_RW));
	if (fx->v2) {
		/* the v2 rules find it too: a range may not cut it */
		expect_err(fx_unmap(fx, TOP(fx, 2), 2 * P, 0, NULL), EINVAL);
		expect_err(fx_unmap(fx, TOP(fx, 6), 4 * P, 0, NULL), EINVAL);
	}
	expect_ok(fx_unmap(fx, TOP(fx, 4), 4 * P, 0, &unmapped));
	expect_u64(unmapped, 4 * P);
	expect_ok(fx_unmap(fx, TOP(fx, 6), 2 * P, 0, &unmapped));
	expect_u64(unmapped, 2 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
	expect_consistent(fx->c);
}

/* An UNMAP whose range ends at 2^64 takes what lies inside it. */
static void test_top_unmap_range_ending_at_top(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, unmapped = 0;

	expect_ok(fx_map(fx, G, IOVA, 4 * P, FX_RW));
	expect_ok(fx_map(fx, G + 4 * P, TOP(fx, 2), 2 * P, FX_RW));
	expect_ok(fx_map(fx, G + 8 * P, TOP(fx, 16), 4 * P, FX_RW));
	expect_ok(fx_unmap(fx, TOP(fx, 16), 16 * P, 0, &unmapped));
	expect_u64(unmapped, 6 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_u64(fx_locked(fx), charged(fx, 4 * P));
	/* the same from 0: what is left */
	expect_ok(fx_map(fx, G + 4 * P, TOP(fx, 1), P, FX_RW));
	expect_ok(fx_unmap(fx, 0, 0 - P, 0, &unmapped));
	expect_u64(unmapped, 4 * P);
	expect_ok(fx_unmap(fx, 0 - (1ULL << 63), 1ULL << 63, 0, &unmapped));
	expect_u64(unmapped, P);
	expect_u64(fx_locked(fx), 0);
}

/* UNMAP_ALL counts the top mapping in (5.12 on: the flag's release). */
static void test_top_unmap_all(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, unmapped = 0;

	if (!fx_update_vaddr(fx))
		return;
	expect_ok(fx_map(fx, G, TOP(fx, 1), P, FX_RW));
	expect_ok(fx_map(fx, G + P, IOVA, 2 * P, FX_RW));
	expect_ok(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
	expect_u64(unmapped, 3 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
}

/* A vendor driver pins the last page and writes its last bytes. */
static void test_top_pin_and_dma_rw(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, pfn[2] = { 0, 0 }, unmapped = 0;
	struct vfiosim_group *v = vendor(fx);
	unsigned char data[16] = "the last bytes!", back[16] = { 0 };

	assert_non_null(v);
	expect_ok(fx_map(fx, G, TOP(fx, 2), 2 * P, FX_RW));
	expect_ret(vfiosim_pin_pages(fx->c, v, TOP(fx, 1), 1, RW, pfn), 1);
	expect_u64(pfn[0], vfiosim_mm_pfn(fx->h, G + P));
	expect_ok(vfiosim_dma_rw(fx->c, 0 - sizeof(data), data, sizeof(data), true));
	expect_ok(vfiosim_dma_rw(fx->c, 0 - sizeof(back), back, sizeof(back), false));
	assert_memory_equal(back, data, sizeof(data));
	assert_memory_equal((unsigned char *)vfiosim_mm_ptr(fx->h, G + 2 * P - sizeof(data)),
			    data, sizeof(data));
	/* the driver is told to unpin by the UNMAP */
	expect_ok(fx_unmap(fx, TOP(fx, 2), 2 * P, 0, &unmapped));
	expect_u64(unmapped, 2 * P);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
}

/*
 * Reports reach the top: GET and UNMAP with the bitmap over ranges ending
 * at 2^64.  The pinning group pins before tracking starts, so that every
 * group is in the pinned scope and reports are exact.
 */
static void test_top_dirty_reports(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, unmapped = 0, pfn = 0;
	struct vfiosim_group *v = vendor(fx);
	struct dirty_want w;

	assert_non_null(v);
	expect_ok(fx_map(fx, G, TOP(fx, 8), 4 * P, FX_RW));
	expect_ok(fx_map(fx, G + 4 * P, TOP(fx, 2), 2 * P, FX_RW));
	expect_ret(vfiosim_pin_pages(fx->c, v, TOP(fx, 1), 1, RW, &pfn), 1);
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	dirty_want_init(fx, &w, TOP(fx, 8), 8 * P);
	dirty_want_map(&w, TOP(fx, 8), 4 * P);
	dirty_want_map(&w, TOP(fx, 2), 2 * P);
	/* a pinned page is dirty for as long as it stays pinned */
	dirty_want_set(&w, TOP(fx, 1), P);
	dirty_expect(fx, &w);
	expect_ok(dirty_write(fx, TOP(fx, 8), 8));
	dirty_want_set(&w, TOP(fx, 8), 8);
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_want_set(&w, TOP(fx, 1), P);
	dirty_expect(fx, &w);
	/* a range that would cut the top mapping */
	expect_err(dirty_get(fx->c, TOP(fx, 1), P, P, w.buf, 8), EINVAL);
	expect_ok(vfiosim_unpin_pages(fx->c, v, TOP(fx, 1), 1));

	/* UNMAP with the bitmap over a range ending at 2^64 */
	dirty_want_init(fx, &w, TOP(fx, 2), 2 * P);
	dirty_want_map(&w, TOP(fx, 2), 2 * P);
	dirty_want_set(&w, TOP(fx, 1), P);
	expect_ok(dirty_write(fx, 0 - 8, 8));
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 2 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
}

/* An IOMMU group's device reaches the last byte of the IOVA space. */
static void test_top_device_write(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest;

	expect_ok(fx_map(fx, G, TOP(fx, 2), 2 * P, FX_RW));
	expect_u64(vfiosim_group_iommu_page(fx->g[0], 0 - 1), fx->pgsize);
	expect_ok(vfiosim_device_write(fx->g[0], 0 - 16, 16));
	expect_ok(vfiosim_device_write(fx->g[0], TOP(fx, 2), 2 * P));
	expect_err(vfiosim_device_write(fx->g[0], 0 - 16, 17), EFAULT);
	expect_ok(fx_unmap(fx, TOP(fx, 2), 2 * P, 0, NULL));
	expect_err(vfiosim_device_write(fx->g[0], 0 - 16, 16), EFAULT);
	expect_u64(vfiosim_group_iommu_page(fx->g[0], 0 - 1), 0);
	expect_u64(fx_locked(fx), 0);
}

/*
 * A top mapping made while only an emulated group is there is replayed
 * into the domain of an IOMMU group arriving later (by offsets: its end
 * is 2^64); a group whose aperture stops below it cannot join.
 */
static void test_top_replayed_at_attach(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config wide = { .kind = VFIOSIM_GROUP_IOMMU, .aperture_end = ~0ULL };
	struct vfiosim_group_config narrow = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *gw = fx_group(fx, &wide), *gn = fx_group(fx, &narrow);
	uint64_t P = fx->pgsize, G = fx->guest, unmapped = 0;

	expect_ok(fx_map(fx, G, TOP(fx, 4), 4 * P, FX_RW));
	expect_ok(fx_map(fx, G + 4 * P, IOVA, 4 * P, FX_RW));
	expect_u64(fx_locked(fx), 0);
	expect_ok(vfiosim_container_attach(fx->c, gw));
	expect_u64(fx_locked(fx), fx_pages(fx, 8 * P));
	expect_ok(vfiosim_device_write(gw, 0 - 8, 8));
	expect_ok(vfiosim_device_write(gw, IOVA, 8));
	/* a 48-bit aperture would leave the top mapping out */
	expect_err(vfiosim_container_attach(fx->c, gn), EINVAL);
	expect_ok(vfiosim_container_detach(fx->c, gw));
	expect_u64(fx_locked(fx), 0);
	expect_ok(fx_unmap(fx, TOP(fx, 4), 4 * P, 0, &unmapped));
	expect_u64(unmapped, 4 * P);
	/* without it, the narrow group fits */
	expect_ok(vfiosim_container_attach(fx->c, gn));
	expect_ok(vfiosim_device_write(gn, IOVA, 8));
}

/* --------------------------------------------- ranges that wrap past it */

/*
 * MAP: since 6.19 size 0 and wrapping come first, before the access, VADDR
 * and alignment checks; before, wrapping is -EINVAL after all of them.
 */
static void test_wrap_map_check_order(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest;
	int wrap = fx_wrap_errno(fx);

	expect_err(fx_map(fx, G, TOP(fx, 1), 2 * P, FX_RW), wrap);
	expect_err(fx_map(fx, 0 - P, IOVA, 2 * P, FX_RW), wrap);
	expect_err(fx_map(fx, G, IOVA, 0 - P, FX_RW), wrap);
	/* wrapping and misaligned */
	expect_err(fx_map(fx, G, TOP(fx, 1), P + P / 2, FX_RW), wrap);
	expect_err(fx_map(fx, G + P / 2, TOP(fx, 1), 2 * P, FX_RW), wrap);
	/* wrapping with no access, or with access and a new vaddr */
	expect_err(fx_map(fx, G, TOP(fx, 1), 2 * P, 0), wrap);
	expect_err(fx_map(fx, G, TOP(fx, 1), 2 * P, VFIO_DMA_MAP_FLAG_VADDR | FX_RW), wrap);
	/* size 0 stays -EINVAL, whatever else is wrong */
	expect_err(fx_map(fx, G + P / 2, 0 - P, 0, 0), EINVAL);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_consistent(fx->c);
}

/*
 * With IOMMU pages larger than the CPU page type1 WARNs on every MAP that
 * gets to its lock; since 6.19 size 0 and wrapping are refused before.
 */
static void test_wrap_map_before_the_page_size_warn(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest;
	bool early = fx_since(fx, FX_K_EOVERFLOW);

	fx_expect_warnings(fx, early ? 1 : 3);
	expect_err(fx_map(fx, G, IOVA, 0, FX_RW), EINVAL);
	expect_err(fx_map(fx, G, TOP(fx, 1), 2 * P, FX_RW), fx_wrap_errno(fx));
	expect_ret(vfiosim_warnings(fx->h), early ? 0 : 2);
	/* a misaligned size is found under the lock, after the WARN */
	expect_err(fx_map(fx, G, IOVA, SZ_4K, FX_RW), EINVAL);
	expect_ret(vfiosim_warnings(fx->h), early ? 1 : 3);
}

/* UNMAP: alignment first, then wrapping, then the dirty-bitmap checks. */
static void test_wrap_unmap_check_order(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, bits[2] = { 0, 0 };
	struct vfiosim_dirty_unmap_arg a;
	int wrap = fx_wrap_errno(fx);

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_err(fx_unmap(fx, IOVA, 0 - IOVA + P, 0, NULL), wrap);
	expect_err(fx_unmap(fx, TOP(fx, 1), 2 * P, 0, NULL), wrap);
	/* misaligned: -EINVAL before wrapping is looked at */
	expect_err(fx_unmap(fx, TOP(fx, 1) + P / 2, 2 * P, 0, NULL), EINVAL);
	expect_err(fx_unmap(fx, TOP(fx, 1), P + P / 2, 0, NULL), EINVAL);
	/* wrapping before "the bitmap needs tracking on" */
	vfiosim_unmap_bitmap_arg(&a, TOP(fx, 1), 2 * P, P, bits, sizeof(bits));
	expect_err(dirty_unmap_raw(fx->c, &a), wrap);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_u64(fx_locked(fx), charged(fx, 4 * P));
}

/* GET_BITMAP: reading the argument, size 0, then wrapping before the rest. */
static void test_wrap_get_check_order(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, bits[2] = { 0, 0 };
	struct vfiosim_dirty_get_arg a;
	int wrap = fx_wrap_errno(fx);

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	/* tracking is off: the range is refused before that is looked at */
	expect_err(dirty_get(fx->c, TOP(fx, 1), 2 * P, P, bits, sizeof(bits)), wrap);
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_err(dirty_get(fx->c, TOP(fx, 1), 2 * P, P, bits, sizeof(bits)), wrap);
	/* before the bitmap's pointer, size and page size */
	expect_err(dirty_get(fx->c, TOP(fx, 1), 2 * P, P, (void *)(uintptr_t)-8, 8), wrap);
	expect_err(dirty_get(fx->c, TOP(fx, 1), 2 * P, P, bits, 0), wrap);
	expect_err(dirty_get(fx->c, TOP(fx, 1), 2 * P, 2 * P, bits, sizeof(bits)), wrap);
	/* size 0 is -EINVAL; an unreadable argument -EFAULT, first of all */
	expect_err(dirty_get(fx->c, TOP(fx, 1), 0, P, bits, sizeof(bits)), EINVAL);
	vfiosim_get_bitmap_arg(&a, TOP(fx, 1), 2 * P, P, bits, sizeof(bits));
	fx_user_add(fx, &a.get, sizeof(a.get), 0);
	expect_err(dirty_get_raw(fx->c, &a), EFAULT);
	fx_user_del(fx, &a.get);
	expect_u64(bits[0] | bits[1], 0);
}

/*
 * A vendor pin of pages past 2^64: since 6.19 refused up front (after the
 * v1 check); before, its first page is looked up like any other and is
 * not mapped here.  (The last page itself pins: test_top_pin_and_dma_rw.)
 */
static void test_wrap_pin(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, pfn[2] = { 0, 0 };
	struct vfiosim_group *v = vendor(fx);

	assert_non_null(v);
	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	if (!fx->v2) {
		expect_err(vfiosim_pin_pages(fx->c, v, TOP(fx, 1), 2, RW, pfn), EACCES);
		return;
	}
	expect_err(vfiosim_pin_pages(fx->c, v, TOP(fx, 1), 2, RW, pfn), fx_wrap_errno(fx));
	expect_err(vfiosim_pin_pages(fx->c, v, 0 - 8, 1, RW, pfn), fx_wrap_errno(fx));
	expect_u64(pfn[0] | pfn[1], 0);
	expect_u64(fx_pinned(fx), charged(fx, P));
	expect_ret(vfiosim_pin_pages(fx->c, v, IOVA, 1, RW, pfn), 1);
	expect_ok(vfiosim_unpin_pages(fx->c, v, IOVA, 1));
}

/*
 * Since 6.19 a pin that wraps is refused before the vaddr check (which
 * WARNs once and answers -EBUSY while a vaddr is invalid).
 */
static void test_wrap_pin_before_the_vaddr_check(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, pfn[2] = { 0, 0 };

	if (!fx_update_vaddr(fx))
		return;
	fx_expect_warnings(fx, 1);
	fx_map_vaddr_invalid(fx, IOVA, P);
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], TOP(fx, 1), 2, RW, pfn),
		   fx_since(fx, FX_K_EOVERFLOW) ? EOVERFLOW : EBUSY);
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 1, RW, pfn), EBUSY);
	expect_ret(vfiosim_warnings(fx->h), 1);
	expect_ok(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR));
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 1, RW, pfn), 1);
	expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], IOVA, 1));
}

/* A v1 container whose device could pin (v1 refuses vendor pins). */
static const struct fx_config top_pin_v1 =
	FX_CONFIG("v1, IOMMU 4K (aperture up to 2^64, device pins)", VFIO_TYPE1_IOMMU,
		  { .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K, .aperture_end = ~0ULL,
		    .has_dma_unmap = true });

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_top_mapping_is_found, fx_v2_emul),
		FX_TEST(test_top_mapping_is_found, top_v2),
		FX_TEST(test_top_mapping_is_found, top_v1),
		FX_TEST(test_top_unmap_range_ending_at_top, fx_v2_emul),
		FX_TEST(test_top_unmap_range_ending_at_top, top_v2),
		FX_TEST(test_top_unmap_range_ending_at_top, top_v1),
		FX_TEST(test_top_unmap_all, fx_v2_emul),
		FX_TEST(test_top_unmap_all, top_v2),
		FX_TEST(test_top_pin_and_dma_rw, fx_v2_emul),
		FX_TEST(test_top_pin_and_dma_rw, top_mixed),
		FX_TEST(test_top_dirty_reports, fx_v2_emul),
		FX_TEST(test_top_dirty_reports, top_pin_v2),
		FX_TEST(test_top_device_write, top_v2),
		FX_TEST(test_top_device_write, top_v1),
		FX_TEST(test_top_replayed_at_attach, fx_v2_emul),
		FX_TEST(test_wrap_map_check_order, fx_v2_emul),
		FX_TEST(test_wrap_map_check_order, top_v2),
		FX_TEST(test_wrap_map_check_order, top_v1),
		FX_TEST(test_wrap_map_before_the_page_size_warn, top_warn),
		FX_TEST(test_wrap_unmap_check_order, fx_v2_emul),
		FX_TEST(test_wrap_unmap_check_order, top_v2),
		FX_TEST(test_wrap_get_check_order, fx_v2_emul),
		FX_TEST(test_wrap_get_check_order, top_v2),
		FX_TEST(test_wrap_pin, fx_v2_emul),
		FX_TEST(test_wrap_pin, top_mixed),
		FX_TEST(test_wrap_pin, top_pin_v1),
		FX_TEST(test_wrap_pin_before_the_vaddr_check, top_pin_v2),
	};

	return cmocka_run_group_tests_name("iova_limits", tests, NULL, NULL);
}
