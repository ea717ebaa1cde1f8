// SPDX-License-Identifier: MIT
/*
 * test_client.c - the client library (vfiosim_client.h): argument blocks,
 * bitmap sizes, the walk of GET_INFO's capability chain and each rule it
 * holds a chain to, the standard guest memory layout, errno names.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vfiosim_client.h"

static void test_arguments_natural_size(void **state)
{
	unsigned char buf[64];
	struct vfio_iommu_type1_dma_map m;
	struct vfio_iommu_type1_dma_unmap u;
	struct vfiosim_dirty_unmap_arg ub;
	struct vfio_iommu_type1_dirty_bitmap d;
	struct vfiosim_dirty_get_arg g;
	struct vfio_iommu_type1_info in;

	vfiosim_map_arg(&m, 3, 0x1000, 0x2000, 0x3000);
	assert_int_equal(m.argsz, 32);
	assert_true(m.flags == 3 && m.vaddr == 0x1000 && m.iova == 0x2000 && m.size == 0x3000);
	vfiosim_unmap_arg(&u, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0);
	assert_int_equal(u.argsz, 24);
	assert_int_equal(u.flags, VFIO_DMA_UNMAP_FLAG_ALL);
	vfiosim_unmap_bitmap_arg(&ub, 0x2000, 0x8000, 0x1000, buf, 8);
	assert_int_equal(ub.argsz, 48);
	assert_int_equal(ub.flags, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP);
	assert_true(ub.bitmap.pgsize == 0x1000 && ub.bitmap.size == 8 &&
		    (void *)ub.bitmap.data == buf);
	/* The bitmap is what the kernel finds at data[]. */
	assert_int_equal(offsetof(struct vfiosim_dirty_unmap_arg, bitmap), 24);
	vfiosim_dirty_arg(&d, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	assert_true(d.argsz == 8 && d.flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	vfiosim_get_bitmap_arg(&g, 0x2000, 0x8000, 0x1000, buf, 8);
	assert_true(g.argsz == 48 && g.flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP);
	assert_true(g.get.iova == 0x2000 && g.get.size == 0x8000 && g.get.bitmap.size == 8);
	assert_int_equal(offsetof(struct vfiosim_dirty_get_arg, get), 8);
	memset(&in, 0xff, sizeof(in));
	vfiosim_info_arg(&in, 100);
	assert_true(in.argsz == 100 && !in.flags && !in.iova_pgsizes && !in.cap_offset);
}

static void test_bitmap_sizes(void **state)
{
	assert_int_equal(vfiosim_bitmap_pages(0x40000, 0x1000), 64);
	assert_int_equal(vfiosim_bitmap_pages(0x41000, 0x1000), 65);
	assert_int_equal(vfiosim_bitmap_pages(0x40000, 0x200000), 0);
	assert_int_equal(vfiosim_bitmap_pages(0x40000, 0), 0);
	assert_int_equal(vfiosim_bitmap_pages(0x40000, 0x3000), 0);
	assert_int_equal(vfiosim_bitmap_bytes(0), 0);
	assert_int_equal(vfiosim_bitmap_bytes(1), 8);
	assert_int_equal(vfiosim_bitmap_bytes(64), 8);
	assert_int_equal(vfiosim_bitmap_bytes(65), 16);
	/* INT_MAX pages: the kernel's largest bitmap, 256 MiB. */
	assert_int_equal(vfiosim_bitmap_bytes(0x7fffffff), 256ULL << 20);
	assert_int_equal(vfiosim_bitmap_bytes(UINT64_MAX), (UINT64_MAX / 64 + 1) * 8);
}

/* A reply: the fixed struct, then caps laid out by the test. */
struct reply {
	struct vfio_iommu_type1_info info;
	unsigned char caps[200];
};

static struct vfio_info_cap_header *cap_at(struct reply *r, uint32_t off, uint16_t id,
					   uint32_t next)
{
	struct vfio_info_cap_header *h = (void *)((unsigned char *)r + off);

	h->id = id;
	h->version = 1;
	h->next = next;
	return h;
}

/* Walks the chain: the number of capabilities, and why it stopped. */
static int walk(const struct reply *r, uint32_t argsz, char *why, size_t len)
{
	struct vfiosim_caps w;
	int n = 0;

	vfiosim_caps_start(&w, r, argsz);
	while (vfiosim_caps_next(&w))
		n++;
	snprintf(why, len, "%s", w.why);
	return n;
}

static void test_caps_walk(void **state)
{
	const uint32_t base = sizeof(struct vfio_iommu_type1_info);
	struct vfio_iommu_type1_info_cap_iova_range *range;
	struct reply r;
	char why[128];

	memset(&r, 0, sizeof(r));
	r.info.flags = VFIO_IOMMU_INFO_CAPS;
	r.info.cap_offset = base;
	range = (void *)cap_at(&r, base, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, base + 32);
	range->nr_iovas = 1;
	cap_at(&r, base + 32, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, base + 48);
	cap_at(&r, base + 48, 77, 0);
	assert_int_equal(walk(&r, sizeof(r), why, sizeof(why)), 3);
	assert_string_equal(why, "");
	/* The unknown id is its header: 8 bytes are enough. */
	assert_int_equal(walk(&r, base + 56, why, sizeof(why)), 3);
	/* Each rule. */
	assert_int_equal(walk(&r, base + 55, why, sizeof(why)), 2);
	assert_string_equal(why, "header at 72 beyond argsz 79");
	range->nr_iovas = 2;
	assert_int_equal(walk(&r, sizeof(r), why, sizeof(why)), 1);
	assert_string_equal(why, "offset 56 goes back into [0, 72)");
	assert_int_equal(walk(&r, base + 40, why, sizeof(why)), 0);
	assert_string_equal(why, "capability 1 at 24 (48 bytes) beyond argsz 64");
	range->nr_iovas = 1;
	range->header.next = base + 36;
	assert_int_equal(walk(&r, sizeof(r), why, sizeof(why)), 1);
	assert_string_equal(why, "offset 60 not 8-aligned");
	r.info.cap_offset = 8;
	assert_int_equal(walk(&r, sizeof(r), why, sizeof(why)), 0);
	assert_string_equal(why, "offset 8 goes back into [0, 24)");
	r.info.cap_offset = base;
	r.info.flags = 0;
	assert_int_equal(walk(&r, sizeof(r), why, sizeof(why)), 0);
	assert_string_equal(why, "cap_offset 24 without INFO_CAPS");
	r.info.cap_offset = 0;
	assert_int_equal(walk(&r, sizeof(r), why, sizeof(why)), 0);
	assert_string_equal(why, "");
}

static void test_guest_layout(void **state)
{
	struct vfiosim_host *h = vfiosim_host_new(NULL);
	const char *what = NULL;

	assert_non_null(h);
	assert_int_equal(vfiosim_guest_map(h, VFIOSIM_LAYOUT_RAM | VFIOSIM_LAYOUT_MMIO, &what), 0);
	assert_non_null(vfiosim_mm_ptr(h, VFIOSIM_GUEST_RAM + VFIOSIM_GUEST_RAM_SIZE - 1));
	assert_null(vfiosim_mm_ptr(h, VFIOSIM_GUEST_RAM + VFIOSIM_GUEST_RAM_SIZE));
	assert_null(vfiosim_mm_ptr(h, VFIOSIM_GUEST_SCATTER));
	assert_int_equal(vfiosim_guest_map(h, VFIOSIM_LAYOUT_SCATTER | VFIOSIM_LAYOUT_RO, NULL),
			 0);
	assert_non_null(vfiosim_mm_ptr(h, VFIOSIM_GUEST_SCATTER));
	assert_non_null(vfiosim_mm_ptr(h, VFIOSIM_GUEST_RO));
	/* Mapped already: the first region that fails is named. */
	assert_int_equal(vfiosim_guest_map(h, VFIOSIM_LAYOUT_RO, &what), -EEXIST);
	assert_string_equal(what, "read-only guest memory");
	assert_null(vfiosim_mm_ptr(h, VFIOSIM_GUEST_HOLE));
	vfiosim_host_free(h);
}

static void test_dirty_provider_names(void **state)
{
	struct vfiosim_iommu_dirty_provider a;
	unsigned int p;

	(void)state;
	for (p = 0; p <= VFIOSIM_DIRTY_PROVIDER_AUTO; p++) {
		assert_non_null(vfiosim_dirty_provider_name(p));
		assert_int_equal(vfiosim_dirty_provider_value(vfiosim_dirty_provider_name(p)), p);
	}
	assert_string_equal(vfiosim_dirty_provider_name(VFIOSIM_DIRTY_PROVIDER_IOMMU), "iommu");
	assert_null(vfiosim_dirty_provider_name(VFIOSIM_DIRTY_PROVIDER_AUTO + 1));
	assert_int_equal(vfiosim_dirty_provider_value("hw"), -1);
	assert_int_equal(vfiosim_dirty_provider_value(NULL), -1);
	memset(&a, 0xff, sizeof(a));
	vfiosim_dirty_provider_arg(&a, VFIOSIM_DIRTY_PROVIDER_DEVICE);
	assert_int_equal(a.argsz, sizeof(a));
	assert_int_equal(a.flags, 0);
	assert_int_equal(a.provider, VFIOSIM_DIRTY_PROVIDER_DEVICE);
	assert_int_equal(a.pad, 0);
}

static void test_errno_names(void **state)
{
	char buf[32];

	assert_string_equal(vfiosim_errno_name(EINVAL), "EINVAL");
	assert_string_equal(vfiosim_errno_name(ENOTRECOVERABLE), "ENOTRECOVERABLE");
	assert_string_equal(vfiosim_errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	assert_null(vfiosim_errno_name(0));
	assert_null(vfiosim_errno_name(-EINVAL));
	assert_null(vfiosim_errno_name(EXDEV));
	assert_null(vfiosim_errno_name(100000));
	assert_int_equal(vfiosim_errno_value("EFAULT", 6), EFAULT);
	assert_int_equal(vfiosim_errno_value("EFAULTY", 6), EFAULT);
	assert_int_equal(vfiosim_errno_value("ENOTSUP", 7), ENOTSUP);
	assert_int_equal(vfiosim_errno_value("einval", 6), 0);
	assert_int_equal(vfiosim_errno_value("EXDEV", 5), 0);
	assert_string_equal(vfiosim_ret_str(-EBUSY, buf, sizeof(buf)), "-EBUSY");
	assert_string_equal(vfiosim_ret_str(0, buf, sizeof(buf)), "0");
	assert_string_equal(vfiosim_ret_str(3, buf, sizeof(buf)), "3");
	assert_string_equal(vfiosim_ret_str(-EXDEV, buf, sizeof(buf)), "-18");
	assert_string_equal(vfiosim_ret_str(-5000, buf, sizeof(buf)), "-5000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments_natural_size),
		cmocka_unit_test(test_bitmap_sizes),
		cmocka_unit_test(test_caps_walk),
		cmocka_unit_test(test_guest_layout),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_dirty_provider_names),
	};

	return cmocka_run_group_tests_name("client", tests, NULL, NULL);
}
