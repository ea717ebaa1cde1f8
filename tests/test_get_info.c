// SPDX-License-Identifier: MIT
/*
 * test_get_info.c - VFIO_IOMMU_GET_INFO: the argsz protocol, the exact
 * capability chain (migration, dma_avail, iova ranges, in that order, each
 * 8-byte aligned), its values per configuration, and the -EFAULT paths.
 */
#include <errno.h>
#include <string.h>

#include "helpers/fixture.h"

#define IOVA		FX_IOVA
#define MSI		VFIOSIM_MSI_BASE
#define MSI_END		(VFIOSIM_MSI_BASE + VFIOSIM_MSI_SIZE - 1)

#define INFO_SZ		sizeof(struct vfio_iommu_type1_info)		/* 24 */
#define MIG_SZ		sizeof(struct vfio_iommu_type1_info_cap_migration)	/* 32 */
#define AVAIL_SZ	16	/* 12 bytes, padded to 8 */
#define IOVA_SZ(n)	(16 + 16 * (n))

/* DIRTY_BITMAP_BYTES(INT_MAX): 2^31 bits rounded to u64s, in bytes. */
#define MAX_DIRTY_BITMAP	(1ULL << 28)

static bool has_iommu(const struct fx *fx)
{
	return fx->cfg->group[0].kind == VFIOSIM_GROUP_IOMMU;
}

static long get_info_raw(struct fx *fx, void *buf)
{
	return vfiosim_ioctl(fx->c, VFIO_IOMMU_GET_INFO, buf);
}

/* The size of the full reply for nr iova ranges (0: no iova capability). */
static uint32_t full_size(unsigned int nr)
{
	return INFO_SZ + MIG_SZ + AVAIL_SZ + (nr ? IOVA_SZ(nr) : 0);
}

static void expect_ranges(const struct vfio_iommu_type1_info *info,
			  const struct vfio_iova_range *want, unsigned int nr)
{
	const struct vfio_iommu_type1_info_cap_iova_range *cap =
		fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	unsigned int i;

	assert_non_null(cap);
	expect_u64(cap->nr_iovas, nr);
	for (i = 0; i < nr; i++) {
		if (cap->iova_ranges[i].start != want[i].start ||
		    cap->iova_ranges[i].end != want[i].end)
			fail_msg("range %u: [%#llx, %#llx], expected [%#llx, %#llx]", i,
				 (unsigned long long)cap->iova_ranges[i].start,
				 (unsigned long long)cap->iova_ranges[i].end,
				 (unsigned long long)want[i].start,
				 (unsigned long long)want[i].end);
	}
}

/* ------------------------------------------------------------- argsz */

static void test_info_argsz_below_minimum_einval(void **state)
{
	struct fx *fx = *state;
	uint32_t sizes[] = { 0, 4, 8, 15 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vfio_iommu_type1_info info;

		memset(&info, 0x5a, sizeof(info));
		info.argsz = sizes[i];
		expect_err(get_info_raw(fx, &info), EINVAL);
		expect_u64(info.argsz, sizes[i]);
		expect_u64(info.flags, 0x5a5a5a5a);
	}
}

/* argsz 16 (up to iova_pgsizes): only those 16 bytes are written back. */
static void test_info_argsz_minimum(void **state)
{
	struct fx *fx = *state;
	struct vfio_iommu_type1_info info;
	unsigned int nr = has_iommu(fx) ? 2 : 0;

	memset(&info, 0x5a, sizeof(info));
	info.argsz = 16;
	expect_ok(get_info_raw(fx, &info));
	expect_u64(info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	expect_u64(info.argsz, full_size(nr));
	expect_u64(info.iova_pgsizes, fx->pgsizes);
	expect_u64(info.cap_offset, 0x5a5a5a5a);
	expect_u64(info.pad, 0x5a5a5a5a);
}

/* argsz 20: the first half of cap_offset is written back (as 0). */
static void test_info_argsz_partial_header(void **state)
{
	struct fx *fx = *state;
	union {
		struct vfio_iommu_type1_info info;
		unsigned char b[sizeof(struct vfio_iommu_type1_info)];
	} u;
	size_t i;

	memset(&u, 0x5a, sizeof(u));
	u.info.argsz = 20;
	expect_ok(get_info_raw(fx, &u));
	expect_u64(u.info.iova_pgsizes, fx->pgsizes);
	for (i = 16; i < 20; i++)
		assert_int_equal(u.b[i], 0);
	for (i = 20; i < sizeof(u); i++)
		assert_int_equal(u.b[i], 0x5a);
}

/* argsz = sizeof(info): flags and pgsizes, argsz raised, cap_offset 0. */
static void test_info_argsz_header_only(void **state)
{
	struct fx *fx = *state;
	struct {
		struct vfio_iommu_type1_info info;
		unsigned char after[64];
	} buf;
	unsigned int nr = has_iommu(fx) ? 2 : 0;
	size_t i;

	memset(&buf, 0x5a, sizeof(buf));
	buf.info.argsz = INFO_SZ;
	expect_ok(get_info_raw(fx, &buf));
	expect_u64(buf.info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	expect_u64(buf.info.argsz, full_size(nr));
	expect_u64(buf.info.iova_pgsizes, fx->pgsizes);
	expect_u64(buf.info.cap_offset, 0);
	for (i = 0; i < sizeof(buf.after); i++)
		assert_int_equal(buf.after[i], 0x5a);
}

/* One byte short of the chain: nothing past the header is written. */
static void test_info_argsz_one_short(void **state)
{
	struct fx *fx = *state;
	unsigned int nr = has_iommu(fx) ? 2 : 0;
	uint32_t full = full_size(nr);
	unsigned char *buf = fx_alloc(fx, full + 8);
	struct vfio_iommu_type1_info *info = (void *)buf;
	uint32_t i;

	memset(buf, 0x5a, full + 8);
	info->argsz = full - 1;
	expect_ok(get_info_raw(fx, buf));
	expect_u64(info->argsz, full);
	expect_u64(info->cap_offset, 0);
	expect_u64(info->flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	for (i = INFO_SZ; i < full + 8; i++)
		assert_int_equal(buf[i], 0x5a);
}

/* More room than needed: argsz is left alone, the rest untouched. */
static void test_info_argsz_larger_than_needed(void **state)
{
	struct fx *fx = *state;
	unsigned int nr = has_iommu(fx) ? 2 : 0;
	uint32_t full = full_size(nr), big = full + 256;
	unsigned char *buf = fx_alloc(fx, big);
	struct vfio_iommu_type1_info *info = (void *)buf;
	uint32_t i;

	memset(buf, 0x5a, big);
	info->argsz = big;
	expect_ok(get_info_raw(fx, buf));
	expect_u64(info->argsz, big);
	expect_u64(info->cap_offset, INFO_SZ);
	assert_true(fx_cap_walk(buf, big, NULL, 0) == (nr ? 3 : 2));
	for (i = full; i < big; i++)
		assert_int_equal(buf[i], 0x5a);
}

/* ------------------------------------------------------------ chain */

/* The exact layout: offsets 24, 56, 72; values from the configuration. */
static void test_info_chain_layout(void **state)
{
	struct fx *fx = *state;
	const struct vfio_iommu_type1_info *info = fx_get_info(fx);
	const struct vfio_info_cap_header *caps[8];
	const struct vfio_iommu_type1_info_cap_migration *mig;
	const struct vfio_iommu_type1_info_dma_avail *avail;
	const unsigned char *base = (const void *)info;
	unsigned int nr = has_iommu(fx) ? 2 : 0;
	int n = fx_cap_walk(info, info->argsz, caps, 8);

	expect_u64(info->argsz, full_size(nr));
	expect_u64(info->flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	expect_u64(info->iova_pgsizes, fx->pgsizes);
	expect_u64(info->cap_offset, INFO_SZ);
	assert_int_equal(n, nr ? 3 : 2);

	mig = (const void *)caps[0];
	expect_u64((const unsigned char *)mig - base, INFO_SZ);
	expect_u64(mig->header.id, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
	expect_u64(mig->header.version, 1);
	expect_u64(mig->header.next, INFO_SZ + MIG_SZ);
	expect_u64(mig->flags, 0);
	expect_u64(mig->pgsize_bitmap, fx->pgsize);
	expect_u64(mig->max_dirty_bitmap_size, MAX_DIRTY_BITMAP);

	avail = (const void *)caps[1];
	expect_u64((const unsigned char *)avail - base, INFO_SZ + MIG_SZ);
	expect_u64(avail->header.id, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	expect_u64(avail->header.version, 1);
	expect_u64(avail->header.next, nr ? INFO_SZ + MIG_SZ + AVAIL_SZ : 0);
	expect_u64(avail->avail, fx->dma_limit);

	if (nr) {
		const struct vfio_iommu_type1_info_cap_iova_range *r = (const void *)caps[2];
		const struct vfio_iova_range want[] = {
			{ 0, MSI - 1 }, { MSI_END + 1, FX_APERTURE_END },
		};

		expect_u64((const unsigned char *)r - base, INFO_SZ + MIG_SZ + AVAIL_SZ);
		expect_u64(r->header.id, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
		expect_u64(r->header.version, 1);
		expect_u64(r->header.next, 0);
		expect_u64(r->reserved, 0);
		expect_ranges(info, want, 2);
	}
}

/* Emulated only: no IOVA list, hence no capability for it; PAGE_MASK. */
static void test_info_emulated_only(void **state)
{
	struct fx *fx = *state;
	const struct vfio_iommu_type1_info *info = fx_get_info(fx);
	const struct vfio_iommu_type1_info_cap_migration *mig =
		fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);

	expect_u64(info->argsz, full_size(0));
	expect_u64(info->iova_pgsizes, ~(fx->page_size - 1));
	assert_null(fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE));
	assert_non_null(mig);
	expect_u64(mig->pgsize_bitmap, fx->page_size);
	/* mappings do not create an IOVA list */
	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	info = fx_get_info(fx);
	assert_null(fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE));
}

static void test_info_pgsizes_per_config(void **state)
{
	static const struct { const struct fx_config *cfg; uint64_t pgsizes; } want[] = {
		{ &fx_v2_4k, SZ_4K },
		{ &fx_v2_2m, SZ_4K | SZ_2M | SZ_1G },
		{ &fx_v1_2m, SZ_4K | SZ_2M | SZ_1G },
		{ &fx_v2_64k, SZ_64K | SZ_512M },
		{ &fx_v1_64k, SZ_64K | SZ_512M },
		{ &fx_set_v2_2m, SZ_4K | SZ_2M | SZ_1G },
		{ &fx_set_v1_4k, SZ_4K },
		{ &fx_v2_emul, ~(SZ_4K - 1) },
	};
	struct fx *fx = *state;
	const struct vfio_iommu_type1_info *info = fx_get_info(fx);
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (want[i].cfg == fx->cfg) {
			expect_u64(info->iova_pgsizes, want[i].pgsizes);
			return;
		}
	}
	fail_msg("no expectation for %s", fx->cfg->name);
}

static void test_info_dma_avail_follows_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, IOVA + 2 * P, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, IOVA + 4 * P, 2 * P, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
	/* failures cost nothing */
	expect_err(fx_map(fx, fx->guest, IOVA, P, FX_RW), EEXIST);
	expect_err(fx_map(fx, fx->guest, IOVA + P / 2, P, FX_RW), EINVAL);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
	expect_ok(fx_unmap(fx, IOVA + 2 * P, P, 0, NULL));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 2);
	expect_ok(fx_unmap_everything(fx, fx->c, NULL));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
}

/*
 * Two IOMMU groups in separate domains and an emulated group: the valid
 * ranges are the intersection of the apertures minus every reserved
 * region except DIRECT_RELAXABLE ones.
 */
static void test_info_iova_ranges_several_groups(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config g2 = {
		.kind = VFIOSIM_GROUP_IOMMU,
		.aperture_start = SZ_1M,
		.aperture_end = (1ULL << 40) - 1,
		.nr_resv = 3,
		.resv = {
			{ 0x80000000ULL, 0x100000, VFIOSIM_RESV_RESERVED },
			{ 0x90000000ULL, 0x100000, VFIOSIM_RESV_DIRECT_RELAXABLE },
			{ 0xa0000000ULL, 0x10000, VFIOSIM_RESV_DIRECT },
		},
	};
	struct vfiosim_group_config emul = { .kind = VFIOSIM_GROUP_EMULATED };
	const struct vfio_iova_range want[] = {
		{ SZ_1M, 0x7fffffffULL },
		{ 0x80100000ULL, 0x9fffffffULL },
		{ 0xa0010000ULL, MSI - 1 },
		{ MSI_END + 1, (1ULL << 40) - 1 },
	};

	expect_ok(vfiosim_container_attach(fx->c, fx_group(fx, &g2)));
	expect_ok(vfiosim_container_attach(fx->c, fx_group(fx, &emul)));
	expect_ranges(fx_get_info(fx), want, 4);
	expect_u64(fx_get_info(fx)->argsz, full_size(4));
}

/* ------------------------------------------------------ -EFAULT paths */

static void test_info_unreadable_efault(void **state)
{
	struct fx *fx = *state;
	struct vfio_iommu_type1_info info = { .argsz = INFO_SZ };

	fx_user_add(fx, &info, sizeof(info), 0);
	expect_err(get_info_raw(fx, &info), EFAULT);
	fx_user_del(fx, &info);
	expect_u64(info.flags, 0);
}

/* Header cannot be written back: -EFAULT. */
static void test_info_readonly_header_efault(void **state)
{
	struct fx *fx = *state;
	struct vfio_iommu_type1_info info = { .argsz = INFO_SZ };

	fx_user_add(fx, &info, sizeof(info), VFIOSIM_PROT_READ);
	expect_err(get_info_raw(fx, &info), EFAULT);
	fx_user_del(fx, &info);
	expect_u64(info.argsz, INFO_SZ);
	expect_u64(info.flags, 0);
}

/*
 * The chain is copied before the header: if the chain cannot be written
 * the call fails and the (writable) header is left as it was.
 */
static void test_info_readonly_chain_efault(void **state)
{
	struct fx *fx = *state;
	unsigned int nr = has_iommu(fx) ? 2 : 0;
	uint32_t full = full_size(nr);
	unsigned char *buf = fx_alloc(fx, full);
	struct vfio_iommu_type1_info *info = (void *)buf;

	info->argsz = full;
	fx_user_add(fx, buf + INFO_SZ, full - INFO_SZ, VFIOSIM_PROT_READ);
	expect_err(get_info_raw(fx, buf), EFAULT);
	fx_user_del(fx, buf + INFO_SZ);
	expect_u64(info->argsz, full);
	expect_u64(info->flags, 0);
	expect_u64(info->cap_offset, 0);
	/* with argsz too small for the chain only the header is written */
	info->argsz = INFO_SZ;
	fx_user_add(fx, buf + INFO_SZ, full - INFO_SZ, 0);
	expect_ok(get_info_raw(fx, buf));
	fx_user_del(fx, buf + INFO_SZ);
	expect_u64(info->argsz, full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_info_argsz_below_minimum_einval, fx_v2_2m),
		FX_TEST(test_info_argsz_below_minimum_einval, fx_v2_emul),
		FX_TEST(test_info_argsz_minimum, fx_v2_2m),
		FX_TEST(test_info_argsz_minimum, fx_v2_emul),
		FX_TEST(test_info_argsz_partial_header, fx_v2_4k),
		FX_TEST(test_info_argsz_header_only, fx_v2_4k),
		FX_TEST(test_info_argsz_header_only, fx_v2_emul),
		FX_TEST(test_info_argsz_one_short, fx_v2_2m),
		FX_TEST(test_info_argsz_one_short, fx_v2_emul),
		FX_TEST(test_info_argsz_larger_than_needed, fx_v2_2m),
		FX_TEST(test_info_argsz_larger_than_needed, fx_v2_emul),
		FX_TEST(test_info_chain_layout, fx_v2_4k),
		FX_TEST(test_info_chain_layout, fx_v2_2m),
		FX_TEST(test_info_chain_layout, fx_v2_64k),
		FX_TEST(test_info_chain_layout, fx_v1_2m),
		FX_TEST(test_info_chain_layout, fx_set_v1_4k),
		FX_TEST(test_info_chain_layout, fx_v2_emul),
		FX_TEST(test_info_emulated_only, fx_v2_emul),
		FX_TEST(test_info_pgsizes_per_config, fx_v2_4k),
		FX_TEST(test_info_pgsizes_per_config, fx_v2_2m),
		FX_TEST(test_info_pgsizes_per_config, fx_v1_2m),
		FX_TEST(test_info_pgsizes_per_config, fx_v2_64k),
		FX_TEST(test_info_pgsizes_per_config, fx_v1_64k),
		FX_TEST(test_info_pgsizes_per_config, fx_set_v2_2m),
		FX_TEST(test_info_pgsizes_per_config, fx_set_v1_4k),
		FX_TEST(test_info_pgsizes_per_config, fx_v2_emul),
		FX_TEST(test_info_dma_avail_follows_mappings, fx_v2_4k),
		FX_TEST(test_info_dma_avail_follows_mappings, fx_v2_64k),
		FX_TEST(test_info_dma_avail_follows_mappings, fx_v2_emul),
		FX_TEST(test_info_iova_ranges_several_groups, fx_v2_2m),
		FX_TEST(test_info_unreadable_efault, fx_v2_2m),
		FX_TEST(test_info_readonly_header_efault, fx_v2_2m),
		FX_TEST(test_info_readonly_chain_efault, fx_v2_2m),
		FX_TEST(test_info_readonly_chain_efault, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("get_info", tests, NULL, NULL);
}
