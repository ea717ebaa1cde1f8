/* SPDX-License-Identifier: MIT */
/*
 * vfiosim_observer.h - watching every operation on a container.
 *
 * An observer is told of each operation on the container it joined, with
 * what was asked and, at the end, what came back: the ioctls, the groups
 * joining and leaving, and the vendor driver's calls (pin, unpin, dma_rw).
 * The dirty-page oracle (vfiosim_oracle.h) is one; the vfiosim command's
 * tracer another.  Any number may join a container; the container layer
 * tells them, for every backend alike.
 *
 * An operation is bracketed: begin() before it runs, done() with its
 * result after, each observer in the order it joined.  Operations nest:
 * while a backend unmaps, devices are told to unpin, and their unpins
 * come between the unmap's begin and done (likewise the unpins of a
 * device that closes as its group leaves).  Only operations that reach
 * the driver (for attach and detach: the container's group list) are
 * told; a call refused before that (a NULL argument, a group in another
 * container, a vendor pin without a driver) is not.
 *
 * Observers run on the caller's thread, must change nothing a backend or
 * the caller could see, and read user memory with vfiosim_observer_peek()
 * only.  They join and leave outside any operation on the container.
 */
#ifndef VFIOSIM_OBSERVER_H
#define VFIOSIM_OBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfiosim.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vfiosim_op_kind {
	VFIOSIM_OP_IOCTL,		/* cmd, arg: vfiosim_ioctl() */
	VFIOSIM_OP_ATTACH,		/* group */
	VFIOSIM_OP_DETACH,		/* group */
	VFIOSIM_OP_PIN,			/* group, iova, npage, prot, pfns (filled when done) */
	VFIOSIM_OP_UNPIN,		/* group, iova, npage */
	VFIOSIM_OP_DMA_RW,		/* iova, len, write */
};

/* An operation as the caller asked it; the fields its kind names are set. */
struct vfiosim_op {
	enum vfiosim_op_kind kind;
	struct vfiosim_group *group;
	unsigned int cmd;
	unsigned long arg;		/* a user address, or the integer argument */
	uint64_t iova;
	int npage, prot;
	const uint64_t *pfns;
	size_t len;
	bool write;
};

struct vfiosim_observer;

struct vfiosim_observer_ops {
	/* Before the operation; the token (may be NULL) goes to done(). */
	void *(*begin)(struct vfiosim_observer *obs, const struct vfiosim_op *op);
	/* After it, with its return value. */
	void (*done)(struct vfiosim_observer *obs, void *token, const struct vfiosim_op *op,
		     long ret);
	/* The container is being freed (it has left): forget it. */
	void (*gone)(struct vfiosim_observer *obs);
};

/* Embedded in the observer's own struct; next belongs to the container. */
struct vfiosim_observer {
	const struct vfiosim_observer_ops *ops;	/* each may be NULL */
	struct vfiosim_observer *next;
};

/*
 * 0, -EINVAL (NULL, or already watching c), -EBUSY inside an operation.  An
 * observer watches one container at a time.
 */
int vfiosim_observer_join(struct vfiosim_container *c, struct vfiosim_observer *obs);
/* 0, -EINVAL (not in c), -EBUSY inside an operation. */
int vfiosim_observer_leave(struct vfiosim_container *c, struct vfiosim_observer *obs);
/*
 * Reads n bytes of the caller's memory at uaddr as the container's driver
 * would (copy_from_user's rules), without counting as a user copy for
 * vfiosim_fail_nth_copy().  Returns the bytes not read (zeroed in dst).
 */
size_t vfiosim_observer_peek(struct vfiosim_container *c, void *dst, uint64_t uaddr, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* VFIOSIM_OBSERVER_H */
