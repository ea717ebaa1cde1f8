// SPDX-License-Identifier: MIT
/*
 * parse_words.c - the words of a scenario line: taking them one by one,
 * and reading them as numbers, sizes, flags, names, addresses and ranges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "parse.h"

void *p_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "vfiosim: out of memory\n");
		exit(2);
	}
	return p;
}

char *p_xstrndup(const char *s, size_t n)
{
	char *p = p_xcalloc(n + 1, 1);

	memcpy(p, s, n);
	return p;
}

/* ------------------------------------------------------------ tokens */

const struct tok *p_peek(struct pstate *ps)
{
	static const struct tok none;

	return ps->i < ps->n ? &ps->t[ps->i] : &none;
}

unsigned int p_peek_col(struct pstate *ps)
{
	return ps->i < ps->n ? ps->t[ps->i].col : ps->eol;
}

bool p_at_end(struct pstate *ps)
{
	return ps->i >= ps->n;
}

bool p_accept(struct pstate *ps, const char *word)
{
	if (!p_at_end(ps) && tok_is(&ps->t[ps->i], word)) {
		ps->i++;
		return true;
	}
	return false;
}

/* Fails with "expected WHAT, got X" at the current token. */
int p_expected(struct pstate *ps, const char *what)
{
	char q[64];

	diag_set(ps->d, p_peek_col(ps), "expected %s, got %s", what,
		 tok_quote(p_peek(ps), q, sizeof(q)));
	return -1;
}

/* Takes the next token, with its column right even at the end of line. */
struct tok p_take(struct pstate *ps)
{
	struct tok t = { NULL, 0, ps->eol };

	if (!p_at_end(ps))
		t = ps->t[ps->i++];
	return t;
}

int p_take_number(struct pstate *ps, uint64_t *v)
{
	struct tok t = p_take(ps);

	return tok_number(&t, v, ps->d);
}

int p_take_size(struct pstate *ps, uint64_t *v)
{
	struct tok t = p_take(ps);

	return tok_size(&t, v, ps->d);
}

int p_take_byte(struct pstate *ps, int *b)
{
	struct tok t = p_take(ps);
	uint64_t v;

	if (tok_number(&t, &v, ps->d))
		return -1;
	if (v > 255) {
		diag_set(ps->d, t.col, "a byte is 0 to 255 (0xff), got %llu",
			 (unsigned long long)v);
		return -1;
	}
	*b = (int)v;
	return 0;
}

int p_take_errno(struct pstate *ps, int *e)
{
	const struct tok *t = p_peek(ps);

	*e = t->s ? vfiosim_errno_value(t->s, t->len) : 0;
	if (!*e)
		return p_expected(ps, "an errno name like EINVAL or EFAULT");
	ps->i++;
	return 0;
}

/* ------------------------------------------------------------- names */

struct pname *p_name_find(struct names *ns, const struct tok *t)
{
	unsigned int i;

	for (i = 0; i < ns->nr; i++)
		if (tok_is(t, ns->v[i].name))
			return &ns->v[i];
	return NULL;
}

int p_name_unknown(struct pstate *ps, struct names *ns, const struct tok *t)
{
	char q[64], list[160] = "";
	size_t k = 0;
	unsigned int i;

	for (i = 0; i < ns->nr && k < sizeof(list) - 1; i++)
		k += (size_t)snprintf(list + k, sizeof(list) - k, "%s%s", i ? ", " : "",
				      ns->v[i].name);
	if (ns->nr)
		diag_set(ps->d, t->col, "no %s named %s (declared so far: %s)", ns->what,
			 tok_quote(t, q, sizeof(q)), list);
	else
		diag_set(ps->d, t->col, "no %s named %s (none declared so far)", ns->what,
			 tok_quote(t, q, sizeof(q)));
	return -1;
}

int p_name_add(struct pstate *ps, struct names *ns, const struct tok *t, struct range r)
{
	struct pname *old;
	char q[64];

	if (!tok_is_name(t))
		return p_expected(ps, "a name (a letter, then letters, digits or _)");
	old = p_name_find(ns, t);
	if (old) {
		diag_set(ps->d, t->col, "%s %s is already declared on line %u", ns->what,
			 tok_quote(t, q, sizeof(q)), old->line);
		return -1;
	}
	if (ns->nr == ns->cap) {
		ns->cap = ns->cap ? 2 * ns->cap : 8;
		ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v));
		if (!ns->v) {
			fprintf(stderr, "vfiosim: out of memory\n");
			exit(2);
		}
	}
	ns->v[ns->nr].name = p_xstrndup(t->s, t->len);
	ns->v[ns->nr].line = ps->d->line;
	ns->v[ns->nr].r = r;
	ns->nr++;
	return 0;
}

void p_names_free(struct names *ns)
{
	unsigned int i;

	for (i = 0; i < ns->nr; i++)
		free(ns->v[i].name);
	free(ns->v);
}

int p_take_group(struct pstate *ps, int *g)
{
	struct tok t = p_take(ps);
	struct pname *p;

	if (!t.s) {
		ps->i = ps->n;
		return p_expected(ps, "a group name");
	}
	p = p_name_find(&ps->groups, &t);
	if (!p)
		return p_name_unknown(ps, &ps->groups, &t);
	*g = (int)(p - ps->groups.v);
	return 0;
}

/* ------------------------------------------------- addresses, ranges */

static size_t find_op(const struct tok *t, const char *ops)
{
	size_t i;

	for (i = 1; i < t->len; i++)
		if (strchr(ops, t->s[i]))
			return i;
	return 0;
}

/* A process address: a number, a memory name, or name+offset. */
int p_take_vaddr(struct pstate *ps, uint64_t *v)
{
	struct tok t = p_take(ps), base;
	struct pname *m;
	size_t plus;
	uint64_t off = 0;

	if (!t.s) {
		ps->i = ps->n;
		return p_expected(ps, "an address (0x100000000, or a memory name like ram+2M)");
	}
	plus = find_op(&t, "+");
	base = plus ? tok_slice(&t, 0, plus) : t;
	if (!tok_is_name(&base))
		return tok_number(&t, v, ps->d);
	m = p_name_find(&ps->mems, &base);
	if (!m)
		return p_name_unknown(ps, &ps->mems, &base);
	if (plus) {
		struct tok o = tok_slice(&t, plus + 1, t.len);

		if (tok_size(&o, &off, ps->d))
			return -1;
	}
	*v = m->r.start + off;
	return 0;
}

/*
 * A range: START-LAST (inclusive), START+SIZE, or the name of something
 * with a range (a mapping for IOVAs, a memory for process addresses).
 * With single, a lone address stands for its page (size 0 here: the
 * caller knows the page size).
 */
static int range_from_tok(struct pstate *ps, const struct tok *t, struct names *ns,
			  bool single, struct range *r)
{
	const char *what = single ? "an address or a range like 0x1000-0x1fff or 0x1000+4K" :
				    "a range like 0x1000-0x1fff or 0x1000+4K";
	size_t op;
	uint64_t a, b;

	if (!t->s) {
		ps->i = ps->n;
		return p_expected(ps, ns && ns->nr ? (single ?
			"an address, a range (0x1000-0x1fff, 0x1000+4K) or a mapping name" :
			"a range (0x1000-0x1fff, 0x1000+4K) or a mapping name") : what);
	}
	if (tok_is_name(t)) {
		struct pname *p = ns ? p_name_find(ns, t) : NULL;

		if (!p) {
			if (ns)
				return p_name_unknown(ps, ns, t);
			diag_set(ps->d, t->col, "expected %s, got a name", what);
			return -1;
		}
		*r = p->r;
		return 0;
	}
	op = find_op(t, "-+");
	if (!op) {
		if (!single) {
			char q[64];

			diag_set(ps->d, t->col, "expected %s, got %s", what,
				 tok_quote(t, q, sizeof(q)));
			return -1;
		}
		if (tok_number(t, &a, ps->d))
			return -1;
		r->start = a;
		r->size = 0;
		return 0;
	}
	{
		struct tok ta = tok_slice(t, 0, op), tb = tok_slice(t, op + 1, t->len);

		if (tok_number(&ta, &a, ps->d))
			return -1;
		if (t->s[op] == '+') {
			if (tok_size(&tb, &b, ps->d))
				return -1;
			r->start = a;
			r->size = b;
			return 0;
		}
		if (tok_number(&tb, &b, ps->d))
			return -1;
		if (b < a) {
			diag_set(ps->d, tb.col, "the range ends (0x%llx) before it starts (0x%llx)",
				 (unsigned long long)b, (unsigned long long)a);
			return -1;
		}
		if (b - a == UINT64_MAX) {
			diag_set(ps->d, t->col, "a range of 2^64 bytes has no size: "
				 "write START+SIZE");
			return -1;
		}
		r->start = a;
		r->size = b - a + 1;
	}
	return 0;
}

int p_take_range(struct pstate *ps, struct names *ns, bool single, struct range *r)
{
	struct tok t = p_take(ps);

	return range_from_tok(ps, &t, ns, single, r);
}

/* A comma-separated list of ranges (at least one). */
int p_take_range_list(struct pstate *ps, struct names *ns, bool single,
		      struct range **out, unsigned int *nr)
{
	struct range *v = NULL;
	unsigned int n = 0;

	do {
		struct range r;

		if (p_take_range(ps, ns, single, &r)) {
			free(v);
			return -1;
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v) {
			fprintf(stderr, "vfiosim: out of memory\n");
			exit(2);
		}
		v[n++] = r;
	} while (p_accept(ps, ","));
	*out = v;
	*nr = n;
	return 0;
}

int p_take_prot_word(const struct tok *t, int *prot)
{
	if (tok_is(t, "rw"))
		*prot = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;
	else if (tok_is(t, "r"))
		*prot = VFIOSIM_PROT_READ;
	else if (tok_is(t, "w"))
		*prot = VFIOSIM_PROT_WRITE;
	else if (tok_is(t, "none"))
		*prot = 0;
	else
		return -1;
	return 0;
}

/* A '|' list of flag names or numbers. */
int p_take_flags(struct pstate *ps, const struct flag_name *names, const char *what,
		 unsigned int *out)
{
	struct tok t = p_take(ps);
	size_t from = 0, i;
	unsigned int v = 0;

	if (!t.s) {
		ps->i = ps->n;
		return p_expected(ps, what);
	}
	for (i = 0; i <= t.len; i++) {
		struct tok part;
		const struct flag_name *f;
		uint64_t x;

		if (i < t.len && t.s[i] != '|')
			continue;
		part = tok_slice(&t, from, i);
		from = i + 1;
		for (f = names; f->name; f++)
			if (tok_is(&part, f->name))
				break;
		if (f->name) {
			v |= f->v;
			continue;
		}
		if (!part.len || part.s[0] < '0' || part.s[0] > '9') {
			char q[64];

			diag_set(ps->d, part.col, "expected %s, got %s", what,
				 tok_quote(&part, q, sizeof(q)));
			return -1;
		}
		if (tok_number(&part, &x, ps->d))
			return -1;
		if (x > UINT32_MAX) {
			diag_set(ps->d, part.col, "flags are 32 bits wide");
			return -1;
		}
		v |= (unsigned int)x;
	}
	*out = v;
	return 0;
}

int p_take_word(struct pstate *ps, const struct flag_name *names, const char *what,
		unsigned int *out)
{
	for (; names->name; names++) {
		if (p_accept(ps, names->name)) {
			*out = names->v;
			return 0;
		}
	}
	return p_expected(ps, what);
}

/* x, read from t, is at most max; else the diagnostic why at t. */
static int at_most(struct pstate *ps, const struct tok *t, uint64_t x, uint64_t max,
		   const char *why)
{
	if (x <= max)
		return 0;
	diag_set(ps->d, t->col, "%s", why);
	return -1;
}

int p_take_u32(struct pstate *ps, uint32_t *v)
{
	struct tok t = p_take(ps);
	uint64_t x;

	if (tok_size(&t, &x, ps->d) || at_most(ps, &t, x, UINT32_MAX, "this value is 32 bits wide"))
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* A signed int: 3, -1, 0x10. */
int p_take_int(struct pstate *ps, int *v)
{
	struct tok t = p_take(ps);
	bool neg = t.s && t.len > 1 && t.s[0] == '-';
	struct tok digits = neg ? tok_slice(&t, 1, t.len) : t;
	uint64_t x;

	if (tok_number(&digits, &x, ps->d))
		return -1;
	if (x > (uint64_t)INT32_MAX + neg) {
		diag_set(ps->d, t.col, "this value is an int");
		return -1;
	}
	*v = neg ? (int)(0 - x) : (int)x;
	return 0;
}

int p_take_type(struct pstate *ps, int *type)
{
	const struct tok *p = p_peek(ps);
	struct tok t;
	uint64_t v;

	if (p->s && (*type = iommu_type_value(p->s, p->len)) >= 0) {
		ps->i++;
		return 0;
	}
	if (!p->s || p->s[0] < '0' || p->s[0] > '9')
		return p_expected(ps, "an IOMMU type: v1, v2, nesting or a number");
	t = p_take(ps);
	if (tok_number(&t, &v, ps->d) || at_most(ps, &t, v, INT32_MAX, "the type is an int"))
		return -1;
	*type = (int)v;
	return 0;
}
