// SPDX-License-Identifier: MIT
/*
 * pfn_tree.c - per mapping, the pages vendor drivers pinned through the
 * external interface, keyed by IOVA.  A page pinned n times has one node
 * with refs == n and holds one pin on the host page; the last put gives
 * that pin back.
 */
#include <errno.h>

#include "type1/type1.h"

static struct t1_pfn *t1_pfn_of(struct rb_node *n)
{
	return rb_entry_safe(n, struct t1_pfn, node);
}

/* vfio_find_vpfn() */
struct t1_pfn *t1_pfn_find(struct t1_dma *dma, uint64_t iova)
{
	struct rb_node *n = dma->pfns.rb_node;

	while (n) {
		struct t1_pfn *p = t1_pfn_of(n);

		if (iova == p->iova)
			return p;
		n = iova < p->iova ? n->rb_left : n->rb_right;
	}
	return NULL;
}

/*
 * How many pages of [iova, iova + len) vendor drivers pinned: the
 * per-page vfio_find_vpfn() of a pin or unpin loop, for a whole run.
 * Counted by offset: iova + len may be 2^64.
 */
uint64_t t1_pfn_count(struct t1_dma *dma, uint64_t iova, uint64_t len)
{
	struct rb_node *n = dma->pfns.rb_node, *ceil = NULL;
	uint64_t count = 0;

	while (n) {
		if (t1_pfn_of(n)->iova >= iova) {
			ceil = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	for (n = ceil; n && t1_pfn_of(n)->iova - iova < len; n = rb_next(n))
		count++;
	return count;
}

/* vfio_add_to_pfn_list() with vfio_link_pfn() */
int t1_pfn_add(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova, uint64_t pfn)
{
	struct rb_node **link = &dma->pfns.rb_node, *parent = NULL;
	struct t1_pfn *p = host_alloc(iommu->h, sizeof(*p), true);

	if (!p)
		return -ENOMEM;
	p->iova = iova;
	p->pfn = pfn;
	p->refs = 1;
	while (*link) {
		parent = *link;
		link = iova < t1_pfn_of(parent)->iova ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&p->node, parent, link);
	rb_insert_color(&p->node, &dma->pfns);
	t1_fast_pinned(iommu, dma, iova);
	return 0;
}

/*
 * vfio_iova_put_vfio_pfn(), with vfio_remove_from_pfn_list() and
 * vfio_unlink_pfn(): drops one reference; returns 1 if that released a
 * pin on a real page.
 */
int t1_pfn_put(struct t1_iommu *iommu, struct t1_dma *dma, struct t1_pfn *vpfn)
{
	int unpinned;

	if (--vpfn->refs)
		return 0;
	unpinned = t1_put_pfn(iommu->h, vpfn->pfn, dma->prot);
	rb_erase(&vpfn->node, &dma->pfns);
	t1_fast_unpinned(iommu, dma);
	host_free(iommu->h, vpfn);
	return unpinned;
}

/*
 * A mapping removed while vendor drivers still hold pins: the kernel
 * (vfio_remove_dma()) frees the mapping and leaks the records and the
 * pins with it.  The
 * pins (and their locked_vm charge) stay leaked here too; only the
 * records' memory is returned.
 */
void t1_pfn_forget_all(struct t1_iommu *iommu, struct t1_dma *dma)
{
	struct rb_node *n;

	while ((n = rb_first(&dma->pfns))) {
		rb_erase(n, &dma->pfns);
		host_free(iommu->h, t1_pfn_of(n));
	}
	t1_fast_unpinned(iommu, dma);
}
