// SPDX-License-Identifier: MIT
/*
 * observe.c - what each operation on the container means for the shadow.
 *
 * Arguments are read from the caller's memory before an ioctl runs (the
 * call rewrites some of them) and its results after.  The user's bitmap
 * may be claimed far larger than the mappings in its range (up to 256 MiB)
 * or than the buffer really there, so it is not read whole: the host
 * journals every user write into it during the call with the bytes it
 * overwrote (host_uwatch), and afterwards the oracle reads back the words
 * of the mappings plus the words written, and rebuilds what those held
 * before from the journal.  Bits the call had no business touching are
 * told apart as well as by reading the whole bitmap on both sides, at the
 * cost of what the call wrote.  An argument the oracle cannot read, the
 * backend could not read either: such a call failed and changed nothing.
 *
 * Device writes are not reported to the oracle one by one: the host's
 * log is read up to its end at the start of every operation, and since
 * the shadow only changes inside operations, each write meets the state
 * that held when it was made.
 *
 * Failed calls change nothing, except where type1 may have changed its
 * state part way (the Linux 6.12 kernel, or another backend, may differ
 * from the model there, and both must pass):
 *  - pin_pages: pages pinned before the failure keep their dirty bit
 *    after being unpinned again: the call's pages become MAY;
 *  - dma_rw: the mappings written before the failure are dirty: MAY;
 *  - GET_BITMAP -EFAULT: the kernel has restarted the mappings it copied
 *    out before the fault, the model none: what was MUST becomes MAY
 *    (but WRITTEN stays: a written page must still be reported, so a
 *    backend that dropped it fails check 1 at the next report);
 *  - UNMAP_DMA -EFAULT/-EBUSY: any mapping of the range may be gone (the
 *    kernel removes mappings one by one and faults on a later copy; the
 *    result may fail to be written back after everything went).  Such
 *    mappings become ghosts: not checked until an operation proves they
 *    exist (a pin or dma_rw through them, a report with bits in them) or
 *    are gone (a map over them, an unmap or report that could not have
 *    succeeded with them there, a whole-mapping report without their
 *    bits).  The ghosts of the kernel's half-done unmap are not held to
 *    their written pages: those went out in the failed call's bitmap.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "oracle/oracle.h"

/* The kernel's largest user bitmap (DIRTY_BITMAP_SIZE_MAX), in words. */
#define OM_BITMAP_WORDS_MAX	((((uint64_t)1 << 31) - 1 + 63) / 64)

static struct vfiosim_oracle *om_of(struct vfiosim_observer *obs)
{
	return (struct vfiosim_oracle *)((char *)obs - offsetof(struct vfiosim_oracle, obs));
}

static bool type_is_v2(unsigned long type)
{
	return type == VFIO_TYPE1v2_IOMMU || type == VFIO_TYPE1_NESTING_IOMMU;
}

void om_activate(struct vfiosim_oracle *o)
{
	struct vfiosim_group *g;

	if (o->active || !o->c->data || !type_is_v2(o->c->type))
		return;
	o->active = true;
	for (g = o->c->groups; g; g = core_group(g)->next)
		om_group_add(o, g);
}

/* Takes in the writes logged since the last operation. */
static void om_catch_up(struct vfiosim_oracle *o)
{
	struct vfiosim_host *h = o->c->host;
	size_t n = vfiosim_log_count(h);

	for (; o->log_pos < n; o->log_pos++) {
		const struct vfiosim_write *w = vfiosim_log_get(h, o->log_pos);

		if (o->active && o->tracking && w->container_id == o->c->id) {
			om_mark(o, OM_WRITTEN, w->iova, w->len);
			om_recorded_write(o, w);
		}
	}
}

/* An operation seen: what was logged before it is taken in, and it is counted. */
static void om_next_op(struct vfiosim_oracle *o)
{
	om_catch_up(o);
	o->op++;
}

static void om_all_dirty(struct vfiosim_oracle *o)
{
	struct om_map *m;

	for (m = om_map_of(rb_first(&o->maps)); m; m = om_map_next(m))
		m->must_all = true;
}

/* ------------------------------------------------------------- ioctls */

struct om_call {
	uint32_t flags;
	uint64_t iova, size;
	bool has_bitmap;		/* a report may come back */
	struct vfio_bitmap bm;
	struct host_uwatch watch;	/* the user writes into the range's words */
	struct om_report rep;
};

static bool peek(struct vfiosim_oracle *o, void *dst, unsigned long uaddr, size_t n)
{
	return !host_peek_user(o->c->host, dst, uaddr, n);
}

/* What the call asks for, as its argument says. */
static void call_asks(struct om_call *call, uint32_t flags, uint64_t iova, uint64_t size)
{
	call->flags = flags;
	call->iova = iova;
	call->size = size;
}

/* Sizes the report [iova, iova + size) would have and reads the bitmap as it is. */
static void bitmap_prepare(struct vfiosim_oracle *o, struct om_call *call, const char *what)
{
	struct om_report *r = &call->rep;
	uint64_t pgsize = call->bm.pgsize, words, start, end;

	/* Anything else fails: the report's page is the smallest IOMMU page. */
	if (!o->tracking || pgsize < o->page_size || (pgsize & (pgsize - 1)))
		return;
	r->pgsize = pgsize;
	r->pshift = (unsigned int)__builtin_ctzll(pgsize);
	if (!call->size || (call->size & (pgsize - 1)) || call->iova + call->size - 1 < call->iova)
		return;
	r->what = what;
	r->iova = call->iova;
	r->last = call->iova + call->size - 1;
	r->nbits = call->size >> r->pshift;
	words = BITS_TO_LONGS(r->nbits);
	if (words > OM_BITMAP_WORDS_MAX || call->bm.size / sizeof(unsigned long) < words)
		return;
	/* Only the words a successful call may write: the rest of the
	 * buffer is the caller's business, and maybe not even there. */
	r->nwords = words;
	call->has_bitmap = true;
	start = (uintptr_t)call->bm.data;
	end = start + words * sizeof(unsigned long);
	host_uwatch_start(o->c->host, &call->watch, start, end < start ? UINT64_MAX : end);
}

static void *om_ioctl_begin(struct vfiosim_observer *obs, unsigned int cmd, unsigned long arg)
{
	struct vfiosim_oracle *o = om_of(obs);
	struct om_call *call;

	om_catch_up(o);
	if (!o->active)
		return NULL;
	call = calloc(1, sizeof(*call));
	if (!call)
		abort();
	switch (cmd) {
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map req;

		if (!peek(o, &req, arg, sizeof(req)))
			break;
		call_asks(call, req.flags, req.iova, req.size);
		return call;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap u;

		if (!peek(o, &u, arg, sizeof(u)))
			break;
		call_asks(call, u.flags, u.iova, u.size);
		if ((u.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) &&
		    peek(o, &call->bm, arg + sizeof(u), sizeof(call->bm)))
			bitmap_prepare(o, call, "UNMAP_DMA");
		return call;
	}
	case VFIO_IOMMU_DIRTY_PAGES: {
		struct vfio_iommu_type1_dirty_bitmap hdr;
		struct vfio_iommu_type1_dirty_bitmap_get get;

		if (!peek(o, &hdr, arg, sizeof(hdr)))
			break;
		call->flags = hdr.flags;
		if (hdr.flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP &&
		    peek(o, &get, arg + sizeof(hdr), sizeof(get))) {
			call_asks(call, hdr.flags, get.iova, get.size);
			call->bm = get.bitmap;
			bitmap_prepare(o, call, "GET_BITMAP");
		}
		return call;
	}
	default:
		break;
	}
	free(call);
	return NULL;
}

static void call_free(struct om_call *call)
{
	if (!call)
		return;
	host_uwatch_release(&call->watch);
	free(call->rep.spans);
	free(call->rep.before);
	free(call->rep.after);
	free(call);
}

/*
 * A successful unmap or report cannot have cut a mapping: one the shadow
 * shows cut was already gone (a ghost) or the shadow is wrong.
 */
static void drop_cut(struct vfiosim_oracle *o, const char *what, uint64_t iova, uint64_t last)
{
	struct om_map *m, *next;

	for (m = om_map_first_in(o, iova, last); m && m->iova <= last; m = next) {
		next = om_map_next(m);
		if (m->iova >= iova && m->last <= last)
			continue;
		if (!m->ghost)
			om_violation(o, &o->st.desync, 1,
				     "%s [0x%" PRIx64 ", 0x%" PRIx64 "] succeeded across mapping "
				     "[0x%" PRIx64 ", 0x%" PRIx64 "]", what, iova, last, m->iova,
				     m->last);
		om_map_remove(o, m);
	}
}

/* Words [a, b] of the user's bitmap, to read back. */
struct om_words {
	uint64_t a, b;
};

static int words_cmp(const void *x, const void *y)
{
	const struct om_words *p = x, *q = y;

	return p->a < q->a ? -1 : p->a > q->a;
}

static void words_add(struct om_words *v, size_t *n, uint64_t a, uint64_t b)
{
	v[*n].a = a;
	v[*n].b = b;
	(*n)++;
}

/* The bits [first, last] of the range as words. */
static void words_add_bits(struct om_words *v, size_t *n, uint64_t first, uint64_t last)
{
	words_add(v, n, first / BITS_PER_LONG, last / BITS_PER_LONG);
}

/*
 * Reads back the words of the mappings in the range and those the call
 * wrote (and the one a test asked to corrupt), and rebuilds what they held
 * before from the journal.  False if any is unreadable or the journal is
 * incomplete.
 */
static bool report_read(struct vfiosim_oracle *o, struct om_call *call)
{
	struct om_report *r = &call->rep;
	const struct host_uwatch *w = &call->watch;
	uint64_t base = (uintptr_t)call->bm.data, total = 0;
	struct om_words *v;
	struct om_map *m;
	size_t n = 0, nmaps = 0, i;

	if (w->lost)
		return false;
	for (m = om_map_first_in(o, r->iova, r->last); m && m->iova <= r->last;
	     m = om_map_next(m))
		nmaps++;
	v = malloc((nmaps + w->n + 1) * sizeof(*v));
	if (!v)
		abort();
	for (m = om_map_first_in(o, r->iova, r->last); m && m->iova <= r->last;
	     m = om_map_next(m)) {
		uint64_t a = m->iova > r->iova ? m->iova : r->iova;
		uint64_t b = m->last < r->last ? m->last : r->last;

		words_add_bits(v, &n, (a - r->iova) >> r->pshift, (b - r->iova) >> r->pshift);
	}
	for (i = 0; i < w->n; i++)
		words_add(v, &n, (w->w[i].uaddr - base) / sizeof(unsigned long),
			  (w->w[i].uaddr + w->w[i].len - 1 - base) / sizeof(unsigned long));
	if (o->corrupt && o->corrupt_bit < r->nwords * BITS_PER_LONG)
		words_add_bits(v, &n, o->corrupt_bit, o->corrupt_bit);
	qsort(v, n, sizeof(*v), words_cmp);

	/* Overlapping or touching runs become one span. */
	r->spans = malloc((n ? n : 1) * sizeof(*r->spans));
	if (!r->spans)
		abort();
	for (i = 0; i < n; i++) {
		struct om_span *sp = r->nspans ? &r->spans[r->nspans - 1] : NULL;

		if (sp && v[i].a <= sp->w0 + sp->n) {
			if (v[i].b >= sp->w0 + sp->n)
				sp->n = v[i].b - sp->w0 + 1;
			continue;
		}
		r->spans[r->nspans++] = (struct om_span){ .w0 = v[i].a, .n = v[i].b - v[i].a + 1 };
	}
	free(v);
	for (i = 0; i < r->nspans; i++) {
		r->spans[i].at = (size_t)total;
		total += r->spans[i].n;
	}
	r->after = malloc((total ? total : 1) * sizeof(unsigned long));
	r->before = malloc((total ? total : 1) * sizeof(unsigned long));
	if (!r->after || !r->before)
		abort();
	o->st.words_read += total;
	for (i = 0; i < r->nspans; i++)
		if (!peek(o, r->after + r->spans[i].at,
			  base + r->spans[i].w0 * sizeof(unsigned long),
			  r->spans[i].n * sizeof(unsigned long)))
			return false;
	memcpy(r->before, r->after, total * sizeof(unsigned long));
	/* Undone latest first: each byte ends as the first write found it. */
	for (i = w->n; i--;) {
		const struct host_uwrite *e = &w->w[i];
		uint64_t off = e->uaddr - base;
		const struct om_span *sp = om_span_of(r, off / sizeof(unsigned long));

		memcpy((unsigned char *)(r->before + sp->at) +
		       (off - sp->w0 * sizeof(unsigned long)), w->old + e->old, e->len);
	}
	return true;
}

/* Checks the report a successful call left in the user's bitmap. */
static void judge(struct vfiosim_oracle *o, struct om_call *call, const char *what)
{
	struct om_report *r = &call->rep;
	struct om_map *m;

	if (!o->tracking) {
		om_violation(o, &o->st.desync, 1, "%s succeeded with dirty tracking off", what);
		return;
	}
	if (!call->has_bitmap) {
		o->st.unchecked++;
		return;
	}
	if (report_read(o, call)) {
		om_report_check(o, r);
	} else {
		/* Unreadable: take it that everything went out. */
		o->st.unchecked++;
		for (m = om_map_first_in(o, r->iova, r->last); m && m->iova <= r->last;
		     m = om_map_next(m))
			om_restart(m, true);
	}
}

static void done_map(struct vfiosim_oracle *o, const struct om_call *call)
{
	uint64_t last = call->iova + call->size - 1;
	struct om_map *m, *next;

	if (call->flags & VFIO_DMA_MAP_FLAG_VADDR) {
		/* A new vaddr for exactly this mapping: it exists. */
		m = om_map_find(o, call->iova);
		if (m && m->iova == call->iova && m->last == last)
			m->ghost = false;
		return;
	}
	if (!call->size || last < call->iova)
		return;
	for (m = om_map_first_in(o, call->iova, last); m && m->iova <= last; m = next) {
		next = om_map_next(m);
		if (!m->ghost)
			om_violation(o, &o->st.desync, 1,
				     "MAP_DMA [0x%" PRIx64 ", 0x%" PRIx64 "] succeeded over "
				     "mapping [0x%" PRIx64 ", 0x%" PRIx64 "]", call->iova, last,
				     m->iova, m->last);
		om_map_remove(o, m);
	}
	om_map_add(o, call->iova, call->size);
}

static void done_unmap(struct vfiosim_oracle *o, struct om_call *call, unsigned long arg,
		       long ret)
{
	bool dirty = call->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	uint64_t iova = call->iova, last, sure = 0, maybe = 0, unmapped;
	struct om_map *m, *next;

	/* Invalidating vaddrs removes nothing, and a failure rolls back. */
	if (call->flags & VFIO_DMA_UNMAP_FLAG_VADDR)
		return;
	if (call->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		iova = 0;
		last = UINT64_MAX;
	} else {
		/* A range may end at 2^64 (docs/divergences.md 8). */
		last = iova + call->size - 1;
		if (!call->size || last < iova)
			return;
	}
	if (ret) {
		if (ret != -EFAULT && ret != -EBUSY)
			return;
		for (m = om_map_first_in(o, iova, last); m && m->iova <= last;
		     m = om_map_next(m)) {
			m->ghost = true;
			/* Reports of mappings outside the scope were filled in. */
			if (dirty && o->tracking && om_outside_now(o))
				m->may_all = true;
		}
		return;
	}

	drop_cut(o, "UNMAP_DMA", iova, last);
	if (dirty)
		judge(o, call, "UNMAP_DMA");
	for (m = om_map_first_in(o, iova, last); m && m->iova <= last; m = next) {
		next = om_map_next(m);
		if (m->ghost)
			maybe += m->last - m->iova + 1;
		else
			sure += m->last - m->iova + 1;
		om_map_remove(o, m);
	}
	if (peek(o, &unmapped, arg + offsetof(struct vfio_iommu_type1_dma_unmap, size),
		 sizeof(unmapped)) && (unmapped < sure || unmapped - sure > maybe))
		om_violation(o, &o->st.desync, 1,
			     "UNMAP_DMA [0x%" PRIx64 ", 0x%" PRIx64 "] unmapped 0x%" PRIx64
			     " bytes, mappings there hold 0x%" PRIx64 " (+0x%" PRIx64 " maybe)",
			     iova, last, unmapped, sure, maybe);
}

static void done_dirty(struct vfiosim_oracle *o, struct om_call *call, long ret)
{
	struct om_map *m;

	switch (call->flags) {
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_START:
		if (ret || o->tracking)
			return;
		o->tracking = true;
		for (m = om_map_of(rb_first(&o->maps)); m; m = om_map_next(m))
			om_restart(m, true);
		return;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP:
		if (ret)
			return;
		o->tracking = false;
		for (m = om_map_of(rb_first(&o->maps)); m; m = om_map_next(m))
			om_forget_dirty(m);
		return;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP:
		break;
	default:
		return;
	}
	if (!ret) {
		if (call->has_bitmap)
			drop_cut(o, "GET_BITMAP", call->rep.iova, call->rep.last);
		judge(o, call, "GET_BITMAP");
		return;
	}
	if (ret != -EFAULT || !o->tracking || !call->has_bitmap)
		return;
	for (m = om_map_first_in(o, call->rep.iova, call->rep.last);
	     m && m->iova <= call->rep.last; m = om_map_next(m)) {
		om_blur(m);
		if (om_outside_now(o))
			m->may_all = true;
	}
}

/* The extension's request: a change of provider while tracking makes the
 * next report full (docs/dirty-providers.md). */
static void done_provider(struct vfiosim_oracle *o, unsigned long arg, long ret)
{
	struct vfiosim_iommu_dirty_provider req;

	if (ret || !peek(o, &req, arg, sizeof(req)))
		return;
	o->provider = (int)req.provider;
	if (o->tracking)
		om_all_dirty(o);
}

static void om_ioctl_done(struct vfiosim_observer *obs, void *token, unsigned int cmd,
			  unsigned long arg, long ret)
{
	struct vfiosim_oracle *o = om_of(obs);
	struct om_call *call = token;

	om_next_op(o);
	if (call)
		host_uwatch_stop(&call->watch);
	if (cmd == VFIO_SET_IOMMU && !ret)
		om_activate(o);
	if (call && o->active) {
		switch (cmd) {
		case VFIO_IOMMU_MAP_DMA:
			if (!ret)
				done_map(o, call);
			break;
		case VFIO_IOMMU_UNMAP_DMA:
			done_unmap(o, call, arg, ret);
			break;
		case VFIO_IOMMU_DIRTY_PAGES:
			done_dirty(o, call, ret);
			break;
		}
	}
	if (cmd == VFIOSIM_IOMMU_DIRTY_PROVIDER && o->active)
		done_provider(o, arg, ret);
	call_free(call);
}

/* ------------------------------------------------------ groups, pins */

static void om_attached(struct vfiosim_observer *obs, struct vfiosim_group *g, int ret)
{
	struct vfiosim_oracle *o = om_of(obs);

	om_next_op(o);
	if (!ret && o->active)
		om_group_add(o, g);
}

static void om_detached(struct vfiosim_observer *obs, struct vfiosim_group *g)
{
	struct vfiosim_oracle *o = om_of(obs);

	om_next_op(o);
	if (!o->active)
		return;
	if (!o->c->data) {
		om_reset(o);
		return;
	}
	/* The scope may narrow: whatever such a group wrote must come out. */
	if (om_group_del(o, g) && o->tracking)
		om_all_dirty(o);
	/* Nothing that could hold the mappings is left. */
	if (!o->c->groups) {
		om_maps_free(o);
		om_pins_free(o);
	}
}

/* [iova, iova + len) clipped to the top of the IOVA space. */
static uint64_t om_last(uint64_t iova, uint64_t len)
{
	return iova + (len - 1) < iova ? UINT64_MAX : iova + (len - 1);
}

static void om_pinned(struct vfiosim_observer *obs, struct vfiosim_group *g, uint64_t iova,
		      int npage, int prot, const uint64_t *pfns, int ret)
{
	struct vfiosim_oracle *o = om_of(obs);
	int i;

	om_next_op(o);
	if (!o->active)
		return;
	if (ret < 0) {
		uint64_t max = o->page_size / sizeof(uint64_t);
		uint64_t n = npage < 0 ? 0 : (uint64_t)npage;

		if (o->tracking && n)
			om_mark(o, OM_MAY, iova, (n < max ? n : max) << o->page_shift);
		return;
	}
	/* The page holding an unaligned IOVA is pinned: divergences.md (7). */
	iova &= ~(o->page_size - 1);
	for (i = 0; i < ret; i++) {
		uint64_t a = iova + (uint64_t)i * o->page_size;
		struct om_map *m = om_map_first_in(o, a, om_last(a, o->page_size));

		if (!m)
			om_violation(o, &o->st.desync, 1,
				     "pin_pages succeeded at iova 0x%" PRIx64 ", in no mapping", a);
		else
			m->ghost = false;
		om_pin_get(o, a);
		if (o->tracking)
			om_mark(o, OM_MUST, a, 1);
	}
	/*
	 * Any successful call, even of no page, brings the group into the
	 * scope.  When that was the last group outside, the IOMMU-backed
	 * devices may have written anywhere since the last report: every
	 * mapping must come out whole once more.  The model does so; Linux
	 * 6.12 does not, and loses those pages (a deliberate divergence).
	 */
	if (om_group_promote(o, g) && o->tracking)
		om_all_dirty(o);
}

static void om_unpinned(struct vfiosim_observer *obs, struct vfiosim_group *g, uint64_t iova,
			int npage)
{
	struct vfiosim_oracle *o = om_of(obs);
	int i;

	om_next_op(o);
	if (!o->active)
		return;
	/* type1 stops at the first page in no mapping. */
	iova &= ~(o->page_size - 1);
	for (i = 0; i < npage; i++) {
		uint64_t a = iova + (uint64_t)i * o->page_size;

		if (!om_map_first_in(o, a, om_last(a, o->page_size)))
			break;
		om_pin_put(o, a);
	}
}

static void om_dma_rw_done(struct vfiosim_observer *obs, uint64_t iova, size_t len, bool write,
			   int ret)
{
	struct vfiosim_oracle *o = om_of(obs);
	uint64_t last = om_last(iova, len);
	struct om_map *m;

	om_next_op(o);
	if (!o->active || !len)
		return;
	if (!ret)
		for (m = om_map_first_in(o, iova, last); m && m->iova <= last; m = om_map_next(m))
			m->ghost = false;
	if (write && o->tracking)
		om_mark(o, ret ? OM_MAY : OM_MUST, iova, len);
}

static void om_gone(struct vfiosim_observer *obs)
{
	struct vfiosim_oracle *o = om_of(obs);

	om_catch_up(o);
	om_reset(o);
	o->c = NULL;
}

/* The container layer tells every operation alike; the shadow needs each its own way. */
static void *om_begin(struct vfiosim_observer *obs, const struct vfiosim_op *op)
{
	if (op->kind == VFIOSIM_OP_IOCTL)
		return om_ioctl_begin(obs, op->cmd, op->arg);
	if (op->kind != VFIOSIM_OP_UNPIN && op->kind != VFIOSIM_OP_DMA_RW) {
		/* The writes before it, judged by the entries they went through. */
		om_catch_up(om_of(obs));
		om_of(obs)->covered_before = om_covered(om_of(obs));
	}
	return NULL;
}

/*
 * Covered after an attach, detach or pin, and not before: no provider
 * recorded what some group wrote since the last report, so the backend
 * reports everything once (docs/dirty-providers.md).
 */
static void om_settle(struct vfiosim_observer *obs)
{
	struct vfiosim_oracle *o = om_of(obs);

	if (o->active && o->tracking && !o->covered_before && o->outside && om_covered(o))
		om_all_dirty(o);
}

static void om_done(struct vfiosim_observer *obs, void *token, const struct vfiosim_op *op,
		    long ret)
{
	switch (op->kind) {
	case VFIOSIM_OP_IOCTL:
		om_ioctl_done(obs, token, op->cmd, op->arg, ret);
		break;
	case VFIOSIM_OP_ATTACH:
		om_attached(obs, op->group, (int)ret);
		om_settle(obs);
		break;
	case VFIOSIM_OP_DETACH:
		om_detached(obs, op->group);
		om_settle(obs);
		break;
	case VFIOSIM_OP_PIN:
		om_pinned(obs, op->group, op->iova, op->npage, op->prot, op->pfns, (int)ret);
		om_settle(obs);
		break;
	case VFIOSIM_OP_UNPIN:
		om_unpinned(obs, op->group, op->iova, op->npage);
		break;
	case VFIOSIM_OP_DMA_RW:
		om_dma_rw_done(obs, op->iova, op->len, op->write, (int)ret);
		break;
	}
}

const struct vfiosim_observer_ops om_observer_ops = {
	.begin = om_begin,
	.done = om_done,
	.gone = om_gone,
};
