// SPDX-License-Identifier: MIT
/*
 * bitmap_args.c - the bounds of a user's dirty bitmap: what GET_BITMAP
 * (dirty.c) and UNMAP_DMA with GET_DIRTY_BITMAP (unmap.c) ask of the
 * struct vfio_bitmap they are given and of the range it covers.
 *
 * Both make the same checks, each at its own point in its order of checks
 * (which decides the errno when several fail): the bitmap is the user's
 * and large enough for the range, as soon as it is read; bits come in the
 * container's smallest page size, and only while tracking; the range
 * neither starts nor ends inside a mapping.
 */
#include <errno.h>

#include "type1/type1.h"

/*
 * verify_bitmap_size(): a bitmap of bytes holds a bit for each of npages
 * pages (neither 0), and is no larger than a bitmap can be.
 */
int t1_verify_bitmap_size(uint64_t npages, uint64_t bytes)
{
	if (!npages || !bytes || bytes > T1_BITMAP_BYTES_MAX || bytes < T1_BITMAP_BYTES(npages))
		return -EINVAL;
	return 0;
}

/*
 * What vfio_iommu_type1_dirty_pages() (GET_BITMAP) and
 * vfio_iommu_type1_unmap_dma() check of the struct vfio_bitmap as soon as
 * they have it: the user may write it, and it has room for size bytes of
 * IOVA in its page size.
 */
int t1_bitmap_arg_check(struct t1_iommu *iommu, const struct vfio_bitmap *bm, uint64_t size)
{
	if (!host_access_ok(iommu->h, (uint64_t)(uintptr_t)bm->data, bm->size))
		return -EINVAL;
	return t1_verify_bitmap_size(t1_shr(size, t1_ffs(bm->pgsize)), bm->size);
}

/*
 * Bits come one per page of the container's smallest IOMMU page size, and
 * only while tracking: checked by vfio_iommu_type1_dirty_pages() (GET_BITMAP)
 * and by vfio_dma_do_unmap().
 */
int t1_bitmap_unit_check(struct t1_iommu *iommu, uint64_t pgsize)
{
	if (!iommu->tracking || pgsize != t1_min_pgsize(iommu))
		return -EINVAL;
	return 0;
}

/*
 * [iova, last] starts or ends inside a mapping: vfio_iova_dirty_bitmap()
 * refuses such a range, and so does vfio_dma_do_unmap() on a v2 container.
 */
bool t1_range_cuts_dma(struct t1_iommu *iommu, uint64_t iova, uint64_t last)
{
	struct t1_dma *dma = t1_dma_find(iommu, iova, iova);

	if (dma && dma->iova != iova)
		return true;
	dma = t1_dma_find(iommu, last, last);
	return dma && t1_dma_last(dma) != last;
}
