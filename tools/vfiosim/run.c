// SPDX-License-Identifier: MIT
/*
 * run.c - "vfiosim run FILE...": scenarios, their verdicts, and for a
 * failure the shortest way to see it again.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "linux_version.h"
#include "minimize.h"
#include "ops.h"

static void usage(FILE *f)
{
	char r[32], v[16];

	fprintf(f, "usage: vfiosim run [options] FILE...\n"
		"  --backend NAME   model (default) or kernel\n"
		"  --kernel X.Y     the Linux version the model answers as, %s\n"
		"                   (default: a scenario's host kernel, else %s); a kernel\n"
		"                   backend answers only as its own tree's version\n"
		"  --trace FILE     write every call as JSON lines (vfiosim replay reads them)\n"
		"  --stop-at LINE   run up to that line, then print the state\n"
		"  --keep-going     do not stop at the first failure\n"
		"  --no-minimize    do not write a minimized scenario for a failure\n"
		"  --repro-dir DIR  where minimized scenarios go (default $TMPDIR or /tmp)\n"
		"  -q, --quiet      only verdicts\n", profile_range(r, sizeof(r)),
		profile_str(VFIOSIM_KERNEL_NEWEST, v, sizeof(v)));
}

struct run_cfg {
	const struct cmd_env *env;
	struct trace *tr;
	unsigned int kernel;		/* --kernel, 0: not given */
	unsigned int stop_at;
	bool keep_going, quiet, minimize;
	const char *repro_dir;
};

/* "vfiosim run --backend kernel --kernel 6.12": the run again, as it was asked for. */
static const char *run_cmd(const struct run_cfg *cfg, char *buf, size_t len)
{
	const char *be = cfg->env->backend_arg;
	char v[16];

	snprintf(buf, len, "%s run%s%s%s%s", cfg->env->prog, be ? " --backend " : "", be ? be : "",
		 cfg->kernel ? " --kernel " : "",
		 cfg->kernel ? profile_str(cfg->kernel, v, sizeof(v)) : "");
	return buf;
}

static void repro(const struct run_cfg *cfg, const struct scenario *sc,
		  const struct run_opts *o, const struct run_result *r, unsigned int profile)
{
	bool *skip = calloc(sc->nr ? sc->nr : 1, sizeof(*skip));
	char path[4096], header[1200], cmd[512], v[16], *base, *copy, *dot;
	unsigned int kept, i;

	printf("reproduce: %s %s --stop-at %u\n", run_cmd(cfg, cmd, sizeof(cmd)), sc->file,
	       r->fail_line);
	if (!cfg->minimize || !skip || r->fail_index < 0) {
		free(skip);
		return;
	}
	kept = scenario_minimize(sc, o, r, skip);
	copy = strdup(sc->file);
	if (!copy) {
		free(skip);
		return;
	}
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot)
		*dot = '\0';
	snprintf(path, sizeof(path), "%s/vfiosim-repro-%s.vfs", cfg->repro_dir, base);
	snprintf(header, sizeof(header),
		 "# Minimized by vfiosim run from %s, which failed at line %u (%s) on\n"
		 "# Linux %s:\n"
		 "#   %s\n"
		 "# %u of its %u statements still fail the same way.\n",
		 sc->file, r->fail_line, r->fail_kind, profile_str(profile, v, sizeof(v)),
		 r->fail_msg, kept, sc->nr);
	/* The runs that found it kept the pin whatever they left out: so does the file. */
	for (i = 0; sc->kernel && i < sc->nr; i++)
		if (sc->st[i].kind == ST_HOST && sc->st[i].host.kernel && skip[i])
			snprintf(header + strlen(header), sizeof(header) - strlen(header),
				 "host kernel %s%*s # line %u\n", v, 45, "", sc->st[i].line);
	if (!scenario_write(sc, skip, path, header))
		printf("       or: %s %s   (minimized: %u of %u statements)\n", cmd, path, kept,
		       sc->nr);
	else
		printf("vfiosim: cannot write %s\n", path);
	free(copy);
	free(skip);
}

/* 0 passed, 1 failed, -1 skipped: it cannot run on this profile or backend. */
static int run_file(const struct run_cfg *cfg, const char *file)
{
	struct run_opts o = {
		.be = cfg->env->be, .tr = cfg->tr, .out = cfg->quiet ? NULL : stdout,
		.stop_at = cfg->stop_at, .keep_going = cfg->keep_going, .kernel = cfg->kernel,
	};
	struct scenario *sc;
	struct run_result r;
	struct diag d = { 0 };
	unsigned int profile;
	char msg[512], v[16];

	if (scenario_load(file, &sc, &d)) {
		diag_format(&d, msg, sizeof(msg));
		printf("%s\n", msg);
		return 1;
	}
	/* Nothing run is nothing checked: not a pass. */
	if (!sc->nr) {
		printf("%s: no statement to run (the file is empty or only comments)\n", file);
		scenario_free(sc);
		return 1;
	}
	profile = scenario_profile(sc, &o, msg, sizeof(msg));
	if (!profile) {
		printf("%s: skipped: %s\n", file, msg);
		scenario_free(sc);
		return -1;
	}
	profile_str(profile, v, sizeof(v));
	if (!cfg->quiet)
		printf("== %s (backend %s, Linux %s)\n", file, vfiosim_backend_name_of(cfg->env->be),
		       v);
	scenario_run(sc, &o, &r);
	if (!r.failures) {
		printf("%s: ok on Linux %s: %u operation%s, %u expectation%s, %u dirty report%s%s\n",
		       file, v, r.ops, r.ops == 1 ? "" : "s", r.expects, r.expects == 1 ? "" : "s",
		       r.reports, r.reports == 1 ? "" : "s", r.stopped ? " (stopped early)" : "");
	} else {
		if (r.fail_line)
			printf("%s:%u: FAILED on Linux %s (%s): %s\n", file, r.fail_line, v,
			       r.fail_kind, r.fail_msg);
		else
			printf("%s: FAILED on Linux %s (%s): %s\n", file, v, r.fail_kind,
			       r.fail_msg);
		if (r.failures > 1)
			printf("%s: %u failures in all\n", file, r.failures);
		repro(cfg, sc, &o, &r, profile);
	}
	scenario_free(sc);
	return r.failures ? 1 : 0;
}

int cmd_run(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option longopts[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "stop-at", required_argument, NULL, 's' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "no-minimize", no_argument, NULL, 'n' },
		{ "repro-dir", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_cfg cfg = { .env = env, .minimize = true };
	const char *trace_path = NULL;
	int c, i, failed = 0, skipped = 0, ret;
	char err[256];

	cfg.repro_dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	optind = 0;	/* GNU getopt: start over, as for a new program */
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		char *end;
		unsigned long v;

		switch (c) {
		case 't':
			trace_path = optarg;
			break;
		case 'K':
			if (kernel_arg("vfiosim run", optarg, env->be, &cfg.kernel))
				return 2;
			break;
		case 's':
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > 1000000000) {
				fprintf(stderr, "vfiosim run: --stop-at takes a line number, "
					"got \"%s\"\n", optarg);
				return 2;
			}
			cfg.stop_at = (unsigned int)v;
			break;
		case 'k':
			cfg.keep_going = true;
			break;
		case 'n':
			cfg.minimize = false;
			break;
		case 'r':
			cfg.repro_dir = optarg;
			break;
		case 'q':
			cfg.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	if (trace_path) {
		cfg.tr = trace_open(trace_path, err, sizeof(err));
		if (!cfg.tr) {
			fprintf(stderr, "vfiosim run: cannot write %s: %s\n", trace_path, err);
			return 2;
		}
	}
	for (i = optind; i < argc; i++) {
		ret = run_file(&cfg, argv[i]);
		failed += ret > 0;
		skipped += ret < 0;
	}
	if (argc - optind > 1) {
		printf("%d scenarios: %d passed, %d failed", argc - optind,
		       argc - optind - failed - skipped, failed);
		if (skipped)
			printf(", %d skipped", skipped);
		printf("\n");
	}
	if (trace_close(cfg.tr)) {
		fprintf(stderr, "vfiosim run: writing %s failed\n", trace_path);
		return 1;
	}
	/* Nothing run is nothing checked: skipping everything is not a pass. */
	return failed || skipped == argc - optind ? 1 : 0;
}
