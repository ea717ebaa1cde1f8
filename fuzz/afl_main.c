// SPDX-License-Identifier: MIT
/*
 * afl_main.c - the AFL++ driver: deferred initialisation (the targets
 * prepare their containers before the fork server starts, so children
 * inherit them), persistent mode (many inputs per child) and inputs in
 * shared memory.  Built with afl-clang-fast, which defines the __AFL_*
 * macros; with another compiler it reads one input from stdin or the
 * first argument, so the file always builds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

/* Inputs per child process before AFL++ forks a fresh one. */
#define AFL_LOOPS	100000

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
#ifdef __AFL_FUZZ_TESTCASE_LEN
	__AFL_INIT();
	{
		unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;

		while (__AFL_LOOP(AFL_LOOPS)) {
			size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;

			LLVMFuzzerTestOneInput(buf, len);
#ifdef __AFL_LEAK_CHECK
			/* AFL_USE_LSAN builds: a leak is a crash (exit code 23). */
			__AFL_LEAK_CHECK();
#endif
		}
	}
#else
	{
		static unsigned char buf[1 << 20];
		FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
		size_t len;

		if (!f)
			return 2;
		len = fread(buf, 1, sizeof(buf), f);
		LLVMFuzzerTestOneInput(buf, len);
	}
#endif
	return 0;
}
