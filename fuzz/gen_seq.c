// SPDX-License-Identifier: MIT
/*
 * gen_seq.c - a seed scenario as an input of the operation language
 * (seq_lang.h): the header from the world the scenario makes, then each
 * statement as the operation that makes its call.
 *
 * The decoder stays the language's one home: the encoder proposes operand
 * bytes, computed where the language's formula is plain and searched where
 * the decoder chooses (the n-th mapping, the page size out of its table),
 * and keeps the first whose decoded action makes the statement's call.  A
 * world of the model runs each operation as it is encoded, since what an
 * operand names depends on what came before.  The header is found the same
 * way: the first whose world (sl_world_spec) is the one the scenario makes.
 * A statement the language cannot say is an error naming its line.  The
 * diff input is the seq one with each plain MAP's IOVA slot counted in
 * 64-page units, as the diff decoder counts it, so that slots that are
 * multiples of 64 keep their IOVAs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_corpus.h"
#include "scenario.h"
#include "seq_lang.h"
#include "vfiosim_client.h"

#define ENC_MAX_MAPS	128	/* plain MAPs in a seed */

struct enc {
	const struct scenario *sc;
	const struct stmt *st;		/* the statement being encoded */
	struct sl_world w;
	bool live;
	struct gen *seq;
	size_t islot_at[ENC_MAX_MAPS];	/* where plain MAPs' slots are, for diff */
	unsigned int nr_islots;
	char *why;
	size_t len;
};

static int enc_fail(struct enc *e, const struct stmt *st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int enc_fail(struct enc *e, const struct stmt *st, const char *fmt, ...)
{
	size_t k;
	va_list ap;

	k = (size_t)snprintf(e->why, e->len, "%s:%u: ", e->sc->file, st ? st->line : 0);
	if (k >= e->len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->why + k, e->len - k, fmt, ap);
	va_end(ap);
	return -1;
}

static int put(struct enc *e, const uint8_t *b, size_t n)
{
	if (e->seq->n + n > sizeof(e->seq->b))
		return enc_fail(e, e->st, "the seed is longer than %zu bytes", sizeof(e->seq->b));
	memcpy(e->seq->b + e->seq->n, b, n);
	e->seq->n += n;
	return 0;
}

/* ------------------------------------------------------------- header */

struct preamble {
	const struct stmt *host, *mem[8], *group[SL_GROUPS + 1], *container[2];
	unsigned int nr_mem, nr_group, nr_container;
	bool lenient;
	unsigned int attach;
	bool set_iommu;
	unsigned int ops;		/* the first statement after it */
};

static bool is_v2(const struct stmt *s)
{
	return s->kind == ST_SET_IOMMU && s->type == VFIO_TYPE1v2_IOMMU && !s->ex;
}

/*
 * The world's statements, up to the first operation of the input; at most
 * max_attach of the attaches after the container are the header's (the
 * rest may be operations: the same calls, but counted as steps).
 */
static int preamble_read(struct enc *e, struct preamble *p, unsigned int max_attach)
{
	const struct scenario *sc = e->sc;
	unsigned int i = 0;

	memset(p, 0, sizeof(*p));
	if (!sc->nr || sc->st[0].kind != ST_HOST)
		return enc_fail(e, sc->nr ? &sc->st[0] : NULL, "a seed starts with its host line");
	p->host = &sc->st[i++];
	for (; i < sc->nr; i++) {
		const struct stmt *s = &sc->st[i];

		if (s->kind == ST_MEM && p->nr_mem < 8 && !p->nr_group)
			p->mem[p->nr_mem++] = s;
		else if (s->kind == ST_GROUP && p->nr_group <= SL_GROUPS && !p->nr_container)
			p->group[p->nr_group++] = s;
		else if (s->kind == ST_CONTAINER && p->nr_container < 2 && !p->lenient &&
			 !p->attach)
			p->container[p->nr_container++] = s;
		else if (s->kind == ST_EXPECT && p->nr_container == 1 && !p->lenient && !p->attach)
			continue;	/* the refused container's errno */
		else if (s->kind == ST_ORACLE && s->oracle == ORACLE_LENIENT && !p->attach)
			p->lenient = true;
		else if (s->kind == ST_ATTACH && p->nr_container && !s->ex && s->group >= 0 &&
			 !(p->attach & (1U << s->group)) && max_attach-- > 0)
			p->attach |= 1U << s->group;
		else
			break;
	}
	/* A bare container gets its driver after the groups the header attaches. */
	if (p->attach && p->container[0] && p->container[0]->type == 0) {
		if (i == sc->nr || !is_v2(&sc->st[i]))
			return enc_fail(e, &sc->st[i < sc->nr ? i : i - 1], "a bare container's "
					"world sets its IOMMU (set-iommu v2) after the attaches");
		p->set_iommu = true;
		i++;
	}
	p->ops = i;
	if (p->nr_mem != 4 || p->nr_group != SL_GROUPS || !p->nr_container)
		return enc_fail(e, p->host, "a seed makes the fuzz world first: its host, the four "
				"guest memory regions, groups g0 to g3, the container (as "
				"vfiosim from-fuzz prints them)");
	return 0;
}

/* The parts of a world, in the order they are compared. */
static const char *const world_parts[] = {
	"host", "guest memory", "group g0", "group g1", "group g2", "group g3", "container",
	"oracle (exact or lenient)",
};
#define WORLD_SAME	(sizeof(world_parts) / sizeof(world_parts[0]))

/* The first part of the scenario's world that differs from spec's (WORLD_SAME: none). */
static unsigned int world_differs(const struct preamble *p, const struct sl_spec *spec)
{
	const struct vfiosim_host_config *h = &p->host->host;
	const struct vfiosim_guest_region *g;
	unsigned int i;

	if (h->page_size != spec->host.page_size || h->memlock_limit != spec->host.memlock_limit ||
	    h->dma_entry_limit != spec->host.dma_entry_limit || h->cap_ipc_lock ||
	    h->allow_unsafe_interrupts || h->disable_hugepages || h->kernel != spec->host.kernel)
		return 0;
	for (i = 0; (g = vfiosim_guest_region(i)); i++)
		if (i >= p->nr_mem || p->mem[i]->r.start != g->vaddr ||
		    p->mem[i]->r.size != g->size || p->mem[i]->prot != g->prot ||
		    p->mem[i]->flags != g->flags)
			return 1;
	for (i = 0; i < SL_GROUPS; i++)
		if (p->group[i]->keeps_pins ||
		    memcmp(&p->group[i]->grp, &spec->group[i], sizeof(spec->group[i])))
			return 2 + i;
	if (p->container[0]->type != spec->type ||
	    (p->nr_container == 2 && p->container[1]->type != spec->fallback))
		return 6;
	return p->lenient != spec->lenient ? 7 : WORLD_SAME;
}

/* A pin at an IOVA off the page boundary needs the header's permission. */
static bool wants_unaligned(const struct scenario *sc, uint64_t page)
{
	unsigned int i;

	for (i = 0; i < sc->nr; i++)
		if (sc->st[i].kind == ST_PIN && sc->st[i].r.start % page)
			return true;
	return false;
}

/* The header whose world is the scenario's: the first of all that are. */
static int header_find(struct enc *e, const struct preamble *p, uint8_t hdr[2])
{
	unsigned int b0, k, part, best = 0;

	for (k = 0; k < 4; k++) {
		/* Bit 0x40 means nothing; SL_CFG_PROVIDERS worlds come last. */
		for (b0 = 0; b0 < 0xc0; b0 = b0 == 0x3f ? SL_CFG_PROVIDERS : b0 + 1) {
			uint8_t b[2] = { (uint8_t)b0, (uint8_t)(p->attach | k << SL_KERNEL_SHIFT) };
			struct fuzz_in in = { b, 2 };
			struct sl_config cfg;
			struct sl_spec spec;

			sl_header(&in, 0, &cfg);
			sl_world_spec(&cfg, &spec);
			if (!!(b0 & SL_CFG_UNALIGNED) !=
			    wants_unaligned(e->sc, spec.host.page_size ? spec.host.page_size : 4096))
				continue;
			part = world_differs(p, &spec);
			if (part > best)
				best = part;
			if (part != WORLD_SAME)
				continue;
			hdr[0] = b[0];
			hdr[1] = b[1];
			return 0;
		}
	}
	return enc_fail(e, p->host, "no header of the fuzz language makes this world (the "
			"nearest ones differ in their %s; vfiosim from-fuzz prints the fuzz "
			"worlds)", world_parts[best]);
}

static int header(struct enc *e, struct preamble *p, unsigned int max_attach)
{
	struct fuzz_in in;
	struct sl_config cfg;
	uint8_t hdr[2];
	const struct stmt *last;

	if (preamble_read(e, p, max_attach) || header_find(e, p, hdr) || put(e, hdr, 2))
		return -1;
	in = (struct fuzz_in){ hdr, 2 };
	sl_header(&in, 0, &cfg);
	sl_world_init(&e->w, "model", 0, &cfg, vfiosim_backend_find("model"), 0);
	e->live = true;
	/* WARNs are the seed's business (expect warnings): not the generator's. */
	vfiosim_expect_warnings(e->w.h, true);
	last = p->container[p->nr_container - 1];
	if (e->w.type != last->type || (p->nr_container == 2) != (e->w.type != p->container[0]->type))
		return enc_fail(e, last, "the fuzz world's container on this version is %s",
				e->w.type == p->container[0]->type ? "the first one (no fallback)" :
				"the fallback: say the first is refused");
	return 0;
}

/* -------------------------------------------------------- the matcher */

static uint64_t page_of(const struct enc *e)
{
	return e->w.page;
}

/* The bitmap the statement describes is the one the action passes. */
static bool bitmap_matches(const struct enc *e, const struct stmt *st, const struct sl_action *a)
{
	struct sl_area piece[SL_AREAS];
	struct sl_bitmap b;
	unsigned int n, i;
	uint64_t pgsize = st->has_pgsize ? st->pgsize : page_of(e);
	uint64_t need = vfiosim_bitmap_bytes(vfiosim_bitmap_pages(a->size, pgsize));

	if (a->pgsize != pgsize || st->fault_word >= 0)
		return false;
	sl_bitmap_of(&e->w, a, &b);
	if (b.size != (st->has_bitmap_size ? st->bitmap_size : need))
		return false;
	if (st->has_bm_at)
		return !b.own && b.addr == st->bm_at;
	n = sl_bitmap_pieces(&b, piece);
	if (!st->nr_bm_seg)	/* the command's buffer: read-write, as long as needed */
		return n && piece[0].prot == (VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE) &&
		       piece[0].size >= b.need;
	if (n != st->nr_bm_seg)
		return false;
	for (i = 0; i < n; i++)
		if (piece[i].size != st->bm_seg[i].size || piece[i].prot != st->bm_seg[i].prot)
			return false;
	return true;
}

static int npage_of(const struct enc *e, const struct stmt *st)
{
	if (st->has_npage)
		return st->npage;
	return st->r.size ? (int)((st->r.size + page_of(e) - 1) / page_of(e)) : 1;
}

/* Does the action make the statement's call? */
static bool matches(const struct enc *e, const struct stmt *st, const struct sl_action *a)
{
	uint32_t argsz = st->has_argsz ? st->argsz : 0;
	const struct sl_pin *p;

	if (a->skip)
		return false;
	switch (a->op) {
	case SL_ATTACH:
	case SL_DETACH:
		return (st->kind == (a->op == SL_ATTACH ? ST_ATTACH : ST_DETACH)) &&
		       a->g == (unsigned int)st->group;
	case SL_MAP:
		return st->kind == ST_MAP && a->iova == st->r.start && a->size == st->r.size &&
		       a->vaddr == st->vaddr && a->flags == st->flags && a->argsz == argsz;
	case SL_UNMAP:
	case SL_UNMAP_BM:
		return st->kind == ST_UNMAP && a->iova == st->r.start && a->size == st->r.size &&
		       a->flags == st->flags && a->argsz == argsz &&
		       (a->op == SL_UNMAP || bitmap_matches(e, st, a));
	case SL_GET:
		return st->kind == ST_GET && a->iova == st->r.start && a->size == st->r.size &&
		       a->flags == st->flags && a->argsz == argsz && bitmap_matches(e, st, a);
	case SL_START:
	case SL_STOP:
		return st->kind == ST_DIRTY && a->flags == st->flags && a->argsz == argsz;
	case SL_PIN:
		return st->kind == ST_PIN && a->g == (unsigned int)st->group &&
		       a->iova == st->r.start && a->npage == npage_of(e, st) && a->prot == st->prot;
	case SL_UNPIN:
		p = &e->w.pins[a->pin];
		return st->kind == ST_UNPIN && p->g == (unsigned int)st->group &&
		       p->iova == st->r.start && npage_of(e, st) == 1;
	case SL_DMA_RW:
		return st->kind == ST_DMA_RW && a->iova == st->r.start && a->len == st->r.size &&
		       a->write == st->write && st->byte < 0 &&
		       (!a->write || st->ramp == a->byte0);
	case SL_WRITE:
		return st->kind == ST_WRITE && st->pattern == WR_RANGE && !st->len &&
		       st->byte < 0 && a->g == (unsigned int)st->group && a->iova == st->r.start &&
		       a->len == st->r.size;
	case SL_SET_IOMMU:
		return st->kind == ST_SET_IOMMU && a->n == (unsigned long)st->type;
	case SL_CHECK_EXT:
		return st->kind == ST_CHECK_EXT && a->n == (unsigned long)st->type;
	case SL_GET_INFO:
		return st->kind == ST_INFO && st->has_argsz && st->argsz == sl_info_argsz(a);
	case SL_PROVIDER:
		return st->kind == ST_PROVIDER && a->n == (unsigned long)st->type;
	default:
		return false;
	}
}

/* ------------------------------------------------------------ search */

static bool in_mapping(const struct enc *e, unsigned int m, uint64_t iova)
{
	return m < e->w.nr_maps && iova - e->w.map_iova[m] < e->w.map_size[m];
}

static bool ends_a_mapping(const struct enc *e, uint64_t end)
{
	unsigned int m;

	for (m = 0; m < e->w.nr_maps; m++)
		if (e->w.map_iova[m] + e->w.map_size[m] == end)
			return true;
	return false;
}

/* An operation: the opcode (op and variant) and its operand bytes. */
struct cand {
	uint8_t b[16];
};

static bool decode(struct enc *e, const struct cand *c, enum sl_op op, struct sl_action *a)
{
	struct fuzz_in in = { c->b, 1 + sl_op_len[op] };

	return sl_decode(&in, &e->w, a) && a->op == op;
}

static bool try_cand(struct enc *e, const struct cand *c, enum sl_op op, struct sl_action *a)
{
	return decode(e, c, op, a) && matches(e, e->st, a);
}

static void opcode(struct cand *c, enum sl_op op, unsigned int variant)
{
	memset(c, 0, sizeof(*c));
	c->b[0] = (uint8_t)(op | variant << 5);
}

static void le16(uint8_t *b, unsigned int v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

/* Signed page (or unit) offset from base to v, if it fits one operand byte. */
static bool offset8(uint64_t v, uint64_t base, uint64_t unit, uint8_t *o)
{
	int64_t d = (int64_t)(v - base);

	if (d % (int64_t)unit || d / (int64_t)unit < -128 || d / (int64_t)unit > 127)
		return false;
	*o = (uint8_t)(int8_t)(d / (int64_t)unit);
	return true;
}

/*
 * A MAP: the slot and size from the plain formulas (or the extremes table),
 * the memory range and its offset by probing: decoded with offset 0, a
 * range choice gives its base.
 */
static bool enc_map(struct enc *e, struct cand *c, struct sl_action *a)
{
	/*
	 * Whole 2 MiB units first (the huge mappings' form), the extremes last;
	 * for a new vaddr the size is the mapping's: the plain form.
	 */
	static const unsigned int plain[] = { 1, 0, 5, 4, 2, 3, 6, 7 };
	static const unsigned int vaddr[] = { 0, 4, 2, 6, 1, 5, 3, 7 };
	const unsigned int *variants = e->st->flags & VFIO_DMA_MAP_FLAG_VADDR ? vaddr : plain;
	const struct stmt *st = e->st;
	uint64_t p = page_of(e), half = 0;
	unsigned int v, vsel, islot, np, nr = e->w.nr_maps ? e->w.nr_maps : 1;
	uint8_t fl = (uint8_t)(st->flags & 0xf);

	if (st->flags & ~0xfU || (st->has_argsz && st->argsz != 16))
		return false;
	if (st->has_argsz)
		fl |= 0x10;
	for (v = 0; v < 8; v++) {
		unsigned int var = variants[v];

		half = var & 4 ? p / 2 : 0;
		for (islot = 0; islot < (var & 2 ? 16 : 0x10000); islot++) {
			/* Plain slots count pages from the first IOVA; VADDR names a mapping. */
			if (!(var & 2) && (st->flags & VFIO_DMA_MAP_FLAG_VADDR ? islot >= nr :
			    islot != (st->r.start - half - VFIOSIM_IOVA) / p))
				continue;
			for (np = 0; np < 256; np++) {
				if (!(var & 2) && !(st->flags & VFIO_DMA_MAP_FLAG_VADDR) &&
				    (var & 1 ? (uint64_t)(np % 8 + 1) << 21 : (np + 1) * p) != st->r.size)
					continue;
				for (vsel = 0; vsel < 16; vsel++) {
					uint64_t voff;

					opcode(c, SL_MAP, var);
					c->b[1] = (uint8_t)vsel;
					le16(c->b + 4, islot);
					c->b[6] = (uint8_t)np;
					c->b[7] = fl;
					if (!decode(e, c, SL_MAP, a) || st->vaddr < a->vaddr)
						continue;
					voff = (st->vaddr - a->vaddr) / p;
					if ((st->vaddr - a->vaddr) % p || voff > 0xffff)
						continue;
					le16(c->b + 2, (unsigned int)voff);
					if (try_cand(e, c, SL_MAP, a)) {
						if (!(var & 2) && e->nr_islots < ENC_MAX_MAPS &&
						    !(st->flags & VFIO_DMA_MAP_FLAG_VADDR))
							e->islot_at[e->nr_islots++] = e->seq->n + 4;
						return true;
					}
				}
			}
		}
	}
	return false;
}

/*
 * The range operands (mapping, page offset, size) at b: a mapping and an
 * end of one, or pages; else the extremes (variant 2).  Then what follows
 * them (a bitmap's page size and buffer choice, the flags) through more().
 */
typedef bool (*more_fn)(struct enc *e, struct cand *c, enum sl_op op, struct sl_action *a);

static bool enc_range(struct enc *e, struct cand *c, enum sl_op op, unsigned int variant,
		      more_fn more, struct sl_action *a)
{
	const struct stmt *st = e->st;
	unsigned int m, s, k, nr = e->w.nr_maps ? e->w.nr_maps : 1;
	bool to_end = ends_a_mapping(e, st->r.start + st->r.size);
	uint64_t p = page_of(e);

	for (k = 0; k < 2 * nr; k++) {
		uint8_t o;

		/* The mapping the range starts in first, then any. */
		m = k % nr;
		if ((k < nr) != in_mapping(e, m, st->r.start))
			continue;
		opcode(c, op, variant);
		c->b[1] = (uint8_t)m;
		c->b[3] = 0x80;
		if (!decode(e, c, op, a) || !offset8(st->r.start, a->iova, p, &o))
			continue;
		c->b[2] = o;
		/* To the end of a mapping if it ends at one, else pages, first. */
		for (s = 0; s < 256; s++) {
			c->b[3] = (uint8_t)(to_end ? s : s ^ 0x80);
			if (decode(e, c, op, a) && a->iova == st->r.start &&
			    a->size == st->r.size && more(e, c, op, a))
				return true;
		}
	}
	for (m = 0; m < 16; m++) {
		for (s = 0; s < 16; s++) {
			opcode(c, op, variant | 2);
			c->b[1] = (uint8_t)m;
			c->b[3] = (uint8_t)s;
			if (decode(e, c, op, a) && a->iova == st->r.start &&
			    a->size == st->r.size && more(e, c, op, a))
				return true;
		}
	}
	return false;
}

/* The byte after the range (and the bitmap's): flags, and a short argsz. */
static bool more_flags(struct enc *e, struct cand *c, enum sl_op op, struct sl_action *a)
{
	size_t at = op == SL_UNMAP ? 4 : 6;
	uint8_t x = (uint8_t)(e->st->flags & (VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR |
					      0x8));

	if (e->st->has_argsz)
		x |= 0x10;
	c->b[at] = x;
	return try_cand(e, c, op, a);
}

/* A report's page size and buffer choice, from the decoder's tables. */
static bool more_bitmap(struct enc *e, struct cand *c, enum sl_op op, struct sl_action *a)
{
	unsigned int pg, buf;

	for (pg = 0; pg < 8; pg++) {
		for (buf = 0; buf < 64; buf++) {
			c->b[4] = (uint8_t)pg;
			c->b[5] = (uint8_t)buf;
			if (op == SL_GET ? try_cand(e, c, op, a) : more_flags(e, c, op, a))
				return true;
		}
	}
	return false;
}

static bool enc_search(struct enc *e, struct cand *c, struct sl_action *a)
{
	const struct stmt *st = e->st;
	unsigned int v, x, y, nr = e->w.nr_maps ? e->w.nr_maps : 1;

	switch (st->kind) {
	case ST_ATTACH:
	case ST_DETACH:
		opcode(c, st->kind == ST_ATTACH ? SL_ATTACH : SL_DETACH, 0);
		c->b[1] = (uint8_t)st->group;
		return try_cand(e, c, st->kind == ST_ATTACH ? SL_ATTACH : SL_DETACH, a);
	case ST_MAP:
		return enc_map(e, c, a);
	case ST_UNMAP:
		return st->bitmap ? enc_range(e, c, SL_UNMAP_BM, 0, more_bitmap, a) :
		       enc_range(e, c, SL_UNMAP, 0, more_flags, a);
	case ST_GET:
		for (v = 0; v < 8; v++)
			if (!(v & 2) && enc_range(e, c, SL_GET, v, more_bitmap, a))
				return true;
		return false;
	case ST_DIRTY:
		for (v = 0; v < 16; v++) {
			opcode(c, v & 8 ? SL_STOP : SL_START, v & 7);
			if (try_cand(e, c, v & 8 ? SL_STOP : SL_START, a))
				return true;
		}
		return false;
	case ST_PIN:
		/* group, mapping, page offset, count, prot */
		for (v = 0; v < 8; v++) {
			for (y = 0; y < 2 * nr; y++) {
				uint8_t o;

				x = y % nr;
				if ((y < nr) != in_mapping(e, x, st->r.start))
					continue;
				opcode(c, SL_PIN, v);
				c->b[1] = (uint8_t)st->group;
				c->b[2] = (uint8_t)x;
				c->b[5] = (uint8_t)st->prot;
				if (!decode(e, c, SL_PIN, a) ||
				    !offset8(st->r.start - (a->unaligned ? page_of(e) / 2 : 0),
					     a->iova - (a->unaligned ? page_of(e) / 2 : 0), page_of(e),
					     &o))
					continue;
				c->b[3] = o;
				for (x = 0; x < 256; x++) {
					c->b[4] = (uint8_t)x;
					if (try_cand(e, c, SL_PIN, a))
						return true;
				}
			}
		}
		return false;
	case ST_UNPIN:
		for (x = 0; x < e->w.nr_pins; x++) {
			opcode(c, SL_UNPIN, 0);
			c->b[1] = (uint8_t)x;
			if (try_cand(e, c, SL_UNPIN, a))
				return true;
		}
		return false;
	case ST_DMA_RW:
		for (y = 0; y < 2 * nr; y++) {
			uint8_t o;

			x = y % nr;
			if ((y < nr) != in_mapping(e, x, st->r.start))
				continue;
			opcode(c, SL_DMA_RW, st->write ? 0 : 1);
			c->b[1] = (uint8_t)x;
			le16(c->b + 3, (unsigned int)(st->r.size - 1));
			if (!st->r.size || st->r.size > 0x10000 || !decode(e, c, SL_DMA_RW, a) ||
			    !offset8(st->r.start, a->iova, 64, &o))
				continue;
			c->b[2] = o;
			if (try_cand(e, c, SL_DMA_RW, a))
				return true;
		}
		return false;
	case ST_WRITE:
		/* group, mapping or held pin, offset, length: searched whole */
		for (v = 0; v < 256; v++) {
			for (x = 0; x < 256; x++) {
				for (y = 0; y < 256; y++) {
					opcode(c, SL_WRITE, 0);
					c->b[1] = (uint8_t)st->group;
					c->b[2] = (uint8_t)v;
					c->b[3] = (uint8_t)x;
					c->b[4] = (uint8_t)y;
					if (!decode(e, c, SL_WRITE, a) || a->skip)
						return false;
					if (a->iova > st->r.start)
						break;	/* offsets only grow */
					if (matches(e, st, a))
						return true;
				}
			}
			if (v >= (e->w.nr_maps > e->w.nr_pins ? e->w.nr_maps : e->w.nr_pins))
				break;
		}
		return false;
	case ST_SET_IOMMU:
	case ST_CHECK_EXT:
	case ST_INFO:
	case ST_PROVIDER: {
		enum sl_op op = st->kind == ST_SET_IOMMU ? SL_SET_IOMMU :
				st->kind == ST_CHECK_EXT ? SL_CHECK_EXT :
				st->kind == ST_PROVIDER ? SL_PROVIDER : SL_GET_INFO;

		for (x = 0; x < 256; x++) {
			opcode(c, op, 0);
			c->b[1] = (uint8_t)x;
			if (try_cand(e, c, op, a))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

/* ------------------------------------------------------------ running */

/* Runs the action on the world as the harness would. */
static void run(struct enc *e, const struct sl_action *a)
{
	struct sl_result r;

	sl_exec(&e->w, a, &r);
	sl_update(&e->w, a, &r);
}

/* The next statement that is not an expectation, from i on; sc->nr if none. */
static unsigned int next_op(const struct scenario *sc, unsigned int i)
{
	while (i < sc->nr && sc->st[i].kind == ST_EXPECT)
		i++;
	return i;
}

/*
 * The operations.  A fault the language arms is for the next operation
 * only, so the scenario arms it right before that one and disarms it
 * right after (as from-fuzz prints it: fail alloc N, the operation, fail
 * alloc 0).
 */
static int ops(struct enc *e, unsigned int i)
{
	enum { FREE, ARMED, RUN } fault = FREE;
	const struct scenario *sc = e->sc;
	const struct stmt *armed = NULL;
	struct sl_action a;
	struct cand c;

	for (i = next_op(sc, i); i < sc->nr; i = next_op(sc, i + 1)) {
		const struct stmt *st = &sc->st[i];
		enum sl_op op;

		e->st = st;
		if (st->kind == ST_FAIL && !st->n) {
			if (fault != RUN)
				return enc_fail(e, st, "nothing to disarm: the language arms a "
						"fault for the operation after it only");
			fault = FREE;
			continue;
		}
		if (fault != FREE && !(fault == ARMED && st->kind != ST_FAIL))
			return enc_fail(e, armed, "the language arms a fault for the next "
					"operation only: arm it right before one, disarm it "
					"right after (fail %s 0)",
					armed->fail == FAIL_COPY ? "copy" : "alloc");
		if (st->kind == ST_FAIL) {
			op = st->fail == FAIL_COPY ? SL_FAIL_COPY : SL_FAIL_ALLOC;
			opcode(&c, op, 0);
			c.b[1] = (uint8_t)(st->n - 1);
			if (st->n > 32 || !decode(e, &c, op, &a) || a.n != st->n)
				return enc_fail(e, st, "the language fails the 1st to the 32nd only");
			armed = st;
			fault = ARMED;
		} else if (!enc_search(e, &c, &a)) {
			char hint[64] = "";

			/* A dma_rw write's data is the decoder's choice: say which. */
			opcode(&c, SL_DMA_RW, 0);
			if (st->kind == ST_DMA_RW && st->write && decode(e, &c, SL_DMA_RW, &a))
				snprintf(hint, sizeof(hint), "; its data here is ramp 0x%02x",
					 a.byte0);
			return enc_fail(e, st, "the fuzz language cannot make this call here "
					"(\"%s\")%s", st->text, hint);
		} else if (fault == ARMED) {
			fault = RUN;
		}
		if (put(e, c.b, 1 + sl_op_len[a.op]))
			return -1;
		run(e, &a);
	}
	if (fault != FREE)
		return enc_fail(e, armed, "%s", fault == ARMED ? "a fault armed for no operation" :
				"a fault left armed: disarm it after its operation");
	return 0;
}

int gen_seq(const char *path, struct gen *seq, struct gen *diff, char *why, size_t len)
{
	struct enc e = { .seq = seq, .why = why, .len = len };
	struct scenario *sc;
	struct diag d = { 0 };
	struct preamble p;
	unsigned int i, max = SL_GROUPS, used;
	char *first = NULL;
	int ret;

	if (scenario_load(path, &sc, &d)) {
		diag_format(&d, why, len);
		return -1;
	}
	e.sc = sc;
	/*
	 * The attaches right after the container are the header's, as many as
	 * will do: one the input makes as an operation counts as a step.
	 */
	for (;;) {
		seq->n = 0;
		e.nr_islots = 0;
		ret = header(&e, &p, max) || ops(&e, p.ops) ? -1 : 0;
		if (e.live)
			sl_world_free(&e.w);
		e.live = false;
		used = (unsigned int)__builtin_popcount(p.attach);
		if (!ret || !used)
			break;
		if (!first)
			first = strdup(why);
		max = used - 1;
	}
	scenario_free(sc);
	/* The first attempt's reason reads best. */
	if (ret && first)
		snprintf(why, len, "%s", first);
	free(first);
	if (ret)
		return -1;
	*diff = *seq;
	for (i = 0; i < e.nr_islots; i++) {
		uint8_t *b = diff->b + e.islot_at[i];

		le16(b, (unsigned int)(b[0] | b[1] << 8) / 64);
	}
	return 0;
}
