/* SPDX-License-Identifier: MIT */
/*
 * kshim_linux.h - which Linux the shims stand in for, and the one table of
 * the releases that changed what type1 sees of the kernel.
 *
 * The build gives the tree's version, read from its Makefile
 * (kernel/ksrc.sh version): -DKSHIM_LINUX_MAJOR=7 -DKSHIM_LINUX_MINOR=3.
 * The shims then select each interface by the release that changed it,
 * never by a header per version, so that a tree which differs from a known
 * one only in ways listed here builds as it is (kernel/README.md, "How the
 * shims follow the kernel").  An interface that was only added or removed
 * is always provided: a tree that does not call it is not affected, and
 * stable backports carry additions into older releases (Debian's 5.10
 * calls follow_pte(), which mainline gained in 5.12).  Only an interface
 * that kept its name and changed its shape needs a line below.
 *
 * The releases were checked on the trees kcheck runs (5.10, 6.1, 6.12, 7.2,
 * 7.3); for the releases in between they are the best knowledge, and a
 * wrong one shows as a build error that names the interface.
 */
#ifndef KSHIM_LINUX_H
#define KSHIM_LINUX_H

#if !defined(KSHIM_LINUX_MAJOR) || !defined(KSHIM_LINUX_MINOR)
#error "build with -DKSHIM_LINUX_MAJOR=X -DKSHIM_LINUX_MINOR=Y, the tree's version (kernel/kernel.mk)"
#endif

/* Encoded as VFIOSIM_KERNEL() and the kernel's KERNEL_VERSION() without
 * the sublevel: 0x060c is 6.12. */
#define KSHIM_V(major, minor)	(((major) << 8) | (minor))
#define KSHIM_LINUX		KSHIM_V(KSHIM_LINUX_MAJOR, KSHIM_LINUX_MINOR)
#define KSHIM_VERSION_CODE	KSHIM_LINUX
#define KSHIM_STR_(x)		#x
#define KSHIM_STR(x)		KSHIM_STR_(x)
#define KSHIM_VERSION		KSHIM_STR(KSHIM_LINUX_MAJOR) "." KSHIM_STR(KSHIM_LINUX_MINOR)

#if KSHIM_LINUX < KSHIM_V(5, 10)
#error "kcheck supports Linux 5.10 and later (kernel/README.md)"
#endif

/* ------------------------------------------------ kernel interfaces */

/* attach_group(iommu_data, group, enum vfio_group_type): the VFIO core
 * says which groups are emulated; before, type1 asked whether the
 * group's bus was the mdev bus (symbol_get(mdev_bus_type)). */
#define KSHIM_GROUP_TYPE	(KSHIM_LINUX >= KSHIM_V(5, 16))

/* Vendor pins by IOVA into a struct page *[], unpins by IOVA, and hears of
 * unmaps through vfio_device_ops.dma_unmap of a registered device; before,
 * arrays of user and host pfns and a notifier chain (register_notifier). */
#define KSHIM_PIN_BY_IOVA	(KSHIM_LINUX >= KSHIM_V(6, 0))

/* iommu_map(..., prot, gfp). */
#define KSHIM_IOMMU_MAP_GFP	(KSHIM_LINUX >= KSHIM_V(6, 3))

/* pin_user_pages_remote(..., pages, vmas, locked) until 6.5 dropped vmas. */
#define KSHIM_GUP_VMAS		(KSHIM_LINUX < KSHIM_V(6, 5))

/* follow_pte(vma, ...) from 6.10, follow_pte(mm, ...) before; 6.12
 * replaced it by follow_pfnmap_start(), which is always provided. */
#define KSHIM_FOLLOW_PTE_VMA	(KSHIM_LINUX >= KSHIM_V(6, 10))

/* --------------------- type1's own structures, read by kernel/check.c */

/* vfio_dma.vaddr_invalid and vfio_iommu.vaddr_invalid_count (VFIO_UPDATE_VADDR). */
#define KSHIM_T1_VADDR		(KSHIM_LINUX >= KSHIM_V(5, 12))
/* vfio_iommu.num_non_pinned_groups; before, a pinned_page_dirty_scope flag. */
#define KSHIM_T1_NON_PINNED	(KSHIM_LINUX >= KSHIM_V(5, 12))
/* struct vfio_iommu_group and vfio_iommu.emulated_iommu_groups; before,
 * struct vfio_group and an "external" domain holding the mdev groups. */
#define KSHIM_T1_EMULATED	(KSHIM_LINUX >= KSHIM_V(5, 16))
/* vfio_dma.locked_vm: 6.2, and the 6.1 stable releases ("vfio/type1: track
 * locked_vm per dma"). */
#define KSHIM_T1_LOCKED_VM	(KSHIM_LINUX >= KSHIM_V(6, 1))
/* vfio_iommu.device_list (registered devices, see KSHIM_PIN_BY_IOVA). */
#define KSHIM_T1_DEVICES	KSHIM_PIN_BY_IOVA

#endif /* KSHIM_LINUX_H */
