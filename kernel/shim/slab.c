// SPDX-License-Identifier: MIT
/*
 * slab.c - kmalloc, kvmalloc, whole pages: every allocation the kernel code
 * makes goes through the host's counted allocator (fault injection,
 * leak count), behind a small header that records how the block was
 * obtained, so that a mismatched free is reported like the kernel bug it
 * is (kfree() of vmalloc memory corrupts the slab; KASAN catches it).
 */
#include <stdlib.h>

#include "kshim.h"

enum kshim_kind {
	KSHIM_KMALLOC = 0x6b6d,		/* kmalloc, kzalloc, krealloc */
	KSHIM_KVMALLOC = 0x6b76,	/* kvmalloc, kvzalloc above a page: vmalloc */
	KSHIM_PAGE = 0x7067,		/* __get_free_page */
	KSHIM_FREED = 0x6672,
};

/* 16 bytes: keeps the block 16-aligned like the allocator's own. */
struct kshim_hdr {
	struct vfiosim_host *h;
	unsigned int kind;
	unsigned int magic;
};

#define KSHIM_MAGIC	0x4b414c43u

static void *kshim_alloc(size_t size, gfp_t flags, unsigned int kind)
{
	struct vfiosim_host *h = kshim_host();
	struct kshim_hdr *hdr;

	if (size > SIZE_MAX - sizeof(*hdr))
		return NULL;
	hdr = host_alloc(h, sizeof(*hdr) + size, flags & __GFP_ZERO);
	if (!hdr)
		return NULL;
	hdr->h = h;
	hdr->kind = kind;
	hdr->magic = KSHIM_MAGIC;
	return hdr + 1;
}

static struct kshim_hdr *kshim_hdr_of(const void *p)
{
	return (struct kshim_hdr *)p - 1;
}

static void kshim_free(const void *p, unsigned int kind, const char *how)
{
	struct kshim_hdr *hdr;

	if (!p)
		return;
	hdr = kshim_hdr_of(p);
	if (hdr->magic != KSHIM_MAGIC || hdr->kind == KSHIM_FREED) {
		WARN(1, "%s(%p): not a live kernel allocation", how, p);
		return;
	}
	/* kvfree() takes both kinds; the others only their own. */
	if (hdr->kind != kind && !(kind == KSHIM_KVMALLOC && hdr->kind == KSHIM_KMALLOC))
		WARN(1, "%s(%p) of memory from %s", how, p,
		     hdr->kind == KSHIM_KVMALLOC ? "kvmalloc" :
		     hdr->kind == KSHIM_PAGE ? "__get_free_page" : "kmalloc");
	hdr->kind = KSHIM_FREED;
	host_free(hdr->h, hdr);
}

void *kmalloc(size_t size, gfp_t flags)
{
	if (size > KMALLOC_MAX_SIZE) {
		/* The page allocator refuses the order, with a warning. */
		if (!(flags & __GFP_NOWARN))
			WARN(1, "kmalloc(%zu): above KMALLOC_MAX_SIZE", size);
		return NULL;
	}
	return kshim_alloc(size, flags, KSHIM_KMALLOC);
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	struct kshim_hdr *hdr, *grown;

	if (!p)
		return kmalloc(new_size, flags);
	hdr = kshim_hdr_of(p);
	if (hdr->magic != KSHIM_MAGIC || hdr->kind != KSHIM_KMALLOC) {
		WARN(1, "krealloc(%p): not a kmalloc block", p);
		return NULL;
	}
	if (new_size > KMALLOC_MAX_SIZE)
		return NULL;
	grown = host_realloc(hdr->h, hdr, sizeof(*hdr) + new_size);
	return grown ? grown + 1 : NULL;
}

void kfree(const void *p)
{
	kshim_free(p, KSHIM_KMALLOC, "kfree");
}

void *kvmalloc(size_t size, gfp_t flags)
{
	/* Sizes that cannot be meant are refused outright, with a warning. */
	if (size > INT_MAX) {
		if (!(flags & __GFP_NOWARN))
			WARN(1, "kvmalloc(%zu): above INT_MAX", size);
		return NULL;
	}
	/*
	 * Up to a page, kvmalloc() is kmalloc() and never falls back.  Above,
	 * its kmalloc() attempt gives up at once (__GFP_NORETRY) and vmalloc()
	 * takes over: kcheck takes that case, where kfree() is a bug.
	 */
	return kshim_alloc(size, flags, size <= PAGE_SIZE ? KSHIM_KMALLOC : KSHIM_KVMALLOC);
}

void *kvzalloc(size_t size, gfp_t flags)
{
	return kvmalloc(size, flags | __GFP_ZERO);
}

void kvfree(const void *p)
{
	kshim_free(p, KSHIM_KVMALLOC, "kvfree");
}

unsigned long __get_free_page(gfp_t flags)
{
	return (unsigned long)(uintptr_t)kshim_alloc(PAGE_SIZE, flags, KSHIM_PAGE);
}

void free_page(unsigned long addr)
{
	kshim_free((const void *)(uintptr_t)addr, KSHIM_PAGE, "free_page");
}

/*
 * alloc_pages() hands out page frames the process never maps, so only
 * their physical address can matter (type1 maps them into an IOMMU domain
 * for its superpage probe and never touches the bytes).  Each allocation
 * is a counted host allocation that records the frame; the frames are
 * 1 GiB aligned, so every IOMMU page size can map them.
 */
#define KSHIM_KPAGE_PFN_BASE	0x4000000000ULL	/* between RAM and MMIO pfns */

struct kshim_kpages {
	struct kshim_kpages *next;
	unsigned long pfn;
	unsigned int order;
};

static struct kshim_kpages *kpages;
static unsigned long kpages_next;

#define KSHIM_KPAGE_SLOTS	1024

static unsigned long kpage_stride(void)
{
	return 1UL << (30 - PAGE_SHIFT);
}

bool kshim_kpage_pfn(unsigned long pfn)
{
	return pfn >= KSHIM_KPAGE_PFN_BASE &&
	       pfn - KSHIM_KPAGE_PFN_BASE < KSHIM_KPAGE_SLOTS * kpage_stride();
}

struct page *alloc_pages(gfp_t flags, unsigned int order)
{
	struct kshim_kpages *kp = kshim_alloc(sizeof(*kp), flags, KSHIM_KMALLOC);

	if (!kp)
		return NULL;
	kp->order = order;
	kp->pfn = (unsigned long)KSHIM_KPAGE_PFN_BASE +
		  kpage_stride() * (kpages_next++ % KSHIM_KPAGE_SLOTS);
	kp->next = kpages;
	kpages = kp;
	return pfn_to_page(kp->pfn);
}

void __free_pages(struct page *page, unsigned int order)
{
	struct kshim_kpages **link;

	for (link = &kpages; *link; link = &(*link)->next) {
		struct kshim_kpages *kp = *link;

		if (kp->pfn != page_to_pfn(page))
			continue;
		WARN(kp->order != order, "__free_pages(order %u) of an order-%u block", order,
		     kp->order);
		*link = kp->next;
		kshim_free(kp, KSHIM_KMALLOC, "__free_pages");
		return;
	}
	WARN(1, "__free_pages(pfn 0x%lx): not allocated", page_to_pfn(page));
}
