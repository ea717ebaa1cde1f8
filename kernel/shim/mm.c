// SPDX-License-Identifier: MIT
/*
 * mm.c - VMAs, PFNMAP lookups and locked-memory accounting of the
 * simulated process.
 *
 * vma_lookup() describes the host range in a VMA kept in the mm (valid
 * until the next lookup: type1 uses it at once, under mmap_lock).  PFNMAP
 * ranges are always populated in the host, so fixup_user_fault() only has
 * to tell a mapped address from a hole.
 */
#include "kshim.h"

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct host_vma *hv = host_mm_find_vma(mm->kshim_host, addr);
	struct vm_area_struct *vma = &mm->kshim_vma;

	if (!hv)
		return NULL;
	*vma = (struct vm_area_struct){
		.vm_start = hv->start,
		.vm_end = hv->end,
		.vm_mm = mm,
		.kshim_vma = hv,
	};
	if (hv->prot & VFIOSIM_PROT_READ)
		vma->vm_flags |= VM_READ;
	if (hv->prot & VFIOSIM_PROT_WRITE)
		vma->vm_flags |= VM_WRITE;
	if (hv->flags & VFIOSIM_MM_PFNMAP)
		vma->vm_flags |= VM_IO | VM_PFNMAP;
	return vma;
}

/* The VMA holding start (type1 asks for [start, start + 1)). */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = vma_lookup(mm, start);

	WARN_ON_ONCE(end != start + 1);
	return vma;
}

int fixup_user_fault(struct mm_struct *mm, unsigned long address, unsigned int fault_flags,
		     bool *unlocked)
{
	struct host_vma *hv = host_mm_find_vma(mm->kshim_host, address);

	if (!hv)
		return -EFAULT;
	if ((fault_flags & FAULT_FLAG_WRITE) && !(hv->prot & VFIOSIM_PROT_WRITE))
		return -EFAULT;
	return 0;
}

/* The pfn behind a PFNMAP address and whether it is mapped writable. */
static int kshim_follow(struct mm_struct *mm, unsigned long address, unsigned long *pfn,
			bool *writable)
{
	struct host_vma *hv = host_mm_find_vma(mm->kshim_host, address);
	uint64_t found;

	if (!hv || !(hv->flags & VFIOSIM_MM_PFNMAP))
		return -EINVAL;
	if (host_mm_follow_pfn(mm->kshim_host, address, false, &found))
		return -EINVAL;
	*pfn = (unsigned long)found;
	*writable = hv->prot & VFIOSIM_PROT_WRITE;
	return 0;
}

/* PFNMAP ranges are mapped by PTEs: the mask covers one page. */
int follow_pfnmap_start(struct follow_pfnmap_args *args)
{
	struct mm_struct *mm = args->vma->vm_mm;

	if (args->address < args->vma->vm_start || args->address >= args->vma->vm_end)
		return -EINVAL;
	args->lock = &mm->kshim_ptl;
	args->ptep = &mm->kshim_pte;
	args->pgprot = 0;
	args->special = true;
	args->addr_mask = PAGE_MASK;
	return kshim_follow(mm, args->address, &args->pfn, &args->writable);
}

void follow_pfnmap_end(struct follow_pfnmap_args *args)
{
}

static int kshim_follow_pte(struct mm_struct *mm, unsigned long address, pte_t **ptepp,
			    spinlock_t **ptlp)
{
	int ret = kshim_follow(mm, address, &mm->kshim_pte.pfn, &mm->kshim_pte.write);

	if (ret)
		return ret;
	*ptepp = &mm->kshim_pte;
	*ptlp = &mm->kshim_ptl;
	return 0;
}

#if KSHIM_FOLLOW_PTE_VMA
int follow_pte(struct vm_area_struct *vma, unsigned long address, pte_t **ptepp,
	       spinlock_t **ptlp)
{
	if (address < vma->vm_start || address >= vma->vm_end)
		return -EINVAL;
	return kshim_follow_pte(vma->vm_mm, address, ptepp, ptlp);
}
#else
int follow_pte(struct mm_struct *mm, unsigned long address, pte_t **ptepp, spinlock_t **ptlp)
{
	return kshim_follow_pte(mm, address, ptepp, ptlp);
}
#endif

/*
 * __account_locked_vm(): the host does the arithmetic and the limit check
 * (against the task's RLIMIT_MEMLOCK unless bypass_rlim) and warns on
 * underflow, as mm/util.c does; the mm's own locked_vm mirrors it.
 */
int __account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc,
			struct task_struct *task, bool bypass_rlim)
{
	struct vfiosim_host *h = mm->kshim_host;
	int ret;

	if (pages > LONG_MAX) {
		WARN(1, "__account_locked_vm(%lu pages)", pages);
		return -ENOMEM;
	}
	ret = host_mm_account(h, inc ? (long)pages : -(long)pages, bypass_rlim);
	mm->locked_vm = host_mm_locked_vm(h);
	if (!ret && kshim_cur_inst)
		kshim_cur_inst->charged += inc ? (long)pages : -(long)pages;
	return ret;
}
