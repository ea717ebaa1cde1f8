// SPDX-License-Identifier: MIT
/*
 * gen_corpus.c - writes the seed corpora: fuzz/corpus/ioctl/ (every state
 * with each command in a well-formed and a few hostile forms) and
 * fuzz/corpus/{seq,diff}/NAME, each the scenario fuzz/seeds/NAME.vfs (the
 * contract tests' and docs/divergences.md's situations) encoded as an
 * operation sequence (gen_seq.c).  Seeds are small, so they are committed;
 * `make fuzz-corpus` regenerates them.
 *
 *   gen_corpus SEEDS DIR
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/vfio.h>

#include "gen_corpus.h"
#include "seq_lang.h"
#include "vfiosim_client.h"

static const char *gen_dir;
static unsigned int gen_files;

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
	/* The vfiosim extension, outside the target's menu: the IOMMU's dirty bits while tracking. */
	io_head(&g, 1, C_RAW, 0, 0, VFIOSIM_IOMMU_DIRTY_PROVIDER);
	put_le(&g, sizeof(struct vfiosim_iommu_dirty_provider), 4);
	put_le(&g, 0, 4);
	put_le(&g, VFIOSIM_DIRTY_PROVIDER_IOMMU, 4);
	put_le(&g, 0, 4);
	gen_write("ioctl", "raw-vfiosim-dirty-provider", &g);
}

/* ------------------------------------------------------- seq and diff */

static int gen_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every fuzz/seeds/NAME.vfs as corpus/seq/NAME and corpus/diff/NAME. */
static void gen_sequences(const char *seeds)
{
	char **names = NULL, path[4096], why[600];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d = opendir(seeds);

	if (!d) {
		perror(seeds);
		exit(1);
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l <= 4 || strcmp(de->d_name + l - 4, ".vfs"))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = strndup(de->d_name, l - 4)))
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), gen_cmp);
	for (i = 0; i < n; i++) {
		struct gen seq, diff;

		snprintf(path, sizeof(path), "%s/%s.vfs", seeds, names[i]);
		if (gen_seq(path, &seq, &diff, why, sizeof(why))) {
			fprintf(stderr, "gen_corpus: %s\n", why);
			exit(1);
		}
		gen_write("seq", names[i], &seq);
		/* Linux has no provider: the diff target never builds such a world. */
		if (!(seq.b[0] & SL_CFG_PROVIDERS))
			gen_write("diff", names[i], &diff);
		free(names[i]);
	}
	free(names);
	if (!n) {
		fprintf(stderr, "gen_corpus: no seed scenario in %s\n", seeds);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SEEDS DIR\n", argv[0]);
		return 2;
	}
	gen_dir = argv[2];
	gen_mkdir(gen_dir);
	gen_ioctl();
	gen_sequences(argv[1]);
	printf("gen_corpus: %u seeds in %s\n", gen_files, gen_dir);
	return 0;
}
