/* SPDX-License-Identifier: MIT */
/*
 * kshim.h - what the shims share with each other and with the backend
 * adapter: the kernel's declarations as the tree's release has them
 * (kshim_linux.h), the simulated process that plays "current", and the
 * bridge from kernel objects to host objects.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include "kshim_linux.h"

#include <setjmp.h>

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/mdev.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/wait.h>

#include "host/host.h"

/*
 * One simulated process per host: its task and mm.  Created when the first
 * driver instance of a host opens, freed when nothing refers to it any
 * more (instances and mm references both count).
 */
struct kshim_proc {
	struct task_struct task;
	struct mm_struct mm;
	struct vfiosim_host *h;
	unsigned int refs;
	struct kshim_bus *buses;	/* one per IOMMU group met (shim/iommu.c) */
	struct kshim_proc *next;
};

/* What a backend entry point saves and restores around kernel code. */
struct kshim_frame {
	struct kshim_proc *proc;
	struct kshim_instance *inst;
	jmp_buf *bug_jmp;
	int locks;
};

#define KSHIM_ONCE_SITES	16

/* One open driver instance: the "boot" WARN_ONCE counts in. */
struct kshim_instance {
	struct kshim_proc *proc;
	bool dead;			/* a BUG fired inside it */
	long charged;			/* pages it charged to locked_vm */
	unsigned int nr_once;
	struct { const char *file; unsigned int site; } once[KSHIM_ONCE_SITES];
};

struct kshim_proc *kshim_proc_get(struct vfiosim_host *h);
void kshim_proc_put(struct kshim_proc *p);

/*
 * Makes p (and inst, may be NULL) current for kernel code, remembering
 * the previous state in f.  kshim_leave() restores it and WARNs if the
 * kernel code left a lock taken.
 */
void kshim_enter(struct kshim_frame *f, struct kshim_proc *p, struct kshim_instance *inst,
		 jmp_buf *bug_jmp);
void kshim_leave(struct kshim_frame *f);

/* The host of current; every shim that needs the host goes through here. */
struct vfiosim_host *kshim_host(void);

extern struct kshim_proc *kshim_cur_proc;
extern struct kshim_instance *kshim_cur_inst;
extern jmp_buf *kshim_bug_jmp;
extern int kshim_locks_held;

/* Groups and domains. */
static inline struct iommu_group *kshim_group(struct vfiosim_group *g)
{
	return (struct iommu_group *)(void *)g;
}

static inline struct vfiosim_group *kshim_vgroup(struct iommu_group *ig)
{
	return (struct vfiosim_group *)(void *)ig;
}

void kshim_buses_free(struct kshim_proc *p);

/* Frames of alloc_pages(), which the process never maps (shim/slab.c). */
bool kshim_kpage_pfn(unsigned long pfn);

struct host_domain *kshim_host_domain(struct iommu_domain *domain);
/* The IOMMU domain (if any) that wraps hd: for the consistency check. */
struct iommu_domain *kshim_domain_of(struct host_domain *hd);
/* Domains and pages the kernel allocated and has not freed. */
unsigned long kshim_live_domains(void);
/* Bytes of alloc_pages() frames mapped in the domain (type1's superpage probe
 * before Linux 6.13 may leave its pair mapped). */
uint64_t kshim_domain_kpage_bytes(struct iommu_domain *domain);

#endif /* KSHIM_H */
