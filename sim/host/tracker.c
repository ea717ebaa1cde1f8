// SPDX-License-Identifier: MIT
/*
 * tracker.c - a device's own dirty tracker (cfg.tracker_ranges), the
 * device side of VFIO_DEVICE_FEATURE_DMA_LOGGING_START/REPORT/STOP.
 *
 * Real trackers (mlx5's) are given a handful of IOVA ranges and a page
 * size and keep a bounded log of the pages the device wrote there; when
 * the device writes where it was not told to look, or the log is full,
 * the tracker can no longer say what was written and only reports an
 * error.  Here the dirty pages are a sorted array of stretches of page
 * indexes, and a failed tracker stays failed until it is started again.
 *
 * The tracker is the device's memory, not the kernel's: it takes plain
 * heap memory, outside the host's allocation counts and fault injection.
 * Running out of it fails the tracker, as a full log does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"

static void tracker_drop_log(struct host_tracker *t)
{
	free(t->dirty);
	t->dirty = NULL;
	t->nr_dirty = t->cap_dirty = 0;
	t->dirty_pages = 0;
}

static void tracker_fail(struct host_tracker *t)
{
	t->failed = true;
	tracker_drop_log(t);
}

int host_tracker_start(struct vfiosim_group *g, const struct host_range *ranges,
		       unsigned int nr)
{
	struct host_tracker *t = &g->tracker;
	unsigned int i;

	if (!g->cfg.tracker_ranges)
		return -EOPNOTSUPP;
	if (t->running || !nr)
		return -EINVAL;
	if (nr > g->cfg.tracker_ranges)
		return -E2BIG;
	for (i = 0; i < nr; i++)
		if (ranges[i].last < ranges[i].first ||
		    (i && ranges[i].first <= ranges[i - 1].last))
			return -EINVAL;
	t->ranges = malloc(nr * sizeof(*ranges));
	if (!t->ranges)
		return -ENOMEM;
	memcpy(t->ranges, ranges, nr * sizeof(*ranges));
	t->nr_ranges = nr;
	t->pgshift = (unsigned int)__builtin_ctzll(g->cfg.tracker_pgsize);
	t->running = true;
	t->failed = false;
	return 0;
}

void host_tracker_stop(struct vfiosim_group *g)
{
	struct host_tracker *t = &g->tracker;

	tracker_drop_log(t);
	free(t->ranges);
	t->ranges = NULL;
	t->nr_ranges = 0;
	t->running = t->failed = false;
}

static bool tracker_covers(const struct host_tracker *t, uint64_t first, uint64_t last)
{
	unsigned int i;

	for (i = 0; i < t->nr_ranges; i++)
		if (t->ranges[i].first <= first && last <= t->ranges[i].last)
			return true;
	return false;
}

/* The first stretch ending at or after page p (nr_dirty if none). */
static size_t stretch_from(const struct host_tracker *t, uint64_t p)
{
	size_t lo = 0, hi = t->nr_dirty;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->dirty[mid].last < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A new stretch at index i; false (the tracker failed) without memory. */
static bool tracker_insert(struct host_tracker *t, size_t i, struct host_range r)
{
	if (t->nr_dirty == t->cap_dirty) {
		size_t cap = t->cap_dirty ? 2 * t->cap_dirty : 8;
		struct host_range *n = realloc(t->dirty, cap * sizeof(*n));

		if (!n) {
			tracker_fail(t);
			return false;
		}
		t->dirty = n;
		t->cap_dirty = cap;
	}
	memmove(t->dirty + i + 1, t->dirty + i, (t->nr_dirty - i) * sizeof(*t->dirty));
	t->dirty[i] = r;
	t->nr_dirty++;
	return true;
}

/* Pages [a, b] dirty: merged with the stretches they meet or touch. */
static void tracker_log(struct vfiosim_group *g, uint64_t a, uint64_t b)
{
	struct host_tracker *t = &g->tracker;
	size_t i = stretch_from(t, a ? a - 1 : 0), j = i;
	uint64_t added = b - a + 1;

	while (j < t->nr_dirty && (b == UINT64_MAX || t->dirty[j].first <= b + 1)) {
		uint64_t lo = t->dirty[j].first > a ? t->dirty[j].first : a;
		uint64_t hi = t->dirty[j].last < b ? t->dirty[j].last : b;

		if (lo <= hi)
			added -= hi - lo + 1;
		if (t->dirty[j].first < a)
			a = t->dirty[j].first;
		if (t->dirty[j].last > b)
			b = t->dirty[j].last;
		j++;
	}
	if (g->cfg.tracker_capacity && t->dirty_pages + added > g->cfg.tracker_capacity) {
		tracker_fail(t);
		return;
	}
	if (i == j) {
		if (tracker_insert(t, i, (struct host_range){ a, b }))
			t->dirty_pages += added;
		return;
	}
	t->dirty[i] = (struct host_range){ a, b };
	memmove(t->dirty + i + 1, t->dirty + j, (t->nr_dirty - j) * sizeof(*t->dirty));
	t->nr_dirty -= j - i - 1;
	t->dirty_pages += added;
}

void host_tracker_note(struct vfiosim_group *g, uint64_t iova, uint64_t len)
{
	struct host_tracker *t = &g->tracker;
	uint64_t last = iova + (len - 1);

	if (!t->running || t->failed || !len)
		return;
	if (last < iova || !tracker_covers(t, iova, last)) {
		tracker_fail(t);
		return;
	}
	tracker_log(g, iova >> t->pgshift, last >> t->pgshift);
}

/* Removes pages [a, b] from the log. */
static void tracker_unlog(struct host_tracker *t, uint64_t a, uint64_t b)
{
	size_t i = stretch_from(t, a);

	while (i < t->nr_dirty && t->dirty[i].first <= b) {
		struct host_range *s = &t->dirty[i];
		uint64_t lo = s->first > a ? s->first : a, hi = s->last < b ? s->last : b;

		t->dirty_pages -= hi - lo + 1;
		if (s->first < a && s->last > b) {
			/* A hole in the middle: the rest of it goes in after. */
			struct host_range tail = { b + 1, s->last };

			s->last = a - 1;
			tracker_insert(t, i + 1, tail);
			return;
		}
		if (s->first < a) {
			s->last = a - 1;
			i++;
		} else if (s->last > b) {
			s->first = b + 1;
			return;
		} else {
			memmove(s, s + 1, (t->nr_dirty - i - 1) * sizeof(*s));
			t->nr_dirty--;
		}
	}
}

int host_tracker_read(struct vfiosim_group *g, uint64_t iova, uint64_t size, bool clear,
		      host_dirty_fn fn, void *opaque)
{
	struct host_tracker *t = &g->tracker;
	uint64_t last = iova + (size - 1), a, b;
	size_t i;

	if (!t->running || !size || last < iova || !fn)
		return -EINVAL;
	if (t->failed)
		return -EIO;
	a = iova >> t->pgshift;
	b = last >> t->pgshift;
	for (i = stretch_from(t, a); i < t->nr_dirty && t->dirty[i].first <= b; i++) {
		uint64_t lo = t->dirty[i].first > a ? t->dirty[i].first : a;
		uint64_t hi = t->dirty[i].last < b ? t->dirty[i].last : b;
		uint64_t from = lo << t->pgshift, to = ((hi + 1) << t->pgshift) - 1;

		if (from < iova)
			from = iova;
		if (to > last || !(hi + 1))
			to = last;
		fn(opaque, from, to - from + 1);
	}
	if (clear)
		tracker_unlog(t, a, b);
	return 0;
}
