// SPDX-License-Identifier: MIT
/*
 * migrate_compare.c - "vfiosim migrate --provider": who records what the
 * nic writes (docs/dirty-providers.md), and --provider all, the same
 * migration once per provider with a table of what each came to.
 *
 * With a provider the default setup's nic gets both sources the extension
 * can use: an IOMMU that keeps dirty bits and a device tracker with room
 * for every section.  Its IOMMU maps in 4K entries, so that a dirty bit
 * says one page; iommu-2m keeps the 2M entries the setup has without a
 * provider, to show what a coarse bit costs.  pinned gets the same nic,
 * so that the columns differ by the provider alone.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "migrate.h"
#include "names.h"

/* The nic's options: both sources the extension can use. */
#define NIC_4K	"pgsizes 4K dirty-tracking tracker 4"
#define NIC_2M	"pgsizes 4K|2M|1G dirty-tracking tracker 4"

static const struct {
	const char *name, *nic;
	unsigned int policy;		/* VFIOSIM_DIRTY_PROVIDER_* */
} providers[] = {
	[MIG_PROV_PINNED] = { "pinned", NIC_4K, VFIOSIM_DIRTY_PROVIDER_PINNED },
	[MIG_PROV_IOMMU] = { "iommu", NIC_4K, VFIOSIM_DIRTY_PROVIDER_IOMMU },
	[MIG_PROV_DEVICE] = { "device", NIC_4K, VFIOSIM_DIRTY_PROVIDER_DEVICE },
	[MIG_PROV_AUTO] = { "auto", NIC_4K, VFIOSIM_DIRTY_PROVIDER_AUTO },
	[MIG_PROV_IOMMU_2M] = { "iommu-2m", NIC_2M, VFIOSIM_DIRTY_PROVIDER_IOMMU },
	[MIG_PROV_ALL] = { "all", "", 0 },
};

const char mig_why_unpinned[] = "the nic never pins, and under type1's rules a device "
				"that never pins keeps every mapped page dirty";

const char *mig_provider_name(enum mig_provider p)
{
	return p >= MIG_PROV_PINNED && p <= MIG_PROV_ALL ? providers[p].name : "none";
}

const char *mig_provider_setup(enum mig_provider p, const char **nic_opts)
{
	static char stmt[64];

	if (p < MIG_PROV_PINNED || p >= MIG_PROV_ALL) {
		*nic_opts = "pgsizes 4K|2M|1G";
		return "";
	}
	*nic_opts = providers[p].nic;
	snprintf(stmt, sizeof(stmt), "provider %s\n", dirty_provider_name(providers[p].policy));
	return stmt;
}

static void row(const char *what, const char *const *cell, unsigned int n)
{
	unsigned int i;

	printf("  %-18s", what);
	for (i = 0; i < n; i++)
		printf(" %10s", cell[i]);
	printf("\n");
}

int mig_compare(const struct mig_opts *opt, const struct cmd_env *env)
{
	struct mig_summary sum[MIG_PROV_ALL] = { { 0 } };
	char cells[5][MIG_PROV_ALL][32], dir[4096];
	const char *cell[MIG_PROV_ALL];
	unsigned int i, k;
	int status = 0, ret;
	struct stat st;

	if (opt->plot_dir && mkdir(opt->plot_dir, 0777) &&
	    (stat(opt->plot_dir, &st) || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "vfiosim migrate: cannot create %s\n", opt->plot_dir);
		return 2;
	}
	for (i = 0; i < MIG_PROV_ALL; i++) {
		struct mig_opts o = *opt;

		o.provider = (enum mig_provider)i;
		if (opt->plot_dir) {
			snprintf(dir, sizeof(dir), "%s/%s", opt->plot_dir, providers[i].name);
			o.plot_dir = dir;
		}
		printf("==== --provider %s\n", providers[i].name);
		ret = mig_run(&o, env, &sum[i]);
		printf("\n");
		if (ret > status)
			status = ret;
	}
	if (opt->show_setup)
		return status;
	printf("providers side by side (--iommu-dev %s, %u rounds at most):\n",
	       nic_mode_names[opt->nic], opt->rounds);
	for (i = 0; i < MIG_PROV_ALL; i++) {
		cell[i] = providers[i].name;
		if (!sum[i].done) {
			for (k = 0; k < 5; k++)
				snprintf(cells[k][i], sizeof(cells[k][i]), "failed");
			continue;
		}
		snprintf(cells[0][i], sizeof(cells[0][i]), "%u", sum[i].rounds);
		snprintf(cells[1][i], sizeof(cells[1][i]), "%s", sum[i].converged ? "yes" : "no");
		mig_human(sum[i].copied, cells[2][i], sizeof(cells[2][i]));
		snprintf(cells[3][i], sizeof(cells[3][i]), "%.2f", sum[i].downtime_ms);
		snprintf(cells[4][i], sizeof(cells[4][i]), "%s", sum[i].exact ? "exact" : "CORRUPT");
	}
	row("provider", cell, MIG_PROV_ALL);
	for (k = 0; k < 5; k++) {
		static const char *const what[5] = { "pre-copy rounds", "converged",
			"memory copied", "downtime ms", "destination" };

		for (i = 0; i < MIG_PROV_ALL; i++)
			cell[i] = cells[k][i];
		row(what[k], cell, MIG_PROV_ALL);
	}
	if (opt->nic == NIC_DMA && sum[MIG_PROV_PINNED].done && !sum[MIG_PROV_PINNED].converged)
		printf("  pinned: %s\n", mig_why_unpinned);
	return status;
}
