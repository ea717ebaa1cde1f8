// SPDX-License-Identifier: MIT
/*
 * entry.c - libFuzzer's entry points for one target, chosen at build time
 * with -DFUZZ_TARGET=ioctl|seq|diff.  The same object serves libFuzzer
 * (clang -fsanitize=fuzzer), OSS-Fuzz / ClusterFuzzLite, AFL++'s
 * persistent loop (afl_main.c) and the replay driver (replay_main.c).
 */
#include <stdlib.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=ioctl, seq or diff"
#endif
#define FUZZ_CAT(a, b)		a##b
#define FUZZ_TARGET_OF(t)	FUZZ_CAT(fuzz_target_, t)

const struct fuzz_target *const fuzz_entry_target = &FUZZ_TARGET_OF(FUZZ_TARGET);

static void entry_fini(void)
{
	if (fuzz_entry_target->fini)
		fuzz_entry_target->fini();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static int done;

	if (!done) {
		done = 1;
		fuzz_entry_target->init();
		/* At exit the states are freed, with their leak checks. */
		atexit(entry_fini);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LLVMFuzzerInitialize(NULL, NULL);
	return fuzz_entry_target->one(data, size);
}
