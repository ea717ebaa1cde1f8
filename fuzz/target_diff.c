// SPDX-License-Identifier: MIT
/*
 * target_diff.c - fuzz target 3: the same operation sequence (seq_lang.h) on
 * the model and on Linux 6.12's vfio_iommu_type1.c (the kernel backend,
 * linked under the name vfiosim_backend_kernel), in two hosts set up
 * alike.  After each operation both worlds pass their own checks (the
 * seq target's), then everything the caller can observe must agree:
 * return values, bitmaps, unmapped sizes, GET_INFO replies, pinned pfns,
 * data read by dma_rw, locked_vm, pin counts, the write log and WARNs.
 *
 * The documented divergences (docs/divergences.md) are kept out by the
 * decoder in SL_MODE_DIFF rather than tolerated in the comparison, so
 * every difference that remains is a finding: docs/fuzzing.md lists what
 * is steered clear of and why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "seq_lang.h"

#define DIFF_NAME	"diff"

static struct sl_world diff_w[2];
static const struct vfiosim_backend *diff_kernel;
static const struct sl_action *diff_cur;
static char diff_ctx[400];

static const char *diff_context(void)
{
	if (!diff_cur)
		return "  (setting up or tearing down)";
	snprintf(diff_ctx, sizeof(diff_ctx), "  at operation %lu: %s", diff_w[0].steps,
		 sl_describe(diff_cur));
	return diff_ctx;
}

static void diff_init(void)
{
	fuzz_trace_init();
	fuzz_set_context(diff_context);
	diff_kernel = vfiosim_backend_find("kernel");
	if (!diff_kernel)
		fuzz_fail(DIFF_NAME, "no kernel backend linked (build it with "
			  "-Dvfiosim_backend=vfiosim_backend_kernel)");
}

static void diff_u64(const char *what, uint64_t m, uint64_t k)
{
	if (m != k)
		fuzz_fail(DIFF_NAME, "%s: model 0x%" PRIx64 ", %s 0x%" PRIx64, what, m,
			  diff_w[1].who, k);
}

static void diff_bytes(const char *what, const unsigned char *m, size_t mlen,
		       const unsigned char *k, size_t klen)
{
	size_t i;

	if (mlen != klen)
		fuzz_fail(DIFF_NAME, "%s: model %zu bytes, %s %zu", what, mlen, diff_w[1].who,
			  klen);
	for (i = 0; i < mlen; i++)
		if (m[i] != k[i])
			fuzz_fail(DIFF_NAME, "%s: byte %zu (bits %zu-%zu): model 0x%02x, %s 0x%02x",
				  what, i, 8 * i, 8 * i + 7, m[i], diff_w[1].who, k[i]);
}

static void diff_compare(const struct sl_action *a, const struct sl_result *m,
			 const struct sl_result *k)
{
	if (m->ret != k->ret)
		fuzz_fail(DIFF_NAME, "returned: model %s, %s %s", fuzz_errname(m->ret),
			  diff_w[1].who, fuzz_errname(k->ret));
	if (a->op == SL_UNMAP || a->op == SL_UNMAP_BM)
		diff_u64("unmapped size", m->unmapped, k->unmapped);
	diff_bytes("bitmap", m->bitmap, m->bitmap_len, k->bitmap, k->bitmap_len);
	if (!m->ret)
		diff_bytes("GET_INFO reply", m->info, m->info_len, k->info, k->info_len);
	if (a->op == SL_PIN && m->ret > 0)
		diff_bytes("pinned pfns", (const void *)m->pfns, (size_t)m->ret * 8,
			   (const void *)k->pfns, (size_t)k->ret * 8);
	diff_bytes("data read", m->data, m->data_len, k->data, k->data_len);
	diff_u64("locked_vm", vfiosim_mm_locked_vm(diff_w[0].h),
		 vfiosim_mm_locked_vm(diff_w[1].h));
	diff_u64("pinned pages", vfiosim_mm_pinned_total(diff_w[0].h),
		 vfiosim_mm_pinned_total(diff_w[1].h));
	diff_u64("device writes logged", vfiosim_log_count(diff_w[0].h),
		 vfiosim_log_count(diff_w[1].h));
	diff_u64("WARNs", m->warnings, k->warnings);
}

static int diff_one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct sl_result r[2];
	struct sl_config cfg;
	struct sl_action a;
	unsigned int ops = 0;

	sl_header(&in, SL_MODE_DIFF, &cfg);
	diff_cur = NULL;
	sl_world_init(&diff_w[0], "model", 0, &cfg, vfiosim_backend_find("model"),
		      SL_MODE_DIFF);
	sl_world_init(&diff_w[1], vfiosim_backend_name_of(diff_kernel), 1, &cfg, diff_kernel,
		      SL_MODE_DIFF);
	while (ops++ < SL_MAX_OPS && sl_decode(&in, &diff_w[0], &a)) {
		if (a.skip) {
			if (fuzz_trace)
				fprintf(stderr, "diff: skipped %s: %s\n", sl_describe(&a), a.skip);
			continue;
		}
		diff_cur = &a;
		if (fuzz_trace)
			fprintf(stderr, "diff: %s\n", sl_describe(&a));
		sl_exec(&diff_w[0], &a, &r[0]);
		sl_exec(&diff_w[1], &a, &r[1]);
		if (fuzz_trace)
			fprintf(stderr, "diff:   -> %s / %s\n", fuzz_errname(r[0].ret),
				fuzz_errname(r[1].ret));
		sl_check(&diff_w[0], &a, &r[0], DIFF_NAME);
		sl_check(&diff_w[1], &a, &r[1], DIFF_NAME);
		diff_compare(&a, &r[0], &r[1]);
	}
	diff_cur = NULL;
	sl_world_fini(&diff_w[1]);
	sl_world_fini(&diff_w[0]);
	return 0;
}

const struct fuzz_target fuzz_target_diff = {
	.name = DIFF_NAME,
	.init = diff_init,
	.one = diff_one,
};
