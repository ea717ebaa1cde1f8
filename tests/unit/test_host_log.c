// SPDX-License-Identifier: MIT
/*
 * test_host_log.c - the ground-truth write log: order, numbering, growth
 * and bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "helpers/unit_host.h"
#include "host/host.h"

static void a_new_host_has_an_empty_log(void **state)
{
	struct vfiosim_host *h = *state;

	assert_int_equal(vfiosim_log_count(h), 0);
	assert_null(vfiosim_log_get(h, 0));
}

static void writes_are_kept_in_order_with_their_details(void **state)
{
	struct vfiosim_host *h = *state;
	const struct vfiosim_write *w;

	host_log_write(h, 3, 7, VFIOSIM_WRITE_DMA, 0x1000, 8);
	host_log_write(h, 4, 0, VFIOSIM_WRITE_DMA_RW, 0xfffffffffffff000ULL, 4096);
	assert_int_equal(vfiosim_log_count(h), 2);
	w = vfiosim_log_get(h, 0);
	assert_non_null(w);
	assert_int_equal(w->seq, 1);
	assert_int_equal(w->container_id, 3);
	assert_int_equal(w->group_id, 7);
	assert_int_equal(w->source, VFIOSIM_WRITE_DMA);
	assert_int_equal(w->iova, 0x1000);
	assert_int_equal(w->len, 8);
	w = vfiosim_log_get(h, 1);
	assert_int_equal(w->seq, 2);
	assert_int_equal(w->source, VFIOSIM_WRITE_DMA_RW);
	assert_int_equal(w->iova, 0xfffffffffffff000ULL);
	assert_null(vfiosim_log_get(h, 2));
	assert_null(vfiosim_log_get(h, SIZE_MAX));
}

static void the_log_grows_without_losing_entries(void **state)
{
	struct vfiosim_host *h = *state;
	size_t i, n = 10000;

	for (i = 0; i < n; i++)
		host_log_write(h, 1, 2, VFIOSIM_WRITE_PINNED, i * 4096, i + 1);
	assert_int_equal(vfiosim_log_count(h), n);
	for (i = 0; i < n; i++) {
		const struct vfiosim_write *w = vfiosim_log_get(h, i);

		assert_int_equal(w->seq, i + 1);
		assert_int_equal(w->iova, i * 4096);
		assert_int_equal(w->len, i + 1);
	}
	/* The log is the host's, not the simulated kernel's. */
	assert_int_equal(vfiosim_live_allocs(h), 0);
	assert_int_equal(vfiosim_alloc_calls(h), 0);
	assert_int_equal(vfiosim_warnings(h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_HOST_TEST(a_new_host_has_an_empty_log),
		UNIT_HOST_TEST(writes_are_kept_in_order_with_their_details),
		UNIT_HOST_TEST(the_log_grows_without_losing_entries),
	};

	return cmocka_run_group_tests_name("host_log", tests, NULL, NULL);
}
