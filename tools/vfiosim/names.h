/* SPDX-License-Identifier: MIT */
/*
 * names.h - names of ioctls and IOMMU types, both ways; errno names are
 * the client library's (vfiosim_client.h).
 */
#ifndef VFIOSIM_CMD_NAMES_H
#define VFIOSIM_CMD_NAMES_H

#include <stddef.h>

#include "vfiosim_client.h"

const char *ioctl_name(unsigned int cmd);
/* 0 if the name is not one of the container ioctls. */
unsigned int ioctl_value(const char *s);

/* VFIO_SET_IOMMU / CHECK_EXTENSION words: v1, v2, nesting, dma-cc... */
int iommu_type_value(const char *s, size_t len);
const char *iommu_type_name(int type);

/* VFIOSIM_DIRTY_PROVIDER_* (the model's extension): pinned, iommu, device, auto. */
const char *dirty_provider_name(unsigned int provider);

#endif /* VFIOSIM_CMD_NAMES_H */
