/* SPDX-License-Identifier: MIT */
/*
 * linux/mm_types.h - the memory-management objects type1 touches: the
 * process's mm (type1 reads locked_vm directly), its VMAs, page frames.
 *
 * struct page is never dereferenced by type1, only converted to and from
 * pfns, so a page "pointer" here is an address computed from the pfn in a
 * virtual memmap placed in non-canonical address space: converting is
 * exact and free, and touching one faults at once.
 */
#ifndef KSHIM_LINUX_MM_TYPES_H
#define KSHIM_LINUX_MM_TYPES_H

#include <linux/mutex.h>

struct vfiosim_host;
struct host_vma;
struct mm_struct;

struct page {
	unsigned long kshim_never_touched[8];
};

typedef struct {
	unsigned long pfn;
	bool write;
} pte_t;

struct vm_area_struct {
	unsigned long vm_start, vm_end;
	unsigned long vm_flags;
	struct mm_struct *vm_mm;
	struct host_vma *kshim_vma;	/* the host range it stands for */
};

struct mm_struct {
	unsigned long locked_vm;	/* pages, a mirror of the host's count */
	/* shim: one process per simulated host */
	struct vfiosim_host *kshim_host;
	int kshim_users, kshim_count;	/* mmget/mmput, mmgrab/mmdrop */
	struct vm_area_struct kshim_vma;/* what vma_lookup() last returned */
	pte_t kshim_pte;		/* what follow_pte() last returned */
	spinlock_t kshim_ptl;
};

#define KSHIM_VMEMMAP	0xdead100000000000ULL

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return (struct page *)(uintptr_t)(KSHIM_VMEMMAP + pfn * sizeof(struct page));
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(((uintptr_t)page - KSHIM_VMEMMAP) / sizeof(struct page));
}

#endif /* KSHIM_LINUX_MM_TYPES_H */
