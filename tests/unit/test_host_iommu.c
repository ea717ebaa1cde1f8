// SPDX-License-Identifier: MIT
/*
 * test_host_iommu.c - the mock IOMMU: domains and attachment, page-size
 * selection, map and unmap semantics, run merging and splitting, and
 * allocation failures; then a seeded random walk against a page-level
 * shadow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/rand.h"
#include "helpers/unit_host.h"
#include "host/host.h"

#define K4	0x1000ULL
#define K8	0x2000ULL
#define K16	0x4000ULL
#define K64	0x10000ULL
#define M2	0x200000ULL
#define G1	0x40000000ULL
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)
#define PA	(64 * G1)		/* a physical base aligned to every size */

struct fixture {
	struct vfiosim_host *h;
	struct vfiosim_group *g[4];
	struct host_domain *d[4];
};

static int setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), NULL);

	if (!f)
		return -1;
	f->g[0] = vfiosim_group_new(f->h, NULL);
	f->d[0] = f->g[0] ? host_domain_alloc(f->g[0]) : NULL;
	if (!f->d[0]) {
		vfiosim_host_free(f->h);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < 4; i++) {
		if (f->d[i] && f->g[i] && f->g[i]->domain == f->d[i])
			host_domain_detach(f->d[i], f->g[i]);
		host_domain_free(f->d[i]);
	}
	assert_int_equal(vfiosim_live_allocs(f->h), 0);
	for (i = 0; i < 4; i++)
		vfiosim_group_free(f->g[i]);
	unit_fixture_free(f);
	return 0;
}

/* A second domain over a group with this page-size bitmap, in slot 1. */
static struct host_domain *domain_with(struct fixture *f, uint64_t pgsizes)
{
	struct vfiosim_group_config cfg = { .pgsize_bitmap = pgsizes };

	f->g[1] = vfiosim_group_new(f->h, &cfg);
	assert_non_null(f->g[1]);
	f->d[1] = host_domain_alloc(f->g[1]);
	assert_non_null(f->d[1]);
	return f->d[1];
}

static uint64_t page_size_at(struct host_domain *d, uint64_t iova)
{
	uint64_t pgsize = 0;

	assert_true(host_iommu_prot(d, iova, &pgsize) != 0);
	return pgsize;
}

static void domains_inherit_the_group_iommu(void **state)
{
	struct fixture *f = *state;
	struct host_domain *d = f->d[0];

	assert_int_equal(d->pgsize_bitmap, 0x40201000ULL);
	assert_int_equal(d->aperture_start, 0);
	assert_int_equal(d->aperture_end, (1ULL << 48) - 1);
	assert_true(d->enforce_cc);
	assert_false(d->nesting_capable);
	assert_int_equal(d->nr_groups, 0);
	assert_int_equal(host_iommu_nr_runs(d), 0);
	assert_int_equal(host_domain_enable_nesting(d), -EINVAL);
	assert_int_equal(vfiosim_live_allocs(f->h), 1);
}

static void emulated_groups_get_no_domain(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config cfg = { .kind = VFIOSIM_GROUP_EMULATED };

	f->g[1] = vfiosim_group_new(f->h, &cfg);
	assert_non_null(f->g[1]);
	errno = 0;
	assert_null(host_domain_alloc(f->g[1]));
	assert_int_equal(errno, ENODEV);
	assert_int_equal(host_domain_attach(f->d[0], f->g[1]), -EINVAL);
}

static void domain_allocation_can_fail(void **state)
{
	struct fixture *f = *state;

	vfiosim_fail_nth_alloc(f->h, 1);
	errno = 0;
	assert_null(host_domain_alloc(f->g[0]));
	assert_int_equal(errno, ENOMEM);
	f->d[1] = host_domain_alloc(f->g[0]);
	assert_non_null(f->d[1]);
	assert_int_not_equal(f->d[1]->id, f->d[0]->id);
}

static void groups_attach_only_to_their_iommu_domains(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config shared = { .iommu_id = 7 };
	struct vfiosim_group_config busy = { .iommu_id = 7, .attach_error = -ENOSPC };

	f->g[1] = vfiosim_group_new(f->h, NULL);
	f->g[2] = vfiosim_group_new(f->h, &shared);
	f->g[3] = vfiosim_group_new(f->h, &busy);
	assert_non_null(f->g[3]);
	f->d[2] = host_domain_alloc(f->g[2]);
	assert_non_null(f->d[2]);

	/* Two iommu_id 0 groups never share a domain. */
	assert_int_equal(host_domain_attach(f->d[0], f->g[1]), -EINVAL);
	assert_int_equal(host_domain_attach(f->d[0], f->g[2]), -EINVAL);
	assert_int_equal(host_domain_attach(f->d[2], f->g[0]), -EINVAL);
	assert_int_equal(host_domain_attach(f->d[0], f->g[0]), 0);
	assert_int_equal(host_domain_attach(f->d[0], f->g[0]), -EBUSY);
	assert_int_equal(f->d[0]->nr_groups, 1);
	assert_ptr_equal(f->g[0]->domain, f->d[0]);

	/* Equal non-zero ids do, subject to the driver's own verdict. */
	assert_int_equal(host_domain_attach(f->d[2], f->g[2]), 0);
	assert_int_equal(host_domain_attach(f->d[2], f->g[3]), -ENOSPC);
	assert_null(f->g[3]->domain);
	f->g[3]->cfg.attach_error = 0;
	assert_int_equal(host_domain_attach(f->d[2], f->g[3]), 0);
	assert_int_equal(f->d[2]->nr_groups, 2);
	host_domain_detach(f->d[2], f->g[3]);
	assert_int_equal(f->d[2]->nr_groups, 1);
	assert_null(f->g[3]->domain);

	/* Detaching from the wrong domain only warns. */
	vfiosim_expect_warnings(f->h, true);
	host_domain_detach(f->d[2], f->g[0]);
	assert_int_equal(vfiosim_warnings(f->h), 1);
	assert_non_null(strstr(vfiosim_last_warning(f->h), "not attached to"));
	assert_ptr_equal(f->g[0]->domain, f->d[0]);
}

static void nesting_is_enabled_before_the_first_attach(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config cfg = { .nesting = true };

	f->g[1] = vfiosim_group_new(f->h, &cfg);
	f->d[1] = host_domain_alloc(f->g[1]);
	assert_non_null(f->d[1]);
	assert_true(f->d[1]->nesting_capable);
	assert_int_equal(host_domain_enable_nesting(f->d[1]), 0);
	assert_true(f->d[1]->nesting);
	f->d[2] = host_domain_alloc(f->g[1]);
	assert_non_null(f->d[2]);
	assert_int_equal(host_domain_attach(f->d[2], f->g[1]), 0);
	assert_int_equal(host_domain_enable_nesting(f->d[2]), -EPERM);
	assert_false(f->d[2]->nesting);
	f->g[2] = f->g[1];	/* teardown detaches slot 2 */
	f->g[1] = NULL;
}

static void freeing_an_attached_domain_warns(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(host_domain_attach(f->d[0], f->g[0]), 0);
	vfiosim_expect_warnings(f->h, true);
	host_domain_free(f->d[0]);
	assert_int_equal(vfiosim_warnings(f->h), 1);
	assert_string_equal(vfiosim_last_warning(f->h), "domain 1 freed with 1 group(s) attached");
	f->d[0] = NULL;
	f->g[0]->domain = NULL;
}

static void page_sizes_follow_alignment(void **state)
{
	struct host_domain *d = ((struct fixture *)*state)->d[0];

	assert_int_equal(host_iommu_map(d, K4, PA + 5 * K4, K4, RW), 0);
	assert_int_equal(page_size_at(d, K4), K4);
	assert_int_equal(host_iommu_map(d, 2 * M2, PA + 2 * M2, M2, RW), 0);
	assert_int_equal(page_size_at(d, 2 * M2 + K4), M2);
	assert_int_equal(host_iommu_map(d, G1, PA + G1, G1, VFIOSIM_PROT_READ), 0);
	assert_int_equal(page_size_at(d, G1 + M2), G1);
	assert_int_equal(host_iommu_prot(d, G1, NULL), VFIOSIM_PROT_READ);

	/* 4K up to the 2M boundary, one 2M page, a 4K tail. */
	assert_int_equal(host_iommu_map(d, 8 * M2 - K4, PA + 8 * M2 - K4, M2 + 2 * K4, RW), 0);
	assert_int_equal(page_size_at(d, 8 * M2 - K4), K4);
	assert_int_equal(page_size_at(d, 8 * M2), M2);
	assert_int_equal(page_size_at(d, 9 * M2 - K4), M2);
	assert_int_equal(page_size_at(d, 9 * M2), K4);
	assert_int_equal(host_iommu_nr_runs(d), 6);

	/* IOVA and physical address offset differently within 2M: all 4K. */
	assert_int_equal(host_iommu_map(d, 16 * M2, PA + K4, 2 * M2, RW), 0);
	assert_int_equal(page_size_at(d, 16 * M2), K4);
	assert_int_equal(page_size_at(d, 17 * M2), K4);
	assert_int_equal(host_iommu_nr_runs(d), 7);

	/* 2M pages up to the 1G boundary, then 1G, then 2M again. */
	assert_int_equal(host_iommu_map(d, 3 * G1 - M2, PA + 3 * G1 - M2, G1 + 2 * M2, RW), 0);
	assert_int_equal(page_size_at(d, 3 * G1 - M2), M2);
	assert_int_equal(page_size_at(d, 3 * G1), G1);
	assert_int_equal(page_size_at(d, 4 * G1), M2);
	assert_int_equal(d->mapped_bytes, K4 + M2 + G1 + M2 + 2 * K4 + 2 * M2 + G1 + 2 * M2);
	assert_int_equal(d->map_calls, 6);
}

static void a_64k_minimum_iommu_refuses_4k(void **state)
{
	struct host_domain *d = domain_with(*state, K64 | (512ULL << 20));

	assert_int_equal(host_iommu_map(d, K4, PA, K64, RW), -EINVAL);
	assert_int_equal(host_iommu_map(d, 0, PA + K4, K64, RW), -EINVAL);
	assert_int_equal(host_iommu_map(d, 0, PA, K4, RW), -EINVAL);
	assert_int_equal(host_iommu_map(d, K64, PA + K64, 3 * K64, RW), 0);
	assert_int_equal(page_size_at(d, K64), K64);
	assert_int_equal(host_iommu_unmap(d, K64, K4), 0);
	assert_int_equal(host_iommu_unmap(d, K64 + K4, K64), 0);
	assert_int_equal(host_iommu_unmap(d, 2 * K64, K64), K64);
	assert_int_equal(host_iommu_nr_runs(d), 2);
}

static void map_validates_alignment_range_and_overlap(void **state)
{
	struct fixture *f = *state;
	struct host_domain *d = f->d[0];

	assert_int_equal(host_iommu_map(d, K4 + 1, PA, K4, RW), -EINVAL);
	assert_int_equal(host_iommu_map(d, K4, PA + 8, K4, RW), -EINVAL);
	assert_int_equal(host_iommu_map(d, K4, PA, K4 + 512, RW), -EINVAL);
	assert_int_equal(host_iommu_map(d, K4, PA, K4, 0), -EINVAL);
	assert_int_equal(host_iommu_map(d, K4, PA, K4, 0x4), -EINVAL);
	assert_int_equal(host_iommu_map(d, 1ULL << 48, PA, K4, RW), -EFAULT);
	assert_int_equal(host_iommu_map(d, (1ULL << 48) - K4, PA, 2 * K4, RW), -EFAULT);
	assert_int_equal(host_iommu_map(d, UINT64_MAX - K4 + 1, PA, 2 * K4, RW), -EFAULT);
	/* Like the kernel, an empty map succeeds and maps nothing. */
	assert_int_equal(host_iommu_map(d, K4, PA, 0, RW), 0);
	assert_int_equal(host_iommu_nr_runs(d), 0);
	assert_int_equal(d->map_calls, 0);

	/* Other prot bits (IOMMU_CACHE...) are ignored. */
	assert_int_equal(host_iommu_map(d, 4 * K4, PA, 4 * K4, RW | 0x4), 0);
	assert_int_equal(host_iommu_prot(d, 4 * K4, NULL), RW);
	/* An overlap WARNs, as io-pgtable does, naming the first page in use. */
	vfiosim_expect_warnings(f->h, true);
	assert_int_equal(host_iommu_map(d, 7 * K4, PA, 2 * K4, RW), -EEXIST);
	assert_int_equal(host_iommu_map(d, 3 * K4, PA, 2 * K4, RW), -EEXIST);
	assert_int_equal(host_iommu_map(d, 0, PA, 16 * K4, RW), -EEXIST);
	assert_int_equal(vfiosim_warnings(f->h), 3);
	assert_string_equal(vfiosim_warning(f->h, 1),
			    "iommu_map over a mapped iova 0x7000 (domain 1)");
	assert_string_equal(vfiosim_warning(f->h, 2),
			    "iommu_map over a mapped iova 0x4000 (domain 1)");
	assert_string_equal(vfiosim_last_warning(f->h),
			    "iommu_map over a mapped iova 0x4000 (domain 1)");
	assert_int_equal(host_iommu_prot(d, 3 * K4, NULL), 0);
	assert_int_equal(host_iommu_prot(d, 8 * K4, NULL), 0);
	assert_int_equal(host_iommu_nr_runs(d), 1);
	assert_int_equal(d->mapped_bytes, 4 * K4);
}

static void a_narrow_aperture_bounds_the_map(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config cfg = { .aperture_start = M2, .aperture_end = 2 * M2 - 1 };

	f->g[1] = vfiosim_group_new(f->h, &cfg);
	f->d[1] = host_domain_alloc(f->g[1]);
	assert_non_null(f->d[1]);
	assert_int_equal(host_iommu_map(f->d[1], M2 - K4, PA, 2 * K4, RW), -EFAULT);
	assert_int_equal(host_iommu_map(f->d[1], 2 * M2 - K4, PA, 2 * K4, RW), -EFAULT);
	assert_int_equal(host_iommu_map(f->d[1], M2, PA, M2, RW), 0);
	assert_int_equal(page_size_at(f->d[1], M2), M2);
}

/*
 * An aperture up to 2^64 maps its last page: runs are compared by their
 * last byte, so one ending at 2^64 is found, joined, split and removed
 * like any other.
 */
static void the_last_page_of_the_64_bit_space_maps(void **state)
{
	struct fixture *f = *state;
	struct vfiosim_group_config cfg = { .aperture_end = UINT64_MAX };
	const uint64_t top = UINT64_MAX - K4 + 1;

	f->g[1] = vfiosim_group_new(f->h, &cfg);
	f->d[1] = host_domain_alloc(f->g[1]);
	assert_non_null(f->d[1]);
	/* Past the top wraps. */
	assert_int_equal(host_iommu_map(f->d[1], top, PA, 2 * K4, RW), -EFAULT);
	assert_int_equal(host_iommu_map(f->d[1], top, PA, K4, RW), 0);
	assert_int_equal(host_iommu_iova_to_phys(f->d[1], UINT64_MAX), PA + K4 - 1);
	assert_int_equal(host_iommu_prot(f->d[1], top, NULL), RW);
	/* Found by the overlap check (with its WARN), from below and exactly. */
	vfiosim_expect_warnings(f->h, true);
	assert_int_equal(host_iommu_map(f->d[1], top - K4, PA, 2 * K4, RW), -EEXIST);
	assert_int_equal(host_iommu_map(f->d[1], top, PA, K4, RW), -EEXIST);
	assert_int_equal(vfiosim_warnings(f->h), 2);
	assert_non_null(strstr(vfiosim_last_warning(f->h), "over a mapped iova 0xfffffffffffff000"));
	/* The page below joins it into one run; an unmap in the middle splits. */
	assert_int_equal(host_iommu_map(f->d[1], top - K4, PA - K4, K4, RW), 0);
	assert_int_equal(host_iommu_nr_runs(f->d[1]), 1);
	assert_int_equal(host_iommu_unmap(f->d[1], top - K4, K4), K4);
	assert_int_equal(host_iommu_unmap(f->d[1], top, K4), K4);
	assert_int_equal(host_iommu_nr_runs(f->d[1]), 0);
	/* Congruent modulo 1G: 4K up to the 2M boundary, a 2M page to the end. */
	assert_int_equal(host_iommu_map(f->d[1], top - M2, PA + ((top - M2) & (G1 - 1)),
					M2 + K4, RW), 0);
	assert_int_equal(page_size_at(f->d[1], top - M2), K4);
	assert_int_equal(page_size_at(f->d[1], top), M2);
	assert_int_equal(f->d[1]->mapped_bytes, M2 + K4);
	assert_int_equal(host_iommu_unmap(f->d[1], top - M2, M2 + K4), M2 + K4);
	assert_int_equal(host_iommu_nr_runs(f->d[1]), 0);
	assert_int_equal(f->d[1]->mapped_bytes, 0);
}

static void unmap_removes_whole_pages_up_to_a_hole(void **state)
{
	struct host_domain *d = ((struct fixture *)*state)->d[0];

	assert_int_equal(host_iommu_map(d, 0, PA, 8 * K4, RW), 0);
	assert_int_equal(host_iommu_map(d, 12 * K4, PA + 12 * K4, 4 * K4, RW), 0);
	assert_int_equal(host_iommu_nr_runs(d), 2);

	/* Cut out of the middle: the run splits in two. */
	assert_int_equal(host_iommu_unmap(d, 2 * K4, 3 * K4), 3 * K4);
	assert_int_equal(host_iommu_nr_runs(d), 3);
	assert_int_equal(host_iommu_iova_to_phys(d, K4 + 5), PA + K4 + 5);
	assert_int_equal(host_iommu_iova_to_phys(d, 2 * K4), 0);
	assert_int_equal(host_iommu_iova_to_phys(d, 5 * K4 + 7), PA + 5 * K4 + 7);

	/* Stops at the first hole; the far side stays. */
	assert_int_equal(host_iommu_unmap(d, 5 * K4, 11 * K4), 3 * K4);
	assert_int_equal(host_iommu_iova_to_phys(d, 12 * K4), PA + 12 * K4);
	assert_int_equal(host_iommu_unmap(d, 8 * K4, 8 * K4), 0);
	assert_int_equal(host_iommu_unmap(d, K4, K4 + 1), 0);
	assert_int_equal(host_iommu_unmap(d, K4 + 512, K4), 0);
	assert_int_equal(host_iommu_unmap(d, K4, 0), 0);
	assert_int_equal(host_iommu_unmap(d, 0, 2 * K4), 2 * K4);
	assert_int_equal(host_iommu_unmap(d, 12 * K4, UINT64_MAX - 12 * K4 - K4 + 1), 4 * K4);
	assert_int_equal(host_iommu_nr_runs(d), 0);
	assert_int_equal(d->mapped_bytes, 0);
}

static void unmap_takes_a_large_page_whole(void **state)
{
	struct host_domain *d = ((struct fixture *)*state)->d[0];

	assert_int_equal(host_iommu_map(d, 0, PA, 2 * M2, RW), 0);
	assert_int_equal(host_iommu_nr_runs(d), 1);
	assert_int_equal(host_iommu_unmap(d, 0, K4), M2);
	assert_int_equal(host_iommu_prot(d, M2 - K4, NULL), 0);
	assert_int_equal(host_iommu_iova_to_phys(d, M2 + 3), PA + M2 + 3);
	/* Inside a large page but not at its start: nothing happens. */
	assert_int_equal(host_iommu_unmap(d, M2 + K4, K4), 0);
	assert_int_equal(host_iommu_unmap(d, M2 + M2 / 2, M2), 0);
	assert_int_equal(host_iommu_prot(d, M2, NULL), RW);
	assert_int_equal(host_iommu_unmap(d, M2, M2 + K4), M2);
	assert_int_equal(host_iommu_nr_runs(d), 0);
}

static void fine_grained_superpage_probe_sees_the_whole_page(void **state)
{
	struct host_domain *d = domain_with(*state, K4 | K8);

	/* type1's probe: map two pages at IOVA 0, unmap one, look at the size. */
	assert_int_equal(host_iommu_map(d, 0, PA, K8, RW), 0);
	assert_int_equal(page_size_at(d, K4), K8);
	assert_int_equal(host_iommu_unmap(d, 0, K4), K8);
	assert_int_equal(host_iommu_nr_runs(d), 0);
	/* With physical pages not 8K aligned, 4K pages are unmapped singly. */
	assert_int_equal(host_iommu_map(d, 0, PA + K4, K8, RW), 0);
	assert_int_equal(host_iommu_unmap(d, 0, K4), K4);
	assert_int_equal(host_iommu_unmap(d, K4, K4), K4);
}

static void adjacent_contiguous_maps_merge_into_one_run(void **state)
{
	struct host_domain *d = ((struct fixture *)*state)->d[0];

	assert_int_equal(host_iommu_map(d, 0, PA, K4, RW), 0);
	assert_int_equal(host_iommu_map(d, 2 * K4, PA + 2 * K4, K4, RW), 0);
	assert_int_equal(host_iommu_nr_runs(d), 2);
	assert_int_equal(host_iommu_map(d, K4, PA + K4, K4, RW), 0);
	assert_int_equal(host_iommu_nr_runs(d), 1);
	/* Not physically contiguous, or another protection: separate runs. */
	assert_int_equal(host_iommu_map(d, 3 * K4, PA + 8 * K4, K4, RW), 0);
	assert_int_equal(host_iommu_map(d, 4 * K4, PA + 9 * K4, K4, VFIOSIM_PROT_READ), 0);
	assert_int_equal(host_iommu_nr_runs(d), 3);
	/* A 2M page next to 4K pages stays its own run. */
	assert_int_equal(host_iommu_map(d, M2, PA + M2, M2, RW), 0);
	assert_int_equal(host_iommu_map(d, M2 - K4, PA + M2 - K4, K4, RW), 0);
	assert_int_equal(host_iommu_nr_runs(d), 5);
	assert_int_equal(host_iommu_unmap(d, 0, 5 * K4), 5 * K4);
	assert_int_equal(host_iommu_unmap(d, M2 - K4, M2 + K4), M2 + K4);
	assert_int_equal(host_iommu_nr_runs(d), 0);
}

static void failed_map_allocations_leave_the_table_unchanged(void **state)
{
	struct fixture *f = *state;
	struct host_domain *d = f->d[0];
	unsigned long n, calls;
	int ret = -ENOMEM;

	assert_int_equal(host_iommu_map(d, 0, PA, K4, RW), 0);
	/* 4K, 2M, 1G, 2M, 4K: five runs, so five allocations to fail. */
	for (n = 1; ret == -ENOMEM; n++) {
		calls = vfiosim_alloc_calls(f->h);
		vfiosim_fail_nth_alloc(f->h, n);
		ret = host_iommu_map(d, G1 - M2 - K4, PA + G1 - M2 - K4, G1 + 2 * M2 + 2 * K4, RW);
		if (ret) {
			assert_int_equal(ret, -ENOMEM);
			assert_int_equal(host_iommu_nr_runs(d), 1);
			assert_int_equal(host_iommu_prot(d, G1, NULL), 0);
			assert_int_equal(d->mapped_bytes, K4);
			assert_int_equal(vfiosim_live_allocs(f->h), 2);
		}
		assert_true(n < 10);
	}
	assert_int_equal(n - 1, 6);
	assert_int_equal(vfiosim_alloc_calls(f->h) - calls, 5);
	vfiosim_fail_nth_alloc(f->h, 0);
	assert_int_equal(host_iommu_nr_runs(d), 6);
	assert_int_equal(page_size_at(d, G1), G1);
}

static void splitting_a_run_on_unmap_cannot_fail(void **state)
{
	struct fixture *f = *state;
	struct host_domain *d = f->d[0];
	unsigned long calls;

	assert_int_equal(host_iommu_map(d, 0, PA, 16 * K4, RW), 0);
	calls = vfiosim_alloc_calls(f->h);
	vfiosim_fail_nth_alloc(f->h, 1);
	assert_int_equal(host_iommu_unmap(d, 4 * K4, 4 * K4), 4 * K4);
	assert_int_equal(host_iommu_nr_runs(d), 2);
	assert_int_equal(vfiosim_alloc_calls(f->h), calls);
	/* The arming is still there for the next real allocation. */
	assert_int_equal(host_iommu_map(d, 4 * K4, PA + 4 * K4, 4 * K4, RW), -ENOMEM);
	assert_int_equal(host_iommu_map(d, 4 * K4, PA + 4 * K4, 4 * K4, RW), 0);
	assert_int_equal(host_iommu_nr_runs(d), 1);
}

/* --------------------------------------------------- random walk */

#define WALK_PAGES	2048		/* 8 MiB of IOVA in 4K pages */
#define WALK_STEPS	3000

struct walk {
	uint64_t rng;
	unsigned int overlaps;		/* maps refused for overlap: each WARNs */
	uint64_t phys[WALK_PAGES];	/* 0: unmapped */
};

static uint64_t walk_rand(struct walk *w)
{
	return vfiosim_rand(&w->rng);
}

/* The page size a greedy per-page choice would give at iova. */
static uint64_t expected_pgsize(uint64_t bitmap, uint64_t iova, uint64_t pa, uint64_t left)
{
	uint64_t best = 0, p;

	for (p = 1; p && p <= left; p <<= 1)
		if ((bitmap & p) && !((iova | pa) & (p - 1)))
			best = p;
	return best;
}

static void walk_check(struct host_domain *d, const struct walk *w)
{
	char why[128];
	uint64_t mapped = 0;
	long nodes;
	int i;

	for (i = 0; i < WALK_PAGES; i++) {
		uint64_t iova = (uint64_t)i * K4;

		assert_int_equal(host_iommu_iova_to_phys(d, iova), w->phys[i]);
		if (w->phys[i])
			mapped += K4;
	}
	assert_int_equal(d->mapped_bytes, mapped);
	nodes = rb_check(&d->ptes, NULL, why, sizeof(why));
	if (nodes < 0)
		fail_msg("page table tree: %s", why);
	assert_int_equal((size_t)nodes, host_iommu_nr_runs(d));
}

static void walk_map(struct fixture *f, struct host_domain *d, struct walk *w)
{
	uint64_t first = walk_rand(w) % WALK_PAGES, n = 1 + walk_rand(w) % 700, i;
	uint64_t iova = first * K4, pa, size, at, pgsize;
	bool busy = false, inject = !(walk_rand(w) % 8);
	int ret;

	if (first + n > WALK_PAGES)
		n = WALK_PAGES - first;
	size = n * K4;
	/* Mostly congruent modulo 2M, so large pages appear. */
	pa = walk_rand(w) % 4 ? PA + iova : PA + (walk_rand(w) % 4096) * K4;
	for (i = first; i < first + n; i++)
		busy |= w->phys[i] != 0;
	/* Overlaps only WARN and fail: a few are enough. */
	if (busy && walk_rand(w) % 16)
		return;
	if (inject)
		vfiosim_fail_nth_alloc(f->h, 1);
	ret = host_iommu_map(d, iova, pa, size, RW);
	vfiosim_fail_nth_alloc(f->h, 0);
	if (busy) {
		assert_int_equal(ret, -EEXIST);
		assert_int_equal(vfiosim_warnings(f->h), ++w->overlaps);
		assert_non_null(strstr(vfiosim_last_warning(f->h), "iommu_map over a mapped iova"));
		return;
	}
	if (inject) {
		assert_int_equal(ret, -ENOMEM);
		return;
	}
	assert_int_equal(ret, 0);
	for (i = first; i < first + n; i++)
		w->phys[i] = pa + (i - first) * K4;
	/* Page by page, each IOMMU page is the largest the greedy rule allows. */
	for (at = iova; at < iova + size; at += pgsize) {
		pgsize = page_size_at(d, at);
		assert_int_equal(pgsize, expected_pgsize(d->pgsize_bitmap, at, pa + (at - iova),
							 iova + size - at));
	}
}

static void walk_unmap(struct host_domain *d, struct walk *w)
{
	uint64_t first = walk_rand(w) % WALK_PAGES, n = 1 + walk_rand(w) % 700;
	uint64_t iova = first * K4, done, i, pgsize = 0;
	uint64_t before[WALK_PAGES];

	memcpy(before, w->phys, sizeof(before));
	done = host_iommu_unmap(d, iova, n * K4);
	assert_int_equal(done % K4, 0);
	assert_true(first + done / K4 <= WALK_PAGES);
	for (i = first; i < first + done / K4; i++) {
		assert_int_not_equal(before[i], 0);
		w->phys[i] = 0;
	}
	/* It stopped early only at a hole or inside a larger page. */
	if (done < n * K4 && first + done / K4 < WALK_PAGES) {
		uint64_t at = iova + done;

		if (host_iommu_prot(d, at, &pgsize))
			assert_true(at & (pgsize - 1));
	}
}

static void random_maps_and_unmaps_match_a_page_shadow(void **state)
{
	struct fixture *f = *state;
	struct host_domain *d = domain_with(f, K4 | K16 | M2);
	struct walk *w = calloc(1, sizeof(*w));
	int step;

	assert_non_null(w);
	w->rng = fx_seed("random_maps_and_unmaps_match_a_page_shadow");
	vfiosim_expect_warnings(f->h, true);
	for (step = 0; step < WALK_STEPS; step++) {
		if (walk_rand(w) % 2)
			walk_map(f, d, w);
		else
			walk_unmap(d, w);
		if (step % 16 == 0 || step == WALK_STEPS - 1)
			walk_check(d, w);
	}
	free(w);
}

#define TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(domains_inherit_the_group_iommu),
		TEST(emulated_groups_get_no_domain),
		TEST(domain_allocation_can_fail),
		TEST(groups_attach_only_to_their_iommu_domains),
		TEST(nesting_is_enabled_before_the_first_attach),
		TEST(freeing_an_attached_domain_warns),
		TEST(page_sizes_follow_alignment),
		TEST(a_64k_minimum_iommu_refuses_4k),
		TEST(map_validates_alignment_range_and_overlap),
		TEST(a_narrow_aperture_bounds_the_map),
		TEST(the_last_page_of_the_64_bit_space_maps),
		TEST(unmap_removes_whole_pages_up_to_a_hole),
		TEST(unmap_takes_a_large_page_whole),
		TEST(fine_grained_superpage_probe_sees_the_whole_page),
		TEST(adjacent_contiguous_maps_merge_into_one_run),
		TEST(failed_map_allocations_leave_the_table_unchanged),
		TEST(splitting_a_run_on_unmap_cannot_fail),
		TEST(random_maps_and_unmaps_match_a_page_shadow),
	};

	return cmocka_run_group_tests_name("host_iommu", tests, NULL, NULL);
}
