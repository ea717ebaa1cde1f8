// SPDX-License-Identifier: MIT
/*
 * test_unmap_dma.c - VFIO_IOMMU_UNMAP_DMA under the v1 and v2 rules:
 * argument checks, bisected ranges, holes, FLAG_ALL, FLAG_VADDR with its
 * rollback, the dirty-bitmap variant's refusals, the size written back and
 * the -EFAULT paths.
 */
#include <errno.h>
#include <string.h>

#include "helpers/fixture.h"

#define IOVA	FX_IOVA

static bool has_iommu(const struct fx *fx)
{
	return fx->cfg->group[0].kind == VFIOSIM_GROUP_IOMMU;
}

static long unmap_raw(struct fx *fx, struct vfio_iommu_type1_dma_unmap *u)
{
	return vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, u);
}

/* Three mappings with holes: [A, A+P) [A+2P, A+4P) [A+6P, A+7P). */
static uint64_t map_three(struct fx *fx, uint64_t A)
{
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, A, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 2 * P, A + 2 * P, 2 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 6 * P, A + 6 * P, P, FX_RW));
	return 4 * P;
}

/* ------------------------------------------------------------- basics */

static void test_unmap_exact_releases_everything(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	if (has_iommu(fx)) {
		expect_u64(fx_locked(fx), fx_pages(fx, 8 * P));
		expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest), 1);
	}
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, &unmapped));
	expect_u64(unmapped, 8 * P);
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest), 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	if (has_iommu(fx))
		expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	/* a second time there is nothing left */
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, &unmapped));
	expect_u64(unmapped, 0);
}

static void test_unmap_empty_range_returns_zero(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 1;

	expect_ok(fx_unmap(fx, IOVA, 16 * P, 0, &unmapped));
	expect_u64(unmapped, 0);
	expect_ok(fx_map(fx, fx->guest, IOVA + 16 * P, P, FX_RW));
	unmapped = 1;
	expect_ok(fx_unmap(fx, IOVA, 16 * P, 0, &unmapped));
	expect_u64(unmapped, 0);
	expect_ok(fx_unmap(fx, IOVA + 17 * P, 16 * P, 0, &unmapped));
	expect_u64(unmapped, 0);
	assert_true(fx_mapped(fx, IOVA + 16 * P, fx->guest));
}

static void test_unmap_short_argsz_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u) - 1, .iova = IOVA, .size = P,
	};

	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	expect_err(unmap_raw(fx, &u), EINVAL);
	/* nothing written back on error */
	expect_u64(u.size, P);
	u.argsz = 0;
	expect_err(unmap_raw(fx, &u), EINVAL);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	u.argsz = sizeof(u);
	expect_ok(unmap_raw(fx, &u));
	expect_u64(u.size, P);
}

static void test_unmap_argsz_larger_ok(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfio_iommu_type1_dma_unmap u = { .argsz = 4096, .iova = IOVA, .size = P };

	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	expect_ok(unmap_raw(fx, &u));
	expect_u64(u.size, P);
	expect_u64(u.argsz, 4096);
}

static void test_unmap_unknown_flags_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	uint32_t bad[] = { 1u << 3, 1u << 8, 1u << 31 };
	size_t i;

	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_err(fx_unmap(fx, IOVA, P, bad[i], &unmapped), EINVAL);
		expect_u64(unmapped, P);
	}
	assert_true(fx_mapped(fx, IOVA, fx->guest));
}

static void test_unmap_misaligned_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	uint64_t offs[2] = { P / 2, SZ_4K };
	unsigned int i, n = P > SZ_4K ? 2 : 1;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	for (i = 0; i < n; i++) {
		expect_err(fx_unmap(fx, IOVA + offs[i], 4 * P, 0, NULL), EINVAL);
		expect_err(fx_unmap(fx, IOVA, 4 * P + offs[i], 0, NULL), EINVAL);
		expect_err(fx_unmap(fx, IOVA, offs[i], 0, NULL), EINVAL);
		expect_err(fx_unmap(fx, offs[i], 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL), EINVAL);
	}
	expect_err(fx_unmap(fx, IOVA, 0, 0, NULL), EINVAL);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	if (has_iommu(fx))
		expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
}

/*
 * iova + size - 1 must not wrap: -EINVAL, -EOVERFLOW since 6.19.  (A range
 * ending exactly at 2^64 does not wrap: test_iova_limits.c.)
 */
static void test_unmap_size_overflow(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_err(fx_unmap(fx, IOVA, 0 - IOVA + P, 0, NULL), fx_wrap_errno(fx));
	expect_err(fx_unmap(fx, IOVA, 0 - P, 0, NULL), fx_wrap_errno(fx));
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	expect_u64(fx_locked(fx), has_iommu(fx) ? fx_pages(fx, 4 * P) : 0);
}

/* A range over the whole space takes every mapping, under both rules. */
static void test_unmap_huge_range_takes_all(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	uint64_t total = map_three(fx, IOVA);

	expect_ok(fx_map(fx, fx->guest, P, P, FX_RW));
	expect_ok(fx_unmap(fx, 0, 0 - P, 0, &unmapped));
	expect_u64(unmapped, total + P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
}

/* ------------------------------------------------------- v1 versus v2 */

/* v2: a range may not split a mapping at either end. */
static void test_unmap_v2_bisect_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, A = IOVA + 8 * P, unmapped;
	struct { uint64_t iova, size; } cuts[] = {
		{ A + P, P },		/* inside */
		{ A + P, 3 * P },	/* from inside to its end */
		{ A + P, 8 * P },	/* from inside beyond */
		{ A, 2 * P },		/* from its start to inside */
		{ A - P, 2 * P },	/* from before to inside */
		{ A - 4 * P, 6 * P },
	};
	size_t i;

	expect_ok(fx_map(fx, fx->guest, A, 4 * P, FX_RW));
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		unmapped = 0x5a5a;
		expect_err(fx_unmap(fx, cuts[i].iova, cuts[i].size, 0, &unmapped), EINVAL);
		/* an error does not write the size back */
		expect_u64(unmapped, cuts[i].size);
	}
	assert_true(fx_mapped(fx, A, fx->guest));
	if (has_iommu(fx)) {
		expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
		expect_ok(vfiosim_device_write(fx->g[0], A + 3 * P, 8));
	}
	expect_ok(fx_unmap(fx, A - P, 6 * P, 0, &unmapped));
	expect_u64(unmapped, 4 * P);
}

/* v2: a bisected mapping at one end blocks the whole range. */
static void test_unmap_v2_bisect_blocks_other_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	map_three(fx, IOVA);
	/* ends inside [A+2P, A+4P) */
	expect_err(fx_unmap(fx, IOVA, 3 * P, 0, NULL), EINVAL);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
}

/*
 * v1: a range starting inside a mapping unmaps nothing and succeeds with
 * size 0, even if it also covers later mappings; a range covering a
 * mapping's first page removes that whole mapping.
 */
static void test_unmap_v1_offset_returns_zero(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, A = IOVA + 8 * P, unmapped;

	expect_ok(fx_map(fx, fx->guest, A, 4 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, A + 6 * P, P, FX_RW));

	unmapped = 1;
	expect_ok(fx_unmap(fx, A + P, P, 0, &unmapped));
	expect_u64(unmapped, 0);
	unmapped = 1;
	expect_ok(fx_unmap(fx, A + P, 16 * P, 0, &unmapped));
	expect_u64(unmapped, 0);
	assert_true(fx_mapped(fx, A, fx->guest));
	assert_true(fx_mapped(fx, A + 6 * P, fx->guest));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 2);
	if (has_iommu(fx))
		expect_u64(fx_locked(fx), fx_pages(fx, 5 * P));
}

static void test_unmap_v1_first_page_takes_whole_mapping(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, A = IOVA + 8 * P, unmapped;

	expect_ok(fx_map(fx, fx->guest, A, 4 * P, FX_RW));
	expect_ok(fx_unmap(fx, A, P, 0, &unmapped));
	expect_u64(unmapped, 4 * P);
	expect_u64(fx_locked(fx), 0);

	expect_ok(fx_map(fx, fx->guest, A, 4 * P, FX_RW));
	expect_ok(fx_unmap(fx, A - 2 * P, 3 * P, 0, &unmapped));
	expect_u64(unmapped, 4 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	if (has_iommu(fx))
		expect_err(vfiosim_device_write(fx->g[0], A + 3 * P, 8), EFAULT);
}

/* Holes between mappings are skipped; the size counts mapped bytes only. */
static void test_unmap_range_with_holes(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	uint64_t total;

	expect_ok(fx_map(fx, fx->guest + 16 * P, IOVA + 16 * P, P, FX_RW));
	total = map_three(fx, IOVA);
	if (has_iommu(fx))
		expect_u64(fx_locked(fx), fx_pages(fx, total + P));
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, &unmapped));
	expect_u64(unmapped, total);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	if (has_iommu(fx))
		expect_u64(fx_locked(fx), fx_pages(fx, P));
	assert_true(fx_mapped(fx, IOVA + 16 * P, fx->guest));
}

/* ----------------------------------------------------------- FLAG_ALL */

static void test_unmap_all(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 1;
	uint64_t total;

	if (!fx_update_vaddr(fx))
		return;
	expect_ok(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
	expect_u64(unmapped, 0);
	total = map_three(fx, IOVA);
	expect_ok(fx_map(fx, fx->guest, IOVA + 64 * P, 8 * P, FX_RW));
	total += 8 * P;
	expect_ok(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
	expect_u64(unmapped, total);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
}

static void test_unmap_all_with_iova_or_size_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;

	map_three(fx, IOVA);
	expect_err(fx_unmap(fx, IOVA, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped), EINVAL);
	expect_u64(unmapped, 0);
	expect_err(fx_unmap(fx, 0, P, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped), EINVAL);
	expect_u64(unmapped, P);
	expect_err(fx_unmap(fx, IOVA, 8 * P, VFIO_DMA_UNMAP_FLAG_ALL, NULL), EINVAL);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
}

/* --------------------------------------------------------- FLAG_VADDR */

static void test_unmap_vaddr_invalidates_keeps_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	uint64_t total = map_three(fx, IOVA);

	if (!fx_update_vaddr(fx))
		return;
	expect_ok(fx_unmap(fx, IOVA, 8 * P, VFIO_DMA_UNMAP_FLAG_VADDR, &unmapped));
	expect_u64(unmapped, total);
	/* still mapped, pinned and counted */
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
	expect_u64(fx_locked(fx), fx_pages(fx, total));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 3 * P, 8));
	/* each one is now updatable exactly once */
	expect_ok(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR));
	expect_ok(fx_map(fx, fx->guest, IOVA + 2 * P, 2 * P, VFIO_DMA_MAP_FLAG_VADDR));
	expect_ok(fx_map(fx, fx->guest, IOVA + 6 * P, P, VFIO_DMA_MAP_FLAG_VADDR));
	expect_err(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
}

/*
 * A mapping in the range already invalid: the ones this call invalidated
 * are made valid again, the call fails and nothing is reported.
 */
static void test_unmap_vaddr_rollback_when_already_invalid(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	struct vfiosim_group_config gc = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g2 = fx_group(fx, &gc);

	if (!fx_update_vaddr(fx))
		return;
	map_three(fx, IOVA);
	expect_ok(fx_unmap(fx, IOVA + 2 * P, 2 * P, VFIO_DMA_UNMAP_FLAG_VADDR, &unmapped));
	expect_u64(unmapped, 2 * P);

	expect_err(fx_unmap(fx, IOVA, 8 * P, VFIO_DMA_UNMAP_FLAG_VADDR, &unmapped), EINVAL);
	expect_u64(unmapped, 8 * P);
	/* the first was rolled back, the second stays invalid, the third was
	 * never reached */
	expect_err(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(fx_map(fx, fx->guest, IOVA + 6 * P, P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(vfiosim_container_attach(fx->c, g2), EBUSY);
	expect_ok(fx_map(fx, fx->guest, IOVA + 2 * P, 2 * P, VFIO_DMA_MAP_FLAG_VADDR));
	/* nothing invalid any more: a group may join */
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
}

/* FLAG_ALL combines with FLAG_VADDR. */
static void test_unmap_vaddr_all(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	uint64_t total = map_three(fx, IOVA);

	if (!fx_update_vaddr(fx))
		return;
	expect_ok(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR,
			   &unmapped));
	expect_u64(unmapped, total);
	expect_ok(fx_map(fx, fx->guest, IOVA + 6 * P, P, VFIO_DMA_MAP_FLAG_VADDR));
	/* an invalid mapping may still be unmapped normally */
	expect_ok(fx_unmap(fx, IOVA, 4 * P, 0, &unmapped));
	expect_u64(unmapped, 3 * P);
	expect_u64(fx_locked(fx), fx_pages(fx, P));
}

/* Emulated devices cannot live with stale vaddrs: -EBUSY, checked first. */
static void test_unmap_vaddr_with_emulated_group_ebusy(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	struct vfiosim_group_config gc = { .kind = VFIOSIM_GROUP_EMULATED };

	if (!fx_update_vaddr(fx))
		return;
	if (has_iommu(fx))
		expect_ok(vfiosim_container_attach(fx->c, fx_group(fx, &gc)));
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_err(fx_unmap(fx, IOVA, 4 * P, VFIO_DMA_UNMAP_FLAG_VADDR, &unmapped), EBUSY);
	expect_u64(unmapped, 4 * P);
	/* before the alignment checks */
	expect_err(fx_unmap(fx, IOVA + 1, 3, VFIO_DMA_UNMAP_FLAG_VADDR, NULL), EBUSY);
	expect_err(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL,
			    NULL), EBUSY);
	/* not invalidated */
	expect_err(fx_map(fx, fx->guest, IOVA, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_ok(fx_unmap(fx, IOVA, 4 * P, 0, &unmapped));
	expect_u64(unmapped, 4 * P);
}

/* ------------------------------------------------------ dirty bitmap */

/* UNMAP_DMA followed by its struct vfio_bitmap, as one argument. */
static long unmap_dirty(struct fx *fx, uint32_t flags, uint64_t iova, uint64_t size,
			uint64_t pgsize, __u64 *bits, uint64_t bits_size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u) + sizeof(struct vfio_bitmap),
		.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | flags,
		.iova = iova,
		.size = size,
	};
	struct vfio_bitmap b = { .pgsize = pgsize, .size = bits_size, .data = bits };
	uint64_t arg[(sizeof(u) + sizeof(b)) / sizeof(uint64_t)];

	memcpy(arg, &u, sizeof(u));
	memcpy((unsigned char *)arg + sizeof(u), &b, sizeof(b));
	return vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, arg);
}

static void test_unmap_dirty_bitmap_with_all_or_vaddr_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	__u64 bits[4] = { 0 };

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	if (fx->v2)
		expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_err(unmap_dirty(fx, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, P, bits, sizeof(bits)),
		   EINVAL);
	expect_err(unmap_dirty(fx, VFIO_DMA_UNMAP_FLAG_ALL, IOVA, 4 * P, P, bits,
			       sizeof(bits)), EINVAL);
	expect_err(unmap_dirty(fx, VFIO_DMA_UNMAP_FLAG_VADDR, IOVA, 4 * P, P, bits,
			       sizeof(bits)), EINVAL);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	/* and it was not invalidated either */
	expect_err(fx_map(fx, fx->guest, IOVA, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
}

/* Not tracking: -EINVAL and the mapping stays; tracking: it works. */
static void test_unmap_dirty_bitmap_not_tracking_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	__u64 bits[4] = { 0 };

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_err(unmap_dirty(fx, 0, IOVA, 4 * P, P, bits, sizeof(bits)), EINVAL);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	expect_u64(bits[0], 0);
	expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));

	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* a bitmap page size other than the smallest IOMMU page */
	expect_err(unmap_dirty(fx, 0, IOVA, 4 * P, 2 * P, bits, sizeof(bits)), EINVAL);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	/* an IOMMU-backed device may have written anything: all dirty */
	expect_ok(unmap_dirty(fx, 0, IOVA, 4 * P, P, bits, sizeof(bits)));
	expect_u64(bits[0], 0xf);
	expect_u64(bits[1], 0);
	expect_u64(fx_locked(fx), 0);
	expect_ok(fx_unmap(fx, IOVA, 4 * P, 0, &unmapped));
	expect_u64(unmapped, 0);

	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP));
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_err(unmap_dirty(fx, 0, IOVA, 4 * P, P, bits, sizeof(bits)), EINVAL);
}

/*
 * The bitmap argument is checked before the unmap itself: too short an
 * argsz, an unreadable or unusable struct vfio_bitmap, a bitmap too small
 * for the range or above the 256 MiB maximum.
 */
static void test_unmap_dirty_bitmap_argument_checks(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	__u64 bits[4] = { 0 };
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u) + sizeof(struct vfio_bitmap) - 1,
		.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
		.iova = IOVA, .size = 4 * P,
	};
	struct vfio_bitmap bm = { .pgsize = P, .size = sizeof(bits), .data = bits };
	unsigned char *arg = fx_alloc(fx, sizeof(u) + sizeof(bm));

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* argsz one byte short of the bitmap */
	memcpy(arg, &u, sizeof(u));
	memcpy(arg + sizeof(u), &bm, sizeof(bm));
	expect_err(vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, arg), EINVAL);
	/* the bitmap struct cannot be read */
	u.argsz = sizeof(u) + sizeof(bm);
	memcpy(arg, &u, sizeof(u));
	fx_user_add(fx, arg + sizeof(u), sizeof(bm), 0);
	expect_err(vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, arg), EFAULT);
	fx_user_del(fx, arg + sizeof(u));
	/* too small, empty, too large */
	expect_err(unmap_dirty(fx, 0, IOVA, 4 * P, P, bits, 0), EINVAL);
	expect_err(unmap_dirty(fx, 0, IOVA, 128 * P, P, bits, 8), EINVAL);
	expect_err(unmap_dirty(fx, 0, IOVA, 4 * P, P, bits, (1ULL << 28) + 8), EINVAL);
	/* a buffer beyond the user address limit */
	expect_err(unmap_dirty(fx, 0, IOVA, 4 * P, P, (__u64 *)(uintptr_t)0xffff800000000000ULL,
			       sizeof(bits)), EINVAL);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	expect_u64(bits[0], 0);
	/* and all of it right */
	expect_ok(unmap_dirty(fx, 0, IOVA, 4 * P, P, bits, 8));
	expect_u64(bits[0], 0xf);
}

/* v1 containers do not track at all. */
static void test_unmap_dirty_bitmap_v1_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	__u64 bits[4] = { 0 };

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_err(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START), EACCES);
	expect_err(unmap_dirty(fx, 0, IOVA, 4 * P, P, bits, sizeof(bits)), EINVAL);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
}

/* ------------------------------------------------------ -EFAULT paths */

static void test_unmap_unreadable_argument_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = IOVA, .size = P };

	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	fx_user_add(fx, &u, sizeof(u), 0);
	expect_err(unmap_raw(fx, &u), EFAULT);
	fx_user_del(fx, &u);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	if (has_iommu(fx))
		expect_u64(fx_locked(fx), fx_pages(fx, P));
}

/*
 * The size cannot be written back: the unmap has already happened, the
 * caller only learns -EFAULT.
 */
static void test_unmap_size_writeback_efault_still_unmaps(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = IOVA, .size = 8 * P,
	};

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	fx_user_add(fx, &u, sizeof(u), VFIOSIM_PROT_READ);
	expect_err(unmap_raw(fx, &u), EFAULT);
	fx_user_del(fx, &u);
	expect_u64(u.size, 8 * P);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	if (has_iommu(fx))
		expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	assert_false(fx_mapped(fx, IOVA, fx->guest));
}

/* An error is reported before anything is written back: a read-only
 * argument then sees the errno of the check, not -EFAULT. */
static void test_unmap_error_before_writeback(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = IOVA, .size = 0,
	};

	fx_user_add(fx, &u, sizeof(u), VFIOSIM_PROT_READ);
	expect_err(unmap_raw(fx, &u), EINVAL);
	fx_user_del(fx, &u);
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	u.size = 2 * P;
	fx_user_add(fx, &u, sizeof(u), VFIOSIM_PROT_READ);
	expect_ret(unmap_raw(fx, &u), fx->v2 ? -EINVAL : -EFAULT);
	fx_user_del(fx, &u);
	/* v2 refused the bisection; v1 removed the whole mapping */
	expect_u64(fx_dma_avail(fx, fx->c), fx->v2 ? fx->dma_limit - 1 : fx->dma_limit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_unmap_exact_releases_everything, fx_v2_4k),
		FX_TEST(test_unmap_exact_releases_everything, fx_v2_2m),
		FX_TEST(test_unmap_exact_releases_everything, fx_v2_64k),
		FX_TEST(test_unmap_exact_releases_everything, fx_v1_2m),
		FX_TEST(test_unmap_exact_releases_everything, fx_v2_emul),
		FX_TEST(test_unmap_empty_range_returns_zero, fx_v2_4k),
		FX_TEST(test_unmap_empty_range_returns_zero, fx_v1_4k),
		FX_TEST(test_unmap_short_argsz_einval, fx_v2_2m),
		FX_TEST(test_unmap_argsz_larger_ok, fx_v2_2m),
		FX_TEST(test_unmap_unknown_flags_einval, fx_v2_2m),
		FX_TEST(test_unmap_unknown_flags_einval, fx_v1_4k),
		FX_TEST(test_unmap_misaligned_einval, fx_v2_4k),
		FX_TEST(test_unmap_misaligned_einval, fx_v2_64k),
		FX_TEST(test_unmap_misaligned_einval, fx_v1_64k),
		FX_TEST(test_unmap_misaligned_einval, fx_v2_emul),
		FX_TEST(test_unmap_size_overflow, fx_v2_4k),
		FX_TEST(test_unmap_size_overflow, fx_v1_64k),
		FX_TEST(test_unmap_huge_range_takes_all, fx_v2_2m),
		FX_TEST(test_unmap_huge_range_takes_all, fx_v1_4k),
		FX_TEST(test_unmap_v2_bisect_einval, fx_v2_4k),
		FX_TEST(test_unmap_v2_bisect_einval, fx_v2_64k),
		FX_TEST(test_unmap_v2_bisect_einval, fx_set_v2_2m),
		FX_TEST(test_unmap_v2_bisect_einval, fx_v2_emul),
		FX_TEST(test_unmap_v2_bisect_blocks_other_mappings, fx_v2_4k),
		FX_TEST(test_unmap_v1_offset_returns_zero, fx_v1_4k),
		FX_TEST(test_unmap_v1_offset_returns_zero, fx_v1_64k),
		FX_TEST(test_unmap_v1_offset_returns_zero, fx_set_v1_4k),
		FX_TEST(test_unmap_v1_first_page_takes_whole_mapping, fx_v1_4k),
		FX_TEST(test_unmap_v1_first_page_takes_whole_mapping, fx_v1_2m),
		FX_TEST(test_unmap_v1_first_page_takes_whole_mapping, fx_v1_64k),
		FX_TEST(test_unmap_range_with_holes, fx_v2_4k),
		FX_TEST(test_unmap_range_with_holes, fx_v2_64k),
		FX_TEST(test_unmap_range_with_holes, fx_v1_2m),
		FX_TEST(test_unmap_range_with_holes, fx_v2_emul),
		FX_TEST(test_unmap_all, fx_v2_2m),
		FX_TEST(test_unmap_all, fx_v1_64k),
		FX_TEST(test_unmap_all, fx_v2_emul),
		FX_TEST(test_unmap_all_with_iova_or_size_einval, fx_v2_4k),
		FX_TEST(test_unmap_all_with_iova_or_size_einval, fx_v1_4k),
		FX_TEST(test_unmap_vaddr_invalidates_keeps_mappings, fx_v2_4k),
		FX_TEST(test_unmap_vaddr_invalidates_keeps_mappings, fx_v2_64k),
		FX_TEST(test_unmap_vaddr_invalidates_keeps_mappings, fx_v1_2m),
		FX_TEST(test_unmap_vaddr_rollback_when_already_invalid, fx_v2_4k),
		FX_TEST(test_unmap_vaddr_rollback_when_already_invalid, fx_v1_4k),
		FX_TEST(test_unmap_vaddr_all, fx_v2_2m),
		FX_TEST(test_unmap_vaddr_with_emulated_group_ebusy, fx_v2_emul),
		FX_TEST(test_unmap_vaddr_with_emulated_group_ebusy, fx_v2_2m),
		FX_TEST(test_unmap_dirty_bitmap_with_all_or_vaddr_einval, fx_v2_4k),
		FX_TEST(test_unmap_dirty_bitmap_with_all_or_vaddr_einval, fx_v2_emul),
		FX_TEST(test_unmap_dirty_bitmap_not_tracking_einval, fx_v2_4k),
		FX_TEST(test_unmap_dirty_bitmap_not_tracking_einval, fx_v2_64k),
		FX_TEST(test_unmap_dirty_bitmap_argument_checks, fx_v2_4k),
		FX_TEST(test_unmap_dirty_bitmap_argument_checks, fx_v2_64k),
		FX_TEST(test_unmap_dirty_bitmap_v1_einval, fx_v1_4k),
		FX_TEST(test_unmap_unreadable_argument_efault, fx_v2_4k),
		FX_TEST(test_unmap_unreadable_argument_efault, fx_v2_emul),
		FX_TEST(test_unmap_size_writeback_efault_still_unmaps, fx_v2_4k),
		FX_TEST(test_unmap_size_writeback_efault_still_unmaps, fx_v1_64k),
		FX_TEST(test_unmap_size_writeback_efault_still_unmaps, fx_v2_emul),
		FX_TEST(test_unmap_error_before_writeback, fx_v2_4k),
		FX_TEST(test_unmap_error_before_writeback, fx_v1_4k),
	};

	return cmocka_run_group_tests_name("unmap_dma", tests, NULL, NULL);
}
