// SPDX-License-Identifier: MIT
/*
 * observers.c - the observers of a container (vfiosim_observer.h): joining,
 * leaving, and telling them of each operation.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

int vfiosim_observer_join(struct vfiosim_container *c, struct vfiosim_observer *obs)
{
	struct vfiosim_observer **p;

	if (!c || !obs || !obs->ops)
		return -EINVAL;
	if (c->in_op)
		return -EBUSY;
	for (p = &c->observers; *p; p = &(*p)->next)
		if (*p == obs)
			return -EINVAL;
	obs->next = NULL;
	*p = obs;
	return 0;
}

int vfiosim_observer_leave(struct vfiosim_container *c, struct vfiosim_observer *obs)
{
	struct vfiosim_observer **p;

	if (!c || !obs)
		return -EINVAL;
	if (c->in_op)
		return -EBUSY;
	for (p = &c->observers; *p && *p != obs; p = &(*p)->next)
		;
	if (!*p)
		return -EINVAL;
	*p = obs->next;
	obs->next = NULL;
	return 0;
}

size_t vfiosim_observer_peek(struct vfiosim_container *c, void *dst, uint64_t uaddr, size_t n)
{
	return host_peek_user(c->host, dst, uaddr, n);
}

bool core_watched_by(const struct vfiosim_container *c, const struct vfiosim_observer_ops *ops)
{
	const struct vfiosim_observer *obs;

	for (obs = c->observers; obs; obs = obs->next)
		if (obs->ops == ops)
			return true;
	return false;
}

/*
 * Observers cannot join or leave while an operation is under way (in_op),
 * so the list done() walks is the one begin() walked.
 */
void core_op_begin(struct vfiosim_container *c, struct core_op *call, const struct vfiosim_op *op)
{
	struct vfiosim_observer *obs;
	size_t n = 0;

	call->c = c;
	call->op = op;
	call->tokens = call->few;
	c->in_op++;
	for (obs = c->observers; obs; obs = obs->next)
		n++;
	/* The container layer's own bookkeeping: plain malloc, never failed on purpose. */
	if (n > sizeof(call->few) / sizeof(call->few[0])) {
		call->tokens = calloc(n, sizeof(*call->tokens));
		if (!call->tokens)
			abort();
	}
	for (obs = c->observers, n = 0; obs; obs = obs->next, n++)
		call->tokens[n] = obs->ops->begin ? obs->ops->begin(obs, op) : NULL;
}

long core_op_done(struct core_op *call, long ret)
{
	struct vfiosim_observer *obs;
	size_t n = 0;

	for (obs = call->c->observers; obs; obs = obs->next, n++)
		if (obs->ops->done)
			obs->ops->done(obs, call->tokens[n], call->op, ret);
	if (call->tokens != call->few)
		free(call->tokens);
	call->c->in_op--;
	return ret;
}

void core_observers_gone(struct vfiosim_container *c)
{
	struct vfiosim_observer *obs;

	while ((obs = c->observers)) {
		c->observers = obs->next;
		obs->next = NULL;
		if (obs->ops->gone)
			obs->ops->gone(obs);
	}
}
