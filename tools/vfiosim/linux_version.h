/* SPDX-License-Identifier: MIT */
/*
 * linux_version.h - the Linux version a run's model answers as (its profile):
 * "6.12" read and written, and which profile a backend follows for a
 * version asked for (--kernel, a scenario's "host kernel", a trace).
 *
 * The model follows any version from VFIOSIM_KERNEL_OLDEST to
 * VFIOSIM_KERNEL_NEWEST; a kernel backend only its own tree's (capped at
 * the newest, as vfiosim_container_kernel() says).
 */
#ifndef VFIOSIM_CMD_LINUX_VERSION_H
#define VFIOSIM_CMD_LINUX_VERSION_H

#include <stddef.h>

#include "vfiosim.h"

/*
 * "6.12" (len bytes, no NUL needed) into VFIOSIM_KERNEL(6, 12): MAJOR.MINOR
 * of a Linux release within the supported range, nothing else.  0, or -1
 * with the reason in err; every reason names the supported range.
 */
int profile_parse(const char *s, size_t len, unsigned int *v, char *err, size_t errlen);
/* "6.12" */
const char *profile_str(unsigned int v, char *buf, size_t len);
/* "5.10 to 7.3": the versions with a profile, for messages and --help. */
const char *profile_range(char *buf, size_t len);

/*
 * The profile a container of a backend of version backend_version
 * (vfiosim_backend_version(): 0 for the model) follows on a host asking
 * for kernel (0: not asked).  0 if that backend cannot follow it.
 */
unsigned int profile_of(unsigned int backend_version, unsigned int kernel);
/* The same for a backend. */
unsigned int profile_of_backend(const struct vfiosim_backend *be, unsigned int kernel);
/*
 * Whether a backend of backend_version can answer as kernel: 0, or -1 with
 * a sentence naming both versions in why.
 */
int profile_check(unsigned int backend_version, unsigned int kernel, char *why, size_t len);

/*
 * The --kernel option of command cmd ("vfiosim run") for backend be: 0, or
 * -1 after saying on stderr why it is not a version be can answer as.
 */
int kernel_arg(const char *cmd, const char *arg, const struct vfiosim_backend *be,
	       unsigned int *v);

#endif /* VFIOSIM_CMD_LINUX_VERSION_H */
