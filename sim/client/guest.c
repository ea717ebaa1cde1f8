// SPDX-License-Identifier: MIT
/*
 * guest.c - the standard guest memory layout (vfiosim_client.h).
 */
#include "vfiosim_client.h"

static const struct vfiosim_guest_region layout[] = {
	{ VFIOSIM_LAYOUT_RAM, VFIOSIM_GUEST_RAM, VFIOSIM_GUEST_RAM_SIZE,
	  VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, 0, "guest RAM" },
	{ VFIOSIM_LAYOUT_SCATTER, VFIOSIM_GUEST_SCATTER, VFIOSIM_GUEST_SCATTER_SIZE,
	  VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, VFIOSIM_MM_SCATTER, "scattered guest RAM" },
	{ VFIOSIM_LAYOUT_RO, VFIOSIM_GUEST_RO, VFIOSIM_GUEST_RO_SIZE, VFIOSIM_PROT_READ, 0,
	  "read-only guest memory" },
	{ VFIOSIM_LAYOUT_MMIO, VFIOSIM_GUEST_MMIO, VFIOSIM_GUEST_MMIO_SIZE,
	  VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, VFIOSIM_MM_PFNMAP, "MMIO" },
};

const struct vfiosim_guest_region *vfiosim_guest_region(unsigned int i)
{
	return i < sizeof(layout) / sizeof(layout[0]) ? &layout[i] : NULL;
}

int vfiosim_guest_map(struct vfiosim_host *h, unsigned int regions, const char **what)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
		if (!(regions & layout[i].region))
			continue;
		ret = vfiosim_mm_map_flags(h, layout[i].vaddr, layout[i].size, layout[i].prot,
					   layout[i].flags);
		if (ret) {
			if (what)
				*what = layout[i].what;
			return ret;
		}
	}
	return 0;
}
