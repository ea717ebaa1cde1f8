/* SPDX-License-Identifier: MIT */
/*
 * linux/wait.h - wait queues (Linux 6.1's type1 sleeps on one while a
 * mapping's vaddr is invalid).  With a single task nobody can wake a
 * sleeper: see schedule() in linux/sched.h.
 */
#ifndef KSHIM_LINUX_WAIT_H
#define KSHIM_LINUX_WAIT_H

#include <linux/sched.h>

#define TASK_KILLABLE	0x0102

typedef struct {
	int waiters;
} wait_queue_head_t;

struct wait_queue_entry {
	int queued;
};

#define DEFINE_WAIT(name)	struct wait_queue_entry name = { 0 }

static inline void init_waitqueue_head(wait_queue_head_t *wq)
{
	wq->waiters = 0;
}

static inline void prepare_to_wait(wait_queue_head_t *wq, struct wait_queue_entry *w, int state)
{
	w->queued = 1;
	wq->waiters++;
}

static inline void finish_wait(wait_queue_head_t *wq, struct wait_queue_entry *w)
{
	if (w->queued)
		wq->waiters--;
	w->queued = 0;
}

static inline void wake_up_all(wait_queue_head_t *wq)
{
}

#endif /* KSHIM_LINUX_WAIT_H */
