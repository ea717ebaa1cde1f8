/* SPDX-License-Identifier: MIT */
/*
 * driver_ops.h - what an IOMMU driver backend provides to the container layer.
 *
 * The shape follows the kernel's struct vfio_iommu_driver_ops so that the
 * real vfio_iommu_type1.c can sit behind it with thin shims.  Exactly one
 * backend is linked into a program: it defines vfiosim_backend.
 *
 * Calls are made in the order the kernel's container code makes them; all
 * run on the caller's thread.  A backend may call back into the container
 * layer through host_device_dma_unmap() while handling an unmap.
 */
#ifndef VFIOSIM_DRIVER_OPS_H
#define VFIOSIM_DRIVER_OPS_H

#include "../host/host.h"

struct vfiosim_backend {
	const char *name;
	/* 0: follows the host's kernel version (the model); else the one
	 * version it is (a kernel tree), VFIOSIM_KERNEL(major, minor). */
	unsigned int kernel;
	/*
	 * VFIO_CHECK_EXTENSION with no open driver (data NULL) and with one:
	 * the backend's ioctl(NULL, VFIO_CHECK_EXTENSION, arg) must work.
	 */
	long (*ioctl)(void *data, unsigned int cmd, unsigned long arg);
	/*
	 * VFIO_CHECK_EXTENSION with no open driver, for a backend whose
	 * answer depends on the host (the model follows its kernel version).
	 * NULL: ioctl(NULL, VFIO_CHECK_EXTENSION, arg) answers.
	 */
	long (*check_extension)(const struct vfiosim_host *h, unsigned long arg);
	/* open(): a driver instance for the given SET_IOMMU type, or NULL
	 * with *err set (-EINVAL for an unsupported type, -ENOMEM). */
	void *(*open)(struct vfiosim_host *h, unsigned long type, int *err);
	void (*release)(void *data);
	int (*attach_group)(void *data, struct vfiosim_group *g, bool emulated);
	void (*detach_group)(void *data, struct vfiosim_group *g);
	int (*pin_pages)(void *data, struct vfiosim_group *g, uint64_t iova,
			 int npage, int prot, uint64_t *pfns);
	void (*unpin_pages)(void *data, uint64_t iova, int npage);
	void (*register_device)(void *data, struct host_device *dev);
	void (*unregister_device)(void *data, struct host_device *dev);
	int (*dma_rw)(void *data, uint64_t iova, void *buf, size_t len, bool write);
	/* Internal consistency: 0 or -EUCLEAN with a reason. */
	int (*check)(void *data, char *why, size_t len);
	/* Pages this instance has charged to locked_vm (sum over mappings),
	 * so the container layer can check the host's total against it. */
	uint64_t (*locked_pages)(void *data);
};

extern const struct vfiosim_backend vfiosim_backend;

/*
 * Called by a backend to tell a registered device that [iova, iova+len)
 * is going away; the device unpins what it pinned there.
 */
void host_device_dma_unmap(struct host_device *dev, uint64_t iova, uint64_t len);

#endif /* VFIOSIM_DRIVER_OPS_H */
