/* SPDX-License-Identifier: MIT */
/*
 * linux/vfio.h - the VFIO core as type1 sees it: the device a vendor
 * driver registers (only its dma_unmap callback matters to type1) and the
 * capability-chain helpers of vfio_main.c (kernel/shim/vfio_caps.c).  The
 * UAPI is the project's own uapi/linux/vfio.h.
 */
#ifndef KSHIM_LINUX_VFIO_H
#define KSHIM_LINUX_VFIO_H

#include <uapi/linux/vfio.h>
#include <linux/list.h>

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

#endif /* KSHIM_LINUX_VFIO_H */
