/* SPDX-License-Identifier: MIT */
/*
 * from_fuzz.h - a seq or diff fuzz input as a scenario ("vfiosim from-fuzz").
 *
 * The fuzz language (fuzz/seq_lang.h) decodes an input against a world's
 * state, so the input is decoded and run on a world of the model, as the
 * harness does, and each action is written as the statement that makes the
 * same call, with what came back as its expectations.  Running the
 * scenario (vfiosim run) makes the harness's calls in the harness's order
 * (tests/unit/test_fuzz_scenarios.c checks it call by call).
 */
#ifndef VFIOSIM_CMD_FROM_FUZZ_H
#define VFIOSIM_CMD_FROM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vfiosim.h"

/*
 * The Linux version of the tree the diff target runs against by default
 * (fuzz/fuzz.mk: Debian's 6.12), which its inputs in the checkout were
 * found with: the model's world answers as that version in diff mode.
 */
#define FROM_FUZZ_DIFF_KERNEL	VFIOSIM_KERNEL(6, 12)

struct from_fuzz_opts {
	const char *source;		/* named in the scenario's first comment */
	bool diff;			/* a diff input: diff mode's decoding */
	unsigned int kernel;		/* diff mode: its version (0: the default) */
};

/*
 * Writes the scenario of the input to out.  0, or -1 with why set (no
 * model in this build).  A finding of the harness's checks ends it, as it
 * ends the harness: the statement that shows it comes last, with the
 * harness's message.
 */
int from_fuzz_print(FILE *out, const uint8_t *data, size_t size,
		    const struct from_fuzz_opts *o, char *why, size_t len);

#endif /* VFIOSIM_CMD_FROM_FUZZ_H */
