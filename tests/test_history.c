// SPDX-License-Identifier: MIT
/*
 * test_history.c - contract tests for bugs that Linux's type1 once had and
 * that no other test would notice coming back (kernel/history/ puts each
 * fixed bug back into a kernel tree and expects 'make kcheck' to fail).
 *
 *  - "vfio iommu type1: Fix memory leak in vfio_iommu_type1_pin_pages":
 *    a vendor-driver pin whose bookkeeping allocation fails must give the
 *    page back (pin count and locked_vm as before the call).
 *  - "vfio/type1: fix cap_migration information leak": the padding of
 *    GET_INFO's migration capability must reach the user zeroed, whatever
 *    the kernel stack held before.
 */
#include <errno.h>
#include <string.h>

#include "helpers/fixture.h"

#define IOVA	FX_IOVA
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

/* v2, an IOMMU-backed group whose vendor driver pins (pages already
 * pinned and charged by the mapping). */
static const struct fx_config hist_iommu_pin =
	FX_CONFIG("v2, IOMMU 4K, device pins", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K));

/*
 * Every allocation of a 4-page pin fails in turn; a failed pin leaves the
 * host's pins, locked_vm, live allocations and the driver's state exactly
 * as they were.  The sweep ends at the first pin that allocates less than
 * the armed count.
 */
static void test_history_failed_pin_gives_pages_back(void **state)
{
	struct fx *fx = *state;
	struct fx_snap before;
	uint64_t pfns[4];
	unsigned long n, calls;
	long ret;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * fx->pgsize, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	for (n = 1; n < 100; n++) {
		calls = vfiosim_alloc_calls(fx->h);
		vfiosim_fail_nth_alloc(fx->h, n);
		ret = vfiosim_pin_pages(fx->c, fx->g[0], IOVA + 4 * fx->pgsize, 4, RW, pfns);
		vfiosim_fail_nth_alloc(fx->h, 0);
		calls = vfiosim_alloc_calls(fx->h) - calls;
		if (ret == 4) {
			expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], IOVA + 4 * fx->pgsize, 4));
			fx_snap_check(fx, fx->c, &before);
			if (calls < n)
				break;
			continue;
		}
		expect_err(ret, ENOMEM);
		fx_snap_check(fx, fx->c, &before);
		expect_consistent(fx->c);
	}
	assert_true(n > 1);
	assert_true(n < 100);
}

/* Leaves a recognisable pattern in the stack below the caller's frame. */
__attribute__((noinline)) static void stain_stack(void)
{
	volatile unsigned char junk[16384];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

static void test_history_migration_cap_padding_is_zero(void **state)
{
	struct fx *fx = *state;
	const struct vfio_iommu_type1_info_cap_migration *mig;
	const unsigned char *pad;
	struct vfio_iommu_type1_info *info;
	size_t i;

	stain_stack();
	info = fx_get_info(fx);
	mig = fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
	assert_non_null(mig);
	pad = (const unsigned char *)&mig->flags + sizeof(mig->flags);
	for (i = 0; pad + i < (const unsigned char *)&mig->pgsize_bitmap; i++)
		if (pad[i])
			fail_msg("migration capability padding byte %zu is 0x%02x", i, pad[i]);
	expect_u64(mig->flags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_history_failed_pin_gives_pages_back, fx_v2_emul),
		FX_TEST(test_history_failed_pin_gives_pages_back, hist_iommu_pin),
		FX_TEST(test_history_migration_cap_padding_is_zero, fx_v2_4k),
		FX_TEST(test_history_migration_cap_padding_is_zero, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
