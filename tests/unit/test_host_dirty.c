// SPDX-License-Identifier: MIT
/*
 * test_host_dirty.c - the hardware's own dirty logs: the mock IOMMU's
 * dirty bits (IOMMU_HWPT_SET_DIRTY_TRACKING and GET_DIRTY_BITMAP
 * semantics: capability, entry granularity, read with and without clear)
 * and a device's dirty tracker (ranges, page size, capacity, failure).
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

#define K4	0x1000ULL
#define K64	0x10000ULL
#define M2	0x200000ULL
#define G1	0x40000000ULL
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)
#define PA	(64 * G1)

struct fixture {
	struct vfiosim_host *h;
	struct vfiosim_group *g;
	struct host_domain *d;
};

/* What a read reported: up to 8 stretches. */
struct seen {
	unsigned int n;
	uint64_t iova[8], len[8];
};

static void seen_fn(void *opaque, uint64_t iova, uint64_t len)
{
	struct seen *s = opaque;

	assert_true(s->n < 8);
	s->iova[s->n] = iova;
	s->len[s->n++] = len;
}

static struct fixture *fixture_with(const struct vfiosim_group_config *cfg)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), NULL);

	assert_non_null(f);
	f->g = vfiosim_group_new(f->h, cfg);
	assert_non_null(f->g);
	f->d = host_domain_alloc(f->g);
	assert_non_null(f->d);
	return f;
}

static void fixture_free(struct fixture *f)
{
	host_domain_free(f->d);
	assert_int_equal(vfiosim_live_allocs(f->h), 0);
	vfiosim_group_free(f->g);
	unit_fixture_free(f);
}

static struct seen read_dirty(struct host_domain *d, uint64_t iova, uint64_t size, bool clear)
{
	struct seen s = { 0 };

	assert_int_equal(host_iommu_read_dirty(d, iova, size, clear, seen_fn, &s), 0);
	return s;
}

static void expect_one(const struct seen *s, uint64_t iova, uint64_t len)
{
	assert_int_equal(s->n, 1);
	assert_int_equal(s->iova[0], iova);
	assert_int_equal(s->len[0], len);
}

static void an_iommu_without_the_capability_refuses(void **state)
{
	struct fixture *f = fixture_with(NULL);
	struct seen s = { 0 };

	(void)state;
	assert_false(f->d->dirty_capable);
	assert_int_equal(host_domain_set_dirty_tracking(f->d, true), -EOPNOTSUPP);
	assert_int_equal(host_domain_set_dirty_tracking(f->d, false), -EOPNOTSUPP);
	assert_int_equal(host_iommu_map(f->d, 0, PA, M2, RW), 0);
	host_iommu_note_write(f->d, 0, 1);
	assert_int_equal(host_iommu_read_dirty(f->d, 0, M2, true, seen_fn, &s), -EINVAL);
	assert_int_equal(host_iommu_unmap(f->d, 0, M2), M2);
	fixture_free(f);
}

static void groups_disagreeing_on_dirty_bits_share_no_domain(void **state)
{
	struct vfiosim_group_config cap = { .dirty_tracking = true, .iommu_id = 7 };
	struct vfiosim_group_config plain = { .iommu_id = 7 };
	struct fixture *f = fixture_with(&cap);
	struct vfiosim_group *other = vfiosim_group_new(f->h, &plain);
	struct vfiosim_group_config emul = { .kind = VFIOSIM_GROUP_EMULATED,
					     .dirty_tracking = true };

	(void)state;
	assert_non_null(other);
	assert_int_equal(host_domain_attach(f->d, other), -EINVAL);
	assert_int_equal(host_domain_attach(f->d, f->g), 0);
	host_domain_detach(f->d, f->g);
	errno = 0;
	assert_null(vfiosim_group_new(f->h, &emul));
	assert_int_equal(errno, EINVAL);
	vfiosim_group_free(other);
	fixture_free(f);
}

static void a_write_dirties_the_whole_large_entry(void **state)
{
	struct vfiosim_group_config cap = { .dirty_tracking = true };
	struct fixture *f = fixture_with(&cap);
	size_t runs;
	struct seen s;

	(void)state;
	assert_int_equal(host_iommu_map(f->d, 0, PA, 2 * M2, RW), 0);
	runs = host_iommu_nr_runs(f->d);
	/* Off: the write leaves no trace, even once tracking is turned on. */
	host_iommu_note_write(f->d, K4, 1);
	assert_int_equal(host_domain_set_dirty_tracking(f->d, true), 0);
	s = read_dirty(f->d, 0, 2 * M2, false);
	assert_int_equal(s.n, 0);

	host_iommu_note_write(f->d, M2 + K4, 1);
	s = read_dirty(f->d, 0, 2 * M2, false);
	expect_one(&s, M2, M2);
	/* Without clear the bit stays; a read is clipped to its range. */
	s = read_dirty(f->d, M2 + M2 / 2, K4, false);
	expect_one(&s, M2 + M2 / 2, K4);
	/* A read of part of the entry clears the whole entry. */
	s = read_dirty(f->d, M2, K4, true);
	expect_one(&s, M2, K4);
	s = read_dirty(f->d, 0, 2 * M2, false);
	assert_int_equal(s.n, 0);
	assert_int_equal(host_iommu_nr_runs(f->d), runs);
	assert_int_equal(host_iommu_unmap(f->d, 0, 2 * M2), 2 * M2);
	fixture_free(f);
}

static void small_entries_keep_their_own_bits(void **state)
{
	struct vfiosim_group_config cap = { .dirty_tracking = true, .pgsize_bitmap = K4 };
	struct fixture *f = fixture_with(&cap);
	struct seen s;

	(void)state;
	assert_int_equal(host_iommu_map(f->d, 0, PA, K64, RW), 0);
	assert_int_equal(host_iommu_nr_runs(f->d), 1);
	assert_int_equal(host_domain_set_dirty_tracking(f->d, true), 0);
	host_iommu_note_write(f->d, 3 * K4 + 8, 2 * K4);
	host_iommu_note_write(f->d, 10 * K4, K4);
	assert_int_equal(host_iommu_nr_runs(f->d), 5);
	s = read_dirty(f->d, 0, K64, false);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.iova[0], 3 * K4);
	assert_int_equal(s.len[0], 3 * K4);
	assert_int_equal(s.iova[1], 10 * K4);
	assert_int_equal(s.len[1], K4);

	/* Clearing part of a dirty stretch leaves the rest dirty. */
	s = read_dirty(f->d, 4 * K4, 8 * K4, true);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.iova[0], 4 * K4);
	assert_int_equal(s.len[0], 2 * K4);
	s = read_dirty(f->d, 0, K64, true);
	expect_one(&s, 3 * K4, K4);
	assert_int_equal(host_iommu_nr_runs(f->d), 1);

	/* Turning tracking off keeps the bits; unmapping takes them away. */
	host_iommu_note_write(f->d, 0, K4);
	assert_int_equal(host_domain_set_dirty_tracking(f->d, false), 0);
	host_iommu_note_write(f->d, K4, K4);
	assert_int_equal(host_domain_set_dirty_tracking(f->d, true), 0);
	s = read_dirty(f->d, 0, K64, false);
	expect_one(&s, 0, K4);
	assert_int_equal(host_iommu_unmap(f->d, 0, K4), K4);
	assert_int_equal(host_iommu_map(f->d, 0, PA, K4, RW), 0);
	s = read_dirty(f->d, 0, K64, false);
	assert_int_equal(s.n, 0);
	assert_int_equal(host_iommu_unmap(f->d, 0, K64), K64);
	fixture_free(f);
}

/* ------------------------------------------------------------ trackers */

static struct seen read_tracker(struct vfiosim_group *g, uint64_t iova, uint64_t size,
				bool clear)
{
	struct seen s = { 0 };

	assert_int_equal(host_tracker_read(g, iova, size, clear, seen_fn, &s), 0);
	return s;
}

static void a_tracker_is_configured_and_started(void **state)
{
	struct vfiosim_group_config none = { 0 };
	struct vfiosim_group_config bad = { .tracker_ranges = 2, .tracker_pgsize = K4 + 1 };
	struct vfiosim_group_config orphan = { .tracker_capacity = 4 };
	struct vfiosim_group_config two = { .tracker_ranges = 2 };
	struct fixture *f = fixture_with(&none);
	struct host_range r[3] = { { 0, K64 - 1 }, { M2, 2 * M2 - 1 }, { G1, G1 + K64 - 1 } };
	struct host_range backwards[2] = { { M2, 2 * M2 - 1 }, { 0, K64 - 1 } };
	struct vfiosim_group *g;
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(host_tracker_start(f->g, r, 1), -EOPNOTSUPP);
	errno = 0;
	assert_null(vfiosim_group_new(f->h, &bad));
	assert_int_equal(errno, EINVAL);
	assert_null(vfiosim_group_new(f->h, &orphan));
	g = vfiosim_group_new(f->h, &two);
	assert_non_null(g);
	assert_int_equal(g->cfg.tracker_pgsize, K4);
	assert_int_equal(host_tracker_read(g, 0, K4, true, seen_fn, &s), -EINVAL);
	assert_int_equal(host_tracker_start(g, r, 3), -E2BIG);
	assert_int_equal(host_tracker_start(g, backwards, 2), -EINVAL);
	assert_int_equal(host_tracker_start(g, r, 0), -EINVAL);
	assert_int_equal(host_tracker_start(g, r, 2), 0);
	assert_int_equal(host_tracker_start(g, r, 2), -EINVAL);
	host_tracker_note(g, M2 + 5, 10);
	s = read_tracker(g, 0, 2 * M2, true);
	expect_one(&s, M2, K4);
	s = read_tracker(g, 0, 2 * M2, true);
	assert_int_equal(s.n, 0);
	host_tracker_stop(g);
	vfiosim_group_free(g);
	fixture_free(f);
}

static void a_tracker_records_in_its_own_pages(void **state)
{
	struct vfiosim_group_config cfg = { .tracker_ranges = 1, .tracker_pgsize = K64 };
	struct fixture *f = fixture_with(&cfg);
	struct host_range r = { 0, 16 * K64 - 1 };
	struct seen s;

	(void)state;
	assert_int_equal(host_tracker_start(f->g, &r, 1), 0);
	host_tracker_note(f->g, K4, 1);
	host_tracker_note(f->g, 3 * K64 - 1, 2);		/* across two pages */
	host_tracker_note(f->g, 2 * K64, K4);		/* joins them */
	host_tracker_note(f->g, 9 * K64, K4);
	assert_int_equal(f->g->tracker.dirty_pages, 4);
	s = read_tracker(f->g, 0, 16 * K64, false);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.iova[0], 0);
	assert_int_equal(s.len[0], K64);
	assert_int_equal(s.iova[1], 2 * K64);
	assert_int_equal(s.len[1], 2 * K64);
	assert_int_equal(s.iova[2], 9 * K64);
	/* A read is clipped to its range. */
	s = read_tracker(f->g, 9 * K64 + K4, K4, false);
	expect_one(&s, 9 * K64 + K4, K4);
	s = read_tracker(f->g, 9 * K64, K64, false);
	expect_one(&s, 9 * K64, K64);
	/* Clearing the middle of a stretch splits it. */
	host_tracker_note(f->g, K64, K4);
	s = read_tracker(f->g, 2 * K64, K64, true);
	expect_one(&s, 2 * K64, K64);
	assert_int_equal(f->g->tracker.dirty_pages, 4);
	s = read_tracker(f->g, 0, 9 * K64, true);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.len[0], 2 * K64);
	assert_int_equal(s.iova[1], 3 * K64);
	host_tracker_stop(f->g);
	fixture_free(f);
}

static void a_tracker_fails_when_it_cannot_record(void **state)
{
	struct vfiosim_group_config cfg = { .tracker_ranges = 1, .tracker_capacity = 2 };
	struct fixture *f = fixture_with(&cfg);
	struct host_range r = { 0, K64 - 1 };
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(host_tracker_start(f->g, &r, 1), 0);
	host_tracker_note(f->g, 0, 2 * K4);
	host_tracker_note(f->g, K4, 1);			/* already held */
	assert_false(f->g->tracker.failed);
	host_tracker_note(f->g, 4 * K4, 1);			/* a third page */
	assert_true(f->g->tracker.failed);
	assert_int_equal(host_tracker_read(f->g, 0, K64, true, seen_fn, &s), -EIO);
	host_tracker_stop(f->g);

	/* Started again it records again, until a write outside its range. */
	assert_int_equal(host_tracker_start(f->g, &r, 1), 0);
	host_tracker_note(f->g, K4, 1);
	s = read_tracker(f->g, 0, K64, true);
	expect_one(&s, K4, K4);
	host_tracker_note(f->g, K64 - 1, 2);
	assert_true(f->g->tracker.failed);
	assert_int_equal(host_tracker_read(f->g, 0, K64, false, seen_fn, &s), -EIO);
	host_tracker_stop(f->g);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_iommu_without_the_capability_refuses),
		cmocka_unit_test(groups_disagreeing_on_dirty_bits_share_no_domain),
		cmocka_unit_test(a_write_dirties_the_whole_large_entry),
		cmocka_unit_test(small_entries_keep_their_own_bits),
		cmocka_unit_test(a_tracker_is_configured_and_started),
		cmocka_unit_test(a_tracker_records_in_its_own_pages),
		cmocka_unit_test(a_tracker_fails_when_it_cannot_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
