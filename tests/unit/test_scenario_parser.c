// SPDX-License-Identifier: MIT
/*
 * test_scenario_parser.c - the scenario language of the vfiosim command:
 * what statements parse to, and that every error names file, line and
 * column and says what was expected.  Also the small readers the command
 * relies on: numbers and sizes, page lists, trace lines, kernel versions
 * and which of them a backend can answer as.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "linux_version.h"
#include "page_ranges.h"
#include "scenario.h"

struct pt {
	struct scenario *sc;
	struct diag d;
	char msg[512];
};

static int pt_setup(void **state)
{
	struct pt *p = calloc(1, sizeof(*p));

	*state = p;
	return p ? 0 : -1;
}

static int pt_teardown(void **state)
{
	struct pt *p = *state;

	scenario_free(p->sc);
	free(p);
	return 0;
}

static const struct stmt *parse_ok(struct pt *p, const char *text)
{
	int ret;

	scenario_free(p->sc);
	p->sc = NULL;
	ret = scenario_parse("t.vfs", text, &p->sc, &p->d);
	if (ret) {
		diag_format(&p->d, p->msg, sizeof(p->msg));
		fail_msg("unexpected parse error: %s", p->msg);
	}
	assert_non_null(p->sc);
	assert_true(p->sc->nr > 0);
	return &p->sc->st[p->sc->nr - 1];
}

/* The full message of a text that must not parse. */
static const char *parse_err(struct pt *p, const char *text)
{
	scenario_free(p->sc);
	p->sc = NULL;
	assert_int_equal(scenario_parse("t.vfs", text, &p->sc, &p->d), -1);
	assert_null(p->sc);
	diag_format(&p->d, p->msg, sizeof(p->msg));
	return p->msg;
}

#define PRELUDE "mem ram 0x100000000 64M\ngroup gpu iommu\ngroup md emulated\ncontainer v2\n"

static void test_parser_map_statement_fields(void **state)
{
	const struct stmt *s = parse_ok(*state, PRELUDE "map low 0x1000+2M vaddr ram+4K r\n");

	assert_int_equal(s->kind, ST_MAP);
	assert_int_equal(s->line, 5);
	assert_string_equal(s->name, "low");
	assert_int_equal(s->r.start, 0x1000);
	assert_int_equal(s->r.size, 2 << 20);
	assert_int_equal(s->vaddr, 0x100001000ULL);
	assert_int_equal(s->flags, VFIO_DMA_MAP_FLAG_READ);
	assert_false(s->has_argsz);
	assert_null(s->ex);
}

static void test_parser_inclusive_range_and_mapping_name(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, PRELUDE "map low 0x0-0x1fffff vaddr ram\nget low pgsize 4K\n");
	assert_int_equal(s->kind, ST_GET);
	assert_int_equal(s->r.start, 0);
	assert_int_equal(s->r.size, 0x200000);
	assert_int_equal(s->pgsize, 4096);
	assert_int_equal(s->fault_word, -1);
}

static void test_parser_unmap_flags_and_bitmap(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, PRELUDE "unmap 0x0+1M bitmap fault-word 2 bitmap-size 4K\n");
	assert_int_equal(s->flags, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP);
	assert_true(s->bitmap);
	assert_int_equal(s->fault_word, 2);
	assert_int_equal(s->bitmap_size, 4096);
	s = parse_ok(p, PRELUDE "unmap all\n");
	assert_int_equal(s->flags, VFIO_DMA_UNMAP_FLAG_ALL);
	assert_int_equal(s->r.size, 0);
	s = parse_ok(p, PRELUDE "unmap 0x0+4K flags vaddr|0x10 argsz 0\n");
	assert_int_equal(s->flags, VFIO_DMA_UNMAP_FLAG_VADDR | 0x10);
	assert_true(s->raw_flags);
	assert_true(s->has_argsz);
	assert_int_equal(s->argsz, 0);
}

static void test_parser_suffix_and_standalone_expectations(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, PRELUDE "map 0xfee00000+4K vaddr ram expect errno EINVAL\n");
	assert_non_null(s->ex);
	assert_int_equal(s->ex->kind, EX_ERRNO);
	assert_int_equal(s->ex->ret, 22);
	s = parse_ok(p, PRELUDE "start\nget 0x0+64K\nexpect dirty 0x1000-0x3fff, 0x8000\n");
	assert_int_equal(s->kind, ST_EXPECT);
	assert_int_equal(s->ex->kind, EX_DIRTY);
	assert_int_equal(s->ex->nr_ranges, 2);
	assert_int_equal(s->ex->ranges[0].size, 0x3000);
	assert_int_equal(s->ex->ranges[1].start, 0x8000);
	assert_int_equal(s->ex->ranges[1].size, 0);
	s = parse_ok(p, PRELUDE "expect locked 2M\n");
	assert_true(s->ex->bytes);
	assert_int_equal(s->ex->value, 2 << 20);
	s = parse_ok(p, PRELUDE "expect locked 512\n");
	assert_false(s->ex->bytes);
	s = parse_ok(p, PRELUDE "start\nexpect ret -22\n");
	assert_int_equal(s->ex->ret, -22);
	s = parse_ok(p, PRELUDE "start\non kernel expect oracle missed|inexact\n");
	assert_string_equal(s->only, "kernel");
	assert_int_equal(s->ex->oracle, OK_MISSED | OK_INEXACT);
}

static void test_parser_host_and_group_options(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, "host page-size 64K memlock 1M cap-ipc-lock strict dma-entry-limit 3\n");
	assert_int_equal(s->host.page_size, 65536);
	assert_int_equal(s->host.memlock_limit, 1 << 20);
	assert_true(s->host.cap_ipc_lock);
	assert_true(s->host.strict_uaccess);
	assert_int_equal(s->host.dma_entry_limit, 3);
	s = parse_ok(p, "group g iommu pgsizes 4K|2M aperture 0x0-0xffffffff "
			"resv 0x1000+4K direct iommu-id 7 attach-error EBUSY has-dma-unmap\n");
	assert_int_equal(s->grp.pgsize_bitmap, 0x201000);
	assert_int_equal(s->grp.aperture_end, 0xffffffff);
	assert_int_equal(s->grp.nr_resv, 1);
	assert_int_equal(s->grp.resv[0].type, VFIOSIM_RESV_DIRECT);
	assert_int_equal(s->grp.iommu_id, 7);
	assert_int_equal(s->grp.attach_error, -16);
	assert_true(s->grp.has_dma_unmap);
	assert_int_equal(s->group, 0);
	/* The dirty-provider extension's hardware and request (docs/dirty-providers.md). */
	s = parse_ok(p, "group nic iommu dirty-tracking tracker 4 pgsize 64K capacity 100\n");
	assert_true(s->grp.dirty_tracking);
	assert_int_equal(s->grp.tracker_ranges, 4);
	assert_int_equal(s->grp.tracker_pgsize, 65536);
	assert_int_equal(s->grp.tracker_capacity, 100);
	s = parse_ok(p, PRELUDE "provider auto\n");
	assert_int_equal(s->kind, ST_PROVIDER);
	assert_int_equal(s->type, VFIOSIM_DIRTY_PROVIDER_AUTO);
}

static void test_parser_write_patterns(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, PRELUDE "write gpu 0x0+1M every 4 len 64 byte 0xab\n");
	assert_int_equal(s->pattern, WR_EVERY);
	assert_int_equal(s->every, 4);
	assert_int_equal(s->len, 64);
	assert_int_equal(s->byte, 0xab);
	assert_int_equal(s->group, 0);
	s = parse_ok(p, PRELUDE "write md 0x3000\n");
	assert_int_equal(s->pattern, WR_RANGE);
	assert_int_equal(s->r.size, 0);
	assert_int_equal(s->group, 1);
	s = parse_ok(p, PRELUDE "write gpu 0x0+1M random 10 seed 42\n");
	assert_int_equal(s->pattern, WR_RANDOM);
	assert_int_equal(s->count, 10);
	assert_int_equal(s->seed, 42);
}

static void test_parser_comments_blank_lines_and_text(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, "# a comment\n\n   \t\ncontainer v1   # trailing comment\n");
	assert_int_equal(p->sc->nr, 1);
	assert_int_equal(s->line, 4);
	assert_int_equal(s->type, VFIO_TYPE1_IOMMU);
	assert_string_equal(s->text, "container v1");
}

static void test_parser_error_bad_size_names_line_and_column(void **state)
{
	assert_string_equal(parse_err(*state, "container v2\nmem ram 0x100000000 foo\n"),
			    "t.vfs:2:21: expected a size like 4K, 2M or 0x1000, got \"foo\"");
}

static void test_parser_error_unknown_name_lists_declared(void **state)
{
	assert_string_equal(parse_err(*state, PRELUDE "attach gpu2\n"),
			    "t.vfs:5:8: no group named \"gpu2\" (declared so far: gpu, md)");
	assert_string_equal(parse_err(*state, "map 0x0+4K vaddr ram\n"),
			    "t.vfs:1:18: no memory named \"ram\" (none declared so far)");
}

static void test_parser_error_missing_argument_at_end_of_line(void **state)
{
	assert_string_equal(parse_err(*state, PRELUDE "get\n"),
			    "t.vfs:5:4: expected a range like 0x1000-0x1fff or 0x1000+4K, got the "
			    "end of the line");
	assert_string_equal(parse_err(*state, PRELUDE "map m 0x0+4K vaddr ram\nget\n"),
			    "t.vfs:6:4: expected a range (0x1000-0x1fff, 0x1000+4K) or a mapping "
			    "name, got the end of the line");
	assert_string_equal(parse_err(*state, PRELUDE "map 0x0+4K  # no vaddr\n"),
			    "t.vfs:5:11: expected vaddr ADDRESS (the process memory behind the "
			    "mapping), got the end of the line");
}

static void test_parser_error_unknown_statement_and_option(void **state)
{
	struct pt *p = *state;

	assert_string_equal(parse_err(p, "  mapp 0x0+4K\n"),
			    "t.vfs:1:3: expected a statement (host, mem, group, container, attach, "
			    "map, unmap, start, get, pin, write, dma-rw, fail, expect, ...), got "
			    "\"mapp\"");
	assert_string_equal(parse_err(p, PRELUDE "start fast\n"),
			    "t.vfs:5:7: expected argsz or expect, got \"fast\"");
}

static void test_parser_error_range_backwards_and_overflow(void **state)
{
	struct pt *p = *state;

	assert_string_equal(parse_err(p, PRELUDE "get 0x2000-0x1000\n"),
			    "t.vfs:5:12: the range ends (0x1000) before it starts (0x2000)");
	assert_string_equal(parse_err(p, PRELUDE "get 0x0+20000000T\n"),
			    "t.vfs:5:9: \"20000000T\" does not fit in 64 bits");
	assert_string_equal(parse_err(p, PRELUDE "get 0x0+0x1ffffffffffffffff\n"),
			    "t.vfs:5:9: \"0x1ffffffffffffffff\" does not fit in 64 bits");
}

static void test_parser_error_expectations(void **state)
{
	struct pt *p = *state;

	assert_string_equal(parse_err(p, "expect ok\n"),
			    "t.vfs:1:8: no operation before this expectation to check");
	assert_string_equal(parse_err(p, PRELUDE "start expect errno EINVALL\n"),
			    "t.vfs:5:20: expected an errno name like EINVAL or EFAULT, got "
			    "\"EINVALL\"");
	assert_string_equal(parse_err(p, PRELUDE "start\nexpect dirty 0x1000 0x2000\n"),
			    "t.vfs:6:21: expected the end of the line, got \"0x2000\"");
	assert_string_equal(parse_err(p, PRELUDE "start\nexpect oracle lost\n"),
			    "t.vfs:6:15: expected what the oracle finds: missed, spurious, inexact "
			    "or desync, got \"lost\"");
}

static void test_parser_error_declarations(void **state)
{
	struct pt *p = *state;

	assert_string_equal(parse_err(p, PRELUDE "group gpu emulated\n"),
			    "t.vfs:5:7: group \"gpu\" is already declared on line 2");
	assert_string_equal(parse_err(p, "container\nhost strict\n"),
			    "t.vfs:2:1: the host line comes before every other statement");
	assert_string_equal(parse_err(p, PRELUDE "pin md 0x0+4K rwx\n"),
			    "t.vfs:5:15: expected rw, r, w, none, npage or expect, got \"rwx\"");
	assert_string_equal(parse_err(p, "group nic iommu tracker 0\n"),
			    "t.vfs:1:25: a tracker has 1 to 64 ranges");
	assert_string_equal(parse_err(p, PRELUDE "provider best\n"),
			    "t.vfs:5:10: expected pinned, iommu, device or auto, got \"best\"");
}

static void test_parser_version_guards(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, PRELUDE "on kernel 6.12: start\n");
	assert_int_equal(s->kind, ST_DIRTY);
	assert_int_equal(s->kmin, VFIOSIM_KERNEL(6, 12));
	assert_int_equal(s->kmax, VFIOSIM_KERNEL(6, 13));
	assert_null(s->only);
	s = parse_ok(p, PRELUDE "start\non kernel >= 6.19: expect errno EOVERFLOW\n");
	assert_int_equal(s->kind, ST_EXPECT);
	assert_int_equal(s->kmin, VFIOSIM_KERNEL(6, 19));
	assert_int_equal(s->kmax, 0);
	/* operator and colon attached or apart */
	s = parse_ok(p, PRELUDE "on kernel <6.13: start\n");
	assert_int_equal(s->kmin, 0);
	assert_int_equal(s->kmax, VFIOSIM_KERNEL(6, 13));
	s = parse_ok(p, PRELUDE "on kernel < 6.13 : start\n");
	assert_int_equal(s->kmax, VFIOSIM_KERNEL(6, 13));
	s = parse_ok(p, PRELUDE "on kernel >=5.10: start\n");
	assert_int_equal(s->kmin, VFIOSIM_KERNEL(5, 10));
	/* guards add up, a backend's among them */
	s = parse_ok(p, PRELUDE "on kernel >= 6.1: on model on kernel < 6.13: start\n");
	assert_int_equal(s->kmin, VFIOSIM_KERNEL(6, 1));
	assert_int_equal(s->kmax, VFIOSIM_KERNEL(6, 13));
	assert_string_equal(s->only, "model");
	/* without a version, "kernel" is still the backend */
	s = parse_ok(p, PRELUDE "on kernel start\non kernel-6.12 stop\n");
	assert_string_equal(s->only, "kernel-6.12");
	assert_int_equal(s->kmin, 0);
	assert_int_equal(s->kmax, 0);
	assert_string_equal(p->sc->st[p->sc->nr - 2].only, "kernel");
	assert_int_equal(p->sc->kernel, 0);
}

static void test_parser_host_kernel_pins_the_profile(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, "# pinned\nhost page-size 4K kernel 6.1\ncontainer v2\n");
	assert_int_equal(p->sc->kernel, VFIOSIM_KERNEL(6, 1));
	assert_int_equal(p->sc->kernel_line, 2);
	assert_int_equal(p->sc->st[0].host.kernel, VFIOSIM_KERNEL(6, 1));
	assert_int_equal(s->kind, ST_CONTAINER);
	assert_string_equal(parse_err(p, "host kernel 6.12.1\n"),
			    "t.vfs:1:13: expected a Linux version like 6.12 (MAJOR.MINOR), got "
			    "\"6.12.1\"; the profiles are Linux 5.10 to 7.3");
	assert_string_equal(parse_err(p, "host kernel\n"),
			    "t.vfs:1:12: expected a Linux version like 6.12, got the end of the "
			    "line");
	assert_string_equal(parse_err(p, "on model host kernel 6.1\n"),
			    "t.vfs:1:15: the kernel a scenario is pinned to cannot depend on a "
			    "guard");
}

static void test_parser_error_version_guards(void **state)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "on kernel 6.12 start",
		  "5:16: expected ':' after the version (on kernel 6.12: STATEMENT), got \"start\"" },
		{ "on kernel <= 6.12: start",
		  "5:11: expected a version guard: 6.12: (that release), >= 6.19: (it and later) or "
		  "< 6.19: (the releases before), got \"<=\"" },
		{ "on kernel >=: start",
		  "5:13: expected a version guard: 6.12: (that release), >= 6.19: (it and later) or "
		  "< 6.19: (the releases before), got \":\"" },
		{ "on kernel >= 6.21: start",
		  "5:14: there is no Linux 6.21 (6.19 was the last 6.x); the profiles are Linux 5.10 "
		  "to 7.3" },
		{ "on kernel 4.19: start",
		  "5:11: Linux 4.19 has no profile; the profiles are Linux 5.10 to 7.3" },
		{ "on kernel >= 6.19: on kernel < 6.13: start",
		  "5:32: no profile (Linux 5.10 to 7.3) passes this guard: the line would never run" },
		{ "on kernel < 5.10: start",
		  "5:13: no profile (Linux 5.10 to 7.3) passes this guard: the line would never run" },
		{ "on kernel >= 6.19:",
		  "5:19: expected a statement after the guard, got the end of the line" },
		{ "on kernal start",
		  "5:4: expected a backend (model, kernel, kernel-6.12) or a kernel version guard "
		  "(kernel 6.12:, kernel >= 6.19:, kernel < 6.19:), got \"kernal\"" },
		{ "on model on kernel start",
		  "5:13: one backend per line (this one already runs only on model)" },
	};
	struct pt *p = *state;
	char text[256], want[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), PRELUDE "%s\n", cases[i].line);
		snprintf(want, sizeof(want), "t.vfs:%s", cases[i].msg);
		assert_string_equal(parse_err(p, text), want);
	}
}

static void test_parser_size_readers(void **state)
{
	struct diag d = { 0 };
	uint64_t v = 0;
	struct tok t;

	t = (struct tok){ "0x1_0000", 8, 1 };
	assert_int_equal(tok_size(&t, &v, &d), 0);
	assert_int_equal(v, 0x10000);
	t = (struct tok){ "2m", 2, 1 };
	assert_int_equal(tok_size(&t, &v, &d), 0);
	assert_int_equal(v, 2 << 20);
	t = (struct tok){ "16777215T", 9, 1 };
	assert_int_equal(tok_size(&t, &v, &d), 0);
	assert_true(v == 16777215ULL << 40);
	t = (struct tok){ "16777216T", 9, 1 };
	assert_int_equal(tok_size(&t, &v, &d), -1);
	t = (struct tok){ "4KB", 3, 1 };
	assert_int_equal(tok_size(&t, &v, &d), -1);
	t = (struct tok){ "0x", 2, 1 };
	assert_int_equal(tok_number(&t, &v, &d), -1);
	t = (struct tok){ "_1", 2, 1 };
	assert_int_equal(tok_number(&t, &v, &d), -1);
}

static void test_profile_versions(void **state)
{
	static const char *const bad[] = {
		"", "6", "6.", ".12", "6.12.1", "6.012", "06.12", "v6.12", "6.12-rc1", "6,12",
		"6.12 ", "-6.12", "5.9", "4.19", "5.20", "6.20", "7.4", "8.0", "1000.1",
	};
	unsigned int v = 0, i;
	char err[200], buf[16];

	assert_int_equal(profile_parse("6.12", 4, &v, err, sizeof(err)), 0);
	assert_int_equal(v, VFIOSIM_KERNEL(6, 12));
	assert_int_equal(profile_parse("5.10", 4, &v, err, sizeof(err)), 0);
	assert_int_equal(v, VFIOSIM_KERNEL_OLDEST);
	assert_int_equal(profile_parse("7.3:", 3, &v, err, sizeof(err)), 0);
	assert_int_equal(v, VFIOSIM_KERNEL_NEWEST);
	assert_int_equal(profile_parse("6.0", 3, &v, err, sizeof(err)), 0);
	assert_int_equal(profile_parse("6.19", 4, &v, err, sizeof(err)), 0);
	assert_int_equal(profile_parse("7.0", 3, &v, err, sizeof(err)), 0);
	assert_string_equal(profile_str(VFIOSIM_KERNEL(6, 1), buf, sizeof(buf)), "6.1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 0;
		if (profile_parse(bad[i], strlen(bad[i]), &v, err, sizeof(err)) != -1)
			fail_msg("\"%s\" is read as %#x", bad[i], v);
		assert_int_equal(v, 0);
		/* every refusal names the range */
		assert_non_null(strstr(err, "; the profiles are Linux 5.10 to 7.3"));
	}
}

/* What a backend answers as, and the refusal a kernel tree gives another version. */
static void test_profile_of_backends(void **state)
{
	const unsigned int v612 = VFIOSIM_KERNEL(6, 12), v61 = VFIOSIM_KERNEL(6, 1);
	char why[300] = "";

	assert_int_equal(profile_of(0, 0), VFIOSIM_KERNEL_NEWEST);
	assert_int_equal(profile_of(0, v61), v61);
	assert_int_equal(profile_of(v612, 0), v612);
	assert_int_equal(profile_of(v612, v612), v612);
	assert_int_equal(profile_of(v612, v61), 0);
	/* a tree newer than the newest profile is judged by the newest */
	assert_int_equal(profile_of(VFIOSIM_KERNEL(7, 5), 0), VFIOSIM_KERNEL_NEWEST);
	assert_int_equal(profile_of(VFIOSIM_KERNEL(7, 5), VFIOSIM_KERNEL_NEWEST),
			 VFIOSIM_KERNEL_NEWEST);
	assert_int_equal(profile_of_backend(vfiosim_backend_find(NULL), v61), v61);

	assert_int_equal(profile_check(0, v61, why, sizeof(why)), 0);
	assert_int_equal(profile_check(v612, v612, why, sizeof(why)), 0);
	assert_int_equal(profile_check(v612, v61, why, sizeof(why)), -1);
	assert_string_equal(why, "this kernel backend is Linux 6.12's type1: it cannot answer as "
			    "Linux 6.1 (build one from that tree: make vfiosim-kernel KSRC=..., or "
			    "run the model)");
	assert_int_equal(profile_check(VFIOSIM_KERNEL(7, 5), v612, why, sizeof(why)), -1);
	assert_string_equal(why, "this kernel backend is Linux 7.5's type1, which runs as the "
			    "Linux 7.3 profile, not as Linux 6.12");
}

static void test_report_pages_format_and_parse_round_trip(void **state)
{
	uint64_t bits[3] = { 0 }, back[3] = { 0 };
	struct strbuf sb = { 0 };

	bit_set(bits, 0);
	bit_set(bits, 1);
	bit_set(bits, 2);
	bit_set(bits, 64);
	bit_set(bits, 129);
	pages_format(&sb, bits, 130, 0x10000, 0x1000, 0);
	assert_string_equal(sb_str(&sb), "0x10000-0x12fff, 0x50000, 0x91000");
	assert_int_equal(pages_parse(sb_str(&sb), back, 130, 0x10000, 0x1000), 0);
	assert_memory_equal(bits, back, sizeof(bits));
	assert_int_equal(bits_count(bits, 130), 5);
	assert_int_equal(bits_count(bits, 129), 4);
	sb_reset(&sb);
	pages_format(&sb, bits, 130, 0, 0x1000, 1);
	assert_string_equal(sb_str(&sb), "0x0-0x2fff, ... (2 more)");
	assert_int_equal(pages_parse("0x200000", back, 130, 0, 0x1000), -1);
	sb_free(&sb);
}

static void test_json_trace_line(void **state)
{
	struct json_obj o;
	char err[128];
	uint64_t u = 0;
	long long i = 0;
	bool b = false;

	assert_int_equal(json_parse("{\"seq\":3,\"call\":\"ioctl\",\"iova\":\"0xfffffffffffff000\","
				    "\"ret\":-22,\"write\":true,\"s\":\"a\\\"b\"}", &o, err,
				    sizeof(err)), 0);
	assert_string_equal(json_get(&o, "call"), "ioctl");
	assert_int_equal(json_u64(&o, "iova", &u), 0);
	assert_true(u == 0xfffffffffffff000ULL);
	assert_int_equal(json_i64(&o, "ret", &i), 0);
	assert_int_equal(i, -22);
	assert_int_equal(json_bool(&o, "write", &b), 0);
	assert_true(b);
	assert_string_equal(json_get(&o, "s"), "a\"b");
	assert_int_equal(json_u64(&o, "ret", &u), -1);
	json_free(&o);
	assert_int_equal(json_parse("{\"a\":1,}", &o, err, sizeof(err)), -1);
	assert_int_equal(json_parse("{\"a\":\"unterminated}", &o, err, sizeof(err)), -1);
	assert_int_equal(json_parse("[1]", &o, err, sizeof(err)), -1);
}

/* Where a bitmap is, and the other words a fuzz input's scenario needs. */
static void test_parser_bitmap_placement_and_raw_calls(void **state)
{
	struct pt *p = *state;
	const struct stmt *s;

	s = parse_ok(p, PRELUDE "get 0x0+1M bitmap-buffer 64K rw, 4K none, 4K r\n");
	assert_int_equal(s->nr_bm_seg, 3);
	assert_int_equal(s->bm_seg[0].size, 0x10000);
	assert_int_equal(s->bm_seg[0].prot, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
	assert_int_equal(s->bm_seg[1].prot, 0);
	assert_int_equal(s->bm_seg[2].prot, VFIOSIM_PROT_READ);
	assert_int_equal(s->flags, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP);
	s = parse_ok(p, PRELUDE "unmap 0x0+1M bitmap bitmap-buffer 8\n");
	assert_int_equal(s->nr_bm_seg, 1);
	assert_int_equal(s->bm_seg[0].size, 8);
	s = parse_ok(p, PRELUDE "get 0x0+1M bitmap-at ram+4K flags get-bitmap|start\n");
	assert_true(s->has_bm_at);
	assert_true(s->bm_at == 0x100001000ULL);
	assert_int_equal(s->flags, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP |
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	s = parse_ok(p, PRELUDE "pin md 0x40000800 npage -2 r\n");
	assert_true(s->has_npage);
	assert_int_equal(s->npage, -2);
	assert_int_equal(s->prot, VFIOSIM_PROT_READ);
	s = parse_ok(p, PRELUDE "unpin md 0x40000000 npage 0x7fffffff\n");
	assert_int_equal(s->npage, 0x7fffffff);
	s = parse_ok(p, PRELUDE "dma-rw write 0x40000000+0x101 ramp 0xfe\n");
	assert_int_equal(s->ramp, 0xfe);
	assert_int_equal(s->byte, -1);
}

static void test_parser_error_bitmap_placement(void **state)
{
	struct pt *p = *state;

	assert_string_equal(parse_err(p, PRELUDE "get 0x0+1M bitmap-at 0 fault-word 1\n"),
			    "t.vfs:5:24: bitmap-at, bitmap-buffer and fault-word each say where "
			    "the bitmap is: give one");
	assert_string_equal(parse_err(p, PRELUDE "get 0x0+1M bitmap-buffer 0\n"),
			    "t.vfs:5:26: a piece of 0 bytes is nothing");
	assert_string_equal(parse_err(p, PRELUDE "get 0x0+1M bitmap-buffer 1, 2, 3, 4, 5\n"),
			    "t.vfs:5:38: a bitmap buffer has at most 4 pieces");
	assert_string_equal(parse_err(p, PRELUDE "get 0x0+1M bitmap-buffer 8 rx\n"),
			    "t.vfs:5:28: expected pgsize, bitmap-size, fault-word, bitmap-buffer, "
			    "bitmap-at, flags, argsz or expect, got \"rx\"");
	assert_string_equal(parse_err(p, PRELUDE "pin md 0x0 npage -0x80000001\n"),
			    "t.vfs:5:18: this value is an int");
	assert_string_equal(parse_err(p, PRELUDE "dma-rw write 0x0+1 byte 1 ramp 2\n"),
			    "t.vfs:5:27: byte and ramp both say what is written: give one");
}

/* A bitmap buffer's pieces as traces write them, and read back. */
static void test_bitmap_buffer_pieces_round_trip(void **state)
{
	struct sim_seg seg[SIM_MAX_SEGS] = { { 0x10000, 3 }, { 0x1000, 0 }, { 12, 1 } }, back[4];
	unsigned int nr, i;
	char text[160];

	sim_segs_format(text, sizeof(text), seg, 3);
	assert_string_equal(text, "64K rw, 4K none, 0xc r");
	assert_int_equal(sim_segs_parse(text, back, &nr), 0);
	assert_int_equal(nr, 3);
	for (i = 0; i < nr; i++) {
		assert_int_equal(back[i].size, seg[i].size);
		assert_int_equal(back[i].prot, seg[i].prot);
	}
	assert_int_equal(sim_segs_parse("64K", back, &nr), -1);
	assert_int_equal(sim_segs_parse("64K rw 4K r", back, &nr), -1);
	assert_int_equal(sim_segs_parse("", back, &nr), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, pt_setup, pt_teardown)
	const struct CMUnitTest tests[] = {
		T(test_parser_map_statement_fields),
		T(test_parser_inclusive_range_and_mapping_name),
		T(test_parser_unmap_flags_and_bitmap),
		T(test_parser_suffix_and_standalone_expectations),
		T(test_parser_host_and_group_options),
		T(test_parser_write_patterns),
		T(test_parser_comments_blank_lines_and_text),
		T(test_parser_error_bad_size_names_line_and_column),
		T(test_parser_error_unknown_name_lists_declared),
		T(test_parser_error_missing_argument_at_end_of_line),
		T(test_parser_error_unknown_statement_and_option),
		T(test_parser_error_range_backwards_and_overflow),
		T(test_parser_error_expectations),
		T(test_parser_error_declarations),
		T(test_parser_version_guards),
		T(test_parser_host_kernel_pins_the_profile),
		T(test_parser_error_version_guards),
		T(test_parser_size_readers),
		T(test_profile_versions),
		T(test_profile_of_backends),
		T(test_report_pages_format_and_parse_round_trip),
		T(test_json_trace_line),
		T(test_parser_bitmap_placement_and_raw_calls),
		T(test_parser_error_bitmap_placement),
		T(test_bitmap_buffer_pieces_round_trip),
	};

	return cmocka_run_group_tests_name("scenario_parser", tests, NULL, NULL);
}
