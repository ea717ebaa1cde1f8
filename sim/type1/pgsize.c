// SPDX-License-Identifier: MIT
/*
 * pgsize.c - the page sizes the container offers: those every domain
 * supports.  Sizes below the CPU page are hidden behind PAGE_SIZE itself,
 * since pinning works in whole CPU pages anyway; with no domain at all,
 * every size from PAGE_SIZE up is offered.  Cached in the iommu and
 * recomputed whenever a domain comes or goes.
 */
#include "type1/type1.h"

/* vfio_update_pgsize_bitmap()'s computation, without storing it. */
uint64_t t1_pgsize_compute(const struct t1_iommu *iommu)
{
	uint64_t below_page = t1_page_size(iommu) - 1;
	uint64_t sizes = UINT64_MAX;
	const struct t1_domain *d;

	for (d = iommu->domains; d; d = d->next)
		sizes &= d->hd->pgsize_bitmap;
	if (sizes & below_page)
		sizes = (sizes & ~below_page) | t1_page_size(iommu);
	return sizes;
}

/*
 * vfio_update_pgsize_bitmap(); then, while tracking, the bitmaps follow
 * the new size (dirty.c), where the kernel leaves them as they are.
 */
void t1_pgsize_update(struct t1_iommu *iommu)
{
	unsigned int old_shift = t1_ffs(iommu->pgsize_bitmap);

	iommu->pgsize_bitmap = t1_pgsize_compute(iommu);
	t1_dirty_rescale(iommu, old_shift, t1_ffs(iommu->pgsize_bitmap));
}
