// SPDX-License-Identifier: MIT
/*
 * expect.c - checking one expectation against the simulated machine.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "names.h"
#include "ops.h"
#include "page_ranges.h"

const char *expect_name(enum expect_kind k)
{
	static const char *const names[] = {
		[EX_OK] = "ok", [EX_ERRNO] = "errno", [EX_RET] = "ret", [EX_ANY] = "any",
		[EX_DIRTY] = "dirty", [EX_DIRTY_ALL] = "dirty all", [EX_CLEAN] = "clean",
		[EX_DIRTY_COUNT] = "dirty-count", [EX_LOCKED] = "locked",
		[EX_PINNED] = "pinned", [EX_PIN_COUNT] = "pin-count",
		[EX_UNMAPPED] = "unmapped", [EX_PGSIZES] = "pgsizes",
		[EX_DMA_AVAIL] = "dma-avail", [EX_IOVA_RANGES] = "iova-ranges",
		[EX_MIG_PGSIZES] = "dirty-pgsizes", [EX_MAX_BITMAP] = "max-bitmap",
		[EX_WARNINGS] = "warnings", [EX_BYTES] = "bytes", [EX_MEMORY] = "memory",
		[EX_ALLOCS] = "allocations", [EX_ORACLE] = "oracle",
	};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "?";
}

static int fail(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_result(const struct expect *e, bool have_last, long ret, char *msg,
			size_t len)
{
	char a[32], b[32];

	if (!have_last)
		return fail(msg, len, "no operation ran before this expectation");
	switch (e->kind) {
	case EX_OK:
		if (ret < 0)
			return fail(msg, len, "expected success, got %s",
				    vfiosim_ret_str(ret, a, sizeof(a)));
		break;
	case EX_ERRNO:
		if (ret != -e->ret)
			return fail(msg, len, "expected -%s, got %s",
				    vfiosim_errno_name((int)e->ret),
				    vfiosim_ret_str(ret, a, sizeof(a)));
		break;
	case EX_RET:
		if (ret != e->ret)
			return fail(msg, len, "expected %s, got %s",
				    vfiosim_ret_str(e->ret, b, sizeof(b)),
				    vfiosim_ret_str(ret, a, sizeof(a)));
		break;
	default:
		break;
	}
	return 0;
}

/* The pages an expect dirty list names, on the report's page grid. */
static int wanted_pages(const struct expect *e, const struct sim_report *r, uint64_t *want,
			char *msg, size_t len)
{
	uint64_t last = r->iova + (r->size - 1);
	unsigned int i;

	for (i = 0; i < e->nr_ranges; i++) {
		const struct range *x = &e->ranges[i];
		uint64_t end = x->size ? x->start + (x->size - 1) : x->start, p;

		if (x->start < r->iova || end > last || end < x->start)
			return fail(msg, len, "0x%" PRIx64 "%s is outside the last report "
				    "(0x%" PRIx64 "-0x%" PRIx64 ")", x->start,
				    x->size ? "-..." : "", r->iova, last);
		for (p = (x->start - r->iova) / r->pgsize; p <= (end - r->iova) / r->pgsize; p++)
			bit_set(want, p);
	}
	return 0;
}

static int check_dirty(const struct expect *e, const struct sim *s, char *msg, size_t len)
{
	const struct sim_report *r = &s->rep;
	struct strbuf got = { 0 }, miss = { 0 }, extra = { 0 };
	uint64_t words, *want, *tmp, i, n;
	int ret = 0;

	if (!r->valid)
		return fail(msg, len, r->seq ? "the last dirty report failed" :
			    "no dirty report yet (get, or unmap ... bitmap)");
	n = bits_count(r->bits, r->nbits);
	pages_format(&got, r->bits, r->nbits, r->iova, r->pgsize, 8);
	switch (e->kind) {
	case EX_CLEAN:
		if (n)
			ret = fail(msg, len, "expected no dirty page, the report has %" PRIu64
				   ": %s", n, sb_str(&got));
		goto out;
	case EX_DIRTY_COUNT:
		if (n != e->value)
			ret = fail(msg, len, "expected %" PRIu64 " dirty pages, the report has %"
				   PRIu64 ": %s", e->value, n, sb_str(&got));
		goto out;
	case EX_DIRTY_ALL:
		if (n != r->nbits)
			ret = fail(msg, len, "expected all %" PRIu64 " pages dirty, the report "
				   "has %" PRIu64 ": %s", r->nbits, n, sb_str(&got));
		goto out;
	default:
		break;
	}
	words = r->nbits / 64 + 1;
	want = calloc(words, 8);
	tmp = calloc(words, 8);
	if (!want || !tmp) {
		fprintf(stderr, "vfiosim: out of memory\n");
		exit(2);
	}
	if (wanted_pages(e, r, want, msg, len)) {
		ret = -1;
	} else {
		for (i = 0; i < words; i++)
			tmp[i] = want[i] & ~r->bits[i];
		pages_format(&miss, tmp, r->nbits, r->iova, r->pgsize, 8);
		for (i = 0; i < words; i++)
			tmp[i] = r->bits[i] & ~want[i];
		pages_format(&extra, tmp, r->nbits, r->iova, r->pgsize, 8);
		if (strcmp(sb_str(&miss), "none") || strcmp(sb_str(&extra), "none"))
			ret = fail(msg, len, "the report has %s; missing: %s; not expected: %s",
				   sb_str(&got), sb_str(&miss), sb_str(&extra));
	}
	free(want);
	free(tmp);
out:
	if (!ret)
		snprintf(msg, len, "%" PRIu64 " dirty: %s", n, sb_str(&got));
	sb_free(&got);
	sb_free(&miss);
	sb_free(&extra);
	return ret;
}

static int check_count(const char *what, uint64_t got, uint64_t want, char *msg, size_t len)
{
	if (got != want)
		return fail(msg, len, "expected %s %" PRIu64 ", got %" PRIu64, what, want, got);
	return 0;
}

/* check_count() of a value that is only there when known; missing: what is not. */
static int check_known_count(bool known, const char *missing, const char *what, uint64_t got,
			     uint64_t want, char *msg, size_t len)
{
	if (!known)
		return fail(msg, len, "%s", missing);
	return check_count(what, got, want, msg, len);
}

static int check_info(const struct expect *e, const struct sim *s, char *msg, size_t len)
{
	const struct sim_info *in = &s->info;
	char a[64], b[64];
	unsigned int i;

	if (!in->valid)
		return fail(msg, len, "no GET_INFO result: run info first");
	switch (e->kind) {
	case EX_PGSIZES:
		if (in->pgsizes != e->value)
			return fail(msg, len, "expected iova_pgsizes 0x%" PRIx64 ", got 0x%" PRIx64,
				    e->value, in->pgsizes);
		return 0;
	case EX_DMA_AVAIL:
		return check_known_count(in->has_avail, "GET_INFO has no dma_avail capability",
					 "dma_avail", in->avail, e->value, msg, len);
	case EX_MIG_PGSIZES:
	case EX_MAX_BITMAP:
		if (!in->has_mig)
			return fail(msg, len, "GET_INFO has no migration capability");
		if (e->kind == EX_MIG_PGSIZES && in->mig_pgsizes != e->value)
			return fail(msg, len, "expected dirty pgsize_bitmap 0x%" PRIx64 ", got 0x%"
				    PRIx64, e->value, in->mig_pgsizes);
		if (e->kind == EX_MAX_BITMAP && in->mig_max_bitmap != e->value)
			return fail(msg, len, "expected max_dirty_bitmap_size %s, got %s",
				    size_str(e->value, a, sizeof(a)),
				    size_str(in->mig_max_bitmap, b, sizeof(b)));
		return 0;
	case EX_IOVA_RANGES:
		if (in->nr_iova != e->nr_ranges)
			return fail(msg, len, "expected %u IOVA ranges, GET_INFO has %u (%s)",
				    e->nr_ranges, in->nr_iova, in->caps);
		for (i = 0; i < in->nr_iova; i++)
			if (in->iova_start[i] != e->ranges[i].start ||
			    in->iova_end[i] != e->ranges[i].start + (e->ranges[i].size - 1))
				return fail(msg, len, "IOVA range %u is 0x%" PRIx64 "-0x%" PRIx64
					    ", expected 0x%" PRIx64 "-0x%" PRIx64, i,
					    in->iova_start[i], in->iova_end[i], e->ranges[i].start,
					    e->ranges[i].start + (e->ranges[i].size - 1));
		return 0;
	default:
		return 0;
	}
}

static int check_memory(const struct expect *e, struct sim *s, char *msg, size_t len)
{
	const struct range *r = &e->ranges[0];
	uint64_t off;

	for (off = 0; off < r->size; off++) {
		const unsigned char *p = vfiosim_mm_ptr(s->h, r->start + off);

		if (!p)
			return fail(msg, len, "0x%" PRIx64 " is not guest memory", r->start + off);
		if (*p != e->value)
			return fail(msg, len, "byte at 0x%" PRIx64 " is 0x%02x, expected 0x%02x",
				    r->start + off, *p, (unsigned int)e->value);
	}
	return 0;
}

int expect_eval(const struct expect *e, struct sim *s, bool have_last, long last_ret,
		const struct sim_events *last_ev, char *msg, size_t len)
{
	uint64_t want;
	long pc;
	size_t i;

	msg[0] = '\0';
	if (!s->h)
		return fail(msg, len, "no host yet");
	switch (e->kind) {
	case EX_OK:
	case EX_ERRNO:
	case EX_RET:
	case EX_ANY:
		return check_result(e, have_last, last_ret, msg, len);
	case EX_DIRTY:
	case EX_DIRTY_ALL:
	case EX_CLEAN:
	case EX_DIRTY_COUNT:
		return check_dirty(e, s, msg, len);
	case EX_LOCKED:
	case EX_PINNED:
		want = e->bytes ? e->value / s->page_size : e->value;
		if (e->bytes && e->value % s->page_size)
			return fail(msg, len, "%" PRIu64 " bytes is not a whole number of pages",
				    e->value);
		return check_count(e->kind == EX_LOCKED ? "locked_vm (pages)" : "pinned pages",
				   e->kind == EX_LOCKED ? vfiosim_mm_locked_vm(s->h) :
				   vfiosim_mm_pinned_total(s->h), want, msg, len);
	case EX_PIN_COUNT:
		pc = vfiosim_mm_pin_count(s->h, e->addr);
		if (pc < 0)
			return fail(msg, len, "0x%" PRIx64 " is not mapped process memory",
				    e->addr);
		return check_count("pin count", (uint64_t)pc, e->value, msg, len);
	case EX_UNMAPPED:
		return check_known_count(s->has_unmapped, "no unmap yet", "unmapped size",
					 s->unmapped, e->value, msg, len);
	case EX_PGSIZES:
	case EX_DMA_AVAIL:
	case EX_IOVA_RANGES:
	case EX_MIG_PGSIZES:
	case EX_MAX_BITMAP:
		return check_info(e, s, msg, len);
	case EX_WARNINGS:
		return check_count("WARNs", vfiosim_warnings(s->h), e->value, msg, len);
	case EX_ALLOCS:
		return check_count("live simulator allocations", vfiosim_live_allocs(s->h),
				   e->value, msg, len);
	case EX_BYTES:
		if (!s->rd_len)
			return fail(msg, len, "no successful dma-rw read yet");
		for (i = 0; i < s->rd_len; i++)
			if (s->rd[i] != e->value)
				return fail(msg, len, "byte %zu read is 0x%02x, expected 0x%02x", i,
					    s->rd[i], (unsigned int)e->value);
		return 0;
	case EX_MEMORY:
		return check_memory(e, s, msg, len);
	case EX_ORACLE:
		if (!have_last)
			return fail(msg, len, "no operation ran before this expectation");
		if ((last_ev->oracle & e->oracle) != e->oracle)
			return fail(msg, len, "the oracle did not find that (%s)",
				    last_ev->oracle ? last_ev->oracle_msg : "it found nothing");
		snprintf(msg, len, "as expected: %s", last_ev->oracle_msg);
		return 0;
	}
	return 0;
}
