/* SPDX-License-Identifier: MIT */
/*
 * core.h - the container layer: what /dev/vfio/vfio and the group and
 * device fds do around an IOMMU driver backend.
 */
#ifndef VFIOSIM_CORE_H
#define VFIOSIM_CORE_H

#include "driver_ops.h"
#include "vfiosim_observer.h"

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
	struct vfiosim_observer *observers;	/* in the order they joined */
	unsigned int in_op;		/* operations under way (they nest) */
};

/*
 * One operation told to the container's observers (vfiosim_observer.h):
 * core_op_begin() before it reaches the driver, core_op_done() after.
 */
struct core_op {
	struct vfiosim_container *c;
	const struct vfiosim_op *op;
	void **tokens;			/* each observer's begin(), in join order */
	void *few[4];
};

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

/* observers.c */
void core_op_begin(struct vfiosim_container *c, struct core_op *call, const struct vfiosim_op *op);
/* Returns ret. */
long core_op_done(struct core_op *call, long ret);
/* The container is going: every observer is told and leaves. */
void core_observers_gone(struct vfiosim_container *c);
bool core_watched_by(const struct vfiosim_container *c, const struct vfiosim_observer_ops *ops);

/* device.c */
bool core_device_has_dma_unmap(const struct vfiosim_group *g);
void core_device_register(struct vfiosim_container *c, struct vfiosim_group *g);
void core_device_unregister(struct vfiosim_container *c, struct vfiosim_group *g);
void core_pins_forget(struct vfiosim_group *g);
void core_pins_release(struct vfiosim_container *c, struct vfiosim_group *g);

#endif /* VFIOSIM_CORE_H */
