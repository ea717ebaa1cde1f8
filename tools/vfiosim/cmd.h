/* SPDX-License-Identifier: MIT */
/*
 * cmd.h - the subcommands of vfiosim (main.c dispatches).
 */
#ifndef VFIOSIM_CMD_CMD_H
#define VFIOSIM_CMD_CMD_H

#include "vfiosim.h"

struct cmd_env {
	const struct vfiosim_backend *be;	/* --backend, resolved */
	const char *backend_arg;		/* as the user spelled it, or NULL */
	const char *prog;			/* argv[0], for commands we print */
};

/* Each returns the process exit status: 0 success, 1 failure, 2 usage. */
int cmd_run(int argc, char **argv, const struct cmd_env *env);
int cmd_replay(int argc, char **argv, const struct cmd_env *env);
int cmd_migrate(int argc, char **argv, const struct cmd_env *env);
int cmd_from_fuzz(int argc, char **argv, const struct cmd_env *env);

#endif /* VFIOSIM_CMD_CMD_H */
