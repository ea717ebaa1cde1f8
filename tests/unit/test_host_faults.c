// SPDX-License-Identifier: MIT
/*
 * test_host_faults.c - the simulated kernel's allocator (live count,
 * exactly-once failure injection, realloc) and the host configuration.
 * (WARN bookkeeping: test_host_warn.c.)
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

#define SLOTS	8

struct fixture {
	struct vfiosim_host *h;
	void *p[SLOTS];			/* host_alloc()ed, freed by teardown */
};

static int setup(void **state)
{
	*state = unit_fixture_new(sizeof(struct fixture), NULL);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < SLOTS; i++)
		host_free(f->h, f->p[i]);
	assert_int_equal(vfiosim_live_allocs(f->h), 0);
	unit_fixture_free(f);
	return 0;
}

static void the_nth_allocation_fails_exactly_once(void **state)
{
	struct fixture *f = *state;
	unsigned long base = vfiosim_alloc_calls(f->h);

	vfiosim_fail_nth_alloc(f->h, 3);
	f->p[0] = host_alloc(f->h, 16, false);
	f->p[1] = host_alloc(f->h, 16, true);
	assert_non_null(f->p[0]);
	assert_non_null(f->p[1]);
	assert_null(host_alloc(f->h, 16, false));
	f->p[2] = host_alloc(f->h, 16, false);
	f->p[3] = host_alloc(f->h, 16, false);
	assert_non_null(f->p[2]);
	assert_non_null(f->p[3]);
	assert_int_equal(vfiosim_alloc_calls(f->h) - base, 5);
	assert_int_equal(vfiosim_live_allocs(f->h), 4);

	vfiosim_fail_nth_alloc(f->h, 1);
	assert_null(host_alloc(f->h, 1, true));
	assert_int_equal(vfiosim_live_allocs(f->h), 4);
	assert_int_equal(vfiosim_warnings(f->h), 0);
}

static void disarming_and_rearming_restart_the_count(void **state)
{
	struct fixture *f = *state;

	vfiosim_fail_nth_alloc(f->h, 1);
	vfiosim_fail_nth_alloc(f->h, 0);
	f->p[0] = host_alloc(f->h, 8, false);
	assert_non_null(f->p[0]);
	vfiosim_fail_nth_alloc(f->h, 5);
	vfiosim_fail_nth_alloc(f->h, 2);
	f->p[1] = host_alloc(f->h, 8, false);
	assert_non_null(f->p[1]);
	assert_null(host_alloc(f->h, 8, false));
	f->p[2] = host_alloc(f->h, 8, false);
	f->p[3] = host_alloc(f->h, 8, false);
	f->p[4] = host_alloc(f->h, 8, false);
	assert_non_null(f->p[4]);
}

static void host_alloc_zeroes_on_request(void **state)
{
	struct fixture *f = *state;
	unsigned char *p;

	f->p[0] = p = host_alloc(f->h, 256, true);
	assert_non_null(p);
	while (p < (unsigned char *)f->p[0] + 256)
		assert_int_equal(*p++, 0);
	/* Size 0 is a valid, unique allocation, as kmalloc(0) is. */
	f->p[1] = host_alloc(f->h, 0, false);
	f->p[2] = host_alloc(f->h, 0, true);
	assert_non_null(f->p[1]);
	assert_non_null(f->p[2]);
	assert_ptr_not_equal(f->p[1], f->p[2]);
	host_free(f->h, NULL);
	assert_int_equal(vfiosim_live_allocs(f->h), 3);
}

static void a_failed_realloc_keeps_the_old_block(void **state)
{
	struct fixture *f = *state;
	unsigned char *p, *q;

	/* From NULL it is an allocation, counted and live. */
	f->p[0] = p = host_realloc(f->h, NULL, 4);
	assert_non_null(p);
	assert_int_equal(vfiosim_live_allocs(f->h), 1);
	memcpy(p, "abcd", 4);

	vfiosim_fail_nth_alloc(f->h, 1);
	assert_null(host_realloc(f->h, p, 1 << 20));
	assert_memory_equal(p, "abcd", 4);
	q = host_realloc(f->h, p, 1 << 20);
	assert_non_null(q);
	f->p[0] = q;
	assert_memory_equal(q, "abcd", 4);
	assert_int_equal(vfiosim_live_allocs(f->h), 1);

	vfiosim_fail_nth_alloc(f->h, 1);
	assert_null(host_realloc(f->h, NULL, 4));
	assert_int_equal(vfiosim_live_allocs(f->h), 1);
}

static void nofail_allocations_are_live_but_not_injectable(void **state)
{
	struct fixture *f = *state;
	unsigned long calls = vfiosim_alloc_calls(f->h);

	vfiosim_fail_nth_alloc(f->h, 1);
	f->p[0] = host_alloc_nofail(f->h, 32);
	assert_non_null(f->p[0]);
	assert_int_equal(((unsigned char *)f->p[0])[31], 0);
	assert_int_equal(vfiosim_alloc_calls(f->h), calls);
	assert_int_equal(vfiosim_live_allocs(f->h), 1);
	assert_null(host_alloc(f->h, 32, false));
}

static void freeing_with_nothing_live_warns(void **state)
{
	struct fixture *f = *state;

	vfiosim_expect_warnings(f->h, true);
	host_free(f->h, malloc(8));
	assert_int_equal(vfiosim_warnings(f->h), 1);
	assert_non_null(strstr(vfiosim_last_warning(f->h), "no live allocation"));
	assert_int_equal(vfiosim_live_allocs(f->h), 0);
}

static void host_config_defaults_and_page_sizes(void **state)
{
	struct vfiosim_host_config cfg = { 0 };
	const uint64_t bad[] = { 512, 8192, 32768, 1 << 21, 4097, UINT64_MAX, 1ULL << 63 };
	struct vfiosim_host *h;
	size_t i;

	h = vfiosim_host_new(NULL);
	assert_non_null(h);
	assert_int_equal(vfiosim_page_size(h), 4096);
	assert_int_equal(h->page_shift, 12);
	assert_int_equal(h->cfg.dma_entry_limit, 65535);
	assert_int_equal(h->cfg.memlock_limit, 0);
	assert_false(h->cfg.strict_uaccess);
	vfiosim_host_free(h);

	cfg.page_size = 16384;
	cfg.dma_entry_limit = 3;
	h = vfiosim_host_new(&cfg);
	assert_non_null(h);
	assert_int_equal(vfiosim_page_size(h), 16384);
	assert_int_equal(h->page_shift, 14);
	assert_int_equal(h->cfg.dma_entry_limit, 3);
	vfiosim_host_free(h);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.page_size = bad[i];
		errno = 0;
		assert_null(vfiosim_host_new(&cfg));
		assert_int_equal(errno, EINVAL);
	}
	vfiosim_host_free(NULL);
	(void)state;
}

#define TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(the_nth_allocation_fails_exactly_once),
		TEST(disarming_and_rearming_restart_the_count),
		TEST(host_alloc_zeroes_on_request),
		TEST(a_failed_realloc_keeps_the_old_block),
		TEST(nofail_allocations_are_live_but_not_injectable),
		TEST(freeing_with_nothing_live_warns),
		TEST(host_config_defaults_and_page_sizes),
	};

	return cmocka_run_group_tests_name("host_faults", tests, NULL, NULL);
}
