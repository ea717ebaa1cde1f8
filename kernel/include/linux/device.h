/* SPDX-License-Identifier: MIT */
/*
 * linux/device.h - a group's one device and its bus.  Before Linux 6.11
 * type1 allocated a domain for the group's bus (iommu_domain_alloc(bus)),
 * and before 5.16 it recognised an mdev group by its bus being
 * mdev_bus_type (linux/mdev.h), so each group has a bus of its own that
 * leads back to it (kernel/shim/iommu.c).
 */
#ifndef KSHIM_LINUX_DEVICE_H
#define KSHIM_LINUX_DEVICE_H

#include <linux/mm.h>

struct iommu_group;

struct bus_type {
	const char *name;
	struct iommu_group *kshim_group;	/* stands for bus->iommu_ops */
};

struct device {
	struct bus_type *bus;
	struct iommu_group *kshim_group;	/* the group it belongs to */
};

#endif /* KSHIM_LINUX_DEVICE_H */
