/* SPDX-License-Identifier: MIT */
/*
 * dirty.h - the per-mapping dirty bitmaps as dirty.c keeps them, for the
 * copy-out of reports (report.c).
 *
 * A mapping's bitmap is one allocation: one bit per page of room, a spare
 * word (the kernel's algorithm shifts the bits in place onto the user's
 * word grid), then the block summary: one bit per cache line of the
 * bitmap, set whenever a bit in that line may be set.  bitmap_marked says
 * whether any is.  Bits live only in marked blocks, so a report reads and
 * a restart clears only those.
 *
 * bitmap_exact says the bitmap holds the bits of the pinned pages and no
 * other: a restart left it so, and since then only pins marked their own
 * bit.  Clearing and marking again would change nothing, so a report
 * skips it.  Any other mark, an unpin, a rescale or a kernel-style copy
 * (which shifts the bitmap in place) clears it; t1_dirty_check() checks it.
 */
#ifndef VFIOSIM_TYPE1_DIRTY_H
#define VFIOSIM_TYPE1_DIRTY_H

#include "type1/type1.h"

#define T1_BLOCK_WORDS		8UL
#define T1_BLOCK_BITS		(T1_BLOCK_WORDS * BITS_PER_LONG)

static inline uint64_t t1_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The first of bits j..n-1 that is set (or clear), else n. */
static inline uint64_t t1_find_bit(const unsigned long *map, uint64_t j, uint64_t n, bool set)
{
	while (j < n) {
		unsigned long w = (set ? map[j / BITS_PER_LONG] : ~map[j / BITS_PER_LONG]) &
				  BITMAP_FIRST_WORD_MASK(j);

		if (w)
			return t1_min_u64(n, j / BITS_PER_LONG * BITS_PER_LONG +
					  (uint64_t)__builtin_ctzl(w));
		j = (j / BITS_PER_LONG + 1) * BITS_PER_LONG;
	}
	return n;
}

/* Words of a bitmap with room for n pages: the bits and the spare word. */
static inline uint64_t t1_bitmap_words(uint64_t n)
{
	return BITS_TO_LONGS(n) + 1;
}

static inline uint64_t t1_summary_bits(uint64_t n)
{
	return (t1_bitmap_words(n) + T1_BLOCK_WORDS - 1) / T1_BLOCK_WORDS;
}

static inline unsigned long *t1_summary(const struct t1_dma *dma)
{
	return dma->bitmap + t1_bitmap_words(dma->bitmap_pages);
}

/* Pages of 2^pgshift bytes the mapping spans, a partial last one included. */
static inline uint64_t t1_dirty_nbits(const struct t1_dma *dma, unsigned int pgshift)
{
	uint64_t n = t1_shr(dma->size, pgshift);

	if (pgshift < 64 && (dma->size & ((1ULL << pgshift) - 1)))
		n++;
	return n;
}

/* Clips [first, first + *nbits) to the bitmap (a WARN); false if nothing is left. */
bool t1_dirty_clip(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
		   uint64_t *nbits);
/* Bits [first, first + n) of the bitmap may now be set. */
void t1_summary_set(struct t1_dma *dma, uint64_t first, uint64_t n);
/* The bitmap was cleared whole: no block holds bits. */
void t1_summary_clear(struct t1_dma *dma);
/* Marks every pinned page; false if one has no bit (a WARN). */
bool t1_dirty_mark_pinned(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift);
/* After a report: the marked blocks cleared, the pinned pages marked again. */
void t1_dirty_restart(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift);
/*
 * Whether t1_dirty_restart() would change anything: there are bits to
 * clear or pinned pages to mark, unless the bitmap holds the pinned pages'
 * bits and nothing else already; or the bitmap is too small (a WARN, on
 * every report).
 */
static inline bool t1_dirty_restart_needed(const struct t1_dma *dma, unsigned int pgshift)
{
	return ((dma->bitmap_marked || !RB_EMPTY_ROOT(&dma->pfns)) && !dma->bitmap_exact) ||
	       (dma->bitmap && t1_dirty_nbits(dma, pgshift) > dma->bitmap_pages);
}

/*
 * The report of every mapping starting in [iova, last] as Linux 6.12 makes
 * it (kcopy.c); report.c has the model's own.
 */
int t1_report_kernel(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t last,
		     unsigned int pgshift, bool restart);

#endif /* VFIOSIM_TYPE1_DIRTY_H */
