/* SPDX-License-Identifier: MIT */
/*
 * linux/iommu.h - the IOMMU API as type1 uses it, on the host's mock IOMMU
 * (kernel/shim/iommu.c).  An iommu_group is the host's vfiosim_group; a
 * domain wraps a host_domain, and its ops pointer stands for the IOMMU
 * driver: equal for domains of the same driver, as in the kernel, where
 * type1 compares them to decide whether a group may share a domain.
 * Calls whose signature differs between kernel versions are declared in
 * kernel/versions/.
 */
#ifndef KSHIM_LINUX_IOMMU_H
#define KSHIM_LINUX_IOMMU_H

#include <linux/list.h>

#define IOMMU_READ	(1 << 0)
#define IOMMU_WRITE	(1 << 1)
#define IOMMU_CACHE	(1 << 2)

#define __IOMMU_DOMAIN_PAGING	(1U << 0)
#define IOMMU_DOMAIN_UNMANAGED	(__IOMMU_DOMAIN_PAGING)

struct iommu_group;
struct iommu_domain;
struct device;
struct iommu_dma_cookie;

struct iommu_domain_ops {
	bool (*enforce_cache_coherency)(struct iommu_domain *domain);
};

struct iommu_domain_geometry {
	dma_addr_t aperture_start;
	dma_addr_t aperture_end;
	bool force_aperture;
};

struct iommu_domain {
	unsigned int type;
	const struct iommu_domain_ops *ops;
	unsigned long pgsize_bitmap;
	struct iommu_domain_geometry geometry;
	struct iommu_dma_cookie *iova_cookie;
};

enum iommu_resv_type {
	IOMMU_RESV_DIRECT,
	IOMMU_RESV_DIRECT_RELAXABLE,
	IOMMU_RESV_RESERVED,
	IOMMU_RESV_MSI,
	IOMMU_RESV_SW_MSI,
};

struct iommu_resv_region {
	struct list_head list;
	phys_addr_t start;
	size_t length;
	int prot;
	enum iommu_resv_type type;
	void (*free)(struct device *dev, struct iommu_resv_region *region);
};

/* Unmaps are synchronous in the mock: nothing to gather or flush. */
struct iommu_iotlb_gather {
	unsigned long start, end;
	size_t pgsize;
};

static inline void iommu_iotlb_gather_init(struct iommu_iotlb_gather *gather)
{
	*gather = (struct iommu_iotlb_gather){ .start = ~0UL };
}

static inline void iommu_iotlb_sync(struct iommu_domain *domain,
				    struct iommu_iotlb_gather *gather)
{
	iommu_iotlb_gather_init(gather);
}

void iommu_domain_free(struct iommu_domain *domain);
size_t iommu_unmap(struct iommu_domain *domain, unsigned long iova, size_t size);
size_t iommu_unmap_fast(struct iommu_domain *domain, unsigned long iova, size_t size,
			struct iommu_iotlb_gather *iotlb_gather);
phys_addr_t iommu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova);
int iommu_get_group_resv_regions(struct iommu_group *group, struct list_head *head);
int iommu_attach_group(struct iommu_domain *domain, struct iommu_group *group);
void iommu_detach_group(struct iommu_domain *domain, struct iommu_group *group);
int iommu_group_for_each_dev(struct iommu_group *group, void *data,
			     int (*fn)(struct device *, void *));
int iommu_enable_nesting(struct iommu_domain *domain);
int iommu_get_msi_cookie(struct iommu_domain *domain, dma_addr_t base);

#endif /* KSHIM_LINUX_IOMMU_H */
