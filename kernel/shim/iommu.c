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
	uint64_t kpage_bytes;		/* of alloc_pages() frames, mapped */
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

/* Linux 6.11 on: -ENODEV for a device without IOMMU, -ENOMEM for a failure. */
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

/* Before: NULL for every failure. */
struct iommu_domain *iommu_domain_alloc(const struct bus_type *bus)
{
	struct vfiosim_group *g;

	if (!bus || !bus->kshim_group)
		return NULL;
	g = kshim_vgroup(bus->kshim_group);
	if (g->cfg.kind != VFIOSIM_GROUP_IOMMU)
		return NULL;
	return kshim_domain_alloc(g);
}

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

/* The two attributes Linux 5.10's type1 uses. */
int iommu_domain_get_attr(struct iommu_domain *domain, enum iommu_attr attr, void *data)
{
	if (attr != DOMAIN_ATTR_GEOMETRY)
		return -EINVAL;
	*(struct iommu_domain_geometry *)data = domain->geometry;
	return 0;
}

int iommu_domain_set_attr(struct iommu_domain *domain, enum iommu_attr attr, void *data)
{
	if (attr != DOMAIN_ATTR_NESTING)
		return -EINVAL;
	return *(int *)data ? host_domain_enable_nesting(to_kd(domain)->hd) : 0;
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
	struct kshim_domain *kd = to_kd(domain);
	int ret = host_iommu_map(kd->hd, iova, paddr, size, prot);

	if (!ret && kshim_kpage_pfn(paddr >> PAGE_SHIFT))
		kd->kpage_bytes += size;
	return ret;
}

/* What unmapping [iova, iova + size) removed, counting kernel pages apart. */
static size_t kshim_unmap(struct kshim_domain *kd, unsigned long iova, size_t size)
{
	bool kpage = kshim_kpage_pfn(host_iommu_iova_to_phys(kd->hd, iova) >> PAGE_SHIFT);
	size_t unmapped = host_iommu_unmap(kd->hd, iova, size);

	if (kpage)
		kd->kpage_bytes -= unmapped;
	return unmapped;
}

size_t iommu_unmap(struct iommu_domain *domain, unsigned long iova, size_t size)
{
	return kshim_unmap(to_kd(domain), iova, size);
}

size_t iommu_unmap_fast(struct iommu_domain *domain, unsigned long iova, size_t size,
			struct iommu_iotlb_gather *iotlb_gather)
{
	return kshim_unmap(to_kd(domain), iova, size);
}

uint64_t kshim_domain_kpage_bytes(struct iommu_domain *domain)
{
	return to_kd(domain)->kpage_bytes;
}

phys_addr_t iommu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	return host_iommu_iova_to_phys(to_kd(domain)->hd, iova);
}

/*
 * A group has one device.  Its bus stays valid after the walk (Linux 5.10
 * allocates the domain for the bus the walk found): an emulated group's
 * is the mdev bus, an IOMMU group's its own, kept by the process.
 */
struct bus_type mdev_bus_type = { .name = "mdev" };

struct kshim_bus {
	struct bus_type bus;
	struct kshim_bus *next;
};

static struct bus_type *kshim_bus_of(struct iommu_group *group)
{
	struct kshim_proc *p = kshim_cur_proc;
	struct kshim_bus *b;

	for (b = p->buses; b; b = b->next)
		if (b->bus.kshim_group == group)
			return &b->bus;
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->bus.name = "vfiosim";
	b->bus.kshim_group = group;
	b->next = p->buses;
	p->buses = b;
	return &b->bus;
}

void kshim_buses_free(struct kshim_proc *p)
{
	while (p->buses) {
		struct kshim_bus *b = p->buses;

		p->buses = b->next;
		free(b);
	}
}

int iommu_group_for_each_dev(struct iommu_group *group, void *data,
			     int (*fn)(struct device *, void *))
{
	struct vfiosim_group *g = kshim_vgroup(group);
	struct device dev = { .kshim_group = group };

	dev.bus = g->cfg.kind == VFIOSIM_GROUP_EMULATED ? &mdev_bus_type : kshim_bus_of(group);
	return fn(&dev, data);
}

/* An mdev without an IOMMU device behind it: type1 pins through it. */
struct device *mdev_get_iommu_device(struct device *dev)
{
	return NULL;
}

int iommu_attach_device(struct iommu_domain *domain, struct device *dev)
{
	WARN(1, "iommu_attach_device(): no mdev has an IOMMU device here");
	return -ENODEV;
}

void iommu_detach_device(struct iommu_domain *domain, struct device *dev)
{
	WARN(1, "iommu_detach_device(): no mdev has an IOMMU device here");
}

int iommu_aux_attach_device(struct iommu_domain *domain, struct device *dev)
{
	return iommu_attach_device(domain, dev);
}

void iommu_aux_detach_device(struct iommu_domain *domain, struct device *dev)
{
	iommu_detach_device(domain, dev);
}

bool iommu_dev_feature_enabled(struct device *dev, enum iommu_dev_features feat)
{
	return false;
}

bool iommu_group_has_isolated_msi(struct iommu_group *group)
{
	return host_group_isolated_msi(kshim_vgroup(group));
}

bool device_iommu_capable(struct device *dev, enum iommu_cap cap)
{
	struct vfiosim_group *g = kshim_vgroup(dev->kshim_group);

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return !g->cfg.no_cache_coherency;
	case IOMMU_CAP_INTR_REMAP:
		return host_group_isolated_msi(g);
	default:
		return false;
	}
}

bool iommu_capable(const struct bus_type *bus, enum iommu_cap cap)
{
	struct device dev = { .kshim_group = bus->kshim_group };

	return bus->kshim_group && device_iommu_capable(&dev, cap);
}

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
