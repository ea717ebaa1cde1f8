// SPDX-License-Identifier: MIT
/*
 * test_dirty_pages_args.c - VFIO_IOMMU_DIRTY_PAGES argument handling, one
 * test per way the kernel (vfio_iommu_type1_dirty_pages) refuses a call,
 * in the order it checks: v1 container, header copy, argsz and flags,
 * exactly one flag, then for GET_BITMAP the get struct's size and copy,
 * range wrap, access_ok on the bitmap, the bitmap's size against the
 * range, and under the lock the page size, alignment and tracking state.
 * START and STOP are idempotent; START and MAP under tracking roll back
 * completely when an allocation fails.
 *
 * A rejected call must leave the dirty state alone: where it matters the
 * tests dirty a page first and check it is still reported afterwards.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "helpers/dirty.h"

#define IOVA	FX_IOVA
#define START	VFIO_IOMMU_DIRTY_PAGES_FLAG_START
#define STOP	VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP
#define GET	VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP

/* An address that fails access_ok() whatever the length. */
#define KERNEL_ADDR	0xffff800000000000ULL
/* The x86-64 user address limit. */
#define USER_TOP	0x7ffffffff000ULL

static long dirty_raw(struct fx *fx, void *arg)
{
	return vfiosim_ioctl(fx->c, VFIO_IOMMU_DIRTY_PAGES, arg);
}

/* A GET argument block on the heap (freed by teardown), for registering. */
static struct vfiosim_dirty_get_arg *get_arg(struct fx *fx, uint64_t iova, uint64_t size, void *data,
				     uint64_t bytes)
{
	struct vfiosim_dirty_get_arg *a = fx_alloc(fx, sizeof(*a));

	vfiosim_get_bitmap_arg(a, iova, size, fx->pgsize, data, bytes);
	return a;
}

/*
 * n pages mapped at IOVA, tracking on, page 1 written through dma_rw; w
 * describes the report a valid GET over the mapping must give.  The checks
 * of a rejected call end with dirty_expect(): nothing may have been used
 * up.
 */
static void tracked(struct fx *fx, struct dirty_want *w, uint64_t n)
{
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, n * P, FX_RW));
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(dirty_write(fx, IOVA + P, 8));
	dirty_want_init(fx, w, IOVA, n * P);
	dirty_want_map(w, IOVA, n * P);
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(w);
	else
		dirty_want_set(w, IOVA + P, 8);
}

/* A valid GET over the tracked mapping, with a buffer and size of our choice. */
static long get_tracked(struct fx *fx, void *data, uint64_t bytes)
{
	return dirty_get(fx->c, IOVA, 8 * fx->pgsize, fx->pgsize, data, bytes);
}

/*
 * Tracking is off: a well-formed GET over [iova, iova + n pages), which
 * must cover whole mappings (at most 64 pages), is refused.
 */
static void expect_not_tracking(struct fx *fx, uint64_t iova, uint64_t n)
{
	uint64_t buf[2] = { 0 };

	expect_err(dirty_get(fx->c, iova, n * fx->pgsize, fx->pgsize, buf, 8), EINVAL);
	expect_u64(buf[0], 0);
	expect_u64(buf[1], 0);
}

/* ---------------------------------------------------------- v1, header */

static void test_dirty_v1_container_eacces_before_anything(void **state)
{
	struct fx *fx = *state;
	struct vfio_iommu_type1_dirty_bitmap *hole = fx_alloc(fx, sizeof(*hole));
	struct vfiosim_dirty_get_arg *a = get_arg(fx, IOVA, fx->pgsize, NULL, 8);
	struct vfio_iommu_type1_dirty_bitmap bad = { .argsz = 0, .flags = ~0U };

	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	/* nothing is read: no pointer, an unreadable one, garbage */
	expect_err(dirty_raw(fx, NULL), EACCES);
	fx_user_add(fx, hole, sizeof(*hole), 0);
	expect_err(dirty_raw(fx, hole), EACCES);
	expect_err(dirty_raw(fx, &bad), EACCES);
	/* and well-formed calls fail the same */
	expect_err(fx_dirty(fx->c, START), EACCES);
	expect_err(fx_dirty(fx->c, STOP), EACCES);
	expect_err(dirty_get_raw(fx->c, a), EACCES);
}

static void test_dirty_unreadable_header_efault(void **state)
{
	struct fx *fx = *state;
	struct vfio_iommu_type1_dirty_bitmap *h = fx_alloc(fx, 2 * sizeof(*h));

	h->argsz = sizeof(*h);
	h->flags = START;
	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	expect_err(dirty_raw(fx, NULL), EFAULT);
	fx_user_add(fx, h, sizeof(*h), 0);
	expect_err(dirty_raw(fx, h), EFAULT);
	fx_user_del(fx, h);
	/* write-only memory cannot be read either */
	fx_user_add(fx, h, sizeof(*h), VFIOSIM_PROT_WRITE);
	expect_err(dirty_raw(fx, h), EFAULT);
	fx_user_del(fx, h);
	/* argsz readable, flags not: the header is copied whole or not at all */
	fx_user_add(fx, &h->flags, sizeof(h->flags), 0);
	expect_err(dirty_raw(fx, h), EFAULT);
	fx_user_del(fx, &h->flags);
	/* none of it started tracking */
	expect_not_tracking(fx, IOVA, 1);
	expect_ok(dirty_raw(fx, h));
}

/* ------------------------------------------------------ argsz and flags */

static void test_dirty_argsz_below_header_einval(void **state)
{
	struct fx *fx = *state;
	struct vfio_iommu_type1_dirty_bitmap h = { .flags = START };

	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	for (h.argsz = 0; h.argsz < DIRTY_HDR_SZ; h.argsz++)
		expect_err(dirty_raw(fx, &h), EINVAL);
	expect_not_tracking(fx, IOVA, 1);
	h.argsz = DIRTY_HDR_SZ;
	expect_ok(dirty_raw(fx, &h));
	h.flags = STOP;
	h.argsz = DIRTY_HDR_SZ - 1;
	expect_err(dirty_raw(fx, &h), EINVAL);
	/* still tracking: STOP was refused */
	{
		uint64_t buf = 0;

		expect_ok(dirty_get(fx->c, IOVA, fx->pgsize, fx->pgsize, &buf, sizeof(buf)));
	}
}

static void test_dirty_unknown_flag_einval(void **state)
{
	static const uint32_t bad[] = {
		1U << 3, 1U << 31, START | (1U << 3), STOP | (1U << 4), GET | (1U << 30),
	};
	struct fx *fx = *state;
	struct dirty_want w;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(fx_dirty(fx->c, bad[i]), EINVAL);
	tracked(fx, &w, 8);
	/* a bad STOP leaves tracking on, bits intact */
	expect_err(fx_dirty(fx->c, STOP | (1U << 3)), EINVAL);
	dirty_expect(fx, &w);
}

static void test_dirty_unknown_flag_does_not_start(void **state)
{
	struct fx *fx = *state;

	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	expect_err(fx_dirty(fx->c, START | (1U << 3)), EINVAL);
	expect_err(fx_dirty(fx->c, START | (1U << 31)), EINVAL);
	expect_not_tracking(fx, IOVA, 1);
}

static void test_dirty_zero_flags_einval(void **state)
{
	struct fx *fx = *state;
	struct vfio_iommu_type1_dirty_bitmap h = { .argsz = DIRTY_HDR_SZ, .flags = 0 };
	struct vfiosim_dirty_get_arg *a = get_arg(fx, IOVA, fx->pgsize, NULL, 8);
	struct dirty_want w;

	expect_err(dirty_raw(fx, &h), EINVAL);
	/* a complete GET block with the flag missing */
	a->flags = 0;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	tracked(fx, &w, 8);
	expect_err(dirty_raw(fx, &h), EINVAL);
	dirty_expect(fx, &w);
}

static void test_dirty_two_flags_einval(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	expect_ok(fx_map(fx, fx->guest, IOVA + 64 * fx->pgsize, fx->pgsize, FX_RW));
	expect_err(fx_dirty(fx->c, START | STOP), EINVAL);
	expect_err(fx_dirty(fx->c, START | GET), EINVAL);
	expect_not_tracking(fx, IOVA + 64 * fx->pgsize, 1);
	tracked(fx, &w, 8);
	/* neither half of a double flag is acted on */
	expect_err(fx_dirty(fx->c, STOP | GET), EINVAL);
	expect_err(fx_dirty(fx->c, START | STOP), EINVAL);
	dirty_expect(fx, &w);
}

static void test_dirty_three_flags_einval(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	expect_ok(fx_map(fx, fx->guest, IOVA + 64 * fx->pgsize, fx->pgsize, FX_RW));
	expect_err(fx_dirty(fx->c, START | STOP | GET), EINVAL);
	expect_not_tracking(fx, IOVA + 64 * fx->pgsize, 1);
	tracked(fx, &w, 8);
	expect_err(fx_dirty(fx->c, START | STOP | GET), EINVAL);
	dirty_expect(fx, &w);
}

/* ------------------------------------------------------ the get struct */

static void test_dirty_get_header_only_argsz_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_get_arg *a = get_arg(fx, IOVA, 8 * fx->pgsize, buf, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	a->argsz = DIRTY_HDR_SZ;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	/* argsz is judged before the get struct is read */
	fx_user_add(fx, &a->get, sizeof(a->get), 0);
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	fx_user_del(fx, &a->get);
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
}

static void test_dirty_get_argsz_short_of_get_struct_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_get_arg *a = get_arg(fx, IOVA, 8 * fx->pgsize, buf, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	a->argsz = sizeof(*a) - 1;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	a->argsz = DIRTY_HDR_SZ + 1;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	fx_user_add(fx, &a->get, sizeof(a->get), 0);
	a->argsz = sizeof(*a) - 1;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	fx_user_del(fx, &a->get);
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
	/* exactly enough, and more than enough, both work */
	a->argsz = sizeof(*a);
	expect_ok(dirty_get_raw(fx->c, a));
	a->argsz = 4096;
	expect_ok(dirty_get_raw(fx->c, a));
}

static void test_dirty_get_unreadable_get_struct_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_get_arg *a = get_arg(fx, IOVA, 8 * fx->pgsize, buf, 8);
	unsigned char *last = (unsigned char *)&a->get + sizeof(a->get) - 1;
	struct dirty_want w;

	/* read before the tracking state is looked at */
	fx_user_add(fx, &a->get, sizeof(a->get), 0);
	expect_err(dirty_get_raw(fx->c, a), EFAULT);
	fx_user_del(fx, &a->get);
	tracked(fx, &w, 8);
	fx_user_add(fx, &a->get, sizeof(a->get), 0);
	expect_err(dirty_get_raw(fx->c, a), EFAULT);
	fx_user_del(fx, &a->get);
	/* one unreadable byte at its end is enough */
	fx_user_add(fx, last, 1, 0);
	expect_err(dirty_get_raw(fx->c, a), EFAULT);
	fx_user_del(fx, last);
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
}

/* ---------------------------------------------------- range and bitmap */

/*
 * A range that wraps: -EINVAL, -EOVERFLOW since 6.19.  (One ending exactly
 * at 2^64 does not wrap: test_iova_limits.c.)
 */
static void test_dirty_get_iova_size_wrap(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	/* no mapping up there: without the wrap check these would succeed */
	expect_err(dirty_get(fx->c, -P, 2 * P, P, buf, 8), fx_wrap_errno(fx));
	expect_err(dirty_get(fx->c, 1ULL << 63, 1ULL << 63, P, buf, DIRTY_BITMAP_MAX),
		   EINVAL);
	expect_err(dirty_get(fx->c, (1ULL << 63) + P, 1ULL << 63, P, buf, DIRTY_BITMAP_MAX),
		   fx_wrap_errno(fx));
	/* the last page below that is fine */
	expect_ok(dirty_get(fx->c, -2 * P, P, P, buf, 8));
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
}

static void test_dirty_get_bitmap_fails_access_ok_einval(void **state)
{
	static const struct { uint64_t data, size; } bad[] = {
		{ USER_TOP, 8 },
		{ USER_TOP - 8, 16 },
		{ USER_TOP - 8, DIRTY_BITMAP_MAX },
		{ 1ULL << 47, 8 },
		{ 1ULL << 63, 8 },
		{ KERNEL_ADDR, 8 },
		{ UINT64_MAX - 7, 16 },		/* wraps */
	};
	struct fx *fx = *state;
	struct dirty_want w;
	unsigned int i;

	tracked(fx, &w, 8);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(get_tracked(fx, (void *)(uintptr_t)bad[i].data, bad[i].size), EINVAL);
	dirty_expect(fx, &w);
}

/*
 * Degenerate page sizes: the kernel derives the page count with __ffs()
 * of the user's pgsize before it compares pgsize with the minimum.  0 has
 * no set bit; 1 and 2^63 give absurd counts; a size with extra bits has
 * the right lowest bit.  All end in -EINVAL, and nothing may be written.
 */
static void test_dirty_get_pgsize_degenerate_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	const uint64_t pgsizes[] = { 0, 1, 1ULL << 63, P | (P << 1), P >> 1, P << 1, ~0ULL };
	size_t len = 64 * 1024;
	unsigned char *buf = fx_alloc(fx, len), *zero = fx_alloc(fx, len);
	struct dirty_want w;
	unsigned int i;

	tracked(fx, &w, 8);
	for (i = 0; i < sizeof(pgsizes) / sizeof(pgsizes[0]); i++) {
		/* a size that satisfies the page count the pgsize implies */
		expect_err(dirty_get(fx->c, IOVA, P, pgsizes[i], buf, len), EINVAL);
		expect_err(dirty_get(fx->c, IOVA, P, pgsizes[i], buf, 8), EINVAL);
		expect_err(dirty_get(fx->c, IOVA, P, pgsizes[i], buf, DIRTY_BITMAP_MAX), EINVAL);
	}
	assert_memory_equal(buf, zero, len);
	dirty_expect(fx, &w);
}

static void test_dirty_get_bitmap_size_zero_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_err(get_tracked(fx, buf, 0), EINVAL);
	expect_err(get_tracked(fx, NULL, 0), EINVAL);
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
}

static void test_dirty_get_bitmap_size_above_256m_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 64);
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_err(get_tracked(fx, buf, DIRTY_BITMAP_MAX + 1), EINVAL);
	expect_err(get_tracked(fx, buf, DIRTY_BITMAP_MAX + 8), EINVAL);
	expect_err(get_tracked(fx, buf, 1ULL << 40), EINVAL);
	expect_u64(buf[0], 0);
	/* the maximum itself is fine; only the range's words are written */
	expect_ok(get_tracked(fx, buf, DIRTY_BITMAP_MAX));
	assert_int_equal(dirty_bit(buf, 1), 1);
	expect_u64(buf[1], 0);
}

/* For each page count, a size one byte short of its u64 words fails, the
 * exact size works. */
static void test_dirty_get_bitmap_one_byte_short_einval(void **state)
{
	static const uint64_t counts[] = { 1, 2, 63, 64, 65, 127, 130 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, iova = IOVA, vaddr = fx->guest;
	struct dirty_want w[sizeof(counts) / sizeof(counts[0])];
	unsigned int i;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		expect_ok(fx_map(fx, vaddr, iova, counts[i] * P, FX_RW));
		dirty_want_init(fx, &w[i], iova, counts[i] * P);
		w[i].extra = 0;
		dirty_want_map(&w[i], iova, counts[i] * P);
		vaddr += counts[i] * P;
		iova += 256 * P;
	}
	expect_ok(fx_dirty(fx->c, START));
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint64_t bytes = vfiosim_bitmap_bytes(counts[i]);

		expect_ok(dirty_write(fx, w[i].iova + (counts[i] - 1) * P, 1));
		if (dirty_cfg_all_dirty(fx))
			dirty_want_all(&w[i]);
		else
			dirty_want_set(&w[i], w[i].iova + (counts[i] - 1) * P, 1);
		expect_err(dirty_get(fx->c, w[i].iova, w[i].size, P, dirty_want_prepare(&w[i]),
				     bytes - 1), EINVAL);
		dirty_want_untouched(&w[i]);
		dirty_expect(fx, &w[i]);
	}
}

/*
 * The kernel caps bitmaps at 256 MiB: INT_MAX pages rounded up to whole
 * u64 words.  So 2^31 pages (INT_MAX + 1) still fit, 2^31 + 1 do not.
 */
static void test_dirty_get_npages_beyond_int_max_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 64);
	uint64_t big = (1ULL << 31) * P;
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_err(dirty_get(fx->c, IOVA, big + P, P, buf, DIRTY_BITMAP_MAX), EINVAL);
	expect_err(dirty_get(fx->c, IOVA, big + 64 * P, P, buf, DIRTY_BITMAP_MAX), EINVAL);
	expect_err(dirty_get(fx->c, IOVA, 2 * big, P, buf, DIRTY_BITMAP_MAX), EINVAL);
	expect_u64(buf[0], 0);
	dirty_expect(fx, &w);
	/* 2^31 pages: accepted, the mapping at its start reported */
	expect_ok(dirty_write(fx, IOVA + 2 * P, 1));
	expect_ok(dirty_get(fx->c, IOVA, big, P, buf, DIRTY_BITMAP_MAX));
	assert_int_equal(dirty_bit(buf, 2), 1);
	expect_u64(buf[1], 0);
}

/* ------------------------------------------------- under the iommu lock */

static void test_dirty_get_pgsize_not_minimum_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 64);
	struct dirty_want w;

	tracked(fx, &w, 8);
	/* sizes the bitmap check accepts: only the page size is wrong */
	expect_err(dirty_get(fx->c, IOVA, 8 * P, 2 * P, buf, 8), EINVAL);
	expect_err(dirty_get(fx->c, IOVA, 8 * P, 8 * P, buf, 8), EINVAL);
	expect_err(dirty_get(fx->c, IOVA, 8 * P, P / 2, buf, 8), EINVAL);
	if (fx->pgsizes != P) {	/* the next size the IOMMU itself supports */
		uint64_t rest = fx->pgsizes & (fx->pgsizes - 1), next = rest & -rest;

		expect_err(dirty_get(fx->c, IOVA, next, next, buf, 8), EINVAL);
	}
	if (P > SZ_4K)		/* the CPU's 4K is not the IOMMU minimum */
		expect_err(dirty_get(fx->c, IOVA, 8 * P, SZ_4K, buf, 64), EINVAL);
	expect_u64(buf[0], 0);
	dirty_expect(fx, &w);
}

/* The range holds no mapping: without the check the GET would succeed. */
static void test_dirty_get_iova_unaligned_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, hole = IOVA + 1024 * P, *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_ok(dirty_get(fx->c, hole, P, P, buf, 8));
	expect_err(dirty_get(fx->c, hole + P / 2, P, P, buf, 8), EINVAL);
	expect_err(dirty_get(fx->c, hole + 1, P, P, buf, 8), EINVAL);
	if (P > SZ_4K)
		expect_err(dirty_get(fx->c, hole + SZ_4K, P, P, buf, 8), EINVAL);
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
}

static void test_dirty_get_size_unaligned_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, hole = IOVA + 1024 * P, *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_err(dirty_get(fx->c, hole, P + P / 2, P, buf, 8), EINVAL);
	expect_err(dirty_get(fx->c, hole, 2 * P - 1, P, buf, 8), EINVAL);
	expect_err(dirty_get(fx->c, hole, 64 * P + 1, P, buf, 16), EINVAL);
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
}

static void test_dirty_get_size_zero_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_err(dirty_get(fx->c, IOVA, 0, fx->pgsize, buf, 8), EINVAL);
	expect_err(dirty_get(fx->c, 0, 0, fx->pgsize, buf, 8), EINVAL);
	/* a size below one page counts zero pages */
	expect_err(dirty_get(fx->c, IOVA, fx->pgsize - 1, fx->pgsize, buf, 8), EINVAL);
	expect_u64(*buf, 0);
	dirty_expect(fx, &w);
}

static void test_dirty_get_not_tracking_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, buf[2] = { 0 };

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_err(get_tracked(fx, buf, 8), EINVAL);
	/* also over a range with nothing mapped */
	expect_err(dirty_get(fx->c, IOVA + 1024 * P, P, P, buf, 8), EINVAL);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(get_tracked(fx, buf, 8));
	expect_ok(fx_dirty(fx->c, STOP));
	buf[0] = 0;
	expect_err(get_tracked(fx, buf, 8), EINVAL);
	expect_u64(buf[0], 0);
	expect_u64(buf[1], 0);
}

/* ----------------------------------------------------- START and STOP */

/* A second START keeps what the first one collected. */
static void test_dirty_start_twice_keeps_bits(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_ok(fx_dirty(fx->c, START));
	dirty_expect(fx, &w);
}

static void test_dirty_stop_twice_ok(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_ok(fx_dirty(fx->c, STOP));
	expect_ok(fx_dirty(fx->c, STOP));
	expect_not_tracking(fx, IOVA, 8);
}

static void test_dirty_stop_without_start_ok(void **state)
{
	struct fx *fx = *state;

	expect_ok(fx_dirty(fx->c, STOP));
	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	expect_ok(fx_dirty(fx->c, STOP));
	expect_not_tracking(fx, IOVA, 1);
	/* and START still works afterwards */
	expect_ok(fx_dirty(fx->c, START));
	{
		uint64_t buf = 0;

		expect_ok(dirty_get(fx->c, IOVA, fx->pgsize, fx->pgsize, &buf, 8));
	}
}

/* STOP drops the bitmaps: after a new START, old writes are forgotten. */
static void test_dirty_restart_after_stop_forgets(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	tracked(fx, &w, 8);
	expect_ok(fx_dirty(fx->c, STOP));
	expect_ok(fx_dirty(fx->c, START));
	if (!dirty_cfg_all_dirty(fx))
		dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* ---------------------------------------------------- allocation sweeps */

#define SWEEP_MAPS	5

/* SWEEP_MAPS mappings of 1, 2, 3... pages, 64 pages apart. */
static void map_several(struct fx *fx, struct dirty_want *w)
{
	uint64_t P = fx->pgsize;
	unsigned int i;

	dirty_want_init(fx, w, IOVA, 64 * P * SWEEP_MAPS);
	for (i = 0; i < SWEEP_MAPS; i++) {
		expect_ok(fx_map(fx, fx->guest + 64 * P * i, IOVA + 64 * P * i, (i + 1) * P,
				 FX_RW));
		dirty_want_map(w, IOVA + 64 * P * i, (i + 1) * P);
	}
}

/*
 * START allocates one bitmap per mapping.  Failing each allocation in
 * turn must give -ENOMEM and leave everything as it was: no allocation
 * kept, tracking still off, the container consistent.
 */
static void test_dirty_start_enomem_sweep_rolls_back(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;
	struct dirty_snap snap;
	unsigned long n;
	long ret;

	map_several(fx, &w);
	dirty_snap_take(fx, &snap);
	for (n = 1;; n++) {
		vfiosim_fail_nth_alloc(fx->h, n);
		ret = fx_dirty(fx->c, START);
		vfiosim_fail_nth_alloc(fx->h, 0);
		if (!ret)
			break;
		expect_err(ret, ENOMEM);
		dirty_snap_check(fx, &snap);
		expect_not_tracking(fx, IOVA, 1);
		assert_true(n < 1000);
	}
	/* every mapping needs a bitmap of its own */
	assert_true(n > SWEEP_MAPS);
	expect_ok(dirty_write(fx, IOVA + 64 * fx->pgsize * 2 + fx->pgsize, 1));
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(&w);
	else
		dirty_want_set(&w, IOVA + 64 * fx->pgsize * 2 + fx->pgsize, 1);
	dirty_expect(fx, &w);
}

/*
 * MAP_DMA while tracking allocates the new mapping's bitmap after pinning
 * and mapping it; any allocation failing must remove the new mapping
 * again with its pins and accounting, and leave the others' bits alone.
 * Some allocations may fail harmlessly (the kernel falls back to pinning
 * page by page): the sweep ends once the armed failure is never reached.
 */
static void test_dirty_map_while_tracking_enomem_sweep(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, iova = IOVA + 1024 * P, vaddr = fx->guest + 1024 * P;
	struct dirty_want w;
	struct dirty_snap snap;
	unsigned long n, calls, failures = 0;
	long ret;

	map_several(fx, &w);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(dirty_write(fx, IOVA + 64 * P, 1));
	dirty_snap_take(fx, &snap);
	for (n = 1;; n++) {
		calls = vfiosim_alloc_calls(fx->h);
		vfiosim_fail_nth_alloc(fx->h, n);
		ret = fx_map(fx, vaddr, iova, 16 * P, FX_RW);
		vfiosim_fail_nth_alloc(fx->h, 0);
		calls = vfiosim_alloc_calls(fx->h) - calls;
		if (ret) {
			expect_err(ret, ENOMEM);
			dirty_snap_check(fx, &snap);
			failures++;
		} else {
			/* the new mapping works and is tracked */
			uint64_t buf = 0;

			expect_ok(dirty_write(fx, iova + 3 * P, 1));
			expect_ok(dirty_get(fx->c, iova, 16 * P, P, &buf, 8));
			expect_u64(buf, dirty_cfg_all_dirty(fx) ? 0xffff : 1ULL << 3);
			expect_ok(fx_unmap(fx, iova, 16 * P, 0, NULL));
			dirty_snap_check(fx, &snap);
			if (calls < n)
				break;
		}
		assert_true(n < 1000);
	}
	/* at least the bitmap's own allocation can fail */
	assert_true(failures >= 1);
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(&w);
	else
		dirty_want_set(&w, IOVA + 64 * P, 1);
	dirty_expect(fx, &w);
}

/* ----------------------------------------------- copy-out and ordering */

/* A bitmap the kernel may not write: -EFAULT, and nothing is lost. */
static void test_dirty_get_unwritable_bitmap_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	fx_user_add(fx, buf, 8, VFIOSIM_PROT_READ);
	expect_err(get_tracked(fx, buf, 8), EFAULT);
	/* a range without mappings writes nothing, so it cannot fault */
	expect_ok(dirty_get(fx->c, IOVA + 1024 * fx->pgsize, fx->pgsize, fx->pgsize, buf, 8));
	expect_ok(fx_dirty(fx->c, STOP));
	/* refused before any copy: not tracking wins */
	expect_err(get_tracked(fx, buf, 8), EINVAL);
	fx_user_del(fx, buf);
	expect_u64(*buf, 0);
}

/* The same single mapping, tracking left on: its bits survive the fault. */
static void test_dirty_get_efault_keeps_bits_of_single_mapping(void **state)
{
	struct fx *fx = *state;
	uint64_t *buf = fx_alloc(fx, 8);
	struct dirty_want w;

	tracked(fx, &w, 8);
	fx_user_add(fx, buf, 8, VFIOSIM_PROT_READ);
	expect_err(get_tracked(fx, buf, 8), EFAULT);
	fx_user_del(fx, buf);
	dirty_expect(fx, &w);
}

/* When several checks fail, the one the kernel makes first decides. */
static void test_dirty_get_check_order(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, *buf = fx_alloc(fx, 8);
	struct vfiosim_dirty_get_arg *a = get_arg(fx, IOVA, 8 * P, buf, 8);

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	/* not tracking yet */
	fx_user_add(fx, &a->get, sizeof(a->get), 0);
	/* flags before the get struct is read */
	a->flags = GET | STOP;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	a->flags = GET | (1U << 7);
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	/* argsz before it is read */
	a->flags = GET;
	a->argsz = sizeof(*a) - 8;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	/* reading it before the tracking state */
	a->argsz = sizeof(*a);
	expect_err(dirty_get_raw(fx->c, a), EFAULT);
	fx_user_del(fx, &a->get);

	expect_ok(fx_dirty(fx->c, START));
	fx_user_add(fx, buf, 8, VFIOSIM_PROT_READ);
	/* argument errors come before any copy to the bitmap */
	a->get.iova = IOVA + P;		/* bisects the mapping */
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	a->get.iova = IOVA;
	a->get.bitmap.pgsize = 2 * P;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	a->get.bitmap.pgsize = P;
	a->get.bitmap.size = 7;
	expect_err(dirty_get_raw(fx->c, a), EINVAL);
	a->get.bitmap.size = 8;
	expect_err(dirty_get_raw(fx->c, a), EFAULT);
	fx_user_del(fx, buf);
	expect_u64(*buf, 0);
	/* v1 refusal comes before everything: see the v1 test */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_dirty_v1_container_eacces_before_anything, fx_v1_4k),
		FX_TEST(test_dirty_v1_container_eacces_before_anything, fx_v1_64k),
		FX_TEST(test_dirty_v1_container_eacces_before_anything, fx_set_v1_4k),
		FX_TEST(test_dirty_unreadable_header_efault, fx_v2_4k),
		FX_TEST(test_dirty_unreadable_header_efault, fx_v2_emul),
		FX_TEST(test_dirty_argsz_below_header_einval, fx_v2_4k),
		FX_TEST(test_dirty_unknown_flag_einval, fx_v2_emul),
		FX_TEST(test_dirty_unknown_flag_einval, fx_v2_4k),
		FX_TEST(test_dirty_unknown_flag_does_not_start, fx_v2_4k),
		FX_TEST(test_dirty_zero_flags_einval, fx_v2_emul),
		FX_TEST(test_dirty_two_flags_einval, fx_v2_emul),
		FX_TEST(test_dirty_two_flags_einval, fx_v2_64k),
		FX_TEST(test_dirty_three_flags_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_header_only_argsz_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_argsz_short_of_get_struct_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_argsz_short_of_get_struct_einval, fx_v2_4k),
		FX_TEST(test_dirty_get_unreadable_get_struct_efault, fx_v2_emul),
		FX_TEST(test_dirty_get_unreadable_get_struct_efault, fx_v2_4k),
		FX_TEST(test_dirty_get_iova_size_wrap, fx_v2_emul),
		FX_TEST(test_dirty_get_iova_size_wrap, fx_v2_64k),
		FX_TEST(test_dirty_get_bitmap_fails_access_ok_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_bitmap_fails_access_ok_einval, fx_v2_4k),
		FX_TEST(test_dirty_get_pgsize_degenerate_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_pgsize_degenerate_einval, fx_v2_4k),
		FX_TEST(test_dirty_get_pgsize_degenerate_einval, fx_v2_64k),
		FX_TEST(test_dirty_get_bitmap_size_zero_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_bitmap_size_above_256m_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_bitmap_size_above_256m_einval, fx_v2_64k),
		FX_TEST(test_dirty_get_bitmap_one_byte_short_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_bitmap_one_byte_short_einval, fx_v2_4k),
		FX_TEST(test_dirty_get_bitmap_one_byte_short_einval, fx_v2_64k),
		FX_TEST(test_dirty_get_npages_beyond_int_max_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_npages_beyond_int_max_einval, fx_v2_4k),
		FX_TEST(test_dirty_get_npages_beyond_int_max_einval, fx_v2_64k),
		FX_TEST(test_dirty_get_pgsize_not_minimum_einval, fx_v2_2m),
		FX_TEST(test_dirty_get_pgsize_not_minimum_einval, fx_v2_64k),
		FX_TEST(test_dirty_get_pgsize_not_minimum_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_iova_unaligned_einval, fx_v2_4k),
		FX_TEST(test_dirty_get_iova_unaligned_einval, fx_v2_64k),
		FX_TEST(test_dirty_get_size_unaligned_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_size_unaligned_einval, fx_v2_64k),
		FX_TEST(test_dirty_get_size_zero_einval, fx_v2_emul),
		FX_TEST(test_dirty_get_not_tracking_einval, fx_v2_4k),
		FX_TEST(test_dirty_get_not_tracking_einval, fx_v2_emul),
		FX_TEST(test_dirty_start_twice_keeps_bits, fx_v2_emul),
		FX_TEST(test_dirty_start_twice_keeps_bits, fx_v2_4k),
		FX_TEST(test_dirty_stop_twice_ok, fx_v2_emul),
		FX_TEST(test_dirty_stop_without_start_ok, fx_v2_4k),
		FX_TEST(test_dirty_restart_after_stop_forgets, fx_v2_emul),
		FX_TEST(test_dirty_start_enomem_sweep_rolls_back, fx_v2_4k),
		FX_TEST(test_dirty_start_enomem_sweep_rolls_back, fx_v2_2m),
		FX_TEST(test_dirty_start_enomem_sweep_rolls_back, fx_v2_64k),
		FX_TEST(test_dirty_start_enomem_sweep_rolls_back, fx_v2_emul),
		FX_TEST(test_dirty_map_while_tracking_enomem_sweep, fx_v2_4k),
		FX_TEST(test_dirty_map_while_tracking_enomem_sweep, fx_v2_2m),
		FX_TEST(test_dirty_map_while_tracking_enomem_sweep, fx_v2_emul),
		FX_TEST(test_dirty_get_unwritable_bitmap_efault, fx_v2_4k),
		FX_TEST(test_dirty_get_unwritable_bitmap_efault, fx_v2_emul),
		FX_TEST(test_dirty_get_efault_keeps_bits_of_single_mapping, fx_v2_emul),
		FX_TEST(test_dirty_get_efault_keeps_bits_of_single_mapping, fx_v2_64k),
		FX_TEST(test_dirty_get_check_order, fx_v2_4k),
		FX_TEST(test_dirty_get_check_order, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("dirty_pages_args", tests, NULL, NULL);
}
