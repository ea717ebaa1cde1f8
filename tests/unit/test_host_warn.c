// SPDX-License-Identifier: MIT
/*
 * test_host_warn.c - WARN bookkeeping (vfiosim.h, "warnings"): every WARN
 * is counted; one nobody expected is printed, one a program announced is
 * only recorded, with its latest messages kept for asserting; WARNs with
 * no host, or raised while a host is freed, go to the process's channel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/capture.h"
#include "helpers/unit_host.h"
#include "host/host.h"

static void expected_warnings_are_counted_not_printed(void **state)
{
	struct vfiosim_host *h = *state;
	struct capture c = { 0 };

	cap_begin(&c);
	HOST_WARN(h, "loud %d", 1);
	vfiosim_expect_warnings(h, true);
	HOST_WARN(h, "quiet %s", "two");
	vfiosim_expect_warnings(h, false);
	HOST_WARN(h, "loud %d", 3);
	cap_end(&c);
	expect_lines(&c, "vfiosim: WARNING at tests/unit/test_host_warn.c:", 2);
	expect_lines(&c, ": loud 1", 1);
	expect_lines(&c, ": loud 3", 1);
	expect_lines(&c, "quiet", 0);
	cap_free(&c);
	assert_int_equal(vfiosim_warnings(h), 3);
	assert_string_equal(vfiosim_warning(h, 2), "quiet two");
	assert_string_equal(vfiosim_last_warning(h), "loud 3");
}

static void the_latest_messages_are_kept(void **state)
{
	struct vfiosim_host *h = *state;
	const unsigned int n = VFIOSIM_WARNINGS_KEPT + 3;
	char want[32];
	unsigned int i;

	assert_int_equal(vfiosim_warnings(h), 0);
	assert_string_equal(vfiosim_last_warning(h), "");
	assert_null(vfiosim_warning(h, 0));
	assert_null(vfiosim_warning(h, 1));
	vfiosim_expect_warnings(h, true);
	for (i = 1; i <= n; i++)
		HOST_WARN(h, "number %u", i);
	assert_int_equal(vfiosim_warnings(h), n);
	assert_null(vfiosim_warning(h, 0));
	for (i = 1; i <= n - VFIOSIM_WARNINGS_KEPT; i++)
		assert_null(vfiosim_warning(h, i));
	for (; i <= n; i++) {
		snprintf(want, sizeof(want), "number %u", i);
		assert_string_equal(vfiosim_warning(h, i), want);
	}
	assert_null(vfiosim_warning(h, n + 1));
	snprintf(want, sizeof(want), "number %u", n);
	assert_string_equal(vfiosim_last_warning(h), want);
}

static void a_long_message_is_cut_not_overflowed(void **state)
{
	struct vfiosim_host *h = *state;
	char longer[600];

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	vfiosim_expect_warnings(h, true);
	HOST_WARN(h, "%s", longer);
	assert_int_equal(strlen(vfiosim_last_warning(h)), 255);
	assert_int_equal(vfiosim_warnings(h), 1);
}

static void warnings_without_a_host_go_to_the_process(void **state)
{
	struct vfiosim_host *h = *state;
	unsigned int before = vfiosim_warnings(NULL);
	struct capture c = { 0 };

	vfiosim_expect_warnings(NULL, true);
	HOST_WARN(NULL, "nobody's %d", 1);
	assert_int_equal(vfiosim_warnings(NULL), before + 1);
	assert_string_equal(vfiosim_last_warning(NULL), "nobody's 1");
	assert_int_equal(vfiosim_warnings(h), 0);

	/* Each channel has its own switch. */
	vfiosim_expect_warnings(NULL, false);
	vfiosim_expect_warnings(h, true);
	cap_begin(&c);
	HOST_WARN(NULL, "nobody's %d", 2);
	cap_end(&c);
	expect_lines(&c, ": nobody's 2", 1);
	cap_free(&c);
	assert_int_equal(vfiosim_warnings(NULL), before + 2);
	assert_int_equal(vfiosim_warnings(h), 0);
}

static void a_host_being_freed_warns_to_the_process(void **state)
{
	struct vfiosim_host *h = vfiosim_host_new(NULL);
	unsigned int before = vfiosim_warnings(NULL);

	assert_non_null(h);
	assert_non_null(vfiosim_group_new(h, NULL));
	/* Expected on the host or not: it is gone when the WARN comes. */
	vfiosim_expect_warnings(h, true);
	vfiosim_expect_warnings(NULL, true);
	vfiosim_host_free(h);
	vfiosim_expect_warnings(NULL, false);
	assert_int_equal(vfiosim_warnings(NULL), before + 1);
	assert_string_equal(vfiosim_last_warning(NULL), "host freed with 1 group(s) still alive");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_HOST_TEST(expected_warnings_are_counted_not_printed),
		UNIT_HOST_TEST(the_latest_messages_are_kept),
		UNIT_HOST_TEST(a_long_message_is_cut_not_overflowed),
		UNIT_HOST_TEST(warnings_without_a_host_go_to_the_process),
		UNIT_HOST_TEST(a_host_being_freed_warns_to_the_process),
	};

	return cmocka_run_group_tests_name("host_warn", tests, NULL, NULL);
}
