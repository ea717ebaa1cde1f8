/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the fuzz targets share: the target table, the byte
 * reader every input format is decoded with, and how a finding is
 * reported (a readable message on stderr, then abort(), which every
 * fuzzing engine records as a crash).
 *
 * A target is a pair of functions, init() once per process and one()
 * per input; fuzz/entry.c turns one of them into the libFuzzer entry
 * points, fuzz/afl_main.c into an AFL++ persistent-mode loop and
 * fuzz/replay_main.c into a program replaying files.  Nothing here
 * depends on the fuzzing engine.  docs/fuzzing.md describes the formats.
 */
#ifndef VFIOSIM_FUZZ_H
#define VFIOSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_target {
	const char *name;
	/* Once per process, before the first input (deferred init for AFL). */
	void (*init)(void);
	/* One input; returns 0 (a finding never returns). */
	int (*one)(const uint8_t *data, size_t size);
	/* Frees what init prepared, with the leak checks; may be NULL. */
	void (*fini)(void);
};

extern const struct fuzz_target fuzz_target_ioctl;
extern const struct fuzz_target fuzz_target_seq;
extern const struct fuzz_target fuzz_target_diff;

/*
 * The Linux version (VFIOSIM_KERNEL()) of the kernel tree the program holds
 * (the diff target compares the model, answering as that version, with
 * it), capped at the newest profile; the newest if it holds none.  The
 * model-only targets choose a version per input or per state instead.
 */
unsigned int fuzz_kernel(void);

/* libFuzzer's entry points, defined by fuzz/entry.c for one target. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* fuzz/entry.c: the target it was built for. */
extern const struct fuzz_target *const fuzz_entry_target;

/* ------------------------------------------------------------ input */

/* Reads an input front to back; past the end every read gives 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Little-endian, whatever the host. */
static inline uint64_t fuzz_le(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_le(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_le(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_le(in, 8);
}

/* ---------------------------------------------------------- findings */

/*
 * A violated invariant: prints "vfiosim-fuzz: <target>: <message>" and
 * whatever context the target registered (the operation being run),
 * then aborts.
 */
_Noreturn void fuzz_fail(const char *target, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Printed by fuzz_fail() after the message, if set (NULL clears). */
void fuzz_set_context(const char *(*fn)(void));

/* The name of an errno value returned negated ("-EINVAL"), or a number. */
const char *fuzz_errname(long ret);

/*
 * VFIOSIM_FUZZ_STATS=FILE in the environment: a target appends a line of
 * counters to FILE when it finishes (how often states were rebuilt...).
 */
void fuzz_stats(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* VFIOSIM_FUZZ_TRACE set in the environment: print every operation. */
extern int fuzz_trace;
void fuzz_trace_init(void);

#endif /* VFIOSIM_FUZZ_H */
