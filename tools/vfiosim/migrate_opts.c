// SPDX-License-Identifier: MIT
/*
 * migrate_opts.c - the options of "vfiosim migrate" and its --help.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "linux_version.h"
#include "migrate.h"

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
		"  --provider pinned|iommu|device|auto|iommu-2m|all\n"
		"                        who records what the nic writes (a vfiosim extension,\n"
		"                        docs/dirty-providers.md): the default setup's nic gets\n"
		"                        IOMMU dirty bits (4K entries; iommu-2m: 2M) and a device\n"
		"                        tracker; all: one migration each, then a table\n"
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

static int parse_provider(const char *arg, enum mig_provider *p)
{
	int i;

	for (i = MIG_PROV_PINNED; i <= MIG_PROV_ALL; i++)
		if (!strcmp(arg, mig_provider_name((enum mig_provider)i))) {
			*p = (enum mig_provider)i;
			return 0;
		}
	fprintf(stderr, "vfiosim migrate: --provider is pinned, iommu, device, auto, iommu-2m "
		"or all\n");
	return -1;
}

int mig_parse_opts(int argc, char **argv, const struct cmd_env *env, struct mig_opts *o)
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
		{ "provider", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t x;
	unsigned int m;
	int c;

	optind = 0;	/* GNU getopt: start over, as for a new program */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int err = 0;

		switch (c) {
		case 'g':
			err = parse_size_arg("--guest", optarg, &o->guest);
			/* Both machines' memory is real: keep it within reach. */
			if (!err && (o->guest < (2ULL << 20) || o->guest > (1ULL << 30) ||
				     o->guest % (2 * 4096))) {
				fprintf(stderr, "vfiosim migrate: --guest is 2M to 1G, a multiple "
					"of 8K\n");
				err = -1;
			}
			break;
		case 'i':
			for (m = 0; m < NIC_NR_MODES && strcmp(optarg, nic_mode_names[m]); m++)
				;
			if (m < NIC_NR_MODES) {
				o->nic = (enum nic_mode)m;
			} else {
				fprintf(stderr, "vfiosim migrate: --iommu-dev is pin, dma or "
					"none\n");
				err = -1;
			}
			break;
		case 'E':
			o->vgpu = false;
			break;
		case 'r':
			err = parse_uint("--rounds", optarg, MIG_MAX_ROUNDS, &o->rounds);
			break;
		case 'd':
			err = parse_double("--downtime", optarg, &o->downtime_ms);
			break;
		case 'b':
			err = parse_double("--bandwidth", optarg, &o->bandwidth);
			break;
		case 'n':
			err = parse_uint("--nic-rate", optarg, 100000, &o->nic_rate);
			break;
		case 'v':
			err = parse_uint("--vgpu-rate", optarg, 100000, &o->vgpu_rate);
			break;
		case 's':
			err = parse_size_arg("--seed", optarg, &o->seed);
			break;
		case 'D':
			err = parse_size_arg("--drop-dirty-bit", optarg, &x);
			if (!err && (!x || x > 1000000)) {
				fprintf(stderr, "vfiosim migrate: --drop-dirty-bit counts reports "
					"from 1\n");
				err = -1;
			} else if (!err) {
				o->drop = (unsigned long)x;
			}
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
			err = kernel_arg("vfiosim migrate", optarg, env->be, &o->kernel);
			break;
		case 'P':
			err = parse_provider(optarg, &o->provider);
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
		if (err)
			return -1;
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return -1;
	}
	o->setup_file = optind < argc ? argv[optind] : NULL;
	return 0;
}
