// SPDX-License-Identifier: MIT
/*
 * replay_main.c - runs a fuzz target over files: each argument is a file
 * (one input) or a directory (every regular file in it, sorted).  Built
 * with any compiler, no fuzzing engine: this is how a finding is
 * reproduced and debugged (VFIOSIM_FUZZ_TRACE=1 prints every operation).
 * Exit status 0 when every input ran; a finding aborts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Inputs larger than this are cut, as the engines are told (-max_len). */
#define REPLAY_MAX	(1 << 20)

static unsigned long replay_count;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_MAX);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX, f);
	fclose(f);
	if (getenv("VFIOSIM_FUZZ_TRACE"))
		fprintf(stderr, "=== %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	replay_count++;
	return 0;
}

static int replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL;
	size_t n = 0, i;
	int ret = 0;
	DIR *d;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char **more;
		char *full;

		size_t l = strlen(de->d_name);

		/* Not an input: NAME.vfs is the scenario of input NAME. */
		if (de->d_name[0] == '.' || (l > 4 && !strcmp(de->d_name + l - 4, ".vfs")))
			continue;
		more = realloc(names, (n + 1) * sizeof(*names));
		full = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!more || !full)
			abort();
		names = more;
		sprintf(full, "%s/%s", path, de->d_name);
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), replay_cmp);
	for (i = 0; i < n; i++) {
		if (!stat(names[i], &st) && S_ISREG(st.st_mode) && replay_file(names[i]))
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...  (fuzz target %s)\n", argv[0],
			fuzz_entry_target->name);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i]))
			ret = 1;
	printf("%s: %lu input(s) replayed\n", fuzz_entry_target->name, replay_count);
	return ret;
}
