// SPDX-License-Identifier: MIT
/*
 * log.c - the ground truth: every write a device could have made, in the
 * order it happened.  Dirty tracking is judged against this list.
 */
#include <stdlib.h>

#include "host/internal.h"

void host_log_write(struct vfiosim_host *h, unsigned int container_id,
		    unsigned int group_id, int source, uint64_t iova, uint64_t len)
{
	struct vfiosim_write *w;

	if (h->log_len == h->log_cap) {
		size_t cap = h->log_cap ? h->log_cap * 2 : 64;
		struct vfiosim_write *log = NULL;

		if (cap <= SIZE_MAX / sizeof(*log))
			log = realloc(h->log, cap * sizeof(*log));
		if (!log) {
			/* A lost entry would make every later verdict wrong. */
			HOST_WARN(h, "write log full, write at iova 0x%llx lost",
				  (unsigned long long)iova);
			return;
		}
		h->log = log;
		h->log_cap = cap;
	}
	w = &h->log[h->log_len++];
	w->seq = ++h->log_seq;
	w->container_id = container_id;
	w->group_id = group_id;
	w->source = source;
	w->iova = iova;
	w->len = len;
}

size_t vfiosim_log_count(const struct vfiosim_host *h)
{
	return h->log_len;
}

const struct vfiosim_write *vfiosim_log_get(const struct vfiosim_host *h, size_t i)
{
	return i < h->log_len ? &h->log[i] : NULL;
}

void host_log_release(struct vfiosim_host *h)
{
	free(h->log);
	h->log = NULL;
	h->log_len = h->log_cap = 0;
}
