// SPDX-License-Identifier: MIT
/*
 * iova_list.c - the IOVA ranges a mapping may occupy: the intersection of
 * the apertures of every domain, minus every group's reserved regions
 * (direct-relaxable ones excepted).  A sorted list of disjoint inclusive
 * ranges, empty while the container has no IOMMU-backed group.
 *
 * Attach and detach work on a copy and install it only when every step
 * succeeded, so a failure leaves the container's list as it was.  The
 * range edits keep the kernel's exact boundary behaviour, including its
 * habit of dropping a range whose inclusive end equals the new aperture
 * start (and symmetrically at the other end).
 */
#include <errno.h>

#include "type1/type1.h"

/*
 * vfio_iommu_iova_insert(): a new range in front of *link, as
 * vfio_iommu_resv_exclude() uses it, or at the end of the list when link
 * is the last range's next.
 */
static int t1_iova_insert_at(struct t1_iommu *iommu, struct t1_iova **link, uint64_t start,
			     uint64_t end)
{
	struct t1_iova *r = host_alloc(iommu->h, sizeof(*r), false);

	if (!r)
		return -ENOMEM;
	r->start = start;
	r->end = end;
	r->next = *link;
	*link = r;
	return 0;
}

/* vfio_iommu_iova_insert() at the end of the list. */
int t1_iova_append(struct t1_iommu *iommu, struct t1_iova **list, uint64_t start,
		   uint64_t end)
{
	while (*list)
		list = &(*list)->next;
	return t1_iova_insert_at(iommu, list, start, end);
}

static void t1_iova_drop(struct t1_iommu *iommu, struct t1_iova **link)
{
	struct t1_iova *r = *link;

	*link = r->next;
	host_free(iommu->h, r);
}

/* vfio_iommu_iova_free() */
void t1_iova_free(struct t1_iommu *iommu, struct t1_iova **list)
{
	while (*list)
		t1_iova_drop(iommu, list);
}

/* vfio_iommu_iova_get_copy() */
int t1_iova_copy(struct t1_iommu *iommu, struct t1_iova **copy)
{
	struct t1_iova *r;
	int ret;

	for (r = iommu->iovas; r; r = r->next) {
		ret = t1_iova_append(iommu, copy, r->start, r->end);
		if (ret) {
			t1_iova_free(iommu, copy);
			return ret;
		}
	}
	return 0;
}

/* vfio_iommu_iova_insert_copy() */
void t1_iova_replace(struct t1_iommu *iommu, struct t1_iova **copy)
{
	t1_iova_free(iommu, &iommu->iovas);
	iommu->iovas = *copy;
	*copy = NULL;
}

static struct t1_iova *t1_iova_last(struct t1_iova *list)
{
	while (list && list->next)
		list = list->next;
	return list;
}

unsigned int t1_iova_count(const struct t1_iova *list)
{
	unsigned int n = 0;

	for (; list; list = list->next)
		n++;
	return n;
}

/*
 * vfio_iommu_iova_dma_valid(): [start, last] lies within one range;
 * anything goes while there is none.
 */
bool t1_iova_range_valid(struct t1_iommu *iommu, uint64_t start, uint64_t last)
{
	struct t1_iova *r;

	for (r = iommu->iovas; r; r = r->next)
		if (start >= r->start && last <= r->end)
			return true;
	return !iommu->iovas;
}

/*
 * vfio_iommu_aper_conflict(): a new aperture [start, end] conflicts when it
 * misses the current ranges altogether or would cut off an existing
 * mapping.
 */
bool t1_iova_aper_conflict(struct t1_iommu *iommu, uint64_t start, uint64_t end)
{
	struct t1_iova *lo = iommu->iovas, *hi = t1_iova_last(iommu->iovas);

	if (!lo)
		return false;
	/* Disjoint from what is valid now. */
	if (end < lo->start || start > hi->end)
		return true;
	/* Mappings the narrower aperture would leave outside. */
	if (start > lo->start && t1_dma_find(iommu, lo->start, start - 1))
		return true;
	return end < hi->end && t1_dma_find(iommu, end + 1, hi->end);
}

/* vfio_iommu_aper_resize(): the list clipped to the aperture [start, end]. */
int t1_iova_aper_resize(struct t1_iommu *iommu, struct t1_iova **list, uint64_t start,
			uint64_t end)
{
	struct t1_iova **link;

	if (!*list)
		return t1_iova_append(iommu, list, start, end);

	/* Ranges wholly below the new start go; the one holding it is cut. */
	link = list;
	while (*link && start >= (*link)->start) {
		if (start < (*link)->end) {
			(*link)->start = start;
			break;
		}
		t1_iova_drop(iommu, link);
	}

	/* Likewise above the new end, scanning the whole list. */
	link = list;
	while (*link) {
		struct t1_iova *r = *link;

		if (end > r->end) {
			link = &r->next;
		} else if (end > r->start) {
			r->end = end;
			link = &r->next;
		} else {
			t1_iova_drop(iommu, link);
		}
	}
	return 0;
}

/*
 * vfio_iommu_aper_expand(): the ends of the list widen to the apertures
 * of the domains that remain; with no domain left, the whole space.
 */
void t1_iova_aper_expand(struct t1_iommu *iommu, struct t1_iova *list)
{
	uint64_t start = 0, end = UINT64_MAX;
	struct t1_domain *d;

	if (!list)
		return;
	for (d = iommu->domains; d; d = d->next) {
		if (d->hd->aperture_start > start)
			start = d->hd->aperture_start;
		if (d->hd->aperture_end < end)
			end = d->hd->aperture_end;
	}
	list->start = start;
	t1_iova_last(list)->end = end;
}

static bool t1_resv_counts(const struct vfiosim_resv_region *r)
{
	return r->type != VFIOSIM_RESV_DIRECT_RELAXABLE;
}

/* vfio_iommu_resv_conflict(): a reserved region overlaps a mapping. */
bool t1_iova_resv_conflict(struct t1_iommu *iommu, const struct vfiosim_resv_region *resv,
			   unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (t1_resv_counts(&resv[i]) &&
		    t1_dma_find(iommu, resv[i].start, resv[i].start + resv[i].length - 1))
			return true;
	return false;
}

/* vfio_iommu_resv_exclude(): the reserved regions cut out of the list. */
int t1_iova_resv_exclude(struct t1_iommu *iommu, struct t1_iova **list,
			 const struct vfiosim_resv_region *resv, unsigned int nr)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		uint64_t lo = resv[i].start, hi = resv[i].start + resv[i].length - 1;
		struct t1_iova **link = list;

		if (!t1_resv_counts(&resv[i]))
			continue;
		while (*link) {
			struct t1_iova *r = *link;

			if (lo > r->end || hi < r->start) {
				link = &r->next;
				continue;
			}
			/* Replace r by what survives of it on either side. */
			ret = 0;
			if (lo > r->start) {
				ret = t1_iova_insert_at(iommu, link, r->start, lo - 1);
				if (!ret)
					link = &(*link)->next;
			}
			if (!ret && hi < r->end) {
				ret = t1_iova_insert_at(iommu, link, hi + 1, r->end);
				if (!ret)
					link = &(*link)->next;
			}
			if (ret)
				return ret;
			t1_iova_drop(iommu, link);
		}
	}
	return *list ? 0 : -EINVAL;
}

/*
 * iommu_get_group_resv_regions() into a fixed array, where the kernel
 * builds a list (and frees it with vfio_iommu_resv_free()).
 */
unsigned int t1_group_resv(struct t1_iommu *iommu, struct vfiosim_group *g,
			   struct vfiosim_resv_region *out)
{
	unsigned int n = host_group_resv_regions(g, out, T1_MAX_RESV);

	if (n > T1_MAX_RESV) {
		HOST_WARN(iommu->h, "group %u has %u reserved regions, %u used", g->id, n,
			  T1_MAX_RESV);
		n = T1_MAX_RESV;
	}
	return n;
}

/*
 * vfio_iommu_resv_refresh(): after a group left, the ranges rebuilt from
 * the (possibly widened) aperture edges of the copy, minus the regions of
 * the groups that remain.
 */
int t1_iova_resv_refresh(struct t1_iommu *iommu, struct t1_iova **list)
{
	struct vfiosim_resv_region resv[T1_MAX_RESV];
	uint64_t start, end;
	struct t1_domain *d;
	struct t1_group *tg;
	int ret;

	if (!*list)
		return -EINVAL;
	start = (*list)->start;
	end = t1_iova_last(*list)->end;
	t1_iova_free(iommu, list);
	ret = t1_iova_aper_resize(iommu, list, start, end);
	if (ret)
		return ret;
	/* Subtracting group by group gives the same set as all at once. */
	for (d = iommu->domains; d; d = d->next) {
		for (tg = d->groups; tg; tg = tg->next) {
			unsigned int nr = t1_group_resv(iommu, tg->g, resv);

			ret = t1_iova_resv_exclude(iommu, list, resv, nr);
			if (ret)
				return ret;
		}
	}
	return 0;
}
