/* SPDX-License-Identifier: MIT */
/*
 * tracer.h - the command's observer of its container (vfiosim_observer.h):
 * a trace line for each operation the command makes on the container,
 * and what came back, kept in struct sim (the last report, the size UNMAP
 * wrote back, GET_INFO's reply).
 *
 * The tracer reads an operation as the container sees it: an ioctl's
 * argument from the caller's memory, before the call and after.  What only
 * the command knows (the group index it was given, a read-only word in a
 * bitmap, how dma_rw's bytes were made) it takes from struct sim_aside.
 * Operations nested in another (the unpins of an unmap or of a leaving
 * group) are the container's doing, not the command's: they are left out,
 * as replay must not make them twice.
 */
#ifndef VFIOSIM_CMD_TRACER_H
#define VFIOSIM_CMD_TRACER_H

#include "sim.h"

/* Watches s->c from now on; the line of each call is left open for the
 * command's own checks (sim.c closes it). */
void tracer_join(struct sim *s);
void tracer_leave(struct sim *s);
/*
 * A container call no observer heard of (the command had no container, or
 * the container refused the call before it reached the driver): traced
 * and its results kept from the command's view, as the tracer would have.
 * arg is the ioctl's argument (arglen bytes), or NULL.
 */
void tracer_refused(struct sim *s, const struct vfiosim_op *op, const void *arg,
		    size_t arglen, long ret);

#endif /* VFIOSIM_CMD_TRACER_H */
