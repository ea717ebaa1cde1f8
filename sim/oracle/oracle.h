/* SPDX-License-Identifier: MIT */
/*
 * oracle.h - the dirty-page oracle's shadow of one container, shared by
 * the files of sim/oracle/.
 *
 * The shadow holds what the operations seen imply, in CPU pages: the
 * mappings, the pages vendor drivers hold pinned, the groups and whether
 * each is still outside the pinned-page scope, and per mapping four page
 * sets kept between reports:
 *
 *   PINNED   pinned now (any pin count);
 *   MUST     the rules say the next report must hold it: pinned at the
 *            last report (or START) or since, written by dma_rw since;
 *   MAY      a failed call may have left it dirty, or not;
 *   WRITTEN  the ground truth: a device or dma_rw wrote it since it was
 *            last reported, while tracking.
 *
 * A report is judged in its own page size (a power of two, at least the
 * CPU page): a report page is dirty in a set if any CPU page in it is.
 * Sets are sparse, in chunks of OM_CHUNK_PAGES pages made on first use,
 * and whole mappings are flags (must_all, may_all), so a mapping costs
 * memory only for the pages operations touched.
 */
#ifndef VFIOSIM_ORACLE_INTERNAL_H
#define VFIOSIM_ORACLE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vfiosim_oracle.h"
#include "core/core.h"
#include "lib/bitmap.h"
#include "lib/rbtree.h"

#define OM_CHUNK_PAGES		4096UL
#define OM_CHUNK_WORDS		(OM_CHUNK_PAGES / BITS_PER_LONG)

enum om_set { OM_PINNED, OM_MUST, OM_MAY, OM_WRITTEN, OM_NR_SETS };

struct om_chunk {
	struct rb_node node;
	uint64_t first;			/* page index in the mapping, chunk aligned */
	unsigned long bits[OM_NR_SETS][OM_CHUNK_WORDS];
};

struct om_map {
	struct rb_node node;		/* in oracle.maps by iova */
	uint64_t iova, last;		/* [iova, last] */
	uint64_t npages;		/* CPU pages */
	bool ghost;			/* a failed unmap may have removed it */
	bool must_all, may_all;		/* every page is in MUST / MAY */
	struct rb_root chunks;
};

/* A vendor pin, counted per exact iova as type1 counts them. */
struct om_pin {
	struct rb_node node;
	uint64_t iova;
	unsigned long refs;
};

struct om_group {
	struct om_group *next;
	struct vfiosim_group *g;
	bool outside;			/* IOMMU-backed and has not pinned yet */
};

struct vfiosim_oracle {
	struct vfiosim_observer obs;
	struct vfiosim_container *c;	/* NULL once the container is freed */
	uint64_t page_size;
	unsigned int page_shift;
	bool active;			/* a v2 driver is open: we follow it */
	bool tracking;
	bool exact;
	struct rb_root maps;
	struct rb_root pins;
	struct om_group *groups;
	unsigned long outside;		/* groups outside the pinned scope */
	int provider;			/* VFIOSIM_DIRTY_PROVIDER_* chosen (cover.c) */
	bool covered_before;		/* om_covered() as an attach, detach or pin began */
	size_t log_pos;			/* host log entries already taken in */
	unsigned long op;		/* operations seen, numbered from 1 */
	bool corrupt;
	uint64_t corrupt_bit;
	struct vfiosim_oracle_stats st;
};

static inline struct om_map *om_map_of(const struct rb_node *n)
{
	return rb_entry_safe(n, struct om_map, node);
}

static inline struct om_chunk *om_chunk_of(const struct rb_node *n)
{
	return rb_entry_safe(n, struct om_chunk, node);
}

/* pageset.c: one mapping's page sets */
void om_set_pages(struct om_map *m, enum om_set s, uint64_t first, uint64_t n);
void om_clear_pages(struct om_map *m, enum om_set s, uint64_t first, uint64_t n);
/* MUST = PINNED, MAY = {} (and WRITTEN = {} if clear_written), flags off. */
void om_restart(struct om_map *m, bool clear_written);
/* MAY |= MUST, MUST = PINNED: the state of a report that may have gone out. */
void om_blur(struct om_map *m);
/* Every set but PINNED emptied. */
void om_forget_dirty(struct om_map *m);
void om_chunks_free(struct om_map *m);

/* Reads a mapping's sets in report pages, front to back. */
struct om_cursor {
	struct om_map *m;
	struct rb_node *n;		/* the first chunk not yet behind us */
};
void om_cursor_init(struct om_cursor *cur, struct om_map *m);
/*
 * Sets of the nb <= 64 report pages from CPU page `first` (a multiple of
 * 64 << rs; each report page is 1 << rs CPU pages) into out[set], bit j
 * for report page j.  Calls must move forward.
 */
void om_fold(struct om_cursor *cur, uint64_t first, unsigned int nb, unsigned int rs,
	     unsigned long out[OM_NR_SETS]);

/* shadow.c: mappings, pins, groups */
struct om_map *om_map_find(struct vfiosim_oracle *o, uint64_t iova);
struct om_map *om_map_first_in(struct vfiosim_oracle *o, uint64_t iova, uint64_t last);
struct om_map *om_map_next(struct om_map *m);
struct om_map *om_map_add(struct vfiosim_oracle *o, uint64_t iova, uint64_t size);
void om_map_remove(struct vfiosim_oracle *o, struct om_map *m);
void om_maps_free(struct vfiosim_oracle *o);
/* The pages of [iova, iova + len) inside mappings into set s. */
void om_mark(struct vfiosim_oracle *o, enum om_set s, uint64_t iova, uint64_t len);
void om_pin_get(struct vfiosim_oracle *o, uint64_t iova);
void om_pin_put(struct vfiosim_oracle *o, uint64_t iova);
void om_pins_free(struct vfiosim_oracle *o);
void om_group_add(struct vfiosim_oracle *o, struct vfiosim_group *g);
/* Removes g; true if it was outside the pinned scope. */
bool om_group_del(struct vfiosim_oracle *o, struct vfiosim_group *g);
/* g pinned: true if that brought the last group into the scope. */
bool om_group_promote(struct vfiosim_oracle *o, struct vfiosim_group *g);
void om_groups_free(struct vfiosim_oracle *o);
void om_reset(struct vfiosim_oracle *o);

/* cover.c: the dirty-provider extension */
/* While tracking, a provider records every group outside the pinned scope. */
bool om_covered(const struct vfiosim_oracle *o);
/* Some group outside the scope makes every mapping dirty now. */
bool om_outside_now(const struct vfiosim_oracle *o);
/* A logged write: its blur into MAY if a provider recorded it. */
void om_recorded_write(struct vfiosim_oracle *o, const struct vfiosim_write *w);

/* judge.c: judging a report */

/* Words [w0, w0 + n) of the user's bitmap, at before[at] and after[at]. */
struct om_span {
	uint64_t w0, n;
	size_t at;
};

/*
 * Only some of the range's words are read back: those holding bits of a
 * mapping in the range, and those the call wrote (the host's journal of
 * user writes says which, and what they held).  Any other word is as it
 * was before the call; it reads as 0 both before and after, which is all
 * the checks of holes and of the bits beyond the range need to know.
 */
struct om_report {
	const char *what;		/* "GET_BITMAP", "UNMAP_DMA" */
	uint64_t iova, last;		/* the range */
	uint64_t pgsize;
	unsigned int pshift;		/* log2(pgsize) */
	uint64_t nbits;			/* report pages in the range */
	uint64_t nwords;		/* words of the range */
	struct om_span *spans;		/* sorted, apart */
	size_t nspans;
	size_t hint;			/* the span last looked up */
	unsigned long *before;		/* the user's words before the call */
	unsigned long *after;		/* and after */
};
/* The span holding word i, NULL if none. */
const struct om_span *om_span_of(struct om_report *r, uint64_t i);
/* Checks the report against the mappings inside the range and restarts them. */
void om_report_check(struct vfiosim_oracle *o, struct om_report *r);

/* oracle.c */
void om_violation(struct vfiosim_oracle *o, unsigned long *counter, unsigned long n,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* observe.c */
extern const struct vfiosim_observer_ops om_observer_ops;
void om_activate(struct vfiosim_oracle *o);

#endif /* VFIOSIM_ORACLE_INTERNAL_H */
