// SPDX-License-Identifier: MIT
/*
 * judge.c - judging one dirty report against the shadow.
 *
 * The user's bitmap is read into words, so a mapping's bits are fetched
 * 64 at a time whatever their offset.  Each mapping is walked once, word
 * by word, folding its page sets onto the report's page size as it goes;
 * holes are walked only where words were read back (oracle.h): the cost
 * is the mappings' words, the words the call wrote and the chunks the
 * sets hold, however large a bitmap the caller claims.
 */
#include <inttypes.h>
#include <stdio.h>

#include "oracle/oracle.h"

/* The first span ending past word i (nspans if none). */
static size_t span_from(const struct om_report *r, uint64_t i)
{
	size_t lo = 0, hi = r->nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->spans[mid].w0 + r->spans[mid].n > i)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

const struct om_span *om_span_of(struct om_report *r, uint64_t i)
{
	size_t k = r->hint;

	/* Walks go front to back: the last span or the next one, mostly. */
	if (k < r->nspans && i >= r->spans[k].w0) {
		if (i - r->spans[k].w0 < r->spans[k].n)
			return &r->spans[k];
		if (++k == r->nspans || i < r->spans[k].w0)
			return NULL;
		if (i - r->spans[k].w0 < r->spans[k].n) {
			r->hint = k;
			return &r->spans[k];
		}
	}
	k = span_from(r, i);
	if (k == r->nspans || i < r->spans[k].w0)
		return NULL;
	r->hint = k;
	return &r->spans[k];
}

/* Word i of a (r->before or r->after); a word not read back is 0. */
static unsigned long word_at(struct om_report *r, const unsigned long *a, uint64_t i)
{
	const struct om_span *sp = om_span_of(r, i);

	return sp ? a[sp->at + (i - sp->w0)] : 0;
}

/* 64 bits of a from bit b on; bits past the range's words read as 0. */
static unsigned long bits_at(struct om_report *r, const unsigned long *a, uint64_t b)
{
	uint64_t i = b / BITS_PER_LONG;
	unsigned int sh = b % BITS_PER_LONG;
	unsigned long lo = i < r->nwords ? word_at(r, a, i) : 0, hi;

	if (!sh)
		return lo;
	hi = i + 1 < r->nwords ? word_at(r, a, i + 1) : 0;
	return (lo >> sh) | (hi << (BITS_PER_LONG - sh));
}

/* Bits the call set, 64 of them from bit b on. */
static unsigned long set_at(struct om_report *r, uint64_t b)
{
	return bits_at(r, r->after, b) & ~bits_at(r, r->before, b);
}

static unsigned long low_mask(uint64_t n)
{
	return n >= BITS_PER_LONG ? ~0UL : (1UL << n) - 1;
}

static unsigned int popcount(unsigned long x)
{
	return (unsigned int)__builtin_popcountl(x);
}

static unsigned int lowest(unsigned long x)
{
	return (unsigned int)__builtin_ctzl(x);
}

static void report_violation(struct vfiosim_oracle *o, const struct om_report *r,
			     unsigned long *counter, unsigned long n, const char *fmt,
			     uint64_t iova, uint64_t bit)
{
	char what[160];

	snprintf(what, sizeof(what), "%s [0x%" PRIx64 ", 0x%" PRIx64 "] pgsize 0x%" PRIx64,
		 r->what, r->iova, r->last, r->pgsize);
	om_violation(o, counter, n, "%s: page 0x%" PRIx64 " (bit %" PRIu64 ") %s", what, iova,
		     bit, fmt);
}

/* Bits [from, to) of the range lie in no mapping: the call may not set any. */
static void check_hole(struct vfiosim_oracle *o, struct om_report *r, uint64_t from,
		       uint64_t to)
{
	size_t k;

	/* Words not read back are unchanged: only the spans can hold a new bit. */
	for (k = span_from(r, from / BITS_PER_LONG); k < r->nspans && from < to; k++) {
		const struct om_span *sp = &r->spans[k];
		uint64_t b = sp->w0 * BITS_PER_LONG, end = (sp->w0 + sp->n) * BITS_PER_LONG;

		if (b >= to)
			break;
		if (b < from)
			b = from;
		if (end > to)
			end = to;
		for (; b < end; b += BITS_PER_LONG) {
			unsigned long set = set_at(r, b) & low_mask(end - b);

			if (set)
				report_violation(o, r, &o->st.spurious, popcount(set),
						 "set in a hole of the range",
						 r->iova + ((b + lowest(set)) << r->pshift),
						 b + lowest(set));
		}
		from = end;
	}
}

/* Bits past the range's last page, in its last word, must be as they were. */
static void check_beyond(struct vfiosim_oracle *o, struct om_report *r)
{
	uint64_t b;

	for (b = r->nbits; b < r->nwords * BITS_PER_LONG; b += BITS_PER_LONG) {
		unsigned long diff = bits_at(r, r->after, b) ^ bits_at(r, r->before, b);

		if (diff)
			report_violation(o, r, &o->st.spurious, popcount(diff),
					 "beyond the range changed",
					 r->iova + ((b + lowest(diff)) << r->pshift),
					 b + lowest(diff));
	}
}

static const char *must_reason(const struct vfiosim_oracle *o, const struct om_map *m)
{
	if (om_outside_now(o))
		return "must be reported (an IOMMU-backed group is outside the pinned scope) "
		       "but is not";
	if (m->must_all)
		return "must be reported (the whole mapping was made dirty by a scope change) "
		       "but is not";
	return "must be reported (pinned, or written by dma_rw, since the last report) "
	       "but is not";
}

/* WRITTEN loses the CPU pages of the report pages that were reported. */
static void clear_reported(struct om_map *m, uint64_t first, unsigned long rep,
			   unsigned int nb, unsigned int rs)
{
	if (rep == low_mask(nb)) {
		om_clear_pages(m, OM_WRITTEN, first, (uint64_t)nb << rs);
		return;
	}
	while (rep) {
		unsigned int j = lowest(rep);

		om_clear_pages(m, OM_WRITTEN, first + ((uint64_t)j << rs), 1ULL << rs);
		rep &= rep - 1;
	}
}

static void check_map(struct vfiosim_oracle *o, struct om_report *r, struct om_map *m,
		      uint64_t off, uint64_t nbits)
{
	unsigned int rs = r->pshift - o->page_shift;
	bool outside = om_outside_now(o);
	struct om_cursor cur;
	uint64_t w;

	om_cursor_init(&cur, m);
	for (w = 0; w < nbits; w += BITS_PER_LONG) {
		unsigned int nb = nbits - w < BITS_PER_LONG ? (unsigned int)(nbits - w) :
			BITS_PER_LONG;
		unsigned long mask = low_mask(nb), set[OM_NR_SETS], rep, must, may, bad;
		uint64_t first = w << rs;

		rep = bits_at(r, r->after, off + w) & mask;
		om_fold(&cur, first, nb, rs, set);
		if (m->ghost)
			goto next;	/* gone or not: nothing to hold it to */

		bad = set[OM_WRITTEN] & ~rep;
		if (bad)
			report_violation(o, r, &o->st.missed, popcount(bad),
					 "written but not reported",
					 m->iova + ((w + lowest(bad)) << r->pshift),
					 off + w + lowest(bad));
		if (!o->exact)
			goto next;
		must = (outside || m->must_all) ? mask : set[OM_MUST];
		may = m->may_all ? mask : set[OM_MAY];
		bad = must & ~rep;
		if (bad)
			report_violation(o, r, &o->st.inexact, popcount(bad), must_reason(o, m),
					 m->iova + ((w + lowest(bad)) << r->pshift),
					 off + w + lowest(bad));
		bad = rep & ~(must | may);
		if (bad)
			report_violation(o, r, &o->st.inexact, popcount(bad),
					 "reported but nothing dirtied it",
					 m->iova + ((w + lowest(bad)) << r->pshift),
					 off + w + lowest(bad));
next:
		if (rep)
			clear_reported(m, first, rep, nb, rs);
	}
	om_restart(m, false);
}

/* Did the call set any of bits [from, to)?  (A mapping's: all read back.) */
static bool newly_set(struct om_report *r, uint64_t from, uint64_t to)
{
	for (; from < to; from += BITS_PER_LONG)
		if (set_at(r, from) & low_mask(to - from))
			return true;
	return false;
}

/*
 * A ghost that got bits exists; one that got none while every mapping
 * must come out whole is gone, and its pages were a hole.  Otherwise it
 * stays a ghost.  Returns false when the mapping was dropped.
 */
static bool ghost_settle(struct vfiosim_oracle *o, struct om_report *r,
			 struct om_map *m, uint64_t off, uint64_t nbits)
{
	if (newly_set(r, off, off + nbits)) {
		m->ghost = false;
		return true;
	}
	if (!om_outside_now(o))
		return true;
	check_hole(o, r, off, off + nbits);
	om_map_remove(o, m);
	return false;
}

void om_report_check(struct vfiosim_oracle *o, struct om_report *r)
{
	uint64_t next = 0;	/* the first bit not yet judged */
	struct om_map *m, *after;

	if (o->corrupt) {
		const struct om_span *sp = om_span_of(r, BIT_WORD(o->corrupt_bit));

		o->corrupt = false;
		/* The caller read its word back. */
		if (o->corrupt_bit < r->nwords * BITS_PER_LONG && sp)
			r->after[sp->at + (BIT_WORD(o->corrupt_bit) - sp->w0)] ^=
				BIT_MASK(o->corrupt_bit);
	}
	o->st.reports++;
	for (m = om_map_first_in(o, r->iova, r->last); m && m->iova <= r->last; m = after) {
		uint64_t off = (m->iova - r->iova) >> r->pshift;
		uint64_t size = m->last - m->iova + 1;

		after = om_map_next(m);

		/*
		 * Mapped in a finer unit than the report's: the unit grew while
		 * tracking (divergences.md 4).  Its pages share report bits with
		 * its neighbours', which a walk of one mapping at a time cannot
		 * judge; the bits it may use are skipped, not blamed on a hole.
		 * (Cut mappings were dealt with by the caller.)
		 */
		if (((m->iova - r->iova) | size) & (r->pgsize - 1)) {
			uint64_t end = ((m->last - r->iova) >> r->pshift) + 1;

			if (off > next)
				check_hole(o, r, next, off);
			if (end > next)
				next = end;
			o->st.unjudged++;
			om_restart(m, true);
			continue;
		}
		check_hole(o, r, next, off);
		next = off + (size >> r->pshift);
		if (m->ghost && !ghost_settle(o, r, m, off, size >> r->pshift))
			continue;
		check_map(o, r, m, off, size >> r->pshift);
	}
	check_hole(o, r, next, r->nbits);
	check_beyond(o, r);
}
