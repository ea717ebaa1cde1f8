// SPDX-License-Identifier: MIT
/*
 * target_seq.c - fuzz target 2: operation sequences (seq_lang.h) against the
 * model, every invariant checked after every operation, fault injection
 * included, and nothing left behind at the end.
 */
#include <stdio.h>

#include "seq_lang.h"

#define SEQ_NAME	"seq"

static struct sl_world seq_world;
static const struct sl_action *seq_cur;
static char seq_ctx[400];

static const char *seq_context(void)
{
	if (!seq_cur)
		return "  (setting up or tearing down)";
	snprintf(seq_ctx, sizeof(seq_ctx), "  at operation %lu: %s", seq_world.steps,
		 sl_describe(seq_cur));
	return seq_ctx;
}

static void seq_init(void)
{
	fuzz_trace_init();
	fuzz_set_context(seq_context);
}

int seq_run(const uint8_t *data, size_t size, unsigned int mode, unsigned int kernel)
{
	struct fuzz_in in = { data, size };
	struct sl_config cfg;
	struct sl_action a;
	struct sl_result r;
	unsigned int ops = 0;

	sl_header(&in, mode, &cfg);
	if (kernel)
		cfg.kernel = kernel;
	seq_cur = NULL;
	sl_world_init(&seq_world, vfiosim_backend_name(), 0, &cfg, NULL, mode);
	while (ops++ < SL_MAX_OPS && sl_decode(&in, &seq_world, &a)) {
		if (a.skip)
			continue;
		seq_cur = &a;
		if (fuzz_trace)
			fprintf(stderr, "seq: %s\n", sl_describe(&a));
		sl_exec(&seq_world, &a, &r);
		if (fuzz_trace)
			fprintf(stderr, "seq:   -> %s\n", fuzz_errname(r.ret));
		sl_check(&seq_world, &a, &r, SEQ_NAME);
	}
	seq_cur = NULL;
	sl_world_fini(&seq_world);
	return 0;
}

static int seq_one(const uint8_t *data, size_t size)
{
	return seq_run(data, size, 0, 0);
}

const struct fuzz_target fuzz_target_seq = {
	.name = SEQ_NAME,
	.init = seq_init,
	.one = seq_one,
};
