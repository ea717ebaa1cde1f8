/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - a parsed scenario: statements with every name resolved.
 *
 * The language is described in docs/scenarios.md.  Parsing resolves the
 * names (memory, groups, mappings) to numbers, so running a scenario never
 * meets an unknown name, and a statement can be dropped (the minimizer)
 * without re-parsing the others.
 */
#ifndef VFIOSIM_CMD_SCENARIO_H
#define VFIOSIM_CMD_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "vfiosim.h"
#include "lexer.h"
#include "sim.h"

#define SC_MAX_GROUPS	16

/* [start, start + size): size 0 is allowed (refused by the ioctl, say). */
struct range {
	uint64_t start, size;
};

enum stmt_kind {
	ST_HOST, ST_MEM, ST_MUNMAP, ST_GROUP, ST_CONTAINER, ST_SET_IOMMU, ST_CHECK_EXT,
	ST_API_VERSION, ST_ATTACH, ST_DETACH, ST_MAP, ST_UNMAP, ST_DIRTY, ST_GET, ST_INFO,
	ST_PIN, ST_UNPIN, ST_DMA_RW, ST_WRITE, ST_FAIL, ST_ORACLE, ST_PROVIDER, ST_EXPECT,
};

enum expect_kind {
	/* the result of the operation before */
	EX_OK, EX_ERRNO, EX_RET, EX_ANY,
	/* the last dirty report */
	EX_DIRTY, EX_DIRTY_ALL, EX_CLEAN, EX_DIRTY_COUNT,
	/* state */
	EX_LOCKED, EX_PINNED, EX_PIN_COUNT, EX_UNMAPPED, EX_PGSIZES, EX_DMA_AVAIL,
	EX_IOVA_RANGES, EX_MIG_PGSIZES, EX_MAX_BITMAP, EX_WARNINGS, EX_BYTES, EX_MEMORY,
	EX_ALLOCS,
	/* the oracle flagged the operation before (a known kernel defect) */
	EX_ORACLE,
};

enum write_pattern { WR_RANGE, WR_EVERY, WR_RANDOM };
enum fail_kind { FAIL_ALLOC, FAIL_COPY };
enum oracle_mode { ORACLE_EXACT, ORACLE_LENIENT };

struct expect {
	enum expect_kind kind;
	unsigned int col;
	long long ret;			/* EX_ERRNO (positive errno), EX_RET */
	uint64_t value;			/* counts, sizes, masks, the byte */
	bool bytes;			/* EX_LOCKED / EX_PINNED: value is in bytes */
	uint64_t addr;			/* EX_PIN_COUNT: vaddr */
	struct range *ranges;		/* EX_DIRTY, EX_IOVA_RANGES, EX_MEMORY (one) */
	unsigned int nr_ranges;
	unsigned int oracle;		/* EX_ORACLE: enum oracle_kind bits */
};

struct stmt {
	enum stmt_kind kind;
	unsigned int line;
	char *text;			/* the line as written, comment dropped */
	char *only;			/* "on NAME": runs only on that backend */
	unsigned int kmin, kmax;	/* "on kernel ...:": runs only on a profile
					   in [kmin, kmax); 0: no bound */
	int group;			/* group index, -1 if none */
	struct range r;			/* the IOVA (or vaddr) range */
	uint64_t vaddr;			/* map: process address */
	int prot;			/* VFIOSIM_PROT_* (mem, pin), or map flags */
	unsigned int flags;		/* mem: VFIOSIM_MM_*; map/unmap/dirty: uapi flags */
	bool raw_flags;			/* "flags" given: use it as is */
	uint32_t argsz;			/* with has_argsz; else the natural size */
	bool has_argsz;
	bool bitmap;			/* unmap: with GET_DIRTY_BITMAP */
	uint64_t pgsize;		/* bitmap page size, with has_pgsize */
	bool has_pgsize;
	uint64_t bitmap_size;		/* with has_bitmap_size; else the words needed */
	bool has_bitmap_size;
	int fault_word;			/* bitmap word made read-only, -1: none */
	struct sim_seg bm_seg[SIM_MAX_SEGS];	/* bitmap-buffer: its pieces */
	unsigned int nr_bm_seg;
	bool has_bm_at;			/* bitmap-at: the bitmap's address */
	uint64_t bm_at;
	bool has_npage;			/* pin, unpin: npage as given, else the */
	int npage;			/* pages the range covers */
	bool write;			/* dma_rw direction */
	int byte;			/* data byte, -1: a pattern */
	int ramp;			/* dma-rw data byte, byte + 1, ...; -1: none */
	enum write_pattern pattern;
	uint64_t every, count, seed, len;	/* write patterns; len 0: a page */
	enum fail_kind fail;
	uint64_t n;			/* fail: the nth */
	int type;			/* container, set-iommu, check-extension; provider:
					   VFIOSIM_DIRTY_PROVIDER_* */
	enum oracle_mode oracle;
	struct vfiosim_host_config host;
	struct vfiosim_group_config grp;
	bool keeps_pins;		/* group: its driver ignores unmap requests */
	char *name;			/* the object a mem/group statement declares */
	struct expect *ex;		/* ST_EXPECT: it; an operation: its suffix */
};

struct scenario {
	char *file;
	struct stmt *st;
	unsigned int nr;
	unsigned int nr_groups;
	char *group_names[SC_MAX_GROUPS];
	unsigned int kernel;		/* "host kernel X.Y": its profile, 0: none */
	unsigned int kernel_line;
};

/*
 * Parses text (the whole file) into *out.  0, or -1 with d telling where
 * and what is wrong (d->file is set to file).
 */
int scenario_parse(const char *file, const char *text, struct scenario **out,
		   struct diag *d);
/* Reads and parses a file; read errors are reported through d too. */
int scenario_load(const char *file, struct scenario **out, struct diag *d);
void scenario_free(struct scenario *sc);

/* Statement kinds that are operations (everything but expect). */
static inline bool stmt_is_op(const struct stmt *s)
{
	return s->kind != ST_EXPECT;
}

bool expect_is_result(enum expect_kind k);

#endif /* VFIOSIM_CMD_SCENARIO_H */
