// SPDX-License-Identifier: MIT
/*
 * page_ranges.c - page sets of dirty reports, printed and read back.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "page_ranges.h"

uint64_t bits_count(const uint64_t *bits, uint64_t nbits)
{
	uint64_t n = 0, w;

	for (w = 0; w < nbits / 64; w++)
		n += (uint64_t)__builtin_popcountll(bits[w]);
	if (nbits % 64)
		n += (uint64_t)__builtin_popcountll(bits[w] & ((1ULL << (nbits % 64)) - 1));
	return n;
}

/* The first set bit at or after i, or nbits. */
static uint64_t next_set(const uint64_t *bits, uint64_t nbits, uint64_t i, bool set)
{
	while (i < nbits) {
		uint64_t w = set ? bits[i / 64] : ~bits[i / 64];

		w &= ~0ULL << (i % 64);
		if (w) {
			i = (i & ~63ULL) + (uint64_t)__builtin_ctzll(w);
			return i < nbits ? i : nbits;
		}
		i = (i & ~63ULL) + 64;
	}
	return nbits;
}

void pages_format(struct strbuf *sb, const uint64_t *bits, uint64_t nbits, uint64_t iova,
		  uint64_t pgsize, unsigned int max)
{
	uint64_t i = next_set(bits, nbits, 0, true), ranges = 0, more = 0;

	if (i == nbits) {
		sb_printf(sb, "none");
		return;
	}
	while (i < nbits) {
		uint64_t end = next_set(bits, nbits, i, false);

		if (max && ranges == max) {
			more++;
		} else {
			sb_printf(sb, "%s0x%" PRIx64, ranges ? ", " : "", iova + i * pgsize);
			if (end - i > 1)
				sb_printf(sb, "-0x%" PRIx64, iova + end * pgsize - 1);
			ranges++;
		}
		i = next_set(bits, nbits, end, true);
	}
	if (more)
		sb_printf(sb, ", ... (%" PRIu64 " more)", more);
}

int pages_parse(const char *s, uint64_t *bits, uint64_t nbits, uint64_t iova,
		uint64_t pgsize)
{
	if (!strcmp(s, "none"))
		return 0;
	while (*s) {
		char *end;
		uint64_t a = strtoull(s, &end, 16), b = a, i;

		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtoull(s + 1, &end, 16);
			if (end == s + 1)
				return -1;
			s = end;
		}
		if (a < iova || b < a || (a - iova) % pgsize || (b - iova) / pgsize >= nbits)
			return -1;
		for (i = (a - iova) / pgsize; i <= (b - iova) / pgsize; i++)
			bit_set(bits, i);
		if (*s == ',')
			s++;
		while (*s == ' ')
			s++;
	}
	return 0;
}
