// SPDX-License-Identifier: MIT
/*
 * test_scenarios.c - every scenario of the library (the .vfs files of
 * scenarios/) runs on the model and passes: its expectations hold and the
 * ground-truth oracle finds nothing it did not announce.  It does so with
 * the default profile and with each of profiles[] (vfiosim run --kernel):
 * where a version matters, "on kernel X.Y:" lines say so.  One test per
 * file and profile, named after them ("tour.vfs", "tour.vfs on 6.1").  A
 * scenario pinned to a version (host kernel X.Y) runs on that one only.
 * VFIOSIM_SCENARIOS=DIR runs another directory.
 *
 * Two more tests keep the library honest: it is not empty, and every
 * divergence docs/divergences.md lists has a scenario that names it.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ops.h"
#include "scenario.h"

#ifndef VFIOSIM_SCENARIO_DIR
#define VFIOSIM_SCENARIO_DIR "scenarios"
#endif
#ifndef VFIOSIM_DIVERGENCES
#define VFIOSIM_DIVERGENCES "docs/divergences.md"
#endif

#define MAX_SCENARIOS	512

/* Debian's kernels and the newest: the versions type1 developers work on. */
static const unsigned int profiles[] = {
	VFIOSIM_KERNEL(7, 3), VFIOSIM_KERNEL(6, 12), VFIOSIM_KERNEL(6, 1), VFIOSIM_KERNEL(5, 10),
};
#define NR_RUNS		(1 + sizeof(profiles) / sizeof(profiles[0]))

struct run {
	const char *path;
	unsigned int kernel;		/* --kernel; 0: the default */
	char name[160];
};

static const char *dir;
static char *paths[MAX_SCENARIOS];
static unsigned int nr_paths;

static void test_scenario(void **state)
{
	const struct run *run = *state;
	struct run_opts o = { .be = vfiosim_backend_find(NULL), .kernel = run->kernel };
	struct scenario *sc = NULL;
	struct diag d = { 0 };
	struct run_result r;
	unsigned int profile;
	char msg[512];

	if (scenario_load(run->path, &sc, &d)) {
		diag_format(&d, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	profile = scenario_profile(sc, &o, msg, sizeof(msg));
	if (!profile && sc->kernel && run->kernel) {
		scenario_free(sc);
		skip();		/* pinned to another version: its own run has it */
	}
	assert_int_not_equal(profile, 0);
	if (scenario_run(sc, &o, &r)) {
		/* Again, aloud, so that the log shows how it got there. */
		o.out = stdout;
		scenario_run(sc, &o, &r);
		scenario_free(sc);
		fail_msg("%s:%u: on Linux %u.%u: %s: %s", run->path, r.fail_line,
			 VFIOSIM_KERNEL_MAJOR(profile), VFIOSIM_KERNEL_MINOR(profile), r.fail_kind,
			 r.fail_msg);
	}
	assert_true(r.ops > 0);
	scenario_free(sc);
}

static void test_scenario_library_is_not_empty(void **state)
{
	if (nr_paths < 10)
		fail_msg("%s holds %u scenarios: the library is missing", dir, nr_paths);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 16384;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Each "{#anchor}" of divergences.md must appear as "divergences.md#anchor". */
static void test_scenario_library_covers_every_divergence(void **state)
{
	char *doc = slurp(VFIOSIM_DIVERGENCES), *p, *texts[MAX_SCENARIOS];
	unsigned int i, anchors = 0;

	if (!doc)
		fail_msg("cannot read %s", VFIOSIM_DIVERGENCES);
	for (i = 0; i < nr_paths; i++) {
		texts[i] = slurp(paths[i]);
		assert_non_null(texts[i]);
	}
	for (p = strstr(doc, "{#"); p; p = strstr(p + 2, "{#")) {
		char want[128];
		size_t n = strcspn(p + 2, "}");
		bool found = false;

		assert_true(n < 100);
		snprintf(want, sizeof(want), "divergences.md#%.*s", (int)n, p + 2);
		for (i = 0; i < nr_paths && !found; i++)
			found = strstr(texts[i], want) != NULL;
		if (!found)
			print_error("no scenario names %s\n", want);
		anchors++;
		assert_true(found);
	}
	assert_true(anchors >= 6);
	for (i = 0; i < nr_paths; i++)
		free(texts[i]);
	free(doc);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	struct CMUnitTest *tests;
	struct run *runs;
	struct dirent *e;
	unsigned int i, k, n = 0;
	DIR *d;
	int ret;

	dir = getenv("VFIOSIM_SCENARIOS") ? getenv("VFIOSIM_SCENARIOS") : VFIOSIM_SCENARIO_DIR;
	d = opendir(dir);
	while (d && (e = readdir(d)) && nr_paths < MAX_SCENARIOS) {
		size_t len = strlen(e->d_name);
		char *path;

		if (len < 5 || strcmp(e->d_name + len - 4, ".vfs"))
			continue;
		path = malloc(strlen(dir) + len + 2);
		if (!path)
			return 1;
		sprintf(path, "%s/%s", dir, e->d_name);
		paths[nr_paths++] = path;
	}
	if (d)
		closedir(d);
	qsort(paths, nr_paths, sizeof(paths[0]), by_name);

	tests = calloc(nr_paths * NR_RUNS + 2, sizeof(*tests));
	runs = calloc(nr_paths * NR_RUNS + 1, sizeof(*runs));
	if (!tests || !runs)
		return 1;
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_scenario_library_is_not_empty);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
		test_scenario_library_covers_every_divergence);
	for (k = 0; k < NR_RUNS; k++) {
		for (i = 0; i < nr_paths; i++) {
			struct run *run = &runs[k * nr_paths + i];
			const char *base = strrchr(paths[i], '/') + 1;

			run->path = paths[i];
			run->kernel = k ? profiles[k - 1] : 0;
			if (k)
				snprintf(run->name, sizeof(run->name), "%s on %u.%u", base,
					 VFIOSIM_KERNEL_MAJOR(run->kernel),
					 VFIOSIM_KERNEL_MINOR(run->kernel));
			else
				snprintf(run->name, sizeof(run->name), "%s", base);
			tests[n].name = run->name;
			tests[n].test_func = test_scenario;
			tests[n].initial_state = run;
			n++;
		}
	}
	ret = _cmocka_run_group_tests("scenarios", tests, n, NULL, NULL);
	for (i = 0; i < nr_paths; i++)
		free(paths[i]);
	free(runs);
	free(tests);
	return ret;
}
