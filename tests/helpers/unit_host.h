/* SPDX-License-Identifier: MIT */
/*
 * unit_host.h - the state of the simulated host's unit tests
 * (tests/unit/test_host_*.c).
 *
 * A test's state is the bare host (unit_host_setup and unit_host_teardown
 * as its cmocka setup and teardown), or a struct of the test file's own
 * whose first member is the host, `struct vfiosim_host *h`, made by
 * unit_fixture_new() and freed by unit_fixture_free().
 */
#ifndef VFIOSIM_TEST_UNIT_HOST_H
#define VFIOSIM_TEST_UNIT_HOST_H

#include <stddef.h>

#include "vfiosim.h"

/* *state: a host with the default configuration. */
int unit_host_setup(void **state);
int unit_host_teardown(void **state);
/* A test whose state is that host. */
#define UNIT_HOST_TEST(fn)	cmocka_unit_test_setup_teardown(fn, unit_host_setup, \
								unit_host_teardown)

/*
 * A zeroed fixture of size bytes whose first member gets a new host of
 * configuration cfg (NULL: the defaults); NULL, nothing left allocated, if
 * either allocation fails.
 */
void *unit_fixture_new(size_t size, const struct vfiosim_host_config *cfg);
/*
 * Fails the test if the fixture's host WARNed without the test having
 * said it would (vfiosim_expect_warnings()); else frees the host and the
 * fixture.
 */
void unit_fixture_free(void *fixture);
/* The check of unit_fixture_free(), for another host of the test. */
void unit_host_check_warnings(const struct vfiosim_host *h);

#endif /* VFIOSIM_TEST_UNIT_HOST_H */
