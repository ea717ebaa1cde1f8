/* SPDX-License-Identifier: MIT */
/*
 * bench.h - the dirty-bitmap copy benchmark (docs/bench.md): scenarios
 * built through vfiosim.h on either backend, and the timing around them.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vfiosim.h"

#define KIB		(1ULL << 10)
#define MIB		(1ULL << 20)
#define GIB		(1ULL << 30)
#define TIB		(1ULL << 40)

/* ------------------------------------------------------------ timing */

struct bench_opts {
	double min_sample;		/* seconds one timed sample lasts at least */
	unsigned int samples;		/* timed samples per measurement */
	unsigned int samples_each;	/* for operations that need a set-up each */
};

struct bench_stat {
	double med, min, max, q1, q3;	/* seconds per operation */
	unsigned int samples;
	unsigned long reps;		/* operations per sample */
};

/* One operation; 0 or -errno, which stops the measurement. */
typedef int (*bench_fn)(void *ctx);

#define BENCH_MAX_SAMPLES	64

/*
 * One thing to time: op on ctx, after select (sets the strategy) and,
 * when given, after an untimed prep before every operation (operations
 * that consume their state).
 */
struct bench_subject {
	bench_fn op, prep, select;
	void *ctx;
	unsigned long reps;		/* operations per sample */
	unsigned int n;			/* samples taken */
	double v[BENCH_MAX_SAMPLES];	/* seconds per operation */
};

double bench_now(void);
/*
 * Times the subjects side by side: each is warmed up and gets its
 * repetition count (doubled until a sample lasts min_sample; 1 with
 * prep), then samples are taken in turn, one subject after the other, so
 * that a change in the machine's load hits all of them alike.
 */
int bench_compare(struct bench_subject *subj, unsigned int nsubj, const struct bench_opts *o);
void bench_summarise(struct bench_subject *s, struct bench_stat *st);
/* CPU, cores, caches, compiler, flags, kernel: "# key: value" lines. */
void bench_machine(FILE *f);

/* --------------------------------------------------------- scenarios */

enum bench_op { OP_GET, OP_GET_FIRST, OP_GET_LAST, OP_UNMAP };
enum bench_layout { LAYOUT_ALIGNED, LAYOUT_UNALIGNED, LAYOUT_HOLES };
enum bench_density { DENS_NONE, DENS_SPARSE, DENS_HALF, DENS_ALL };

struct scen_cfg {
	enum bench_op op;
	uint64_t page;			/* CPU page = smallest IOMMU page */
	uint64_t total;			/* IOVA the mappings are spread over */
	unsigned int nmaps;
	enum bench_layout layout;
	enum bench_density density;
	unsigned int pins;		/* DENS_SPARSE: pages pinned */
	bool held;			/* OP_UNMAP: the pins are still held */
};

struct scen_map {
	uint64_t iova, size;
};

struct scen {
	struct scen_cfg cfg;
	const struct vfiosim_backend *be;
	struct vfiosim_host *h;
	struct vfiosim_container *c;
	struct vfiosim_group *g;	/* IOMMU-backed (all dirty) or emulated */
	struct scen_map *maps;
	unsigned int nmaps;
	uint64_t *pinned;		/* iovas pinned (DENS_SPARSE) */
	unsigned int npinned;
	uint64_t base, size;		/* the report's range */
	uint64_t *bitmap, *want;	/* the user's bitmap and what it must hold */
	uint64_t bytes;			/* of both */
	bool mapped;
};

extern const char *const bench_op_name[], *const bench_layout_name[];
extern const char *const bench_density_name[];

/* Nonzero (with a message in why) if the layout cannot be built. */
int scen_plan(const struct scen_cfg *cfg, char *why, size_t len);
int scen_new(struct scen *s, const struct scen_cfg *cfg, const struct vfiosim_backend *be);
void scen_free(struct scen *s);
/* The measured operation, and what must run before each (or NULL). */
bench_fn scen_op(const struct scen *s);
bench_fn scen_prep(const struct scen *s);
/* A GET of the page past the range, where nothing is mapped: it reports nothing. */
int scen_get_none(struct scen *s);
/* Runs prep and op on a zeroed bitmap, twice: the most bits that differed from want. */
long scen_check(struct scen *s);

/* ------------------------------------------------------------- scale */

enum scale_step { SCALE_MAP, SCALE_PIN, SCALE_START, SCALE_GET, SCALE_UNMAP, SCALE_NR };
extern const char *const scale_step_name[SCALE_NR];

struct scale_result {
	uint64_t guest;			/* bytes of guest memory */
	uint64_t bitmap_bytes;		/* type1's bitmaps + the caller's buffer */
	uint64_t base_rss;		/* resident before the first step */
	double secs[SCALE_NR];
	uint64_t peak[SCALE_NR];	/* peak resident bytes during the step */
	int err;
};

/* One guest of the scale section on backend be, in a child process. */
int scale_run(const struct vfiosim_backend *be, uint64_t guest, struct scale_result *r);
/*
 * The scale section: its guests on the model and (if kbe) the kernel
 * backend, a line each, MET/MISS of the 16 TiB target, data for the
 * plot in out/scale.dat.  Returns the number of errors.
 */
int scale_section(const struct vfiosim_backend *kbe, bool full, const char *only,
		  const char *out);

/* ------------------------------------------------------ bound.c */

/*
 * The minimal loop of a GET over the whole range of s (OP_GET): its
 * context (NULL without memory), the report, what must run before each
 * ("half" only), and the release.
 */
void *bound_new(struct scen *s);
int bound_get(void *ctx);
int bound_prep(void *ctx);
/*
 * The same after a GET that reports nothing (the page past the range):
 * what a GET costs besides its copy-out (the call, the argument checks,
 * the lookups of the range), in the state the GET finds, added.
 */
int bound_get_in_get(void *ctx);
/* The same through a bounce and the simulator's user copies (layouts without holes). */
int bound_get_bounced(void *ctx);
/* The user's bitmap read and written back through the simulator's user copies. */
int bound_io(void *ctx);
void bound_release(void *ctx);

/* ------------------------------------------------------ limits */

/* A memcpy of bytes bytes, the floor every report is compared with. */
struct limit_ctx {
	unsigned char *src, *dst;
	uint64_t bytes;
};
int op_memcpy(void *ctx);

/* ------------------------------------------------------ harvest.c */

/*
 * The harvest section: reports fed by the IOMMU's dirty bits (the model's
 * provider extension) next to the copy-out alone and a memcpy, a line
 * each.  Returns the number of errors.
 */
int harvest_section(const char *only, const struct bench_opts *bo);

#endif /* BENCH_H */
