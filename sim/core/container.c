// SPDX-License-Identifier: MIT
/*
 * container.c - the container fd: group membership, VFIO_GET_API_VERSION,
 * VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU, and pass-through of every other
 * ioctl to the open driver.  Mirrors the kernel's container.c and group.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "vfiosim_client.h"

unsigned int vfiosim_version(void)
{
	return VFIOSIM_VERSION;
}

const char *vfiosim_backend_name(void)
{
	return vfiosim_backend.name;
}

/*
 * A program may hold a second backend (the differential fuzzer, the
 * vfiosim command's --backend): the kernel backend built for that purpose
 * names itself vfiosim_backend_kernel.
 */
extern const struct vfiosim_backend vfiosim_backend_kernel __attribute__((weak));

static bool backend_is(const struct vfiosim_backend *b, const char *name)
{
	size_t n = strlen(name);

	/* "kernel" matches "kernel-6.12": a name, or a name and its version. */
	return !strncmp(b->name, name, n) && (!b->name[n] || b->name[n] == '-');
}

const struct vfiosim_backend *vfiosim_backend_find(const char *name)
{
	if (!name || backend_is(&vfiosim_backend, name))
		return &vfiosim_backend;
	if (&vfiosim_backend_kernel && backend_is(&vfiosim_backend_kernel, name))
		return &vfiosim_backend_kernel;
	return NULL;
}

unsigned int vfiosim_backend_version(const struct vfiosim_backend *b)
{
	return b->kernel;
}

/* The profile a container of backend be on host h follows, or 0 if be is
 * a kernel tree of another version than the one the host asks for. */
static unsigned int container_kernel_of(const struct vfiosim_host *h,
					const struct vfiosim_backend *be)
{
	unsigned int own;

	if (!be->kernel)
		return host_kernel(h);
	own = be->kernel < VFIOSIM_KERNEL_NEWEST ? be->kernel : VFIOSIM_KERNEL_NEWEST;
	if (h->cfg.kernel && h->cfg.kernel != own)
		return 0;
	return own;
}

unsigned int vfiosim_container_kernel(const struct vfiosim_container *c)
{
	return container_kernel_of(c->host, c->be);
}

const char *vfiosim_backend_name_of(const struct vfiosim_backend *b)
{
	return b->name;
}

unsigned int vfiosim_container_id(const struct vfiosim_container *c)
{
	return c->id;
}

/*
 * The container layer is the test program's side of the simulation: its
 * own bookkeeping uses plain malloc, so fault injection only ever hits
 * what the simulated kernel allocates.
 */
static struct core_group *core_group_get(struct vfiosim_group *g)
{
	if (!g->priv) {
		struct core_group *cg = calloc(1, sizeof(*cg));

		if (!cg)
			return NULL;
		cg->pins = RB_ROOT;
		g->priv = cg;
	}
	return g->priv;
}

static void core_group_put(struct vfiosim_group *g)
{
	core_pins_forget(g);
	free(g->priv);
	g->priv = NULL;
}

/* VFIO_CHECK_EXTENSION of a backend with no driver open (the core polls it). */
static long probe_extension(const struct vfiosim_host *h, const struct vfiosim_backend *be,
			    unsigned long arg)
{
	if (be->check_extension)
		return be->check_extension(h, arg);
	return be->ioctl(NULL, VFIO_CHECK_EXTENSION, arg);
}

struct vfiosim_container *vfiosim_container_new(struct vfiosim_host *h, int type)
{
	return vfiosim_container_new_backend(h, type, &vfiosim_backend);
}

struct vfiosim_container *vfiosim_container_new_backend(struct vfiosim_host *h, int type,
							const struct vfiosim_backend *be)
{
	struct vfiosim_container *c;
	int err = 0;

	if (!h || !be || !container_kernel_of(h, be)) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->host = h;
	c->be = be;
	c->id = ++h->next_container_id;
	c->preset_type = type;
	if (type) {
		if (probe_extension(h, c->be, (unsigned long)type) <= 0)
			err = -EINVAL;
		else
			c->data = c->be->open(h, (unsigned long)type, &err);
		if (!c->data) {
			free(c);
			errno = err ? -err : EINVAL;
			return NULL;
		}
		c->type = (unsigned long)type;
	}
	c->next = h->containers;
	h->containers = c;
	return c;
}

static void container_unlink(struct vfiosim_container *c)
{
	struct vfiosim_container **p = (struct vfiosim_container **)&c->host->containers;

	while (*p && *p != c)
		p = &(*p)->next;
	if (*p)
		*p = c->next;
}

void vfiosim_container_free(struct vfiosim_container *c)
{
	if (!c)
		return;
	while (c->groups)
		vfiosim_container_detach(c, c->groups);
	if (c->data)
		c->be->release(c->data);
	core_observers_gone(c);
	container_unlink(c);
	free(c);
}

/* The group joins the container, and its driver if one is open. */
static int group_join(struct vfiosim_container *c, struct vfiosim_group *g,
		      struct core_group *cg)
{
	int ret;

	if (c->data) {
		ret = c->be->attach_group(c->data, g,
						   g->cfg.kind == VFIOSIM_GROUP_EMULATED);
		if (ret) {
			core_group_put(g);
			return ret;
		}
	}
	g->container = c;
	cg->next = c->groups;
	c->groups = g;
	c->nr_groups++;
	if (c->data)
		core_device_register(c, g);
	return 0;
}

int vfiosim_container_attach(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_ATTACH, .group = g };
	struct core_group *cg;
	struct core_op call;

	if (!c || !g || g->host != c->host)
		return -EINVAL;
	if (g->container)
		return -EINVAL;
	cg = core_group_get(g);
	if (!cg)
		return -ENOMEM;
	core_op_begin(c, &call, &op);
	return (int)core_op_done(&call, group_join(c, g, cg));
}

static void group_unlink(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct vfiosim_group **p = &c->groups;

	while (*p != g)
		p = &core_group(*p)->next;
	*p = core_group(g)->next;
	c->nr_groups--;
}

int vfiosim_container_detach(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_DETACH, .group = g };
	struct core_op call;

	if (!c || !g || g->container != c)
		return -EINVAL;
	core_op_begin(c, &call, &op);
	/* Closing the device fd comes first: its driver unpins what it holds
	 * and the device unregisters from the IOMMU driver. */
	if (c->data && core_group(g)->registered) {
		core_pins_release(c, g);
		core_device_unregister(c, g);
	}
	if (c->data)
		c->be->detach_group(c->data, g);
	g->container = NULL;
	group_unlink(c, g);
	core_group_put(g);
	/* The last group leaving deprivileges a plain container. */
	if (!c->groups && c->data && !c->preset_type) {
		c->be->release(c->data);
		c->data = NULL;
		c->type = 0;
	}
	core_op_done(&call, 0);
	return 0;
}

static long check_extension(struct vfiosim_container *c, unsigned long arg)
{
	if (c->data)
		return c->be->ioctl(c->data, VFIO_CHECK_EXTENSION, arg);
	/* With no driver set, the registered drivers are polled: just ours. */
	return probe_extension(c->host, c->be, arg);
}

static long set_iommu(struct vfiosim_container *c, unsigned long arg)
{
	struct vfiosim_group *g, *done;
	void *data;
	int err = 0;
	long ret;

	if (!c->groups || c->data)
		return -EINVAL;
	if (probe_extension(c->host, c->be, arg) <= 0)
		return -ENODEV;
	data = c->be->open(c->host, arg, &err);
	if (!data)
		return err;
	for (g = c->groups; g; g = core_group(g)->next) {
		ret = c->be->attach_group(data, g,
						   g->cfg.kind == VFIOSIM_GROUP_EMULATED);
		if (ret)
			goto unwind;
	}
	c->data = data;
	c->type = arg;
	/* Device fds can only be opened once the container has an IOMMU. */
	for (g = c->groups; g; g = core_group(g)->next)
		core_device_register(c, g);
	return 0;

unwind:
	/* Detach, newest attached first, what was attached before the failure. */
	for (;;) {
		struct vfiosim_group *prev = NULL;

		for (done = c->groups; done != g; done = core_group(done)->next)
			prev = done;
		if (!prev)
			break;
		c->be->detach_group(data, prev);
		g = prev;
	}
	c->be->release(data);
	return ret;
}

static long container_ioctl(struct vfiosim_container *c, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return check_extension(c, arg);
	case VFIO_SET_IOMMU:
		return set_iommu(c, arg);
	default:
		if (!c->data)
			return -EINVAL;
		return c->be->ioctl(c->data, cmd, arg);
	}
}

long vfiosim_ioctl_arg(struct vfiosim_container *c, unsigned int cmd, unsigned long arg)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_IOCTL, .cmd = cmd, .arg = arg };
	struct core_op call;

	if (!c)
		return -EINVAL;
	core_op_begin(c, &call, &op);
	return core_op_done(&call, container_ioctl(c, cmd, arg));
}

long vfiosim_ioctl(struct vfiosim_container *c, unsigned int cmd, void *arg)
{
	return vfiosim_ioctl_arg(c, cmd, (unsigned long)(uintptr_t)arg);
}

int vfiosim_container_set_dirty_provider(struct vfiosim_container *c, unsigned int provider)
{
	struct vfiosim_iommu_dirty_provider req;
	long ret;

	if (!c)
		return -EINVAL;
	vfiosim_dirty_provider_arg(&req, provider);
	/* The request lives on this stack: user memory for the call alone. */
	ret = vfiosim_user_add(c->host, &req, sizeof(req), VFIOSIM_PROT_READ);
	if (ret)
		return (int)ret;
	ret = vfiosim_ioctl(c, VFIOSIM_IOMMU_DIRTY_PROVIDER, &req);
	vfiosim_user_del(c->host, &req);
	return (int)ret;
}

static int accounting_check(struct vfiosim_host *h, char *why, size_t len)
{
	struct vfiosim_container *c;
	uint64_t sum = 0;

	for (c = h->containers; c; c = c->next)
		if (c->data && c->be->locked_pages)
			sum += c->be->locked_pages(c->data);
	if (sum != host_mm_locked_vm(h)) {
		snprintf(why, len, "locked_vm %llu pages but mappings hold %llu",
			 (unsigned long long)host_mm_locked_vm(h),
			 (unsigned long long)sum);
		return -EUCLEAN;
	}
	return 0;
}

int vfiosim_container_check(struct vfiosim_container *c, char *why, size_t len)
{
	char dummy[8];
	int ret = 0;

	if (!why || !len) {
		why = dummy;
		len = sizeof(dummy);
	}
	why[0] = '\0';
	if (c->data && c->be->check)
		ret = c->be->check(c->data, why, len);
	if (!ret)
		ret = accounting_check(c->host, why, len);
	return ret;
}
