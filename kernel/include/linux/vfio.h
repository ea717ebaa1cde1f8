/* SPDX-License-Identifier: MIT */
/*
 * linux/vfio.h - the VFIO core as type1 sees it: the device a vendor
 * driver registers (only its dma_unmap callback matters to type1), the
 * capability-chain helpers of vfio_main.c (kernel/shim/vfio_caps.c), and
 * what the private drivers/vfio/vfio.h gives type1 (Linux 5.19 on; before,
 * this header had it): the driver's ops table and its registration.  The
 * UAPI is the project's own uapi/linux/vfio.h.
 *
 * The tree's own drivers/vfio/vfio.h, next to its type1 and so found first
 * by #include "vfio.h", pulls in most of the VFIO core: its include guard
 * is defined here, so that it is opened but contributes nothing.  A tree
 * whose header changes its guard fails loudly (redefinitions), not
 * silently.
 */
#ifndef KSHIM_LINUX_VFIO_H
#define KSHIM_LINUX_VFIO_H

#include <uapi/linux/vfio.h>
#include <linux/list.h>
#include <linux/notifier.h>

/* Linux 6.13 retired the nesting type and reserved its number: each
 * type1 finds the name its UAPI has. */
#ifndef VFIO_TYPE1_NESTING_IOMMU
#define VFIO_TYPE1_NESTING_IOMMU		6
#endif
#ifndef __VFIO_RESERVED_TYPE1_NESTING_IOMMU
#define __VFIO_RESERVED_TYPE1_NESTING_IOMMU	6
#endif

struct iommu_group;
struct iommu_domain;
struct module;
struct page;
struct vfio_device;

struct vfio_device_ops {
	void (*dma_unmap)(struct vfio_device *vdev, u64 iova, u64 length);
};

struct vfio_device {
	const struct vfio_device_ops *ops;
	struct list_head iommu_entry;
};

struct vfio_info_cap {
	struct vfio_info_cap_header *buf;
	size_t size;
};

struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps, size_t size,
					       u16 id, u16 version);
void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset);
int vfio_info_add_capability(struct vfio_info_cap *caps, struct vfio_info_cap_header *cap,
			     size_t size);

/* The events of the vendor drivers' notifier chain, before Linux 6.0. */
#define VFIO_IOMMU_NOTIFY_DMA_UNMAP	(1UL << 0)

/* ------------------------------------------ drivers/vfio/vfio.h (private) */

#define __VFIO_VFIO_H__

enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

/* Linux 5.12 to 6.1: the container's close reached type1 ("block on
 * invalid vaddr" wakes its waiters). */
enum vfio_iommu_notify_type {
	VFIO_IOMMU_CONTAINER_CLOSE = 0,
};

/*
 * Every op any supported type1 sets, each declared as the tree's release
 * has it: the driver's designated initializer names only its own, and an
 * op whose shape differs fails to compile (incompatible pointer types).
 */
struct vfio_iommu_driver_ops {
	char *name;
	struct module *owner;
	void *(*open)(unsigned long arg);
	void (*release)(void *iommu_data);
	long (*ioctl)(void *iommu_data, unsigned int cmd, unsigned long arg);
#if KSHIM_GROUP_TYPE
	int (*attach_group)(void *iommu_data, struct iommu_group *group,
			    enum vfio_group_type);
#else
	int (*attach_group)(void *iommu_data, struct iommu_group *group);
#endif
	void (*detach_group)(void *iommu_data, struct iommu_group *group);
#if KSHIM_PIN_BY_IOVA
	int (*pin_pages)(void *iommu_data, struct iommu_group *group, dma_addr_t user_iova,
			 int npage, int prot, struct page **pages);
	void (*unpin_pages)(void *iommu_data, dma_addr_t user_iova, int npage);
	void (*register_device)(void *iommu_data, struct vfio_device *vdev);
	void (*unregister_device)(void *iommu_data, struct vfio_device *vdev);
#else
	int (*pin_pages)(void *iommu_data, struct iommu_group *group, unsigned long *user_pfn,
			 int npage, int prot, unsigned long *phys_pfn);
	int (*unpin_pages)(void *iommu_data, unsigned long *user_pfn, int npage);
	int (*register_notifier)(void *iommu_data, unsigned long *events,
				 struct notifier_block *nb);
	int (*unregister_notifier)(void *iommu_data, struct notifier_block *nb);
#endif
	int (*dma_rw)(void *iommu_data, dma_addr_t user_iova, void *data, size_t count,
		      bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data, struct iommu_group *group);
	void (*notify)(void *iommu_data, enum vfio_iommu_notify_type event);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

#endif /* KSHIM_LINUX_VFIO_H */
