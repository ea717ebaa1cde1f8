/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The slice of the VFIO user ABI that the type1 IOMMU backend serves:
 * container ioctls, type1 info capabilities, DMA map/unmap and dirty page
 * tracking.  Names, values and layouts are the kernel's (Linux 6.12) because
 * they are the ABI; tests/test_uapi_layout.c checks them against the
 * installed kernel headers.
 */
#ifndef _UAPI_LINUX_VFIO_H
#define _UAPI_LINUX_VFIO_H

/*
 * The installed header (guard VFIO_H, or _UAPIVFIO_H in a kernel tree)
 * declares the same structs; one translation unit must see only one of them.
 */
#if defined(VFIO_H) || defined(_UAPIVFIO_H)
#error "vfiosim: the system <linux/vfio.h> is already included; use only one"
#endif

#include <linux/types.h>
#include <linux/ioctl.h>

#define VFIO_API_VERSION	0

/* Extension ids, answered by VFIO_CHECK_EXTENSION and taken by VFIO_SET_IOMMU. */
#define VFIO_TYPE1_IOMMU		1
#define VFIO_SPAPR_TCE_IOMMU		2
#define VFIO_TYPE1v2_IOMMU		3
#define VFIO_DMA_CC_IOMMU		4	/* DMA is cache coherent */
#define VFIO_EEH			5
#define VFIO_TYPE1_NESTING_IOMMU	6
#define VFIO_SPAPR_TCE_v2_IOMMU		7
#define VFIO_NOIOMMU_IOMMU		8
#define VFIO_UNMAP_ALL			9	/* VFIO_DMA_UNMAP_FLAG_ALL works */
#define VFIO_UPDATE_VADDR		10	/* the _FLAG_VADDR pair works */

/*
 * Every request is _IO() with no size encoded: structures carry their own
 * argsz, so they can grow without changing the request number.
 */
#define VFIO_TYPE	(';')
#define VFIO_BASE	100

/*
 * Header of one capability in an INFO reply.  @next is a byte offset from
 * the start of the whole reply buffer; 0 ends the chain.
 */
struct vfio_info_cap_header {
	__u16	id;
	__u16	version;
	__u32	next;
};

/* Container (/dev/vfio/vfio) requests. */
#define VFIO_GET_API_VERSION	_IO(VFIO_TYPE, VFIO_BASE + 0)
#define VFIO_CHECK_EXTENSION	_IO(VFIO_TYPE, VFIO_BASE + 1)	/* arg: extension id */
#define VFIO_SET_IOMMU		_IO(VFIO_TYPE, VFIO_BASE + 2)	/* arg: extension id */

/*
 * VFIO_IOMMU_GET_INFO.  If argsz is too small for the capability chain the
 * call still succeeds, but raises argsz to the size needed and leaves
 * cap_offset at 0.
 */
struct vfio_iommu_type1_info {
	__u32		argsz;
	__u32		flags;
	__aligned_u64	iova_pgsizes;	/* page sizes the IOMMU can map */
	__u32		cap_offset;	/* first capability, 0 if none */
	__u32		pad;
};
#define VFIO_IOMMU_INFO_PGSIZES	(1 << 0)	/* iova_pgsizes is valid */
#define VFIO_IOMMU_INFO_CAPS	(1 << 1)	/* cap_offset is valid */

/* Capability 1, version 1: IOVA ranges usable for mapping, inclusive ends. */
#define VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE	1

struct vfio_iova_range {
	__u64	start;
	__u64	end;
};

struct vfio_iommu_type1_info_cap_iova_range {
	struct vfio_info_cap_header	header;
	__u32				nr_iovas;
	__u32				reserved;
	struct vfio_iova_range		iova_ranges[];
};

/*
 * Capability 2, version 1: present when dirty page tracking is supported.
 * pgsize_bitmap lists the page sizes a dirty bitmap may use;
 * max_dirty_bitmap_size bounds one bitmap, in bytes.
 */
#define VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION	2

struct vfio_iommu_type1_info_cap_migration {
	struct vfio_info_cap_header	header;
	__u32				flags;
	__u64				pgsize_bitmap;
	__u64				max_dirty_bitmap_size;
};

/* Capability 3, version 1: how many more DMA mappings may be created now. */
#define VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL		3

struct vfio_iommu_type1_info_dma_avail {
	struct vfio_info_cap_header	header;
	__u32				avail;
};

#define VFIO_IOMMU_GET_INFO	_IO(VFIO_TYPE, VFIO_BASE + 12)

/*
 * VFIO_IOMMU_MAP_DMA: map [vaddr, vaddr + size) of the caller at iova.
 * With _FLAG_VADDR it instead gives a new vaddr to a mapping whose vaddr was
 * invalidated by an unmap with _FLAG_VADDR; iova and size must then match
 * that mapping exactly and READ/WRITE must be clear.
 */
struct vfio_iommu_type1_dma_map {
	__u32	argsz;
	__u32	flags;
	__u64	vaddr;
	__u64	iova;
	__u64	size;
};
#define VFIO_DMA_MAP_FLAG_READ	(1 << 0)	/* the device may read */
#define VFIO_DMA_MAP_FLAG_WRITE	(1 << 1)	/* the device may write */
#define VFIO_DMA_MAP_FLAG_VADDR	(1 << 2)

#define VFIO_IOMMU_MAP_DMA	_IO(VFIO_TYPE, VFIO_BASE + 13)

/*
 * A user buffer that receives a dirty bitmap: bit n stands for the page of
 * pgsize bytes at n * pgsize from the start of the range.  The buffer is
 * @size bytes and must be zeroed by the caller.
 */
struct vfio_bitmap {
	__u64	pgsize;
	__u64	size;
	__u64	*data;
};

/*
 * VFIO_IOMMU_UNMAP_DMA: unmap [iova, iova + size); size is rewritten with
 * the number of bytes actually unmapped.  _GET_DIRTY_BITMAP expects a
 * struct vfio_bitmap in data[] and fills it before unmapping.  _ALL needs
 * iova and size of 0.  _VADDR only invalidates the user addresses and keeps
 * the IOMMU mappings.  Neither _ALL nor _VADDR mixes with _GET_DIRTY_BITMAP.
 */
struct vfio_iommu_type1_dma_unmap {
	__u32	argsz;
	__u32	flags;
	__u64	iova;
	__u64	size;
	__u8	data[];
};
#define VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP	(1 << 0)
#define VFIO_DMA_UNMAP_FLAG_ALL			(1 << 1)
#define VFIO_DMA_UNMAP_FLAG_VADDR		(1 << 2)

#define VFIO_IOMMU_UNMAP_DMA	_IO(VFIO_TYPE, VFIO_BASE + 14)

/* Used by the sPAPR backends only; type1 rejects them.  No argument. */
#define VFIO_IOMMU_ENABLE	_IO(VFIO_TYPE, VFIO_BASE + 15)
#define VFIO_IOMMU_DISABLE	_IO(VFIO_TYPE, VFIO_BASE + 16)

/*
 * VFIO_IOMMU_DIRTY_PAGES: exactly one flag per call.  _START and _STOP turn
 * dirty logging on and off for the whole container.  _GET_BITMAP reads the
 * log for one range: data[] holds a struct vfio_iommu_type1_dirty_bitmap_get
 * and argsz counts it, but not the bitmap buffer it points to.
 */
struct vfio_iommu_type1_dirty_bitmap {
	__u32	argsz;
	__u32	flags;
	__u8	data[];
};
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_START	(1 << 0)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP	(1 << 1)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP	(1 << 2)

struct vfio_iommu_type1_dirty_bitmap_get {
	__u64			iova;
	__u64			size;
	struct vfio_bitmap	bitmap;
};

#define VFIO_IOMMU_DIRTY_PAGES	_IO(VFIO_TYPE, VFIO_BASE + 17)

/*
 * ===================== vfiosim extension: NOT Linux UAPI =====================
 *
 * Container dirty providers (docs/dirty-providers.md).  Nothing below exists
 * in any Linux kernel: type1 only ever had pinned-page dirty tracking, and
 * the hardware dirty bits and device trackers it stands for are iommufd's
 * and VFIO_DEVICE_FEATURE_DMA_LOGGING_*'s.  A program that uses it runs
 * against the vfiosim model only; Linux answers the request with -ENOTTY,
 * which is how a program finds out it is not there.
 *
 * Why it cannot collide with Linux: every VFIO request is _IO(), direction
 * and size 0 (above), and so is every iommufd request, which shares the ';'
 * type from 0x80 up; this one is _IOW() with its struct's size encoded, so
 * its number differs from all of them, present or future, whatever offset
 * upstream reaches.  The capability id is taken from the
 * top of the 16-bit space while upstream numbers type1 capabilities from 1
 * up (3 so far), and it appears in GET_INFO only once this request has
 * succeeded, so no reply from Linux can carry it.
 */

/* Providers: who tells the container what a never-pinning device wrote. */
#define VFIOSIM_DIRTY_PROVIDER_PINNED	0	/* none: type1's rules, all dirty */
#define VFIOSIM_DIRTY_PROVIDER_IOMMU	1	/* the IOMMU's dirty bits */
#define VFIOSIM_DIRTY_PROVIDER_DEVICE	2	/* the device's own tracker */
#define VFIOSIM_DIRTY_PROVIDER_AUTO	3	/* IOMMU where it can, else device */

struct vfiosim_iommu_dirty_provider {
	__u32	argsz;
	__u32	flags;		/* 0 */
	__u32	provider;	/* VFIOSIM_DIRTY_PROVIDER_* */
	__u32	pad;		/* 0 */
};

/* Chooses the container's provider; allowed while tracking. */
#define VFIOSIM_IOMMU_DIRTY_PROVIDER	_IOW(VFIO_TYPE, VFIO_BASE + 100, \
					     struct vfiosim_iommu_dirty_provider)

/* GET_INFO capability, version 1, once a provider was chosen. */
#define VFIOSIM_IOMMU_TYPE1_INFO_CAP_DIRTY_PROVIDER	0xff01

struct vfiosim_iommu_type1_info_cap_dirty_provider {
	struct vfio_info_cap_header	header;
	__u32				provider;	/* the one chosen */
	__u32				flags;
	__u32				iommu_groups;	/* groups whose writes the */
	__u32				device_groups;	/* IOMMU, their device, record */
};
/* While tracking, no group makes the mappings all dirty. */
#define VFIOSIM_DIRTY_PROVIDER_FLAG_COVERED	(1 << 0)

/* =================== end of the vfiosim extension ==================== */

#endif /* _UAPI_LINUX_VFIO_H */
