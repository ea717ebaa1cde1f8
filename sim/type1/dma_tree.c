// SPDX-License-Identifier: MIT
/*
 * dma_tree.c - the container's DMA mappings, a red-black tree keyed by
 * IOVA.  Mappings never overlap, so one comparison against a node's
 * [iova, iova + size) decides the way down.  The comparisons are the
 * kernel's, wrap-around included: a mapping that ends exactly at 2^64 has
 * an end of 0, which the kernel's tree mishandles and so does this one.
 */
#include "type1/type1.h"

/* Any mapping that overlaps [start, start + size); size 0 asks for one
 * that strictly contains start. */
struct t1_dma *t1_dma_find(struct t1_iommu *iommu, uint64_t start, uint64_t size)
{
	struct rb_node *n = iommu->dmas.rb_node;

	while (n) {
		struct t1_dma *dma = t1_dma_of(n);

		if (start + size <= dma->iova)
			n = n->rb_left;
		else if (start >= t1_dma_end(dma))
			n = n->rb_right;
		else
			return dma;
	}
	return NULL;
}

/*
 * The lowest mapping that ends above start, provided it begins below
 * start + size (size 0: no upper bound).  Unmap walks on from here.
 */
struct t1_dma *t1_dma_first_in(struct t1_iommu *iommu, uint64_t start, uint64_t size)
{
	struct rb_node *n = iommu->dmas.rb_node;
	struct t1_dma *best = NULL;

	while (n) {
		struct t1_dma *dma = t1_dma_of(n);

		if (start >= t1_dma_end(dma)) {
			n = n->rb_right;
			continue;
		}
		best = dma;
		if (start >= dma->iova)
			break;
		n = n->rb_left;
	}
	if (best && size && best->iova >= start + size)
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

void t1_dma_link(struct t1_iommu *iommu, struct t1_dma *dma)
{
	struct rb_node **link = &iommu->dmas.rb_node, *parent = NULL;

	while (*link) {
		struct t1_dma *cur = t1_dma_of(*link);

		parent = *link;
		link = t1_dma_end(dma) <= cur->iova ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&dma->node, parent, link);
	rb_insert_color(&dma->node, &iommu->dmas);
}

void t1_dma_unlink(struct t1_iommu *iommu, struct t1_dma *dma)
{
	rb_erase(&dma->node, &iommu->dmas);
}

unsigned long t1_dma_count(struct t1_iommu *iommu)
{
	unsigned long n = 0;
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		n++;
	return n;
}
