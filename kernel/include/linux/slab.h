/* SPDX-License-Identifier: MIT */
/*
 * linux/slab.h - kernel allocations, all through the host's counted
 * allocator so that fault injection can fail any of them.  Each block
 * remembers how it was obtained: freeing it the wrong way (kfree() of a
 * kvmalloc()ed block, free_page() of a kmalloc()ed one, a pointer that
 * was never allocated) is a WARN, as it is a bug in the kernel.
 */
#ifndef KSHIM_LINUX_SLAB_H
#define KSHIM_LINUX_SLAB_H

#include <linux/gfp.h>
#include <linux/kernel.h>

/* kmalloc() and krealloc() refuse more than this (4 MiB, as x86-64). */
#define KMALLOC_MAX_SIZE	(1UL << 22)

void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void *krealloc(const void *p, size_t new_size, gfp_t flags);
void kfree(const void *p);
void *kvmalloc(size_t size, gfp_t flags);
void *kvzalloc(size_t size, gfp_t flags);
void kvfree(const void *p);

/*
 * One object of a variable's or a type's type (added after 6.12), GFP_KERNEL
 * unless flags are given: kzalloc_obj(*p) or kzalloc_obj(*p, GFP_ATOMIC).
 */
#define KSHIM_SECOND_(a, b, ...)	b
#define kshim_default_gfp(...)		KSHIM_SECOND_(_, ##__VA_ARGS__, GFP_KERNEL)
#define kmalloc_obj(var_or_type, ...) \
	((__typeof__(var_or_type) *)kmalloc(sizeof(var_or_type), kshim_default_gfp(__VA_ARGS__)))
#define kzalloc_obj(var_or_type, ...) \
	((__typeof__(var_or_type) *)kzalloc(sizeof(var_or_type), kshim_default_gfp(__VA_ARGS__)))

#endif /* KSHIM_LINUX_SLAB_H */
