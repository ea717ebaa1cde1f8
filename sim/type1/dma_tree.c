// SPDX-License-Identifier: MIT
/*
 * dma_tree.c - the container's DMA mappings, a red-black tree keyed by
 * IOVA.  Mappings never overlap, so one comparison against a node's
 * [iova, last] decides the way down.  Every comparison is between
 * inclusive last addresses: a mapping may end at 2^64, whose end would
 * wrap to 0 (Linux before 7.x compares ends, and loses such a mapping:
 * docs/divergences.md 8).
 *
 * The fast copy-out keeps an index of the mappings beside the tree
 * (fast_index.c): linking and unlinking tell it.
 */
#include "type1/type1.h"

/*
 * vfio_find_dma(): any mapping that overlaps [start, last] (start <= last),
 * given by its last byte rather than its size.
 */
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
 * vfio_find_dma_first_node(): the lowest mapping that ends at or above
 * start, provided it begins at or below last.  Unmap walks on from here.
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

/* The model's own walks, ceil and floor, go by where mappings start. */
static int dma_start_cmp(const void *key, const struct rb_node *n)
{
	uint64_t iova = *(const uint64_t *)key, start = t1_dma_of(n)->iova;

	return iova < start ? -1 : iova > start;
}

/* The lowest mapping that starts at or above iova (the model's own). */
struct t1_dma *t1_dma_ceil(struct t1_iommu *iommu, uint64_t iova)
{
	return t1_dma_of(rb_find_ceil(&iova, &iommu->dmas, dma_start_cmp));
}

/* The highest mapping that starts at or below iova (the model's own). */
struct t1_dma *t1_dma_floor(struct t1_iommu *iommu, uint64_t iova)
{
	return t1_dma_of(rb_find_floor(&iova, &iommu->dmas, dma_start_cmp));
}

/* vfio_link_dma() */
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
	t1_fast_stale(iommu);
}

/* vfio_unlink_dma() */
void t1_dma_unlink(struct t1_iommu *iommu, struct t1_dma *dma)
{
	rb_erase(&dma->node, &iommu->dmas);
	t1_fast_stale(iommu);
}

unsigned long t1_dma_count(struct t1_iommu *iommu)
{
	unsigned long n = 0;
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		n++;
	return n;
}
