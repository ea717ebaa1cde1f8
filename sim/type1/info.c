// SPDX-License-Identifier: MIT
/*
 * info.c - VFIO_IOMMU_GET_INFO and VFIO_CHECK_EXTENSION.
 *
 * GET_INFO answers with the page sizes and a chain of capabilities behind
 * the fixed struct: migration (dirty tracking), the number of mappings
 * still available, and the valid IOVA ranges (absent while there are
 * none), each padded to 8 bytes.  The chain is built in a growing buffer
 * whose `next` offsets are relative to the buffer, then shifted by the
 * size of the fixed struct when copied out behind it.  A caller whose
 * argsz cannot hold the chain gets the size it needs back in argsz.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "type1/type1.h"

struct t1_caps {
	unsigned char *buf;
	size_t size;
};

/*
 * vfio_info_cap_add() (vfio_main.c): appends a capability of len bytes
 * (header included) to the chain and links it from the last one; on
 * allocation failure the whole chain is dropped, as the kernel's does.
 */
static void *t1_cap_add(struct t1_iommu *iommu, struct t1_caps *caps, size_t len, uint16_t id,
			uint16_t version)
{
	struct vfio_info_cap_header *hdr, *tail;
	size_t padded = (len + 7) & ~(size_t)7;
	unsigned char *buf = host_realloc(iommu->h, caps->buf, caps->size + padded);

	if (!buf) {
		host_free(iommu->h, caps->buf);
		caps->buf = NULL;
		caps->size = 0;
		return NULL;
	}
	caps->buf = buf;
	hdr = (void *)(buf + caps->size);
	memset(hdr, 0, padded);
	hdr->id = id;
	hdr->version = version;
	for (tail = (void *)buf; tail->next; tail = (void *)(buf + tail->next))
		;
	tail->next = (uint32_t)caps->size;
	caps->size += padded;
	return hdr;
}

/* vfio_info_add_capability() (vfio_main.c) */
static int t1_cap_add_copy(struct t1_iommu *iommu, struct t1_caps *caps, const void *cap,
			   size_t len)
{
	const struct vfio_info_cap_header *src = cap;
	unsigned char *dst = t1_cap_add(iommu, caps, len, src->id, src->version);

	if (!dst)
		return -ENOMEM;
	memcpy(dst + sizeof(*src), (const unsigned char *)cap + sizeof(*src), len - sizeof(*src));
	return 0;
}

/*
 * vfio_info_cap_shift() (vfio_main.c): makes the chain's offsets relative
 * to a reply that starts offset bytes earlier.
 */
static void t1_caps_shift(struct t1_caps *caps, size_t offset)
{
	struct vfio_info_cap_header *hdr = (void *)caps->buf;

	while (hdr->next) {
		size_t at = hdr->next;

		hdr->next += (uint32_t)offset;
		hdr = (void *)(caps->buf + at);
	}
}

/* vfio_iommu_migration_build_caps() */
static int t1_cap_migration(struct t1_iommu *iommu, struct t1_caps *caps)
{
	struct vfio_iommu_type1_info_cap_migration cap;

	memset(&cap, 0, sizeof(cap));
	cap.header.id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION;
	cap.header.version = 1;
	cap.pgsize_bitmap = t1_min_pgsize(iommu);
	cap.max_dirty_bitmap_size = T1_BITMAP_BYTES_MAX;
	return t1_cap_add_copy(iommu, caps, &cap, sizeof(cap));
}

/* vfio_iommu_dma_avail_build_caps() */
static int t1_cap_dma_avail(struct t1_iommu *iommu, struct t1_caps *caps)
{
	struct vfio_iommu_type1_info_dma_avail cap;

	memset(&cap, 0, sizeof(cap));
	cap.header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	cap.header.version = 1;
	cap.avail = iommu->dma_avail;
	return t1_cap_add_copy(iommu, caps, &cap, sizeof(cap));
}

/* vfio_iommu_iova_build_caps() with vfio_iommu_iova_add_cap() */
static int t1_cap_iova_ranges(struct t1_iommu *iommu, struct t1_caps *caps)
{
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	unsigned int n = t1_iova_count(iommu->iovas), i = 0;
	size_t len = sizeof(*cap) + n * sizeof(cap->iova_ranges[0]);
	struct t1_iova *r;
	int ret;

	/* Emulated groups alone leave no ranges, and no capability. */
	if (!n)
		return 0;
	/* Built aside first, like the kernel, which allocates it separately. */
	cap = host_alloc(iommu->h, len, true);
	if (!cap)
		return -ENOMEM;
	cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	cap->header.version = 1;
	cap->nr_iovas = n;
	for (r = iommu->iovas; r; r = r->next, i++) {
		cap->iova_ranges[i].start = r->start;
		cap->iova_ranges[i].end = r->end;
	}
	ret = t1_cap_add_copy(iommu, caps, cap, len);
	host_free(iommu->h, cap);
	return ret;
}

/* Not type1's: the dirty-provider extension's, last in the chain. */
static int t1_cap_dirty_provider(struct t1_iommu *iommu, struct t1_caps *caps)
{
	struct vfiosim_iommu_type1_info_cap_dirty_provider cap;

	memset(&cap, 0, sizeof(cap));
	cap.header.id = VFIOSIM_IOMMU_TYPE1_INFO_CAP_DIRTY_PROVIDER;
	cap.header.version = 1;
	t1_provider_info(iommu, &cap);
	return t1_cap_add_copy(iommu, caps, &cap, sizeof(cap));
}

/* vfio_iommu_type1_get_info() */
long t1_ioctl_get_info(struct t1_iommu *iommu, unsigned long arg)
{
	const size_t minsz = offsetof(struct vfio_iommu_type1_info, iova_pgsizes) +
			     sizeof(uint64_t);
	struct vfio_iommu_type1_info reply;
	struct t1_caps caps = { NULL, 0 };
	size_t outsz;
	int ret;

	memset(&reply, 0, sizeof(reply));
	if (host_copy_from_user(iommu->h, &reply, arg, minsz))
		return -EFAULT;
	if (reply.argsz < minsz)
		return -EINVAL;
	outsz = reply.argsz < sizeof(reply) ? reply.argsz : sizeof(reply);
	/* Before 6.2: the fixed part up to iova_pgsizes, or up to cap_offset. */
	if (!t1_since(iommu, T1_INFO_WHOLE_HEADER))
		outsz = reply.argsz < minsz + sizeof(reply.cap_offset) ? minsz :
			minsz + sizeof(reply.cap_offset);

	reply.flags = VFIO_IOMMU_INFO_PGSIZES;
	reply.iova_pgsizes = iommu->pgsize_bitmap;
	ret = t1_cap_migration(iommu, &caps);
	if (!ret)
		ret = t1_cap_dma_avail(iommu, &caps);
	if (!ret)
		ret = t1_cap_iova_ranges(iommu, &caps);
	if (!ret && iommu->provider_chosen)
		ret = t1_cap_dirty_provider(iommu, &caps);
	if (ret) {
		/* The kernel leaks the chain here; nothing to imitate in that. */
		host_free(iommu->h, caps.buf);
		return ret;
	}

	/* The migration capability is always there, so caps.size never is 0. */
	reply.flags |= VFIO_IOMMU_INFO_CAPS;
	if (reply.argsz >= sizeof(reply) + caps.size) {
		t1_caps_shift(&caps, sizeof(reply));
		ret = host_copy_to_user(iommu->h, arg + sizeof(reply), caps.buf, caps.size) ?
		      -EFAULT : 0;
		reply.cap_offset = sizeof(reply);
	} else {
		reply.argsz = (uint32_t)(sizeof(reply) + caps.size);
	}
	host_free(iommu->h, caps.buf);
	if (ret)
		return ret;
	return host_copy_to_user(iommu->h, arg, &reply, outsz) ? -EFAULT : 0;
}

/* vfio_domains_have_enforce_cache_coherency() */
static bool t1_all_enforce_cc(struct t1_iommu *iommu)
{
	struct t1_domain *d;

	for (d = iommu->domains; d; d = d->next)
		if (!d->enforce_cc)
			return false;
	return true;
}

/*
 * vfio_iommu_type1_check_extension(), as Linux `kernel` answers; iommu is
 * NULL when asked before any driver instance is open.  iommu->emulated
 * stands for vfio_iommu_has_emulated().
 */
long t1_check_extension(unsigned int kernel, struct t1_iommu *iommu, unsigned long ext)
{
	switch (ext) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
		return 1;
	case VFIO_TYPE1_NESTING_IOMMU:
		return !t1_kernel_since(kernel, T1_NO_NESTING);
	case VFIO_UNMAP_ALL:
		return t1_kernel_since(kernel, T1_UNMAP_ALL);
	case VFIO_UPDATE_VADDR:
		/* Vendor drivers could not cope with vaddrs going away. */
		return t1_kernel_since(kernel, T1_UPDATE_VADDR) && iommu && !iommu->emulated;
	case VFIO_DMA_CC_IOMMU:
		return iommu && t1_all_enforce_cc(iommu);
	default:
		return 0;
	}
}
