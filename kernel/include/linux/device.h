/* SPDX-License-Identifier: MIT */
/*
 * linux/device.h - struct device and struct bus_type are declared per
 * kernel version (kernel/versions/), since type1 reaches the IOMMU through
 * dev->bus in some versions.
 */
#include <linux/mm.h>
