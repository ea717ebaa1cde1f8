// SPDX-License-Identifier: MIT
/*
 * iommu.c - the IOMMU API on the host's mock IOMMU.
 *
 * A domain is a host_domain inside a struct iommu_domain.  The kernel tells
 * IOMMU drivers apart by their ops pointer, so domains of the same mock
 * driver (equal ops_id) share one refcounted iommu_domain_ops.  The
 * bookkeeping around the host objects is the simulation's (plain malloc);
 * what the kernel itself allocates here (the host domain and its page
 * tables, reserved-region entries, the MSI cookie) is counted and can be
 * failed.
 */
#include <stdlib.h>

#include "kshim.h"

struct kshim_ops {
	struct iommu_domain_ops ops;	/* first: the kernel sees &ops */
	struct vfiosim_host *h;
	unsigned int ops_id;
	unsigned int refs;
	struct kshim_ops *next;
};

struct kshim_domain {
	struct iommu_domain dom;
	struct host_domain *hd;
	struct kshim_ops *ops;
	struct kshim_domain *next;
};

/* What iommu_get_msi_cookie() allocates, as dma-iommu does. */
struct iommu_dma_cookie {
	dma_addr_t msi_iova;
};

static struct kshim_ops *all_ops;
static struct kshim_domain *all_domains;

static struct kshim_domain *to_kd(struct iommu_domain *domain)
{
	return container_of(domain, struct kshim_domain, dom);
}

struct host_domain *kshim_host_domain(struct iommu_domain *domain)
{
	return to_kd(domain)->hd;
}

struct iommu_domain *kshim_domain_of(struct host_domain *hd)
{
	struct kshim_domain *kd;

	for (kd = all_domains; kd; kd = kd->next)
		if (kd->hd == hd)
			return &kd->dom;
	return NULL;
}

unsigned long kshim_live_domains(void)
{
	struct kshim_domain *kd;
	unsigned long n = 0;

	for (kd = all_domains; kd; kd = kd->next)
		n++;
	return n;
}

static bool kshim_enforce_cc(struct iommu_domain *domain)
{
	return to_kd(domain)->hd->enforce_cc;
}

static struct kshim_ops *ops_get(struct vfiosim_host *h, unsigned int ops_id)
{
	struct kshim_ops *o;

	for (o = all_ops; o; o = o->next) {
		if (o->h == h && o->ops_id == ops_id) {
			o->refs++;
			return o;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		abort();
	o->ops.enforce_cache_coherency = kshim_enforce_cc;
	o->h = h;
	o->ops_id = ops_id;
	o->refs = 1;
	o->next = all_ops;
	all_ops = o;
	return o;
}

static void ops_put(struct kshim_ops *o)
{
	struct kshim_ops **link = &all_ops;

	if (--o->refs)
		return;
	while (*link != o)
		link = &(*link)->next;
	*link = o->next;
	free(o);
}

/* The new domain of g's IOMMU, or NULL with errno set. */
static struct iommu_domain *kshim_domain_alloc(struct vfiosim_group *g)
{
	struct host_domain *hd = host_domain_alloc(g);
	struct kshim_domain *kd;

	if (!hd)
		return NULL;
	kd = calloc(1, sizeof(*kd));
	if (!kd)
		abort();
	kd->hd = hd;
	kd->ops = ops_get(g->host, hd->ops_id);
	kd->dom.type = IOMMU_DOMAIN_UNMANAGED;
	kd->dom.ops = &kd->ops->ops;
	kd->dom.pgsize_bitmap = hd->pgsize_bitmap;
	kd->dom.geometry.aperture_start = hd->aperture_start;
	kd->dom.geometry.aperture_end = hd->aperture_end;
	kd->dom.geometry.force_aperture = true;
	kd->next = all_domains;
	all_domains = kd;
	return &kd->dom;
}

#if KSHIM_PAGING_DOMAIN
struct iommu_domain *iommu_paging_domain_alloc(struct device *dev)
{
	struct vfiosim_group *g = kshim_vgroup(dev->kshim_group);
	struct iommu_domain *domain;

	/* A device with no IOMMU behind it has no paging domain. */
	if (g->cfg.kind != VFIOSIM_GROUP_IOMMU)
		return ERR_PTR(-ENODEV);
	errno = 0;
	domain = kshim_domain_alloc(g);
	if (!domain)
		return ERR_PTR(errno == ENODEV ? -ENODEV : -ENOMEM);
	return domain;
}
#else
struct iommu_domain *iommu_domain_alloc(struct bus_type *bus)
{
	struct vfiosim_group *g = kshim_vgroup(bus->kshim_group);

	if (g->cfg.kind != VFIOSIM_GROUP_IOMMU)
		return NULL;
	return kshim_domain_alloc(g);
}
#endif

void iommu_domain_free(struct iommu_domain *domain)
{
	struct kshim_domain *kd = to_kd(domain), **link = &all_domains;

	kfree(domain->iova_cookie);
	host_domain_free(kd->hd);
	ops_put(kd->ops);
	while (*link != kd)
		link = &(*link)->next;
	*link = kd->next;
	free(kd);
}

int iommu_enable_nesting(struct iommu_domain *domain)
{
	return host_domain_enable_nesting(to_kd(domain)->hd);
}

int iommu_attach_group(struct iommu_domain *domain, struct iommu_group *group)
{
	return host_domain_attach(to_kd(domain)->hd, kshim_vgroup(group));
}

void iommu_detach_group(struct iommu_domain *domain, struct iommu_group *group)
{
	host_domain_detach(to_kd(domain)->hd, kshim_vgroup(group));
}

#if KSHIM_IOMMU_MAP_GFP
int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot, gfp_t gfp)
#else
int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot)
#endif
{
	return host_iommu_map(to_kd(domain)->hd, iova, paddr, size, prot);
}

size_t iommu_unmap(struct iommu_domain *domain, unsigned long iova, size_t size)
{
	return host_iommu_unmap(to_kd(domain)->hd, iova, size);
}

size_t iommu_unmap_fast(struct iommu_domain *domain, unsigned long iova, size_t size,
			struct iommu_iotlb_gather *iotlb_gather)
{
	return host_iommu_unmap(to_kd(domain)->hd, iova, size);
}

phys_addr_t iommu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	return host_iommu_iova_to_phys(to_kd(domain)->hd, iova);
}

/* A group has one device; its IOMMU is the group's. */
int iommu_group_for_each_dev(struct iommu_group *group, void *data,
			     int (*fn)(struct device *, void *))
{
#if KSHIM_PAGING_DOMAIN
	struct device dev = { .kshim_group = group };
#else
	struct bus_type bus = { .name = "vfiosim", .kshim_group = group };
	struct device dev = { .bus = &bus, .kshim_group = group };
#endif

	return fn(&dev, data);
}

#if KSHIM_ISOLATED_MSI
bool iommu_group_has_isolated_msi(struct iommu_group *group)
{
	return host_group_isolated_msi(kshim_vgroup(group));
}
#else
bool device_iommu_capable(struct device *dev, enum iommu_cap cap)
{
	struct vfiosim_group *g = kshim_vgroup(dev->kshim_group);

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return true;
	case IOMMU_CAP_INTR_REMAP:
		return host_group_isolated_msi(g);
	default:
		return false;
	}
}
#endif

/*
 * Adds a copy of r to the sorted list, then merges regions of r's type that
 * overlap or touch, keeping the earlier one: the list the kernel's
 * iommu_insert_resv_region() builds.
 */
static int resv_insert(const struct vfiosim_resv_region *r, struct list_head *head)
{
	struct iommu_resv_region *nr = kzalloc(sizeof(*nr), GFP_KERNEL), *it, *tmp, *kept = NULL;

	if (!nr)
		return -ENOMEM;
	nr->start = r->start;
	nr->length = r->length;
	nr->prot = IOMMU_READ | IOMMU_WRITE;
	nr->type = (enum iommu_resv_type)r->type;
	list_for_each_entry(it, head, list)
		if (nr->start < it->start || (nr->start == it->start && nr->type <= it->type))
			break;
	list_add_tail(&nr->list, &it->list);

	list_for_each_entry_safe(it, tmp, head, list) {
		phys_addr_t kept_end, it_end = it->start + it->length - 1;

		if (it->type != nr->type)
			continue;
		if (!kept) {
			kept = it;
			continue;
		}
		kept_end = kept->start + kept->length - 1;
		if (it->start > kept_end + 1) {
			kept = it;
			continue;
		}
		kept->length = (kept_end > it_end ? kept_end : it_end) - kept->start + 1;
		list_del(&it->list);
		kfree(it);
	}
	return 0;
}

int iommu_get_group_resv_regions(struct iommu_group *group, struct list_head *head)
{
	struct vfiosim_group *g = kshim_vgroup(group);
	struct vfiosim_resv_region resv[VFIOSIM_MAX_RESV];
	unsigned int i, n;
	int ret;

	if (g->cfg.kind != VFIOSIM_GROUP_IOMMU)
		return 0;
	n = host_group_resv_regions(g, resv, VFIOSIM_MAX_RESV);
	for (i = 0; i < n; i++) {
		ret = resv_insert(&resv[i], head);
		if (ret)
			return ret;
	}
	return 0;
}

int iommu_get_msi_cookie(struct iommu_domain *domain, dma_addr_t base)
{
	struct iommu_dma_cookie *cookie;

	if (domain->type != IOMMU_DOMAIN_UNMANAGED)
		return -EINVAL;
	if (domain->iova_cookie)
		return -EEXIST;
	cookie = kzalloc(sizeof(*cookie), GFP_KERNEL);
	if (!cookie)
		return -ENOMEM;
	cookie->msi_iova = base;
	domain->iova_cookie = cookie;
	return 0;
}
