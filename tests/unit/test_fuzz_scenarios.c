// SPDX-License-Identifier: MIT
/*
 * test_fuzz_scenarios.c - a seq or diff fuzz input and the scenario
 * "vfiosim from-fuzz" prints for it make the same calls.
 *
 * The calls are recorded where both sides make them: at the simulator's
 * API.  The binary is linked with --wrap for every call that creates
 * something or acts on a container (vfiosim.h), so each call of the fuzz
 * harness (fuzz/target_seq.c: the seq target, or the diff target's model
 * world) and of the command's scenario run (tools/vfiosim) goes through
 * the same recorder, which writes it as one line: every argument, the
 * argument block of an ioctl as the driver would read it, the memory a
 * report may write (what its range needs) piece by piece with its
 * protection and contents, a fault armed for the call, and what came back
 * (the return value, the block and the bitmap afterwards, pfns, data read).
 * A pointer into the program's own memory, which differs between the two,
 * is recorded as "prog" with the memory behind it; any other address as
 * itself.  Calls a container makes on its own (the unpins of an unmap) are
 * left out: each side's vendor driver gives back what it holds when told.
 * Both sides run in children, each recording into a pipe; the two records
 * must be equal line for line, and the scenario must fail exactly when the
 * harness finds something.
 *
 * Every input of fuzz/regressions/{seq,diff}/ and of fuzz/corpus/{seq,diff}/
 * is checked, and each regression's scenario in the checkout (NAME.vfs
 * next to it) must be what from-fuzz prints now.  The other way round, each
 * seed scenario (fuzz/seeds/NAME.vfs) must make the calls of the input
 * make fuzz-corpus encodes it into (fuzz/corpus/seq/NAME).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "from_fuzz.h"
#include "ops.h"
#include "scenario.h"
#include "seq_lang.h"
#include "vfiosim_client.h"
#include "vfiosim_observer.h"
#include "vfiosim_oracle.h"

#ifndef FUZZ_DATA_DIR
#define FUZZ_DATA_DIR "fuzz"
#endif

/* ------------------------------------------------------------ recorder */

#define REC_HOSTS	2
#define REC_REGIONS	64
#define REC_GROUPS	16
/* Contents are compared up to this much of a report's memory. */
#define REC_HASH_MAX	(1u << 20)

struct rec_region {
	uint64_t start, end;
	int prot;
};

struct rec_host {
	struct vfiosim_host *h;
	struct rec_region user[REC_REGIONS], guest[REC_REGIONS];
	unsigned int nr_user, nr_guest;
	struct vfiosim_group *g[REC_GROUPS];
	unsigned int nr_groups;
	struct vfiosim_container *c;
	unsigned long alloc_at, copy_at;	/* armed faults: the counts they fail at */
};

static int rec_fd = -1;			/* where lines go; -1: not recording */
static unsigned int rec_depth;		/* calls under way */
static struct rec_host rec_hosts[REC_HOSTS];

static struct rec_host *rec_host(const struct vfiosim_host *h)
{
	unsigned int i;

	for (i = 0; i < REC_HOSTS; i++)
		if (rec_hosts[i].h == h)
			return &rec_hosts[i];
	return NULL;
}

static struct rec_host *rec_host_of_container(const struct vfiosim_container *c)
{
	unsigned int i;

	for (i = 0; i < REC_HOSTS; i++)
		if (rec_hosts[i].h && rec_hosts[i].c == c)
			return &rec_hosts[i];
	return NULL;
}

static int rec_group(const struct vfiosim_group *g)
{
	unsigned int i, k;

	for (i = 0; i < REC_HOSTS; i++)
		for (k = 0; k < rec_hosts[i].nr_groups; k++)
			if (rec_hosts[i].g[k] == g)
				return (int)k;
	return -1;
}

static struct rec_host *rec_host_of_group(const struct vfiosim_group *g)
{
	unsigned int i, k;

	for (i = 0; i < REC_HOSTS; i++)
		for (k = 0; k < rec_hosts[i].nr_groups; k++)
			if (rec_hosts[i].g[k] == g)
				return &rec_hosts[i];
	return NULL;
}

/* A line in the making; written whole, so that an abort loses no line. */
struct line {
	char s[2048];
	size_t n;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= sizeof(l->s))
		return;
	va_start(ap, fmt);
	l->n += (size_t)vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
}

static void emit(struct line *l)
{
	if (rec_fd < 0)
		return;
	add(l, "\n");
	if (l->n >= sizeof(l->s))
		l->n = sizeof(l->s) - 1;
	if (write(rec_fd, l->s, l->n) != (ssize_t)l->n)
		_exit(3);
}

static bool recording(void)
{
	return rec_fd >= 0 && !rec_depth;
}

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

/* The fault each kind of counter is armed with for the call about to run. */
static void add_faults(struct line *l, struct rec_host *rh)
{
	unsigned long a, c;

	if (!rh)
		return;
	a = vfiosim_alloc_calls(rh->h);
	c = vfiosim_copy_calls(rh->h);
	if (rh->alloc_at > a)
		add(l, " fail_alloc=%lu", rh->alloc_at - a);
	if (rh->copy_at > c)
		add(l, " fail_copy=%lu", rh->copy_at - c);
}

static const struct rec_region *rec_find(const struct rec_region *r, unsigned int n,
					 uint64_t a, uint64_t *next)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (a >= r[i].start && a < r[i].end)
			return &r[i];
		if (r[i].start > a && r[i].start < *next)
			*next = r[i].start;
	}
	return NULL;
}

/*
 * [p, p + len) piece by piece: "prog" or the address, then size:kind for
 * each run of user memory (u-PROT), guest memory (g-PROT) or nothing (-).
 */
static void add_memory(struct line *l, struct rec_host *rh, uint64_t p, uint64_t len)
{
	uint64_t a = p, end = p + len < p ? UINT64_MAX : p + len, next;
	const struct rec_region *r;
	bool prog;

	next = UINT64_MAX;
	prog = rh && rec_find(rh->user, rh->nr_user, p, &next);
	if (prog)
		add(l, "prog[");
	else
		add(l, "0x%" PRIx64 "[", p);
	while (rh && a < end) {
		char kind = '-';
		int prot = 0;

		next = end;
		r = rec_find(rh->user, rh->nr_user, a, &next);
		if (r) {
			kind = 'u';
		} else {
			r = rec_find(rh->guest, rh->nr_guest, a, &next);
			kind = r ? 'g' : '-';
		}
		if (r) {
			prot = r->prot;
			next = r->end < end ? r->end : end;
		}
		add(l, " 0x%" PRIx64 ":%c%d", next - a, kind, prot);
		a = next;
	}
	add(l, " ]");
}

/* The bytes of [p, p + len) a driver could read, as a hash. */
static void add_contents(struct line *l, struct vfiosim_container *c, const char *what,
			 uint64_t p, uint64_t len)
{
	unsigned char *buf;
	size_t n = len < REC_HASH_MAX ? (size_t)len : REC_HASH_MAX;

	if (!n)
		return;
	buf = malloc(n);
	if (!buf)
		_exit(3);
	vfiosim_observer_peek(c, buf, p, n);
	add(l, " %s=%016" PRIx64, what, fnv(buf, n));
	free(buf);
}

/* ------------------------------------------------------- ioctl blocks */

struct rec_ioctl {
	unsigned char blk[48];
	uint64_t bitmap, need;		/* the report's bitmap and what it may write */
	bool report;
	uint32_t argsz;
};

static uint64_t u64_at(const unsigned char *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint32_t u32_at(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* The fields the driver reads of the argument, and the report's memory, before the call. */
static void ioctl_before(struct line *l, struct rec_host *rh, struct vfiosim_container *c,
			 unsigned int cmd, uint64_t arg, struct rec_ioctl *io)
{
	const unsigned char *b = io->blk;
	uint32_t flags;

	memset(io, 0, sizeof(*io));
	vfiosim_observer_peek(c, io->blk, arg, sizeof(io->blk));
	io->argsz = u32_at(b, 0);
	flags = u32_at(b, 4);
	add(l, "ioctl 0x%x arg=", cmd);
	add_memory(l, rh, arg, 8);
	add(l, " argsz=0x%x flags=0x%x", io->argsz, flags);
	switch (cmd) {
	case VFIO_IOMMU_MAP_DMA:
		add(l, " vaddr=0x%" PRIx64 " iova=0x%" PRIx64 " size=0x%" PRIx64, u64_at(b, 8),
		    u64_at(b, 16), u64_at(b, 24));
		return;
	case VFIO_IOMMU_GET_INFO:
		add(l, " rest=%016" PRIx64, fnv(b + 8, 8));
		return;
	case VFIO_IOMMU_UNMAP_DMA:
		add(l, " iova=0x%" PRIx64 " size=0x%" PRIx64, u64_at(b, 8), u64_at(b, 16));
		io->report = flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
		break;
	case VFIO_IOMMU_DIRTY_PAGES:
		io->report = flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
		if (io->report)
			add(l, " iova=0x%" PRIx64 " size=0x%" PRIx64, u64_at(b, 8), u64_at(b, 16));
		break;
	default:
		return;
	}
	if (!io->report)
		return;
	/* struct vfio_bitmap: pgsize, size, data, right after the range. */
	io->bitmap = u64_at(b, 40);
	io->need = vfiosim_bitmap_bytes(vfiosim_bitmap_pages(u64_at(b, 16), u64_at(b, 24)));
	add(l, " pgsize=0x%" PRIx64 " bitmap_size=0x%" PRIx64 " bitmap=", u64_at(b, 24),
	    u64_at(b, 32));
	add_memory(l, rh, io->bitmap, io->need);
	add_contents(l, c, "before", io->bitmap, io->need);
}

/* What the call left in the argument and the report's memory. */
static void ioctl_after(struct line *l, struct vfiosim_container *c, unsigned int cmd,
			uint64_t arg, const struct rec_ioctl *io)
{
	unsigned char now[48];

	vfiosim_observer_peek(c, now, arg, sizeof(now));
	if (cmd == VFIO_IOMMU_UNMAP_DMA)
		add(l, " size_out=0x%" PRIx64, u64_at(now, 16));
	if (cmd == VFIO_IOMMU_GET_INFO)
		add_contents(l, c, "reply", arg, io->argsz < 4096 ? io->argsz : 4096);
	if (io->report)
		add_contents(l, c, "after", io->bitmap, io->need);
}

/* ------------------------------------------------------------- wrappers */

#define REAL(f)	__real_##f
#define WRAP(f)	__wrap_##f

struct vfiosim_host *REAL(vfiosim_host_new)(const struct vfiosim_host_config *cfg);
void REAL(vfiosim_host_free)(struct vfiosim_host *h);
int REAL(vfiosim_mm_map)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot);
struct vfiosim_container *REAL(vfiosim_container_new)(struct vfiosim_host *h, int type);
int REAL(vfiosim_mm_map_flags)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot,
			       unsigned int flags);
int REAL(vfiosim_mm_unmap)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len);
int REAL(vfiosim_user_add)(struct vfiosim_host *h, const void *ptr, size_t len, int prot);
int REAL(vfiosim_user_del)(struct vfiosim_host *h, const void *ptr);
struct vfiosim_group *REAL(vfiosim_group_new)(struct vfiosim_host *h,
					      const struct vfiosim_group_config *cfg);
struct vfiosim_container *REAL(vfiosim_container_new_backend)(struct vfiosim_host *h, int type,
							      const struct vfiosim_backend *b);
void REAL(vfiosim_oracle_set_exact)(struct vfiosim_oracle *o, bool exact);
int REAL(vfiosim_container_attach)(struct vfiosim_container *c, struct vfiosim_group *g);
int REAL(vfiosim_container_detach)(struct vfiosim_container *c, struct vfiosim_group *g);
long REAL(vfiosim_ioctl)(struct vfiosim_container *c, unsigned int cmd, void *arg);
long REAL(vfiosim_ioctl_arg)(struct vfiosim_container *c, unsigned int cmd, unsigned long arg);
int REAL(vfiosim_pin_pages)(struct vfiosim_container *c, struct vfiosim_group *g, uint64_t iova,
			    int npage, int prot, uint64_t *pfns);
int REAL(vfiosim_unpin_pages)(struct vfiosim_container *c, struct vfiosim_group *g,
			      uint64_t iova, int npage);
int REAL(vfiosim_dma_rw)(struct vfiosim_container *c, uint64_t iova, void *data, size_t len,
			 bool write);
int REAL(vfiosim_device_write)(struct vfiosim_group *g, uint64_t iova, size_t len);
int REAL(vfiosim_device_write_data)(struct vfiosim_group *g, uint64_t iova, const void *data,
				    size_t len);
void REAL(vfiosim_fail_nth_alloc)(struct vfiosim_host *h, unsigned long n);
void REAL(vfiosim_fail_nth_copy)(struct vfiosim_host *h, unsigned long n);

struct vfiosim_host *WRAP(vfiosim_host_new)(const struct vfiosim_host_config *cfg);
void WRAP(vfiosim_host_free)(struct vfiosim_host *h);
int WRAP(vfiosim_mm_map)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot);
struct vfiosim_container *WRAP(vfiosim_container_new)(struct vfiosim_host *h, int type);
int WRAP(vfiosim_mm_map_flags)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot,
			       unsigned int flags);
int WRAP(vfiosim_mm_unmap)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len);
int WRAP(vfiosim_user_add)(struct vfiosim_host *h, const void *ptr, size_t len, int prot);
int WRAP(vfiosim_user_del)(struct vfiosim_host *h, const void *ptr);
struct vfiosim_group *WRAP(vfiosim_group_new)(struct vfiosim_host *h,
					      const struct vfiosim_group_config *cfg);
struct vfiosim_container *WRAP(vfiosim_container_new_backend)(struct vfiosim_host *h, int type,
							      const struct vfiosim_backend *b);
void WRAP(vfiosim_oracle_set_exact)(struct vfiosim_oracle *o, bool exact);
int WRAP(vfiosim_container_attach)(struct vfiosim_container *c, struct vfiosim_group *g);
int WRAP(vfiosim_container_detach)(struct vfiosim_container *c, struct vfiosim_group *g);
long WRAP(vfiosim_ioctl)(struct vfiosim_container *c, unsigned int cmd, void *arg);
long WRAP(vfiosim_ioctl_arg)(struct vfiosim_container *c, unsigned int cmd, unsigned long arg);
int WRAP(vfiosim_pin_pages)(struct vfiosim_container *c, struct vfiosim_group *g, uint64_t iova,
			    int npage, int prot, uint64_t *pfns);
int WRAP(vfiosim_unpin_pages)(struct vfiosim_container *c, struct vfiosim_group *g,
			      uint64_t iova, int npage);
int WRAP(vfiosim_dma_rw)(struct vfiosim_container *c, uint64_t iova, void *data, size_t len,
			 bool write);
int WRAP(vfiosim_device_write)(struct vfiosim_group *g, uint64_t iova, size_t len);
int WRAP(vfiosim_device_write_data)(struct vfiosim_group *g, uint64_t iova, const void *data,
				    size_t len);
void WRAP(vfiosim_fail_nth_alloc)(struct vfiosim_host *h, unsigned long n);
void WRAP(vfiosim_fail_nth_copy)(struct vfiosim_host *h, unsigned long n);

struct vfiosim_host *WRAP(vfiosim_host_new)(const struct vfiosim_host_config *cfg)
{
	struct line l = { .n = 0 };
	struct vfiosim_host *h = REAL(vfiosim_host_new)(cfg);
	unsigned int i;

	for (i = 0; h && i < REC_HOSTS; i++) {
		if (!rec_hosts[i].h) {
			memset(&rec_hosts[i], 0, sizeof(rec_hosts[i]));
			rec_hosts[i].h = h;
			break;
		}
	}
	if (!recording())
		return h;
	add(&l, "host_new page=0x%" PRIx64 " memlock=0x%" PRIx64 " cap=%d strict=%d dma_limit=%u"
	    " unsafe=%d nohuge=%d kernel=0x%x -> %s", cfg->page_size, cfg->memlock_limit,
	    cfg->cap_ipc_lock, cfg->strict_uaccess, cfg->dma_entry_limit,
	    cfg->allow_unsafe_interrupts, cfg->disable_hugepages, cfg->kernel, h ? "ok" : "NULL");
	emit(&l);
	return h;
}

void WRAP(vfiosim_host_free)(struct vfiosim_host *h)
{
	struct rec_host *rh = rec_host(h);

	REAL(vfiosim_host_free)(h);
	if (rh)
		memset(rh, 0, sizeof(*rh));
}

int WRAP(vfiosim_mm_map_flags)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot,
			       unsigned int flags)
{
	struct rec_host *rh = rec_host(h);
	struct line l = { .n = 0 };
	int ret = REAL(vfiosim_mm_map_flags)(h, vaddr, len, prot, flags);

	if (!ret && rh && rh->nr_guest < REC_REGIONS)
		rh->guest[rh->nr_guest++] = (struct rec_region){ vaddr, vaddr + len, prot };
	if (recording()) {
		add(&l, "mm_map 0x%" PRIx64 " 0x%" PRIx64 " prot=%d flags=0x%x -> %d", vaddr, len,
		    prot, flags, ret);
		emit(&l);
	}
	return ret;
}

int WRAP(vfiosim_mm_map)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot)
{
	return WRAP(vfiosim_mm_map_flags)(h, vaddr, len, prot, 0);
}

static void rec_region_del(struct rec_region *r, unsigned int *n, uint64_t start)
{
	unsigned int i;

	for (i = 0; i < *n; i++) {
		if (r[i].start == start) {
			r[i] = r[--*n];
			return;
		}
	}
}

int WRAP(vfiosim_mm_unmap)(struct vfiosim_host *h, uint64_t vaddr, uint64_t len)
{
	struct rec_host *rh = rec_host(h);
	struct line l = { .n = 0 };
	int ret = REAL(vfiosim_mm_unmap)(h, vaddr, len);
	unsigned int i;

	for (i = 0; !ret && rh && i < rh->nr_guest;) {
		if (rh->guest[i].start >= vaddr && rh->guest[i].end <= vaddr + len)
			rec_region_del(rh->guest, &rh->nr_guest, rh->guest[i].start);
		else
			i++;
	}
	if (recording()) {
		add(&l, "mm_unmap 0x%" PRIx64 " 0x%" PRIx64 " -> %d", vaddr, len, ret);
		emit(&l);
	}
	return ret;
}

/* Program memory differs between the two sides: kept, not recorded. */
int WRAP(vfiosim_user_add)(struct vfiosim_host *h, const void *ptr, size_t len, int prot)
{
	struct rec_host *rh = rec_host(h);
	int ret = REAL(vfiosim_user_add)(h, ptr, len, prot);

	if (!ret && rh && rh->nr_user < REC_REGIONS)
		rh->user[rh->nr_user++] = (struct rec_region){ (uintptr_t)ptr,
							       (uintptr_t)ptr + len, prot };
	return ret;
}

int WRAP(vfiosim_user_del)(struct vfiosim_host *h, const void *ptr)
{
	struct rec_host *rh = rec_host(h);
	int ret = REAL(vfiosim_user_del)(h, ptr);

	if (!ret && rh)
		rec_region_del(rh->user, &rh->nr_user, (uintptr_t)ptr);
	return ret;
}

struct vfiosim_group *WRAP(vfiosim_group_new)(struct vfiosim_host *h,
					      const struct vfiosim_group_config *cfg)
{
	struct rec_host *rh = rec_host(h);
	struct line l = { .n = 0 };
	struct vfiosim_group *g = REAL(vfiosim_group_new)(h, cfg);
	unsigned int i;

	if (g && rh && rh->nr_groups < REC_GROUPS)
		rh->g[rh->nr_groups++] = g;
	if (!recording())
		return g;
	add(&l, "group_new kind=%d pgsizes=0x%" PRIx64 " aperture=0x%" PRIx64 "-0x%" PRIx64
	    " no_default_msi=%d no_isolated_msi=%d no_cc=%d nesting=%d iommu_id=%u"
	    " attach_error=%d has_dma_unmap=%d resv=", cfg->kind, cfg->pgsize_bitmap,
	    cfg->aperture_start, cfg->aperture_end, cfg->no_default_msi, cfg->no_isolated_msi,
	    cfg->no_cache_coherency, cfg->nesting, cfg->iommu_id, cfg->attach_error,
	    cfg->has_dma_unmap);
	for (i = 0; i < cfg->nr_resv && i < VFIOSIM_MAX_RESV; i++)
		add(&l, "0x%" PRIx64 "+0x%" PRIx64 ":%d,", cfg->resv[i].start, cfg->resv[i].length,
		    cfg->resv[i].type);
	add(&l, " -> %s", g ? "ok" : "NULL");
	emit(&l);
	return g;
}

struct vfiosim_container *WRAP(vfiosim_container_new_backend)(struct vfiosim_host *h, int type,
							      const struct vfiosim_backend *b)
{
	struct rec_host *rh = rec_host(h);
	struct line l = { .n = 0 };
	struct vfiosim_container *c;
	int err;

	rec_depth++;
	c = REAL(vfiosim_container_new_backend)(h, type, b);
	err = errno;
	rec_depth--;
	if (c && rh)
		rh->c = c;
	if (recording()) {
		add(&l, "container_new type=%d backend=%s -> %s", type,
		    vfiosim_backend_name_of(b), c ? "ok" : strerror(err));
		emit(&l);
	}
	errno = err;
	return c;
}

struct vfiosim_container *WRAP(vfiosim_container_new)(struct vfiosim_host *h, int type)
{
	return WRAP(vfiosim_container_new_backend)(h, type, vfiosim_backend_find(NULL));
}

void WRAP(vfiosim_oracle_set_exact)(struct vfiosim_oracle *o, bool exact)
{
	struct line l = { .n = 0 };

	REAL(vfiosim_oracle_set_exact)(o, exact);
	if (recording()) {
		add(&l, "oracle_exact %d", exact);
		emit(&l);
	}
}

/* A call on a group: its index, the faults armed, and the rest of the line after. */
static bool group_call(struct line *l, const char *what, const struct vfiosim_group *g)
{
	if (!recording())
		return false;
	add(l, "%s group=%d", what, rec_group(g));
	add_faults(l, rec_host_of_group(g));
	return true;
}

static int end_call(struct line *l, bool rec, int ret)
{
	if (rec) {
		add(l, " -> %d", ret);
		emit(l);
	}
	return ret;
}

int WRAP(vfiosim_container_attach)(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct line l = { .n = 0 };
	bool rec = group_call(&l, "attach", g);
	int ret;

	rec_depth++;
	ret = REAL(vfiosim_container_attach)(c, g);
	rec_depth--;
	return end_call(&l, rec, ret);
}

int WRAP(vfiosim_container_detach)(struct vfiosim_container *c, struct vfiosim_group *g)
{
	struct line l = { .n = 0 };
	bool rec = group_call(&l, "detach", g);
	int ret;

	rec_depth++;
	ret = REAL(vfiosim_container_detach)(c, g);
	rec_depth--;
	return end_call(&l, rec, ret);
}

long WRAP(vfiosim_ioctl)(struct vfiosim_container *c, unsigned int cmd, void *arg)
{
	struct rec_host *rh = rec_host_of_container(c);
	struct line l = { .n = 0 };
	bool rec = recording();
	struct rec_ioctl io;
	long ret;

	if (rec) {
		ioctl_before(&l, rh, c, cmd, (uintptr_t)arg, &io);
		add_faults(&l, rh);
	}
	rec_depth++;
	ret = REAL(vfiosim_ioctl)(c, cmd, arg);
	rec_depth--;
	if (rec) {
		add(&l, " -> %ld", ret);
		ioctl_after(&l, c, cmd, (uintptr_t)arg, &io);
		emit(&l);
	}
	return ret;
}

long WRAP(vfiosim_ioctl_arg)(struct vfiosim_container *c, unsigned int cmd, unsigned long arg)
{
	struct line l = { .n = 0 };
	bool rec = recording();
	long ret;

	if (rec) {
		add(&l, "ioctl_arg 0x%x 0x%lx", cmd, arg);
		add_faults(&l, rec_host_of_container(c));
	}
	rec_depth++;
	ret = REAL(vfiosim_ioctl_arg)(c, cmd, arg);
	rec_depth--;
	return end_call(&l, rec, (int)ret);
}

int WRAP(vfiosim_pin_pages)(struct vfiosim_container *c, struct vfiosim_group *g, uint64_t iova,
			    int npage, int prot, uint64_t *pfns)
{
	struct line l = { .n = 0 };
	bool rec = group_call(&l, "pin", g);
	int ret;

	if (rec)
		add(&l, " iova=0x%" PRIx64 " npage=%d prot=%d", iova, npage, prot);
	rec_depth++;
	ret = REAL(vfiosim_pin_pages)(c, g, iova, npage, prot, pfns);
	rec_depth--;
	if (rec && ret > 0)
		add(&l, " pfns=%016" PRIx64, fnv(pfns, (size_t)ret * sizeof(*pfns)));
	return end_call(&l, rec, ret);
}

int WRAP(vfiosim_unpin_pages)(struct vfiosim_container *c, struct vfiosim_group *g,
			      uint64_t iova, int npage)
{
	struct line l = { .n = 0 };
	bool rec = group_call(&l, "unpin", g);
	int ret;

	if (rec)
		add(&l, " iova=0x%" PRIx64 " npage=%d", iova, npage);
	rec_depth++;
	ret = REAL(vfiosim_unpin_pages)(c, g, iova, npage);
	rec_depth--;
	return end_call(&l, rec, ret);
}

int WRAP(vfiosim_dma_rw)(struct vfiosim_container *c, uint64_t iova, void *data, size_t len,
			 bool write)
{
	struct line l = { .n = 0 };
	bool rec = recording();
	int ret;

	if (rec) {
		add(&l, "dma_rw iova=0x%" PRIx64 " len=0x%zx write=%d", iova, len, write);
		if (write && data)
			add(&l, " data=%016" PRIx64, fnv(data, len));
		add_faults(&l, rec_host_of_container(c));
	}
	rec_depth++;
	ret = REAL(vfiosim_dma_rw)(c, iova, data, len, write);
	rec_depth--;
	if (rec && !write && !ret && data)
		add(&l, " read=%016" PRIx64, fnv(data, len));
	return end_call(&l, rec, ret);
}

int WRAP(vfiosim_device_write)(struct vfiosim_group *g, uint64_t iova, size_t len)
{
	struct line l = { .n = 0 };
	bool rec = group_call(&l, "device_write", g);
	int ret;

	if (rec)
		add(&l, " iova=0x%" PRIx64 " len=0x%zx", iova, len);
	rec_depth++;
	ret = REAL(vfiosim_device_write)(g, iova, len);
	rec_depth--;
	return end_call(&l, rec, ret);
}

int WRAP(vfiosim_device_write_data)(struct vfiosim_group *g, uint64_t iova, const void *data,
				    size_t len)
{
	struct line l = { .n = 0 };
	bool rec = group_call(&l, "device_write_data", g);
	int ret;

	if (rec)
		add(&l, " iova=0x%" PRIx64 " len=0x%zx data=%016" PRIx64, iova, len,
		    fnv(data, len));
	rec_depth++;
	ret = REAL(vfiosim_device_write_data)(g, iova, data, len);
	rec_depth--;
	return end_call(&l, rec, ret);
}

/* Not calls of their own: what they arm shows on the calls that follow. */
void WRAP(vfiosim_fail_nth_alloc)(struct vfiosim_host *h, unsigned long n)
{
	struct rec_host *rh = rec_host(h);

	REAL(vfiosim_fail_nth_alloc)(h, n);
	if (rh)
		rh->alloc_at = n ? vfiosim_alloc_calls(h) + n : 0;
}

void WRAP(vfiosim_fail_nth_copy)(struct vfiosim_host *h, unsigned long n)
{
	struct rec_host *rh = rec_host(h);

	REAL(vfiosim_fail_nth_copy)(h, n);
	if (rh)
		rh->copy_at = n ? vfiosim_copy_calls(h) + n : 0;
}

/* ------------------------------------------------------------- the runs */

struct input {
	char path[4096];
	char source[512];		/* as from-fuzz names it run from the checkout */
	bool diff;
	unsigned char *data;
	size_t size;
	char *scenario;			/* what from-fuzz prints */
};

struct side {
	int status;			/* from waitpid */
	char *out;			/* the record, then what the child said */
	size_t len;
};

enum { SIDE_HARNESS, SIDE_SCENARIO };

/* Ends the record: the child's verdict, on a line of its own. */
static void verdict(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void verdict(const char *fmt, ...)
{
	struct line l = { .n = 0 };
	va_list ap;

	va_start(ap, fmt);
	l.n = (size_t)vsnprintf(l.s, sizeof(l.s), fmt, ap);
	va_end(ap);
	rec_depth = 0;
	emit(&l);
}

static void run_harness(const struct input *in)
{
	seq_run(in->data, in->size, in->diff ? SL_MODE_DIFF : 0,
		in->diff ? FROM_FUZZ_DIFF_KERNEL : 0);
	verdict("= passed");
}

static void run_scenario(const struct input *in)
{
	struct run_opts o = { .be = vfiosim_backend_find("model") };
	struct scenario *sc;
	struct run_result r;
	struct diag d = { 0 };
	char msg[512];

	if (scenario_parse(in->path, in->scenario, &sc, &d)) {
		diag_format(&d, msg, sizeof(msg));
		verdict("= does not parse: %s", msg);
		return;
	}
	if (scenario_run(sc, &o, &r))
		verdict("= failed at line %u (%s): %s", r.fail_line, r.fail_kind, r.fail_msg);
	else
		verdict("= passed");
	scenario_free(sc);
}

#define SIDE_SECONDS	20

static void run_side(const struct input *in, int which, struct side *s)
{
	size_t cap = 0;
	ssize_t n;
	int fd[2];
	pid_t pid;
	FILE *f;

	assert_int_equal(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		close(fd[0]);
		/*
		 * The harness reports a finding on stderr and aborts (no verdict
		 * line then); WARNs it accepts are printed there too.
		 */
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		rec_fd = fd[1];
		alarm(SIDE_SECONDS);
		if (which == SIDE_HARNESS)
			run_harness(in);
		else
			run_scenario(in);
		close(fd[1]);
		_exit(0);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	assert_non_null(f);
	/* The record has no NUL: all of it, to the end. */
	s->out = NULL;
	n = getdelim(&s->out, &cap, '\0', f);
	s->len = n > 0 ? (size_t)n : 0;
	if (n <= 0)
		s->out = realloc(s->out, 1);
	assert_non_null(s->out);
	s->out[s->len] = '\0';
	fclose(f);
	assert_int_equal(waitpid(pid, &s->status, 0), pid);
}

/* The harness's run ends with "= passed", or nothing (its finding aborted it). */
static bool side_passed(const struct side *s)
{
	return strstr(s->out, "\n= passed\n") || !strncmp(s->out, "= passed\n", 9);
}

static char *line_at(char *p, char **next)
{
	char *nl = strchr(p, '\n');

	if (nl) {
		*nl = '\0';
		*next = nl + 1;
	} else {
		*next = p + strlen(p);
	}
	return p;
}

/* NULL if the two records are the same call for call, else what differs. */
static char *compare_sides(struct side *h, struct side *sc, const struct input *in)
{
	char *a = h->out, *b = sc->out, *na, *nb, *msg;
	unsigned int n = 1;

	while (*a && *b) {
		char *la = line_at(a, &na), *lb = line_at(b, &nb);

		if (la[0] == '=' || lb[0] == '=')
			break;
		if (strcmp(la, lb)) {
			if (asprintf(&msg, "%s: call %u differs:\n  harness:  %s\n  scenario: %s\n"
				     "the scenario:\n%s", in->path, n, la, lb, in->scenario) < 0)
				msg = NULL;
			return msg ? msg : strdup("out of memory");
		}
		a = na;
		b = nb;
		n++;
	}
	/* One record ends (its verdict, or an abort) where the other goes on. */
	if ((*a && *a != '=') || (*b && *b != '=')) {
		if (asprintf(&msg, "%s: after %u calls, only the %s goes on: %.300s\nthe "
			     "scenario:\n%s", in->path, n - 1, *a && *a != '=' ? "harness" :
			     "scenario", *a && *a != '=' ? a : b, in->scenario) < 0)
			msg = NULL;
		return msg ? msg : strdup("out of memory");
	}
	return NULL;
}

static const char *data_dir(void)
{
	const char *d = getenv("VFIOSIM_FUZZ_DIR");

	return d && *d ? d : FUZZ_DATA_DIR;
}

static unsigned char *read_all(const char *path, size_t *len, size_t max)
{
	unsigned char *buf = malloc(max + 1);
	FILE *fp = fopen(path, "rb");

	if (!buf || !fp) {
		free(buf);
		if (fp)
			fclose(fp);
		return NULL;
	}
	*len = fread(buf, 1, max, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static char *print_scenario(struct input *in)
{
	struct from_fuzz_opts o = { .source = in->source, .diff = in->diff };
	char *text = NULL, why[200];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	assert_non_null(f);
	ret = from_fuzz_print(f, in->data, in->size, &o, why, sizeof(why));
	fclose(f);
	if (ret)
		fail_msg("%s: from-fuzz: %s", in->path, why);
	return text;
}

static bool is_vfs(const char *name)
{
	size_t l = strlen(name);

	return l > 4 && !strcmp(name + l - 4, ".vfs");
}

/* The fuzz inputs of dir/sub, or (scenarios) the scenarios, sorted: full paths. */
static char **list_files(const char *sub, bool scenarios, size_t *n)
{
	char dir[4096], **v = NULL;
	struct dirent *de;
	DIR *d;

	*n = 0;
	snprintf(dir, sizeof(dir), "%s/%s", data_dir(), sub);
	d = opendir(dir);
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || is_vfs(de->d_name) != scenarios)
			continue;
		v = realloc(v, (*n + 1) * sizeof(*v));
		assert_non_null(v);
		if (asprintf(&v[*n], "%s/%s", dir, de->d_name) < 0)
			fail();
		(*n)++;
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

/* Fails the test with msg (freed), if there is one. */
static void fail_if(char *msg)
{
	if (!msg)
		return;
	print_error("%s\n", msg);
	free(msg);
	fail();
}

/* What is wrong with the scenario stored next to a regression input, NULL if nothing. */
static char *stored_differs(const struct input *in)
{
	char vfs[4200], *msg = NULL;
	unsigned char *text;
	size_t len;

	snprintf(vfs, sizeof(vfs), "%s.vfs", in->path);
	text = read_all(vfs, &len, 1 << 20);
	if (!text || strcmp((char *)text, in->scenario))
		if (asprintf(&msg, "%s.vfs %s: write it with\n  build/vfiosim from-fuzz %s > %s.vfs",
			     in->source, text ? "is not what from-fuzz prints now" : "is missing",
			     in->source, in->source) < 0)
			msg = NULL;
	free(text);
	return msg;
}

/* The calls both sides made, their verdicts, in the child's words. */
static char *check_input(struct input *in, bool stored, size_t *calls, bool *failing)
{
	struct side h, sc;
	char *msg = stored ? stored_differs(in) : NULL;
	bool hp, sp;

	if (msg)
		return msg;
	run_side(in, SIDE_HARNESS, &h);
	run_side(in, SIDE_SCENARIO, &sc);
	hp = side_passed(&h);
	sp = side_passed(&sc);
	*failing = !hp;
	for (char *p = h.out; (p = strchr(p, '\n')); p++)
		(*calls)++;
	/* A side that made no call at all broke before its first one. */
	if (!h.len || !sc.len || h.out[0] == '=' || sc.out[0] == '=') {
		if (asprintf(&msg, "%s: no call recorded: the harness said \"%.200s\", the "
			     "scenario \"%.200s\"", in->path, h.out, sc.out) < 0)
			msg = NULL;
	} else if (hp != sp) {
		const char *why = strstr(sc.out, "\n= ");

		if (asprintf(&msg, "%s: the harness %s, the scenario %s\nthe scenario:\n%s",
			     in->path, hp ? "passes" : "finds something",
			     sp ? "passes" : why ? why + 1 : "fails", in->scenario) < 0)
			msg = NULL;
	} else {
		msg = compare_sides(&h, &sc, in);
	}
	free(h.out);
	free(sc.out);
	return msg;
}

/*
 * Every input of the directory: the same calls both ways, the same verdict
 * and, for stored (regressions), the scenario next to it up to date.
 */
static void check_dir(const char *sub, bool diff, bool stored)
{
	size_t n, i, calls = 0;
	char **paths = list_files(sub, false, &n), *msg = NULL;
	unsigned int failing = 0;

	for (i = 0; i < n; i++) {
		struct input in = { .diff = diff };
		bool f = false;

		snprintf(in.path, sizeof(in.path), "%s", paths[i]);
		snprintf(in.source, sizeof(in.source), "fuzz/%s/%s", sub, strrchr(paths[i], '/') + 1);
		in.data = read_all(in.path, &in.size, 1 << 20);
		assert_non_null(in.data);
		in.scenario = print_scenario(&in);
		if (!msg)
			msg = check_input(&in, stored, &calls, &f);
		failing += f;
		free(in.scenario);
		free(in.data);
		free(paths[i]);
	}
	free(paths);
	fail_if(msg);
	assert_int_not_equal(n, 0);
	print_message("%s: %zu input(s), %zu calls, the same both ways; %u fail both ways\n",
		      sub, n, calls, failing);
}

/*
 * Every seed scenario (fuzz/seeds/NAME.vfs) and the input make fuzz-corpus
 * encoded it into (fuzz/corpus/seq/NAME) make the same calls.
 */
static void seeds_and_their_inputs(void **state)
{
	char **seeds, *msg = NULL;
	size_t n, i, calls = 0;

	seeds = list_files("seeds", true, &n);
	assert_int_not_equal(n, 0);
	for (i = 0; i < n; i++) {
		const char *base = strrchr(seeds[i], '/') + 1;
		struct input in = { .diff = false };
		size_t len;
		bool f;

		snprintf(in.path, sizeof(in.path), "%s/corpus/seq/%.*s", data_dir(),
			 (int)strlen(base) - 4, base);
		snprintf(in.source, sizeof(in.source), "fuzz/seeds/%s", base);
		in.data = read_all(in.path, &in.size, 1 << 20);
		in.scenario = (char *)read_all(seeds[i], &len, 1 << 20);
		if (!msg && (!in.data || !in.scenario) &&
		    asprintf(&msg, "%s has no input %s: make fuzz-corpus", seeds[i], in.path) < 0)
			msg = NULL;
		if (!msg && in.data && in.scenario) {
			char *more;

			msg = check_input(&in, false, &calls, &f);
			if (msg && asprintf(&more, "%s\n(a seed changed without make "
					    "fuzz-corpus?)", msg) >= 0) {
				free(msg);
				msg = more;
			}
		}
		free(in.data);
		free(in.scenario);
		free(seeds[i]);
	}
	free(seeds);
	fail_if(msg);
	print_message("seeds: %zu scenario(s) and their inputs, %zu calls, the same both ways\n",
		      n, calls);
}

static void seq_regressions_and_their_scenarios(void **state)
{
	check_dir("regressions/seq", false, true);
}

static void diff_regressions_and_their_scenarios(void **state)
{
	check_dir("regressions/diff", true, true);
}

static void seq_corpus_and_scenarios(void **state)
{
	check_dir("corpus/seq", false, false);
}

static void diff_corpus_and_scenarios(void **state)
{
	check_dir("corpus/diff", true, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seq_regressions_and_their_scenarios),
		cmocka_unit_test(diff_regressions_and_their_scenarios),
		cmocka_unit_test(seq_corpus_and_scenarios),
		cmocka_unit_test(diff_corpus_and_scenarios),
		cmocka_unit_test(seeds_and_their_inputs),
	};

	return cmocka_run_group_tests_name("fuzz_scenarios", tests, NULL, NULL);
}
