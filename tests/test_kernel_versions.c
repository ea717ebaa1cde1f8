// SPDX-License-Identifier: MIT
/*
 * test_kernel_versions.c - what type1 answers differently from one Linux
 * release to the next, on purpose (docs/kernel-versions.md): each test
 * states the answer of every version by fx->kernel, so that it holds for
 * the model under any profile and for the kernel tree of any version.
 *
 * Elsewhere: wrapping ranges and the top of the IOVA space
 * (test_iova_limits.c), the nesting type (test_container.c), attach's
 * allocation points (the sweeps of test_attach_detach.c), a pin of no
 * pages joining the scope (test_oracle.c).
 */
#include <errno.h>
#include <string.h>

#include "helpers/fixture.h"

#define IOVA	FX_IOVA
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

static long get_info_raw(struct fx *fx, void *buf)
{
	return vfiosim_ioctl(fx->c, VFIO_IOMMU_GET_INFO, buf);
}

/*
 * GET_INFO writes the fixed part back up to argsz (6.2 on); before, the
 * 16 bytes up to iova_pgsizes, or 20 up to cap_offset once argsz reaches
 * it: the padding after cap_offset, and a partial cap_offset, were left
 * as the caller had them.
 */
static void test_info_writes_back_up_to_argsz(void **state)
{
	struct fx *fx = *state;
	union {
		struct vfio_iommu_type1_info info;
		unsigned char b[sizeof(struct vfio_iommu_type1_info)];
	} u;
	bool whole = fx_since(fx, FX_K_INFO_HEADER);
	size_t i;

	memset(&u, 0x5a, sizeof(u));
	u.info.argsz = sizeof(u.info);
	expect_ok(get_info_raw(fx, &u));
	expect_u64(u.info.cap_offset, 0);
	for (i = 20; i < sizeof(u); i++)
		assert_int_equal(u.b[i], whole ? 0 : 0x5a);

	memset(&u, 0x5a, sizeof(u));
	u.info.argsz = 18;
	expect_ok(get_info_raw(fx, &u));
	expect_u64(u.info.iova_pgsizes, fx->pgsizes);
	for (i = 16; i < sizeof(u); i++)
		assert_int_equal(u.b[i], whole && i < 18 ? 0 : 0x5a);
}

/* An IOMMU whose smallest page is two CPU pages (the probe's pair). */
static const struct fx_config kv_iommu_8k =
	FX_CONFIG("v2, 4K CPU pages, IOMMU 8K|2M", VFIO_TYPE1v2_IOMMU, FX_IOMMU(2 * SZ_4K | SZ_2M));

/*
 * Before 6.13 attach probes a new domain for fine-grained superpages: it
 * maps two pages at the start of the first valid range and unmaps one.
 * An IOMMU whose smallest page is those two pages refuses the one-page
 * unmap, so the probe's pages stay mapped in the domain for its life: a
 * MAP there then fails in the IOMMU (-EEXIST, with its WARN).  Since 6.13
 * there is no probe.  (type1 WARNs on each MAP and UNMAP with pages above
 * PAGE_SIZE: two WARNs either way.)
 */
static void test_superpage_probe_leaves_its_pages(void **state)
{
	struct fx *fx = *state;
	bool probe = !fx_since(fx, FX_K_NO_FGSP);
	uint64_t unmapped = 0;

	fx_expect_warnings(fx, 2);
	expect_u64(fx->pgsize, 2 * SZ_4K);
	expect_u64(vfiosim_group_iommu_page(fx->g[0], 0), probe ? 2 * SZ_4K : 0);
	if (probe) {
		expect_err(fx_map(fx, fx->guest, 0, fx->pgsize, FX_RW), EEXIST);
		expect_u64(fx_locked(fx), 0);
		expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
		return;
	}
	expect_ok(fx_map(fx, fx->guest, 0, fx->pgsize, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], 0, 8));
	expect_ok(fx_unmap(fx, 0, fx->pgsize, 0, &unmapped));
	expect_u64(unmapped, fx->pgsize);
}

/* A v1 container whose device could pin (if v1 allowed it). */
static const struct fx_config kv_v1_pin =
	FX_CONFIG("v1, IOMMU 4K, device pins", VFIO_TYPE1_IOMMU, FX_PINNING(SZ_4K));

/*
 * A pin of npage <= 0: 0 never gets past the VFIO core.  A negative count
 * reaches type1, which since 6.19 refuses it before anything else (-EINVAL,
 * even on v1); before, v1 answers -EACCES and v2 pins no page, returns 0
 * and counts the group as pinning (test_oracle.c shows that scope).
 */
static void test_pin_of_no_pages(void **state)
{
	struct fx *fx = *state;
	uint64_t pfn = 0;
	bool checked = fx_since(fx, FX_K_PIN_NPAGE);

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * fx->pgsize, FX_RW));
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 0, RW, &pfn), EINVAL);
	if (fx->v2) {
		expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, -1, RW, &pfn),
			   checked ? -EINVAL : 0);
		expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, -(1 << 30), RW, &pfn),
			   checked ? -EINVAL : 0);
		expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 1, RW, &pfn), 1);
		expect_u64(pfn, vfiosim_mm_pfn(fx->h, fx->guest));
		expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], IOVA, 1));
	} else {
		expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, -1, RW, &pfn),
			   checked ? EINVAL : EACCES);
		expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 1, RW, &pfn), EACCES);
	}
	/* the mapping's own pins, with an IOMMU domain */
	expect_u64(fx_pinned(fx), fx->cfg->group[0].kind == VFIOSIM_GROUP_IOMMU ? 4 : 0);
}

/*
 * An unpin that meets an unmapped page stops there; since 6.0 (pins by
 * IOVA, unpin returning nothing) type1 WARNs about it, before it returned
 * the count unpinned to the vendor driver instead.
 */
static void test_short_unpin(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, pfn[2] = { 0, 0 };

	fx_expect_warnings(fx, fx_since(fx, FX_K_PIN_BY_IOVA) ? 1 : 0);
	expect_ok(fx_map(fx, fx->guest, IOVA, 2 * P, FX_RW));
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 2, RW, pfn), 2);
	expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], IOVA, 2));
	expect_u64(fx_locked(fx), 0);
	/* the third page is in no mapping: the unpin stops there */
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA + P, 1, RW, pfn), 1);
	expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], IOVA + P, 2));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
}

/*
 * VFIO_UPDATE_VADDR and VFIO_UNMAP_ALL came in 5.12: before, no extension,
 * and their flags are unknown ones (fx_update_vaddr() checks that).
 */
static void test_vaddr_and_unmap_all_arrive_in_5_12(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped = 0;

	if (!fx_update_vaddr(fx))
		return;
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 1);
	expect_ret(fx_ext(fx->c, VFIO_UNMAP_ALL), 1);
	expect_ok(fx_map(fx, fx->guest, IOVA, 2 * P, FX_RW));
	expect_ok(fx_unmap(fx, IOVA, 2 * P, VFIO_DMA_UNMAP_FLAG_VADDR, &unmapped));
	expect_u64(unmapped, 2 * P);
	expect_ok(fx_map(fx, fx->guest + 2 * P, IOVA, 2 * P, VFIO_DMA_MAP_FLAG_VADDR));
	expect_ok(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
	expect_u64(unmapped, 2 * P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_info_writes_back_up_to_argsz, fx_v2_2m),
		FX_TEST(test_info_writes_back_up_to_argsz, fx_v2_emul),
		FX_TEST(test_superpage_probe_leaves_its_pages, kv_iommu_8k),
		FX_TEST(test_pin_of_no_pages, fx_v2_emul),
		FX_TEST(test_pin_of_no_pages, kv_v1_pin),
		FX_TEST(test_short_unpin, fx_v2_emul),
		FX_TEST(test_vaddr_and_unmap_all_arrive_in_5_12, fx_v2_4k),
	};

	return cmocka_run_group_tests_name("kernel_versions", tests, NULL, NULL);
}
