// SPDX-License-Identifier: MIT
/*
 * vfio_caps.c - the capability-chain helpers of the VFIO core
 * (vfio_main.c), which type1's GET_INFO builds its reply with.  A chain
 * is one kmalloc()ed buffer grown with krealloc(); each header's next is
 * the offset of the following capability (0 ends the chain), relative to
 * the buffer until vfio_info_cap_shift() rebases it for the user.  Each
 * capability is padded to 8 bytes, as since Linux 6.6 ("vfio: align
 * capability structures"), for every release: the helper is the VFIO
 * core's, not type1's, and without the fix every test reading GET_INFO
 * would stop at a misaligned entry before reaching type1's behaviour.
 */
#include "kshim.h"

struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps, size_t size,
					       u16 id, u16 version)
{
	struct vfio_info_cap_header *header, *last;
	char *buf;

	size = ALIGN(size, sizeof(u64));
	buf = krealloc(caps->buf, caps->size + size, GFP_KERNEL);
	if (!buf) {
		kfree(caps->buf);
		caps->buf = NULL;
		caps->size = 0;
		return ERR_PTR(-ENOMEM);
	}
	caps->buf = (struct vfio_info_cap_header *)(void *)buf;
	header = (struct vfio_info_cap_header *)(void *)(buf + caps->size);
	memset(header, 0, size);
	header->id = id;
	header->version = version;
	/* The first capability is its own "last": its next stays 0. */
	for (last = caps->buf; last->next;)
		last = (struct vfio_info_cap_header *)(void *)(buf + last->next);
	last->next = (u32)caps->size;
	caps->size += size;
	return header;
}

void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset)
{
	char *buf = (char *)caps->buf;
	struct vfio_info_cap_header *cap;

	WARN_ON(!IS_ALIGNED(offset, sizeof(u64)));
	for (cap = caps->buf; cap->next; cap = (void *)(buf + cap->next - offset))
		cap->next += (u32)offset;
}

int vfio_info_add_capability(struct vfio_info_cap *caps, struct vfio_info_cap_header *cap,
			     size_t size)
{
	struct vfio_info_cap_header *header = vfio_info_cap_add(caps, size, cap->id, cap->version);

	if (IS_ERR(header))
		return (int)PTR_ERR(header);
	memcpy(header + 1, cap + 1, size - sizeof(*header));
	return 0;
}
