// SPDX-License-Identifier: MIT
/*
 * caps.c - walking the capability chain of a VFIO_IOMMU_GET_INFO reply
 * (vfiosim_client.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "vfiosim_client.h"

uint64_t vfiosim_cap_size(const struct vfio_info_cap_header *hdr)
{
	const struct vfio_iommu_type1_info_cap_iova_range *r;

	switch (hdr->id) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE:
		r = (const void *)hdr;
		return sizeof(*r) + (uint64_t)r->nr_iovas * sizeof(r->iova_ranges[0]);
	case VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION:
		return sizeof(struct vfio_iommu_type1_info_cap_migration);
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL:
		return sizeof(struct vfio_iommu_type1_info_dma_avail);
	default:
		return sizeof(*hdr);
	}
}

void vfiosim_caps_start(struct vfiosim_caps *w, const void *info, uint32_t argsz)
{
	const struct vfio_iommu_type1_info *in = info;

	w->buf = info;
	w->argsz = argsz;
	w->off = in->cap_offset;
	w->end = sizeof(*in);
	w->why[0] = '\0';
	if (w->off && !(in->flags & VFIO_IOMMU_INFO_CAPS)) {
		snprintf(w->why, sizeof(w->why), "cap_offset %" PRIu64 " without INFO_CAPS",
			 w->off);
		w->off = 0;
	}
}

const struct vfio_info_cap_header *vfiosim_caps_next(struct vfiosim_caps *w)
{
	const struct vfio_info_cap_header *hdr;
	uint64_t off = w->off, size;

	if (!off)
		return NULL;
	w->off = 0;
	if (off % 8) {
		snprintf(w->why, sizeof(w->why), "offset %" PRIu64 " not 8-aligned", off);
		return NULL;
	}
	if (off < w->end) {
		snprintf(w->why, sizeof(w->why), "offset %" PRIu64 " goes back into [0, %" PRIu64
			 ")", off, w->end);
		return NULL;
	}
	if (off > w->argsz || w->argsz - off < sizeof(*hdr)) {
		snprintf(w->why, sizeof(w->why), "header at %" PRIu64 " beyond argsz %u", off,
			 w->argsz);
		return NULL;
	}
	hdr = (const void *)(w->buf + off);
	size = vfiosim_cap_size(hdr);
	if (size > w->argsz - off) {
		snprintf(w->why, sizeof(w->why), "capability %u at %" PRIu64 " (%" PRIu64
			 " bytes) beyond argsz %u", hdr->id, off, size, w->argsz);
		return NULL;
	}
	w->end = off + size;
	w->off = hdr->next;
	return hdr;
}
