// SPDX-License-Identifier: MIT
/*
 * rand.c - the run's seed for the seeded random tests (rand.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rand.h"

uint64_t fx_seed(const char *what)
{
	static uint64_t seed;
	const char *env;

	if (seed)
		return seed;
	env = getenv("VFIOSIM_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	else
		seed = ((uint64_t)time(NULL) << 16) ^ (uint64_t)getpid();
	if (!seed)
		seed = 1;
	print_message("%s: seed %" PRIu64 " (VFIOSIM_SEED=%" PRIu64 " replays)\n", what, seed,
		      seed);
	return seed;
}
