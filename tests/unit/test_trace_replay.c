// SPDX-License-Identifier: MIT
/*
 * test_trace_replay.c - "vfiosim run --trace" and "vfiosim replay": every
 * scenario of the library, traced, replays with identical results; a trace
 * whose recorded result is wrong is caught at its line; a line that is not
 * a trace line is an error that names it.
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
#include "ops.h"
#include "trace.h"

#ifndef VFIOSIM_SCENARIO_DIR
#define VFIOSIM_SCENARIO_DIR "scenarios"
#endif

struct tr {
	char path[64];
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
	free(t);
	return 0;
}

/* Runs one scenario file with a trace into t->path; its verdict. */
static int trace_scenario(struct tr *t, const char *file)
{
	struct run_opts o = { .be = vfiosim_backend_find(NULL) };
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

static int replay(struct tr *t, const char *backend)
{
	struct cmd_env env = { .be = vfiosim_backend_find(backend), .prog = "vfiosim" };
	char *argv[] = { (char *)"replay", t->path, NULL };

	return cmd_replay(2, argv, &env);
}

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
		if (trace_scenario(t, file) || replay(t, NULL))
			snprintf(bad, sizeof(bad), "%s", file);
		n++;
	}
	closedir(d);
	if (bad[0])
		fail_msg("%s: it fails, or its trace does not replay", bad);
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
	assert_int_equal(replay(t, NULL), 0);
}

static void test_replay_catches_a_wrong_result(void **state)
{
	struct tr *t = *state;

	write_trace(t, SETUP
		    "{\"seq\":7,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_MAP_DMA\",\"argsz\":32,"
		    "\"flags\":3,\"vaddr\":\"0x100000000\",\"iova\":\"0x1000\",\"size\":\"0x1000\","
		    "\"ret\":0}\n");
	assert_int_equal(replay(t, NULL), 1);	/* really -EEXIST: overlaps */
	write_trace(t, SETUP
		    "{\"seq\":7,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_DIRTY_PAGES\",\"argsz\":8,"
		    "\"flags\":1,\"ret\":0}\n"
		    "{\"seq\":8,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_DIRTY_PAGES\",\"argsz\":48,"
		    "\"flags\":4,\"iova\":\"0x0\",\"size\":\"0x10000\",\"pgsize\":\"0x1000\","
		    "\"bitmap_size\":\"0x8\",\"ret\":0,\"dirty\":\"0x3000\"}\n");
	assert_int_equal(replay(t, NULL), 1);	/* really clean */
}

static void test_replay_rejects_malformed_lines(void **state)
{
	struct tr *t = *state;

	write_trace(t, HOST "{\"seq\":2,\"call\":\"mm_map\",\"vaddr\":\n");
	assert_int_equal(replay(t, NULL), 2);
	write_trace(t, HOST "{\"seq\":2,\"call\":\"teleport\",\"ret\":0}\n");
	assert_int_equal(replay(t, NULL), 2);
	write_trace(t, "{\"seq\":1,\"call\":\"attach\",\"group\":0,\"ret\":0}\n");
	assert_int_equal(replay(t, NULL), 2);	/* no host_new first */
	write_trace(t, HOST "{\"seq\":2,\"call\":\"ioctl\",\"cmd\":\"VFIO_IOMMU_MAP_DMA\","
		    "\"argsz\":32,\"ret\":0}\n");
	assert_int_equal(replay(t, NULL), 2);	/* no flags, vaddr, iova, size */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tr_setup, tr_teardown)
	const struct CMUnitTest tests[] = {
		T(test_every_scenario_replays_identically),
		T(test_replay_hand_written_trace),
		T(test_replay_catches_a_wrong_result),
		T(test_replay_rejects_malformed_lines),
	};

	return cmocka_run_group_tests_name("trace_replay", tests, NULL, NULL);
}
