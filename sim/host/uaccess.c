// SPDX-License-Identifier: MIT
/*
 * uaccess.c - copy_from_user() and copy_to_user() for the simulated
 * process.
 *
 * A user address means guest memory if a guest range covers it, and the
 * calling program's own memory otherwise.  Program memory is only ever
 * dereferenced when the rules allow it: above the null guard, inside a
 * registered region that permits the access or, in permissive mode,
 * outside every region.  A bad pointer therefore ends as a short copy
 * (-EFAULT to the caller), never as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"

/* x86-64's __access_ok() for a size not known at compile time. */
bool host_access_ok(const struct vfiosim_host *h, uint64_t uaddr, uint64_t size)
{
	uint64_t end = uaddr + size;

	return end >= uaddr && end <= HOST_TASK_SIZE_MAX;
}

/* Registered regions are found by an address they hold. */
static int uregion_cmp(const void *key, const struct rb_node *n)
{
	uint64_t addr = *(const uint64_t *)key;
	const struct host_uregion *r = rb_entry(n, struct host_uregion, node);

	return addr < r->start ? -1 : addr >= r->end;
}

static int uregion_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct host_uregion, node)->start <
	       rb_entry(b, struct host_uregion, node)->start;
}

/* The region containing addr or, failing that, the first one above it. */
static struct host_uregion *uregion_from(const struct vfiosim_host *h, uint64_t addr)
{
	return rb_entry_safe(rb_find_ceil(&addr, &h->uregions, uregion_cmp), struct host_uregion,
			     node);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * How many bytes from addr on (at most rem) one memmove may cover, and
 * where they live; 0 if the byte at addr may not be accessed with every
 * right in need.
 */
static uint64_t user_span(const struct vfiosim_host *h, uint64_t addr, uint64_t rem,
			  int need, unsigned char **where, bool *guest)
{
	struct host_vma *v = host_mm_vma_from(h, addr);
	struct host_uregion *r;
	uint64_t limit;

	*guest = v && v->start <= addr;
	if (*guest) {
		if ((v->prot & need) != need)
			return 0;
		*where = v->backing + (addr - v->start);
		return min_u64(rem, v->end - addr);
	}
	if (addr < HOST_NULL_GUARD)
		return 0;
	/* Program memory, up to where guest memory takes over the addresses. */
	limit = v ? v->start : UINT64_MAX;
	r = uregion_from(h, addr);
	if (r && r->start <= addr) {
		if ((r->prot & need) != need)
			return 0;
		limit = min_u64(limit, r->end);
	} else {
		if (h->cfg.strict_uaccess)
			return 0;
		if (r)
			limit = min_u64(limit, r->start);
	}
	*where = (unsigned char *)(uintptr_t)addr;
	return min_u64(rem, limit - addr);
}

static bool copy_should_fail(struct vfiosim_host *h, bool counted)
{
	struct host_faults *f = &h->faults;

	if (!counted)
		return false;
	f->copy_calls++;
	if (f->fail_copy_at && f->copy_calls == f->fail_copy_at) {
		f->fail_copy_at = 0;
		return true;
	}
	return false;
}

static bool uwatch_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return false;
		n *= 2;
	}
	q = realloc(*p, n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

/* The span at uaddr, about to be overwritten from `where` on: journal what it holds. */
static void uwatch_note(struct vfiosim_host *h, uint64_t uaddr, const unsigned char *where,
			uint64_t span)
{
	uint64_t end = uaddr + span;
	struct host_uwatch *w;

	for (w = h->uwatches; w; w = w->next) {
		uint64_t lo = uaddr > w->lo ? uaddr : w->lo, hi = end < w->hi ? end : w->hi;
		struct host_uwrite *e;

		if (lo >= hi || w->lost)
			continue;
		if (hi - lo > SIZE_MAX - w->old_len ||
		    !uwatch_grow((void **)&w->w, &w->cap, w->n + 1, sizeof(*w->w)) ||
		    !uwatch_grow((void **)&w->old, &w->old_cap, w->old_len + (hi - lo), 1)) {
			w->lost = true;
			continue;
		}
		e = &w->w[w->n++];
		e->uaddr = lo;
		e->len = hi - lo;
		e->old = w->old_len;
		memcpy(w->old + w->old_len, where + (lo - uaddr), hi - lo);
		w->old_len += hi - lo;
	}
}

void host_uwatch_start(struct vfiosim_host *h, struct host_uwatch *w, uint64_t lo,
		       uint64_t hi)
{
	host_uwatch_stop(w);
	w->lo = lo;
	w->hi = hi;
	w->n = 0;
	w->old_len = 0;
	w->lost = false;
	w->host = h;
	w->next = h->uwatches;
	h->uwatches = w;
}

void host_uwatch_stop(struct host_uwatch *w)
{
	struct host_uwatch **p;

	if (!w->host)
		return;
	for (p = &w->host->uwatches; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	w->host = NULL;
	w->next = NULL;
}

void host_uwatch_release(struct host_uwatch *w)
{
	host_uwatch_stop(w);
	free(w->w);
	free(w->old);
	memset(w, 0, sizeof(*w));
}

/* Copies the accessible prefix; returns the bytes left uncopied. */
static unsigned long user_copy(struct vfiosim_host *h, unsigned char *kbuf, uint64_t uaddr,
			       unsigned long n, bool to_user, bool counted)
{
	int need = to_user ? VFIOSIM_PROT_WRITE : VFIOSIM_PROT_READ;
	unsigned long done = 0;

	if (copy_should_fail(h, counted) || !host_access_ok(h, uaddr, n))
		return n;
	while (done < n) {
		unsigned char *where;
		bool guest;
		uint64_t span = user_span(h, uaddr + done, n - done, need, &where, &guest);

		if (!span)
			break;
		/* What reached guest memory is ground truth for dma_rw. */
		if (to_user && guest)
			h->guest_bytes_written += span;
		/* Program memory may alias the kernel-side buffer. */
		if (to_user && h->uwatches)
			uwatch_note(h, uaddr + done, where, span);
		if (to_user)
			memmove(where, kbuf + done, span);
		else
			memmove(kbuf + done, where, span);
		done += span;
	}
	return n - done;
}

void *host_user_window(struct vfiosim_host *h, uint64_t uaddr, unsigned long n, int *err)
{
	unsigned char *wr;
	bool guest;

	*err = 0;
	/* Where the bytes live does not depend on the rights asked: one look for both. */
	if (!n || !host_access_ok(h, uaddr, n) ||
	    user_span(h, uaddr, n, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, &wr, &guest) != n)
		return NULL;
	if (copy_should_fail(h, true)) {
		*err = -EFAULT;
		return NULL;
	}
	if (guest)
		h->guest_bytes_written += n;
	if (h->uwatches)
		uwatch_note(h, uaddr, wr, n);
	return wr;
}

/* As copy_from_user(), what could not be read is left zeroed. */
static unsigned long user_read(struct vfiosim_host *h, void *dst, uint64_t uaddr,
			       unsigned long n, bool counted)
{
	unsigned long left = user_copy(h, dst, uaddr, n, false, counted);

	if (left)
		memset((unsigned char *)dst + (n - left), 0, left);
	return left;
}

unsigned long host_copy_from_user(struct vfiosim_host *h, void *dst, uint64_t uaddr,
				  unsigned long n)
{
	return user_read(h, dst, uaddr, n, true);
}

/* An observer's read: it must not shift the fault-injection count. */
unsigned long host_peek_user(struct vfiosim_host *h, void *dst, uint64_t uaddr,
			     unsigned long n)
{
	return user_read(h, dst, uaddr, n, false);
}

unsigned long host_copy_to_user(struct vfiosim_host *h, uint64_t uaddr, const void *src,
				unsigned long n)
{
	/* user_copy() only reads kbuf when copying to the user. */
	return user_copy(h, (unsigned char *)(uintptr_t)src, uaddr, n, true, true);
}

void vfiosim_fail_nth_copy(struct vfiosim_host *h, unsigned long n)
{
	h->faults.fail_copy_at = n ? h->faults.copy_calls + n : 0;
}

unsigned long vfiosim_copy_calls(const struct vfiosim_host *h)
{
	return h->faults.copy_calls;
}

int vfiosim_user_add(struct vfiosim_host *h, const void *ptr, size_t len, int prot)
{
	uint64_t start = (uintptr_t)ptr, end = start + len;
	struct host_uregion *r;

	if (!len || end < start || (prot & ~(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)))
		return -EINVAL;
	r = uregion_from(h, start);
	if (r && r->start < end)
		return -EEXIST;
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->start = start;
	r->end = end;
	r->prot = prot;
	rb_add(&r->node, &h->uregions, uregion_less);
	return 0;
}

int vfiosim_user_del(struct vfiosim_host *h, const void *ptr)
{
	struct host_uregion *r = uregion_from(h, (uintptr_t)ptr);

	if (!r || r->start != (uintptr_t)ptr)
		return -ENOENT;
	rb_erase(&r->node, &h->uregions);
	free(r);
	return 0;
}

void host_uregions_release(struct vfiosim_host *h)
{
	struct rb_node *n;

	/* A watcher that outlives the host finds its watch off. */
	while (h->uwatches)
		host_uwatch_stop(h->uwatches);
	while ((n = rb_first(&h->uregions))) {
		rb_erase(n, &h->uregions);
		free(rb_entry(n, struct host_uregion, node));
	}
}
