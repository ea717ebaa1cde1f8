/* SPDX-License-Identifier: MIT */
/*
 * linux/bitmap.h - the bitmap operations type1 uses, with the kernel's
 * signatures and results (kernel/shim/bitmap.c).  Counts are unsigned int
 * as in the kernel: callers passing an unsigned long are truncated the
 * same way, and bitmap_set()/bitmap_clear() hand the count on as an int,
 * so 2^31 bits or more take the kernel's (odd) path too.  Only the
 * generic out-of-line paths are reproduced: the kernel's inline
 * special cases for compile-time constant sizes give the same results.
 */
#ifndef KSHIM_LINUX_BITMAP_H
#define KSHIM_LINUX_BITMAP_H

#include <linux/bitops.h>

#define BITMAP_FIRST_WORD_MASK(start)	(~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits)	(~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

void __bitmap_set(unsigned long *map, unsigned int start, int len);
void __bitmap_clear(unsigned long *map, unsigned int start, int len);
void __bitmap_shift_left(unsigned long *dst, const unsigned long *src,
			 unsigned int shift, unsigned int nbits);
void __bitmap_or(unsigned long *dst, const unsigned long *src1,
		 const unsigned long *src2, unsigned int nbits);

static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int nbits)
{
	__bitmap_set(map, start, (int)nbits);
}

static inline void bitmap_clear(unsigned long *map, unsigned int start, unsigned int nbits)
{
	__bitmap_clear(map, start, (int)nbits);
}

static inline void bitmap_shift_left(unsigned long *dst, const unsigned long *src,
				     unsigned int shift, unsigned int nbits)
{
	__bitmap_shift_left(dst, src, shift, nbits);
}

static inline void bitmap_or(unsigned long *dst, const unsigned long *src1,
			     const unsigned long *src2, unsigned int nbits)
{
	__bitmap_or(dst, src1, src2, nbits);
}

#endif /* KSHIM_LINUX_BITMAP_H */
