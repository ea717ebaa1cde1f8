// SPDX-License-Identifier: MIT
/*
 * migrate_vmm.c - the VMM of "vfiosim migrate": it trusts VFIO's dirty
 * tracking, round after round, as a real one does (migrate.c says how).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate.h"
#include "names.h"
#include "page_ranges.h"
#include "plot.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Takes in the device writes logged since the last look. */
void mig_note_writes(struct mig *m)
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
	mig_note_writes(m);
	return 0;
}

static int sim_check(struct mig *m, long ret, const char *what)
{
	char r[32];

	if (m->s.ev.oracle)
		printf("  oracle: %s\n", m->s.ev.oracle_msg);
	if (ret >= 0)
		return 0;
	snprintf(m->err, sizeof(m->err), "%s failed: %s", what, vfiosim_ret_str(ret, r, sizeof(r)));
	return -1;
}

static void copy_page(struct mig *m, uint64_t p)
{
	memcpy(mig_page(m->dst, &m->g, p), mig_page(m->s.h, &m->g, p), m->g.page_size);
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
		if (memcmp(mig_page(m->dst, &m->g, sec->first + i),
			   mig_page(m->s.h, &m->g, sec->first + i), m->g.page_size))
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
	mig_note_writes(m);
	bits = m->s.rep.bits;
	if (++m->reports == m->opt->drop) {
		uint64_t b = drop_choice(m, bits, nbits, sec);

		if (b != UINT64_MAX) {
			bit_clear(bits, b);
			m->dropped_page = sec->first + b;
			m->dropped_changed = memcmp(mig_page(m->dst, &m->g, m->dropped_page),
						    mig_page(m->s.h, &m->g, m->dropped_page),
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
	       mig_human(r->copied * m->g.page_size, c, sizeof(c)),
	       mig_human((uint64_t)r->dev_bytes, d, sizeof(d)),
	       r->link_ms, r->wall_ms);
}

int mig_loop(struct mig *m)
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
	m->converged = k <= o->rounds;
	m->precopy = m->converged ? k : o->rounds;
	if (m->converged)
		printf("  converged in round %u: %" PRIu64 " dirty pages <= %" PRIu64
		       " (%.1f ms of downtime at %.0f MiB/s)\n", k, r->reported, threshold,
		       o->downtime_ms, o->bandwidth);
	else
		printf("  no convergence after %u rounds (the last found %" PRIu64 " pages, the "
		       "threshold is %" PRIu64 "): stop anyway\n", o->rounds, r->reported,
		       threshold);
	if (!m->converged && m->dev.nic >= 0 && !m->dev.nic_pins &&
	    m->provider <= VFIOSIM_DIRTY_PROVIDER_PINNED)
		printf("  why: %s\n", mig_why_unpinned);

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
