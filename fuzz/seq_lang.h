/* SPDX-License-Identifier: MIT */
/*
 * seq_lang.h - the operation-sequence language of the seq and diff fuzz
 * targets: a compact binary encoding of what userspace, vendor drivers
 * and devices do to a container, and its interpreter.
 *
 * An input is a 2-byte header (host, container type, groups attached at
 * the start) followed by operations, each an opcode byte (low 5 bits: the
 * operation, high 3 bits: a variant) and a fixed number of operand bytes;
 * a short input reads zeros.  Addresses are never raw where a real
 * mapping is meant: an IOVA is (n-th mapping, offset), so mutations keep
 * hitting mappings that exist.  docs/fuzzing.md has the full table.
 *
 * A world is one simulated host with one container, four groups and a
 * dirty oracle, on one backend.  Decoding uses a world's view (its
 * mappings, held pins) to turn operand bytes into a concrete action; the
 * same action then runs on every world (one for seq, two for diff), and
 * each world checks its own invariants after it (sl_check).
 */
#ifndef VFIOSIM_FUZZ_SEQ_LANG_H
#define VFIOSIM_FUZZ_SEQ_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfiosim.h"
#include "vfiosim_oracle.h"
#include "fuzz.h"

enum sl_op {
	SL_ATTACH,		/* [group] */
	SL_DETACH,		/* [group] */
	SL_MAP,			/* [vsel][voff:2][islot:2][npages][flags] */
	SL_UNMAP,		/* [map][off][size][flags] */
	SL_UNMAP_BM,		/* [map][off][size][pgsize][buf][flags] */
	SL_START,		/* (variant: malformed forms) */
	SL_STOP,
	SL_GET,			/* [map][off][size][pgsize][buf] */
	SL_PIN,			/* [group][map][off][npage][prot] */
	SL_UNPIN,		/* [held pin] */
	SL_DMA_RW,		/* [map][off][len:2] (variant bit 0: read) */
	SL_WRITE,		/* [group][target][off][len] device write */
	SL_FAIL_ALLOC,		/* [n] the next operation's n-th allocation fails */
	SL_FAIL_COPY,		/* [n] the next operation's n-th user copy faults */
	SL_SET_IOMMU,		/* [type] */
	SL_GET_INFO,		/* [argsz choice] */
	SL_CHECK_EXT,		/* [extension] */
	/* Only in a world with SL_CFG_PROVIDERS: */
	SL_PROVIDER,		/* [provider] VFIOSIM_IOMMU_DIRTY_PROVIDER, the model's
				   extension (docs/dirty-providers.md) */
	SL_NR_OPS
};
/* The operations of every other world: its opcodes mean what they always did. */
#define SL_NR_BASE_OPS		SL_PROVIDER

/* Operand bytes of each operation. */
extern const unsigned char sl_op_len[SL_NR_OPS];

/* Header byte 0. */
#define SL_HOST_4K		0	/* bits 0-1: the host */
#define SL_HOST_64K		1
#define SL_HOST_MEMLOCK		2	/* 4K, small RLIMIT_MEMLOCK, no CAP_IPC_LOCK */
#define SL_HOST_DMA_LIMIT	3	/* 4K, dma_entry_limit 8 */
#define SL_TYPE_V2		(0 << 2)	/* bits 2-3: the container */
#define SL_TYPE_BARE_V2		(1 << 2)	/* bare, SET_IOMMU(v2) after the attaches */
#define SL_TYPE_V1		(2 << 2)
#define SL_TYPE_NESTING		(3 << 2)
#define SL_CFG_COARSE		0x10	/* group 3's smallest IOMMU page is above the
					   CPU page (type1 WARNs on MAP/UNMAP) */
#define SL_CFG_UNALIGNED	0x20	/* vendor drivers may pin at IOVAs off the
					   page boundary (no in-tree driver does;
					   vfio_pin_pages() lets them) */
#define SL_CFG_PROVIDERS	0x80	/* the dirty-provider extension: groups 0
					   and 1's IOMMU keeps dirty bits, groups 0
					   and 3 have trackers, SL_PROVIDER exists
					   (the model only: never in the diff target) */
/* Header byte 1: groups attached before the first operation (bits 0-3),
 * the kernel version the model follows (bits 4-5: the newest, 6.12, 6.1,
 * 5.10; the diff target follows its kernel tree instead). */
#define SL_KERNEL_SHIFT		4

/*
 * The groups of every world:
 *  0  IOMMU-backed, the host's default page sizes, with a vendor driver
 *     (can pin, registers a dma_unmap callback), IOMMU 1
 *  1  IOMMU-backed, same IOMMU as 0 (shares its domain), no vendor driver
 *  2  emulated (mdev-like)
 *  3  IOMMU-backed, another IOMMU with other page sizes, vendor driver
 * With SL_CFG_PROVIDERS, IOMMU 1 keeps dirty bits, group 0's device has a
 * tracker of 2 ranges and group 3's one of 1 range that holds 16 pages
 * (it overflows, and the container falls back to type1's rules).
 */
#define SL_GROUPS		4

/* Modes. */
#define SL_MODE_DIFF		0x1	/* steer clear of documented divergences */

/*
 * The calling program's memory of a world (arguments, bitmaps), front to
 * back: registered as user memory with these protections, the gap with
 * none (a hole, as unregistered memory is in a strict host).  Bitmaps
 * that "run off" a buffer run into what follows it here.
 */
enum { SL_AREA_ARG, SL_AREA_BM, SL_AREA_GAP, SL_AREA_RO, SL_AREAS };
struct sl_area {
	size_t size;
	int prot;			/* VFIOSIM_PROT_* */
};
extern const struct sl_area sl_areas[SL_AREAS];

#define SL_MAX_OPS		256
#define SL_MAX_MAPS		32
#define SL_PIN_MAX		8	/* pages per decoded pin, except E2BIG probes */

struct sl_config {
	unsigned int host;		/* SL_HOST_* */
	unsigned int type;		/* SL_TYPE_* */
	bool coarse;
	bool unaligned;
	bool providers;			/* SL_CFG_PROVIDERS */
	unsigned int attach;		/* bitmask */
	unsigned int kernel;		/* VFIOSIM_KERNEL() of the host */
};

/*
 * What a world is made of, as the header says: the one description that
 * sl_world_init() builds and "vfiosim from-fuzz" (tools/vfiosim/from_fuzz.h)
 * writes as a scenario.
 * Guest memory is the standard layout (vfiosim_guest_map(), every region);
 * the dirty oracle watches the container from its creation.
 */
struct sl_spec {
	struct vfiosim_host_config host;	/* strict user access */
	struct vfiosim_group_config group[SL_GROUPS];
	bool vendor[SL_GROUPS];		/* a vendor driver: pins, and unpins what
					   it holds when told (sl_dma_unmap) */
	int type;			/* the container's; 0: bare, SET_IOMMU(v2)
					   once the first groups are attached */
	int fallback;			/* type if the first one is refused (the
					   nesting type is gone from 6.13); 0: none */
	bool lenient;			/* the oracle accepts over-reporting */
};

struct sl_action {
	enum sl_op op;
	unsigned int variant;
	unsigned int g;
	uint64_t vaddr, iova, size;
	uint32_t flags;
	uint32_t argsz;			/* 0: the natural size */
	uint64_t pgsize;
	unsigned int buf;		/* bitmap pointer choice (SL_BUF_*) */
	unsigned int bmsize;		/* bitmap size choice */
	int npage, prot;
	size_t len;
	bool write;
	uint8_t byte0;			/* dma_rw write: the data is byte0, byte0 + 1, ... */
	bool unaligned;			/* a pin at an IOVA off the page boundary */
	unsigned long n;		/* fault index, SET_IOMMU type, extension,
					   GET_INFO argsz choice */
	unsigned int pin;		/* SL_UNPIN: index of the held pin */
	const char *skip;		/* not run, and why (diff mode) */
};

struct sl_result {
	long ret;
	uint64_t unmapped;		/* UNMAP_DMA: size as written back */
	const unsigned char *bitmap;	/* GET / UNMAP bitmap, in the world's memory */
	size_t bitmap_len;
	const unsigned char *info;	/* GET_INFO reply */
	size_t info_len;
	uint64_t *pfns;			/* PIN */
	const unsigned char *data;	/* dma_rw read */
	size_t data_len;
	uint64_t locked, pinned;	/* after the operation */
	unsigned long live;
	size_t log;
	unsigned int warnings;		/* raised by the operation */
	const char *warning;		/* the last one */
};

struct sl_pin {
	unsigned int g;
	uint64_t iova;
	unsigned int count;
};

struct sl_world {
	const char *who;		/* "model", "kernel-6.12" */
	unsigned int index;		/* which user memory it uses */
	unsigned int mode;
	struct sl_config cfg;
	const struct vfiosim_backend *be;
	struct vfiosim_host *h;
	struct vfiosim_container *c;
	struct vfiosim_group *g[SL_GROUPS];
	struct vfiosim_oracle *o;
	int type;			/* the container's (sl_spec: type or fallback) */
	uint64_t page;
	unsigned char *mem;		/* registered user memory (args, bitmaps) */
	unsigned char *rw_buf;		/* dma_rw's buffer (the vendor driver's) */

	/* The interpreter's view, from the results seen. */
	bool attached[SL_GROUPS];
	bool promoted[SL_GROUPS];	/* IOMMU group pinned: in the pinned scope */
	bool driver;			/* an IOMMU driver is open */
	bool tracking;
	uint64_t map_iova[SL_MAX_MAPS], map_size[SL_MAX_MAPS];
	unsigned int nr_maps;
	struct sl_pin *pins;
	size_t nr_pins, cap_pins;
	unsigned int warnings;		/* counted so far */
	unsigned long steps;		/* operations run */
	enum sl_op last_op;		/* FAIL_ALLOC/FAIL_COPY arm the next one */
	unsigned long last_n;
};

/* Decodes the header; the mode may override choices (diff: no coarse group). */
void sl_header(struct fuzz_in *in, unsigned int mode, struct sl_config *cfg);
/* The world cfg describes. */
void sl_world_spec(const struct sl_config *cfg, struct sl_spec *spec);

/* Creates the world (strict_uaccess host, groups, container, oracle). */
void sl_world_init(struct sl_world *w, const char *who, unsigned int index,
		   const struct sl_config *cfg, const struct vfiosim_backend *be,
		   unsigned int mode);
/* Frees it; a leak, a pin or charge left, or a WARN is a finding. */
void sl_world_fini(struct sl_world *w);
/* Frees it and returns the finding sl_world_fini() aborts with, NULL if none. */
const char *sl_world_free(struct sl_world *w);

/* The next action, decoded against ref's view; false at the end. */
bool sl_decode(struct fuzz_in *in, const struct sl_world *ref, struct sl_action *a);
/* Runs it on w; r's pointers stay valid until the next operation on w. */
void sl_exec(struct sl_world *w, const struct sl_action *a, struct sl_result *r);
/* The interpreter's view of w after the action, from its result. */
void sl_update(struct sl_world *w, const struct sl_action *a, const struct sl_result *r);

/* What sl_verify() can find, each a check of its own. */
enum sl_finding {
	SL_FINE,
	SL_BAD_RET,		/* a return value type1 never gives */
	SL_BAD_WARN,		/* a WARN no legal sequence raises */
	SL_BAD_ORACLE,		/* the dirty oracle objected */
	SL_BAD_STATE,		/* the backend's consistency check failed */
	SL_BAD_CHANGED,		/* a failed call changed locked_vm, pins or allocations */
	SL_BAD_UNATTACHED,	/* pins or charges with no group attached */
};
/*
 * Every invariant of w after the action (w's view already updated): the
 * first that fails, with its message ("model: dirty oracle: ...") in why.
 */
enum sl_finding sl_verify(struct sl_world *w, const struct sl_action *a,
			  const struct sl_result *r, char *why, size_t len);
/* sl_update(), then sl_verify(): a finding aborts (fuzz_fail) as target's. */
void sl_check(struct sl_world *w, const struct sl_action *a, const struct sl_result *r,
	      const char *target);

/*
 * Where the bitmap of a report (GET, UNMAP with a bitmap) is: in the
 * world's own memory at offset off (sl_areas), or at a fixed address.
 */
struct sl_bitmap {
	uint64_t need;			/* bytes the range needs at its page size
					   (a word for a page size no report has) */
	uint64_t size;			/* bitmap.size as passed */
	bool own;			/* in the world's memory ... */
	size_t off;			/* ... this far into it */
	uint64_t addr;			/* else here (guest memory, NULL, ...) */
};
void sl_bitmap_of(const struct sl_world *w, const struct sl_action *a, struct sl_bitmap *b);
/*
 * The world's memory from an own bitmap on to the end of sl_areas, piece by
 * piece (SL_AREAS at most): what a report there may run into.  0 pieces
 * for a bitmap at an address.
 */
unsigned int sl_bitmap_pieces(const struct sl_bitmap *b, struct sl_area *piece);
/* GET_INFO's argsz. */
uint32_t sl_info_argsz(const struct sl_action *a);

/* "MAP vaddr 0x... iova 0x... size 0x... flags 0x3" */
const char *sl_describe(const struct sl_action *a);

/*
 * target_seq.c: an input on one world of the model, every check after
 * every operation: the seq target (mode 0), or in SL_MODE_DIFF the diff
 * target's model world alone, its kernel version given (0: fuzz_kernel()).
 */
int seq_run(const uint8_t *data, size_t size, unsigned int mode, unsigned int kernel);

#endif /* VFIOSIM_FUZZ_SEQ_LANG_H */
