// SPDX-License-Identifier: MIT
/*
 * tracer.c - the command's observer of its container (tracer.h): the
 * request of each operation when it begins, what came back when it is
 * done.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "page_ranges.h"
#include "tracer.h"
#include "vfiosim_client.h"

static struct sim *sim_of(struct vfiosim_observer *obs)
{
	return (struct sim *)((char *)obs - offsetof(struct sim, tracer));
}

/* The commands whose argument is an integer, not a user address. */
static bool ioctl_takes_int(unsigned int cmd)
{
	return cmd == VFIO_GET_API_VERSION || cmd == VFIO_CHECK_EXTENSION ||
	       cmd == VFIO_SET_IOMMU;
}

/* ---------------------------------------------------------- requests */

static void trace_bitmap(struct sim *s, const struct vfio_bitmap *bm)
{
	trace_u64(s->tr, "pgsize", bm->pgsize);
	trace_u64(s->tr, "bitmap_size", bm->size);
	if (s->aside.fault_word >= 0)
		trace_int(s->tr, "fault_word", s->aside.fault_word);
	if (s->aside.bm && s->aside.bm->at_set) {
		trace_u64(s->tr, "bitmap_at", s->aside.bm->at);
	} else if (s->aside.bm && s->aside.bm->nr_seg) {
		char segs[160];

		sim_segs_format(segs, sizeof(segs), s->aside.bm->seg, s->aside.bm->nr_seg);
		trace_str(s->tr, "bitmap_buffer", segs);
	}
}

static void trace_range(struct sim *s, uint64_t iova, uint64_t size)
{
	trace_u64(s->tr, "iova", iova);
	trace_u64(s->tr, "size", size);
}

/* The fields of an ioctl's argument, as it was before the call (s->req). */
static void ioctl_request(struct sim *s, const struct vfiosim_op *op)
{
	const char *name = ioctl_name(op->cmd);
	union {
		struct vfio_iommu_type1_info info;	/* each begins with argsz, flags */
		struct vfio_iommu_type1_dma_map map;
		struct vfiosim_dirty_unmap_arg unmap;
		struct vfiosim_dirty_get_arg get;
		struct vfiosim_iommu_dirty_provider provider;
	} a;

	trace_str(s->tr, "cmd", name ? name : "unknown");
	if (ioctl_takes_int(op->cmd)) {
		trace_int(s->tr, "arg", (long long)op->arg);
		return;
	}
	memcpy(&a, s->req, sizeof(a));
	trace_int(s->tr, "argsz", a.info.argsz);
	if (op->cmd == VFIO_IOMMU_GET_INFO)
		return;
	trace_int(s->tr, "flags", a.info.flags);
	if (op->cmd == VFIO_IOMMU_MAP_DMA) {
		trace_u64(s->tr, "vaddr", a.map.vaddr);
		trace_range(s, a.map.iova, a.map.size);
	} else if (op->cmd == VFIO_IOMMU_UNMAP_DMA) {
		trace_range(s, a.unmap.iova, a.unmap.size);
		if (a.unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP)
			trace_bitmap(s, &a.unmap.bitmap);
	} else if (op->cmd == VFIOSIM_IOMMU_DIRTY_PROVIDER) {
		trace_int(s->tr, "provider", a.provider.provider);
	} else if (op->cmd == VFIO_IOMMU_DIRTY_PAGES && !s->aside.raw_dirty) {
		trace_range(s, a.get.get.iova, a.get.get.size);
		trace_bitmap(s, &a.get.get.bitmap);
	}
}

static void request(struct sim *s, const struct vfiosim_op *op, long gi)
{
	static const char *const call[] = {
		[VFIOSIM_OP_IOCTL] = "ioctl", [VFIOSIM_OP_ATTACH] = "attach",
		[VFIOSIM_OP_DETACH] = "detach", [VFIOSIM_OP_PIN] = "pin",
		[VFIOSIM_OP_UNPIN] = "unpin", [VFIOSIM_OP_DMA_RW] = "dma_rw",
	};

	trace_begin(s->tr, call[op->kind]);
	switch (op->kind) {
	case VFIOSIM_OP_IOCTL:
		ioctl_request(s, op);
		break;
	case VFIOSIM_OP_ATTACH:
	case VFIOSIM_OP_DETACH:
		trace_int(s->tr, "group", gi);
		break;
	case VFIOSIM_OP_PIN:
	case VFIOSIM_OP_UNPIN:
		trace_int(s->tr, "group", gi);
		trace_u64(s->tr, "iova", op->iova);
		trace_int(s->tr, "npage", op->npage);
		if (op->kind == VFIOSIM_OP_PIN)
			trace_int(s->tr, "prot", op->prot);
		break;
	case VFIOSIM_OP_DMA_RW:
		trace_u64(s->tr, "iova", op->iova);
		trace_u64(s->tr, "len", op->len);
		trace_bool(s->tr, "write", op->write);
		if (op->write && s->aside.data_given)
			trace_str(s->tr, "data", "given");
		else if (op->write)
			trace_int(s->tr, "byte", s->aside.byte);
		break;
	}
}

/* ----------------------------------------------------------- results */

/* Keeps a successful report, read from the user's bitmap; a failed call leaves none. */
static void report_keep(struct sim *s, long ret, uint64_t iova, uint64_t size,
			const struct vfio_bitmap *bm)
{
	struct sim_report *r = &s->rep;
	struct strbuf sb = { 0 };
	uint64_t nbits = vfiosim_bitmap_pages(size, bm->pgsize);
	size_t words = (size_t)(vfiosim_bitmap_bytes(nbits) / 8);

	free(r->bits);
	r->bits = NULL;
	r->valid = false;
	if (ret)
		return;
	r->valid = true;
	r->seq++;
	r->iova = iova;
	r->size = size;
	r->pgsize = bm->pgsize;
	r->nbits = nbits;
	/* One word more than needed: readers may run to nbits / 64 inclusive. */
	r->bits = sim_xcalloc(words + 1, 8);
	vfiosim_observer_peek(s->c, r->bits, (uintptr_t)bm->data, words * 8);
	if (r->nbits % 64)
		r->bits[words - 1] &= (1ULL << (r->nbits % 64)) - 1;
	pages_format(&sb, r->bits, r->nbits, iova, bm->pgsize, 0);
	trace_str(s->tr, "dirty", sb_str(&sb));
	sb_free(&sb);
}

/* Walks the capability chain (vfiosim_caps) into in, summarised for traces. */
static void info_parse(struct sim_info *in, const unsigned char *buf, size_t len)
{
	const struct vfio_info_cap_header *h;
	struct vfiosim_caps w;
	size_t k = 0;

	in->caps[0] = '\0';
	vfiosim_caps_start(&w, buf, (uint32_t)len);
	while ((h = vfiosim_caps_next(&w))) {
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION) {
			const struct vfio_iommu_type1_info_cap_migration *m = (const void *)h;

			in->has_mig = true;
			in->mig_flags = m->flags;
			in->mig_pgsizes = m->pgsize_bitmap;
			in->mig_max_bitmap = m->max_dirty_bitmap_size;
			k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k,
					      "%smigration(flags=%u,pgsizes=0x%" PRIx64 ",max=0x%"
					      PRIx64 ")", k ? " " : "", m->flags,
					      in->mig_pgsizes, in->mig_max_bitmap);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			in->has_avail = true;
			in->avail = ((const struct vfio_iommu_type1_info_dma_avail *)h)->avail;
			k += (size_t)snprintf(in->caps + k, sizeof(in->caps) - k,
					      "%sdma_avail(%u)", k ? " " : "", in->avail);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			const struct vfio_iommu_type1_info_cap_iova_range *r = (const void *)h;
			uint32_t i, n = r->nr_iovas;

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
	}
}

/* GET_INFO's reply, len bytes of it read (at least the fixed struct, zero-padded). */
static void info_keep(struct sim *s, long ret, const unsigned char *reply, size_t len)
{
	const struct vfio_iommu_type1_info *info = (const void *)reply;

	memset(&s->info, 0, sizeof(s->info));
	if (ret)
		return;
	s->info.valid = true;
	s->info.argsz = info->argsz;
	s->info.flags = info->flags;
	s->info.pgsizes = info->iova_pgsizes;
	info_parse(&s->info, reply, len);
	trace_int(s->tr, "argsz_out", info->argsz);
	trace_int(s->tr, "flags_out", info->flags);
	trace_u64(s->tr, "iova_pgsizes", info->iova_pgsizes);
	trace_str(s->tr, "caps", s->info.caps);
}

/*
 * What an ioctl gave back, its argument now at arg (arglen bytes, more
 * zeroed behind them); the request is s->req.
 */
static void ioctl_result(struct sim *s, const struct vfiosim_op *op, long ret,
			 const unsigned char *arg, size_t arglen)
{
	switch (op->cmd) {
	case VFIO_IOMMU_GET_INFO:
		info_keep(s, ret, arg, arglen);
		break;
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfiosim_dirty_unmap_arg req, now;

		memcpy(&req, s->req, sizeof(req));
		memcpy(&now, arg, sizeof(now));
		s->has_unmapped = true;
		s->unmapped = now.size;
		trace_u64(s->tr, "size_out", now.size);
		if (req.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP)
			report_keep(s, ret, req.iova, req.size, &req.bitmap);
		break;
	}
	case VFIO_IOMMU_DIRTY_PAGES: {
		struct vfiosim_dirty_get_arg req;

		memcpy(&req, s->req, sizeof(req));
		if (!s->aside.raw_dirty)
			report_keep(s, ret, req.get.iova, req.get.size, &req.get.bitmap);
		break;
	}
	}
}

/* ---------------------------------------------------------- observing */

static long group_index(const struct sim *s, const struct vfiosim_group *g)
{
	unsigned int i;

	for (i = 0; i < s->nr_groups; i++)
		if (s->g[i] == g)
			return i;
	return s->aside.group;
}

static bool pointer_ioctl(const struct vfiosim_op *op)
{
	return op->kind == VFIOSIM_OP_IOCTL && !ioctl_takes_int(op->cmd);
}

static void *tracer_begin(struct vfiosim_observer *obs, const struct vfiosim_op *op)
{
	struct sim *s = sim_of(obs);

	if (s->depth++)
		return NULL;
	s->told = true;
	memset(s->req, 0, sizeof(s->req));
	if (pointer_ioctl(op))
		vfiosim_observer_peek(s->c, s->req, op->arg, sizeof(s->req));
	request(s, op, group_index(s, op->group));
	return NULL;
}

static void tracer_done(struct vfiosim_observer *obs, void *token, const struct vfiosim_op *op,
			long ret)
{
	struct sim *s = sim_of(obs);

	if (--s->depth)
		return;
	if (pointer_ioctl(op)) {
		struct vfio_iommu_type1_info in;
		unsigned char *arg;
		size_t len;

		/* GET_INFO's reply runs to the argsz asked for; the others fit in req. */
		memcpy(&in, s->req, sizeof(in));
		len = op->cmd == VFIO_IOMMU_GET_INFO ? in.argsz : sizeof(s->req);
		if (len > SIM_ARG_MAX)
			len = SIM_ARG_MAX;
		arg = sim_xcalloc(1, len > sizeof(s->req) ? len : sizeof(s->req));
		len -= vfiosim_observer_peek(s->c, arg, op->arg, len);
		ioctl_result(s, op, ret, arg, len);
		free(arg);
	}
	trace_int(s->tr, "ret", ret);
}

static const struct vfiosim_observer_ops tracer_ops = {
	.begin = tracer_begin,
	.done = tracer_done,
};

void tracer_join(struct sim *s)
{
	s->tracer.ops = &tracer_ops;
	vfiosim_observer_join(s->c, &s->tracer);
}

void tracer_leave(struct sim *s)
{
	vfiosim_observer_leave(s->c, &s->tracer);
}

void tracer_refused(struct sim *s, const struct vfiosim_op *op, const void *arg,
		    size_t arglen, long ret)
{
	memset(s->req, 0, sizeof(s->req));
	if (arg)
		memcpy(s->req, arg, arglen < sizeof(s->req) ? arglen : sizeof(s->req));
	request(s, op, s->aside.group);
	if (pointer_ioctl(op))
		ioctl_result(s, op, ret, s->req, arglen < sizeof(s->req) ? arglen : sizeof(s->req));
	trace_int(s->tr, "ret", ret);
}
