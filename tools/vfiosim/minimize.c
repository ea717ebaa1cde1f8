// SPDX-License-Identifier: MIT
/*
 * minimize.c - the smallest scenario that still fails the same way.
 *
 * "The same way" is the same check failing first, at the same statement,
 * with the same message (what it saw, not only that it failed).
 * Statements after that one are dropped at once; then runs of
 * statements are left out, halving the run length whenever a pass over
 * the scenario removes nothing (a simple delta debugging).  Scenarios run
 * in milliseconds, so a few hundred runs are cheap; a budget bounds them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "minimize.h"

#define MIN_MAX_RUNS	2000
#define MIN_MAX_SECONDS	20

/* The oracle numbers operations ("op 12: "): removing statements renumbers them. */
static const char *skip_op_number(const char *m)
{
	const char *p = strstr(m, "op ");

	if (!p)
		return m;
	p += 3;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == ':' ? p + 1 : m;
}

static bool same_failure(const struct run_result *a, const struct run_result *b)
{
	return b->failures && a->fail_index == b->fail_index &&
	       !strcmp(a->fail_kind, b->fail_kind) &&
	       !strcmp(skip_op_number(a->fail_msg), skip_op_number(b->fail_msg));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool still_fails(const struct scenario *sc, const struct run_opts *base,
			const struct run_result *orig, const bool *skip, unsigned int *runs)
{
	struct run_opts o = *base;
	struct run_result r;

	o.out = NULL;
	o.tr = NULL;
	o.keep_going = false;
	o.skip = skip;
	(*runs)++;
	scenario_run(sc, &o, &r);
	return same_failure(orig, &r);
}

unsigned int scenario_minimize(const struct scenario *sc, const struct run_opts *base,
			       const struct run_result *orig, bool *skip)
{
	unsigned int i, kept, chunk, runs = 0;
	int keep = orig->fail_index;
	double deadline = now() + MIN_MAX_SECONDS;
	bool *trial = calloc(sc->nr ? sc->nr : 1, sizeof(*trial));

	if (!trial)
		return sc->nr;
	memset(skip, 0, sc->nr * sizeof(*skip));
	if (keep >= 0) {
		for (i = (unsigned int)keep + 1; i < sc->nr; i++)
			trial[i] = true;
		if (still_fails(sc, base, orig, trial, &runs))
			memcpy(skip, trial, sc->nr * sizeof(*skip));
	}
	kept = 0;
	for (i = 0; i < sc->nr; i++)
		kept += !skip[i];
	for (chunk = kept / 2 ? kept / 2 : 1; chunk; chunk /= 2) {
		bool progress = true;

		while (progress) {
			progress = false;
			for (i = 0; i < sc->nr; i++) {
				unsigned int j, taken = 0;

				if (runs >= MIN_MAX_RUNS || now() > deadline)
					goto out;
				memcpy(trial, skip, sc->nr * sizeof(*trial));
				for (j = i; j < sc->nr && taken < chunk; j++) {
					if (trial[j] || (int)j == keep)
						continue;
					trial[j] = true;
					taken++;
				}
				if (!taken)
					break;
				if (still_fails(sc, base, orig, trial, &runs)) {
					memcpy(skip, trial, sc->nr * sizeof(*skip));
					progress = true;
				}
			}
		}
	}
out:
	free(trial);
	kept = 0;
	for (i = 0; i < sc->nr; i++)
		kept += !skip[i];
	return kept;
}

int scenario_write(const struct scenario *sc, const bool *skip, const char *path,
		   const char *header)
{
	FILE *f = fopen(path, "w");
	unsigned int i;
	int err;

	if (!f)
		return -1;
	fprintf(f, "%s", header);
	for (i = 0; i < sc->nr; i++)
		if (!skip || !skip[i])
			fprintf(f, "%-60s # line %u\n", sc->st[i].text, sc->st[i].line);
	err = ferror(f);
	err |= fclose(f);
	return err ? -1 : 0;
}
