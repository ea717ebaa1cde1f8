/* SPDX-License-Identifier: MIT */
/*
 * versions/6.12.h - the kernel interfaces type1 of Linux 6.12 calls whose
 * shape differs between the supported versions, declared exactly as 6.12
 * declares them: a kernel whose type1 calls them differently fails to
 * compile (conflicting types, wrong argument count) instead of running
 * against a mismatched shim.  Included before everything else in every
 * kernel-side translation unit (-include).
 */
#ifndef KSHIM_VERSION_H
#define KSHIM_VERSION_H

#define KSHIM_VERSION		"6.12"
#define KSHIM_VERSION_CODE	0x060c

/* vfio_info_cap_add() pads each capability to 8 bytes (since 6.6). */
#define KSHIM_CAP_ALIGN		1
/* Interface shapes the shims implement (see kernel/README.md). */
#define KSHIM_FOLLOW_PFNMAP	1	/* follow_pfnmap_start(), not follow_pte() */
#define KSHIM_GUP_VMAS		0	/* pin_user_pages_remote() takes no vmas */
#define KSHIM_IOMMU_MAP_GFP	1	/* iommu_map() takes a gfp_t */
#define KSHIM_PAGING_DOMAIN	1	/* iommu_paging_domain_alloc(dev) */
#define KSHIM_ISOLATED_MSI	1	/* iommu_group_has_isolated_msi() */

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/vfio.h>

/* ------------------------------------------------------ linux/device.h */

struct bus_type {
	const char *name;
};

struct device {
	const struct bus_type *bus;
	struct iommu_group *kshim_group;	/* the group it belongs to */
};

/* ---------------------------------------------------------- linux/mm.h */

long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages, int *locked);

struct follow_pfnmap_args {
	struct vm_area_struct *vma;
	unsigned long address;
	spinlock_t *lock;
	pte_t *ptep;
	unsigned long pfn;
	pgprot_t pgprot;
	bool writable;
	bool special;
};

int follow_pfnmap_start(struct follow_pfnmap_args *args);
void follow_pfnmap_end(struct follow_pfnmap_args *args);

static inline unsigned long untagged_addr_remote(struct mm_struct *mm, unsigned long addr)
{
	return addr;
}

/* ------------------------------------------------------- linux/iommu.h */

int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot, gfp_t gfp);
struct iommu_domain *iommu_paging_domain_alloc(struct device *dev);
bool iommu_group_has_isolated_msi(struct iommu_group *group);

/* -------------------------------------------- drivers/vfio/vfio.h (private) */

/* The real header, next to the .c, is skipped through its include guard. */
#define __VFIO_VFIO_H__

enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

struct vfio_iommu_driver_ops {
	char *name;
	struct module *owner;
	void *(*open)(unsigned long arg);
	void (*release)(void *iommu_data);
	long (*ioctl)(void *iommu_data, unsigned int cmd, unsigned long arg);
	int (*attach_group)(void *iommu_data, struct iommu_group *group,
			    enum vfio_group_type);
	void (*detach_group)(void *iommu_data, struct iommu_group *group);
	int (*pin_pages)(void *iommu_data, struct iommu_group *group, dma_addr_t user_iova,
			 int npage, int prot, struct page **pages);
	void (*unpin_pages)(void *iommu_data, dma_addr_t user_iova, int npage);
	void (*register_device)(void *iommu_data, struct vfio_device *vdev);
	void (*unregister_device)(void *iommu_data, struct vfio_device *vdev);
	int (*dma_rw)(void *iommu_data, dma_addr_t user_iova, void *data, size_t count,
		      bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data, struct iommu_group *group);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

#endif /* KSHIM_VERSION_H */
