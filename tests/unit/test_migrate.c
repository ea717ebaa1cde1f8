// SPDX-License-Identifier: MIT
/*
 * test_migrate.c - "vfiosim migrate" end to end: the destination equals
 * the source when the tracker is right, differs (and the verdict says
 * which page) when the VMM loses one dirty bit, and the faithful
 * everything-dirty behaviour with a non-pinning IOMMU-backed device; the
 * kernel profile it runs on (--kernel, a pinned setup).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "cmd.h"
#include "helpers/capture.h"

struct out {
	struct capture cap;		/* the last command's console output */
	const char *text;		/* cap.text */
	char dir[64];
};

static int mig_setup(void **state)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	snprintf(o->dir, sizeof(o->dir), "/tmp/vfiosim-test-migrate-XXXXXX");
	if (!mkdtemp(o->dir)) {
		free(o);
		return -1;
	}
	*state = o;
	return 0;
}

static int mig_teardown(void **state)
{
	struct out *o = *state;
	char cmd[128];

	cap_free(&o->cap);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", o->dir);
	if (system(cmd))
		return -1;
	free(o);
	return 0;
}

/* Runs a subcommand with its console output (stdout and stderr) in o->text. */
static int run(struct out *o, int (*fn)(int, char **, const struct cmd_env *), ...)
{
	struct cmd_env env = { .be = vfiosim_backend_find(NULL), .prog = "vfiosim" };
	char *argv[32];
	int argc = 0, ret;
	va_list ap;

	va_start(ap, fn);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	cap_free(&o->cap);
	cap_begin(&o->cap);
	ret = fn(argc, argv, &env);
	o->text = cap_end(&o->cap);
	return ret;
}

static void has(const struct out *o, const char *s)
{
	if (!strstr(o->text, s))
		fail_msg("the output has no \"%s\":\n%s", s, o->text);
}

static void test_migrate_default_destination_is_exact(void **state)
{
	struct out *o = *state;

	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "8M", NULL), 0);
	has(o, "converged in round");
	has(o, "guest memory: 2048 pages");
	has(o, "vgpu state:   registers and 64 KiB of device memory identical");
	has(o, "no violation");
	has(o, "OK: the destination is an exact copy of the source");
}

static void test_migrate_dma_device_makes_every_page_dirty(void **state)
{
	struct out *o = *state;

	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "8M", "--iommu-dev", "dma",
			     "--rounds", "3", NULL), 0);
	has(o, "it reports every mapped page dirty");
	has(o, "pre-copy           2048");
	has(o, "no convergence after 3 rounds");
	has(o, "OK: the destination is an exact copy");
}

/*
 * The dirty-provider extension: the same never-pinning nic converges when
 * its IOMMU's dirty bits or its tracker say what it wrote; pinned stays
 * type1, and says why it cannot converge.
 */
static void test_migrate_providers(void **state)
{
	struct out *o = *state;

	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "8M", "--iommu-dev", "dma",
			     "--provider", "iommu", NULL), 0);
	has(o, "provider iommu (a vfiosim extension)");
	has(o, "converged in round");
	has(o, "OK: the destination is an exact copy");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "8M", "--iommu-dev", "dma",
			     "--provider", "pinned", "--rounds", "3", NULL), 0);
	has(o, "no convergence after 3 rounds");
	has(o, "why: the nic never pins, and under type1's rules a device that never pins "
	    "keeps every mapped page dirty");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "8M", "--iommu-dev", "dma",
			     "--provider", "all", "--rounds", "4", NULL), 0);
	has(o, "  provider               pinned      iommu     device       auto   iommu-2m");
	has(o, "  converged                  no        yes        yes        yes");
	has(o, "  destination             exact      exact      exact      exact      exact");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--provider", "best", NULL), 2);
	has(o, "vfiosim migrate: --provider is pinned, iommu, device, auto, iommu-2m or all");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--provider", "iommu", "setup.vfs", NULL), 2);
	has(o, "vfiosim migrate: --provider applies to the default setup");
}

/*
 * A lost bit harms when nothing reports the page again: in the last
 * reports, the stop-and-copy ones.  Which of them holds a page that
 * changed depends on the run: the last report that does is found by
 * trying them from the end.
 */
static void test_migrate_dropped_dirty_bit_corrupts_destination(void **state)
{
	struct out *o = *state;
	unsigned long reports = 0, n;
	const char *p;
	char arg[24];

	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "8M", "--seed", "7", NULL), 0);
	p = strstr(o->text, "dirty reports, numbered");
	assert_non_null(p);
	while (p > o->text && p[-1] != '\n')
		p--;
	assert_int_equal(sscanf(p, " %lu dirty reports", &reports), 1);
	assert_true(reports >= 4);
	for (n = reports; n > reports - 2; n--) {
		snprintf(arg, sizeof(arg), "%lu", n);
		if (run(o, cmd_migrate, "migrate", "--guest", "8M", "--seed", "7",
			"--drop-dirty-bit", arg, NULL))
			break;
		has(o, "no harm done");
	}
	assert_true(n > reports - 2);
	has(o, "the VMM loses the bit of IOVA");
	has(o, "its dirty bit was dropped from the VMM's report");
	has(o, "guest memory: 1 of 2048 pages differ: CORRUPT");
	has(o, "FAILED: the destination is not a copy of the source");
	/* the tracker itself was right: the oracle has nothing against it */
	has(o, "no violation");
}

static void test_migrate_emulated_device_alone(void **state)
{
	struct out *o = *state;

	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "4M", "--iommu-dev", "none",
			     NULL), 0);
	has(o, "vgpu: emulated");
	has(o, "OK: the destination is an exact copy");
}

#define SETUP	"mem guest 0x100000000 4M\ngroup md emulated\ncontainer v2\nattach md\n" \
		"map ram 0x0+4M vaddr guest\n"

/* o->dir/setup.vfs holding text, its path in path. */
static void write_setup(struct out *o, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/setup.vfs", o->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_migrate_setup_file(void **state)
{
	struct out *o = *state;
	char path[128];

	write_setup(o, SETUP, path, sizeof(path));
	assert_int_equal(run(o, cmd_migrate, "migrate", path, NULL), 0);
	has(o, "in 1 section: ram 0x0+4.0M");
	has(o, "OK: the destination is an exact copy");
}

static void test_migrate_trace_replays_identically(void **state)
{
	struct out *o = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/mig.jsonl", o->dir);
	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "4M", "--trace", path,
			     NULL), 0);
	assert_int_equal(run(o, cmd_replay, "replay", path, NULL), 0);
	has(o, "every result matches");
}

static void test_migrate_plot_writes_data_and_script(void **state)
{
	struct out *o = *state;
	char dir[128], f[192];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/plot", o->dir);
	run(o, cmd_migrate, "migrate", "--guest", "4M", "--plot", dir, NULL);
	has(o, "plot: ");
	snprintf(f, sizeof(f), "%s/round-00.dat", dir);
	assert_int_equal(stat(f, &st), 0);
	snprintf(f, sizeof(f), "%s/convergence.dat", dir);
	assert_int_equal(stat(f, &st), 0);
	snprintf(f, sizeof(f), "%s/plot.gp", dir);
	assert_int_equal(stat(f, &st), 0);
	/* PNGs only where gnuplot is installed; otherwise the message says how. */
	snprintf(f, sizeof(f), "%s/convergence.png", dir);
	if (stat(f, &st))
		has(o, "tools/deps.sh plot");
}

/* --kernel chooses the profile, which the run shows and its trace keeps. */
static void test_migrate_kernel_profile(void **state)
{
	struct out *o = *state;
	char path[128], setup[128];

	snprintf(path, sizeof(path), "%s/mig.jsonl", o->dir);
	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "4M", "--kernel", "5.10",
			     "--trace", path, NULL), 0);
	has(o, "vfiosim migrate (backend model, Linux 5.10): a guest of 4.0M");
	has(o, "OK: the destination is an exact copy");
	assert_int_equal(run(o, cmd_replay, "replay", path, NULL), 0);
	has(o, "(Linux 5.10): every result matches");

	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "4M", NULL), 0);
	has(o, "vfiosim migrate (backend model, Linux 7.3): ");

	/* A setup pinned to a version runs on it, and on no other. */
	write_setup(o, "host kernel 6.1\n" SETUP, setup, sizeof(setup));
	assert_int_equal(run(o, cmd_migrate, "migrate", setup, NULL), 0);
	has(o, "vfiosim migrate (backend model, Linux 6.1): ");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--kernel", "6.12", setup, NULL), 2);
	has(o, "/setup.vfs: pinned to Linux 6.1 (line 1), the run asks for Linux 6.12");
	assert_null(strstr(o->text, "verdict"));
}

static void test_migrate_bad_options_are_usage_errors(void **state)
{
	struct out *o = *state;

	assert_int_equal(run(o, cmd_migrate, "migrate", "--guest", "lots", NULL), 2);
	has(o, "vfiosim migrate: --guest: expected a size like 4K, 2M or 0x1000, got \"lots\"");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--iommu-dev", "maybe", NULL), 2);
	has(o, "vfiosim migrate: --iommu-dev is pin, dma or none");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--drop-dirty-bit", "0", NULL), 2);
	has(o, "vfiosim migrate: --drop-dirty-bit counts reports from 1");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--iommu-dev", "none", "--no-emulated",
			     NULL), 2);
	has(o, "vfiosim migrate: --iommu-dev none and --no-emulated leave no device");
	assert_int_equal(run(o, cmd_migrate, "migrate", "/nonexistent/setup.vfs", NULL), 2);
	has(o, "vfiosim migrate: /nonexistent/setup.vfs: cannot open: No such file or directory");
	assert_int_equal(run(o, cmd_migrate, "migrate", "--kernel", "6.13.1", NULL), 2);
	has(o, "vfiosim migrate: --kernel 6.13.1: expected a Linux version like 6.12 "
	    "(MAJOR.MINOR), got \"6.13.1\"; the profiles are Linux 5.10 to 7.3");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, mig_setup, mig_teardown)
	const struct CMUnitTest tests[] = {
		T(test_migrate_default_destination_is_exact),
		T(test_migrate_dma_device_makes_every_page_dirty),
		T(test_migrate_dropped_dirty_bit_corrupts_destination),
		T(test_migrate_emulated_device_alone),
		T(test_migrate_setup_file),
		T(test_migrate_trace_replays_identically),
		T(test_migrate_plot_writes_data_and_script),
		T(test_migrate_kernel_profile),
		T(test_migrate_bad_options_are_usage_errors),
		T(test_migrate_providers),
	};

	return cmocka_run_group_tests_name("migrate", tests, NULL, NULL);
}
