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

static int parse_no_value(struct pstate *ps, struct expect *e)
{
	return 0;
}

static int parse_count(struct pstate *ps, struct expect *e)
{
	return p_take_number(ps, &e->value);
}

static int parse_size(struct pstate *ps, struct expect *e)
{
	return p_take_size(ps, &e->value);
}

static int parse_size_mask(struct pstate *ps, struct expect *e)
{
	struct tok m = p_take(ps);

	return tok_size_mask(&m, &e->value, ps->d);
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

static int parse_errno(struct pstate *ps, struct expect *e)
{
	int v = 0, err = p_take_errno(ps, &v);

	e->ret = v;
	return err;
}

static int parse_ret(struct pstate *ps, struct expect *e)
{
	struct tok n = p_take(ps);
	bool neg = n.s && n.len > 1 && n.s[0] == '-';
	uint64_t x;
	int err;

	if (neg)
		n = tok_slice(&n, 1, n.len);
	err = tok_number(&n, &x, ps->d);
	if (!err && x > INT64_MAX) {
		diag_set(ps->d, n.col, "ret is a signed 64-bit value");
		err = -1;
	}
	e->ret = neg ? -(long long)x : (long long)x;
	return err;
}

/* "dirty all" or the ranges of a report. */
static int parse_dirty(struct pstate *ps, struct expect *e)
{
	if (p_accept(ps, "all")) {
		e->kind = EX_DIRTY_ALL;
		return 0;
	}
	return p_take_range_list(ps, &ps->maps, true, &e->ranges, &e->nr_ranges);
}

static int parse_pin_count(struct pstate *ps, struct expect *e)
{
	return p_take_vaddr(ps, &e->addr) || parse_count(ps, e);
}

static int parse_iova_ranges(struct pstate *ps, struct expect *e)
{
	return p_take_range_list(ps, NULL, false, &e->ranges, &e->nr_ranges);
}

static int parse_bytes(struct pstate *ps, struct expect *e)
{
	int b = 0, err = p_take_byte(ps, &b);

	e->value = (uint64_t)b;
	return err;
}

static int parse_memory(struct pstate *ps, struct expect *e)
{
	int b = 0, err;

	e->ranges = p_xcalloc(1, sizeof(*e->ranges));
	e->nr_ranges = 1;
	err = p_take_range(ps, &ps->mems, false, e->ranges);
	if (!err && !p_accept(ps, "byte"))
		err = p_expected(ps, "byte");
	if (!err)
		err = p_take_byte(ps, &b);
	e->value = (uint64_t)b;
	return err;
}

static int parse_oracle(struct pstate *ps, struct expect *e)
{
	return p_take_flags(ps, oracle_kinds,
			    "what the oracle finds: missed, spurious, inexact or desync",
			    &e->oracle);
}

/* Each expectation's word, its kind and how what follows the word reads. */
static const struct {
	const char *word;
	enum expect_kind kind;
	int (*parse)(struct pstate *ps, struct expect *e);
} expectations[] = {
	/* the result of the operation before */
	{ "ok", EX_OK, parse_no_value }, { "any", EX_ANY, parse_no_value },
	{ "errno", EX_ERRNO, parse_errno }, { "ret", EX_RET, parse_ret },
	/* the last dirty report */
	{ "dirty", EX_DIRTY, parse_dirty }, { "clean", EX_CLEAN, parse_no_value },
	{ "dirty-count", EX_DIRTY_COUNT, parse_count },
	/* state */
	{ "locked", EX_LOCKED, parse_pages_or_bytes },
	{ "pinned", EX_PINNED, parse_pages_or_bytes },
	{ "pin-count", EX_PIN_COUNT, parse_pin_count }, { "unmapped", EX_UNMAPPED, parse_size },
	{ "pgsizes", EX_PGSIZES, parse_size_mask }, { "dma-avail", EX_DMA_AVAIL, parse_count },
	{ "iova-ranges", EX_IOVA_RANGES, parse_iova_ranges },
	{ "dirty-pgsizes", EX_MIG_PGSIZES, parse_size_mask },
	{ "max-bitmap", EX_MAX_BITMAP, parse_size }, { "warnings", EX_WARNINGS, parse_count },
	{ "bytes", EX_BYTES, parse_bytes }, { "memory", EX_MEMORY, parse_memory },
	{ "allocations", EX_ALLOCS, parse_count },
	/* the oracle flagged the operation before (a known kernel defect) */
	{ "oracle", EX_ORACLE, parse_oracle },
};

int p_parse_expect(struct pstate *ps, struct expect **out)
{
	struct expect *e = p_xcalloc(1, sizeof(*e));
	unsigned int col = p_peek_col(ps);
	struct tok t = p_take(ps);
	size_t i;
	int err;

	e->col = col;
	for (i = 0; i < sizeof(expectations) / sizeof(expectations[0]); i++)
		if (tok_is(&t, expectations[i].word))
			break;
	if (i < sizeof(expectations) / sizeof(expectations[0])) {
		e->kind = expectations[i].kind;
		err = expectations[i].parse(ps, e);
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
