/* SPDX-License-Identifier: MIT */
/*
 * capture.h - what code under test writes to the console (stdout and
 * stderr, in order, as a terminal would show them), caught for the test
 * to assert on: a passing run prints nothing that its test expected.
 *
 * Between cap_begin() and cap_end() both descriptors go to a temporary
 * file.  cmocka prints to the same descriptors, so nothing may assert in
 * between: end the capture first, or the failure message is swallowed.
 */
#ifndef VFIOSIM_TEST_CAPTURE_H
#define VFIOSIM_TEST_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>

/* All zero: no capture going on, nothing caught. */
struct capture {
	bool on;			/* between cap_begin() and cap_end() */
	FILE *tmp;
	int saved_out, saved_err;	/* the console, dup()ed */
	char *text;			/* after cap_end(): all of it, NUL-terminated */
};

/* c zeroed or used before (its text is dropped).  Fails the test, nothing
 * redirected, if the redirection cannot be made. */
void cap_begin(struct capture *c);
/* Back to the console; the text caught (owned by c, valid until cap_free). */
const char *cap_end(struct capture *c);
void cap_free(struct capture *c);

/* Lines of the caught text that contain needle. */
unsigned int cap_count(const struct capture *c, const char *needle);

/* The caught text has exactly n lines containing needle; else the test
 * fails and shows the text. */
#define expect_lines(c, needle, n)	cap_check((c), (needle), (n), __FILE__, __LINE__)
void cap_check(const struct capture *c, const char *needle, unsigned int n,
	       const char *file, int line);

#endif /* VFIOSIM_TEST_CAPTURE_H */
