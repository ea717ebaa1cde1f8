/* SPDX-License-Identifier: MIT */
/*
 * linux/overflow.h - the kernel's checked arithmetic is the compilers'
 * builtins: true when the exact result does not fit *d, which then holds
 * the wrapped value, whatever the operands' types.
 */
#ifndef KSHIM_LINUX_OVERFLOW_H
#define KSHIM_LINUX_OVERFLOW_H

#include <linux/kernel.h>

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#endif /* KSHIM_LINUX_OVERFLOW_H */
