/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout probe of <linux/vfio.h>.  probe.c is built twice, once against
 * uapi/linux/vfio.h and once against the installed kernel header, giving two
 * tables whose entries (size, alignment, offset or value, by name) must agree
 * one for one.
 */
#ifndef VFIOSIM_TESTS_UAPI_PROBE_H
#define VFIOSIM_TESTS_UAPI_PROBE_H

struct probe_entry {
	const char		*name;
	unsigned long long	value;
};

/* Built with -Iuapi: our header. */
extern const struct probe_entry probe_ours[];
extern const unsigned int probe_ours_count;
extern const int probe_ours_have_header;

/* Built against /usr/include; empty and have_header == 0 if not installed. */
extern const struct probe_entry probe_system[];
extern const unsigned int probe_system_count;
extern const int probe_system_have_header;

#endif /* VFIOSIM_TESTS_UAPI_PROBE_H */
