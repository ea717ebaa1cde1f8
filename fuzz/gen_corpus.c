// SPDX-License-Identifier: MIT
/*
 * gen_corpus.c - writes the seed corpora: fuzz/corpus/ioctl/ (every state
 * with each command in a well-formed and a few hostile forms) and
 * fuzz/corpus/{seq,diff}/ (the scenarios of the contract tests and of
 * docs/divergences.md as operation sequences).  Seeds are small, so they
 * are committed; `make fuzz-corpus` regenerates them.
 *
 *   gen_corpus DIR
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/vfio.h>

#include "seq_lang.h"
#include "vfiosim_client.h"

static const char *gen_dir;
static unsigned int gen_files;

struct gen {
	uint8_t b[4096];
	size_t n;
};

static void put(struct gen *g, unsigned int n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n--) {
		if (g->n == sizeof(g->b)) {
			fprintf(stderr, "gen_corpus: seed too long\n");
			exit(1);
		}
		g->b[g->n++] = (uint8_t)va_arg(ap, int);
	}
	va_end(ap);
}

static void put_le(struct gen *g, uint64_t v, unsigned int bytes)
{
	while (bytes--) {
		put(g, 1, (int)(v & 0xff));
		v >>= 8;
	}
}

static void gen_mkdir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
}

static void gen_write(const char *target, const char *name, const struct gen *g)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", gen_dir, target);
	gen_mkdir(path);
	snprintf(path, sizeof(path), "%s/%s/%s", gen_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(g->b, 1, g->n, f) != g->n || fclose(f)) {
		perror(path);
		exit(1);
	}
	gen_files++;
}

/* ---------------------------------------------------------------- ioctl */

/* Command selectors and modes of fuzz/target_ioctl.c. */
enum { C_API, C_EXT, C_SET, C_INFO, C_MAP, C_UNMAP, C_DIRTY, C_RAW };
#define M_FIX	0x1
#define M_REL	0x2
#define M_ONES	0x4
#define IO_STATES	16
/* Pointer menu: 1 bitmap area, 2 short, 3 RO, 4 unregistered, 0 NULL,
 * 5 user limit, 6 kernel, 7 guest RAM, 8 read-only guest. */

static void io_head(struct gen *g, unsigned int state, unsigned int csel, unsigned int mode,
		    unsigned int fault, uint32_t raw)
{
	g->n = 0;
	put(g, 4, (int)state, (int)csel, (int)mode, (int)fault);
	put_le(g, raw, 4);
}

/* REL IOVA: mapping i, page offset off. */
static uint64_t rel(unsigned int i, int64_t off)
{
	return ((uint64_t)off << 8) | i;
}

/* An argument as the ioctl target reads it: the struct's bytes as they are. */
static void put_arg(struct gen *g, const void *arg, size_t len)
{
	const unsigned char *b = arg;

	while (len--)
		put(g, 1, (int)*b++);
}

/* Encoded fields (relative IOVAs, pointer menu entries: fuzz/ioctl.c) in
 * the argument blocks of the client library. */
static void io_map(struct gen *g, uint64_t vaddr, uint64_t iova, uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m;

	vfiosim_map_arg(&m, flags, vaddr, iova, size);
	put_arg(g, &m, sizeof(m));
}

/* Always with the bitmap's fields, whatever the flags. */
static void io_unmap(struct gen *g, uint32_t flags, uint64_t iova, uint64_t size,
		     uint64_t pgsize, uint64_t bmsize, uint64_t data)
{
	struct vfiosim_dirty_unmap_arg u;

	vfiosim_unmap_bitmap_arg(&u, iova, size, pgsize, (void *)(uintptr_t)data, bmsize);
	u.flags = flags;
	put_arg(g, &u, sizeof(u));
}

/* Always with GET's range, whatever the flags. */
static void io_dirty(struct gen *g, uint32_t flags, uint64_t iova, uint64_t size,
		     uint64_t pgsize, uint64_t bmsize, uint64_t data)
{
	struct vfiosim_dirty_get_arg d;

	vfiosim_get_bitmap_arg(&d, iova, size, pgsize, (void *)(uintptr_t)data, bmsize);
	d.flags = flags;
	put_arg(g, &d, sizeof(d));
}

static void gen_ioctl(void)
{
	static const uint64_t ptrs[] = { 1, 2 | (64 << 4), 3, 4, 0, 5, 6, 7, 8 };
	struct gen g;
	char name[64];
	unsigned int s, i;

	for (s = 0; s < IO_STATES; s++) {
		io_head(&g, s, C_API, 0, 0, 0);
		snprintf(name, sizeof(name), "s%02u-api-version", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_EXT, 0, 0, 0);
		put_le(&g, VFIO_TYPE1v2_IOMMU, 8);
		snprintf(name, sizeof(name), "s%02u-check-extension", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_SET, 0, 0, 0);
		put_le(&g, VFIO_TYPE1v2_IOMMU, 8);
		snprintf(name, sizeof(name), "s%02u-set-iommu", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_INFO, M_FIX, 0, 0);
		put_le(&g, 1, 4);
		snprintf(name, sizeof(name), "s%02u-get-info", s);
		gen_write("ioctl", name, &g);

		/* A new mapping in the hole after mapping 0, and one over it. */
		io_head(&g, s, C_MAP, M_FIX | M_REL, 0, 0);
		io_map(&g, 200 << 2, rel(0, 20), 0x40 + 4, 3);
		snprintf(name, sizeof(name), "s%02u-map", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_MAP, M_FIX | M_REL, 0, 0);
		io_map(&g, 200 << 2, rel(0, 0), 0x40 + 4, 3);
		snprintf(name, sizeof(name), "s%02u-map-overlap", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_UNMAP, M_FIX | M_REL, 0, 0);
		io_unmap(&g, 0, rel(0, 0), 0, 0, 0, 1);
		snprintf(name, sizeof(name), "s%02u-unmap", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_UNMAP, M_FIX | M_REL, 0, 0);
		io_unmap(&g, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, rel(0, 0), 1, 0, 0, 1);
		snprintf(name, sizeof(name), "s%02u-unmap-bitmap", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_UNMAP, M_FIX | M_REL, 0, 0);
		io_unmap(&g, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, 0, 0, 1);
		snprintf(name, sizeof(name), "s%02u-unmap-all", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_DIRTY, M_FIX, 0, 0);
		io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_START, 0, 0, 0, 0, 0);
		snprintf(name, sizeof(name), "s%02u-start", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_DIRTY, M_FIX, 0, 0);
		io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP, 0, 0, 0, 0, 0);
		snprintf(name, sizeof(name), "s%02u-stop", s);
		gen_write("ioctl", name, &g);

		io_head(&g, s, C_DIRTY, M_FIX | M_REL, 0, 0);
		io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, rel(0, 0), 2, 0, 0, 1);
		snprintf(name, sizeof(name), "s%02u-get-bitmap", s);
		gen_write("ioctl", name, &g);
	}

	/* Hostile bitmap pointers and sizes, on the tracking states. */
	for (s = 1; s < 4; s++) {
		for (i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
			io_head(&g, s, C_DIRTY, M_FIX | M_REL, 0, 0);
			io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, rel(0, 0), 2, 0, 0,
				 ptrs[i]);
			snprintf(name, sizeof(name), "s%02u-get-ptr%u", s, i);
			gen_write("ioctl", name, &g);

			io_head(&g, s, C_UNMAP, M_FIX | M_REL, 0, 0);
			io_unmap(&g, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, rel(1, 0), 1, 0,
				 0, ptrs[i]);
			snprintf(name, sizeof(name), "s%02u-unmap-ptr%u", s, i);
			gen_write("ioctl", name, &g);
		}
		/* Page sizes 0, 1, 1 << 63; a bitmap a word short; ones. */
		io_head(&g, s, C_DIRTY, M_FIX, 0, 0);
		io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, 0x40000000, 0x100000, 0, 64,
			 1);
		snprintf(name, sizeof(name), "s%02u-get-pgsize0", s);
		gen_write("ioctl", name, &g);
		io_head(&g, s, C_DIRTY, M_FIX, 0, 0);
		io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, 0x40000000, 0x100000, 1, 64,
			 1);
		snprintf(name, sizeof(name), "s%02u-get-pgsize1", s);
		gen_write("ioctl", name, &g);
		io_head(&g, s, C_UNMAP, M_FIX, 0, 0);
		io_unmap(&g, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, 0x40000000, 0x10000,
			 1ULL << 63, 64, 1);
		snprintf(name, sizeof(name), "s%02u-unmap-pgsize63", s);
		gen_write("ioctl", name, &g);
		io_head(&g, s, C_DIRTY, M_FIX | M_REL | M_ONES, 0, 0);
		io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, rel(0, 0), 2, 0, 0xf8, 1);
		snprintf(name, sizeof(name), "s%02u-get-short-ones", s);
		gen_write("ioctl", name, &g);
		/* Arguments in the read-only area, across its end, at NULL. */
		for (i = 1; i < 8; i++) {
			io_head(&g, s, C_DIRTY, M_FIX | M_REL | (i << 4), 0, 0);
			io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, rel(0, 0), 0, 0, 0, 1);
			snprintf(name, sizeof(name), "s%02u-get-arg-at%u", s, i);
			gen_write("ioctl", name, &g);
		}
		/* Fault injection: the first allocations and copies. */
		for (i = 1; i < 4; i++) {
			io_head(&g, s, C_DIRTY, M_FIX | M_REL, 2 | (i << 2), 0);
			io_dirty(&g, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, rel(0, 0), 2, 0, 0, 1);
			snprintf(name, sizeof(name), "s%02u-get-fail-copy%u", s, i);
			gen_write("ioctl", name, &g);
			io_head(&g, s, C_MAP, M_FIX | M_REL, 1 | ((i - 1) << 2), 0);
			io_map(&g, 300 << 2, rel(2, 600), 0x40 + 8, 3);
			snprintf(name, sizeof(name), "s%02u-map-fail-alloc%u", s, i);
			gen_write("ioctl", name, &g);
		}
	}
	/* Unknown commands. */
	io_head(&g, 0, C_RAW, 0, 0, VFIO_IOMMU_MAP_DMA + 8);
	gen_write("ioctl", "raw-unknown", &g);
	io_head(&g, 0, C_RAW, 0, 0, 0x3b6e);
	gen_write("ioctl", "raw-enable", &g);
}

/* ------------------------------------------------------- seq and diff */

/* Page offsets are in CPU pages; islot in pages from 1 GiB (diff: in
 * 64-page units, so seeds give the same IOVAs when islot % 64 == 0). */
static int gen_diff;

static void hdr(struct gen *g, unsigned int cfg, unsigned int attach)
{
	g->n = 0;
	put(g, 2, (int)cfg, (int)attach);
}

static void op(struct gen *g, enum sl_op o, unsigned int variant)
{
	put(g, 1, (int)(o | (variant << 5)));
}

static void attach(struct gen *g, unsigned int grp)
{
	op(g, SL_ATTACH, 0);
	put(g, 1, (int)grp);
}

static void detach(struct gen *g, unsigned int grp)
{
	op(g, SL_DETACH, 0);
	put(g, 1, (int)grp);
}

/* range 0: guest RAM; 1 read-only; 2 MMIO; 3 scattered; 4 bit: a hole. */
static void map(struct gen *g, unsigned int variant, unsigned int range, unsigned int voff,
		unsigned int ipage, unsigned int npages, unsigned int flags)
{
	unsigned int islot = gen_diff ? ipage / 64 : ipage;

	op(g, SL_MAP, variant);
	put(g, 1, (int)range);
	put_le(g, voff, 2);
	put_le(g, islot, 2);
	put(g, 2, (int)(npages - 1), (int)flags);
}

static void unmap(struct gen *g, unsigned int m, unsigned int o, unsigned int s,
		  unsigned int flags)
{
	op(g, SL_UNMAP, 0);
	put(g, 4, (int)m, (int)o, (int)s, (int)flags);
}

static void unmap_bm(struct gen *g, unsigned int m, unsigned int s, unsigned int pg,
		     unsigned int buf)
{
	op(g, SL_UNMAP_BM, 0);
	put(g, 6, (int)m, 0, (int)s, (int)pg, (int)buf, 0);
}

static void get(struct gen *g, unsigned int m, unsigned int s, unsigned int pg,
		unsigned int buf)
{
	op(g, SL_GET, 0);
	put(g, 5, (int)m, 0, (int)s, (int)pg, (int)buf);
}

static void pin(struct gen *g, unsigned int variant, unsigned int grp, unsigned int m,
		unsigned int o, unsigned int n, unsigned int prot)
{
	op(g, SL_PIN, variant);
	put(g, 5, (int)grp, (int)m, (int)o, (int)(n - 1), (int)prot);
}

static void unpin(struct gen *g, unsigned int k)
{
	op(g, SL_UNPIN, 0);
	put(g, 1, (int)k);
}

static void rw(struct gen *g, bool read, unsigned int m, int off64, unsigned int len)
{
	op(g, SL_DMA_RW, read ? 1 : 0);
	put(g, 2, (int)m, off64 & 0xff);
	put_le(g, len - 1, 2);
}

static void dev_write(struct gen *g, unsigned int grp, unsigned int k, unsigned int o,
		      unsigned int l)
{
	op(g, SL_WRITE, 0);
	put(g, 4, (int)grp, (int)k, (int)o, (int)l);
}

static void simple(struct gen *g, enum sl_op o, unsigned int variant, int arg)
{
	op(g, o, variant);
	if (sl_op_len[o])
		put(g, 1, arg);
}

#define RW	3
#define SZ_PAGES(n)	(0x80 + (n))

static void emit(const char *name, const struct gen *g)
{
	gen_write(gen_diff ? "diff" : "seq", name, g);
}

static void gen_sequences(void)
{
	struct gen g;
	unsigned int i;

	/* An IOMMU group outside the pinned scope: everything mapped is dirty. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x1);
	map(&g, 0, 0, 0, 0, 16, RW);
	map(&g, 0, 0, 64, 64, 8, RW);
	simple(&g, SL_START, 0, 0);
	dev_write(&g, 0, 0, 3, 10);
	get(&g, 0, 1, 0, 0);
	get(&g, 0, 1, 0, 0);
	unmap_bm(&g, 1, 0, 0, 0);
	simple(&g, SL_STOP, 0, 0);
	unmap(&g, 0, 0, 0, 0);
	emit("iommu-outside-scope", &g);

	/* Emulated device: pins and dma_rw are exactly what is dirty. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x4);
	map(&g, 0, 0, 0, 0, 32, RW);
	map(&g, 0, 1, 0, 64, 4, 1);
	simple(&g, SL_START, 0, 0);
	pin(&g, 0, 2, 0, 3, 2, RW);
	pin(&g, 0, 2, 1, 1, 1, 1);
	dev_write(&g, 2, 0, 0, 255);
	rw(&g, false, 0, 100, 5000);
	rw(&g, true, 0, 0, 64);
	get(&g, 0, 1, 0, 0);
	unpin(&g, 0);
	get(&g, 0, 1, 0, 0);
	unmap_bm(&g, 0, 1, 0, 0);
	emit("emulated-pins-dma-rw", &g);

	/* Mixed scope, then the outside group leaves while tracking. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x5);
	map(&g, 0, 0, 0, 0, 16, RW);
	simple(&g, SL_START, 0, 0);
	pin(&g, 0, 2, 0, 1, 2, RW);
	dev_write(&g, 0, 0, 40, 20);
	get(&g, 0, 0, 0, 0);
	dev_write(&g, 0, 0, 80, 3);
	detach(&g, 0);
	get(&g, 0, 0, 0, 0);
	emit("mixed-scope-detach", &g);

	/* docs/divergences.md 3: the last outside group pins while tracking. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x1);
	map(&g, 0, 0, 0, 0, 16, RW);
	simple(&g, SL_START, 0, 0);
	dev_write(&g, 0, 0, 48, 8);
	pin(&g, 0, 0, 0, 2, 1, RW);
	get(&g, 0, 0, 0, 0);
	pin(&g, 0, 0, 0, 5, 1, RW);
	dev_write(&g, 0, 0, 0, 8);
	get(&g, 0, 0, 0, 0);
	emit("promotion-while-tracking", &g);

	/* The same, promoted before tracking starts (no divergence). */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x1);
	map(&g, 0, 0, 0, 0, 16, RW);
	pin(&g, 0, 0, 0, 2, 1, RW);
	simple(&g, SL_START, 0, 0);
	dev_write(&g, 0, 0, 0, 8);
	get(&g, 0, 0, 0, 0);
	attach(&g, 1);
	dev_write(&g, 1, 0, 0, 255);
	get(&g, 0, 0, 0, 0);
	emit("pinned-scope", &g);

	/* docs/divergences.md 4: the tracking unit changes (64K group comes, goes). */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2 | SL_CFG_COARSE, 0x5);
	map(&g, 0, 0, 0, 0, 64, RW);
	simple(&g, SL_START, 0, 0);
	attach(&g, 3);
	pin(&g, 0, 2, 0, 17, 1, RW);
	dev_write(&g, 2, 0, 0, 10);
	detach(&g, 3);
	get(&g, 0, 0, 0, 0);
	emit("tracking-unit-change", &g);

	/* docs/divergences.md 5: unaligned mappings reported twice. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x1);
	map(&g, 0, 0, 0, 0, 5, RW);
	map(&g, 0, 0, 8, 8, 70, RW);
	map(&g, 0, 0, 100, 100, 3, RW);
	simple(&g, SL_START, 0, 0);
	get(&g, 0, 2, 0, 0);
	get(&g, 0, 2, 0, 0);
	emit("unaligned-mappings", &g);

	/* docs/divergences.md 1 and 2: reports faulting part-way. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x4);
	map(&g, 0, 0, 0, 0, 4, RW);
	map(&g, 0, 0, 512, 4096, 4, RW);
	simple(&g, SL_START, 0, 0);
	pin(&g, 0, 2, 0, 0, 1, RW);
	pin(&g, 0, 2, 1, 0, 1, RW);
	get(&g, 0, 1, 0, 4);
	simple(&g, SL_FAIL_COPY, 0, 2);
	get(&g, 0, 1, 0, 0);
	get(&g, 0, 1, 0, 0);
	simple(&g, SL_FAIL_COPY, 0, 2);
	unmap_bm(&g, 0, 1, 0, 0);
	unmap_bm(&g, 0, 1, 0, 4);
	unmap_bm(&g, 0, 1, 0, 0);
	emit("report-copy-faults", &g);

	/* docs/divergences.md 6: a dma_rw write running off the guest RAM. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x4);
	map(&g, 0, 0, 16380, 0, 8, RW);
	simple(&g, SL_START, 0, 0);
	rw(&g, false, 0, 0, 8 * 4096);
	get(&g, 0, 0, 0, 0);
	emit("partial-dma-rw", &g);

	/* A bare container: groups join, SET_IOMMU, all leave, again. */
	hdr(&g, SL_HOST_4K | SL_TYPE_BARE_V2, 0x0);
	simple(&g, SL_SET_IOMMU, 0, 0);
	attach(&g, 0);
	attach(&g, 2);
	simple(&g, SL_SET_IOMMU, 0, 0);
	map(&g, 0, 0, 0, 0, 8, RW);
	simple(&g, SL_START, 0, 0);
	pin(&g, 0, 2, 0, 0, 3, RW);
	detach(&g, 0);
	detach(&g, 2);
	attach(&g, 1);
	simple(&g, SL_SET_IOMMU, 0, 1);
	map(&g, 0, 0, 0, 0, 8, RW);
	simple(&g, SL_GET_INFO, 0, 0);
	emit("bare-container-lifecycle", &g);

	/* v1: unmapping parts of mappings, no dirty tracking. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V1, 0x3);
	map(&g, 0, 0, 0, 0, 16, RW);
	unmap(&g, 0, 4, SZ_PAGES(4), 0);
	unmap(&g, 0, 0, SZ_PAGES(2), 0);
	simple(&g, SL_START, 0, 0);
	pin(&g, 0, 0, 0, 0, 1, RW);
	unmap(&g, 0, 0, 0, 1);
	emit("v1-partial-unmaps", &g);

	/* 64K pages, huge mappings, a second domain. */
	hdr(&g, SL_HOST_64K | SL_TYPE_V2, 0x5);
	map(&g, 1, 0, 0, 0, 1, RW);
	map(&g, 0, 3, 0, 256, 8, RW);
	simple(&g, SL_START, 0, 0);
	attach(&g, 3);
	pin(&g, 0, 3, 1, 1, 2, RW);
	dev_write(&g, 3, 0, 5, 9);
	dev_write(&g, 0, 0, 3, 40);
	get(&g, 0, 1, 0, 0);
	unmap_bm(&g, 0, 0, 0, 0);
	emit("64k-huge-two-domains", &g);

	/* Fault injection over the allocating operations. */
	for (i = 1; i <= 6; i++) {
		char name[64];

		hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x0);
		simple(&g, SL_FAIL_ALLOC, 0, (int)i - 1);
		attach(&g, 0);
		attach(&g, 0);
		attach(&g, 2);
		simple(&g, SL_FAIL_ALLOC, 0, (int)i - 1);
		map(&g, 1, 0, 0, 0, 1, RW);
		map(&g, 1, 0, 0, 0, 1, RW);
		simple(&g, SL_FAIL_ALLOC, 0, (int)i - 1);
		simple(&g, SL_START, 0, 0);
		simple(&g, SL_START, 0, 0);
		simple(&g, SL_FAIL_ALLOC, 0, (int)i - 1);
		pin(&g, 0, 2, 0, 0, 4, RW);
		simple(&g, SL_FAIL_ALLOC, 0, (int)i - 1);
		simple(&g, SL_GET_INFO, 0, 0);
		simple(&g, SL_FAIL_COPY, 0, (int)i - 1);
		unmap_bm(&g, 0, 0, 0, 0);
		snprintf(name, sizeof(name), "fail-nth-%u", i);
		emit(name, &g);
	}

	/* VFIO_UPDATE_VADDR: invalidate, use (WARN_ONCE), restore. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x3);
	map(&g, 0, 0, 0, 0, 8, RW);
	simple(&g, SL_START, 0, 0);
	unmap(&g, 0, 0, 0, VFIO_DMA_UNMAP_FLAG_VADDR);
	rw(&g, false, 0, 0, 100);
	dev_write(&g, 1, 0, 0, 4);
	map(&g, 0, 0, 64, 0, 8, RW | 4);
	rw(&g, false, 0, 0, 100);
	get(&g, 0, 0, 0, 0);
	emit("update-vaddr", &g);

	/* Limits: dma_entry_limit, RLIMIT_MEMLOCK. */
	hdr(&g, SL_HOST_DMA_LIMIT | SL_TYPE_V2, 0x1);
	for (i = 0; i < 10; i++)
		map(&g, 0, 0, i * 2, i * 64, 1, RW);
	simple(&g, SL_GET_INFO, 0, 0);
	unmap(&g, 0, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL);
	emit("dma-entry-limit", &g);
	hdr(&g, SL_HOST_MEMLOCK | SL_TYPE_V2, 0x5);
	map(&g, 0, 0, 0, 0, 200, RW);
	map(&g, 0, 0, 256, 256, 200, RW);
	pin(&g, 0, 2, 0, 0, 8, RW);
	emit("memlock-limit", &g);

	/* The vendor interface's edges: E2BIG, counts below 1, unaligned. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2 | SL_CFG_UNALIGNED, 0x5);
	map(&g, 0, 0, 0, 64, 16, RW);
	pin(&g, 2, 2, 0, 0, 1, RW);
	pin(&g, 2, 2, 0, 0, 2, RW);
	pin(&g, 4, 0, 0, 0, 2, RW);
	pin(&g, 1, 2, 0, 0xff, 1, RW);
	simple(&g, SL_START, 0, 0);
	pin(&g, 1, 2, 0, 0xff, 1, RW);
	get(&g, 0, 0, 0, 0);
	emit("pin-edges", &g);

	/* Hostile reports: page sizes, sizes, pointers. */
	hdr(&g, SL_HOST_4K | SL_TYPE_V2, 0x5);
	map(&g, 0, 0, 0, 0, 16, RW);
	simple(&g, SL_START, 0, 0);
	for (i = 0; i < 8; i++)
		get(&g, 0, 0, i, 0);
	for (i = 0; i < 8; i++)
		get(&g, 0, 0, 0, i | (i << 3));
	op(&g, SL_GET, 2);
	put(&g, 5, 0, 0, 11, 0, 0);
	for (i = 0; i < 4; i++)
		simple(&g, i < 2 ? SL_START : SL_STOP, i % 4, 0);
	simple(&g, SL_CHECK_EXT, 0, VFIO_UPDATE_VADDR);
	simple(&g, SL_CHECK_EXT, 0, VFIO_DMA_CC_IOMMU);
	simple(&g, SL_GET_INFO, 0, 1);
	simple(&g, SL_GET_INFO, 0, 2);
	emit("hostile-reports", &g);

	/* Nesting, read-only and MMIO mappings, a mapping at the top. */
	hdr(&g, SL_HOST_4K | SL_TYPE_NESTING, 0x3);
	map(&g, 0, 1, 0, 0, 4, 1);
	map(&g, 0, 2, 0, 64, 4, RW);
	map(&g, 2, 0, 0, 7, 14, RW);
	simple(&g, SL_START, 0, 0);
	dev_write(&g, 0, 1, 0, 4);
	get(&g, 0, 1, 0, 0);
	unmap(&g, 0, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL);
	emit("nesting-ro-mmio", &g);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	gen_dir = argv[1];
	gen_mkdir(gen_dir);
	gen_ioctl();
	gen_sequences();
	gen_diff = 1;
	gen_sequences();
	printf("gen_corpus: %u seeds in %s\n", gen_files, gen_dir);
	return 0;
}
