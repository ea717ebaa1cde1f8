// SPDX-License-Identifier: MIT
/*
 * speed_main.c - how fast a fuzz target's harness runs by itself, without
 * an engine's per-execution cost: loads a directory of inputs (a corpus, a
 * campaign's queue) and runs them for a few seconds, as they are and then
 * mutated the way a fuzzer's havoc stage would (bit flips, random bytes,
 * 64-bit values, 0x00/0xff).  Built -O2 without instrumentation or
 * sanitizers: what libFuzzer-style engines and faster machines see.
 *
 *   speed DIR [SECONDS]      (make fuzz-speed)
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz.h"

#define SPEED_MAX	(1 << 16)	/* bytes kept of each input */

struct speed_in {
	unsigned char *data;
	size_t len;
};

static uint64_t speed_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t speed_rand(void)
{
	speed_rng ^= speed_rng << 13;
	speed_rng ^= speed_rng >> 7;
	speed_rng ^= speed_rng << 17;
	return speed_rng;
}

static double speed_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t speed_load(const char *dir, struct speed_in **out)
{
	struct speed_in *v = NULL;
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d) {
		perror(dir);
		exit(2);
	}
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		f = fopen(path, "rb");
		if (!f)
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		v[n].data = malloc(SPEED_MAX);
		if (!v[n].data)
			abort();
		v[n].len = fread(v[n].data, 1, SPEED_MAX, f);
		fclose(f);
		n++;
	}
	closedir(d);
	*out = v;
	return n;
}

/* A havoc-like step: 1 to 8 small changes to a copy of the input. */
static void speed_mutate(unsigned char *buf, size_t len)
{
	int m = 1 + (int)(speed_rand() % 8);

	while (m-- && len) {
		size_t p = speed_rand() % len;
		uint64_t v = speed_rand();

		switch (speed_rand() % 4) {
		case 0:
			buf[p] ^= (unsigned char)(1u << (v % 8));
			break;
		case 1:
			buf[p] = (unsigned char)v;
			break;
		case 2:
			memcpy(buf + p, &v, len - p < 8 ? len - p : 8);
			break;
		default:
			buf[p] = v & 1 ? 0xff : 0;
			break;
		}
	}
}

static void speed_run(const char *what, struct speed_in *in, size_t n, double seconds,
		      bool mutate)
{
	static unsigned char buf[SPEED_MAX];
	unsigned long execs = 0;
	double t0 = speed_now(), t;

	do {
		for (size_t k = 0; k < 256; k++, execs++) {
			struct speed_in *x = &in[execs % n];

			if (mutate) {
				memcpy(buf, x->data, x->len);
				speed_mutate(buf, x->len);
				LLVMFuzzerTestOneInput(buf, x->len);
			} else {
				LLVMFuzzerTestOneInput(x->data, x->len);
			}
		}
		t = speed_now() - t0;
	} while (t < seconds);
	printf("%-6s %-8s %8.0f execs/s  (%lu execs in %.1f s, %zu inputs)\n",
	       fuzz_entry_target->name, what, (double)execs / t, execs, t, n);
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 3.0;
	struct speed_in *in;
	size_t n, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [SECONDS]  (fuzz target %s)\n", argv[0],
			fuzz_entry_target->name);
		return 2;
	}
	n = speed_load(argv[1], &in);
	if (!n) {
		fprintf(stderr, "%s: no inputs\n", argv[1]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 0; i < n; i++)			/* warm: states built, pages touched */
		LLVMFuzzerTestOneInput(in[i].data, in[i].len);
	speed_run("as-is", in, n, seconds, false);
	speed_run("mutated", in, n, seconds, true);
	for (i = 0; i < n; i++)
		free(in[i].data);
	free(in);
	return 0;
}
