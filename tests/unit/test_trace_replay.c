// SPDX-License-Identifier: MIT
/*
 * test_trace_replay.c - "vfiosim run --trace" and "vfiosim replay": every
 * scenario of the library, traced, replays with identical results; a trace
 * whose recorded result (or WARN) is wrong is caught at its line; a line
 * that is not a trace line is an error that names it; a trace with no call
 * in it, or a directory, is an error too, not a match, as is a scenario
 * with no statement for "vfiosim run".  A trace carries the kernel version
 * it was made on, which replay follows unless --kernel says otherwise;
 * "vfiosim run --kernel" and a scenario's "host kernel" choose the version.
 *
 * The command's console output is caught (helpers/capture.h) and checked:
 * what a test expects is not left on the console.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd.h"
#include "helpers/capture.h"
#include "ops.h"
#include "trace.h"

#ifndef VFIOSIM_SCENARIO_DIR
#define VFIOSIM_SCENARIO_DIR "scenarios"
#endif

struct tr {
	char path[64];
	struct capture out;		/* the last replay's console output */
};

static int tr_setup(void **state)
{
	struct tr *t = calloc(1, sizeof(*t));
	int fd;

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/vfiosim-test-trace-XXXXXX");
	fd = mkstemp(t->path);
	if (fd < 0) {
		free(t);
		return -1;
	}
	close(fd);
	*state = t;
	return 0;
}

static int tr_teardown(void **state)
{
	struct tr *t = *state;

	unlink(t->path);
	cap_free(&t->out);
	free(t);
	return 0;
}

/*
 * Runs one scenario file on the kernel profile (0: the default), to its end,
 * with a trace into t->path; its verdict.
 */
static int trace_scenario_on(struct tr *t, const char *file, unsigned int kernel)
{
	struct run_opts o = { .be = vfiosim_backend_find(NULL), .keep_going = true,
			      .kernel = kernel };
	struct scenario *sc;
	struct diag d = { 0 };
	struct run_result r;
	char err[128];
	int ret;

	if (scenario_load(file, &sc, &d))
		fail_msg("%s: %s", file, d.msg);
	o.tr = trace_open(t->path, err, sizeof(err));
	assert_non_null(o.tr);
	ret = scenario_run(sc, &o, &r);
	assert_int_equal(trace_close(o.tr), 0);
	scenario_free(sc);
	return ret;
}

static int trace_scenario(struct tr *t, const char *file)
{
	return trace_scenario_on(t, file, 0);
}

/* A vfiosim subcommand, its console output in t->out. */
static int command(struct tr *t, int (*fn)(int, char **, const struct cmd_env *), int argc,
		   char **argv)
{
	struct cmd_env env = { .be = vfiosim_backend_find(NULL), .prog = "vfiosim" };
	int ret;

	cap_begin(&t->out);
	ret = fn(argc, argv, &env);
	cap_end(&t->out);
	return ret;
}

static int replay_path(struct tr *t, const char *path)
{
	char *argv[] = { (char *)"replay", (char *)path, NULL };

	return command(t, cmd_replay, 2, argv);
}

static int replay(struct tr *t)
{
	return replay_path(t, t->path);
}

static int run_path(struct tr *t, const char *path)
{
	char *argv[] = { (char *)"run", (char *)"--no-minimize", (char *)path, NULL };

	return command(t, cmd_run, 3, argv);
}

/* cmd (replay_path, run_path) on an empty directory made for it. */
static int on_a_directory(struct tr *t, int (*cmd)(struct tr *, const char *))
{
	char dir[64];
	int ret;

	snprintf(dir, sizeof(dir), "/tmp/vfiosim-test-dir-XXXXXX");
	assert_non_null(mkdtemp(dir));
	ret = cmd(t, dir);
	rmdir(dir);
	return ret;
}

/*
 * Whether a scenario passes is test_scenarios' business (some fail on purpose
 * on profiles the model does not follow yet); here each runs to its end and
 * its trace must replay identically.
 */
static void test_every_scenario_replays_identically(void **state)
{
	struct tr *t = *state;
	DIR *d = opendir(VFIOSIM_SCENARIO_DIR);
	char file[512], bad[512] = "";
	struct dirent *e;
	unsigned int n = 0;

	assert_non_null(d);
	while (!bad[0] && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".vfs"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", VFIOSIM_SCENARIO_DIR, e->d_name);
		trace_scenario(t, file);
		if (replay(t) ||
		    cap_count(&t->out, ": every result matches") != 1 ||
		    cap_count(&t->out, "WARNING") != 0)
			snprintf(bad, sizeof(bad), "%s", file);
		n++;
	}
	closedir(d);
	if (bad[0])
		fail_msg("%s: its trace does not replay cleanly:\n%s", bad,
			 t->out.text ? t->out.text : "");
	assert_true(n >= 10);
}

static void write_trace(struct tr *t, const char *text)
{
	FILE *f = fopen(t->path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define HOST	"{\"seq\":1,\"call\":\"host_new\",\"ret\":0}\n"
#define SETUP	HOST \
	"{\"seq\":2,\"call\":\"mm_map\",\"vaddr\":\"0x100000000\",\"len\":\"0x100000\"," \
	"\"prot\":3,\"flags\":0,\"ret\":0}\n" \
	"{\"seq\":3,\"call\":\"group_new\",\"group\":0,\"kind\":\"emulated\",\"ret\":0}\n" \
	"{\"seq\":4,\"call\":\"container_new\",\"type\":3,\"ret\":0}\n" \
	"{\"seq\":5,\"call\":\"attach\",\"group\":0,\"ret\":0}\n" \
	"{\"seq\":6,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_MAP_DMA\",\"argsz\":32,\"flags\":3," \
	"\"vaddr\":\"0x100000000\",\"iova\":\"0x0\",\"size\":\"0x10000\",\"ret\":0}\n"

static void test_replay_hand_written_trace(void **state)
{
	struct tr *t = *state;

	write_trace(t, SETUP
		    "{\"seq\":7,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_DIRTY_PAGES\",\"argsz\":8,"
		    "\"flags\":1,\"ret\":0}\n"
		    "{\"seq\":8,\"call\":\"dma_rw\",\"iova\":\"0x2000\",\"len\":\"0x10\","
		    "\"write\":true,\"ret\":0}\n"
		    "{\"seq\":9,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_DIRTY_PAGES\",\"argsz\":48,"
		    "\"flags\":4,\"iova\":\"0x0\",\"size\":\"0x10000\",\"pgsize\":\"0x1000\","
		    "\"bitmap_size\":\"0x8\",\"ret\":0,\"dirty\":\"0x2000\"}\n");
	assert_int_equal(replay(t), 0);
	expect_lines(&t->out, ": 9 calls replayed on backend model (Linux 7.3): every result matches", 1);
}

static void test_replay_catches_a_wrong_result(void **state)
{
	struct tr *t = *state;

	write_trace(t, SETUP
		    "{\"seq\":7,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_MAP_DMA\",\"argsz\":32,"
		    "\"flags\":3,\"vaddr\":\"0x100000000\",\"iova\":\"0x1000\",\"size\":\"0x1000\","
		    "\"ret\":0}\n");
	assert_int_equal(replay(t), 1);	/* really -EEXIST: overlaps */
	expect_lines(&t->out, ":7: VFIO_IOMMU_MAP_DMA: the result differs: the trace has 0, "
		     "this run -EEXIST", 1);
	expect_lines(&t->out, ": 7 calls replayed on backend model (Linux 7.3): 1 mismatch, 0 "
		     "other problems", 1);
	write_trace(t, SETUP
		    "{\"seq\":7,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_DIRTY_PAGES\",\"argsz\":8,"
		    "\"flags\":1,\"ret\":0}\n"
		    "{\"seq\":8,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_DIRTY_PAGES\",\"argsz\":48,"
		    "\"flags\":4,\"iova\":\"0x0\",\"size\":\"0x10000\",\"pgsize\":\"0x1000\","
		    "\"bitmap_size\":\"0x8\",\"ret\":0,\"dirty\":\"0x3000\"}\n");
	assert_int_equal(replay(t), 1);	/* really clean */
	expect_lines(&t->out, ":8: VFIO_IOMMU_DIRTY_PAGES: dirty differs: the trace has 0x3000, "
		     "this run none", 1);
	expect_lines(&t->out, ": 8 calls replayed on backend model (Linux 7.3): 1 mismatch", 1);
}

static void test_replay_rejects_malformed_lines(void **state)
{
	struct tr *t = *state;

	write_trace(t, HOST "{\"seq\":2,\"call\":\"mm_map\",\"vaddr\":\n");
	assert_int_equal(replay(t), 2);
	expect_lines(&t->out, ":2: not a trace line: col 35: \"vaddr\" has no value", 1);
	expect_lines(&t->out, ": replay stopped at line 2, which it cannot make a call of (1 calls "
		     "replayed before it, 0 mismatches)", 1);
	write_trace(t, HOST "{\"seq\":2,\"call\":\"teleport\",\"ret\":0}\n");
	assert_int_equal(replay(t), 2);
	expect_lines(&t->out, ":2: unknown call \"teleport\"", 1);
	expect_lines(&t->out, ": replay stopped at line 2,", 1);
	write_trace(t, "{\"seq\":1,\"call\":\"attach\",\"group\":0,\"ret\":0}\n");
	assert_int_equal(replay(t), 2);	/* no host_new first */
	expect_lines(&t->out, ":1: attach before any host_new (the trace must start with one)", 1);
	expect_lines(&t->out, ": replay stopped at line 1,", 1);
	write_trace(t, HOST "{\"seq\":2,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_MAP_DMA\","
		    "\"argsz\":32,\"ret\":0}\n");
	assert_int_equal(replay(t), 2);	/* no flags, vaddr, iova, size */
	expect_lines(&t->out, ":2: VFIO_IOMMU_MAP_DMA: \"flags\" is missing or not a number", 1);
	expect_lines(&t->out, ": replay stopped at line 2,", 1);
}

/* Nothing replayed is nothing compared: an error, not "every result matches". */
static void test_replay_refuses_a_trace_without_calls(void **state)
{
	struct tr *t = *state;

	write_trace(t, "");
	assert_int_equal(replay(t), 2);
	expect_lines(&t->out, "vfiosim replay: /tmp/vfiosim-test-trace-", 1);
	expect_lines(&t->out, " has no call to replay (the file is empty)", 1);
	expect_lines(&t->out, "matches", 0);

	write_trace(t, "\n  \t\n\n");
	assert_int_equal(replay(t), 2);
	expect_lines(&t->out, " has no call to replay (only blank lines)", 1);
	expect_lines(&t->out, "matches", 0);

	assert_int_equal(on_a_directory(t, replay_path), 2);
	expect_lines(&t->out, "vfiosim replay: /tmp/vfiosim-test-dir-", 1);
	expect_lines(&t->out, " is a directory, not a trace", 1);
	expect_lines(&t->out, "matches", 0);

	assert_int_equal(replay_path(t, "/nonexistent/trace"), 2);
	expect_lines(&t->out, "vfiosim replay: cannot open /nonexistent/trace: No such file", 1);
}

/* Nothing run is nothing checked: a failure, not "ok". */
static void test_run_refuses_a_scenario_without_statements(void **state)
{
	struct tr *t = *state;

	write_trace(t, "");
	assert_int_equal(run_path(t, t->path), 1);
	expect_lines(&t->out, ": no statement to run (the file is empty or only comments)", 1);
	expect_lines(&t->out, t->path, 1);
	expect_lines(&t->out, ": ok", 0);

	write_trace(t, "# a comment\n\n   # another\n");
	assert_int_equal(run_path(t, t->path), 1);
	expect_lines(&t->out, ": no statement to run", 1);

	/* One statement is enough. */
	write_trace(t, "# a comment\ncontainer v2\n");
	assert_int_equal(run_path(t, t->path), 0);
	expect_lines(&t->out, ": ok on Linux 7.3: 1 operation", 1);

	assert_int_equal(on_a_directory(t, run_path), 1);
	expect_lines(&t->out, "/tmp/vfiosim-test-dir-", 1);
	expect_lines(&t->out, ": cannot read: Is a directory", 1);
}

/* A scenario whose vendor pin WARNs (divergence_smaller.vfs shows why). */
static const char warn_scenario[] =
	"mem ram 0x100000000 1M\n"
	"group vpu iommu has-dma-unmap\n"
	"container v2\n"
	"attach vpu\n"
	"map m 0x40000000+64K vaddr ram\n"
	"unmap m flags vaddr\n"
	"pin vpu 0x40001000 expect errno EBUSY\n"
	"expect warnings 1\n";

static char *slurp_trace(const struct tr *t)
{
	FILE *f = fopen(t->path, "r");
	char *text = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	assert_non_null(text);
	n = fread(text, 1, 65535, f);
	fclose(f);
	assert_true(n > 0 && n < 65535);
	return text;
}

/* A WARN is part of a call's result: the trace records it, replay compares. */
static void test_replay_compares_warnings(void **state)
{
	struct tr *t = *state;
	char *text, *w, *end;

	/* The scenario is read whole before its trace replaces it. */
	write_trace(t, warn_scenario);
	assert_int_equal(trace_scenario(t, t->path), 0);
	text = slurp_trace(t);
	w = strstr(text, ",\"warning\":\"pin_pages not allowed");
	assert_non_null(w);
	assert_int_equal(replay(t), 0);
	expect_lines(&t->out, "every result matches", 1);
	expect_lines(&t->out, "WARNING", 0);

	/* Not in the trace: a problem, and printed where it fired. */
	end = strchr(w + 1, '}');
	assert_non_null(end);
	memmove(w, end, strlen(end) + 1);
	write_trace(t, text);
	free(text);
	assert_int_equal(replay(t), 1);
	expect_lines(&t->out, ": pin: the simulator WARNed: pin_pages not allowed with "
		     "VFIO_UPDATE_VADDR", 1);
	expect_lines(&t->out, "vfiosim: WARNING at ", 1);
	expect_lines(&t->out, ": 0 mismatches, 1 other problem", 1);

	/* In the trace but not in this run: a mismatch. */
	write_trace(t, SETUP
		    "{\"seq\":7,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_DIRTY_PAGES\",\"argsz\":8,"
		    "\"flags\":1,\"ret\":0,\"warning\":\"made up\"}\n");
	assert_int_equal(replay(t), 1);
	expect_lines(&t->out, ":7: VFIO_IOMMU_DIRTY_PAGES: the WARN differs: the trace has made "
		     "up, this run none", 1);
	expect_lines(&t->out, "WARNING", 0);
}

/* A subcommand as the command line has it; argv ends with NULL. */
static int args(struct tr *t, int (*fn)(int, char **, const struct cmd_env *), char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return command(t, fn, argc, argv);
}

#define run_args(t, argv)	args((t), cmd_run, (argv))
#define replay_args(t, argv)	args((t), cmd_replay, (argv))

static void test_trace_carries_the_kernel_version(void **state)
{
	struct tr *t = *state;
	char *text;

	/* The default profile, written out. */
	assert_int_equal(trace_scenario(t, VFIOSIM_SCENARIO_DIR "/tour.vfs"), 0);
	text = slurp_trace(t);
	assert_non_null(strstr(text, "\"call\":\"host_new\""));
	assert_non_null(strstr(text, ",\"kernel\":\"7.3\","));
	free(text);
	assert_int_equal(replay(t), 0);
	expect_lines(&t->out, "calls replayed on backend model (Linux 7.3): every result matches",
		     1);
	expect_lines(&t->out, "note:", 0);

	/* Another: replay follows it... */
	assert_int_equal(trace_scenario_on(t, VFIOSIM_SCENARIO_DIR "/tour.vfs",
					   VFIOSIM_KERNEL(6, 1)), 0);
	text = slurp_trace(t);
	assert_non_null(strstr(text, ",\"kernel\":\"6.1\","));
	assert_null(strstr(text, "\"kernel\":\"7.3\""));
	free(text);
	assert_int_equal(replay(t), 0);
	expect_lines(&t->out, "calls replayed on backend model (Linux 6.1): every result matches",
		     1);
	expect_lines(&t->out, "note:", 0);

	/* ... unless --kernel says otherwise, which it notes. */
	{
		char *argv[] = { (char *)"replay", (char *)"--kernel", (char *)"6.12", t->path,
				 NULL };

		assert_int_equal(replay_args(t, argv), 0);
	}
	expect_lines(&t->out, ":1: note: the trace was made on Linux 6.1, replayed on Linux 6.12 "
		     "(--kernel)", 1);
	expect_lines(&t->out, "calls replayed on backend model (Linux 6.12): every result matches",
		     1);
}

static void test_replay_refuses_a_bad_kernel_version(void **state)
{
	struct tr *t = *state;
	char *argv[] = { (char *)"replay", (char *)"--kernel", (char *)"6.20", t->path, NULL };

	write_trace(t, "{\"seq\":1,\"call\":\"host_new\",\"kernel\":\"6.99\",\"ret\":0}\n");
	assert_int_equal(replay(t), 2);
	expect_lines(&t->out, ":1: host_new: \"kernel\": there is no Linux 6.99 (6.19 was the last "
		     "6.x); the profiles are Linux 5.10 to 7.3", 1);
	expect_lines(&t->out, ": replay stopped at line 1,", 1);

	write_trace(t, HOST);
	assert_int_equal(replay_args(t, argv), 2);
	expect_lines(&t->out, "vfiosim replay: --kernel 6.20: there is no Linux 6.20 (6.19 was the "
		     "last 6.x); the profiles are Linux 5.10 to 7.3", 1);
	expect_lines(&t->out, "replayed", 0);
}

static void test_run_kernel_option(void **state)
{
	struct tr *t = *state;
	char *ok[] = { (char *)"run", (char *)"--kernel", (char *)"5.10",
		       (char *)VFIOSIM_SCENARIO_DIR "/container.vfs", NULL };
	char *bad[] = { (char *)"run", (char *)"--kernel", (char *)"6", t->path, NULL };
	char *old[] = { (char *)"run", (char *)"--kernel=4.19", t->path, NULL };

	assert_int_equal(run_args(t, ok), 0);
	expect_lines(&t->out, "== " VFIOSIM_SCENARIO_DIR "/container.vfs (backend model, "
		     "Linux 5.10)", 1);
	expect_lines(&t->out, "/container.vfs: ok on Linux 5.10: ", 1);

	assert_int_equal(run_args(t, bad), 2);
	expect_lines(&t->out, "vfiosim run: --kernel 6: expected a Linux version like 6.12 "
		     "(MAJOR.MINOR), got \"6\"; the profiles are Linux 5.10 to 7.3", 1);
	assert_int_equal(run_args(t, old), 2);
	expect_lines(&t->out, "vfiosim run: --kernel 4.19: Linux 4.19 has no profile; the "
		     "profiles are Linux 5.10 to 7.3", 1);
	expect_lines(&t->out, ": ok", 0);
}

/* A guarded line runs on its profiles only, and the console says which. */
static void test_run_version_guards(void **state)
{
	struct tr *t = *state;
	char *v612[] = { (char *)"run", (char *)"--kernel", (char *)"6.12", t->path, NULL };
	char *v73[] = { (char *)"run", (char *)"--kernel", (char *)"7.3", t->path, NULL };

	write_trace(t, "container\n"
		    "on kernel < 6.13: check-extension v2 expect ret 1\n"
		    "on kernel 6.12: fail alloc 1\n"
		    "on kernel >= 7.3: check-extension v1 expect ret 1\n");
	assert_int_equal(run_args(t, v612), 0);
	expect_lines(&t->out, "on kernel < 6.13: check-extension v2 expect ret 1   1, as expected",
		     1);
	expect_lines(&t->out, "on kernel 6.12: fail alloc 1                        ok", 1);
	expect_lines(&t->out, "on kernel >= 7.3: check-extension v1 expect ret 1   (skipped: not "
		     "on Linux 6.12)", 1);
	expect_lines(&t->out, ": ok on Linux 6.12: 3 operations, 1 expectation,", 1);
	assert_int_equal(run_args(t, v73), 0);
	expect_lines(&t->out, "(skipped: not on Linux 7.3)", 2);
	expect_lines(&t->out, ": ok on Linux 7.3: 2 operations, 1 expectation,", 1);
}

/* "host kernel" pins a scenario; another --kernel skips it, which is no pass. */
static void test_run_pinned_scenario(void **state)
{
	struct tr *t = *state;
	char *same[] = { (char *)"run", (char *)"--kernel", (char *)"6.1", t->path, NULL };
	char *other[] = { (char *)"run", (char *)"--kernel", (char *)"6.12", t->path, NULL };
	char *two[] = { (char *)"run", (char *)"--kernel", (char *)"6.12", t->path,
			(char *)VFIOSIM_SCENARIO_DIR "/container.vfs", NULL };
	char *text;

	write_trace(t, "# 6.1 only\nhost kernel 6.1\ncontainer v2\n");
	assert_int_equal(run_path(t, t->path), 0);
	expect_lines(&t->out, " (backend model, Linux 6.1)", 1);
	expect_lines(&t->out, ": ok on Linux 6.1: 2 operations", 1);
	assert_int_equal(run_args(t, same), 0);
	expect_lines(&t->out, ": ok on Linux 6.1: 2 operations", 1);

	assert_int_equal(run_args(t, other), 1);
	expect_lines(&t->out, ": skipped: pinned to Linux 6.1 (line 2), the run asks for Linux "
		     "6.12", 1);
	expect_lines(&t->out, "ok", 0);
	assert_int_equal(run_args(t, two), 0);
	expect_lines(&t->out, ": skipped: pinned to Linux 6.1 (line 2)", 1);
	expect_lines(&t->out, "2 scenarios: 1 passed, 0 failed, 1 skipped", 1);

	/* Its trace says so, and replays so. */
	write_trace(t, "host kernel 6.1\ncontainer v2\n");
	assert_int_equal(trace_scenario(t, t->path), 0);
	text = slurp_trace(t);
	assert_non_null(strstr(text, ",\"kernel\":\"6.1\","));
	free(text);
	assert_int_equal(replay(t), 0);
	expect_lines(&t->out, "(Linux 6.1): every result matches", 1);
}

/* A minimized scenario keeps the pin its runs had, even without its host line. */
static void test_run_minimized_scenario_keeps_the_pin(void **state)
{
	struct tr *t = *state;
	char dir[64], repro[160], text[4096];
	char *argv[] = { (char *)"run", (char *)"--repro-dir", dir, t->path, NULL };
	FILE *f;
	size_t n;

	snprintf(dir, sizeof(dir), "/tmp/vfiosim-test-dir-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(repro, sizeof(repro), "%s/vfiosim-repro-%s.vfs", dir, strrchr(t->path, '/') + 1);
	write_trace(t, "host page-size 4K kernel 6.1\nmem ram 0x100000000 1M\ncontainer v2\n"
		    "check-extension v1 expect ret 0\n");
	assert_int_equal(run_args(t, argv), 1);
	expect_lines(&t->out, ":4: FAILED on Linux 6.1 (expect ret): expected 0, got 1", 1);
	expect_lines(&t->out, "(minimized: 2 of 4 statements)", 1);
	f = fopen(repro, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(repro);
	rmdir(dir);
	assert_non_null(strstr(text, "which failed at line 4 (expect ret) on\n# Linux 6.1:\n"));
	assert_non_null(strstr(text, "the same way.\nhost kernel 6.1 "));
	assert_null(strstr(text, "page-size"));
	assert_non_null(strstr(text, "\ncheck-extension v1 expect ret 0 "));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tr_setup, tr_teardown)
	const struct CMUnitTest tests[] = {
		T(test_every_scenario_replays_identically),
		T(test_replay_hand_written_trace),
		T(test_replay_catches_a_wrong_result),
		T(test_replay_rejects_malformed_lines),
		T(test_replay_refuses_a_trace_without_calls),
		T(test_run_refuses_a_scenario_without_statements),
		T(test_replay_compares_warnings),
		T(test_trace_carries_the_kernel_version),
		T(test_replay_refuses_a_bad_kernel_version),
		T(test_run_kernel_option),
		T(test_run_version_guards),
		T(test_run_pinned_scenario),
		T(test_run_minimized_scenario_keeps_the_pin),
	};

	return cmocka_run_group_tests_name("trace_replay", tests, NULL, NULL);
}
