/* SPDX-License-Identifier: MIT */
/*
 * fast_internal.h - what the files of the fast copy-out share (fast.h):
 * the index's entries, the layout of the block summary, and the inline
 * steps a report takes per mapping.
 */
#ifndef VFIOSIM_TYPE1_FAST_INTERNAL_H
#define VFIOSIM_TYPE1_FAST_INTERNAL_H

#include "type1/type1.h"

/*
 * An entry of the index: what a report needs to place a mapping with
 * room for its bits without touching the mapping itself, which would
 * cost a cache miss that the next mapping's work waits for.  nbits is at
 * the index's page shift.
 */
struct t1_dma_ent {
	uint64_t iova;
	uint64_t nbits;
	struct t1_dma *dma;
	unsigned long *bitmap;		/* with T1_ENT_ROOM, dma's, and its */
	unsigned long *sum;		/* block summary; else NULL */
	unsigned int flags;		/* T1_ENT_* */
	/*
	 * Entries after it, each the next one's T1_ENT_NEXT, with the same
	 * T1_ENT_ROOM and T1_ENT_MAPPED: a run of quiet ones among them is
	 * one stretch, found without reading them (the loud bitmap says
	 * which are not quiet).
	 */
	unsigned int chain;
};

#define T1_ENT_QUIET	1U		/* no bit marked, no page pinned: kept in
					   step by every mark and pin */
#define T1_ENT_ROOM	2U		/* a bitmap holds its nbits (> 0) bits */
#define T1_ENT_MAPPED	4U		/* iommu_mapped */
#define T1_ENT_NEXT	8U		/* the next mapping starts at its end, and
					   its size is a whole number of pages */
#define T1_ENT_EXACT	16U		/* fast.exact: a restart would change
					   nothing (kept in step as QUIET is) */
#define T1_ENT_PINNED	32U		/* pages pinned (kept in step as QUIET is) */
/* What a chain's entries have in common besides being quiet. */
#define T1_ENT_STATIC	(T1_ENT_ROOM | T1_ENT_MAPPED)

/* The block summary: one bit per T1_BLOCK_WORDS words of bitmap. */
#define T1_BLOCK_WORDS		8UL
#define T1_BLOCK_BITS		(T1_BLOCK_WORDS * BITS_PER_LONG)

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

/* Blocks of a bitmap with room for n pages, its spare word included. */
static inline uint64_t t1_summary_bits(uint64_t n)
{
	return (t1_bitmap_words(n) + T1_BLOCK_WORDS - 1) / T1_BLOCK_WORDS;
}

/* The summary lies behind the bitmap's words, in the same allocation. */
static inline unsigned long *t1_summary(const struct t1_dma *dma)
{
	return dma->bitmap + t1_bitmap_words(dma->bitmap_pages);
}

/* The byte after the bitmap's allocation, its summary included. */
static inline uintptr_t t1_bitmap_end(const struct t1_dma *dma)
{
	return (uintptr_t)(t1_summary(dma) + t1_fast_summary_words(dma->bitmap_pages));
}

/* Nothing marked, nothing pinned: a report owes the mapping no read. */
static inline bool t1_fast_quiet(const struct t1_dma *dma)
{
	return !dma->fast.marked && RB_EMPTY_ROOT(&dma->pfns);
}

/* A mark, a restart or a pin may have changed whether the mapping is quiet. */
static inline void t1_fast_note(struct t1_iommu *iommu, struct t1_dma *dma)
{
	const struct t1_fast_index *ix = &iommu->dma_index;
	struct t1_dma_ent *e;

	if (!ix->ok || dma->fast.index_pos >= ix->len)
		return;
	e = ix->ents + dma->fast.index_pos;
	/* A mapping not linked yet has no entry of its own. */
	if (e->dma != dma)
		return;
	e->flags = (e->flags & ~(T1_ENT_EXACT | T1_ENT_PINNED)) |
		   (dma->fast.exact ? T1_ENT_EXACT : 0) |
		   (RB_EMPTY_ROOT(&dma->pfns) ? 0 : T1_ENT_PINNED);
	if (t1_fast_quiet(dma)) {
		e->flags |= T1_ENT_QUIET;
		clear_bit(dma->fast.index_pos, ix->loud);
	} else {
		e->flags &= ~T1_ENT_QUIET;
		set_bit(dma->fast.index_pos, ix->loud);
	}
}

/*
 * Whether t1_fast_restart() would change anything: there are bits to
 * clear or pinned pages to mark, unless the bitmap holds the pinned pages'
 * bits and nothing else already; or the bitmap is too small (a WARN, on
 * every report).
 */
static inline bool t1_fast_restart_needed(const struct t1_dma *dma, unsigned int pgshift)
{
	return ((dma->fast.marked || !RB_EMPTY_ROOT(&dma->pfns)) && !dma->fast.exact) ||
	       (dma->bitmap && t1_dirty_nbits(dma, pgshift) > dma->bitmap_pages);
}

/* ------------------------------------------------- fast_index.c */

struct t1_dma_ent *t1_fast_index(struct t1_iommu *iommu, unsigned long *len);
int t1_fast_index_check(struct t1_iommu *iommu, char *why, size_t len);
/* Whether no bitmap of the index (up to date) meets the bytes [a, z). */
bool t1_fast_index_apart(struct t1_fast_index *ix, uintptr_t a, uintptr_t z);

/* ------------------------------------------------- fast_summary.c */

void t1_fast_restart(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift);

#endif /* VFIOSIM_TYPE1_FAST_INTERNAL_H */
