// SPDX-License-Identifier: MIT
/*
 * bitmap.c - the out-of-line bitmap operations of the kernel's lib/bitmap.c
 * with the kernel's exact results, written for this shim.  Their quirks
 * are kept on purpose, since type1's reports depend on them:
 *  - __bitmap_set()/__bitmap_clear() take the count as an int; a negative
 *    count (2^31 bits or more from bitmap_set()) touches only bits of the
 *    first word, below the wrapped end;
 *  - __bitmap_shift_left() does not clear the bits of the last word above
 *    nbits;
 *  - __bitmap_or() ORs whole words.
 */
#include "kshim.h"

/* Applies mask to the words from start on, len bits, setting or clearing. */
static void bitmap_span(unsigned long *map, unsigned int start, int len, bool set)
{
	unsigned long *word = map + BIT_WORD(start);
	const unsigned int end = start + (unsigned int)len;
	int room = BITS_PER_LONG - (int)(start % BITS_PER_LONG);
	unsigned long mask = BITMAP_FIRST_WORD_MASK(start);

	/* Whole remainders of words while the count covers them. */
	for (; len - room >= 0; len -= room, room = BITS_PER_LONG, mask = ~0UL, word++)
		*word = set ? *word | mask : *word & ~mask;
	if (!len)
		return;
	mask &= BITMAP_LAST_WORD_MASK(end);
	*word = set ? *word | mask : *word & ~mask;
}

void __bitmap_set(unsigned long *map, unsigned int start, int len)
{
	bitmap_span(map, start, len, true);
}

void __bitmap_clear(unsigned long *map, unsigned int start, int len)
{
	bitmap_span(map, start, len, false);
}

void __bitmap_shift_left(unsigned long *dst, const unsigned long *src,
			 unsigned int shift, unsigned int nbits)
{
	unsigned int words = BITS_TO_LONGS(nbits);
	unsigned int skip = shift / BITS_PER_LONG, bits = shift % BITS_PER_LONG;
	long k;

	/* From the top down, so that dst may be src. */
	for (k = (long)words - (long)skip - 1; k >= 0; k--) {
		unsigned long carry = 0;

		if (bits && k > 0)
			carry = src[k - 1] >> (BITS_PER_LONG - bits);
		dst[k + skip] = (src[k] << bits) | carry;
	}
	if (skip)
		memset(dst, 0, skip * sizeof(*dst));
}

void __bitmap_or(unsigned long *dst, const unsigned long *src1,
		 const unsigned long *src2, unsigned int nbits)
{
	unsigned int k, words = BITS_TO_LONGS(nbits);

	for (k = 0; k < words; k++)
		dst[k] = src1[k] | src2[k];
}
