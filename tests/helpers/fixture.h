/* SPDX-License-Identifier: MIT */
/*
 * fixture.h - shared helpers of the contract-level tests.
 *
 * A test body receives a struct fx built from a named configuration (the
 * cmocka state pointer carries the configuration into fx_setup), so one body
 * runs unchanged under v1/v2 containers, several IOMMU page-size sets and an
 * emulated-only group.  Everything here uses the public headers
 * (vfiosim.h, vfiosim_client.h, vfiosim_oracle.h) and <linux/vfio.h> only:
 * the same tests must pass against any backend.
 *
 * Teardown frees every object the test created through the fixture and
 * fails the test if vfiosim_container_check() complains, if the number of
 * WARNs differs from what the test announced with fx_expect_warnings(), or
 * if the simulator still holds allocations once everything is gone.
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include "vfiosim.h"
#include "vfiosim_client.h"

#define SZ_4K		0x1000ULL
#define SZ_16K		0x4000ULL
#define SZ_64K		0x10000ULL
#define SZ_1M		0x100000ULL
#define SZ_2M		0x200000ULL
#define SZ_512M		0x20000000ULL
#define SZ_1G		0x40000000ULL

#define FX_MAX_GROUPS	8
#define FX_MAX_MM	8
#define FX_MAX_USER	8
#define FX_MAX_CONT	4

/* Guest RAM of every fixture, at the standard place (vfiosim_client.h). */
#define FX_GUEST_BASE	VFIOSIM_GUEST_RAM
#define FX_GUEST_SIZE	VFIOSIM_GUEST_RAM_SIZE
/* A process address nothing is ever mapped at. */
#define FX_HOLE		VFIOSIM_GUEST_HOLE
/* Where tests put read-only guest memory and MMIO (PFNMAP) ranges. */
#define FX_RO_BASE	VFIOSIM_GUEST_RO
#define FX_MMIO_BASE	VFIOSIM_GUEST_MMIO
/* IOVA where tests put their mappings. */
#define FX_IOVA		VFIOSIM_IOVA
/* The default aperture's last address (48-bit IOVA space). */
#define FX_APERTURE_END	((1ULL << 48) - 1)
/* dma_entry_limit when the host leaves it at 0. */
#define FX_DMA_LIMIT	65535U

#define FX_RW		(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

struct fx_config {
	const char *name;
	/* vfiosim_container_new() type: 0 for a bare container */
	int type;
	/* with type 0: VFIO_SET_IOMMU argument after the groups joined (0: none) */
	int set_iommu;
	/* create the groups but leave them out of the container */
	bool no_attach;
	unsigned int nr_groups;
	struct vfiosim_group_config group[FX_MAX_GROUPS];
	struct vfiosim_host_config host;
	uint64_t guest_size;		/* 0: FX_GUEST_SIZE */
};

struct fx {
	const struct fx_config *cfg;
	struct vfiosim_host *h;
	struct vfiosim_container *c;
	unsigned int kernel;		/* the Linux version c follows
					   (vfiosim_container_kernel()) */
	struct vfiosim_group *g[FX_MAX_GROUPS];
	unsigned int nr_groups;
	bool v2;			/* unmap follows the v2 rules */
	uint64_t page_size;		/* CPU page */
	uint64_t pgsizes;		/* iova_pgsizes the configuration implies */
	uint64_t pgsize;		/* its smallest page: the map granule */
	uint64_t guest;			/* guest RAM vaddr (FX_GUEST_BASE) */
	uint64_t guest_size;
	unsigned int dma_limit;		/* effective dma_entry_limit */
	unsigned int expect_warnings;	/* fx_expect_warnings() */

	/* resources released by teardown */
	struct vfiosim_container *extra[FX_MAX_CONT];
	unsigned int nr_extra;
	struct { uint64_t vaddr, len; } mm[FX_MAX_MM];
	unsigned int nr_mm;
	const void *user[FX_MAX_USER];
	unsigned int nr_user;
	void **bufs;
	size_t nr_bufs, cap_bufs;
};

/* ------------------------------------------------------ configurations */

/*
 * A configuration is written as its name, the container's type and the
 * groups attached to it, in order:
 *
 *	static const struct fx_config pin_4k =
 *		FX_CONFIG("v2, IOMMU 4K, device pins", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K));
 *
 * FX_CONFIG_OF() gives the same members without the braces, for one that
 * sets more (.host, .guest_size, ...) after them.  A group that is none of
 * the four below is written out: { .kind = ..., ... }.
 */
/* an IOMMU-backed group with page sizes pgs (0: 4K|2M|1G) */
#define FX_IOMMU(pgs)		{ .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = (pgs) }
/* the same, whose device pins pages (it registers a dma_unmap callback) */
#define FX_PINNING(pgs)		{ .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = (pgs), \
				  .has_dma_unmap = true }
/* an IOMMU-backed group whose aperture reaches the top of the 64-bit space */
#define FX_IOMMU_TOP(pgs)	{ .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = (pgs), \
				  .aperture_end = ~0ULL }
/* an emulated (mdev-like) group */
#define FX_EMULATED		{ .kind = VFIOSIM_GROUP_EMULATED }

#define FX_CONFIG_OF(nm, t, ...)						\
	.name = (nm), .type = (t), .nr_groups = FX_NR_GROUPS(__VA_ARGS__),	\
	.group = { __VA_ARGS__ }
#define FX_CONFIG(nm, t, ...)	{ FX_CONFIG_OF(nm, t, __VA_ARGS__) }
#define FX_NR_GROUPS(...)						\
	(unsigned int)(sizeof((struct vfiosim_group_config[]){ __VA_ARGS__ }) /	\
		       sizeof(struct vfiosim_group_config))

/* v2, one IOMMU group with 4K pages only */
extern const struct fx_config fx_v2_4k;
/* v2, one IOMMU group with 4K|2M|1G */
extern const struct fx_config fx_v2_2m;
/* v2, 64 KiB CPU pages, one IOMMU group with 64K|512M.  (type1 assumes the
 * smallest IOMMU page is at most PAGE_SIZE: with 4 KiB CPU pages it WARNs.) */
extern const struct fx_config fx_v2_64k;
/* v1 counterparts */
extern const struct fx_config fx_v1_4k;
extern const struct fx_config fx_v1_2m;
extern const struct fx_config fx_v1_64k;
/* v2, one emulated (mdev-like) group only */
extern const struct fx_config fx_v2_emul;
/* bare container + VFIO_SET_IOMMU(v2 / v1) after the group joined */
extern const struct fx_config fx_set_v2_2m;
extern const struct fx_config fx_set_v1_4k;
/* bare container, one IOMMU and one emulated group, nothing attached */
extern const struct fx_config fx_bare;

/*
 * One test entry running f under configuration cfg (an identifier); the
 * name reads "f@cfg".  This is cmocka_unit_test_prestate_setup_teardown()
 * with a per-configuration name.
 */
#define FX_TEST(f, cfg)							\
	{ .name = #f "@" #cfg, .test_func = (f), .setup_func = fx_setup,	\
	  .teardown_func = fx_teardown, .initial_state = (void *)&(cfg) }

int fx_setup(void **state);
int fx_teardown(void **state);

struct vfiosim_oracle;
/*
 * fx_setup(), then an oracle (vfiosim_oracle.h) watching the fixture's
 * container from its first call on: for a setup of tests that run under
 * one.  NULL, the fixture torn down again, if either fails.
 */
struct vfiosim_oracle *fx_setup_oracle(void **state);

/* ------------------------------------------------------ kernel versions */

/*
 * The environment variable VFIOSIM_KERNEL ("7.3", "6.12", "6.1", "5.10")
 * sets the host's kernel for every fixture (the model then answers as
 * that version); unset, the host leaves it 0 and the backend decides (the
 * newest for the model, its own for a kernel tree).  Tests branch their
 * expectations on fx->kernel, never on the backend's name, so that they
 * hold against the kernel tree of any version.
 *
 * The releases below are the tests' own claims about Linux, written
 * independently of the model's table (sim/type1/profile.c), so that
 * `make kcheck` on real trees can prove either wrong.
 */
#define FX_K_UPDATE_VADDR	VFIOSIM_KERNEL(5, 12)	/* VFIO_UPDATE_VADDR, VFIO_UNMAP_ALL */
#define FX_K_NO_EXT_DOMAIN	VFIOSIM_KERNEL(5, 16)	/* emulated attach: 1 allocation */
#define FX_K_PIN_BY_IOVA	VFIOSIM_KERNEL(6, 0)	/* a short unpin WARNs */
#define FX_K_INFO_HEADER	VFIOSIM_KERNEL(6, 2)	/* GET_INFO writes back up to argsz */
#define FX_K_DOMAIN_ERRNO	VFIOSIM_KERNEL(6, 11)	/* attach: -ENOMEM, not -EIO */
#define FX_K_NO_NESTING		VFIOSIM_KERNEL(6, 13)	/* VFIO_TYPE1_NESTING_IOMMU gone */
#define FX_K_NO_FGSP		VFIOSIM_KERNEL(6, 13)	/* no superpage probe at attach */
#define FX_K_EOVERFLOW		VFIOSIM_KERNEL(6, 19)	/* wrapping ranges: -EOVERFLOW */
#define FX_K_PIN_NPAGE		VFIOSIM_KERNEL(6, 19)	/* pin of npage <= 0: -EINVAL */

/* Whether the container follows a version with the change of `release`. */
bool fx_since(const struct fx *fx, unsigned int release);
/* The errno of a range that wraps the IOVA space in fx's version. */
int fx_wrap_errno(const struct fx *fx);
/* "MAJOR.MINOR" into VFIOSIM_KERNEL(); 0 for anything else. */
unsigned int fx_parse_kernel(const char *s);

/* ------------------------------------------------------------ checks */

const char *fx_errname(long ret);
void fx_check_ret(long got, long want, const char *expr, const char *file, int line);
void fx_check_u64(uint64_t got, uint64_t want, const char *a, const char *b,
		  const char *file, int line);

/* expr must return 0 / -err / exactly v; on mismatch print both with errno names */
#define expect_ok(expr)		fx_check_ret((long)(expr), 0, #expr, __FILE__, __LINE__)
#define expect_err(expr, err)	fx_check_ret((long)(expr), -(long)(err), #expr, \
					     __FILE__, __LINE__)
#define expect_ret(expr, v)	fx_check_ret((long)(expr), (long)(v), #expr, __FILE__, __LINE__)
/* 64-bit equality printed in hex */
#define expect_u64(a, b)	fx_check_u64((uint64_t)(a), (uint64_t)(b), #a, #b, \
					     __FILE__, __LINE__)

/* ------------------------------------------------------------ warnings */

/*
 * The test provokes exactly n WARNs, teardown included: they are recorded
 * instead of printed, and teardown fails, showing them, if their number
 * differs.  Call it before the first one.  (Messages differ between
 * backends: contract tests check the count, the model's unit tests the
 * words.)
 */
void fx_expect_warnings(struct fx *fx, unsigned int n);
/* print_error() the warnings h still keeps, oldest first */
void fx_show_warnings(const struct vfiosim_host *h);

/* ------------------------------------------------------ host helpers */

/* vfiosim_mm_map_flags(), unmapped again by teardown; fails the test on error */
void fx_mm_map(struct fx *fx, uint64_t vaddr, uint64_t len, int prot, unsigned int flags);
/* vfiosim_user_add() undone by teardown (or fx_user_del); fails on error */
void fx_user_add(struct fx *fx, const void *ptr, size_t len, int prot);
void fx_user_del(struct fx *fx, const void *ptr);
/* a zeroed buffer freed by teardown */
void *fx_alloc(struct fx *fx, size_t len);
/* a container freed by teardown; NULL on failure */
struct vfiosim_container *fx_container(struct fx *fx, int type);
/* a group freed by teardown (after the containers) */
struct vfiosim_group *fx_group(struct fx *fx, const struct vfiosim_group_config *cfg);

uint64_t fx_locked(const struct fx *fx);	/* locked_vm, pages */
uint64_t fx_pinned(const struct fx *fx);	/* pinned pages in the host */
/* pages of size bytes of guest memory */
uint64_t fx_pages(const struct fx *fx, uint64_t size);

/* ---------------------------------------------------- ioctl helpers */

long fx_map_in(struct vfiosim_container *c, uint64_t vaddr, uint64_t iova, uint64_t size,
	       uint32_t flags);
long fx_map(struct fx *fx, uint64_t vaddr, uint64_t iova, uint64_t size, uint32_t flags);
/* *unmapped (may be NULL) receives the size field as the call left it */
long fx_unmap_in(struct vfiosim_container *c, uint64_t iova, uint64_t size, uint32_t flags,
		 uint64_t *unmapped);
long fx_unmap(struct fx *fx, uint64_t iova, uint64_t size, uint32_t flags, uint64_t *unmapped);
long fx_ext(struct vfiosim_container *c, unsigned long ext);	/* CHECK_EXTENSION */
/*
 * Unmaps every mapping of c: VFIO_DMA_UNMAP_FLAG_ALL, or before 5.12 (no
 * such flag) the whole space but its last page, which callers leave alone.
 * *unmapped (may be NULL) as fx_unmap_in().
 */
long fx_unmap_everything(struct fx *fx, struct vfiosim_container *c, uint64_t *unmapped);
/*
 * Whether fx's version has VFIO_UPDATE_VADDR and VFIO_UNMAP_ALL (5.12).
 * When it does not, checks that fx->c refuses their flags and claims
 * neither extension, and returns false: a test of them stops there.
 */
bool fx_update_vaddr(struct fx *fx);
long fx_dirty(struct vfiosim_container *c, uint32_t flags);	/* DIRTY_PAGES START/STOP */
/*
 * A mapping of guest memory at iova whose vaddr is then invalidated
 * (UNMAP_DMA with VFIO_DMA_UNMAP_FLAG_VADDR); fails the test on error.
 */
void fx_map_vaddr_invalid(struct fx *fx, uint64_t iova, uint64_t size);

/*
 * VFIO_IOMMU_GET_INFO with the usual two calls: one with argsz =
 * sizeof(info) to learn the size, then one with that size.  Checks both
 * replies' framing and the whole capability chain; returns the full reply
 * (freed by teardown).  Fails the test on any error.
 */
#define fx_get_info(fx)		fx_get_info_at((fx), (fx)->c, __FILE__, __LINE__)
#define fx_get_info_in(fx, c)	fx_get_info_at((fx), (c), __FILE__, __LINE__)
struct vfio_iommu_type1_info *fx_get_info_at(struct fx *fx, struct vfiosim_container *c,
					     const char *file, int line);

/*
 * Walks the chain of a GET_INFO reply of argsz bytes: every offset must be
 * 8-aligned, lie past the info header, move forward and leave room for the
 * capability it names (known ids: their full size) inside argsz.  Stores up
 * to max headers in caps; returns the number of capabilities, or -1 after
 * printing what is wrong.
 */
int fx_cap_walk(const void *buf, uint32_t argsz, const struct vfio_info_cap_header **caps,
		int max);
/* The capability with this id in a reply checked by fx_get_info, or NULL. */
const void *fx_find_cap(const struct vfio_iommu_type1_info *info, uint16_t id);

/*
 * Whether a mapping covers iova, asked the way userspace can: MAP_DMA of
 * one granule there, from guest memory at vaddr, collides (-EEXIST).  A
 * probe that succeeds is unmapped again; any other answer fails the test.
 */
bool fx_mapped(struct fx *fx, uint64_t iova, uint64_t vaddr);

/* dma_avail from GET_INFO */
uint32_t fx_dma_avail(struct fx *fx, struct vfiosim_container *c);

/*
 * State a failed operation must leave untouched: the full GET_INFO reply,
 * pins, locked_vm, live allocations, log length.
 */
struct fx_snap {
	struct vfio_iommu_type1_info *info;
	uint64_t pinned, locked;
	unsigned long live;
	size_t log;
};
void fx_snap_take(struct fx *fx, struct vfiosim_container *c, struct fx_snap *s);
#define fx_snap_check(fx, c, s)	fx_snap_check_at((fx), (c), (s), __FILE__, __LINE__)
void fx_snap_check_at(struct fx *fx, struct vfiosim_container *c, const struct fx_snap *s,
		      const char *file, int line);

/* container check that fails the test with the reason */
#define expect_consistent(c)	fx_check_container((c), __FILE__, __LINE__)
void fx_check_container(struct vfiosim_container *c, const char *file, int line);

#endif /* TESTS_FIXTURE_H */
