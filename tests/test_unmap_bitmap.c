// SPDX-License-Identifier: MIT
/*
 * test_unmap_bitmap.c - VFIO_IOMMU_UNMAP_DMA with GET_DIRTY_BITMAP.
 *
 * The kernel (vfio_iommu_type1_unmap_dma, then vfio_dma_do_unmap) checks:
 * header copy, argsz and flags, the bitmap flag with ALL or VADDR, room
 * for a struct vfio_bitmap, its copy, access_ok on its data, its size
 * against the unmap size; then under the lock the alignment and size of
 * the range, tracking and the bitmap's page size, and for v2 that no
 * mapping is cut.  Then for each mapping in the range: devices holding
 * pins are told to unpin, its bits are copied into the user's bitmap at
 * its offset from the range's start, and it goes.
 */
#include <errno.h>
#include <string.h>

#include "helpers/dirty.h"

#define IOVA		FX_IOVA
#define START		VFIO_IOMMU_DIRTY_PAGES_FLAG_START
#define STOP		VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP
#define DIRTY		VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP
#define KERNEL_ADDR	0xffff800000000000ULL
#define USER_TOP	0x7ffffffff000ULL
/* offsetofend(struct vfio_iommu_type1_dma_unmap, size) */
#define UNMAP_MINSZ	24U

/* An IOMMU-backed group whose device can pin (and so must be told to unpin). */
static const struct fx_config ub_iommu_pin =
	FX_CONFIG("v2, IOMMU 4K, device with dma_unmap", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K));

static struct vfiosim_dirty_unmap_arg *unmap_arg(struct fx *fx, uint64_t iova, uint64_t size,
					 void *data, uint64_t bytes)
{
	struct vfiosim_dirty_unmap_arg *a = fx_alloc(fx, sizeof(*a));

	vfiosim_unmap_bitmap_arg(a, iova, size, fx->pgsize, data, bytes);
	return a;
}

/* An unmap of the tracked mapping, with a bitmap of our choice. */
static long unmap_tracked(struct fx *fx, void *data, uint64_t bytes, uint64_t pgsize)
{
	struct vfiosim_dirty_unmap_arg a;

	vfiosim_unmap_bitmap_arg(&a, IOVA, 8 * fx->pgsize, pgsize, data, bytes);
	return dirty_unmap_raw(fx->c, &a);
}

/*
 * Eight pages mapped at IOVA, tracking on, page 1 written through dma_rw;
 * w describes the report of that mapping.  A refused unmap must leave the
 * mapping and its bits: the tests end with dirty_expect_unmap().
 */
static void tracked(struct fx *fx, struct dirty_want *w)
{
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(dirty_write(fx, IOVA + P, 8));
	dirty_want_init(fx, w, IOVA, 8 * P);
	dirty_want_map(w, IOVA, 8 * P);
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(w);
	else
		dirty_want_set(w, IOVA + P, 8);
}

/* The refused calls took nothing: the unmap still delivers every bit. */
static void expect_still_there(struct fx *fx, struct dirty_want *w)
{
	uint64_t unmapped = 0;

	assert_true(fx_mapped(fx, IOVA, fx->guest));
	dirty_expect_unmap(fx, w, &unmapped);
	expect_u64(unmapped, 8 * fx->pgsize);
	assert_false(fx_mapped(fx, IOVA, fx->guest));
}

/* ------------------------------------------------------ refused flags */

static void test_unmap_bitmap_not_tracking_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_unmap_arg *a = unmap_arg(fx, IOVA, 8 * P, buf, 8);
	struct dirty_want w;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	/* nothing written back, nothing unmapped, nothing copied */
	expect_u64(a->size, 8 * P);
	expect_u64(*buf, 0);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, NULL));
	/* the same after STOP */
	tracked(fx, &w);
	expect_ok(fx_dirty(fx->c, STOP));
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	expect_u64(*buf, 0);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
}

static void test_unmap_bitmap_with_flag_all_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_unmap_arg *a = unmap_arg(fx, 0, 0, buf, 8);
	struct dirty_want w;

	tracked(fx, &w);
	a->flags = DIRTY | VFIO_DMA_UNMAP_FLAG_ALL;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	a->iova = IOVA;
	a->size = 8 * fx->pgsize;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	/* refused before the vfio_bitmap is read */
	fx_user_add(fx, &a->bitmap, sizeof(a->bitmap), 0);
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	fx_user_del(fx, &a->bitmap);
	expect_u64(*buf, 0);
	expect_still_there(fx, &w);
}

static void test_unmap_bitmap_with_flag_vaddr_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_unmap_arg *a = unmap_arg(fx, IOVA, 8 * fx->pgsize, buf, 8);
	struct dirty_want w;

	tracked(fx, &w);
	a->flags = DIRTY | VFIO_DMA_UNMAP_FLAG_VADDR;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	fx_user_add(fx, &a->bitmap, sizeof(a->bitmap), 0);
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	fx_user_del(fx, &a->bitmap);
	a->flags = DIRTY | VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	expect_u64(*buf, 0);
	/* the vaddr was not invalidated: dma_rw would be refused otherwise */
	expect_ok(dirty_write(fx, IOVA + fx->pgsize, 8));
	expect_still_there(fx, &w);
}

/* ----------------------------------------------------- the vfio_bitmap */

static void test_unmap_bitmap_argsz_without_vfio_bitmap_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_unmap_arg *a = unmap_arg(fx, IOVA, 8 * fx->pgsize, buf, 8);
	struct dirty_want w;

	tracked(fx, &w);
	a->argsz = UNMAP_MINSZ;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	a->argsz = UNMAP_MINSZ + 1;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	a->argsz = sizeof(*a) - 1;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	/* judged before the vfio_bitmap is read */
	fx_user_add(fx, &a->bitmap, sizeof(a->bitmap), 0);
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	fx_user_del(fx, &a->bitmap);
	expect_u64(*buf, 0);
	expect_u64(a->size, 8 * fx->pgsize);
	assert_true(fx_mapped(fx, IOVA, fx->guest));
	/* exactly enough room works */
	a->argsz = sizeof(*a);
	expect_ok(dirty_unmap_raw(fx->c, a));
	expect_u64(a->size, 8 * fx->pgsize);
	assert_int_equal(dirty_bit(buf, 1), 1);
}

static void test_unmap_bitmap_unreadable_vfio_bitmap_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_unmap_arg *a = unmap_arg(fx, IOVA, 8 * fx->pgsize, buf, 8);
	unsigned char *last = (unsigned char *)&a->bitmap + sizeof(a->bitmap) - 1;
	struct dirty_want w;

	expect_ok(fx_map(fx, fx->guest + 64 * fx->pgsize, IOVA + 64 * fx->pgsize, fx->pgsize,
			 FX_RW));
	/* read before the tracking state is looked at */
	fx_user_add(fx, &a->bitmap, sizeof(a->bitmap), 0);
	expect_err(dirty_unmap_raw(fx->c, a), EFAULT);
	fx_user_del(fx, &a->bitmap);
	tracked(fx, &w);
	fx_user_add(fx, &a->bitmap, sizeof(a->bitmap), 0);
	expect_err(dirty_unmap_raw(fx->c, a), EFAULT);
	fx_user_del(fx, &a->bitmap);
	fx_user_add(fx, last, 1, 0);
	expect_err(dirty_unmap_raw(fx->c, a), EFAULT);
	fx_user_del(fx, last);
	expect_u64(*buf, 0);
	expect_u64(a->size, 8 * fx->pgsize);
	expect_still_there(fx, &w);
}

static void test_unmap_bitmap_data_fails_access_ok_einval(void **state)
{
	static const struct { uint64_t data, size; } bad[] = {
		{ USER_TOP, 8 },
		{ USER_TOP - 8, 16 },
		{ 1ULL << 47, 8 },
		{ 1ULL << 63, 8 },
		{ KERNEL_ADDR, 8 },
		{ UINT64_MAX - 7, 16 },
	};
	struct fx *fx = *state;
	struct dirty_want w;
	unsigned int i;

	tracked(fx, &w);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(unmap_tracked(fx, (void *)(uintptr_t)bad[i].data, bad[i].size,
					 fx->pgsize), EINVAL);
	expect_still_there(fx, &w);
}

/* Sizes are judged against the unmap range, holes included. */
static void test_unmap_bitmap_size_checks_einval(void **state)
{
	/* ranges that cover the mapping: a missing check would unmap it */
	static const uint64_t counts[] = { 8, 63, 64, 65, 130 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 64);
	struct dirty_want w;
	unsigned int i;

	tracked(fx, &w);
	expect_err(unmap_tracked(fx, buf, 0, P), EINVAL);
	expect_err(unmap_tracked(fx, buf, DIRTY_BITMAP_MAX + 1, P), EINVAL);
	expect_err(unmap_tracked(fx, buf, DIRTY_BITMAP_MAX + 8, P), EINVAL);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct vfiosim_dirty_unmap_arg a;

		vfiosim_unmap_bitmap_arg(&a, IOVA, counts[i] * P, P, buf,
					 vfiosim_bitmap_bytes(counts[i]) - 1);
		expect_err(dirty_unmap_raw(fx->c, &a), EINVAL);
	}
	/* no pages at all */
	{
		struct vfiosim_dirty_unmap_arg a;

		vfiosim_unmap_bitmap_arg(&a, IOVA, 0, P, buf, 8);
		expect_err(dirty_unmap_raw(fx->c, &a), EINVAL);
	}
	/* degenerate page sizes: the count is taken with __ffs() first */
	expect_err(unmap_tracked(fx, buf, 64, 0), EINVAL);
	expect_err(unmap_tracked(fx, buf, 64, 1), EINVAL);
	expect_err(unmap_tracked(fx, buf, 64, 1ULL << 63), EINVAL);
	expect_err(unmap_tracked(fx, buf, 64, ~0ULL), EINVAL);
	expect_u64(buf[0], 0);
	w.extra = 0;		/* and the exact size is enough */
	expect_still_there(fx, &w);
}

static void test_unmap_bitmap_pgsize_not_minimum_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 64);
	struct dirty_want w;

	tracked(fx, &w);
	expect_err(unmap_tracked(fx, buf, 8, 2 * P), EINVAL);
	expect_err(unmap_tracked(fx, buf, 8, 8 * P), EINVAL);
	expect_err(unmap_tracked(fx, buf, 8, P / 2), EINVAL);
	if (P > SZ_4K)
		expect_err(unmap_tracked(fx, buf, 64, SZ_4K), EINVAL);
	if (fx->pgsizes != P) {
		uint64_t rest = fx->pgsizes & (fx->pgsizes - 1), next = rest & -rest;
		struct vfiosim_dirty_unmap_arg a;

		vfiosim_unmap_bitmap_arg(&a, IOVA, next, next, buf, 8);
		expect_err(dirty_unmap_raw(fx->c, &a), EINVAL);
	}
	expect_u64(buf[0], 0);
	expect_still_there(fx, &w);
}

/* When several checks fail, the one the kernel makes first decides. */
static void test_unmap_bitmap_check_order(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_unmap_arg *a = unmap_arg(fx, IOVA, 8 * P, buf, 8);
	struct dirty_want w;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_err(vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, NULL), EFAULT);

	/* vfio_bitmap unreadable, and the rest is wrong in several ways */
	fx_user_add(fx, &a->bitmap, sizeof(a->bitmap), 0);
	a->flags = DIRTY | (1U << 3);		/* unknown flag first */
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	a->flags = DIRTY;
	a->argsz = UNMAP_MINSZ;			/* argsz before reading it */
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	a->argsz = sizeof(*a);
	expect_err(dirty_unmap_raw(fx->c, a), EFAULT);	/* read before tracking */
	a->iova = IOVA + 1;			/* ... before alignment */
	expect_err(dirty_unmap_raw(fx->c, a), EFAULT);
	a->iova = IOVA;
	a->size = 0;				/* ... before the size check */
	expect_err(dirty_unmap_raw(fx->c, a), EFAULT);
	a->size = 8 * P;
	fx_user_del(fx, &a->bitmap);
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, NULL));

	/* the user's bitmap not writable: every argument error first */
	fx_user_add(fx, buf, 8, VFIOSIM_PROT_READ);
	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);	/* not tracking */
	fx_user_del(fx, buf);
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, NULL));
	tracked(fx, &w);
	fx_user_add(fx, buf, 8, VFIOSIM_PROT_READ);
	a->size = 4 * P;			/* cuts the mapping */
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	a->size = 8 * P;
	a->bitmap.pgsize = 2 * P;
	expect_err(dirty_unmap_raw(fx->c, a), EINVAL);
	a->bitmap.pgsize = P;
	/* then the copy itself: -EFAULT, the single mapping stays */
	expect_err(dirty_unmap_raw(fx->c, a), EFAULT);
	fx_user_del(fx, buf);
	expect_u64(*buf, 0);
	expect_u64(a->size, 8 * P);
	expect_still_there(fx, &w);
}

/* ------------------------------------------------------ what it delivers */

/*
 * Four mappings, none at the range's start, one crossing two u64 words,
 * one word-aligned and left clean, holes between: every bit lands at its
 * page's offset from the range's start, and everything goes.
 */
static void test_unmap_bitmap_delivers_bits_at_offsets(void **state)
{
	static const struct { uint64_t page, n; } maps[] = {
		{ 3, 5 }, { 61, 70 }, { 200, 1 }, { 256, 64 },
	};
	static const uint64_t writes[] = { 3, 7, 63, 127, 130, 200 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, vaddr = fx->guest, total = 0, unmapped = 0;
	struct dirty_want w;
	unsigned int i;

	dirty_want_init(fx, &w, IOVA, 384 * P);
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		expect_ok(fx_map(fx, vaddr, IOVA + maps[i].page * P, maps[i].n * P, FX_RW));
		dirty_want_map(&w, IOVA + maps[i].page * P, maps[i].n * P);
		vaddr += maps[i].n * P;
		total += maps[i].n * P;
	}
	expect_ok(fx_dirty(fx->c, START));
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		expect_ok(dirty_write(fx, IOVA + writes[i] * P + P / 2, 1));
		dirty_want_set(&w, IOVA + writes[i] * P, 1);
	}
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(&w);
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, total);
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		assert_false(fx_mapped(fx, IOVA + maps[i].page * P, fx->guest));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
}

/* Two mappings sharing a u64 word, adjacent in IOVA: both, in order. */
static void test_unmap_bitmap_adjacent_mappings_share_a_word(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 0;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 64 * P);
	expect_ok(fx_map(fx, fx->guest, IOVA + 5 * P, 7 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 7 * P, IOVA + 12 * P, 9 * P, FX_RW));
	dirty_want_map(&w, IOVA + 5 * P, 16 * P);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(dirty_write(fx, IOVA + 11 * P, 2 * P));	/* last of one, first of other */
	expect_ok(dirty_write(fx, IOVA + 20 * P, 1));
	dirty_want_set(&w, IOVA + 11 * P, 2 * P);
	dirty_want_set(&w, IOVA + 20 * P, 1);
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(&w);
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 16 * P);
}

static void test_unmap_bitmap_empty_range_delivers_nothing(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w, hole;
	struct vfiosim_dirty_unmap_arg a;

	tracked(fx, &w);
	dirty_want_init(fx, &hole, IOVA + 64 * P, 128 * P);
	vfiosim_unmap_bitmap_arg(&a, hole.iova, hole.size, P, dirty_want_prepare(&hole),
				 vfiosim_bitmap_bytes(hole.npages));
	expect_ok(dirty_unmap_raw(fx->c, &a));
	expect_u64(a.size, 0);
	dirty_want_untouched(&hole);
	expect_still_there(fx, &w);
}

static void test_unmap_bitmap_bisecting_range_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w, cut;
	struct vfiosim_dirty_unmap_arg a;

	tracked(fx, &w);
	/* starts inside the mapping */
	dirty_want_init(fx, &cut, IOVA + P, 16 * P);
	vfiosim_unmap_bitmap_arg(&a, cut.iova, cut.size, P, dirty_want_prepare(&cut), 8);
	expect_err(dirty_unmap_raw(fx->c, &a), EINVAL);
	dirty_want_untouched(&cut);
	/* ends inside it */
	vfiosim_unmap_bitmap_arg(&a, IOVA - 4 * P, 8 * P, P, cut.buf, 8);
	expect_err(dirty_unmap_raw(fx->c, &a), EINVAL);
	dirty_want_untouched(&cut);
	expect_u64(a.size, 8 * P);
	expect_still_there(fx, &w);
}

/* An unmap consumes only its own mappings' bits. */
static void test_unmap_bitmap_keeps_other_mappings_bits(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 0;
	struct dirty_want w, other;

	tracked(fx, &w);
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 64 * P, 4 * P, FX_RW));
	dirty_want_init(fx, &other, IOVA + 64 * P, 4 * P);
	dirty_want_map(&other, IOVA + 64 * P, 4 * P);
	expect_ok(dirty_write(fx, IOVA + 66 * P, 1));
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(&other);
	else
		dirty_want_set(&other, IOVA + 66 * P, 1);
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 8 * P);
	dirty_expect(fx, &other);
}

/* Mapped again while tracking, the same IOVA starts clean. */
static void test_unmap_bitmap_remapped_range_starts_clean(void **state)
{
	struct fx *fx = *state;
	uint64_t unmapped = 0;
	struct dirty_want w;

	tracked(fx, &w);
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * fx->pgsize, FX_RW));
	dirty_want_map(&w, IOVA, 8 * fx->pgsize);
	if (!dirty_cfg_all_dirty(fx))
		dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* The copy to the user faults: -EFAULT, and the mapping and its bits stay. */
static void test_unmap_bitmap_efault_keeps_single_mapping(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w);
	fx_user_add(fx, buf, 8, VFIOSIM_PROT_READ);
	expect_err(unmap_tracked(fx, buf, 8, fx->pgsize), EFAULT);
	fx_user_del(fx, buf);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_still_there(fx, &w);
}

/* ------------------------------------------------------- pinned pages */

/* A device that records what it is told and unpins the pages it holds. */
struct pinner {
	struct fx *fx;
	struct vfiosim_group *g;
	uint64_t pinned[16];
	unsigned int nr;
	unsigned int calls;
	uint64_t iova, len;		/* of the last notification */
};

static void pinner_unmap(void *opaque, struct vfiosim_group *g, uint64_t iova, uint64_t len)
{
	struct pinner *p = opaque;
	unsigned int i;

	p->calls++;
	p->iova = iova;
	p->len = len;
	for (i = 0; i < p->nr; i++) {
		if (p->pinned[i] >= iova && p->pinned[i] - iova < len) {
			expect_ok(vfiosim_unpin_pages(p->fx->c, g, p->pinned[i], 1));
			p->pinned[i--] = p->pinned[--p->nr];
		}
	}
}

static void pinner_pin(struct pinner *p, uint64_t iova)
{
	uint64_t pfn = 0;

	assert_true(p->nr < 16);
	expect_ret(vfiosim_pin_pages(p->fx->c, p->g, iova, 1,
				     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, &pfn), 1);
	assert_true(pfn != 0);
	p->pinned[p->nr++] = iova;
}

/*
 * Pages a device pinned (one before tracking started, two during) are
 * dirty.  The unmap tells the device, which unpins; the unmap then goes
 * through, delivers those pages and the dma_rw write, and no pin is left.
 * The IOMMU-backed group pinned before START, so its scope is narrowed.
 */
static void test_unmap_bitmap_pinned_pages_device_unpins(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 0;
	struct pinner p = { .fx = fx, .g = fx->g[0] };
	uint64_t pins_before;
	struct dirty_want w;

	vfiosim_group_set_dma_unmap(fx->g[0], pinner_unmap, &p);
	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	pins_before = fx_pinned(fx);
	pinner_pin(&p, IOVA + 9 * P);
	expect_ok(fx_dirty(fx->c, START));
	pinner_pin(&p, IOVA + 2 * P);
	pinner_pin(&p, IOVA + 5 * P);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 5 * P + 8, 16));
	expect_ok(dirty_write(fx, IOVA + 12 * P, 1));
	expect_u64(fx_pinned(fx), pins_before + 3);

	dirty_want_init(fx, &w, IOVA, 16 * P);
	dirty_want_map(&w, IOVA, 16 * P);
	dirty_want_set(&w, IOVA + 2 * P, P);
	dirty_want_set(&w, IOVA + 5 * P, P);
	dirty_want_set(&w, IOVA + 9 * P, P);
	dirty_want_set(&w, IOVA + 12 * P, P);
	w.log_mark = 0;
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 16 * P);
	assert_true(p.calls >= 1);
	expect_u64(p.iova, IOVA);
	expect_u64(p.len, 16 * P);
	expect_ret(p.nr, 0);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
	expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest + 2 * P), 0);
	assert_false(fx_mapped(fx, IOVA, fx->guest));
}

/* The default device reaction (unpin everything in range) works as well. */
static void test_unmap_bitmap_pinned_pages_default_unpin(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, pfns[3] = { 0 }, unmapped = 0;
	struct dirty_want w;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 8 * P, 8 * P, FX_RW));
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA + 7 * P, 3, VFIOSIM_PROT_WRITE,
				     pfns), 3);
	expect_ok(fx_dirty(fx->c, START));
	dirty_want_init(fx, &w, IOVA, 16 * P);
	dirty_want_map(&w, IOVA, 16 * P);
	dirty_want_set(&w, IOVA + 7 * P, 3 * P);
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 16 * P);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_unmap_bitmap_not_tracking_einval, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_not_tracking_einval, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_with_flag_all_einval, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_with_flag_all_einval, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_with_flag_vaddr_einval, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_argsz_without_vfio_bitmap_einval, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_argsz_without_vfio_bitmap_einval, fx_v2_64k),
		FX_TEST(test_unmap_bitmap_unreadable_vfio_bitmap_efault, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_unreadable_vfio_bitmap_efault, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_data_fails_access_ok_einval, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_data_fails_access_ok_einval, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_size_checks_einval, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_size_checks_einval, fx_v2_64k),
		FX_TEST(test_unmap_bitmap_pgsize_not_minimum_einval, fx_v2_2m),
		FX_TEST(test_unmap_bitmap_pgsize_not_minimum_einval, fx_v2_64k),
		FX_TEST(test_unmap_bitmap_pgsize_not_minimum_einval, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_check_order, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_check_order, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_delivers_bits_at_offsets, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_delivers_bits_at_offsets, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_delivers_bits_at_offsets, fx_v2_64k),
		FX_TEST(test_unmap_bitmap_delivers_bits_at_offsets, fx_v2_2m),
		FX_TEST(test_unmap_bitmap_adjacent_mappings_share_a_word, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_adjacent_mappings_share_a_word, fx_v2_64k),
		FX_TEST(test_unmap_bitmap_empty_range_delivers_nothing, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_empty_range_delivers_nothing, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_bisecting_range_einval, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_keeps_other_mappings_bits, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_keeps_other_mappings_bits, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_remapped_range_starts_clean, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_remapped_range_starts_clean, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_efault_keeps_single_mapping, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_efault_keeps_single_mapping, fx_v2_4k),
		FX_TEST(test_unmap_bitmap_pinned_pages_device_unpins, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_pinned_pages_device_unpins, ub_iommu_pin),
		FX_TEST(test_unmap_bitmap_pinned_pages_default_unpin, fx_v2_emul),
		FX_TEST(test_unmap_bitmap_pinned_pages_default_unpin, ub_iommu_pin),
	};

	return cmocka_run_group_tests_name("unmap_bitmap", tests, NULL, NULL);
}
