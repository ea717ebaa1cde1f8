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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "ops.h"

const char *mig_human(uint64_t bytes, char *buf, size_t len)
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

int cmd_migrate(int argc, char **argv, const struct cmd_env *env)
{
	struct mig_opts o = {
		.guest = 64ULL << 20, .nic = NIC_PIN, .vgpu = true, .rounds = 10,
		.downtime_ms = 1, .bandwidth = 1024, .nic_rate = 32, .vgpu_rate = 8, .seed = 1,
		.provider = MIG_PROV_NONE,
	};
	int c;

	c = mig_parse_opts(argc, argv, env, &o);
	if (c)
		return c > 0 ? 0 : 2;
	if (!o.setup_file && o.nic == NIC_NONE && !o.vgpu) {
		fprintf(stderr, "vfiosim migrate: --iommu-dev none and --no-emulated leave no "
			"device: nothing would use VFIO\n");
		return 2;
	}
	if (o.setup_file && o.provider != MIG_PROV_NONE) {
		fprintf(stderr, "vfiosim migrate: --provider applies to the default setup; a "
			"setup file chooses with a provider statement\n");
		return 2;
	}
	if (o.provider == MIG_PROV_ALL)
		return mig_compare(&o, env);
	return mig_run(&o, env, NULL);
}

int mig_run(const struct mig_opts *opt, const struct cmd_env *env, struct mig_summary *sum)
{
	struct mig_opts o = *opt;
	struct mig *m;
	struct scenario *sc;
	struct trace *tr = NULL;
	struct run_opts ro = { .be = env->be };
	struct run_result rr;
	int gidx[SC_MAX_GROUPS], status;
	unsigned int i;
	char err[256];

	if (o.show_setup) {
		char *text = o.setup_file ? NULL : mig_default_setup(&o);

		if (text)
			printf("%s", text);
		else
			printf("(the setup is %s)\n", o.setup_file);
		free(text);
		return 0;
	}
	if (mig_load_setup(&o, &sc))
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
	if (mig_read_setup(m, sc, gidx)) {
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
	mig_describe(m, env);
	mig_guest_boot(m);
	if (devices_start(&m->dev) || devices_run(&m->dev, 10)) {
		printf("vfiosim migrate: the devices failed to start: %s\n", m->dev.err);
		m->failed = true;
		goto out;
	}
	mig_note_writes(m);
	memset(m->written, 0, (m->g.pages / 64 + 1) * 8);
	if (mig_loop(m)) {
		printf("vfiosim migrate: %s\n", m->err);
		m->failed = true;
		goto out;
	}
	if (mig_verdict(m))
		m->failed = true;
	if (sum) {
		sum->done = true;
		sum->exact = !m->failed;
		sum->converged = m->converged;
		sum->rounds = m->precopy;
		for (i = 0; i < m->nr; i++)
			sum->copied += m->r[i].copied * m->g.page_size;
		sum->downtime_ms = m->nr ? m->r[m->nr - 1].link_ms : 0;
	}
	if (o.plot_dir)
		mig_plot(m);
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
