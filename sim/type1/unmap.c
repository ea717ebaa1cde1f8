// SPDX-License-Identifier: MIT
/*
 * unmap.c - VFIO_IOMMU_UNMAP_DMA and the removal of mappings.
 *
 * v2 containers only unmap whole mappings: a range that cuts one fails.
 * v1 containers accept any range, take every mapping that starts inside
 * it whole, and quietly unmap nothing when the range begins inside a
 * mapping.  Mappings that vendor drivers still pin pages of cannot go:
 * the devices are told to let go, and the walk starts over.
 *
 * The IOMMU itself records which pfns back a mapping, so unpinning walks
 * the page table of the first domain after every other domain dropped
 * the range: translations must be gone before the pages are released.
 * The checks of the bitmap an UNMAP may carry are in bitmap_args.c.
 */
#include <errno.h>
#include <stddef.h>

#include "type1/type1.h"

/* How often the same mapping may be found still pinned after notifying. */
#define T1_UNMAP_RETRIES	10
/* Devices were told to unpin: look at the range afresh. */
#define T1_UNMAP_AGAIN		1

/*
 * The contiguity scan of vfio_unmap_unpin() and vfio_iommu_replay(): bytes
 * from iova on, at most left (> 0), that the domain maps to contiguous
 * phys.  Counted by offset: iova + left may be 2^64.
 */
uint64_t t1_phys_run(struct t1_iommu *iommu, struct host_domain *hd, uint64_t iova,
		     uint64_t phys, uint64_t left)
{
	uint64_t page = t1_page_size(iommu);
	/* Every page start inside the contiguous stretch passes the kernel's
	 * per-page test; only the pages past it are asked one by one. */
	uint64_t len = host_iommu_phys_contig(hd, iova, left) / page * page;

	if (len < page)
		len = page;
	while (len < left && host_iommu_iova_to_phys(hd, iova + len) == phys + len)
		len += page;
	return len;
}

/*
 * vfio_unmap_unpin(): unmaps the mapping from every domain and unpins its
 * pages, in runs of physically contiguous pages unless the domain would
 * take a whole superpage for its first page anyway.  Returns the pages
 * unpinned, or 0 when do_accounting already uncharged them.  One path
 * where the kernel has three (unmap_unpin_fast(), unmap_unpin_slow() and
 * vfio_sync_unpin()): the mock IOMMU has no IOTLB to flush in batches.
 */
long t1_unmap_unpin(struct t1_iommu *iommu, struct t1_dma *dma, bool do_accounting)
{
	struct vfiosim_host *h = iommu->h;
	struct t1_domain *first = iommu->domains, *d;
	uint64_t pos = 0;
	long unpinned = 0;

	if (!dma->size || !first)
		return 0;
	for (d = first->next; d; d = d->next)
		host_iommu_unmap(d->hd, dma->iova, dma->size);

	/* By offset into the mapping: its end may be 2^64. */
	while (pos < dma->size) {
		uint64_t iova = dma->iova + pos, len, done;
		uint64_t phys = host_iommu_iova_to_phys(first->hd, iova);

		if (!phys) {
			HOST_WARN(h, "iova 0x%llx of a mapping is not mapped",
				  (unsigned long long)iova);
			pos += h->page_size;
			continue;
		}
		len = first->fgsp ? h->page_size :
		      t1_phys_run(iommu, first->hd, iova, phys, dma->size - pos);
		done = host_iommu_unmap(first->hd, iova, len);
		if (!done) {
			HOST_WARN(h, "IOMMU refused to unmap iova 0x%llx",
				  (unsigned long long)iova);
			break;
		}
		unpinned += t1_unpin_chunk(iommu, dma, iova, phys >> h->page_shift,
					   (long)(done >> h->page_shift), false);
		pos += done;
	}
	dma->iommu_mapped = false;
	t1_fast_stale(iommu);
	if (!do_accounting)
		return unpinned;
	t1_lock_acct(iommu, dma, -unpinned);
	return 0;
}

/* vfio_remove_dma(), which also forgets the vendor pins' records (pfn_tree.c). */
void t1_remove_dma(struct t1_iommu *iommu, struct t1_dma *dma)
{
	if (!RB_EMPTY_ROOT(&dma->pfns))
		HOST_WARN(iommu->h, "mapping at 0x%llx removed with pages still pinned",
			  (unsigned long long)dma->iova);
	t1_provider_forget(iommu, dma);
	t1_unmap_unpin(iommu, dma, true);
	t1_dma_unlink(iommu, dma);
	t1_bitmap_free(iommu, dma);
	if (dma->vaddr_invalid)
		iommu->vaddr_invalid_count--;
	t1_pfn_forget_all(iommu, dma);
	host_free(iommu->h, dma);
	iommu->dma_avail++;
}

/* vfio_iommu_unmap_unpin_all() */
void t1_remove_all(struct t1_iommu *iommu)
{
	struct t1_dma *dma;

	while ((dma = t1_dma_first(iommu)))
		t1_remove_dma(iommu, dma);
}

/*
 * vfio_iommu_unmap_unpin_reaccount(): the last IOMMU domain is leaving
 * while emulated groups stay: mappings survive, unpinned, and the process
 * keeps being charged exactly for the real pages vendor drivers still pin.
 */
void t1_unmap_unpin_reaccount(struct t1_iommu *iommu)
{
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		long held = 0, unpinned = t1_unmap_unpin(iommu, dma, false);
		struct rb_node *p;

		for (p = rb_first(&dma->pfns); p; p = rb_next(p))
			if (!t1_pfn_rsvd(iommu->h, rb_entry(p, struct t1_pfn, node)->pfn))
				held++;
		t1_lock_acct(iommu, dma, held - unpinned);
	}
}

/*
 * The mapping the walk over [iova, last] takes after prev (NULL: the first
 * one).  A v1 walk that meets a mapping starting below iova stops there.
 */
static struct t1_dma *t1_unmap_next(struct t1_iommu *iommu, struct t1_dma *prev,
				    uint64_t iova, uint64_t last)
{
	struct t1_dma *dma = prev ? t1_dma_next(prev) : t1_dma_first_in(iommu, iova, last);

	if (!dma || dma->iova > last)
		return NULL;
	if (!iommu->v2 && iova > dma->iova)
		return NULL;
	return dma;
}

struct t1_unmap_state {
	struct t1_dma *last;		/* the mapping notified last */
	int retries;			/* consecutive notifications for it */
	bool resume;			/* an UNMAP with the bitmap looks for */
	uint64_t resume_iova;		/* pins from here on, then once more
					   over the whole range */
};

/*
 * The retry of vfio_dma_do_unmap() around vfio_notify_dma_unmap(): asks
 * the devices to unpin what they hold of dma.  The kernel BUG()s when
 * one mapping stays pinned through this many rounds; here that is a WARN
 * and -EBUSY.
 */
static int t1_unmap_settle(struct t1_iommu *iommu, struct t1_dma *dma,
			   struct t1_unmap_state *st)
{
	if (st->last == dma) {
		if (++st->retries > T1_UNMAP_RETRIES) {
			HOST_WARN(iommu->h, "mapping at 0x%llx still pinned after %d notifications",
				  (unsigned long long)dma->iova, T1_UNMAP_RETRIES + 1);
			return -EBUSY;
		}
	} else {
		st->last = dma;
		st->retries = 0;
	}
	/* The devices call back into unpin_pages: dma may be gone after this. */
	t1_notify_unmap(iommu, dma->iova, dma->size);
	return T1_UNMAP_AGAIN;
}

/*
 * The VFIO_DMA_UNMAP_FLAG_VADDR branch of vfio_dma_do_unmap(): all
 * mappings in range or none lose their vaddr.
 */
static int t1_invalidate_vaddrs(struct t1_iommu *iommu, uint64_t iova, uint64_t last,
				uint64_t *unmapped)
{
	struct t1_dma *first = t1_unmap_next(iommu, NULL, iova, last), *dma, *undo;

	for (dma = first; dma; dma = t1_unmap_next(iommu, dma, iova, last)) {
		if (dma->vaddr_invalid) {
			for (undo = first; undo != dma; undo = t1_dma_next(undo)) {
				undo->vaddr_invalid = false;
				iommu->vaddr_invalid_count--;
			}
			*unmapped = 0;
			return -EINVAL;
		}
		dma->vaddr_invalid = true;
		iommu->vaddr_invalid_count++;
		*unmapped += dma->size;
	}
	return 0;
}

/*
 * The first mapping of [iova, last] that vendor drivers still pin pages
 * of, looking from from on (the range's first mapping: NULL).
 */
static struct t1_dma *t1_unmap_pinned(struct t1_iommu *iommu, struct t1_dma *from,
				      uint64_t iova, uint64_t last)
{
	struct t1_dma *dma;

	for (dma = from ? from : t1_unmap_next(iommu, NULL, iova, last); dma;
	     dma = t1_unmap_next(iommu, dma, iova, last))
		if (!RB_EMPTY_ROOT(&dma->pfns))
			return dma;
	return NULL;
}

/*
 * vfio_dma_do_unmap() with GET_DIRTY_BITMAP, its update_user_bitmap()
 * calls made at once by t1_dirty_report().  The kernel copies and removes
 * mapping by mapping, so a fault on a later copy leaves the earlier
 * mappings gone with their dirty bits delivered to a call that failed.
 * Here pins are settled first, then every mapping's bits are copied, and
 * mappings are removed only once all copies succeeded.
 *
 * The kernel goes on after a notification from the mapping it notified
 * (the earlier ones are gone); so does the search for pins here, then it
 * looks over the whole range once more, in case a device pinned an
 * earlier mapping again while it was notified.  Each mapping is looked at
 * about twice, not once per notification.
 */
/* divergence: see docs/divergences.md (2) */
static int t1_unmap_with_dirty(struct t1_iommu *iommu, uint64_t iova, uint64_t last,
			       const struct vfio_bitmap *bm, uint64_t *unmapped,
			       struct t1_unmap_state *st)
{
	struct t1_dma *dma = NULL, *next;
	int ret;

	if (st->resume)
		dma = t1_dma_first_in(iommu, st->resume_iova, last);
	dma = st->resume && !dma ? NULL : t1_unmap_pinned(iommu, dma, iova, last);
	if (!dma && st->resume) {
		st->resume = false;
		dma = t1_unmap_pinned(iommu, NULL, iova, last);
	}
	if (dma) {
		st->resume = true;
		st->resume_iova = dma->iova;
		return t1_unmap_settle(iommu, dma, st);
	}
	/* v2 only (tracking needs it): the range cuts no mapping. */
	ret = t1_dirty_report(iommu, (uint64_t)(uintptr_t)bm->data, iova, last - iova + 1,
			      bm->pgsize, false);
	if (ret)
		return ret;
	for (dma = t1_unmap_next(iommu, NULL, iova, last); dma; dma = next) {
		next = t1_unmap_next(iommu, dma, iova, last);
		*unmapped += dma->size;
		t1_remove_dma(iommu, dma);
	}
	return 0;
}

/* vfio_dma_do_unmap() */
static int t1_do_unmap(struct t1_iommu *iommu, struct vfio_iommu_type1_dma_unmap *unmap,
		       const struct vfio_bitmap *bm)
{
	bool all = unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL;
	bool invalidate = unmap->flags & VFIO_DMA_UNMAP_FLAG_VADDR;
	bool dirty = unmap->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	uint64_t iova = unmap->iova, size = unmap->size, last, pgsize, unmapped = 0;
	struct t1_unmap_state st = { NULL, 0, false, 0 };
	struct t1_dma *dma, *next;
	int ret;

	/* Vendor drivers could not pin or read while vaddrs are invalid. */
	if (invalidate && iommu->emulated)
		return -EBUSY;
	pgsize = t1_min_pgsize(iommu);
	if (iova & (pgsize - 1))
		return -EINVAL;
	last = iova + size - 1;
	if (all) {
		if (iova || size)
			return -EINVAL;
		last = UINT64_MAX;
	} else if (!size || (size & (pgsize - 1))) {
		return -EINVAL;
	} else if (last < iova) {
		return t1_since(iommu, T1_EOVERFLOW) ? -EOVERFLOW : -EINVAL;
	}
	if (dirty) {
		ret = t1_bitmap_unit_check(iommu, bm->pgsize);
		if (ret)
			return ret;
	}
	if (pgsize - 1 >= t1_page_size(iommu))
		HOST_WARN(iommu->h, "IOMMU page 0x%llx above PAGE_SIZE",
			  (unsigned long long)pgsize);

restart:
	if (iommu->v2 && !all && t1_range_cuts_dma(iommu, iova, last))
		return -EINVAL;

	if (invalidate) {
		ret = t1_invalidate_vaddrs(iommu, iova, last, &unmapped);
		goto out;
	}
	if (dirty) {
		ret = t1_unmap_with_dirty(iommu, iova, last, bm, &unmapped, &st);
		if (ret == T1_UNMAP_AGAIN)
			goto restart;
		goto out;
	}

	for (dma = t1_unmap_next(iommu, NULL, iova, last); dma; dma = next) {
		if (!RB_EMPTY_ROOT(&dma->pfns)) {
			ret = t1_unmap_settle(iommu, dma, &st);
			if (ret == T1_UNMAP_AGAIN)
				goto restart;
			return ret;
		}
		next = t1_unmap_next(iommu, dma, iova, last);
		unmapped += dma->size;
		t1_remove_dma(iommu, dma);
	}
	ret = 0;
out:
	unmap->size = unmapped;
	return ret;
}

/* vfio_iommu_type1_unmap_dma() */
long t1_ioctl_unmap_dma(struct t1_iommu *iommu, unsigned long arg)
{
	const size_t minsz = offsetof(struct vfio_iommu_type1_dma_unmap, size) +
			     sizeof(uint64_t);
	uint32_t known = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	struct vfio_iommu_type1_dma_unmap req;
	struct vfio_bitmap bm = { 0 };
	bool dirty;
	int ret;

	if (t1_since(iommu, T1_UPDATE_VADDR))
		known |= VFIO_DMA_UNMAP_FLAG_VADDR;
	if (t1_since(iommu, T1_UNMAP_ALL))
		known |= VFIO_DMA_UNMAP_FLAG_ALL;
	if (host_copy_from_user(iommu->h, &req, arg, minsz))
		return -EFAULT;
	if (req.argsz < minsz || (req.flags & ~known))
		return -EINVAL;
	dirty = req.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	/* The bitmap goes with neither a whole-space nor a vaddr-only unmap. */
	if (dirty && (req.flags & (VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR)))
		return -EINVAL;
	if (dirty) {
		if (req.argsz < minsz + sizeof(bm))
			return -EINVAL;
		if (host_copy_from_user(iommu->h, &bm, arg + minsz, sizeof(bm)))
			return -EFAULT;
		ret = t1_bitmap_arg_check(iommu, &bm, req.size);
		if (ret)
			return ret;
	}
	ret = t1_do_unmap(iommu, &req, &bm);
	if (ret)
		return ret;
	return host_copy_to_user(iommu->h, arg, &req, minsz) ? -EFAULT : 0;
}
