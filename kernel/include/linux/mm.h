/* SPDX-License-Identifier: MIT */
/*
 * linux/mm.h - pages, pinning, VMAs and locked-memory accounting on top of
 * the simulated process (kernel/shim/gup.c, kernel/shim/mm.c).  PAGE_SIZE
 * is the simulated host's CPU page size, a run-time value: a kernel built
 * for 16K or 64K pages is simulated by the same object code.  Calls whose
 * shape changed are declared as the tree's release has them
 * (kshim_linux.h).
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
void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages, bool make_dirty);

#if KSHIM_GUP_VMAS
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages,
			   struct vm_area_struct **vmas, int *locked);
#else
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages, int *locked);
#endif

/* How many of pages[0..nr_pages) continue the first one's pfn run. */
static inline size_t num_pages_contiguous(struct page **pages, size_t nr_pages)
{
	unsigned long first = page_to_pfn(pages[0]);
	size_t i;

	for (i = 1; i < nr_pages; i++)
		if (page_to_pfn(pages[i]) != first + i)
			break;
	return i;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end);
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

/* PFNMAP lookups: a pte of the simulated process, then its 6.12 successor. */
#if KSHIM_FOLLOW_PTE_VMA
int follow_pte(struct vm_area_struct *vma, unsigned long address, pte_t **ptepp,
	       spinlock_t **ptlp);
#else
int follow_pte(struct mm_struct *mm, unsigned long address, pte_t **ptepp, spinlock_t **ptlp);
#endif

static inline int pte_write(pte_t pte)
{
	return pte.write;
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return pte.pfn;
}

static inline void pte_unmap_unlock(pte_t *ptep, spinlock_t *ptl)
{
}

struct follow_pfnmap_args {
	struct vm_area_struct *vma;
	unsigned long address;
	spinlock_t *lock;
	pte_t *ptep;
	unsigned long pfn;
	unsigned long addr_mask;	/* Linux 6.15: the mapping's extent around pfn */
	pgprot_t pgprot;
	bool writable;
	bool special;
};

int follow_pfnmap_start(struct follow_pfnmap_args *args);
void follow_pfnmap_end(struct follow_pfnmap_args *args);

/* No tagged addresses on the simulated x86. */
#define untagged_addr(addr)	(addr)

static inline unsigned long untagged_addr_remote(struct mm_struct *mm, unsigned long addr)
{
	return addr;
}

/* The simulated process has no shared zero page. */
static inline bool is_zero_pfn(unsigned long pfn)
{
	return false;
}

#endif /* KSHIM_LINUX_MM_H */
