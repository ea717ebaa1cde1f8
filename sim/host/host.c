// SPDX-License-Identifier: MIT
/*
 * host.c - the simulated machine as a whole: its configuration, its
 * lifetime and its WARNs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "host/internal.h"

/* type1's dma_entry_limit default: U16_MAX mappings per container. */
#define HOST_DEFAULT_DMA_ENTRY_LIMIT	65535U

struct vfiosim_host *vfiosim_host_new(const struct vfiosim_host_config *cfg)
{
	struct vfiosim_host_config c = { 0 };
	struct vfiosim_host *h;

	if (cfg)
		c = *cfg;
	if (!c.page_size)
		c.page_size = 4096;
	if (c.page_size != 4096 && c.page_size != 16384 && c.page_size != 65536) {
		errno = EINVAL;
		return NULL;
	}
	if (!c.dma_entry_limit)
		c.dma_entry_limit = HOST_DEFAULT_DMA_ENTRY_LIMIT;
	/* cfg.kernel stays 0 when not given: a kernel backend then runs as
	 * its own version (vfiosim_container_new_backend()). */
	if (c.kernel && (c.kernel < VFIOSIM_KERNEL_OLDEST || c.kernel > VFIOSIM_KERNEL_NEWEST)) {
		errno = EINVAL;
		return NULL;
	}

	h = calloc(1, sizeof(*h));
	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	h->cfg = c;
	h->page_size = c.page_size;
	h->page_shift = (unsigned int)__builtin_ctzll(c.page_size);
	h->uregions = RB_ROOT;
	host_mm_init(h);
	return h;
}

void vfiosim_host_free(struct vfiosim_host *h)
{
	unsigned int groups;

	if (!h)
		return;
	/* Nobody can read this host's record once it is gone. */
	h->freeing = true;
	/* Leftovers are the caller's bug: say so, then clean up what we own. */
	if (h->containers)
		HOST_WARN(h, "host freed with containers still alive");
	groups = host_groups_release(h);
	if (groups)
		HOST_WARN(h, "host freed with %u group(s) still alive", groups);
	if (h->mm.pinned_total)
		HOST_WARN(h, "host freed with %llu page pin(s) held",
			  (unsigned long long)h->mm.pinned_total);
	if (h->faults.live)
		HOST_WARN(h, "host freed with %lu simulator allocation(s) live",
			  h->faults.live);
	host_mm_release(h);
	host_uregions_release(h);
	host_log_release(h);
	free(h);
}

unsigned int host_kernel(const struct vfiosim_host *h)
{
	return h->cfg.kernel ? h->cfg.kernel : VFIOSIM_KERNEL_NEWEST;
}

uint64_t vfiosim_page_size(const struct vfiosim_host *h)
{
	return h->page_size;
}

/* WARNs with no host to charge them to. */
static struct host_warnings process_warnings;

static struct host_warnings *channel(struct vfiosim_host *h)
{
	return h && !h->freeing ? &h->warn : &process_warnings;
}

static const struct host_warnings *channel_seen(const struct vfiosim_host *h)
{
	return h && !h->freeing ? &h->warn : &process_warnings;
}

void host_warn(struct vfiosim_host *h, const char *file, int line, const char *fmt, ...)
{
	struct host_warnings *w = channel(h);
	char *msg = w->kept[w->count % VFIOSIM_WARNINGS_KEPT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(w->kept[0]), fmt, ap);
	va_end(ap);
	w->count++;
	if (!w->expected)
		fprintf(stderr, "vfiosim: WARNING at %s:%d: %s\n", file, line, msg);
}

void vfiosim_expect_warnings(struct vfiosim_host *h, bool on)
{
	channel(h)->expected = on;
}

unsigned int vfiosim_warnings(const struct vfiosim_host *h)
{
	return channel_seen(h)->count;
}

const char *vfiosim_warning(const struct vfiosim_host *h, unsigned int n)
{
	const struct host_warnings *w = channel_seen(h);

	if (!n || n > w->count || w->count - n >= VFIOSIM_WARNINGS_KEPT)
		return NULL;
	return w->kept[(n - 1) % VFIOSIM_WARNINGS_KEPT];
}

const char *vfiosim_last_warning(const struct vfiosim_host *h)
{
	const char *msg = vfiosim_warning(h, vfiosim_warnings(h));

	return msg ? msg : "";
}

int host_check_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EUCLEAN;
}
