/* SPDX-License-Identifier: MIT */
/*
 * bitmap.h - bitmaps as arrays of 64-bit unsigned long, bit n in word
 * n / 64 at position n % 64 (the kernel's layout, so a little-endian
 * machine sees the same bytes as the user's u64 dirty bitmap).  Counts
 * and positions are unsigned long; none of these shifts by 64.
 */
#ifndef VFIOSIM_BITMAP_H
#define VFIOSIM_BITMAP_H

#include <limits.h>
#include <stdbool.h>
#include <string.h>

_Static_assert(sizeof(unsigned long) * CHAR_BIT == 64, "bitmaps assume 64-bit longs");

#define BITS_PER_LONG		64UL
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
/* Written so that n near ULONG_MAX does not wrap. */
#define BITS_TO_LONGS(n)	((n) / BITS_PER_LONG + !!((n) % BITS_PER_LONG))
/* Bits at and above start within its word; bits below end within end's word. */
#define BITMAP_FIRST_WORD_MASK(start)	(~0UL << ((start) % BITS_PER_LONG))
#define BITMAP_LAST_WORD_MASK(end)	(~0UL >> (-(unsigned long)(end) % BITS_PER_LONG))

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return map[BIT_WORD(nr)] & BIT_MASK(nr);
}

static inline void set_bit(unsigned long nr, unsigned long *map)
{
	map[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void clear_bit(unsigned long nr, unsigned long *map)
{
	map[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

void bitmap_zero(unsigned long *map, unsigned long nbits);
/* Also clears the bits of the last word above nbits. */
void bitmap_fill(unsigned long *map, unsigned long nbits);
void bitmap_set(unsigned long *map, unsigned long start, unsigned long nbits);
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long nbits);
unsigned long bitmap_weight(const unsigned long *map, unsigned long nbits);
bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned long nbits);
/* First set bit at or after offset, or size if there is none. */
unsigned long find_next_bit(const unsigned long *map, unsigned long size,
			    unsigned long offset);
/* Whole words, like the kernel's: bits of the last word above nbits are ORed too. */
void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b,
	       unsigned long nbits);

/*
 * dst = src << shift within nbits: bits pushed past nbits are lost, the
 * low shift bits become 0 and so do the last word's bits above nbits.
 * dst may be src.
 */
void bitmap_shift_left(unsigned long *dst, const unsigned long *src,
		       unsigned int shift, unsigned int nbits);

/*
 * Bits [0, nbits) of src into bits [dst_bit, dst_bit + nbits) of dst:
 * copy_bits overwrites them, or_bits ORs into them.  Every other bit of
 * dst is kept, src's bits from nbits up are ignored and src is not read
 * past word BITS_TO_LONGS(nbits) - 1.  src must not overlap dst.
 */
void bitmap_copy_bits(unsigned long *dst, unsigned long dst_bit,
		      const unsigned long *src, unsigned long nbits);
void bitmap_or_bits(unsigned long *dst, unsigned long dst_bit,
		    const unsigned long *src, unsigned long nbits);

/* Two words, one 128-bit register: SSE2 on every x86-64, NEON on arm64. */
typedef unsigned long bitmap_pair __attribute__((vector_size(2 * sizeof(unsigned long))));

/*
 * dst = the n words of src shifted up by s (1..63) bits, carry below;
 * returns the bits pushed out of the last word.  Word i is made of src[i]
 * and src[i - 1], so words are independent and go two to a register: half
 * the instructions of a scalar loop, whose shifts by a count in %cl that
 * alternates between s and 64 - s also cost a move each.  With take (src
 * itself, or NULL), each word is cleared once read: a bitmap emptied as
 * it is reported is read once, not once more to clear it.
 */
static inline unsigned long bitmap_shift_out(unsigned long *restrict dst,
					     const unsigned long *src, unsigned long *take,
					     unsigned long n, unsigned int s,
					     unsigned long carry)
{
	const bitmap_pair zero = { 0, 0 };
	unsigned int r = BITS_PER_LONG - s;
	bitmap_pair a, b, pa, pb;
	unsigned long i, out;

	if (!n)
		return carry;
	dst[0] = src[0] << s | carry;
	for (i = 1; n - i >= 4; i += 4) {
		memcpy(&a, src + i, sizeof(a));
		memcpy(&b, src + i + 2, sizeof(b));
		memcpy(&pa, src + i - 1, sizeof(pa));
		memcpy(&pb, src + i + 1, sizeof(pb));
		a = a << s | pa >> r;
		b = b << s | pb >> r;
		memcpy(dst + i, &a, sizeof(a));
		memcpy(dst + i + 2, &b, sizeof(b));
		/* Word i + 3 is read again, as the next round's first carry. */
		if (take) {
			memcpy(take + i - 1, &zero, sizeof(zero));
			memcpy(take + i + 1, &zero, sizeof(zero));
		}
	}
	for (; i < n; i++) {
		dst[i] = src[i] << s | src[i - 1] >> r;
		if (take)
			take[i - 1] = 0;
	}
	out = src[n - 1] >> r;
	if (take)
		take[n - 1] = 0;
	return out;
}

static inline unsigned long bitmap_shift_words(unsigned long *restrict dst,
					       const unsigned long *restrict src,
					       unsigned long n, unsigned int s,
					       unsigned long carry)
{
	return bitmap_shift_out(dst, src, NULL, n, s, carry);
}

#endif /* VFIOSIM_BITMAP_H */
