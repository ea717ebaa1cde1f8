// SPDX-License-Identifier: MIT
/*
 * replay.c - "vfiosim replay TRACE": every call of a trace made again, in
 * order, on a fresh machine (one per host_new line), with each result
 * compared to the one recorded: the return value, and what came back
 * (dirty pages, the size UNMAP wrote back, GET_INFO's fields and
 * capabilities), whether the oracle objected and whether the simulator
 * WARNed.
 *
 * Written bytes are not in a trace (only their length, or the byte a
 * fill used): replay writes the same ranges with a pattern, which is all
 * the dirty tracking sees.  Replaying on another backend (--backend
 * kernel) shows where it and the recorded one differ.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "json.h"
#include "linux_version.h"
#include "names.h"
#include "page_ranges.h"
#include "scenario.h"
#include "sim.h"

struct replay {
	const char *file;
	unsigned int line;
	struct sim s;
	bool live;
	bool verbose, keep_going;
	unsigned int kernel;		/* --kernel, 0: the trace's */
	unsigned int profile;		/* the last host's */
	bool mixed;			/* hosts of several profiles */
	unsigned long calls, mismatches, problems;
	char where[64];
};

static void say(struct replay *rp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct replay *rp, const char *fmt, ...)
{
	va_list ap;

	printf("%s:%u: ", rp->file, rp->line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Required keys: a missing or malformed one ends the replay. */
static int need_u64(struct replay *rp, const struct json_obj *o, const char *key, uint64_t *v)
{
	if (!json_u64(o, key, v))
		return 0;
	say(rp, "%s: \"%s\" is missing or not a number", rp->where, key);
	return -1;
}

static int need_i64(struct replay *rp, const struct json_obj *o, const char *key, long long *v)
{
	if (!json_i64(o, key, v))
		return 0;
	say(rp, "%s: \"%s\" is missing or not a number", rp->where, key);
	return -1;
}

static uint64_t opt_u64(const struct json_obj *o, const char *key, uint64_t def)
{
	uint64_t v = def;

	json_u64(o, key, &v);
	return v;
}

static bool opt_bool(const struct json_obj *o, const char *key)
{
	bool v = false;

	json_bool(o, key, &v);
	return v;
}

static void mismatch(struct replay *rp, const char *what, const char *traced, const char *now)
{
	rp->mismatches++;
	say(rp, "%s: %s differs: the trace has %s, this run %s", rp->where, what, traced, now);
}

static void compare_str(struct replay *rp, const struct json_obj *o, const char *key,
			const char *now)
{
	const char *t = json_get(o, key);

	if (t && strcmp(t, now))
		mismatch(rp, key, t, now);
}

static void compare_u64(struct replay *rp, const struct json_obj *o, const char *key,
			uint64_t now)
{
	char a[32], b[32];
	uint64_t t;

	if (json_get(o, key) && !json_u64(o, key, &t) && t != now) {
		snprintf(a, sizeof(a), "0x%" PRIx64, t);
		snprintf(b, sizeof(b), "0x%" PRIx64, now);
		mismatch(rp, key, a, b);
	}
}

/*
 * The profile to replay a host_new on: --kernel, else the trace's.  A kernel
 * backend answers only as its own version: a trace made on another one is
 * replayed on that, a difference worth a note, as is --kernel overriding.
 */
static int kernel_from(struct replay *rp, const struct json_obj *o, unsigned int *kernel)
{
	unsigned int bv = vfiosim_backend_version(rp->s.be), traced = 0;
	const char *k = json_get(o, "kernel");
	char err[200], a[16], b[16];

	if (k && profile_parse(k, strlen(k), &traced, err, sizeof(err))) {
		say(rp, "host_new: \"kernel\": %s", err);
		return -1;
	}
	*kernel = rp->kernel ? rp->kernel : traced;
	if (!rp->kernel && bv && traced && !profile_of(bv, traced)) {
		*kernel = 0;
		say(rp, "note: the trace was made on Linux %s; this backend is Linux %s's type1, "
		    "whose answers differ where the versions do", profile_str(traced, a, sizeof(a)),
		    profile_str(bv, b, sizeof(b)));
	} else if (rp->kernel && traced && traced != rp->kernel) {
		say(rp, "note: the trace was made on Linux %s, replayed on Linux %s (--kernel)",
		    profile_str(traced, a, sizeof(a)), profile_str(rp->kernel, b, sizeof(b)));
	}
	return 0;
}

static int host_from(struct replay *rp, const struct json_obj *o, unsigned int kernel)
{
	struct vfiosim_host_config cfg = { .kernel = kernel };
	long long v = 0;
	char why[300];
	int ret;

	if (rp->live && sim_fini(&rp->s, why, sizeof(why))) {
		rp->problems++;
		say(rp, "the previous machine: %s", why);
	}
	cfg.page_size = opt_u64(o, "page_size", 0);
	cfg.memlock_limit = opt_u64(o, "memlock_limit", 0);
	cfg.cap_ipc_lock = opt_bool(o, "cap_ipc_lock");
	cfg.strict_uaccess = opt_bool(o, "strict");
	json_i64(o, "dma_entry_limit", &v);
	cfg.dma_entry_limit = v > 0 && v <= UINT32_MAX ? (unsigned int)v : 0;
	cfg.allow_unsafe_interrupts = opt_bool(o, "allow_unsafe_interrupts");
	cfg.disable_hugepages = opt_bool(o, "disable_hugepages");
	rp->live = true;
	ret = (int)sim_host_new(&rp->s, &cfg);
	rp->mixed |= rp->profile && rp->profile != rp->s.profile;
	rp->profile = rp->s.profile;
	return ret;
}

static long group_from(struct replay *rp, const struct json_obj *o)
{
	struct vfiosim_group_config g = { 0 };
	const char *kind = json_get(o, "kind"), *resv = json_get(o, "resv");
	long long v = 0;

	g.kind = kind && !strcmp(kind, "emulated") ? VFIOSIM_GROUP_EMULATED : VFIOSIM_GROUP_IOMMU;
	g.pgsize_bitmap = opt_u64(o, "pgsize_bitmap", 0);
	g.aperture_start = opt_u64(o, "aperture_start", 0);
	g.aperture_end = opt_u64(o, "aperture_end", 0);
	while (resv && *resv && g.nr_resv < VFIOSIM_MAX_RESV) {
		struct vfiosim_resv_region *r = &g.resv[g.nr_resv];
		char *end;

		r->start = strtoull(resv, &end, 16);
		if (*end != '+')
			break;
		r->length = strtoull(end + 1, &end, 16);
		if (*end != ':')
			break;
		r->type = (int)strtol(end + 1, &end, 10);
		g.nr_resv++;
		resv = *end == ',' ? end + 1 : end;
	}
	g.no_default_msi = opt_bool(o, "no_default_msi");
	g.no_isolated_msi = opt_bool(o, "no_isolated_msi");
	g.no_cache_coherency = opt_bool(o, "no_cache_coherency");
	g.nesting = opt_bool(o, "nesting");
	if (!json_i64(o, "iommu_id", &v) && v >= 0 && v <= UINT32_MAX)
		g.iommu_id = (unsigned int)v;
	if (!json_i64(o, "attach_error", &v) && v <= 0 && v > -4096)
		g.attach_error = (int)v;
	g.has_dma_unmap = opt_bool(o, "has_dma_unmap");
	g.dirty_tracking = opt_bool(o, "dirty_tracking");
	if (!json_i64(o, "tracker_ranges", &v) && v >= 0 && v <= UINT32_MAX)
		g.tracker_ranges = (unsigned int)v;
	g.tracker_pgsize = opt_u64(o, "tracker_pgsize", 0);
	g.tracker_capacity = opt_u64(o, "tracker_capacity", 0);
	return sim_group_new(&rp->s, &g, opt_bool(o, "keeps_pins"));
}

static int bitmap_from(struct replay *rp, const struct json_obj *o, struct sim_bitmap *bm)
{
	const char *segs = json_get(o, "bitmap_buffer");
	long long fw = -1;

	memset(bm, 0, sizeof(*bm));
	bm->pgsize_set = !json_u64(o, "pgsize", &bm->pgsize);
	bm->size_set = !json_u64(o, "bitmap_size", &bm->size);
	json_i64(o, "fault_word", &fw);
	bm->fault_word = fw >= 0 && fw <= 1 << 20 ? (int)fw : -1;
	bm->at_set = !json_u64(o, "bitmap_at", &bm->at);
	if (segs && sim_segs_parse(segs, bm->seg, &bm->nr_seg)) {
		say(rp, "%s: \"bitmap_buffer\": not a list like \"64K rw, 4K none\": %s",
		    rp->where, segs);
		return -1;
	}
	return 0;
}

static int ioctl_from(struct replay *rp, const struct json_obj *o, long *ret)
{
	const char *name = json_get(o, "cmd");
	unsigned int cmd = name ? ioctl_value(name) : 0;
	uint64_t vaddr, iova, size, arg;
	long long argsz = SIM_ARGSZ, flags = 0;
	struct sim_bitmap bm;
	struct sim *s = &rp->s;

	if (!cmd) {
		say(rp, "unknown ioctl %s", name ? name : "(no \"cmd\")");
		return -1;
	}
	snprintf(rp->where, sizeof(rp->where), "%s", name);
	if (cmd == VFIO_GET_API_VERSION || cmd == VFIO_CHECK_EXTENSION || cmd == VFIO_SET_IOMMU) {
		if (need_u64(rp, o, "arg", &arg))
			return -1;
		*ret = sim_ioctl_arg(s, cmd, (unsigned long)arg);
		return 0;
	}
	if (need_i64(rp, o, "argsz", &argsz))
		return -1;
	if (cmd == VFIO_IOMMU_GET_INFO) {
		*ret = sim_info(s, argsz);
		if (!*ret) {
			compare_u64(rp, o, "argsz_out", s->info.argsz);
			compare_u64(rp, o, "flags_out", s->info.flags);
			compare_u64(rp, o, "iova_pgsizes", s->info.pgsizes);
			compare_str(rp, o, "caps", s->info.caps);
		}
		return 0;
	}
	if (need_i64(rp, o, "flags", &flags))
		return -1;
	if (cmd == VFIOSIM_IOMMU_DIRTY_PROVIDER) {
		if (need_u64(rp, o, "provider", &arg))
			return -1;
		*ret = sim_provider(s, (unsigned int)arg);
		return 0;
	}
	if (cmd == VFIO_IOMMU_DIRTY_PAGES) {
		if (!json_get(o, "iova")) {
			*ret = sim_dirty(s, argsz, (uint32_t)flags);
			return 0;
		}
		if (need_u64(rp, o, "iova", &iova) || need_u64(rp, o, "size", &size) ||
		    bitmap_from(rp, o, &bm))
			return -1;
		*ret = sim_get_flags(s, argsz, (uint32_t)flags, iova, size, &bm);
		return 0;
	}
	if (need_u64(rp, o, "iova", &iova) || need_u64(rp, o, "size", &size))
		return -1;
	if (cmd == VFIO_IOMMU_MAP_DMA) {
		if (need_u64(rp, o, "vaddr", &vaddr))
			return -1;
		*ret = sim_map(s, argsz, (uint32_t)flags, vaddr, iova, size);
		return 0;
	}
	if (bitmap_from(rp, o, &bm))
		return -1;
	*ret = sim_unmap(s, argsz, (uint32_t)flags, iova, size, &bm);
	compare_u64(rp, o, "size_out", s->unmapped);
	return 0;
}

static int replay_one(struct replay *rp, const struct json_obj *o)
{
	const char *call = json_get(o, "call");
	uint64_t a, b;
	long long t, g = -1, byte = -1, npage = 0;
	struct sim *s = &rp->s;
	char x[32], y[32];
	bool write = false;
	long ret = 0;

	if (!call) {
		say(rp, "no \"call\" in this line");
		return -1;
	}
	snprintf(rp->where, sizeof(rp->where), "%s", call);
	/* A WARN the trace recorded is compared below, not printed. */
	sim_expect_warnings(s, json_get(o, "warning") != NULL);
	if (!strcmp(call, "host_new")) {
		unsigned int kernel;

		if (kernel_from(rp, o, &kernel))
			return -1;
		ret = host_from(rp, o, kernel);
	} else if (!rp->live || !s->h) {
		say(rp, "%s before any host_new (the trace must start with one)", call);
		return -1;
	} else if (!strcmp(call, "mm_map")) {
		if (need_u64(rp, o, "vaddr", &a) || need_u64(rp, o, "len", &b) ||
		    need_i64(rp, o, "prot", &t))
			return -1;
		ret = sim_mm_map(s, a, b, (int)t, (unsigned int)opt_u64(o, "flags", 0));
	} else if (!strcmp(call, "mm_unmap")) {
		if (need_u64(rp, o, "vaddr", &a) || need_u64(rp, o, "len", &b))
			return -1;
		ret = sim_mm_unmap(s, a, b);
	} else if (!strcmp(call, "group_new")) {
		ret = group_from(rp, o);
	} else if (!strcmp(call, "container_new")) {
		if (need_i64(rp, o, "type", &t))
			return -1;
		ret = sim_container_new(s, (int)t);
	} else if (!strcmp(call, "attach") || !strcmp(call, "detach")) {
		if (need_i64(rp, o, "group", &g))
			return -1;
		g = g < 0 || g >= SIM_MAX_GROUPS ? SIM_MAX_GROUPS : g;
		ret = call[0] == 'a' ? sim_attach(s, (unsigned int)g) :
		      sim_detach(s, (unsigned int)g);
	} else if (!strcmp(call, "ioctl")) {
		if (ioctl_from(rp, o, &ret))
			return -1;
	} else if (!strcmp(call, "pin") || !strcmp(call, "unpin")) {
		if (need_i64(rp, o, "group", &g) || need_u64(rp, o, "iova", &a) ||
		    need_i64(rp, o, "npage", &npage))
			return -1;
		g = g < 0 || g >= SIM_MAX_GROUPS ? SIM_MAX_GROUPS : g;
		npage = npage > INT32_MAX ? INT32_MAX : npage < INT32_MIN ? INT32_MIN : npage;
		ret = call[0] == 'p' ?
		      sim_pin(s, (unsigned int)g, a, (int)npage, (int)opt_u64(o, "prot", 3)) :
		      sim_unpin(s, (unsigned int)g, a, (int)npage);
	} else if (!strcmp(call, "dma_rw")) {
		if (need_u64(rp, o, "iova", &a) || need_u64(rp, o, "len", &b))
			return -1;
		json_bool(o, "write", &write);
		json_i64(o, "byte", &byte);
		ret = sim_dma_rw(s, a, (size_t)b, write, byte >= 0 && byte < 256 ? (int)byte : -1,
				 NULL);
	} else if (!strcmp(call, "device_write")) {
		if (need_i64(rp, o, "group", &g) || need_u64(rp, o, "iova", &a) ||
		    need_u64(rp, o, "len", &b))
			return -1;
		g = g < 0 || g >= SIM_MAX_GROUPS ? SIM_MAX_GROUPS : g;
		json_i64(o, "byte", &byte);
		ret = sim_write(s, (unsigned int)g, a, (size_t)b,
				byte >= 0 && byte < 256 ? (int)byte : -1, NULL);
	} else if (!strcmp(call, "oracle_exact")) {
		bool on = true;

		json_bool(o, "on", &on);
		sim_oracle_exact(s, on);
	} else if (!strcmp(call, "fail_alloc") || !strcmp(call, "fail_copy")) {
		if (need_u64(rp, o, "n", &a))
			return -1;
		sim_fail(s, call[5] == 'c', (unsigned long)a);
	} else {
		say(rp, "unknown call \"%s\"", call);
		return -1;
	}
	rp->calls++;
	if (need_i64(rp, o, "ret", &t))
		return -1;
	if (ret != t)
		mismatch(rp, "the result", vfiosim_ret_str(t, x, sizeof(x)),
			 vfiosim_ret_str(ret, y, sizeof(y)));
	if (s->rep.valid && !ret && json_get(o, "dirty")) {
		struct strbuf sb = { 0 };

		pages_format(&sb, s->rep.bits, s->rep.nbits, s->rep.iova, s->rep.pgsize, 0);
		compare_str(rp, o, "dirty", sb_str(&sb));
		sb_free(&sb);
	}
	if (s->ev.oracle && !json_get(o, "oracle")) {
		rp->problems++;
		say(rp, "%s: the oracle: %s", rp->where, s->ev.oracle_msg);
	} else if (!s->ev.oracle && json_get(o, "oracle")) {
		mismatch(rp, "the oracle's verdict", "a violation", "none");
	}
	if (s->ev.warnings && !json_get(o, "warning")) {
		rp->problems++;
		say(rp, "%s: the simulator WARNed: %s", rp->where, s->ev.warn_msg);
	} else if (!s->ev.warnings && json_get(o, "warning")) {
		mismatch(rp, "the WARN", json_get(o, "warning"), "none");
	}
	if (s->ev.check_msg[0]) {
		rp->problems++;
		say(rp, "%s: consistency check: %s", rp->where, s->ev.check_msg);
	}
	if (rp->verbose)
		printf("%s:%u: %s -> %s\n", rp->file, rp->line, rp->where,
		       vfiosim_ret_str(ret, y, sizeof(y)));
	return 0;
}

static void usage(FILE *f)
{
	char r[32];

	fprintf(f, "usage: vfiosim replay [options] TRACE\n"
		"  --backend NAME   model (default) or kernel\n"
		"  --kernel X.Y     the Linux version the model answers as, %s\n"
		"                   (default: the one the trace was made on)\n"
		"  --keep-going     report every difference, not only the first\n"
		"  -v, --verbose    every call and its result\n", profile_range(r, sizeof(r)));
}

int cmd_replay(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay rp = { .line = 0 };
	char *line = NULL, err[200], why[300], prof[48];
	size_t cap = 0;
	struct stat st;
	FILE *f;
	int c, status = 0, read_err;

	optind = 0;	/* GNU getopt: start over, as for a new program */
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (c == 'v') {
			rp.verbose = true;
		} else if (c == 'k') {
			rp.keep_going = true;
		} else if (c == 'K') {
			if (kernel_arg("vfiosim replay", optarg, env->be, &rp.kernel))
				return 2;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	rp.file = argv[optind];
	f = fopen(rp.file, "r");
	if (!f) {
		fprintf(stderr, "vfiosim replay: cannot open %s: %s\n", rp.file, strerror(errno));
		return 2;
	}
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vfiosim replay: %s is a directory, not a trace\n", rp.file);
		fclose(f);
		return 2;
	}
	sim_init(&rp.s, env->be, NULL);
	while (getline(&line, &cap, f) > 0) {
		struct json_obj o;
		unsigned long before = rp.mismatches + rp.problems;

		rp.line++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (json_parse(line, &o, err, sizeof(err))) {
			say(&rp, "not a trace line: %s", err);
			status = 2;
			break;
		}
		c = replay_one(&rp, &o);
		json_free(&o);
		if (c) {
			status = 2;
			break;
		}
		if (rp.mismatches + rp.problems > before && !rp.keep_going)
			break;
	}
	read_err = ferror(f) ? errno : 0;
	free(line);
	fclose(f);
	if (rp.live && sim_fini(&rp.s, why, sizeof(why))) {
		rp.problems++;
		printf("%s: at the end: %s\n", rp.file, why);
	}
	if (read_err) {
		fprintf(stderr, "vfiosim replay: cannot read %s: %s\n", rp.file,
			strerror(read_err));
		return 2;
	}
	if (!status && !rp.calls) {
		/* Nothing replayed is nothing compared: not a match. */
		fprintf(stderr, "vfiosim replay: %s has no call to replay (%s)\n", rp.file,
			rp.line ? "only blank lines" : "the file is empty");
		return 2;
	}
	if (status) {
		printf("%s: replay stopped at line %u, which it cannot make a call of (%lu calls "
		       "replayed before it, %lu mismatches)\n", rp.file, rp.line, rp.calls,
		       rp.mismatches);
		return status;
	}
	if (rp.mixed)
		snprintf(prof, sizeof(prof), "several profiles");
	else
		snprintf(prof, sizeof(prof), "Linux %s", profile_str(rp.profile, why, sizeof(why)));
	if (!rp.mismatches && !rp.problems) {
		printf("%s: %lu calls replayed on backend %s (%s): every result matches\n", rp.file,
		       rp.calls, vfiosim_backend_name_of(env->be), prof);
		return 0;
	}
	printf("%s: %lu calls replayed on backend %s (%s): %lu mismatch%s, %lu other problem%s%s\n",
	       rp.file, rp.calls, vfiosim_backend_name_of(env->be), prof, rp.mismatches,
	       rp.mismatches == 1 ? "" : "es", rp.problems, rp.problems == 1 ? "" : "s",
	       rp.keep_going ? "" : " (stopped at the first; --keep-going for all)");
	return 1;
}
