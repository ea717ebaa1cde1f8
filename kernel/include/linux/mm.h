/* SPDX-License-Identifier: MIT */
/*
 * linux/mm.h - pages, pinning, VMAs and locked-memory accounting on top of
 * the simulated process (kernel/shim/gup.c, kernel/shim/mm.c).  PAGE_SIZE
 * is the simulated host's CPU page size, a run-time value: a kernel built
 * for 16K or 64K pages is simulated by the same object code.
 * Version-specific calls (pin_user_pages_remote, follow_pte /
 * follow_pfnmap_*) are declared in kernel/versions/.
 */
#ifndef KSHIM_LINUX_MM_H
#define KSHIM_LINUX_MM_H

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm_types.h>
#include <linux/sched.h>

extern unsigned int kshim_page_shift;

#define PAGE_SHIFT	kshim_page_shift
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_IO		0x00004000UL
#define VM_PFNMAP	0x00000400UL

#define FOLL_WRITE	0x01u
#define FOLL_LONGTERM	0x100u

#define FAULT_FLAG_WRITE	0x01u
#define FAULT_FLAG_REMOTE	0x80u

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT;
}

static inline unsigned int get_order(unsigned long size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

bool pfn_valid(unsigned long pfn);
bool PageReserved(const struct page *page);

void unpin_user_page(struct page *page);
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
int fixup_user_fault(struct mm_struct *mm, unsigned long address, unsigned int fault_flags,
		     bool *unlocked);

static inline void mmap_read_lock(struct mm_struct *mm)
{
}

static inline void mmap_read_unlock(struct mm_struct *mm)
{
}

static inline int mmap_write_lock_killable(struct mm_struct *mm)
{
	return 0;
}

static inline void mmap_write_unlock(struct mm_struct *mm)
{
}

int __account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc,
			struct task_struct *task, bool bypass_rlim);

#endif /* KSHIM_LINUX_MM_H */
