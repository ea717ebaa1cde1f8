// SPDX-License-Identifier: MIT
/*
 * test_host_group.c - IOMMU groups: defaults, validation, reserved
 * regions, MSI isolation, IOMMU identities and the rules for freeing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "helpers/unit_host.h"
#include "host/host.h"

#define NGROUPS	4

struct fixture {
	struct vfiosim_host *h;
	struct vfiosim_group *g[NGROUPS];
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

	for (i = 0; i < NGROUPS; i++)
		vfiosim_group_free(f->g[i]);
	assert_null(f->h->groups);
	unit_fixture_free(f);
	return 0;
}

static void a_default_group_is_an_x86_iommu_group(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_resv_region r[VFIOSIM_MAX_RESV];
	struct vfiosim_group *g;

	f->g[0] = g = vfiosim_group_new(f->h, NULL);
	assert_non_null(g);
	assert_ptr_equal(g->host, f->h);
	assert_int_equal(g->cfg.kind, VFIOSIM_GROUP_IOMMU);
	assert_int_equal(g->cfg.pgsize_bitmap, 0x40201000ULL);
	assert_int_equal(g->cfg.aperture_start, 0);
	assert_int_equal(g->cfg.aperture_end, (1ULL << 48) - 1);
	assert_false(g->cfg.has_dma_unmap);
	assert_null(g->domain);
	assert_null(g->container);
	assert_ptr_equal(g->dev.group, g);
	assert_true(host_group_isolated_msi(g));
	assert_int_equal(host_group_resv_regions(g, r, VFIOSIM_MAX_RESV), 1);
	assert_int_equal(r[0].start, VFIOSIM_MSI_BASE);
	assert_int_equal(r[0].length, VFIOSIM_MSI_SIZE);
	assert_int_equal(r[0].type, VFIOSIM_RESV_MSI);
	assert_int_equal(host_group_resv_regions(g, r, 0), 0);
}

static void configured_regions_replace_the_msi_window_sorted(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config cfg = {
		.nr_resv = 3,
		.resv = {
			{ 0x9000000, 0x1000, VFIOSIM_RESV_RESERVED },
			{ 0x8000000, 0x100000, VFIOSIM_RESV_SW_MSI },
			{ 0xa0000, 0x20000, VFIOSIM_RESV_DIRECT_RELAXABLE },
		},
		.no_isolated_msi = true,
	};
	struct vfiosim_resv_region r[VFIOSIM_MAX_RESV];

	f->g[0] = vfiosim_group_new(f->h, &cfg);
	assert_non_null(f->g[0]);
	assert_false(host_group_isolated_msi(f->g[0]));
	assert_int_equal(host_group_resv_regions(f->g[0], r, VFIOSIM_MAX_RESV), 3);
	assert_int_equal(r[0].start, 0xa0000);
	assert_int_equal(r[0].type, VFIOSIM_RESV_DIRECT_RELAXABLE);
	assert_int_equal(r[1].start, 0x8000000);
	assert_int_equal(r[1].length, 0x100000);
	assert_int_equal(r[2].start, 0x9000000);
	/* A short buffer gets the lowest regions. */
	assert_int_equal(host_group_resv_regions(f->g[0], r, 2), 2);
	assert_int_equal(r[1].type, VFIOSIM_RESV_SW_MSI);

	cfg.nr_resv = 0;
	cfg.no_default_msi = true;
	f->g[1] = vfiosim_group_new(f->h, &cfg);
	assert_non_null(f->g[1]);
	assert_int_equal(host_group_resv_regions(f->g[1], r, VFIOSIM_MAX_RESV), 0);
}

static void bad_configurations_are_einval(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config ok = { 0 }, cfg;
	unsigned int groups_before = f->h->next_group_id;

	cfg = ok;
	cfg.kind = 2;
	errno = 0;
	assert_null(vfiosim_group_new(f->h, &cfg));
	assert_int_equal(errno, EINVAL);
	cfg.kind = -1;
	assert_null(vfiosim_group_new(f->h, &cfg));

	cfg = ok;
	cfg.nr_resv = VFIOSIM_MAX_RESV + 1;
	assert_null(vfiosim_group_new(f->h, &cfg));
	cfg.nr_resv = UINT32_MAX;
	assert_null(vfiosim_group_new(f->h, &cfg));

	cfg = ok;
	cfg.nr_resv = 1;
	cfg.resv[0] = (struct vfiosim_resv_region){ 0x1000, 0, VFIOSIM_RESV_RESERVED };
	assert_null(vfiosim_group_new(f->h, &cfg));
	cfg.resv[0] = (struct vfiosim_resv_region){ UINT64_MAX - 0xfff, 0x2000, 0 };
	assert_null(vfiosim_group_new(f->h, &cfg));
	cfg.resv[0] = (struct vfiosim_resv_region){ 0x1000, 0x1000, 5 };
	assert_null(vfiosim_group_new(f->h, &cfg));
	cfg.resv[0] = (struct vfiosim_resv_region){ 0x1000, 0x1000, -1 };
	assert_null(vfiosim_group_new(f->h, &cfg));
	/* Up to the very top is fine. */
	cfg.resv[0] = (struct vfiosim_resv_region){ UINT64_MAX - 0xfff, 0x1000, 0 };
	f->g[0] = vfiosim_group_new(f->h, &cfg);
	assert_non_null(f->g[0]);

	cfg = ok;
	cfg.aperture_start = 0x2000;
	cfg.aperture_end = 0x1fff;
	assert_null(vfiosim_group_new(f->h, &cfg));
	cfg.aperture_start = 0x2000;
	cfg.aperture_end = 0;
	assert_null(vfiosim_group_new(f->h, &cfg));
	cfg.aperture_start = 0;
	cfg.aperture_end = UINT64_MAX;
	f->g[1] = vfiosim_group_new(f->h, &cfg);
	assert_non_null(f->g[1]);
	assert_int_equal(f->g[1]->cfg.aperture_end, UINT64_MAX);

	errno = 0;
	assert_null(vfiosim_group_new(NULL, &ok));
	assert_int_equal(errno, EINVAL);
	/* Failures consume no ids. */
	assert_int_equal(f->h->next_group_id, groups_before + 2);
}

static void emulated_groups_always_have_dma_unmap(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config cfg = { .kind = VFIOSIM_GROUP_EMULATED };

	f->g[0] = vfiosim_group_new(f->h, &cfg);
	assert_non_null(f->g[0]);
	assert_int_equal(f->g[0]->cfg.kind, VFIOSIM_GROUP_EMULATED);
	assert_true(f->g[0]->cfg.has_dma_unmap);
	cfg.kind = VFIOSIM_GROUP_IOMMU;
	cfg.has_dma_unmap = true;
	f->g[1] = vfiosim_group_new(f->h, &cfg);
	assert_true(f->g[1]->cfg.has_dma_unmap);
}

static void ids_are_unique_and_identities_shared_on_request(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config shared = { .iommu_id = 42 };
	int i;

	f->g[0] = vfiosim_group_new(f->h, NULL);
	f->g[1] = vfiosim_group_new(f->h, NULL);
	f->g[2] = vfiosim_group_new(f->h, &shared);
	f->g[3] = vfiosim_group_new(f->h, &shared);
	for (i = 0; i < NGROUPS; i++)
		assert_non_null(f->g[i]);
	assert_int_equal(vfiosim_group_id(f->g[0]), 1);
	assert_int_equal(vfiosim_group_id(f->g[3]), 4);
	assert_int_not_equal(f->g[0]->ops_id, 0);
	assert_int_not_equal(f->g[0]->ops_id, f->g[1]->ops_id);
	assert_int_not_equal(f->g[0]->ops_id, 42);
	assert_int_equal(f->g[2]->ops_id, 42);
	assert_int_equal(f->g[3]->ops_id, 42);

	/* Ids are never reused, even after a free. */
	vfiosim_group_free(f->g[1]);
	f->g[1] = vfiosim_group_new(f->h, NULL);
	assert_int_equal(vfiosim_group_id(f->g[1]), 5);
	assert_int_not_equal(f->g[1]->ops_id, f->g[0]->ops_id);
}

static void a_private_identity_skips_values_in_use(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config taken = { .iommu_id = 0x80000000U + 1 };

	f->g[0] = vfiosim_group_new(f->h, &taken);
	f->g[1] = vfiosim_group_new(f->h, NULL);
	f->g[2] = vfiosim_group_new(f->h, NULL);
	assert_non_null(f->g[2]);
	assert_int_equal(f->g[1]->ops_id, 0x80000000U);
	assert_int_equal(f->g[2]->ops_id, 0x80000000U + 2);
}

static void a_group_in_a_container_is_not_freed(void **state)
{
	struct fixture *f = *state;
	int token;

	f->g[0] = vfiosim_group_new(f->h, NULL);
	f->g[0]->container = &token;
	vfiosim_expect_warnings(f->h, true);
	vfiosim_group_free(f->g[0]);
	assert_int_equal(vfiosim_warnings(f->h), 1);
	assert_string_equal(vfiosim_last_warning(f->h),
			    "group 1 freed while in a container; not freed");
	assert_ptr_equal(f->h->groups, f->g[0]);
	f->g[0]->container = NULL;
	vfiosim_group_free(f->g[0]);
	f->g[0] = NULL;
	assert_null(f->h->groups);
	vfiosim_group_free(NULL);
	assert_int_equal(vfiosim_warnings(f->h), 1);
}

static void freeing_an_attached_group_detaches_it_with_a_warning(void **state)
{
	struct fixture *f = *state;
	struct host_domain *d;

	f->g[0] = vfiosim_group_new(f->h, NULL);
	d = host_domain_alloc(f->g[0]);
	assert_non_null(d);
	assert_int_equal(host_domain_attach(d, f->g[0]), 0);
	vfiosim_expect_warnings(f->h, true);
	vfiosim_group_free(f->g[0]);
	f->g[0] = NULL;
	assert_int_equal(vfiosim_warnings(f->h), 1);
	assert_string_equal(vfiosim_last_warning(f->h), "group 1 freed while attached to domain 1");
	assert_int_equal(d->nr_groups, 0);
	host_domain_free(d);
	assert_int_equal(vfiosim_warnings(f->h), 1);
}

static void the_host_frees_groups_left_behind(void **state)
{
	struct fixture *f = *state;

	unsigned int before = vfiosim_warnings(NULL);

	/* Left for vfiosim_host_free(): the leak checker is the judge. */
	assert_non_null(vfiosim_group_new(f->h, NULL));
	assert_non_null(vfiosim_group_new(f->h, NULL));
	assert_non_null(f->h->groups);
	/* The host is going away: its WARN goes to the process's channel. */
	vfiosim_expect_warnings(NULL, true);
	vfiosim_host_free(f->h);
	vfiosim_expect_warnings(NULL, false);
	assert_int_equal(vfiosim_warnings(NULL), before + 1);
	assert_string_equal(vfiosim_last_warning(NULL), "host freed with 2 group(s) still alive");
	f->h = vfiosim_host_new(NULL);
	assert_non_null(f->h);
}

#define TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(a_default_group_is_an_x86_iommu_group),
		TEST(configured_regions_replace_the_msi_window_sorted),
		TEST(bad_configurations_are_einval),
		TEST(emulated_groups_always_have_dma_unmap),
		TEST(ids_are_unique_and_identities_shared_on_request),
		TEST(a_private_identity_skips_values_in_use),
		TEST(a_group_in_a_container_is_not_freed),
		TEST(freeing_an_attached_group_detaches_it_with_a_warning),
		TEST(the_host_frees_groups_left_behind),
	};

	return cmocka_run_group_tests_name("host_group", tests, NULL, NULL);
}
