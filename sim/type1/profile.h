/* SPDX-License-Identifier: MIT */
/*
 * profile.h - the behaviours of type1 that upstream changed on purpose, each
 * keyed to the release that brought it (profile.c holds the table, the one
 * place to correct a release).  A driver instance answers as the kernel
 * version of its host (host_kernel()): t1_since(iommu, T1_EOVERFLOW) is
 * whether that version has the change.
 *
 * Defect fixes are not here: the model keeps the fixed behaviour on every
 * version and docs/divergences.md names the versions with the defect.
 */
#ifndef VFIOSIM_TYPE1_PROFILE_H
#define VFIOSIM_TYPE1_PROFILE_H

#include <stdbool.h>

enum t1_change {
	/* VFIO_UPDATE_VADDR: MAP_FLAG_VADDR, UNMAP_FLAG_VADDR, the extension */
	T1_UPDATE_VADDR,
	/* VFIO_UNMAP_ALL: UNMAP_FLAG_ALL and the extension */
	T1_UNMAP_ALL,
	/* emulated groups join a list; before, the first one's attach also
	 * allocated an "external domain" (one more allocation point) */
	T1_NO_EXTERNAL_DOMAIN,
	/* vendor pins name an IOVA, and an unpin that meets an unmapped page
	 * WARNs; before, pages by number, and a short unpin was silent */
	T1_PIN_BY_IOVA,
	/* GET_INFO writes back min(argsz, sizeof(info)) bytes; before, the
	 * 16 bytes up to iova_pgsizes, or 20 up to cap_offset */
	T1_INFO_WHOLE_HEADER,
	/* attach passes the domain allocation's errno up; before, -EIO */
	T1_DOMAIN_ALLOC_ERRNO,
	/* VFIO_TYPE1_NESTING_IOMMU is gone: no extension, SET_IOMMU -ENODEV */
	T1_NO_NESTING,
	/* no fine-grained superpage probe at attach (its allocation, its
	 * IOMMU map and unmap); unmap always takes contiguous runs */
	T1_NO_FGSP_PROBE,
	/* ranges that wrap fail with -EOVERFLOW (MAP iova or vaddr, UNMAP,
	 * GET_BITMAP, vendor pin); MAP checks size 0 and wrapping first */
	T1_EOVERFLOW,
	/* a vendor pin of npage <= 0 is refused (-EINVAL) before anything */
	T1_PIN_NPAGE_CHECK,
	T1_NR_CHANGES
};

struct t1_iommu;

/* Whether Linux `kernel` (VFIOSIM_KERNEL()) has the change. */
bool t1_kernel_since(unsigned int kernel, enum t1_change c);
/* The same for the version the driver instance follows. */
bool t1_since(const struct t1_iommu *iommu, enum t1_change c);
/* The release that brought it (VFIOSIM_KERNEL()), for messages and tests. */
unsigned int t1_change_release(enum t1_change c);

#endif /* VFIOSIM_TYPE1_PROFILE_H */
