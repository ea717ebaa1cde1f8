// SPDX-License-Identifier: MIT
/*
 * device.c - the devices behind groups and their vendor drivers: the
 * external pin/unpin/dma_rw API as vfio_main.c wraps it, the dma_unmap
 * callback, and device writes recorded in the ground-truth log.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* VFIO_PIN_PAGES_MAX_ENTRIES: one page worth of unsigned longs. */
static long pin_max_entries(const struct vfiosim_host *h)
{
	return (long)(h->page_size / sizeof(unsigned long));
}

bool core_device_has_dma_unmap(const struct vfiosim_group *g)
{
	return g->cfg.kind == VFIOSIM_GROUP_EMULATED || g->cfg.has_dma_unmap ||
	       g->dev.dma_unmap;
}

void core_device_register(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct core_group *cg = core_group(g);

	g->dev.group = g;
	if (cg->registered || !core_device_has_dma_unmap(g))
		return;
	c->be->register_device(c->data, &g->dev);
	cg->registered = true;
}

void core_device_unregister(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct core_group *cg = core_group(g);

	if (!cg->registered)
		return;
	c->be->unregister_device(c->data, &g->dev);
	cg->registered = false;
}

void vfiosim_group_set_dma_unmap(struct vfiosim_group *g, vfiosim_dma_unmap_fn fn,
				 void *opaque)
{
	g->dev.dma_unmap = fn;
	g->dev.opaque = opaque;
}

/* ------------------------------------------------ vendor's pin records */

/* Records are keyed by the pinned page's IOVA. */
static int pin_cmp(const void *iova, const struct rb_node *n)
{
	uint64_t a = *(const uint64_t *)iova, b = rb_entry(n, struct core_pin, node)->iova;

	return a < b ? -1 : a > b;
}

static int pin_less(const struct rb_node *a, const struct rb_node *b)
{
	return pin_cmp(&rb_entry(a, struct core_pin, node)->iova, b) < 0;
}

static struct core_pin *pin_find(struct core_group *cg, uint64_t iova)
{
	return rb_entry_safe(rb_find(&iova, &cg->pins, pin_cmp), struct core_pin, node);
}

/* First record at or above iova. */
static struct core_pin *pin_ceil(struct core_group *cg, uint64_t iova)
{
	return rb_entry_safe(rb_find_ceil(&iova, &cg->pins, pin_cmp), struct core_pin, node);
}

static void pin_note(struct core_group *cg, uint64_t iova, uint64_t pfn, bool write)
{
	struct core_pin *p = pin_find(cg, iova);

	if (p) {
		p->count++;
		p->write |= write;
		p->pfn = pfn;
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();	/* test-side bookkeeping: out of memory is fatal */
	p->iova = iova;
	p->count = 1;
	p->write = write;
	p->pfn = pfn;
	rb_add(&p->node, &cg->pins, pin_less);
}

static void pin_drop(struct core_group *cg, struct core_pin *p)
{
	if (--p->count)
		return;
	rb_erase(&p->node, &cg->pins);
	free(p);
}

/* A closing device gives back what its driver still holds. */
void core_pins_release(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct core_pin *p;

	while (g->priv && (p = pin_ceil(core_group(g), 0))) {
		unsigned int n = p->count;

		while (n--)
			vfiosim_unpin_pages(c, g, p->iova, 1);
	}
}

void core_pins_forget(struct vfiosim_group *g)
{
	struct core_group *cg = core_group(g);
	struct rb_node *n;

	if (!cg)
		return;
	while ((n = rb_first(&cg->pins))) {
		rb_erase(n, &cg->pins);
		free(rb_entry(n, struct core_pin, node));
	}
}

/* ------------------------------------------------------ external API */

static bool in_container(struct vfiosim_container *c, struct vfiosim_group *g)
{
	return c && g && g->container == c && core_group(g);
}

int vfiosim_pin_pages(struct vfiosim_container *c, struct vfiosim_group *g,
		      uint64_t iova, int npage, int prot, uint64_t *pfns)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_PIN, .group = g, .iova = iova,
				 .npage = npage, .prot = prot, .pfns = pfns };
	struct core_op call;
	struct vfiosim_host *h;
	int ret, i;

	if (!pfns || !npage || !in_container(c, g))
		return -EINVAL;
	if (!core_device_has_dma_unmap(g))
		return -EINVAL;
	h = c->host;
	if (npage > pin_max_entries(h))
		return -E2BIG;
	if (!c->data)
		return -ENOTTY;
	core_op_begin(c, &call, &op);
	ret = c->be->pin_pages(c->data, g, iova, npage, prot, pfns);
	for (i = 0; i < ret; i++)
		pin_note(core_group(g), iova + (uint64_t)i * h->page_size, pfns[i],
			 prot & VFIOSIM_PROT_WRITE);
	core_op_done(&call, ret);
	return ret;
}

int vfiosim_unpin_pages(struct vfiosim_container *c, struct vfiosim_group *g,
			uint64_t iova, int npage)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_UNPIN, .group = g, .iova = iova,
				 .npage = npage };
	struct core_op call;
	struct vfiosim_host *h;
	int i;

	if (!in_container(c, g))
		return -EINVAL;
	h = c->host;
	if (!core_device_has_dma_unmap(g)) {
		HOST_WARN(h, "unpin by a device without dma_unmap");
		return -EINVAL;
	}
	if (npage <= 0 || npage > pin_max_entries(h)) {
		HOST_WARN(h, "unpin of %d pages", npage);
		return -EINVAL;
	}
	if (!c->data)
		return -ENOTTY;
	core_op_begin(c, &call, &op);
	c->be->unpin_pages(c->data, iova, npage);
	for (i = 0; i < npage; i++) {
		struct core_pin *p = pin_find(core_group(g), iova + (uint64_t)i * h->page_size);

		if (p)
			pin_drop(core_group(g), p);
	}
	core_op_done(&call, 0);
	return 0;
}

/* The default dma_unmap reaction: give back every page pinned in range. */
static void default_dma_unmap(struct vfiosim_group *g, uint64_t iova, uint64_t len)
{
	struct vfiosim_container *c = g->container;
	struct core_pin *p;

	while ((p = pin_ceil(core_group(g), iova)) && p->iova - iova < len) {
		unsigned int n = p->count;

		while (n--)
			vfiosim_unpin_pages(c, g, p->iova, 1);
	}
}

void host_device_dma_unmap(struct host_device *dev, uint64_t iova, uint64_t len)
{
	struct vfiosim_group *g = dev->group;

	if (dev->dma_unmap)
		dev->dma_unmap(dev->opaque, g, iova, len);
	else
		default_dma_unmap(g, iova, len);
}

int vfiosim_dma_rw(struct vfiosim_container *c, uint64_t iova, void *data,
		   size_t len, bool write)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_DMA_RW, .iova = iova, .len = len,
				 .write = write };
	struct core_op call;
	int ret;

	if (!c || !data || !len)
		return -EINVAL;
	if (!c->data)
		return -ENOTTY;
	core_op_begin(c, &call, &op);
	/*
	 * dma_rw writes from iova upwards, so what reached guest memory, even
	 * when the call fails part-way, is the prefix of that many bytes.
	 */
	c->host->guest_bytes_written = 0;
	ret = c->be->dma_rw(c->data, iova, data, len, write);
	if (write && c->host->guest_bytes_written)
		host_log_write(c->host, c->id, 0, VFIOSIM_WRITE_DMA_RW, iova,
			       c->host->guest_bytes_written);
	core_op_done(&call, ret);
	return ret;
}

/* ----------------------------------------------------- device writes */

/*
 * Resolves every page of [iova, iova+len) to its bytes before writing any,
 * so a faulting write changes nothing.  IOMMU groups translate through
 * their domain; emulated devices reach only pages their driver pinned for
 * writing.
 */
static int device_page(struct vfiosim_group *g, uint64_t iova, unsigned char **bytes)
{
	struct vfiosim_host *h = g->host;
	uint64_t off = iova & (h->page_size - 1), phys, pfn;

	if (g->cfg.kind == VFIOSIM_GROUP_EMULATED) {
		struct core_pin *p = g->priv ? pin_find(core_group(g), iova - off) : NULL;

		if (!p)
			return -EFAULT;
		if (!p->write)
			return -EPERM;
		pfn = p->pfn;
	} else {
		int prot;

		if (!g->domain)
			return -EFAULT;
		prot = host_iommu_prot(g->domain, iova, NULL);
		if (!prot)
			return -EFAULT;
		if (!(prot & VFIOSIM_PROT_WRITE))
			return -EPERM;
		phys = host_iommu_iova_to_phys(g->domain, iova);
		pfn = phys >> h->page_shift;
	}
	*bytes = host_pfn_bytes(h, pfn);
	if (!*bytes)
		return -EFAULT;
	*bytes += off;
	return 0;
}

static int device_write(struct vfiosim_group *g, uint64_t iova, const void *data,
			size_t len)
{
	struct vfiosim_host *h;
	uint64_t pos, last, piece;
	unsigned char fill;
	int ret;

	if (!g || !len)
		return -EINVAL;
	h = g->host;
	/* By last bytes: a write may end at 2^64. */
	last = iova + (len - 1);
	if (last < iova)
		return -EFAULT;
	for (pos = iova;; pos = piece + 1) {
		unsigned char *b;

		ret = device_page(g, pos, &b);
		if (ret)
			return ret;
		piece = pos | (h->page_size - 1);
		if (piece >= last)
			break;
	}
	fill = (unsigned char)((h->log_seq + 1) | 1);	/* the write's log number */
	for (pos = iova;; pos = piece + 1) {
		unsigned char *b;

		piece = pos | (h->page_size - 1);
		if (piece > last)
			piece = last;
		device_page(g, pos, &b);
		if (data)
			memcpy(b, (const unsigned char *)data + (pos - iova), piece - pos + 1);
		else
			memset(b, fill, piece - pos + 1);
		if (piece == last)
			break;
	}
	/* What the hardware sees of the write: its dirty bits, its own log. */
	if (g->cfg.kind == VFIOSIM_GROUP_IOMMU) {
		host_iommu_note_write(g->domain, iova, len);
		host_tracker_note(g, iova, len);
	}
	host_log_write(h, g->container ? ((struct vfiosim_container *)g->container)->id : 0,
		       g->id, g->cfg.kind == VFIOSIM_GROUP_EMULATED ? VFIOSIM_WRITE_PINNED :
		       VFIOSIM_WRITE_DMA, iova, len);
	return 0;
}

int vfiosim_device_write(struct vfiosim_group *g, uint64_t iova, size_t len)
{
	return device_write(g, iova, NULL, len);
}

int vfiosim_device_write_data(struct vfiosim_group *g, uint64_t iova,
			      const void *data, size_t len)
{
	if (!data)
		return -EINVAL;
	return device_write(g, iova, data, len);
}
