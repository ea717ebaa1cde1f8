/* SPDX-License-Identifier: MIT */
/* linux/irqdomain.h - MSI isolation by the interrupt controller (type1 before 6.3). */
#ifndef KSHIM_LINUX_IRQDOMAIN_H
#define KSHIM_LINUX_IRQDOMAIN_H

#include <linux/types.h>

/* No MSI controller isolates interrupts by itself on the simulated x86:
 * isolation is the IOMMU's (iommu_group_has_isolated_msi(), linux/iommu.h). */
static inline bool irq_domain_check_msi_remap(void)
{
	return false;
}

#endif /* KSHIM_LINUX_IRQDOMAIN_H */
