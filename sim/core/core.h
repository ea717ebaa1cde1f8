/* SPDX-License-Identifier: MIT */
/*
 * core.h - the container layer: what /dev/vfio/vfio and the group and
 * device fds do around an IOMMU driver backend.
 */
#ifndef VFIOSIM_CORE_H
#define VFIOSIM_CORE_H

#include "driver_ops.h"

struct core_observer;

struct vfiosim_container {
	struct vfiosim_host *host;
	const struct vfiosim_backend *be;	/* the driver behind this container */
	unsigned int id;
	int preset_type;		/* 0: fd semantics (SET_IOMMU, deprivilege) */
	void *data;			/* the open driver instance, or NULL */
	unsigned long type;		/* the type data was opened with */
	struct vfiosim_group *groups;	/* newest first, like the kernel's list */
	unsigned int nr_groups;
	struct vfiosim_container *next;	/* host's containers */
	struct core_observer *observer;	/* watches every operation, or NULL */
};

/*
 * Something that watches every operation on one container (the dirty-page
 * oracle), told what was asked and what came back.  It may read user
 * memory with host_peek_user() and the container layer's own state, and
 * must change nothing a backend or the caller could see.  Calls come on
 * the caller's thread and nest: a backend's unmap asks devices to unpin,
 * so unpins arrive between an ioctl's begin and done.
 */
struct core_observer_ops {
	/* Before the ioctl; the token (may be NULL) goes to ioctl_done. */
	void *(*ioctl_begin)(struct core_observer *obs, unsigned int cmd, unsigned long arg);
	void (*ioctl_done)(struct core_observer *obs, void *token, unsigned int cmd,
			   unsigned long arg, long ret);
	/* The group joined (ret 0) or failed to; left (always succeeds). */
	void (*attached)(struct core_observer *obs, struct vfiosim_group *g, int ret);
	void (*detached)(struct core_observer *obs, struct vfiosim_group *g);
	/* Only calls that reached the backend are reported. */
	void (*pinned)(struct core_observer *obs, struct vfiosim_group *g, uint64_t iova,
		       int npage, int prot, const uint64_t *pfns, int ret);
	void (*unpinned)(struct core_observer *obs, struct vfiosim_group *g, uint64_t iova,
			 int npage);
	void (*dma_rw_done)(struct core_observer *obs, uint64_t iova, size_t len, bool write,
			    int ret);
	/* The container is being freed: forget it. */
	void (*gone)(struct core_observer *obs);
};

struct core_observer {
	const struct core_observer_ops *ops;
};

#define core_observe(c, fn, ...)						\
	do {									\
		if ((c)->observer && (c)->observer->ops->fn)			\
			(c)->observer->ops->fn((c)->observer, __VA_ARGS__);	\
	} while (0)

/* What a group's vendor driver remembers of the pages it pinned. */
struct core_pin {
	struct rb_node node;
	uint64_t iova;
	unsigned int count;
	bool write;			/* pinned with IOMMU_WRITE at least once */
	uint64_t pfn;
};

struct core_group {
	struct vfiosim_group *next;	/* in the container's list */
	struct rb_root pins;		/* struct core_pin by iova */
	bool registered;		/* device registered with the driver */
};

static inline struct core_group *core_group(struct vfiosim_group *g)
{
	return g->priv;
}

/* device.c */
bool core_device_has_dma_unmap(const struct vfiosim_group *g);
void core_device_register(struct vfiosim_container *c, struct vfiosim_group *g);
void core_device_unregister(struct vfiosim_container *c, struct vfiosim_group *g);
void core_pins_forget(struct vfiosim_group *g);
void core_pins_release(struct vfiosim_container *c, struct vfiosim_group *g);

#endif /* VFIOSIM_CORE_H */
