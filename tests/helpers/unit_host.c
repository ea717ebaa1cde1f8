// SPDX-License-Identifier: MIT
/*
 * unit_host.c - the state of the simulated host's unit tests (see
 * unit_host.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "host/host.h"
#include "unit_host.h"

int unit_host_setup(void **state)
{
	*state = vfiosim_host_new(NULL);
	return *state ? 0 : -1;
}

int unit_host_teardown(void **state)
{
	vfiosim_host_free(*state);
	return 0;
}

/* The fixture's first member, which C lets a pointer to it reach. */
static struct vfiosim_host **host_member(void *fixture)
{
	return fixture;
}

void *unit_fixture_new(size_t size, const struct vfiosim_host_config *cfg)
{
	void *f = calloc(1, size);

	if (!f)
		return NULL;
	*host_member(f) = vfiosim_host_new(cfg);
	if (!*host_member(f)) {
		free(f);
		return NULL;
	}
	return f;
}

void unit_host_check_warnings(const struct vfiosim_host *h)
{
	assert_true(h->warn.expected || !vfiosim_warnings(h));
}

void unit_fixture_free(void *fixture)
{
	struct vfiosim_host *h = *host_member(fixture);

	unit_host_check_warnings(h);
	vfiosim_host_free(h);
	free(fixture);
}
