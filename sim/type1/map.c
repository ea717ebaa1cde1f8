// SPDX-License-Identifier: MIT
/*
 * map.c - VFIO_IOMMU_MAP_DMA.
 *
 * A new mapping enters the tree with size 0 and grows run by run as its
 * pages are pinned and mapped into every domain, so that a failure part
 * way can be undone by the ordinary removal path.  With no domain the
 * pages are left alone: vendor drivers pin what they need later.
 *
 * With VFIO_DMA_MAP_FLAG_VADDR the call instead gives a mapping whose
 * vaddr was invalidated a new one.  The kernel then moves the locked_vm
 * charge to the caller's mm if that changed; the simulated host has one
 * process, so there is nothing to move.
 */
#include <errno.h>
#include <stddef.h>

#include "type1/type1.h"

/* vfio_iommu_map(): one run of npage pfns from pfn into every domain, all or nothing. */
static int t1_map_run(struct t1_iommu *iommu, uint64_t iova, uint64_t pfn, long npage,
		      int prot)
{
	unsigned int shift = t1_page_shift(iommu);
	uint64_t len = (uint64_t)npage << shift;
	struct t1_domain *d, *done;
	int ret;

	for (d = iommu->domains; d; d = d->next) {
		ret = host_iommu_map(d->hd, iova, pfn << shift, len, prot);
		if (ret)
			goto unwind;
	}
	return 0;

unwind:
	for (done = iommu->domains; done != d; done = done->next)
		host_iommu_unmap(done->hd, iova, len);
	return ret;
}

/*
 * vfio_pin_map_dma(): pins and maps map_size bytes of a fresh mapping;
 * removes it on failure.
 */
static int t1_pin_map(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t map_size)
{
	uint64_t limit = host_mm_lock_limit(iommu->h), pfn, at;
	unsigned int shift = t1_page_shift(iommu);
	uint64_t left = map_size;
	struct t1_batch batch;
	long npage;
	int ret = 0;

	t1_batch_init(iommu, &batch);
	while (left) {
		npage = t1_pin_chunk(iommu, dma, dma->vaddr + dma->size, (long)(left >> shift),
				     &pfn, limit, &batch);
		if (npage <= 0) {
			if (!npage)
				HOST_WARN(iommu->h, "pinned nothing at vaddr 0x%llx",
					  (unsigned long long)(dma->vaddr + dma->size));
			ret = (int)npage;
			break;
		}
		/* The next IOVA to map: below 2^64 while anything is left. */
		at = dma->iova + dma->size;
		ret = t1_map_run(iommu, at, pfn, npage, dma->prot);
		if (ret) {
			t1_unpin_chunk(iommu, dma, at, pfn, npage, true);
			t1_batch_release(iommu, &batch, dma->prot);
			break;
		}
		left -= (uint64_t)npage << shift;
		dma->size += (uint64_t)npage << shift;
	}
	t1_batch_fini(iommu, &batch, dma->prot);
	dma->iommu_mapped = true;
	t1_fast_stale(iommu);
	if (ret)
		t1_remove_dma(iommu, dma);
	return ret;
}

/*
 * The VFIO_DMA_MAP_FLAG_VADDR branch of vfio_dma_do_map(): revalidate an
 * invalidated mapping.  No vfio_change_dma_owner(): one process.
 */
static int t1_map_new_vaddr(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova,
			    uint64_t size, uint64_t vaddr)
{
	if (!dma)
		return -ENOENT;
	if (!dma->vaddr_invalid || dma->iova != iova || dma->size != size)
		return -EINVAL;
	dma->vaddr = vaddr;
	dma->vaddr_invalid = false;
	iommu->vaddr_invalid_count--;
	return 0;
}

/*
 * The argument checks of vfio_dma_do_map(), in the order of the kernel
 * version followed: 0, or the errno of the first that fails.  Since 6.19
 * a range that wraps (iova or vaddr) is -EOVERFLOW and size and wrapping
 * are checked first; before, -EINVAL after the access and alignment
 * checks.  Before 5.12 (no VFIO_DMA_MAP_FLAG_VADDR) a missing access was
 * refused with the size.
 */
static int t1_map_args(struct t1_iommu *iommu, const struct vfio_iommu_type1_dma_map *req,
		       int prot, bool new_vaddr)
{
	uint64_t iova = req->iova, vaddr = req->vaddr, size = req->size;
	uint64_t pgsize = t1_min_pgsize(iommu);
	bool wraps = iova + size - 1 < iova || vaddr + size - 1 < vaddr;
	bool overflow = t1_since(iommu, T1_EOVERFLOW);

	if (overflow && !size)
		return -EINVAL;
	if (overflow && wraps)
		return -EOVERFLOW;
	/* Exactly one of: some access, or a new vaddr. */
	if (t1_since(iommu, T1_UPDATE_VADDR) && !prot == !new_vaddr)
		return -EINVAL;
	if (pgsize - 1 >= t1_page_size(iommu))
		HOST_WARN(iommu->h, "IOMMU page 0x%llx above PAGE_SIZE",
			  (unsigned long long)pgsize);
	if ((!prot && !new_vaddr) || !size || ((size | iova | vaddr) & (pgsize - 1)))
		return -EINVAL;
	return wraps ? -EINVAL : 0;
}

/* vfio_dma_do_map() */
static int t1_do_map(struct t1_iommu *iommu, const struct vfio_iommu_type1_dma_map *req)
{
	bool new_vaddr = req->flags & VFIO_DMA_MAP_FLAG_VADDR;
	uint64_t iova = req->iova, vaddr = req->vaddr, size = req->size;
	uint64_t pgsize = t1_min_pgsize(iommu);
	struct t1_dma *dma;
	int prot = 0, ret;

	/* MAP's flags are from the device's side: it writes to memory. */
	if (req->flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= VFIOSIM_PROT_WRITE;
	if (req->flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= VFIOSIM_PROT_READ;
	ret = t1_map_args(iommu, req, prot, new_vaddr);
	if (ret)
		return ret;

	/* The last byte may be the last IOVA: a mapping may end at 2^64. */
	dma = t1_dma_find(iommu, iova, iova + size - 1);
	if (new_vaddr)
		return t1_map_new_vaddr(iommu, dma, iova, size, vaddr);
	if (dma)
		return -EEXIST;
	if (!iommu->dma_avail)
		return -ENOSPC;
	if (!t1_iova_range_valid(iommu, iova, iova + size - 1))
		return -EINVAL;

	dma = host_alloc(iommu->h, sizeof(*dma), true);
	if (!dma)
		return -ENOMEM;
	iommu->dma_avail--;
	dma->iova = iova;
	dma->vaddr = vaddr;
	dma->prot = prot;
	dma->lock_cap = host_capable_ipc_lock(iommu->h);
	dma->pfns = RB_ROOT;
	t1_dma_link(iommu, dma);

	ret = 0;
	if (iommu->domains)
		ret = t1_pin_map(iommu, dma, size);
	else
		dma->size = size;

	if (!ret && iommu->tracking) {
		ret = t1_bitmap_alloc(iommu, dma, pgsize);
		if (ret)
			t1_remove_dma(iommu, dma);
	}
	return ret;
}

/* vfio_iommu_type1_map_dma() */
long t1_ioctl_map_dma(struct t1_iommu *iommu, unsigned long arg)
{
	const size_t minsz = offsetof(struct vfio_iommu_type1_dma_map, size) +
			     sizeof(uint64_t);
	struct vfio_iommu_type1_dma_map req;
	uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

	if (t1_since(iommu, T1_UPDATE_VADDR))
		known |= VFIO_DMA_MAP_FLAG_VADDR;
	if (host_copy_from_user(iommu->h, &req, arg, minsz))
		return -EFAULT;
	if (req.argsz < minsz || (req.flags & ~known))
		return -EINVAL;
	return t1_do_map(iommu, &req);
}
