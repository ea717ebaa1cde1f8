// SPDX-License-Identifier: MIT
/*
 * attach.c - groups joining and leaving the container.
 *
 * An emulated group only joins a list.  A group behind an IOMMU gets a new
 * domain, which must fit the container: its aperture must cover every
 * mapping and its reserved regions must not hit one.  The new IOVA ranges
 * are computed on a copy.  If an existing domain of the same IOMMU driver
 * (and the same cache coherency) takes the group, the new domain is
 * dropped; otherwise every mapping is replayed into it and it becomes the
 * first domain.  Every failure undoes exactly what was done before it.
 *
 * A leaving group may take its domain with it; when that was the last
 * domain, the mappings go too, or merely lose their pins when emulated
 * groups remain.  The IOVA ranges then widen again.
 */
#include <errno.h>

#include "type1/type1.h"

/*
 * vfio_iommu_has_sw_msi(): a software-managed MSI window, unless the IOMMU
 * reserves a real one.
 */
static bool t1_resv_sw_msi(const struct vfiosim_resv_region *resv, unsigned int nr,
			   uint64_t *base)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (resv[i].type == VFIOSIM_RESV_MSI)
			return false;
		/* The kernel's sorted list leaves it at the highest one. */
		if (resv[i].type == VFIOSIM_RESV_SW_MSI && (!found || resv[i].start > *base)) {
			*base = resv[i].start;
			found = true;
		}
	}
	return found;
}

/*
 * vfio_test_domain_fgsp(): does unmapping one page of a two-page mapping
 * take both?  Then the domain builds superpages from any suitable run and
 * unmapping goes page by page.  Tried once (before 6.13), at the first
 * range with room for an aligned pair, on two pages allocated for it (an
 * allocation whose failure only skips the probe); the physical address is
 * arbitrary since nothing ever touches it.  An IOMMU whose smallest page is
 * larger than PAGE_SIZE refuses the one-page unmap, so the pair stays
 * mapped for the domain's lifetime, as in the kernel; stray_bytes
 * remembers it for the checker.  (Linux 5.10 probes IOVA 0 whatever the
 * ranges: docs/divergences.md.)
 */
static void t1_probe_fgsp(struct t1_iommu *iommu, struct t1_domain *dom,
			  const struct t1_iova *list)
{
	uint64_t ps = t1_page_size(iommu), pair = 2 * ps;
	uint64_t phys = HOST_RAM_PFN_BASE << t1_page_shift(iommu);
	void *pages = host_alloc(iommu->h, pair, false);

	if (!pages)
		return;
	for (; list; list = list->next) {
		uint64_t start = (list->start + pair - 1) & ~(pair - 1);

		if (start >= list->end || list->end - start < pair)
			continue;
		if (!host_iommu_map(dom->hd, start, phys, pair,
				    VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)) {
			if (host_iommu_unmap(dom->hd, start, ps) == ps)
				host_iommu_unmap(dom->hd, start + ps, ps);
			else
				dom->fgsp = true;
		}
		dom->stray_bytes = dom->hd->mapped_bytes;
		break;
	}
	host_free(iommu->h, pages);
}

/*
 * The unwind of vfio_iommu_replay(): takes back what a failed replay put
 * into the new domain, from dma down; the replay of dma itself stopped
 * stop bytes into it.  Linux 6.12 walks the failed mapping to its end one
 * page at a time, under the container's lock: for a huge mapping made
 * before any domain (nothing bounded its size) that is 2^35 lookups and an
 * ioctl that never returns (docs/fuzzing.md F4).  The pages past stop were
 * never mapped, so the result is the same.  Offsets, not addresses: a
 * mapping may end at 2^64.
 */
static void t1_replay_unwind(struct t1_iommu *iommu, struct t1_domain *dom, struct t1_dma *dma,
			     uint64_t stop)
{
	unsigned int shift = t1_page_shift(iommu);
	bool failed = true;

	for (; dma; dma = t1_dma_prev(dma), failed = false) {
		uint64_t pos = 0;

		if (!failed)
			stop = dma->size;
		if (dma->iommu_mapped) {
			host_iommu_unmap(dom->hd, dma->iova, dma->size);
			continue;
		}
		/* Pinned for this domain alone: unpin what made it in. */
		while (pos < stop) {
			uint64_t iova = dma->iova + pos, len;
			uint64_t phys = host_iommu_iova_to_phys(dom->hd, iova);

			if (!phys) {
				pos += t1_page_size(iommu);
				continue;
			}
			len = t1_phys_run(iommu, dom->hd, iova, phys, stop - pos);
			host_iommu_unmap(dom->hd, iova, len);
			t1_unpin_chunk(iommu, dma, iova, phys >> shift, (long)(len >> shift), true);
			pos += len;
		}
	}
}

/*
 * vfio_iommu_replay(): maps every mapping into a new domain, copied from
 * the first domain's page table when there is one, pinned afresh when the
 * container had only emulated groups.
 */
static int t1_replay(struct t1_iommu *iommu, struct t1_domain *dom)
{
	struct vfiosim_host *h = iommu->h;
	struct t1_domain *lookup = iommu->domains;
	uint64_t limit = host_mm_lock_limit(h);
	unsigned int shift = h->page_shift;
	struct t1_batch batch;
	struct t1_dma *dma;
	uint64_t pos = 0;
	int ret;

	t1_batch_init(iommu, &batch);
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		for (pos = 0; pos < dma->size;) {
			uint64_t iova = dma->iova + pos, phys, len, pfn;
			long npage;

			if (dma->iommu_mapped) {
				if (!lookup) {
					HOST_WARN(h, "mapping in no domain marked mapped");
					ret = -EINVAL;
					goto unwind;
				}
				phys = host_iommu_iova_to_phys(lookup->hd, iova);
				if (!phys) {
					HOST_WARN(h, "iova 0x%llx of a mapping is not mapped",
						  (unsigned long long)iova);
					pos += h->page_size;
					continue;
				}
				len = t1_phys_run(iommu, lookup->hd, iova, phys, dma->size - pos);
			} else {
				npage = t1_pin_chunk(iommu, dma, dma->vaddr + pos,
						     (long)((dma->size - pos) >> shift), &pfn, limit,
						     &batch);
				if (npage <= 0) {
					if (!npage)
						HOST_WARN(h, "pinned nothing for iova 0x%llx",
							  (unsigned long long)iova);
					ret = (int)npage;
					goto unwind;
				}
				phys = pfn << shift;
				len = (uint64_t)npage << shift;
			}
			ret = host_iommu_map(dom->hd, iova, phys, len, dma->prot);
			if (ret) {
				if (!dma->iommu_mapped) {
					t1_unpin_chunk(iommu, dma, iova, phys >> shift,
						       (long)(len >> shift), true);
					t1_batch_release(iommu, &batch, dma->prot);
				}
				goto unwind;
			}
			pos += len;
		}
	}
	/* Only now: the unwind tells the two kinds of mapping apart by it. */
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		dma->iommu_mapped = true;
	t1_fast_stale(iommu);
	t1_batch_fini(iommu, &batch, 0);
	return 0;

unwind:
	t1_replay_unwind(iommu, dom, dma, pos);
	t1_batch_fini(iommu, &batch, 0);
	return ret;
}

/*
 * The search of vfio_iommu_type1_attach_group() for an existing domain of
 * the same driver and coherency that takes the group.
 */
static bool t1_join_existing(struct t1_iommu *iommu, struct t1_domain *dom,
			     struct t1_group *tg, int *err)
{
	struct t1_domain *d;

	*err = 0;
	for (d = iommu->domains; d; d = d->next) {
		if (d->hd->ops_id != dom->hd->ops_id || d->enforce_cc != dom->enforce_cc)
			continue;
		host_domain_detach(dom->hd, tg->g);
		if (!host_domain_attach(d->hd, tg->g)) {
			tg->next = d->groups;
			d->groups = tg;
			return true;
		}
		*err = host_domain_attach(dom->hd, tg->g);
		if (*err)
			return false;
	}
	return false;
}

/* vfio_iommu_type1_attach_group() */
int t1_attach_group(void *data, struct vfiosim_group *g, bool emulated)
{
	struct t1_iommu *iommu = data;
	struct vfiosim_host *h = iommu->h;
	struct vfiosim_resv_region resv[T1_MAX_RESV];
	struct t1_iova *copy = NULL;
	struct t1_domain *dom;
	struct host_domain *hd;
	struct t1_group *tg;
	unsigned int nr;
	bool early_dom, was_covered = t1_provider_covered(iommu);
	int ret;

	/* Replaying could need to pin through a vaddr that is not there. */
	if (iommu->vaddr_invalid_count)
		return -EBUSY;
	if (t1_group_find(iommu, g))
		return -EINVAL;
	tg = host_alloc(h, sizeof(*tg), true);
	/* Before 5.16 the domain came with the group, whatever its kind. */
	early_dom = !t1_since(iommu, T1_NO_EXTERNAL_DOMAIN);
	dom = early_dom ? host_alloc(h, sizeof(*dom), true) : NULL;
	if (!tg || (early_dom && !dom)) {
		host_free(h, dom);
		host_free(h, tg);
		return -ENOMEM;
	}
	tg->g = g;

	if (emulated) {
		/* It can only dirty memory through interfaces that report it. */
		tg->pinned_scope = true;
		tg->next = iommu->emulated;
		iommu->emulated = tg;
		/* The first emulated group's domain stood for all of them. */
		if (dom && !iommu->external)
			iommu->external = dom;
		else
			host_free(h, dom);
		return 0;
	}

	ret = -ENOMEM;
	if (!dom)
		dom = host_alloc(h, sizeof(*dom), true);
	if (!dom)
		goto free_group;
	/* vfio_iommu_domain_alloc(), on the group rather than its first device. */
	hd = host_domain_alloc(g);
	if (!hd) {
		/* Before 6.11 the allocator said only that it failed. */
		ret = !t1_since(iommu, T1_DOMAIN_ALLOC_ERRNO) ? -EIO : errno ? -errno : -ENOMEM;
		goto free_dom;
	}
	dom->hd = hd;
	if (iommu->nesting) {
		ret = host_domain_enable_nesting(hd);
		if (ret)
			goto free_hd;
	}
	ret = host_domain_attach(hd, g);
	if (ret)
		goto free_hd;

	ret = -EINVAL;
	if (t1_iova_aper_conflict(iommu, hd->aperture_start, hd->aperture_end))
		goto detach;
	nr = t1_group_resv(iommu, g, resv);
	if (t1_iova_resv_conflict(iommu, resv, nr))
		goto detach;
	ret = t1_iova_copy(iommu, &copy);
	if (!ret)
		ret = t1_iova_aper_resize(iommu, &copy, hd->aperture_start, hd->aperture_end);
	if (!ret)
		ret = t1_iova_resv_exclude(iommu, &copy, resv, nr);
	if (ret)
		goto detach;
	dom->sw_msi = t1_resv_sw_msi(resv, nr, &dom->sw_msi_base);
	dom->groups = tg;

	if (!h->cfg.allow_unsafe_interrupts && !host_group_isolated_msi(g)) {
		ret = -EPERM;
		goto detach;
	}
	dom->enforce_cc = hd->enforce_cc;

	if (t1_join_existing(iommu, dom, tg, &ret)) {
		host_domain_free(hd);
		host_free(h, dom);
		goto done;
	}
	if (ret)
		goto free_hd;

	if (!t1_since(iommu, T1_NO_FGSP_PROBE))
		t1_probe_fgsp(iommu, dom, copy);
	ret = t1_replay(iommu, dom);
	if (ret)
		goto detach;
	dom->next = iommu->domains;
	iommu->domains = dom;
	t1_pgsize_update(iommu);
done:
	t1_iova_replace(iommu, &copy);
	/* It can write anywhere it is mapped until it pins pages. */
	t1_scope_join(iommu, tg);
	t1_provider_attached(iommu, was_covered);
	return 0;

detach:
	host_domain_detach(hd, g);
free_hd:
	host_domain_free(hd);
	t1_iova_free(iommu, &copy);
free_dom:
	host_free(h, dom);
free_group:
	host_free(h, tg);
	return ret;
}

/* A group's entry freed, its device unregistered if the caller forgot. */
void t1_group_free(struct t1_iommu *iommu, struct t1_group *tg)
{
	if (tg->dev) {
		HOST_WARN(iommu->h, "group %u leaves with its device registered", tg->g->id);
		t1_unregister_device(iommu, tg->dev);
	}
	t1_provider_group_gone(tg);
	host_free(iommu->h, tg);
}

/* Unlinks g's entry from a group list; NULL if it is not there. */
static struct t1_group *t1_group_take(struct t1_group **list, const struct vfiosim_group *g)
{
	struct t1_group *tg;

	for (; *list; list = &(*list)->next) {
		if ((*list)->g == g) {
			tg = *list;
			*list = tg->next;
			return tg;
		}
	}
	return NULL;
}

/* Nothing that could hold mappings is left. */
static void t1_last_one_out(struct t1_iommu *iommu)
{
	if (iommu->devices)
		HOST_WARN(iommu->h, "devices still registered as the last group leaves");
	t1_remove_all(iommu);
}

/* vfio_iommu_type1_detach_group() */
void t1_detach_group(void *data, struct vfiosim_group *g)
{
	struct t1_iommu *iommu = data;
	struct t1_domain **link, *dom;
	struct t1_iova *copy = NULL;
	struct t1_group *tg;
	bool was_outside = false, was_covered = t1_provider_covered(iommu);

	tg = t1_group_take(&iommu->emulated, g);
	if (tg) {
		was_outside = !tg->pinned_scope;
		t1_group_free(iommu, tg);
		if (!iommu->emulated && !iommu->domains)
			t1_last_one_out(iommu);
		if (!iommu->emulated) {
			host_free(iommu->h, iommu->external);
			iommu->external = NULL;
		}
		goto scope;
	}

	/* If the copy fails the ranges just stay as they are. */
	t1_iova_copy(iommu, &copy);
	for (link = &iommu->domains; (dom = *link); link = &dom->next) {
		tg = t1_group_take(&dom->groups, g);
		if (!tg)
			continue;
		host_domain_detach(dom->hd, g);
		was_outside = !tg->pinned_scope;
		t1_provider_salvage(iommu, dom, tg);
		t1_group_free(iommu, tg);
		if (dom->groups)
			break;
		/* The group took its domain along. */
		if (dom == iommu->domains && !dom->next) {
			if (!iommu->emulated)
				t1_last_one_out(iommu);
			else
				t1_unmap_unpin_reaccount(iommu);
		}
		host_domain_free(dom->hd);
		*link = dom->next;
		host_free(iommu->h, dom);
		t1_iova_aper_expand(iommu, copy);
		t1_pgsize_update(iommu);
		break;
	}
	if (!t1_iova_resv_refresh(iommu, &copy))
		t1_iova_replace(iommu, &copy);
	else
		t1_iova_free(iommu, &copy);
scope:
	if (was_outside)
		t1_scope_left(iommu);
	t1_provider_settle(iommu, was_covered);
}
