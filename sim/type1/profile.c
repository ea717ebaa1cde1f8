// SPDX-License-Identifier: MIT
/*
 * profile.c - which release brought each deliberate change of type1
 * (profile.h).  Read from the sources of 5.10, 6.1, 6.12 and 7.3; where
 * the exact release between two of those is not known from them, the
 * comment says so: every supported profile answers the same whichever
 * release in that interval is right.
 */
#include "type1/profile.h"
#include "type1/type1.h"

static const unsigned int t1_release[T1_NR_CHANGES] = {
	/* Both from the "vfio virtual address update" series. */
	[T1_UPDATE_VADDR] = VFIOSIM_KERNEL(5, 12),
	[T1_UNMAP_ALL] = VFIOSIM_KERNEL(5, 12),
	/* Between 5.11 and 6.1 (the external domain went with the mdev
	 * group rework). */
	[T1_NO_EXTERNAL_DOMAIN] = VFIOSIM_KERNEL(5, 16),
	/* "vfio: Pass in starting IOVA to vfio_pin/unpin_pages API". */
	[T1_PIN_BY_IOVA] = VFIOSIM_KERNEL(6, 0),
	/* Between 6.2 and 6.12. */
	[T1_INFO_WHOLE_HEADER] = VFIOSIM_KERNEL(6, 2),
	/* iommu_paging_domain_alloc(). */
	[T1_DOMAIN_ALLOC_ERRNO] = VFIOSIM_KERNEL(6, 11),
	/* The UAPI header renames the type in 6.13. */
	[T1_NO_NESTING] = VFIOSIM_KERNEL(6, 13),
	/* Between 6.13 and 7.2. */
	[T1_NO_FGSP_PROBE] = VFIOSIM_KERNEL(6, 13),
	/* "DMA map/unmap up to the addressable limit": between 6.18 and 7.2. */
	[T1_EOVERFLOW] = VFIOSIM_KERNEL(6, 19),
	[T1_PIN_NPAGE_CHECK] = VFIOSIM_KERNEL(6, 19),
};

bool t1_kernel_since(unsigned int kernel, enum t1_change c)
{
	return c < T1_NR_CHANGES && kernel >= t1_release[c];
}

bool t1_since(const struct t1_iommu *iommu, enum t1_change c)
{
	return t1_kernel_since(iommu->kernel, c);
}

unsigned int t1_change_release(enum t1_change c)
{
	return c < T1_NR_CHANGES ? t1_release[c] : 0;
}
