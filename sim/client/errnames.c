// SPDX-License-Identifier: MIT
/*
 * errnames.c - errno names both ways (vfiosim_client.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfiosim_client.h"

#define E(x)	[x] = #x

/* By value; ENOTSUP, EOPNOTSUPP's other name, is only read (below). */
static const char *const names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(EBADF),
	E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV),
	E(EINVAL), E(ENOSPC), E(ENOTTY), E(EDOM), E(ERANGE), E(ENOSYS), E(EOVERFLOW),
	E(EOPNOTSUPP), E(EUCLEAN), E(ENOTRECOVERABLE),
};

const char *vfiosim_errno_name(int err)
{
	return err > 0 && (size_t)err < sizeof(names) / sizeof(names[0]) ? names[err] : NULL;
}

int vfiosim_errno_value(const char *name, size_t len)
{
	int err;

	if (len == strlen("ENOTSUP") && !memcmp(name, "ENOTSUP", len))
		return ENOTSUP;
	for (err = 1; (size_t)err < sizeof(names) / sizeof(names[0]); err++)
		if (names[err] && strlen(names[err]) == len && !memcmp(names[err], name, len))
			return err;
	return 0;
}

const char *vfiosim_ret_str(long long ret, char *buf, size_t len)
{
	const char *n = ret < 0 && ret > -4096 ? vfiosim_errno_name((int)-ret) : NULL;

	if (n)
		snprintf(buf, len, "-%s", n);
	else
		snprintf(buf, len, "%lld", ret);
	return buf;
}
