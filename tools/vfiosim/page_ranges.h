/* SPDX-License-Identifier: MIT */
/*
 * page_ranges.h - dirty bitmaps as page sets: counting, printing as address
 * ranges, and reading such a list back (trace replay).
 *
 * Bitmaps here are the user's: u64 words, bit i of the report is bit
 * i % 64 of word i / 64, page i is at iova + i * pgsize.
 */
#ifndef VFIOSIM_CMD_PAGE_RANGES_H
#define VFIOSIM_CMD_PAGE_RANGES_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

static inline bool bit_test(const uint64_t *bits, uint64_t i)
{
	return (bits[i / 64] >> (i % 64)) & 1;
}

static inline void bit_set(uint64_t *bits, uint64_t i)
{
	bits[i / 64] |= 1ULL << (i % 64);
}

static inline void bit_clear(uint64_t *bits, uint64_t i)
{
	bits[i / 64] &= ~(1ULL << (i % 64));
}

uint64_t bits_count(const uint64_t *bits, uint64_t nbits);

/*
 * Appends the set pages as "0x3000-0x4fff, 0x7000" (a lone page is its
 * first address); after max ranges (0: no limit) ", ... (N more)".  "none"
 * if no bit is set.
 */
void pages_format(struct strbuf *sb, const uint64_t *bits, uint64_t nbits, uint64_t iova,
		  uint64_t pgsize, unsigned int max);

/*
 * Sets in bits (nbits, zeroed by the caller) the pages a list written by
 * pages_format() (without a limit) names.  -1 if it does not parse or
 * names pages outside.
 */
int pages_parse(const char *s, uint64_t *bits, uint64_t nbits, uint64_t iova,
		uint64_t pgsize);

#endif /* VFIOSIM_CMD_PAGE_RANGES_H */
