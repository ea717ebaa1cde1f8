// SPDX-License-Identifier: MIT
/*
 * kalg_copy.c - the copy-out of a report as Linux 6.12 does it
 * (T1_COPY_KERNEL, strategy.h): the yardstick the model's own copy-out
 * (fast_copy.c) is measured and tested against.  Its cost is the kernel's
 * passes over every mapping's bitmap; its results are the model's (docs/
 * divergences.md 1, 2 and 5), like every strategy's.
 */
#include <errno.h>
#include <string.h>

#include "type1/type1.h"

/* A mapping's bits in a report: clipped to its bitmap, WARN beyond it. */
static bool t1_report_nbits(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift,
			    uint64_t *nbits)
{
	*nbits = t1_dirty_nbits(dma, pgshift);
	return t1_dirty_clip(iommu, dma, 0, nbits);
}

/* Where a mapping's bits start in the user's bitmap. */
static uint64_t t1_first_bit(const struct t1_dma *dma, uint64_t iova, unsigned int pgshift)
{
	return t1_shr(dma->iova - iova, pgshift);
}

/* Undoes the in-place shift of t1_kcopy(), dropping the user's bits. */
static void t1_unshift(unsigned long *w, uint64_t nwords, unsigned int lead, uint64_t nbits)
{
	uint64_t i, keep = BITS_TO_LONGS(nbits);

	for (i = 0; i < nwords; i++) {
		w[i] >>= lead;
		if (i + 1 < nwords)
			w[i] |= w[i + 1] << (BITS_PER_LONG - lead);
	}
	if (nbits % BITS_PER_LONG)
		w[keep - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	for (i = keep; i < nwords; i++)
		w[i] = 0;
}

/* The bitmap as it was before t1_kcopy() (bar the all-dirty fill). */
static void t1_kcopy_undo(struct t1_dma *dma, uint64_t first, uint64_t nbits)
{
	unsigned int lead = first % BITS_PER_LONG;

	if (lead)
		t1_unshift(dma->bitmap, BITS_TO_LONGS(lead + nbits), lead, nbits);
	else if (nbits % BITS_PER_LONG)
		dma->bitmap[BITS_TO_LONGS(nbits) - 1] &= BITMAP_LAST_WORD_MASK(nbits);
}

/*
 * update_user_bitmap(): one mapping as Linux 6.12 copies it.  The bitmap is
 * set whole outside the pinned scope, shifted in place onto the user's
 * 64-bit words (the spare word takes the overflow), the user's bits of the
 * two edge words are merged in (the kernel merges only the first; the
 * model keeps the user's bits after the mapping too), and it all goes out
 * in one copy.  The bitmap is left shifted: a restart clears it,
 * t1_kcopy_undo() puts it back.  A failed copy undoes itself.
 */
static int t1_kcopy(struct t1_iommu *iommu, uint64_t ubitmap, struct t1_dma *dma,
		    uint64_t first, uint64_t nbits)
{
	struct vfiosim_host *h = iommu->h;
	uint64_t uaddr = ubitmap + first / BITS_PER_LONG * sizeof(uint64_t), nwords;
	unsigned int lead = first % BITS_PER_LONG, tail = (lead + nbits) % BITS_PER_LONG;
	unsigned long head = 0, end = 0, *w = dma->bitmap;

	if (t1_scope_all_dirty(iommu, dma)) {
		bitmap_set(w, 0, nbits);
		t1_fast_marked(iommu, dma, 0, nbits);
	}
	nwords = BITS_TO_LONGS(lead + nbits);
	if (lead && host_copy_from_user(h, &head, uaddr, sizeof(head)))
		return -EFAULT;
	if (tail && nwords == 1 && lead)
		end = head;
	else if (tail && host_copy_from_user(h, &end, uaddr + (nwords - 1) * sizeof(end),
					     sizeof(end)))
		return -EFAULT;

	if (lead)
		bitmap_shift_left(w, w, lead, (unsigned int)(lead + nbits));
	else if (tail)
		w[nwords - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	w[0] |= head & ~BITMAP_FIRST_WORD_MASK(lead);
	if (tail)
		w[nwords - 1] |= end & BITMAP_FIRST_WORD_MASK(tail);
	/* Bits moved and the user's came in: as good as marked. */
	t1_fast_marked(iommu, dma, 0, nwords * BITS_PER_LONG);
	if (host_copy_to_user(h, uaddr, w, nwords * sizeof(*w))) {
		t1_kcopy_undo(dma, first, nbits);
		return -EFAULT;
	}
	return 0;
}

/*
 * The restart in vfio_iova_dirty_bitmap(): the bits cleared, then
 * vfio_dma_populate_bitmap().
 */
static void t1_krestart(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
			uint64_t nbits, unsigned int pgshift)
{
	/* All the shifted words: no stale bit may stay (docs/divergences.md 5). */
	memset(dma->bitmap, 0, BITS_TO_LONGS(first % BITS_PER_LONG + nbits) * sizeof(*dma->bitmap));
	t1_fast_cleared(dma);
	t1_fast_repopulated(iommu, dma, t1_dirty_mark_pinned(iommu, dma, pgshift));
}

/*
 * vfio_iova_dirty_bitmap()'s walk for a GET, from the tree's first
 * mapping; for an UNMAP, vfio_dma_do_unmap()'s, from the first mapping of
 * its range.  Restarts and removals wait until every copy went through.
 */
int t1_report_kernel(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t last,
			    unsigned int pgshift, bool restart)
{
	struct t1_dma *dma, *start = NULL, *undo;
	uint64_t nbits;
	int ret;

	for (dma = restart ? t1_dma_first(iommu) : t1_dma_ceil(iommu, iova); dma;
	     dma = t1_dma_next(dma)) {
		if (dma->iova < iova)
			continue;
		if (dma->iova > last)
			break;
		if (!start)
			start = dma;
		if (!t1_report_nbits(iommu, dma, pgshift, &nbits))
			continue;
		ret = t1_kcopy(iommu, ubitmap, dma, t1_first_bit(dma, iova, pgshift), nbits);
		if (!ret)
			continue;
		for (undo = start; undo != dma; undo = t1_dma_next(undo))
			if (undo->bitmap)
				t1_kcopy_undo(undo, t1_first_bit(undo, iova, pgshift),
					      t1_min_u64(t1_dirty_nbits(undo, pgshift),
							 undo->bitmap_pages));
		/* Bitmaps were filled and stay marked: no longer quiet. */
		t1_fast_stale(iommu);
		return ret;
	}
	/* The same, until the mappings are removed; a restart notes each one. */
	if (!restart) {
		t1_fast_stale(iommu);
		return 0;
	}
	for (dma = start; dma && dma->iova <= last; dma = t1_dma_next(dma)) {
		if (!t1_report_nbits(iommu, dma, pgshift, &nbits)) {
			t1_dirty_mark_pinned(iommu, dma, pgshift);
			t1_fast_repopulated(iommu, dma, false);
			continue;
		}
		t1_krestart(iommu, dma, t1_first_bit(dma, iova, pgshift), nbits, pgshift);
	}
	return 0;
}
