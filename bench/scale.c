// SPDX-License-Identifier: MIT
/*
 * scale.c - what a whole guest costs: MAP, PIN, START, GET and UNMAP of
 * guests of 1 to 16 TiB (docs/bench.md, "Scale"), timed, with the peak
 * resident memory of each step next to the bytes of the bitmaps.
 *
 * The guest: mappings of at most 1 TiB (type1 caps one mapping's bitmap
 * at INT_MAX pages, and a GET at as many), each over a range of process
 * memory of its own, pinned at MAP by an IOMMU-backed group; even
 * mappings share their offset in 1 GiB with their pfns, so the IOMMU
 * maps them with 1 GiB pages, odd ones are 2 MiB off and get 2 MiB pages.
 * The group's driver then pins SCALE_PINS pages spread over the guest,
 * which puts the container in the pinned scope: the reports hold exactly
 * those pages, at 4 KiB per bit.
 *
 * Every guest runs in a child process of its own, forked before the copy
 * matrix runs, so that no step inherits another's memory.
 * A step's peak is the child's VmHWM after resetting it (writing 5 to
 * /proc/self/clear_refs) when the step starts: the most memory resident
 * at once during the step, counting whatever was resident before it (the
 * program itself, the bitmaps START allocated).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "vfiosim_client.h"
#include "lib/bitmap.h"
#include "type1/type1.h"

#define SCALE_PAGE	(4 * KIB)
#define SCALE_MAP_MAX	TIB		/* bytes of one mapping */
#define SCALE_PINS	4096U
#define SCALE_IOVA	(1ULL << 40)
#define SCALE_VADDR	(1ULL << 44)	/* a process range per mapping from here, */
#define SCALE_VSTRIDE	(SCALE_MAP_MAX + GIB)	/* each this far from the last */
#define SCALE_ODD_OFF	(2 * MIB)	/* odd mappings: 2 MiB IOMMU pages */
#define SCALE_RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

const char *const scale_step_name[SCALE_NR] = { "map", "pin", "start", "get", "unmap" };

struct scale_ctx {
	uint64_t guest, nmaps;
	struct vfiosim_host *h;
	struct vfiosim_container *c;
	struct vfiosim_group *g;
	uint64_t *buf;			/* the caller's bitmap of one GET */
	uint64_t buf_bytes;
	uint64_t bits;			/* bits the GETs reported */
};

static uint64_t map_size(const struct scale_ctx *x, uint64_t k)
{
	uint64_t left = x->guest - k * SCALE_MAP_MAX;

	return left < SCALE_MAP_MAX ? left : SCALE_MAP_MAX;
}

static uint64_t map_iova(uint64_t k)
{
	return SCALE_IOVA + k * SCALE_MAP_MAX;
}

static uint64_t map_vaddr(uint64_t k)
{
	return SCALE_VADDR + k * SCALE_VSTRIDE + (k % 2 ? SCALE_ODD_OFF : 0);
}

/* Mappings k..*end - 1 make one GET: as many as INT_MAX pages hold. */
static uint64_t get_end(const struct scale_ctx *x, uint64_t k)
{
	uint64_t pages = 0;

	for (; k < x->nmaps; k++) {
		uint64_t n = map_size(x, k) / SCALE_PAGE;

		if (pages + n > T1_BITMAP_PAGES_MAX)
			break;
		pages += n;
	}
	return k;
}

static int step_map(struct scale_ctx *x)
{
	struct vfio_iommu_type1_dma_map a;
	uint64_t k;
	long ret;

	for (k = 0; k < x->nmaps; k++) {
		ret = vfiosim_mm_map(x->h, map_vaddr(k), map_size(x, k), SCALE_RW);
		if (ret)
			return (int)ret;
		vfiosim_map_arg(&a, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
				map_vaddr(k), map_iova(k), map_size(x, k));
		ret = vfiosim_ioctl(x->c, VFIO_IOMMU_MAP_DMA, &a);
		if (ret)
			return (int)ret;
	}
	return 0;
}

/* SCALE_PINS pages evenly over the guest (it is contiguous in IOVA). */
static int step_pin(struct scale_ctx *x)
{
	uint64_t pages = x->guest / SCALE_PAGE, step = pages / SCALE_PINS, pfn;
	unsigned int i;
	int ret;

	for (i = 0; i < SCALE_PINS; i++) {
		ret = vfiosim_pin_pages(x->c, x->g, SCALE_IOVA + (i * step + step / 2) * SCALE_PAGE,
					1, SCALE_RW, &pfn);
		if (ret != 1)
			return ret < 0 ? ret : -EIO;
	}
	return 0;
}

static int step_start(struct scale_ctx *x)
{
	struct vfio_iommu_type1_dirty_bitmap a;

	vfiosim_dirty_arg(&a, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	return (int)vfiosim_ioctl(x->c, VFIO_IOMMU_DIRTY_PAGES, &a);
}

/* The whole guest, in GETs of at most INT_MAX pages into one buffer. */
static int step_get(struct scale_ctx *x)
{
	struct vfiosim_dirty_get_arg a;
	uint64_t k, end;
	long ret;

	for (k = 0; k < x->nmaps; k = end) {
		uint64_t size = 0, j, bytes;

		end = get_end(x, k);
		for (j = k; j < end; j++)
			size += map_size(x, j);
		bytes = vfiosim_bitmap_bytes(size / SCALE_PAGE);
		/* A fresh bitmap each time, as a caller must give. */
		memset(x->buf, 0, bytes);
		vfiosim_get_bitmap_arg(&a, map_iova(k), size, SCALE_PAGE, x->buf, bytes);
		ret = vfiosim_ioctl(x->c, VFIO_IOMMU_DIRTY_PAGES, &a);
		if (ret)
			return (int)ret;
		x->bits += bitmap_weight(x->buf, bytes * 8);
	}
	return x->bits == SCALE_PINS ? 0 : -EIO;
}

static int step_unmap(struct scale_ctx *x)
{
	struct vfio_iommu_type1_dma_unmap a;
	uint64_t k;
	long ret;

	for (k = 0; k < x->nmaps; k++) {
		vfiosim_unmap_arg(&a, 0, map_iova(k), map_size(x, k));
		ret = vfiosim_ioctl(x->c, VFIO_IOMMU_UNMAP_DMA, &a);
		if (ret < 0)
			return (int)ret;
		if (a.size != map_size(x, k))
			return -EIO;
	}
	return 0;
}

static int (*const step_fn[SCALE_NR])(struct scale_ctx *) = {
	step_map, step_pin, step_start, step_get, step_unmap,
};

/* A field of /proc/self/status in bytes ("VmHWM"), 0 if unreadable. */
static uint64_t status_kib(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	uint64_t v = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10) * KIB;
			break;
		}
	fclose(f);
	return v;
}

static bool hwm_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	bool ok = f && fputs("5", f) >= 0;

	if (f && fclose(f))
		ok = false;
	return ok;
}

/* The guest's steps in this process; the figures into r. */
static int scale_steps(const struct vfiosim_backend *be, uint64_t guest, struct scale_result *r)
{
	struct vfiosim_group_config gc = { .kind = VFIOSIM_GROUP_IOMMU, .has_dma_unmap = true };
	struct vfiosim_host_config hc = { .page_size = SCALE_PAGE };
	struct scale_ctx x = { .guest = guest };
	int ret = -ENOMEM;
	unsigned int s;

	x.nmaps = (guest + SCALE_MAP_MAX - 1) / SCALE_MAP_MAX;
	x.buf_bytes = vfiosim_bitmap_bytes(T1_BITMAP_PAGES_MAX);
	if (x.buf_bytes > vfiosim_bitmap_bytes(guest / SCALE_PAGE))
		x.buf_bytes = vfiosim_bitmap_bytes(guest / SCALE_PAGE);
	x.buf = malloc(x.buf_bytes);
	x.h = vfiosim_host_new(&hc);
	if (!x.buf || !x.h)
		goto out;
	/* The caller's buffer is the caller's: faulted in before any step. */
	memset(x.buf, 0, x.buf_bytes);
	x.g = vfiosim_group_new(x.h, &gc);
	x.c = vfiosim_container_new_backend(x.h, VFIO_TYPE1v2_IOMMU, be);
	if (!x.g || !x.c)
		goto out;
	ret = vfiosim_container_attach(x.c, x.g);
	r->base_rss = status_kib("VmRSS");
	for (s = 0; !ret && s < SCALE_NR; s++) {
		double t0;

		if (!hwm_reset()) {
			ret = -errno;
			break;
		}
		t0 = bench_now();
		ret = step_fn[s](&x);
		r->secs[s] = bench_now() - t0;
		r->peak[s] = status_kib("VmHWM");
	}
out:
	if (x.c)
		vfiosim_container_free(x.c);
	if (x.g)
		vfiosim_group_free(x.g);
	if (x.h)
		vfiosim_host_free(x.h);
	free(x.buf);
	r->bitmap_bytes = vfiosim_bitmap_bytes(guest / SCALE_PAGE) + x.buf_bytes;
	return ret;
}

int scale_run(const struct vfiosim_backend *be, uint64_t guest, struct scale_result *r)
{
	int fd[2], status;
	ssize_t got;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->guest = guest;
	fflush(NULL);
	if (pipe(fd))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -errno;
	}
	if (!pid) {
		close(fd[0]);
		r->err = scale_steps(be, guest, r);
		_exit(write(fd[1], r, sizeof(*r)) == (ssize_t)sizeof(*r) ? 0 : 1);
	}
	close(fd[1]);
	got = read(fd[0], r, sizeof(*r));
	close(fd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (got != (ssize_t)sizeof(*r) || !WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	return r->err;
}

/* --------------------------------------------------------------- section */

static const uint64_t model_sizes[] = { 64 * GIB, 256 * GIB, TIB, 4 * TIB, 16 * TIB };
/*
 * The kernel backend pins, maps and unpins page by page, as the kernel
 * does (about 4 s per TiB each way here): smaller guests, bigger ones in
 * --full.
 */
static const uint64_t kernel_sizes[] = { 64 * GIB, 256 * GIB };
static const uint64_t kernel_sizes_full[] = { 64 * GIB, 256 * GIB, TIB, 4 * TIB };

#define NSIZES(a)	(sizeof(a) / sizeof((a)[0]))

#define SCALE_TARGET_SECS	10.0
#define SCALE_TARGET_SLACK	(64 * MIB)

static void size_label(char *buf, size_t len, uint64_t v)
{
	if (v >= TIB)
		snprintf(buf, len, "%llu TiB", (unsigned long long)(v / TIB));
	else
		snprintf(buf, len, "%llu GiB", (unsigned long long)(v / GIB));
}

static double total_secs(const struct scale_result *r)
{
	double t = 0;
	unsigned int s;

	for (s = 0; s < SCALE_NR; s++)
		t += r->secs[s];
	return t;
}

static uint64_t max_peak(const struct scale_result *r)
{
	uint64_t m = 0;
	unsigned int s;

	for (s = 0; s < SCALE_NR; s++)
		if (r->peak[s] > m)
			m = r->peak[s];
	return m;
}

static void print_line(const char *be, const struct scale_result *r)
{
	char g[32];
	unsigned int s;

	size_label(g, sizeof(g), r->guest);
	printf("  %-10s %-8s", be, g);
	for (s = 0; s < SCALE_NR; s++)
		printf(" %7.2fs %6.0fM", r->secs[s], (double)r->peak[s] / MIB);
	printf(" %7.2fs %6.0fM %6.0fM\n", total_secs(r), (double)max_peak(r) / MIB,
	       (double)r->bitmap_bytes / MIB);
}

static void write_dat(FILE *f, const char *be, const struct scale_result *r)
{
	if (f)
		fprintf(f, "%s %.6g %.6g %.6g %.6g\n", be, (double)r->guest / GIB, total_secs(r),
			(double)max_peak(r) / MIB, (double)r->bitmap_bytes / MIB);
}

int scale_section(const struct vfiosim_backend *kbe, bool full, const char *only,
		  const char *out)
{
	const struct vfiosim_backend *mbe = vfiosim_backend_find("model");
	struct scale_result r, last = { 0 };
	char path[512], g[32];
	unsigned int b, i, n;
	int errors = 0;
	FILE *f;

	if (only && !strstr("scale", only))
		return 0;
	snprintf(path, sizeof(path), "%s/scale.dat", out);
	f = fopen(path, "w");
	if (f)
		fprintf(f, "# backend guest_GiB seconds peak_MiB bitmaps_MiB\n");
	printf("\n[scale: MAP, PIN (%u pages), START, GET (<= INT_MAX pages each), UNMAP of a"
	       " guest; 4 KiB bits; 1 GiB and 2 MiB IOMMU pages]\n", SCALE_PINS);
	printf("# each guest in a child process; peak: VmHWM reset at each step's start"
	       " (clear_refs 5); bitmaps: type1's + the caller's buffer\n");
	printf("  %-10s %-8s", "backend", "guest");
	for (i = 0; i < SCALE_NR; i++)
		printf(" %7s %7s", scale_step_name[i], "peak");
	printf(" %8s %7s %7s\n", "total", "peak", "bitmaps");
	for (b = 0; b < 2; b++) {
		const struct vfiosim_backend *be = b ? kbe : mbe;
		const uint64_t *sizes = b ? (full ? kernel_sizes_full : kernel_sizes) : model_sizes;
		const char *name = b ? "kernel" : "model";

		if (!be)
			continue;
		n = b ? (full ? NSIZES(kernel_sizes_full) : NSIZES(kernel_sizes))
		      : NSIZES(model_sizes);
		if (f && b)
			fprintf(f, "\n\n");
		for (i = 0; i < n; i++) {
			int ret = scale_run(be, sizes[i], &r);

			if (ret) {
				size_label(g, sizeof(g), sizes[i]);
				fprintf(stderr, "ERROR: scale %s %s: %s\n", name, g, strerror(-ret));
				errors++;
				continue;
			}
			print_line(name, &r);
			write_dat(f, name, &r);
			if (!b)
				last = r;
		}
	}
	if (f)
		fclose(f);
	if (last.guest) {
		bool t = total_secs(&last) < SCALE_TARGET_SECS;
		bool m = max_peak(&last) <= last.bitmap_bytes + SCALE_TARGET_SLACK;

		size_label(g, sizeof(g), last.guest);
		printf("  model, %s: all steps < %.0f s: %.2f s  %s\n", g, SCALE_TARGET_SECS,
		       total_secs(&last), t ? "MET" : "MISS");
		printf("  model, %s: peak RSS <= bitmaps + 64 MiB (%.0f MiB): %.0f MiB  %s\n", g,
		       (double)(last.bitmap_bytes + SCALE_TARGET_SLACK) / MIB,
		       (double)max_peak(&last) / MIB, m ? "MET" : "MISS");
	}
	return errors;
}
