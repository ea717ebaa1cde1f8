/* SPDX-License-Identifier: MIT */
/*
 * sim.h - one simulated machine and every call the command makes into it.
 *
 * Scenarios, trace replay and the migration all go through these calls,
 * so that each is traced the same way (trace.h: the calls on the container
 * by its observer, tracer.h), builds its ioctl argument exactly as a VMM
 * would, and is followed by the same checks: the ground-truth oracle on
 * the container (created with it), WARNs raised by the simulator, and the
 * backend's own consistency check.  What a call found is left in struct
 * sim_events for the caller to judge; results (the last dirty report, the
 * size UNMAP wrote back, GET_INFO, data read by dma_rw) stay in struct sim
 * until the next call of their kind.
 */
#ifndef VFIOSIM_CMD_SIM_H
#define VFIOSIM_CMD_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "vfiosim.h"
#include "vfiosim_observer.h"
#include "vfiosim_oracle.h"
#include "trace.h"

/* The oracle's findings, as "expect oracle" names them. */
enum oracle_kind { OK_MISSED = 1, OK_SPURIOUS = 2, OK_INEXACT = 4, OK_DESYNC = 8 };

#define SIM_MAX_GROUPS	16
#define SIM_MAX_IOVA	16
/* "argsz" not given: the natural size of the argument. */
#define SIM_ARGSZ	(-1LL)
/* Largest argument buffer we back with memory (argsz may claim more). */
#define SIM_ARG_MAX	(1U << 20)

struct sim_report {
	bool valid;			/* the last report succeeded */
	uint64_t iova, size, pgsize, nbits;
	uint64_t *bits;			/* nbits, in u64 words */
	unsigned long seq;		/* reports so far, this one included */
};

struct sim_info {
	bool valid;
	uint32_t argsz, flags;
	uint64_t pgsizes;
	bool has_mig, has_avail;
	uint32_t mig_flags, avail;
	uint64_t mig_pgsizes, mig_max_bitmap;
	unsigned int nr_iova;
	uint64_t iova_start[SIM_MAX_IOVA], iova_end[SIM_MAX_IOVA];
	char caps[512];			/* the chain, summarised for traces */
};

/* A piece of a bitmap buffer: size bytes with these VFIOSIM_PROT_* bits
 * (0: a hole, which no copy may cross). */
struct sim_seg {
	uint64_t size;
	int prot;
};

#define SIM_MAX_SEGS	4

/* The bitmap of a GET_BITMAP or an UNMAP with GET_DIRTY_BITMAP. */
struct sim_bitmap {
	uint64_t pgsize;		/* bitmap.pgsize if pgsize_set, else the CPU page */
	bool pgsize_set;
	uint64_t size;			/* bitmap.size if size_set, else what the range needs */
	bool size_set;
	int fault_word;			/* this u64 word is read-only; -1: none */
	/*
	 * The command's buffer, piece by piece, and nothing user-accessible
	 * after it; 0 pieces: bitmap.size (at least what the range needs)
	 * read-write bytes.
	 */
	struct sim_seg seg[SIM_MAX_SEGS];
	unsigned int nr_seg;
	bool at_set;			/* no buffer: the bitmap is at this process */
	uint64_t at;			/* address, zeroed where it is guest memory */
};

/* "64K rw, 4K none, 4K r": the pieces as a scenario writes them (and traces). */
void sim_segs_format(char *buf, size_t len, const struct sim_seg *seg, unsigned int nr);
/* Reads them back; 0, or -1 if str is not such a list. */
int sim_segs_parse(const char *str, struct sim_seg *seg, unsigned int *nr);

/* What the checks after the last call found. */
struct sim_events {
	unsigned int oracle;		/* enum oracle_kind bits newly counted */
	char oracle_msg[600];
	unsigned int warnings;		/* new WARNs */
	char warn_msg[300];
	char check_msg[300];		/* consistency check, "" if fine */
};

/* What the command knows of its container call that the container does not see. */
struct sim_aside {
	long group;			/* the group index it was given */
	int fault_word;			/* of the bitmap; -1: none */
	const struct sim_bitmap *bm;	/* how the bitmap was laid out, NULL: default */
	bool raw_dirty;			/* DIRTY_PAGES as raw flags, without GET's range */
	bool data_given;		/* dma_rw writes the caller's bytes ... */
	int byte;			/* ... else this byte (>= 0), else a pattern */
};

struct sim {
	const struct vfiosim_backend *be;
	struct trace *tr;
	struct vfiosim_host *h;
	uint64_t page_size;
	unsigned int profile;		/* the Linux version the host's containers follow */
	struct vfiosim_container *c;
	struct vfiosim_oracle *o;
	struct vfiosim_oracle_stats seen;
	struct vfiosim_group *g[SIM_MAX_GROUPS];
	unsigned int nr_groups;
	unsigned int warnings;
	struct sim_events ev;
	struct sim_report rep;
	bool has_unmapped;
	uint64_t unmapped;
	struct sim_info info;
	unsigned char *rd;		/* the last dma_rw read */
	size_t rd_len;
	unsigned long ops;		/* calls made */
	bool lenient;			/* the oracle's exact check is off */
	bool expect_warnings;		/* sim_expect_warnings() */

	/* tracer.c */
	struct vfiosim_observer tracer;
	struct sim_aside aside;
	unsigned int depth;		/* container operations under way */
	bool told;			/* the tracer saw the command's call */
	unsigned char req[48];		/* the ioctl's argument as it was before */
};

void sim_init(struct sim *s, const struct vfiosim_backend *be, struct trace *tr);
/* Hands src's machine to dst: a struct sim is not copied (its container
 * knows its tracer by address). */
void sim_move(struct sim *dst, struct sim *src);
/*
 * Creates the host; 0 or -errno.  Every other call needs one.  The trace
 * records the profile its containers will follow ("kernel": "6.12").
 */
long sim_host_new(struct sim *s, const struct vfiosim_host_config *cfg);
/*
 * Frees everything; 0, or -1 with why set if the simulator still held
 * allocations once all was freed, or warned while freeing.
 */
int sim_fini(struct sim *s, char *why, size_t len);

long sim_mm_map(struct sim *s, uint64_t vaddr, uint64_t len, int prot, unsigned int flags);
long sim_mm_unmap(struct sim *s, uint64_t vaddr, uint64_t len);
/*
 * The group's index (>= 0) or -errno.  keeps_pins: its driver ignores the
 * container's requests to unpin (a broken vendor driver).
 */
long sim_group_new(struct sim *s, const struct vfiosim_group_config *cfg, bool keeps_pins);
long sim_container_new(struct sim *s, int type);
long sim_attach(struct sim *s, unsigned int gi);
long sim_detach(struct sim *s, unsigned int gi);

long sim_ioctl_arg(struct sim *s, unsigned int cmd, unsigned long arg);
long sim_map(struct sim *s, long long argsz, uint32_t flags, uint64_t vaddr, uint64_t iova,
	     uint64_t size);
/* With GET_DIRTY_BITMAP in flags, bm says how the bitmap looks (NULL: default). */
long sim_unmap(struct sim *s, long long argsz, uint32_t flags, uint64_t iova, uint64_t size,
	       const struct sim_bitmap *bm);
long sim_dirty(struct sim *s, long long argsz, uint32_t flags);
long sim_get(struct sim *s, long long argsz, uint64_t iova, uint64_t size,
	     const struct sim_bitmap *bm);
/* The same with other flags than GET_BITMAP alone. */
long sim_get_flags(struct sim *s, long long argsz, uint32_t flags, uint64_t iova, uint64_t size,
		   const struct sim_bitmap *bm);
long sim_info(struct sim *s, long long argsz);
/* VFIOSIM_IOMMU_DIRTY_PROVIDER, the model's extension (docs/dirty-providers.md). */
long sim_provider(struct sim *s, unsigned int provider);

long sim_pin(struct sim *s, unsigned int gi, uint64_t iova, int npage, int prot);
long sim_unpin(struct sim *s, unsigned int gi, uint64_t iova, int npage);
/* Writes data, else byte (>= 0) repeated, else a pattern; reads land in s->rd. */
long sim_dma_rw(struct sim *s, uint64_t iova, size_t len, bool write, int byte,
		const void *data);
/* data, else byte (>= 0) repeated, else the simulator's own pattern. */
long sim_write(struct sim *s, unsigned int gi, uint64_t iova, size_t len, int byte,
	       const void *data);
void sim_fail(struct sim *s, bool copy, unsigned long n);
/* The oracle's exact check (check 3), now and for a container made later. */
void sim_oracle_exact(struct sim *s, bool on);
/*
 * Whether the next calls may WARN (vfiosim_expect_warnings(), now and for a
 * host made later): expected WARNs are only counted into sim_events, the
 * others are printed as well.  The caller judges them either way.
 */
void sim_expect_warnings(struct sim *s, bool on);

/* calloc() of at least a byte, or the command exits (2) saying it is out of memory. */
void *sim_xcalloc(size_t n, size_t size);

#endif /* VFIOSIM_CMD_SIM_H */
