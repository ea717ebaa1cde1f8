// SPDX-License-Identifier: MIT
/*
 * group.c - IOMMU groups: their configuration with defaults applied, their
 * reserved regions and MSI isolation, and their IOMMU identity.
 *
 * The identity stands for the kernel's iommu_ops: a domain only takes
 * groups behind the IOMMU driver it was allocated for.  Groups with equal
 * non-zero iommu_id share an identity; a group with iommu_id 0 gets one of
 * its own, from HOST_PRIVATE_OPS_BASE up, skipping values live groups use.
 * A caller choosing such a large iommu_id itself may collide with one.
 */
#include <errno.h>
#include <stdlib.h>

#include "host/internal.h"

#define HOST_DEFAULT_PGSIZES		0x40201000ULL	/* 4K | 2M | 1G */
#define HOST_DEFAULT_APERTURE_END	((1ULL << 48) - 1)
#define HOST_PRIVATE_OPS_BASE		0x80000000U

static bool ops_id_used(const struct vfiosim_host *h, unsigned int id)
{
	const struct vfiosim_group *g;

	for (g = h->groups; g; g = g->next)
		if (g->ops_id == id)
			return true;
	return false;
}

static unsigned int ops_id_private(struct vfiosim_host *h)
{
	unsigned int id;

	do
		id = HOST_PRIVATE_OPS_BASE + h->next_ops_id++;
	while (!id || ops_id_used(h, id));
	return id;
}

static bool resv_valid(const struct vfiosim_resv_region *r)
{
	return r->length && r->start + (r->length - 1) >= r->start &&
	       r->type >= VFIOSIM_RESV_DIRECT && r->type <= VFIOSIM_RESV_SW_MSI;
}

/* A handful of entries: insertion sort by start. */
static void resv_sort(struct vfiosim_resv_region *r, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		struct vfiosim_resv_region key = r[i];

		for (j = i; j && r[j - 1].start > key.start; j--)
			r[j] = r[j - 1];
		r[j] = key;
	}
}

/*
 * Validates cfg into c with every default filled in, the reserved regions
 * included, so that later users read one complete configuration.
 */
static int group_config(struct vfiosim_group_config *c, const struct vfiosim_group_config *cfg)
{
	unsigned int i;

	*c = cfg ? *cfg : (struct vfiosim_group_config){ 0 };
	if (c->kind != VFIOSIM_GROUP_IOMMU && c->kind != VFIOSIM_GROUP_EMULATED)
		return -EINVAL;
	if (!c->pgsize_bitmap)
		c->pgsize_bitmap = HOST_DEFAULT_PGSIZES;
	if (!c->aperture_start && !c->aperture_end)
		c->aperture_end = HOST_DEFAULT_APERTURE_END;
	else if (c->aperture_start > c->aperture_end)
		return -EINVAL;
	if (c->nr_resv > VFIOSIM_MAX_RESV)
		return -EINVAL;
	for (i = 0; i < c->nr_resv; i++)
		if (!resv_valid(&c->resv[i]))
			return -EINVAL;
	if (!c->nr_resv && !c->no_default_msi) {
		c->resv[0] = (struct vfiosim_resv_region){
			VFIOSIM_MSI_BASE, VFIOSIM_MSI_SIZE, VFIOSIM_RESV_MSI
		};
		c->nr_resv = 1;
	}
	resv_sort(c->resv, c->nr_resv);
	/* Dirty bits live in IOMMU page tables; an mdev's writes are its pins. */
	if (c->kind != VFIOSIM_GROUP_IOMMU && (c->dirty_tracking || c->tracker_ranges))
		return -EINVAL;
	if (!c->tracker_ranges && (c->tracker_pgsize || c->tracker_capacity))
		return -EINVAL;
	/* An mdev's vendor driver always has a dma_unmap callback. */
	if (c->kind == VFIOSIM_GROUP_EMULATED)
		c->has_dma_unmap = true;
	return 0;
}

struct vfiosim_group *vfiosim_group_new(struct vfiosim_host *h,
					const struct vfiosim_group_config *cfg)
{
	struct vfiosim_group_config c;
	struct vfiosim_group *g;
	int err;

	if (!h) {
		errno = EINVAL;
		return NULL;
	}
	err = group_config(&c, cfg);
	if (!err && c.tracker_ranges) {
		if (!c.tracker_pgsize)
			c.tracker_pgsize = h->page_size;
		else if ((c.tracker_pgsize & (c.tracker_pgsize - 1)) ||
			 c.tracker_pgsize < h->page_size)
			err = -EINVAL;
	}
	if (err) {
		errno = -err;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		errno = ENOMEM;
		return NULL;
	}
	g->host = h;
	g->id = ++h->next_group_id;
	g->cfg = c;
	g->ops_id = c.iommu_id ? c.iommu_id : ops_id_private(h);
	g->dev.group = g;
	g->next = h->groups;
	h->groups = g;
	return g;
}

static void group_unlink(struct vfiosim_group *g)
{
	struct vfiosim_group **p = &g->host->groups;

	while (*p && *p != g)
		p = &(*p)->next;
	if (*p)
		*p = g->next;
}

void vfiosim_group_free(struct vfiosim_group *g)
{
	if (!g)
		return;
	if (g->container) {
		HOST_WARN(g->host, "group %u freed while in a container; not freed", g->id);
		return;
	}
	if (g->domain) {
		HOST_WARN(g->host, "group %u freed while attached to domain %u",
			  g->id, g->domain->id);
		host_domain_detach(g->domain, g);
	}
	group_unlink(g);
	host_tracker_stop(g);
	free(g);
}

unsigned int vfiosim_group_id(const struct vfiosim_group *g)
{
	return g->id;
}

uint64_t vfiosim_group_iommu_page(const struct vfiosim_group *g, uint64_t iova)
{
	uint64_t pgsize = 0;

	if (!g || !g->domain || !host_iommu_prot(g->domain, iova, &pgsize))
		return 0;
	return pgsize;
}

unsigned int host_group_resv_regions(const struct vfiosim_group *g,
				     struct vfiosim_resv_region *out, unsigned int max)
{
	unsigned int i, n = g->cfg.nr_resv < max ? g->cfg.nr_resv : max;

	for (i = 0; i < n; i++)
		out[i] = g->cfg.resv[i];
	return n;
}

bool host_group_isolated_msi(const struct vfiosim_group *g)
{
	return !g->cfg.no_isolated_msi;
}

unsigned int host_groups_release(struct vfiosim_host *h)
{
	unsigned int n = 0;

	while (h->groups) {
		struct vfiosim_group *g = h->groups;

		/* Any domain belongs to a leaked container: leave it alone. */
		h->groups = g->next;
		host_tracker_stop(g);
		free(g);
		n++;
	}
	return n;
}
