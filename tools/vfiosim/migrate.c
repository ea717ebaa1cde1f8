// SPDX-License-Identifier: MIT
/*
 * migrate.c - "vfiosim migrate": a live migration of a simulated guest,
 * with a VMM that trusts VFIO's dirty tracking, and a verdict that
 * compares the destination with the source byte for byte.
 *
 * The source machine comes from a setup scenario (an embedded default,
 * shaped by the options, or a file): its mappings are the guest's memory
 * sections, its first IOMMU-backed group the nic and its first emulated
 * group the vgpu (devices.h).  Then, as a VMM does:
 *
 *   START dirty tracking, vgpu into pre-copy;
 *   round 0 copies all guest memory while the devices keep working;
 *   each later round asks VFIO_IOMMU_DIRTY_PAGES for each section's
 *   bitmap and copies what it reports, plus the vgpu's pending state;
 *   when a round finds few enough pages (or after --rounds), stop the
 *   devices, take the last bitmaps, copy, save the rest of the device
 *   state, STOP tracking;
 *   the destination device resumes from the saved state.
 *
 * Time is simulated: copying takes pages / bandwidth, and the devices
 * work that long meanwhile, so the dirty set of a round shrinks with the
 * round before it, as on a real link.  The wall-clock column is what the
 * simulator itself spent.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "devices.h"
#include "lexer.h"
#include "names.h"
#include "ops.h"
#include "plot.h"
#include "profile.h"
#include "report.h"
#include "savevm.h"
#include "strbuf.h"

#define MIG_MAX_ROUNDS	64

struct mig_opts {
	uint64_t guest;
	enum nic_mode nic;
	bool vgpu;
	unsigned int rounds, nic_rate, vgpu_rate;
	double downtime_ms, bandwidth;	/* ms, MiB/s */
	uint64_t seed;
	unsigned long drop;		/* --drop-dirty-bit: report number, 0: none */
	const char *plot_dir, *trace_path, *setup_file;
	bool show_setup;
	unsigned int kernel;		/* --kernel, 0: not given */
};

struct round {
	char label[24];
	uint64_t reported, written, missed, copied;
	long long dev_bytes;
	double link_ms, wall_ms;
	unsigned char *cat;		/* per page, for --plot */
};

struct mig {
	const struct mig_opts *opt;
	struct sim s;
	struct vfiosim_host *dst;	/* the destination's memory */
	struct guest g;
	struct devices dev;
	struct migdev src_dev, dst_dev;
	struct devstream stream;
	uint64_t *written;		/* per page: written since its section's last report */
	size_t log_pos;
	double pages_per_ms, debt_ms, page_size_f;
	unsigned long reports;
	uint64_t dropped_page;		/* UINT64_MAX: none */
	unsigned long dropped_report;
	bool dropped_changed;		/* the page differed from the copy then */
	struct round r[MIG_MAX_ROUNDS + 2];
	unsigned int nr;
	bool failed;
	char err[400];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *human(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= 10ULL << 20)
		snprintf(buf, len, "%.0fM", bytes / 1048576.0);
	else if (bytes >= 1ULL << 20)
		snprintf(buf, len, "%.1fM", bytes / 1048576.0);
	else if (bytes >= 1024)
		snprintf(buf, len, "%.1fK", bytes / 1024.0);
	else
		snprintf(buf, len, "%" PRIu64, bytes);
	return buf;
}

/* ------------------------------------------------------------ setup */

static char *default_setup(const struct mig_opts *o)
{
	struct strbuf sb = { 0 };
	char g[32], half[32];

	size_str(o->guest, g, sizeof(g));
	size_str(o->guest / 2, half, sizeof(half));
	sb_printf(&sb, "# vfiosim migrate: the source machine (embedded default)\n"
		  "host page-size 4K\n"
		  "mem ram 0x100000000 %s rw\n", g);
	if (o->nic != NIC_NONE)
		sb_printf(&sb, "group nic iommu pgsizes 4K|2M|1G%s\n",
			  o->nic == NIC_PIN ? " has-dma-unmap" : "");
	if (o->vgpu)
		sb_printf(&sb, "group vgpu emulated\n");
	sb_printf(&sb, "container\n");
	if (o->nic != NIC_NONE)
		sb_printf(&sb, "attach nic\n");
	if (o->vgpu)
		sb_printf(&sb, "attach vgpu\n");
	sb_printf(&sb, "set-iommu v2\n"
		  "map low 0x0+%s vaddr ram             # guest RAM below 4 GiB\n"
		  "map high 0x100000000+%s vaddr ram+%s   # and above\n", half, half, half);
	return sb.s;
}

/* Sections, destination memory and device roles, from the setup's statements. */
static int read_setup(struct mig *m, const struct scenario *sc, const int *gidx)
{
	struct vfiosim_host_config cfg = { .page_size = m->s.page_size };
	unsigned int i;
	uint64_t first = 0;

	m->g.page_size = m->s.page_size;
	m->dev.nic = m->dev.vgpu = -1;
	m->dst = vfiosim_host_new(&cfg);
	if (!m->dst) {
		snprintf(m->err, sizeof(m->err), "cannot create the destination host");
		return -1;
	}
	for (i = 0; i < sc->nr; i++) {
		const struct stmt *st = &sc->st[i];

		if (st->kind == ST_MEM) {
			vfiosim_mm_map_flags(m->dst, st->r.start, st->r.size, st->prot, 0);
		} else if (st->kind == ST_MAP && (!st->ex || st->ex->kind == EX_OK) &&
			   !(st->flags & VFIO_DMA_MAP_FLAG_VADDR)) {
			struct section *s = &m->g.sec[m->g.nr];

			if (m->g.nr == DEV_MAX_SECTIONS) {
				snprintf(m->err, sizeof(m->err), "at most %d mappings",
					 DEV_MAX_SECTIONS);
				return -1;
			}
			if (st->r.size % m->g.page_size || st->r.start % m->g.page_size) {
				snprintf(m->err, sizeof(m->err), "line %u: a section must be page-"
					 "aligned", st->line);
				return -1;
			}
			snprintf(s->name, sizeof(s->name), "%s", st->name ? st->name : "map");
			s->iova = st->r.start;
			s->size = st->r.size;
			s->vaddr = st->vaddr;
			s->first = first;
			first += s->size / m->g.page_size;
			m->g.nr++;
		} else if (st->kind == ST_GROUP && st->group >= 0 && gidx[st->group] >= 0) {
			if (st->grp.kind == VFIOSIM_GROUP_IOMMU && m->dev.nic < 0) {
				m->dev.nic = gidx[st->group];
				m->dev.nic_pins = st->grp.has_dma_unmap;
			} else if (st->grp.kind == VFIOSIM_GROUP_EMULATED && m->dev.vgpu < 0) {
				m->dev.vgpu = gidx[st->group];
			}
		}
	}
	m->g.pages = first;
	for (i = 0; i < m->g.nr; i++) {
		const struct section *s = &m->g.sec[i];

		if (!vfiosim_mm_ptr(m->s.h, s->vaddr) || !vfiosim_mm_ptr(m->dst, s->vaddr) ||
		    !vfiosim_mm_ptr(m->s.h, s->vaddr + s->size - 1)) {
			snprintf(m->err, sizeof(m->err), "section %s is not in one mem range",
				 s->name);
			return -1;
		}
	}
	if (!m->g.nr) {
		snprintf(m->err, sizeof(m->err), "the setup maps no guest memory");
		return -1;
	}
	if (m->dev.nic < 0 && m->dev.vgpu < 0) {
		snprintf(m->err, sizeof(m->err), "the setup has no device (group)");
		return -1;
	}
	return 0;
}

static unsigned char *page_ptr(struct vfiosim_host *h, const struct guest *g, uint64_t page)
{
	unsigned int i;

	for (i = 0; i < g->nr; i++) {
		const struct section *s = &g->sec[i];

		if (page >= s->first && page - s->first < s->size / g->page_size)
			return vfiosim_mm_ptr(h, s->vaddr + (page - s->first) * g->page_size);
	}
	return NULL;
}

/* What the guest's CPUs left in memory before the migration began. */
static void guest_boot(struct mig *m)
{
	uint64_t p, P = m->g.page_size;

	for (p = 0; p < m->g.pages; p++) {
		unsigned char *b = page_ptr(m->s.h, &m->g, p);

		memset(b, (int)(p & 0xff), P);
		memcpy(b, &p, sizeof(p));
	}
}

/* ------------------------------------------------------ the VMM loop */

/* Takes in the device writes logged since the last look. */
static void note_writes(struct mig *m)
{
	size_t n = vfiosim_log_count(m->s.h);

	for (; m->log_pos < n; m->log_pos++) {
		const struct vfiosim_write *w = vfiosim_log_get(m->s.h, m->log_pos);
		uint64_t a;

		for (a = w->iova & ~(m->g.page_size - 1); a < w->iova + w->len;
		     a += m->g.page_size) {
			uint64_t p = guest_page(&m->g, a);

			if (p != UINT64_MAX)
				bit_set(m->written, p);
		}
	}
}

/*
 * Sending bytes takes time on the link: with the devices on they work
 * meanwhile, stopped (stop-and-copy) it is downtime.
 */
static int link_time(struct mig *m, double bytes, struct round *r, bool devices_on)
{
	double ms = bytes / m->page_size_f / m->pages_per_ms;
	unsigned int whole;

	r->link_ms += ms;
	if (!devices_on)
		return 0;
	m->debt_ms += ms;
	whole = (unsigned int)m->debt_ms;
	m->debt_ms -= whole;
	if (devices_run(&m->dev, whole)) {
		snprintf(m->err, sizeof(m->err), "device: %s", m->dev.err);
		return -1;
	}
	note_writes(m);
	return 0;
}

static int sim_check(struct mig *m, long ret, const char *what)
{
	char r[32];

	if (m->s.ev.oracle)
		printf("  oracle: %s\n", m->s.ev.oracle_msg);
	if (ret >= 0)
		return 0;
	snprintf(m->err, sizeof(m->err), "%s failed: %s", what,
		 vfiosim_ret_str(ret, r, sizeof(r)));
	return -1;
}

static void copy_page(struct mig *m, uint64_t p)
{
	memcpy(page_ptr(m->dst, &m->g, p), page_ptr(m->s.h, &m->g, p), m->g.page_size);
}

/* --drop-dirty-bit: the page whose loss shows now, else the first one. */
static uint64_t drop_choice(struct mig *m, const uint64_t *bits, uint64_t nbits,
			    const struct section *sec)
{
	uint64_t i, first = UINT64_MAX;

	for (i = 0; i < nbits; i++) {
		if (!bit_test(bits, i))
			continue;
		if (first == UINT64_MAX)
			first = i;
		if (memcmp(page_ptr(m->dst, &m->g, sec->first + i),
			   page_ptr(m->s.h, &m->g, sec->first + i), m->g.page_size))
			return i;
	}
	return first;
}

/* GET_BITMAP for one section and the copy of what it reports. */
static int sync_section(struct mig *m, const struct section *sec, struct round *r)
{
	uint64_t nbits = sec->size / m->g.page_size, i, *bits;
	long ret = sim_get(&m->s, SIM_ARGSZ, sec->iova, sec->size, NULL);

	if (sim_check(m, ret, "VFIO_IOMMU_DIRTY_PAGES GET_BITMAP"))
		return -1;
	note_writes(m);
	bits = m->s.rep.bits;
	if (++m->reports == m->opt->drop) {
		uint64_t b = drop_choice(m, bits, nbits, sec);

		if (b != UINT64_MAX) {
			bit_clear(bits, b);
			m->dropped_page = sec->first + b;
			m->dropped_changed = memcmp(page_ptr(m->dst, &m->g, m->dropped_page),
						    page_ptr(m->s.h, &m->g, m->dropped_page),
						    m->g.page_size) != 0;
			m->dropped_report = m->reports;
			if (r->cat)
				r->cat[sec->first + b] = PLOT_DROPPED;
			printf("  --drop-dirty-bit %lu: the VMM loses the bit of IOVA 0x%" PRIx64
			       " (section %s) from report %lu\n", m->opt->drop,
			       sec->iova + b * m->g.page_size, sec->name, m->reports);
		}
	}
	for (i = 0; i < nbits; i++) {
		uint64_t p = sec->first + i;
		bool rep = bit_test(bits, i), wr = bit_test(m->written, p);

		r->reported += rep;
		r->written += wr;
		r->missed += wr && !rep;
		if (r->cat && r->cat[p] != PLOT_DROPPED)
			r->cat[p] = wr ? (rep ? PLOT_WRITTEN : PLOT_MISSED) :
				    rep ? PLOT_REPORTED : PLOT_CLEAN;
		if (wr)
			bit_clear(m->written, p);
		if (rep)
			copy_page(m, p);
	}
	return 0;
}

static struct round *round_new(struct mig *m, const char *label)
{
	struct round *r = &m->r[m->nr++];

	snprintf(r->label, sizeof(r->label), "%s", label);
	if (m->opt->plot_dir) {
		r->cat = calloc(m->g.pages ? m->g.pages : 1, 1);
		if (!r->cat) {
			fprintf(stderr, "vfiosim: out of memory\n");
			exit(2);
		}
	}
	r->wall_ms = now_ms();
	return r;
}

/* A pass over every section: the bitmaps, the copies, the device data. */
static int sync_round(struct mig *m, struct round *r, bool devices_on)
{
	unsigned int i;
	uint64_t before;

	for (i = 0; i < m->g.nr; i++) {
		before = r->reported;
		if (sync_section(m, &m->g.sec[i], r))
			return -1;
		r->copied += r->reported - before;
		if (link_time(m, (double)(r->reported - before) * m->page_size_f, r, devices_on))
			return -1;
	}
	if (m->dev.vgpu >= 0) {
		r->dev_bytes = vmm_save(&m->src_dev, &m->stream, m->err, sizeof(m->err));
		if (r->dev_bytes < 0 || link_time(m, (double)r->dev_bytes, r, devices_on))
			return -1;
	}
	return 0;
}

static int bulk_round(struct mig *m, struct round *r)
{
	unsigned int i;
	uint64_t p;

	for (i = 0; i < m->g.nr; i++) {
		const struct section *sec = &m->g.sec[i];
		uint64_t n = sec->size / m->g.page_size;

		for (p = sec->first; p < sec->first + n; p++) {
			copy_page(m, p);
			if (r->cat)
				r->cat[p] = PLOT_REPORTED;
		}
		r->copied += n;
		if (link_time(m, (double)n * m->page_size_f, r, true))
			return -1;
	}
	if (m->dev.vgpu >= 0) {
		r->dev_bytes = vmm_save(&m->src_dev, &m->stream, m->err, sizeof(m->err));
		if (r->dev_bytes < 0 || link_time(m, (double)r->dev_bytes, r, true))
			return -1;
	}
	r->reported = r->copied;
	return 0;
}

static void print_round(const struct mig *m, const struct round *r, bool last,
			const char *phase)
{
	char c[32], d[32], rep[24], wr[24], mi[24];

	snprintf(rep, sizeof(rep), "%" PRIu64, r->reported);
	snprintf(wr, sizeof(wr), "%" PRIu64, r->written);
	snprintf(mi, sizeof(mi), "%" PRIu64, r->missed);
	/* The bulk copy takes everything: it has no report to compare with. */
	if (!strcmp(r->label, "0")) {
		strcpy(rep, "all");
		strcpy(wr, "-");
		strcpy(mi, "-");
	}
	printf("  %5s  %-14s %8s %8s %6s %9s %9s %9.2f %8.2f\n",
	       last ? "-" : r->label, phase, rep, wr, mi,
	       human(r->copied * m->g.page_size, c, sizeof(c)),
	       human((uint64_t)r->dev_bytes, d, sizeof(d)),
	       r->link_ms, r->wall_ms);
}

static int migrate_loop(struct mig *m)
{
	const struct mig_opts *o = m->opt;
	uint64_t threshold = (uint64_t)(o->downtime_ms * m->pages_per_ms);
	struct round *r;
	unsigned int k;
	char label[24];
	double t;

	if (sim_check(m, sim_dirty(&m->s, SIM_ARGSZ, VFIO_IOMMU_DIRTY_PAGES_FLAG_START),
		      "VFIO_IOMMU_DIRTY_PAGES START"))
		return -1;
	if (m->dev.vgpu >= 0 && vmm_set_state(&m->src_dev, VFIO_DEVICE_STATE_V1_RUNNING |
					      VFIO_DEVICE_STATE_V1_SAVING, m->err, sizeof(m->err)))
		return -1;
	printf("  %5s  %-14s %8s %8s %6s %9s %9s %9s %8s\n", "round", "phase", "reported",
	       "written", "missed", "copied", "device", "link ms", "wall ms");
	r = round_new(m, "0");
	t = r->wall_ms;
	if (bulk_round(m, r))
		return -1;
	r->wall_ms = now_ms() - t;
	r->written = 0;
	print_round(m, r, false, "bulk copy");
	for (k = 1; k <= o->rounds; k++) {
		snprintf(label, sizeof(label), "%u", k);
		r = round_new(m, label);
		t = r->wall_ms;
		if (sync_round(m, r, true))
			return -1;
		r->wall_ms = now_ms() - t;
		print_round(m, r, false, "pre-copy");
		if (r->reported <= threshold)
			break;
	}
	if (k <= o->rounds)
		printf("  converged in round %u: %" PRIu64 " dirty pages <= %" PRIu64
		       " (%.1f ms of downtime at %.0f MiB/s)\n", k, r->reported, threshold,
		       o->downtime_ms, o->bandwidth);
	else
		printf("  no convergence after %u rounds (the last found %" PRIu64 " pages, the "
		       "threshold is %" PRIu64 "): stop anyway\n", o->rounds, r->reported,
		       threshold);

	/* Stop-and-copy: the devices stop, then the last bitmaps. */
	r = round_new(m, "stop");
	t = r->wall_ms;
	if (m->dev.vgpu >= 0 && vmm_set_state(&m->src_dev, VFIO_DEVICE_STATE_V1_SAVING, m->err,
					      sizeof(m->err)))
		return -1;
	if (sync_round(m, r, false))
		return -1;
	if (m->dev.vgpu >= 0 && vmm_set_state(&m->src_dev, VFIO_DEVICE_STATE_V1_STOP, m->err,
					      sizeof(m->err)))
		return -1;
	if (sim_check(m, sim_dirty(&m->s, SIM_ARGSZ, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP),
		      "VFIO_IOMMU_DIRTY_PAGES STOP"))
		return -1;
	r->wall_ms = now_ms() - t;
	print_round(m, r, true, "stop-and-copy");
	printf("  downtime %.2f ms: %" PRIu64 " pages and %lld bytes of device state\n",
	       r->link_ms, r->copied, r->dev_bytes);
	printf("  %lu dirty reports, numbered from 1 section by section, round by round "
	       "(--drop-dirty-bit N)\n", m->reports);

	/* The destination device takes the state. */
	if (m->dev.vgpu >= 0) {
		migdev_init(&m->dst_dev, o->seed ^ 0x5eed);
		if (vmm_set_state(&m->dst_dev, VFIO_DEVICE_STATE_V1_RESUMING, m->err,
				  sizeof(m->err)) ||
		    vmm_resume(&m->dst_dev, &m->stream, m->err, sizeof(m->err)) ||
		    vmm_set_state(&m->dst_dev, VFIO_DEVICE_STATE_V1_RUNNING, m->err,
				  sizeof(m->err)))
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------- verdict */

static int verdict(struct mig *m)
{
	struct vfiosim_oracle_stats os = { 0 };
	uint64_t p, bad = 0, P = m->g.page_size;
	char why[300];
	int fails = 0;

	printf("\nverdict:\n");
	for (p = 0; p < m->g.pages; p++) {
		const unsigned char *a = page_ptr(m->s.h, &m->g, p);
		const unsigned char *b = page_ptr(m->dst, &m->g, p);
		uint64_t off;

		if (!memcmp(a, b, P))
			continue;
		if (bad++ >= 8)
			continue;
		for (off = 0; a[off] == b[off]; off++)
			;
		printf("  guest page at IOVA 0x%" PRIx64 " differs from byte 0x%" PRIx64
		       " on: source 0x%02x, destination 0x%02x%s\n", guest_iova(&m->g, p), off,
		       a[off], b[off], p == m->dropped_page ?
		       "\n    (its dirty bit was dropped from the VMM's report, and no later "
		       "report had it)" : "");
	}
	if (bad > 8)
		printf("  ... and %" PRIu64 " more pages\n", bad - 8);
	if (bad) {
		printf("  guest memory: %" PRIu64 " of %" PRIu64 " pages differ: CORRUPT\n", bad,
		       m->g.pages);
		fails++;
	} else {
		printf("  guest memory: %" PRIu64 " pages (%s), all identical\n", m->g.pages,
		       human(m->g.pages * P, why, sizeof(why)));
	}
	if (m->dropped_page != UINT64_MAX && !bad)
		printf("  (the dropped page %s: no harm done)\n", m->dropped_changed ?
		       "was reported again later" : "had not changed since its last copy");
	if (m->dev.vgpu >= 0) {
		int d = migdev_compare(&m->src_dev, &m->dst_dev, why, sizeof(why));

		printf("  vgpu state:   %s%s\n", why, d ? ": CORRUPT" : "");
		fails += d != 0;
	}
	if (m->s.o) {
		vfiosim_oracle_status(m->s.o, &os);
		if (os.missed || os.spurious || os.inexact || os.desync) {
			printf("  oracle:       %s\n", os.first);
			fails++;
		} else {
			printf("  oracle:       %lu reports checked against the ground truth, no "
			       "violation\n", os.reports);
		}
	}
	if (fails)
		printf("FAILED: the destination is not a copy of the source\n");
	else
		printf("OK: the destination is an exact copy of the source\n");
	return fails ? 1 : 0;
}

/* ----------------------------------------------------------- options */

static void usage(FILE *f)
{
	char r[32], v[16];

	fprintf(f,
		"usage: vfiosim migrate [options] [SETUP.vfs]\n"
		"  --guest SIZE          guest RAM of the default setup, 2M to 1G (64M)\n"
		"  --iommu-dev pin|dma|none\n"
		"                        the IOMMU-backed nic: its driver pins what it writes\n"
		"                        (pin, the default), it writes anywhere by DMA (dma:\n"
		"                        type1 must report every mapped page), or none\n"
		"  --no-emulated         no vgpu (the emulated device with the v1 state region)\n"
		"  --rounds N            pre-copy rounds at most (10)\n"
		"  --downtime MS         converge when a round finds what MS ms can copy (1)\n"
		"  --bandwidth MIB/S     the migration link (1024)\n"
		"  --nic-rate N          packets the nic receives per ms (32)\n"
		"  --vgpu-rate N         framebuffer pages the vgpu draws per ms (8)\n"
		"  --seed N              device randomness (1)\n"
		"  --drop-dirty-bit N    a broken tracker: the VMM loses one dirty bit of the\n"
		"                        Nth report (counted over all sections, from 1)\n"
		"  --plot DIR            PNG pictures of each round's bitmap and of convergence\n"
		"  --trace FILE          every call as JSON lines (vfiosim replay FILE)\n"
		"  --show-setup          print the setup scenario and exit\n"
		"  --backend NAME        model (default) or kernel\n"
		"  --kernel X.Y          the Linux version the model answers as, %s\n"
		"                        (default: the setup's host kernel, else %s)\n"
		"SETUP.vfs is a scenario that builds the source machine (docs/scenarios.md):\n"
		"its maps are the guest's memory, its first IOMMU group the nic, its first\n"
		"emulated group the vgpu.\n", profile_range(r, sizeof(r)),
		profile_str(VFIOSIM_KERNEL_NEWEST, v, sizeof(v)));
}

static int parse_size_arg(const char *opt, const char *arg, uint64_t *v)
{
	struct tok t = { arg, strlen(arg), 1 };
	struct diag d = { 0 };

	if (!tok_size(&t, v, &d))
		return 0;
	fprintf(stderr, "vfiosim migrate: %s: %s\n", opt, d.msg);
	return -1;
}

static int parse_uint(const char *opt, const char *arg, unsigned int max, unsigned int *v)
{
	uint64_t x;

	if (parse_size_arg(opt, arg, &x))
		return -1;
	if (x > max) {
		fprintf(stderr, "vfiosim migrate: %s: at most %u\n", opt, max);
		return -1;
	}
	*v = (unsigned int)x;
	return 0;
}

static int parse_double(const char *opt, const char *arg, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	if (errno || *end || !(*v > 0) || !isfinite(*v) || *v > 1e9) {
		fprintf(stderr, "vfiosim migrate: %s takes a positive number, got \"%s\"\n", opt,
			arg);
		return -1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, const struct cmd_env *env, struct mig_opts *o)
{
	static const struct option longopts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "iommu-dev", required_argument, NULL, 'i' },
		{ "no-emulated", no_argument, NULL, 'E' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "downtime", required_argument, NULL, 'd' },
		{ "bandwidth", required_argument, NULL, 'b' },
		{ "nic-rate", required_argument, NULL, 'n' },
		{ "vgpu-rate", required_argument, NULL, 'v' },
		{ "seed", required_argument, NULL, 's' },
		{ "drop-dirty-bit", required_argument, NULL, 'D' },
		{ "plot", required_argument, NULL, 'p' },
		{ "trace", required_argument, NULL, 't' },
		{ "show-setup", no_argument, NULL, 'S' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t x;
	int c;

	optind = 0;	/* GNU getopt: start over, as for a new program */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (parse_size_arg("--guest", optarg, &o->guest))
				return -1;
			/* Both machines' memory is real: keep it within reach. */
			if (o->guest < (2ULL << 20) || o->guest > (1ULL << 30) ||
			    o->guest % (2 * 4096)) {
				fprintf(stderr, "vfiosim migrate: --guest is 2M to 1G, a multiple "
					"of 8K\n");
				return -1;
			}
			break;
		case 'i':
			if (!strcmp(optarg, "pin")) {
				o->nic = NIC_PIN;
			} else if (!strcmp(optarg, "dma")) {
				o->nic = NIC_DMA;
			} else if (!strcmp(optarg, "none")) {
				o->nic = NIC_NONE;
			} else {
				fprintf(stderr, "vfiosim migrate: --iommu-dev is pin, dma or "
					"none\n");
				return -1;
			}
			break;
		case 'E':
			o->vgpu = false;
			break;
		case 'r':
			if (parse_uint("--rounds", optarg, MIG_MAX_ROUNDS, &o->rounds))
				return -1;
			break;
		case 'd':
			if (parse_double("--downtime", optarg, &o->downtime_ms))
				return -1;
			break;
		case 'b':
			if (parse_double("--bandwidth", optarg, &o->bandwidth))
				return -1;
			break;
		case 'n':
			if (parse_uint("--nic-rate", optarg, 100000, &o->nic_rate))
				return -1;
			break;
		case 'v':
			if (parse_uint("--vgpu-rate", optarg, 100000, &o->vgpu_rate))
				return -1;
			break;
		case 's':
			if (parse_size_arg("--seed", optarg, &o->seed))
				return -1;
			break;
		case 'D':
			if (parse_size_arg("--drop-dirty-bit", optarg, &x))
				return -1;
			if (!x || x > 1000000) {
				fprintf(stderr, "vfiosim migrate: --drop-dirty-bit counts reports "
					"from 1\n");
				return -1;
			}
			o->drop = (unsigned long)x;
			break;
		case 'p':
			o->plot_dir = optarg;
			break;
		case 't':
			o->trace_path = optarg;
			break;
		case 'S':
			o->show_setup = true;
			break;
		case 'K':
			if (kernel_arg("vfiosim migrate", optarg, env->be, &o->kernel))
				return -1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return -1;
	}
	o->setup_file = optind < argc ? argv[optind] : NULL;
	return 0;
}

static void describe(const struct mig *m, const struct cmd_env *env)
{
	const struct mig_opts *o = m->opt;
	unsigned int i;
	char a[32], v[16];

	printf("vfiosim migrate (backend %s, Linux %s): a guest of %s in %u section%s:",
	       vfiosim_backend_name_of(env->be), profile_str(m->s.profile, v, sizeof(v)),
	       human(m->g.pages * m->g.page_size, a, sizeof(a)), m->g.nr, m->g.nr == 1 ? "" : "s");
	for (i = 0; i < m->g.nr; i++)
		printf(" %s 0x%" PRIx64 "+%s", m->g.sec[i].name, m->g.sec[i].iova,
		       human(m->g.sec[i].size, a, sizeof(a)));
	printf("\n");
	if (m->dev.nic >= 0 && m->dev.nic_pins)
		printf("  nic:  IOMMU-backed; its driver pins the %u buffers it posts and recycles "
		       "4 a ms,\n        so type1 tracks pinned pages (--iommu-dev dma: it "
		       "does not pin)\n", 64U);
	else if (m->dev.nic >= 0)
		printf("  nic:  IOMMU-backed, writes by DMA and never pins: type1 cannot know "
		       "where,\n        so it reports every mapped page dirty, every round "
		       "(faithful)\n");
	if (m->dev.vgpu >= 0)
		printf("  vgpu: emulated; pins a %" PRIu64 "-page framebuffer, posts completions "
		       "with dma_rw,\n        64 KiB of device state through the v1 migration "
		       "region\n", m->dev.fb_pages);
	printf("  link %.0f MiB/s, devices: %u packets/ms, %u framebuffer pages/ms, seed %"
	       PRIu64 "\n\n", o->bandwidth, m->dev.nic >= 0 ? o->nic_rate : 0,
	       m->dev.vgpu >= 0 ? o->vgpu_rate : 0, o->seed);
}

static int load_setup(const struct mig_opts *o, struct scenario **sc)
{
	struct diag d = { 0 };
	char msg[512], *text;
	int err;

	if (o->setup_file) {
		err = scenario_load(o->setup_file, sc, &d);
	} else {
		text = default_setup(o);
		err = scenario_parse("<embedded setup>", text, sc, &d);
		free(text);
	}
	if (err) {
		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "vfiosim migrate: %s\n", msg);
		return -1;
	}
	return 0;
}

static void mig_free(struct mig *m)
{
	unsigned int i;
	char why[300];

	devices_stop(&m->dev);
	if (m->s.h && sim_fini(&m->s, why, sizeof(why))) {
		printf("vfiosim migrate: %s\n", why);
		m->failed = true;
	}
	if (m->dst)
		vfiosim_host_free(m->dst);
	devstream_free(&m->stream);
	free(m->written);
	for (i = 0; i < m->nr; i++)
		free(m->r[i].cat);
}

static void plot(struct mig *m)
{
	struct plot_round pr[MIG_MAX_ROUNDS + 2];
	unsigned int i;
	char msg[600];

	for (i = 0; i < m->nr; i++) {
		snprintf(pr[i].label, sizeof(pr[i].label), "%s", i + 1 < m->nr ? m->r[i].label :
			 "stop-and-copy");
		pr[i].bulk = !i;
		pr[i].reported = m->r[i].reported;
		pr[i].written = m->r[i].written;
		pr[i].cat = m->r[i].cat;
	}
	if (plot_write(m->opt->plot_dir, pr, m->nr, m->g.pages, m->g.page_size,
		       (uint64_t)(m->opt->downtime_ms * m->pages_per_ms), "vfiosim migrate", msg,
		       sizeof(msg)))
		printf("plot: %s\n", msg);
	else
		printf("plot: %s\n", msg);
}

int cmd_migrate(int argc, char **argv, const struct cmd_env *env)
{
	struct mig_opts o = {
		.guest = 64ULL << 20, .nic = NIC_PIN, .vgpu = true, .rounds = 10,
		.downtime_ms = 1, .bandwidth = 1024, .nic_rate = 32, .vgpu_rate = 8, .seed = 1,
	};
	struct mig *m;
	struct scenario *sc;
	struct trace *tr = NULL;
	struct run_opts ro = { .be = env->be };
	struct run_result rr;
	int gidx[SC_MAX_GROUPS], status, c;
	char err[256];

	c = parse_opts(argc, argv, env, &o);
	if (c)
		return c > 0 ? 0 : 2;
	if (!o.setup_file && o.nic == NIC_NONE && !o.vgpu) {
		fprintf(stderr, "vfiosim migrate: --iommu-dev none and --no-emulated leave no "
			"device: nothing would use VFIO\n");
		return 2;
	}
	if (o.show_setup) {
		char *text = o.setup_file ? NULL : default_setup(&o);

		if (text)
			printf("%s", text);
		else
			printf("(the setup is %s)\n", o.setup_file);
		free(text);
		return 0;
	}
	if (load_setup(&o, &sc))
		return 2;
	ro.kernel = o.kernel;
	if (!scenario_profile(sc, &ro, err, sizeof(err))) {
		fprintf(stderr, "vfiosim migrate: %s: %s\n", sc->file, err);
		scenario_free(sc);
		return 2;
	}
	if (o.trace_path) {
		tr = trace_open(o.trace_path, err, sizeof(err));
		if (!tr) {
			fprintf(stderr, "vfiosim migrate: cannot write %s: %s\n", o.trace_path,
				err);
			scenario_free(sc);
			return 2;
		}
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return 2;
	m->opt = &o;
	m->dropped_page = UINT64_MAX;
	ro.tr = tr;
	if (scenario_setup(sc, &ro, &rr, &m->s, gidx)) {
		printf("vfiosim migrate: the setup failed at line %u (%s): %s\n", rr.fail_line,
		       rr.fail_kind, rr.fail_msg);
		m->failed = true;
		goto out;
	}
	if (read_setup(m, sc, gidx)) {
		printf("vfiosim migrate: %s\n", m->err);
		m->failed = true;
		goto out;
	}
	m->written = calloc(m->g.pages / 64 + 1, 8);
	if (!m->written)
		goto out;
	m->page_size_f = (double)m->g.page_size;
	m->pages_per_ms = o.bandwidth * 1048576.0 / 1000.0 / m->page_size_f;
	m->dev.s = &m->s;
	m->dev.g = &m->g;
	m->dev.rng = o.seed;
	m->dev.nic_rate = o.nic_rate;
	m->dev.vgpu_rate = o.vgpu_rate;
	m->dev.dev = &m->src_dev;
	migdev_init(&m->src_dev, o.seed);
	m->dev.fb_pages = 32;
	describe(m, env);
	guest_boot(m);
	if (devices_start(&m->dev) || devices_run(&m->dev, 10)) {
		printf("vfiosim migrate: the devices failed to start: %s\n", m->dev.err);
		m->failed = true;
		goto out;
	}
	note_writes(m);
	memset(m->written, 0, (m->g.pages / 64 + 1) * 8);
	if (migrate_loop(m)) {
		printf("vfiosim migrate: %s\n", m->err);
		m->failed = true;
		goto out;
	}
	if (verdict(m))
		m->failed = true;
	if (o.plot_dir)
		plot(m);
out:
	mig_free(m);
	if (trace_close(tr)) {
		printf("vfiosim migrate: writing %s failed\n", o.trace_path);
		m->failed = true;
	}
	status = m->failed ? 1 : 0;
	free(m);
	scenario_free(sc);
	return status;
}
