// SPDX-License-Identifier: MIT
/*
 * devices.c - the guest's devices at work (devices.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "names.h"
#include "vfiosim_client.h"

const char *const nic_mode_names[NIC_NR_MODES] = {
	[NIC_PIN] = "pin", [NIC_DMA] = "dma", [NIC_NONE] = "none",
};

#define NIC_RING	64U		/* buffers the pinning driver keeps posted */
#define NIC_RECYCLE	4U		/* buffers it replaces per millisecond */
#define NIC_PACKET	512U		/* bytes per received packet */
#define VGPU_FB_PAGES	32U
#define VGPU_DONE_PAGES	16U
#define RW		(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

uint64_t guest_iova(const struct guest *g, uint64_t page)
{
	unsigned int i;

	for (i = 0; i < g->nr; i++) {
		const struct section *s = &g->sec[i];

		if (page >= s->first && page - s->first < s->size / g->page_size)
			return s->iova + (page - s->first) * g->page_size;
	}
	return UINT64_MAX;
}

uint64_t guest_page(const struct guest *g, uint64_t iova)
{
	unsigned int i;

	for (i = 0; i < g->nr; i++) {
		const struct section *s = &g->sec[i];

		if (iova >= s->iova && iova - s->iova < s->size)
			return s->first + (iova - s->iova) / g->page_size;
	}
	return UINT64_MAX;
}

static int check(struct devices *d, long ret, const char *what, uint64_t iova)
{
	char r[32];

	if (ret >= 0)
		return 0;
	if (!d->err[0])
		snprintf(d->err, sizeof(d->err), "%s at IOVA 0x%" PRIx64 " failed: %s", what, iova,
			 vfiosim_ret_str(ret, r, sizeof(r)));
	return -1;
}

static uint64_t pool_iova(struct devices *d)
{
	return guest_iova(d->g, d->pool_first + vfiosim_rand(&d->rng) % d->pool_pages);
}

int devices_start(struct devices *d)
{
	uint64_t T = d->g->pages, i;

	d->err[0] = '\0';
	if (T < 256) {
		snprintf(d->err, sizeof(d->err), "the guest needs 256 pages of mapped RAM or more");
		return -1;
	}
	d->pool_first = T / 4;
	d->pool_pages = T / 4;
	d->fb_first = T / 2 + T / 8;
	d->fb_pages = VGPU_FB_PAGES;
	d->done_first = d->fb_first + d->fb_pages;
	d->done_pages = VGPU_DONE_PAGES;
	if (d->nic >= 0 && d->nic_pins) {
		d->ring_size = NIC_RING;
		d->recycle = NIC_RECYCLE;
		d->ring = calloc(d->ring_size, sizeof(*d->ring));
		if (!d->ring) {
			snprintf(d->err, sizeof(d->err), "out of memory");
			return -1;
		}
		for (i = 0; i < d->ring_size; i++) {
			d->ring[i] = pool_iova(d);
			long ret = sim_pin(d->s, (unsigned int)d->nic, d->ring[i], 1, RW);

			if (check(d, ret, "nic pin", d->ring[i]))
				return -1;
		}
	}
	if (d->vgpu >= 0) {
		uint64_t fb = guest_iova(d->g, d->fb_first);

		/* Contiguous in IOVA only within one section. */
		if (guest_iova(d->g, d->fb_first + d->fb_pages - 1) != fb + (d->fb_pages - 1) *
		    d->g->page_size) {
			snprintf(d->err, sizeof(d->err), "the framebuffer would straddle sections");
			return -1;
		}
		if (check(d, sim_pin(d->s, (unsigned int)d->vgpu, fb, (int)d->fb_pages, RW),
			  "vgpu framebuffer pin", fb))
			return -1;
		d->vgpu_pinned = true;
	}
	return 0;
}

static int nic_packet(struct devices *d)
{
	unsigned char pkt[NIC_PACKET];
	uint64_t iova, seq = ++d->packets;
	unsigned int i;

	if (d->nic_pins) {
		iova = d->ring[d->ring_head];
		d->ring_head = (d->ring_head + 1) % d->ring_size;
	} else {
		iova = pool_iova(d);
	}
	for (i = 0; i < NIC_PACKET; i++)
		pkt[i] = (unsigned char)(seq * 131 + i);
	/* Packets land at different offsets of the buffer page. */
	iova += (seq % (d->g->page_size / NIC_PACKET)) * NIC_PACKET;
	return check(d, sim_write(d->s, (unsigned int)d->nic, iova, NIC_PACKET, -1, pkt),
		     "nic DMA write", iova);
}

/* The driver takes a used buffer back and posts a fresh one. */
static int nic_recycle(struct devices *d)
{
	unsigned int slot = (unsigned int)(vfiosim_rand(&d->rng) % d->ring_size);

	if (check(d, sim_unpin(d->s, (unsigned int)d->nic, d->ring[slot], 1), "nic unpin",
		  d->ring[slot]))
		return -1;
	d->ring[slot] = pool_iova(d);
	return check(d, sim_pin(d->s, (unsigned int)d->nic, d->ring[slot], 1, RW), "nic pin",
		     d->ring[slot]);
}

static int vgpu_frame(struct devices *d)
{
	unsigned char px[1024];
	uint64_t fence = migdev_tick(d->dev), rec[2], iova;
	unsigned int k, i;

	for (k = 0; k < d->vgpu_rate; k++) {
		iova = guest_iova(d->g, d->fb_first + vfiosim_rand(&d->rng) % d->fb_pages);
		for (i = 0; i < sizeof(px); i++)
			px[i] = (unsigned char)(fence * 7 + k * 13 + i);
		if (check(d, sim_write(d->s, (unsigned int)d->vgpu, iova, sizeof(px), -1, px),
			  "vgpu framebuffer write", iova))
			return -1;
	}
	rec[0] = fence;
	rec[1] = d->dev->regs.frames;
	iova = guest_iova(d->g, d->done_first + fence % d->done_pages) + (fence % 32) * 16;
	return check(d, sim_dma_rw(d->s, iova, sizeof(rec), true, -1, rec),
		     "vgpu completion (dma_rw)", iova);
}

int devices_run(struct devices *d, unsigned int ms)
{
	unsigned int t, k;

	for (t = 0; t < ms; t++) {
		if (d->nic >= 0) {
			for (k = 0; k < d->nic_rate; k++)
				if (nic_packet(d))
					return -1;
			for (k = 0; d->nic_pins && k < d->recycle; k++)
				if (nic_recycle(d))
					return -1;
		}
		if (d->vgpu >= 0 && migdev_running(d->dev) && vgpu_frame(d))
			return -1;
	}
	return 0;
}

void devices_stop(struct devices *d)
{
	unsigned int i;

	for (i = 0; d->ring && i < d->ring_size; i++)
		sim_unpin(d->s, (unsigned int)d->nic, d->ring[i], 1);
	if (d->vgpu_pinned)
		sim_unpin(d->s, (unsigned int)d->vgpu, guest_iova(d->g, d->fb_first),
			  (int)d->fb_pages);
	d->vgpu_pinned = false;
	free(d->ring);
	d->ring = NULL;
}
