// SPDX-License-Identifier: MIT
/*
 * provider.c - container dirty providers, a vfiosim extension outside
 * type1 and its UAPI (the marked block of uapi/linux/vfio.h; the rules are
 * docs/dirty-providers.md's).
 *
 * type1 can only call every IOMMU-mapped page dirty while a group that
 * never pins is attached.  A provider tells it instead what such a group
 * wrote: the dirty bits of its IOMMU domain, or its device's own tracker.
 * While tracking, when every group outside the pinned scope is recorded
 * by one, the container is "covered": reports hold the recorded pages,
 * folded onto the report's page size, besides the pinned and dma_rw ones.
 * Whatever makes the container covered after it was not (a group leaving,
 * pinning, a provider chosen) makes the next report full, since nothing
 * recorded what the uncovered group wrote before.
 *
 * The default, VFIOSIM_DIRTY_PROVIDER_PINNED, is type1 exactly: no domain
 * tracks, no tracker runs, the container is never covered.
 */
#include <errno.h>
#include <stdlib.h>

#include "type1/type1.h"

static bool t1_wants_iommu(const struct t1_iommu *iommu)
{
	return iommu->provider == VFIOSIM_DIRTY_PROVIDER_IOMMU ||
	       iommu->provider == VFIOSIM_DIRTY_PROVIDER_AUTO;
}

/* The device tracks its own writes: chosen, and not left to the IOMMU. */
static bool t1_wants_device(const struct t1_iommu *iommu, const struct vfiosim_group *g)
{
	if (!g->cfg.tracker_ranges)
		return false;
	return iommu->provider == VFIOSIM_DIRTY_PROVIDER_DEVICE ||
	       (iommu->provider == VFIOSIM_DIRTY_PROVIDER_AUTO && !g->cfg.dirty_tracking);
}

static bool t1_tracker_records(const struct t1_group *tg)
{
	return tg->dev_tracking && tg->g->tracker.running && !tg->g->tracker.failed;
}

static bool t1_recorded(const struct t1_domain *dom, const struct t1_group *tg)
{
	return dom->hd->dirty_tracking || t1_tracker_records(tg);
}

bool t1_provider_covered(const struct t1_iommu *iommu)
{
	const struct t1_domain *dom;
	const struct t1_group *tg;

	if (!iommu->tracking || iommu->provider == VFIOSIM_DIRTY_PROVIDER_PINNED)
		return false;
	for (dom = iommu->domains; dom; dom = dom->next)
		for (tg = dom->groups; tg; tg = tg->next)
			if (!tg->pinned_scope && !t1_recorded(dom, tg))
				return false;
	return true;
}

/* Covered now, and not before: what nobody recorded must come out. */
void t1_provider_settle(struct t1_iommu *iommu, bool was_covered)
{
	iommu->covered = t1_provider_covered(iommu);
	if (iommu->covered && !was_covered && iommu->num_non_pinned_groups)
		t1_dirty_fill_all(iommu, true);
}

static int t1_range_cmp(const void *a, const void *b)
{
	const struct host_range *x = a, *y = b;
	uint64_t gx = x->last, gy = y->last;	/* the gap's size, in last */

	if (gx != gy)
		return gx > gy ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * The container's mappings as at most max ranges: adjacent ones joined,
 * then the smallest gaps closed, as vfio_combine_iova_ranges() fits them
 * to a device.  NULL (nothing to track, or no memory) leaves *nr 0.
 */
static struct host_range *t1_tracker_ranges(struct t1_iommu *iommu, unsigned int max,
					    unsigned int *nr)
{
	struct host_range *r = NULL, *gaps = NULL;
	struct t1_dma *dma;
	size_t n = 0, cap = 0, i, out;

	*nr = 0;
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		if (!dma->size)
			continue;
		if (n && r[n - 1].last + 1 == dma->iova) {
			r[n - 1].last = t1_dma_last(dma);
			continue;
		}
		if (n == cap) {
			struct host_range *m = realloc(r, (cap = cap ? 2 * cap : 16) * sizeof(*r));

			if (!m)
				goto fail;
			r = m;
		}
		r[n++] = (struct host_range){ dma->iova, t1_dma_last(dma) };
	}
	if (n > max) {
		bool *keep = calloc(n, sizeof(*keep));

		/* The max - 1 widest gaps stay: first = index, last = width. */
		gaps = malloc((n - 1) * sizeof(*gaps));
		if (!gaps || !keep) {
			free(keep);
			goto fail;
		}
		for (i = 0; i + 1 < n; i++)
			gaps[i] = (struct host_range){ i, r[i + 1].first - r[i].last };
		qsort(gaps, n - 1, sizeof(*gaps), t1_range_cmp);
		for (i = 0; i < max - 1; i++)
			keep[gaps[i].first] = true;
		for (out = 0, i = 1; i < n; i++) {
			if (keep[i - 1])
				r[++out] = r[i];
			else
				r[out].last = r[i].last;
		}
		free(keep);
		free(gaps);
		n = out + 1;
	}
	*nr = (unsigned int)n;
	return r;
fail:
	free(gaps);
	free(r);
	return NULL;
}

/* DMA_LOGGING_START on the mappings there are; a failure leaves it untracked. */
static void t1_tracker_start(struct t1_iommu *iommu, struct t1_group *tg)
{
	unsigned int nr;
	struct host_range *r;

	if (tg->dev_tracking || !t1_wants_device(iommu, tg->g))
		return;
	r = t1_tracker_ranges(iommu, tg->g->cfg.tracker_ranges, &nr);
	if (r && !host_tracker_start(tg->g, r, nr))
		tg->dev_tracking = true;
	free(r);
}

static void t1_tracker_stop(struct t1_group *tg)
{
	if (!tg->dev_tracking)
		return;
	host_tracker_stop(tg->g);
	tg->dev_tracking = false;
}

/* Turns every provider on or off as the policy and tracking say. */
static void t1_provider_apply(struct t1_iommu *iommu)
{
	struct t1_domain *dom;
	struct t1_group *tg;

	for (dom = iommu->domains; dom; dom = dom->next) {
		bool hw = iommu->tracking && t1_wants_iommu(iommu) && dom->hd->dirty_capable;

		if (hw != dom->hd->dirty_tracking) {
			host_domain_set_dirty_tracking(dom->hd, hw);
			/* Bits from before are nobody's: reports restart here. */
			if (hw)
				host_iommu_read_dirty(dom->hd, 0, UINT64_MAX, true,
						      t1_provider_discard, NULL);
		}
		for (tg = dom->groups; tg; tg = tg->next) {
			if (iommu->tracking && t1_wants_device(iommu, tg->g))
				t1_tracker_start(iommu, tg);
			else
				t1_tracker_stop(tg);
		}
	}
}

void t1_provider_discard(void *opaque, uint64_t iova, uint64_t len)
{
	(void)opaque;
	(void)iova;
	(void)len;
}

/* Tracking started or stopped: the providers follow, without a fill. */
void t1_provider_tracking(struct t1_iommu *iommu)
{
	t1_provider_apply(iommu);
	iommu->covered = t1_provider_covered(iommu);
}

/*
 * The end of an attach: the group's domain and device join in (and a
 * tracker that could not start on no mappings may start now).
 */
void t1_provider_attached(struct t1_iommu *iommu, bool was_covered)
{
	if (iommu->provider == VFIOSIM_DIRTY_PROVIDER_PINNED)
		return;
	t1_provider_apply(iommu);
	t1_provider_settle(iommu, was_covered);
}

void t1_provider_group_gone(struct t1_group *tg)
{
	t1_tracker_stop(tg);
}

struct t1_harvest {
	struct t1_iommu *iommu;
	struct t1_dma *dma;
	unsigned int pgshift;
};

static void t1_harvest_fn(void *opaque, uint64_t iova, uint64_t len)
{
	struct t1_harvest *hv = opaque;
	uint64_t first = t1_shr(iova - hv->dma->iova, hv->pgshift);
	uint64_t last = t1_shr(iova + (len - 1) - hv->dma->iova, hv->pgshift);

	t1_dirty_mark(hv->iommu, hv->dma, first, last - first + 1);
}

/*
 * Before a report of [iova, last]: the providers' bits of its mappings go
 * into their bitmaps (whole entries, whole tracker pages), and a tracker
 * found failed leaves its group unrecorded, so the report is full.
 */
void t1_provider_harvest(struct t1_iommu *iommu, uint64_t iova, uint64_t last)
{
	struct t1_harvest hv = { iommu, NULL, t1_ffs(iommu->pgsize_bitmap) };
	struct t1_domain *dom;
	struct t1_group *tg;

	if (!iommu->tracking || iommu->provider == VFIOSIM_DIRTY_PROVIDER_PINNED)
		return;
	for (hv.dma = t1_dma_first_in(iommu, iova, last); hv.dma && hv.dma->iova <= last;
	     hv.dma = t1_dma_next(hv.dma)) {
		if (!hv.dma->size || !hv.dma->bitmap)
			continue;
		for (dom = iommu->domains; dom; dom = dom->next) {
			if (dom->hd->dirty_tracking)
				host_iommu_read_dirty(dom->hd, hv.dma->iova, hv.dma->size, true,
						      t1_harvest_fn, &hv);
			for (tg = dom->groups; tg; tg = tg->next)
				if (t1_tracker_records(tg))
					host_tracker_read(tg->g, hv.dma->iova, hv.dma->size,
							  true, t1_harvest_fn, &hv);
		}
	}
	iommu->covered = t1_provider_covered(iommu);
}

/*
 * A group leaves while tracking: what its tracker recorded, and its
 * domain's bits if the domain goes with it, are kept in the bitmaps
 * first, so that nothing a leaving device wrote is lost.
 */
void t1_provider_salvage(struct t1_iommu *iommu, struct t1_domain *dom, struct t1_group *tg)
{
	struct t1_harvest hv = { iommu, NULL, t1_ffs(iommu->pgsize_bitmap) };
	bool hw = !dom->groups && dom->hd->dirty_tracking;
	bool dev = t1_tracker_records(tg);

	if (!iommu->tracking || (!hw && !dev))
		return;
	for (hv.dma = t1_dma_first(iommu); hv.dma; hv.dma = t1_dma_next(hv.dma)) {
		if (!hv.dma->size || !hv.dma->bitmap)
			continue;
		if (hw)
			host_iommu_read_dirty(dom->hd, hv.dma->iova, hv.dma->size, true,
					      t1_harvest_fn, &hv);
		if (dev)
			host_tracker_read(tg->g, hv.dma->iova, hv.dma->size, true,
					  t1_harvest_fn, &hv);
	}
}

/* A mapping goes: its trackers' records of it with it (its IOMMU bits go
 * with its page-table entries). */
void t1_provider_forget(struct t1_iommu *iommu, struct t1_dma *dma)
{
	struct t1_domain *dom;
	struct t1_group *tg;

	if (!dma->size)
		return;
	for (dom = iommu->domains; dom; dom = dom->next)
		for (tg = dom->groups; tg; tg = tg->next)
			if (t1_tracker_records(tg))
				host_tracker_read(tg->g, dma->iova, dma->size, true,
						  t1_provider_discard, NULL);
}

/* VFIOSIM_IOMMU_DIRTY_PROVIDER (uapi/linux/vfio.h, the extension block). */
long t1_ioctl_dirty_provider(struct t1_iommu *iommu, unsigned long arg)
{
	struct vfiosim_iommu_dirty_provider req;

	if (host_copy_from_user(iommu->h, &req, arg, sizeof(req)))
		return -EFAULT;
	if (req.argsz < sizeof(req) || req.flags || req.pad ||
	    req.provider > VFIOSIM_DIRTY_PROVIDER_AUTO)
		return -EINVAL;
	if (!iommu->v2)
		return -EACCES;
	iommu->provider = (int)req.provider;
	iommu->provider_chosen = true;
	t1_provider_apply(iommu);
	iommu->covered = t1_provider_covered(iommu);
	/*
	 * A change of provider while tracking: the next report is full, for
	 * every mapping, as the rules promise a caller (not only those an
	 * IOMMU maps: with none attached yet, none is, and a report of only
	 * some would not be the full one the oracle and the caller expect).
	 */
	if (iommu->tracking)
		t1_dirty_fill_all(iommu, false);
	return 0;
}

/* The GET_INFO capability of the extension. */
void t1_provider_info(const struct t1_iommu *iommu,
		      struct vfiosim_iommu_type1_info_cap_dirty_provider *cap)
{
	const struct t1_domain *dom;
	const struct t1_group *tg;

	cap->provider = (uint32_t)iommu->provider;
	cap->flags = t1_provider_covered(iommu) ? VFIOSIM_DIRTY_PROVIDER_FLAG_COVERED : 0;
	cap->iommu_groups = cap->device_groups = 0;
	for (dom = iommu->domains; dom; dom = dom->next)
		for (tg = dom->groups; tg; tg = tg->next) {
			if (dom->hd->dirty_tracking)
				cap->iommu_groups++;
			else if (t1_tracker_records(tg))
				cap->device_groups++;
		}
}

/* The providers are on exactly where the policy and tracking say (check.c). */
int t1_provider_check(const struct t1_iommu *iommu, char *why, size_t len)
{
	const struct t1_domain *dom;
	const struct t1_group *tg;

	for (dom = iommu->domains; dom; dom = dom->next) {
		bool hw = iommu->tracking && t1_wants_iommu(iommu) && dom->hd->dirty_capable;

		if (dom->hd->dirty_tracking != hw)
			return host_check_fail(why, len, "domain %u dirty tracking %s, should be %s",
					       dom->hd->id, hw ? "off" : "on", hw ? "on" : "off");
		for (tg = dom->groups; tg; tg = tg->next) {
			if (tg->dev_tracking != tg->g->tracker.running)
				return host_check_fail(why, len, "group %u's tracker %s, type1 says %s",
						       tg->g->id,
						       tg->g->tracker.running ? "runs" : "stopped",
						       tg->dev_tracking ? "started" : "not");
			if (tg->dev_tracking &&
			    (!iommu->tracking || !t1_wants_device(iommu, tg->g)))
				return host_check_fail(why, len, "group %u's tracker runs unasked",
						       tg->g->id);
		}
	}
	return 0;
}
