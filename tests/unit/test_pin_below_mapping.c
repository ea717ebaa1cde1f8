// SPDX-License-Identifier: MIT
/*
 * test_pin_below_mapping.c - a vendor pin at an unaligned IOVA just below a
 * mapping (docs/divergences.md, smaller differences, and 7).  The kernel
 * accepts it and corrupts its heap, so this runs on the model only: the pin
 * names the page holding the IOVA, which is not mapped, so it is refused as
 * any unmapped IOVA is, and the container stays consistent.
 */
#include <errno.h>

#include "helpers/fixture.h"

static void test_pin_of_unaligned_iova_below_a_mapping_is_refused(void **state)
{
	struct fx *fx = *state;
	uint64_t pfn = 0;
	char why[256];

	expect_ok(fx_map(fx, fx->guest, FX_IOVA + SZ_4K, 4 * SZ_4K, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], FX_IOVA + SZ_4K / 2, 1,
				     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, &pfn), EINVAL);
	assert_int_equal(vfiosim_warnings(fx->h), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_ok(vfiosim_container_check(fx->c, why, sizeof(why)));
	/* An unaligned iova inside the mapping pins the page it falls in. */
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], FX_IOVA + SZ_4K + 100, 1,
				     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, &pfn), 1);
	expect_u64(pfn, vfiosim_mm_pfn(fx->h, fx->guest));
	expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], FX_IOVA + SZ_4K + 100, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_pin_of_unaligned_iova_below_a_mapping_is_refused, fx_v2_emul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
