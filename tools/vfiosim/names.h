/* SPDX-License-Identifier: MIT */
/*
 * names.h - names of errnos, ioctls and IOMMU types, both ways.
 */
#ifndef VFIOSIM_CMD_NAMES_H
#define VFIOSIM_CMD_NAMES_H

#include <stddef.h>

/* "EINVAL" for EINVAL, NULL if unknown. */
const char *errno_name(int e);
/* The errno a name spells ("EINVAL", case-sensitive), 0 if none. */
int errno_value(const char *s, size_t len);
/* A return value as the kernel would show it: "0", "3", "-EINVAL". */
const char *ret_str(long long ret, char *buf, size_t len);

const char *ioctl_name(unsigned int cmd);
/* 0 if the name is not one of the container ioctls. */
unsigned int ioctl_value(const char *s);

/* VFIO_SET_IOMMU / CHECK_EXTENSION words: v1, v2, nesting, dma-cc... */
int iommu_type_value(const char *s, size_t len);
const char *iommu_type_name(int type);

#endif /* VFIOSIM_CMD_NAMES_H */
