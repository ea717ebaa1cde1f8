// SPDX-License-Identifier: MIT
/*
 * names.c - the tables behind names.h.
 */
#include <string.h>

#include "vfiosim.h"
#include "names.h"

#define I(x)	{ x, #x }

static const struct { unsigned int v; const char *name; } ioctls[] = {
	I(VFIO_GET_API_VERSION), I(VFIO_CHECK_EXTENSION), I(VFIO_SET_IOMMU),
	I(VFIO_IOMMU_GET_INFO), I(VFIO_IOMMU_MAP_DMA), I(VFIO_IOMMU_UNMAP_DMA),
	I(VFIO_IOMMU_DIRTY_PAGES), I(VFIOSIM_IOMMU_DIRTY_PROVIDER),
};

const char *ioctl_name(unsigned int cmd)
{
	size_t i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if (ioctls[i].v == cmd)
			return ioctls[i].name;
	return NULL;
}

unsigned int ioctl_value(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if (!strcmp(ioctls[i].name, s))
			return ioctls[i].v;
	return 0;
}

static const struct { int v; const char *name; } types[] = {
	{ VFIO_TYPE1_IOMMU, "v1" }, { VFIO_TYPE1v2_IOMMU, "v2" },
	{ VFIO_TYPE1_NESTING_IOMMU, "nesting" }, { VFIO_DMA_CC_IOMMU, "dma-cc" },
	{ VFIO_UNMAP_ALL, "unmap-all" }, { VFIO_UPDATE_VADDR, "update-vaddr" },
	{ VFIO_SPAPR_TCE_IOMMU, "spapr" }, { VFIO_EEH, "eeh" },
	{ VFIO_NOIOMMU_IOMMU, "noiommu" },
};

int iommu_type_value(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].name) == len && !memcmp(types[i].name, s, len))
			return types[i].v;
	return -1;
}

const char *iommu_type_name(int type)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].v == type)
			return types[i].name;
	return NULL;
}

const char *dirty_provider_name(unsigned int provider)
{
	static const char *const names[] = {
		[VFIOSIM_DIRTY_PROVIDER_PINNED] = "pinned", [VFIOSIM_DIRTY_PROVIDER_IOMMU] = "iommu",
		[VFIOSIM_DIRTY_PROVIDER_DEVICE] = "device", [VFIOSIM_DIRTY_PROVIDER_AUTO] = "auto",
	};

	return provider < sizeof(names) / sizeof(names[0]) ? names[provider] : NULL;
}
