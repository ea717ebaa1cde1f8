// SPDX-License-Identifier: GPL-2.0
/*
 * uapi/linux/vfio.h is the ABI contract of the simulator: check it entry by
 * entry against the installed kernel header, and a core of it against
 * numbers worked out by hand from the ioctl encoding and C layout rules.
 * The probe itself must keep building against newer kernel headers: one
 * build of it sees the installed header as Linux 6.13 changed it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/vfio.h>

#include "uapi/probe.h"

static const struct probe_entry *probe_find(const struct probe_entry *table,
					    unsigned int count, const char *name)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static void probe_tables_are_well_formed(void **state)
{
	unsigned int i, j, dups = 0;

	assert_int_equal(probe_ours_have_header, 1);
	assert_true(probe_ours_count > 100);
	for (i = 0; i < probe_ours_count; i++) {
		assert_non_null(probe_ours[i].name);
		for (j = i + 1; j < probe_ours_count; j++) {
			if (strcmp(probe_ours[i].name, probe_ours[j].name) == 0) {
				print_error("probe entry '%s' appears twice\n", probe_ours[i].name);
				dups++;
			}
		}
	}
	assert_int_equal(dups, 0);
	if (!probe_system_have_header)
		assert_int_equal(probe_system_count, 0);
	if (!probe_613_have_header)
		assert_int_equal(probe_613_count, 0);
}

/* Entry by entry, in order; prints each difference, returns how many. */
static unsigned int compare_tables(const char *an, const struct probe_entry *a,
				   unsigned int na, const char *bn,
				   const struct probe_entry *b, unsigned int nb)
{
	unsigned int i, n = na < nb ? na : nb, bad = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(a[i].name, b[i].name) != 0) {
			print_error("entry %u: %s has '%s', %s has '%s'\n", i, an, a[i].name, bn,
				    b[i].name);
			bad++;
		} else if (a[i].value != b[i].value) {
			print_error("%s: %s %#llx, %s %#llx\n", a[i].name, an, a[i].value, bn,
				    b[i].value);
			bad++;
		}
	}
	for (i = n; i < na; i++, bad++)
		print_error("%s: only in %s\n", a[i].name, an);
	for (i = n; i < nb; i++, bad++)
		print_error("%s: only in %s\n", b[i].name, bn);
	return bad;
}

static void skip_without_system_header(void)
{
	if (!probe_system_have_header) {
		print_message("SKIP: /usr/include/linux/vfio.h not installed "
			      "(package linux-libc-dev)\n");
		skip();
	}
}

static void ours_matches_installed_kernel_header(void **state)
{
	unsigned int bad;

	skip_without_system_header();
	bad = compare_tables("ours", probe_ours, probe_ours_count, "system", probe_system,
			     probe_system_count);
	if (bad)
		fail_msg("%u mismatch(es) between uapi/linux/vfio.h and the system header", bad);
}

/*
 * Linux 6.13 renamed VFIO_TYPE1_NESTING_IOMMU (probe.c says how the probe
 * copes).  probe_613 was built against the installed header with that
 * rename made: it must have found the new name, and give the same table.
 */
static void probe_builds_against_a_6_13_header(void **state)
{
	unsigned int bad;

	assert_string_equal(probe_ours_nesting_name, "VFIO_TYPE1_NESTING_IOMMU");
	skip_without_system_header();
	assert_int_equal(probe_613_have_header, 1);
	assert_string_equal(probe_613_nesting_name, "__VFIO_RESERVED_TYPE1_NESTING_IOMMU");
	bad = compare_tables("system", probe_system, probe_system_count, "6.13-style",
			     probe_613, probe_613_count);
	if (bad)
		fail_msg("%u mismatch(es) between the system header and its 6.13 form", bad);
}

struct hand_value {
	const char		*name;
	unsigned long long	value;
};

/*
 * _IO(type, nr) on the asm-generic encoding (x86, arm64, riscv): direction
 * 0 in bits 31:30, size 0 in bits 29:16, type in 15:8, nr in 7:0.  The type
 * is ';' = 0x3b and nr is VFIO_BASE (100 = 0x64) plus the request index.
 */
static const struct hand_value hand_ioctls[] = {
	{ "VFIO_GET_API_VERSION",	0x3b64 },	/* 100 + 0 */
	{ "VFIO_CHECK_EXTENSION",	0x3b65 },
	{ "VFIO_SET_IOMMU",		0x3b66 },
	{ "VFIO_IOMMU_GET_INFO",	0x3b70 },	/* 100 + 12 = 0x70 */
	{ "VFIO_IOMMU_MAP_DMA",		0x3b71 },
	{ "VFIO_IOMMU_UNMAP_DMA",	0x3b72 },
	{ "VFIO_IOMMU_ENABLE",		0x3b73 },
	{ "VFIO_IOMMU_DISABLE",		0x3b74 },
	{ "VFIO_IOMMU_DIRTY_PAGES",	0x3b75 },	/* 100 + 17 = 0x75 */
};

/* Layouts: natural alignment, __u64 (and __aligned_u64) on 8 bytes. */
static const struct hand_value hand_layout[] = {
	{ "VFIO_API_VERSION",				0 },
	{ "VFIO_TYPE",					0x3b },
	{ "VFIO_BASE",					100 },
	{ "VFIO_TYPE1v2_IOMMU",				3 },
	{ "VFIO_UNMAP_ALL",				9 },
	{ "VFIO_UPDATE_VADDR",				10 },
	{ "VFIO_IOMMU_INFO_CAPS",			2 },
	{ "VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE",	1 },
	{ "VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION",	2 },
	{ "VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL",		3 },
	{ "VFIO_DMA_MAP_FLAG_VADDR",			4 },
	{ "VFIO_DMA_UNMAP_FLAG_ALL",			2 },
	{ "VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP",	4 },
	/* id:2 version:2 next:4 */
	{ "sizeof(struct vfio_info_cap_header)",	8 },
	/* argsz:4 flags:4 iova_pgsizes:8 cap_offset:4 pad:4 */
	{ "sizeof(struct vfio_iommu_type1_info)",	24 },
	{ "vfio_iommu_type1_info.cap_offset",		16 },
	/* header:8 nr_iovas:4 reserved:4, ranges of 16 from 16 */
	{ "sizeof(struct vfio_iommu_type1_info_cap_iova_range)", 16 },
	{ "vfio_iommu_type1_info_cap_iova_range.iova_ranges[]", 16 },
	/* header:8 flags:4, hole of 4, pgsize_bitmap:8 at 16, max:8 at 24 */
	{ "sizeof(struct vfio_iommu_type1_info_cap_migration)", 32 },
	{ "vfio_iommu_type1_info_cap_migration.pgsize_bitmap", 16 },
	/* header:8 avail:4 */
	{ "sizeof(struct vfio_iommu_type1_info_dma_avail)", 12 },
	/* argsz:4 flags:4 vaddr:8 iova:8 size:8 */
	{ "sizeof(struct vfio_iommu_type1_dma_map)",	32 },
	/* argsz:4 flags:4 iova:8 size:8, data[] right after */
	{ "sizeof(struct vfio_iommu_type1_dma_unmap)",	24 },
	{ "vfio_iommu_type1_dma_unmap.data[]",		24 },
	/* argsz:4 flags:4, data[] right after */
	{ "sizeof(struct vfio_iommu_type1_dirty_bitmap)", 8 },
	{ "vfio_iommu_type1_dirty_bitmap.data[]",	8 },
#if __SIZEOF_POINTER__ == 8
	/* pgsize:8 size:8 data:8 */
	{ "sizeof(struct vfio_bitmap)",			24 },
	/* iova:8 size:8 bitmap:24 */
	{ "sizeof(struct vfio_iommu_type1_dirty_bitmap_get)", 40 },
	{ "vfio_iommu_type1_dirty_bitmap_get.bitmap",	16 },
#endif
};

static unsigned int check_hand_values(const char *which, const struct probe_entry *table,
				      unsigned int count, const struct hand_value *want,
				      size_t nwant)
{
	unsigned int bad = 0;
	size_t i;

	for (i = 0; i < nwant; i++) {
		const struct probe_entry *e = probe_find(table, count, want[i].name);

		if (!e) {
			print_error("%s: %s is not probed\n", which, want[i].name);
			bad++;
		} else if (e->value != want[i].value) {
			print_error("%s: %s is %#llx, expected %#llx\n", which, want[i].name,
				    e->value, want[i].value);
			bad++;
		}
	}
	return bad;
}

static void abi_matches_hand_computed_values(void **state)
{
	unsigned int bad = 0;

	bad += check_hand_values("ours", probe_ours, probe_ours_count, hand_layout,
				 sizeof(hand_layout) / sizeof(hand_layout[0]));
#if _IOC_NONE == 0U && _IOC_TYPESHIFT == 8 && _IOC_NRSHIFT == 0
	bad += check_hand_values("ours", probe_ours, probe_ours_count, hand_ioctls,
				 sizeof(hand_ioctls) / sizeof(hand_ioctls[0]));
#else
	print_message("note: ioctl encoding is not asm-generic, request numbers not checked\n");
#endif
	if (probe_system_have_header)
		bad += check_hand_values("system", probe_system, probe_system_count, hand_layout,
					 sizeof(hand_layout) / sizeof(hand_layout[0]));
	if (bad)
		fail_msg("%u value(s) differ from the hand-computed ABI", bad);
}

/*
 * The vfiosim extension block (docs/dirty-providers.md) cannot meet a
 * Linux number: every VFIO request, ours and the installed header's, is
 * _IO() (no direction, no size), while the extension's is _IOW() with its
 * struct's size; its capability id is none of type1's.
 */
static void vfiosim_extension_cannot_collide(void **state)
{
	unsigned int req = VFIOSIM_IOMMU_DIRTY_PROVIDER;
	size_t i;

	(void)state;
	assert_int_equal(_IOC_DIR(req), _IOC_WRITE);
	assert_int_equal(_IOC_SIZE(req), sizeof(struct vfiosim_iommu_dirty_provider));
	assert_int_equal(_IOC_TYPE(req), VFIO_TYPE);
	assert_int_equal(sizeof(struct vfiosim_iommu_dirty_provider), 16);
	assert_int_equal(sizeof(struct vfiosim_iommu_type1_info_cap_dirty_provider), 24);
	for (i = 0; i < sizeof(hand_ioctls) / sizeof(hand_ioctls[0]); i++) {
		const struct probe_entry *ours = probe_find(probe_ours, probe_ours_count,
							    hand_ioctls[i].name);
		const struct probe_entry *sys = probe_find(probe_system, probe_system_count,
							   hand_ioctls[i].name);

		assert_non_null(ours);
		assert_int_equal(_IOC_DIR(ours->value), _IOC_NONE);
		assert_int_equal(_IOC_SIZE(ours->value), 0);
		if (sys)
			assert_int_equal(_IOC_DIR(sys->value), _IOC_NONE);
	}
	assert_true(VFIOSIM_IOMMU_TYPE1_INFO_CAP_DIRTY_PROVIDER > VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_tables_are_well_formed),
		cmocka_unit_test(ours_matches_installed_kernel_header),
		cmocka_unit_test(probe_builds_against_a_6_13_header),
		cmocka_unit_test(abi_matches_hand_computed_values),
		cmocka_unit_test(vfiosim_extension_cannot_collide),
	};

	return cmocka_run_group_tests_name("uapi_layout", tests, NULL, NULL);
}
