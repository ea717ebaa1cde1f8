// SPDX-License-Identifier: MIT
/*
 * type1_tu.c - the kernel backend's translation unit: the shims' view of
 * the kernel (kshim.h, which pulls in the version's declarations), then
 * the unmodified drivers/vfio/vfio_iommu_type1.c of the tree under test,
 * then the adapter to the vfiosim backend interface, which needs the
 * driver's private structures to check them.  The pattern is the kernel's
 * own tools/testing/vma: stubs first, then #include of the real .c.
 *
 * It is compiled twice (kernel/README.md, "Warnings"): with the kernel's
 * own warnings, none fatal, for what the kernel's build would say about the
 * tree; and for the object, with KTU_KERNEL_QUIET, where the tree's file is
 * a system header, so that our code here keeps -Werror and the kernel's
 * lines cannot stop the build.
 */
#include "kshim.h"

#ifndef KSRC_TYPE1_C
#error "build with -DKSRC_TYPE1_C='\"/path/to/linux/drivers/vfio/vfio_iommu_type1.c\"'"
#endif
#ifdef KTU_KERNEL_QUIET
#include "ksrc_quiet.h"
#else
#include KSRC_TYPE1_C
#endif

#include "backend.c"
#include "check.c"
