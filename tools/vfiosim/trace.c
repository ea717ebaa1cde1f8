// SPDX-License-Identifier: MIT
/*
 * trace.c - writing JSON-lines traces.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "trace.h"

struct trace {
	FILE *f;
	struct strbuf line;
	unsigned long seq;
	bool open;		/* a call has begun and not ended */
};

struct trace *trace_open(const char *path, char *err, size_t len)
{
	struct trace *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	t->f = fopen(path, "w");
	if (!t->f) {
		snprintf(err, len, "%s", strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

int trace_close(struct trace *t)
{
	int err;

	if (!t)
		return 0;
	err = ferror(t->f);
	err |= fclose(t->f);
	sb_free(&t->line);
	free(t);
	return err ? -1 : 0;
}

void trace_begin(struct trace *t, const char *call)
{
	if (!t)
		return;
	sb_reset(&t->line);
	sb_printf(&t->line, "{\"seq\":%lu,", ++t->seq);
	t->open = true;
	trace_str(t, "call", call);
}

static void key(struct trace *t, const char *k)
{
	if (t->line.len && t->line.s[t->line.len - 1] != ',' && t->line.s[t->line.len - 1] != '{')
		sb_putc(&t->line, ',');
	sb_printf(&t->line, "\"%s\":", k);
}

void trace_u64(struct trace *t, const char *k, uint64_t v)
{
	if (!t || !t->open)
		return;
	key(t, k);
	sb_printf(&t->line, "\"0x%" PRIx64 "\"", v);
}

void trace_int(struct trace *t, const char *k, long long v)
{
	if (!t || !t->open)
		return;
	key(t, k);
	sb_printf(&t->line, "%lld", v);
}

void trace_bool(struct trace *t, const char *k, bool v)
{
	if (!t || !t->open)
		return;
	key(t, k);
	sb_printf(&t->line, v ? "true" : "false");
}

void trace_str(struct trace *t, const char *k, const char *v)
{
	const char *p;

	if (!t || !t->open)
		return;
	key(t, k);
	sb_putc(&t->line, '"');
	for (p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			sb_printf(&t->line, "\\%c", c);
		else if (c < 0x20)
			sb_printf(&t->line, "\\u%04x", c);
		else
			sb_putc(&t->line, (char)c);
	}
	sb_putc(&t->line, '"');
}

void trace_end(struct trace *t)
{
	if (!t || !t->open)
		return;
	sb_putc(&t->line, '}');
	fprintf(t->f, "%s\n", sb_str(&t->line));
	t->open = false;
}
