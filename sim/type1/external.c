// SPDX-License-Identifier: MIT
/*
 * external.c - what vendor drivers (mdev-like devices without an IOMMU of
 * their own) do through the container: pin guest pages, unpin them, read
 * and write guest memory by IOVA; and the registry of devices that must
 * be told when a range they may have pinned is unmapped.
 *
 * Pins are counted per page in the mapping's pfn tree.  With an IOMMU
 * domain present the pages are pinned and charged by the mapping itself,
 * so vendor pins are not charged again; without one each first pin of a
 * page charges it.  Only v2 containers offer this interface.
 *
 * An IOVA off the page boundary stands for the page holding it, as the
 * vfio_pin_pages() contract says (the caller adds the offset back to the
 * page it gets): pins are keyed by the page, so a replay into a new domain
 * finds them.  Linux's type1 keys them by the raw IOVA instead, which its
 * lookups miss before 6.18: docs/divergences.md (7).
 */
#include <errno.h>
#include <string.h>

#include "type1/type1.h"

/*
 * The vaddr_invalid_count test of vfio_iommu_type1_pin_pages() and
 * vfio_iommu_type1_dma_rw(): the kernel WARN_ONCE()s here, userspace broke
 * the UPDATE_VADDR rules.
 */
static bool t1_vaddrs_invalid(struct t1_iommu *iommu, bool *warned, const char *what)
{
	if (!iommu->vaddr_invalid_count)
		return false;
	if (!*warned) {
		*warned = true;
		HOST_WARN(iommu->h, "%s not allowed with VFIO_UPDATE_VADDR", what);
	}
	return true;
}

/*
 * npage (> 0) pages from iova run past 2^64: since 6.19 pin and unpin
 * refuse that up front (on the IOVA as given, offset included).
 */
static bool t1_pages_wrap(struct t1_iommu *iommu, uint64_t iova, int npage)
{
	uint64_t len = iommu->h->page_size * (uint64_t)npage;

	return npage > 0 && t1_since(iommu, T1_EOVERFLOW) && iova + (len - 1) < iova;
}

/* The unwind of vfio_iommu_type1_pin_pages(): the first n pins given back. */
static void t1_pin_unwind(struct t1_iommu *iommu, uint64_t user_iova, int n, uint64_t *pfns,
			  bool do_accounting)
{
	int j;

	for (j = 0; j < n; j++) {
		uint64_t iova = user_iova + iommu->h->page_size * (uint64_t)j;
		struct t1_dma *dma = t1_dma_find(iommu, iova, iova + iommu->h->page_size - 1);

		if (dma)
			t1_unpin_external(iommu, dma, iova, do_accounting);
		pfns[j] = 0;
	}
}

/*
 * vfio_iommu_type1_pin_pages(); a page pinned again takes one more
 * reference (vfio_iova_get_vfio_pfn()).
 */
int t1_pin_pages(void *data, struct vfiosim_group *g, uint64_t user_iova, int npage, int prot,
		 uint64_t *pfns)
{
	struct t1_iommu *iommu = data;
	struct vfiosim_host *h;
	bool do_accounting;
	struct t1_group *tg;
	int i, ret;

	if (!iommu || !pfns)
		return -EINVAL;
	/* Since 6.19 nothing can be asked of no pages (it joined the scope). */
	if (npage <= 0 && t1_since(iommu, T1_PIN_NPAGE_CHECK))
		return -EINVAL;
	if (!iommu->v2)
		return -EACCES;
	h = iommu->h;
	if (t1_pages_wrap(iommu, user_iova, npage))
		return -EOVERFLOW;
	if (t1_vaddrs_invalid(iommu, &iommu->warned_pin_busy, "pin_pages"))
		return -EBUSY;
	/* Nobody could be asked to give the pages back. */
	if (!iommu->devices)
		return -EINVAL;

	/* divergence: see docs/divergences.md (7) */
	user_iova &= ~(h->page_size - 1);
	do_accounting = !iommu->domains;
	for (i = 0; i < npage; i++) {
		uint64_t iova = user_iova + h->page_size * (uint64_t)i, pfn;
		struct t1_dma *dma = t1_dma_find(iommu, iova, iova + h->page_size - 1);
		struct t1_pfn *vpfn;

		if (!dma) {
			ret = -EINVAL;
			goto unwind;
		}
		if ((dma->prot & prot) != prot) {
			ret = -EPERM;
			goto unwind;
		}
		vpfn = t1_pfn_find(dma, iova);
		if (vpfn) {
			vpfn->refs++;
			pfns[i] = vpfn->pfn;
			continue;
		}
		ret = t1_pin_external(iommu, dma, dma->vaddr + (iova - dma->iova), &pfn,
				      do_accounting);
		if (ret)
			goto unwind;
		/* Vendor drivers need a struct page: no PFNMAP memory. */
		if (!host_pfn_valid(h, pfn)) {
			ret = -EINVAL;
			goto unwind;
		}
		ret = t1_pfn_add(iommu, dma, iova, pfn);
		if (ret) {
			if (t1_put_pfn(h, pfn, dma->prot) && do_accounting)
				t1_lock_acct(iommu, dma, -1);
			goto unwind;
		}
		pfns[i] = pfn;
		if (iommu->tracking)
			t1_dirty_mark(iommu, dma,
				      t1_shr(iova - dma->iova, t1_ffs(iommu->pgsize_bitmap)), 1);
	}

	tg = t1_group_find(iommu, g);
	if (tg) {
		bool was_covered = t1_provider_covered(iommu);

		t1_scope_promote(iommu, tg);
		t1_provider_settle(iommu, was_covered);
	} else
		HOST_WARN(h, "pin_pages by group %u, not in this container", g ? g->id : 0);
	return i;

unwind:
	pfns[i] = 0;
	t1_pin_unwind(iommu, user_iova, i, pfns, do_accounting);
	return ret;
}

/* vfio_iommu_type1_unpin_pages() */
void t1_unpin_pages(void *data, uint64_t user_iova, int npage)
{
	struct t1_iommu *iommu = data;
	struct vfiosim_host *h = iommu->h;
	bool do_accounting;
	int i;

	if (!iommu->v2) {
		HOST_WARN(h, "unpin_pages on a v1 container");
		return;
	}
	if (t1_pages_wrap(iommu, user_iova, npage)) {
		HOST_WARN(h, "unpin_pages of %d pages from 0x%llx wraps", npage,
			  (unsigned long long)user_iova);
		return;
	}
	user_iova &= ~(h->page_size - 1);
	do_accounting = !iommu->domains;
	for (i = 0; i < npage; i++) {
		uint64_t iova = user_iova + h->page_size * (uint64_t)i;
		struct t1_dma *dma = t1_dma_find(iommu, iova, iova + h->page_size - 1);

		if (!dma)
			break;
		t1_unpin_external(iommu, dma, iova, do_accounting);
	}
	/* Before 6.0 the count unpinned went back to the caller instead. */
	if (i != npage && t1_since(iommu, T1_PIN_BY_IOVA))
		HOST_WARN(h, "unpin_pages stopped at page %d of %d: iova not mapped", i, npage);
}

/* vfio_iommu_type1_dma_rw_chunk(): one mapping's worth; *done is what was copied. */
static int t1_dma_rw_chunk(struct t1_iommu *iommu, uint64_t iova, unsigned char *buf,
			   size_t len, bool write, size_t *done)
{
	struct vfiosim_host *h = iommu->h;
	struct t1_dma *dma = t1_dma_find(iommu, iova, iova);
	uint64_t offset, count;
	unsigned long left;

	*done = 0;
	if (!dma)
		return -EINVAL;
	if ((write && !(dma->prot & VFIOSIM_PROT_WRITE)) || !(dma->prot & VFIOSIM_PROT_READ))
		return -EPERM;
	offset = iova - dma->iova;
	count = len < dma->size - offset ? len : dma->size - offset;
	if (write)
		left = host_copy_to_user(h, dma->vaddr + offset, buf, count);
	else
		left = host_copy_from_user(h, buf, dma->vaddr + offset, count);
	/*
	 * A write that faults part-way has still changed the guest's memory
	 * before the fault; the kernel marks nothing then.
	 */
	/* divergence: see docs/divergences.md (6) */
	if (write && iommu->tracking && left < count) {
		unsigned int pgshift = t1_ffs(iommu->pgsize_bitmap);
		uint64_t first = t1_shr(offset, pgshift);
		uint64_t last = t1_shr(offset + (count - left) - 1, pgshift);

		t1_dirty_mark(iommu, dma, first, last - first + 1);
	}
	if (left)
		return -EFAULT;
	*done = count;
	return 0;
}

/* vfio_iommu_type1_dma_rw() */
int t1_dma_rw(void *data, uint64_t iova, void *buf, size_t len, bool write)
{
	struct t1_iommu *iommu = data;
	unsigned char *p = buf;
	size_t done;
	int ret = 0;

	if (t1_vaddrs_invalid(iommu, &iommu->warned_rw_busy, "dma_rw"))
		return -EBUSY;
	while (len) {
		ret = t1_dma_rw_chunk(iommu, iova, p, len, write, &done);
		if (ret)
			break;
		len -= done;
		p += done;
		iova += done;
	}
	return ret;
}

/* vfio_iommu_type1_register_device() */
void t1_register_device(void *data, struct host_device *dev)
{
	struct t1_iommu *iommu = data;
	struct t1_group *tg = t1_group_find(iommu, dev->group);

	if (!tg || tg->dev) {
		HOST_WARN(iommu->h, "device registered twice or without its group");
		return;
	}
	tg->dev = dev;
	tg->dev_next = iommu->devices;
	iommu->devices = tg;
}

/* vfio_iommu_type1_unregister_device() */
void t1_unregister_device(void *data, struct host_device *dev)
{
	struct t1_iommu *iommu = data;
	struct t1_group **link;

	for (link = &iommu->devices; *link; link = &(*link)->dev_next) {
		if ((*link)->dev == dev) {
			(*link)->dev = NULL;
			*link = (*link)->dev_next;
			return;
		}
	}
	HOST_WARN(iommu->h, "unregistering a device that was not registered");
}

/* vfio_notify_dma_unmap(): every registered device, newest first. */
void t1_notify_unmap(struct t1_iommu *iommu, uint64_t iova, uint64_t size)
{
	struct t1_group *tg, *next;

	for (tg = iommu->devices; tg; tg = next) {
		next = tg->dev_next;
		host_device_dma_unmap(tg->dev, iova, size);
	}
}
