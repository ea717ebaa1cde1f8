/* SPDX-License-Identifier: MIT */
/*
 * versions/6.1.h - the kernel interfaces type1 of Linux 6.1 calls whose
 * shape differs between the supported versions, declared exactly as 6.1
 * declares them (see 6.12.h for why).  6.1 also has the "block on invalid
 * vaddr" wait, which needs wait queues, and the container-close notify op.
 */
#ifndef KSHIM_VERSION_H
#define KSHIM_VERSION_H

#define KSHIM_VERSION		"6.1"
#define KSHIM_VERSION_CODE	0x0601

/*
 * The VFIO core of 6.1 does not pad capabilities to 8 bytes (vfio_main.c,
 * fixed in 6.6 by "vfio: align capability structures"): its GET_INFO chain
 * has a misaligned entry.  That helper is the VFIO core's, not type1's, so
 * kcheck gives every version the fixed one; otherwise every contract test
 * reading GET_INFO would stop there, before reaching type1's behaviour.
 */
#define KSHIM_CAP_ALIGN		1
/* Interface shapes the shims implement (see kernel/README.md). */
#define KSHIM_FOLLOW_PFNMAP	0	/* follow_pte() */
#define KSHIM_GUP_VMAS		1	/* pin_user_pages_remote(..., vmas, locked) */
#define KSHIM_IOMMU_MAP_GFP	0	/* iommu_map() without gfp_t */
#define KSHIM_PAGING_DOMAIN	0	/* iommu_domain_alloc(bus) */
#define KSHIM_ISOLATED_MSI	0	/* device_iommu_capable(IOMMU_CAP_INTR_REMAP) */

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/vfio.h>
#include <linux/wait.h>

/* ------------------------------------------------------ linux/device.h */

struct bus_type {
	const char *name;
	struct iommu_group *kshim_group;	/* stands for bus->iommu_ops */
};

struct device {
	struct bus_type *bus;
	struct iommu_group *kshim_group;
};

/* ---------------------------------------------------------- linux/mm.h */

long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages,
			   struct vm_area_struct **vmas, int *locked);

int follow_pte(struct mm_struct *mm, unsigned long address, pte_t **ptepp, spinlock_t **ptlp);

static inline int pte_write(pte_t pte)
{
	return pte.write;
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return pte.pfn;
}

static inline void pte_unmap_unlock(pte_t *ptep, spinlock_t *ptl)
{
}

#define untagged_addr(addr)	(addr)

/* The simulated process has no shared zero page. */
static inline bool is_zero_pfn(unsigned long pfn)
{
	return false;
}

/* ------------------------------------------------------- linux/iommu.h */

enum iommu_cap {
	IOMMU_CAP_CACHE_COHERENCY,
	IOMMU_CAP_INTR_REMAP,
	IOMMU_CAP_NOEXEC,
	IOMMU_CAP_PRE_BOOT_PROTECTION,
};

int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot);
struct iommu_domain *iommu_domain_alloc(struct bus_type *bus);
bool device_iommu_capable(struct device *dev, enum iommu_cap cap);

/* --------------------------------------------------- linux/irqdomain.h */

/* No MSI controller isolates interrupts by itself on the simulated x86. */
static inline bool irq_domain_check_msi_remap(void)
{
	return false;
}

/* -------------------------------------------- drivers/vfio/vfio.h (private) */

#define __VFIO_VFIO_H__

enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

enum vfio_iommu_notify_type {
	VFIO_IOMMU_CONTAINER_CLOSE = 0,
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
	void (*notify)(void *iommu_data, enum vfio_iommu_notify_type event);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

#endif /* KSHIM_VERSION_H */
