/* SPDX-License-Identifier: MIT */
/*
 * lexer.h - the words of a scenario line and the values they spell.
 *
 * A line is a list of tokens: runs of characters other than blanks, ','
 * and '#'; a ',' is a token of its own and '#' starts a comment.  What a
 * token means (a keyword, a name, a number, a range) is for the parser to
 * say; the readers below turn one token into a value or explain, with the
 * column of the offending character, why they cannot.
 */
#ifndef VFIOSIM_CMD_LEXER_H
#define VFIOSIM_CMD_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tok {
	const char *s;		/* into the line; not NUL-terminated */
	size_t len;
	unsigned int col;	/* 1-based */
};

/* Where a scenario problem is, and what it is. */
struct diag {
	const char *file;
	unsigned int line, col;
	char msg[320];
};

void diag_set(struct diag *d, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "file:line:col: msg" into buf. */
void diag_format(const struct diag *d, char *buf, size_t len);

/*
 * Splits a line into at most max tokens (the rest of the line after '#'
 * is dropped).  Returns the count, or -1 with d set if there are more.
 */
int lex_line(const char *line, struct tok *toks, int max, struct diag *d);

/* The token (or a prefix) as a quoted string for messages: "0x1g". */
const char *tok_quote(const struct tok *t, char *buf, size_t len);
bool tok_is(const struct tok *t, const char *word);

/*
 * Numbers: decimal or 0x hex, '_' allowed between digits.  A size may end
 * in K, M, G or T (binary units, either case).  Each reader fails with a
 * message naming what was expected and what was found.
 */
int tok_number(const struct tok *t, uint64_t *v, struct diag *d);
int tok_size(const struct tok *t, uint64_t *v, struct diag *d);
/* A '|' list of sizes, ORed: "4K|2M|1G". */
int tok_size_mask(const struct tok *t, uint64_t *v, struct diag *d);

/* A sub-token [from, to) of t, for readers of composite words. */
struct tok tok_slice(const struct tok *t, size_t from, size_t to);

/* Names of scenario objects: a letter or '_', then letters, digits, '_'. */
bool tok_is_name(const struct tok *t);

/* Formats v as 4K, 2M, 0x1800 ... whichever reads best. */
const char *size_str(uint64_t v, char *buf, size_t len);

#endif /* VFIOSIM_CMD_LEXER_H */
