// SPDX-License-Identifier: MIT
/*
 * ops.c - what each scenario statement does, and the run loop that
 * judges operations and expectations.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "linux_version.h"
#include "names.h"
#include "ops.h"
#include "page_ranges.h"
#include "vfiosim_client.h"

struct exec {
	const struct scenario *sc;
	const struct run_opts *o;
	struct run_result *r;
	struct sim s;
	unsigned int kernel;		/* what the host asks for (0: the default) */
	unsigned int profile;		/* what the run follows: version guards */
	bool have_host;
	int gidx[SC_MAX_GROUPS];	/* scenario group -> sim group, -1: none */
	struct sim_events ev;		/* findings of the current operation */
	struct strbuf note;		/* what the current operation returned */
	bool have_last;
	long last_ret;
	struct sim_events last_ev;
};

unsigned int scenario_profile(const struct scenario *sc, const struct run_opts *o, char *why,
			      size_t len)
{
	unsigned int bv = vfiosim_backend_version(o->be), p;
	char a[16], b[16];

	if (o->kernel && sc->kernel && o->kernel != sc->kernel) {
		snprintf(why, len, "pinned to Linux %s (line %u), the run asks for Linux %s",
			 profile_str(sc->kernel, a, sizeof(a)), sc->kernel_line,
			 profile_str(o->kernel, b, sizeof(b)));
		return 0;
	}
	p = profile_of(bv, o->kernel ? o->kernel : sc->kernel);
	if (!p && o->kernel)
		profile_check(bv, o->kernel, why, len);
	else if (!p)
		snprintf(why, len, "pinned to Linux %s (line %u), the backend is Linux %s's type1",
			 profile_str(sc->kernel, a, sizeof(a)), sc->kernel_line,
			 profile_str(bv, b, sizeof(b)));
	return p;
}

bool backend_matches(const struct vfiosim_backend *be, const char *name)
{
	const char *b = vfiosim_backend_name_of(be);
	size_t n = strlen(name);

	return !strncmp(b, name, n) && (!b[n] || b[n] == '-');
}

/* Several calls make one operation: their findings add up. */
static void events_add(struct sim_events *acc, const struct sim_events *ev)
{
	if (ev->oracle && !acc->oracle)
		memcpy(acc->oracle_msg, ev->oracle_msg, sizeof(acc->oracle_msg));
	acc->oracle |= ev->oracle;
	if (ev->warnings && !acc->warnings)
		memcpy(acc->warn_msg, ev->warn_msg, sizeof(acc->warn_msg));
	acc->warnings += ev->warnings;
	if (ev->check_msg[0] && !acc->check_msg[0])
		memcpy(acc->check_msg, ev->check_msg, sizeof(acc->check_msg));
}

static long call_done(struct exec *x, long ret)
{
	events_add(&x->ev, &x->s.ev);
	return ret;
}

static int group_of(struct exec *x, const struct stmt *st)
{
	return st->group >= 0 && st->group < SC_MAX_GROUPS ? x->gidx[st->group] : -1;
}

static void note_report(struct exec *x)
{
	const struct sim_report *r = &x->s.rep;

	sb_printf(&x->note, "dirty ");
	pages_format(&x->note, r->bits, r->nbits, r->iova, r->pgsize, 6);
	sb_printf(&x->note, " (%" PRIu64 " of %" PRIu64 " pages)", bits_count(r->bits, r->nbits),
		  r->nbits);
}

static long op_info(struct exec *x, const struct stmt *st)
{
	const struct sim_info *in = &x->s.info;
	long ret;

	if (st->has_argsz)
		return call_done(x, sim_info(&x->s, st->argsz));
	ret = call_done(x, sim_info(&x->s, SIM_ARGSZ));
	/* The usual two calls: learn the size, then read the chain. */
	if (!ret && in->argsz > sizeof(struct vfio_iommu_type1_info))
		ret = call_done(x, sim_info(&x->s, in->argsz));
	if (!ret && in->valid) {
		char b[32];

		sb_printf(&x->note, "flags 0x%x, iova_pgsizes 0x%" PRIx64 " (smallest %s)",
			  in->flags, in->pgsizes,
			  size_str(in->pgsizes & (0 - in->pgsizes), b, sizeof(b)));
		if (in->caps[0])
			sb_printf(&x->note, "; %s", in->caps);
	}
	return ret;
}

/* More writes than a scenario could mean: a typo, refused before it runs. */
#define OPS_MAX_WRITES	(1ULL << 22)

/* Device writes: one range, every n-th page, or random pages. */
static long op_write(struct exec *x, const struct stmt *st, int gi)
{
	uint64_t P = x->s.page_size, pages, n = 0, i, state = st->seed;
	uint64_t first = st->r.start & ~(P - 1);
	size_t len = st->len ? st->len : P;
	long ret = 0;

	if (st->pattern == WR_RANGE) {
		if (st->r.size)
			len = st->len ? st->len : st->r.size;
		ret = call_done(x, sim_write(&x->s, (unsigned int)gi, st->r.start, len, st->byte,
					     NULL));
		sb_printf(&x->note, "wrote 0x%zx bytes at 0x%" PRIx64, len, st->r.start);
		return ret;
	}
	pages = st->r.size ? (st->r.start + st->r.size - first + P - 1) / P : 1;
	n = st->pattern == WR_EVERY ? pages / st->every + !!(pages % st->every) : st->count;
	if (!pages || n > OPS_MAX_WRITES) {
		sb_printf(&x->note, "%" PRIu64 " writes: more than %llu", n, OPS_MAX_WRITES);
		return -E2BIG;
	}
	for (i = 0, n = 0; !ret && i < (st->pattern == WR_EVERY ? pages : st->count);
	     i += st->pattern == WR_EVERY ? st->every : 1) {
		uint64_t page = st->pattern == WR_EVERY ? i : vfiosim_rand(&state) % pages;

		ret = call_done(x, sim_write(&x->s, (unsigned int)gi, first + page * P, len,
					     st->byte, NULL));
		n += !ret;
	}
	sb_printf(&x->note, "%" PRIu64 " write%s of 0x%zx bytes", n, n == 1 ? "" : "s", len);
	return ret;
}

static int npages_of(const struct exec *x, const struct stmt *st)
{
	uint64_t n = st->r.size ? (st->r.size + x->s.page_size - 1) / x->s.page_size : 1;

	if (st->has_npage)
		return st->npage;
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* dma-rw write ... ramp B: the bytes B, B + 1, ... (NULL: not asked for, or too long). */
static unsigned char *ramp_data(const struct stmt *st)
{
	unsigned char *d;
	uint64_t i;

	if (st->ramp < 0 || !st->write || st->r.size > (1ULL << 30))
		return NULL;
	d = sim_xcalloc((size_t)st->r.size, 1);
	for (i = 0; i < st->r.size; i++)
		d[i] = (unsigned char)(st->ramp + i);
	return d;
}

static long exec_op(struct exec *x, const struct stmt *st)
{
	struct sim *s = &x->s;
	struct sim_bitmap bm = {
		.pgsize = st->pgsize, .pgsize_set = st->has_pgsize, .size = st->bitmap_size,
		.size_set = st->has_bitmap_size, .fault_word = st->fault_word,
		.nr_seg = st->nr_bm_seg, .at_set = st->has_bm_at, .at = st->bm_at,
	};
	long long argsz = st->has_argsz ? st->argsz : SIM_ARGSZ;
	int gi = group_of(x, st);
	unsigned char *data;
	long ret;

	memcpy(bm.seg, st->bm_seg, sizeof(bm.seg));
	if ((st->kind == ST_ATTACH || st->kind == ST_DETACH || st->kind == ST_PIN ||
	     st->kind == ST_UNPIN || st->kind == ST_WRITE) && gi < 0) {
		sb_printf(&x->note, "group %s was never created",
			  x->sc->group_names[st->group]);
		return -EBADF;
	}
	switch (st->kind) {
	case ST_HOST: {
		struct vfiosim_host_config cfg = st->host;

		cfg.kernel = x->kernel;
		return sim_host_new(s, &cfg);
	}
	case ST_MEM:
		return call_done(x, sim_mm_map(s, st->r.start, st->r.size, st->prot, st->flags));
	case ST_MUNMAP:
		return call_done(x, sim_mm_unmap(s, st->r.start, st->r.size));
	case ST_GROUP:
		return call_done(x, sim_group_new(s, &st->grp, st->keeps_pins));
	case ST_CONTAINER:
		return call_done(x, sim_container_new(s, st->type));
	case ST_SET_IOMMU:
		return call_done(x, sim_ioctl_arg(s, VFIO_SET_IOMMU, (unsigned long)st->type));
	case ST_CHECK_EXT:
		return call_done(x, sim_ioctl_arg(s, VFIO_CHECK_EXTENSION,
						  (unsigned long)st->type));
	case ST_API_VERSION:
		return call_done(x, sim_ioctl_arg(s, VFIO_GET_API_VERSION, 0));
	case ST_ATTACH:
		return call_done(x, sim_attach(s, (unsigned int)gi));
	case ST_DETACH:
		return call_done(x, sim_detach(s, (unsigned int)gi));
	case ST_MAP:
		return call_done(x, sim_map(s, argsz, st->flags, st->vaddr, st->r.start,
					    st->r.size));
	case ST_UNMAP:
		ret = call_done(x, sim_unmap(s, argsz, st->flags, st->r.start, st->r.size,
					     st->bitmap ? &bm : NULL));
		if (ret >= 0) {
			char b[32];

			sb_printf(&x->note, "unmapped %s", size_str(s->unmapped, b, sizeof(b)));
			if (s->rep.valid && st->bitmap) {
				sb_printf(&x->note, ", ");
				note_report(x);
			}
		}
		return ret;
	case ST_DIRTY:
		return call_done(x, sim_dirty(s, argsz, st->flags));
	case ST_GET:
		ret = call_done(x, sim_get_flags(s, argsz, st->flags, st->r.start, st->r.size,
						 &bm));
		if (!ret)
			note_report(x);
		return ret;
	case ST_INFO:
		return op_info(x, st);
	case ST_PIN:
		ret = call_done(x, sim_pin(s, (unsigned int)gi, st->r.start, npages_of(x, st),
					   st->prot));
		return ret;
	case ST_UNPIN:
		return call_done(x, sim_unpin(s, (unsigned int)gi, st->r.start, npages_of(x, st)));
	case ST_DMA_RW:
		data = ramp_data(st);
		ret = call_done(x, sim_dma_rw(s, st->r.start, st->r.size, st->write, st->byte,
					      data));
		free(data);
		if (!ret && !st->write && s->rd_len) {
			size_t i;

			sb_printf(&x->note, "read");
			for (i = 0; i < s->rd_len && i < 8; i++)
				sb_printf(&x->note, " %02x", s->rd[i]);
			if (s->rd_len > 8)
				sb_printf(&x->note, " ...");
		}
		return ret;
	case ST_WRITE:
		return op_write(x, st, gi);
	case ST_FAIL:
		sim_fail(s, st->fail == FAIL_COPY, st->n);
		return call_done(x, 0);
	case ST_ORACLE:
		sim_oracle_exact(s, st->oracle == ORACLE_EXACT);
		return call_done(x, 0);
	case ST_PROVIDER:
		return call_done(x, sim_provider(s, (unsigned int)st->type));
	case ST_EXPECT:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------ output */

static void out_line(struct exec *x, const struct stmt *st, const char *result)
{
	FILE *f = x->o->out;
	int w = 50;

	if (!f)
		return;
	if ((int)strlen(st->text) > w)
		fprintf(f, "%5u  %s\n%5s  %-*s  %s\n", st->line, st->text, "", w, "", result);
	else
		fprintf(f, "%5u  %-*s  %s\n", st->line, w, st->text, result);
}

static void failed(struct exec *x, const struct stmt *st, const char *kind, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static void failed(struct exec *x, const struct stmt *st, const char *kind, const char *fmt,
		   ...)
{
	struct run_result *r = x->r;
	char msg[sizeof(r->fail_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->o->out)
		fprintf(x->o->out, "%5s  FAILED (%s): %s\n", "", kind, msg);
	if (!r->failures++) {
		r->fail_index = st ? (int)(st - x->sc->st) : -1;
		r->fail_line = st ? st->line : 0;
		snprintf(r->fail_kind, sizeof(r->fail_kind), "%s", kind);
		snprintf(r->fail_msg, sizeof(r->fail_msg), "%s", msg);
	}
}

/* ---------------------------------------------------------- the loop */

enum guard { GUARD_PASSES, GUARD_BACKEND, GUARD_KERNEL };

/* Which of a statement's guards, if any, keeps it out of this run. */
static enum guard guard_fails(const struct exec *x, const struct stmt *st)
{
	if (st->only && !backend_matches(x->o->be, st->only))
		return GUARD_BACKEND;
	if ((st->kmin && x->profile < st->kmin) || (st->kmax && x->profile >= st->kmax))
		return GUARD_KERNEL;
	return GUARD_PASSES;
}

static bool selected(struct exec *x, unsigned int i)
{
	const struct stmt *st = &x->sc->st[i];

	if (x->o->skip && x->o->skip[i])
		return false;
	if (x->o->stop_at && st->line > x->o->stop_at)
		return false;
	return guard_fails(x, st) == GUARD_PASSES;
}

/* What the expectations of the operation at i say about its outcome. */
struct claims {
	bool result, warnings;
	unsigned int oracle;
};

static void claim(struct claims *c, const struct expect *e)
{
	if (!e)
		return;
	c->result |= expect_is_result(e->kind);
	c->warnings |= e->kind == EX_WARNINGS;
	if (e->kind == EX_ORACLE)
		c->oracle |= e->oracle;
}

static struct claims claims_of(struct exec *x, unsigned int i)
{
	struct claims c = { false, false, 0 };
	unsigned int j;

	claim(&c, x->sc->st[i].ex);
	for (j = i + 1; j < x->sc->nr; j++) {
		if (x->o->skip && x->o->skip[j])
			continue;
		if (x->sc->st[j].kind != ST_EXPECT)
			break;
		if (selected(x, j))
			claim(&c, x->sc->st[j].ex);
	}
	return c;
}

static void run_expect(struct exec *x, const struct stmt *st, const struct expect *e,
		       bool suffix)
{
	char msg[700];
	int bad = expect_eval(e, &x->s, x->have_last, x->last_ret, &x->last_ev, msg,
			      sizeof(msg));

	x->r->expects++;
	if (!suffix) {
		char line[760];

		snprintf(line, sizeof(line), "%s%s%s", bad ? "no" : "ok",
			 msg[0] && !bad ? ": " : "", bad ? "" : msg);
		out_line(x, st, line);
	} else if (!bad && msg[0] && x->o->out) {
		fprintf(x->o->out, "%5s  expect %s: %s\n", "", expect_name(e->kind), msg);
	}
	if (bad) {
		char kind[48];

		snprintf(kind, sizeof(kind), "expect %s", expect_name(e->kind));
		failed(x, st, kind, "%s", msg);
	}
}

static void run_op(struct exec *x, unsigned int i)
{
	const struct stmt *st = &x->sc->st[i];
	struct claims c = claims_of(x, i);
	char rs[32], why[32], line[900];
	bool expected;
	long ret;

	memset(&x->ev, 0, sizeof(x->ev));
	sb_reset(&x->note);
	/* An unclaimed WARN fails the run with its message; on the console
	 * too, with its source line, unless the run is silent. */
	sim_expect_warnings(&x->s, c.warnings || !x->o->out);
	ret = exec_op(x, st);
	if (st->kind == ST_GROUP && ret >= 0 && st->group >= 0)
		x->gidx[st->group] = (int)ret;
	if (st->kind == ST_HOST && !ret)
		x->have_host = true;
	x->r->ops++;
	x->have_last = true;
	x->last_ret = ret;
	x->last_ev = x->ev;

	if (st->kind == ST_GROUP && ret > 0)
		ret = 0;
	/* Each in its own buffer: the order a call's arguments are evaluated in is unspecified. */
	expected = st->ex && expect_is_result(st->ex->kind) && st->ex->kind != EX_ANY &&
		   !expect_eval(st->ex, &x->s, true, ret, &x->ev, why, sizeof(why));
	snprintf(line, sizeof(line), "%s%s%s%s", ret ? vfiosim_ret_str(ret, rs, sizeof(rs)) : "ok",
		 expected ? ", as expected" : "", x->note.len ? ": " : "", sb_str(&x->note));
	out_line(x, st, line);

	if (ret < 0 && !c.result)
		failed(x, st, "result", "%s failed with %s (if that is right, say so: expect "
		       "errno %s)", st->text, vfiosim_ret_str(ret, rs, sizeof(rs)),
		       vfiosim_errno_name((int)-ret) ? vfiosim_errno_name((int)-ret) : "...");
	if (x->ev.oracle & ~c.oracle)
		failed(x, st, "oracle", "the oracle: %s", x->ev.oracle_msg);
	if (x->ev.warnings && !c.warnings)
		failed(x, st, "warning", "the simulator WARNed: %s", x->ev.warn_msg);
	if (x->ev.check_msg[0])
		failed(x, st, "consistency", "consistency check: %s", x->ev.check_msg);
	if (st->ex)
		run_expect(x, st, st->ex, true);
}

static void state_summary(struct exec *x)
{
	FILE *f = x->o->out;
	struct vfiosim_oracle_stats os;

	if (!f || !x->s.h)
		return;
	fprintf(f, "state: locked_vm %" PRIu64 " pages, %" PRIu64 " pages pinned, %u WARN%s, "
		"%lu simulator allocations live", vfiosim_mm_locked_vm(x->s.h),
		vfiosim_mm_pinned_total(x->s.h), vfiosim_warnings(x->s.h),
		vfiosim_warnings(x->s.h) == 1 ? "" : "s", vfiosim_live_allocs(x->s.h));
	if (x->s.o) {
		vfiosim_oracle_status(x->s.o, &os);
		fprintf(f, ", oracle: %lu report%s checked", os.reports,
			os.reports == 1 ? "" : "s");
	}
	fprintf(f, "\n");
}

static void run_statements(struct exec *x)
{
	const struct scenario *sc = x->sc;
	const struct run_opts *o = x->o;
	struct run_result *r = x->r;
	unsigned int i;
	char why[200];

	memset(r, 0, sizeof(*r));
	r->fail_index = -1;
	for (i = 0; i < SC_MAX_GROUPS; i++)
		x->gidx[i] = -1;
	sim_init(&x->s, o->be, o->tr);
	x->kernel = o->kernel ? o->kernel : sc->kernel;
	x->profile = scenario_profile(sc, o, why, sizeof(why));
	if (!x->profile) {
		failed(x, NULL, "kernel", "%s", why);
		return;
	}
	for (i = 0; i < sc->nr; i++) {
		const struct stmt *st = &sc->st[i];

		if (o->skip && o->skip[i])
			continue;
		if (o->stop_at && st->line > o->stop_at) {
			r->stopped = true;
			break;
		}
		if (!selected(x, i)) {
			char note[48], v[16];

			if (guard_fails(x, st) == GUARD_KERNEL)
				snprintf(note, sizeof(note), "(skipped: not on Linux %s)",
					 profile_str(x->profile, v, sizeof(v)));
			else
				snprintf(note, sizeof(note), "(skipped: not on this backend)");
			out_line(x, st, note);
			continue;
		}
		if (!x->have_host && st->kind != ST_HOST) {
			struct vfiosim_host_config cfg = { .kernel = x->kernel };

			if (sim_host_new(&x->s, &cfg)) {
				failed(x, st, "host", "cannot create the default host");
				break;
			}
			x->have_host = true;
		}
		if (st->kind == ST_EXPECT)
			run_expect(x, st, st->ex, false);
		else
			run_op(x, i);
		if (r->failures && !o->keep_going)
			break;
	}
	if (r->stopped)
		state_summary(x);
	r->reports = (unsigned int)x->s.rep.seq;
	sb_free(&x->note);
}

int scenario_run(const struct scenario *sc, const struct run_opts *o, struct run_result *r)
{
	struct exec x = { .sc = sc, .o = o, .r = r };
	char why[300];

	run_statements(&x);
	if (sim_fini(&x.s, why, sizeof(why)))
		failed(&x, NULL, "leak", "%s", why);
	return r->failures ? 1 : 0;
}

int scenario_setup(const struct scenario *sc, const struct run_opts *o, struct run_result *r,
		   struct sim *s, int *gidx)
{
	struct exec x = { .sc = sc, .o = o, .r = r };

	run_statements(&x);
	if (!x.have_host && !r->failures) {
		struct vfiosim_host_config cfg = { .kernel = x.kernel };

		if (sim_host_new(&x.s, &cfg))
			failed(&x, NULL, "host", "cannot create the default host");
	}
	sim_move(s, &x.s);
	memcpy(gidx, x.gidx, sizeof(x.gidx));
	return r->failures ? 1 : 0;
}
