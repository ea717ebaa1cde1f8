// SPDX-License-Identifier: MIT
/*
 * args.c - the type1 ioctls' argument blocks, and the size of the dirty
 * bitmaps two of them carry (vfiosim_client.h).
 */
#include <string.h>

#include "vfiosim_client.h"

_Static_assert(offsetof(struct vfiosim_dirty_get_arg, get) ==
	       offsetof(struct vfio_iommu_type1_dirty_bitmap, data), "the range at data[]");
_Static_assert(offsetof(struct vfiosim_dirty_unmap_arg, bitmap) ==
	       offsetof(struct vfio_iommu_type1_dma_unmap, data), "vfio_bitmap at data[]");
_Static_assert(sizeof(struct vfiosim_dirty_get_arg) == 48 && sizeof(struct vfiosim_dirty_unmap_arg) == 48,
	       "no padding");

/* Whole structs assigned (none has padding): the fields not named are zero. */
void vfiosim_map_arg(struct vfio_iommu_type1_dma_map *a, uint32_t flags, uint64_t vaddr,
		     uint64_t iova, uint64_t size)
{
	*a = (struct vfio_iommu_type1_dma_map){ .argsz = sizeof(*a), .flags = flags,
		.vaddr = vaddr, .iova = iova, .size = size };
}

void vfiosim_unmap_arg(struct vfio_iommu_type1_dma_unmap *a, uint32_t flags, uint64_t iova,
		       uint64_t size)
{
	*a = (struct vfio_iommu_type1_dma_unmap){ .argsz = sizeof(*a), .flags = flags,
		.iova = iova, .size = size };
}

void vfiosim_unmap_bitmap_arg(struct vfiosim_dirty_unmap_arg *a, uint64_t iova, uint64_t size,
			      uint64_t pgsize, void *data, uint64_t bytes)
{
	*a = (struct vfiosim_dirty_unmap_arg){ .argsz = sizeof(*a),
		.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, .iova = iova, .size = size,
		.bitmap = { .pgsize = pgsize, .size = bytes, .data = data } };
}

void vfiosim_dirty_arg(struct vfio_iommu_type1_dirty_bitmap *a, uint32_t flags)
{
	*a = (struct vfio_iommu_type1_dirty_bitmap){ .argsz = sizeof(*a), .flags = flags };
}

void vfiosim_get_bitmap_arg(struct vfiosim_dirty_get_arg *a, uint64_t iova, uint64_t size,
			    uint64_t pgsize, void *data, uint64_t bytes)
{
	*a = (struct vfiosim_dirty_get_arg){ .argsz = sizeof(*a),
		.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
		.get = { .iova = iova, .size = size,
			 .bitmap = { .pgsize = pgsize, .size = bytes, .data = data } } };
}

void vfiosim_info_arg(struct vfio_iommu_type1_info *a, uint32_t argsz)
{
	*a = (struct vfio_iommu_type1_info){ .argsz = argsz };
}

void vfiosim_dirty_provider_arg(struct vfiosim_iommu_dirty_provider *a, unsigned int provider)
{
	*a = (struct vfiosim_iommu_dirty_provider){ .argsz = sizeof(*a), .provider = provider };
}

static const char *const provider_names[] = {
	[VFIOSIM_DIRTY_PROVIDER_PINNED] = "pinned",
	[VFIOSIM_DIRTY_PROVIDER_IOMMU] = "iommu",
	[VFIOSIM_DIRTY_PROVIDER_DEVICE] = "device",
	[VFIOSIM_DIRTY_PROVIDER_AUTO] = "auto",
};

const char *vfiosim_dirty_provider_name(unsigned int provider)
{
	return provider < sizeof(provider_names) / sizeof(provider_names[0]) ?
	       provider_names[provider] : NULL;
}

int vfiosim_dirty_provider_value(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < sizeof(provider_names) / sizeof(provider_names[0]); i++)
		if (!strcmp(name, provider_names[i]))
			return (int)i;
	return -1;
}

uint64_t vfiosim_bitmap_pages(uint64_t size, uint64_t pgsize)
{
	if (!pgsize || (pgsize & (pgsize - 1)))
		return 0;
	return size >> __builtin_ctzll(pgsize);
}

uint64_t vfiosim_bitmap_bytes(uint64_t npages)
{
	/* No npages + 63: it must not wrap for the largest count. */
	return (npages / 64 + (npages % 64 != 0)) * 8;
}
