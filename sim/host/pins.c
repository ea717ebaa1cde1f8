// SPDX-License-Identifier: MIT
/*
 * pins.c - the long-term pin counts of one range of process memory, kept
 * as runs: a run is consecutive pages with the same non-zero count, and a
 * page outside every run has none.  A range whose pages were all pinned
 * once costs one run however large it is; what costs more is variety
 * (a vendor driver's few extra pins each cut a run in up to three), so
 * the memory is
 *
 *     sizeof(struct host_pin_run) * (runs)   <= 48 bytes * (2 * pins + 1)
 *
 * for a range pinned whole plus a few scattered pins, instead of four
 * bytes per page.  Neighbouring runs with equal counts are joined, so a
 * range pinned page by page in order grows one run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "host/internal.h"

struct host_pin_run {
	struct rb_node node;		/* in host_vma.pins, by first */
	uint64_t first, n;		/* page indices [first, first + n) */
	uint32_t count;			/* >= 1 */
};

static struct host_pin_run *run_of(const struct rb_node *n)
{
	return rb_entry_safe(n, struct host_pin_run, node);
}

static uint64_t run_end(const struct host_pin_run *r)
{
	return r->first + r->n;
}

static int run_cmp(const void *key, const struct rb_node *n)
{
	uint64_t i = *(const uint64_t *)key;
	const struct host_pin_run *r = run_of(n);

	return i < r->first ? -1 : i >= run_end(r);
}

static int run_less(const struct rb_node *a, const struct rb_node *b)
{
	return run_of(a)->first < run_of(b)->first;
}

/*
 * The run holding page i or, failing that, the first one above it.  Pages
 * are mostly pinned and unpinned in order, one call per page or per few
 * pages (the kernel backend): the run found last is tried first.
 */
static struct host_pin_run *run_from(struct host_vma *v, uint64_t i)
{
	struct host_pin_run *r = v->pin_hint;

	if (r && r->first <= i && i < run_end(r))
		return r;
	r = run_of(rb_find_ceil(&i, &v->pins, run_cmp));
	if (r)
		v->pin_hint = r;
	return r;
}

static struct host_pin_run *run_new(struct host_vma *v, uint64_t first, uint64_t n,
				    uint32_t count)
{
	struct host_pin_run *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->first = first;
	r->n = n;
	r->count = count;
	rb_add(&r->node, &v->pins, run_less);
	return r;
}

static void run_del(struct host_vma *v, struct host_pin_run *r)
{
	if (v->pin_hint == r)
		v->pin_hint = NULL;
	rb_erase(&r->node, &v->pins);
	free(r);
}

/* r keeps [first, at), the result holds [at, end) with the same count. */
static struct host_pin_run *run_split(struct host_vma *v, struct host_pin_run *r, uint64_t at)
{
	struct host_pin_run *t = run_new(v, at, run_end(r) - at, r->count);

	if (t)
		r->n = at - r->first;
	return t;
}

/* Joins b into a when they touch and count alike; the run that remains. */
static struct host_pin_run *run_join(struct host_vma *v, struct host_pin_run *a,
				     struct host_pin_run *b)
{
	if (!a || !b || run_end(a) != b->first || a->count != b->count)
		return b ? b : a;
	a->n += b->n;
	run_del(v, b);
	return a;
}

/* Joins the runs on either side of the page boundary at i, if any. */
static void join_at(struct host_vma *v, uint64_t i)
{
	struct host_pin_run *r;

	if (!i)
		return;
	r = run_from(v, i - 1);
	if (r && run_end(r) == i)
		run_join(v, r, run_of(rb_next(&r->node)));
}

uint32_t host_pins_count(struct host_vma *v, uint64_t i)
{
	struct host_pin_run *r = run_from(v, i);

	return r && r->first <= i ? r->count : 0;
}

long host_pins_add(struct host_vma *v, uint64_t i, uint64_t n)
{
	uint64_t pos = i, end = i + n;

	while (pos < end) {
		struct host_pin_run *r = run_from(v, pos);
		uint64_t gap_end = !r || r->first >= end ? end : r->first;

		if (gap_end > pos) {
			/* Unpinned pages: a new run, or the one just before grows. */
			struct host_pin_run *p = run_of(r ? rb_prev(&r->node) : rb_last(&v->pins));

			if (p && run_end(p) == pos && p->count == 1)
				p->n += gap_end - pos;
			else if (!run_new(v, pos, gap_end - pos, 1))
				break;
			v->pinned += gap_end - pos;
			pos = gap_end;
			continue;
		}
		/* A saturated count refuses more pins, as a saturated refcount does. */
		if (r->count == UINT32_MAX)
			break;
		if (r->first < pos && !(r = run_split(v, r, pos)))
			break;
		if (run_end(r) > end && !run_split(v, r, end))
			break;
		r->count++;
		pos = run_end(r);
		run_join(v, run_of(rb_prev(&r->node)), r);
	}
	join_at(v, pos);
	return (long)(pos - i);
}

bool host_pins_all(struct host_vma *v, uint64_t i, uint64_t n)
{
	uint64_t pos = i, end = i + n;

	while (pos < end) {
		struct host_pin_run *r = run_from(v, pos);

		if (!r || r->first > pos)
			return false;
		pos = run_end(r);
	}
	return true;
}

/* Out of memory while dropping a pin: no way to report it, and no way on. */
static struct host_pin_run *must(struct host_pin_run *r)
{
	if (!r) {
		fputs("vfiosim: out of memory splitting a pin run\n", stderr);
		abort();
	}
	return r;
}

void host_pins_drop(struct host_vma *v, uint64_t i, uint64_t n)
{
	uint64_t pos = i, end = i + n;
	bool lowered = false;		/* a count fell but stayed non-zero */

	while (pos < end) {
		struct host_pin_run *r = run_from(v, pos);
		uint64_t stop = run_end(r) < end ? run_end(r) : end;

		if (r->count == 1) {
			/* The pages leave the run: trim it, cut it or drop it. */
			v->pinned -= stop - pos;
			if (r->first == pos && stop == run_end(r)) {
				run_del(v, r);
			} else if (r->first == pos) {
				r->first = stop;
				r->n -= stop - pos;
			} else {
				if (stop < run_end(r))
					must(run_split(v, r, stop));
				r->n = pos - r->first;
			}
		} else {
			if (r->first < pos)
				r = must(run_split(v, r, pos));
			if (run_end(r) > stop)
				must(run_split(v, r, stop));
			r->count--;
			lowered = true;
		}
		pos = stop;
	}
	/* Only a lowered count can now equal a neighbour's: a freed page
	 * leaves a gap between the runs it separated. */
	if (lowered) {
		join_at(v, i);
		join_at(v, end);
	}
}

void host_pins_free(struct host_vma *v)
{
	struct rb_node *n;

	while ((n = rb_first(&v->pins)))
		run_del(v, run_of(n));
}
