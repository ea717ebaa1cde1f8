// SPDX-License-Identifier: MIT
/*
 * parse_guard.c - what a scenario line runs on: "on BACKEND" and
 * "on kernel VERSION:" prefixes, and the versions they (and "host kernel")
 * name.
 *
 * A backend guard picks the implementation (model, kernel, kernel-6.12);
 * a version guard picks the profile, which is the model's --kernel or a
 * kernel tree's own version, so one line serves both backends.  Versions
 * are compared the way behaviours change, at a release: ">= 6.19:" has the
 * new behaviour, "< 6.19:" the old one, "6.12:" that release alone.
 */
#include <stdio.h>
#include <string.h>

#include "linux_version.h"
#include "parse.h"

int p_take_kernel_version(struct pstate *ps, unsigned int *v)
{
	struct tok t = p_take(ps);
	char err[200];

	if (!t.s) {
		ps->i = ps->n;
		return p_expected(ps, "a Linux version like 6.12");
	}
	if (profile_parse(t.s, t.len, v, err, sizeof(err))) {
		diag_set(ps->d, t.col, "%s", err);
		return -1;
	}
	return 0;
}

static bool starts_version_guard(const struct tok *t)
{
	return t->s && (strchr("<>=", t->s[0]) || (t->s[0] >= '0' && t->s[0] <= '9'));
}

/* A backend name: model, kernel or kernel-MAJOR.MINOR (any tree). */
static bool backend_name_ok(const struct tok *t)
{
	size_t i;
	bool dot = false;

	if (tok_is(t, "model") || tok_is(t, "kernel"))
		return true;
	if (t->len < 10 || strncmp(t->s, "kernel-", 7))
		return false;
	for (i = 7; i < t->len; i++) {
		if (t->s[i] == '.' && !dot && i > 7 && i + 1 < t->len)
			dot = true;
		else if (t->s[i] < '0' || t->s[i] > '9')
			return false;
	}
	return dot;
}

enum guard_op { G_EQ, G_GE, G_LT };

/* "6.12:", ">= 6.19:", ">=6.19:", "< 6.13 :" after "on kernel". */
static int parse_version_guard(struct pstate *ps, struct stmt *s)
{
	static const char ops[] = "a version guard: 6.12: (that release), >= 6.19: (it and "
				  "later) or < 6.19: (the releases before)";
	struct tok t = p_take(ps);
	enum guard_op op = G_EQ;
	unsigned int v, lo, hi, col;
	size_t skip = 0;
	bool colon = false;
	char a[16], b[16], err[200];

	if (t.len >= 2 && !strncmp(t.s, ">=", 2)) {
		op = G_GE;
		skip = 2;
	} else if (t.s[0] == '<' && (t.len == 1 || t.s[1] != '=')) {
		op = G_LT;
		skip = 1;
	} else if (t.s[0] < '0' || t.s[0] > '9') {
		ps->i--;
		return p_expected(ps, ops);
	}
	if (skip == t.len)
		t = p_take(ps);
	else
		t = tok_slice(&t, skip, t.len);
	if (t.s && t.len && t.s[t.len - 1] == ':') {
		colon = true;
		t = tok_slice(&t, 0, t.len - 1);
	}
	col = t.s ? t.col : ps->eol;
	if (!t.s || !t.len) {
		diag_set(ps->d, col, "expected %s, got %s", ops,
			 t.s ? "\":\"" : "the end of the line");
		return -1;
	}
	if (profile_parse(t.s, t.len, &v, err, sizeof(err))) {
		diag_set(ps->d, col, "%s", err);
		return -1;
	}
	if (!colon && !p_accept(ps, ":"))
		return p_expected(ps, "':' after the version (on kernel 6.12: STATEMENT)");
	lo = op == G_LT ? 0 : v;
	hi = op == G_GE ? 0 : op == G_LT ? v : v + 1;
	/* Guards on one line add up: all must hold. */
	if (lo > s->kmin)
		s->kmin = lo;
	if (hi && (!s->kmax || hi < s->kmax))
		s->kmax = hi;
	lo = s->kmin > VFIOSIM_KERNEL_OLDEST ? s->kmin : VFIOSIM_KERNEL_OLDEST;
	hi = s->kmax && s->kmax <= VFIOSIM_KERNEL_NEWEST ? s->kmax : VFIOSIM_KERNEL_NEWEST + 1;
	if (lo >= hi) {
		diag_set(ps->d, col, "no profile (Linux %s to %s) passes this guard: the line "
			 "would never run", profile_str(VFIOSIM_KERNEL_OLDEST, a, sizeof(a)),
			 profile_str(VFIOSIM_KERNEL_NEWEST, b, sizeof(b)));
		return -1;
	}
	return 0;
}

int p_parse_guard(struct pstate *ps, struct stmt *s)
{
	struct tok b = p_take(ps);

	if (tok_is(&b, "kernel") && starts_version_guard(p_peek(ps)))
		return parse_version_guard(ps, s);
	if (!b.s || !backend_name_ok(&b)) {
		ps->i -= b.s ? 1 : 0;
		return p_expected(ps, "a backend (model, kernel, kernel-6.12) or a kernel version "
				  "guard (kernel 6.12:, kernel >= 6.19:, kernel < 6.19:)");
	}
	if (s->only) {
		diag_set(ps->d, b.col, "one backend per line (this one already runs only on %s)",
			 s->only);
		return -1;
	}
	s->only = p_xstrndup(b.s, b.len);
	return 0;
}
