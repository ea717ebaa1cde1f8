// SPDX-License-Identifier: MIT
/*
 * cover.c - what the oracle knows of the dirty-provider extension
 * (docs/dirty-providers.md): which groups' writes a provider records, from
 * the provider chosen, the groups' IOMMU and device configuration and the
 * device trackers' own state (whether they run, whether they failed), never
 * from the backend's; and how far a recorded write may blur in a report.
 */
#include "oracle/oracle.h"

static bool wants_iommu(const struct vfiosim_oracle *o, const struct vfiosim_group *g)
{
	return g->cfg.dirty_tracking && (o->provider == VFIOSIM_DIRTY_PROVIDER_IOMMU ||
					 o->provider == VFIOSIM_DIRTY_PROVIDER_AUTO);
}

static bool wants_device(const struct vfiosim_oracle *o, const struct vfiosim_group *g)
{
	return g->cfg.tracker_ranges && (o->provider == VFIOSIM_DIRTY_PROVIDER_DEVICE ||
					  (o->provider == VFIOSIM_DIRTY_PROVIDER_AUTO &&
					   !g->cfg.dirty_tracking));
}

/* The IOMMU's dirty bits record g's writes (0), its tracker (1), or none (-1). */
static int recorder(const struct vfiosim_oracle *o, const struct vfiosim_group *g)
{
	if (!o->tracking || g->cfg.kind != VFIOSIM_GROUP_IOMMU)
		return -1;
	if (wants_iommu(o, g))
		return 0;
	if (wants_device(o, g) && g->tracker.running && !g->tracker.failed)
		return 1;
	return -1;
}

bool om_covered(const struct vfiosim_oracle *o)
{
	const struct om_group *og;

	if (!o->tracking || o->provider == VFIOSIM_DIRTY_PROVIDER_PINNED)
		return false;
	for (og = o->groups; og; og = og->next)
		if (og->outside && recorder(o, og->g) < 0)
			return false;
	return true;
}

bool om_outside_now(const struct vfiosim_oracle *o)
{
	return o->outside && !om_covered(o);
}

/*
 * A device write a provider recorded may come out as the whole IOMMU
 * entry it went through, or the whole tracker page: those are MAY.  (That
 * it must come out at all is WRITTEN's business.)
 */
void om_recorded_write(struct vfiosim_oracle *o, const struct vfiosim_write *w)
{
	const struct om_group *og;
	uint64_t pos = w->iova, last = w->iova + (w->len - 1);
	int how;

	if (w->source != VFIOSIM_WRITE_DMA || !w->len || last < pos)
		return;
	for (og = o->groups; og && vfiosim_group_id(og->g) != w->group_id; og = og->next)
		;
	if (!og || (how = recorder(o, og->g)) < 0)
		return;
	if (how == 1) {
		uint64_t mask = og->g->cfg.tracker_pgsize - 1;
		uint64_t end = (last | mask);

		om_mark(o, OM_MAY, pos & ~mask, end - (pos & ~mask) + 1);
		return;
	}
	for (;;) {
		uint64_t pte = vfiosim_group_iommu_page(og->g, pos), base;

		if (!pte)
			pte = o->page_size;
		base = pos & ~(pte - 1);
		om_mark(o, OM_MAY, base, pte);
		if (base + (pte - 1) >= last)
			return;
		pos = base + pte;
	}
}
