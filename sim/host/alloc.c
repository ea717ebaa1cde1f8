// SPDX-License-Identifier: MIT
/*
 * alloc.c - the simulated kernel's allocator: counted, leak-checked and
 * able to fail on demand.
 *
 * Only memory the simulated kernel would allocate comes from here: IOMMU
 * domains and page-table runs, and whatever a backend allocates.  The
 * host's own bookkeeping (VMAs, pin counters, user regions, groups, the
 * write log) is the test's setup, not the kernel's, and uses plain malloc:
 * a failure sweep must only ever hit code paths the kernel can fail in.
 */
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

/* True when this call is the one armed to fail; the arming is spent. */
static bool alloc_should_fail(struct vfiosim_host *h)
{
	struct host_faults *f = &h->faults;

	f->alloc_calls++;
	if (f->fail_alloc_at && f->alloc_calls == f->fail_alloc_at) {
		f->fail_alloc_at = 0;
		return true;
	}
	return false;
}

/* kmalloc(0) gives a unique pointer rather than NULL; so do we. */
static size_t nonzero(size_t size)
{
	return size ? size : 1;
}

void *host_alloc(struct vfiosim_host *h, size_t size, bool zero)
{
	void *p;

	if (alloc_should_fail(h))
		return NULL;
	p = zero ? calloc(1, nonzero(size)) : malloc(nonzero(size));
	if (p)
		h->faults.live++;
	return p;
}

void *host_alloc_nofail(struct vfiosim_host *h, size_t size)
{
	void *p = calloc(1, nonzero(size));

	if (p)
		h->faults.live++;
	return p;
}

void *host_realloc(struct vfiosim_host *h, void *p, size_t size)
{
	void *q;

	if (!p)
		return host_alloc(h, size, false);
	if (alloc_should_fail(h))
		return NULL;
	q = realloc(p, nonzero(size));
	/* On failure realloc() leaves p alone, and so does the caller. */
	return q;
}

void host_free(struct vfiosim_host *h, void *p)
{
	if (!p)
		return;
	if (!h->faults.live)
		HOST_WARN(h, "host_free() of %p with no live allocation", p);
	else
		h->faults.live--;
	free(p);
}

void vfiosim_fail_nth_alloc(struct vfiosim_host *h, unsigned long n)
{
	h->faults.fail_alloc_at = n ? h->faults.alloc_calls + n : 0;
}

unsigned long vfiosim_alloc_calls(const struct vfiosim_host *h)
{
	return h->faults.alloc_calls;
}

unsigned long vfiosim_live_allocs(const struct vfiosim_host *h)
{
	return h->faults.live;
}
