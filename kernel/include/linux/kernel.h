/* SPDX-License-Identifier: MIT */
/*
 * linux/kernel.h - arithmetic and structure helpers of the kernel, written
 * for this shim: type-generic where the kernel's are (abs, min_t), and
 * overflow-saturating where the kernel's are (struct_size).
 */
#ifndef KSHIM_LINUX_KERNEL_H
#define KSHIM_LINUX_KERNEL_H

/* Before the macros below: abs() is also a libc function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include <linux/err.h>
#include <linux/bug.h>
#include <linux/printk.h>

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define sizeof_field(type, member)	sizeof(((type *)0)->member)
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof_field(type, member))

#define ALIGN(x, a)		(((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

#define min_t(type, x, y)	({ type kshim_x_ = (x); type kshim_y_ = (y); \
				   kshim_x_ < kshim_y_ ? kshim_x_ : kshim_y_; })
#define max_t(type, x, y)	({ type kshim_x_ = (x); type kshim_y_ = (y); \
				   kshim_x_ > kshim_y_ ? kshim_x_ : kshim_y_; })

/* The kernel's abs() keeps the argument's width (long stays long). */
#define abs(x)	({ __typeof__(x) kshim_a_ = (x); kshim_a_ < 0 ? -kshim_a_ : kshim_a_; })

/* sizeof(*p) + n * sizeof(p->member[0]), SIZE_MAX on overflow. */
#define struct_size(p, member, n) \
	kshim_struct_size(sizeof(*(p)), sizeof((p)->member[0]), (n))

static inline size_t kshim_struct_size(size_t base, size_t elem, size_t n)
{
	size_t bytes;

	if (__builtin_mul_overflow(elem, n, &bytes) ||
	    __builtin_add_overflow(bytes, base, &bytes))
		return SIZE_MAX;
	return bytes;
}

#endif /* KSHIM_LINUX_KERNEL_H */
