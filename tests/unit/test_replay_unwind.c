// SPDX-License-Identifier: MIT
/*
 * test_replay_unwind.c - an IOMMU group joining a container whose mappings
 * were made with emulated groups only, so nothing was pinned and nothing
 * bounded their size.  The replay pins them for the new domain; when that
 * fails part-way the attach must fail and give back every page.
 *
 * Model only: Linux 6.12 unwinds the failed mapping one page at a time to
 * its end, so the 2^47-byte case below does not return there
 * (docs/fuzzing.md F4; fuzz/regressions/diff/hang-5249be60fa00).
 */
#include <errno.h>

#include "helpers/fixture.h"

/* Above the MSI window below 4 GiB, which an attach would find in the way. */
#define HUGE_IOVA	(4ULL << 30)

static void attach_fails_and_gives_back(struct fx *fx, uint64_t size)
{
	static const struct vfiosim_group_config iommu = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g;
	uint64_t unmapped = 0;

	/* Below: a mapping the replay can pin whole, then the huge one. */
	expect_ok(fx_map(fx, fx->guest, FX_IOVA, SZ_2M, FX_RW));
	expect_ok(fx_map(fx, fx->guest + SZ_2M, HUGE_IOVA, size, FX_RW));
	g = fx_group(fx, &iommu);
	/* Guest memory ends long before the mapping: pinning faults. */
	expect_err(vfiosim_container_attach(fx->c, g), EFAULT);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_locked(fx), 0);
	expect_consistent(fx->c);
	/* Nothing else changed: both mappings are there, and still usable. */
	expect_ok(fx_unmap(fx, HUGE_IOVA, size, 0, &unmapped));
	expect_u64(unmapped, size);
	expect_ok(fx_unmap(fx, FX_IOVA, SZ_2M, 0, &unmapped));
	expect_u64(unmapped, SZ_2M);
	/* And the group can join the now empty container. */
	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_ok(vfiosim_container_detach(fx->c, g));
}

static void test_replay_failing_past_guest_memory_gives_every_page_back(void **state)
{
	attach_fails_and_gives_back(*state, 128ULL << 20);
}

static void test_replay_of_a_huge_mapping_fails_at_once(void **state)
{
	attach_fails_and_gives_back(*state, 1ULL << 47);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_replay_failing_past_guest_memory_gives_every_page_back, fx_v2_emul),
		FX_TEST(test_replay_of_a_huge_mapping_fails_at_once, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("replay_unwind", tests, NULL, NULL);
}
