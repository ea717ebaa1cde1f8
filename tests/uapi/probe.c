// SPDX-License-Identifier: GPL-2.0
/*
 * One table of <linux/vfio.h> facts.  Built once per header (see probe.h);
 * PROBE_NAME names the table, PROBE_NO_HEADER leaves it empty.  It must
 * build against any header from Linux 6.1 on: where a name was changed,
 * the entry keeps one name and takes its value from whichever the header
 * has, so that tables of old and new headers line up.
 */
#include <stddef.h>

#include "probe.h"

#ifndef PROBE_NAME
#error "build with -DPROBE_NAME=probe_ours or -DPROBE_NAME=probe_system"
#endif

#define PROBE_PASTE(a, b)	a##b
#define PROBE_GLUE(a, b)	PROBE_PASTE(a, b)

#ifdef PROBE_NO_HEADER

const struct probe_entry PROBE_NAME[] = { { NULL, 0 } };
const unsigned int PROBE_GLUE(PROBE_NAME, _count) = 0;
const int PROBE_GLUE(PROBE_NAME, _have_header) = 0;
const char PROBE_GLUE(PROBE_NAME, _nesting_name)[] = "";

#else

#include <linux/vfio.h>

/* Installed headers are guarded by VFIO_H; ours by _UAPI_LINUX_VFIO_H. */
#ifdef VFIO_H
#include <linux/version.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define PROBE_MAYBE_NO_INFO_PAD
#endif
#endif

#define PROBE_VALUE(m)		{ #m, (unsigned long long)(m) }
#define PROBE_STRUCT(s)		{ "sizeof(struct " #s ")", sizeof(struct s) }, \
				{ "_Alignof(struct " #s ")", _Alignof(struct s) }
#define PROBE_FIELD(s, f)	{ #s "." #f, offsetof(struct s, f) }, \
				{ "sizeof " #s "." #f, sizeof(((struct s *)0)->f) }
#define PROBE_FLEX(s, f)	{ #s "." #f "[]", offsetof(struct s, f) }, \
				{ "sizeof " #s "." #f "[0]", sizeof(((struct s *)0)->f[0]) }

/*
 * Older headers (e.g. 6.1) lack vfio_iommu_type1_info.pad and leave the same
 * four bytes as implicit tail padding: state where they are instead.
 */
#ifdef PROBE_MAYBE_NO_INFO_PAD
#define PROBE_TYPE1_INFO_PAD \
	{ "vfio_iommu_type1_info.pad", \
	  offsetof(struct vfio_iommu_type1_info, cap_offset) + sizeof(__u32) }, \
	{ "sizeof vfio_iommu_type1_info.pad", sizeof(__u32) }
#else
#define PROBE_TYPE1_INFO_PAD	PROBE_FIELD(vfio_iommu_type1_info, pad)
#endif

/*
 * Linux 6.13 dropped type1's nesting and renamed VFIO_TYPE1_NESTING_IOMMU
 * to __VFIO_RESERVED_TYPE1_NESTING_IOMMU: the number 6 stays reserved (and
 * type1 still takes it as v2), so it is still an ABI fact.  The entry
 * keeps the old name and takes the number from the name the header has;
 * _nesting_name says which one that was.  A header with neither name
 * leaves the entry out, and the comparison reports it "only in ours".
 */
#if defined(VFIO_TYPE1_NESTING_IOMMU)
#define PROBE_NESTING_NAME	"VFIO_TYPE1_NESTING_IOMMU"
#define PROBE_NESTING		PROBE_VALUE(VFIO_TYPE1_NESTING_IOMMU),
#elif defined(__VFIO_RESERVED_TYPE1_NESTING_IOMMU)
#define PROBE_NESTING_NAME	"__VFIO_RESERVED_TYPE1_NESTING_IOMMU"
#define PROBE_NESTING \
	{ "VFIO_TYPE1_NESTING_IOMMU", (unsigned long long)__VFIO_RESERVED_TYPE1_NESTING_IOMMU },
#else
#define PROBE_NESTING_NAME	""
#define PROBE_NESTING
#endif

const struct probe_entry PROBE_NAME[] = {
	PROBE_VALUE(VFIO_API_VERSION),
	PROBE_VALUE(VFIO_TYPE),
	PROBE_VALUE(VFIO_BASE),

	PROBE_VALUE(VFIO_TYPE1_IOMMU),
	PROBE_VALUE(VFIO_SPAPR_TCE_IOMMU),
	PROBE_VALUE(VFIO_TYPE1v2_IOMMU),
	PROBE_VALUE(VFIO_DMA_CC_IOMMU),
	PROBE_VALUE(VFIO_EEH),
	PROBE_NESTING
	PROBE_VALUE(VFIO_SPAPR_TCE_v2_IOMMU),
	PROBE_VALUE(VFIO_NOIOMMU_IOMMU),
	PROBE_VALUE(VFIO_UNMAP_ALL),
	PROBE_VALUE(VFIO_UPDATE_VADDR),

	PROBE_VALUE(VFIO_GET_API_VERSION),
	PROBE_VALUE(VFIO_CHECK_EXTENSION),
	PROBE_VALUE(VFIO_SET_IOMMU),
	PROBE_VALUE(VFIO_IOMMU_GET_INFO),
	PROBE_VALUE(VFIO_IOMMU_MAP_DMA),
	PROBE_VALUE(VFIO_IOMMU_UNMAP_DMA),
	PROBE_VALUE(VFIO_IOMMU_ENABLE),
	PROBE_VALUE(VFIO_IOMMU_DISABLE),
	PROBE_VALUE(VFIO_IOMMU_DIRTY_PAGES),

	PROBE_STRUCT(vfio_info_cap_header),
	PROBE_FIELD(vfio_info_cap_header, id),
	PROBE_FIELD(vfio_info_cap_header, version),
	PROBE_FIELD(vfio_info_cap_header, next),

	PROBE_STRUCT(vfio_iommu_type1_info),
	PROBE_FIELD(vfio_iommu_type1_info, argsz),
	PROBE_FIELD(vfio_iommu_type1_info, flags),
	PROBE_FIELD(vfio_iommu_type1_info, iova_pgsizes),
	PROBE_FIELD(vfio_iommu_type1_info, cap_offset),
	PROBE_TYPE1_INFO_PAD,
	PROBE_VALUE(VFIO_IOMMU_INFO_PGSIZES),
	PROBE_VALUE(VFIO_IOMMU_INFO_CAPS),

	PROBE_VALUE(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE),
	PROBE_STRUCT(vfio_iova_range),
	PROBE_FIELD(vfio_iova_range, start),
	PROBE_FIELD(vfio_iova_range, end),
	PROBE_STRUCT(vfio_iommu_type1_info_cap_iova_range),
	PROBE_FIELD(vfio_iommu_type1_info_cap_iova_range, header),
	PROBE_FIELD(vfio_iommu_type1_info_cap_iova_range, nr_iovas),
	PROBE_FIELD(vfio_iommu_type1_info_cap_iova_range, reserved),
	PROBE_FLEX(vfio_iommu_type1_info_cap_iova_range, iova_ranges),

	PROBE_VALUE(VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION),
	PROBE_STRUCT(vfio_iommu_type1_info_cap_migration),
	PROBE_FIELD(vfio_iommu_type1_info_cap_migration, header),
	PROBE_FIELD(vfio_iommu_type1_info_cap_migration, flags),
	PROBE_FIELD(vfio_iommu_type1_info_cap_migration, pgsize_bitmap),
	PROBE_FIELD(vfio_iommu_type1_info_cap_migration, max_dirty_bitmap_size),

	PROBE_VALUE(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL),
	PROBE_STRUCT(vfio_iommu_type1_info_dma_avail),
	PROBE_FIELD(vfio_iommu_type1_info_dma_avail, header),
	PROBE_FIELD(vfio_iommu_type1_info_dma_avail, avail),

	PROBE_STRUCT(vfio_iommu_type1_dma_map),
	PROBE_FIELD(vfio_iommu_type1_dma_map, argsz),
	PROBE_FIELD(vfio_iommu_type1_dma_map, flags),
	PROBE_FIELD(vfio_iommu_type1_dma_map, vaddr),
	PROBE_FIELD(vfio_iommu_type1_dma_map, iova),
	PROBE_FIELD(vfio_iommu_type1_dma_map, size),
	PROBE_VALUE(VFIO_DMA_MAP_FLAG_READ),
	PROBE_VALUE(VFIO_DMA_MAP_FLAG_WRITE),
	PROBE_VALUE(VFIO_DMA_MAP_FLAG_VADDR),

	PROBE_STRUCT(vfio_bitmap),
	PROBE_FIELD(vfio_bitmap, pgsize),
	PROBE_FIELD(vfio_bitmap, size),
	PROBE_FIELD(vfio_bitmap, data),

	PROBE_STRUCT(vfio_iommu_type1_dma_unmap),
	PROBE_FIELD(vfio_iommu_type1_dma_unmap, argsz),
	PROBE_FIELD(vfio_iommu_type1_dma_unmap, flags),
	PROBE_FIELD(vfio_iommu_type1_dma_unmap, iova),
	PROBE_FIELD(vfio_iommu_type1_dma_unmap, size),
	PROBE_FLEX(vfio_iommu_type1_dma_unmap, data),
	PROBE_VALUE(VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP),
	PROBE_VALUE(VFIO_DMA_UNMAP_FLAG_ALL),
	PROBE_VALUE(VFIO_DMA_UNMAP_FLAG_VADDR),

	PROBE_STRUCT(vfio_iommu_type1_dirty_bitmap),
	PROBE_FIELD(vfio_iommu_type1_dirty_bitmap, argsz),
	PROBE_FIELD(vfio_iommu_type1_dirty_bitmap, flags),
	PROBE_FLEX(vfio_iommu_type1_dirty_bitmap, data),
	PROBE_VALUE(VFIO_IOMMU_DIRTY_PAGES_FLAG_START),
	PROBE_VALUE(VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP),
	PROBE_VALUE(VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP),

	PROBE_STRUCT(vfio_iommu_type1_dirty_bitmap_get),
	PROBE_FIELD(vfio_iommu_type1_dirty_bitmap_get, iova),
	PROBE_FIELD(vfio_iommu_type1_dirty_bitmap_get, size),
	PROBE_FIELD(vfio_iommu_type1_dirty_bitmap_get, bitmap),
};

const unsigned int PROBE_GLUE(PROBE_NAME, _count) = sizeof(PROBE_NAME) / sizeof(PROBE_NAME[0]);
const int PROBE_GLUE(PROBE_NAME, _have_header) = 1;
const char PROBE_GLUE(PROBE_NAME, _nesting_name)[] = PROBE_NESTING_NAME;

#endif /* PROBE_NO_HEADER */
