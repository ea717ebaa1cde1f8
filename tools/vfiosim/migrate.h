/* SPDX-License-Identifier: MIT */
/*
 * migrate.h - the parts of "vfiosim migrate" (migrate.c) and the state
 * they share: the options, the rounds, one migration.
 *
 *   migrate.c          the command: the steps in order, and the clean-up
 *   migrate_opts.c     its options and --help
 *   migrate_setup.c    the source machine from the setup scenario: guest
 *                      sections, destination memory, which group is which device
 *   migrate_vmm.c      the VMM: bulk copy, pre-copy rounds, stop-and-copy, resume
 *   migrate_verdict.c  the destination compared with the source
 *   migrate_plot.c     --plot: the rounds handed to plot.c
 *   migrate_compare.c  --provider: one migration per dirty provider, side by side
 */
#ifndef VFIOSIM_CMD_MIGRATE_H
#define VFIOSIM_CMD_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "devices.h"
#include "migdev.h"
#include "savevm.h"
#include "scenario.h"
#include "sim.h"

#define MIG_MAX_ROUNDS	64

/*
 * --provider: who records the never-pinning nic's writes (the model's
 * extension, docs/dirty-providers.md).  MIG_PROV_IOMMU_2M is the IOMMU's
 * dirty bits again, on an IOMMU that maps in 2M entries.
 */
enum mig_provider {
	MIG_PROV_NONE = -1,		/* not given: the setup as it always was */
	MIG_PROV_PINNED, MIG_PROV_IOMMU, MIG_PROV_DEVICE, MIG_PROV_AUTO, MIG_PROV_IOMMU_2M,
	MIG_PROV_ALL,			/* each of the above in turn */
};

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
	enum mig_provider provider;
};

/* What one migration came to, for the side-by-side table. */
struct mig_summary {
	unsigned int rounds;		/* pre-copy rounds run */
	bool converged, exact, done;	/* done: it ran to the verdict */
	uint64_t copied;		/* guest memory bytes sent, all rounds */
	double downtime_ms;
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
	int provider;			/* the setup's provider statement, -1: none */
	bool failed, converged;
	unsigned int precopy;		/* pre-copy rounds run */
	char err[400];
};

/* migrate.c: "64M", "1.5M", "12.0K", "512": sizes in the tables. */
const char *mig_human(uint64_t bytes, char *buf, size_t len);

/* migrate.c: one migration as o says; 0, 1 if it failed, 2 for a usage error. */
int mig_run(const struct mig_opts *o, const struct cmd_env *env, struct mig_summary *sum);

/* migrate_compare.c */
/* Why a migration with a never-pinning nic under type1's rules cannot converge. */
extern const char mig_why_unpinned[];
/* "pinned", "iommu", ... */
const char *mig_provider_name(enum mig_provider p);
/* The setup's provider statement and nic options for p ("" for none). */
const char *mig_provider_setup(enum mig_provider p, const char **nic_opts);
/* --provider all: each provider in turn, then the table; as mig_run returns. */
int mig_compare(const struct mig_opts *o, const struct cmd_env *env);

/* migrate_opts.c: 0, 1 after --help, -1 after saying what is wrong. */
int mig_parse_opts(int argc, char **argv, const struct cmd_env *env, struct mig_opts *o);

/* migrate_setup.c */
/* The embedded default setup, shaped by the options (malloc'ed). */
char *mig_default_setup(const struct mig_opts *o);
/* The setup scenario, its file or the default: 0, or -1 after saying why. */
int mig_load_setup(const struct mig_opts *o, struct scenario **sc);
int mig_read_setup(struct mig *m, const struct scenario *sc, const int *gidx);
/* Guest page number page in host h's memory (the source's or the destination's). */
unsigned char *mig_page(struct vfiosim_host *h, const struct guest *g, uint64_t page);
void mig_guest_boot(struct mig *m);
/* The machine, its devices and the link, before the first round. */
void mig_describe(const struct mig *m, const struct cmd_env *env);

/* migrate_vmm.c */
void mig_note_writes(struct mig *m);
/* The migration from START to the resumed destination: 0, or -1 with m->err. */
int mig_loop(struct mig *m);

/* migrate_verdict.c: 1 if the destination is not a copy of the source. */
int mig_verdict(struct mig *m);

/* migrate_plot.c */
void mig_plot(struct mig *m);

#endif /* VFIOSIM_CMD_MIGRATE_H */
