// SPDX-License-Identifier: MIT
/*
 * bitmap.c - word-at-a-time bitmap operations.
 *
 * A bit range touches at most two partial words, its edges; those get a
 * masked read-modify-write and everything between them plain stores.
 * Shifts by rem = n % 64 pair "x << rem" with "y >> (64 - rem)", and the
 * second is only evaluated when rem != 0, since a shift by 64 is undefined.
 */
#include <string.h>

#include "lib/bitmap.h"

static inline unsigned long merge(unsigned long old, unsigned long val, unsigned long mask)
{
	return (old & ~mask) | (val & mask);
}

void bitmap_zero(unsigned long *map, unsigned long nbits)
{
	if (nbits)
		memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(*map));
}

void bitmap_fill(unsigned long *map, unsigned long nbits)
{
	unsigned long n = BIT_WORD(nbits);

	if (n)
		memset(map, 0xff, n * sizeof(*map));
	if (nbits % BITS_PER_LONG)
		map[n] = BITMAP_LAST_WORD_MASK(nbits);
}

static void bitmap_assign(unsigned long *map, unsigned long start, unsigned long nbits,
			  unsigned long fill)
{
	unsigned long span = start % BITS_PER_LONG + nbits;
	unsigned long mask = BITMAP_FIRST_WORD_MASK(start);

	if (!nbits)
		return;
	map += BIT_WORD(start);
	if (span > BITS_PER_LONG) {
		*map = merge(*map, fill, mask);
		map++;
		for (span -= BITS_PER_LONG; span > BITS_PER_LONG; span -= BITS_PER_LONG)
			*map++ = fill;
		mask = ~0UL;
	}
	*map = merge(*map, fill, mask & BITMAP_LAST_WORD_MASK(span));
}

void bitmap_set(unsigned long *map, unsigned long start, unsigned long nbits)
{
	bitmap_assign(map, start, nbits, ~0UL);
}

void bitmap_clear(unsigned long *map, unsigned long start, unsigned long nbits)
{
	bitmap_assign(map, start, nbits, 0);
}

unsigned long bitmap_weight(const unsigned long *map, unsigned long nbits)
{
	unsigned long i, n = BIT_WORD(nbits), w = 0;

	for (i = 0; i < n; i++)
		w += (unsigned long)__builtin_popcountl(map[i]);
	if (nbits % BITS_PER_LONG)
		w += (unsigned long)__builtin_popcountl(map[n] & BITMAP_LAST_WORD_MASK(nbits));
	return w;
}

bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned long nbits)
{
	unsigned long i, n = BIT_WORD(nbits);

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return !(nbits % BITS_PER_LONG) || !((a[n] ^ b[n]) & BITMAP_LAST_WORD_MASK(nbits));
}

unsigned long find_next_bit(const unsigned long *map, unsigned long size,
			    unsigned long offset)
{
	unsigned long w;

	if (offset >= size)
		return size;
	w = map[BIT_WORD(offset)] & BITMAP_FIRST_WORD_MASK(offset);
	offset -= offset % BITS_PER_LONG;
	while (!w) {
		/* Compare before adding: offset + 64 may not be representable. */
		if (size - offset <= BITS_PER_LONG)
			return size;
		offset += BITS_PER_LONG;
		w = map[BIT_WORD(offset)];
	}
	offset += (unsigned long)__builtin_ctzl(w);
	return offset < size ? offset : size;
}

void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b,
	       unsigned long nbits)
{
	unsigned long i, n = BITS_TO_LONGS(nbits);

	for (i = 0; i < n; i++)
		dst[i] = a[i] | b[i];
}

void bitmap_shift_left(unsigned long *dst, const unsigned long *src,
		       unsigned int shift, unsigned int nbits)
{
	unsigned long lim = BITS_TO_LONGS(nbits), off = shift / BITS_PER_LONG;
	unsigned long rem = shift % BITS_PER_LONG, k, i, v;

	if (!lim)
		return;
	/* Top down, so that in place every source word is read before it is overwritten. */
	for (k = lim; k > off; k--) {
		i = k - 1 - off;
		v = src[i] << rem;
		if (rem && i)
			v |= src[i - 1] >> (BITS_PER_LONG - rem);
		dst[k - 1] = v;
	}
	for (k = 0; k < off && k < lim; k++)
		dst[k] = 0;
	dst[lim - 1] &= BITMAP_LAST_WORD_MASK(nbits);
}

/* An edge word: only the bits under mask take part. */
static inline void put_edge(unsigned long *p, unsigned long v, unsigned long mask, bool add)
{
	*p = add ? *p | (v & mask) : merge(*p, v, mask);
}

/*
 * Relative to dst's first touched word, src word j lands at bit s of word
 * j and its top s bits spill into word j + 1.  The last touched word may
 * exist only for that spill (when s + nbits needs one more word than
 * nbits), so src[j] is read there only if it is within src.  Whatever of
 * src lies past nbits lands past s + nbits, under the last word's mask.
 * Always inlined so that each caller gets a loop without the add test.
 */
__attribute__((always_inline))
static inline void bitmap_place(unsigned long *dst, unsigned long dst_bit,
				const unsigned long *src, unsigned long nbits, bool add)
{
	unsigned long s = dst_bit % BITS_PER_LONG, span = s + nbits;
	unsigned long nw = BITS_TO_LONGS(span), nsrc = BITS_TO_LONGS(nbits);
	unsigned long first = BITMAP_FIRST_WORD_MASK(s), last = BITMAP_LAST_WORD_MASK(span);
	unsigned long j, v;

	if (!nbits)
		return;
	dst += BIT_WORD(dst_bit);
	if (nw == 1) {
		put_edge(dst, src[0] << s, first & last, add);
		return;
	}
	if (!s) {
		if (add)
			for (j = 0; j < nw - 1; j++)
				dst[j] |= src[j];
		else
			memcpy(dst, src, (nw - 1) * sizeof(*dst));
		j = nw - 1;
		v = src[j];
	} else {
		put_edge(dst, src[0] << s, first, add);
		for (j = 1; j < nw - 1; j++) {
			v = src[j] << s | src[j - 1] >> (BITS_PER_LONG - s);
			dst[j] = add ? dst[j] | v : v;
		}
		v = src[j - 1] >> (BITS_PER_LONG - s);
		if (j < nsrc)
			v |= src[j] << s;
	}
	put_edge(dst + j, v, last, add);
}

void bitmap_copy_bits(unsigned long *dst, unsigned long dst_bit,
		      const unsigned long *src, unsigned long nbits)
{
	bitmap_place(dst, dst_bit, src, nbits, false);
}

void bitmap_or_bits(unsigned long *dst, unsigned long dst_bit,
		    const unsigned long *src, unsigned long nbits)
{
	bitmap_place(dst, dst_bit, src, nbits, true);
}
