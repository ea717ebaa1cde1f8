/* SPDX-License-Identifier: MIT */
/*
 * devices.h - what the guest's devices do to guest memory while it runs.
 *
 * nic: an IOMMU-backed device receiving packets into buffers of guest
 * memory through its IOMMU.  Without pins it may write any buffer of its
 * pool (type1 then reports every mapped page dirty: it cannot know); with
 * pins its driver pins a ring of buffers, recycles a few per millisecond,
 * and the device writes only pinned ones, which puts the container in
 * the pinned-page scope.
 *
 * vgpu: an emulated device (struct migdev holds its own state) whose
 * driver pins a framebuffer the device renders into, and which posts
 * completion records through dma_rw.
 *
 * Guest memory is addressed by guest page number: page p of the guest is
 * the p-th page of the sections, in order; its IOVA comes from there.
 */
#ifndef VFIOSIM_CMD_DEVICES_H
#define VFIOSIM_CMD_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "migdev.h"
#include "sim.h"

#define DEV_MAX_SECTIONS	8

struct section {
	char name[24];
	uint64_t iova, vaddr, size;
	uint64_t first;			/* guest page number of its first page */
};

struct guest {
	struct section sec[DEV_MAX_SECTIONS];
	unsigned int nr;
	uint64_t pages, page_size;
};

uint64_t guest_iova(const struct guest *g, uint64_t page);
/* The guest page of an IOVA, or UINT64_MAX outside every section. */
uint64_t guest_page(const struct guest *g, uint64_t iova);

enum nic_mode { NIC_PIN, NIC_DMA, NIC_NONE, NIC_NR_MODES };
/* The names --iommu-dev takes, indexed by enum nic_mode. */
extern const char *const nic_mode_names[NIC_NR_MODES];

struct devices {
	struct sim *s;
	const struct guest *g;
	uint64_t rng;
	/* nic */
	int nic;			/* sim group, -1: absent */
	bool nic_pins;
	unsigned int nic_rate;		/* packets per ms */
	uint64_t pool_first, pool_pages;
	uint64_t *ring;			/* pinned buffer IOVAs */
	unsigned int ring_size, ring_head, recycle;
	uint64_t packets;
	/* vgpu */
	int vgpu;			/* sim group, -1: absent */
	struct migdev *dev;
	unsigned int vgpu_rate;		/* framebuffer pages per ms */
	uint64_t fb_first, fb_pages, done_first, done_pages;
	bool vgpu_pinned;
	/* the first call that failed, or "" */
	char err[200];
};

/*
 * Places the buffers in the guest and lets the drivers pin what they
 * pin.  -1 with d->err set if a call failed.
 */
int devices_start(struct devices *d);
/* ms milliseconds of device work; -1 with d->err on a failed call. */
int devices_run(struct devices *d, unsigned int ms);
/* The drivers give their pins back (device close). */
void devices_stop(struct devices *d);

#endif /* VFIOSIM_CMD_DEVICES_H */
