// SPDX-License-Identifier: MIT
/*
 * parse_expect.c - the expectations of a scenario: "expect" and what
 * follows it, standalone or as an operation's suffix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "parse.h"

bool expect_is_result(enum expect_kind k)
{
	return k == EX_OK || k == EX_ERRNO || k == EX_RET || k == EX_ANY;
}

static const struct flag_name oracle_kinds[] = {
	{ "missed", OK_MISSED }, { "spurious", OK_SPURIOUS }, { "inexact", OK_INEXACT },
	{ "desync", OK_DESYNC }, { NULL, 0 },
};

static int parse_count(struct pstate *ps, struct expect *e)
{
	return p_take_number(ps, &e->value);
}

/* A page count, or with a unit a byte count: "locked 16" or "locked 64K". */
static int parse_pages_or_bytes(struct pstate *ps, struct expect *e)
{
	struct tok t = p_take(ps);
	char last = t.s ? t.s[t.len - 1] : 0;

	e->bytes = last && strchr("kKmMgGtT", last);
	if (e->bytes)
		return tok_size(&t, &e->value, ps->d);
	return tok_number(&t, &e->value, ps->d);
}

int p_parse_expect(struct pstate *ps, struct expect **out)
{
	struct expect *e = p_xcalloc(1, sizeof(*e));
	unsigned int col = p_peek_col(ps);
	struct tok t = p_take(ps);
	int err = 0, v;

	e->col = col;
	if (tok_is(&t, "ok")) {
		e->kind = EX_OK;
	} else if (tok_is(&t, "any")) {
		e->kind = EX_ANY;
	} else if (tok_is(&t, "errno")) {
		e->kind = EX_ERRNO;
		err = p_take_errno(ps, &v);
		e->ret = v;
	} else if (tok_is(&t, "ret")) {
		struct tok n = p_take(ps);
		bool neg = n.s && n.len > 1 && n.s[0] == '-';
		uint64_t x;

		e->kind = EX_RET;
		if (neg)
			n = tok_slice(&n, 1, n.len);
		err = tok_number(&n, &x, ps->d);
		if (!err && x > INT64_MAX) {
			diag_set(ps->d, n.col, "ret is a signed 64-bit value");
			err = -1;
		}
		e->ret = neg ? -(long long)x : (long long)x;
	} else if (tok_is(&t, "dirty")) {
		if (p_accept(ps, "all")) {
			e->kind = EX_DIRTY_ALL;
		} else {
			e->kind = EX_DIRTY;
			err = p_take_range_list(ps, &ps->maps, true, &e->ranges, &e->nr_ranges);
		}
	} else if (tok_is(&t, "clean")) {
		e->kind = EX_CLEAN;
	} else if (tok_is(&t, "dirty-count")) {
		e->kind = EX_DIRTY_COUNT;
		err = parse_count(ps, e);
	} else if (tok_is(&t, "locked")) {
		e->kind = EX_LOCKED;
		err = parse_pages_or_bytes(ps, e);
	} else if (tok_is(&t, "pinned")) {
		e->kind = EX_PINNED;
		err = parse_pages_or_bytes(ps, e);
	} else if (tok_is(&t, "pin-count")) {
		e->kind = EX_PIN_COUNT;
		err = p_take_vaddr(ps, &e->addr) || parse_count(ps, e);
	} else if (tok_is(&t, "unmapped")) {
		e->kind = EX_UNMAPPED;
		err = p_take_size(ps, &e->value);
	} else if (tok_is(&t, "pgsizes")) {
		struct tok m = p_take(ps);

		e->kind = EX_PGSIZES;
		err = tok_size_mask(&m, &e->value, ps->d);
	} else if (tok_is(&t, "dirty-pgsizes")) {
		struct tok m = p_take(ps);

		e->kind = EX_MIG_PGSIZES;
		err = tok_size_mask(&m, &e->value, ps->d);
	} else if (tok_is(&t, "max-bitmap")) {
		e->kind = EX_MAX_BITMAP;
		err = p_take_size(ps, &e->value);
	} else if (tok_is(&t, "dma-avail")) {
		e->kind = EX_DMA_AVAIL;
		err = parse_count(ps, e);
	} else if (tok_is(&t, "iova-ranges")) {
		e->kind = EX_IOVA_RANGES;
		err = p_take_range_list(ps, NULL, false, &e->ranges, &e->nr_ranges);
	} else if (tok_is(&t, "warnings")) {
		e->kind = EX_WARNINGS;
		err = parse_count(ps, e);
	} else if (tok_is(&t, "allocations")) {
		e->kind = EX_ALLOCS;
		err = parse_count(ps, e);
	} else if (tok_is(&t, "bytes")) {
		int b = 0;

		e->kind = EX_BYTES;
		err = p_take_byte(ps, &b);
		e->value = (uint64_t)b;
	} else if (tok_is(&t, "memory")) {
		int b = 0;

		e->kind = EX_MEMORY;
		e->ranges = p_xcalloc(1, sizeof(*e->ranges));
		e->nr_ranges = 1;
		err = p_take_range(ps, &ps->mems, false, e->ranges);
		if (!err && !p_accept(ps, "byte"))
			err = p_expected(ps, "byte");
		if (!err)
			err = p_take_byte(ps, &b);
		e->value = (uint64_t)b;
	} else if (tok_is(&t, "oracle")) {
		e->kind = EX_ORACLE;
		err = p_take_flags(ps, oracle_kinds,
				   "what the oracle finds: missed, spurious, inexact or desync",
				 &e->oracle);
	} else {
		ps->i -= t.s ? 1 : 0;
		err = p_expected(ps, "an expectation (ok, errno, ret, dirty, clean, locked, "
				   "pinned, unmapped, pgsizes, oracle, ...)");
	}
	if (!err && expect_is_result(e->kind) && !ps->has_op) {
		diag_set(ps->d, col, "no operation before this expectation to check");
		err = -1;
	}
	if (!err && !p_at_end(ps))
		err = p_expected(ps, "the end of the line");
	if (err) {
		free(e->ranges);
		free(e);
		return -1;
	}
	*out = e;
	return 0;
}
