// SPDX-License-Identifier: MIT
/*
 * capture.c - the console caught into a temporary file (capture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"

void cap_begin(struct capture *c)
{
	free(c->text);
	memset(c, 0, sizeof(*c));
	c->saved_out = c->saved_err = -1;
	c->on = true;
	c->tmp = tmpfile();
	if (!c->tmp)
		fail_msg("capture: no temporary file");
	fflush(stdout);
	fflush(stderr);
	c->saved_out = dup(STDOUT_FILENO);
	c->saved_err = dup(STDERR_FILENO);
	if (c->saved_out < 0 || c->saved_err < 0 ||
	    dup2(fileno(c->tmp), STDOUT_FILENO) < 0 ||
	    dup2(fileno(c->tmp), STDERR_FILENO) < 0) {
		cap_end(c);
		fail_msg("capture: cannot redirect the console");
	}
}

const char *cap_end(struct capture *c)
{
	long len;

	if (!c->on)
		return c->text ? c->text : "";
	c->on = false;
	fflush(stdout);
	fflush(stderr);
	if (c->saved_out >= 0) {
		dup2(c->saved_out, STDOUT_FILENO);
		close(c->saved_out);
		c->saved_out = -1;
	}
	if (c->saved_err >= 0) {
		dup2(c->saved_err, STDERR_FILENO);
		close(c->saved_err);
		c->saved_err = -1;
	}
	if (!c->tmp)
		return "";
	/* Written through the descriptor: the FILE learns the size by seeking. */
	len = fseek(c->tmp, 0, SEEK_END) ? -1 : ftell(c->tmp);
	if (len >= 0)
		c->text = calloc(1, (size_t)len + 1);
	if (c->text) {
		rewind(c->tmp);
		c->text[fread(c->text, 1, (size_t)len, c->tmp)] = '\0';
	}
	fclose(c->tmp);
	c->tmp = NULL;
	if (!c->text)
		fail_msg("capture: cannot read back what was caught");
	return c->text;
}

void cap_free(struct capture *c)
{
	cap_end(c);
	free(c->text);
	c->text = NULL;
}

unsigned int cap_count(const struct capture *c, const char *needle)
{
	const char *p = c->text ? c->text : "";
	unsigned int n = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (memmem(p, len, needle, strlen(needle)))
			n++;
		p += len + (eol ? 1 : 0);
	}
	return n;
}

void cap_check(const struct capture *c, const char *needle, unsigned int n,
	       const char *file, int line)
{
	unsigned int got = cap_count(c, needle);

	if (got == n)
		return;
	print_error("%s:%d: %u line(s) with \"%s\", expected %u, in:\n%s\n", file, line, got,
		    needle, n, c->text ? c->text : "");
	_fail(file, line);
}
