// SPDX-License-Identifier: MIT
/*
 * test_host_mm.c - the simulated address space: range validation, pins,
 * pfns, PFNMAP, locked_vm accounting, unmapping under pins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "helpers/unit_host.h"
#include "host/host.h"

#define PG	4096ULL
#define GUEST	(4ULL << 30)		/* guest memory from 4 GiB up */
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

struct fixture {
	struct vfiosim_host *h;
	struct vfiosim_host *h2;	/* a second, differently configured host */
};

static int setup(void **state)
{
	*state = unit_fixture_new(sizeof(struct fixture), NULL);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->h2)
		unit_host_check_warnings(f->h2);
	vfiosim_host_free(f->h2);
	unit_fixture_free(f);
	return 0;
}

static struct vfiosim_host *host_of(void **state)
{
	return ((struct fixture *)*state)->h;
}

static void map_rejects_bad_ranges_with_einval(void **state)
{
	struct vfiosim_host *h = host_of(state);

	assert_int_equal(vfiosim_mm_map(h, GUEST + 1, PG, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, PG + 1, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, 0, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, HOST_NULL_GUARD - PG, PG, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, 0, PG, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, HOST_TASK_SIZE_MAX, PG, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, HOST_TASK_SIZE_MAX - PG, 2 * PG, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, UINT64_MAX - PG + 1, 2 * PG, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, UINT64_MAX - PG + 1, RW), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, PG, 0), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, PG, 4), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, PG, -1), -EINVAL);
	assert_int_equal(vfiosim_mm_map_flags(h, GUEST, PG, RW, 4), -EINVAL);
	assert_null(vfiosim_mm_ptr(h, GUEST));

	/* The edges themselves are fine. */
	assert_int_equal(vfiosim_mm_map(h, HOST_NULL_GUARD, PG, RW), 0);
	assert_int_equal(vfiosim_mm_map(h, HOST_TASK_SIZE_MAX - PG, PG, RW), 0);
	assert_int_equal(vfiosim_mm_map(h, GUEST, PG, VFIOSIM_PROT_WRITE), 0);
}

static void map_overlapping_an_existing_range_is_eexist(void **state)
{
	struct vfiosim_host *h = host_of(state);
	const int r = VFIOSIM_PROT_READ;

	assert_int_equal(vfiosim_mm_map(h, GUEST + 4 * PG, 4 * PG, r), 0);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 4 * PG, 4 * PG, r), -EEXIST);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 5 * PG, PG, r), -EEXIST);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 3 * PG, 2 * PG, r), -EEXIST);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 7 * PG, 2 * PG, r), -EEXIST);
	assert_int_equal(vfiosim_mm_map(h, GUEST, 16 * PG, r), -EEXIST);
	/* Touching is not overlapping. */
	assert_int_equal(vfiosim_mm_map(h, GUEST + 3 * PG, PG, r), 0);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 8 * PG, PG, r), 0);
}

static void pins_count_per_page_and_in_total(void **state)
{
	struct vfiosim_host *h = host_of(state);
	uint64_t pfns[4], again[4];
	int i;

	assert_int_equal(vfiosim_mm_map(h, GUEST, 8 * PG, RW), 0);
	assert_int_equal(host_mm_pin_pages(h, GUEST + PG, 4, true, pfns), 4);
	assert_int_equal(host_mm_pin_pages(h, GUEST + PG, 2, false, again), 2);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pfns[i], vfiosim_mm_pfn(h, GUEST + (uint64_t)(i + 1) * PG));
		assert_true(host_pfn_valid(h, pfns[i]));
		assert_false(host_pfn_reserved(h, pfns[i]));
	}
	assert_memory_equal(pfns, again, 2 * sizeof(pfns[0]));
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST), 0);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + PG), 2);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + 3 * PG), 1);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + 5 * PG), 0);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + 8 * PG), -EFAULT);
	assert_int_equal(vfiosim_mm_pinned_total(h), 6);

	/* An unaligned address pins the page that contains it. */
	assert_int_equal(host_mm_pin_pages(h, GUEST + 6 * PG + 123, 1, false, again), 1);
	assert_int_equal(again[0], vfiosim_mm_pfn(h, GUEST + 6 * PG));
	host_mm_unpin_page(h, again[0], false);

	for (i = 0; i < 4; i++)
		host_mm_unpin_page(h, pfns[i], true);
	for (i = 0; i < 2; i++)
		host_mm_unpin_page(h, pfns[i], false);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + PG), 0);
	assert_int_equal(vfiosim_warnings(h), 0);
}

static void pin_stops_at_a_gap_and_crosses_into_an_adjacent_range(void **state)
{
	struct vfiosim_host *h = host_of(state);
	uint64_t pfns[8];
	int i;

	assert_int_equal(vfiosim_mm_map(h, GUEST, 4 * PG, RW), 0);
	assert_int_equal(host_mm_pin_pages(h, GUEST + 2 * PG, 8, true, pfns), 2);
	assert_int_equal(host_mm_pin_pages(h, GUEST + 4 * PG, 1, true, pfns + 2), -EFAULT);
	assert_int_equal(host_mm_pin_pages(h, GUEST - PG, 2, true, pfns + 2), -EFAULT);
	assert_int_equal(host_mm_pin_pages(h, GUEST, 0, true, pfns + 2), 0);
	assert_int_equal(host_mm_pin_pages(h, GUEST, -1, true, pfns + 2), 0);
	assert_int_equal(vfiosim_mm_pinned_total(h), 2);

	/* Adjacent range: __get_user_pages() carries on into it. */
	assert_int_equal(vfiosim_mm_map(h, GUEST + 4 * PG, 2 * PG, RW), 0);
	assert_int_equal(host_mm_pin_pages(h, GUEST + 3 * PG, 8, false, pfns + 2), 3);
	assert_int_equal(pfns[4], vfiosim_mm_pfn(h, GUEST + 5 * PG));
	for (i = 0; i < 5; i++)
		host_mm_unpin_page(h, pfns[i], false);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
	assert_int_equal(vfiosim_warnings(h), 0);
}

static void pin_refuses_pfnmap_and_missing_permission(void **state)
{
	struct vfiosim_host *h = host_of(state);
	uint64_t pfns[4];

	assert_int_equal(vfiosim_mm_map(h, GUEST, 2 * PG, VFIOSIM_PROT_READ), 0);
	assert_int_equal(vfiosim_mm_map_flags(h, GUEST + 2 * PG, 2 * PG,
					      VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE,
					      VFIOSIM_MM_PFNMAP), 0);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 8 * PG, PG, VFIOSIM_PROT_WRITE), 0);

	assert_int_equal(host_mm_pin_pages(h, GUEST, 2, true, pfns), -EFAULT);
	assert_int_equal(host_mm_pin_pages(h, GUEST + 2 * PG, 1, false, pfns), -EFAULT);
	assert_int_equal(host_mm_pin_pages(h, GUEST + 8 * PG, 1, false, pfns), -EFAULT);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
	/* Read pins of the read-only range stop where the PFNMAP starts. */
	assert_int_equal(host_mm_pin_pages(h, GUEST, 4, false, pfns), 2);
	assert_int_equal(host_mm_pin_pages(h, GUEST + 8 * PG, 1, true, pfns + 2), 1);
	host_mm_unpin_page(h, pfns[0], false);
	host_mm_unpin_page(h, pfns[1], false);
	host_mm_unpin_page(h, pfns[2], true);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
}

static void pfnmap_frames_are_mmio_and_followable(void **state)
{
	struct vfiosim_host *h = host_of(state);
	uint64_t pfn = 0, pfn2 = 0;
	unsigned char *bytes;
	int warnings;

	assert_int_equal(vfiosim_mm_map_flags(h, GUEST, 4 * PG, VFIOSIM_PROT_READ,
					      VFIOSIM_MM_PFNMAP), 0);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 4 * PG, PG, VFIOSIM_PROT_READ), 0);
	assert_int_equal(host_mm_follow_pfn(h, GUEST + PG + 5, false, &pfn), 0);
	assert_true(pfn >= HOST_MMIO_PFN_BASE);
	assert_int_equal(pfn, vfiosim_mm_pfn(h, GUEST + PG));
	assert_false(host_pfn_valid(h, pfn));
	assert_int_equal(host_mm_follow_pfn(h, GUEST, true, &pfn2), -EFAULT);
	assert_int_equal(host_mm_follow_pfn(h, GUEST + 4 * PG, false, &pfn2), -EFAULT);
	assert_int_equal(host_mm_follow_pfn(h, GUEST + 5 * PG, false, &pfn2), -EFAULT);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST), 0);

	/* MMIO has bytes behind it too, the same the CPU sees. */
	bytes = host_pfn_bytes(h, pfn);
	assert_non_null(bytes);
	((unsigned char *)vfiosim_mm_ptr(h, GUEST + PG))[7] = 0x5a;
	assert_int_equal(bytes[7], 0x5a);

	/* MMIO is never pinned, so never unpinned either. */
	warnings = (int)vfiosim_warnings(h);
	vfiosim_expect_warnings(h, true);
	host_mm_unpin_page(h, pfn, false);
	assert_int_equal(vfiosim_warnings(h), warnings + 1);
	assert_non_null(strstr(vfiosim_last_warning(h), "not a pinnable page"));
}

static void unpin_of_an_unpinned_or_unknown_pfn_warns(void **state)
{
	struct vfiosim_host *h = host_of(state);
	uint64_t pfn;

	assert_int_equal(vfiosim_mm_map(h, GUEST, PG, VFIOSIM_PROT_READ), 0);
	pfn = vfiosim_mm_pfn(h, GUEST);
	vfiosim_expect_warnings(h, true);
	host_mm_unpin_page(h, pfn, false);
	assert_int_equal(vfiosim_warnings(h), 1);
	assert_non_null(strstr(vfiosim_last_warning(h), "not pinned"));
	host_mm_unpin_page(h, 12345, false);
	assert_int_equal(vfiosim_warnings(h), 2);
	assert_string_equal(vfiosim_last_warning(h), "unpin of pfn 0x3039, not a pinnable page");
	host_mm_unpin_page(h, pfn + 1, false);
	assert_int_equal(vfiosim_warnings(h), 3);
	assert_non_null(strstr(vfiosim_last_warning(h), "not a pinnable page"));
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
}

static void accounting_follows_rlimit_memlock_and_lock_cap(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_host_config cfg = { .memlock_limit = 16 * PG + 100 };
	struct vfiosim_host *h;

	f->h2 = h = vfiosim_host_new(&cfg);
	assert_non_null(h);
	assert_int_equal(host_mm_lock_limit(h), 16);
	assert_false(host_capable_ipc_lock(h));
	assert_int_equal(host_mm_account(h, 10, false), 0);
	assert_int_equal(host_mm_account(h, 6, false), 0);
	assert_int_equal(host_mm_account(h, 1, false), -ENOMEM);
	assert_int_equal(host_mm_account(h, LONG_MAX, false), -ENOMEM);
	assert_int_equal(vfiosim_mm_locked_vm(h), 16);
	assert_int_equal(host_mm_account(h, 0, false), 0);
	assert_int_equal(host_mm_account(h, 4, true), 0);
	assert_int_equal(host_mm_locked_vm(h), 20);
	/* Over the limit, even a small charge fails without the capability. */
	assert_int_equal(host_mm_account(h, -2, false), 0);
	assert_int_equal(host_mm_account(h, 1, false), -ENOMEM);
	assert_int_equal(host_mm_account(h, -18, false), 0);
	assert_int_equal(host_mm_locked_vm(h), 0);
	assert_int_equal(vfiosim_warnings(h), 0);

	/* Uncharging more than is charged warns (and wraps, as the kernel). */
	vfiosim_expect_warnings(h, true);
	assert_int_equal(host_mm_account(h, -1, false), 0);
	assert_int_equal(vfiosim_warnings(h), 1);
	assert_string_equal(vfiosim_last_warning(h), "locked_vm underflow: 0 - 1");
	assert_int_equal(host_mm_locked_vm(h), UINT64_MAX);
	assert_int_equal(host_mm_account(h, 1, true), 0);
	assert_int_equal(host_mm_locked_vm(h), 0);
	assert_int_equal(host_mm_account(h, LONG_MIN, false), 0);
	assert_int_equal(vfiosim_warnings(h), 2);
	assert_string_equal(vfiosim_last_warning(h),
			    "locked_vm underflow: 0 - 9223372036854775808");
}

static void accounting_is_unlimited_by_default(void **state)
{
	struct vfiosim_host *h = host_of(state);

	assert_int_equal(host_mm_lock_limit(h), UINT64_MAX / PG);
	assert_int_equal(host_mm_account(h, 1L << 40, false), 0);
	assert_int_equal(host_mm_locked_vm(h), 1ULL << 40);
	assert_int_equal(host_mm_account(h, -(1L << 40), false), 0);
	assert_int_equal(vfiosim_warnings(h), 0);
}

static void unmapped_pages_stay_alive_while_pinned(void **state)
{
	struct vfiosim_host *h = host_of(state);
	unsigned char *cpu, *dma;
	uint64_t pfn, old_first;

	assert_int_equal(vfiosim_mm_map(h, GUEST, 4 * PG, RW), 0);
	old_first = vfiosim_mm_pfn(h, GUEST);
	cpu = vfiosim_mm_ptr(h, GUEST + 2 * PG);
	assert_non_null(cpu);
	cpu[9] = 0xab;
	assert_int_equal(host_mm_pin_pages(h, GUEST + 2 * PG, 1, true, &pfn), 1);
	assert_int_equal(vfiosim_mm_unmap(h, GUEST, 4 * PG), 0);

	assert_null(vfiosim_mm_ptr(h, GUEST + 2 * PG));
	assert_null(host_mm_find_vma(h, GUEST));
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + 2 * PG), -EFAULT);
	assert_int_equal(vfiosim_mm_pfn(h, GUEST), 0);
	dma = host_pfn_bytes(h, pfn);
	assert_non_null(dma);
	assert_int_equal(dma[9], 0xab);
	assert_true(host_pfn_valid(h, pfn));

	/* The address is free again, and new memory gets new frames. */
	assert_int_equal(vfiosim_mm_map(h, GUEST, 4 * PG, VFIOSIM_PROT_READ), 0);
	assert_true(vfiosim_mm_pfn(h, GUEST) != old_first);
	assert_true(vfiosim_mm_pfn(h, GUEST + 2 * PG) != pfn);
	assert_non_null(host_pfn_bytes(h, pfn));

	host_mm_unpin_page(h, pfn, true);
	assert_null(host_pfn_bytes(h, pfn));
	assert_null(host_pfn_bytes(h, old_first));
	assert_int_equal(vfiosim_warnings(h), 0);
	/* Freed frames keep their struct page; unpinning one again warns. */
	assert_true(host_pfn_valid(h, pfn));
	vfiosim_expect_warnings(h, true);
	host_mm_unpin_page(h, pfn, false);
	assert_int_equal(vfiosim_warnings(h), 1);
	assert_non_null(strstr(vfiosim_last_warning(h), "not a pinnable page"));
}

static void unmap_is_all_or_nothing_on_whole_ranges(void **state)
{
	struct vfiosim_host *h = host_of(state);
	const int r = VFIOSIM_PROT_READ;

	assert_int_equal(vfiosim_mm_map(h, GUEST, 4 * PG, r), 0);
	assert_int_equal(vfiosim_mm_map(h, GUEST + 8 * PG, 4 * PG, r), 0);
	assert_int_equal(vfiosim_mm_unmap(h, GUEST + PG, 2 * PG), -EINVAL);
	assert_int_equal(vfiosim_mm_unmap(h, GUEST, 10 * PG), -EINVAL);
	assert_int_equal(vfiosim_mm_unmap(h, GUEST + 1, PG), -EINVAL);
	assert_int_equal(vfiosim_mm_unmap(h, GUEST, PG + 1), -EINVAL);
	assert_int_equal(vfiosim_mm_unmap(h, GUEST, 0), -EINVAL);
	assert_int_equal(vfiosim_mm_unmap(h, UINT64_MAX - PG + 1, 2 * PG), -EINVAL);
	assert_non_null(vfiosim_mm_ptr(h, GUEST));
	assert_non_null(vfiosim_mm_ptr(h, GUEST + 8 * PG));

	assert_int_equal(vfiosim_mm_unmap(h, GUEST + 4 * PG, 4 * PG), 0);
	assert_int_equal(vfiosim_mm_unmap(h, GUEST - 4 * PG, 20 * PG), 0);
	assert_null(vfiosim_mm_ptr(h, GUEST));
	assert_null(vfiosim_mm_ptr(h, GUEST + 11 * PG));
}

static void scatter_swaps_each_pair_of_pfns(void **state)
{
	struct vfiosim_host *h = host_of(state);
	uint64_t pfn[5], pinned[5], i;

	assert_int_equal(vfiosim_mm_map_flags(h, GUEST, 5 * PG, VFIOSIM_PROT_READ,
					      VFIOSIM_MM_SCATTER), 0);
	for (i = 0; i < 5; i++)
		pfn[i] = vfiosim_mm_pfn(h, GUEST + i * PG);
	assert_int_equal(pfn[1] + 1, pfn[0]);
	assert_int_equal(pfn[3] + 1, pfn[2]);
	assert_int_equal(pfn[1] + 2, pfn[3]);
	/* The odd one out has no partner and stays in place. */
	assert_int_equal(pfn[1] + 4, pfn[4]);

	assert_int_equal(host_mm_pin_pages(h, GUEST, 5, false, pinned), 5);
	assert_memory_equal(pinned, pfn, sizeof(pfn));
	for (i = 0; i < 5; i++) {
		assert_ptr_equal(host_pfn_bytes(h, pfn[i]), vfiosim_mm_ptr(h, GUEST + i * PG));
		assert_int_equal(vfiosim_mm_pin_count(h, GUEST + i * PG), 1);
	}
	host_mm_unpin_page(h, pfn[1], false);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + PG), 0);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST), 1);
	for (i = 0; i < 5; i++)
		if (i != 1)
			host_mm_unpin_page(h, pfn[i], false);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
	assert_int_equal(vfiosim_warnings(h), 0);
}

static void pfns_share_the_address_offset_within_1g(void **state)
{
	struct vfiosim_host *h = host_of(state);
	const uint64_t a = GUEST + (3ULL << 20) + 5 * PG, b = (9ULL << 30) + (1ULL << 21);
	uint64_t pa, pb;

	assert_int_equal(vfiosim_mm_map(h, a, 8 * PG, VFIOSIM_PROT_READ), 0);
	assert_int_equal(vfiosim_mm_map(h, b, 4ULL << 20, VFIOSIM_PROT_READ), 0);
	pa = vfiosim_mm_pfn(h, a) * PG;
	pb = vfiosim_mm_pfn(h, b) * PG;
	assert_int_equal(pa & ((1ULL << 30) - 1), a & ((1ULL << 30) - 1));
	assert_int_equal(pb & ((1ULL << 30) - 1), b & ((1ULL << 30) - 1));
	assert_true(vfiosim_mm_pfn(h, a) >= HOST_RAM_PFN_BASE);
	/* Later ranges get later frames: no overlap. */
	assert_true(pb >= pa + 8 * PG);
}

static void a_64g_range_costs_nothing_until_touched(void **state)
{
	struct vfiosim_host *h = host_of(state);
	const uint64_t base = 64ULL << 30, len = 64ULL << 30;
	struct rusage before, after;
	unsigned char *last;
	uint64_t pfn;

	assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
	assert_int_equal(vfiosim_mm_map(h, base, len, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE), 0);
	last = vfiosim_mm_ptr(h, base + len - 1);
	assert_non_null(last);
	*last = 1;
	assert_int_equal(host_mm_pin_pages(h, base + len - PG, 1, true, &pfn), 1);
	assert_ptr_equal(host_pfn_bytes(h, pfn) + PG - 1, last);
	assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
	/* ru_maxrss is in KiB: well under 64 MiB of growth. */
	assert_true(after.ru_maxrss - before.ru_maxrss < 64 * 1024);
	host_mm_unpin_page(h, pfn, true);
	assert_int_equal(vfiosim_mm_unmap(h, base, len), 0);
}

static void larger_cpu_pages_scale_everything(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_host_config cfg = { .page_size = 65536, .memlock_limit = 1 << 20 };
	struct vfiosim_host *h;
	uint64_t pfn;

	f->h2 = h = vfiosim_host_new(&cfg);
	assert_non_null(h);
	assert_int_equal(vfiosim_page_size(h), 65536);
	assert_int_equal(host_mm_lock_limit(h), 16);
	assert_int_equal(vfiosim_mm_map(h, GUEST + PG, 65536, VFIOSIM_PROT_READ), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, PG, VFIOSIM_PROT_READ), -EINVAL);
	assert_int_equal(vfiosim_mm_map(h, GUEST, 4 * 65536, VFIOSIM_PROT_READ), 0);
	assert_int_equal(host_mm_pin_pages(h, GUEST + 65536, 8, false, NULL), 3);
	pfn = vfiosim_mm_pfn(h, GUEST + 65536);
	assert_int_equal((pfn * 65536) & ((1ULL << 30) - 1), (GUEST + 65536) & ((1ULL << 30) - 1));
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + 3 * 65536 + 5), 1);
	host_mm_unpin_page(h, pfn, false);
	host_mm_unpin_page(h, pfn + 1, false);
	host_mm_unpin_page(h, pfn + 2, false);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
	assert_int_equal(vfiosim_warnings(h), 0);
}

/*
 * Pin counts are runs: random pins and unpins of single pages and of
 * stretches, through every entry point, must leave the counts a plain
 * per-page array would hold, page by page.
 */
#define RUN_PAGES	96U

static void pin_runs_count_like_a_per_page_array(void **state)
{
	struct vfiosim_host *h = host_of(state);
	unsigned int ref[RUN_PAGES] = { 0 }, i, k, step;
	uint64_t pfn0, pfn, total = 0;
	unsigned int seed = 12345;

	assert_int_equal(vfiosim_mm_map(h, GUEST, RUN_PAGES * PG, RW), 0);
	pfn0 = vfiosim_mm_pfn(h, GUEST);
	for (step = 0; step < 4000; step++) {
		unsigned int first, n, op;

		seed = seed * 1103515245U + 12345U;
		first = (seed >> 8) % RUN_PAGES;
		n = 1 + (seed >> 20) % (RUN_PAGES - first < 9 ? RUN_PAGES - first : 9);
		op = (seed >> 4) % 3;
		if (op == 0) {
			assert_int_equal(host_mm_pin_pages(h, GUEST + first * PG, n, true, NULL), n);
		} else if (op == 1) {
			assert_int_equal(host_mm_pin_run(h, GUEST + first * PG, n, false, &pfn), n);
			assert_int_equal(pfn, pfn0 + first);
		} else {
			/* Only what is pinned: unpinning more is a WARN, tested above. */
			for (k = 0; k < n && ref[first + k]; k++)
				;
			n = k;
			if (!n)
				continue;
			host_mm_unpin_pages(h, pfn0 + first, n, false);
		}
		for (k = 0; k < n; k++) {
			ref[first + k] += op == 2 ? -1U : 1U;
			total += op == 2 ? -1ULL : 1ULL;
		}
		for (i = 0; i < RUN_PAGES; i++)
			assert_int_equal(vfiosim_mm_pin_count(h, GUEST + i * PG), ref[i]);
		assert_int_equal(vfiosim_mm_pinned_total(h), total);
	}
	for (i = 0; i < RUN_PAGES; i++)
		for (; ref[i]; ref[i]--)
			host_mm_unpin_page(h, pfn0 + i, false);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
	assert_int_equal(vfiosim_warnings(h), 0);
}

/*
 * A 16 TiB range pinned whole, then pinned again here and there, and
 * unpinned as it was pinned: one run of counts, a few cuts, nothing per
 * page (a per-page count would need 16 GiB: the test would not fit).
 */
static void a_16t_range_pins_whole_as_one_run(void **state)
{
	struct vfiosim_host *h = host_of(state);
	uint64_t size = 16ULL << 40, pages = size / PG, pfn0, pfn, i;

	assert_int_equal(vfiosim_mm_map(h, GUEST, size, RW), 0);
	assert_int_equal(host_mm_pin_run(h, GUEST, LONG_MAX, true, &pfn0), (long)pages);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(host_mm_pin_run(h, GUEST + i * (pages / 1000) * PG, 1, true, &pfn),
				 1);
		assert_int_equal(pfn, pfn0 + i * (pages / 1000));
	}
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST), 2);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + PG), 1);
	assert_int_equal(vfiosim_mm_pin_count(h, GUEST + size - PG), 1);
	assert_int_equal(vfiosim_mm_pinned_total(h), pages + 1000);
	/* Unmapped while pinned: it lives on until the last pin goes. */
	assert_int_equal(vfiosim_mm_unmap(h, GUEST, size), 0);
	host_mm_unpin_pages(h, pfn0, pages, false);
	for (i = 0; i < 1000; i++)
		host_mm_unpin_page(h, pfn0 + i * (pages / 1000), false);
	assert_int_equal(vfiosim_mm_pinned_total(h), 0);
	assert_false(host_pfn_bytes(h, pfn0));
	assert_int_equal(vfiosim_warnings(h), 0);
}

#define TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(map_rejects_bad_ranges_with_einval),
		TEST(map_overlapping_an_existing_range_is_eexist),
		TEST(pins_count_per_page_and_in_total),
		TEST(pin_stops_at_a_gap_and_crosses_into_an_adjacent_range),
		TEST(pin_refuses_pfnmap_and_missing_permission),
		TEST(pfnmap_frames_are_mmio_and_followable),
		TEST(unpin_of_an_unpinned_or_unknown_pfn_warns),
		TEST(accounting_follows_rlimit_memlock_and_lock_cap),
		TEST(accounting_is_unlimited_by_default),
		TEST(unmapped_pages_stay_alive_while_pinned),
		TEST(unmap_is_all_or_nothing_on_whole_ranges),
		TEST(scatter_swaps_each_pair_of_pfns),
		TEST(pfns_share_the_address_offset_within_1g),
		TEST(a_64g_range_costs_nothing_until_touched),
		TEST(larger_cpu_pages_scale_everything),
		TEST(pin_runs_count_like_a_per_page_array),
		TEST(a_16t_range_pins_whole_as_one_run),
	};

	return cmocka_run_group_tests_name("host_mm", tests, NULL, NULL);
}
