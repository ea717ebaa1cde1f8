// SPDX-License-Identifier: MIT
/*
 * parser.c - scenario statements, one per line (docs/scenarios.md).
 *
 * Each statement is a keyword, its positional arguments, then options in
 * any order, then at most one "expect ..." suffix.  Names are resolved as
 * they are met, so a name must be declared on an earlier line; every
 * error says where (file:line:col) and what was expected instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "parse.h"

/* Options end at the line's end or at the expect suffix. */
bool p_options_done(struct pstate *ps)
{
	return p_at_end(ps) || tok_is(p_peek(ps), "expect");
}

static int parse_suffix(struct pstate *ps, struct stmt *s)
{
	if (p_at_end(ps))
		return 0;
	if (!p_accept(ps, "expect"))
		return p_expected(ps, "an option of this statement or expect");
	ps->has_op = true;
	return p_parse_expect(ps, &s->ex);
}

/* ------------------------------------------------------- statements */

static int parse_host(struct pstate *ps, struct stmt *s)
{
	struct vfiosim_host_config *h = &s->host;

	if (ps->has_host || ps->has_op) {
		diag_set(ps->d, ps->t[0].col, ps->has_host ? "a scenario has one host line" :
			 "the host line comes before every other statement");
		return -1;
	}
	ps->has_host = true;
	while (!p_options_done(ps)) {
		if (p_accept(ps, "page-size")) {
			if (p_take_size(ps, &h->page_size))
				return -1;
		} else if (p_accept(ps, "memlock")) {
			if (p_take_size(ps, &h->memlock_limit))
				return -1;
		} else if (p_accept(ps, "cap-ipc-lock")) {
			h->cap_ipc_lock = true;
		} else if (p_accept(ps, "strict")) {
			h->strict_uaccess = true;
		} else if (p_accept(ps, "dma-entry-limit")) {
			uint32_t v;

			if (p_take_u32(ps, &v))
				return -1;
			h->dma_entry_limit = v;
		} else if (p_accept(ps, "disable-hugepages")) {
			h->disable_hugepages = true;
		} else if (p_accept(ps, "allow-unsafe-interrupts")) {
			h->allow_unsafe_interrupts = true;
		} else if (p_accept(ps, "kernel")) {
			if (s->only || s->kmin || s->kmax) {
				diag_set(ps->d, ps->t[ps->i - 1].col, "the kernel a scenario is "
					 "pinned to cannot depend on a guard");
				return -1;
			}
			if (p_take_kernel_version(ps, &h->kernel))
				return -1;
			ps->sc->kernel = h->kernel;
			ps->sc->kernel_line = ps->d->line;
		} else {
			return p_expected(ps, "a host setting (page-size, memlock, cap-ipc-lock, "
					    "strict, dma-entry-limit, disable-hugepages, "
					    "allow-unsafe-interrupts, kernel)");
		}
	}
	return 0;
}

static int parse_mem(struct pstate *ps, struct stmt *s)
{
	struct tok name = p_take(ps);
	uint64_t len;

	if (!name.s) {
		ps->i = ps->n;
		return p_expected(ps, "a name for the memory");
	}
	if (!tok_is_name(&name)) {
		ps->i--;
		return p_expected(ps, "a name for the memory");
	}
	if (p_take_vaddr(ps, &s->r.start) || p_take_size(ps, &len))
		return -1;
	s->r.size = len;
	s->prot = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;
	while (!p_options_done(ps)) {
		if (!p_take_prot_word(p_peek(ps), &s->prot))
			ps->i++;
		else if (p_accept(ps, "pfnmap"))
			s->flags |= VFIOSIM_MM_PFNMAP;
		else if (p_accept(ps, "scatter"))
			s->flags |= VFIOSIM_MM_SCATTER;
		else
			return p_expected(ps, "rw, r, w, none, pfnmap or scatter");
	}
	s->name = p_xstrndup(name.s, name.len);
	return p_name_add(ps, &ps->mems, &name, s->r);
}

static int parse_resv(struct pstate *ps, struct vfiosim_group_config *g)
{
	static const struct flag_name kinds[] = {
		{ "direct", VFIOSIM_RESV_DIRECT }, { "relaxable", VFIOSIM_RESV_DIRECT_RELAXABLE },
		{ "reserved", VFIOSIM_RESV_RESERVED }, { "msi", VFIOSIM_RESV_MSI },
		{ "sw-msi", VFIOSIM_RESV_SW_MSI }, { NULL, 0 },
	};
	unsigned int type;
	struct range r;

	if (g->nr_resv == VFIOSIM_MAX_RESV) {
		diag_set(ps->d, p_peek_col(ps), "at most %d reserved regions", VFIOSIM_MAX_RESV);
		return -1;
	}
	if (p_take_range(ps, NULL, false, &r) ||
	    p_take_word(ps, kinds, "a reserved region type (direct, relaxable, reserved, msi, "
			"sw-msi)", &type))
		return -1;
	g->resv[g->nr_resv].start = r.start;
	g->resv[g->nr_resv].length = r.size;
	g->resv[g->nr_resv].type = (int)type;
	g->nr_resv++;
	return 0;
}

/* "tracker RANGES [pgsize SIZE] [capacity PAGES]": the device's own dirty tracker. */
static int parse_tracker(struct pstate *ps, struct vfiosim_group_config *g)
{
	uint64_t v;

	if (p_take_number(ps, &v))
		return -1;
	if (!v || v > 64) {
		diag_set(ps->d, ps->t[ps->i - 1].col, "a tracker has 1 to 64 ranges");
		return -1;
	}
	g->tracker_ranges = (unsigned int)v;
	for (;;) {
		if (p_accept(ps, "pgsize")) {
			if (p_take_size(ps, &g->tracker_pgsize))
				return -1;
		} else if (p_accept(ps, "capacity")) {
			if (p_take_number(ps, &g->tracker_capacity))
				return -1;
		} else {
			return 0;
		}
	}
}

static int parse_group(struct pstate *ps, struct stmt *s)
{
	struct vfiosim_group_config *g = &s->grp;
	struct tok name = p_take(ps);

	if (!name.s || !tok_is_name(&name)) {
		ps->i -= name.s ? 1 : 0;
		return p_expected(ps, "a name for the group");
	}
	if (ps->groups.nr == SC_MAX_GROUPS) {
		diag_set(ps->d, name.col, "at most %d groups", SC_MAX_GROUPS);
		return -1;
	}
	if (p_accept(ps, "emulated")) {
		g->kind = VFIOSIM_GROUP_EMULATED;
	} else if (p_accept(ps, "iommu")) {
		g->kind = VFIOSIM_GROUP_IOMMU;
	} else {
		return p_expected(ps, "iommu or emulated");
	}
	while (!p_options_done(ps)) {
		struct range r;
		uint64_t v;
		int e;

		if (p_accept(ps, "keeps-pins")) {
			s->keeps_pins = true;
		} else if (g->kind == VFIOSIM_GROUP_EMULATED) {
			return p_expected(ps, "keeps-pins (the only option of an emulated group)");
		} else if (p_accept(ps, "pgsizes")) {
			struct tok m = p_take(ps);

			if (tok_size_mask(&m, &g->pgsize_bitmap, ps->d))
				return -1;
		} else if (p_accept(ps, "aperture")) {
			if (p_take_range(ps, NULL, false, &r))
				return -1;
			g->aperture_start = r.start;
			g->aperture_end = r.start + (r.size - 1);
		} else if (p_accept(ps, "resv")) {
			if (parse_resv(ps, g))
				return -1;
		} else if (p_accept(ps, "no-default-msi")) {
			g->no_default_msi = true;
		} else if (p_accept(ps, "no-isolated-msi")) {
			g->no_isolated_msi = true;
		} else if (p_accept(ps, "no-coherency")) {
			g->no_cache_coherency = true;
		} else if (p_accept(ps, "nesting")) {
			g->nesting = true;
		} else if (p_accept(ps, "iommu-id")) {
			if (p_take_number(ps, &v))
				return -1;
			if (v > UINT32_MAX) {
				diag_set(ps->d, ps->t[ps->i - 1].col, "iommu-id is 32 bits wide");
				return -1;
			}
			g->iommu_id = (unsigned int)v;
		} else if (p_accept(ps, "attach-error")) {
			if (p_take_errno(ps, &e))
				return -1;
			g->attach_error = -e;
		} else if (p_accept(ps, "has-dma-unmap")) {
			g->has_dma_unmap = true;
		} else if (p_accept(ps, "dirty-tracking")) {
			g->dirty_tracking = true;
		} else if (p_accept(ps, "tracker")) {
			if (parse_tracker(ps, g))
				return -1;
		} else {
			return p_expected(ps, "a group option (pgsizes, aperture, resv, "
					  "no-default-msi, no-isolated-msi, no-coherency, "
					  "nesting, iommu-id, attach-error, has-dma-unmap, "
					  "dirty-tracking, tracker, keeps-pins)");
		}
	}
	s->name = p_xstrndup(name.s, name.len);
	s->group = (int)ps->groups.nr;
	ps->sc->group_names[ps->groups.nr] = p_xstrndup(name.s, name.len);
	ps->sc->nr_groups = ps->groups.nr + 1;
	return p_name_add(ps, &ps->groups, &name, (struct range){ 0, 0 });
}

static const struct flag_name map_flags[] = {
	{ "read", VFIO_DMA_MAP_FLAG_READ }, { "write", VFIO_DMA_MAP_FLAG_WRITE },
	{ "vaddr", VFIO_DMA_MAP_FLAG_VADDR }, { NULL, 0 },
};

static const struct flag_name unmap_flags[] = {
	{ "bitmap", VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP }, { "all", VFIO_DMA_UNMAP_FLAG_ALL },
	{ "vaddr", VFIO_DMA_UNMAP_FLAG_VADDR }, { NULL, 0 },
};

static const struct flag_name dirty_flags[] = {
	{ "start", VFIO_IOMMU_DIRTY_PAGES_FLAG_START },
	{ "stop", VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP },
	{ "get-bitmap", VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP }, { NULL, 0 },
};

/* "bitmap-buffer 64K rw, 4K none, 4K r": a piece's protection defaults to rw. */
static int parse_bitmap_buffer(struct pstate *ps, struct stmt *s)
{
	do {
		struct sim_seg *g = &s->bm_seg[s->nr_bm_seg];

		if (s->nr_bm_seg == SIM_MAX_SEGS) {
			diag_set(ps->d, p_peek_col(ps), "a bitmap buffer has at most %d pieces",
				 SIM_MAX_SEGS);
			return -1;
		}
		if (p_take_size(ps, &g->size))
			return -1;
		if (!g->size) {
			diag_set(ps->d, ps->t[ps->i - 1].col, "a piece of 0 bytes is nothing");
			return -1;
		}
		g->prot = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;
		if (!p_take_prot_word(p_peek(ps), &g->prot))
			ps->i++;
		s->nr_bm_seg++;
	} while (p_accept(ps, ","));
	return 0;
}

static const struct flag_name fail_kinds[] = {
	{ "alloc", FAIL_ALLOC }, { "copy", FAIL_COPY }, { NULL, 0 },
};

static const struct flag_name oracle_modes[] = {
	{ "exact", ORACLE_EXACT }, { "lenient", ORACLE_LENIENT }, { NULL, 0 },
};

/*
 * The fields of the call's argument a statement may set by hand: "flags F"
 * (when the call has flag names) and "argsz N".  *took: whether the next
 * option was one of them.
 */
static int parse_arg_opt(struct pstate *ps, struct stmt *s, const struct flag_name *names,
			 const char *what, bool *took)
{
	*took = true;
	if (names && p_accept(ps, "flags")) {
		if (p_take_flags(ps, names, what, &s->flags))
			return -1;
		s->raw_flags = true;
		return 0;
	}
	if (p_accept(ps, "argsz")) {
		if (p_take_u32(ps, &s->argsz))
			return -1;
		s->has_argsz = true;
		return 0;
	}
	*took = false;
	return 0;
}

/* The bitmap options shared by get and unmap ... bitmap. */
static int parse_bitmap_opt(struct pstate *ps, struct stmt *s, bool *took)
{
	unsigned int col = p_peek_col(ps);
	int err = 0;

	*took = true;
	if (p_accept(ps, "pgsize")) {
		s->has_pgsize = true;
		return p_take_size(ps, &s->pgsize);
	}
	if (p_accept(ps, "bitmap-size")) {
		s->has_bitmap_size = true;
		return p_take_size(ps, &s->bitmap_size);
	}
	if (p_accept(ps, "fault-word")) {
		uint64_t w;

		if (p_take_number(ps, &w))
			return -1;
		if (w > 1u << 20) {
			diag_set(ps->d, ps->t[ps->i - 1].col, "fault-word is at most 1048576");
			return -1;
		}
		s->fault_word = (int)w;
	} else if (p_accept(ps, "bitmap-buffer")) {
		err = parse_bitmap_buffer(ps, s);
	} else if (p_accept(ps, "bitmap-at")) {
		s->has_bm_at = true;
		err = p_take_vaddr(ps, &s->bm_at);
	} else {
		*took = false;
		return 0;
	}
	if (!err && s->has_bm_at + (s->nr_bm_seg > 0) + (s->fault_word >= 0) > 1) {
		diag_set(ps->d, col, "bitmap-at, bitmap-buffer and fault-word each say where "
			 "the bitmap is: give one");
		return -1;
	}
	return err;
}

static int parse_map(struct pstate *ps, struct stmt *s)
{
	struct tok name = { NULL, 0, 0 };
	bool has_vaddr = false;
	int prot = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;

	if (tok_is_name(p_peek(ps)))
		name = p_take(ps);
	if (p_take_range(ps, NULL, false, &s->r))
		return -1;
	while (!p_options_done(ps)) {
		bool took;

		if (parse_arg_opt(ps, s, map_flags, "map flags (read|write|vaddr or a number)",
				  &took))
			return -1;
		if (took)
			continue;
		if (p_accept(ps, "vaddr")) {
			if (p_take_vaddr(ps, &s->vaddr))
				return -1;
			has_vaddr = true;
		} else if (!p_take_prot_word(p_peek(ps), &prot)) {
			ps->i++;
		} else {
			return p_expected(ps, "vaddr, rw, r, w, none, flags, argsz or expect");
		}
	}
	if (!has_vaddr)
		return p_expected(ps, "vaddr ADDRESS (the process memory behind the mapping)");
	if (!s->raw_flags)
		s->flags = (prot & VFIOSIM_PROT_READ ? VFIO_DMA_MAP_FLAG_READ : 0) |
			   (prot & VFIOSIM_PROT_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0);
	if (name.s) {
		s->name = p_xstrndup(name.s, name.len);
		return p_name_add(ps, &ps->maps, &name, s->r);
	}
	return 0;
}

static int parse_unmap(struct pstate *ps, struct stmt *s)
{
	if (p_accept(ps, "all")) {
		s->flags = VFIO_DMA_UNMAP_FLAG_ALL;
	} else if (p_take_range(ps, &ps->maps, false, &s->r)) {
		return -1;
	}
	while (!p_options_done(ps)) {
		bool took;

		if (p_accept(ps, "bitmap")) {
			s->bitmap = true;
			continue;
		}
		if (parse_bitmap_opt(ps, s, &took) ||
		    (!took && parse_arg_opt(ps, s, unmap_flags,
					    "unmap flags (bitmap|all|vaddr or a number)", &took)))
			return -1;
		if (!took)
			return p_expected(ps, "bitmap, pgsize, bitmap-size, fault-word, bitmap-buffer, "
					  "bitmap-at, flags, argsz or expect");
	}
	if (s->bitmap && !s->raw_flags)
		s->flags |= VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	if (s->raw_flags && (s->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP))
		s->bitmap = true;
	return 0;
}

static int parse_get(struct pstate *ps, struct stmt *s)
{
	if (p_take_range(ps, &ps->maps, false, &s->r))
		return -1;
	while (!p_options_done(ps)) {
		bool took;

		if (parse_bitmap_opt(ps, s, &took) ||
		    (!took && parse_arg_opt(ps, s, dirty_flags, "dirty-pages flags "
					    "(start|stop|get-bitmap or a number)", &took)))
			return -1;
		if (!took)
			return p_expected(ps, "pgsize, bitmap-size, fault-word, bitmap-buffer, "
					  "bitmap-at, flags, argsz or expect");
	}
	if (!s->raw_flags)
		s->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	return 0;
}

static int parse_argsz_only(struct pstate *ps, struct stmt *s)
{
	while (!p_options_done(ps)) {
		bool took;

		if (parse_arg_opt(ps, s, NULL, NULL, &took))
			return -1;
		if (!took)
			return p_expected(ps, "argsz or expect");
	}
	return 0;
}

/* pin or unpin */
static int parse_pin(struct pstate *ps, struct stmt *s)
{
	if (p_take_group(ps, &s->group) || p_take_range(ps, &ps->maps, true, &s->r))
		return -1;
	s->prot = VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE;
	while (!p_options_done(ps)) {
		if (p_accept(ps, "npage")) {
			if (p_take_int(ps, &s->npage))
				return -1;
			s->has_npage = true;
		} else if (s->kind == ST_PIN && !p_take_prot_word(p_peek(ps), &s->prot)) {
			ps->i++;
		} else {
			return p_expected(ps, s->kind == ST_PIN ? "rw, r, w, none, npage or expect" :
					  "npage or expect");
		}
	}
	return 0;
}

static int parse_dma_rw(struct pstate *ps, struct stmt *s)
{
	if (p_accept(ps, "write"))
		s->write = true;
	else if (!p_accept(ps, "read"))
		return p_expected(ps, "read or write");
	if (p_take_range(ps, &ps->maps, false, &s->r))
		return -1;
	while (!p_options_done(ps)) {
		int *b = p_accept(ps, "byte") ? &s->byte : p_accept(ps, "ramp") ? &s->ramp : NULL;

		if (!s->write || !b)
			return p_expected(ps, s->write ? "byte, ramp or expect" : "expect");
		if (p_take_byte(ps, b))
			return -1;
		if (s->byte >= 0 && s->ramp >= 0) {
			diag_set(ps->d, ps->t[ps->i - 2].col, "byte and ramp both say what is "
				 "written: give one");
			return -1;
		}
	}
	return 0;
}

static int parse_write(struct pstate *ps, struct stmt *s)
{
	if (p_take_group(ps, &s->group) || p_take_range(ps, &ps->maps, true, &s->r))
		return -1;
	s->pattern = WR_RANGE;
	while (!p_options_done(ps)) {
		if (p_accept(ps, "every")) {
			s->pattern = WR_EVERY;
			if (p_take_number(ps, &s->every))
				return -1;
			if (!s->every) {
				diag_set(ps->d, ps->t[ps->i - 1].col,
					 "every 0 pages? use 1 or more");
				return -1;
			}
		} else if (p_accept(ps, "random")) {
			s->pattern = WR_RANDOM;
			if (p_take_number(ps, &s->count))
				return -1;
		} else if (p_accept(ps, "seed")) {
			if (p_take_number(ps, &s->seed))
				return -1;
		} else if (p_accept(ps, "len")) {
			if (p_take_size(ps, &s->len))
				return -1;
			if (!s->len) {
				diag_set(ps->d, ps->t[ps->i - 1].col, "len 0 writes nothing");
				return -1;
			}
		} else if (p_accept(ps, "byte")) {
			if (p_take_byte(ps, &s->byte))
				return -1;
		} else {
			return p_expected(ps, "every, random, seed, len, byte or expect");
		}
	}
	return 0;
}

static int parse_fail(struct pstate *ps, struct stmt *s)
{
	unsigned int kind;

	if (p_take_word(ps, fail_kinds, "alloc or copy", &kind))
		return -1;
	s->fail = (enum fail_kind)kind;
	return p_take_number(ps, &s->n);
}

static int parse_munmap(struct pstate *ps, struct stmt *s)
{
	struct tok t = p_take(ps);
	struct pname *m = t.s ? p_name_find(&ps->mems, &t) : NULL;

	if (!t.s)
		return p_expected(ps, "the name of a memory");
	if (!m)
		return p_name_unknown(ps, &ps->mems, &t);
	s->r = m->r;
	return 0;
}

static int parse_container(struct pstate *ps, struct stmt *s)
{
	return p_options_done(ps) ? 0 : p_take_type(ps, &s->type);
}

/* set-iommu, check-extension */
static int parse_type(struct pstate *ps, struct stmt *s)
{
	return p_take_type(ps, &s->type);
}

static int parse_nothing(struct pstate *ps, struct stmt *s)
{
	return 0;
}

/* attach, detach */
static int parse_group_name(struct pstate *ps, struct stmt *s)
{
	return p_take_group(ps, &s->group);
}

static int parse_start(struct pstate *ps, struct stmt *s)
{
	s->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
	return parse_argsz_only(ps, s);
}

static int parse_stop(struct pstate *ps, struct stmt *s)
{
	s->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP;
	return parse_argsz_only(ps, s);
}

static int parse_dirty_pages(struct pstate *ps, struct stmt *s)
{
	s->raw_flags = true;
	return p_take_flags(ps, dirty_flags, "dirty-pages flags (start|stop|get-bitmap or a "
			    "number)", &s->flags) || parse_argsz_only(ps, s);
}

static int parse_provider(struct pstate *ps, struct stmt *s)
{
	unsigned int p;

	for (p = 0; dirty_provider_name(p); p++)
		if (p_accept(ps, dirty_provider_name(p))) {
			s->type = (int)p;
			return 0;
		}
	return p_expected(ps, "pinned, iommu, device or auto");
}

static int parse_oracle(struct pstate *ps, struct stmt *s)
{
	unsigned int mode;

	if (p_take_word(ps, oracle_modes, "exact or lenient", &mode))
		return -1;
	s->oracle = (enum oracle_mode)mode;
	return 0;
}

/* The operations: each keyword, the statement it makes and how the rest of its line reads. */
static const struct {
	const char *keyword;
	enum stmt_kind kind;
	int (*parse)(struct pstate *ps, struct stmt *s);
} operations[] = {
	{ "mem", ST_MEM, parse_mem },
	{ "munmap", ST_MUNMAP, parse_munmap },
	{ "group", ST_GROUP, parse_group },
	{ "container", ST_CONTAINER, parse_container },
	{ "set-iommu", ST_SET_IOMMU, parse_type },
	{ "check-extension", ST_CHECK_EXT, parse_type },
	{ "api-version", ST_API_VERSION, parse_nothing },
	{ "attach", ST_ATTACH, parse_group_name },
	{ "detach", ST_DETACH, parse_group_name },
	{ "map", ST_MAP, parse_map },
	{ "unmap", ST_UNMAP, parse_unmap },
	{ "start", ST_DIRTY, parse_start },
	{ "stop", ST_DIRTY, parse_stop },
	{ "dirty-pages", ST_DIRTY, parse_dirty_pages },
	{ "get", ST_GET, parse_get },
	{ "info", ST_INFO, parse_argsz_only },
	{ "pin", ST_PIN, parse_pin },
	{ "unpin", ST_UNPIN, parse_pin },
	{ "dma-rw", ST_DMA_RW, parse_dma_rw },
	{ "dma_rw", ST_DMA_RW, parse_dma_rw },
	{ "write", ST_WRITE, parse_write },
	{ "fail", ST_FAIL, parse_fail },
	{ "oracle", ST_ORACLE, parse_oracle },
	{ "provider", ST_PROVIDER, parse_provider },
};

static int parse_statement(struct pstate *ps, struct stmt *s)
{
	struct tok kw = p_take(ps);
	size_t i;

	if (tok_is(&kw, "host")) {
		s->kind = ST_HOST;
		return parse_host(ps, s) || parse_suffix(ps, s);
	}
	if (tok_is(&kw, "expect")) {
		s->kind = ST_EXPECT;
		return p_parse_expect(ps, &s->ex);
	}
	for (i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
		if (tok_is(&kw, operations[i].keyword))
			break;
	if (i == sizeof(operations) / sizeof(operations[0])) {
		ps->i--;
		return p_expected(ps, "a statement (host, mem, group, container, attach, map, "
				    "unmap, start, get, pin, write, dma-rw, fail, expect, ...)");
	}
	s->kind = operations[i].kind;
	if (operations[i].parse(ps, s))
		return -1;
	ps->has_op = true;
	return parse_suffix(ps, s);
}

/* Guards, then the statement: "on model", "on kernel >= 6.19:", both. */
static int parse_line(struct pstate *ps, struct stmt *s)
{
	while (p_accept(ps, "on")) {
		if (p_parse_guard(ps, s))
			return -1;
		if (p_at_end(ps))
			return p_expected(ps, "a statement after the guard");
	}
	return parse_statement(ps, s);
}

static char *line_text(const char *line, size_t len)
{
	const char *hash = memchr(line, '#', len);

	if (hash)
		len = (size_t)(hash - line);
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	return p_xstrndup(line, len);
}

static void stmt_free(struct stmt *s)
{
	free(s->text);
	free(s->only);
	free(s->name);
	if (s->ex) {
		free(s->ex->ranges);
		free(s->ex);
	}
}

void scenario_free(struct scenario *sc)
{
	unsigned int i;

	if (!sc)
		return;
	for (i = 0; i < sc->nr; i++)
		stmt_free(&sc->st[i]);
	for (i = 0; i < sc->nr_groups; i++)
		free(sc->group_names[i]);
	free(sc->st);
	free(sc->file);
	free(sc);
}

int scenario_parse(const char *file, const char *text, struct scenario **out,
		   struct diag *d)
{
	struct pstate ps = { .d = d };
	struct scenario *sc = p_xcalloc(1, sizeof(*sc));
	const char *p = text;
	unsigned int cap = 0, line = 0;
	int err = 0;

	ps.sc = sc;
	ps.mems.what = "memory";
	ps.maps.what = "mapping";
	ps.groups.what = "group";
	sc->file = p_xstrndup(file, strlen(file));
	d->file = sc->file;
	while (*p && !err) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *buf = p_xstrndup(p, len);
		struct stmt *s;

		d->line = ++line;
		p += len + (nl ? 1 : 0);
		ps.n = lex_line(buf, ps.t, MAX_TOKS, d);
		ps.i = 0;
		ps.eol = (unsigned int)len + 1;
		if (ps.n <= 0) {
			err = ps.n;
			free(buf);
			continue;
		}
		/* "The end of the line" is just past its last word. */
		ps.eol = ps.t[ps.n - 1].col + (unsigned int)ps.t[ps.n - 1].len;
		if (sc->nr == cap) {
			cap = cap ? 2 * cap : 32;
			sc->st = realloc(sc->st, cap * sizeof(*sc->st));
			if (!sc->st) {
				fprintf(stderr, "vfiosim: out of memory\n");
				exit(2);
			}
		}
		s = &sc->st[sc->nr];
		memset(s, 0, sizeof(*s));
		s->line = line;
		s->group = -1;
		s->fault_word = -1;
		s->byte = -1;
		s->ramp = -1;
		s->text = line_text(buf, len);
		err = parse_line(&ps, s);
		sc->nr++;
		free(buf);
	}
	p_names_free(&ps.mems);
	p_names_free(&ps.maps);
	p_names_free(&ps.groups);
	if (err) {
		scenario_free(sc);
		d->file = file;
		return -1;
	}
	*out = sc;
	return 0;
}

int scenario_load(const char *file, struct scenario **out, struct diag *d)
{
	FILE *f = fopen(file, "r");
	char *text = NULL;
	size_t len = 0, cap = 0;
	int err;

	d->file = file;
	d->line = 0;
	d->col = 0;
	if (!f) {
		snprintf(d->msg, sizeof(d->msg), "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 8192;
			text = realloc(text, cap);
			if (!text) {
				fprintf(stderr, "vfiosim: out of memory\n");
				exit(2);
			}
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (!n)
			break;
	}
	err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		snprintf(d->msg, sizeof(d->msg), "cannot read: %s", strerror(err));
		free(text);
		return -1;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		d->line = 1;
		for (size_t i = 0; text[i]; i++)
			d->line += text[i] == '\n';
		snprintf(d->msg, sizeof(d->msg), "a NUL byte: is this a scenario file?");
		free(text);
		return -1;
	}
	err = scenario_parse(file, text, out, d);
	free(text);
	return err;
}
