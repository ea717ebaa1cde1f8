// SPDX-License-Identifier: MIT
/*
 * backend.c - the kernel's type1 as a vfiosim backend.  Compiled inside
 * type1_tu.c, after the driver, whose ops table it drives: the driver
 * registers itself through its own module_init function, as at module
 * load, and every call goes through its struct vfio_iommu_driver_ops.
 *
 * Each entry point makes the host's process current, copies the host's
 * settings into the module parameters, and guards the kernel code against
 * BUG (longjmp back here, see linux/bug.h).  The vendor-driver side
 * converts between the contract's pfns and the kernel's struct page
 * pointers, and stands a struct vfio_device in for each registered
 * device, whose dma_unmap callback reaches the container layer.  Before
 * Linux 6.0 (KSHIM_PIN_BY_IOVA) the driver took arrays of user pfns and
 * returned host pfns, and told devices of unmaps through a notifier chain:
 * each device then registers a notifier block instead.
 */
#include <stdlib.h>

#include "core/driver_ops.h"

/* A call that hit BUG, and every later call on the same instance. */
#define KBE_DEAD	(-ENOTRECOVERABLE)

struct kbe_dev {
	struct vfio_device vdev;
	struct notifier_block nb;	/* before Linux 6.0 */
	struct host_device *hdev;
	struct kbe_dev *next;
};

struct kbe_inst {
	struct kshim_instance ki;
	struct vfiosim_host *h;
	void *data;			/* the driver's struct vfio_iommu */
	unsigned int dma_limit;		/* dma_entry_limit when opened */
	struct kbe_dev *devs;
};

static const struct vfio_iommu_driver_ops *kbe_driver;

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	if (kbe_driver)
		return -EBUSY;
	kbe_driver = ops;
	return 0;
}

void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	if (kbe_driver == ops)
		kbe_driver = NULL;
}

static const struct vfio_iommu_driver_ops *kbe_ops(void)
{
	if (!kbe_driver && kshim_module_init()) {
		fprintf(stderr, "kernel backend: the type1 driver did not register\n");
		abort();
	}
	return kbe_driver;
}

/* The module parameters are the host's settings (0 = the module default). */
static void kbe_params(const struct vfiosim_host *h)
{
	allow_unsafe_interrupts = h->cfg.allow_unsafe_interrupts;
	disable_hugepages = h->cfg.disable_hugepages;
	dma_entry_limit = h->cfg.dma_entry_limit ? h->cfg.dma_entry_limit : U16_MAX;
}

/* One call into the driver, with its arguments. */
enum kbe_op {
	KBE_IOCTL, KBE_OPEN, KBE_RELEASE, KBE_ATTACH, KBE_DETACH, KBE_PIN, KBE_UNPIN,
	KBE_REGISTER, KBE_UNREGISTER, KBE_DMA_RW,
};

struct kbe_call {
	enum kbe_op op;
	unsigned int cmd;
	unsigned long arg;		/* ioctl argument, open type */
	struct iommu_group *group;
	enum vfio_group_type type;
	dma_addr_t iova;
	int npage, prot;
#if KSHIM_PIN_BY_IOVA
	struct page **out;		/* the pages pinned */
#else
	unsigned long *out;		/* the host pfns pinned */
#endif
	unsigned long *user_pfn;	/* before Linux 6.0: the range, in pfns */
	struct kbe_dev *dev;
	void *buf;
	size_t len;
	bool write;
	void *opened;			/* what open returned */
};

static long kbe_dispatch(struct kbe_inst *in, struct kbe_call *c)
{
	const struct vfio_iommu_driver_ops *ops = kbe_ops();

	switch (c->op) {
	case KBE_IOCTL:
		return ops->ioctl(in->data, c->cmd, c->arg);
	case KBE_OPEN:
		c->opened = ops->open(c->arg);
		return 0;
	case KBE_RELEASE:
		ops->release(in->data);
		return 0;
	case KBE_ATTACH:
#if KSHIM_GROUP_TYPE
		return ops->attach_group(in->data, c->group, c->type);
#else
		return ops->attach_group(in->data, c->group);
#endif
	case KBE_DETACH:
		ops->detach_group(in->data, c->group);
		return 0;
#if KSHIM_PIN_BY_IOVA
	case KBE_PIN:
		return ops->pin_pages(in->data, c->group, c->iova, c->npage, c->prot, c->out);
	case KBE_UNPIN:
		ops->unpin_pages(in->data, c->iova, c->npage);
		return 0;
	case KBE_REGISTER:
		ops->register_device(in->data, &c->dev->vdev);
		return 0;
	case KBE_UNREGISTER:
		ops->unregister_device(in->data, &c->dev->vdev);
		return 0;
#else
	case KBE_PIN:
		return ops->pin_pages(in->data, c->group, c->user_pfn, c->npage, c->prot, c->out);
	case KBE_UNPIN:
		return ops->unpin_pages(in->data, c->user_pfn, c->npage);
	case KBE_REGISTER: {
		unsigned long events = VFIO_IOMMU_NOTIFY_DMA_UNMAP;

		return ops->register_notifier(in->data, &events, &c->dev->nb);
	}
	case KBE_UNREGISTER:
		return ops->unregister_notifier(in->data, &c->dev->nb);
#endif
	case KBE_DMA_RW:
		return ops->dma_rw(in->data, c->iova, c->buf, c->len, c->write);
	}
	return -EINVAL;
}

/*
 * Runs one call as kernel code on behalf of in: the host's process is
 * current and a BUG inside comes back here.  Nothing else lives in this
 * frame, so nothing can be clobbered by the longjmp.
 */
static long kbe_run(struct kbe_inst *in, struct kbe_call *c)
{
	struct kshim_frame f;
	jmp_buf jb;
	volatile long ret = KBE_DEAD;

	kbe_params(in->h);
	kshim_enter(&f, in->ki.proc, &in->ki, &jb);
	if (!setjmp(jb))
		ret = kbe_dispatch(in, c);
	else
		kshim_locks_held = f.locks;	/* what the BUG interrupted stays locked */
	kshim_leave(&f);
	return ret;
}

static long kbe_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	struct kbe_inst *in = data;

	if (!in) {
		/* Polling the registered drivers: no instance, no host needed. */
		if (cmd != VFIO_CHECK_EXTENSION)
			return -EINVAL;
		return kbe_ops()->ioctl(NULL, cmd, arg);
	}
	if (in->ki.dead)
		return KBE_DEAD;
	return kbe_run(in, &(struct kbe_call){ .op = KBE_IOCTL, .cmd = cmd, .arg = arg });
}

static void *kbe_open(struct vfiosim_host *h, unsigned long type, int *err)
{
	struct kbe_call c = { .op = KBE_OPEN, .arg = type };
	struct kbe_inst *in = calloc(1, sizeof(*in));
	long ret;

	if (!in)
		abort();
	in->h = h;
	in->ki.proc = kshim_proc_get(h);
	ret = kbe_run(in, &c);
	if (ret || IS_ERR_OR_NULL(c.opened)) {
		*err = ret ? (int)ret : c.opened ? (int)PTR_ERR(c.opened) : -ENOMEM;
		kshim_proc_put(in->ki.proc);
		free(in);
		return NULL;
	}
	in->data = c.opened;
	in->dma_limit = dma_entry_limit;
	return in;
}

static void kbe_release(void *data)
{
	struct kbe_inst *in = data;

	/* Even after a BUG: release takes no lock and frees what is left. */
	kbe_run(in, &(struct kbe_call){ .op = KBE_RELEASE });
	while (in->devs) {
		struct kbe_dev *d = in->devs;

		HOST_WARN(in->h, "device of group %u still registered at release",
			  d->hdev->group->id);
		in->devs = d->next;
		free(d);
	}
	kshim_proc_put(in->ki.proc);
	free(in);
}

static int kbe_attach_group(void *data, struct vfiosim_group *g, bool emulated)
{
	struct kbe_inst *in = data;

	if (in->ki.dead)
		return KBE_DEAD;
	return (int)kbe_run(in, &(struct kbe_call){
		.op = KBE_ATTACH, .group = kshim_group(g),
		.type = emulated ? VFIO_EMULATED_IOMMU : VFIO_IOMMU });
}

static void kbe_detach_group(void *data, struct vfiosim_group *g)
{
	struct kbe_inst *in = data;

	if (!in->ki.dead)
		kbe_run(in, &(struct kbe_call){ .op = KBE_DETACH, .group = kshim_group(g) });
}

/*
 * What the driver writes for each page pinned: a struct page pointer, or
 * before Linux 6.0 a host pfn.  Entries it did not write keep KBE_UNTOUCHED.
 */
#if KSHIM_PIN_BY_IOVA
#define KBE_UNTOUCHED	((struct page *)(uintptr_t)0xdead200000000000ULL)

static uint64_t kbe_out_pfn(struct page *out)
{
	return out ? page_to_pfn(out) : 0;
}
#else
#define KBE_UNTOUCHED	(~0UL)

static uint64_t kbe_out_pfn(unsigned long out)
{
	return out;
}
#endif

/*
 * Before Linux 6.0 the driver took the user pfns of the range: the pages
 * holding iova and the npage - 1 after it (a vendor driver then pinned
 * guest frames, never an address inside one).  Since, NULL: it takes iova.
 * The vendor driver's array, not the kernel's: plain malloc.
 */
static unsigned long *kbe_user_pfns(const struct kbe_inst *in, uint64_t iova, int npage)
{
	unsigned long *user_pfn;
	int i;

	if (KSHIM_PIN_BY_IOVA)
		return NULL;
	user_pfn = malloc(sizeof(*user_pfn) * (size_t)(npage > 0 ? npage : 1));
	if (!user_pfn)
		abort();
	for (i = 0; i < npage; i++)
		user_pfn[i] = (unsigned long)(iova >> in->h->page_shift) + (unsigned long)i;
	return user_pfn;
}

static int kbe_pin_pages(void *data, struct vfiosim_group *g, uint64_t iova, int npage,
			 int prot, uint64_t *pfns)
{
	struct kbe_inst *in = data;
	struct kbe_call c = { .op = KBE_PIN, .group = kshim_group(g), .iova = iova,
			      .npage = npage, .prot = prot };
	int ret, i;

	if (in->ki.dead)
		return KBE_DEAD;
	/* The vendor driver's arrays, not the kernel's: plain malloc.  A count
	 * below 1 reaches the driver as it is (vfio_pin_pages() lets it). */
	c.out = malloc(sizeof(*c.out) * (size_t)(npage > 0 ? npage : 1));
	if (!c.out)
		abort();
	for (i = 0; i < npage; i++)
		c.out[i] = KBE_UNTOUCHED;
	c.user_pfn = kbe_user_pfns(in, iova, npage);
	ret = (int)kbe_run(in, &c);
	for (i = 0; i < npage; i++)
		if (c.out[i] != KBE_UNTOUCHED)
			pfns[i] = kbe_out_pfn(c.out[i]);
	free(c.out);
	free(c.user_pfn);
	return ret;
}

static void kbe_unpin_pages(void *data, uint64_t iova, int npage)
{
	struct kbe_inst *in = data;
	struct kbe_call c = { .op = KBE_UNPIN, .iova = iova, .npage = npage };

	if (in->ki.dead)
		return;
	c.user_pfn = kbe_user_pfns(in, iova, npage);
	kbe_run(in, &c);
	free(c.user_pfn);
}

/* vfio_device_ops.dma_unmap: the vendor driver must unpin what it holds. */
static void kbe_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct kbe_dev *d = container_of(vdev, struct kbe_dev, vdev);

	host_device_dma_unmap(d->hdev, iova, length);
}

static const struct vfio_device_ops kbe_dev_ops = {
	.dma_unmap = kbe_dma_unmap,
};

/* The same, heard on the notifier chain of Linux before 6.0. */
static int kbe_dma_unmap_notified(struct notifier_block *nb, unsigned long action, void *data)
{
	struct kbe_dev *d = container_of(nb, struct kbe_dev, nb);
	const struct vfio_iommu_type1_dma_unmap *unmap = data;

	if (action != VFIO_IOMMU_NOTIFY_DMA_UNMAP)
		return NOTIFY_DONE;
	kbe_dma_unmap(&d->vdev, unmap->iova, unmap->size);
	return NOTIFY_OK;
}

static void kbe_register_device(void *data, struct host_device *dev)
{
	struct kbe_inst *in = data;
	struct kbe_dev *d;

	if (in->ki.dead)
		return;
	d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->vdev.ops = &kbe_dev_ops;
	d->nb.notifier_call = kbe_dma_unmap_notified;
	d->hdev = dev;
	d->next = in->devs;
	in->devs = d;
	if (kbe_run(in, &(struct kbe_call){ .op = KBE_REGISTER, .dev = d }))
		HOST_WARN(in->h, "the driver refused the device of group %u", dev->group->id);
}

static void kbe_unregister_device(void *data, struct host_device *dev)
{
	struct kbe_inst *in = data;
	struct kbe_dev **link, *d;

	for (link = &in->devs; (d = *link); link = &d->next)
		if (d->hdev == dev)
			break;
	if (!d) {
		HOST_WARN(in->h, "unregistering a device that was not registered");
		return;
	}
	if (!in->ki.dead && kbe_run(in, &(struct kbe_call){ .op = KBE_UNREGISTER, .dev = d }))
		HOST_WARN(in->h, "the driver did not know the device of group %u", dev->group->id);
	*link = d->next;
	free(d);
}

static int kbe_dma_rw(void *data, uint64_t iova, void *buf, size_t len, bool write)
{
	struct kbe_inst *in = data;

	if (in->ki.dead)
		return KBE_DEAD;
	return (int)kbe_run(in, &(struct kbe_call){
		.op = KBE_DMA_RW, .iova = iova, .buf = buf, .len = len, .write = write });
}

int kbe_check(void *data, char *why, size_t len);
uint64_t kbe_locked_pages(void *data);

const struct vfiosim_backend vfiosim_backend = {
	.name = "kernel-" KSHIM_VERSION,
	.kernel = KSHIM_VERSION_CODE,
	.ioctl = kbe_ioctl,
	.open = kbe_open,
	.release = kbe_release,
	.attach_group = kbe_attach_group,
	.detach_group = kbe_detach_group,
	.pin_pages = kbe_pin_pages,
	.unpin_pages = kbe_unpin_pages,
	.register_device = kbe_register_device,
	.unregister_device = kbe_unregister_device,
	.dma_rw = kbe_dma_rw,
	.check = kbe_check,
	.locked_pages = kbe_locked_pages,
};
