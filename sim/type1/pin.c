// SPDX-License-Identifier: MIT
/*
 * pin.c - pinning the process's pages behind a mapping, and letting them
 * go.
 *
 * Pages are pinned in runs of consecutive pfns (the IOMMU maps a run with
 * one call and can use large pages for it), fetched through a batch of
 * PAGE_SIZE / 8 entries, or one entry when huge pages are disabled (then
 * every run is a single page).  A pfn without struct page (a PFNMAP range)
 * or a reserved one is neither pinned nor charged, and never shares a run
 * with ordinary pages.  Ordinary pages are charged to locked_vm unless a
 * vendor driver already pinned them through this mapping (then they were
 * charged at that time); the memlock limit is checked page by page before
 * anything is charged, as the kernel does.
 *
 * What the kernel does page by page is done here a run at a time where
 * the outcome is the same: a batch of consecutive pfns is one run of any
 * length, its vendor-pinned pages are counted in the pfn tree, the limit
 * is checked once for its charge (a check that fails undoes the whole
 * chunk, so where it failed does not show), and pins go back by
 * stretches.  A guest of many TiB then maps and unmaps in a few steps per
 * mapping, not per page.
 */
#include <errno.h>

#include "type1/type1.h"

/* is_invalid_reserved_pfn(): no struct page, or a reserved one. */
bool t1_pfn_rsvd(struct vfiosim_host *h, uint64_t pfn)
{
	return !host_pfn_valid(h, pfn) || host_pfn_reserved(h, pfn);
}

/* put_pfn(): gives back one pin; returns 1 if the pfn was a real, pinned page. */
int t1_put_pfn(struct vfiosim_host *h, uint64_t pfn, int prot)
{
	if (t1_pfn_rsvd(h, pfn))
		return 0;
	host_mm_unpin_page(h, pfn, prot & VFIOSIM_PROT_WRITE);
	return 1;
}

/*
 * put_pfn() on npage consecutive pfns, the ordinary pages a stretch at a
 * time; returns how many were real, pinned pages.
 */
uint64_t t1_put_pfns(struct vfiosim_host *h, uint64_t pfn, uint64_t npage, int prot)
{
	uint64_t done = 0, real = 0, k;

	while (done < npage) {
		k = host_pfn_ram_run(h, pfn + done, npage - done);
		if (k) {
			host_mm_unpin_pages(h, pfn + done, k, prot & VFIOSIM_PROT_WRITE);
			real += k;
		} else {
			k = 1;
		}
		done += k;
	}
	return real;
}

/*
 * vfio_lock_acct() with mm_lock_acct(): charges (npage > 0) or uncharges
 * the process for the mapping's pages.  There is one process: no mm to
 * look up, no task that may have exited.
 */
int t1_lock_acct(struct t1_iommu *iommu, struct t1_dma *dma, long npage)
{
	int ret;

	if (!npage)
		return 0;
	ret = host_mm_account(iommu->h, npage, dma->lock_cap);
	if (!ret)
		dma->locked_vm += (uint64_t)npage;
	return ret;
}

/*
 * vfio_batch_init() (7.3: __vfio_batch_init()); when it falls back to one
 * entry, in effect vfio_batch_init_single().
 */
void t1_batch_init(struct t1_iommu *iommu, struct t1_batch *b)
{
	struct vfiosim_host *h = iommu->h;

	b->size = 0;
	b->offset = 0;
	b->run = false;
	b->pfns = NULL;
	/* Without a page for the array the batch still works, one at a time. */
	if (!h->cfg.disable_hugepages)
		b->pfns = host_alloc(h, h->page_size, false);
	if (b->pfns) {
		b->cap = (long)(h->page_size / sizeof(*b->pfns));
	} else {
		b->pfns = &b->one;
		b->cap = 1;
	}
}

/* vfio_batch_unpin(): unpins the pfns still waiting in the batch. */
void t1_batch_release(struct t1_iommu *iommu, struct t1_batch *b, int prot)
{
	if (b->run) {
		t1_put_pfns(iommu->h, b->run_pfn, (uint64_t)b->size, prot);
		b->size = 0;
		b->run = false;
	}
	for (; b->size; b->size--, b->offset++)
		t1_put_pfn(iommu->h, b->pfns[b->offset], prot);
}

/* vfio_batch_fini(), which also gives back what still waits. */
void t1_batch_fini(struct t1_iommu *iommu, struct t1_batch *b, int prot)
{
	t1_batch_release(iommu, b, prot);
	if (b->pfns != &b->one)
		host_free(iommu->h, b->pfns);
}

/*
 * vaddr_get_pfns() with follow_fault_pfn(): up to npages pfns from vaddr
 * on.  Pins ordinary pages, or looks up a single pfn of a PFNMAP range
 * (which is not pinned, and must be invalid or reserved).  Returns how
 * many pfns were stored, or -errno.
 */
static long t1_get_pfns(struct vfiosim_host *h, uint64_t vaddr, long npages, int prot,
			uint64_t *pfns)
{
	bool write = prot & VFIOSIM_PROT_WRITE;
	struct host_vma *vma;
	long ret;
	int err;

	ret = host_mm_pin_pages(h, vaddr, npages, write, pfns);
	if (ret > 0)
		return ret;
	vma = host_mm_find_vma(h, vaddr);
	if (vma && (vma->flags & VFIOSIM_MM_PFNMAP)) {
		err = host_mm_follow_pfn(h, vaddr, write, &pfns[0]);
		if (err)
			return err;
		return t1_pfn_rsvd(h, pfns[0]) ? 1 : -EFAULT;
	}
	return ret ? ret : -EFAULT;
}

/*
 * Refills the empty batch from vaddr: a run of consecutive pfns if the
 * batch has room for more than one, else what vaddr_get_pfns() gives.
 */
static long t1_batch_fill(struct vfiosim_host *h, struct t1_batch *b, uint64_t vaddr,
			  long npage, int prot)
{
	long ret;

	b->offset = 0;
	b->run = false;
	if (b->cap > 1) {
		ret = host_mm_pin_run(h, vaddr, npage, prot & VFIOSIM_PROT_WRITE, &b->run_pfn);
		if (ret > 0) {
			b->run = true;
			b->size = ret;
			return ret;
		}
	}
	ret = t1_get_pfns(h, vaddr, npage < b->cap ? npage : b->cap, prot, b->pfns);
	b->size = ret > 0 ? ret : 0;
	return ret;
}

static uint64_t t1_batch_pfn(const struct t1_batch *b)
{
	return b->run ? b->run_pfn : b->pfns[b->offset];
}

static void t1_batch_take(struct t1_batch *b, long n)
{
	b->size -= n;
	if (b->run)
		b->run_pfn += (uint64_t)n;
	else
		b->offset += n;
	if (!b->size)
		b->run = false;
}

/*
 * vfio_pin_pages_remote(): pins one run of consecutive pfns of the
 * mapping, starting at vaddr and at most npage long; the run's first pfn
 * goes to *pfn_base.  Pfns that were fetched but do not continue the run
 * wait in the batch for the next call.  Returns the run's length, or
 * -errno with nothing left pinned.
 */
long t1_pin_chunk(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t vaddr, long npage,
		  uint64_t *pfn_base, uint64_t limit, struct t1_batch *b)
{
	struct vfiosim_host *h = iommu->h;
	uint64_t iova = vaddr - dma->vaddr + dma->iova;
	long pinned = 0, ret;
	uint64_t charge = 0;
	bool rsvd = false;

	*pfn_base = 0;
	while (npage) {
		if (!b->size) {
			ret = t1_batch_fill(h, b, vaddr, npage, dma->prot);
			if (ret < 0)
				goto undo;
		}
		if (!pinned) {
			*pfn_base = t1_batch_pfn(b);
			rsvd = t1_pfn_rsvd(h, *pfn_base);
		}
		while (b->size && npage) {
			uint64_t pfn = t1_batch_pfn(b), want;
			long n = b->run ? (b->size < npage ? b->size : npage) : 1;

			if (pfn != *pfn_base + (uint64_t)pinned || rsvd != t1_pfn_rsvd(h, pfn))
				goto charge;
			/* Pages a vendor driver pinned here are charged already. */
			if (!rsvd) {
				want = (uint64_t)n - t1_pfn_count(dma, iova, (uint64_t)n << h->page_shift);
				if (want && !dma->lock_cap &&
				    host_mm_locked_vm(h) + charge + want > limit) {
					ret = -ENOMEM;
					goto undo;
				}
				charge += want;
			}
			pinned += n;
			npage -= n;
			vaddr += (uint64_t)n << h->page_shift;
			iova += (uint64_t)n << h->page_shift;
			t1_batch_take(b, n);
		}
		if (h->cfg.disable_hugepages)
			break;
	}
charge:
	ret = t1_lock_acct(iommu, dma, (long)charge);
	if (!ret)
		return pinned;
undo:
	if (!rsvd)
		t1_put_pfns(h, *pfn_base, (uint64_t)pinned, dma->prot);
	t1_batch_release(iommu, b, dma->prot);
	return ret;
}

/*
 * vfio_unpin_pages_remote(): unpins npage consecutive pfns mapped from
 * iova on; returns how many were real pages.  With do_accounting the
 * charge for them is dropped, except for pages a vendor driver still holds
 * (their charge stays until the driver unpins them; 7.3 counts those with
 * vpfn_pages() and vfio_find_vpfn_range(), and unpins a run of ordinary
 * pages at once with put_valid_unreserved_pfns(), as is done here for
 * every version: the outcome is the same).
 */
long t1_unpin_chunk(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova, uint64_t pfn,
		    long npage, bool do_accounting)
{
	struct vfiosim_host *h = iommu->h;
	long unpinned = 0, still_held = 0, i, k;

	for (i = 0; i < npage; i += k) {
		k = (long)host_pfn_ram_run(h, pfn + (uint64_t)i, (uint64_t)(npage - i));
		if (!k) {
			k = 1;
			continue;
		}
		host_mm_unpin_pages(h, pfn + (uint64_t)i, (uint64_t)k,
				    dma->prot & VFIOSIM_PROT_WRITE);
		unpinned += k;
		still_held += (long)t1_pfn_count(dma, iova + ((uint64_t)i << h->page_shift),
						 (uint64_t)k << h->page_shift);
	}
	if (do_accounting)
		t1_lock_acct(iommu, dma, still_held - unpinned);
	return unpinned;
}

/*
 * vfio_pin_page_external(): one page for a vendor driver; charged only
 * when asked (no domain).
 */
int t1_pin_external(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t vaddr,
		    uint64_t *pfn, bool do_accounting)
{
	long got = t1_get_pfns(iommu->h, vaddr, 1, dma->prot, pfn);
	int ret;

	if (got != 1)
		return (int)got;
	if (!do_accounting || t1_pfn_rsvd(iommu->h, *pfn))
		return 0;
	ret = t1_lock_acct(iommu, dma, 1);
	if (ret)
		t1_put_pfn(iommu->h, *pfn, dma->prot);
	return ret;
}

/*
 * vfio_unpin_page_external(): drops one vendor pin at iova; returns 1 if
 * a page was unpinned.
 */
int t1_unpin_external(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova,
		      bool do_accounting)
{
	struct t1_pfn *vpfn = t1_pfn_find(dma, iova);
	int unpinned;

	if (!vpfn)
		return 0;
	unpinned = t1_pfn_put(iommu, dma, vpfn);
	if (do_accounting)
		t1_lock_acct(iommu, dma, -unpinned);
	return unpinned;
}
