// SPDX-License-Identifier: MIT
/*
 * test_dirty_bitmap.c - the shape of GET_BITMAP reports.
 *
 * Bitmap sizes from half a byte to 8 KiB, huge-page-backed mappings, and
 * mappings placed at offsets of the range that are not multiples of 64
 * pages, so that the kernel's copy-out (update_user_bitmap) has to shift
 * each mapping's bits onto the user's u64 words and merge them with what
 * is already there.  Every count is in pages of the container's minimum
 * page size, so each test runs unchanged with 4K and 64K IOMMU pages and
 * with an emulated-only container.  Also: ranges that cut a mapping, and
 * ranges with no mapping at all.
 *
 * Expected bits: an IOMMU-backed group that never pinned makes every
 * mapped page dirty; otherwise exactly the pages dma_rw wrote (or a device
 * pinned).  dirty_expect() also checks every bit the kernel must not
 * write, and the ground-truth log.
 */
#include <errno.h>
#include <string.h>

#include "helpers/dirty.h"

#define IOVA	FX_IOVA
/* Room for mappings of several GiB, above the MSI window. */
#define IOVA_HI	(8 * SZ_1G)
#define START	VFIO_IOMMU_DIRTY_PAGES_FLAG_START

static const struct fx_config bm_4k = {
	FX_CONFIG_OF("v2, IOMMU 4K, 512 MiB guest", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.guest_size = SZ_512M,
};

static const struct fx_config bm_64k = {
	FX_CONFIG_OF("v2, 64K CPU pages, IOMMU 64K|512M, 4 GiB guest", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(SZ_64K | SZ_512M)),
	.host = { .page_size = SZ_64K },
	.guest_size = 4 * SZ_1G,
};

static const struct fx_config bm_emul = {
	FX_CONFIG_OF("v2, emulated group only, 512 MiB guest", VFIO_TYPE1v2_IOMMU, FX_EMULATED),
	.guest_size = SZ_512M,
};

/* Huge IOMMU pages; the device can pin, which narrows the dirty scope. */
static const struct fx_config bm_huge_pin = {
	FX_CONFIG_OF("v2, IOMMU 4K|2M|1G, device pins, 2 GiB guest", VFIO_TYPE1v2_IOMMU,
		     FX_PINNING(SZ_4K | SZ_2M | SZ_1G)),
	.guest_size = 2 * SZ_1G,
};

static const struct fx_config bm_huge = {
	FX_CONFIG_OF("v2, IOMMU 4K|2M|1G, 2 GiB guest", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(SZ_4K | SZ_2M | SZ_1G)),
	.guest_size = 2 * SZ_1G,
};

/* A mapping of n pages at page `page` of w's range, guest memory from vaddr. */
static void map_at(struct fx *fx, struct dirty_want *w, uint64_t vaddr, uint64_t page,
		   uint64_t n)
{
	expect_ok(fx_map(fx, vaddr, w->iova + page * w->pgsize, n * w->pgsize, FX_RW));
	dirty_want_map(w, w->iova + page * w->pgsize, n * w->pgsize);
}

/* dma_rw writes one byte into each listed page of w's range. */
static void write_pages(struct fx *fx, struct dirty_want *w, const uint64_t *pages,
			unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t iova = w->iova + pages[i] * w->pgsize + w->pgsize / 3;

		expect_ok(dirty_write(fx, iova, 1));
		dirty_want_set(w, iova, 1);
	}
}

/* Everything mapped is dirty while an IOMMU-backed group never pinned. */
static void want_scope(struct fx *fx, struct dirty_want *w)
{
	if (dirty_cfg_all_dirty(fx))
		dirty_want_all(w);
}

/* ------------------------------------------------------ bitmap sizes */

/*
 * One mapping of n pages, the range exactly the mapping, bitmap.size
 * exactly the u64 words it needs: pages written at both ends, in the
 * middle and astride the middle.
 */
static void check_single(struct fx *fx, uint64_t n)
{
	uint64_t pages[] = { 0, n - 1, n / 2, n / 2 ? n / 2 - 1 : 0 };
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA_HI, n * fx->pgsize);
	w.extra = 0;
	map_at(fx, &w, fx->guest, 0, n);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, pages, 4);
	/* a write straddling two pages marks both */
	if (n >= 4) {
		uint64_t at = IOVA_HI + (n - 2) * fx->pgsize - 4;

		expect_ok(dirty_write(fx, at, 8));
		dirty_want_set(&w, at, 8);
	}
	want_scope(fx, &w);
	dirty_expect(fx, &w);
}

static void test_bitmap_half_byte(void **state)
{
	check_single(*state, 4);
}

static void test_bitmap_one_byte(void **state)
{
	check_single(*state, 8);
}

static void test_bitmap_one_u32(void **state)
{
	check_single(*state, 32);
}

static void test_bitmap_one_u64(void **state)
{
	check_single(*state, 64);
}

static void test_bitmap_two_u64_and_a_tail(void **state)
{
	check_single(*state, 130);
}

static void test_bitmap_4k_bytes(void **state)
{
	check_single(*state, 4096 * 8);
}

static void test_bitmap_8k_bytes(void **state)
{
	check_single(*state, 8192 * 8);
}

/* ------------------------------------------------- huge-page backing */

/* The group pins and unpins one page: it reports through pinning from now on. */
static void narrow_scope(struct fx *fx, uint64_t iova)
{
	uint64_t pfn = 0;

	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], iova, 1, VFIOSIM_PROT_READ, &pfn), 1);
	expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], iova, 1));
}

/*
 * A mapping the IOMMU backs with huge pages (2 MiB-aligned IOVA and guest
 * memory, or 1 GiB) is still tracked in pages of the minimum size: a
 * pinned page and a dma_rw write inside one huge page mark one bit each.
 */
static void check_huge(struct fx *fx, uint64_t size)
{
	uint64_t P = fx->pgsize, n = size / P, pfn = 0;
	uint64_t pages[] = { 0, n - 1, n / 2 + 3, 700 % n };
	bool narrow = fx->cfg->group[0].has_dma_unmap;
	struct dirty_want w;

	assert_int_equal(size % SZ_2M, 0);
	dirty_want_init(fx, &w, IOVA, size);
	map_at(fx, &w, fx->guest, 0, n);
	if (narrow)
		narrow_scope(fx, IOVA);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, pages, 4);
	/* a device-pinned page (if the device can pin), a device write into it */
	if (narrow)
		expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA + 5 * P, 1,
					     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, &pfn), 1);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 5 * P, P));
	dirty_want_set(&w, IOVA + 5 * P, P);
	if (!narrow)
		dirty_want_all(&w);
	dirty_expect(fx, &w);
	/* the next report: the pinned page only (or everything again) */
	if (narrow) {
		dirty_want_none(&w);
		dirty_want_set(&w, IOVA + 5 * P, P);
	}
	dirty_expect(fx, &w);
	if (narrow)
		expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], IOVA + 5 * P, 1));
}

static void test_bitmap_hugepage_backed_2m(void **state)
{
	check_huge(*state, 2 * SZ_2M);
}

static void test_bitmap_hugepage_backed_1g(void **state)
{
	check_huge(*state, SZ_1G);
}

/* ------------------------------------------- mappings inside the range */

/*
 * The mapping starts one page into the range: its bits are shifted by one
 * onto the user's words, the hole's bit 0 (the user's, set beforehand) is
 * kept, and nothing past the range's words changes.
 */
static void test_bitmap_mapping_one_page_into_range(void **state)
{
	static const uint64_t pages[] = { 1, 62, 63, 64, 65, 70 };
	struct fx *fx = *state;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 128 * fx->pgsize);
	map_at(fx, &w, fx->guest, 1, 70);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, pages, sizeof(pages) / sizeof(pages[0]));
	want_scope(fx, &w);
	dirty_expect(fx, &w);
}

/*
 * A first mapping at the range's start, then a hole, then one starting 101
 * pages in (37 bits into the second word) and crossing three words: the
 * first mapping's bits and the user's bits of the second word below the
 * mapping survive the merge.
 */
static void test_bitmap_mapping_offset_not_multiple_of_64(void **state)
{
	static const uint64_t pages[] = { 0, 19, 101, 127, 128, 191, 192, 230 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 256 * P);
	map_at(fx, &w, fx->guest, 0, 20);
	map_at(fx, &w, fx->guest + 20 * P, 101, 130);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, pages, sizeof(pages) / sizeof(pages[0]));
	want_scope(fx, &w);
	dirty_expect(fx, &w);
}

/* Two mappings sharing one u64 word, each at an odd offset. */
static void test_bitmap_two_mappings_in_one_word(void **state)
{
	static const uint64_t pages[] = { 3, 9, 41, 50 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 64 * P);
	map_at(fx, &w, fx->guest, 3, 7);
	map_at(fx, &w, fx->guest + 7 * P, 41, 10);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, pages, sizeof(pages) / sizeof(pages[0]));
	want_scope(fx, &w);
	dirty_expect(fx, &w);
}

/*
 * Five mappings in one GET: adjacent ones, one straddling a word, one
 * ending on a word boundary, holes of 5, 63 and 44 pages, and a clean one.
 */
static void test_bitmap_several_mappings_with_holes(void **state)
{
	static const struct { uint64_t page, n; } maps[] = {
		{ 0, 1 }, { 1, 3 }, { 9, 64 }, { 136, 2 }, { 200, 56 },
	};
	static const uint64_t pages[] = { 0, 1, 3, 9, 63, 64, 72, 137, 200, 255 };
	struct fx *fx = *state;
	uint64_t vaddr = fx->guest;
	struct dirty_want w;
	unsigned int i;

	dirty_want_init(fx, &w, IOVA, 300 * fx->pgsize);
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		map_at(fx, &w, vaddr, maps[i].page, maps[i].n);
		vaddr += maps[i].n * fx->pgsize;
	}
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, pages, sizeof(pages) / sizeof(pages[0]));
	want_scope(fx, &w);
	dirty_expect(fx, &w);
}

/*
 * A report hands the bits out: the next one over the same range has only
 * what happened since (or, with an IOMMU-backed group, everything again).
 * The mappings sit at odd offsets; see stale_tail_ok for what the kernel
 * may leave in the holes after them from the second report on.
 */
static void test_bitmap_repeated_get_reports_only_new(void **state)
{
	static const uint64_t first[] = { 5, 14, 70 }, second[] = { 72 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 128 * P);
	map_at(fx, &w, fx->guest, 5, 10);
	map_at(fx, &w, fx->guest + 10 * P, 70, 3);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, first, 3);
	want_scope(fx, &w);
	dirty_expect(fx, &w);

	w.stale_tail_ok = true;
	if (!dirty_cfg_all_dirty(fx))
		dirty_want_none(&w);
	dirty_expect(fx, &w);
	write_pages(fx, &w, second, 1);
	dirty_expect(fx, &w);
	if (!dirty_cfg_all_dirty(fx))
		dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* A report of one range leaves another range's bits alone. */
static void test_bitmap_get_consumes_only_its_range(void **state)
{
	static const uint64_t pa[] = { 2 }, pb[] = { 3 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want a, b;

	dirty_want_init(fx, &a, IOVA, 8 * P);
	dirty_want_init(fx, &b, IOVA + 8 * P, 8 * P);
	map_at(fx, &a, fx->guest, 0, 8);
	map_at(fx, &b, fx->guest + 8 * P, 0, 8);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &a, pa, 1);
	write_pages(fx, &b, pb, 1);
	want_scope(fx, &a);
	want_scope(fx, &b);
	dirty_expect(fx, &a);
	dirty_expect(fx, &b);
}

/* ------------------------------------------------------ refused ranges */

/* A range may take several whole mappings but never part of one. */
static void test_bitmap_get_bisecting_mapping_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct dirty_want w, cut;
	static const uint64_t pages[] = { 4, 11, 16 };

	dirty_want_init(fx, &w, IOVA, 32 * P);
	map_at(fx, &w, fx->guest, 4, 8);
	map_at(fx, &w, fx->guest + 8 * P, 16, 8);
	expect_ok(fx_dirty(fx->c, START));
	write_pages(fx, &w, pages, 3);
	want_scope(fx, &w);

	dirty_want_init(fx, &cut, IOVA, 64 * P);
	/* starting inside the first mapping */
	expect_err(dirty_get(fx->c, IOVA + 5 * P, 20 * P, P, dirty_want_prepare(&cut), 8),
		   EINVAL);
	/* ending inside it */
	expect_err(dirty_get(fx->c, IOVA, 6 * P, P, cut.buf, 8), EINVAL);
	/* the first whole, the second cut at its end or at its start */
	expect_err(dirty_get(fx->c, IOVA + 4 * P, 19 * P, P, cut.buf, 8), EINVAL);
	expect_err(dirty_get(fx->c, IOVA + 20 * P, 8 * P, P, cut.buf, 8), EINVAL);
	/* one page of a mapping */
	expect_err(dirty_get(fx->c, IOVA + 11 * P, P, P, cut.buf, 8), EINVAL);
	dirty_want_untouched(&cut);
	/* nothing was taken */
	dirty_expect(fx, &w);
}

/* No mapping in the range: success, and the bitmap is not written at all. */
static void test_bitmap_get_range_without_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	uint64_t zero[4] = { 0 };
	struct dirty_want w, hole;

	dirty_want_init(fx, &w, IOVA, 200 * P);
	expect_ok(fx_dirty(fx->c, START));
	/* before anything is mapped */
	dirty_want_init(fx, &hole, IOVA + 64 * P, 64 * P);
	expect_ok(dirty_get(fx->c, hole.iova, hole.size, P, dirty_want_prepare(&hole),
			    vfiosim_bitmap_bytes(hole.npages)));
	dirty_want_untouched(&hole);
	map_at(fx, &w, fx->guest, 0, 64);
	map_at(fx, &w, fx->guest + 64 * P, 128, 8);
	expect_ok(dirty_write(fx, IOVA + 3 * P, 1));
	/* exactly the hole between two mappings, and past the last one */
	expect_ok(dirty_get(fx->c, hole.iova, hole.size, P, dirty_want_prepare(&hole),
			    vfiosim_bitmap_bytes(hole.npages)));
	dirty_want_untouched(&hole);
	expect_ok(dirty_get(fx->c, IOVA + 136 * P, 200 * P, P, zero, sizeof(zero)));
	expect_u64(zero[0] | zero[1] | zero[2] | zero[3], 0);
	/* the mappings' bits are still there */
	dirty_want_set(&w, IOVA + 3 * P, 1);
	want_scope(fx, &w);
	dirty_expect(fx, &w);
}

/* The user's bitmap pointer need not be aligned: bits count from it. */
static void test_bitmap_user_buffer_misaligned(void **state)
{
	static const uint64_t pages[] = { 0, 9, 66 };
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	unsigned char *raw = fx_alloc(fx, 64);
	unsigned int off, i;
	struct dirty_want w;

	dirty_want_init(fx, &w, IOVA, 80 * P);
	map_at(fx, &w, fx->guest, 0, 80);
	expect_ok(fx_dirty(fx->c, START));
	for (off = 1; off < 8; off += 3) {
		write_pages(fx, &w, pages, 3);
		want_scope(fx, &w);
		memset(raw, 0xa5, 64);
		memset(raw + off, 0, 16);
		expect_ok(dirty_get(fx->c, IOVA, 80 * P, P, raw + off, 16));
		for (i = 0; i < off; i++)
			assert_int_equal(raw[i], 0xa5);
		for (i = off + 16; i < 64; i++)
			assert_int_equal(raw[i], 0xa5);
		for (i = 0; i < 80; i++)
			assert_int_equal(dirty_bit(raw + off, i), dirty_bit(w.want, i));
		for (i = 80; i < 128; i++)
			assert_int_equal(dirty_bit(raw + off, i), 0);
		dirty_want_none(&w);
	}
}

#define ALL3(f)	FX_TEST(f, bm_4k), FX_TEST(f, bm_64k), FX_TEST(f, bm_emul)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ALL3(test_bitmap_half_byte),
		ALL3(test_bitmap_one_byte),
		ALL3(test_bitmap_one_u32),
		ALL3(test_bitmap_one_u64),
		ALL3(test_bitmap_two_u64_and_a_tail),
		ALL3(test_bitmap_4k_bytes),
		ALL3(test_bitmap_8k_bytes),
		FX_TEST(test_bitmap_hugepage_backed_2m, bm_huge_pin),
		FX_TEST(test_bitmap_hugepage_backed_2m, bm_huge),
		FX_TEST(test_bitmap_hugepage_backed_1g, bm_huge_pin),
		FX_TEST(test_bitmap_hugepage_backed_1g, bm_huge),
		ALL3(test_bitmap_mapping_one_page_into_range),
		ALL3(test_bitmap_mapping_offset_not_multiple_of_64),
		ALL3(test_bitmap_two_mappings_in_one_word),
		ALL3(test_bitmap_several_mappings_with_holes),
		ALL3(test_bitmap_repeated_get_reports_only_new),
		ALL3(test_bitmap_get_consumes_only_its_range),
		ALL3(test_bitmap_get_bisecting_mapping_einval),
		ALL3(test_bitmap_get_range_without_mappings),
		ALL3(test_bitmap_user_buffer_misaligned),
	};

	return cmocka_run_group_tests_name("dirty_bitmap", tests, NULL, NULL);
}
