// SPDX-License-Identifier: MIT
/*
 * gup.c - page frames and long-term pins on the simulated process: each
 * pin_user_pages_remote() takes one pin per page in the host (its pin
 * count is what the tests check), each unpin drops one.
 */
#include "kshim.h"

/* Pinned in runs of this many pfns, converted to pages as they come. */
#define KSHIM_GUP_CHUNK	64

bool pfn_valid(unsigned long pfn)
{
	return host_pfn_valid(kshim_host(), pfn);
}

bool PageReserved(const struct page *page)
{
	return host_pfn_reserved(kshim_host(), page_to_pfn(page));
}

/*
 * Like __get_user_pages(): stops at the first page that cannot be pinned;
 * returns how many were, or the error if it was the first.  Only
 * FOLL_LONGTERM pins into a page array are supported: all type1 asks.
 */
static long kshim_pin(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
		      unsigned int gup_flags, struct page **pages)
{
	uint64_t pfns[KSHIM_GUP_CHUNK];
	long done = 0, got, i;

	if (WARN_ON_ONCE(!pages || !(gup_flags & FOLL_LONGTERM)))
		return -EINVAL;
	while ((unsigned long)done < nr_pages) {
		unsigned long want = nr_pages - (unsigned long)done;

		if (want > KSHIM_GUP_CHUNK)
			want = KSHIM_GUP_CHUNK;
		got = host_mm_pin_pages(mm->kshim_host, start + ((unsigned long)done << PAGE_SHIFT),
					(long)want, gup_flags & FOLL_WRITE, pfns);
		if (got <= 0)
			return done ? done : (got ? got : -EFAULT);
		for (i = 0; i < got; i++)
			pages[done + i] = pfn_to_page(pfns[i]);
		done += got;
		if ((unsigned long)got < want)
			break;
	}
	return done;
}

#if KSHIM_GUP_VMAS
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages,
			   struct vm_area_struct **vmas, int *locked)
{
	if (WARN_ON_ONCE(vmas))
		return -EINVAL;
	return kshim_pin(mm, start, nr_pages, gup_flags, pages);
}
#else
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages, int *locked)
{
	return kshim_pin(mm, start, nr_pages, gup_flags, pages);
}
#endif

void unpin_user_page(struct page *page)
{
	host_mm_unpin_page(kshim_host(), page_to_pfn(page), false);
}

void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		host_mm_unpin_page(kshim_host(), page_to_pfn(pages[i]), make_dirty);
}

/* npages pages of consecutive pfns from page's on. */
void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages, bool make_dirty)
{
	host_mm_unpin_pages(kshim_host(), page_to_pfn(page), npages, make_dirty);
}
