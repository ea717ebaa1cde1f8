/* SPDX-License-Identifier: MIT */
/*
 * rand.h - what the seeded random tests share: one seed per run, taken
 * from VFIOSIM_SEED when set so that a printed seed replays; they draw
 * from it with vfiosim_rand() (vfiosim_client.h).
 */
#ifndef VFIOSIM_TEST_RAND_H
#define VFIOSIM_TEST_RAND_H

#include <stdint.h>

#include "vfiosim_client.h"

/*
 * The run's seed: VFIOSIM_SEED, or one from the clock and the pid; never
 * 0.  Chosen and printed (named by what) on the first call, the same after.
 */
uint64_t fx_seed(const char *what);

#endif /* VFIOSIM_TEST_RAND_H */
