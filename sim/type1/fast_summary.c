// SPDX-License-Identifier: MIT
/*
 * fast_summary.c - what the fast copy-out knows of each mapping's bitmap
 * (fast.h): which of its blocks may hold bits, whether any may, and
 * whether it holds exactly the pinned pages' bits; and the restart that
 * uses it.
 *
 * The block summary lies behind the bitmap, in its allocation: one bit
 * per cache line of the bitmap (spare word included), set whenever a bit
 * in that line may be set.  marked says whether any is.  Bits live only
 * in marked blocks, so a report reads and a restart clears only those.
 *
 * exact says the bitmap holds the bits of the pinned pages and no other:
 * a restart left it so, and since then only pins marked their own bit.
 * Clearing and marking again would change nothing, so a report skips it.
 * Any other mark, an unpin, a rescale or a kernel-style copy (which shifts
 * the bitmap in place) clears it; t1_fast_check() checks it.
 */
#include <string.h>

#include "type1/fast_internal.h"

uint64_t t1_fast_summary_words(uint64_t room)
{
	return BITS_TO_LONGS(t1_summary_bits(room));
}

void t1_fast_bitmap_reset(struct t1_iommu *iommu, struct t1_dma *dma)
{
	dma->fast.marked = false;
	dma->fast.exact = false;
	t1_fast_stale(iommu);
}

/* Bits [first, first + n) of the bitmap may now be set (n > 0). */
static void t1_summary_set(struct t1_dma *dma, uint64_t first, uint64_t n)
{
	uint64_t lo = first / T1_BLOCK_BITS, hi = (first + n - 1) / T1_BLOCK_BITS;

	bitmap_set(t1_summary(dma), lo, hi - lo + 1);
	dma->fast.marked = true;
}

/*
 * Marking the bit of the page pinned last keeps a bitmap that held the
 * pinned pages' bits (before that pin) holding them; any other mark makes
 * the next report clear and mark again.
 */
void t1_fast_marked(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first, uint64_t n)
{
	struct t1_dma_fast *f = &dma->fast;
	bool exact = f->pin_unmarked && n == 1 &&
		     first == t1_shr(f->pin_iova - dma->iova, t1_ffs(iommu->pgsize_bitmap));

	if (n)
		t1_summary_set(dma, first, n);
	f->exact = exact;
	f->pin_unmarked = false;
	t1_fast_note(iommu, dma);
}

void t1_fast_marked_bit(struct t1_dma *dma, uint64_t bit)
{
	set_bit(bit / T1_BLOCK_BITS, t1_summary(dma));
	dma->fast.marked = true;
}

void t1_fast_cleared(struct t1_dma *dma)
{
	bitmap_zero(t1_summary(dma), t1_summary_bits(dma->bitmap_pages));
	dma->fast.marked = false;
	dma->fast.exact = false;
}

void t1_fast_repopulated(struct t1_iommu *iommu, struct t1_dma *dma, bool exact)
{
	dma->fast.exact = exact;
	t1_fast_note(iommu, dma);
}

/* Recounts which blocks hold bits. */
void t1_fast_rewritten(struct t1_dma *dma)
{
	uint64_t words = t1_bitmap_words(dma->bitmap_pages);
	uint64_t nblk = t1_summary_bits(dma->bitmap_pages), j, k;
	unsigned long *sum = t1_summary(dma);

	bitmap_zero(sum, nblk);
	dma->fast.marked = false;
	dma->fast.exact = false;
	for (j = 0; j < nblk; j++)
		for (k = j * T1_BLOCK_WORDS; k < t1_min_u64(words, (j + 1) * T1_BLOCK_WORDS); k++)
			if (dma->bitmap[k]) {
				set_bit(j, sum);
				dma->fast.marked = true;
				break;
			}
}

/* Its bit, marked next, keeps the bitmap exact if it was. */
void t1_fast_pinned(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova)
{
	dma->fast.pin_unmarked = dma->fast.exact;
	dma->fast.pin_iova = iova;
	dma->fast.exact = false;
	t1_fast_note(iommu, dma);
}

/* The bits of unpinned pages stay dirty until the next report: no longer exact. */
void t1_fast_unpinned(struct t1_iommu *iommu, struct t1_dma *dma)
{
	dma->fast.exact = false;
	dma->fast.pin_unmarked = false;
	t1_fast_note(iommu, dma);
}

/*
 * The restart in vfio_iova_dirty_bitmap(), as the fast copy-out makes it:
 * only what is pinned now stays dirty, and only the marked blocks are
 * cleared.  The
 * bitmap then holds exactly the pinned pages' bits, until something else
 * marks one or a page is unpinned.
 */
void t1_fast_restart(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift)
{
	uint64_t nbits = t1_dirty_nbits(dma, pgshift), words, nblk, j, e;
	const unsigned long *sum;
	/* The common cases inline: a restart per mapping of every report. */
	bool cleared = t1_dirty_room(dma, nbits) || t1_dirty_clip(iommu, dma, 0, &nbits);

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
		t1_fast_cleared(dma);
	}
	t1_fast_repopulated(iommu, dma, (RB_EMPTY_ROOT(&dma->pfns) ||
					 t1_dirty_mark_pinned(iommu, dma, pgshift)) && cleared);
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

/* See fast.h. */
int t1_fast_check(struct t1_iommu *iommu, char *why, size_t len)
{
	struct t1_dma *dma;
	uint64_t k, words, nbits;
	int ret;

	ret = t1_fast_index_check(iommu, why, len);
	if (ret)
		return ret;
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		if (!dma->bitmap) {
			if (dma->fast.exact)
				return host_check_fail(why, len, "mapping 0x%llx: no bitmap, said to"
						       " hold the pinned pages",
						       (unsigned long long)dma->iova);
			continue;
		}
		ret = dma->fast.exact ? t1_exact_check(iommu, dma, why, len) : 0;
		if (ret)
			return ret;
		words = t1_bitmap_words(dma->bitmap_pages);
		/* Unmarked, the summary is empty: a report reads nothing of it. */
		if (!dma->fast.marked &&
		    t1_find_bit(t1_summary(dma), 0, t1_summary_bits(dma->bitmap_pages), true) <
		    t1_summary_bits(dma->bitmap_pages))
			return host_check_fail(why, len, "mapping 0x%llx: blocks in the summary of"
					       " a bitmap not marked",
					       (unsigned long long)dma->iova);
		/* Between calls no bit lies past the mapping's pages (a report clears them all). */
		nbits = t1_min_u64(t1_dirty_nbits(dma, t1_ffs(iommu->pgsize_bitmap)),
				   dma->bitmap_pages);
		if (find_next_bit(dma->bitmap, words * BITS_PER_LONG, nbits) < words * BITS_PER_LONG)
			return host_check_fail(why, len, "mapping 0x%llx: a bit past its %llu pages",
					       (unsigned long long)dma->iova,
					       (unsigned long long)nbits);
		for (k = 0; k < words; k++)
			if (dma->bitmap[k] && !test_bit(k / T1_BLOCK_WORDS, t1_summary(dma)))
				return host_check_fail(why, len, "mapping 0x%llx: word %llu has"
						       " bits, its block is not in the summary",
						       (unsigned long long)dma->iova,
						       (unsigned long long)k);
	}
	return 0;
}
