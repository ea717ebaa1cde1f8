// SPDX-License-Identifier: MIT
/*
 * sim.c - the calls of sim.h: argument blocks laid out as a VMM passes
 * them, one trace line per call (the container's calls: by its tracer),
 * and the checks after each.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "linux_version.h"
#include "sim.h"
#include "tracer.h"
#include "vfiosim_client.h"

/* Largest bitmap the kernel accepts (INT_MAX pages), plus a word. */
#define SIM_BITMAP_MAX		((256ULL << 20) + 8)
/* Largest data buffer for dma_rw and device writes. */
#define SIM_DATA_MAX		(1ULL << 30)
/* Bytes after a bitmap that nothing may write. */
#define SIM_CANARY		64
#define SIM_CANARY_BYTE		0xa5

void *sim_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "vfiosim: out of memory\n");
		exit(2);
	}
	return p;
}

void sim_init(struct sim *s, const struct vfiosim_backend *be, struct trace *tr)
{
	memset(s, 0, sizeof(*s));
	s->be = be;
	s->tr = tr;
}

void sim_move(struct sim *dst, struct sim *src)
{
	if (src->c)
		tracer_leave(src);
	*dst = *src;
	if (dst->c)
		tracer_join(dst);
}

/* ------------------------------------------------- user registrations */

/*
 * In strict mode only registered program memory is user memory, so every
 * buffer handed to the driver is registered for the call (in permissive
 * mode that changes nothing); a fault word is registered read-only.
 */
struct ureg {
	const void *p[8];
	unsigned int n;
};

static void ureg_add(struct sim *s, struct ureg *u, const void *p, size_t len, int prot)
{
	if (!len || u->n == 8)
		return;
	if (!vfiosim_user_add(s->h, p, len, prot))
		u->p[u->n++] = p;
}

static void ureg_buffer(struct sim *s, struct ureg *u, const void *p, size_t len,
			int fault_word)
{
	const unsigned char *b = p;
	size_t f;

	if (fault_word < 0 || (size_t)fault_word * 8 + 8 > len) {
		ureg_add(s, u, p, len, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
		return;
	}
	f = (size_t)fault_word * 8;
	ureg_add(s, u, b, f, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
	ureg_add(s, u, b + f, 8, VFIOSIM_PROT_READ);
	ureg_add(s, u, b + f + 8, len - f - 8, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
}

static void ureg_undo(struct sim *s, struct ureg *u)
{
	while (u->n)
		vfiosim_user_del(s->h, u->p[--u->n]);
}

/* -------------------------------------------------------- the checks */

static void oracle_delta(struct sim *s)
{
	struct vfiosim_oracle_stats st;
	struct sim_events *ev = &s->ev;
	char *m = ev->oracle_msg;
	size_t len = sizeof(ev->oracle_msg);

	if (!s->o)
		return;
	vfiosim_oracle_status(s->o, &st);
	if (st.missed > s->seen.missed)
		ev->oracle |= OK_MISSED;
	if (st.spurious > s->seen.spurious)
		ev->oracle |= OK_SPURIOUS;
	if (st.inexact > s->seen.inexact)
		ev->oracle |= OK_INEXACT;
	if (st.desync > s->seen.desync)
		ev->oracle |= OK_DESYNC;
	if (ev->oracle) {
		if (!s->seen.first[0] && st.first[0])
			snprintf(m, len, "%s", st.first);
		else
			snprintf(m, len, "%lu more missed, %lu spurious, %lu inexact, %lu desync "
				 "(the oracle words only its first finding)",
				 st.missed - s->seen.missed, st.spurious - s->seen.spurious,
				 st.inexact - s->seen.inexact, st.desync - s->seen.desync);
	}
	s->seen = st;
}

static void after_call(struct sim *s)
{
	struct sim_events *ev = &s->ev;
	unsigned int w;

	s->ops++;
	oracle_delta(s);
	w = vfiosim_warnings(s->h);
	if (w > s->warnings) {
		ev->warnings = w - s->warnings;
		snprintf(ev->warn_msg, sizeof(ev->warn_msg), "%s", vfiosim_last_warning(s->h));
		s->warnings = w;
	}
	/* A finding of the call itself (a bitmap overrun) is not overwritten. */
	if (!ev->check_msg[0] && s->c &&
	    vfiosim_container_check(s->c, ev->check_msg, sizeof(ev->check_msg)) == 0)
		ev->check_msg[0] = '\0';
	if (ev->oracle)
		trace_str(s->tr, "oracle", ev->oracle_msg);
	if (ev->warnings)
		trace_str(s->tr, "warning", ev->warn_msg);
	if (ev->check_msg[0])
		trace_str(s->tr, "inconsistent", ev->check_msg);
	trace_end(s->tr);
}

static void before_call(struct sim *s, const char *call)
{
	memset(&s->ev, 0, sizeof(s->ev));
	trace_begin(s->tr, call);
}

static long done(struct sim *s, long ret)
{
	trace_int(s->tr, "ret", ret);
	after_call(s);
	return ret;
}

/* ------------------------------------------------------ host, groups */

/*
 * Strict user memory, always: a scenario's addresses are guest memory, and
 * everything else the driver may touch is registered for the call (ureg).
 * In permissive mode an address outside guest memory would be this
 * program's own memory, which a scenario must not be able to write.
 */
long sim_host_new(struct sim *s, const struct vfiosim_host_config *config)
{
	struct vfiosim_host_config c = *config, *cfg = &c;
	char v[16];

	c.strict_uaccess = true;
	memset(&s->ev, 0, sizeof(s->ev));
	trace_begin(s->tr, "host_new");
	trace_str(s->tr, "backend", vfiosim_backend_name_of(s->be));
	trace_u64(s->tr, "page_size", cfg->page_size);
	trace_u64(s->tr, "memlock_limit", cfg->memlock_limit);
	trace_bool(s->tr, "cap_ipc_lock", cfg->cap_ipc_lock);
	trace_bool(s->tr, "strict", cfg->strict_uaccess);
	trace_int(s->tr, "dma_entry_limit", cfg->dma_entry_limit);
	trace_bool(s->tr, "allow_unsafe_interrupts", cfg->allow_unsafe_interrupts);
	trace_bool(s->tr, "disable_hugepages", cfg->disable_hugepages);
	s->profile = profile_of_backend(s->be, cfg->kernel);
	trace_str(s->tr, "kernel", profile_str(s->profile ? s->profile : cfg->kernel, v,
						sizeof(v)));
	s->h = vfiosim_host_new(cfg);
	trace_int(s->tr, "ret", s->h ? 0 : -errno);
	trace_end(s->tr);
	if (!s->h)
		return -errno;
	vfiosim_expect_warnings(s->h, s->expect_warnings);
	s->page_size = vfiosim_page_size(s->h);
	s->ops++;
	return 0;
}

int sim_fini(struct sim *s, char *why, size_t len)
{
	unsigned long live;
	unsigned int i, w;
	int ret = 0;

	why[0] = '\0';
	vfiosim_oracle_free(s->o);
	s->o = NULL;
	if (s->c) {
		tracer_leave(s);
		vfiosim_container_free(s->c);
	}
	s->c = NULL;
	for (i = 0; i < s->nr_groups; i++)
		vfiosim_group_free(s->g[i]);
	s->nr_groups = 0;
	free(s->rep.bits);
	free(s->rd);
	s->rep.bits = NULL;
	s->rd = NULL;
	if (!s->h)
		return 0;
	live = vfiosim_live_allocs(s->h);
	w = vfiosim_warnings(s->h);
	if (live) {
		snprintf(why, len, "the simulator still holds %lu allocation%s once everything "
			 "is freed (a leak)", live, live == 1 ? "" : "s");
		ret = -1;
	} else if (w > s->warnings) {
		snprintf(why, len, "WARN while freeing: %s", vfiosim_last_warning(s->h));
		ret = -1;
	}
	vfiosim_host_free(s->h);
	s->h = NULL;
	return ret;
}

long sim_mm_map(struct sim *s, uint64_t vaddr, uint64_t len, int prot, unsigned int flags)
{
	before_call(s, "mm_map");
	trace_u64(s->tr, "vaddr", vaddr);
	trace_u64(s->tr, "len", len);
	trace_int(s->tr, "prot", prot);
	trace_int(s->tr, "flags", flags);
	return done(s, vfiosim_mm_map_flags(s->h, vaddr, len, prot, flags));
}

long sim_mm_unmap(struct sim *s, uint64_t vaddr, uint64_t len)
{
	before_call(s, "mm_unmap");
	trace_u64(s->tr, "vaddr", vaddr);
	trace_u64(s->tr, "len", len);
	return done(s, vfiosim_mm_unmap(s->h, vaddr, len));
}

/* A vendor driver that does not unpin when told to. */
static void ignore_dma_unmap(void *opaque, struct vfiosim_group *g, uint64_t iova,
			     uint64_t length)
{
}

long sim_group_new(struct sim *s, const struct vfiosim_group_config *cfg, bool keeps_pins)
{
	struct vfiosim_group *g;
	unsigned int i;
	char resv[256] = "";
	size_t k = 0;

	before_call(s, "group_new");
	trace_int(s->tr, "group", s->nr_groups);
	trace_str(s->tr, "kind", cfg->kind == VFIOSIM_GROUP_EMULATED ? "emulated" : "iommu");
	trace_u64(s->tr, "pgsize_bitmap", cfg->pgsize_bitmap);
	trace_u64(s->tr, "aperture_start", cfg->aperture_start);
	trace_u64(s->tr, "aperture_end", cfg->aperture_end);
	for (i = 0; i < cfg->nr_resv && i < VFIOSIM_MAX_RESV && k < sizeof(resv); i++)
		k += (size_t)snprintf(resv + k, sizeof(resv) - k,
				      "%s0x%" PRIx64 "+0x%" PRIx64 ":%d", i ? "," : "",
				      cfg->resv[i].start, cfg->resv[i].length, cfg->resv[i].type);
	trace_str(s->tr, "resv", resv);
	trace_bool(s->tr, "no_default_msi", cfg->no_default_msi);
	trace_bool(s->tr, "no_isolated_msi", cfg->no_isolated_msi);
	trace_bool(s->tr, "no_cache_coherency", cfg->no_cache_coherency);
	trace_bool(s->tr, "nesting", cfg->nesting);
	trace_int(s->tr, "iommu_id", cfg->iommu_id);
	trace_int(s->tr, "attach_error", cfg->attach_error);
	trace_bool(s->tr, "has_dma_unmap", cfg->has_dma_unmap);
	/* The extension's hardware, only where there is some: older traces stay as they were. */
	if (cfg->dirty_tracking)
		trace_bool(s->tr, "dirty_tracking", true);
	if (cfg->tracker_ranges) {
		trace_int(s->tr, "tracker_ranges", cfg->tracker_ranges);
		trace_u64(s->tr, "tracker_pgsize", cfg->tracker_pgsize);
		trace_u64(s->tr, "tracker_capacity", cfg->tracker_capacity);
	}
	if (keeps_pins)
		trace_bool(s->tr, "keeps_pins", true);
	if (s->nr_groups == SIM_MAX_GROUPS)
		return done(s, -ENOSPC);
	g = vfiosim_group_new(s->h, cfg);
	if (!g)
		return done(s, -errno);
	if (keeps_pins)
		vfiosim_group_set_dma_unmap(g, ignore_dma_unmap, NULL);
	s->g[s->nr_groups] = g;
	return done(s, (long)s->nr_groups++);
}

long sim_container_new(struct sim *s, int type)
{
	before_call(s, "container_new");
	trace_int(s->tr, "type", type);
	if (s->c)
		return done(s, -EBUSY);
	s->c = vfiosim_container_new_backend(s->h, type, s->be);
	if (!s->c)
		return done(s, -errno);
	/* The command shows and traces s->profile: it must be what the contract says. */
	if (vfiosim_container_kernel(s->c) != s->profile) {
		char a[16], b[16];

		snprintf(s->ev.check_msg, sizeof(s->ev.check_msg), "the container follows Linux "
			 "%s, the command expected %s",
			 profile_str(vfiosim_container_kernel(s->c), a, sizeof(a)),
			 profile_str(s->profile, b, sizeof(b)));
	}
	/* Watched from its first operation on, as the oracle requires. */
	s->o = vfiosim_oracle_new(s->c);
	if (s->o && s->lenient)
		vfiosim_oracle_set_exact(s->o, false);
	tracer_join(s);
	return done(s, 0);
}

static struct vfiosim_group *group_at(struct sim *s, unsigned int gi)
{
	return gi < s->nr_groups ? s->g[gi] : NULL;
}

/* ------------------------------------------------- container calls */

/*
 * A call on the container is traced by the tracer (tracer.h) as the
 * container sees it; what only the command knows goes in s->aside first.
 */
static void call_start(struct sim *s, long gi)
{
	memset(&s->ev, 0, sizeof(s->ev));
	s->told = false;
	s->aside = (struct sim_aside){ .group = gi, .fault_word = -1, .byte = -1 };
}

/* The ioctl's argument (arglen bytes) is read if no observer heard of the call. */
static long call_end(struct sim *s, const struct vfiosim_op *op, const void *arg,
		     size_t arglen, long ret)
{
	if (!s->told)
		tracer_refused(s, op, arg, arglen, ret);
	after_call(s);
	return ret;
}

/* A call that names group gi: op says which (attach, detach, pin, unpin) and with what. */
static long group_call(struct sim *s, unsigned int gi, struct vfiosim_op *op)
{
	struct vfiosim_group *g = group_at(s, gi);
	uint64_t *pfns;
	long ret;

	op->group = g;
	call_start(s, gi);
	if (!s->c || !g)
		return call_end(s, op, NULL, 0, -EBADF);
	switch (op->kind) {
	case VFIOSIM_OP_ATTACH:
		ret = vfiosim_container_attach(s->c, g);
		break;
	case VFIOSIM_OP_DETACH:
		ret = vfiosim_container_detach(s->c, g);
		break;
	case VFIOSIM_OP_PIN:
		/* Far more than any backend takes at once (a page of pfns): those fail first. */
		pfns = sim_xcalloc(op->npage > 0 && op->npage < 65536 ? (size_t)op->npage : 65536,
				   sizeof(*pfns));
		ret = vfiosim_pin_pages(s->c, g, op->iova, op->npage, op->prot, pfns);
		free(pfns);
		break;
	default:
		ret = vfiosim_unpin_pages(s->c, g, op->iova, op->npage);
		break;
	}
	return call_end(s, op, NULL, 0, ret);
}

long sim_attach(struct sim *s, unsigned int gi)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_ATTACH };

	return group_call(s, gi, &op);
}

long sim_detach(struct sim *s, unsigned int gi)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_DETACH };

	return group_call(s, gi, &op);
}

long sim_ioctl_arg(struct sim *s, unsigned int cmd, unsigned long arg)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_IOCTL, .cmd = cmd, .arg = arg };

	call_start(s, -1);
	return call_end(s, &op, NULL, 0, s->c ? vfiosim_ioctl_arg(s->c, cmd, arg) : -EBADF);
}

/* A zeroed argument block of max(natural, argsz) bytes (argsz capped). */
static void *arg_alloc(long long argsz, size_t natural, size_t *alen)
{
	size_t len = natural;

	if (argsz != SIM_ARGSZ && (uint64_t)argsz > natural)
		len = (uint64_t)argsz > SIM_ARG_MAX ? SIM_ARG_MAX : (size_t)argsz;
	*alen = len;
	return sim_xcalloc(1, len);
}

/* The argsz field: the one asked for, else the natural size. */
static uint32_t arg_size(long long argsz, size_t natural)
{
	return argsz == SIM_ARGSZ ? (uint32_t)natural : (uint32_t)argsz;
}

/* Zeroes the guest memory in [addr, addr + len), as a caller zeroes its bitmap. */
static void guest_zero(struct sim *s, uint64_t addr, uint64_t len)
{
	while (len) {
		uint64_t chunk = s->page_size - (addr & (s->page_size - 1));
		unsigned char *p = vfiosim_mm_ptr(s->h, addr);

		if (chunk > len)
			chunk = len;
		if (p)
			memset(p, 0, (size_t)chunk);
		if (addr + chunk < addr)
			break;
		addr += chunk;
		len -= chunk;
	}
}

void sim_segs_format(char *buf, size_t len, const struct sim_seg *seg, unsigned int nr)
{
	static const char *const prot[4] = { "none", "r", "w", "rw" };
	size_t k = 0;
	unsigned int i;
	char b[32];

	buf[0] = '\0';
	for (i = 0; i < nr && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s %s", i ? ", " : "",
				      size_str(seg[i].size, b, sizeof(b)), prot[seg[i].prot & 3]);
}

int sim_segs_parse(const char *str, struct sim_seg *seg, unsigned int *nr)
{
	static const char *const prot[4] = { "none", "r", "w", "rw" };
	struct tok t[3 * SIM_MAX_SEGS];
	struct diag d = { 0 };
	int n = lex_line(str, t, 3 * SIM_MAX_SEGS, &d), i = 0, p;

	*nr = 0;
	while (i < n) {
		if (*nr == SIM_MAX_SEGS || tok_size(&t[i], &seg[*nr].size, &d) || i + 1 == n)
			return -1;
		for (p = 0; p < 4 && !tok_is(&t[i + 1], prot[p]); p++)
			;
		if (p == 4)
			return -1;
		seg[(*nr)++].prot = p;
		i += 2;
		if (i < n && !tok_is(&t[i++], ","))
			return -1;
	}
	return n > 0 ? 0 : -1;
}

/*
 * A bitmap buffer for [iova, iova + size) as bm describes it, zeroed as
 * the UAPI asks, followed by a canary.  *bytes is what the buffer holds
 * (at least bitmap.size where that is sane, and at least what the range
 * needs, so that no other buffer lies where the report may write); b gets
 * the vfio_bitmap.  NULL for a bitmap at a given address (bm->at).
 */
static uint64_t *bitmap_alloc(struct sim *s, uint64_t size, const struct sim_bitmap *bm,
			      struct vfio_bitmap *b, size_t *bytes)
{
	uint64_t need, alloc;
	unsigned char *buf;
	unsigned int i;

	b->pgsize = bm && bm->pgsize_set ? bm->pgsize : s->page_size;
	need = vfiosim_bitmap_bytes(vfiosim_bitmap_pages(size, b->pgsize));
	b->size = bm && bm->size_set ? bm->size : need;
	*bytes = 0;
	if (bm && bm->at_set) {
		b->data = (void *)(uintptr_t)bm->at;
		guest_zero(s, bm->at, need);
		return NULL;
	}
	alloc = b->size > need ? b->size : need;
	if (bm && bm->nr_seg) {
		for (i = 0, alloc = 0; i < bm->nr_seg; i++)
			alloc += bm->seg[i].size;
		if (alloc < need)
			alloc = need;
	}
	if (alloc > SIM_BITMAP_MAX)
		alloc = SIM_BITMAP_MAX;
	/* A pointer to the program's memory even where the range needs none. */
	if (alloc < 8)
		alloc = 8;
	if (bm && bm->fault_word >= 0 && (uint64_t)bm->fault_word * 8 + 8 > alloc)
		alloc = (uint64_t)bm->fault_word * 8 + 8;
	buf = sim_xcalloc(1, (size_t)alloc + SIM_CANARY);
	memset(buf + alloc, SIM_CANARY_BYTE, SIM_CANARY);
	*bytes = (size_t)alloc;
	b->data = (void *)buf;
	return (uint64_t *)(void *)buf;
}

/* The bitmap buffer as user memory: its pieces, else all of it (but a fault word). */
static void ureg_bitmap(struct sim *s, struct ureg *u, const void *p, size_t len)
{
	const struct sim_bitmap *bm = s->aside.bm;
	const unsigned char *b = p;
	uint64_t off = 0;
	unsigned int i;

	if (!bm || !bm->nr_seg) {
		ureg_buffer(s, u, p, len, s->aside.fault_word);
		return;
	}
	for (i = 0; i < bm->nr_seg && off < len; i++) {
		uint64_t n = bm->seg[i].size < len - off ? bm->seg[i].size : len - off;

		ureg_add(s, u, b + off, (size_t)n, bm->seg[i].prot);
		off += n;
	}
}

static bool canary_intact(const uint64_t *bitmap, size_t bytes)
{
	const unsigned char *c = (const unsigned char *)bitmap + bytes;
	size_t i;

	for (i = 0; i < SIM_CANARY; i++)
		if (c[i] != SIM_CANARY_BYTE)
			return false;
	return true;
}

/*
 * The ioctl on its argument block (len bytes) and the bitmap it names
 * (bytes long, a canary behind), both registered as user memory for the
 * call.
 */
static long ioctl_call(struct sim *s, unsigned int cmd, void *arg, size_t len,
		       uint64_t *bitmap, size_t bytes)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_IOCTL, .cmd = cmd, .arg = (uintptr_t)arg };
	struct ureg u = { .n = 0 };
	long ret = -EBADF;

	if (s->c) {
		ureg_add(s, &u, arg, len, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
		if (bitmap)
			ureg_bitmap(s, &u, bitmap, bytes);
		ret = vfiosim_ioctl(s->c, cmd, arg);
		ureg_undo(s, &u);
	}
	if (!ret && bitmap && !canary_intact(bitmap, bytes))
		snprintf(s->ev.check_msg, sizeof(s->ev.check_msg),
			 "the driver wrote past the end of the user's bitmap");
	return call_end(s, &op, arg, len, ret);
}

long sim_map(struct sim *s, long long argsz, uint32_t flags, uint64_t vaddr, uint64_t iova,
	     uint64_t size)
{
	struct vfio_iommu_type1_dma_map *m;
	size_t alen;
	long ret;

	m = arg_alloc(argsz, sizeof(*m), &alen);
	vfiosim_map_arg(m, flags, vaddr, iova, size);
	m->argsz = arg_size(argsz, sizeof(*m));
	call_start(s, -1);
	ret = ioctl_call(s, VFIO_IOMMU_MAP_DMA, m, alen, NULL, 0);
	free(m);
	return ret;
}

long sim_unmap(struct sim *s, long long argsz, uint32_t flags, uint64_t iova, uint64_t size,
	       const struct sim_bitmap *bm)
{
	bool with_bitmap = flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	struct vfio_bitmap b = { 0 };
	struct vfiosim_dirty_unmap_arg *a;
	uint64_t *bitmap = NULL;
	size_t bytes = 0, alen;
	long ret;

	a = arg_alloc(argsz, sizeof(*a), &alen);
	call_start(s, -1);
	if (with_bitmap) {
		bitmap = bitmap_alloc(s, size, bm, &b, &bytes);
		s->aside.fault_word = bm ? bm->fault_word : -1;
		s->aside.bm = bm;
	}
	/* Without a bitmap, data[] stays zeroed; the flags are the caller's either way. */
	vfiosim_unmap_bitmap_arg(a, iova, size, b.pgsize, b.data, b.size);
	a->flags = flags;
	a->argsz = arg_size(argsz, with_bitmap ? sizeof(*a) :
			    sizeof(struct vfio_iommu_type1_dma_unmap));
	ret = ioctl_call(s, VFIO_IOMMU_UNMAP_DMA, a, alen, bitmap, bytes);
	free(bitmap);
	free(a);
	return ret;
}

long sim_dirty(struct sim *s, long long argsz, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap *d;
	size_t alen;
	long ret;

	d = arg_alloc(argsz, sizeof(*d), &alen);
	vfiosim_dirty_arg(d, flags);
	d->argsz = arg_size(argsz, sizeof(*d));
	call_start(s, -1);
	s->aside.raw_dirty = true;
	ret = ioctl_call(s, VFIO_IOMMU_DIRTY_PAGES, d, alen, NULL, 0);
	free(d);
	return ret;
}

long sim_get_flags(struct sim *s, long long argsz, uint32_t flags, uint64_t iova, uint64_t size,
		   const struct sim_bitmap *bm)
{
	struct vfiosim_dirty_get_arg *a;
	struct vfio_bitmap b;
	uint64_t *bitmap;
	size_t bytes, alen;
	long ret;

	a = arg_alloc(argsz, sizeof(*a), &alen);
	bitmap = bitmap_alloc(s, size, bm, &b, &bytes);
	vfiosim_get_bitmap_arg(a, iova, size, b.pgsize, b.data, b.size);
	a->argsz = arg_size(argsz, sizeof(*a));
	a->flags = flags;
	call_start(s, -1);
	s->aside.fault_word = bm ? bm->fault_word : -1;
	s->aside.bm = bm;
	ret = ioctl_call(s, VFIO_IOMMU_DIRTY_PAGES, a, alen, bitmap, bytes);
	free(bitmap);
	free(a);
	return ret;
}

long sim_get(struct sim *s, long long argsz, uint64_t iova, uint64_t size,
	     const struct sim_bitmap *bm)
{
	return sim_get_flags(s, argsz, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, iova, size, bm);
}

long sim_info(struct sim *s, long long argsz)
{
	struct vfio_iommu_type1_info *info;
	size_t len;
	long ret;

	info = arg_alloc(argsz, sizeof(*info), &len);
	vfiosim_info_arg(info, arg_size(argsz, sizeof(*info)));
	call_start(s, -1);
	ret = ioctl_call(s, VFIO_IOMMU_GET_INFO, info, len, NULL, 0);
	free(info);
	return ret;
}

long sim_provider(struct sim *s, unsigned int provider)
{
	struct vfiosim_iommu_dirty_provider req = { .argsz = sizeof(req), .provider = provider };

	call_start(s, -1);
	return ioctl_call(s, VFIOSIM_IOMMU_DIRTY_PROVIDER, &req, sizeof(req), NULL, 0);
}

/* ------------------------------------------------ the device side */

long sim_pin(struct sim *s, unsigned int gi, uint64_t iova, int npage, int prot)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_PIN, .iova = iova, .npage = npage,
				 .prot = prot };

	return group_call(s, gi, &op);
}

long sim_unpin(struct sim *s, unsigned int gi, uint64_t iova, int npage)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_UNPIN, .iova = iova, .npage = npage };

	return group_call(s, gi, &op);
}

long sim_dma_rw(struct sim *s, uint64_t iova, size_t len, bool write, int byte,
		const void *data)
{
	struct vfiosim_op op = { .kind = VFIOSIM_OP_DMA_RW, .iova = iova, .len = len,
				 .write = write };
	unsigned char *buf;
	long ret;
	size_t i;

	call_start(s, -1);
	s->aside.data_given = data != NULL;
	s->aside.byte = byte;
	if (!s->c)
		return call_end(s, &op, NULL, 0, -EBADF);
	buf = len <= SIM_DATA_MAX ? malloc(len ? len : 1) : NULL;
	if (!buf)
		return call_end(s, &op, NULL, 0, -ENOMEM);
	if (write && data)
		memcpy(buf, data, len);
	else
		for (i = 0; i < len; i++)
			buf[i] = write ? (unsigned char)(byte >= 0 ? byte : (int)(i * 7 + 1)) : 0;
	ret = vfiosim_dma_rw(s->c, iova, buf, len, write);
	if (write) {
		free(buf);
	} else {
		free(s->rd);
		s->rd = buf;
		s->rd_len = ret ? 0 : len;
	}
	return call_end(s, &op, NULL, 0, ret);
}

/* ------------------------------------------------ devices, faults */

long sim_write(struct sim *s, unsigned int gi, uint64_t iova, size_t len, int byte,
	       const void *data)
{
	long ret;

	before_call(s, "device_write");
	trace_int(s->tr, "group", gi);
	trace_u64(s->tr, "iova", iova);
	trace_u64(s->tr, "len", len);
	if (data)
		trace_str(s->tr, "data", "given");
	else if (byte >= 0)
		trace_int(s->tr, "byte", byte);
	if (!group_at(s, gi))
		return done(s, -EBADF);
	if (data) {
		ret = vfiosim_device_write_data(s->g[gi], iova, data, len);
	} else if (byte >= 0) {
		unsigned char *buf = len <= SIM_DATA_MAX ? malloc(len ? len : 1) : NULL;

		if (!buf)
			return done(s, -ENOMEM);
		memset(buf, byte, len);
		ret = vfiosim_device_write_data(s->g[gi], iova, buf, len);
		free(buf);
	} else {
		ret = vfiosim_device_write(s->g[gi], iova, len);
	}
	return done(s, ret);
}

void sim_fail(struct sim *s, bool copy, unsigned long n)
{
	before_call(s, copy ? "fail_copy" : "fail_alloc");
	trace_int(s->tr, "n", (long long)n);
	if (copy)
		vfiosim_fail_nth_copy(s->h, n);
	else
		vfiosim_fail_nth_alloc(s->h, n);
	done(s, 0);
}

void sim_oracle_exact(struct sim *s, bool on)
{
	before_call(s, "oracle_exact");
	trace_bool(s->tr, "on", on);
	s->lenient = !on;
	if (s->o)
		vfiosim_oracle_set_exact(s->o, on);
	done(s, 0);
}

void sim_expect_warnings(struct sim *s, bool on)
{
	s->expect_warnings = on;
	if (s->h)
		vfiosim_expect_warnings(s->h, on);
}
