/* SPDX-License-Identifier: MIT */
/*
 * linux/mdev.h - the mediated-device bus, which type1 before Linux 5.16
 * looked up with symbol_get() to recognise an emulated group: the devices
 * of the host's emulated groups sit on it, and none has an IOMMU device
 * behind it (no aux domains).
 */
#ifndef KSHIM_LINUX_MDEV_H
#define KSHIM_LINUX_MDEV_H

#include <linux/device.h>

extern struct bus_type mdev_bus_type;

struct device *mdev_get_iommu_device(struct device *dev);

#endif /* KSHIM_LINUX_MDEV_H */
