// SPDX-License-Identifier: MIT
/*
 * type1_tu.c - the kernel backend's translation unit: the shims' view of
 * the kernel (kshim.h, which pulls in the version's declarations), then
 * the unmodified drivers/vfio/vfio_iommu_type1.c of the tree under test,
 * then the adapter to the vfiosim backend interface, which needs the
 * driver's private structures to check them.  The pattern is the kernel's
 * own tools/testing/vma: stubs first, then #include of the real .c.
 */
#include "kshim.h"

#ifndef KSRC_TYPE1_C
#error "build with -DKSRC_TYPE1_C='\"/path/to/linux/drivers/vfio/vfio_iommu_type1.c\"'"
#endif
#include KSRC_TYPE1_C

#include "backend.c"
#include "check.c"
