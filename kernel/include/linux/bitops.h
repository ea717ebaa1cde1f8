/* SPDX-License-Identifier: MIT */
/*
 * linux/bitops.h - bit searches with the x86-64 kernel's results for every
 * input, zero included, so that no shim call is undefined:
 *
 *   __ffs(0) is 64: the kernel emits "rep; bsf", which every x86-64 CPU
 *   with BMI1 runs as tzcnt, and tzcnt of 0 is the operand width.
 *   __fls(0) is 0 here: bsr leaves its destination unwritten on zero
 *   input, so the kernel gets whatever the register held; type1 only
 *   compares it with __ffs(), where any value below 64 takes the same
 *   path.
 *
 * A kernel shift by such a count (x >> __ffs(0)) is done by the hardware
 * modulo 64; see kernel/README.md for how the build keeps that defined.
 */
#ifndef KSHIM_LINUX_BITOPS_H
#define KSHIM_LINUX_BITOPS_H

#include <linux/types.h>

static inline unsigned long __ffs(unsigned long word)
{
	return word ? (unsigned long)__builtin_ctzl(word) : BITS_PER_LONG;
}

static inline unsigned long __fls(unsigned long word)
{
	return word ? BITS_PER_LONG - 1 - (unsigned long)__builtin_clzl(word) : 0;
}

#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BITS_TO_LONGS(nr)	(((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)

#endif /* KSHIM_LINUX_BITOPS_H */
