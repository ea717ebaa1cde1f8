/* SPDX-License-Identifier: MIT */
/* linux/gfp.h - allocation flags and whole pages. */
#ifndef KSHIM_LINUX_GFP_H
#define KSHIM_LINUX_GFP_H

#include <linux/types.h>

#define __GFP_ZERO		0x100u
#define __GFP_NOWARN		0x200u
#define __GFP_ACCOUNT		0x400u
#define GFP_KERNEL		0x1u
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)

struct page;

unsigned long __get_free_page(gfp_t flags);
void free_page(unsigned long addr);
struct page *alloc_pages(gfp_t flags, unsigned int order);
void __free_pages(struct page *page, unsigned int order);

#endif /* KSHIM_LINUX_GFP_H */
