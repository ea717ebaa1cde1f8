/* SPDX-License-Identifier: MIT */
/*
 * linux/iommu.h - the IOMMU API as type1 uses it, on the host's mock IOMMU
 * (kernel/shim/iommu.c).  An iommu_group is the host's vfiosim_group; a
 * domain wraps a host_domain, and its ops pointer stands for the IOMMU
 * driver: equal for domains of the same driver, as in the kernel, where
 * type1 compares them to decide whether a group may share a domain.
 * Each generation of the API type1 has called is here: domains allocated
 * per bus (iommu_domain_alloc) or per device (iommu_paging_domain_alloc,
 * Linux 6.11), attributes (iommu_domain_get_attr, before 5.13), MSI
 * isolation by capability or by group (6.3); iommu_map() as the tree's
 * release declares it (kshim_linux.h).
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
struct bus_type;
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

enum iommu_cap {
	IOMMU_CAP_CACHE_COHERENCY,
	IOMMU_CAP_INTR_REMAP,
	IOMMU_CAP_NOEXEC,
	IOMMU_CAP_PRE_BOOT_PROTECTION,
};

/* The domain attributes of Linux 5.10's type1. */
enum iommu_attr {
	DOMAIN_ATTR_GEOMETRY,
	DOMAIN_ATTR_PAGING,
	DOMAIN_ATTR_WINDOWS,
	DOMAIN_ATTR_FSL_PAMU_STASH,
	DOMAIN_ATTR_FSL_PAMU_ENABLE,
	DOMAIN_ATTR_FSL_PAMUV1,
	DOMAIN_ATTR_NESTING,
	DOMAIN_ATTR_DMA_USE_FLUSH_QUEUE,
	DOMAIN_ATTR_IO_PGTABLE_CFG,
	DOMAIN_ATTR_MAX,
};

enum iommu_dev_features {
	IOMMU_DEV_FEAT_AUX,
	IOMMU_DEV_FEAT_SVA,
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

/* A domain of the IOMMU behind the group of a device (6.11), or of a bus. */
struct iommu_domain *iommu_paging_domain_alloc(struct device *dev);
struct iommu_domain *iommu_domain_alloc(const struct bus_type *bus);
void iommu_domain_free(struct iommu_domain *domain);
int iommu_domain_get_attr(struct iommu_domain *domain, enum iommu_attr attr, void *data);
int iommu_domain_set_attr(struct iommu_domain *domain, enum iommu_attr attr, void *data);

#if KSHIM_IOMMU_MAP_GFP
int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot, gfp_t gfp);
#else
int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot);
#endif
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

/* Whether the group's interrupts are isolated: by capability, then by group. */
bool iommu_capable(const struct bus_type *bus, enum iommu_cap cap);
bool device_iommu_capable(struct device *dev, enum iommu_cap cap);
bool iommu_group_has_isolated_msi(struct iommu_group *group);

/* Devices of mdev groups behind an IOMMU (Linux 5.10): there are none here. */
int iommu_attach_device(struct iommu_domain *domain, struct device *dev);
void iommu_detach_device(struct iommu_domain *domain, struct device *dev);
int iommu_aux_attach_device(struct iommu_domain *domain, struct device *dev);
void iommu_aux_detach_device(struct iommu_domain *domain, struct device *dev);
bool iommu_dev_feature_enabled(struct device *dev, enum iommu_dev_features feat);

#endif /* KSHIM_LINUX_IOMMU_H */
