// SPDX-License-Identifier: MIT
/*
 * scope.c - the pinned-page dirty scope.
 *
 * A group behind an IOMMU can write anywhere it is mapped, unseen; while
 * any such group has not used the pinning interface, dirty reports must
 * call every IOMMU-mapped page dirty.  A group joins the pinned scope the
 * first time its driver pins pages (emulated groups are in it from the
 * start); once all groups are in, reports narrow to pinned pages and
 * dma_rw writes.  The iommu counts the groups still outside.
 */
#include "type1/type1.h"

static struct t1_group *t1_group_in(struct t1_group *list, const struct vfiosim_group *g)
{
	for (; list; list = list->next)
		if (list->g == g)
			return list;
	return NULL;
}

/* vfio_iommu_find_iommu_group(), with find_iommu_group() (t1_group_in()). */
struct t1_group *t1_group_find(struct t1_iommu *iommu, const struct vfiosim_group *g)
{
	struct t1_domain *d;
	struct t1_group *tg;

	for (d = iommu->domains; d; d = d->next) {
		tg = t1_group_in(d->groups, g);
		if (tg)
			return tg;
	}
	return t1_group_in(iommu->emulated, g);
}

/*
 * The end of vfio_iommu_type1_attach_group(): an IOMMU-backed group
 * arrived, outside the scope until it pins.
 */
void t1_scope_join(struct t1_iommu *iommu, struct t1_group *tg)
{
	tg->pinned_scope = false;
	iommu->num_non_pinned_groups++;
}

/*
 * The end of vfio_iommu_type1_pin_pages(): the group's driver pinned
 * pages.  If that brings the last group into the scope while tracking, the
 * kernel starts reporting only pinned pages at once and so forgets what
 * the IOMMU-backed devices may have written since the last report; here
 * those mappings are first marked dirty.
 */
void t1_scope_promote(struct t1_iommu *iommu, struct t1_group *tg)
{
	if (tg->pinned_scope)
		return;
	tg->pinned_scope = true;
	iommu->num_non_pinned_groups--;
	/* divergence: see docs/divergences.md (3) */
	if (!iommu->num_non_pinned_groups && iommu->tracking)
		t1_dirty_fill_all(iommu, true);
}

/*
 * The end of vfio_iommu_type1_detach_group(): a group outside the scope
 * left.  The kernel marks everything dirty while tracking
 * (vfio_iommu_populate_bitmap_full()), since the scope may now narrow.
 */
void t1_scope_left(struct t1_iommu *iommu)
{
	iommu->num_non_pinned_groups--;
	if (iommu->tracking)
		t1_dirty_fill_all(iommu, false);
}

/* The groups outside the scope, counted afresh (for the checker). */
uint64_t t1_scope_count(const struct t1_iommu *iommu)
{
	const struct t1_domain *d;
	const struct t1_group *tg;
	uint64_t n = 0;

	for (d = iommu->domains; d; d = d->next)
		for (tg = d->groups; tg; tg = tg->next)
			n += !tg->pinned_scope;
	for (tg = iommu->emulated; tg; tg = tg->next)
		n += !tg->pinned_scope;
	return n;
}
