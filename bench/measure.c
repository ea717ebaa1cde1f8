// SPDX-License-Identifier: MIT
/*
 * measure.c - timing with warm-up, self-calibrated repetitions, medians
 * and spreads, and the description of the machine the numbers come from.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "?"
#endif

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Linear interpolation between the order statistics of sorted v[n]. */
static double quantile(const double *v, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = (unsigned int)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * (pos - i);
}

void bench_summarise(struct bench_subject *s, struct bench_stat *st)
{
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	st->samples = s->n;
	st->reps = s->reps;
	st->min = s->v[0];
	st->max = s->v[s->n - 1];
	st->med = quantile(s->v, s->n, 0.5);
	st->q1 = quantile(s->v, s->n, 0.25);
	st->q3 = quantile(s->v, s->n, 0.75);
}

/* reps operations (each after its prep, untimed): the seconds they took. */
static int run(struct bench_subject *s, unsigned long reps, double *secs)
{
	double t0, total = 0;
	unsigned long i;
	int ret;

	if (s->select)
		s->select(s->ctx);
	if (!s->prep) {
		t0 = bench_now();
		for (i = 0; i < reps; i++) {
			ret = s->op(s->ctx);
			if (ret)
				return ret;
		}
		*secs = bench_now() - t0;
		return 0;
	}
	for (i = 0; i < reps; i++) {
		ret = s->prep(s->ctx);
		if (ret)
			return ret;
		t0 = bench_now();
		ret = s->op(s->ctx);
		total += bench_now() - t0;
		if (ret)
			return ret;
	}
	*secs = total;
	return 0;
}

/* Warm-up, then the repetition count that makes a sample last min_sample. */
static int calibrate(struct bench_subject *s, const struct bench_opts *o)
{
	double secs, warm_end = bench_now() + o->min_sample / 10;
	unsigned int i;
	int ret;

	s->n = 0;
	s->reps = 1;
	if (s->prep)
		return run(s, 1, &secs);
	/* A tenth of a sample's time, three operations at least. */
	for (i = 0; i < 3 || bench_now() < warm_end; i++) {
		ret = run(s, 1, &secs);
		if (ret)
			return ret;
	}
	for (;;) {
		ret = run(s, s->reps, &secs);
		if (ret)
			return ret;
		if (secs >= o->min_sample || s->reps >= 1UL << 30)
			return 0;
		/* Aim past the target, at most 16 times more per step. */
		if (secs * 16 < o->min_sample)
			s->reps *= 16;
		else
			s->reps = (unsigned long)(s->reps * o->min_sample * 1.2 / secs) + 1;
	}
}

int bench_compare(struct bench_subject *subj, unsigned int nsubj, const struct bench_opts *o)
{
	unsigned int k, i, most = 0;
	double secs;
	int ret;

	for (k = 0; k < nsubj; k++) {
		ret = calibrate(&subj[k], o);
		if (ret)
			return ret;
	}
	most = o->samples > o->samples_each ? o->samples : o->samples_each;
	most = most < BENCH_MAX_SAMPLES ? most : BENCH_MAX_SAMPLES;
	for (i = 0; i < most; i++)
		for (k = 0; k < nsubj; k++) {
			struct bench_subject *s = &subj[k];

			if (i >= (s->prep ? o->samples_each : o->samples))
				continue;
			ret = run(s, s->reps, &secs);
			if (ret)
				return ret;
			s->v[s->n++] = secs / s->reps;
		}
	return 0;
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 1 + (colon[1] == ' ');
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

void bench_machine(FILE *f)
{
	struct utsname u;
	char cpu[256];
	time_t now = time(NULL);
	char when[64];

	cpu_model(cpu, sizeof(cpu));
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	fprintf(f, "# date: %s\n", when);
	fprintf(f, "# cpu: %s, %ld online cores\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "# caches: L1d %ld KiB, L2 %ld KiB, L3 %ld KiB\n",
		sysconf(_SC_LEVEL1_DCACHE_SIZE) / 1024, sysconf(_SC_LEVEL2_CACHE_SIZE) / 1024,
		sysconf(_SC_LEVEL3_CACHE_SIZE) / 1024);
	if (!uname(&u))
		fprintf(f, "# os: %s %s %s\n", u.sysname, u.release, u.machine);
	fprintf(f, "# compiler: %s\n", __VERSION__);
	fprintf(f, "# flags: %s (no sanitizers)\n", BENCH_CFLAGS);
}
