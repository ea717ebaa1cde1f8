/* SPDX-License-Identifier: MIT */
/*
 * strategy.h - how a report's dirty bits reach the user's bitmap
 * (GET_BITMAP, and UNMAP_DMA with GET_DIRTY_BITMAP).
 *
 * Every strategy writes the same user bitmap, makes the same mappings
 * restart from the same pinned pages, and keeps the model's semantics
 * (docs/divergences.md 1, 2 and 5); they differ only in what they cost.
 * The model runs the fastest one; the others exist so that benchmarks
 * (bench/) and tests (tests/unit/test_dirty_strategies.c) can compare.
 * The choice is process-wide and is not part of the contract.
 */
#ifndef VFIOSIM_TYPE1_STRATEGY_H
#define VFIOSIM_TYPE1_STRATEGY_H

#include <stdbool.h>

enum t1_copy_strategy {
	/*
	 * The default (fast_copy.c).  One walk per request, from the first
	 * mapping of the range (found in O(log n)), along an array of the
	 * mappings rather than the tree: the bits of every mapping, shifted
	 * onto the user's words, are written straight into the user's
	 * bitmap when the host grants its range whole, else go out through
	 * a bounce buffer in runs that span mappings (long word-aligned
	 * stretches straight from the bitmap), reading user words only
	 * where a gap cuts one; all-dirty
	 * mappings and clean blocks are written without reading the bitmap.
	 * A restart touches only the mappings noted on the way, clears only
	 * their marked blocks and marks their pinned pages again, unless
	 * the bitmap holds exactly those already.
	 */
	T1_COPY_FAST,
	/*
	 * Linux 6.12's passes over each mapping's bitmap (kalg_copy.c): set
	 * it whole when outside the pinned scope, shift it in place onto the
	 * user's word grid merging the user's edge word, copy it out, clear
	 * it, mark the pinned pages again; a GET walks the mapping tree from
	 * its first node.  (The clear and re-mark wait until every copy
	 * succeeded, and clear the shifted words, as the model's semantics
	 * require.)
	 */
	T1_COPY_KERNEL,
	T1_COPY_NR,
};

/* dirty.c: the strategy every report of the process takes. */
void t1_copy_strategy_set(enum t1_copy_strategy s);
enum t1_copy_strategy t1_copy_strategy_get(void);
/* "fast", "kernel-alg"; NULL for a value out of range. */
const char *t1_copy_strategy_name(enum t1_copy_strategy s);

/*
 * fast_copy.c: the size of the fast strategy's bounce buffer in 64-bit
 * words, from 1 up to T1_BOUNCE_MAX_WORDS (larger values are clamped); 0
 * restores the default.  Benchmarks use it to show what a kernel-sized
 * buffer costs.
 */
#define T1_BOUNCE_MAX_WORDS	2048U
void t1_copy_bounce_set(unsigned int words);
/*
 * Whether the fast strategy writes the user's bitmap in place when the
 * host lets it (host_user_window(): every word of the report readable and
 * writable), instead of through the bounce.  On by default; a build
 * with a smaller default bounce (there to test it) never writes in place.
 */
void t1_copy_in_place_set(bool on);

#endif /* VFIOSIM_TYPE1_STRATEGY_H */
