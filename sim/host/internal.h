/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what the files of sim/host/ share among themselves: setup
 * and teardown of each part (for host.c) and the range lookup that
 * uaccess.c needs from mm.c.
 */
#ifndef VFIOSIM_HOST_INTERNAL_H
#define VFIOSIM_HOST_INTERNAL_H

#include "host/host.h"

void host_mm_init(struct vfiosim_host *h);
/* The mapped range containing addr or, failing that, the first above it. */
struct host_vma *host_mm_vma_from(const struct vfiosim_host *h, uint64_t addr);
/* Frees every range, pinned or not. */
void host_mm_release(struct vfiosim_host *h);
void host_uregions_release(struct vfiosim_host *h);
/* Frees the groups still alive; returns how many there were. */
unsigned int host_groups_release(struct vfiosim_host *h);
void host_log_release(struct vfiosim_host *h);

#endif /* VFIOSIM_HOST_INTERNAL_H */
