// SPDX-License-Identifier: MIT
/*
 * locking.c - mutexes of a single-threaded kernel: they cannot block, but
 * the kernel code must still take and release them in balance.
 */
#include "kshim.h"

void mutex_init(struct mutex *m)
{
	m->held = 0;
}

void mutex_lock(struct mutex *m)
{
	/* Another task would wait here; the only task waits forever. */
	if (m->held)
		WARN(1, "mutex %p taken twice: deadlock", (void *)m);
	m->held++;
	kshim_locks_held++;
}

void mutex_unlock(struct mutex *m)
{
	if (WARN(!m->held, "mutex %p released while free", (void *)m))
		return;
	m->held--;
	kshim_locks_held--;
}
