// SPDX-License-Identifier: MIT
/*
 * pageset.c - the page sets of one shadow mapping: sparse chunks of
 * bitmaps, one bitmap per set, made when a page of the chunk is first
 * set and dropped when the chunk empties.
 *
 * The oracle is the test program's side of the simulation: its memory
 * comes from plain malloc and never from the simulated kernel's counted
 * allocator, and running out of it is fatal.
 */
#include <stdlib.h>
#include <string.h>

#include "oracle/oracle.h"

/* Chunks are found by a page they hold. */
static int chunk_cmp(const void *key, const struct rb_node *n)
{
	uint64_t page = *(const uint64_t *)key, first = om_chunk_of(n)->first;

	return page < first ? -1 : page - first >= OM_CHUNK_PAGES;
}

static int chunk_less(const struct rb_node *a, const struct rb_node *b)
{
	return om_chunk_of(a)->first < om_chunk_of(b)->first;
}

static struct om_chunk *chunk_lookup(struct om_map *m, uint64_t page)
{
	return om_chunk_of(rb_find(&page, &m->chunks, chunk_cmp));
}

/* The first chunk that ends after page. */
static struct rb_node *chunk_ceil(struct om_map *m, uint64_t page)
{
	return rb_find_ceil(&page, &m->chunks, chunk_cmp);
}

static struct om_chunk *chunk_get(struct om_map *m, uint64_t page)
{
	struct om_chunk *ch = chunk_lookup(m, page);

	if (ch)
		return ch;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		abort();
	ch->first = page & ~(OM_CHUNK_PAGES - 1);
	rb_add(&ch->node, &m->chunks, chunk_less);
	return ch;
}

static bool chunk_empty(const struct om_chunk *ch)
{
	unsigned int s, w;

	for (s = 0; s < OM_NR_SETS; s++)
		for (w = 0; w < OM_CHUNK_WORDS; w++)
			if (ch->bits[s][w])
				return false;
	return true;
}

/* Frees the chunks that hold nothing any more. */
static void chunks_trim(struct om_map *m)
{
	struct rb_node *n = rb_first(&m->chunks), *next;

	for (; n; n = next) {
		next = rb_next(n);
		if (chunk_empty(om_chunk_of(n))) {
			rb_erase(n, &m->chunks);
			free(om_chunk_of(n));
		}
	}
}

/* The end of pages [first, first + n) cut to the mapping's (first if none is in it). */
static uint64_t pages_end(const struct om_map *m, uint64_t first, uint64_t n)
{
	if (first >= m->npages)
		return first;
	return n > m->npages - first ? m->npages : first + n;
}

void om_set_pages(struct om_map *m, enum om_set s, uint64_t first, uint64_t n)
{
	uint64_t end = pages_end(m, first, n);

	while (first < end) {
		struct om_chunk *ch = chunk_get(m, first);
		uint64_t stop = ch->first + OM_CHUNK_PAGES < end ? ch->first + OM_CHUNK_PAGES : end;

		bitmap_set(ch->bits[s], first - ch->first, stop - first);
		first = stop;
	}
}

void om_clear_pages(struct om_map *m, enum om_set s, uint64_t first, uint64_t n)
{
	struct rb_node *node;
	uint64_t end = pages_end(m, first, n);

	if (first >= end)
		return;
	/* Only chunks that exist: walking a sparse range costs what it holds. */
	for (node = chunk_ceil(m, first); node; node = rb_next(node)) {
		struct om_chunk *ch = om_chunk_of(node);
		uint64_t lo, hi;

		if (ch->first >= end)
			break;
		lo = first > ch->first ? first : ch->first;
		hi = end < ch->first + OM_CHUNK_PAGES ? end : ch->first + OM_CHUNK_PAGES;
		bitmap_clear(ch->bits[s], lo - ch->first, hi - lo);
	}
}

/*
 * MUST = PINNED (must_pinned) or {}, MAY = {}, WRITTEN = {} if asked; the
 * whole-mapping flags off and the chunks left empty freed.
 */
static void sets_reset(struct om_map *m, bool must_pinned, bool clear_written)
{
	struct rb_node *n;

	for (n = rb_first(&m->chunks); n; n = rb_next(n)) {
		struct om_chunk *ch = om_chunk_of(n);

		if (must_pinned)
			memcpy(ch->bits[OM_MUST], ch->bits[OM_PINNED], sizeof(ch->bits[OM_MUST]));
		else
			memset(ch->bits[OM_MUST], 0, sizeof(ch->bits[OM_MUST]));
		memset(ch->bits[OM_MAY], 0, sizeof(ch->bits[OM_MAY]));
		if (clear_written)
			memset(ch->bits[OM_WRITTEN], 0, sizeof(ch->bits[OM_WRITTEN]));
	}
	m->must_all = false;
	m->may_all = false;
	chunks_trim(m);
}

void om_restart(struct om_map *m, bool clear_written)
{
	sets_reset(m, true, clear_written);
}

void om_blur(struct om_map *m)
{
	struct rb_node *n;
	unsigned int w;

	for (n = rb_first(&m->chunks); n; n = rb_next(n)) {
		struct om_chunk *ch = om_chunk_of(n);

		for (w = 0; w < OM_CHUNK_WORDS; w++) {
			ch->bits[OM_MAY][w] |= ch->bits[OM_MUST][w];
			ch->bits[OM_MUST][w] = ch->bits[OM_PINNED][w];
		}
	}
	m->may_all |= m->must_all;
	m->must_all = false;
}

void om_forget_dirty(struct om_map *m)
{
	sets_reset(m, false, true);
}

void om_chunks_free(struct om_map *m)
{
	struct rb_node *n;

	while ((n = rb_first(&m->chunks))) {
		rb_erase(n, &m->chunks);
		free(om_chunk_of(n));
	}
}

void om_cursor_init(struct om_cursor *cur, struct om_map *m)
{
	cur->m = m;
	cur->n = rb_first(&m->chunks);
}

/*
 * One word of CPU pages, the first at page offset off from the fold's
 * start (a multiple of 64), onto report pages of 1 << rs CPU pages.
 */
static unsigned long fold_word(unsigned long x, uint64_t off, unsigned int rs)
{
	unsigned long out = 0, group;
	unsigned int k, base;

	if (!x)
		return 0;
	if (!rs)
		return x;
	if (rs >= 6)
		return 1UL << (off >> rs);
	group = (1UL << (1U << rs)) - 1;
	base = (unsigned int)(off >> rs);
	for (k = 0; k < BITS_PER_LONG >> rs; k++)
		if ((x >> (k << rs)) & group)
			out |= 1UL << (base + k);
	return out;
}

void om_fold(struct om_cursor *cur, uint64_t first, unsigned int nb, unsigned int rs,
	     unsigned long out[OM_NR_SETS])
{
	uint64_t end = first + ((uint64_t)nb << rs);
	struct rb_node *n;
	unsigned int s;

	memset(out, 0, sizeof(unsigned long) * OM_NR_SETS);
	while (cur->n && om_chunk_of(cur->n)->first + OM_CHUNK_PAGES <= first)
		cur->n = rb_next(cur->n);
	for (n = cur->n; n; n = rb_next(n)) {
		struct om_chunk *ch = om_chunk_of(n);
		uint64_t lo, hi, w;

		if (ch->first >= end)
			break;
		lo = first > ch->first ? first : ch->first;
		hi = end < ch->first + OM_CHUNK_PAGES ? end : ch->first + OM_CHUNK_PAGES;
		for (w = (lo - ch->first) / BITS_PER_LONG;
		     ch->first + w * BITS_PER_LONG < hi; w++) {
			uint64_t page0 = ch->first + w * BITS_PER_LONG;
			unsigned long keep = ~0UL;

			/* first is word aligned, so only the end can cut a word. */
			if (hi - page0 < BITS_PER_LONG)
				keep = BITMAP_LAST_WORD_MASK(hi - page0);
			for (s = 0; s < OM_NR_SETS; s++)
				out[s] |= fold_word(ch->bits[s][w] & keep, page0 - first, rs);
		}
	}
}
