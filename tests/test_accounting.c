// SPDX-License-Identifier: MIT
/*
 * test_accounting.c - pins and locked_vm: what MAP_DMA charges and UNMAP_DMA
 * releases across configurations, the same memory mapped twice, the edges
 * of RLIMIT_MEMLOCK, MMIO that is never charged, emulated-only containers
 * that charge nothing at map time, and pages pinned by a vendor driver.
 */
#include <errno.h>

#include "helpers/fixture.h"

#define IOVA	FX_IOVA

static void expect_charged(struct fx *fx, uint64_t bytes)
{
	expect_u64(fx_locked(fx), fx_pages(fx, bytes));
	expect_u64(fx_pinned(fx), fx_pages(fx, bytes));
}

static void test_locked_vm_follows_map_and_unmap(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, unmapped;

	expect_ok(fx_map(fx, G, IOVA, P, FX_RW));
	expect_charged(fx, P);
	expect_ok(fx_map(fx, G + P, IOVA + 4 * P, 3 * P, FX_RW));
	expect_charged(fx, 4 * P);
	expect_ok(fx_map(fx, G + 16 * P, IOVA + 16 * P, 16 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_charged(fx, 20 * P);
	expect_ret(vfiosim_mm_pin_count(fx->h, G + 31 * P), 1);
	expect_ret(vfiosim_mm_pin_count(fx->h, G + 32 * P), 0);

	expect_ok(fx_unmap(fx, IOVA + 4 * P, 3 * P, 0, &unmapped));
	expect_u64(unmapped, 3 * P);
	expect_charged(fx, 17 * P);
	expect_ret(vfiosim_mm_pin_count(fx->h, G + P), 0);
	expect_ret(vfiosim_mm_pin_count(fx->h, G), 1);
	expect_ok(fx_unmap(fx, IOVA + 16 * P, 16 * P, 0, NULL));
	expect_charged(fx, P);
	expect_ok(fx_unmap(fx, IOVA, P, 0, NULL));
	expect_charged(fx, 0);
}

static const struct fx_config fx_nohuge = {
	FX_CONFIG_OF("v2, IOMMU 4K|2M|1G, disable_hugepages", VFIO_TYPE1v2_IOMMU, FX_IOMMU(0)),
	.host = { .disable_hugepages = true },
};

/* Memory whose frames are not contiguous: pinned and mapped page by page,
 * charged the same. */
static void test_scattered_memory_charged_per_page(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, X = FX_MMIO_BASE, unmapped;

	fx_mm_map(fx, X, 64 * P, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, VFIOSIM_MM_SCATTER);
	expect_ok(fx_map(fx, X, IOVA, 64 * P, FX_RW));
	expect_charged(fx, 64 * P);
	expect_ret(vfiosim_mm_pin_count(fx->h, X + 63 * P), 1);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 63 * P, 16));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + P - 8, 16));
	expect_ok(fx_unmap(fx, IOVA, 64 * P, 0, &unmapped));
	expect_u64(unmapped, 64 * P);
	expect_charged(fx, 0);
}

/* Each mapping pins and charges its pages, even the same pages. */
static void test_same_memory_mapped_twice_charged_twice(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest;

	expect_ok(fx_map(fx, G, IOVA, 8 * P, FX_RW));
	expect_ok(fx_map(fx, G, IOVA + 64 * P, 8 * P, FX_RW));
	expect_charged(fx, 16 * P);
	expect_ret(vfiosim_mm_pin_count(fx->h, G), 2);
	expect_ret(vfiosim_mm_pin_count(fx->h, G + 8 * P - fx->page_size), 2);
	/* overlapping only in part */
	expect_ok(fx_map(fx, G + 4 * P, IOVA + 128 * P, 8 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_charged(fx, 24 * P);
	expect_ret(vfiosim_mm_pin_count(fx->h, G + 4 * P), 3);
	expect_ret(vfiosim_mm_pin_count(fx->h, G + 8 * P), 1);

	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, NULL));
	expect_charged(fx, 16 * P);
	expect_ret(vfiosim_mm_pin_count(fx->h, G), 1);
	expect_ok(fx_unmap(fx, IOVA + 64 * P, 8 * P, 0, NULL));
	expect_ret(vfiosim_mm_pin_count(fx->h, G), 0);
	expect_ok(fx_unmap_everything(fx, fx->c, NULL));
	expect_charged(fx, 0);
}

static const struct fx_config fx_memlock16 = {
	FX_CONFIG_OF("v2, IOMMU 4K, memlock 16 pages", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.host = { .memlock_limit = 16 * SZ_4K },
};

static void test_memlock_limit_edges(void **state)
{
	struct fx *fx = *state;
	uint64_t P = SZ_4K, G = fx->guest;

	expect_ok(fx_map(fx, G, IOVA, 10 * P, FX_RW));
	expect_ok(fx_map(fx, G + 10 * P, IOVA + 10 * P, 6 * P, FX_RW));
	expect_u64(fx_locked(fx), 16);
	expect_err(fx_map(fx, G + 16 * P, IOVA + 16 * P, P, FX_RW), ENOMEM);
	/* double mappings count against the limit as well */
	expect_err(fx_map(fx, G, IOVA + 64 * P, P, FX_RW), ENOMEM);
	expect_u64(fx_locked(fx), 16);

	expect_ok(fx_unmap(fx, IOVA + 10 * P, 6 * P, 0, NULL));
	expect_ok(fx_map(fx, G, IOVA + 64 * P, 6 * P, FX_RW));
	expect_u64(fx_locked(fx), 16);
	expect_ret(vfiosim_mm_pin_count(fx->h, G), 2);
	expect_err(fx_map(fx, G + 32 * P, IOVA + 32 * P, P, FX_RW), ENOMEM);
	expect_u64(fx_pinned(fx), 16);

	/* a map that would cross the limit half-way charges nothing */
	expect_ok(fx_unmap_everything(fx, fx->c, NULL));
	expect_ok(fx_map(fx, G, IOVA, 12 * P, FX_RW));
	expect_err(fx_map(fx, G + 12 * P, IOVA + 12 * P, 8 * P, FX_RW), ENOMEM);
	expect_u64(fx_locked(fx), 12);
	expect_u64(fx_pinned(fx), 12);
	expect_ret(vfiosim_mm_pin_count(fx->h, G + 12 * P), 0);
}

static const struct fx_config fx_memlock_zero = {
	FX_CONFIG_OF("v2, IOMMU 4K|2M|1G, memlock 0 (unlimited)", VFIO_TYPE1v2_IOMMU, FX_IOMMU(0)),
	.host = { .memlock_limit = 0 },
	.guest_size = 256ULL << 20,
};

static void test_memlock_unlimited(void **state)
{
	struct fx *fx = *state;

	expect_ok(fx_map(fx, fx->guest, IOVA, 256ULL << 20, FX_RW));
	expect_u64(fx_locked(fx), (256ULL << 20) / SZ_4K);
}

/* RAM next to MMIO in one mapping: only the RAM pages are pinned and
 * charged, in either order. */
static void test_pfnmap_never_charged(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, X = FX_MMIO_BASE, Y = FX_MMIO_BASE + 64 * P;
	int rw = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;

	fx_mm_map(fx, X, 8 * P, rw, 0);
	fx_mm_map(fx, X + 8 * P, 8 * P, rw, VFIOSIM_MM_PFNMAP);
	fx_mm_map(fx, Y, 8 * P, rw, VFIOSIM_MM_PFNMAP);
	fx_mm_map(fx, Y + 8 * P, 8 * P, rw, 0);

	expect_ok(fx_map(fx, X, IOVA, 16 * P, FX_RW));
	expect_charged(fx, 8 * P);
	expect_ok(fx_map(fx, Y, IOVA + 64 * P, 16 * P, FX_RW));
	expect_charged(fx, 16 * P);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 12 * P, 8));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 64 * P, 8));
	expect_ok(fx_unmap(fx, IOVA, 16 * P, 0, NULL));
	expect_charged(fx, 8 * P);
	expect_ok(fx_unmap(fx, IOVA + 64 * P, 16 * P, 0, NULL));
	expect_charged(fx, 0);
}

static const struct fx_config fx_memlock8 = {
	FX_CONFIG_OF("v2, IOMMU 4K, memlock 8 pages", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.host = { .memlock_limit = 8 * SZ_4K },
};

/* The limit only sees the RAM part of a mixed mapping. */
static void test_pfnmap_outside_memlock_limit(void **state)
{
	struct fx *fx = *state;
	uint64_t P = SZ_4K, X = FX_MMIO_BASE;
	int rw = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;

	fx_mm_map(fx, X, 8 * P, rw, 0);
	fx_mm_map(fx, X + 8 * P, 64 * P, rw, VFIOSIM_MM_PFNMAP);
	expect_ok(fx_map(fx, X, IOVA, 72 * P, FX_RW));
	expect_u64(fx_locked(fx), 8);
	expect_err(fx_map(fx, fx->guest, IOVA + 128 * P, P, FX_RW), ENOMEM);
	expect_ok(fx_map(fx, X + 8 * P, IOVA + 256 * P, 64 * P, FX_RW));
	expect_u64(fx_locked(fx), 8);
}

/* Emulated only: MAP_DMA pins and charges nothing. */
static void test_emulated_only_not_charged_at_map(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 64 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, IOVA + 64 * P, 64 * P, FX_RW));
	expect_charged(fx, 0);
	expect_ok(fx_unmap_everything(fx, fx->c, NULL));
	expect_charged(fx, 0);
}

static const struct fx_config fx_emul_memlock4 = {
	FX_CONFIG_OF("v2, emulated group, memlock 4 pages", VFIO_TYPE1v2_IOMMU, FX_EMULATED),
	.host = { .memlock_limit = 4 * SZ_4K },
};

/*
 * A vendor driver's pins are charged when no IOMMU domain charged the
 * pages already; pinning a page twice takes one more reference only.
 */
static void test_external_pins_charged_without_domain(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	uint64_t pfns[8];

	expect_ok(fx_map(fx, fx->guest, IOVA, 64 * SZ_4K, FX_RW));
	expect_ret(vfiosim_pin_pages(fx->c, g, IOVA, 4, VFIOSIM_PROT_WRITE, pfns), 4);
	expect_charged(fx, 4 * SZ_4K);
	expect_u64(pfns[0], vfiosim_mm_pfn(fx->h, fx->guest));
	expect_u64(pfns[3], vfiosim_mm_pfn(fx->h, fx->guest + 3 * SZ_4K));
	expect_ret(vfiosim_pin_pages(fx->c, g, IOVA, 4, VFIOSIM_PROT_READ, pfns), 4);
	expect_charged(fx, 4 * SZ_4K);
	/* memlock 4 pages: a fifth is refused */
	expect_err(vfiosim_pin_pages(fx->c, g, IOVA + 8 * SZ_4K, 1, VFIOSIM_PROT_READ, pfns),
		   ENOMEM);
	expect_charged(fx, 4 * SZ_4K);

	expect_ok(vfiosim_unpin_pages(fx->c, g, IOVA, 4));
	expect_charged(fx, 4 * SZ_4K);
	expect_ok(vfiosim_unpin_pages(fx->c, g, IOVA, 4));
	expect_charged(fx, 0);
}

/*
 * With an IOMMU domain the pages are already pinned and charged by the
 * mapping: a vendor pin adds a page reference, no charge.  When the IOMMU
 * leaves, the charge shrinks to the vendor-pinned pages; when it comes
 * back, those are not charged twice.
 */
static void test_external_pins_charged_once_with_domain(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *ge = fx->g[1];
	uint64_t P = SZ_4K, pfns[4], unmapped;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_charged(fx, 16 * P);
	expect_ret(vfiosim_pin_pages(fx->c, ge, IOVA + 4 * P, 4, VFIOSIM_PROT_WRITE, pfns), 4);
	expect_u64(fx_locked(fx), 16);
	expect_u64(fx_pinned(fx), 20);
	expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest + 4 * P), 2);

	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(fx_locked(fx), 4);
	expect_u64(fx_pinned(fx), 4);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_u64(fx_locked(fx), 16);
	expect_u64(fx_pinned(fx), 20);

	/* the unmap makes the vendor driver let go first */
	expect_ok(fx_unmap(fx, IOVA, 16 * P, 0, &unmapped));
	expect_u64(unmapped, 16 * P);
	expect_charged(fx, 0);
}

static const struct fx_config fx_iommu_emul_4k =
	FX_CONFIG("v2, IOMMU 4K + emulated group", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K),
		  FX_EMULATED);

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_locked_vm_follows_map_and_unmap, fx_v2_4k),
		FX_TEST(test_locked_vm_follows_map_and_unmap, fx_v2_2m),
		FX_TEST(test_locked_vm_follows_map_and_unmap, fx_v2_64k),
		FX_TEST(test_locked_vm_follows_map_and_unmap, fx_v1_2m),
		FX_TEST(test_locked_vm_follows_map_and_unmap, fx_set_v1_4k),
		FX_TEST(test_locked_vm_follows_map_and_unmap, fx_nohuge),
		FX_TEST(test_scattered_memory_charged_per_page, fx_v2_4k),
		FX_TEST(test_scattered_memory_charged_per_page, fx_v2_2m),
		FX_TEST(test_scattered_memory_charged_per_page, fx_v2_64k),
		FX_TEST(test_scattered_memory_charged_per_page, fx_nohuge),
		FX_TEST(test_same_memory_mapped_twice_charged_twice, fx_v2_4k),
		FX_TEST(test_same_memory_mapped_twice_charged_twice, fx_v2_64k),
		FX_TEST(test_same_memory_mapped_twice_charged_twice, fx_v1_2m),
		FX_TEST(test_memlock_limit_edges, fx_memlock16),
		FX_TEST(test_memlock_unlimited, fx_memlock_zero),
		FX_TEST(test_pfnmap_never_charged, fx_v2_4k),
		FX_TEST(test_pfnmap_never_charged, fx_v2_2m),
		FX_TEST(test_pfnmap_never_charged, fx_v2_64k),
		FX_TEST(test_pfnmap_outside_memlock_limit, fx_memlock8),
		FX_TEST(test_emulated_only_not_charged_at_map, fx_v2_emul),
		FX_TEST(test_external_pins_charged_without_domain, fx_emul_memlock4),
		FX_TEST(test_external_pins_charged_once_with_domain, fx_iommu_emul_4k),
	};

	return cmocka_run_group_tests_name("accounting", tests, NULL, NULL);
}
