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
/*
 * The pin counts of a range's pages, by page index (pins.c).  add pins
 * [i, i + n) once more and returns how many pages it pinned from i on:
 * fewer at a saturated count or when memory runs out.  drop unpins
 * [i, i + n), which must all be pinned (host_pins_all()).  Lookups
 * update a hint in v, hence no const.
 */
uint32_t host_pins_count(struct host_vma *v, uint64_t i);
long host_pins_add(struct host_vma *v, uint64_t i, uint64_t n);
bool host_pins_all(struct host_vma *v, uint64_t i, uint64_t n);
void host_pins_drop(struct host_vma *v, uint64_t i, uint64_t n);
void host_pins_free(struct host_vma *v);
void host_uregions_release(struct vfiosim_host *h);
/* Frees the groups still alive; returns how many there were. */
unsigned int host_groups_release(struct vfiosim_host *h);
void host_log_release(struct vfiosim_host *h);

#endif /* VFIOSIM_HOST_INTERNAL_H */
