// SPDX-License-Identifier: MIT
/*
 * fail.c - reporting a finding, errno names for the messages, tracing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__		/* known from the headers above */
#include <malloc.h>
#endif

#include "fuzz.h"
#include "vfiosim.h"
#include "vfiosim_client.h"

int fuzz_trace;

unsigned int fuzz_kernel(void)
{
	const struct vfiosim_backend *k = vfiosim_backend_find("kernel");
	unsigned int v = k ? vfiosim_backend_version(k) : 0;

	return v && v < VFIOSIM_KERNEL_NEWEST ? v : VFIOSIM_KERNEL_NEWEST;
}

static const char *(*fuzz_context)(void);

void fuzz_set_context(const char *(*fn)(void))
{
	fuzz_context = fn;
}

void fuzz_trace_init(void)
{
	const char *v = getenv("VFIOSIM_FUZZ_TRACE");

	fuzz_trace = v && *v && *v != '0';
#ifdef __GLIBC__
	/*
	 * A rebuilt container frees and allocates the same memory over and
	 * over: glibc would hand the top of the heap back to the kernel each
	 * time and fault it in again (most of the time of an input).
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

void fuzz_stats(const char *fmt, ...)
{
	const char *path = getenv("VFIOSIM_FUZZ_STATS");
	va_list ap;
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

_Noreturn void fuzz_fail(const char *target, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vfiosim-fuzz: %s: ", target);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (fuzz_context)
		fprintf(stderr, "%s\n", fuzz_context());
	fflush(stderr);
	abort();
}

/* A message names two results at once (model, kernel): a ring of buffers. */
const char *fuzz_errname(long ret)
{
	static char buf[4][32];
	static unsigned int next;

	next = (next + 1) % 4;
	return vfiosim_ret_str(ret, buf[next], sizeof(buf[next]));
}
