// SPDX-License-Identifier: MIT
/*
 * test_bitmap.c - lib/bitmap against a naive bit-at-a-time reference.
 *
 * Buffers are (re)allocated at exactly the size each call may touch, so
 * AddressSanitizer reports any word read or written past it, and are
 * filled with random bits so that a lost or stray neighbour bit shows in
 * the comparison of whole buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/rand.h"
#include "lib/bitmap.h"

#define NBUF	4
#define WBYTES	sizeof(unsigned long)

struct fixture {
	unsigned long *buf[NBUF];
	uint64_t rng;
};

/* Chosen once in main() and given to every test, so any one replays alone. */
static uint64_t seed;

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->rng = seed;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < NBUF; i++)
		free(f->buf[i]);
	free(f);
	return 0;
}

/* Buffer k resized to exactly n words (at least one) of random bits. */
static unsigned long *rand_buf(struct fixture *f, int k, unsigned long n)
{
	unsigned long i, *p;

	if (!n)
		n = 1;
	p = realloc(f->buf[k], n * WBYTES);
	assert_non_null(p);
	f->buf[k] = p;
	for (i = 0; i < n; i++)
		p[i] = (unsigned long)vfiosim_rand(&f->rng);
	return p;
}

static unsigned long nwords(unsigned long nbits)
{
	return (nbits + 63) / 64;
}

static bool ref_test(const unsigned long *m, unsigned long i)
{
	return (m[i / 64] >> (i % 64)) & 1;
}

static void ref_put(unsigned long *m, unsigned long i, bool v)
{
	if (v)
		m[i / 64] |= 1UL << (i % 64);
	else
		m[i / 64] &= ~(1UL << (i % 64));
}

/* Fails naming the first differing bit of two n-word buffers. */
static void expect_same(const unsigned long *got, const unsigned long *want, unsigned long n,
			const char *what, unsigned long a, unsigned long b)
{
	unsigned long i;

	for (i = 0; i < n * 64; i++)
		if (ref_test(got, i) != ref_test(want, i))
			fail_msg("%s(%lu, %lu): bit %lu is %d, expected %d", what, a, b, i,
				 ref_test(got, i), ref_test(want, i));
}

static void test_macros_at_word_edges(void **state)
{
	assert_int_equal(BITS_TO_LONGS(0UL), 0);
	assert_int_equal(BITS_TO_LONGS(1UL), 1);
	assert_int_equal(BITS_TO_LONGS(64UL), 1);
	assert_int_equal(BITS_TO_LONGS(65UL), 2);
	assert_true(BITS_TO_LONGS(~0UL) == (~0UL >> 6) + 1);
	assert_true(BITMAP_LAST_WORD_MASK(64UL) == ~0UL);
	assert_true(BITMAP_LAST_WORD_MASK(1UL) == 1UL);
	assert_true(BITMAP_LAST_WORD_MASK(127UL) == ~0UL >> 1);
	assert_true(BITMAP_FIRST_WORD_MASK(0UL) == ~0UL);
	assert_true(BITMAP_FIRST_WORD_MASK(63UL) == 1UL << 63);
	assert_true(BITMAP_FIRST_WORD_MASK(64UL) == ~0UL);
}

static void test_single_bit_ops_match_reference(void **state)
{
	struct fixture *f = *state;
	unsigned long *m = rand_buf(f, 0, 3), *ref = rand_buf(f, 1, 3), i;
	bool v;

	memcpy(ref, m, 3 * WBYTES);
	for (i = 0; i < 3000; i++) {
		unsigned long nr = vfiosim_rand(&f->rng) % 192;

		v = vfiosim_rand(&f->rng) & 1;
		if (v)
			set_bit(nr, m);
		else
			clear_bit(nr, m);
		ref_put(ref, nr, v);
		assert_int_equal(test_bit(nr, m), v);
		expect_same(m, ref, 3, v ? "set_bit" : "clear_bit", nr, 0);
	}
}

/* Every start and length inside three words, on random backgrounds. */
static void test_set_clear_all_ranges_in_three_words(void **state)
{
	struct fixture *f = *state;
	unsigned long start, len, i, n, *m, *ref;
	int set;

	for (start = 0; start <= 192; start++) {
		for (len = 0; start + len <= 192; len++) {
			for (set = 0; set < 2; set++) {
				n = nwords(start + len);
				m = rand_buf(f, 0, n);
				ref = rand_buf(f, 1, n);
				memcpy(ref, m, (n ? n : 1) * WBYTES);
				for (i = start; i < start + len; i++)
					ref_put(ref, i, set);
				if (set)
					bitmap_set(m, start, len);
				else
					bitmap_clear(m, start, len);
				expect_same(m, ref, n ? n : 1, set ? "bitmap_set" : "bitmap_clear",
					    start, len);
			}
		}
	}
}

static void test_fill_zero_keep_following_words(void **state)
{
	struct fixture *f = *state;
	unsigned long nbits, n, i, *m;

	for (nbits = 0; nbits <= 200; nbits++) {
		n = nwords(nbits);
		m = rand_buf(f, 0, n);
		bitmap_fill(m, nbits);
		for (i = 0; i < n * 64; i++)
			if (ref_test(m, i) != (i < nbits))
				fail_msg("bitmap_fill(%lu): bit %lu wrong", nbits, i);
		m = rand_buf(f, 0, n);
		bitmap_zero(m, nbits);
		for (i = 0; i < n; i++)
			assert_true(m[i] == 0);
	}
}

static void check_place(struct fixture *f, unsigned long dst_bit, unsigned long nbits, bool add)
{
	unsigned long n = nwords(dst_bit + nbits), i;
	unsigned long *dst = rand_buf(f, 0, n), *want = rand_buf(f, 1, n);
	unsigned long *src = rand_buf(f, 2, nwords(nbits));

	memcpy(want, dst, (n ? n : 1) * WBYTES);
	for (i = 0; i < nbits; i++) {
		bool old = ref_test(want, dst_bit + i);

		ref_put(want, dst_bit + i, ref_test(src, i) || (add && old));
	}
	if (add)
		bitmap_or_bits(dst, dst_bit, src, nbits);
	else
		bitmap_copy_bits(dst, dst_bit, src, nbits);
	expect_same(dst, want, n ? n : 1, add ? "bitmap_or_bits" : "bitmap_copy_bits",
		    dst_bit, nbits);
}

static void test_copy_bits_every_offset_and_length(void **state)
{
	unsigned long dst_bit, nbits;

	for (dst_bit = 0; dst_bit < 192; dst_bit++)
		for (nbits = 0; nbits <= 200; nbits++)
			check_place(*state, dst_bit, nbits, false);
}

static void test_or_bits_every_offset_and_length(void **state)
{
	unsigned long dst_bit, nbits;

	for (dst_bit = 0; dst_bit < 192; dst_bit++)
		for (nbits = 0; nbits <= 200; nbits++)
			check_place(*state, dst_bit, nbits, true);
}

/* Random bits are as likely to be 1 as 0; these are all one value. */
static void test_copy_bits_uniform_source_and_destination(void **state)
{
	struct fixture *f = *state;
	unsigned long dst_bit, nbits, i, n, *dst, *src;
	int pat;

	for (pat = 0; pat < 2; pat++) {
		for (dst_bit = 0; dst_bit < 130; dst_bit++) {
			for (nbits = 0; nbits <= 140; nbits++) {
				n = nwords(dst_bit + nbits);
				dst = rand_buf(f, 0, n);
				src = rand_buf(f, 2, nwords(nbits));
				memset(dst, pat ? 0xff : 0, (n ? n : 1) * WBYTES);
				memset(src, pat ? 0 : 0xff, (nbits ? nwords(nbits) : 1) * WBYTES);
				bitmap_copy_bits(dst, dst_bit, src, nbits);
				for (i = 0; i < n * 64; i++) {
					bool inside = i >= dst_bit && i < dst_bit + nbits;

					if (ref_test(dst, i) != (inside ? !pat : pat))
						fail_msg("copy_bits(%lu, %lu) pattern %d: bit %lu",
							 dst_bit, nbits, pat, i);
				}
			}
		}
	}
}

static void check_shift(struct fixture *f, unsigned int shift, unsigned int nbits, bool in_place)
{
	unsigned long n = nwords(nbits), i;
	unsigned long *src = rand_buf(f, 0, n), *want = rand_buf(f, 1, n);
	unsigned long *dst = in_place ? src : rand_buf(f, 2, n);

	/* Words past nbits are not the function's: with nbits 0 nothing changes. */
	memcpy(want, dst, (n ? n : 1) * WBYTES);
	for (i = 0; i < n * 64; i++)
		ref_put(want, i, i < nbits && i >= shift && ref_test(src, i - shift));
	bitmap_shift_left(dst, src, shift, nbits);
	expect_same(dst, want, n ? n : 1, in_place ? "shift_left in place" : "shift_left",
		    shift, nbits);
}

/* Shifts past two words too: then all of a short map becomes 0. */
static void test_shift_left_all_shifts(void **state)
{
	static const unsigned int sizes[] = {
		0, 1, 2, 31, 63, 64, 65, 100, 127, 128, 129, 191, 192, 193, 255, 256, 300,
	};
	unsigned int shift, k;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (shift = 0; shift < 260; shift++) {
			check_shift(*state, shift, sizes[k], false);
			check_shift(*state, shift, sizes[k], true);
		}
	}
}

/*
 * bitmap_shift_words() for every shift and 0..12 words (past its rounds of
 * four words and every tail): word i of dst is bits [64i - s, 64i + 64 - s)
 * of carry's s bits followed by src, and the bits pushed out come back.
 * dst and src have exactly n words, so a word touched past them is caught.
 * Then the same through bitmap_shift_out() taking src: src ends all clear.
 */
static void test_shift_words_all_shifts_and_lengths(void **state)
{
	struct fixture *f = *state;
	unsigned long n, i, *src, *dst, *want, *copy, carry, out, want_out;
	unsigned int s;
	long k;

	for (n = 0; n <= 12; n++) {
		for (s = 1; s < 64; s++) {
			src = rand_buf(f, 0, n);
			dst = rand_buf(f, 1, n);
			want = rand_buf(f, 2, n + 1);
			carry = (unsigned long)vfiosim_rand(&f->rng) >> (64 - s);
			memcpy(want, dst, (n ? n : 1) * WBYTES);
			if (n)
				want[n] = 0;
			for (i = 0; n && i < (n + 1) * 64; i++) {
				k = (long)i - (long)s;
				if (i < n * 64 || k < (long)(n * 64))
					ref_put(want, i, k < 0 ? ref_test(&carry, i) :
						 ref_test(src, (unsigned long)k));
			}
			want_out = n ? want[n] : carry;
			/* dst's words, then src's, for the second round. */
			copy = rand_buf(f, 3, 2 * n);
			memcpy(copy, dst, n * WBYTES);
			memcpy(copy + n, src, n * WBYTES);
			out = bitmap_shift_words(dst, src, n, s, carry);
			expect_same(dst, want, n ? n : 1, "shift_words", n, s);
			if (out != want_out)
				fail_msg("shift_words(%lu, %u): pushed out %#lx, expected %#lx",
					 n, s, out, want_out);
			memcpy(dst, copy, n * WBYTES);
			out = bitmap_shift_out(dst, copy + n, copy + n, n, s, carry);
			expect_same(dst, want, n ? n : 1, "shift_out", n, s);
			if (out != want_out)
				fail_msg("shift_out(%lu, %u): pushed out %#lx, expected %#lx",
					 n, s, out, want_out);
			for (i = 0; i < n; i++)
				if (copy[n + i])
					fail_msg("shift_out(%lu, %u): word %lu of src not taken",
						 n, s, i);
		}
	}
}

/* Maps of different densities, garbage above size in the last word. */
static unsigned long *density_map(struct fixture *f, unsigned long size, int density)
{
	unsigned long n = nwords(size), *m = rand_buf(f, 0, n), i;

	for (i = 0; i < n; i++) {
		switch (density) {
		case 0: m[i] = 0; break;
		case 1: m[i] &= m[i] >> 7 & m[i] >> 13 & m[i] >> 29; break;
		case 2: break;
		default: m[i] = ~0UL; break;
		}
	}
	/* Garbage past size, with a gap at size itself for odd densities. */
	if (size % 64) {
		m[n - 1] |= ((unsigned long)vfiosim_rand(&f->rng) & ~0UL << (size % 64)) |
			    1UL << 63;
		if (density & 1)
			m[n - 1] &= ~(1UL << (size % 64));
	}
	return m;
}

static void test_weight_every_prefix_of_random_maps(void **state)
{
	struct fixture *f = *state;
	static const unsigned long sizes[] = { 1, 63, 64, 65, 500, 1024, 1089 };
	unsigned long k, nbits, want, *m;
	int density;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (density = 0; density < 4; density++) {
			m = density_map(f, sizes[k], density);
			for (want = 0, nbits = 0; nbits <= sizes[k]; nbits++) {
				if (bitmap_weight(m, nbits) != want)
					fail_msg("weight(%lu) density %d: %lu, expected %lu", nbits,
						 density, bitmap_weight(m, nbits), want);
				if (nbits < sizes[k])
					want += ref_test(m, nbits);
			}
		}
	}
}

static void test_find_next_bit_every_offset_of_random_maps(void **state)
{
	struct fixture *f = *state;
	static const unsigned long sizes[] = { 1, 63, 64, 65, 200, 1024, 1089 };
	unsigned long k, off, want, got, *m;
	int density;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (density = 0; density < 4; density++) {
			m = density_map(f, sizes[k], density);
			for (off = 0; off <= sizes[k] + 70; off++) {
				for (want = off; want < sizes[k] && !ref_test(m, want); want++)
					;
				if (want > sizes[k])
					want = sizes[k];
				got = find_next_bit(m, sizes[k], off);
				if (got != want)
					fail_msg("find_next_bit(%lu, %lu) density %d: %lu, not %lu",
						 sizes[k], off, density, got, want);
			}
		}
	}
	assert_int_equal(find_next_bit(NULL, 0, 0), 0);
	assert_true(find_next_bit(NULL, 5, ~0UL) == 5);
}

static void test_equal_sees_only_bits_below_nbits(void **state)
{
	struct fixture *f = *state;
	unsigned long nbits, flip, n, *a, *b;

	for (nbits = 0; nbits <= 192; nbits++) {
		n = nwords(nbits);
		a = rand_buf(f, 0, n);
		b = rand_buf(f, 1, n);
		memcpy(b, a, (n ? n : 1) * WBYTES);
		assert_true(bitmap_equal(a, b, nbits));
		for (flip = 0; flip < n * 64; flip++) {
			b[flip / 64] ^= 1UL << (flip % 64);
			if (bitmap_equal(a, b, nbits) != (flip >= nbits))
				fail_msg("bitmap_equal(%lu) with bit %lu flipped", nbits, flip);
			b[flip / 64] ^= 1UL << (flip % 64);
		}
	}
}

static void test_or_whole_words(void **state)
{
	struct fixture *f = *state;
	unsigned long nbits, i, n, *a, *b, *dst;

	for (nbits = 0; nbits <= 200; nbits++) {
		n = nwords(nbits);
		a = rand_buf(f, 0, n);
		b = rand_buf(f, 1, n);
		dst = rand_buf(f, 2, n);
		bitmap_or(dst, a, b, nbits);
		for (i = 0; i < n; i++)
			assert_true(dst[i] == (a[i] | b[i]));
		/* In place, as callers accumulate into one operand. */
		memcpy(dst, a, (n ? n : 1) * WBYTES);
		bitmap_or(dst, dst, b, nbits);
		for (i = 0; i < n; i++)
			assert_true(dst[i] == (a[i] | b[i]));
	}
}

/* One megabit: ranges, placement at an odd offset, shift, weight and scan. */
static void test_large_map_matches_reference(void **state)
{
	struct fixture *f = *state;
	const unsigned long nbits = 1UL << 20, n = nbits / 64;
	unsigned long *m = rand_buf(f, 0, n + 2), *ref = rand_buf(f, 1, n + 2);
	unsigned long *src = rand_buf(f, 2, n), i, start, len, w, count;
	int round;

	memcpy(ref, m, (n + 2) * WBYTES);
	for (round = 0; round < 40; round++) {
		start = vfiosim_rand(&f->rng) % nbits;
		len = vfiosim_rand(&f->rng) % (nbits - start + 1);
		if (round & 1)
			bitmap_set(m, start, len);
		else
			bitmap_clear(m, start, len);
		for (i = start; i < start + len; i++)
			ref_put(ref, i, round & 1);
	}
	expect_same(m, ref, n + 2, "large set/clear", 0, nbits);

	bitmap_copy_bits(m, 77, src, nbits);
	for (i = 0; i < nbits; i++)
		ref_put(ref, 77 + i, ref_test(src, i));
	expect_same(m, ref, n + 2, "large copy_bits", 77, nbits);

	bitmap_or_bits(m, 128, src, nbits - 3);
	for (i = 0; i < nbits - 3; i++)
		if (ref_test(src, i))
			ref_put(ref, 128 + i, true);
	expect_same(m, ref, n + 2, "large or_bits", 128, nbits - 3);

	bitmap_shift_left(m, m, 1001, (unsigned int)nbits);
	for (i = nbits; i-- > 0;)
		ref_put(ref, i, i >= 1001 && ref_test(ref, i - 1001));
	expect_same(m, ref, n + 2, "large shift_left", 1001, nbits);

	for (w = 0, i = 0; i < nbits; i++)
		w += ref_test(ref, i);
	assert_true(bitmap_weight(m, nbits) == w);
	for (count = 0, i = find_next_bit(m, nbits, 0); i < nbits;
	     i = find_next_bit(m, nbits, i + 1), count++)
		assert_true(ref_test(ref, i));
	assert_true(count == w);
}

/*
 * Counts past 2^32 must not be truncated to int or unsigned int.  The map
 * is mostly never-written zero pages, so its 512 MiB cost little memory.
 */
static void test_counts_beyond_2_pow_32(void **state)
{
	struct fixture *f = *state;
	const unsigned long size = (1UL << 32) + 192, at = (1UL << 32) - 3;
	unsigned long *m = calloc(nwords(size), WBYTES);

	if (!m)
		skip();
	free(f->buf[3]);
	f->buf[3] = m;		/* freed by teardown even if an assertion fails */
	bitmap_set(m, at, 70);
	set_bit(size - 1, m);
	assert_true(find_next_bit(m, size, 0) == at);
	assert_true(find_next_bit(m, size, at + 70) == size - 1);
	assert_true(bitmap_weight(m, size) == 71);
	assert_true(bitmap_weight(m, size - 1) == 70);
	assert_true(test_bit(at + 69, m) && !test_bit(at + 70, m));
	bitmap_clear(m, at + 1, 68);
	assert_true(bitmap_weight(m, size) == 3);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_macros_at_word_edges),
		T(test_single_bit_ops_match_reference),
		T(test_set_clear_all_ranges_in_three_words),
		T(test_fill_zero_keep_following_words),
		T(test_copy_bits_every_offset_and_length),
		T(test_or_bits_every_offset_and_length),
		T(test_copy_bits_uniform_source_and_destination),
		T(test_shift_left_all_shifts),
		T(test_shift_words_all_shifts_and_lengths),
		T(test_weight_every_prefix_of_random_maps),
		T(test_find_next_bit_every_offset_of_random_maps),
		T(test_equal_sees_only_bits_below_nbits),
		T(test_or_whole_words),
		T(test_large_map_matches_reference),
		T(test_counts_beyond_2_pow_32),
	};

	seed = fx_seed("bitmap");
	return cmocka_run_group_tests_name("bitmap", tests, NULL, NULL);
}
