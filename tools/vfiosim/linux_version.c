// SPDX-License-Identifier: MIT
/*
 * linux_version.c - Linux versions as the command reads and prints them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "linux_version.h"

/*
 * The last minor release of each major line before the newest one, so that
 * a version that never existed ("6.21") is refused rather than read as a
 * later one.  The newest line ends at VFIOSIM_KERNEL_NEWEST.
 */
static const struct {
	unsigned int major, last;
} lines[] = {
	{ 5, 19 },
	{ 6, 19 },
};

static bool digits(const char *s, size_t len, unsigned int *v)
{
	size_t i;

	/* "6.01" could mean 6.1 or be a typo: a number has no leading zero. */
	if (!len || len > 3 || (len > 1 && s[0] == '0'))
		return false;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned int)(s[i] - '0');
	}
	return true;
}

int profile_parse(const char *s, size_t len, unsigned int *v, char *err, size_t errlen)
{
	unsigned int major, minor, i;
	char range[64], r[32];
	size_t dot;

	snprintf(range, sizeof(range), "the profiles are Linux %s", profile_range(r, sizeof(r)));
	for (dot = 0; dot < len && s[dot] != '.'; dot++)
		;
	if (dot == len || !digits(s, dot, &major) || !digits(s + dot + 1, len - dot - 1, &minor)) {
		snprintf(err, errlen, "expected a Linux version like 6.12 (MAJOR.MINOR), got "
			 "\"%.*s\"; %s", (int)(len < 32 ? len : 32), s, range);
		return -1;
	}
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (lines[i].major == major && minor > lines[i].last) {
			snprintf(err, errlen, "there is no Linux %u.%u (%u.%u was the last %u.x); "
				 "%s", major, minor, major, lines[i].last, major, range);
			return -1;
		}
	}
	if (major > 255 || minor > 255 || VFIOSIM_KERNEL(major, minor) < VFIOSIM_KERNEL_OLDEST ||
	    VFIOSIM_KERNEL(major, minor) > VFIOSIM_KERNEL_NEWEST) {
		snprintf(err, errlen, "Linux %u.%u has no profile; %s", major, minor, range);
		return -1;
	}
	*v = VFIOSIM_KERNEL(major, minor);
	return 0;
}

const char *profile_str(unsigned int v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", VFIOSIM_KERNEL_MAJOR(v), VFIOSIM_KERNEL_MINOR(v));
	return buf;
}

const char *profile_range(char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u to %u.%u", VFIOSIM_KERNEL_MAJOR(VFIOSIM_KERNEL_OLDEST),
		 VFIOSIM_KERNEL_MINOR(VFIOSIM_KERNEL_OLDEST),
		 VFIOSIM_KERNEL_MAJOR(VFIOSIM_KERNEL_NEWEST),
		 VFIOSIM_KERNEL_MINOR(VFIOSIM_KERNEL_NEWEST));
	return buf;
}

unsigned int profile_of(unsigned int backend_version, unsigned int kernel)
{
	unsigned int own = backend_version < VFIOSIM_KERNEL_NEWEST ? backend_version :
			   VFIOSIM_KERNEL_NEWEST;

	if (!backend_version)
		return kernel ? kernel : VFIOSIM_KERNEL_NEWEST;
	return !kernel || kernel == own ? own : 0;
}

unsigned int profile_of_backend(const struct vfiosim_backend *be, unsigned int kernel)
{
	return profile_of(vfiosim_backend_version(be), kernel);
}

int profile_check(unsigned int backend_version, unsigned int kernel, char *why, size_t len)
{
	char a[16], b[16], c[16];

	if (profile_of(backend_version, kernel))
		return 0;
	if (backend_version > VFIOSIM_KERNEL_NEWEST)
		snprintf(why, len, "this kernel backend is Linux %s's type1, which runs as the "
			 "Linux %s profile, not as Linux %s",
			 profile_str(backend_version, a, sizeof(a)),
			 profile_str(VFIOSIM_KERNEL_NEWEST, b, sizeof(b)),
			 profile_str(kernel, c, sizeof(c)));
	else
		snprintf(why, len, "this kernel backend is Linux %s's type1: it cannot answer as "
			 "Linux %s (build one from that tree: make vfiosim-kernel KSRC=..., or "
			 "run the model)", profile_str(backend_version, a, sizeof(a)),
			 profile_str(kernel, b, sizeof(b)));
	return -1;
}

int kernel_arg(const char *cmd, const char *arg, const struct vfiosim_backend *be,
	       unsigned int *v)
{
	char err[300];

	if (profile_parse(arg, strlen(arg), v, err, sizeof(err)) ||
	    profile_check(vfiosim_backend_version(be), *v, err, sizeof(err))) {
		fprintf(stderr, "%s: --kernel %s: %s\n", cmd, arg, err);
		return -1;
	}
	return 0;
}
