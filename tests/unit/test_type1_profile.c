// SPDX-License-Identifier: MIT
/*
 * test_type1_profile.c - the table of releases behind the model's version
 * profiles (sim/type1/profile.c).  A change added to the enum without its
 * release would read as 0: present in every version, silently.  Every one
 * must name a release the profiles can tell apart (after the oldest
 * supported, at the latest the newest), and a driver instance must follow
 * its host's version, the newest when the host names none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "type1/type1.h"

static void every_change_has_a_release_between_the_profiles(void **state)
{
	unsigned int c;

	(void)state;
	for (c = 0; c < T1_NR_CHANGES; c++) {
		unsigned int r = t1_change_release((enum t1_change)c);

		if (r <= VFIOSIM_KERNEL_OLDEST || r > VFIOSIM_KERNEL_NEWEST)
			fail_msg("change %u: release %u.%u outside (%u.%u, %u.%u]", c,
				 VFIOSIM_KERNEL_MAJOR(r), VFIOSIM_KERNEL_MINOR(r),
				 VFIOSIM_KERNEL_MAJOR(VFIOSIM_KERNEL_OLDEST),
				 VFIOSIM_KERNEL_MINOR(VFIOSIM_KERNEL_OLDEST),
				 VFIOSIM_KERNEL_MAJOR(VFIOSIM_KERNEL_NEWEST),
				 VFIOSIM_KERNEL_MINOR(VFIOSIM_KERNEL_NEWEST));
		assert_false(t1_kernel_since(r - 1, (enum t1_change)c));
		assert_true(t1_kernel_since(r, (enum t1_change)c));
		assert_true(t1_kernel_since(VFIOSIM_KERNEL_NEWEST, (enum t1_change)c));
		assert_false(t1_kernel_since(VFIOSIM_KERNEL_OLDEST, (enum t1_change)c));
	}
	assert_false(t1_kernel_since(VFIOSIM_KERNEL_NEWEST, T1_NR_CHANGES));
	assert_int_equal(t1_change_release(T1_NR_CHANGES), 0);
}

/* The instance's version is the host's, the newest by default. */
static void an_instance_follows_its_host(void **state)
{
	static const unsigned int asked[] = { 0, VFIOSIM_KERNEL(6, 12), VFIOSIM_KERNEL(5, 10) };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		struct vfiosim_host_config cfg = { .kernel = asked[i] };
		struct vfiosim_host *h = vfiosim_host_new(&cfg);
		struct vfiosim_container *c;
		struct t1_iommu *iommu;

		assert_non_null(h);
		c = vfiosim_container_new(h, VFIO_TYPE1v2_IOMMU);
		assert_non_null(c);
		iommu = c->data;
		assert_int_equal(iommu->kernel, asked[i] ? asked[i] : VFIOSIM_KERNEL_NEWEST);
		assert_int_equal(vfiosim_container_kernel(c), iommu->kernel);
		assert_int_equal(t1_since(iommu, T1_EOVERFLOW), !asked[i]);
		vfiosim_container_free(c);
		vfiosim_host_free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_change_has_a_release_between_the_profiles),
		cmocka_unit_test(an_instance_follows_its_host),
	};

	return cmocka_run_group_tests_name("type1_profile", tests, NULL, NULL);
}
