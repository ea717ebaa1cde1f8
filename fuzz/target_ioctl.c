// SPDX-License-Identifier: MIT
/*
 * target_ioctl.c - fuzz target 1: one container ioctl per input, any command,
 * any argument bytes, against a container prepared in one of a few
 * states (docs/fuzzing.md, "ioctl").
 *
 * Every state lives in a host of its own, built once per process (before
 * AFL's fork server starts).  After an input the state must be as built:
 * an input that cannot have changed it is checked to have left it alone
 * (counters always, the full GET_INFO reply after stateful commands: "a
 * failed ioctl changes nothing"); a new mapping or a START is undone and
 * checked the same way; anything else that succeeded, and copy faults or
 * -EBUSY (the dirty oracle's view changes there), rebuild the state.
 *
 * Pointers in an input never reach memory directly: each is chosen from
 * a menu (registered read-write or read-only user memory, a short buffer,
 * unregistered memory, NULL, the user address limit, kernel addresses,
 * guest memory) and the host runs in strict_uaccess mode, so a hostile
 * pointer is -EFAULT, never a crash.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfiosim.h"
#include "vfiosim_client.h"
#include "vfiosim_oracle.h"
#include "fuzz.h"

#define IO_NAME		"ioctl"

/* Guest memory, the same in every state (lazily committed): the standard
 * layout but its scattered RAM. */
#define IO_GUEST	VFIOSIM_GUEST_RAM
#define IO_GUEST_SIZE	VFIOSIM_GUEST_RAM_SIZE
#define IO_GUEST_RO	VFIOSIM_GUEST_RO
#define IO_GUEST_RO_SZ	VFIOSIM_GUEST_RO_SIZE
#define IO_MMIO		VFIOSIM_GUEST_MMIO
/*
 * Guest memory no state maps, at the end of guest RAM: pointers into
 * guest memory land in its last 32 KiB, so what a report writes there
 * stops at the end of guest RAM; an argument placed in guest memory goes
 * just below it, where no report can write (they write upwards from the
 * pointer: a bitmap over the argument would be the caller's own doing).
 * Zeroed again after an input used it.
 */
#define IO_WIN_SIZE	0x8000ULL
#define IO_WIN		(IO_GUEST + IO_GUEST_SIZE - IO_WIN_SIZE)
#define IO_WIN_ARG	(IO_WIN - 0x1000)
#define IO_IOVA		VFIOSIM_IOVA

/* The caller's memory: argument area and bitmap area (read-write), an
 * unregistered gap, a read-only area; registered in every host. */
#define IO_ARG_SIZE	1024
#define IO_BM_SIZE	(32 * 1024)
#define IO_RW_SIZE	(IO_ARG_SIZE + IO_BM_SIZE)
#define IO_GAP_SIZE	4096
#define IO_RO_SIZE	4096
#define IO_MEM_SIZE	(IO_RW_SIZE + IO_GAP_SIZE + IO_RO_SIZE)

static unsigned char io_mem[IO_MEM_SIZE] __attribute__((aligned(4096)));
#define io_arg		(io_mem)
#define io_bm		(io_mem + IO_ARG_SIZE)
#define io_gap		(io_mem + IO_RW_SIZE)
#define io_ro		(io_mem + IO_RW_SIZE + IO_GAP_SIZE)

/* For the state checks, never seen by inputs. */
static unsigned char io_probe[512] __attribute__((aligned(8)));

#define IO_MAX_GROUPS	4
#define IO_MAX_MAPS	8

struct io_print {
	uint64_t locked, pinned, log;
	unsigned long live;
	unsigned int warnings;
};

struct io_state {
	struct vfiosim_host *h;
	struct vfiosim_container *c;
	struct vfiosim_group *g[IO_MAX_GROUPS];
	unsigned int nr_groups;
	struct vfiosim_oracle *o;
	uint64_t page;
	uint64_t iova[IO_MAX_MAPS], size[IO_MAX_MAPS];
	unsigned int nr_maps;
	bool built;
	bool tracking;			/* built with dirty tracking on */
	struct io_print print;		/* counters as built */
	long info_ret;			/* GET_INFO as built */
	unsigned char info[sizeof(io_probe)];
};

struct io_desc {
	const char *name;
	void (*build)(struct io_state *s);
	struct vfiosim_host_config host;
};

static const char *io_state_name;
/* Inputs run and states rebuilt (fuzz_stats()). */
static unsigned long io_inputs, io_rebuilds;
static char io_what[256];

static const char *io_context(void)
{
	static char buf[400];

	snprintf(buf, sizeof(buf), "  state %s, %s", io_state_name ? io_state_name : "?",
		 io_what);
	return buf;
}

/* ----------------------------------------------------- building states */

static void io_must(struct io_state *s, long ret, const char *what)
{
	if (ret < 0)
		fuzz_fail(IO_NAME, "building state %s: %s: %s", io_state_name, what,
			  fuzz_errname(ret));
}

static void io_host(struct io_state *s, const struct vfiosim_host_config *cfg)
{
	struct vfiosim_host_config hc = *cfg;
	const char *what = NULL;
	long ret;

	hc.strict_uaccess = true;
	s->h = vfiosim_host_new(&hc);
	if (!s->h)
		fuzz_fail(IO_NAME, "vfiosim_host_new failed");
	s->page = vfiosim_page_size(s->h);
	ret = vfiosim_guest_map(s->h, VFIOSIM_LAYOUT_RAM | VFIOSIM_LAYOUT_RO | VFIOSIM_LAYOUT_MMIO,
				&what);
	io_must(s, ret, what);
	io_must(s, vfiosim_user_add(s->h, io_mem, IO_RW_SIZE,
				    VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE), "user RW");
	io_must(s, vfiosim_user_add(s->h, io_ro, IO_RO_SIZE, VFIOSIM_PROT_READ), "user RO");
	io_must(s, vfiosim_user_add(s->h, io_probe, sizeof(io_probe),
				    VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE), "probe");
}

/* The dirty oracle watches from the start (before any mapping or pin). */
static void io_container(struct io_state *s, int type)
{
	s->c = vfiosim_container_new(s->h, type);
	if (!s->c)
		fuzz_fail(IO_NAME, "vfiosim_container_new(%d) failed", type);
	s->o = vfiosim_oracle_new(s->c);
	if (!s->o)
		fuzz_fail(IO_NAME, "vfiosim_oracle_new failed");
}

enum { IO_IOMMU, IO_VENDOR, IO_EMUL };

static struct vfiosim_group *io_group(struct io_state *s, int kind, uint64_t pgsizes,
				      unsigned int iommu_id, bool attach)
{
	struct vfiosim_group_config gc = {
		.kind = kind == IO_EMUL ? VFIOSIM_GROUP_EMULATED : VFIOSIM_GROUP_IOMMU,
		.pgsize_bitmap = pgsizes,
		.iommu_id = iommu_id,
		.has_dma_unmap = kind == IO_VENDOR,
		.nesting = true,
	};
	struct vfiosim_group *g = vfiosim_group_new(s->h, &gc);

	if (!g || s->nr_groups == IO_MAX_GROUPS)
		fuzz_fail(IO_NAME, "vfiosim_group_new failed");
	s->g[s->nr_groups++] = g;
	if (attach)
		io_must(s, vfiosim_container_attach(s->c, g), "attach");
	return g;
}

static void io_map(struct io_state *s, uint64_t vaddr, uint64_t iova, uint64_t size,
		   uint32_t flags)
{
	struct vfio_iommu_type1_dma_map *m = (void *)io_probe;

	memset(io_probe, 0, sizeof(io_probe));
	vfiosim_map_arg(m, flags, vaddr, iova, size);
	io_must(s, vfiosim_ioctl(s->c, VFIO_IOMMU_MAP_DMA, m), "MAP_DMA");
	if (s->nr_maps < IO_MAX_MAPS) {
		s->iova[s->nr_maps] = iova;
		s->size[s->nr_maps++] = size;
	}
}

#define IO_RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/*
 * Three mappings with holes: 16 pages, 8 pages, and one of 2 MiB (huge
 * IOMMU pages) or, where rebuilds should stay cheap, of 64 KiB.
 */
static void io_maps_holes(struct io_state *s, bool huge)
{
	uint64_t p = s->page;

	io_map(s, IO_GUEST, IO_IOVA, 16 * p, IO_RW);
	io_map(s, IO_GUEST + 64 * p, IO_IOVA + 32 * p, 8 * p, IO_RW);
	io_map(s, IO_GUEST + (4ULL << 20), IO_IOVA + (4ULL << 20), huge ? 2ULL << 20 : 0x10000,
	       IO_RW);
}

static void io_dirty(struct io_state *s, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap *d = (void *)io_probe;

	memset(io_probe, 0, sizeof(io_probe));
	vfiosim_dirty_arg(d, flags);
	io_must(s, vfiosim_ioctl(s->c, VFIO_IOMMU_DIRTY_PAGES, d), "DIRTY_PAGES");
	if (flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START)
		s->tracking = true;
}

static void io_pin(struct io_state *s, struct vfiosim_group *g, uint64_t iova, int n, int prot)
{
	uint64_t pfns[16];

	io_must(s, vfiosim_pin_pages(s->c, g, iova, n, prot, pfns), "pin");
}

static void io_write(struct io_state *s, struct vfiosim_group *g, uint64_t iova, size_t len)
{
	io_must(s, vfiosim_device_write(g, iova, len), "device write");
}

#define IO_PRW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

static void st_v2_holes(struct io_state *s)
{
	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_maps_holes(s, true);
}

static void st_v2_tracking(struct io_state *s)
{
	st_v2_holes(s);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	io_write(s, s->g[0], IO_IOVA + 3 * s->page, 2 * s->page);
	io_write(s, s->g[0], IO_IOVA + (5ULL << 20), 100);
}

static void st_v2_emulated(struct io_state *s)
{
	static unsigned char buf[3 * 4096];
	uint64_t p;

	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_EMUL, 0, 0, true);
	p = s->page;
	io_maps_holes(s, false);
	io_map(s, IO_GUEST_RO, IO_IOVA + 64 * p, 4 * p, VFIO_DMA_MAP_FLAG_READ);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	io_pin(s, s->g[0], IO_IOVA + 2 * p, 3, IO_PRW);
	io_pin(s, s->g[0], IO_IOVA + 33 * p, 1, VFIOSIM_PROT_READ);
	io_pin(s, s->g[0], IO_IOVA + 64 * p, 2, VFIOSIM_PROT_READ);
	io_write(s, s->g[0], IO_IOVA + 2 * p + 5, 10);
	io_must(s, vfiosim_dma_rw(s->c, IO_IOVA + 10 * p - 7, buf, sizeof(buf), true),
		"dma_rw");
}

/* An IOMMU group outside the pinned scope next to an emulated one. */
static void st_v2_mixed(struct io_state *s)
{
	uint64_t p;

	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_group(s, IO_EMUL, 0, 0, true);
	p = s->page;
	io_maps_holes(s, false);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	io_pin(s, s->g[1], IO_IOVA + p, 2, IO_PRW);
	io_write(s, s->g[0], IO_IOVA + 7 * p, 3 * p);
}

/* Every group in the pinned scope: only pinned pages are dirty. */
static void st_v2_pinned_scope(struct io_state *s)
{
	uint64_t p;

	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_VENDOR, 0, 0, true);
	p = s->page;
	io_maps_holes(s, false);
	io_pin(s, s->g[0], IO_IOVA + 4 * p, 4, IO_PRW);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	io_pin(s, s->g[0], IO_IOVA + 34 * p, 2, IO_PRW);
	io_write(s, s->g[0], IO_IOVA + 4 * p, p);
}

static void st_v1(struct io_state *s)
{
	io_container(s, VFIO_TYPE1_IOMMU);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_maps_holes(s, false);
}

static void st_v2_64k(struct io_state *s)
{
	uint64_t p;

	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_IOMMU, 0x10000 | 0x20000000, 0, true);
	io_group(s, IO_EMUL, 0, 0, true);
	p = s->page;
	io_map(s, IO_GUEST, IO_IOVA, 8 * p, IO_RW);
	io_map(s, IO_GUEST + 16 * p, IO_IOVA + 16 * p, 4 * p, IO_RW);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	io_pin(s, s->g[1], IO_IOVA + 17 * p, 1, IO_PRW);
	io_write(s, s->g[0], IO_IOVA + p, 3 * p);
}

/* A fresh container with groups but no IOMMU driver yet. */
static void st_bare(struct io_state *s)
{
	io_container(s, 0);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_group(s, IO_EMUL, 0, 0, true);
}

static void st_bare_set(struct io_state *s)
{
	st_bare(s);
	io_must(s, vfiosim_ioctl_arg(s->c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), "SET_IOMMU");
	io_maps_holes(s, false);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	io_pin(s, s->g[1], IO_IOVA + 35 * s->page, 1, IO_PRW);
}

static void st_v2_empty_tracking(struct io_state *s)
{
	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

/* dma_entry_limit reached, little memlock allowance left. */
static void st_v2_limits(struct io_state *s)
{
	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_maps_holes(s, false);
}

/* One mapping's vaddr invalidated (VFIO_UPDATE_VADDR), tracking on. */
static void st_v2_vaddr_invalid(struct io_state *s)
{
	struct vfio_iommu_type1_dma_unmap *u = (void *)io_probe;

	/* Not with vendor devices: those could not be kept from the pages. */
	st_v2_tracking(s);
	memset(io_probe, 0, sizeof(io_probe));
	vfiosim_unmap_arg(u, VFIO_DMA_UNMAP_FLAG_VADDR, s->iova[2], s->size[2]);
	io_must(s, vfiosim_ioctl(s->c, VFIO_IOMMU_UNMAP_DMA, u), "UNMAP_DMA VADDR");
}

static void st_nesting(struct io_state *s)
{
	io_container(s, VFIO_TYPE1_NESTING_IOMMU);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_maps_holes(s, false);
}

/* Read-only and MMIO mappings, and one at the top of the 48-bit aperture. */
static void st_v2_ro_mmio(struct io_state *s)
{
	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_IOMMU, 0, 0, true);
	io_map(s, IO_GUEST_RO, IO_IOVA, 2ULL << 20, VFIO_DMA_MAP_FLAG_READ);
	io_map(s, IO_MMIO, IO_IOVA + (4ULL << 20), 1ULL << 20, IO_RW);
	io_map(s, IO_GUEST, (1ULL << 48) - (2ULL << 20), 2ULL << 20, IO_RW);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

/* Two domains of different IOMMUs and page sizes. */
static void st_v2_two_domains(struct io_state *s)
{
	io_container(s, VFIO_TYPE1v2_IOMMU);
	io_group(s, IO_IOMMU, 0, 1, true);
	io_group(s, IO_VENDOR, 0x1000 | 0x10000 | 0x200000, 2, true);
	io_maps_holes(s, false);
	io_dirty(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	io_write(s, s->g[0], IO_IOVA + (4ULL << 20), 0x3000);
}

/* v1 on 64K pages, several adjacent mappings (v1 may unmap parts). */
static void st_v1_64k(struct io_state *s)
{
	uint64_t p;

	io_container(s, VFIO_TYPE1_IOMMU);
	io_group(s, IO_IOMMU, 0x10000 | 0x20000000, 0, true);
	p = s->page;
	io_map(s, IO_GUEST, IO_IOVA, 4 * p, IO_RW);
	io_map(s, IO_GUEST + 4 * p, IO_IOVA + 4 * p, 4 * p, IO_RW);
	io_map(s, IO_GUEST + 16 * p, IO_IOVA + 12 * p, 2 * p, VFIO_DMA_MAP_FLAG_READ);
}

/* Most states follow the newest kernel (the model's default); a few older
 * ones, so that each version's argument checks are fuzzed too. */
static const struct io_desc io_descs[] = {
	{ .name = "v2-holes-6.12", .build = st_v2_holes,
	  .host = { .kernel = VFIOSIM_KERNEL(6, 12) } },
	{ .name = "v2-tracking", .build = st_v2_tracking },
	{ .name = "v2-emulated-pins", .build = st_v2_emulated },
	{ .name = "v2-mixed-scope", .build = st_v2_mixed },
	{ .name = "v2-pinned-scope", .build = st_v2_pinned_scope },
	{ .name = "v1-4k-5.10", .build = st_v1,
	  .host = { .kernel = VFIOSIM_KERNEL(5, 10) } },
	{ .name = "v2-64k-6.1", .build = st_v2_64k,
	  .host = { .page_size = 0x10000, .kernel = VFIOSIM_KERNEL(6, 1) } },
	{ .name = "bare-no-iommu", .build = st_bare },
	{ .name = "bare-set-v2", .build = st_bare_set },
	{ .name = "v2-empty-tracking", .build = st_v2_empty_tracking },
	{ .name = "v2-limits", .build = st_v2_limits,
	  .host = { .dma_entry_limit = 3, .memlock_limit = 1ULL << 23 } },
	{ .name = "v2-vaddr-invalid", .build = st_v2_vaddr_invalid },
	{ .name = "nesting-6.12", .build = st_nesting,	/* gone since 6.13 */
	  .host = { .kernel = VFIOSIM_KERNEL(6, 12) } },
	{ .name = "v2-ro-mmio-top", .build = st_v2_ro_mmio },
	{ .name = "v2-two-domains", .build = st_v2_two_domains },
	{ .name = "v1-64k", .build = st_v1_64k,
	  .host = { .page_size = 0x10000 } },
};

#define IO_NR_STATES	(sizeof(io_descs) / sizeof(io_descs[0]))

static struct io_state io_states[IO_NR_STATES];

static void io_print_take(struct io_state *s, struct io_print *p)
{
	p->locked = vfiosim_mm_locked_vm(s->h);
	p->pinned = vfiosim_mm_pinned_total(s->h);
	p->log = vfiosim_log_count(s->h);
	p->live = vfiosim_live_allocs(s->h);
	p->warnings = vfiosim_warnings(s->h);
}

static long io_info_take(struct io_state *s, unsigned char *out)
{
	struct vfio_iommu_type1_info *info = (void *)io_probe;
	long ret;

	memset(io_probe, 0, sizeof(io_probe));
	vfiosim_info_arg(info, sizeof(io_probe));
	ret = vfiosim_ioctl(s->c, VFIO_IOMMU_GET_INFO, info);
	memcpy(out, io_probe, sizeof(io_probe));
	return ret;
}

/*
 * Builds a state.  Its host (guest memory, user memory registrations)
 * outlives rebuilds: what a rebuild leaves different in it (object ids,
 * the write log, bytes written into guest pages) no ioctl can observe,
 * and fresh guest memory would cost page faults on every rebuild.
 */
static void io_build(unsigned int i)
{
	struct io_state *s = &io_states[i];
	struct vfiosim_host *h = s->h;

	memset(s, 0, sizeof(*s));
	io_state_name = io_descs[i].name;
	if (h) {
		s->h = h;
		s->page = vfiosim_page_size(h);
	} else {
		io_host(s, &io_descs[i].host);
	}
	io_descs[i].build(s);
	if (vfiosim_warnings(s->h))
		fuzz_fail(IO_NAME, "state %s: built with a WARN: %s", io_state_name,
			  vfiosim_last_warning(s->h));
	io_print_take(s, &s->print);
	s->info_ret = io_info_take(s, s->info);
	s->built = true;
}

/* The write log grows by a few entries per rebuild: start afresh now and then. */
#define IO_LOG_MAX	65536

/* Frees a state: nothing may be left pinned, charged or allocated. */
static void io_teardown(unsigned int i, bool keep_host)
{
	struct io_state *s = &io_states[i];
	unsigned int k;

	if (!s->built)
		return;
	io_state_name = io_descs[i].name;
	vfiosim_container_free(s->c);
	vfiosim_oracle_free(s->o);
	for (k = 0; k < s->nr_groups; k++)
		vfiosim_group_free(s->g[k]);
	if (vfiosim_mm_pinned_total(s->h) || vfiosim_mm_locked_vm(s->h) ||
	    vfiosim_live_allocs(s->h) || vfiosim_warnings(s->h))
		fuzz_fail(IO_NAME, "state %s freed: %" PRIu64 " pins, %" PRIu64 " locked pages, "
			  "%lu allocations left, %u WARN(s) (last: %s)", io_state_name,
			  vfiosim_mm_pinned_total(s->h), vfiosim_mm_locked_vm(s->h),
			  vfiosim_live_allocs(s->h), vfiosim_warnings(s->h),
			  vfiosim_last_warning(s->h));
	s->built = false;
	if (keep_host && vfiosim_log_count(s->h) < IO_LOG_MAX)
		return;
	vfiosim_host_free(s->h);
	s->h = NULL;
}

/* ------------------------------------------------------------ decoding */

/*
 * The pointer menu: the low 4 bits of an encoded pointer choose where it
 * points, the rest is an offset (docs/fuzzing.md has the table).
 */
static uint64_t io_ptr(uint64_t v, bool *guest)
{
	uint64_t off = v >> 4;

	switch (v & 0xf) {
	case 0:
		return off & 0xfff;				/* NULL and just above */
	case 2:
		/* runs off the end */
		return (uintptr_t)io_bm + IO_BM_SIZE - 1 - (off % 512);
	case 3:
		return (uintptr_t)io_ro + off % IO_RO_SIZE;	/* read-only */
	case 4:
		return (uintptr_t)io_gap + off % IO_GAP_SIZE;	/* unregistered */
	case 5:
		return 0x7ffffffff000ULL - (off & 0xffff);	/* the user limit */
	case 6:
		return 0xffff800000000000ULL + off;		/* kernel half */
	case 7:
		*guest = true;
		return IO_WIN + off % IO_WIN_SIZE;		/* guest RAM */
	case 8:
		return IO_GUEST_RO + off % IO_GUEST_RO_SZ;	/* read-only guest */
	case 9:
		return off;					/* anything */
	default:
		return (uintptr_t)io_bm + off % IO_BM_SIZE;	/* the bitmap area */
	}
}

/*
 * Relative IOVAs: the low byte picks one of the state's mappings, the
 * rest (signed) counts pages from its start.  Sizes below 0x40 run to the
 * end of the size-th mapping after it, below 0x100 count pages.
 */
static void io_rel(const struct io_state *s, __u64 *iova, __u64 *size)
{
	unsigned int n = s->nr_maps, i = n ? (unsigned int)(*iova & 0xff) % n : 0;
	uint64_t base = n ? s->iova[i] : IO_IOVA;
	uint64_t raw = *size;

	*iova = base + (uint64_t)((int64_t)*iova >> 8) * s->page;
	if (raw < 0x40 && n) {
		unsigned int j = (i + (unsigned int)raw) % n;

		*size = s->iova[j] + s->size[j] - *iova;
	} else if (raw < 0x100) {
		*size = (raw - 0x40) * s->page;
	}
}

/* A page size below 64 is a shift of the CPU page size. */
static uint64_t io_rel_pgsize(const struct io_state *s, uint64_t raw)
{
	return raw < 64 ? s->page << raw : raw;
}

/*
 * A bitmap size below 0x100 is relative to the words up to the range's
 * end (a word more than it needs when it ends on a word boundary).
 */
static uint64_t io_rel_bitmap_size(uint64_t raw, uint64_t size, uint64_t pgsize)
{
	uint64_t words;

	if (raw >= 0x100 || !pgsize || (pgsize & (pgsize - 1)))
		return raw;
	words = vfiosim_bitmap_pages(size, pgsize) / 64 + 1;
	return words * 8 + (uint64_t)(int64_t)(int8_t)raw;
}

#define IO_FIX_ARGSZ	0x1
#define IO_REL		0x2
#define IO_BM_ONES	0x4

static const unsigned int io_cmds[] = {
	VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO,
	VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA, VFIO_IOMMU_DIRTY_PAGES,
};
#define IO_NR_CMDS	(sizeof(io_cmds) / sizeof(io_cmds[0]))

static const char *io_cmd_name(unsigned int cmd)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION: return "GET_API_VERSION";
	case VFIO_CHECK_EXTENSION: return "CHECK_EXTENSION";
	case VFIO_SET_IOMMU: return "SET_IOMMU";
	case VFIO_IOMMU_GET_INFO: return "GET_INFO";
	case VFIO_IOMMU_MAP_DMA: return "MAP_DMA";
	case VFIO_IOMMU_UNMAP_DMA: return "UNMAP_DMA";
	case VFIO_IOMMU_DIRTY_PAGES: return "DIRTY_PAGES";
	case VFIOSIM_IOMMU_DIRTY_PROVIDER: return "DIRTY_PROVIDER (vfiosim)";
	default: return "unknown";
	}
}

/* The struct-aware fixes of an argument built in arg[] (see IO_* modes). */
static void io_fixup(const struct io_state *s, unsigned int cmd, unsigned int mode,
		     unsigned char *arg, bool *guest)
{
	switch (cmd) {
	case VFIO_IOMMU_GET_INFO: {
		struct vfio_iommu_type1_info info;

		memcpy(&info, arg, sizeof(info));
		if (mode & IO_FIX_ARGSZ)
			info.argsz = info.argsz & 1 ? IO_ARG_SIZE : sizeof(info);
		memcpy(arg, &info, sizeof(info));
		break;
	}
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map m;

		memcpy(&m, arg, sizeof(m));
		if (mode & IO_FIX_ARGSZ)
			m.argsz = sizeof(m);
		if (mode & IO_REL) {
			static const uint64_t bases[4] = { IO_GUEST, IO_GUEST_RO, IO_MMIO,
							   VFIOSIM_GUEST_HOLE };

			io_rel(s, &m.iova, &m.size);
			m.vaddr = bases[m.vaddr & 3] + (m.vaddr >> 2) * s->page;
		}
		memcpy(arg, &m, sizeof(m));
		break;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfiosim_dirty_unmap_arg u;

		memcpy(&u, arg, sizeof(u));
		if (mode & IO_FIX_ARGSZ)
			u.argsz = u.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP ? sizeof(u) :
				  sizeof(struct vfio_iommu_type1_dma_unmap);
		if (mode & IO_REL) {
			io_rel(s, &u.iova, &u.size);
			u.bitmap.pgsize = io_rel_pgsize(s, u.bitmap.pgsize);
			u.bitmap.size = io_rel_bitmap_size(u.bitmap.size, u.size, u.bitmap.pgsize);
		}
		u.bitmap.data = (void *)(uintptr_t)io_ptr((uintptr_t)u.bitmap.data, guest);
		memcpy(arg, &u, sizeof(u));
		break;
	}
	case VFIO_IOMMU_DIRTY_PAGES: {
		struct vfiosim_dirty_get_arg d;

		memcpy(&d, arg, sizeof(d));
		if (mode & IO_FIX_ARGSZ)
			d.argsz = d.flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP ? sizeof(d) :
				  sizeof(struct vfio_iommu_type1_dirty_bitmap);
		if (mode & IO_REL) {
			io_rel(s, &d.get.iova, &d.get.size);
			d.get.bitmap.pgsize = io_rel_pgsize(s, d.get.bitmap.pgsize);
			d.get.bitmap.size = io_rel_bitmap_size(d.get.bitmap.size, d.get.size,
							       d.get.bitmap.pgsize);
		}
		d.get.bitmap.data = (void *)(uintptr_t)io_ptr((uintptr_t)d.get.bitmap.data, guest);
		memcpy(arg, &d, sizeof(d));
		break;
	}
	default:
		break;
	}
}

/*
 * Where the argument lives (mode bits 4-7): our argument area, the
 * read-only area, straddling the read-only area's end, or places where
 * nothing may be read (then no bytes are put there).
 */
static uint64_t io_place(struct io_state *s, unsigned int sel, const unsigned char *arg,
			 bool *guest)
{
	unsigned char *where = NULL;
	uint64_t uaddr;
	size_t room;

	switch (sel) {
	case 1:
		where = io_ro;
		room = IO_RO_SIZE;
		break;
	case 2:
		where = io_ro + IO_RO_SIZE - 12;
		room = 12;
		break;
	case 3:
		return 0;
	case 4:
		return (uintptr_t)io_gap;
	case 5:
		return 0x7ffffffff000ULL - 16;
	case 6:
		return 0xffff800000000000ULL;
	case 7:
		*guest = true;
		where = vfiosim_mm_ptr(s->h, IO_WIN_ARG);
		memcpy(where, arg, IO_ARG_SIZE);
		return IO_WIN_ARG;
	default:
		where = io_arg;
		room = IO_ARG_SIZE;
		break;
	}
	uaddr = (uintptr_t)where;
	memcpy(where, arg, room < IO_ARG_SIZE ? room : IO_ARG_SIZE);
	return uaddr;
}

/*
 * Only the queries are known to change nothing: any other command, the raw
 * ones included (the fuzzer finds the vfiosim extension's numbers), may.
 */
static bool io_stateful(unsigned int cmd)
{
	return cmd != VFIO_GET_API_VERSION && cmd != VFIO_CHECK_EXTENSION &&
	       cmd != VFIO_IOMMU_GET_INFO;
}

static bool io_ret_ok(unsigned int cmd, long ret)
{
	switch (ret) {
	case 0:
		return true;
	case 1:
		return cmd == VFIO_CHECK_EXTENSION;
	case -E2BIG: case -EACCES: case -EBUSY: case -EEXIST: case -EFAULT:
	case -EINVAL: case -ENODEV: case -ENOENT: case -ENOMEM: case -ENOSPC: case -ENOTTY:
	case -EPERM: case -EOVERFLOW:	/* wrapping ranges, since 6.19 */
		return true;
	default:
		return false;
	}
}

/* What restores a state after an input. */
enum io_after { IO_KEEP, IO_UNDO_MAP, IO_UNDO_START, IO_REBUILD };

/* VFIOSIM_FUZZ_REBUILD=1: rebuild after every change, never undo. */
static bool io_always_rebuild;

/*
 * Failed calls change nothing (checked below), except where the dirty
 * oracle's view changes: a copy fault or -EBUSY.  A new mapping is undone
 * by unmapping it, START from a state without tracking by STOP; START
 * while tracking and STOP without it do nothing.  Anything else that
 * succeeded rebuilds the state.
 */
static enum io_after io_after(const struct io_state *s, unsigned int cmd, long ret,
			      const unsigned char *arg, bool unreadable)
{
	uint32_t flags;

	memcpy(&flags, arg + 4, sizeof(flags));
	if (!io_stateful(cmd))
		return IO_KEEP;
	/* Nobody could read the argument: nothing happened. */
	if (ret == -EFAULT && unreadable)
		return IO_KEEP;
	if (ret == -EFAULT || ret == -EBUSY)
		return IO_REBUILD;
	if (ret < 0)
		return IO_KEEP;
	if (io_always_rebuild)
		return IO_REBUILD;
	if (cmd == VFIO_IOMMU_MAP_DMA && !(flags & VFIO_DMA_MAP_FLAG_VADDR))
		return IO_UNDO_MAP;
	if (cmd == VFIO_IOMMU_DIRTY_PAGES && flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START)
		return s->tracking ? IO_KEEP : IO_UNDO_START;
	if (cmd == VFIO_IOMMU_DIRTY_PAGES && flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP &&
	    !s->tracking)
		return IO_KEEP;
	return IO_REBUILD;
}

static void io_undo(struct io_state *s, enum io_after how, const unsigned char *arg)
{
	long ret;

	memset(io_probe, 0, sizeof(io_probe));
	if (how == IO_UNDO_MAP) {
		struct vfio_iommu_type1_dma_map m;
		struct vfio_iommu_type1_dma_unmap *u = (void *)io_probe;

		memcpy(&m, arg, sizeof(m));
		vfiosim_unmap_arg(u, 0, m.iova, m.size);
		ret = vfiosim_ioctl(s->c, VFIO_IOMMU_UNMAP_DMA, u);
		if (ret || u->size != m.size)
			fuzz_fail(IO_NAME, "unmapping the new mapping [0x%llx, +0x%llx) again: %s, "
				  "0x%llx bytes", m.iova, m.size, fuzz_errname(ret), u->size);
	} else {
		struct vfio_iommu_type1_dirty_bitmap *d = (void *)io_probe;

		vfiosim_dirty_arg(d, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
		ret = vfiosim_ioctl(s->c, VFIO_IOMMU_DIRTY_PAGES, d);
		if (ret)
			fuzz_fail(IO_NAME, "STOP after START: %s", fuzz_errname(ret));
	}
}

/* The state must be as built: counters, and GET_INFO after stateful commands. */
static void io_same(struct io_state *s, unsigned int cmd, long ret, const char *what)
{
	unsigned char info[sizeof(io_probe)];
	struct io_print now;
	long iret;

	io_print_take(s, &now);
	if (now.locked != s->print.locked || now.pinned != s->print.pinned ||
	    now.live != s->print.live || now.log != s->print.log ||
	    now.warnings != s->print.warnings)
		fuzz_fail(IO_NAME, "%s (%s) left locked_vm %" PRIu64 " (was %" PRIu64 "), pins %"
			  PRIu64 " (%" PRIu64 "), %lu allocations (%lu), %u WARNs (%u)", what,
			  fuzz_errname(ret), now.locked, s->print.locked, now.pinned,
			  s->print.pinned, now.live, s->print.live, now.warnings,
			  s->print.warnings);
	if (!io_stateful(cmd))
		return;
	iret = io_info_take(s, info);
	if (iret != s->info_ret || memcmp(info, s->info, sizeof(info)))
		fuzz_fail(IO_NAME, "%s (%s) changed the container (GET_INFO differs)", what,
			  fuzz_errname(ret));
}

static void io_check(struct io_state *s, unsigned int cmd, long ret, const unsigned char *arg,
		     bool unreadable, bool *rebuild)
{
	struct vfiosim_oracle_stats st;
	enum io_after how;
	char why[256];

	if (!io_ret_ok(cmd, ret))
		fuzz_fail(IO_NAME, "returned %s", fuzz_errname(ret));
	if (vfiosim_warnings(s->h) != s->print.warnings)
		fuzz_fail(IO_NAME, "WARN: %s", vfiosim_last_warning(s->h));
	if (vfiosim_oracle_status(s->o, &st))
		fuzz_fail(IO_NAME, "dirty oracle: %s", st.first);
	if (vfiosim_container_check(s->c, why, sizeof(why)))
		fuzz_fail(IO_NAME, "container check: %s", why);

	how = io_after(s, cmd, ret, arg, unreadable);
	*rebuild = how == IO_REBUILD;
	if (how == IO_REBUILD)
		return;
	if (how != IO_KEEP) {
		io_undo(s, how, arg);
		if (vfiosim_oracle_status(s->o, &st))
			fuzz_fail(IO_NAME, "dirty oracle, undoing the input: %s", st.first);
		io_same(s, cmd, ret, "the input undone");
		return;
	}
	io_same(s, cmd, ret, ret < 0 ? "a failed call" : "a call that changes nothing");
}

/* ---------------------------------------------------------- the target */

static void io_init(void)
{
	unsigned int i;

	fuzz_trace_init();
	fuzz_set_context(io_context);
	io_always_rebuild = getenv("VFIOSIM_FUZZ_REBUILD") != NULL;
	for (i = 0; i < IO_NR_STATES; i++)
		io_build(i);
}

static void io_fini(void)
{
	unsigned int i;

	for (i = 0; i < IO_NR_STATES; i++)
		io_teardown(i, false);
	fuzz_set_context(NULL);
	fuzz_stats("ioctl: %lu inputs, %lu states rebuilt", io_inputs, io_rebuilds);
}

/*
 * Input: state, command, mode, fault, raw command (4 bytes), then the
 * argument bytes (docs/fuzzing.md).
 */
static int io_one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int si = fuzz_u8(&in) % IO_NR_STATES;
	unsigned int csel = fuzz_u8(&in) % (IO_NR_CMDS + 1);
	unsigned int mode = fuzz_u8(&in);
	unsigned int fault = fuzz_u8(&in);
	uint32_t raw = fuzz_u32(&in);
	unsigned int cmd = csel < IO_NR_CMDS ? io_cmds[csel] : raw;
	unsigned int place = (mode >> 4) & 0xf;
	unsigned char arg[IO_ARG_SIZE] = { 0 };
	struct io_state *s = &io_states[si];
	bool guest = false, rebuild;
	uint64_t uarg;
	long ret;

	if (!s->built)
		io_build(si);
	io_state_name = io_descs[si].name;
	/* io_mem is all zeros here (see the end). */
	memcpy(arg, in.p, in.n < sizeof(arg) ? in.n : sizeof(arg));
	if (mode & IO_BM_ONES)
		memset(io_bm, 0xff, IO_BM_SIZE);
	io_fixup(s, cmd, mode, arg, &guest);
	snprintf(io_what, sizeof(io_what), "cmd 0x%x (%s), mode 0x%x, fault 0x%x", cmd,
		 io_cmd_name(cmd), mode, fault);
	if (fuzz_trace)
		fprintf(stderr, "ioctl: state %s: %s\n", io_state_name, io_what);

	switch (fault & 3) {
	case 1:
		vfiosim_fail_nth_alloc(s->h, 1 + (fault >> 2));
		break;
	case 2:
		vfiosim_fail_nth_copy(s->h, 1 + (fault >> 2));
		break;
	}
	if (cmd == VFIO_CHECK_EXTENSION || cmd == VFIO_SET_IOMMU || cmd == VFIO_GET_API_VERSION) {
		uint64_t v;

		memcpy(&v, arg, sizeof(v));
		ret = vfiosim_ioctl_arg(s->c, cmd, (unsigned long)v);
	} else {
		uarg = io_place(s, place, arg, &guest);
		ret = vfiosim_ioctl(s->c, cmd, (void *)(uintptr_t)uarg);
	}
	vfiosim_fail_nth_alloc(s->h, 0);
	vfiosim_fail_nth_copy(s->h, 0);
	if (fuzz_trace)
		fprintf(stderr, "ioctl: -> %s\n", fuzz_errname(ret));

	io_check(s, cmd, ret, arg, place >= 3 && place <= 6, &rebuild);
	/* Zero again what the input or the call may have written. */
	memset(io_arg, 0, IO_ARG_SIZE);
	memset(io_ro, 0, IO_RO_SIZE);
	if ((mode & IO_BM_ONES) || cmd == VFIO_IOMMU_UNMAP_DMA || cmd == VFIO_IOMMU_DIRTY_PAGES ||
	    cmd == VFIO_IOMMU_GET_INFO)
		memset(io_bm, 0, IO_BM_SIZE);
	if (guest)
		memset(vfiosim_mm_ptr(s->h, IO_WIN_ARG), 0, IO_GUEST + IO_GUEST_SIZE - IO_WIN_ARG);
	io_inputs++;
	if (rebuild) {
		io_rebuilds++;
		io_teardown(si, true);
		io_build(si);
	}
	return 0;
}

const struct fuzz_target fuzz_target_ioctl = {
	.name = IO_NAME,
	.init = io_init,
	.one = io_one,
	.fini = io_fini,
};
