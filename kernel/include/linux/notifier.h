/* SPDX-License-Identifier: MIT */
/*
 * linux/notifier.h - blocking notifier chains, through which type1 before
 * Linux 6.0 told vendor drivers to unpin a range it was unmapping
 * (kernel/shim/notifier.c).  Blocks are called in priority order, the
 * kernel's rule; nothing runs concurrently, so no lock is needed.
 */
#ifndef KSHIM_LINUX_NOTIFIER_H
#define KSHIM_LINUX_NOTIFIER_H

#include <linux/types.h>

#define NOTIFY_DONE		0x0000
#define NOTIFY_OK		0x0001
#define NOTIFY_STOP_MASK	0x8000

struct notifier_block {
	int (*notifier_call)(struct notifier_block *nb, unsigned long action, void *data);
	struct notifier_block *next;
	int priority;
};

/* type1 reads head: an empty chain refuses pins. */
struct blocking_notifier_head {
	struct notifier_block *head;
};

#define BLOCKING_INIT_NOTIFIER_HEAD(nh)	((nh)->head = NULL)

int blocking_notifier_chain_register(struct blocking_notifier_head *nh,
				     struct notifier_block *nb);
int blocking_notifier_chain_unregister(struct blocking_notifier_head *nh,
				       struct notifier_block *nb);
int blocking_notifier_call_chain(struct blocking_notifier_head *nh, unsigned long val, void *v);

#endif /* KSHIM_LINUX_NOTIFIER_H */
