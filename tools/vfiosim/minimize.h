/* SPDX-License-Identifier: MIT */
/*
 * minimize.h - shrinking a failing scenario to what its failure needs.
 */
#ifndef VFIOSIM_CMD_MINIMIZE_H
#define VFIOSIM_CMD_MINIMIZE_H

#include <stdbool.h>

#include "ops.h"

/*
 * Fills skip (one per statement) with the statements a run may leave out
 * and still fail as orig did (same check, same statement), and returns
 * how many are kept.  Runs are silent and untraced.
 */
unsigned int scenario_minimize(const struct scenario *sc, const struct run_opts *o,
			       const struct run_result *orig, bool *skip);
/* Writes header, then the statements not skipped (each with its line). */
int scenario_write(const struct scenario *sc, const bool *skip, const char *path,
		   const char *header);

#endif /* VFIOSIM_CMD_MINIMIZE_H */
