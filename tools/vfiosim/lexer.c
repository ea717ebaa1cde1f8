// SPDX-License-Identifier: MIT
/*
 * lexer.c - tokens of a scenario line, and numbers and sizes in them.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lexer.h"

void diag_set(struct diag *d, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void diag_format(const struct diag *d, char *buf, size_t len)
{
	const char *f = d->file ? d->file : "<scenario>";

	if (!d->line)
		snprintf(buf, len, "%s: %s", f, d->msg);
	else if (!d->col)
		snprintf(buf, len, "%s:%u: %s", f, d->line, d->msg);
	else
		snprintf(buf, len, "%s:%u:%u: %s", f, d->line, d->col, d->msg);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int lex_line(const char *line, struct tok *toks, int max, struct diag *d)
{
	const char *p = line;
	int n = 0;

	while (*p && *p != '#' && *p != '\n') {
		const char *start = p;

		if (is_blank(*p)) {
			p++;
			continue;
		}
		if (*p == ',') {
			p++;
		} else {
			while (*p && *p != '#' && *p != ',' && *p != '\n' && !is_blank(*p))
				p++;
		}
		if (n == max) {
			diag_set(d, (unsigned int)(start - line) + 1,
				 "too many words on one line (at most %d)", max);
			return -1;
		}
		toks[n].s = start;
		toks[n].len = (size_t)(p - start);
		toks[n].col = (unsigned int)(start - line) + 1;
		n++;
	}
	return n;
}

const char *tok_quote(const struct tok *t, char *buf, size_t len)
{
	size_t n = t->len;

	if (!t->s)
		return "the end of the line";
	if (n > 40)
		n = 40;
	snprintf(buf, len, "\"%.*s%s\"", (int)n, t->s, n < t->len ? "..." : "");
	return buf;
}

bool tok_is(const struct tok *t, const char *word)
{
	return t->s && strlen(word) == t->len && !memcmp(t->s, word, t->len);
}

struct tok tok_slice(const struct tok *t, size_t from, size_t to)
{
	struct tok s = { t->s + from, to - from, t->col + (unsigned int)from };

	return s;
}

bool tok_is_name(const struct tok *t)
{
	size_t i;

	if (!t->s || !t->len || !(isalpha((unsigned char)t->s[0]) || t->s[0] == '_'))
		return false;
	for (i = 1; i < t->len; i++)
		if (!isalnum((unsigned char)t->s[i]) && t->s[i] != '_')
			return false;
	return true;
}

static int digit_value(char c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < (int)base ? v : -1;
}

/*
 * Reads digits from t; *end is where they stop.  0 on success, -1 if
 * there is no digit (d untouched), -2 on overflow (d set).
 */
static int read_digits(const struct tok *t, uint64_t *v, size_t *end, struct diag *d)
{
	unsigned int base = 10;
	size_t i = 0, digits = 0;
	uint64_t x = 0;
	char q[64];

	if (t->len > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < t->len; i++) {
		int dv;

		if (t->s[i] == '_' && digits && i + 1 < t->len &&
		    digit_value(t->s[i + 1], base) >= 0)
			continue;
		dv = digit_value(t->s[i], base);
		if (dv < 0)
			break;
		if (x > (UINT64_MAX - (uint64_t)dv) / base) {
			diag_set(d, t->col, "%s does not fit in 64 bits",
				 tok_quote(t, q, sizeof(q)));
			return -2;
		}
		x = x * base + (uint64_t)dv;
		digits++;
	}
	if (!digits)
		return -1;
	*v = x;
	*end = i;
	return 0;
}

int tok_number(const struct tok *t, uint64_t *v, struct diag *d)
{
	size_t end;
	char q[64];
	int r = t->s ? read_digits(t, v, &end, d) : -1;

	if (r == -2)
		return -1;
	if (r < 0 || end != t->len) {
		diag_set(d, t->col, "expected a number like 42 or 0x1000, got %s",
			 tok_quote(t, q, sizeof(q)));
		return -1;
	}
	return 0;
}

int tok_size(const struct tok *t, uint64_t *v, struct diag *d)
{
	unsigned int shift = 0;
	size_t end;
	char q[64];
	int r = t->s ? read_digits(t, v, &end, d) : -1;

	if (r == -2)
		return -1;
	if (r == 0 && end + 1 == t->len) {
		switch (t->s[end]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: r = -1; break;
		}
		end++;
	}
	if (r < 0 || end != t->len) {
		diag_set(d, t->col, "expected a size like 4K, 2M or 0x1000, got %s",
			 tok_quote(t, q, sizeof(q)));
		return -1;
	}
	if (shift && *v > (UINT64_MAX >> shift)) {
		diag_set(d, t->col, "%s does not fit in 64 bits", tok_quote(t, q, sizeof(q)));
		return -1;
	}
	*v <<= shift;
	return 0;
}

int tok_size_mask(const struct tok *t, uint64_t *v, struct diag *d)
{
	size_t from = 0, i;
	uint64_t mask = 0;

	for (i = 0; i <= t->len; i++) {
		struct tok part;
		uint64_t x;

		if (i < t->len && t->s[i] != '|')
			continue;
		part = tok_slice(t, from, i);
		if (tok_size(&part, &x, d))
			return -1;
		mask |= x;
		from = i + 1;
	}
	*v = mask;
	return 0;
}

const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char unit[] = "KMGT";
	int u;

	for (u = 3; u >= 0; u--) {
		unsigned int shift = 10 * (unsigned int)(u + 1);

		if (v && !(v & ((1ULL << shift) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", v >> shift, unit[u]);
			return buf;
		}
	}
	snprintf(buf, len, v < 10 ? "%" PRIu64 : "0x%" PRIx64, v);
	return buf;
}
