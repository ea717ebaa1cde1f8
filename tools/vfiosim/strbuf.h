/* SPDX-License-Identifier: MIT */
/*
 * strbuf.h - a growing string, for trace lines and page lists.
 */
#ifndef VFIOSIM_CMD_STRBUF_H
#define VFIOSIM_CMD_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;		/* always NUL-terminated once anything was added */
	size_t len, cap;
};

void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_putc(struct strbuf *sb, char c);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* The string, "" if empty. */
const char *sb_str(const struct strbuf *sb);

#endif /* VFIOSIM_CMD_STRBUF_H */
