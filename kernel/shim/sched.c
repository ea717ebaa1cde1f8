// SPDX-License-Identifier: MIT
/*
 * sched.c - "current": the simulated process of each host (task and mm),
 * which backend entry points make current for the kernel code they call,
 * and the scheduler and credential calls type1 makes.
 *
 * The process of a host lives as long as a driver instance or a mapping
 * (mmgrab) refers to it.  Its bookkeeping is the simulation's, not the
 * kernel's: plain malloc, never failed by fault injection.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kshim.h"

struct task_struct *kshim_current;
struct kshim_proc *kshim_cur_proc;
struct kshim_instance *kshim_cur_inst;
jmp_buf *kshim_bug_jmp;
int kshim_locks_held;
unsigned int kshim_page_shift = 12;

static struct kshim_proc *procs;

struct kshim_proc *kshim_proc_get(struct vfiosim_host *h)
{
	struct kshim_proc *p;

	for (p = procs; p; p = p->next) {
		if (p->h == h) {
			p->refs++;
			return p;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->h = h;
	p->refs = 1;
	snprintf(p->task.comm, sizeof(p->task.comm), "vfiosim-%u", h->next_container_id);
	p->task.pid = 1000;
	p->task.mm = &p->mm;
	p->task.group_leader = &p->task;
	p->mm.kshim_host = h;
	p->mm.kshim_users = 1;
	p->mm.kshim_count = 1;
	p->mm.locked_vm = host_mm_locked_vm(h);
	p->next = procs;
	procs = p;
	return p;
}

static void proc_unlink(struct kshim_proc *p)
{
	struct kshim_proc **link = &procs;

	while (*link != p)
		link = &(*link)->next;
	*link = p->next;
}

void kshim_proc_put(struct kshim_proc *p)
{
	if (--p->refs)
		return;
	/* mmgrab() references of live mappings hold the mm, and so the process. */
	if (p->mm.kshim_count != 1)
		HOST_WARN(p->h, "process released with %d mm references", p->mm.kshim_count - 1);
	proc_unlink(p);
	kshim_buses_free(p);
	free(p);
}

void kshim_enter(struct kshim_frame *f, struct kshim_proc *p, struct kshim_instance *inst,
		 jmp_buf *bug_jmp)
{
	f->proc = kshim_cur_proc;
	f->inst = kshim_cur_inst;
	f->bug_jmp = kshim_bug_jmp;
	f->locks = kshim_locks_held;
	kshim_cur_proc = p;
	kshim_cur_inst = inst;
	kshim_bug_jmp = bug_jmp;
	kshim_current = &p->task;
	kshim_page_shift = p->h->page_shift;
	/* Another backend instance may have changed the host's count since. */
	p->mm.locked_vm = host_mm_locked_vm(p->h);
}

void kshim_leave(struct kshim_frame *f)
{
	struct kshim_proc *p = kshim_cur_proc;

	if (kshim_locks_held != f->locks) {
		HOST_WARN(p->h, "kernel code returned holding %d locks (%d on entry)",
			  kshim_locks_held, f->locks);
		kshim_locks_held = f->locks;
	}
	kshim_cur_proc = f->proc;
	kshim_cur_inst = f->inst;
	kshim_bug_jmp = f->bug_jmp;
	kshim_current = f->proc ? &f->proc->task : NULL;
	if (f->proc)
		kshim_page_shift = f->proc->h->page_shift;
}

struct vfiosim_host *kshim_host(void)
{
	if (!kshim_cur_proc) {
		fprintf(stderr, "kshim: kernel code called outside a backend entry point\n");
		abort();
	}
	return kshim_cur_proc->h;
}

/* task_rlimit(RLIMIT_MEMLOCK) in bytes: the host's limit, 0 meaning none. */
unsigned long task_rlimit(const struct task_struct *task, unsigned int limit)
{
	struct vfiosim_host *h = container_of(task, struct kshim_proc, task)->h;

	if (limit != RLIMIT_MEMLOCK)
		return RLIM_INFINITY;
	return h->cfg.memlock_limit ? h->cfg.memlock_limit : RLIM_INFINITY;
}

bool capable(int cap)
{
	return cap == CAP_IPC_LOCK && host_capable_ipc_lock(kshim_host());
}

void mmgrab(struct mm_struct *mm)
{
	struct kshim_proc *p = container_of(mm, struct kshim_proc, mm);

	mm->kshim_count++;
	p->refs++;
}

void mmdrop(struct mm_struct *mm)
{
	struct kshim_proc *p = container_of(mm, struct kshim_proc, mm);

	if (mm->kshim_count <= 1) {
		HOST_WARN(p->h, "mmdrop() without a reference");
		return;
	}
	mm->kshim_count--;
	kshim_proc_put(p);
}

/* The process never exits while the simulation runs. */
bool mmget_not_zero(struct mm_struct *mm)
{
	mm->kshim_users++;
	return true;
}

void mmput(struct mm_struct *mm)
{
	if (mm->kshim_users <= 1)
		HOST_WARN(mm->kshim_host, "mmput() without mmget()");
	else
		mm->kshim_users--;
}

void schedule(void)
{
	HOST_WARN(kshim_host(), "kernel code slept with nobody left to wake it");
}

/* Set once schedule() has found that nothing could ever wake the task. */
bool fatal_signal_pending(struct task_struct *task)
{
	return true;
}
