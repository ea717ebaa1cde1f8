// SPDX-License-Identifier: MIT
/*
 * notifier.c - blocking notifier chains (linux/notifier.h): a list sorted by
 * descending priority, later registrations after earlier ones of the same
 * priority; a block registered twice is a WARN, as in the kernel.
 */
#include "kshim.h"

#include <linux/notifier.h>

int blocking_notifier_chain_register(struct blocking_notifier_head *nh,
				     struct notifier_block *nb)
{
	struct notifier_block **link = &nh->head;

	while (*link && (*link)->priority >= nb->priority) {
		if (WARN(*link == nb, "notifier block %p registered twice", (void *)nb))
			return -EEXIST;
		link = &(*link)->next;
	}
	nb->next = *link;
	*link = nb;
	return 0;
}

int blocking_notifier_chain_unregister(struct blocking_notifier_head *nh,
				       struct notifier_block *nb)
{
	struct notifier_block **link;

	for (link = &nh->head; *link; link = &(*link)->next) {
		if (*link == nb) {
			*link = nb->next;
			return 0;
		}
	}
	return -ENOENT;
}

int blocking_notifier_call_chain(struct blocking_notifier_head *nh, unsigned long val, void *v)
{
	struct notifier_block *nb = nh->head, *next;
	int ret = NOTIFY_DONE;

	while (nb) {
		/* A block may unregister itself from its call. */
		next = nb->next;
		ret = nb->notifier_call(nb, val, v);
		if (ret & NOTIFY_STOP_MASK)
			break;
		nb = next;
	}
	return ret;
}
