/* SPDX-License-Identifier: MIT */
/*
 * linux/mutex.h - the simulation is single-threaded, so a mutex only has to
 * be balanced: taking one that is held (a self-deadlock in the kernel) or
 * releasing one that is free is a WARN, and every backend entry point
 * checks that it returns holding nothing it did not hold on entry.
 */
#ifndef KSHIM_LINUX_MUTEX_H
#define KSHIM_LINUX_MUTEX_H

#include <linux/types.h>

struct mutex {
	int held;
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

typedef struct {
	int held;
} spinlock_t;

#endif /* KSHIM_LINUX_MUTEX_H */
