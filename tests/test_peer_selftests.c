// SPDX-License-Identifier: MIT
/*
 * test_peer_selftests.c - what the kernel's own VFIO selftests check of
 * type1 without a PCI device, as contract tests (Linux 7.3,
 * tools/testing/selftests/vfio/vfio_dma_mapping_test.c; written here from
 * what those tests check, for both type1 container types).
 *
 * dma_map_unmap: anonymous memory of one page, of 2 MiB and of 1 GiB
 * (hugetlb there: here a range aligned to its size, which the simulated
 * host backs with contiguous frames) is mapped at an IOVA aligned to its
 * size; the device then reaches it through the IOMMU, whose page table
 * holds one entry of that size (what the selftest reads from the IOMMU's
 * debugfs: a PTE, PMD or PUD); UNMAP returns the size and the
 * translation is gone.
 *
 * vfio_dma_map_limit_test: one page at the last page of the last valid
 * IOVA range maps, and an exact UNMAP or UNMAP_ALL returns its size; two
 * pages from the last page of the 64-bit space wrap, and MAP and UNMAP
 * refuse them with -EOVERFLOW (-EINVAL before 6.19).  With an aperture
 * reaching 2^64 the first two are what Linux before 6.19 cannot do
 * (docs/divergences.md 8): expected failures there.
 */
#include <errno.h>
#include <string.h>

#include "helpers/fixture.h"

/* Process memory of the hugepage variants, aligned to 1 GiB. */
#define HUGE_BASE	0x400000000ULL

/* An IOMMU as common hardware has it (48-bit), and one reaching 2^64. */
static const struct fx_config peer_v2 =
	FX_CONFIG("type1v2, IOMMU 4K|2M|1G", VFIO_TYPE1v2_IOMMU, FX_IOMMU(0));

static const struct fx_config peer_v1 =
	FX_CONFIG("type1, IOMMU 4K|2M|1G", VFIO_TYPE1_IOMMU, FX_IOMMU(0));

static const struct fx_config peer_v2_64 =
	FX_CONFIG("type1v2, IOMMU 4K|2M|1G, aperture up to 2^64", VFIO_TYPE1v2_IOMMU,
		  FX_IOMMU_TOP(0));

static const struct fx_config peer_v1_64 =
	FX_CONFIG("type1, IOMMU 4K|2M|1G, aperture up to 2^64", VFIO_TYPE1_IOMMU, FX_IOMMU_TOP(0));

/* The container's valid IOVA ranges (GET_INFO's capability); *n of them. */
static const struct vfio_iova_range *iova_ranges(struct fx *fx, uint32_t *n)
{
	const struct vfio_iommu_type1_info_cap_iova_range *cap =
		fx_find_cap(fx_get_info(fx), VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);

	assert_non_null(cap);
	assert_true(cap->nr_iovas > 0);
	*n = cap->nr_iovas;
	return cap->iova_ranges;
}

/* The lowest IOVA aligned to size (a power of two) with room for size. */
static uint64_t iova_alloc(struct fx *fx, uint64_t size)
{
	const struct vfio_iova_range *r;
	uint32_t i, n;

	r = iova_ranges(fx, &n);
	for (i = 0; i < n; i++) {
		uint64_t iova = (r[i].start + size - 1) & ~(size - 1);

		if (iova >= r[i].start && iova <= r[i].end && r[i].end - iova >= size - 1)
			return iova;
	}
	fail_msg("no IOVA range holds 0x%llx bytes", (unsigned long long)size);
	return 0;
}

/*
 * The device writes through the IOMMU at iova and the bytes land at vaddr:
 * the mapping translates that IOVA to that memory.
 */
static void expect_translates(struct fx *fx, uint64_t iova, uint64_t vaddr, uint64_t size)
{
	static const unsigned char data[8] = "selftst";

	expect_ok(vfiosim_device_write_data(fx->g[0], iova, data, sizeof(data)));
	assert_memory_equal(vfiosim_mm_ptr(fx->h, vaddr), data, sizeof(data));
	expect_ok(vfiosim_device_write_data(fx->g[0], iova + size - sizeof(data), data,
					    sizeof(data)));
	assert_memory_equal(vfiosim_mm_ptr(fx->h, vaddr + size - sizeof(data)), data,
			    sizeof(data));
}

/* ------------------------------------------------------- dma_map_unmap */

static void dma_map_unmap(struct fx *fx, uint64_t size)
{
	uint64_t vaddr = fx->guest, iova, unmapped = 0;

	if (size > fx->page_size) {
		vaddr = HUGE_BASE;
		fx_mm_map(fx, vaddr, size, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, 0);
	}
	iova = iova_alloc(fx, size);
	expect_ok(fx_map(fx, vaddr, iova, size, FX_RW));
	expect_translates(fx, iova, vaddr, size);
	expect_u64(vfiosim_group_iommu_page(fx->g[0], iova), size);
	expect_u64(vfiosim_group_iommu_page(fx->g[0], iova + size - 1), size);
	expect_u64(fx_locked(fx), fx_pages(fx, size));

	expect_ok(fx_unmap(fx, iova, size, 0, &unmapped));
	expect_u64(unmapped, size);
	expect_err(vfiosim_device_write(fx->g[0], iova, 8), EFAULT);
	expect_u64(vfiosim_group_iommu_page(fx->g[0], iova), 0);
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
}

static void test_peer_dma_map_unmap_anonymous(void **state)
{
	dma_map_unmap(*state, ((struct fx *)*state)->page_size);
}

static void test_peer_dma_map_unmap_hugetlb_2mb(void **state)
{
	dma_map_unmap(*state, SZ_2M);
}

static void test_peer_dma_map_unmap_hugetlb_1gb(void **state)
{
	dma_map_unmap(*state, SZ_1G);
}

/* ------------------------------------------------- dma_map_limit_test */

/* The region of the limit tests: the last page of the last IOVA range. */
static uint64_t last_page(struct fx *fx)
{
	const struct vfio_iova_range *r;
	uint32_t n;

	r = iova_ranges(fx, &n);
	return r[n - 1].end & ~(fx->page_size - 1);
}

static void test_peer_map_limit_unmap_range(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->page_size, iova = last_page(fx), unmapped = 0;

	expect_ok(fx_map(fx, fx->guest, iova, P, FX_RW));
	expect_translates(fx, iova, fx->guest, P);
	expect_ok(fx_unmap(fx, iova, P, 0, &unmapped));
	expect_u64(unmapped, P);
	expect_u64(fx_locked(fx), 0);
}

static void test_peer_map_limit_unmap_all(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->page_size, iova = last_page(fx), unmapped = 0;

	/* VFIO_DMA_UNMAP_FLAG_ALL came in 5.12 */
	if (!fx_update_vaddr(fx))
		return;
	expect_ok(fx_map(fx, fx->guest, iova, P, FX_RW));
	expect_translates(fx, iova, fx->guest, P);
	expect_ok(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
	expect_u64(unmapped, P);
	expect_u64(fx_locked(fx), 0);
}

static void test_peer_map_limit_overflow(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->page_size, iova = ~0ULL & ~(P - 1);

	expect_err(fx_map(fx, fx->guest, iova, 2 * P, FX_RW), fx_wrap_errno(fx));
	expect_err(fx_unmap(fx, iova, 2 * P, 0, NULL), fx_wrap_errno(fx));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
}

#define PEER_MODES(f)								\
	FX_TEST(f, peer_v1), FX_TEST(f, peer_v2), FX_TEST(f, peer_v1_64),	\
	FX_TEST(f, peer_v2_64)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_peer_dma_map_unmap_anonymous, peer_v1),
		FX_TEST(test_peer_dma_map_unmap_anonymous, peer_v2),
		FX_TEST(test_peer_dma_map_unmap_hugetlb_2mb, peer_v1),
		FX_TEST(test_peer_dma_map_unmap_hugetlb_2mb, peer_v2),
		FX_TEST(test_peer_dma_map_unmap_hugetlb_1gb, peer_v1),
		FX_TEST(test_peer_dma_map_unmap_hugetlb_1gb, peer_v2),
		PEER_MODES(test_peer_map_limit_unmap_range),
		PEER_MODES(test_peer_map_limit_unmap_all),
		PEER_MODES(test_peer_map_limit_overflow),
	};

	return cmocka_run_group_tests_name("peer_selftests", tests, NULL, NULL);
}
