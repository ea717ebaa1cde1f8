/* SPDX-License-Identifier: MIT */
/*
 * rand.h - what the seeded random tests share: one seed per run, taken
 * from VFIOSIM_SEED when set so that a printed seed replays, and a
 * generator that gives the same stream on every libc.
 */
#ifndef VFIOSIM_TEST_RAND_H
#define VFIOSIM_TEST_RAND_H

#include <stdint.h>

/*
 * The run's seed: VFIOSIM_SEED, or one from the clock and the pid; never
 * 0.  Chosen and printed (named by what) on the first call, the same after.
 */
uint64_t fx_seed(const char *what);

/* splitmix64: advances *state and returns the next value. */
static inline uint64_t fx_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif /* VFIOSIM_TEST_RAND_H */
