// SPDX-License-Identifier: MIT
/*
 * test_host_uaccess.c - copy_from_user/copy_to_user: access_ok edges,
 * strict and permissive program memory, registered regions, short copies,
 * injected faults, guest memory seen through user addresses, the
 * journal of user writes an observer can watch a range with, and the
 * windows a copy-out may write through in place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/unit_host.h"
#include "host/host.h"

#define PG	4096ULL
#define GUEST	(4ULL << 30)

struct fixture {
	struct vfiosim_host *h;
	unsigned char *buf;		/* two pages of program memory, page aligned */
};

static const struct vfiosim_host_config permissive = { .strict_uaccess = false };
static const struct vfiosim_host_config strict = { .strict_uaccess = true };

/* *state: the host's configuration, one of the two above. */
static int setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), *state);

	if (!f)
		return -1;
	f->buf = aligned_alloc(PG, 2 * PG);
	if (!f->buf) {
		vfiosim_host_free(f->h);
		free(f);
		return -1;
	}
	memset(f->buf, 0, 2 * PG);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vfiosim_host_free(f->h);
	free(f->buf);
	free(f);
	return 0;
}

static uint64_t uaddr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	while (n--)
		if (*p++ != v)
			return false;
	return true;
}

static void access_ok_stops_at_the_user_limit_and_on_wrap(void **state)
{
	struct vfiosim_host *h = ((struct fixture *)*state)->h;
	const uint64_t max = HOST_TASK_SIZE_MAX;

	assert_true(host_access_ok(h, 0, 0));
	assert_true(host_access_ok(h, 0, max));
	assert_true(host_access_ok(h, max, 0));
	assert_true(host_access_ok(h, max - 1, 1));
	assert_false(host_access_ok(h, max, 1));
	assert_false(host_access_ok(h, max - 10, 11));
	assert_false(host_access_ok(h, 0, max + 1));
	assert_false(host_access_ok(h, UINT64_MAX, 2));
	assert_false(host_access_ok(h, 1, UINT64_MAX));
	assert_false(host_access_ok(h, UINT64_MAX, 0));
}

static void permissive_mode_reaches_any_program_memory(void **state)
{
	struct fixture *f = *state;
	unsigned char src[64], dst[64];

	memset(src, 0x11, sizeof(src));
	memset(dst, 0xee, sizeof(dst));
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(src), sizeof(src)), 0);
	assert_memory_equal(dst, src, sizeof(src));
	memset(src, 0x22, sizeof(src));
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf + 100), src, sizeof(src)), 0);
	assert_memory_equal(f->buf + 100, src, sizeof(src));
	assert_int_equal(vfiosim_copy_calls(f->h), 2);
}

static void bad_addresses_fault_without_being_touched(void **state)
{
	struct fixture *f = *state;
	unsigned char dst[16];

	memset(dst, 0xee, sizeof(dst));
	assert_int_equal(host_copy_from_user(f->h, dst, 0, sizeof(dst)), sizeof(dst));
	assert_true(all_bytes(dst, sizeof(dst), 0));
	assert_int_equal(host_copy_from_user(f->h, dst, HOST_NULL_GUARD - 16, 16), 16);
	assert_int_equal(host_copy_to_user(f->h, 8, dst, 8), 8);
	/* access_ok() fails first: nothing is dereferenced. */
	assert_int_equal(host_copy_from_user(f->h, dst, HOST_TASK_SIZE_MAX - 4, 8), 8);
	assert_int_equal(host_copy_to_user(f->h, UINT64_MAX - 3, dst, 8), 8);
	assert_int_equal(host_copy_to_user(f->h, 0xdead0000ULL << 20, dst, 8), 8);
	/* Nothing to copy is always a success. */
	assert_int_equal(host_copy_from_user(f->h, dst, 0, 0), 0);
	assert_int_equal(host_copy_to_user(f->h, HOST_TASK_SIZE_MAX, dst, 0), 0);
}

static void a_registered_region_narrows_permissive_access(void **state)
{
	struct fixture *f = *state;
	unsigned char src[32], dst[32];

	memset(src, 0x33, sizeof(src));
	assert_int_equal(vfiosim_user_add(f->h, f->buf, 64, VFIOSIM_PROT_READ), 0);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + PG, 64, 0), 0);
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, sizeof(src)), sizeof(src));
	assert_true(all_bytes(f->buf, 64, 0));
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf), sizeof(dst)), 0);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf + PG), 8), 8);
	/* Outside the regions, everything is still allowed. */
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf + 64), src, sizeof(src)), 0);
	/* A copy running into the hole stops at its first byte. */
	memset(dst, 0xee, sizeof(dst));
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf + PG - 10), sizeof(dst)),
			 sizeof(dst) - 10);
	assert_true(all_bytes(dst + 10, sizeof(dst) - 10, 0));
}

static void strict_mode_allows_only_registered_memory(void **state)
{
	struct fixture *f = *state;
	unsigned char src[32], dst[32];

	memset(src, 0x44, sizeof(src));
	memset(dst, 0xee, sizeof(dst));
	f->buf[0] = 0x99;
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf), sizeof(dst)), sizeof(dst));
	assert_true(all_bytes(dst, sizeof(dst), 0));
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, sizeof(src)), sizeof(src));
	assert_int_equal(f->buf[0], 0x99);

	assert_int_equal(vfiosim_user_add(f->h, f->buf, 32, VFIOSIM_PROT_READ), 0);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf), sizeof(dst)), 0);
	assert_int_equal(dst[0], 0x99);
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, sizeof(src)), sizeof(src));
	assert_int_equal(vfiosim_user_del(f->h, f->buf), 0);
	assert_int_equal(vfiosim_user_add(f->h, f->buf, 32, VFIOSIM_PROT_WRITE), 0);
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, sizeof(src)), 0);
	assert_memory_equal(f->buf, src, sizeof(src));
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf), 1), 1);
}

static void a_short_copy_moves_the_accessible_prefix(void **state)
{
	struct fixture *f = *state;
	unsigned char src[32], dst[32];
	const int rw = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;

	memset(f->buf, 0x55, 32);
	memset(src, 0x66, sizeof(src));
	memset(dst, 0xee, sizeof(dst));
	assert_int_equal(vfiosim_user_add(f->h, f->buf, 10, rw), 0);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf), sizeof(dst)), 22);
	assert_true(all_bytes(dst, 10, 0x55));
	assert_true(all_bytes(dst + 10, 22, 0));
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, sizeof(src)), 22);
	assert_true(all_bytes(f->buf, 10, 0x66));
	assert_true(all_bytes(f->buf + 10, 22, 0x55));

	/* Two adjacent regions make one accessible stretch. */
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 10, 12, rw), 0);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf), sizeof(dst)), 10);
	assert_true(all_bytes(dst + 10, 12, 0x55));
	assert_true(all_bytes(dst + 22, 10, 0));
}

static void the_nth_copy_fails_once(void **state)
{
	struct fixture *f = *state;
	unsigned char src[16], dst[16];
	unsigned long base = vfiosim_copy_calls(f->h);

	memset(src, 0x77, sizeof(src));
	vfiosim_fail_nth_copy(f->h, 2);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(src), sizeof(dst)), 0);
	memset(dst, 0xee, sizeof(dst));
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(src), sizeof(dst)), sizeof(dst));
	assert_true(all_bytes(dst, sizeof(dst), 0));
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(src), sizeof(dst)), 0);
	assert_int_equal(vfiosim_copy_calls(f->h), base + 3);

	vfiosim_fail_nth_copy(f->h, 1);
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, sizeof(src)), sizeof(src));
	assert_true(all_bytes(f->buf, sizeof(src), 0));

	vfiosim_fail_nth_copy(f->h, 1);
	vfiosim_fail_nth_copy(f->h, 0);
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, sizeof(src)), 0);
	assert_int_equal(vfiosim_copy_calls(f->h), base + 5);
}

static void guest_memory_is_reached_through_user_addresses(void **state)
{
	struct fixture *f = *state;
	unsigned char src[64], dst[64];
	unsigned char *g;

	memset(src, 0x12, sizeof(src));
	assert_int_equal(vfiosim_mm_map(f->h, GUEST, 2 * PG,
					VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE), 0);
	assert_int_equal(vfiosim_mm_map(f->h, GUEST + 2 * PG, PG, VFIOSIM_PROT_READ), 0);
	g = vfiosim_mm_ptr(f->h, GUEST);
	/* Straddling two pages of guest memory, even in strict mode. */
	assert_int_equal(host_copy_to_user(f->h, GUEST + PG - 32, src, sizeof(src)), 0);
	assert_memory_equal(g + PG - 32, src, sizeof(src));
	assert_int_equal(host_copy_from_user(f->h, dst, GUEST + PG - 32, sizeof(dst)), 0);
	assert_memory_equal(dst, src, sizeof(src));

	/* The read-only range refuses writes from its first byte on. */
	assert_int_equal(host_copy_to_user(f->h, GUEST + 2 * PG - 16, src, sizeof(src)),
			 sizeof(src) - 16);
	assert_int_equal(host_copy_from_user(f->h, dst, GUEST + 3 * PG - 16, sizeof(dst)),
			 sizeof(dst) - 16);
	assert_true(all_bytes(dst + 16, sizeof(dst) - 16, 0));
}

static void guest_memory_shadows_program_memory_at_the_same_address(void **state)
{
	struct fixture *f = *state;
	unsigned char dst[16];
	unsigned char *g;

	/* The program's second page now belongs to the simulated process. */
	memset(f->buf, 0xaa, 2 * PG);
	assert_int_equal(vfiosim_mm_map(f->h, uaddr(f->buf + PG), PG, VFIOSIM_PROT_READ), 0);
	g = vfiosim_mm_ptr(f->h, uaddr(f->buf + PG));
	assert_ptr_not_equal(g, f->buf + PG);
	memset(g, 0xbb, 8);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf + PG - 8), sizeof(dst)), 0);
	assert_true(all_bytes(dst, 8, 0xaa));
	assert_true(all_bytes(dst + 8, 8, 0xbb));
	assert_int_equal(vfiosim_mm_unmap(f->h, uaddr(f->buf + PG), PG), 0);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf + PG - 8), sizeof(dst)), 0);
	assert_true(all_bytes(dst, sizeof(dst), 0xaa));
}

static void user_regions_are_validated(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vfiosim_user_add(f->h, f->buf, 0, VFIOSIM_PROT_READ), -EINVAL);
	assert_int_equal(vfiosim_user_add(f->h, f->buf, 8, 4), -EINVAL);
	assert_int_equal(vfiosim_user_add(f->h, (void *)(uintptr_t)(UINT64_MAX - 3), 8,
					  VFIOSIM_PROT_READ), -EINVAL);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 16, 16, VFIOSIM_PROT_READ), 0);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 16, 16, VFIOSIM_PROT_READ), -EEXIST);
	assert_int_equal(vfiosim_user_add(f->h, f->buf, 17, VFIOSIM_PROT_READ), -EEXIST);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 31, 1, VFIOSIM_PROT_READ), -EEXIST);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 20, 2, VFIOSIM_PROT_READ), -EEXIST);
	assert_int_equal(vfiosim_user_add(f->h, f->buf, 16, VFIOSIM_PROT_READ), 0);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 32, 16, VFIOSIM_PROT_READ), 0);
	assert_int_equal(vfiosim_user_del(f->h, f->buf + 17), -ENOENT);
	assert_int_equal(vfiosim_user_del(f->h, f->buf + 16), 0);
	assert_int_equal(vfiosim_user_del(f->h, f->buf + 16), -ENOENT);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 16, 16, VFIOSIM_PROT_WRITE), 0);
	/* Regions still registered are released with the host. */
}

/*
 * A watch journals the writes that reach its range, clipped to it, with
 * the bytes they overwrote, in order; reads, writes elsewhere and writes
 * after it stops are not journalled; two watches see the same write.
 */
static void a_watch_journals_what_writes_overwrote(void **state)
{
	struct fixture *f = *state;
	struct host_uwatch w = { 0 }, all = { 0 };
	unsigned char src[32], dst[8];

	memset(f->buf, 0xaa, 64);
	memset(src, 0x11, sizeof(src));
	host_uwatch_start(f->h, &w, uaddr(f->buf + 8), uaddr(f->buf + 24));
	host_uwatch_start(f->h, &all, uaddr(f->buf), uaddr(f->buf + 64));
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf), src, 12), 0);
	assert_int_equal(host_copy_from_user(f->h, dst, uaddr(f->buf + 8), 8), 0);
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf + 40), src, 8), 0);
	memset(src, 0x22, sizeof(src));
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf + 10), src, 20), 0);
	host_uwatch_stop(&w);
	assert_int_equal(host_copy_to_user(f->h, uaddr(f->buf + 16), src, 4), 0);

	assert_false(w.lost);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.w[0].uaddr, uaddr(f->buf + 8));
	assert_int_equal(w.w[0].len, 4);
	assert_true(all_bytes(w.old + w.w[0].old, 4, 0xaa));
	assert_int_equal(w.w[1].uaddr, uaddr(f->buf + 10));
	assert_int_equal(w.w[1].len, 14);
	/* Two bytes the first write had changed, then twelve untouched ones. */
	assert_true(all_bytes(w.old + w.w[1].old, 2, 0x11));
	assert_true(all_bytes(w.old + w.w[1].old + 2, 12, 0xaa));
	assert_int_equal(all.n, 4);
	assert_int_equal(all.w[1].uaddr, uaddr(f->buf + 40));
	assert_int_equal(all.w[3].len, 4);
	assert_true(all_bytes(all.old + all.w[3].old, 4, 0x22));
	host_uwatch_release(&w);
	host_uwatch_release(&all);
	assert_null(w.w);
	assert_int_equal(w.n, 0);
}

/*
 * A window is one stretch, readable and writable, or nothing: refused
 * windows count no copy; a granted one counts one, can be failed like
 * one, and its bytes are journalled as written.
 */
static void a_window_is_all_of_one_stretch_or_nothing(void **state)
{
	const int rw = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;
	struct fixture *f = *state;
	struct host_uwatch w = { 0 };
	unsigned long base;
	unsigned char *g;
	int err = 1;

	memset(f->buf, 0xaa, 64);
	assert_int_equal(vfiosim_user_add(f->h, f->buf, 32, rw), 0);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 32, 16, VFIOSIM_PROT_READ), 0);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 48, 16, rw), 0);
	assert_int_equal(vfiosim_user_add(f->h, f->buf + 64, 16, VFIOSIM_PROT_WRITE), 0);
	assert_int_equal(vfiosim_mm_map(f->h, GUEST, 2 * PG, rw), 0);
	assert_int_equal(vfiosim_mm_map(f->h, GUEST + 4 * PG, PG, VFIOSIM_PROT_WRITE), 0);
	assert_int_equal(vfiosim_mm_map(f->h, GUEST + 2 * PG, PG, rw), 0);
	base = vfiosim_copy_calls(f->h);

	/*
	 * Refused: read-only or write-only bytes (program or guest), two regions,
	 * two guest ranges, nothing, past the limit.
	 */
	assert_null(host_user_window(f->h, uaddr(f->buf + 24), 16, &err));
	assert_int_equal(err, 0);
	assert_null(host_user_window(f->h, uaddr(f->buf + 64), 16, &err));
	assert_null(host_user_window(f->h, GUEST + 4 * PG, 16, &err));
	assert_null(host_user_window(f->h, uaddr(f->buf + 48), 16 + 8, &err));
	assert_null(host_user_window(f->h, GUEST + 2 * PG - 8, 16, &err));
	assert_null(host_user_window(f->h, uaddr(f->buf), 0, &err));
	assert_null(host_user_window(f->h, UINT64_MAX - 7, 16, &err));
	assert_int_equal(vfiosim_copy_calls(f->h), base);

	/* Granted: the program's bytes themselves, or the guest range's backing. */
	host_uwatch_start(f->h, &w, uaddr(f->buf), uaddr(f->buf + 64));
	assert_ptr_equal(host_user_window(f->h, uaddr(f->buf + 8), 24, &err), f->buf + 8);
	assert_int_equal(err, 0);
	g = vfiosim_mm_ptr(f->h, GUEST + PG);
	assert_ptr_equal(host_user_window(f->h, GUEST + PG, PG, &err), g);
	assert_int_equal(vfiosim_copy_calls(f->h), base + 2);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.w[0].uaddr, uaddr(f->buf + 8));
	assert_int_equal(w.w[0].len, 24);
	assert_true(all_bytes(w.old + w.w[0].old, 24, 0xaa));

	/* A failed one is a failed copy. */
	vfiosim_fail_nth_copy(f->h, 1);
	assert_null(host_user_window(f->h, uaddr(f->buf), 8, &err));
	assert_int_equal(err, -EFAULT);
	assert_int_equal(vfiosim_copy_calls(f->h), base + 3);
	assert_int_equal(w.n, 1);
	host_uwatch_release(&w);
}

#define PERMISSIVE(fn)	\
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&permissive)
#define STRICT(fn)	\
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&strict)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PERMISSIVE(access_ok_stops_at_the_user_limit_and_on_wrap),
		PERMISSIVE(permissive_mode_reaches_any_program_memory),
		PERMISSIVE(bad_addresses_fault_without_being_touched),
		PERMISSIVE(a_registered_region_narrows_permissive_access),
		STRICT(strict_mode_allows_only_registered_memory),
		STRICT(a_short_copy_moves_the_accessible_prefix),
		PERMISSIVE(the_nth_copy_fails_once),
		STRICT(guest_memory_is_reached_through_user_addresses),
		PERMISSIVE(guest_memory_shadows_program_memory_at_the_same_address),
		STRICT(user_regions_are_validated),
		STRICT(a_window_is_all_of_one_stretch_or_nothing),
		PERMISSIVE(a_window_is_all_of_one_stretch_or_nothing),
		PERMISSIVE(a_watch_journals_what_writes_overwrote),
	};

	return cmocka_run_group_tests_name("host_uaccess", tests, NULL, NULL);
}
