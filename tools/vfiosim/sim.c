// SPDX-License-Identifier: MIT
/*
 * sim.c - the calls of sim.h: argument blocks laid out as a VMM passes
 * them, one trace line per call, and the checks after each.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "linux_version.h"
#include "page_ranges.h"
#include "sim.h"

/* Largest argument buffer we back with memory (argsz may claim more). */
#define SIM_ARG_MAX		(1U << 20)
/* Largest bitmap the kernel accepts (INT_MAX pages), plus a word. */
#define SIM_BITMAP_MAX		((256ULL << 20) + 8)
/* Largest data buffer for dma_rw and device writes. */
#define SIM_DATA_MAX		(1ULL << 30)
/* Bytes after a bitmap that nothing may write. */
#define SIM_CANARY		64
#define SIM_CANARY_BYTE		0xa5

static void *xcalloc(size_t n, size_t size)
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
	if (s->c)
		vfiosim_container_free(s->c);
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
	return done(s, 0);
}

static struct vfiosim_group *group_at(struct sim *s, unsigned int gi)
{
	return gi < s->nr_groups ? s->g[gi] : NULL;
}

long sim_attach(struct sim *s, unsigned int gi)
{
	before_call(s, "attach");
	trace_int(s->tr, "group", gi);
	if (!s->c || !group_at(s, gi))
		return done(s, -EBADF);
	return done(s, vfiosim_container_attach(s->c, s->g[gi]));
}

long sim_detach(struct sim *s, unsigned int gi)
{
	before_call(s, "detach");
	trace_int(s->tr, "group", gi);
	if (!s->c || !group_at(s, gi))
		return done(s, -EBADF);
	return done(s, vfiosim_container_detach(s->c, s->g[gi]));
}

/* ------------------------------------------------------------ ioctls */

static void trace_ioctl(struct sim *s, unsigned int cmd)
{
	before_call(s, "ioctl");
	trace_str(s->tr, "cmd", ioctl_name(cmd));
}

long sim_ioctl_arg(struct sim *s, unsigned int cmd, unsigned long arg)
{
	trace_ioctl(s, cmd);
	trace_int(s->tr, "arg", (long long)arg);
	if (!s->c)
		return done(s, -EBADF);
	return done(s, vfiosim_ioctl_arg(s->c, cmd, arg));
}

/* A zeroed argument block of max(natural, argsz) bytes (argsz capped). */
static void *arg_alloc(long long argsz, size_t natural, uint32_t *out, size_t *alen)
{
	size_t len = natural;

	if (argsz != SIM_ARGSZ && (uint64_t)argsz > natural)
		len = (uint64_t)argsz > SIM_ARG_MAX ? SIM_ARG_MAX : (size_t)argsz;
	*out = argsz == SIM_ARGSZ ? (uint32_t)natural : (uint32_t)argsz;
	*alen = len;
	return xcalloc(1, len);
}

static long do_ioctl(struct sim *s, unsigned int cmd, void *arg, size_t len, int fault_word,
		     void *bitmap, size_t bitmap_len)
{
	struct ureg u = { .n = 0 };
	long ret;

	ureg_add(s, &u, arg, len, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
	if (bitmap)
		ureg_buffer(s, &u, bitmap, bitmap_len, fault_word);
	ret = vfiosim_ioctl(s->c, cmd, arg);
	ureg_undo(s, &u);
	return ret;
}

long sim_map(struct sim *s, long long argsz, uint32_t flags, uint64_t vaddr, uint64_t iova,
	     uint64_t size)
{
	struct vfio_iommu_type1_dma_map *m;
	size_t alen;
	uint32_t asz;
	long ret;

	m = arg_alloc(argsz, sizeof(*m), &asz, &alen);
	m->argsz = asz;
	m->flags = flags;
	m->vaddr = vaddr;
	m->iova = iova;
	m->size = size;
	trace_ioctl(s, VFIO_IOMMU_MAP_DMA);
	trace_int(s->tr, "argsz", asz);
	trace_int(s->tr, "flags", flags);
	trace_u64(s->tr, "vaddr", vaddr);
	trace_u64(s->tr, "iova", iova);
	trace_u64(s->tr, "size", size);
	ret = s->c ? do_ioctl(s, VFIO_IOMMU_MAP_DMA, m, alen, -1, NULL, 0) : -EBADF;
	free(m);
	return done(s, ret);
}

/*
 * A bitmap buffer for [iova, iova + size) as bm describes it, zeroed as
 * the UAPI asks, followed by a canary.  *bytes is what the buffer holds
 * (at least bitmap.size where that is sane), *nbits the pages of the range.
 */
static uint64_t *bitmap_alloc(struct sim *s, uint64_t size, const struct sim_bitmap *bm,
			      uint64_t *pgsize, uint64_t *bsize, size_t *bytes, uint64_t *nbits)
{
	uint64_t need, alloc;
	unsigned char *b;

	*pgsize = bm && bm->pgsize_set ? bm->pgsize : s->page_size;
	*nbits = *pgsize && !(*pgsize & (*pgsize - 1)) ? size / *pgsize : 0;
	need = (*nbits / 64 + !!(*nbits % 64)) * 8;
	*bsize = bm && bm->size_set ? bm->size : need;
	alloc = *bsize > need ? *bsize : need;
	if (alloc > SIM_BITMAP_MAX)
		alloc = SIM_BITMAP_MAX;
	if (bm && bm->fault_word >= 0 && (uint64_t)bm->fault_word * 8 + 8 > alloc)
		alloc = (uint64_t)bm->fault_word * 8 + 8;
	b = xcalloc(1, (size_t)alloc + SIM_CANARY);
	memset(b + alloc, SIM_CANARY_BYTE, SIM_CANARY);
	*bytes = (size_t)alloc;
	return (uint64_t *)(void *)b;
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

/* Keeps a successful report; a failed call leaves none. */
static void report_keep(struct sim *s, long ret, uint64_t iova, uint64_t size, uint64_t pgsize,
			uint64_t nbits, const uint64_t *bitmap, size_t bytes)
{
	struct sim_report *r = &s->rep;
	struct strbuf sb = { 0 };
	size_t words = (size_t)(nbits / 64 + !!(nbits % 64));

	free(r->bits);
	r->bits = NULL;
	r->valid = false;
	if (ret)
		return;
	if (words * 8 > bytes)
		words = bytes / 8;
	r->valid = true;
	r->seq++;
	r->iova = iova;
	r->size = size;
	r->pgsize = pgsize;
	r->nbits = (uint64_t)words * 64 < nbits ? (uint64_t)words * 64 : nbits;
	/* One word more than needed: readers may run to nbits / 64 inclusive. */
	r->bits = xcalloc(words + 1, 8);
	memcpy(r->bits, bitmap, words * 8);
	if (r->nbits % 64)
		r->bits[words - 1] &= (1ULL << (r->nbits % 64)) - 1;
	pages_format(&sb, r->bits, r->nbits, iova, pgsize, 0);
	trace_str(s->tr, "dirty", sb_str(&sb));
	sb_free(&sb);
	if (!canary_intact(bitmap, bytes))
		snprintf(s->ev.check_msg, sizeof(s->ev.check_msg),
			 "the driver wrote past the end of the user's bitmap");
}

long sim_unmap(struct sim *s, long long argsz, uint32_t flags, uint64_t iova, uint64_t size,
	       const struct sim_bitmap *bm)
{
	/* struct vfio_iommu_type1_dma_unmap with a struct vfio_bitmap in data[] */
	struct unmap_arg {
		uint32_t argsz, flags;
		uint64_t iova, size;
		struct vfio_bitmap bitmap;
	} *a;
	bool with_bitmap = flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	uint64_t *bitmap = NULL, pgsize = 0, bsize = 0, nbits = 0;
	size_t bytes = 0, alen;
	uint32_t asz;
	long ret;

	_Static_assert(offsetof(struct unmap_arg, bitmap) ==
		       offsetof(struct vfio_iommu_type1_dma_unmap, data), "vfio_bitmap at data[]");
	a = arg_alloc(argsz, sizeof(*a), &asz, &alen);
	if (argsz == SIM_ARGSZ && !with_bitmap)
		asz = sizeof(struct vfio_iommu_type1_dma_unmap);
	a->argsz = asz;
	a->flags = flags;
	a->iova = iova;
	a->size = size;
	trace_ioctl(s, VFIO_IOMMU_UNMAP_DMA);
	trace_int(s->tr, "argsz", asz);
	trace_int(s->tr, "flags", flags);
	trace_u64(s->tr, "iova", iova);
	trace_u64(s->tr, "size", size);
	if (with_bitmap) {
		bitmap = bitmap_alloc(s, size, bm, &pgsize, &bsize, &bytes, &nbits);
		a->bitmap.pgsize = pgsize;
		a->bitmap.size = bsize;
		a->bitmap.data = (void *)bitmap;
		trace_u64(s->tr, "pgsize", pgsize);
		trace_u64(s->tr, "bitmap_size", bsize);
		if (bm && bm->fault_word >= 0)
			trace_int(s->tr, "fault_word", bm->fault_word);
	}
	ret = s->c ? do_ioctl(s, VFIO_IOMMU_UNMAP_DMA, a, alen,
			      bm ? bm->fault_word : -1, bitmap, bytes) : -EBADF;
	s->has_unmapped = true;
	s->unmapped = a->size;
	trace_u64(s->tr, "size_out", a->size);
	if (with_bitmap)
		report_keep(s, ret, iova, size, pgsize, nbits, bitmap, bytes);
	free(bitmap);
	free(a);
	return done(s, ret);
}

long sim_dirty(struct sim *s, long long argsz, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap *d;
	size_t alen;
	uint32_t asz;
	long ret;

	d = arg_alloc(argsz, sizeof(*d), &asz, &alen);
	d->argsz = asz;
	d->flags = flags;
	trace_ioctl(s, VFIO_IOMMU_DIRTY_PAGES);
	trace_int(s->tr, "argsz", asz);
	trace_int(s->tr, "flags", flags);
	ret = s->c ? do_ioctl(s, VFIO_IOMMU_DIRTY_PAGES, d, alen, -1, NULL, 0) : -EBADF;
	free(d);
	return done(s, ret);
}

long sim_get(struct sim *s, long long argsz, uint64_t iova, uint64_t size,
	     const struct sim_bitmap *bm)
{
	/* struct vfio_iommu_type1_dirty_bitmap with the range in data[] */
	struct get_arg {
		uint32_t argsz, flags;
		struct vfio_iommu_type1_dirty_bitmap_get get;
	} *a;
	uint64_t *bitmap, pgsize, bsize, nbits;
	size_t bytes, alen;
	uint32_t asz;
	long ret;

	_Static_assert(offsetof(struct get_arg, get) ==
		       offsetof(struct vfio_iommu_type1_dirty_bitmap, data), "the range at data[]");
	a = arg_alloc(argsz, sizeof(*a), &asz, &alen);
	bitmap = bitmap_alloc(s, size, bm, &pgsize, &bsize, &bytes, &nbits);
	a->argsz = asz;
	a->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	a->get.iova = iova;
	a->get.size = size;
	a->get.bitmap.pgsize = pgsize;
	a->get.bitmap.size = bsize;
	a->get.bitmap.data = (void *)bitmap;
	trace_ioctl(s, VFIO_IOMMU_DIRTY_PAGES);
	trace_int(s->tr, "argsz", asz);
	trace_int(s->tr, "flags", VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP);
	trace_u64(s->tr, "iova", iova);
	trace_u64(s->tr, "size", size);
	trace_u64(s->tr, "pgsize", pgsize);
	trace_u64(s->tr, "bitmap_size", bsize);
	if (bm && bm->fault_word >= 0)
		trace_int(s->tr, "fault_word", bm->fault_word);
	ret = s->c ? do_ioctl(s, VFIO_IOMMU_DIRTY_PAGES, a, alen,
			      bm ? bm->fault_word : -1, bitmap, bytes) : -EBADF;
	report_keep(s, ret, iova, size, pgsize, nbits, bitmap, bytes);
	free(bitmap);
	free(a);
	return done(s, ret);
}

/* Walks the capability chain, trusting nothing in it. */
static void info_parse(struct sim_info *in, const unsigned char *buf, size_t len)
{
	const struct vfio_iommu_type1_info *info = (const void *)buf;
	uint32_t off = info->cap_offset, seen = 0;
	size_t k = 0;

	in->caps[0] = '\0';
	while (off && seen++ < 16 && off % 8 == 0 && off >= sizeof(*info) &&
	       (size_t)off + sizeof(struct vfio_info_cap_header) <= len) {
		const struct vfio_info_cap_header *h = (const void *)(buf + off);
		size_t room = len - off;

		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION &&
		    room >= sizeof(struct vfio_iommu_type1_info_cap_migration)) {
			const struct vfio_iommu_type1_info_cap_migration *m = (const void *)h;

			in->has_mig = true;
			in->mig_flags = m->flags;
			in->mig_pgsizes = m->pgsize_bitmap;
			in->mig_max_bitmap = m->max_dirty_bitmap_size;
			k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k,
					      "%smigration(flags=%u,pgsizes=0x%" PRIx64 ",max=0x%"
					      PRIx64 ")", k ? " " : "", m->flags,
					      in->mig_pgsizes, in->mig_max_bitmap);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL &&
			   room >= sizeof(struct vfio_iommu_type1_info_dma_avail)) {
			in->has_avail = true;
			in->avail = ((const struct vfio_iommu_type1_info_dma_avail *)h)->avail;
			k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k,
					      "%sdma_avail(%u)", k ? " " : "", in->avail);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE &&
			   room >= sizeof(struct vfio_iommu_type1_info_cap_iova_range)) {
			const struct vfio_iommu_type1_info_cap_iova_range *r = (const void *)h;
			uint32_t i, n = r->nr_iovas;

			if (n > (room - sizeof(*r)) / sizeof(r->iova_ranges[0]))
				n = (uint32_t)((room - sizeof(*r)) / sizeof(r->iova_ranges[0]));
			k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k,
					      "%siova_ranges(", k ? " " : "");
			for (i = 0; i < n; i++) {
				if (i < SIM_MAX_IOVA) {
					in->iova_start[i] = r->iova_ranges[i].start;
					in->iova_end[i] = r->iova_ranges[i].end;
				}
				if (k < sizeof(in->caps))
					k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k,
							      "%s0x%" PRIx64 "-0x%" PRIx64,
							      i ? "," : "",
							      (uint64_t)r->iova_ranges[i].start,
							      (uint64_t)r->iova_ranges[i].end);
			}
			in->nr_iova = n < SIM_MAX_IOVA ? n : SIM_MAX_IOVA;
			if (k < sizeof(in->caps))
				k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k, ")");
		} else {
			k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k,
					      "%scap%u(v%u)", k ? " " : "", h->id, h->version);
		}
		if (k >= sizeof(in->caps))
			k = sizeof(in->caps) - 1;
		if (h->next && h->next <= off)
			break;
		off = h->next;
	}
}

long sim_info(struct sim *s, long long argsz)
{
	struct vfio_iommu_type1_info *info;
	size_t len;
	uint32_t asz;
	long ret;

	info = arg_alloc(argsz, sizeof(*info), &asz, &len);
	info->argsz = asz;
	trace_ioctl(s, VFIO_IOMMU_GET_INFO);
	trace_int(s->tr, "argsz", asz);
	ret = s->c ? do_ioctl(s, VFIO_IOMMU_GET_INFO, info, len, -1, NULL, 0) : -EBADF;
	memset(&s->info, 0, sizeof(s->info));
	if (!ret) {
		s->info.valid = true;
		s->info.argsz = info->argsz;
		s->info.flags = info->flags;
		s->info.pgsizes = info->iova_pgsizes;
		info_parse(&s->info, (const unsigned char *)info, len < asz ? len : asz);
		trace_int(s->tr, "argsz_out", info->argsz);
		trace_int(s->tr, "flags_out", info->flags);
		trace_u64(s->tr, "iova_pgsizes", info->iova_pgsizes);
		trace_str(s->tr, "caps", s->info.caps);
	}
	free(info);
	return done(s, ret);
}

/* ------------------------------------------------ the device side */

long sim_pin(struct sim *s, unsigned int gi, uint64_t iova, int npage, int prot)
{
	uint64_t *pfns;
	long ret;

	before_call(s, "pin");
	trace_int(s->tr, "group", gi);
	trace_u64(s->tr, "iova", iova);
	trace_int(s->tr, "npage", npage);
	trace_int(s->tr, "prot", prot);
	if (!s->c || !group_at(s, gi))
		return done(s, -EBADF);
	/* Far more than any backend takes at once (a page of pfns): those fail first. */
	pfns = xcalloc(npage > 0 && npage < 65536 ? (size_t)npage : 65536, sizeof(*pfns));
	ret = vfiosim_pin_pages(s->c, s->g[gi], iova, npage, prot, pfns);
	free(pfns);
	return done(s, ret);
}

long sim_unpin(struct sim *s, unsigned int gi, uint64_t iova, int npage)
{
	before_call(s, "unpin");
	trace_int(s->tr, "group", gi);
	trace_u64(s->tr, "iova", iova);
	trace_int(s->tr, "npage", npage);
	if (!s->c || !group_at(s, gi))
		return done(s, -EBADF);
	return done(s, vfiosim_unpin_pages(s->c, s->g[gi], iova, npage));
}

long sim_dma_rw(struct sim *s, uint64_t iova, size_t len, bool write, int byte,
		const void *data)
{
	unsigned char *buf;
	long ret;
	size_t i;

	before_call(s, "dma_rw");
	trace_u64(s->tr, "iova", iova);
	trace_u64(s->tr, "len", len);
	trace_bool(s->tr, "write", write);
	if (write && data)
		trace_str(s->tr, "data", "given");
	else if (write)
		trace_int(s->tr, "byte", byte);
	if (!s->c)
		return done(s, -EBADF);
	buf = len <= SIM_DATA_MAX ? malloc(len ? len : 1) : NULL;
	if (!buf)
		return done(s, -ENOMEM);
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
	return done(s, ret);
}

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

const char *sim_ret_str(long ret, char *buf, size_t len)
{
	return ret_str(ret, buf, len);
}
