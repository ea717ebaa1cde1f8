/* SPDX-License-Identifier: MIT */
/*
 * parse.h - what the parser's files share: the state of one line being
 * parsed, the names declared so far, and the readers of its words.
 *
 * Readers take the next word (or several: "1, 2") and fail with the
 * diagnostic set at its column: "expected WHAT, got X".  Names must be
 * declared before use: a memory for process addresses ("ram+2M"), a
 * mapping for IOVA ranges, a group for the device side.
 */
#ifndef VFIOSIM_CMD_PARSE_H
#define VFIOSIM_CMD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define MAX_TOKS	64

struct pname {
	char *name;
	unsigned int line;
	struct range r;		/* mem: vaddr range; mapping: IOVA range */
};

struct names {
	struct pname *v;
	unsigned int nr, cap;
	const char *what;	/* "memory", "mapping", "group" */
};

struct pstate {
	struct tok t[MAX_TOKS];
	int n, i;
	unsigned int eol;	/* column just past the line's last word */
	struct diag *d;
	struct scenario *sc;
	struct names mems, maps, groups;
	bool has_op;		/* an operation came before (for "expect ok") */
	bool has_host;
};

struct flag_name {
	const char *name;
	unsigned int v;
};

/* parse_words.c: memory that cannot fail (the command exits instead) */
void *p_xcalloc(size_t n, size_t size);
char *p_xstrndup(const char *s, size_t n);

/* parse_words.c: the words of the line */
const struct tok *p_peek(struct pstate *ps);
unsigned int p_peek_col(struct pstate *ps);
bool p_at_end(struct pstate *ps);
bool p_accept(struct pstate *ps, const char *word);
int p_expected(struct pstate *ps, const char *what);
struct tok p_take(struct pstate *ps);

/* parse_words.c: values */
int p_take_number(struct pstate *ps, uint64_t *v);
int p_take_size(struct pstate *ps, uint64_t *v);
int p_take_u32(struct pstate *ps, uint32_t *v);
int p_take_int(struct pstate *ps, int *v);
int p_take_byte(struct pstate *ps, int *b);
int p_take_errno(struct pstate *ps, int *e);
int p_take_type(struct pstate *ps, int *type);
int p_take_prot_word(const struct tok *t, int *prot);
/* One of the names given (what: the diagnostic's "expected WHAT"). */
int p_take_word(struct pstate *ps, const struct flag_name *names, const char *what,
		unsigned int *out);
/* A '|' list of the names given, or numbers. */
int p_take_flags(struct pstate *ps, const struct flag_name *names, const char *what,
		 unsigned int *out);

/* parse_words.c: names */
struct pname *p_name_find(struct names *ns, const struct tok *t);
int p_name_unknown(struct pstate *ps, struct names *ns, const struct tok *t);
int p_name_add(struct pstate *ps, struct names *ns, const struct tok *t, struct range r);
void p_names_free(struct names *ns);
int p_take_group(struct pstate *ps, int *g);

/* parse_words.c: addresses and ranges; ns: whose names stand for ranges */
int p_take_vaddr(struct pstate *ps, uint64_t *v);
int p_take_range(struct pstate *ps, struct names *ns, bool single, struct range *r);
int p_take_range_list(struct pstate *ps, struct names *ns, bool single,
		      struct range **out, unsigned int *nr);

/* parse_expect.c: "expect ..." after its keyword */
int p_parse_expect(struct pstate *ps, struct expect **out);

/* parse_guard.c: "on BACKEND" or "on kernel VERSION:" after its "on" */
int p_parse_guard(struct pstate *ps, struct stmt *s);
/* A Linux version with a profile: 6.12 */
int p_take_kernel_version(struct pstate *ps, unsigned int *v);

/* parser.c: options end at the line's end or at the expect suffix */
bool p_options_done(struct pstate *ps);

#endif /* VFIOSIM_CMD_PARSE_H */
