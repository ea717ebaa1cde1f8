// SPDX-License-Identifier: MIT
/*
 * from_fuzz.c - "vfiosim from-fuzz FILE": a seq or diff fuzz input as a
 * scenario (from_fuzz.h).
 *
 * What a world is (host, memory, groups, container) comes from the fuzz
 * language's own description of it (sl_world_spec), each action from its
 * decoder, the bitmap's whereabouts from sl_bitmap_of: this file only
 * spells them in the scenario language.  Mappings get names (m1, m2, ...)
 * as they are made; a range the decoder chose relative to them says so in
 * a comment.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "from_fuzz.h"
#include "lexer.h"
#include "linux_version.h"
#include "names.h"
#include "page_ranges.h"
#include "seq_lang.h"
#include "sim.h"
#include "strbuf.h"

/* The scenario's names of the mappings in the world's view. */
struct ff_names {
	uint64_t iova[SL_MAX_MAPS], size[SL_MAX_MAPS];
	unsigned int id[SL_MAX_MAPS];
	unsigned int nr;
};

struct ff {
	FILE *out;
	unsigned int mode;
	struct sl_world w;
	struct ff_names names;
	unsigned int next_name;
	bool fault;			/* a FAIL_ALLOC/FAIL_COPY armed the next action */
	enum sl_op fault_op;
	unsigned long fault_n;
};

static const char *const ff_group_note[SL_GROUPS] = {
	"IOMMU 1, a vendor driver that pins",
	"IOMMU 1 too (shares g0's domain), no vendor driver",
	"mdev-like: its vendor driver pins, its device writes only pinned pages",
	"another IOMMU with its own page sizes, a vendor driver",
};

/* The scenario's short names of the standard guest memory regions. */
static const char *ff_mem_name(unsigned int region)
{
	switch (region) {
	case VFIOSIM_LAYOUT_RAM:
		return "ram";
	case VFIOSIM_LAYOUT_SCATTER:
		return "scatter";
	case VFIOSIM_LAYOUT_RO:
		return "rom";
	default:
		return "mmio";
	}
}

/* A size as the language reads it: 4K, 2M, or hex where a unit reads worse. */
static const char *ff_size(uint64_t v, char *buf, size_t len)
{
	size_str(v, buf, len);
	if (strlen(buf) > 4)
		snprintf(buf, len, "0x%" PRIx64, v);
	return buf;
}

/* A process address: a guest memory name with its offset, or the number. */
static void ff_vaddr(struct strbuf *sb, uint64_t v)
{
	const struct vfiosim_guest_region *g;
	unsigned int i;
	char b[32];

	for (i = 0; (g = vfiosim_guest_region(i)); i++) {
		if (v - g->vaddr >= g->size)
			continue;
		sb_printf(sb, "%s", ff_mem_name(g->region));
		if (v != g->vaddr)
			sb_printf(sb, "+%s", ff_size(v - g->vaddr, b, sizeof(b)));
		return;
	}
	sb_printf(sb, "0x%" PRIx64, v);
}

/* ------------------------------------------------------------- names */

static int ff_name_of(const struct ff_names *n, uint64_t iova, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < n->nr; i++)
		if (n->iova[i] == iova && n->size[i] == size)
			return (int)i;
	return -1;
}

/* The names after an action: the view's mappings keep theirs, a new one gets the next. */
static void ff_names_sync(struct ff *f, int *fresh)
{
	struct ff_names now = { .nr = 0 };
	unsigned int i;

	*fresh = -1;
	for (i = 0; i < f->w.nr_maps; i++) {
		int k = ff_name_of(&f->names, f->w.map_iova[i], f->w.map_size[i]);

		now.iova[i] = f->w.map_iova[i];
		now.size[i] = f->w.map_size[i];
		if (k >= 0) {
			now.id[i] = f->names.id[k];
		} else {
			now.id[i] = ++f->next_name;
			*fresh = (int)now.id[i];
		}
		now.nr++;
	}
	f->names = now;
}

/* A range: the mapping's name if it is one, else start+size. */
static void ff_range(struct ff *f, struct strbuf *sb, uint64_t iova, uint64_t size)
{
	int k = ff_name_of(&f->names, iova, size);
	char b[32];

	if (k >= 0)
		sb_printf(sb, "m%u", f->names.id[k]);
	else
		sb_printf(sb, "0x%" PRIx64 "+%s", iova, ff_size(size, b, sizeof(b)));
}

/* Where an IOVA is among the named mappings, for comments: "m2+8K". */
static bool ff_where(struct ff *f, struct strbuf *sb, uint64_t iova)
{
	unsigned int i;
	char b[32];

	for (i = 0; i < f->names.nr; i++) {
		if (iova - f->names.iova[i] >= f->names.size[i])
			continue;
		sb_printf(sb, "m%u", f->names.id[i]);
		if (iova != f->names.iova[i])
			sb_printf(sb, "+%s", ff_size(iova - f->names.iova[i], b, sizeof(b)));
		return true;
	}
	return false;
}

/* What a range the decoder chose means, unless it is a mapping by name. */
static void ff_range_note(struct ff *f, struct strbuf *note, uint64_t iova, uint64_t size)
{
	unsigned int i;

	if (ff_name_of(&f->names, iova, size) >= 0 || !ff_where(f, note, iova))
		return;
	for (i = 0; i < f->names.nr; i++) {
		if (f->names.iova[i] + f->names.size[i] == iova + size && size) {
			sb_printf(note, " to the end of m%u", f->names.id[i]);
			return;
		}
	}
}

/* ------------------------------------------------------------ words */

static void ff_flags(struct strbuf *sb, uint32_t flags, const char *const *names,
		     unsigned int nr)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (flags & (1U << i) && names[i]) {
			sb_printf(sb, "%s%s", sep, names[i]);
			flags &= ~(1U << i);
			sep = "|";
		}
	}
	if (flags || !*sep)
		sb_printf(sb, "%s0x%x", sep, flags);
}

static void ff_type(struct strbuf *sb, unsigned long type)
{
	const char *n = type <= INT32_MAX ? iommu_type_name((int)type) : NULL;

	if (n)
		sb_printf(sb, "%s", n);
	else
		sb_printf(sb, "%lu", type);
}

/* The bitmap options: page size, size field and where it is, where not the default. */
static void ff_bitmap(struct ff *f, struct strbuf *sb, const struct sl_action *a)
{
	struct sl_bitmap b;
	char x[32];

	sl_bitmap_of(&f->w, a, &b);
	if (a->pgsize != f->w.page)
		sb_printf(sb, " pgsize %s", ff_size(a->pgsize, x, sizeof(x)));
	if (b.size != vfiosim_bitmap_bytes(vfiosim_bitmap_pages(a->size, a->pgsize)))
		sb_printf(sb, " bitmap-size %s", ff_size(b.size, x, sizeof(x)));
	if (!b.own) {
		sb_printf(sb, " bitmap-at ");
		ff_vaddr(sb, b.addr);
		return;
	}
	/*
	 * The world's memory from the bitmap on, piece by piece; the default
	 * buffer (as much read-write memory as the report needs) says it
	 * where it can: all the report may write is read-write there.
	 */
	{
		struct sl_area piece[SL_AREAS];
		struct sim_seg seg[SL_AREAS];
		unsigned int nr = sl_bitmap_pieces(&b, piece), i;
		char segs[160];

		if (piece[0].prot == (VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE) &&
		    piece[0].size >= b.need)
			return;
		for (i = 0; i < nr; i++)
			seg[i] = (struct sim_seg){ piece[i].size, piece[i].prot };
		sim_segs_format(segs, sizeof(segs), seg, nr);
		sb_printf(sb, " bitmap-buffer %s", segs);
	}
}

/* ------------------------------------------------------- statements */

static const char *const ff_unmap_flags[] = { "bitmap", "all", "vaddr" };
static const char *const ff_dirty_flags[] = { "start", "stop", "get-bitmap" };
static const char *const ff_map_flags[] = { "read", "write", "vaddr" };
static const char *const ff_prot[4] = { " none", " r", " w", "" };

static void ff_argsz(struct strbuf *sb, const struct sl_action *a)
{
	if (a->argsz)
		sb_printf(sb, " argsz %u", a->argsz);
}

static void ff_map(struct ff *f, const struct sl_action *a, int fresh, struct strbuf *sb)
{
	char x[32];

	sb_printf(sb, "map ");
	if (fresh >= 0)
		sb_printf(sb, "m%d ", fresh);
	sb_printf(sb, "0x%" PRIx64 "+%s vaddr ", a->iova, ff_size(a->size, x, sizeof(x)));
	ff_vaddr(sb, a->vaddr);
	if (a->flags <= 3) {
		sb_printf(sb, "%s", ff_prot[a->flags]);
	} else {
		sb_printf(sb, " flags ");
		ff_flags(sb, a->flags, ff_map_flags, 3);
	}
	ff_argsz(sb, a);
}

static void ff_unmap(struct ff *f, const struct sl_action *a, struct strbuf *sb,
		     struct strbuf *note)
{
	sb_printf(sb, "unmap ");
	ff_range(f, sb, a->iova, a->size);
	ff_range_note(f, note, a->iova, a->size);
	if (a->flags == VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
		sb_printf(sb, " bitmap");
	} else if (a->flags) {
		sb_printf(sb, " flags ");
		ff_flags(sb, a->flags, ff_unmap_flags, 3);
	}
	if (a->op == SL_UNMAP_BM)
		ff_bitmap(f, sb, a);
	ff_argsz(sb, a);
}

static void ff_get(struct ff *f, const struct sl_action *a, struct strbuf *sb,
		   struct strbuf *note)
{
	sb_printf(sb, "get ");
	ff_range(f, sb, a->iova, a->size);
	ff_range_note(f, note, a->iova, a->size);
	ff_bitmap(f, sb, a);
	if (a->flags != VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP) {
		sb_printf(sb, " flags ");
		ff_flags(sb, a->flags, ff_dirty_flags, 3);
	}
	ff_argsz(sb, a);
}

static void ff_dirty(const struct sl_action *a, struct strbuf *sb)
{
	if (a->flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START) {
		sb_printf(sb, "start");
	} else if (a->flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP) {
		sb_printf(sb, "stop");
	} else {
		sb_printf(sb, "dirty-pages ");
		ff_flags(sb, a->flags, ff_dirty_flags, 3);
	}
	ff_argsz(sb, a);
}

/*
 * The statement that makes the action's call (the unpin's pin, held before
 * the call, in pin); note gets what the decoder chose, for a comment.
 */
static void ff_statement(struct ff *f, const struct sl_action *a, int fresh,
			 const struct sl_pin *pin, struct strbuf *sb, struct strbuf *note)
{
	char x[32];

	switch (a->op) {
	case SL_ATTACH:
	case SL_DETACH:
		sb_printf(sb, "%s g%u", a->op == SL_ATTACH ? "attach" : "detach", a->g);
		break;
	case SL_MAP:
		ff_map(f, a, fresh, sb);
		if (a->flags & VFIO_DMA_MAP_FLAG_VADDR)
			ff_range_note(f, note, a->iova, a->size);
		break;
	case SL_UNMAP:
	case SL_UNMAP_BM:
		ff_unmap(f, a, sb, note);
		break;
	case SL_START:
	case SL_STOP:
		ff_dirty(a, sb);
		break;
	case SL_GET:
		ff_get(f, a, sb, note);
		break;
	case SL_PIN:
		sb_printf(sb, "pin g%u 0x%" PRIx64, a->g, a->iova);
		if (a->npage != 1)
			sb_printf(sb, " npage %d", a->npage);
		sb_printf(sb, "%s", ff_prot[a->prot & 3]);
		ff_where(f, note, a->iova);
		break;
	case SL_UNPIN:
		sb_printf(sb, "unpin g%u 0x%" PRIx64, pin->g, pin->iova);
		break;
	case SL_DMA_RW:
		sb_printf(sb, "dma-rw %s 0x%" PRIx64 "+%s", a->write ? "write" : "read", a->iova,
			  ff_size(a->len, x, sizeof(x)));
		if (a->write)
			sb_printf(sb, " ramp 0x%02x", a->byte0);
		ff_where(f, note, a->iova);
		break;
	case SL_WRITE:
		sb_printf(sb, "write g%u 0x%" PRIx64 "+%s", a->g, a->iova,
			  ff_size(a->len, x, sizeof(x)));
		ff_where(f, note, a->iova);
		break;
	case SL_SET_IOMMU:
	case SL_CHECK_EXT:
		sb_printf(sb, "%s ", a->op == SL_SET_IOMMU ? "set-iommu" : "check-extension");
		ff_type(sb, a->n);
		break;
	case SL_GET_INFO:
		sb_printf(sb, "info argsz %u", sl_info_argsz(a));
		break;
	case SL_PROVIDER:
		sb_printf(sb, "provider %s", dirty_provider_name((unsigned int)a->n));
		break;
	case SL_FAIL_ALLOC:
	case SL_FAIL_COPY:
	case SL_NR_OPS:
		break;
	}
}

/* ------------------------------------------------------ expectations */

/* The report the harness read back, as "expect dirty ..." (nothing if it read only part). */
static void ff_expect_dirty(struct ff *f, const struct sl_action *a, const struct sl_result *r)
{
	uint64_t nbits = vfiosim_bitmap_pages(a->size, a->pgsize), n;
	size_t words = (size_t)((nbits + 63) / 64);
	struct strbuf sb = { 0 };
	uint64_t *bits;
	size_t commas = 0, i;

	if (!r->bitmap || !nbits || r->bitmap_len < words * 8)
		return;
	bits = calloc(words, 8);
	if (!bits)
		return;
	memcpy(bits, r->bitmap, words * 8);
	if (nbits % 64)
		bits[words - 1] &= (1ULL << (nbits % 64)) - 1;
	n = bits_count(bits, nbits);
	pages_format(&sb, bits, nbits, a->iova, a->pgsize, 0);
	for (i = 0; i < sb.len; i++)
		commas += sb.s[i] == ',';
	if (!n)
		fprintf(f->out, "expect clean\n");
	else if (n == nbits)
		fprintf(f->out, "expect dirty all\n");
	else if (commas < 24)	/* a line holds so many words */
		fprintf(f->out, "expect dirty %s\n", sb_str(&sb));
	else
		fprintf(f->out, "expect dirty-count %" PRIu64 "\n", n);
	sb_free(&sb);
	free(bits);
}

/*
 * What came back, as expectations: the errno or count (suffix), WARNs the
 * harness accepts, the report, the unmapped size; in diff mode, where
 * locked_vm and the pinned pages went (the kernel must follow).  A value
 * the harness rejects gets no expectation, so that the scenario fails
 * there as the input does.
 */
static void ff_suffix(struct strbuf *sb, const struct sl_result *r, enum sl_finding bad)
{
	char x[32];

	if (r->ret < 0 && bad != SL_BAD_RET)
		sb_printf(sb, " expect errno %s", vfiosim_errno_name((int)-r->ret));
	else if (r->ret > 0)
		sb_printf(sb, " expect ret %s", vfiosim_ret_str(r->ret, x, sizeof(x)));
}

static void ff_expect(struct ff *f, const struct sl_action *a, const struct sl_result *r,
		      enum sl_finding bad)
{
	struct vfiosim_host *h = f->w.h;
	char x[32];

	if (r->warnings && bad != SL_BAD_WARN)
		fprintf(f->out, "expect warnings %u\n", vfiosim_warnings(h));
	if ((a->op == SL_GET || a->op == SL_UNMAP_BM) && !r->ret)
		ff_expect_dirty(f, a, r);
	if ((a->op == SL_UNMAP || a->op == SL_UNMAP_BM) && !r->ret)
		fprintf(f->out, "expect unmapped %s\n", ff_size(r->unmapped, x, sizeof(x)));
	if (!(f->mode & SL_MODE_DIFF))
		return;
	if (vfiosim_mm_locked_vm(h) != r->locked)
		fprintf(f->out, "expect locked %" PRIu64 "\n", vfiosim_mm_locked_vm(h));
	if (vfiosim_mm_pinned_total(h) != r->pinned)
		fprintf(f->out, "expect pinned %" PRIu64 "\n", vfiosim_mm_pinned_total(h));
}

/* A finding of the harness: what makes the scenario fail at the same place. */
static void ff_finding(struct ff *f, const struct sl_result *r, enum sl_finding bad,
		       const char *why)
{
	struct vfiosim_host *h = f->w.h;

	if (bad == SL_BAD_CHANGED) {
		if (vfiosim_mm_locked_vm(h) != r->locked)
			fprintf(f->out, "expect locked %" PRIu64 "\n", r->locked);
		if (vfiosim_mm_pinned_total(h) != r->pinned)
			fprintf(f->out, "expect pinned %" PRIu64 "\n", r->pinned);
		if (vfiosim_live_allocs(h) != r->live)
			fprintf(f->out, "expect allocations %lu\n", r->live);
	} else if (bad == SL_BAD_UNATTACHED) {
		if (vfiosim_mm_pinned_total(h))
			fprintf(f->out, "expect pinned 0\n");
		if (vfiosim_mm_locked_vm(h))
			fprintf(f->out, "expect locked 0\n");
	}
	fprintf(f->out, "# The harness stops here: %s\n", why);
}

/* ------------------------------------------------------------ the world */

static void ff_pgsizes(struct strbuf *sb, uint64_t mask)
{
	const char *sep = "";
	unsigned int i;
	char x[32];

	for (i = 0; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		sb_printf(sb, "%s%s", sep, size_str(1ULL << i, x, sizeof(x)));
		sep = "|";
	}
}

static void ff_line(FILE *out, const char *stmt, const char *comment)
{
	if (comment && *comment)
		fprintf(out, "%-55s # %s\n", stmt, comment);
	else
		fprintf(out, "%s\n", stmt);
}

/* The world as sl_world_init() makes it, statement by statement. */
static void ff_world(struct ff *f, const struct sl_config *cfg)
{
	static const char *const host_note[4] = {
		"4 KiB pages", "64 KiB pages", "a 1 MiB RLIMIT_MEMLOCK, no CAP_IPC_LOCK",
		"dma_entry_limit 8",
	};
	const struct vfiosim_guest_region *g;
	struct strbuf sb = { 0 };
	struct sl_spec spec;
	unsigned int i;
	char x[32], v[16];

	sl_world_spec(cfg, &spec);
	sb_printf(&sb, "host strict kernel %s", profile_str(spec.host.kernel, v, sizeof(v)));
	if (spec.host.page_size)
		sb_printf(&sb, " page-size %s", size_str(spec.host.page_size, x, sizeof(x)));
	if (spec.host.memlock_limit)
		sb_printf(&sb, " memlock %s", size_str(spec.host.memlock_limit, x, sizeof(x)));
	if (spec.host.dma_entry_limit)
		sb_printf(&sb, " dma-entry-limit %u", spec.host.dma_entry_limit);
	ff_line(f->out, sb_str(&sb), host_note[cfg->host]);
	for (i = 0; (g = vfiosim_guest_region(i)); i++) {
		sb_reset(&sb);
		sb_printf(&sb, "mem %s 0x%" PRIx64 " %s%s%s%s", ff_mem_name(g->region), g->vaddr,
			  size_str(g->size, x, sizeof(x)), g->prot & VFIOSIM_PROT_WRITE ? "" : " r",
			  g->flags & VFIOSIM_MM_SCATTER ? " scatter" : "",
			  g->flags & VFIOSIM_MM_PFNMAP ? " pfnmap" : "");
		ff_line(f->out, sb_str(&sb), g->what);
	}
	for (i = 0; i < SL_GROUPS; i++) {
		const struct vfiosim_group_config *gc = &spec.group[i];

		sb_reset(&sb);
		sb_printf(&sb, "group g%u %s", i,
			  gc->kind == VFIOSIM_GROUP_EMULATED ? "emulated" : "iommu");
		if (gc->kind == VFIOSIM_GROUP_IOMMU) {
			sb_printf(&sb, " iommu-id %u%s%s", gc->iommu_id, gc->nesting ? " nesting" : "",
				  gc->has_dma_unmap ? " has-dma-unmap" : "");
			if (gc->pgsize_bitmap) {
				sb_printf(&sb, " pgsizes ");
				ff_pgsizes(&sb, gc->pgsize_bitmap);
			}
			if (gc->dirty_tracking)
				sb_printf(&sb, " dirty-tracking");
			if (gc->tracker_ranges)
				sb_printf(&sb, " tracker %u", gc->tracker_ranges);
			if (gc->tracker_capacity)
				sb_printf(&sb, " capacity %" PRIu64, gc->tracker_capacity);
		}
		ff_line(f->out, sb_str(&sb), ff_group_note[i]);
	}
	if (f->w.type != spec.type) {
		sb_reset(&sb);
		sb_printf(&sb, "container ");
		ff_type(&sb, (unsigned long)spec.type);
		sb_printf(&sb, " expect errno EINVAL");
		ff_line(f->out, sb_str(&sb), "gone from this version: the harness falls back");
	}
	sb_reset(&sb);
	sb_printf(&sb, "container");
	if (f->w.type) {
		sb_printf(&sb, " ");
		ff_type(&sb, (unsigned long)f->w.type);
	}
	ff_line(f->out, sb_str(&sb), f->w.type ? NULL : "bare: SET_IOMMU after the first attach");
	if (spec.lenient)
		ff_line(f->out, "oracle lenient", "g3's unit changes while tracking: over-reporting "
			"is allowed (divergences.md 4)");
	for (i = 0; i < SL_GROUPS; i++)
		if (cfg->attach & (1U << i))
			fprintf(f->out, "attach g%u\n", i);
	if (!spec.type && cfg->attach)
		fprintf(f->out, "set-iommu v2\n");
	sb_free(&sb);
}

/* What the two header bytes chose (docs/fuzzing.md, "seq and diff"). */
static void ff_header(FILE *out, const uint8_t *data, size_t size, const struct sl_config *cfg)
{
	static const char *const types[4] = { "v2", "bare then v2", "v1", "nesting" };
	uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
	unsigned int i;

	fprintf(out, "# Header %02x %02x: host %u, container %s", b0, b1, cfg->host,
		types[cfg->type >> 2]);
	if (cfg->coarse)
		fprintf(out, ", g3 coarse");
	else if (b0 & SL_CFG_COARSE)
		fprintf(out, ", (g3 coarse: not in diff mode)");
	if (cfg->unaligned)
		fprintf(out, ", pins off the page boundary");
	else if (b0 & SL_CFG_UNALIGNED)
		fprintf(out, ", (unaligned pins: not in diff mode)");
	if (cfg->providers)
		fprintf(out, ", dirty providers");
	else if (b0 & SL_CFG_PROVIDERS)
		fprintf(out, ", (dirty providers: not in diff mode)");
	fprintf(out, "; attached:");
	for (i = 0; i < SL_GROUPS; i++)
		if (cfg->attach & (1U << i))
			fprintf(out, " g%u", i);
	fprintf(out, "%s\n", cfg->attach ? "" : " none");
}

/* ------------------------------------------------------------ actions */

static void ff_fault(struct ff *f, unsigned long n)
{
	fprintf(f->out, "fail %s %lu\n", f->fault_op == SL_FAIL_COPY ? "copy" : "alloc", n);
}

/* One action: its statement, what it returned, and whether the harness stops. */
static bool ff_action(struct ff *f, const struct sl_action *a)
{
	struct sl_pin pin = { 0, 0, 0 };
	struct strbuf sb = { 0 }, note = { 0 };
	enum sl_finding bad;
	struct sl_result r;
	char why[600];
	int fresh;

	if (a->op == SL_FAIL_ALLOC || a->op == SL_FAIL_COPY) {
		if (f->fault)
			fprintf(f->out, "# (fail %s %lu was armed for this action only: nothing)\n",
				f->fault_op == SL_FAIL_COPY ? "copy" : "alloc", f->fault_n);
		sl_exec(&f->w, a, &r);
		sl_update(&f->w, a, &r);
		f->fault = true;
		f->fault_op = a->op;
		f->fault_n = a->n;
		return false;
	}
	if (a->op == SL_UNPIN)
		pin = f->w.pins[a->pin];
	/* Ranges by the names they had before; a new mapping's name comes after. */
	if (a->op != SL_MAP)
		ff_statement(f, a, -1, &pin, &sb, &note);
	if (f->fault)
		ff_fault(f, f->fault_n);
	sl_exec(&f->w, a, &r);
	sl_update(&f->w, a, &r);
	bad = sl_verify(&f->w, a, &r, why, sizeof(why));
	ff_names_sync(f, &fresh);
	if (a->op == SL_MAP)
		ff_statement(f, a, fresh, &pin, &sb, &note);
	ff_suffix(&sb, &r, bad);
	ff_line(f->out, sb_str(&sb), sb_str(&note));
	if (bad == SL_FINE || bad == SL_BAD_CHANGED || bad == SL_BAD_UNATTACHED)
		ff_expect(f, a, &r, bad);
	if (f->fault) {
		ff_fault(f, 0);
		f->fault = false;
	}
	if (bad != SL_FINE)
		ff_finding(f, &r, bad, why);
	sb_free(&sb);
	sb_free(&note);
	return bad != SL_FINE;
}

int from_fuzz_print(FILE *out, const uint8_t *data, size_t size,
		    const struct from_fuzz_opts *o, char *why, size_t len)
{
	const struct vfiosim_backend *model = vfiosim_backend_find("model");
	struct fuzz_in in = { data, size };
	struct sl_config cfg;
	struct sl_action a;
	struct ff f = { .out = out, .mode = o->diff ? SL_MODE_DIFF : 0 };
	unsigned int ops = 0;
	const char *end;
	bool stopped = false;
	char v[16];

	if (!model) {
		snprintf(why, len, "this build has no model to decode on (run build/vfiosim)");
		return -1;
	}
	sl_header(&in, f.mode, &cfg);
	if (o->diff)
		cfg.kernel = o->kernel ? o->kernel : FROM_FUZZ_DIFF_KERNEL;
	fprintf(out, "# %s: a %s fuzz input (%zu bytes) as a scenario (vfiosim from-fuzz):\n"
		"# the calls the %s, in its order, on Linux %s.\n",
		o->source, o->diff ? "diff" : "seq", size,
		o->diff ? "diff target makes on its model world" : "seq target makes",
		profile_str(cfg.kernel, v, sizeof(v)));
	ff_header(out, data, size, &cfg);
	sl_world_init(&f.w, "model", 0, &cfg, model, f.mode);
	/* WARNs are the scenario's to judge: "expect warnings", or its failure. */
	vfiosim_expect_warnings(f.w.h, true);
	ff_world(&f, &cfg);
	while (!stopped && ops++ < SL_MAX_OPS && sl_decode(&in, &f.w, &a)) {
		if (a.skip) {
			fprintf(out, "# skipped by the decoder: %s: %s\n", sl_describe(&a), a.skip);
			continue;
		}
		stopped = ff_action(&f, &a);
	}
	if (f.fault && !stopped)
		fprintf(out, "# (fail %s %lu: armed for an action the input does not have)\n",
			f.fault_op == SL_FAIL_COPY ? "copy" : "alloc", f.fault_n);
	end = sl_world_free(&f.w);
	if (end && !stopped)
		fprintf(out, "# The harness, freeing everything at the end: %s\n", end);
	return 0;
}

/* ----------------------------------------------------------- command */

static void usage(FILE *out)
{
	fprintf(out, "usage: vfiosim from-fuzz [--seq|--diff] [--kernel X.Y] FILE\n"
		"  prints the scenario of a seq or diff fuzz input (docs/fuzzing.md): running\n"
		"  it makes the calls the fuzz harness makes\n"
		"  --seq, --diff    the input's target (default: the directory it is in,\n"
		"                   fuzz/regressions/diff/... or .../seq/...)\n"
		"  --kernel X.Y     diff inputs: the Linux version of the kernel tree the\n"
		"                   diff target ran against (default 6.12)\n");
}

/* seq or diff, from a directory of that name on the path; -1 if neither. */
static int target_of(const char *path)
{
	const char *p;

	for (p = path; (p = strstr(p, "diff/")); p++)
		if (p == path || p[-1] == '/')
			return 1;
	for (p = path; (p = strstr(p, "seq/")); p++)
		if (p == path || p[-1] == '/')
			return 0;
	return -1;
}

int cmd_from_fuzz(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option longopts[] = {
		{ "seq", no_argument, NULL, 's' },
		{ "diff", no_argument, NULL, 'd' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct from_fuzz_opts o = { .diff = false };
	int c, target = -1, ret;
	unsigned char *buf;
	char why[200];
	size_t n;
	FILE *fp;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'd':
			target = c == 'd';
			break;
		case 'K':
			if (kernel_arg("vfiosim from-fuzz", optarg, vfiosim_backend_find("model"),
				       &o.kernel))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o.source = argv[optind];
	if (target < 0)
		target = target_of(o.source);
	if (target < 0) {
		fprintf(stderr, "vfiosim from-fuzz: %s: seq or diff? (--seq or --diff; ioctl "
			"inputs are single ioctls on prepared states, not sequences)\n", o.source);
		return 2;
	}
	o.diff = target == 1;
	fp = fopen(o.source, "rb");
	buf = malloc(1 << 20);
	if (!fp || !buf) {
		fprintf(stderr, "vfiosim from-fuzz: %s: %s\n", o.source, strerror(errno));
		free(buf);
		if (fp)
			fclose(fp);
		return 2;
	}
	/* What the fuzz drivers read of an input. */
	n = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	ret = from_fuzz_print(stdout, buf, n, &o, why, sizeof(why));
	free(buf);
	if (ret)
		fprintf(stderr, "vfiosim from-fuzz: %s\n", why);
	return ret ? 1 : 0;
}
