// SPDX-License-Identifier: MIT
/*
 * dirty.c - dirty page tracking: VFIO_IOMMU_DIRTY_PAGES and the
 * per-mapping bitmaps behind it.
 *
 * While tracking, every mapping has a bitmap with one bit per page of the
 * container's smallest IOMMU page size, sized when it is allocated, plus
 * a spare word and a block summary (dirty.h).  A bit is set by a vendor
 * driver's pin or dma_rw write; a report (report.c) hands the bits out
 * and restarts from the pages still pinned.  As long as some IOMMU-backed
 * group has not declared itself through pinning, every mapping present in
 * the IOMMU is reported wholly dirty.  Every bit is set through here, so
 * that the summary knows which blocks may hold bits: a report reads, and
 * a restart clears, only those.
 *
 * The page size can change while tracking (a domain with other page sizes
 * comes or goes); the kernel then indexes its bitmaps with the new size,
 * past their end when it shrinks, and reports bits of the old size as if
 * they were of the new one.  Here a bitmap has room for one bit per CPU
 * page, the finest size the container can ever offer, and a change of
 * size re-expresses every bitmap in the new size without dropping a dirty
 * page.  Accesses stay bounded by the room the bitmap has; going beyond
 * it is a WARN.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "type1/dirty.h"
#include "type1/strategy.h"

/* Bytes of a user dirty bitmap for n pages: whole u64 words (wraps like the kernel's). */
static uint64_t t1_bitmap_bytes(uint64_t n)
{
	return ((n + 63) & ~(uint64_t)63) / 8;
}

/* The largest bitmap: bitmap_set() counts bits in an int. */
#define T1_BITMAP_PAGES_MAX	((uint64_t)INT_MAX)
#define T1_BITMAP_BYTES_MAX	(((T1_BITMAP_PAGES_MAX + 63) & ~(uint64_t)63) / 8)

/*
 * The page size DIRTY_PAGES_FLAG_START sizes bitmaps with.  The kernel
 * computes it as an int shift, 1 << __ffs(): x86 takes the count modulo
 * 32 and bit 31 comes out negative, sign-extended into size_t.  Only
 * exotic minimum IOMMU page sizes (2 GiB and up) see the difference.
 */
uint64_t t1_start_pgsize(uint64_t pgsize_bitmap)
{
	uint32_t bit = (uint32_t)1 << (t1_ffs(pgsize_bitmap) & 31);

	return (uint64_t)(int64_t)(int32_t)bit;
}

void t1_summary_set(struct t1_dma *dma, uint64_t first, uint64_t n)
{
	uint64_t lo = first / T1_BLOCK_BITS, hi = (first + n - 1) / T1_BLOCK_BITS;

	bitmap_set(t1_summary(dma), lo, hi - lo + 1);
	dma->bitmap_marked = true;
	dma->bitmap_exact = false;
	dma->pin_unmarked = false;
}

void t1_summary_clear(struct t1_dma *dma)
{
	bitmap_zero(t1_summary(dma), t1_summary_bits(dma->bitmap_pages));
	dma->bitmap_marked = false;
	dma->bitmap_exact = false;
}

/* Recounts which blocks hold bits, after the bitmap was rewritten whole. */
static void t1_summary_rebuild(struct t1_dma *dma)
{
	uint64_t words = t1_bitmap_words(dma->bitmap_pages);
	uint64_t nblk = t1_summary_bits(dma->bitmap_pages), j, k;
	unsigned long *sum = t1_summary(dma);

	bitmap_zero(sum, nblk);
	dma->bitmap_marked = false;
	dma->bitmap_exact = false;
	for (j = 0; j < nblk; j++)
		for (k = j * T1_BLOCK_WORDS; k < t1_min_u64(words, (j + 1) * T1_BLOCK_WORDS); k++)
			if (dma->bitmap[k]) {
				set_bit(j, sum);
				dma->bitmap_marked = true;
				break;
			}
}

/* divergence: see docs/divergences.md (4) */
int t1_bitmap_alloc(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t pgsize)
{
	uint64_t pages = dma->size / pgsize, words;
	uint64_t room = t1_shr(dma->size, t1_page_shift(iommu));

	if (pages > T1_BITMAP_PAGES_MAX)
		return -EINVAL;
	if (room < pages)
		room = pages;
	words = t1_bitmap_words(room) + BITS_TO_LONGS(t1_summary_bits(room));
	dma->bitmap = host_alloc(iommu->h, words * sizeof(uint64_t), true);
	if (!dma->bitmap)
		return -ENOMEM;
	dma->bitmap_pages = room;
	dma->bitmap_marked = false;
	dma->bitmap_exact = false;
	t1_dma_index_stale(iommu);
	return 0;
}

/* Coarser pages: a page is dirty if any of the smaller ones it holds is. */
static void t1_rescale_up(unsigned long *w, uint64_t old_n, uint64_t new_n, unsigned int r)
{
	uint64_t i;

	for (i = 0; i < new_n; i++) {
		uint64_t lo = i << r, hi = lo + (1ULL << r);

		if (hi > old_n)
			hi = old_n;
		if (find_next_bit(w, hi, lo) < hi)
			set_bit(i, w);
		else
			clear_bit(i, w);
	}
	if (old_n > new_n)
		bitmap_clear(w, new_n, old_n - new_n);
}

/* Finer pages: every small page of a dirty large one is dirty. */
static void t1_rescale_down(unsigned long *w, uint64_t old_n, uint64_t new_n, unsigned int r)
{
	uint64_t i = old_n;

	while (i--) {
		uint64_t lo = i << r, n = 1ULL << r;
		bool dirty = test_bit(i, w);

		if (lo >= new_n)
			continue;
		if (n > new_n - lo)
			n = new_n - lo;
		if (dirty)
			bitmap_set(w, lo, n);
		else
			bitmap_clear(w, lo, n);
	}
}

/*
 * The container's smallest page size went from 2^old_shift to 2^new_shift
 * while tracking: the bits keep their meaning, in the new unit.
 */
/* divergence: see docs/divergences.md (4) */
void t1_dirty_rescale(struct t1_iommu *iommu, unsigned int old_shift, unsigned int new_shift)
{
	struct t1_dma *dma;

	/* The index counts bits in the old size; the summaries are rebuilt. */
	t1_dma_index_stale(iommu);
	if (!iommu->tracking || old_shift == new_shift || old_shift >= 64 || new_shift >= 64)
		return;
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		uint64_t old_n = t1_dirty_nbits(dma, old_shift);
		uint64_t new_n = t1_dirty_nbits(dma, new_shift);

		if (!dma->bitmap)
			continue;
		if (old_n > dma->bitmap_pages)
			old_n = dma->bitmap_pages;
		if (new_n > dma->bitmap_pages) {
			HOST_WARN(iommu->h, "a %llu-page bitmap cannot hold %llu pages",
				  (unsigned long long)dma->bitmap_pages,
				  (unsigned long long)new_n);
			new_n = dma->bitmap_pages;
		}
		if (new_shift > old_shift)
			t1_rescale_up(dma->bitmap, old_n, new_n, new_shift - old_shift);
		else
			t1_rescale_down(dma->bitmap, old_n, new_n, old_shift - new_shift);
		t1_summary_rebuild(dma);
	}
}

void t1_bitmap_free(struct t1_iommu *iommu, struct t1_dma *dma)
{
	host_free(iommu->h, dma->bitmap);
	dma->bitmap = NULL;
	dma->bitmap_pages = 0;
	dma->bitmap_marked = false;
	dma->bitmap_exact = false;
	t1_dma_index_stale(iommu);
}

bool t1_dirty_clip(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
		   uint64_t *nbits)
{
	if (!dma->bitmap || !*nbits)
		return false;
	if (first >= dma->bitmap_pages || *nbits > dma->bitmap_pages - first) {
		HOST_WARN(iommu->h, "dirty bits %llu+%llu past a %llu-page bitmap",
			  (unsigned long long)first, (unsigned long long)*nbits,
			  (unsigned long long)dma->bitmap_pages);
		if (first >= dma->bitmap_pages)
			return false;
		*nbits = dma->bitmap_pages - first;
	}
	return true;
}

/*
 * Marking the bit of the page pinned last keeps a bitmap that held the
 * pinned pages' bits (before that pin) holding them; any other mark makes
 * the next report clear and mark again.
 */
void t1_dirty_mark(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
		   uint64_t nbits)
{
	bool exact = dma->pin_unmarked && nbits == 1 &&
		     first == t1_shr(dma->pin_iova - dma->iova, t1_ffs(iommu->pgsize_bitmap));

	if (t1_dirty_clip(iommu, dma, first, &nbits)) {
		bitmap_set(dma->bitmap, first, nbits);
		t1_summary_set(dma, first, nbits);
		dma->bitmap_exact = exact;
	} else {
		dma->bitmap_exact = false;
		dma->pin_unmarked = false;
	}
	t1_dma_index_note(iommu, dma);
}

/*
 * Pinned pages count as dirty for as long as they stay pinned.  False if
 * one of them has no bit in the bitmap (a WARN).
 */
bool t1_dirty_mark_pinned(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift)
{
	bool all = true;
	struct rb_node *p;

	for (p = rb_first(&dma->pfns); p; p = rb_next(p)) {
		struct t1_pfn *vpfn = rb_entry(p, struct t1_pfn, node);
		uint64_t bit = t1_shr(vpfn->iova - dma->iova, pgshift);

		/* One bit at a time, on every report: the common case inline. */
		if (dma->bitmap && bit < dma->bitmap_pages) {
			set_bit(bit, dma->bitmap);
			set_bit(bit / T1_BLOCK_BITS, t1_summary(dma));
			dma->bitmap_marked = true;
		} else {
			t1_dirty_mark(iommu, dma, bit, 1);
			all = false;
		}
	}
	/* Also after a restart's clear, which leaves the marking to this. */
	t1_dma_index_note(iommu, dma);
	return all;
}

/*
 * Only what is pinned now stays dirty: the marked blocks are cleared.  The
 * bitmap then holds exactly the pinned pages' bits, until something else
 * marks one or a page is unpinned (dirty.h).
 */
void t1_dirty_restart(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift)
{
	uint64_t nbits = t1_dirty_nbits(dma, pgshift), words, nblk, j, e;
	const unsigned long *sum;
	bool cleared = t1_dirty_clip(iommu, dma, 0, &nbits);

	if (cleared) {
		words = t1_bitmap_words(dma->bitmap_pages);
		nblk = t1_summary_bits(dma->bitmap_pages);
		sum = t1_summary(dma);
		/* Runs of marked blocks, one memset each. */
		for (j = t1_find_bit(sum, 0, nblk, true); j < nblk;
		     j = t1_find_bit(sum, e, nblk, true)) {
			e = t1_find_bit(sum, j + 1, nblk, false);
			memset(dma->bitmap + j * T1_BLOCK_WORDS, 0,
			       (t1_min_u64(words, e * T1_BLOCK_WORDS) - j * T1_BLOCK_WORDS) *
			       sizeof(unsigned long));
		}
		t1_summary_clear(dma);
	}
	if (t1_dirty_mark_pinned(iommu, dma, pgshift) && cleared)
		dma->bitmap_exact = true;
}

/* Every page of every mapping (or of those in the IOMMU) dirty. */
void t1_dirty_fill_all(struct t1_iommu *iommu, bool iommu_mapped_only)
{
	unsigned int pgshift = t1_ffs(iommu->pgsize_bitmap);
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		if (!iommu_mapped_only || dma->iommu_mapped)
			t1_dirty_mark(iommu, dma, 0, t1_dirty_nbits(dma, pgshift));
}

static int t1_bitmap_alloc_all(struct t1_iommu *iommu, uint64_t pgsize)
{
	struct t1_dma *dma, *undo;
	int ret;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		ret = t1_bitmap_alloc(iommu, dma, pgsize);
		if (ret) {
			for (undo = t1_dma_prev(dma); undo; undo = t1_dma_prev(undo))
				t1_bitmap_free(iommu, undo);
			return ret;
		}
		dma->bitmap_exact = t1_dirty_mark_pinned(iommu, dma, t1_ffs(pgsize));
	}
	return 0;
}

static void t1_bitmap_free_all(struct t1_iommu *iommu)
{
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		t1_bitmap_free(iommu, dma);
}

int t1_verify_bitmap_size(uint64_t npages, uint64_t bytes)
{
	if (!npages || !bytes || bytes > T1_BITMAP_BYTES_MAX || bytes < t1_bitmap_bytes(npages))
		return -EINVAL;
	return 0;
}

/* A bitmap said to hold the pinned pages' bits holds them and no other. */
static int t1_exact_check(struct t1_iommu *iommu, struct t1_dma *dma, char *why, size_t len)
{
	unsigned int pgshift = t1_ffs(iommu->pgsize_bitmap);
	uint64_t k, bit, prev = UINT64_MAX, pinned = 0, set = 0;
	struct rb_node *p;

	for (p = rb_first(&dma->pfns); p; p = rb_next(p)) {
		bit = t1_shr(rb_entry(p, struct t1_pfn, node)->iova - dma->iova, pgshift);
		if (bit >= dma->bitmap_pages || !test_bit(bit, dma->bitmap))
			return host_check_fail(why, len, "mapping 0x%llx: pinned page %llu is not"
					       " in its bitmap said to hold the pinned pages",
					       (unsigned long long)dma->iova,
					       (unsigned long long)bit);
		/* In IOVA order: pages sharing a bit come one after the other. */
		pinned += bit != prev;
		prev = bit;
	}
	for (k = 0; k < t1_bitmap_words(dma->bitmap_pages); k++)
		set += (uint64_t)__builtin_popcountl(dma->bitmap[k]);
	if (set != pinned)
		return host_check_fail(why, len, "mapping 0x%llx: %llu bits set in a bitmap said"
				       " to hold the %llu pinned pages only",
				       (unsigned long long)dma->iova, (unsigned long long)set,
				       (unsigned long long)pinned);
	return 0;
}

/* See strategy.h. */
int t1_dirty_check(struct t1_iommu *iommu, char *why, size_t len)
{
	struct t1_dma *dma;
	uint64_t k, words;
	int ret;

	ret = t1_dma_index_check(iommu, why, len);
	if (ret)
		return ret;
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		if (!dma->bitmap) {
			if (dma->bitmap_exact)
				return host_check_fail(why, len, "mapping 0x%llx: no bitmap, said to"
						       " hold the pinned pages",
						       (unsigned long long)dma->iova);
			continue;
		}
		ret = dma->bitmap_exact ? t1_exact_check(iommu, dma, why, len) : 0;
		if (ret)
			return ret;
		words = t1_bitmap_words(dma->bitmap_pages);
		for (k = 0; k < words; k++)
			if (dma->bitmap[k] && !test_bit(k / T1_BLOCK_WORDS, t1_summary(dma)))
				return host_check_fail(why, len, "mapping 0x%llx: word %llu has"
						       " bits, its block is not in the summary",
						       (unsigned long long)dma->iova,
						       (unsigned long long)k);
	}
	return 0;
}

/* GET_BITMAP over [iova, iova + size - 1], which must not cut a mapping. */
static int t1_dirty_get(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t size,
			uint64_t pgsize)
{
	uint64_t last = iova + size - 1;
	struct t1_dma *dma;

	dma = t1_dma_find(iommu, iova, iova);
	if (dma && dma->iova != iova)
		return -EINVAL;
	dma = t1_dma_find(iommu, last, last);
	if (dma && t1_dma_last(dma) != last)
		return -EINVAL;
	return t1_dirty_report(iommu, ubitmap, iova, size, pgsize, true);
}

static long t1_dirty_get_bitmap(struct t1_iommu *iommu, unsigned long arg, size_t minsz,
				uint32_t argsz)
{
	struct vfio_iommu_type1_dirty_bitmap_get req;
	uint64_t ubitmap, pgsize;
	int ret;

	if (argsz - minsz < sizeof(req))
		return -EINVAL;
	if (host_copy_from_user(iommu->h, &req, arg + minsz, sizeof(req)))
		return -EFAULT;
	/*
	 * A range may end at 2^64 (Linux before 6.19 refuses one: docs/
	 * divergences.md 8); one that wraps is -EOVERFLOW since, after
	 * refusing size 0.
	 */
	if (t1_since(iommu, T1_EOVERFLOW) && !req.size)
		return -EINVAL;
	if (req.iova + req.size - 1 < req.iova && req.size)
		return t1_since(iommu, T1_EOVERFLOW) ? -EOVERFLOW : -EINVAL;
	ubitmap = (uint64_t)(uintptr_t)req.bitmap.data;
	if (!host_access_ok(iommu->h, ubitmap, req.bitmap.size))
		return -EINVAL;
	ret = t1_verify_bitmap_size(t1_shr(req.size, t1_ffs(req.bitmap.pgsize)), req.bitmap.size);
	if (ret)
		return ret;

	/* Only the smallest page size the container offers. */
	pgsize = t1_min_pgsize(iommu);
	if (req.bitmap.pgsize != pgsize)
		return -EINVAL;
	if (req.iova & (pgsize - 1))
		return -EINVAL;
	if (!req.size || (req.size & (pgsize - 1)))
		return -EINVAL;
	if (!iommu->tracking)
		return -EINVAL;
	return t1_dirty_get(iommu, ubitmap, req.iova, req.size, pgsize);
}

long t1_ioctl_dirty_pages(struct t1_iommu *iommu, unsigned long arg)
{
	const uint32_t known = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
			       VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
			       VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	const size_t minsz = offsetof(struct vfio_iommu_type1_dirty_bitmap, flags) +
			     sizeof(uint32_t);
	struct vfio_iommu_type1_dirty_bitmap hdr;
	int ret;

	if (!iommu->v2)
		return -EACCES;
	if (host_copy_from_user(iommu->h, &hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || (hdr.flags & ~known))
		return -EINVAL;

	/* Exactly one flag; none at all fails too, whatever __fls(0) gives. */
	switch (hdr.flags) {
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_START:
		if (iommu->tracking)
			return 0;
		ret = t1_bitmap_alloc_all(iommu, t1_start_pgsize(iommu->pgsize_bitmap));
		if (!ret)
			iommu->tracking = true;
		return ret;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP:
		if (iommu->tracking) {
			iommu->tracking = false;
			t1_bitmap_free_all(iommu);
		}
		return 0;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP:
		return t1_dirty_get_bitmap(iommu, arg, minsz, hdr.argsz);
	default:
		return -EINVAL;
	}
}
