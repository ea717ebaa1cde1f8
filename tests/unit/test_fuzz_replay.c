// SPDX-License-Identifier: MIT
/*
 * test_fuzz_replay.c - every seed of fuzz/corpus/ and every past finding
 * of fuzz/regressions/ through the fuzz harnesses (fuzz/target_ioctl.c,
 * fuzz/target_seq.c), so that fuzz findings stay regression tests.
 *
 * The harnesses abort on a violated invariant, so inputs run in child
 * processes whose stderr comes back through a pipe.  The diff target's
 * inputs are operation sequences too: here they run on the model only
 * (make fuzz-replay runs them against Linux 6.12 as well).  A finding not
 * fixed yet is listed in fuzz/regressions/open.txt with the message it
 * prints: it must still fail that way, and a listed input that passes is
 * an error, so the list cannot go stale (docs/fuzzing.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_DATA_DIR
#define FUZZ_DATA_DIR "fuzz"
#endif

struct files {
	char **name;
	size_t n;
};

struct run {
	int status;		/* from waitpid */
	char *out;		/* what the child wrote to stderr */
};

static const char *data_dir(void)
{
	const char *d = getenv("VFIOSIM_FUZZ_DIR");

	return d && *d ? d : FUZZ_DATA_DIR;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files of dir/sub whose name starts with prefix ("" for all), sorted. */
static void list_files(struct files *f, const char *sub, const char *prefix)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;

	f->name = NULL;
	f->n = 0;
	snprintf(dir, sizeof(dir), "%s/%s", data_dir(), sub);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[8192];
		struct stat st;

		size_t l = strlen(de->d_name);

		/* NAME.vfs: the scenario of input NAME (test_fuzz_scenarios.c runs it). */
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, strlen(prefix)) ||
		    (l > 4 && !strcmp(de->d_name + l - 4, ".vfs")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		f->name = realloc(f->name, (f->n + 1) * sizeof(*f->name));
		assert_non_null(f->name);
		f->name[f->n] = strdup(path);
		assert_non_null(f->name[f->n]);
		f->n++;
	}
	closedir(d);
	if (f->n)
		qsort(f->name, f->n, sizeof(*f->name), cmp_names);
}

static void files_free(struct files *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->name[i]);
	free(f->name);
	f->n = 0;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	unsigned char *buf = malloc(1 << 20);
	FILE *fp = fopen(path, "rb");

	if (!buf || !fp) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(3);
	}
	*len = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	return buf;
}

/* An input running longer than this hangs (SIGALRM ends the child). */
#define INPUT_SECONDS	5

/*
 * In a child: the target's init, every file in order (reversed if asked),
 * its fini (the leak checks).  "=== file" goes out before each input, so
 * a failure names its input.
 */
static void child(const struct fuzz_target *t, const struct files *f, bool reverse)
{
	size_t i;

	t->init();
	for (i = 0; i < f->n; i++) {
		const char *path = f->name[reverse ? f->n - 1 - i : i];
		size_t len;
		unsigned char *buf = read_file(path, &len);

		fprintf(stderr, "=== %s\n", path);
		alarm(INPUT_SECONDS);
		t->one(buf, len);
		free(buf);
	}
	if (t->fini)
		t->fini();
	fflush(stderr);
	_exit(0);
}

static void run_target(const struct fuzz_target *t, const struct files *f, bool reverse,
		       bool trace, struct run *r)
{
	size_t cap = 1 << 16, len = 0;
	int fd[2];
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(fd[0]);
		dup2(fd[1], 2);
		close(fd[1]);
		if (trace)
			setenv("VFIOSIM_FUZZ_TRACE", "1", 1);
		else
			unsetenv("VFIOSIM_FUZZ_TRACE");
		child(t, f, reverse);
	}
	close(fd[1]);
	r->out = malloc(cap);
	assert_non_null(r->out);
	for (;;) {
		ssize_t k;

		if (len + 4096 > cap) {
			cap *= 2;
			r->out = realloc(r->out, cap);
			assert_non_null(r->out);
		}
		k = read(fd[0], r->out + len, cap - len - 1);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	r->out[len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &r->status, 0), pid);
}

static bool run_ok(const struct run *r)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

/* The last input the child started, and the finding it printed. */
static void print_failure(const char *what, const struct run *r)
{
	const char *last = NULL, *p = r->out, *msg = strstr(r->out, "vfiosim-fuzz:");

	while ((p = strstr(p, "=== "))) {
		last = p;
		p += 4;
	}
	print_error("%s: %s (status 0x%x)\n  input: %.*s\n  %.400s\n", what,
		    WIFSIGNALED(r->status) ? strsignal(WTERMSIG(r->status)) : "failed",
		    r->status, last ? (int)strcspn(last + 4, "\n") : 1, last ? last + 4 : "?",
		    msg ? msg : "");
}

static void replay_dir(const struct fuzz_target *t, const char *sub)
{
	struct files f;
	struct run r;

	list_files(&f, sub, "");
	print_message("%s: %zu input(s) through the %s harness\n", sub, f.n, t->name);
	if (!f.n) {
		files_free(&f);
		return;
	}
	run_target(t, &f, false, false, &r);
	if (!run_ok(&r)) {
		print_failure(sub, &r);
		free(r.out);
		files_free(&f);
		fail();
	}
	free(r.out);
	files_free(&f);
}

static void ioctl_corpus_replays_clean(void **state)
{
	replay_dir(&fuzz_target_ioctl, "corpus/ioctl");
}

static void seq_corpus_replays_clean(void **state)
{
	replay_dir(&fuzz_target_seq, "corpus/seq");
}

static void diff_corpus_replays_clean_on_the_model(void **state)
{
	replay_dir(&fuzz_target_seq, "corpus/diff");
}

/* The "-> result" lines of a trace, one string per input, in file order. */
static char **results_by_input(const struct run *r, size_t n, bool reversed)
{
	char **res = calloc(n, sizeof(*res));
	const char *p = r->out;
	size_t i = 0;

	assert_non_null(res);
	while ((p = strstr(p, "=== ")) && i < n) {
		const char *end = strstr(p + 4, "=== "), *q = p;
		size_t k = reversed ? n - 1 - i : i, len = 0;

		res[k] = calloc(1, 4096);
		assert_non_null(res[k]);
		while ((q = strstr(q, "-> ")) && (!end || q < end)) {
			size_t w = strcspn(q, "\n");

			if (len + w + 2 < 4096) {
				memcpy(res[k] + len, q, w);
				len += w;
				res[k][len++] = ';';
			}
			q += w;
		}
		p += 4;
		i++;
	}
	return res;
}

/*
 * The ioctl harness restores its prepared states cheaply (undoing a new
 * mapping or START, reusing hosts); VFIOSIM_FUZZ_REBUILD=1 rebuilds after
 * every change instead.  Each input must give the same result whichever
 * inputs ran before it: forward with cheap restores, backwards with
 * rebuilds.
 */
static void ioctl_inputs_start_from_identical_states(void **state)
{
	struct files f;
	struct run a, b;
	char **ra, **rb;
	size_t i;

	list_files(&f, "corpus/ioctl", "");
	if (!f.n)
		skip();
	run_target(&fuzz_target_ioctl, &f, false, true, &a);
	setenv("VFIOSIM_FUZZ_REBUILD", "1", 1);
	run_target(&fuzz_target_ioctl, &f, true, true, &b);
	unsetenv("VFIOSIM_FUZZ_REBUILD");
	if (!run_ok(&a) || !run_ok(&b)) {
		print_failure("ioctl corpus", run_ok(&a) ? &b : &a);
		fail();
	}
	ra = results_by_input(&a, f.n, false);
	rb = results_by_input(&b, f.n, true);
	for (i = 0; i < f.n; i++) {
		assert_non_null(ra[i]);
		assert_non_null(rb[i]);
		if (strcmp(ra[i], rb[i]))
			fail_msg("%s: %s after its predecessors, %s after a rebuild", f.name[i],
				 ra[i], rb[i]);
		free(ra[i]);
		free(rb[i]);
	}
	print_message("%zu inputs: same results in both orders\n", f.n);
	free(ra);
	free(rb);
	free(a.out);
	free(b.out);
	files_free(&f);
}

static bool run_hung(const struct run *r)
{
	return WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGALRM;
}

/*
 * One line of fuzz/regressions/open.txt: "target/file | message | why";
 * the message "(hangs)" expects the input to run past INPUT_SECONDS.
 * NULL when the line is well-formed (key and message filled in), else
 * what is wrong with it: an entry without a message could never be
 * checked, since every output contains the empty string.
 */
static const char *open_parse(const char *line, char *key, size_t klen, char *want, size_t wlen)
{
	const char *a = strstr(line, " | "), *b = a ? strstr(a + 3, " | ") : NULL;
	const char *m;
	size_t n;

	if (!a || !b)
		return "not \"TARGET/FILE | message | what it is\"";
	snprintf(key, klen, "%.*s", (int)(a - line), line);
	m = a + 3;
	n = (size_t)(b - m);
	while (n && (*m == ' ' || *m == '\t')) {
		m++;
		n--;
	}
	while (n && (m[n - 1] == ' ' || m[n - 1] == '\t'))
		n--;
	if (!n)
		return "no message: write the message its input prints (the first "
		       "\"vfiosim-fuzz:\" line without that prefix), or (hangs)";
	snprintf(want, wlen, "%.*s", (int)n, m);
	return NULL;
}

/* The open.txt entry of target/file, NULL if there is none. */
static const char *open_entry(const char *target, const char *file, char *want, size_t len)
{
	static char line[1024];
	char path[4096], key[512], k[512];
	const char *bad;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/regressions/open.txt", data_dir());
	snprintf(key, sizeof(key), "%s/%s", target, file);
	fp = fopen(path, "r");
	if (!fp)
		return NULL;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		bad = open_parse(line, k, sizeof(k), want, len);
		if (bad) {
			fclose(fp);
			fail_msg("fuzz/regressions/open.txt: %s: %s", line, bad);
		}
		if (!strcmp(k, key)) {
			fclose(fp);
			return line;
		}
	}
	fclose(fp);
	return NULL;
}

static void regressions_of(const char *target, const struct fuzz_target *t,
			   unsigned int *checked, unsigned int *open)
{
	char sub[64];
	struct files f;
	size_t i;

	snprintf(sub, sizeof(sub), "regressions/%s", target);
	list_files(&f, sub, "");
	for (i = 0; i < f.n; i++) {
		struct files one = { &f.name[i], 1 };
		const char *file = strrchr(f.name[i], '/') + 1;
		char want[512];
		const char *entry = open_entry(target, file, want, sizeof(want));
		char err[1024];
		struct run r;

		/* A difference between backends cannot show on the model alone. */
		if (entry && t == &fuzz_target_seq && !strcmp(target, "diff"))
			continue;
		run_target(t, &one, false, false, &r);
		err[0] = '\0';
		if (!entry && !run_ok(&r))
			snprintf(err, sizeof(err), "%s/%s: fails again (a fixed finding came "
				 "back?)", target, file);
		else if (entry && run_ok(&r))
			snprintf(err, sizeof(err), "%s/%s passes but fuzz/regressions/open.txt "
				 "lists it: remove the line if the bug is fixed", target, file);
		else if (entry && !strcmp(want, "(hangs)") && !run_hung(&r))
			snprintf(err, sizeof(err), "%s/%s fails, but open.txt says it hangs",
				 target, file);
		else if (entry && strcmp(want, "(hangs)") && !strstr(r.out, want))
			snprintf(err, sizeof(err), "%s/%s fails, but not with \"%s\" (open.txt)",
				 target, file, want);
		if (err[0]) {
			if (!run_ok(&r))
				print_failure(sub, &r);
			free(r.out);
			files_free(&f);
			fail_msg("%s", err);
		}
		*open += entry != NULL;
		(*checked)++;
		free(r.out);
	}
	files_free(&f);
}

static void past_findings_fail_only_while_open(void **state)
{
	unsigned int checked = 0, open = 0;

	regressions_of("ioctl", &fuzz_target_ioctl, &checked, &open);
	regressions_of("seq", &fuzz_target_seq, &checked, &open);
	regressions_of("diff", &fuzz_target_seq, &checked, &open);
	print_message("%u past finding(s) replayed, %u still open\n", checked, open);
}

/* Every open.txt entry is well-formed and names an input that exists. */
static void open_list_entries_are_checkable(void **state)
{
	char path[4096], line[1024];
	unsigned int n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/regressions/open.txt", data_dir());
	fp = fopen(path, "r");
	if (!fp)
		skip();
	while (fgets(line, sizeof(line), fp)) {
		char input[4096], key[512], want[512];
		const char *bad;
		struct stat st;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		bad = open_parse(line, key, sizeof(key), want, sizeof(want));
		snprintf(input, sizeof(input), "%s/regressions/%s", data_dir(), key);
		if (bad || stat(input, &st)) {
			fclose(fp);
			if (bad)
				fail_msg("fuzz/regressions/open.txt: %s: %s", line, bad);
			fail_msg("open.txt lists %s, which does not exist", key);
		}
		n++;
	}
	fclose(fp);
	print_message("%u open finding(s), each with its message\n", n);
}

/* The checker refuses what campaign.sh once appended: an empty message. */
static void open_entry_without_message_is_refused(void **state)
{
	char key[512], want[512];

	assert_non_null(open_parse("diff/crash-3e3b822d40bc |  | new: found 2026-11-21, not "
				   "triaged yet", key, sizeof(key), want, sizeof(want)));
	assert_non_null(open_parse("diff/crash-3e3b822d40bc | new", key, sizeof(key), want,
				   sizeof(want)));
	assert_null(open_parse("seq/crash-1 | model: dirty oracle: op 5 | F12", key, sizeof(key),
			       want, sizeof(want)));
	assert_string_equal(key, "seq/crash-1");
	assert_string_equal(want, "model: dirty oracle: op 5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ioctl_corpus_replays_clean),
		cmocka_unit_test(seq_corpus_replays_clean),
		cmocka_unit_test(diff_corpus_replays_clean_on_the_model),
		cmocka_unit_test(ioctl_inputs_start_from_identical_states),
		cmocka_unit_test(past_findings_fail_only_while_open),
		cmocka_unit_test(open_list_entries_are_checkable),
		cmocka_unit_test(open_entry_without_message_is_refused),
	};

	return cmocka_run_group_tests_name("fuzz_replay", tests, NULL, NULL);
}
