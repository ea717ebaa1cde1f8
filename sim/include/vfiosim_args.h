/* SPDX-License-Identifier: MIT */
/*
 * vfiosim_args.h - the two ioctl arguments whose UAPI structs end in a
 * flexible data[]: laid out whole, so callers can build them on the stack.
 */
#ifndef VFIOSIM_ARGS_H
#define VFIOSIM_ARGS_H

#include <stdint.h>
#include <linux/vfio.h>

/* VFIO_IOMMU_DIRTY_PAGES's header with its data[]: the GET request. */
struct dirty_get_arg {
	uint32_t argsz;
	uint32_t flags;
	struct vfio_iommu_type1_dirty_bitmap_get get;
};

/* VFIO_IOMMU_UNMAP_DMA carrying a struct vfio_bitmap in data[] (offset 24). */
struct dirty_unmap_arg {
	uint32_t argsz;
	uint32_t flags;
	uint64_t iova;
	uint64_t size;
	struct vfio_bitmap bitmap;
};

#endif /* VFIOSIM_ARGS_H */
