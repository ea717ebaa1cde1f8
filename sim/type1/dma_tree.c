// SPDX-License-Identifier: MIT
/*
 * dma_tree.c - the container's DMA mappings, a red-black tree keyed by
 * IOVA.  Mappings never overlap, so one comparison against a node's
 * [iova, last] decides the way down.  Every comparison is between
 * inclusive last addresses: a mapping may end at 2^64, whose end would
 * wrap to 0 (Linux before 7.x compares ends, and loses such a mapping:
 * docs/divergences.md 8).
 *
 * Walking thousands of nodes costs a cache miss or more per node, every
 * step depending on the last.  Reports walk an index instead: an array of
 * the mappings in order, rebuilt on the first walk after the tree changed,
 * whose entries can be fetched ahead.  Its entries are values: a report
 * places a quiet mapping (nothing marked, nothing pinned) from its entry
 * alone, without a cache miss on the mapping.  Whatever changes what an
 * entry says makes the index stale, or (marks and pins, too frequent for
 * a rebuild) updates the entry (t1_dma_index_note()); t1_dirty_check()
 * compares the two.  It is the simulator's own aid, not kernel state:
 * plain malloc, out of the reach of fault injection, and a walk without
 * it (no memory) takes the tree.
 */
#include <stdlib.h>

#include "type1/dirty.h"

/* Any mapping that overlaps [start, last] (start <= last). */
/* divergence: see docs/divergences.md (8) */
struct t1_dma *t1_dma_find(struct t1_iommu *iommu, uint64_t start, uint64_t last)
{
	struct rb_node *n = iommu->dmas.rb_node;

	while (n) {
		struct t1_dma *dma = t1_dma_of(n);

		if (last < dma->iova)
			n = n->rb_left;
		else if (start > t1_dma_last(dma))
			n = n->rb_right;
		else
			return dma;
	}
	return NULL;
}

/*
 * The lowest mapping that ends at or above start, provided it begins at or
 * below last.  Unmap walks on from here.
 */
struct t1_dma *t1_dma_first_in(struct t1_iommu *iommu, uint64_t start, uint64_t last)
{
	struct rb_node *n = iommu->dmas.rb_node;
	struct t1_dma *best = NULL;

	while (n) {
		struct t1_dma *dma = t1_dma_of(n);

		if (start > t1_dma_last(dma)) {
			n = n->rb_right;
			continue;
		}
		best = dma;
		if (start >= dma->iova)
			break;
		n = n->rb_left;
	}
	if (best && best->iova > last)
		return NULL;
	return best;
}

/* The lowest mapping that starts at or above iova. */
struct t1_dma *t1_dma_ceil(struct t1_iommu *iommu, uint64_t iova)
{
	struct rb_node *n = iommu->dmas.rb_node;
	struct t1_dma *best = NULL;

	while (n) {
		struct t1_dma *dma = t1_dma_of(n);

		if (dma->iova >= iova) {
			best = dma;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

/* The highest mapping that starts at or below iova. */
struct t1_dma *t1_dma_floor(struct t1_iommu *iommu, uint64_t iova)
{
	struct rb_node *n = iommu->dmas.rb_node;
	struct t1_dma *best = NULL;

	while (n) {
		struct t1_dma *dma = t1_dma_of(n);

		if (dma->iova <= iova) {
			best = dma;
			n = n->rb_right;
		} else {
			n = n->rb_left;
		}
	}
	return best;
}

void t1_dma_link(struct t1_iommu *iommu, struct t1_dma *dma)
{
	struct rb_node **link = &iommu->dmas.rb_node, *parent = NULL;

	while (*link) {
		struct t1_dma *cur = t1_dma_of(*link);

		parent = *link;
		/* dma is linked with size 0: its start alone places it. */
		link = dma->iova <= cur->iova ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&dma->node, parent, link);
	rb_insert_color(&dma->node, &iommu->dmas);
	iommu->dma_index_ok = false;
}

void t1_dma_unlink(struct t1_iommu *iommu, struct t1_dma *dma)
{
	rb_erase(&dma->node, &iommu->dmas);
	iommu->dma_index_ok = false;
}

/*
 * What an entry says of a mapping, its bits counted in pages of 2^shift
 * bytes.  With T1_ENT_NEXT the next mapping's bits follow its bits in any
 * report, wherever the report starts.
 */
static unsigned int t1_dma_ent_flags(const struct t1_dma *dma, const struct t1_dma *next,
				     uint64_t nbits, unsigned int shift)
{
	unsigned int f = t1_dma_quiet(dma) ? T1_ENT_QUIET : 0;

	if (dma->bitmap && nbits && nbits <= dma->bitmap_pages)
		f |= T1_ENT_ROOM;
	if (dma->iommu_mapped)
		f |= T1_ENT_MAPPED;
	if (next && next->iova - 1 == t1_dma_last(dma) && shift < 64 &&
	    !(dma->size & ((1ULL << shift) - 1)))
		f |= T1_ENT_NEXT;
	return f;
}

/*
 * The mappings in the tree's order, *len of them, each at its index_pos;
 * NULL without memory for it.  The entries' bits are counted in the
 * container's smallest page size of the moment.
 */
struct t1_dma_ent *t1_dma_index(struct t1_iommu *iommu, unsigned long *len)
{
	unsigned int shift = t1_ffs(iommu->pgsize_bitmap);
	struct t1_dma *dma, *next;
	unsigned long n = 0;
	struct t1_dma_ent *v;

	if (!iommu->dma_index_ok) {
		n = t1_dma_count(iommu);
		if (n > iommu->dma_index_cap) {
			v = realloc(iommu->dma_index, n * sizeof(*v));
			if (!v)
				return NULL;
			iommu->dma_index = v;
			iommu->dma_index_cap = n;
		}
		n = 0;
		for (dma = t1_dma_first(iommu); dma; dma = next) {
			next = t1_dma_next(dma);
			v = iommu->dma_index + n;
			dma->index_pos = n++;
			v->iova = dma->iova;
			v->nbits = t1_dirty_nbits(dma, shift);
			v->dma = dma;
			v->flags = t1_dma_ent_flags(dma, next, v->nbits, shift);
		}
		iommu->dma_index_len = n;
		iommu->dma_index_shift = shift;
		iommu->dma_index_ok = true;
	}
	*len = iommu->dma_index_len;
	return iommu->dma_index;
}

/* An index said to be up to date says of every mapping what it would if rebuilt. */
int t1_dma_index_check(struct t1_iommu *iommu, char *why, size_t len)
{
	const struct t1_dma_ent *e;
	unsigned long i = 0;
	struct t1_dma *dma;

	if (!iommu->dma_index_ok)
		return 0;
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma), i++) {
		if (i >= iommu->dma_index_len)
			return host_check_fail(why, len, "index of %lu mappings, the tree has more",
					       iommu->dma_index_len);
		e = iommu->dma_index + i;
		if (e->dma != dma || dma->index_pos != i || e->iova != dma->iova ||
		    e->nbits != t1_dirty_nbits(dma, iommu->dma_index_shift) ||
		    e->flags != t1_dma_ent_flags(dma, t1_dma_next(dma), e->nbits,
						 iommu->dma_index_shift))
			return host_check_fail(why, len, "index entry %lu (0x%llx, %llu bits, flags"
					       " %u) does not match mapping 0x%llx", i,
					       (unsigned long long)e->iova,
					       (unsigned long long)e->nbits, e->flags,
					       (unsigned long long)dma->iova);
	}
	if (i != iommu->dma_index_len)
		return host_check_fail(why, len, "index of %lu mappings, the tree has %lu",
				       iommu->dma_index_len, i);
	return 0;
}

void t1_dma_index_free(struct t1_iommu *iommu)
{
	free(iommu->dma_index);
	iommu->dma_index = NULL;
	iommu->dma_index_len = iommu->dma_index_cap = 0;
	iommu->dma_index_ok = false;
}

unsigned long t1_dma_count(struct t1_iommu *iommu)
{
	unsigned long n = 0;
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		n++;
	return n;
}
