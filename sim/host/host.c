// SPDX-License-Identifier: MIT
/*
 * host.c - the simulated machine as a whole: its configuration, its
 * lifetime and the WARN counter.
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

uint64_t vfiosim_page_size(const struct vfiosim_host *h)
{
	return h->page_size;
}

void host_warn(struct vfiosim_host *h, const char *file, int line, const char *fmt, ...)
{
	char msg[sizeof(h->last_warning)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vfiosim: WARNING at %s:%d: %s\n", file, line, msg);
	if (!h)
		return;
	h->warnings++;
	snprintf(h->last_warning, sizeof(h->last_warning), "%s", msg);
}

unsigned int vfiosim_warnings(const struct vfiosim_host *h)
{
	return h->warnings;
}

const char *vfiosim_last_warning(const struct vfiosim_host *h)
{
	return h->last_warning;
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
