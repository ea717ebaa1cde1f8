// SPDX-License-Identifier: MIT
/*
 * fixture.c - configurations, setup/teardown and ioctl helpers shared by
 * the contract-level tests (see fixture.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "vfiosim_oracle.h"

#define PGS_4K_2M_1G	(SZ_4K | SZ_2M | SZ_1G)
#define PGS_64K_512M	(SZ_64K | SZ_512M)

const struct fx_config fx_v2_4k = FX_CONFIG("v2, IOMMU 4K", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K));

const struct fx_config fx_v2_2m =
	FX_CONFIG("v2, IOMMU 4K|2M|1G", VFIO_TYPE1v2_IOMMU, FX_IOMMU(PGS_4K_2M_1G));

const struct fx_config fx_v2_64k = {
	FX_CONFIG_OF("v2, 64K CPU pages, IOMMU 64K|512M", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(PGS_64K_512M)),
	.host = { .page_size = SZ_64K },
};

const struct fx_config fx_v1_4k = FX_CONFIG("v1, IOMMU 4K", VFIO_TYPE1_IOMMU, FX_IOMMU(SZ_4K));

const struct fx_config fx_v1_2m =
	FX_CONFIG("v1, IOMMU 4K|2M|1G (default)", VFIO_TYPE1_IOMMU, FX_IOMMU(0));

const struct fx_config fx_v1_64k = {
	FX_CONFIG_OF("v1, 64K CPU pages, IOMMU 64K|512M", VFIO_TYPE1_IOMMU, FX_IOMMU(PGS_64K_512M)),
	.host = { .page_size = SZ_64K },
};

const struct fx_config fx_v2_emul =
	FX_CONFIG("v2, emulated group only", VFIO_TYPE1v2_IOMMU, FX_EMULATED);

const struct fx_config fx_set_v2_2m = {
	FX_CONFIG_OF("bare container + SET_IOMMU(v2), IOMMU 4K|2M|1G", 0, FX_IOMMU(PGS_4K_2M_1G)),
	.set_iommu = VFIO_TYPE1v2_IOMMU,
};

const struct fx_config fx_set_v1_4k = {
	FX_CONFIG_OF("bare container + SET_IOMMU(v1), IOMMU 4K", 0, FX_IOMMU(SZ_4K)),
	.set_iommu = VFIO_TYPE1_IOMMU,
};

const struct fx_config fx_bare = {
	FX_CONFIG_OF("bare container, IOMMU + emulated group, none attached", 0,
		     FX_IOMMU(PGS_4K_2M_1G), FX_EMULATED),
	.no_attach = true,
};

/* ------------------------------------------------------------ checks */

const char *fx_errname(long ret)
{
	const char *name = ret < 0 && ret > -4096 ? vfiosim_errno_name((int)-ret) : NULL;

	if (ret >= 0)
		return ret ? "positive" : "success";
	return name ? name : "unknown errno";
}

void fx_check_ret(long got, long want, const char *expr, const char *file, int line)
{
	if (got == want)
		return;
	print_error("%s:%d: %s\n    returned %ld (%s), expected %ld (%s)\n", file, line,
		    expr, got, fx_errname(got), want, fx_errname(want));
	_fail(file, line);
}

void fx_check_u64(uint64_t got, uint64_t want, const char *a, const char *b,
		  const char *file, int line)
{
	if (got == want)
		return;
	print_error("%s:%d: %s == %s\n    got 0x%" PRIx64 " (%" PRIu64 "), expected 0x%" PRIx64
		    " (%" PRIu64 ")\n", file, line, a, b, got, got, want, want);
	_fail(file, line);
}

void fx_check_container(struct vfiosim_container *c, const char *file, int line)
{
	char why[256] = "";
	int ret = vfiosim_container_check(c, why, sizeof(why));

	if (!ret)
		return;
	print_error("%s:%d: vfiosim_container_check: %d (%s): %s\n", file, line, ret,
		    fx_errname(ret), why);
	_fail(file, line);
}

/* ------------------------------------------------------------ warnings */

void fx_show_warnings(const struct vfiosim_host *h)
{
	unsigned int n = vfiosim_warnings(h);
	unsigned int i = n > VFIOSIM_WARNINGS_KEPT ? n - VFIOSIM_WARNINGS_KEPT + 1 : 1;

	for (; i <= n; i++)
		print_error("    warning %u: %s\n", i, vfiosim_warning(h, i));
}

void fx_expect_warnings(struct fx *fx, unsigned int n)
{
	fx->expect_warnings = n;
	vfiosim_expect_warnings(fx->h, true);
}

/* ------------------------------------------------------ setup/teardown */

static bool is_v2_type(int type)
{
	return type == VFIO_TYPE1v2_IOMMU || type == VFIO_TYPE1_NESTING_IOMMU;
}

/*
 * The iova_pgsizes the kernel reports for the configuration: the AND of
 * every domain's page sizes, sizes below the CPU page folded into it.  A
 * group that joins an existing domain (same IOMMU driver, same coherency)
 * contributes nothing of its own.
 */
static uint64_t expected_pgsizes(const struct fx_config *cfg, uint64_t page_size)
{
	uint64_t bits = ~0ULL;
	unsigned int i, j;

	for (i = 0; !cfg->no_attach && i < cfg->nr_groups; i++) {
		const struct vfiosim_group_config *g = &cfg->group[i];
		bool joins = false;

		if (g->kind != VFIOSIM_GROUP_IOMMU)
			continue;
		for (j = 0; j < i; j++) {
			const struct vfiosim_group_config *o = &cfg->group[j];

			if (o->kind == VFIOSIM_GROUP_IOMMU && g->iommu_id &&
			    o->iommu_id == g->iommu_id &&
			    o->no_cache_coherency == g->no_cache_coherency)
				joins = true;
		}
		if (!joins)
			bits &= g->pgsize_bitmap ? g->pgsize_bitmap : PGS_4K_2M_1G;
	}
	if (bits & (page_size - 1))
		bits = (bits & ~(page_size - 1)) | page_size;
	return bits;
}

static int fx_release(struct fx *fx)
{
	char why[256];
	int bad = 0;
	unsigned int i;

	if (fx->h) {
		/* a test that failed half-way may have left an injection armed */
		vfiosim_fail_nth_alloc(fx->h, 0);
		vfiosim_fail_nth_copy(fx->h, 0);
		if (fx->c && vfiosim_container_check(fx->c, why, sizeof(why))) {
			print_error("teardown: container check: %s\n", why);
			bad = 1;
		}
		for (i = 0; i < fx->nr_extra; i++) {
			if (fx->extra[i] &&
			    vfiosim_container_check(fx->extra[i], why, sizeof(why))) {
				print_error("teardown: extra container check: %s\n", why);
				bad = 1;
			}
		}
		if (fx->c)
			vfiosim_container_free(fx->c);
		for (i = 0; i < fx->nr_extra; i++)
			if (fx->extra[i])
				vfiosim_container_free(fx->extra[i]);
		for (i = 0; i < fx->nr_groups; i++)
			if (fx->g[i])
				vfiosim_group_free(fx->g[i]);
		if (vfiosim_warnings(fx->h) != fx->expect_warnings) {
			print_error("teardown: %u warning(s), %u expected\n",
				    vfiosim_warnings(fx->h), fx->expect_warnings);
			fx_show_warnings(fx->h);
			bad = 1;
		}
		if (vfiosim_mm_locked_vm(fx->h) || vfiosim_mm_pinned_total(fx->h)) {
			print_error("teardown: locked_vm %" PRIu64 ", pinned %" PRIu64
				    " with every container gone\n",
				    vfiosim_mm_locked_vm(fx->h), vfiosim_mm_pinned_total(fx->h));
			bad = 1;
		}
		/* what the simulated kernel allocated must all be back */
		if (vfiosim_live_allocs(fx->h)) {
			print_error("teardown: %lu simulator allocation(s) leaked\n",
				    vfiosim_live_allocs(fx->h));
			bad = 1;
		}
		for (i = 0; i < fx->nr_user; i++)
			if (fx->user[i])
				vfiosim_user_del(fx->h, fx->user[i]);
		for (i = 0; i < fx->nr_mm; i++) {
			int ret = vfiosim_mm_unmap(fx->h, fx->mm[i].vaddr, fx->mm[i].len);

			if (ret) {
				print_error("teardown: mm_unmap(0x%" PRIx64 "): %s\n",
					    fx->mm[i].vaddr, fx_errname(ret));
				bad = 1;
			}
		}
		vfiosim_host_free(fx->h);
	}
	while (fx->nr_bufs)
		free(fx->bufs[--fx->nr_bufs]);
	free(fx->bufs);
	free(fx);
	return bad ? -1 : 0;
}

unsigned int fx_parse_kernel(const char *s)
{
	unsigned int major, minor;
	int end = 0;

	if (!s || sscanf(s, "%u.%u%n", &major, &minor, &end) != 2 || s[end] || major > 255 ||
	    minor > 255)
		return 0;
	return VFIOSIM_KERNEL(major, minor);
}

/* The host's kernel from VFIOSIM_KERNEL: 0 if unset or empty, -1 if bad. */
static int fx_env_kernel(unsigned int *kernel)
{
	const char *s = getenv("VFIOSIM_KERNEL");

	*kernel = 0;
	if (!s || !*s)
		return 0;
	*kernel = fx_parse_kernel(s);
	if (*kernel >= VFIOSIM_KERNEL_OLDEST && *kernel <= VFIOSIM_KERNEL_NEWEST)
		return 0;
	print_error("VFIOSIM_KERNEL=%s: not a version from %u.%u to %u.%u\n", s,
		    VFIOSIM_KERNEL_MAJOR(VFIOSIM_KERNEL_OLDEST),
		    VFIOSIM_KERNEL_MINOR(VFIOSIM_KERNEL_OLDEST),
		    VFIOSIM_KERNEL_MAJOR(VFIOSIM_KERNEL_NEWEST),
		    VFIOSIM_KERNEL_MINOR(VFIOSIM_KERNEL_NEWEST));
	return -1;
}

bool fx_since(const struct fx *fx, unsigned int release)
{
	return fx->kernel >= release;
}

int fx_wrap_errno(const struct fx *fx)
{
	return fx_since(fx, FX_K_EOVERFLOW) ? EOVERFLOW : EINVAL;
}

int fx_setup(void **state)
{
	const struct fx_config *cfg = *state;
	struct vfiosim_host_config hc;
	struct fx *fx;
	unsigned int i;
	long ret;

	if (!cfg) {
		print_error("fx_setup: no configuration in the state pointer\n");
		return -1;
	}
	hc = cfg->host;
	if (!hc.kernel && fx_env_kernel(&hc.kernel))
		return -1;
	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	fx->cfg = cfg;
	fx->h = vfiosim_host_new(&hc);
	if (!fx->h) {
		print_error("fx_setup(%s): vfiosim_host_new failed\n", cfg->name);
		goto fail;
	}
	fx->page_size = vfiosim_page_size(fx->h);
	fx->v2 = is_v2_type(cfg->type) || (!cfg->type && is_v2_type(cfg->set_iommu));
	fx->pgsizes = expected_pgsizes(cfg, fx->page_size);
	fx->pgsize = fx->pgsizes & -fx->pgsizes;
	fx->dma_limit = cfg->host.dma_entry_limit ? cfg->host.dma_entry_limit : FX_DMA_LIMIT;
	fx->guest = FX_GUEST_BASE;
	fx->guest_size = cfg->guest_size ? cfg->guest_size : FX_GUEST_SIZE;

	ret = vfiosim_mm_map(fx->h, fx->guest, fx->guest_size,
			     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
	if (ret) {
		print_error("fx_setup(%s): guest RAM: %s\n", cfg->name, fx_errname(ret));
		goto fail;
	}
	fx->mm[fx->nr_mm].vaddr = fx->guest;
	fx->mm[fx->nr_mm++].len = fx->guest_size;

	for (i = 0; i < cfg->nr_groups; i++) {
		fx->g[i] = vfiosim_group_new(fx->h, &cfg->group[i]);
		if (!fx->g[i]) {
			print_error("fx_setup(%s): group %u: errno %d\n", cfg->name, i, errno);
			goto fail;
		}
		fx->nr_groups++;
	}

	fx->c = vfiosim_container_new(fx->h, cfg->type);
	if (!fx->c) {
		print_error("fx_setup(%s): container: errno %d\n", cfg->name, errno);
		goto fail;
	}
	fx->kernel = vfiosim_container_kernel(fx->c);
	for (i = 0; !cfg->no_attach && i < cfg->nr_groups; i++) {
		ret = vfiosim_container_attach(fx->c, fx->g[i]);
		if (ret) {
			print_error("fx_setup(%s): attach group %u: %s\n", cfg->name, i,
				    fx_errname(ret));
			goto fail;
		}
	}
	if (!cfg->type && cfg->set_iommu) {
		ret = vfiosim_ioctl_arg(fx->c, VFIO_SET_IOMMU, (unsigned long)cfg->set_iommu);
		if (ret) {
			print_error("fx_setup(%s): SET_IOMMU: %s\n", cfg->name, fx_errname(ret));
			goto fail;
		}
	}
	*state = fx;
	return 0;

fail:
	fx_release(fx);
	return -1;
}

int fx_teardown(void **state)
{
	return fx_release(*state);
}

struct vfiosim_oracle *fx_setup_oracle(void **state)
{
	struct vfiosim_oracle *o;

	if (fx_setup(state))
		return NULL;
	o = vfiosim_oracle_new(((struct fx *)*state)->c);
	if (!o) {
		print_error("vfiosim_oracle_new: errno %d\n", errno);
		fx_teardown(state);
	}
	return o;
}

/* ------------------------------------------------------ host helpers */

void fx_mm_map(struct fx *fx, uint64_t vaddr, uint64_t len, int prot, unsigned int flags)
{
	int ret;

	assert_true(fx->nr_mm < FX_MAX_MM);
	ret = vfiosim_mm_map_flags(fx->h, vaddr, len, prot, flags);
	expect_ok(ret);
	fx->mm[fx->nr_mm].vaddr = vaddr;
	fx->mm[fx->nr_mm++].len = len;
}

void fx_user_add(struct fx *fx, const void *ptr, size_t len, int prot)
{
	assert_true(fx->nr_user < FX_MAX_USER);
	expect_ok(vfiosim_user_add(fx->h, ptr, len, prot));
	fx->user[fx->nr_user++] = ptr;
}

void fx_user_del(struct fx *fx, const void *ptr)
{
	unsigned int i;

	for (i = 0; i < fx->nr_user; i++) {
		if (fx->user[i] == ptr) {
			fx->user[i] = NULL;
			expect_ok(vfiosim_user_del(fx->h, ptr));
			return;
		}
	}
	fail_msg("fx_user_del: %p was not registered", ptr);
}

void *fx_alloc(struct fx *fx, size_t len)
{
	void *p;

	if (fx->nr_bufs == fx->cap_bufs) {
		size_t cap = fx->cap_bufs ? 2 * fx->cap_bufs : 64;
		void **bufs = realloc(fx->bufs, cap * sizeof(*bufs));

		assert_non_null(bufs);
		fx->bufs = bufs;
		fx->cap_bufs = cap;
	}
	p = calloc(1, len ? len : 1);
	assert_non_null(p);
	fx->bufs[fx->nr_bufs++] = p;
	return p;
}

struct vfiosim_container *fx_container(struct fx *fx, int type)
{
	struct vfiosim_container *c;

	assert_true(fx->nr_extra < FX_MAX_CONT);
	c = vfiosim_container_new(fx->h, type);
	if (c)
		fx->extra[fx->nr_extra++] = c;
	return c;
}

struct vfiosim_group *fx_group(struct fx *fx, const struct vfiosim_group_config *cfg)
{
	struct vfiosim_group *g;

	assert_true(fx->nr_groups < FX_MAX_GROUPS);
	g = vfiosim_group_new(fx->h, cfg);
	assert_non_null(g);
	fx->g[fx->nr_groups++] = g;
	return g;
}

uint64_t fx_locked(const struct fx *fx)
{
	return vfiosim_mm_locked_vm(fx->h);
}

uint64_t fx_pinned(const struct fx *fx)
{
	return vfiosim_mm_pinned_total(fx->h);
}

uint64_t fx_pages(const struct fx *fx, uint64_t size)
{
	return size / fx->page_size;
}

/* ---------------------------------------------------- ioctl helpers */

long fx_map_in(struct vfiosim_container *c, uint64_t vaddr, uint64_t iova, uint64_t size,
	       uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map;

	vfiosim_map_arg(&map, flags, vaddr, iova, size);
	return vfiosim_ioctl(c, VFIO_IOMMU_MAP_DMA, &map);
}

long fx_map(struct fx *fx, uint64_t vaddr, uint64_t iova, uint64_t size, uint32_t flags)
{
	return fx_map_in(fx->c, vaddr, iova, size, flags);
}

long fx_unmap_in(struct vfiosim_container *c, uint64_t iova, uint64_t size, uint32_t flags,
		 uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap;
	long ret;

	vfiosim_unmap_arg(&unmap, flags, iova, size);
	ret = vfiosim_ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap);

	if (unmapped)
		*unmapped = unmap.size;
	return ret;
}

long fx_unmap(struct fx *fx, uint64_t iova, uint64_t size, uint32_t flags, uint64_t *unmapped)
{
	return fx_unmap_in(fx->c, iova, size, flags, unmapped);
}

long fx_ext(struct vfiosim_container *c, unsigned long ext)
{
	return vfiosim_ioctl_arg(c, VFIO_CHECK_EXTENSION, ext);
}

long fx_unmap_everything(struct fx *fx, struct vfiosim_container *c, uint64_t *unmapped)
{
	if (fx_since(fx, FX_K_UPDATE_VADDR))
		return fx_unmap_in(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, unmapped);
	return fx_unmap_in(c, 0, 0 - fx->pgsize, 0, unmapped);
}

bool fx_update_vaddr(struct fx *fx)
{
	uint64_t P = fx->pgsize;

	if (fx_since(fx, FX_K_UPDATE_VADDR))
		return true;
	expect_err(fx_map(fx, fx->guest, FX_IOVA, P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(fx_unmap(fx, FX_IOVA, P, VFIO_DMA_UNMAP_FLAG_VADDR, NULL), EINVAL);
	expect_err(fx_unmap(fx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL), EINVAL);
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
	expect_ret(fx_ext(fx->c, VFIO_UNMAP_ALL), 0);
	return false;
}

void fx_map_vaddr_invalid(struct fx *fx, uint64_t iova, uint64_t size)
{
	expect_ok(fx_map(fx, fx->guest, iova, size, FX_RW));
	expect_ok(fx_unmap(fx, iova, size, VFIO_DMA_UNMAP_FLAG_VADDR, NULL));
}

bool fx_mapped(struct fx *fx, uint64_t iova, uint64_t vaddr)
{
	long ret = fx_map(fx, vaddr, iova, fx->pgsize, FX_RW);

	if (ret == -EEXIST)
		return true;
	expect_ok(ret);
	expect_ok(fx_unmap(fx, iova, fx->pgsize, 0, NULL));
	return false;
}

long fx_dirty(struct vfiosim_container *c, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap d;

	vfiosim_dirty_arg(&d, flags);
	return vfiosim_ioctl(c, VFIO_IOMMU_DIRTY_PAGES, &d);
}

int fx_cap_walk(const void *buf, uint32_t argsz, const struct vfio_info_cap_header **caps,
		int max)
{
	const struct vfio_info_cap_header *hdr;
	struct vfiosim_caps w;
	int n = 0;

	vfiosim_caps_start(&w, buf, argsz);
	while ((hdr = vfiosim_caps_next(&w))) {
		if (n < max)
			caps[n] = hdr;
		n++;
	}
	if (w.why[0]) {
		print_error("cap chain: %s\n", w.why);
		return -1;
	}
	return n;
}

const void *fx_find_cap(const struct vfio_iommu_type1_info *info, uint16_t id)
{
	const struct vfio_info_cap_header *caps[16];
	int i, n = fx_cap_walk(info, info->argsz, caps, 16);

	for (i = 0; i < n && i < 16; i++)
		if (caps[i]->id == id)
			return caps[i];
	return NULL;
}

#define INFO_CANARY	64

struct vfio_iommu_type1_info *fx_get_info_at(struct fx *fx, struct vfiosim_container *c,
					     const char *file, int line)
{
	struct vfio_iommu_type1_info probe = {
		.argsz = sizeof(probe),
		.cap_offset = 0xdeadbeef,
	};
	struct vfio_iommu_type1_info *info;
	unsigned char *tail;
	uint32_t need;
	long ret;
	int i;

	ret = vfiosim_ioctl(c, VFIO_IOMMU_GET_INFO, &probe);
	fx_check_ret(ret, 0, "GET_INFO(argsz = sizeof(info))", file, line);
	if (!(probe.flags & VFIO_IOMMU_INFO_PGSIZES) || probe.argsz < sizeof(probe) ||
	    probe.cap_offset != 0 ||
	    !!(probe.flags & VFIO_IOMMU_INFO_CAPS) != (probe.argsz > sizeof(probe))) {
		print_error("%s:%d: GET_INFO probe: argsz %u flags 0x%x cap_offset %u\n",
			    file, line, probe.argsz, probe.flags, probe.cap_offset);
		_fail(file, line);
	}
	need = probe.argsz;
	info = fx_alloc(fx, (size_t)need + INFO_CANARY);
	memset(info, 0, need);
	tail = (unsigned char *)info + need;
	memset(tail, 0xa5, INFO_CANARY);
	info->argsz = need;
	ret = vfiosim_ioctl(c, VFIO_IOMMU_GET_INFO, info);
	fx_check_ret(ret, 0, "GET_INFO(full argsz)", file, line);
	if (info->argsz != need || info->flags != probe.flags ||
	    info->iova_pgsizes != probe.iova_pgsizes ||
	    info->cap_offset != ((info->flags & VFIO_IOMMU_INFO_CAPS) ? sizeof(*info) : 0)) {
		print_error("%s:%d: GET_INFO full: argsz %u (want %u) flags 0x%x (want 0x%x) "
			    "pgsizes 0x%llx (want 0x%llx) cap_offset %u\n", file, line,
			    info->argsz, need, info->flags, probe.flags,
			    (unsigned long long)info->iova_pgsizes,
			    (unsigned long long)probe.iova_pgsizes, info->cap_offset);
		_fail(file, line);
	}
	for (i = 0; i < INFO_CANARY; i++) {
		if (tail[i] != 0xa5) {
			print_error("%s:%d: GET_INFO wrote past argsz (byte %u)\n", file, line,
				    need + i);
			_fail(file, line);
		}
	}
	if (fx_cap_walk(info, need, NULL, 0) < 0) {
		print_error("%s:%d: GET_INFO: bad capability chain\n", file, line);
		_fail(file, line);
	}
	return info;
}

uint32_t fx_dma_avail(struct fx *fx, struct vfiosim_container *c)
{
	const struct vfio_iommu_type1_info *info = fx_get_info_in(fx, c);
	const struct vfio_iommu_type1_info_dma_avail *cap =
		fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);

	assert_non_null(cap);
	return cap->avail;
}

void fx_snap_take(struct fx *fx, struct vfiosim_container *c, struct fx_snap *s)
{
	s->info = fx_get_info_in(fx, c);
	s->pinned = fx_pinned(fx);
	s->locked = fx_locked(fx);
	s->live = vfiosim_live_allocs(fx->h);
	s->log = vfiosim_log_count(fx->h);
}

void fx_snap_check_at(struct fx *fx, struct vfiosim_container *c, const struct fx_snap *s,
		      const char *file, int line)
{
	struct vfio_iommu_type1_info *now = fx_get_info_at(fx, c, file, line);

	if (now->argsz != s->info->argsz || memcmp(now, s->info, now->argsz)) {
		print_error("%s:%d: GET_INFO reply changed (argsz %u -> %u, pgsizes 0x%llx -> "
			    "0x%llx)\n", file, line, s->info->argsz, now->argsz,
			    (unsigned long long)s->info->iova_pgsizes,
			    (unsigned long long)now->iova_pgsizes);
		_fail(file, line);
	}
	fx_check_u64(fx_pinned(fx), s->pinned, "pinned pages", "before", file, line);
	fx_check_u64(fx_locked(fx), s->locked, "locked_vm", "before", file, line);
	fx_check_u64(vfiosim_live_allocs(fx->h), s->live, "live allocations", "before",
		     file, line);
	fx_check_u64(vfiosim_log_count(fx->h), s->log, "log entries", "before", file, line);
	fx_check_container(c, file, line);
}
