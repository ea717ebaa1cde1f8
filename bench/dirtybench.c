// SPDX-License-Identifier: MIT
/*
 * dirtybench.c - what GET_BITMAP and UNMAP with GET_DIRTY_BITMAP cost,
 * for every way the model can copy the bits (sim/type1/strategy.h), for
 * Linux 6.12's own vfio_iommu_type1.c (the kernel backend, when linked
 * in), and for memcpy and memset of as many bytes: the physical limit.
 *
 *   dirtybench [--full] [--cpu N] [--only TEXT] [--out DIR] [--no-kernel]
 *
 * Every report is checked against the bitmap the scenario must produce
 * before it is timed.  The table goes to stdout; DIR (build/bench) gets
 * a CSV of every measurement and the data files bench/plot.gp draws.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "type1/strategy.h"

/* The columns: model strategies, the real driver, the limits. */
enum impl {
	IMPL_KALG, IMPL_FAST, IMPL_FAST_BOUNCED, IMPL_FAST_SMALL, IMPL_LINUX, IMPL_BOUND,
	IMPL_BOUND_GET, IMPL_BOUNCED, IMPL_IO, IMPL_MEMCPY, IMPL_MEMSET,
	IMPL_NR
};

/* The real driver's column is named after its tree: "linux-X.Y". */
static char linux_name[32] = "linux";
static const char *impl_name[IMPL_NR] = {
	"kernel-alg", "fast", "fast-bounced", "fast-512B", linux_name, "bound", "bound+get", "bound-bounced",
	"copy-in-out", "memcpy", "memset",
};

/* The fast strategy with a bounce buffer a kernel stack could hold. */
#define SMALL_BOUNCE_WORDS	64U

struct entry {
	const char *section;
	struct scen_cfg cfg;
};

struct result {
	struct entry e;
	uint64_t bytes;
	bool have[IMPL_NR];
	struct bench_stat st[IMPL_NR];
	long diff[IMPL_NR];		/* bits that differed from the expected bitmap */
};

static struct {
	bool full, no_kernel, small_bounce, bounced;
	const char *only, *out;
	int cpu;
	unsigned int samples;		/* --samples: 0 for the matrix's own */
	struct bench_opts bo;
	const struct vfiosim_backend *linux_be;
	struct result *res;
	size_t nres, capres;
	int errors;
} B = { .cpu = -1, .out = "build/bench" };

/* ------------------------------------------------------------ matrix */

static size_t nent, capent;
static struct entry *ents;

static void add(const char *section, enum bench_op op, uint64_t page, uint64_t total,
		unsigned int nmaps, enum bench_layout layout, enum bench_density density,
		unsigned int pins)
{
	struct entry e = {
		.section = section,
		.cfg = { .op = op, .page = page, .total = total, .nmaps = nmaps, .layout = layout,
			 .density = density, .pins = pins },
	};

	if (nent == capent) {
		capent = capent ? 2 * capent : 64;
		ents = realloc(ents, capent * sizeof(*ents));
		if (!ents) {
			perror("realloc");
			exit(1);
		}
	}
	ents[nent++] = e;
}

#define SPARSE_PINS	1024U

static void matrix_quick(void)
{
	static const uint64_t totals[] = { 1 * GIB, 4 * GIB, 16 * GIB, 64 * GIB, 256 * GIB };
	static const unsigned int counts[] = { 1, 16, 256, 4096, 65535 };
	unsigned int i;

	add("linux facts", OP_GET, 4 * KIB, 64 * GIB, 1, LAYOUT_ALIGNED, DENS_ALL, 0);
	add("linux facts", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_ALIGNED, DENS_ALL, 0);
	add("linux facts", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_UNALIGNED, DENS_ALL, 0);
	add("linux facts", OP_GET_FIRST, 4 * KIB, 64 * GIB, 65535, LAYOUT_UNALIGNED, DENS_NONE, 0);
	add("linux facts", OP_GET_LAST, 4 * KIB, 64 * GIB, 65535, LAYOUT_UNALIGNED, DENS_NONE, 0);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_HOLES, DENS_ALL, 0);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 1, LAYOUT_ALIGNED, DENS_NONE, 0);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 1, LAYOUT_ALIGNED, DENS_SPARSE, 64);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 1, LAYOUT_ALIGNED, DENS_SPARSE, SPARSE_PINS);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_UNALIGNED, DENS_SPARSE, 64);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_ALIGNED, DENS_SPARSE, SPARSE_PINS);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_UNALIGNED, DENS_SPARSE,
	    SPARSE_PINS);
	add("densities", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_HOLES, DENS_SPARSE, SPARSE_PINS);
	add("densities", OP_GET, 4 * KIB, 4 * GIB, 256, LAYOUT_UNALIGNED, DENS_HALF, 0);
	add("64K pages", OP_GET, 64 * KIB, 1 * TIB, 4096, LAYOUT_UNALIGNED, DENS_ALL, 0);
	add("64K pages", OP_GET, 64 * KIB, 1 * TIB, 4096, LAYOUT_UNALIGNED, DENS_SPARSE,
	    SPARSE_PINS);
	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		add("size", OP_GET, 4 * KIB, totals[i], 1, LAYOUT_ALIGNED, DENS_ALL, 0);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i] != 4096)
			add("mappings", OP_GET, 4 * KIB, 64 * GIB, counts[i], LAYOUT_UNALIGNED,
			    DENS_ALL, 0);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i] != 65535)
			add("mappings", OP_GET_LAST, 4 * KIB, 64 * GIB, counts[i],
			    LAYOUT_UNALIGNED, DENS_NONE, 0);
	add("unmap", OP_UNMAP, 4 * KIB, 16 * GIB, 4096, LAYOUT_UNALIGNED, DENS_SPARSE, SPARSE_PINS);
	add("unmap", OP_UNMAP, 4 * KIB, 4 * GIB, 256, LAYOUT_UNALIGNED, DENS_ALL, 0);
	add("unmap", OP_UNMAP, 4 * KIB, 16 * GIB, 4096, LAYOUT_UNALIGNED, DENS_SPARSE, 64);
	ents[nent - 1].cfg.held = true;
}

static void matrix_full(void)
{
	static const uint64_t totals[] = { 1 * GIB, 4 * GIB, 16 * GIB, 64 * GIB, 256 * GIB,
					   1 * TIB };
	static const uint64_t totals64[] = { 64 * GIB, 256 * GIB, 1 * TIB };
	static const unsigned int counts[] = { 1, 16, 256, 4096, 65535 };
	static const unsigned int pins[] = { 16, 256, 4096, 65536, 262144 };
	static const enum bench_density dens[] = { DENS_NONE, DENS_SPARSE, DENS_HALF, DENS_ALL };
	unsigned int t, n, l, d;

	/* Sizes: one mapping and 4096, every layout and density. */
	for (t = 0; t < 6; t++)
		for (n = 0; n < 5; n += 3)
			for (l = 0; l < 3; l++)
				for (d = 0; d < 4; d++) {
					/* Half is re-marked page by page before each report. */
					if (dens[d] == DENS_HALF && totals[t] > 16 * GIB)
						continue;
					add("size", OP_GET, 4 * KIB, totals[t], counts[n], l,
					    dens[d], SPARSE_PINS);
				}
	for (n = 0; n < 5; n++)
		for (l = 0; l < 3; l++)
			for (d = 0; d < 4; d += 1 + (d == 1))
				if (counts[n] != 1 && counts[n] != 4096)
					add("mappings", OP_GET, 4 * KIB, 64 * GIB, counts[n], l,
					    dens[d], SPARSE_PINS);
	for (n = 0; n < 5; n++) {
		add("mappings", OP_GET_FIRST, 4 * KIB, 64 * GIB, counts[n], LAYOUT_UNALIGNED,
		    DENS_NONE, 0);
		add("mappings", OP_GET_LAST, 4 * KIB, 64 * GIB, counts[n], LAYOUT_UNALIGNED,
		    DENS_NONE, 0);
	}
	for (n = 0; n < 5; n++)
		add("pins", OP_GET, 4 * KIB, 64 * GIB, 4096, LAYOUT_UNALIGNED, DENS_SPARSE,
		    pins[n]);
	for (t = 0; t < 3; t++)
		for (n = 0; n < 5; n += 3)
			for (l = 0; l < 2; l++)
				for (d = 0; d < 4; d += 1 + (d == 1))
					add("64K pages", OP_GET, 64 * KIB, totals64[t],
					    counts[n], l, dens[d], SPARSE_PINS);
	for (t = 0; t < 4; t += 1 + (t == 0))
		for (n = 0; n < 5; n += 3)
			for (d = 0; d < 4; d++) {
				if (dens[d] == DENS_HALF && totals[t] > 16 * GIB)
					continue;
				add("unmap", OP_UNMAP, 4 * KIB, totals[t], counts[n],
				    LAYOUT_UNALIGNED, dens[d], SPARSE_PINS);
			}
}

/* ------------------------------------------------------------ naming */

/* 4K, 64G, 1T; sizes that are not a whole unit get one decimal (2.0M). */
static void size_str(char *buf, size_t len, uint64_t v)
{
	static const char *const unit[] = { "B", "K", "M", "G", "T" };
	unsigned int u = 0;
	double d = (double)v;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (d == (double)(uint64_t)d)
		snprintf(buf, len, "%llu%s", (unsigned long long)d, u ? unit[u] : "");
	else
		snprintf(buf, len, "%.1f%s", d, unit[u]);
}

static void cfg_name(char *buf, size_t len, const struct scen_cfg *c)
{
	char page[16], total[16], pins[24] = "";

	size_str(page, sizeof(page), c->page);
	size_str(total, sizeof(total), c->total);
	if (c->density == DENS_SPARSE)
		snprintf(pins, sizeof(pins), ":%u%s", c->pins, c->held ? " held" : "");
	snprintf(buf, len, "%-9s %3s %5s %5u %-9s %s%s", bench_op_name[c->op], page, total,
		 c->nmaps, bench_layout_name[c->layout], bench_density_name[c->density], pins);
}

/* ---------------------------------------------------------- limits */

int op_memcpy(void *ctx)
{
	struct limit_ctx *l = ctx;

	memcpy(l->dst, l->src, l->bytes);
	__asm__ volatile("" : : "r"(l->dst) : "memory");
	return 0;
}

static int op_memset(void *ctx)
{
	struct limit_ctx *l = ctx;

	memset(l->dst, 0xff, l->bytes);
	__asm__ volatile("" : : "r"(l->dst) : "memory");
	return 0;
}

/* ------------------------------------------------------------ running */

static int select_kalg(void *ctx)
{
	t1_copy_strategy_set(T1_COPY_KERNEL);
	t1_copy_bounce_set(0);
	return 0;
}

static int select_fast(void *ctx)
{
	t1_copy_strategy_set(T1_COPY_FAST);
	t1_copy_bounce_set(0);
	t1_copy_in_place_set(true);
	return 0;
}

static int select_fast_small(void *ctx)
{
	t1_copy_strategy_set(T1_COPY_FAST);
	t1_copy_bounce_set(SMALL_BOUNCE_WORDS);
	t1_copy_in_place_set(false);
	return 0;
}

static int select_fast_bounced(void *ctx)
{
	t1_copy_strategy_set(T1_COPY_FAST);
	t1_copy_bounce_set(0);
	t1_copy_in_place_set(false);
	return 0;
}

static const bench_fn impl_select[IMPL_NR] = {
	[IMPL_KALG] = select_kalg,
	[IMPL_FAST] = select_fast,
	[IMPL_FAST_BOUNCED] = select_fast_bounced,
	[IMPL_FAST_SMALL] = select_fast_small,
	[IMPL_LINUX] = select_fast,
	[IMPL_BOUND] = select_fast,
	[IMPL_BOUND_GET] = select_fast,
	[IMPL_BOUNCED] = select_fast,
	[IMPL_IO] = select_fast,
	[IMPL_MEMCPY] = select_fast,
	[IMPL_MEMSET] = select_fast,
};

/* The columns only an option asks for, and the real driver's when there is one. */
static bool impl_on(enum impl i)
{
	return (i != IMPL_FAST_SMALL || B.small_bounce) && (i != IMPL_FAST_BOUNCED || B.bounced) &&
	       (i != IMPL_LINUX || B.linux_be);
}

/* Checks impl i's reports on s; true if it may be timed. */
static bool check_impl(struct scen *s, struct result *r, enum impl i, int *err)
{
	long diff;
	char name[96];

	impl_select[i](s);
	diff = scen_check(s);
	if (diff < 0) {
		*err = (int)diff;
		return false;
	}
	r->diff[i] = diff;
	/* Linux's reports differ where the model diverges (docs/divergences.md). */
	if (!diff || i == IMPL_LINUX)
		return true;
	cfg_name(name, sizeof(name), &r->e.cfg);
	fprintf(stderr, "ERROR: %s: %s: %ld bits differ from the expected bitmap\n", name,
		impl_name[i], diff);
	B.errors++;
	return false;
}

/* The minimal loop is measured for GETs over the whole range, where every report is alike. */
static bool has_bound(const struct scen_cfg *c)
{
	return c->op == OP_GET;
}

/* The minimal loops' reports on a zeroed bitmap are the expected one. */
static int check_bound(struct scen *s, struct result *r, void *bound)
{
	static const bench_fn op[] = { bound_get, bound_get_in_get, bound_get_bounced };
	static const enum impl col[] = { IMPL_BOUND, IMPL_BOUND_GET, IMPL_BOUNCED };
	unsigned int k;
	uint64_t i;
	long diff = 0;
	char name[96];
	int ret = 0;

	for (k = 0; k < 3 - (s->cfg.layout == LAYOUT_HOLES) && !diff && !ret; k++) {
		memset(s->bitmap, 0, s->bytes);
		ret = op[k](bound);
		if (!ret && s->cfg.density == DENS_HALF)
			ret = bound_prep(bound);
		for (i = 0; i < s->bytes / 8; i++)
			diff += __builtin_popcountll(s->bitmap[i] ^ s->want[i]);
	}
	if (ret)
		return ret;
	if (!diff)
		return 0;
	cfg_name(name, sizeof(name), &r->e.cfg);
	fprintf(stderr, "ERROR: %s: %s: %ld bits differ from the expected bitmap\n", name,
		impl_name[col[k - 1]], diff);
	return -EIO;
}

/*
 * Every implementation on the same scenario (the model's strategies on
 * one container, Linux on another), and the limits, timed side by side.
 */
static int run_entry(const struct entry *e, struct result *r)
{
	struct bench_subject subj[IMPL_NR];
	enum impl which[IMPL_NR];
	struct scen sm, sk;
	struct limit_ctx l = { NULL, NULL, 0 };
	void *bound = NULL;
	unsigned int n = 0, k;
	int ret, err = 0;

	memset(r, 0, sizeof(*r));
	memset(subj, 0, sizeof(subj));
	memset(&sk, 0, sizeof(sk));
	r->e = *e;
	ret = scen_new(&sm, &e->cfg, vfiosim_backend_find("model"));
	if (ret)
		return ret;
	if (B.linux_be) {
		ret = scen_new(&sk, &e->cfg, B.linux_be);
		if (ret)
			goto out;
	}
	r->bytes = sm.bytes;
	for (k = 0; k < IMPL_NR && !err; k++) {
		struct scen *s = k == IMPL_LINUX ? &sk : &sm;

		if (!impl_on(k) || k == IMPL_BOUND || k == IMPL_BOUND_GET || k == IMPL_BOUNCED ||
		    k == IMPL_IO || k == IMPL_MEMCPY || k == IMPL_MEMSET)
			continue;
		if (!check_impl(s, r, k, &err))
			continue;
		subj[n] = (struct bench_subject){ .op = scen_op(s), .prep = scen_prep(s),
						  .select = impl_select[k], .ctx = s };
		which[n++] = k;
	}
	ret = err;
	if (ret)
		goto out;
	if (has_bound(&e->cfg)) {
		ret = -ENOMEM;
		bound = bound_new(&sm);
		if (!bound)
			goto out;
		ret = check_bound(&sm, r, bound);
		if (ret)
			goto out;
		subj[n] = (struct bench_subject){ .op = bound_get, .select = select_fast,
						  .ctx = bound, .prep = e->cfg.density == DENS_HALF ?
						  bound_prep : NULL };
		which[n++] = IMPL_BOUND;
		subj[n] = subj[n - 1];
		subj[n].op = bound_get_in_get;
		which[n++] = IMPL_BOUND_GET;
		if (e->cfg.layout != LAYOUT_HOLES) {
			subj[n] = subj[n - 1];
			subj[n].op = bound_get_bounced;
			which[n++] = IMPL_BOUNCED;
		}
		subj[n] = (struct bench_subject){ .op = bound_io, .select = select_fast,
						  .ctx = bound };
		which[n++] = IMPL_IO;
	}
	l.bytes = r->bytes;
	l.src = malloc(l.bytes);
	l.dst = malloc(l.bytes);
	ret = -ENOMEM;
	if (!l.src || !l.dst)
		goto out;
	memset(l.src, 0x5a, l.bytes);
	memset(l.dst, 0, l.bytes);
	subj[n] = (struct bench_subject){ .op = op_memcpy, .select = select_fast, .ctx = &l };
	which[n++] = IMPL_MEMCPY;
	subj[n] = (struct bench_subject){ .op = op_memset, .select = select_fast, .ctx = &l };
	which[n++] = IMPL_MEMSET;
	ret = bench_compare(subj, n, &B.bo);
	for (k = 0; !ret && k < n; k++) {
		bench_summarise(&subj[k], &r->st[which[k]]);
		r->have[which[k]] = true;
	}
out:
	select_fast(NULL);
	bound_release(bound);
	free(l.src);
	free(l.dst);
	if (sk.h)
		scen_free(&sk);
	scen_free(&sm);
	return ret;
}

/* ------------------------------------------------------------ output */

static double ratio(const struct result *r, enum impl a, enum impl b)
{
	if (!r->have[a] || !r->have[b] || r->st[b].med <= 0)
		return 0;
	return r->st[a].med / r->st[b].med;
}

static void time_str(char *buf, size_t len, double s)
{
	if (s >= 1e-3)
		snprintf(buf, len, "%.2fms", s * 1e3);
	else
		snprintf(buf, len, "%.1fus", s * 1e6);
}

static const enum impl shown[] = { IMPL_KALG, IMPL_FAST, IMPL_FAST_BOUNCED, IMPL_FAST_SMALL,
				   IMPL_LINUX, IMPL_BOUND, IMPL_BOUND_GET, IMPL_BOUNCED, IMPL_IO };

static void print_header(void)
{
	unsigned int k;

	printf("%-46s %8s %9s %9s", "scenario (op page total maps layout density[:pins])",
	       "bitmap", "memcpy", "memset");
	for (k = 0; k < sizeof(shown) / sizeof(shown[0]); k++)
		if (impl_on(shown[k]))
			printf(" %18s", impl_name[shown[k]]);
	printf(" %9s%s\n", "kalg/fast", B.linux_be ? " linux/fast" : "");
}

static void print_row(const struct result *r)
{
	char name[96], sz[16], t[32], cell[48];
	unsigned int k;

	cfg_name(name, sizeof(name), &r->e.cfg);
	size_str(sz, sizeof(sz), r->bytes);
	printf("%-46s %8s", name, sz);
	time_str(t, sizeof(t), r->st[IMPL_MEMCPY].med);
	printf(" %9s", r->have[IMPL_MEMCPY] ? t : "-");
	time_str(t, sizeof(t), r->st[IMPL_MEMSET].med);
	printf(" %9s", r->have[IMPL_MEMSET] ? t : "-");
	for (k = 0; k < sizeof(shown) / sizeof(shown[0]); k++) {
		enum impl i = shown[k];

		if (!impl_on(i))
			continue;
		if (!r->have[i]) {
			printf(" %18s", r->diff[i] ? "WRONG" : "-");
			continue;
		}
		time_str(t, sizeof(t), r->st[i].med);
		snprintf(cell, sizeof(cell), "%s%s(%.2fx)", r->diff[i] ? "*" : "", t,
			 ratio(r, i, IMPL_MEMCPY));
		printf(" %18s", cell);
	}
	printf(" %8.1fx", ratio(r, IMPL_KALG, IMPL_FAST));
	if (B.linux_be)
		printf(" %9.1fx", ratio(r, IMPL_LINUX, IMPL_FAST));
	printf("\n");
	fflush(stdout);
}

static FILE *open_out(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", B.out, name);
	f = fopen(path, "w");
	if (!f)
		perror(path);
	return f;
}

static void write_csv(const char *name)
{
	FILE *f = open_out(name);
	size_t n;
	unsigned int i;

	if (!f)
		return;
	bench_machine(f);
	fprintf(f, "section,op,page,total,maps,layout,density,pins,pins_held,bitmap_bytes,impl,"
		"median_ns,min_ns,q1_ns,q3_ns,max_ns,samples,reps_per_sample,x_memcpy,"
		"bits_differing\n");
	for (n = 0; n < B.nres; n++) {
		const struct result *r = &B.res[n];
		const struct scen_cfg *c = &r->e.cfg;

		for (i = 0; i < IMPL_NR; i++) {
			if (!r->have[i])
				continue;
			fprintf(f, "%s,%s,%llu,%llu,%u,%s,%s,%u,%d,%llu,%s,%.1f,%.1f,%.1f,%.1f,"
				"%.1f,%u,%lu,%.3f,%ld\n", r->e.section, bench_op_name[c->op],
				(unsigned long long)c->page, (unsigned long long)c->total, c->nmaps,
				bench_layout_name[c->layout], bench_density_name[c->density],
				c->density == DENS_SPARSE ? c->pins : 0, c->held,
				(unsigned long long)r->bytes, impl_name[i], r->st[i].med * 1e9,
				r->st[i].min * 1e9, r->st[i].q1 * 1e9, r->st[i].q3 * 1e9,
				r->st[i].max * 1e9, r->st[i].samples, r->st[i].reps,
				ratio(r, i, IMPL_MEMCPY), r->diff[i]);
		}
	}
	fclose(f);
}

/*
 * A gnuplot data file: x, then for each implementation its median and
 * quartiles, in ms per GiB of bitmap (per_gib) or in us per report; NaN
 * where it was not measured.
 */
static void write_dat(const char *name, const char *xname, bool (*pick)(const struct scen_cfg *),
		      double (*x)(const struct result *), bool per_gib)
{
	static const enum impl cols[] = { IMPL_KALG, IMPL_FAST, IMPL_LINUX, IMPL_MEMCPY,
					  IMPL_MEMSET, IMPL_FAST_SMALL };
	FILE *f = open_out(name);
	size_t n;
	unsigned int k;

	if (!f)
		return;
	fprintf(f, "# %s", xname);
	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		fprintf(f, " %s(med q1 q3)", impl_name[cols[k]]);
	fprintf(f, "\n");
	for (n = 0; n < B.nres; n++) {
		const struct result *r = &B.res[n];
		/* per GiB of bitmap: milliseconds; per report: microseconds */
		double scale = per_gib ? 1e3 * GIB / (double)r->bytes : 1e6;

		if (!pick(&r->e.cfg))
			continue;
		fprintf(f, "%g", x(r));
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			const struct bench_stat *st = &r->st[cols[k]];

			if (r->have[cols[k]])
				fprintf(f, " %g %g %g", st->med * scale, st->q1 * scale,
					st->q3 * scale);
			else
				fprintf(f, " NaN NaN NaN");
		}
		fprintf(f, "\n");
	}
	fclose(f);
}

static bool pick_size_aligned(const struct scen_cfg *c)
{
	return c->op == OP_GET && c->page == 4 * KIB && c->nmaps == 1 &&
	       c->layout == LAYOUT_ALIGNED && c->density == DENS_ALL;
}

static bool pick_size_unaligned(const struct scen_cfg *c)
{
	return c->op == OP_GET && c->page == 4 * KIB && c->nmaps == 4096 &&
	       c->layout == LAYOUT_UNALIGNED && c->density == DENS_ALL;
}

static bool pick_size_sparse(const struct scen_cfg *c)
{
	return c->op == OP_GET && c->page == 4 * KIB && c->nmaps == 4096 &&
	       c->layout == LAYOUT_UNALIGNED && c->density == DENS_SPARSE &&
	       c->pins == SPARSE_PINS;
}

static bool pick_maps_range(const struct scen_cfg *c)
{
	return c->op == OP_GET && c->page == 4 * KIB && c->total == 64 * GIB &&
	       c->layout == LAYOUT_UNALIGNED && c->density == DENS_ALL;
}

static bool pick_maps_last(const struct scen_cfg *c)
{
	return c->op == OP_GET_LAST && c->page == 4 * KIB && c->total == 64 * GIB;
}

static double x_total_gib(const struct result *r)
{
	return (double)r->e.cfg.total / GIB;
}

static double x_maps(const struct result *r)
{
	return r->e.cfg.nmaps;
}

static int cmp_result(const void *a, const void *b)
{
	const struct scen_cfg *x = &((const struct result *)a)->e.cfg;
	const struct scen_cfg *y = &((const struct result *)b)->e.cfg;

	if (x->total != y->total)
		return x->total < y->total ? -1 : 1;
	return x->nmaps < y->nmaps ? -1 : x->nmaps > y->nmaps;
}

static void write_plot_data(void)
{
	struct result *sorted = malloc(B.nres * sizeof(*sorted));
	struct result *saved = B.res;

	if (!sorted)
		return;
	memcpy(sorted, B.res, B.nres * sizeof(*sorted));
	qsort(sorted, B.nres, sizeof(*sorted), cmp_result);
	B.res = sorted;
	write_dat("size-aligned.dat", "total_GiB", pick_size_aligned, x_total_gib, true);
	write_dat("size-unaligned.dat", "total_GiB", pick_size_unaligned, x_total_gib, true);
	write_dat("size-sparse.dat", "total_GiB", pick_size_sparse, x_total_gib, true);
	write_dat("maps-range.dat", "mappings", pick_maps_range, x_maps, false);
	write_dat("maps-last.dat", "mappings", pick_maps_last, x_maps, false);
	B.res = saved;
	free(sorted);
}

/* ------------------------------------------------------------ targets */

/* The smallest ratio a / b over the results pick accepts (0: none), and where. */
static double worst(bool (*pick)(const struct result *), enum impl a, enum impl b,
		    const struct result **which)
{
	double w = 0;
	size_t n;

	*which = NULL;
	for (n = 0; n < B.nres; n++) {
		double v = ratio(&B.res[n], a, b);

		if (!pick(&B.res[n]) || !v)
			continue;
		if (!*which || v < w) {
			w = v;
			*which = &B.res[n];
		}
	}
	return w;
}

/* Large layouts: 1 MiB of bitmap or more (32 GiB of IOVA at 4K), all or sparse dirty. */
static bool pick_large(const struct result *r)
{
	const struct scen_cfg *c = &r->e.cfg;

	return c->op == OP_GET && r->bytes >= MIB &&
	       (c->density == DENS_ALL || (c->density == DENS_SPARSE && c->pins <= 4096));
}

static bool pick_large_few(const struct result *r)
{
	return pick_large(r) && r->e.cfg.nmaps <= 256;
}

static bool pick_large_many(const struct result *r)
{
	return pick_large(r) && r->e.cfg.nmaps > 256;
}

static bool pick_multi(const struct result *r, enum bench_layout layout,
		       enum bench_density density)
{
	const struct scen_cfg *c = &r->e.cfg;

	return c->op == OP_GET && c->nmaps > 1 && c->layout == layout && c->density == density;
}

static bool pick_unaligned_all(const struct result *r)
{
	return pick_multi(r, LAYOUT_UNALIGNED, DENS_ALL);
}

static bool pick_unaligned_sparse(const struct result *r)
{
	return pick_multi(r, LAYOUT_UNALIGNED, DENS_SPARSE);
}

static bool pick_unaligned_half(const struct result *r)
{
	return pick_multi(r, LAYOUT_UNALIGNED, DENS_HALF);
}

static bool pick_holes_all(const struct result *r)
{
	return pick_multi(r, LAYOUT_HOLES, DENS_ALL);
}

static bool pick_holes_sparse(const struct result *r)
{
	return pick_multi(r, LAYOUT_HOLES, DENS_SPARSE);
}

static bool pick_last_of_65535(const struct result *r)
{
	return r->e.cfg.op == OP_GET_LAST && r->e.cfg.nmaps == 65535;
}

/*
 * What the minimal loops of row r reach in the terms of a target a / b:
 * against memcpy, their ratios and the user-copy floor's; against a
 * reference, how far each is from it (the most fast could reach).
 */
static void print_bounds(const struct result *r, enum impl a, enum impl b)
{
	if (b != IMPL_FAST || !r->have[IMPL_BOUND] || (a != IMPL_MEMCPY && a != IMPL_KALG &&
						       a != IMPL_LINUX))
		return;
	printf("; bound %.2fx, in a GET %.2fx", ratio(r, a, IMPL_BOUND), ratio(r, a, IMPL_BOUND_GET));
	if (r->have[IMPL_BOUNCED])
		printf(", bound-bounced %.2fx", ratio(r, a, IMPL_BOUNCED));
	if (a == IMPL_MEMCPY)
		printf(", copy-in-out %.2fx", ratio(r, a, IMPL_IO));
}

static void target(const char *what, double need, bool (*pick)(const struct result *),
		   enum impl a, enum impl b)
{
	const struct result *r;
	double v = worst(pick, a, b, &r);
	char name[96];
	size_t n;

	if (!r)
		return;
	cfg_name(name, sizeof(name), &r->e.cfg);
	printf("  %-62s >= %5gx %9.2fx  %-4s  worst: %s", what, need, v,
	       v >= need ? "MET" : "MISS", name);
	print_bounds(r, a, b);
	printf("\n");
	/* Every other row that misses, with its bounds: docs/bench.md says what bounds each. */
	for (n = 0; n < B.nres; n++) {
		double u = ratio(&B.res[n], a, b);

		if (&B.res[n] == r || !pick(&B.res[n]) || !u || u >= need)
			continue;
		cfg_name(name, sizeof(name), &B.res[n].e.cfg);
		printf("  %-62s %9s %9.2fx  MISS  also: %s", "", "", u, name);
		print_bounds(&B.res[n], a, b);
		printf("\n");
	}
}

static void print_targets(void)
{
	static const struct {
		const char *what;
		bool (*pick)(const struct result *);
	} multi[] = {
		{ "unaligned, several mappings, all dirty", pick_unaligned_all },
		{ "unaligned, several mappings, sparse", pick_unaligned_sparse },
		{ "unaligned, several mappings, half", pick_unaligned_half },
		{ "holes between mappings, all dirty", pick_holes_all },
		{ "holes between mappings, sparse", pick_holes_sparse },
	};
	char what[96];
	unsigned int k, vs;

	printf("\ntargets (ratios of median times; the worst scenario of those run):\n");
	target("fast, bandwidth / memcpy's: large, <= 256 mappings", 0.8, pick_large_few,
	       IMPL_MEMCPY, IMPL_FAST);
	target("fast, bandwidth / memcpy's: large, 4096+ mappings", 0.8, pick_large_many,
	       IMPL_MEMCPY, IMPL_FAST);
	for (vs = 0; vs < 2; vs++) {
		enum impl ref = vs ? IMPL_LINUX : IMPL_KALG;

		if (ref == IMPL_LINUX && !B.linux_be)
			break;
		for (k = 0; k < sizeof(multi) / sizeof(multi[0]); k++) {
			snprintf(what, sizeof(what), "fast vs %s: %s", impl_name[ref], multi[k].what);
			target(what, 3, multi[k].pick, ref, IMPL_FAST);
		}
		snprintf(what, sizeof(what), "fast vs %s: GET of the last of 65535 mappings",
			 impl_name[ref]);
		target(what, 100, pick_last_of_65535, ref, IMPL_FAST);
	}
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f, "usage: dirtybench [--full] [--cpu N] [--only TEXT] [--out DIR] [--no-kernel]"
		" [--small-bounce] [--bounced] [--samples N]\n"
		"  --full          the whole matrix (default: a representative subset)\n"
		"  --cpu N         pin to CPU N (sched_setaffinity)\n"
		"  --only TEXT     only scenarios whose name or section contains TEXT"
		" (\"scale\": the scale section)\n"
		"  --out DIR       CSV and plot data (default build/bench)\n"
		"  --no-kernel     leave out the linux-X.Y column (the kernel tree's)\n"
		"  --small-bounce  add the fast strategy with a %u-byte bounce buffer\n"
		"  --bounced       add the fast strategy through its bounce, never in place\n"
		"  --samples N     N samples a cell (1 to %u), single reports included; a noisy\n"
		"                  machine's medians settle with more\n",
		SMALL_BOUNCE_WORDS * 8, BENCH_MAX_SAMPLES);
}

static void parse(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "full", no_argument, NULL, 'f' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, 'O' },
		{ "no-kernel", no_argument, NULL, 'n' },
		{ "small-bounce", no_argument, NULL, 's' },
		{ "bounced", no_argument, NULL, 'b' },
		{ "samples", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'f':
			B.full = true;
			break;
		case 'c':
			B.cpu = atoi(optarg);
			break;
		case 'o':
			B.only = optarg;
			break;
		case 'O':
			B.out = optarg;
			break;
		case 'n':
			B.no_kernel = true;
			break;
		case 's':
			B.small_bounce = true;
			break;
		case 'b':
			B.bounced = true;
			break;
		case 'S':
			v = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > BENCH_MAX_SAMPLES) {
				fprintf(stderr, "dirtybench: --samples %s: a number from 1 to %u\n",
					optarg, BENCH_MAX_SAMPLES);
				exit(2);
			}
			B.samples = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	const char *prev = NULL;
	double t0 = bench_now();
	size_t n;

	parse(argc, argv);
	if (B.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(B.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("sched_setaffinity");
			return 1;
		}
	}
	B.bo.min_sample = B.full ? 0.02 : 0.005;
	B.bo.samples = B.full ? 11 : 7;
	B.bo.samples_each = B.full ? 9 : 5;
	if (B.samples)
		B.bo.samples = B.bo.samples_each = B.samples;
	if (!B.no_kernel)
		B.linux_be = vfiosim_backend_find("kernel");
	if (B.linux_be) {
		unsigned int v = vfiosim_backend_version(B.linux_be);

		snprintf(linux_name, sizeof(linux_name), "linux-%u.%u", VFIOSIM_KERNEL_MAJOR(v),
			 VFIOSIM_KERNEL_MINOR(v));
	}
	if (B.full)
		matrix_full();
	else
		matrix_quick();
	mkdir(B.out, 0777);

	printf("dirtybench: %s matrix, %s%s%s\n", B.full ? "full" : "quick",
	       B.linux_be ? "model and " : "model only (no kernel backend linked)",
	       B.linux_be ? linux_name : "",
	       B.cpu >= 0 ? ", pinned" : "");
	bench_machine(stdout);
	printf("# timing: warm-up, repetitions doubled until a sample lasts %.0f ms, median of %u"
	       " samples (%u single reports when each needs a set-up), the columns of a row"
	       " sampled in turn\n", B.bo.min_sample * 1e3, B.bo.samples, B.bo.samples_each);
	printf("# cells: median time per report (x the time of a memcpy of the bitmap's bytes);"
	       " '*' the output differed from the expected bitmap\n");
	/* First, while this process holds next to nothing its children inherit. */
	B.errors += scale_section(B.linux_be, B.full, B.only, B.out);
	B.res = calloc(nent, sizeof(*B.res));
	if (!B.res)
		return 1;
	for (n = 0; n < nent; n++) {
		char name[96];
		int ret;

		cfg_name(name, sizeof(name), &ents[n].cfg);
		if (B.only && !strstr(name, B.only) && !strstr(ents[n].section, B.only))
			continue;
		if (scen_plan(&ents[n].cfg, name, sizeof(name)))
			continue;
		if (!prev || strcmp(prev, ents[n].section)) {
			printf("\n[%s]\n", ents[n].section);
			print_header();
			prev = ents[n].section;
		}
		ret = run_entry(&ents[n], &B.res[B.nres]);
		if (ret) {
			cfg_name(name, sizeof(name), &ents[n].cfg);
			fprintf(stderr, "ERROR: %s: %s\n", name, strerror(-ret));
			B.errors++;
			continue;
		}
		print_row(&B.res[B.nres++]);
	}
	B.errors += harvest_section(B.only, &B.bo);
	print_targets();
	write_csv(B.full ? "dirtybench-full.csv" : "dirtybench.csv");
	write_plot_data();
	printf("\n%zu scenarios in %.0f s; CSV and plot data in %s/%s\n", B.nres,
	       bench_now() - t0, B.out, B.errors ? "; ERRORS above" : "");
	free(B.res);
	free(ents);
	return B.errors ? 1 : 0;
}
