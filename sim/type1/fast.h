/* SPDX-License-Identifier: MIT */
/*
 * fast.h - the fast copy-out's bookkeeping, and the calls through which
 * the rest of the model keeps it in step.
 *
 * None of this is kernel state.  The fast copy-out (fast_copy.c) answers
 * a report from three aids kept beside the kernel's structures:
 * - the index (fast_index.c): the mappings in an array, in tree order,
 *   whose entries say enough to place a quiet mapping (nothing marked,
 *   nothing pinned) without touching it;
 * - the block summary behind each bitmap (fast_summary.c): a bit per
 *   cache line of the bitmap that may hold a set bit, so that a report
 *   reads, and a restart clears, only those lines;
 * - per mapping, whether a bit may be set at all (marked), and whether the
 *   bitmap holds the pinned pages' bits and nothing else (exact), so that
 *   a restart that would change nothing is skipped.
 *
 * The model's kernel-shaped code (type1.h) tells it of every change to
 * what these describe through the calls below, and knows nothing else of
 * them; t1_fast_check() verifies that they agree with the kernel state.
 */
#ifndef VFIOSIM_TYPE1_FAST_H
#define VFIOSIM_TYPE1_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct t1_iommu;
struct t1_dma;
struct t1_dma_ent;

/* What the fast copy-out keeps of a mapping (struct t1_dma's fast). */
struct t1_dma_fast {
	bool marked;			/* bits may be set in the bitmap */
	bool exact;			/* it holds the pinned pages' bits and
					   nothing else */
	bool pin_unmarked;		/* ... once pin_iova's bit is marked */
	unsigned long index_pos;	/* its entry, while the index is valid */
	uint64_t pin_iova;		/* the page pinned last */
};

/* The index of the mappings (struct t1_iommu's dma_index, fast_index.c). */
struct t1_fast_index {
	struct t1_dma_ent *ents;
	unsigned long *loud;		/* a bit per entry not quiet */
	unsigned long len;
	unsigned long cap;
	unsigned int shift;		/* the page shift of its bit counts */
	uintptr_t lo, hi;		/* the mappings' bitmaps (summaries
					   included) lie in [lo, hi) */
	uintptr_t apart_lo, apart_hi;	/* a window found to meet none of them
					   (t1_fast_index_apart()) */
	bool ok;			/* it says what a rebuild would */
};

/* ------------------------------------------------- fast_index.c */

/*
 * A mapping was linked or unlinked, or its size, its bitmap or its
 * presence in the IOMMU changed: the next walk rebuilds the index.
 */
void t1_fast_stale(struct t1_iommu *iommu);
/* The container is released. */
void t1_fast_free(struct t1_iommu *iommu);

/* ------------------------------------------------- fast_summary.c */

/* Words to allocate after a bitmap of room bits and its spare word. */
uint64_t t1_fast_summary_words(uint64_t room);
/* The mapping's bitmap was allocated (zeroed, those words included) or freed. */
void t1_fast_bitmap_reset(struct t1_iommu *iommu, struct t1_dma *dma);
/* Bits [first, first + n) of the bitmap were set (n = 0: a mark found no room). */
void t1_fast_marked(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first, uint64_t n);
/*
 * One bit, set by a walk of the pinned pages (t1_dirty_mark_pinned()),
 * after which the caller calls t1_fast_repopulated().
 */
void t1_fast_marked_bit(struct t1_dma *dma, uint64_t bit);
/* The bitmap was cleared whole. */
void t1_fast_cleared(struct t1_dma *dma);
/*
 * The pinned pages were marked again; exact when that followed a clear
 * and every one of them had its bit.
 */
void t1_fast_repopulated(struct t1_iommu *iommu, struct t1_dma *dma, bool exact);
/* The bitmap was rewritten whole in another page size. */
void t1_fast_rewritten(struct t1_dma *dma);
/* A vendor driver pinned the page at iova, its bit not marked yet. */
void t1_fast_pinned(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova);
/* Pinned pages were let go (or forgotten). */
void t1_fast_unpinned(struct t1_iommu *iommu, struct t1_dma *dma);
/* All of it agrees with the kernel state: 0, or -EUCLEAN with a reason. */
int t1_fast_check(struct t1_iommu *iommu, char *why, size_t len);

/* ------------------------------------------------- fast_copy.c */

/*
 * The copy-out of every mapping starting in [iova, iova + size - 1], then
 * with restart the restart of each (the fast strategy of t1_dirty_report()).
 */
int t1_fast_report(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t size,
		   unsigned int pgshift, bool restart);

#endif /* VFIOSIM_TYPE1_FAST_H */
