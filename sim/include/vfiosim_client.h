/* SPDX-License-Identifier: MIT */
/*
 * vfiosim_client.h - the VMM's side of the contract: what every program
 * that drives a container needs besides vfiosim.h.
 *
 * The argument blocks of the type1 ioctls laid out as the kernel reads
 * them, the size of a dirty bitmap, the walk of GET_INFO's capability
 * chain, where programs put guest memory, the names of errnos and the
 * random stream of seeded runs.  Built
 * on vfiosim.h and <linux/vfio.h> alone (libvfiosim's sim/client/), so it
 * serves every backend alike.  The tests, the fuzzers, the benchmark and
 * the vfiosim command keep no copy of any of it.
 */
#ifndef VFIOSIM_CLIENT_H
#define VFIOSIM_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#include "vfiosim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ arguments */

/*
 * Two UAPI structs end in a flexible data[] that carries the rest of the
 * request; laid out whole here, so that callers can build them on the
 * stack.  Both are 48 bytes with no padding.
 *
 *   VFIO_IOMMU_DIRTY_PAGES with GET_BITMAP: the header (argsz, flags),
 *   then struct vfio_iommu_type1_dirty_bitmap_get at offset 8.
 */
struct vfiosim_dirty_get_arg {
	__u32 argsz;
	__u32 flags;
	struct vfio_iommu_type1_dirty_bitmap_get get;
};

/*   VFIO_IOMMU_UNMAP_DMA with GET_DIRTY_BITMAP: struct vfio_bitmap at offset 24. */
struct vfiosim_dirty_unmap_arg {
	__u32 argsz;
	__u32 flags;
	__u64 iova;
	__u64 size;
	struct vfio_bitmap bitmap;
};

/*
 * Each fills the whole argument of its call, argsz its natural size: the
 * struct, or the struct with its data[] for the two forms that carry a
 * bitmap.  A caller that tries other argsz values or flags sets them
 * afterwards.
 */
void vfiosim_map_arg(struct vfio_iommu_type1_dma_map *a, uint32_t flags, uint64_t vaddr,
		     uint64_t iova, uint64_t size);
void vfiosim_unmap_arg(struct vfio_iommu_type1_dma_unmap *a, uint32_t flags, uint64_t iova,
		       uint64_t size);
/* flags VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP; bytes is bitmap.size. */
void vfiosim_unmap_bitmap_arg(struct vfiosim_dirty_unmap_arg *a, uint64_t iova, uint64_t size,
			      uint64_t pgsize, void *data, uint64_t bytes);
/* VFIO_IOMMU_DIRTY_PAGES without a range: START or STOP. */
void vfiosim_dirty_arg(struct vfio_iommu_type1_dirty_bitmap *a, uint32_t flags);
/* flags VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP; bytes is bitmap.size. */
void vfiosim_get_bitmap_arg(struct vfiosim_dirty_get_arg *a, uint64_t iova, uint64_t size,
			    uint64_t pgsize, void *data, uint64_t bytes);
/* VFIO_IOMMU_GET_INFO's fixed part, asking for argsz bytes of reply. */
void vfiosim_info_arg(struct vfio_iommu_type1_info *a, uint32_t argsz);
/*
 * The vfiosim extension's VFIOSIM_IOMMU_DIRTY_PROVIDER (docs/dirty-providers.md).
 * Its struct is in the project's uapi/linux/vfio.h only, not in a system
 * header: a program built against one chooses by name or number through
 * vfiosim_container_set_dirty_provider().
 */
struct vfiosim_iommu_dirty_provider;
void vfiosim_dirty_provider_arg(struct vfiosim_iommu_dirty_provider *a, unsigned int provider);
/* "pinned", "iommu", "device", "auto" for VFIOSIM_DIRTY_PROVIDER_*; NULL for another value. */
const char *vfiosim_dirty_provider_name(unsigned int provider);
/* The VFIOSIM_DIRTY_PROVIDER_* of such a name, or -1. */
int vfiosim_dirty_provider_value(const char *name);

/* --------------------------------------------------------------- bitmaps */

/*
 * A dirty report over [iova, iova + size) has a bit per page of pgsize:
 *
 *   pages = size / pgsize                  (pgsize a power of two)
 *   bytes = 8 * DIV_ROUND_UP(pages, 64)    whole u64 words, as the kernel
 *                                          demands of bitmap.size
 *
 * vfiosim_bitmap_pages() is 0 when pgsize is 0 or not a power of two (no
 * report has such pages).
 */
uint64_t vfiosim_bitmap_pages(uint64_t size, uint64_t pgsize);
uint64_t vfiosim_bitmap_bytes(uint64_t npages);

/* -------------------------------------------------------- GET_INFO's chain */

/*
 * The capabilities of a GET_INFO reply of argsz bytes, front to back.  A
 * well-formed chain starts at cap_offset (with VFIO_IOMMU_INFO_CAPS set)
 * and every offset in it is 8-aligned, lies past the fixed struct and the
 * capability before it, and leaves room inside argsz for the capability
 * it names: the known ids at their full size (an IOVA range capability
 * with all its ranges), any other id its header.  The walk trusts
 * nothing else: it stops at the first offset that breaks a rule and says
 * why.
 */
struct vfiosim_caps {
	const unsigned char *buf;
	uint32_t argsz;
	uint64_t off;			/* the next capability's offset, 0 at the end */
	uint64_t end;			/* where the previous one ended */
	char why[128];			/* why the walk stopped early; "" if it did not */
};

void vfiosim_caps_start(struct vfiosim_caps *w, const void *info, uint32_t argsz);
/* The next capability, NULL at the end of the chain or at a broken link. */
const struct vfio_info_cap_header *vfiosim_caps_next(struct vfiosim_caps *w);
/* The bytes a capability takes as its id says (its header for an unknown id). */
uint64_t vfiosim_cap_size(const struct vfio_info_cap_header *hdr);

/* ----------------------------------------------------------- guest memory */

/*
 * Where the project's programs put guest memory in the simulated process:
 * from 4 GiB up, away from any program's own addresses (vfiosim.h), each
 * region at its own address so that a stray pointer names one region.
 */
#define VFIOSIM_GUEST_RAM		0x100000000ULL	/* read-write RAM */
#define VFIOSIM_GUEST_RAM_SIZE		(64ULL << 20)
#define VFIOSIM_GUEST_SCATTER		0x180000000ULL	/* RAM of scattered pfns */
#define VFIOSIM_GUEST_SCATTER_SIZE	(16ULL << 20)
#define VFIOSIM_GUEST_RO		0x200000000ULL	/* read-only memory */
#define VFIOSIM_GUEST_RO_SIZE		(4ULL << 20)
#define VFIOSIM_GUEST_MMIO		0x280000000ULL	/* MMIO (VM_PFNMAP) */
#define VFIOSIM_GUEST_MMIO_SIZE		(4ULL << 20)
#define VFIOSIM_GUEST_HOLE		0x700000000ULL	/* never mapped */
/* Where mappings go: aligned to every page size used, far from the MSI
 * window and inside every default aperture. */
#define VFIOSIM_IOVA			0x40000000ULL

/* The regions vfiosim_guest_map() maps, in this order. */
#define VFIOSIM_LAYOUT_RAM		0x1
#define VFIOSIM_LAYOUT_SCATTER		0x2
#define VFIOSIM_LAYOUT_RO		0x4
#define VFIOSIM_LAYOUT_MMIO		0x8

/* A region of the layout, as vfiosim_guest_map() maps it. */
struct vfiosim_guest_region {
	unsigned int region;		/* VFIOSIM_LAYOUT_* */
	uint64_t vaddr, size;
	int prot;			/* VFIOSIM_PROT_* */
	unsigned int flags;		/* VFIOSIM_MM_* */
	const char *what;		/* "guest RAM", ... */
};

/* The i-th region in vfiosim_guest_map()'s order, NULL past the last. */
const struct vfiosim_guest_region *vfiosim_guest_region(unsigned int i);

/*
 * Maps the chosen regions at their standard addresses and sizes; 0, or
 * the first failure's -errno with *what (if what is not NULL) naming its
 * region ("guest RAM", ...).
 */
int vfiosim_guest_map(struct vfiosim_host *h, unsigned int regions, const char **what);

/* ----------------------------------------------------------------- errnos */

/* "EINVAL" for EINVAL, NULL for an errno the project never meets. */
const char *vfiosim_errno_name(int err);
/* The errno the len bytes at name spell ("EINVAL", case-sensitive), 0 if none. */
int vfiosim_errno_value(const char *name, size_t len);
/* A return value as the kernel's convention shows it: "0", "3", "-EINVAL". */
const char *vfiosim_ret_str(long long ret, char *buf, size_t len);

/* ------------------------------------------------------- seeded choices */

/*
 * splitmix64: advances *state and returns the next value.  The stream is
 * the same on every libc, so that a printed seed replays a random scenario
 * or test anywhere.
 */
static inline uint64_t vfiosim_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#ifdef __cplusplus
}
#endif
#endif /* VFIOSIM_CLIENT_H */
