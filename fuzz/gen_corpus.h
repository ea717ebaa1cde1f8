/* SPDX-License-Identifier: MIT */
/*
 * gen_corpus.h - what the seed generator's files share: an input in the
 * making, and the seq/diff seeds' encoder (gen_seq.c).
 */
#ifndef VFIOSIM_FUZZ_GEN_CORPUS_H
#define VFIOSIM_FUZZ_GEN_CORPUS_H

#include <stddef.h>
#include <stdint.h>

struct gen {
	uint8_t b[4096];
	size_t n;
};

/*
 * A seed scenario (fuzz/seeds/NAME.vfs: the fuzz world, as "vfiosim
 * from-fuzz" prints it, then the operations) as a seq input and as a diff
 * input.  0, or -1 with why ("FILE:LINE: ...") set.
 */
int gen_seq(const char *path, struct gen *seq, struct gen *diff, char *why, size_t len);

#endif /* VFIOSIM_FUZZ_GEN_CORPUS_H */
