// SPDX-License-Identifier: MIT
/*
 * shadow.c - the oracle's picture of the container: mappings by IOVA,
 * vendor pins by IOVA, and the groups with their pinned-page scope.
 */
#include <stdlib.h>

#include "oracle/oracle.h"

/* ------------------------------------------------------------ mappings */

/* Mappings are found by an IOVA they hold. */
static int map_cmp(const void *key, const struct rb_node *n)
{
	uint64_t iova = *(const uint64_t *)key;
	const struct om_map *m = om_map_of(n);

	return iova < m->iova ? -1 : iova > m->last;
}

static int map_less(const struct rb_node *a, const struct rb_node *b)
{
	return om_map_of(a)->iova < om_map_of(b)->iova;
}

/* The mapping containing iova, or NULL. */
struct om_map *om_map_find(struct vfiosim_oracle *o, uint64_t iova)
{
	return om_map_of(rb_find(&iova, &o->maps, map_cmp));
}

/* The lowest mapping overlapping [iova, last], or NULL. */
struct om_map *om_map_first_in(struct vfiosim_oracle *o, uint64_t iova, uint64_t last)
{
	struct om_map *m = om_map_of(rb_find_ceil(&iova, &o->maps, map_cmp));

	return m && m->iova <= last ? m : NULL;
}

struct om_map *om_map_next(struct om_map *m)
{
	return om_map_of(rb_next(&m->node));
}

struct om_map *om_map_add(struct vfiosim_oracle *o, uint64_t iova, uint64_t size)
{
	struct om_map *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	m->iova = iova;
	m->last = iova + size - 1;
	/* Sizes are whole pages; a ragged end still gets its page. */
	m->npages = ((size - 1) >> o->page_shift) + 1;
	m->chunks = RB_ROOT;
	rb_add(&m->node, &o->maps, map_less);
	return m;
}

static void pins_drop_range(struct vfiosim_oracle *o, uint64_t iova, uint64_t last);

void om_map_remove(struct vfiosim_oracle *o, struct om_map *m)
{
	pins_drop_range(o, m->iova, m->last);
	rb_erase(&m->node, &o->maps);
	om_chunks_free(m);
	free(m);
}

void om_maps_free(struct vfiosim_oracle *o)
{
	struct rb_node *n;

	while ((n = rb_first(&o->maps))) {
		struct om_map *m = om_map_of(n);

		rb_erase(n, &o->maps);
		om_chunks_free(m);
		free(m);
	}
}

/*
 * Sets larger than this many pages are recorded as whole mappings when
 * they only widen what is allowed (MAY): a failed call over a huge range
 * must not cost memory in proportion.
 */
#define OM_MAY_SPARSE_MAX	(64 * OM_CHUNK_PAGES)

void om_mark(struct vfiosim_oracle *o, enum om_set s, uint64_t iova, uint64_t len)
{
	uint64_t last;
	struct om_map *m;

	if (!len)
		return;
	last = iova + (len - 1) < iova ? UINT64_MAX : iova + (len - 1);
	for (m = om_map_first_in(o, iova, last); m && m->iova <= last; m = om_map_next(m)) {
		uint64_t lo = iova > m->iova ? iova : m->iova;
		uint64_t hi = last < m->last ? last : m->last;
		uint64_t first = (lo - m->iova) >> o->page_shift;
		uint64_t n = ((hi - m->iova) >> o->page_shift) - first + 1;

		if (s == OM_MAY && n > OM_MAY_SPARSE_MAX)
			m->may_all = true;
		else
			om_set_pages(m, s, first, n);
	}
}

/* ---------------------------------------------------------------- pins */

static struct om_pin *om_pin_of(const struct rb_node *n)
{
	return rb_entry_safe(n, struct om_pin, node);
}

/* Pins are keyed by the pinned page's IOVA. */
static int pin_cmp(const void *key, const struct rb_node *n)
{
	uint64_t iova = *(const uint64_t *)key, at = om_pin_of(n)->iova;

	return iova < at ? -1 : iova > at;
}

static int pin_less(const struct rb_node *a, const struct rb_node *b)
{
	return om_pin_of(a)->iova < om_pin_of(b)->iova;
}

static struct om_pin *pin_find(struct vfiosim_oracle *o, uint64_t iova)
{
	return om_pin_of(rb_find(&iova, &o->pins, pin_cmp));
}

/* The first pin at or above iova. */
static struct om_pin *pin_ceil(struct vfiosim_oracle *o, uint64_t iova)
{
	return om_pin_of(rb_find_ceil(&iova, &o->pins, pin_cmp));
}

/* PINNED of the CPU page holding iova follows the pins inside that page. */
static void pin_page_update(struct vfiosim_oracle *o, uint64_t iova)
{
	uint64_t page = iova & ~(o->page_size - 1);
	struct om_map *m = om_map_find(o, page);
	struct om_pin *p = pin_ceil(o, page);
	uint64_t index;

	if (!m)
		return;
	index = (page - m->iova) >> o->page_shift;
	if (p && p->iova - page < o->page_size)
		om_set_pages(m, OM_PINNED, index, 1);
	else
		om_clear_pages(m, OM_PINNED, index, 1);
}

void om_pin_get(struct vfiosim_oracle *o, uint64_t iova)
{
	struct om_pin *p = pin_find(o, iova);

	if (p) {
		p->refs++;
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->iova = iova;
	p->refs = 1;
	rb_add(&p->node, &o->pins, pin_less);
	pin_page_update(o, iova);
}

/* type1 ignores an unpin of an iova nobody pinned. */
void om_pin_put(struct vfiosim_oracle *o, uint64_t iova)
{
	struct om_pin *p = pin_find(o, iova);

	if (!p || --p->refs)
		return;
	rb_erase(&p->node, &o->pins);
	free(p);
	pin_page_update(o, iova);
}

static void pins_drop_range(struct vfiosim_oracle *o, uint64_t iova, uint64_t last)
{
	struct om_pin *p;

	while ((p = pin_ceil(o, iova)) && p->iova <= last) {
		rb_erase(&p->node, &o->pins);
		free(p);
	}
}

void om_pins_free(struct vfiosim_oracle *o)
{
	pins_drop_range(o, 0, UINT64_MAX);
}

/* -------------------------------------------------------------- groups */

void om_group_add(struct vfiosim_oracle *o, struct vfiosim_group *g)
{
	struct om_group *og = calloc(1, sizeof(*og));

	if (!og)
		abort();
	og->g = g;
	/* Emulated groups can only dirty pages through calls that report it. */
	og->outside = g->cfg.kind != VFIOSIM_GROUP_EMULATED;
	o->outside += og->outside;
	og->next = o->groups;
	o->groups = og;
}

bool om_group_del(struct vfiosim_oracle *o, struct vfiosim_group *g)
{
	struct om_group **link, *og;
	bool outside;

	for (link = &o->groups; (og = *link); link = &og->next) {
		if (og->g != g)
			continue;
		*link = og->next;
		outside = og->outside;
		o->outside -= outside;
		free(og);
		return outside;
	}
	return false;
}

bool om_group_promote(struct vfiosim_oracle *o, struct vfiosim_group *g)
{
	struct om_group *og;

	for (og = o->groups; og; og = og->next) {
		if (og->g != g || !og->outside)
			continue;
		og->outside = false;
		return !--o->outside;
	}
	return false;
}

void om_groups_free(struct vfiosim_oracle *o)
{
	while (o->groups) {
		struct om_group *og = o->groups;

		o->groups = og->next;
		free(og);
	}
	o->outside = 0;
}

/* The driver is gone: nothing of the shadow survives. */
void om_reset(struct vfiosim_oracle *o)
{
	om_maps_free(o);
	om_pins_free(o);
	om_groups_free(o);
	o->tracking = false;
	o->active = false;
	o->provider = VFIOSIM_DIRTY_PROVIDER_PINNED;
}
