// SPDX-License-Identifier: MIT
/*
 * seq_lang.c - decoding and running the operation-sequence language
 * (seq_lang.h), and the invariants checked after every operation.
 *
 * The interpreter keeps its own view of each world (mappings, vendor
 * pins, which IOMMU groups joined the pinned-page scope) so that inputs
 * can name real mappings and so that devices keep the promise the dirty
 * oracle rests on: an IOMMU-backed device whose driver has pinned pages
 * writes only pages somebody pinned.  Everything else a userspace
 * process, a vendor driver or a device may legally do is allowed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq_lang.h"
#include "vfiosim_client.h"

/* Guest memory of every world (lazily committed), never program memory:
 * the standard layout, every region of it. */
#define SL_GUEST	VFIOSIM_GUEST_RAM
#define SL_GUEST_SIZE	VFIOSIM_GUEST_RAM_SIZE
#define SL_SCATTER	VFIOSIM_GUEST_SCATTER
#define SL_SCATTER_SIZE	VFIOSIM_GUEST_SCATTER_SIZE
#define SL_GUEST_RO	VFIOSIM_GUEST_RO
#define SL_GUEST_RO_SZ	VFIOSIM_GUEST_RO_SIZE
#define SL_MMIO		VFIOSIM_GUEST_MMIO
#define SL_MMIO_SIZE	VFIOSIM_GUEST_MMIO_SIZE
#define SL_HOLE		VFIOSIM_GUEST_HOLE
/* Bitmaps put in guest memory go here: the end of guest RAM, so that
 * what a report writes stays in the window. */
#define SL_WIN_SIZE	0x10000ULL
#define SL_WIN		(SL_GUEST + SL_GUEST_SIZE - SL_WIN_SIZE)
#define SL_IOVA		VFIOSIM_IOVA

/* The calling program's memory of a world (sl_areas): arguments and
 * bitmaps (read-write), a hole, a read-only area. */
#define SL_ARG_SIZE	4096
#define SL_BM_SIZE	(64 * 1024)
#define SL_GAP_SIZE	4096
#define SL_RO_SIZE	4096
#define SL_MEM_SIZE	(SL_ARG_SIZE + SL_BM_SIZE + SL_GAP_SIZE + SL_RO_SIZE)
#define SL_RW_BUF	(64 * 1024 + 64)

const struct sl_area sl_areas[SL_AREAS] = {
	[SL_AREA_ARG] = { SL_ARG_SIZE, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE },
	[SL_AREA_BM] = { SL_BM_SIZE, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE },
	[SL_AREA_GAP] = { SL_GAP_SIZE, 0 },
	[SL_AREA_RO] = { SL_RO_SIZE, VFIOSIM_PROT_READ },
};

#define SL_WORLDS	2
static unsigned char sl_mem[SL_WORLDS][SL_MEM_SIZE] __attribute__((aligned(4096)));
static unsigned char sl_rw_bufs[SL_WORLDS][SL_RW_BUF];
/* Pin results: VFIO_PIN_PAGES_MAX_ENTRIES of a 64K-page host, and more. */
#define SL_PFNS		(65536 / 8 + 8)
static uint64_t sl_pfns[SL_WORLDS][SL_PFNS];

#define SL_OFF_BM	SL_ARG_SIZE
#define SL_OFF_GAP	(SL_OFF_BM + SL_BM_SIZE)
#define SL_OFF_RO	(SL_OFF_GAP + SL_GAP_SIZE)
#define sl_arg(w)	((w)->mem)
#define sl_bm(w)	((w)->mem + SL_OFF_BM)

/* Bitmap pointer choices (low 3 bits of the buf operand). */
enum {
	SL_BUF_GOOD, SL_BUF_RO, SL_BUF_UNREG, SL_BUF_NULL, SL_BUF_SHORT, SL_BUF_GUEST,
	SL_BUF_KERNEL, SL_BUF_LIMIT,
};

const unsigned char sl_op_len[SL_NR_OPS] = {
	[SL_ATTACH] = 1, [SL_DETACH] = 1, [SL_MAP] = 7, [SL_UNMAP] = 4, [SL_UNMAP_BM] = 6,
	[SL_START] = 0, [SL_STOP] = 0, [SL_GET] = 5, [SL_PIN] = 5, [SL_UNPIN] = 1,
	[SL_DMA_RW] = 4, [SL_WRITE] = 4, [SL_FAIL_ALLOC] = 1, [SL_FAIL_COPY] = 1,
	[SL_SET_IOMMU] = 1, [SL_GET_INFO] = 1, [SL_CHECK_EXT] = 1, [SL_PROVIDER] = 1,
};

static const char *const sl_op_names[SL_NR_OPS] = {
	"ATTACH", "DETACH", "MAP", "UNMAP", "UNMAP+BITMAP", "START", "STOP", "GET_BITMAP",
	"PIN", "UNPIN", "DMA_RW", "DEVICE_WRITE", "FAIL_ALLOC", "FAIL_COPY", "SET_IOMMU",
	"GET_INFO", "CHECK_EXTENSION", "DIRTY_PROVIDER",
};

/* ------------------------------------------------------------- worlds */

void sl_header(struct fuzz_in *in, unsigned int mode, struct sl_config *cfg)
{
	uint8_t b0 = fuzz_u8(in), b1 = fuzz_u8(in);

	cfg->host = b0 & 3;
	cfg->type = b0 & (3 << 2);
	/* A changing tracking unit is a documented divergence (granularity). */
	cfg->coarse = (b0 & SL_CFG_COARSE) && !(mode & SL_MODE_DIFF);
	/* Unaligned pins: keyed by raw IOVA in Linux (divergences.md 7). */
	cfg->unaligned = (b0 & SL_CFG_UNALIGNED) && !(mode & SL_MODE_DIFF);
	/* Linux has no provider: the diff target's worlds never get one. */
	cfg->providers = (b0 & SL_CFG_PROVIDERS) && !(mode & SL_MODE_DIFF);
	cfg->attach = b1 & 0xf;
	cfg->kernel = fuzz_kernel();
	if (!(mode & SL_MODE_DIFF)) {
		static const unsigned int profiles[4] = { VFIOSIM_KERNEL_NEWEST,
			VFIOSIM_KERNEL(6, 12), VFIOSIM_KERNEL(6, 1), VFIOSIM_KERNEL(5, 10) };

		cfg->kernel = profiles[(b1 >> SL_KERNEL_SHIFT) & 3];
	}
}

static void sl_must(struct sl_world *w, long ret, const char *what)
{
	if (ret < 0)
		fuzz_fail(w->who, "setting up the world: %s: %s", what, fuzz_errname(ret));
}

static unsigned int sl_group_index(const struct sl_world *w, const struct vfiosim_group *g)
{
	unsigned int i;

	for (i = 0; i < SL_GROUPS; i++)
		if (w->g[i] == g)
			return i;
	fuzz_fail(w->who, "dma_unmap callback for a group not in the world");
}

static void sl_pin_drop(struct sl_world *w, size_t k)
{
	w->pins[k] = w->pins[--w->nr_pins];
}

/*
 * The vendor driver's dma_unmap callback: it gives back every page it
 * pinned in the range, as the default reaction would, and keeps the
 * interpreter's list of pins exact.
 */
static void sl_dma_unmap(void *opaque, struct vfiosim_group *g, uint64_t iova, uint64_t len)
{
	struct sl_world *w = opaque;
	unsigned int gi = sl_group_index(w, g);
	size_t k = 0;

	while (k < w->nr_pins) {
		struct sl_pin p = w->pins[k];

		if (p.g != gi || p.iova - iova >= len) {
			k++;
			continue;
		}
		sl_pin_drop(w, k);
		while (p.count--)
			vfiosim_unpin_pages(w->c, g, p.iova, 1);
	}
}

static void sl_pin_add(struct sl_world *w, unsigned int g, uint64_t iova)
{
	size_t k;

	for (k = 0; k < w->nr_pins; k++) {
		if (w->pins[k].g == g && w->pins[k].iova == iova) {
			w->pins[k].count++;
			return;
		}
	}
	if (w->nr_pins == w->cap_pins) {
		size_t cap = w->cap_pins ? 2 * w->cap_pins : 64;
		struct sl_pin *p = realloc(w->pins, cap * sizeof(*p));

		if (!p)
			abort();
		w->pins = p;
		w->cap_pins = cap;
	}
	w->pins[w->nr_pins++] = (struct sl_pin){ g, iova, 1 };
}

static void sl_pins_forget_group(struct sl_world *w, unsigned int g)
{
	size_t k = 0;

	while (k < w->nr_pins) {
		if (w->pins[k].g == g)
			sl_pin_drop(w, k);
		else
			k++;
	}
}

static bool sl_iommu_group(unsigned int g)
{
	return g != 2;
}

void sl_world_spec(const struct sl_config *cfg, struct sl_spec *spec)
{
	static const int types[4] = { VFIO_TYPE1v2_IOMMU, 0, VFIO_TYPE1_IOMMU,
				      VFIO_TYPE1_NESTING_IOMMU };
	uint64_t p = cfg->host == SL_HOST_64K ? 0x10000 : 0x1000, def, coarse;
	unsigned int i;

	memset(spec, 0, sizeof(*spec));
	spec->host.strict_uaccess = true;
	spec->host.kernel = cfg->kernel;
	switch (cfg->host) {
	case SL_HOST_64K:
		spec->host.page_size = p;
		break;
	case SL_HOST_MEMLOCK:
		spec->host.memlock_limit = 1ULL << 20;
		break;
	case SL_HOST_DMA_LIMIT:
		spec->host.dma_entry_limit = 8;
		break;
	}
	/* 4K|2M|1G, or 64K|512M on a 64K host; group 3 has its own set. */
	def = p == 0x10000 ? 0x10000 | 0x20000000 : 0;
	coarse = p == 0x10000 ? 0x10000 | 0x200000 | 0x20000000 : 0x1000 | 0x10000 | 0x200000;
	if (cfg->coarse)
		coarse = p == 0x10000 ? 0x20000000 : 0x10000 | 0x200000;
	for (i = 0; i < SL_GROUPS; i++) {
		struct vfiosim_group_config *gc = &spec->group[i];

		spec->vendor[i] = i != 1;
		/* An emulated group has no IOMMU, nothing else to say. */
		if (!sl_iommu_group(i)) {
			gc->kind = VFIOSIM_GROUP_EMULATED;
			continue;
		}
		gc->kind = VFIOSIM_GROUP_IOMMU;
		gc->pgsize_bitmap = i == 3 ? coarse : def;
		gc->iommu_id = i == 3 ? 2 : 1;
		gc->has_dma_unmap = spec->vendor[i];
		gc->nesting = true;
		if (!cfg->providers)
			continue;
		gc->dirty_tracking = gc->iommu_id == 1;
		if (i != 1)
			gc->tracker_ranges = i == 0 ? 2 : 1;
		if (i == 3)
			gc->tracker_capacity = 16;
	}
	spec->type = types[cfg->type >> 2];
	if (cfg->type == SL_TYPE_NESTING)
		spec->fallback = VFIO_TYPE1v2_IOMMU;
	/*
	 * A unit that changes while tracking may over-report (divergences.md
	 * 4), which the exact check cannot tell from a wrong bit; missed pages
	 * and bits outside the mappings are still caught.
	 */
	spec->lenient = cfg->coarse;
}

void sl_world_init(struct sl_world *w, const char *who, unsigned int index,
		   const struct sl_config *cfg, const struct vfiosim_backend *be,
		   unsigned int mode)
{
	struct sl_spec spec;
	const char *what = NULL;
	unsigned int i;
	size_t off = 0;
	int ret;

	memset(w, 0, sizeof(*w));
	w->who = who;
	w->index = index;
	w->mode = mode;
	w->cfg = *cfg;
	w->be = be ? be : vfiosim_backend_find(NULL);
	w->mem = sl_mem[index];
	w->rw_buf = sl_rw_bufs[index];
	sl_world_spec(cfg, &spec);
	w->h = vfiosim_host_new(&spec.host);
	if (!w->h)
		fuzz_fail(who, "vfiosim_host_new failed");
	w->page = vfiosim_page_size(w->h);
	ret = vfiosim_guest_map(w->h, VFIOSIM_LAYOUT_RAM | VFIOSIM_LAYOUT_SCATTER |
				VFIOSIM_LAYOUT_RO | VFIOSIM_LAYOUT_MMIO, &what);
	sl_must(w, ret, what);
	for (i = 0; i < SL_AREAS; i++) {
		sl_must(w, vfiosim_user_add(w->h, w->mem + off, sl_areas[i].size,
					    sl_areas[i].prot), "user memory");
		off += sl_areas[i].size;
	}
	for (i = 0; i < SL_GROUPS; i++) {
		w->g[i] = vfiosim_group_new(w->h, &spec.group[i]);
		if (!w->g[i])
			fuzz_fail(who, "vfiosim_group_new failed");
		if (spec.vendor[i])
			vfiosim_group_set_dma_unmap(w->g[i], sl_dma_unmap, w);
	}

	w->type = spec.type;
	w->c = vfiosim_container_new_backend(w->h, spec.type, w->be);
	if (!w->c && errno == EINVAL && spec.fallback) {
		w->type = spec.fallback;
		w->c = vfiosim_container_new_backend(w->h, spec.fallback, w->be);
	}
	if (!w->c)
		fuzz_fail(who, "vfiosim_container_new_backend failed");
	w->driver = spec.type != 0;
	w->o = vfiosim_oracle_new(w->c);
	if (!w->o)
		fuzz_fail(who, "vfiosim_oracle_new failed");
	if (spec.lenient)
		vfiosim_oracle_set_exact(w->o, false);
	for (i = 0; i < SL_GROUPS; i++) {
		if (!(cfg->attach & (1U << i)))
			continue;
		sl_must(w, vfiosim_container_attach(w->c, w->g[i]), "attach");
		w->attached[i] = true;
	}
	if (!spec.type && cfg->attach) {
		sl_must(w, vfiosim_ioctl_arg(w->c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU),
			"SET_IOMMU");
		w->driver = true;
	}
	w->warnings = vfiosim_warnings(w->h);
	if (w->warnings)
		fuzz_fail(who, "WARN while setting up: %s", vfiosim_last_warning(w->h));
}

const char *sl_world_free(struct sl_world *w)
{
	static char why[300];
	struct vfiosim_host *h = w->h;
	unsigned int i;

	vfiosim_container_free(w->c);
	vfiosim_oracle_free(w->o);
	for (i = 0; i < SL_GROUPS; i++)
		vfiosim_group_free(w->g[i]);
	why[0] = '\0';
	if (vfiosim_warnings(h) != w->warnings)
		snprintf(why, sizeof(why), "WARN while tearing down: %s",
			 vfiosim_last_warning(h));
	else if (vfiosim_mm_pinned_total(h) || vfiosim_mm_locked_vm(h) || vfiosim_live_allocs(h))
		snprintf(why, sizeof(why), "after freeing everything: %" PRIu64 " page pin(s), %"
			 PRIu64 " page(s) in locked_vm, %lu simulator allocation(s) left",
			 vfiosim_mm_pinned_total(h), vfiosim_mm_locked_vm(h),
			 vfiosim_live_allocs(h));
	vfiosim_host_free(h);
	free(w->pins);
	w->pins = NULL;
	w->h = NULL;
	return why[0] ? why : NULL;
}

void sl_world_fini(struct sl_world *w)
{
	const char *who = w->who, *why = sl_world_free(w);

	if (why)
		fuzz_fail(who, "%s", why);
}

/* ----------------------------------------------------------- decoding */

static const uint64_t sl_extremes[16] = {
	0, 1, 0xfff, 0x1000, SL_IOVA, 0xfee00000, 1ULL << 32, (1ULL << 48) - 0x200000,
	1ULL << 48, 1ULL << 63, 0ULL - 0x1000, ~0ULL, 0ULL - 0x200000, 0x200000,
	0x7ffffffff000ULL, 1ULL << 47,
};

/* An IOVA named as (mapping m, page offset o): syzkaller's idiom. */
static uint64_t sl_ref(const struct sl_world *w, uint8_t m, uint8_t o, unsigned int *mi)
{
	uint64_t off = (uint64_t)(int64_t)(int8_t)o * w->page;

	if (!w->nr_maps) {
		*mi = 0;
		return SL_IOVA + off;
	}
	*mi = m % w->nr_maps;
	return w->map_iova[*mi] + off;
}

/* Below 0x80: up to the end of the s-th mapping from mi; else pages. */
static uint64_t sl_ref_size(const struct sl_world *w, unsigned int mi, uint64_t iova, uint8_t s)
{
	unsigned int j;

	if (s >= 0x80)
		return (uint64_t)(s - 0x80) * w->page;
	if (!w->nr_maps)
		return (uint64_t)(s + 1) * w->page;
	j = (mi + s) % w->nr_maps;
	return w->map_iova[j] + w->map_size[j] - iova;
}

static uint64_t sl_pgsize(const struct sl_world *w, uint8_t sel)
{
	uint64_t p = w->page;
	const uint64_t t[8] = { p, w->cfg.coarse ? 0x10000 : p, 0, 1, 1ULL << 63, 2 * p,
				p / 2, 0x200000 };

	return t[sel & 7];
}

/* Bytes of bitmap a report of size bytes in pages of pgsize needs; a
 * word for a page size no report has. */
static uint64_t sl_bitmap_bytes(uint64_t size, uint64_t pgsize)
{
	if (!pgsize || (pgsize & (pgsize - 1)))
		return 8;
	return vfiosim_bitmap_bytes(vfiosim_bitmap_pages(size, pgsize));
}

static const struct {
	uint64_t base, size;
} sl_ranges[4] = {
	{ SL_GUEST, SL_GUEST_SIZE }, { SL_GUEST_RO, SL_GUEST_RO_SZ },
	{ SL_MMIO, SL_MMIO_SIZE }, { SL_SCATTER, SL_SCATTER_SIZE },
};

/*
 * A range whose last byte is the last IOVA.  Before 6.19 the kernel's
 * lookups compare against iova + size, 0 here, so an UNMAP or GET_BITMAP
 * of such a range finds no mapping at all, where the model finds them
 * (docs/divergences.md 8): diff mode leaves these out.
 */
#define SL_SKIP_TOP "a range ending at 2^64: Linux 6.12 finds no mapping in it " \
		    "(docs/divergences.md 8)"

static bool sl_range_reaches_top(const struct sl_action *a)
{
	return a->size && !(a->iova + a->size);
}

/* Every IOMMU group of a world has the host's default aperture, [0, 2^48). */
#define SL_APERTURE_END	((1ULL << 48) - 1)

static bool sl_mapped_past(const struct sl_world *w, uint64_t last)
{
	unsigned int k;

	for (k = 0; k < w->nr_maps; k++)
		if (w->map_iova[k] + (w->map_size[k] - 1) > last)
			return true;
	return false;
}

static void sl_decode_map(struct fuzz_in *in, const struct sl_world *w, struct sl_action *a)
{
	uint8_t vsel = fuzz_u8(in), np, fl;
	uint16_t voff = fuzz_u16(in), islot = fuzz_u16(in);
	uint64_t p = w->page, range_end;
	unsigned int r = vsel & 3, mi;
	bool diff = w->mode & SL_MODE_DIFF;

	np = fuzz_u8(in);
	fl = fuzz_u8(in);
	a->flags = fl & 7;
	if (fl & 0x8)
		a->flags |= 0x8;			/* an undefined flag */
	if (fl & 0x10)
		a->argsz = 16;				/* too short */
	a->vaddr = sl_ranges[r].base + (voff % (sl_ranges[r].size / p)) * p;
	range_end = sl_ranges[r].base + sl_ranges[r].size;
	if (vsel & 4)
		a->vaddr = SL_HOLE + voff * p;		/* nothing there */
	if (vsel & 8)
		a->vaddr += p / 2;
	if (a->variant & 1)
		a->size = (uint64_t)(np % 8 + 1) << 21;
	else
		a->size = (uint64_t)(np + 1) * p;
	a->iova = SL_IOVA + (uint64_t)islot * p * (diff ? 64 : 1);
	if (a->flags & VFIO_DMA_MAP_FLAG_VADDR) {
		/* A new vaddr for an existing mapping: name it. */
		a->iova = sl_ref(w, (uint8_t)islot, 0, &mi);
		a->size = sl_ref_size(w, mi, a->iova, 0);
	}
	if (a->variant & 2) {
		a->iova = sl_extremes[islot & 15];
		a->size = sl_extremes[np & 15];
	}
	if (a->variant & 4)
		a->iova += p / 2;
	if (diff) {
		/*
		 * Every mapping starts on a 64-page boundary, so each one's
		 * bits start a word of the user's bitmap (stale shifted bits),
		 * and lies in one range of guest memory (partial dma_rw).
		 */
		a->iova = (a->iova & ~(64 * p - 1)) | (a->iova & (p / 2));
		if (!(vsel & 4) && a->vaddr < range_end && a->size > range_end - a->vaddr)
			a->size = range_end - a->vaddr;
		if (sl_range_reaches_top(a))
			a->skip = "a mapping ending at 2^64 (docs/divergences.md 8)";
	}
}

/* Pointer and size choice of a bitmap; diff mode avoids partial faults. */
static void sl_decode_buf(struct fuzz_in *in, const struct sl_world *w, struct sl_action *a)
{
	uint8_t b = fuzz_u8(in);

	a->buf = b & 7;
	a->bmsize = (b >> 3) & 7;
	if (w->mode & SL_MODE_DIFF) {
		uint64_t need = sl_bitmap_bytes(a->size, a->pgsize);

		/* A buffer faulting part-way: docs/divergences.md 1 and 2. */
		if (a->buf == SL_BUF_SHORT ||
		    ((a->buf == SL_BUF_GOOD || a->buf == SL_BUF_GUEST) && need > SL_BM_SIZE))
			a->buf = SL_BUF_UNREG;
		/* Reports start on a 64-page boundary (see sl_decode_map). */
		a->iova &= ~(64 * w->page - 1);
	}
}

static void sl_decode_range(struct fuzz_in *in, const struct sl_world *w, struct sl_action *a)
{
	uint8_t m = fuzz_u8(in), o = fuzz_u8(in), s = fuzz_u8(in);
	unsigned int mi;

	a->iova = sl_ref(w, m, o, &mi);
	a->size = sl_ref_size(w, mi, a->iova, s);
	if (a->variant & 2) {
		a->iova = sl_extremes[m & 15];
		a->size = sl_extremes[s & 15];
	}
}

/*
 * An UNMAP with a bitmap its copy will fault on (everything but our own
 * memory and the guest window), over a range where a vendor driver holds
 * pins: which devices have been told to unpin by the time it fails
 * differs between the backends.
 */
static bool sl_unmap_fault_unpins(const struct sl_world *w, const struct sl_action *a)
{
	size_t k;

	if (a->buf == SL_BUF_GOOD || a->buf == SL_BUF_GUEST)
		return false;
	for (k = 0; k < w->nr_pins; k++)
		if (w->pins[k].iova - a->iova < a->size)
			return true;
	return false;
}

static bool sl_held_aligned(const struct sl_world *w, size_t k)
{
	return !(w->pins[k].iova & (w->page - 1));
}

static void sl_decode_pin(struct fuzz_in *in, const struct sl_world *w, struct sl_action *a)
{
	uint8_t g = fuzz_u8(in), m = fuzz_u8(in), o = fuzz_u8(in), n = fuzz_u8(in);
	uint8_t prot = fuzz_u8(in);
	long max = (long)(w->page / 8);
	unsigned int mi, gi, outside = 0;

	a->g = g % SL_GROUPS;
	a->iova = sl_ref(w, m, o, &mi);
	a->npage = n % SL_PIN_MAX + 1;
	if (a->variant & 2)
		a->npage = (int)(max - 1 + n % 4);	/* VFIO_PIN_PAGES_MAX_ENTRIES */
	if (a->variant == 4)
		a->npage = -(int)(n % 3);		/* reaches the driver below 1 */
	a->prot = prot & 3;
	if ((a->variant & 1) && w->cfg.unaligned) {
		/* Legal for a vendor driver; the kernel pins the page below. */
		a->iova += w->page / 2;
		a->unaligned = true;
	}
	if (!(w->mode & SL_MODE_DIFF) || !w->tracking || !sl_iommu_group(a->g) ||
	    !w->attached[a->g] || w->promoted[a->g])
		return;
	for (gi = 0; gi < SL_GROUPS; gi++)
		outside += sl_iommu_group(gi) && w->attached[gi] && !w->promoted[gi];
	if (outside == 1)
		a->skip = "the pin would bring the last IOMMU group into the pinned scope "
			  "while tracking (docs/divergences.md 3)";
}

/*
 * A device write that keeps the promise of the pinned-page scope: a group
 * whose driver pinned (or an emulated one) writes inside a pinned page;
 * any other IOMMU-backed group anywhere.
 */
static void sl_decode_write(struct fuzz_in *in, const struct sl_world *w, struct sl_action *a)
{
	uint8_t g = fuzz_u8(in), k = fuzz_u8(in), o = fuzz_u8(in), l = fuzz_u8(in);
	uint64_t p = w->page, off;
	unsigned int mi;
	size_t i, j;

	a->g = g % SL_GROUPS;
	if (!sl_iommu_group(a->g) || w->promoted[a->g]) {
		for (i = 0, j = 0; i < w->nr_pins; i++) {
			if (!sl_held_aligned(w, i))
				continue;
			if (j++ == k % (w->nr_pins ? w->nr_pins : 1))
				break;
		}
		if (i == w->nr_pins) {
			a->skip = "no pinned page to write";
			return;
		}
		off = (uint64_t)o * (p / 256);
		a->iova = w->pins[i].iova + off;
		a->len = 1 + (size_t)l * (p / 256) % (p - off);
		return;
	}
	a->iova = sl_ref(w, k, 0, &mi) + (uint64_t)o * (p / 16);
	a->len = 1 + (size_t)l * 64;
}

bool sl_decode(struct fuzz_in *in, const struct sl_world *ref, struct sl_action *a)
{
	const struct sl_world *w = ref;
	bool diff = w->mode & SL_MODE_DIFF;
	unsigned int mi;
	uint8_t b, x;

	if (!in->n)
		return false;
	memset(a, 0, sizeof(*a));
	b = fuzz_u8(in);
	a->op = (enum sl_op)((b & 0x1f) % (w->cfg.providers ? SL_NR_OPS : SL_NR_BASE_OPS));
	a->variant = b >> 5;
	switch (a->op) {
	case SL_ATTACH:
	case SL_DETACH:
		a->g = fuzz_u8(in) % SL_GROUPS;
		if (a->op == SL_ATTACH && diff && sl_iommu_group(a->g) &&
		    sl_mapped_past(w, SL_APERTURE_END))
			a->skip = "an IOMMU group whose aperture ends below a mapping: Linux 6.12's "
				  "check for it looks up a range ending at 2^64 and finds nothing "
				  "(docs/divergences.md 8)";
		break;
	case SL_MAP:
		sl_decode_map(in, w, a);
		break;
	case SL_UNMAP:
	case SL_UNMAP_BM:
		sl_decode_range(in, w, a);
		if (a->op == SL_UNMAP_BM) {
			a->pgsize = sl_pgsize(w, fuzz_u8(in));
			sl_decode_buf(in, w, a);
		}
		x = fuzz_u8(in);
		a->flags = x & (VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR);
		if (a->op == SL_UNMAP_BM)
			a->flags |= VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
		if (x & 0x8)
			a->flags |= 0x8;
		if (x & 0x10)
			a->argsz = 8;
		if (diff && sl_range_reaches_top(a) && !(a->flags & VFIO_DMA_UNMAP_FLAG_ALL))
			a->skip = SL_SKIP_TOP;
		else if (a->op == SL_UNMAP_BM && diff && sl_unmap_fault_unpins(w, a))
			a->skip = "a faulting UNMAP+bitmap over pinned pages: the model has every "
				  "device unpin first, Linux 6.12 each mapping's devices in turn up "
				  "to the fault (docs/fuzzing.md, findings)";
		break;
	case SL_START:
	case SL_STOP:
		a->flags = a->op == SL_START ? VFIO_IOMMU_DIRTY_PAGES_FLAG_START :
			   VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP;
		if (a->variant == 1)
			a->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
				   VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP;
		else if (a->variant == 2)
			a->argsz = 4;
		else if (a->variant == 3)
			a->flags |= 0x8;
		break;
	case SL_GET:
		sl_decode_range(in, w, a);
		a->pgsize = sl_pgsize(w, fuzz_u8(in));
		sl_decode_buf(in, w, a);
		a->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
		if (a->variant & 1)
			a->flags |= VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
		if (a->variant & 4)
			a->argsz = 16;
		if (diff && sl_range_reaches_top(a))
			a->skip = SL_SKIP_TOP;
		break;
	case SL_PIN:
		sl_decode_pin(in, w, a);
		break;
	case SL_UNPIN:
		x = fuzz_u8(in);
		if (!w->nr_pins)
			a->skip = "no pin held";
		else
			a->pin = x % w->nr_pins;
		break;
	case SL_DMA_RW:
		x = fuzz_u8(in);
		a->iova = sl_ref(w, x, 0, &mi) +
			  (uint64_t)(int64_t)(int8_t)fuzz_u8(in) * 64;
		a->len = 1 + fuzz_u16(in);
		a->write = !(a->variant & 1);
		/* Data that differs from one operation to the next. */
		a->byte0 = (uint8_t)(w->steps * 7);
		break;
	case SL_WRITE:
		sl_decode_write(in, w, a);
		break;
	case SL_FAIL_ALLOC:
	case SL_FAIL_COPY:
		a->n = 1 + fuzz_u8(in) % 32;
		if (diff)
			a->skip = "fault injection: the backends allocate and copy differently "
				  "(docs/divergences.md, smaller differences)";
		break;
	case SL_SET_IOMMU: {
		static const unsigned long types[8] = {
			VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU, VFIO_TYPE1_NESTING_IOMMU, 0,
			VFIO_SPAPR_TCE_IOMMU, VFIO_NOIOMMU_IOMMU, 0xff, VFIO_TYPE1v2_IOMMU,
		};

		a->n = types[fuzz_u8(in) & 7];
		break;
	}
	case SL_GET_INFO:
		a->n = fuzz_u8(in) % 3;
		break;
	case SL_CHECK_EXT:
		a->n = fuzz_u8(in);
		break;
	case SL_PROVIDER:
		/* Bad requests are the unit tests'; here the policies change. */
		a->n = fuzz_u8(in) % (VFIOSIM_DIRTY_PROVIDER_AUTO + 1);
		break;
	case SL_NR_OPS:
		break;
	}
	return true;
}

const char *sl_describe(const struct sl_action *a)
{
	static char buf[256];
	const char *name = sl_op_names[a->op];

	switch (a->op) {
	case SL_ATTACH:
	case SL_DETACH:
		snprintf(buf, sizeof(buf), "%s group %u", name, a->g);
		break;
	case SL_MAP:
		snprintf(buf, sizeof(buf), "%s vaddr 0x%" PRIx64 " iova 0x%" PRIx64 " size 0x%"
			 PRIx64 " flags 0x%x%s", name, a->vaddr, a->iova, a->size, a->flags,
			 a->argsz ? " (short argsz)" : "");
		break;
	case SL_UNMAP:
	case SL_UNMAP_BM:
	case SL_GET:
		snprintf(buf, sizeof(buf), "%s iova 0x%" PRIx64 " size 0x%" PRIx64 " flags 0x%x"
			 " pgsize 0x%" PRIx64 " buf %u/%u%s", name, a->iova, a->size, a->flags,
			 a->pgsize, a->buf, a->bmsize, a->argsz ? " (short argsz)" : "");
		break;
	case SL_START:
	case SL_STOP:
		snprintf(buf, sizeof(buf), "%s flags 0x%x%s", name, a->flags,
			 a->argsz ? " (short argsz)" : "");
		break;
	case SL_PIN:
		snprintf(buf, sizeof(buf), "%s group %u iova 0x%" PRIx64 " npage %d prot %d", name,
			 a->g, a->iova, a->npage, a->prot);
		break;
	case SL_UNPIN:
		snprintf(buf, sizeof(buf), "%s held pin %u", name, a->pin);
		break;
	case SL_DMA_RW:
		snprintf(buf, sizeof(buf), "%s %s iova 0x%" PRIx64 " len %zu", name,
			 a->write ? "write" : "read", a->iova, a->len);
		break;
	case SL_WRITE:
		snprintf(buf, sizeof(buf), "%s group %u iova 0x%" PRIx64 " len %zu", name, a->g,
			 a->iova, a->len);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s %lu", name, a->n);
		break;
	}
	return buf;
}

/* ------------------------------------------------------------ running */

/* The pointer choice of a bitmap, need bytes long. */
static void sl_bitmap_place(unsigned int buf, uint64_t need, struct sl_bitmap *b)
{
	b->own = true;
	switch (buf) {
	case SL_BUF_RO:
		b->off = SL_OFF_RO;
		break;
	case SL_BUF_UNREG:
		b->off = SL_OFF_GAP;
		break;
	case SL_BUF_SHORT:
		/* Only the first half (at least a word) is ours. */
		need = need / 2 < 8 ? 8 : need / 2 % SL_BM_SIZE;
		b->off = SL_OFF_BM + SL_BM_SIZE - need;
		break;
	case SL_BUF_GOOD:
		b->off = SL_OFF_BM;
		break;
	default:
		b->own = false;
		b->addr = buf == SL_BUF_GUEST ? SL_WIN : buf == SL_BUF_KERNEL ?
			  0xffff800000001000ULL : buf == SL_BUF_LIMIT ? 0x7ffffffff000ULL - 8 : 0;
		break;
	}
}

static uint64_t sl_bitmap_size(unsigned int choice, uint64_t need)
{
	switch (choice) {
	case 1:
		return need >= 8 ? need - 8 : 0;
	case 2:
		return need + 8;
	case 3:
		return 0;
	case 4:
		return 1ULL << 31;
	default:
		return need;
	}
}

void sl_bitmap_of(const struct sl_world *w, const struct sl_action *a, struct sl_bitmap *b)
{
	memset(b, 0, sizeof(*b));
	b->need = sl_bitmap_bytes(a->size, a->pgsize);
	b->size = sl_bitmap_size(a->bmsize, b->need);
	sl_bitmap_place(a->buf, b->need, b);
}

unsigned int sl_bitmap_pieces(const struct sl_bitmap *b, struct sl_area *piece)
{
	size_t end = 0, start;
	unsigned int i, n = 0;

	for (i = 0; b->own && i < SL_AREAS; i++) {
		start = end;
		end += sl_areas[i].size;
		if (end <= b->off)
			continue;
		piece[n].size = end - (start > b->off ? start : b->off);
		piece[n++].prot = sl_areas[i].prot;
	}
	return n;
}

/* The bitmap as the call left it, where it can be read back. */
static void sl_bitmap_result(struct sl_world *w, const struct sl_action *a, uint64_t need,
			     struct sl_result *r)
{
	if (a->buf == SL_BUF_GOOD) {
		r->bitmap = sl_bm(w);
		r->bitmap_len = need < SL_BM_SIZE ? need : SL_BM_SIZE;
	} else if (a->buf == SL_BUF_GUEST) {
		r->bitmap = vfiosim_mm_ptr(w->h, SL_WIN);
		r->bitmap_len = need < SL_WIN_SIZE ? need : SL_WIN_SIZE;
	}
}

/*
 * Bytes of each world's bitmap area a report may have written since it
 * was last cleared: the area is the program's (static), it outlives the
 * world.
 */
static size_t sl_bm_dirty[SL_WORLDS];

/*
 * Zeroes what this report may write, as the UAPI asks of callers (Linux
 * writes the last word whole, the model keeps the bits after the range).
 * The guest window is cleared before every report to it, not only after
 * one: it is guest RAM, which a mapping may cover and dma_rw write (F11).
 * There the bytes the range needs are cleared, whole words: what any
 * caller must clear, and all a report writes.
 */
static void sl_bitmap_clear(struct sl_world *w, const struct sl_action *a, uint64_t need)
{
	uint64_t span = need + 8;

	memset(sl_bm(w), 0, sl_bm_dirty[w->index]);
	sl_bm_dirty[w->index] = 0;
	if (a->buf == SL_BUF_GOOD)
		sl_bm_dirty[w->index] = span < SL_BM_SIZE ? span : SL_BM_SIZE;
	else if (a->buf == SL_BUF_SHORT)
		sl_bm_dirty[w->index] = SL_BM_SIZE;
	else if (a->buf == SL_BUF_GUEST)
		memset(vfiosim_mm_ptr(w->h, SL_WIN), 0, need < SL_WIN_SIZE ? need : SL_WIN_SIZE);
}

/* The report's bitmap as the action chooses it, cleared where the report may write. */
static struct vfio_bitmap sl_bitmap(struct sl_world *w, const struct sl_action *a,
				    const struct sl_bitmap *b)
{
	struct vfio_bitmap bm = {
		.pgsize = a->pgsize, .size = b->size,
		.data = b->own ? (void *)(w->mem + b->off) : (void *)(uintptr_t)b->addr,
	};

	sl_bitmap_clear(w, a, b->need);
	return bm;
}

uint32_t sl_info_argsz(const struct sl_action *a)
{
	/* All of the argument area, the fixed part alone, too short. */
	static const uint32_t sizes[3] = { SL_ARG_SIZE, sizeof(struct vfio_iommu_type1_info), 8 };

	return sizes[a->n % 3];
}

/* The argument (len bytes) in the world's memory, with the action's flags and argsz. */
static void *sl_put_arg(struct sl_world *w, const struct sl_action *a, const void *arg,
			size_t len)
{
	uint32_t hdr[2];	/* every type1 argument begins with argsz, flags */

	memcpy(hdr, arg, sizeof(hdr));
	if (a->argsz)
		hdr[0] = a->argsz;
	hdr[1] = a->flags;
	memcpy(sl_arg(w), arg, len);
	memcpy(sl_arg(w), hdr, sizeof(hdr));
	return sl_arg(w);
}

/* UNMAP_DMA and DIRTY_PAGES, each with a bitmap (a report) or without. */
static long sl_exec_bitmap_ioctl(struct sl_world *w, const struct sl_action *a,
				 struct sl_result *r)
{
	bool unmap = a->op == SL_UNMAP || a->op == SL_UNMAP_BM;
	bool report = a->op == SL_UNMAP_BM || a->op == SL_GET;
	union {
		struct vfio_iommu_type1_dma_unmap unmap;
		struct vfiosim_dirty_unmap_arg unmap_bm;
		struct vfio_iommu_type1_dirty_bitmap dirty;	/* START, STOP */
		struct vfiosim_dirty_get_arg get;
	} arg;
	struct vfio_bitmap bm = { 0 };
	struct sl_bitmap b;
	size_t len;
	long ret;

	sl_bitmap_of(w, a, &b);
	if (report)
		bm = sl_bitmap(w, a, &b);
	switch (a->op) {
	case SL_UNMAP:
		vfiosim_unmap_arg(&arg.unmap, a->flags, a->iova, a->size);
		len = sizeof(arg.unmap);
		break;
	case SL_UNMAP_BM:
		vfiosim_unmap_bitmap_arg(&arg.unmap_bm, a->iova, a->size, a->pgsize, bm.data,
					 bm.size);
		len = sizeof(arg.unmap_bm);
		break;
	case SL_GET:
		vfiosim_get_bitmap_arg(&arg.get, a->iova, a->size, a->pgsize, bm.data, bm.size);
		len = sizeof(arg.get);
		break;
	default:
		vfiosim_dirty_arg(&arg.dirty, a->flags);
		len = sizeof(arg.dirty);
		break;
	}
	ret = vfiosim_ioctl(w->c, unmap ? VFIO_IOMMU_UNMAP_DMA : VFIO_IOMMU_DIRTY_PAGES,
			    sl_put_arg(w, a, &arg, len));
	if (unmap) {
		memcpy(&arg.unmap, sl_arg(w), sizeof(arg.unmap));
		r->unmapped = arg.unmap.size;
	}
	if (report && !ret)
		sl_bitmap_result(w, a, b.need, r);
	return ret;
}

static long sl_exec_op(struct sl_world *w, const struct sl_action *a, struct sl_result *r)
{
	struct vfiosim_group *g = w->g[a->g];
	size_t i;

	switch (a->op) {
	case SL_ATTACH:
		return vfiosim_container_attach(w->c, g);
	case SL_DETACH:
		return vfiosim_container_detach(w->c, g);
	case SL_MAP: {
		struct vfio_iommu_type1_dma_map m;

		vfiosim_map_arg(&m, a->flags, a->vaddr, a->iova, a->size);
		return vfiosim_ioctl(w->c, VFIO_IOMMU_MAP_DMA, sl_put_arg(w, a, &m, sizeof(m)));
	}
	case SL_UNMAP:
	case SL_UNMAP_BM:
	case SL_START:
	case SL_STOP:
	case SL_GET:
		return sl_exec_bitmap_ioctl(w, a, r);
	case SL_PIN:
		r->pfns = sl_pfns[w->index];
		return vfiosim_pin_pages(w->c, g, a->iova, a->npage, a->prot, r->pfns);
	case SL_UNPIN: {
		struct sl_pin *p = &w->pins[a->pin];
		long ret = vfiosim_unpin_pages(w->c, w->g[p->g], p->iova, 1);

		if (!ret && !--p->count)
			sl_pin_drop(w, a->pin);
		return ret;
	}
	case SL_DMA_RW:
		if (a->write) {
			for (i = 0; i < a->len; i++)
				w->rw_buf[i] = (unsigned char)(a->byte0 + i);
		} else {
			memset(w->rw_buf, 0, a->len);
			r->data = w->rw_buf;
			r->data_len = a->len;
		}
		return vfiosim_dma_rw(w->c, a->iova, w->rw_buf, a->len, a->write);
	case SL_WRITE:
		return vfiosim_device_write(g, a->iova, a->len);
	case SL_FAIL_ALLOC:
	case SL_FAIL_COPY:
		return 0;
	case SL_SET_IOMMU:
		return vfiosim_ioctl_arg(w->c, VFIO_SET_IOMMU, a->n);
	case SL_GET_INFO: {
		struct vfio_iommu_type1_info info;
		long ret;

		vfiosim_info_arg(&info, sl_info_argsz(a));
		memset(sl_arg(w), 0, SL_ARG_SIZE);
		memcpy(sl_arg(w), &info, sizeof(info));
		ret = vfiosim_ioctl(w->c, VFIO_IOMMU_GET_INFO, sl_arg(w));
		r->info = sl_arg(w);
		r->info_len = sl_info_argsz(a);
		return ret;
	}
	case SL_CHECK_EXT:
		return vfiosim_ioctl_arg(w->c, VFIO_CHECK_EXTENSION, a->n);
	case SL_PROVIDER: {
		struct vfiosim_iommu_dirty_provider req = { .argsz = sizeof(req),
							    .provider = (uint32_t)a->n };

		return vfiosim_ioctl(w->c, VFIOSIM_IOMMU_DIRTY_PROVIDER,
				     sl_put_arg(w, a, &req, sizeof(req)));
	}
	case SL_NR_OPS:
		break;
	}
	return -EINVAL;
}

void sl_exec(struct sl_world *w, const struct sl_action *a, struct sl_result *r)
{
	struct vfiosim_host *h = w->h;
	unsigned long fail_alloc = 0, fail_copy = 0;

	memset(r, 0, sizeof(*r));
	r->locked = vfiosim_mm_locked_vm(h);
	r->pinned = vfiosim_mm_pinned_total(h);
	r->live = vfiosim_live_allocs(h);
	r->log = vfiosim_log_count(h);
	/* A fault is armed by the previous action, for this one only. */
	if (w->steps && w->last_op == SL_FAIL_ALLOC)
		fail_alloc = w->last_n;
	if (w->steps && w->last_op == SL_FAIL_COPY)
		fail_copy = w->last_n;
	vfiosim_fail_nth_alloc(h, fail_alloc);
	vfiosim_fail_nth_copy(h, fail_copy);
	r->ret = sl_exec_op(w, a, r);
	vfiosim_fail_nth_alloc(h, 0);
	vfiosim_fail_nth_copy(h, 0);
	r->warnings = vfiosim_warnings(h) - w->warnings;
	r->warning = vfiosim_last_warning(h);
	w->warnings = vfiosim_warnings(h);
	w->last_op = a->op;
	w->last_n = a->n;
	w->steps++;
}

/* ------------------------------------------------------------ checking */

static void sl_map_add(struct sl_world *w, uint64_t iova, uint64_t size)
{
	unsigned int i = w->nr_maps;

	if (w->nr_maps == SL_MAX_MAPS)
		return;
	while (i && w->map_iova[i - 1] > iova) {
		w->map_iova[i] = w->map_iova[i - 1];
		w->map_size[i] = w->map_size[i - 1];
		i--;
	}
	w->map_iova[i] = iova;
	w->map_size[i] = size;
	w->nr_maps++;
}

/* Forgets the mappings [iova, iova + size) touches (v1 may cut them). */
static void sl_map_del(struct sl_world *w, uint64_t iova, uint64_t size, bool all)
{
	unsigned int i, j;

	for (i = 0, j = 0; i < w->nr_maps; i++) {
		uint64_t mi = w->map_iova[i], ms = w->map_size[i];

		if (all || (mi < iova + size && iova < mi + ms))
			continue;
		w->map_iova[j] = mi;
		w->map_size[j++] = ms;
	}
	w->nr_maps = j;
}

static bool sl_any_attached(const struct sl_world *w)
{
	unsigned int i;

	for (i = 0; i < SL_GROUPS; i++)
		if (w->attached[i])
			return true;
	return false;
}

void sl_update(struct sl_world *w, const struct sl_action *a, const struct sl_result *r)
{
	long ret = r->ret;
	int i;

	switch (a->op) {
	case SL_ATTACH:
		if (!ret) {
			w->attached[a->g] = true;
			w->promoted[a->g] = false;
		}
		break;
	case SL_DETACH:
		if (ret)
			break;
		w->attached[a->g] = false;
		w->promoted[a->g] = false;
		sl_pins_forget_group(w, a->g);
		if (!sl_any_attached(w)) {
			/* The last group takes the mappings along. */
			w->nr_maps = 0;
			w->nr_pins = 0;
			if (w->cfg.type == SL_TYPE_BARE_V2) {
				w->driver = false;
				w->tracking = false;
			}
		}
		break;
	case SL_MAP:
		if (!ret && !(a->flags & VFIO_DMA_MAP_FLAG_VADDR))
			sl_map_add(w, a->iova, a->size);
		break;
	case SL_UNMAP:
	case SL_UNMAP_BM:
		if (!ret && !(a->flags & VFIO_DMA_UNMAP_FLAG_VADDR))
			sl_map_del(w, a->iova, a->size, a->flags & VFIO_DMA_UNMAP_FLAG_ALL);
		break;
	case SL_START:
	case SL_STOP:
		if (!ret && a->flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START)
			w->tracking = true;
		if (!ret && a->flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP)
			w->tracking = false;
		break;
	case SL_PIN:
		if (ret < 0)
			break;
		for (i = 0; i < ret; i++)
			sl_pin_add(w, a->g, a->iova + (uint64_t)i * w->page);
		w->promoted[a->g] = true;
		break;
	case SL_SET_IOMMU:
		if (!ret)
			w->driver = true;
		break;
	default:
		break;
	}
}

/* WARNs a legal sequence raises in the kernel as in the model. */
static bool sl_warn_expected(const struct sl_world *w, const struct sl_action *a,
			     const char *msg)
{
	/* type1 assumes IOMMU pages no larger than the CPU's, and says so. */
	if (w->cfg.coarse && strstr(msg, "above PAGE_SIZE"))
		return true;
	/* WARN_ONCE: a vendor driver used a mapping whose vaddr is invalid. */
	if ((a->op == SL_PIN || a->op == SL_DMA_RW) &&
	    strstr(msg, "not allowed with VFIO_UPDATE_VADDR"))
		return true;
	return false;
}

static bool sl_ret_ok(long ret)
{
	switch (ret) {
	case -E2BIG: case -EACCES: case -EBUSY: case -EEXIST: case -EFAULT: case -EINVAL:
	case -ENODEV: case -ENOENT: case -ENOMEM: case -ENOSPC: case -ENOTTY:
	case -EPERM: case -EOVERFLOW:	/* wrapping ranges, since 6.19 */
	case -EIO:			/* attach's domain allocation, before 6.11 */
		return true;
	default:
		return ret >= 0;
	}
}

/*
 * A report harvests the providers before it can fail (a bitmap that
 * faults): the IOMMU's dirty bits move into type1's bitmaps, and the page
 * table's runs, cut where bits were set, join again.  The allocations
 * change, nothing is lost (the oracle checks that); the rest must not.
 */
static bool sl_harvested(const struct sl_world *w, const struct sl_action *a)
{
	return w->cfg.providers && w->tracking && (a->op == SL_GET || a->op == SL_UNMAP_BM);
}

enum sl_finding sl_verify(struct sl_world *w, const struct sl_action *a,
			  const struct sl_result *r, char *why, size_t len)
{
	struct vfiosim_oracle_stats st;
	struct vfiosim_host *h = w->h;
	char msg[256];

	if (!sl_ret_ok(r->ret)) {
		snprintf(why, len, "%s: returned %s", w->who, fuzz_errname(r->ret));
		return SL_BAD_RET;
	}
	if (r->warnings && !sl_warn_expected(w, a, r->warning)) {
		snprintf(why, len, "%s: %u WARN(s), the last: %s", w->who, r->warnings,
			 r->warning);
		return SL_BAD_WARN;
	}
	if (vfiosim_oracle_status(w->o, &st)) {
		snprintf(why, len, "%s: dirty oracle: %s", w->who, st.first);
		return SL_BAD_ORACLE;
	}
	if (vfiosim_container_check(w->c, msg, sizeof(msg))) {
		snprintf(why, len, "%s: container check: %s", w->who, msg);
		return SL_BAD_STATE;
	}
	/*
	 * The UAPI: a failed call leaves the container as it was.  Except an
	 * unmap whose final copy (the unmapped size, back to the user)
	 * faults: everything is gone by then, in the kernel as in the model.
	 */
	if (r->ret < 0 && !(r->ret == -EFAULT && (a->op == SL_UNMAP || a->op == SL_UNMAP_BM)) &&
	    (vfiosim_mm_locked_vm(h) != r->locked ||
			   vfiosim_mm_pinned_total(h) != r->pinned ||
			   (vfiosim_live_allocs(h) != r->live && !sl_harvested(w, a)))) {
		snprintf(why, len, "%s: failed with %s but changed locked_vm %" PRIu64 " -> %"
			 PRIu64 ", pins %" PRIu64 " -> %" PRIu64 ", allocations %lu -> %lu",
			 w->who, fuzz_errname(r->ret), r->locked, vfiosim_mm_locked_vm(h),
			 r->pinned, vfiosim_mm_pinned_total(h), r->live, vfiosim_live_allocs(h));
		return SL_BAD_CHANGED;
	}
	if (!sl_any_attached(w) && (vfiosim_mm_pinned_total(h) || vfiosim_mm_locked_vm(h))) {
		snprintf(why, len, "%s: no group attached but %" PRIu64 " pin(s), %" PRIu64
			 " page(s) in locked_vm", w->who, vfiosim_mm_pinned_total(h),
			 vfiosim_mm_locked_vm(h));
		return SL_BAD_UNATTACHED;
	}
	return SL_FINE;
}

void sl_check(struct sl_world *w, const struct sl_action *a, const struct sl_result *r,
	      const char *target)
{
	char why[600];

	sl_update(w, a, r);
	if (sl_verify(w, a, r, why, sizeof(why)) != SL_FINE)
		fuzz_fail(target, "%s", why);
}
