/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout probe of <linux/vfio.h>.  probe.c is built once against
 * uapi/linux/vfio.h and once against the installed kernel header, giving two
 * tables whose entries (size, alignment, offset or value, by name) must agree
 * one for one.  A third build takes the installed header with Linux 6.13's
 * rename of VFIO_TYPE1_NESTING_IOMMU applied (the Makefile makes it with
 * sed): the probe must build against newer headers too.
 *
 * _nesting_name: the name the header gave the nesting type's number ("" if
 * none, or no header).
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
extern const char probe_ours_nesting_name[];

/* Built against /usr/include; empty and have_header == 0 if not installed. */
extern const struct probe_entry probe_system[];
extern const unsigned int probe_system_count;
extern const int probe_system_have_header;
extern const char probe_system_nesting_name[];

/* The installed header as Linux 6.13 has it; empty if none is installed. */
extern const struct probe_entry probe_613[];
extern const unsigned int probe_613_count;
extern const int probe_613_have_header;
extern const char probe_613_nesting_name[];

#endif /* VFIOSIM_TESTS_UAPI_PROBE_H */
