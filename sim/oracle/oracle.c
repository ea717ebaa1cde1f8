// SPDX-License-Identifier: MIT
/*
 * oracle.c - creating, querying and freeing an oracle; recording what it
 * finds wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "oracle/oracle.h"

struct vfiosim_oracle *vfiosim_oracle_new(struct vfiosim_container *c)
{
	struct vfiosim_oracle *o;
	struct vfiosim_group *g;

	if (!c) {
		errno = EINVAL;
		return NULL;
	}
	if (core_watched_by(c, &om_observer_ops)) {
		errno = EBUSY;
		return NULL;
	}
	/* Pins made unseen would leave the pin counts unknown. */
	for (g = c->groups; g; g = core_group(g)->next) {
		if (!RB_EMPTY_ROOT(&core_group(g)->pins)) {
			errno = EBUSY;
			return NULL;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	o->obs.ops = &om_observer_ops;
	o->c = c;
	o->page_size = vfiosim_page_size(c->host);
	o->page_shift = (unsigned int)__builtin_ctzll(o->page_size);
	o->exact = true;
	o->maps = RB_ROOT;
	o->pins = RB_ROOT;
	o->log_pos = vfiosim_log_count(c->host);
	om_activate(o);
	vfiosim_observer_join(c, &o->obs);
	return o;
}

void vfiosim_oracle_free(struct vfiosim_oracle *o)
{
	if (!o)
		return;
	if (o->c)
		vfiosim_observer_leave(o->c, &o->obs);
	om_reset(o);
	free(o);
}

int vfiosim_oracle_status(const struct vfiosim_oracle *o, struct vfiosim_oracle_stats *st)
{
	const struct vfiosim_oracle_stats *s = &o->st;

	if (st)
		*st = *s;
	return s->missed || s->spurious || s->inexact || s->desync ? -EUCLEAN : 0;
}

void vfiosim_oracle_set_exact(struct vfiosim_oracle *o, bool on)
{
	o->exact = on;
}

void vfiosim_oracle_corrupt_next_report(struct vfiosim_oracle *o, uint64_t bit)
{
	o->corrupt = true;
	o->corrupt_bit = bit;
}

void om_violation(struct vfiosim_oracle *o, unsigned long *counter, unsigned long n,
		  const char *fmt, ...)
{
	char *first = o->st.first;
	size_t size = sizeof(o->st.first);
	va_list ap;
	int k;

	*counter += n;
	if (first[0])
		return;
	k = snprintf(first, size, "op %lu: ", o->op);
	if (k < 0 || (size_t)k >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(first + k, size - (size_t)k, fmt, ap);
	va_end(ap);
}
