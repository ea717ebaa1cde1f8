/* SPDX-License-Identifier: MIT */
/*
 * linux/sched.h - the one task of the simulated process.  current is the
 * task of the host whose container the backend is serving (set at every
 * backend entry point); its mm is that host's address space.
 */
#ifndef KSHIM_LINUX_SCHED_H
#define KSHIM_LINUX_SCHED_H

#include <linux/mm_types.h>

#define TASK_COMM_LEN	16

struct task_struct {
	char comm[TASK_COMM_LEN];
	int pid;
	struct mm_struct *mm;
	struct task_struct *group_leader;
};

extern struct task_struct *kshim_current;
#define current		kshim_current

#define RLIMIT_MEMLOCK	8
#define RLIM_INFINITY	(~0UL)
#define CAP_IPC_LOCK	14

unsigned long task_rlimit(const struct task_struct *task, unsigned int limit);

static inline unsigned long rlimit(unsigned int limit)
{
	return task_rlimit(current, limit);
}

bool capable(int cap);

static inline int task_pid_nr(const struct task_struct *task)
{
	return task->pid;
}

static inline struct task_struct *get_task_struct(struct task_struct *t)
{
	return t;
}

static inline void put_task_struct(struct task_struct *t)
{
}

void mmgrab(struct mm_struct *mm);
void mmdrop(struct mm_struct *mm);
bool mmget_not_zero(struct mm_struct *mm);
void mmput(struct mm_struct *mm);

static inline void kthread_use_mm(struct mm_struct *mm)
{
}

static inline void kthread_unuse_mm(struct mm_struct *mm)
{
}

static inline bool kthread_should_stop(void)
{
	return false;
}

/* Nothing else runs: yielding returns at once. */
static inline void cond_resched(void)
{
}

/*
 * Sleeping would never end: no other task exists to wake us.  schedule()
 * reports that and then acts as if a fatal signal had arrived, which is
 * what lets the kernel's wait loops give up.
 */
void schedule(void);
bool fatal_signal_pending(struct task_struct *task);

#endif /* KSHIM_LINUX_SCHED_H */
