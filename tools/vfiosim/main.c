// SPDX-License-Identifier: MIT
/*
 * main.c - the vfiosim command: picks the backend and the subcommand.
 *
 * A binary holds the model and, when built with it, the kernel backend.
 * "--backend kernel" in a binary without it hands over to the sibling
 * build/vfiosim-kernel (make vfiosim-kernel), which has the real
 * vfio_iommu_type1.c as its backend, with the same arguments.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "linux_version.h"

static void usage(FILE *f)
{
	char r[32], v[16];

	fprintf(f,
		"usage: vfiosim [--backend NAME] COMMAND [options] [args]\n"
		"A userspace simulator of Linux's vfio_iommu_type1 dirty page tracking.\n"
		"\n"
		"  migrate [options] [SETUP.vfs]  a live migration of a simulated guest\n"
		"  run [options] FILE...          run scenario files (docs/scenarios.md)\n"
		"  replay [options] TRACE         re-run a trace of --trace, compare results\n"
		"  from-fuzz [options] FILE       a seq or diff fuzz input as a scenario\n"
		"\n"
		"  --backend NAME   model (the default) or kernel (Linux's vfio_iommu_type1.c)\n"
		"  --version        the version of vfiosim and of the contract it implements\n"
		"\n"
		"Each command takes --kernel X.Y: the Linux version the model answers as\n"
		"(%s, default %s); a kernel backend answers as its own tree.\n"
		"\n"
		"vfiosim COMMAND --help tells a command's options.\n", profile_range(r, sizeof(r)),
		profile_str(VFIOSIM_KERNEL_NEWEST, v, sizeof(v)));
}

static bool starts_with(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* Runs the kernel build next to this binary with the same arguments. */
static int exec_kernel_build(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			slash[1] = '\0';
			snprintf(path, sizeof(path), "%svfiosim-kernel", self);
			if (!access(path, X_OK)) {
				fflush(NULL);
				execv(path, argv);
				fprintf(stderr, "vfiosim: cannot run %s: %s\n", path,
					strerror(errno));
				return 2;
			}
		}
	}
	fprintf(stderr, "vfiosim: this build has no kernel backend: run make vfiosim-kernel "
		"(it builds build/vfiosim-kernel around Linux 6.12's vfio_iommu_type1.c)\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct cmd_env env = { .prog = argv[0] };
	const char *name = NULL;
	int i, j;

	/* Line by line, so that output reaches a pipe even if a sanitizer ends us. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* --backend may come anywhere; the subcommands never see it. */
	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
			name = argv[++i];
		} else if (starts_with(argv[i], "--backend=")) {
			name = argv[i] + strlen("--backend=");
		} else if (!strcmp(argv[i], "--backend")) {
			fprintf(stderr, "vfiosim: --backend needs a name (model or kernel)\n");
			return 2;
		} else {
			argv[j++] = argv[i];
		}
	}
	env.be = vfiosim_backend_find(name);
	env.backend_arg = name;
	if (!env.be) {
		if (starts_with(name, "kernel") && !starts_with(vfiosim_backend_name(), "kernel")) {
			char **args = calloc((size_t)argc + 3, sizeof(*args));

			if (!args)
				return 2;
			args[0] = argv[0];
			args[1] = "--backend";
			args[2] = (char *)name;
			for (i = 1; i < j; i++)
				args[i + 2] = argv[i];
			i = exec_kernel_build(args);
			free(args);
			return i;
		}
		fprintf(stderr, "vfiosim: no backend named \"%s\" in this build (it has %s)\n",
			name, vfiosim_backend_name());
		return 2;
	}
	argc = j;
	argv[argc] = NULL;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1, &env);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1, &env);
	if (!strcmp(argv[1], "migrate"))
		return cmd_migrate(argc - 1, argv + 1, &env);
	if (!strcmp(argv[1], "from-fuzz"))
		return cmd_from_fuzz(argc - 1, argv + 1, &env);
	if (!strcmp(argv[1], "--version")) {
		printf("vfiosim %u.%u\n", vfiosim_version() >> 16, vfiosim_version() & 0xffff);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "vfiosim: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
