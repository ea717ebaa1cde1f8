// SPDX-License-Identifier: MIT
/*
 * plot.c - data files and a gnuplot script for the pictures of a
 * migration (plot.h), and running gnuplot on them.
 *
 * A dirty-bitmap picture shows every guest page as one cell, 128 to a
 * row, page 0 at the top left; bigger guests put several pages in a
 * cell, which then shows the most telling of their states (a miss before
 * a dropped bit before a write before a report).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

#define PLOT_COLS	128U
#define PLOT_CELLS	(PLOT_COLS * PLOT_COLS)
#define PLOT_NONE	5		/* a cell past the last page */

static int rank(unsigned char c)
{
	static const int r[] = { [PLOT_CLEAN] = 0, [PLOT_REPORTED] = 1, [PLOT_WRITTEN] = 2,
				 [PLOT_DROPPED] = 3, [PLOT_MISSED] = 4 };

	return c < sizeof(r) / sizeof(r[0]) ? r[c] : 0;
}

static int write_round(const char *path, const unsigned char *cat, uint64_t pages,
		       uint64_t per, uint64_t rows)
{
	FILE *f = fopen(path, "w");
	uint64_t row, col, p;

	if (!f)
		return -1;
	for (row = 0; row < rows; row++) {
		for (col = 0; col < PLOT_COLS; col++) {
			uint64_t first = (row * PLOT_COLS + col) * per;
			unsigned char best = PLOT_NONE;

			for (p = first; p < first + per && p < pages; p++)
				if (best == PLOT_NONE || rank(cat[p]) > rank(best))
					best = cat[p];
			fprintf(f, "%s%u", col ? " " : "", best);
		}
		fputc('\n', f);
	}
	return fclose(f) ? -1 : 0;
}

static int run_gnuplot(const char *script, char *msg, size_t len)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(msg, len, "waiting for gnuplot: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(msg, len, "gnuplot is not installed: run tools/deps.sh plot as root (it "
			 "installs gnuplot-nox), then gnuplot %s", script);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(msg, len, "gnuplot %s failed", script);
		return -1;
	}
	return 0;
}

/* dir/name (its path in path) opened for writing; NULL with msg saying why. */
static FILE *create_in(const char *dir, const char *name, char *path, size_t size, char *msg,
		       size_t len)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		snprintf(msg, len, "cannot write %s: %s", path, strerror(errno));
	return f;
}

int plot_write(const char *dir, const struct plot_round *r, unsigned int n, uint64_t pages,
	       uint64_t page_size, uint64_t threshold, const char *title, char *msg,
	       size_t len)
{
	uint64_t per = (pages + PLOT_CELLS - 1) / PLOT_CELLS, cells, rows;
	static const char *const colors[] = { "#e8e8e8", "#9ecae1", "#08519c", "#e31a1c",
					       "#ff7f00" };
	static const char *const names[] = { "clean", "reported, not written",
					      "written, reported", "written, NOT reported",
					      "bit dropped (--drop-dirty-bit)" };
	char path[4096], script[4096];
	unsigned int i, k;
	FILE *f;

	if (!pages || strpbrk(dir, "\"'\\")) {
		snprintf(msg, len, "%s", pages ? "the plot directory name may not hold quotes or "
			 "backslashes" : "nothing to plot");
		return -1;
	}
	per = per ? per : 1;
	cells = (pages + per - 1) / per;
	rows = (cells + PLOT_COLS - 1) / PLOT_COLS;
	if (mkdir(dir, 0777) && errno != EEXIST) {
		snprintf(msg, len, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/round-%02u.dat", dir, i);
		if (r[i].cat && write_round(path, r[i].cat, pages, per, rows)) {
			snprintf(msg, len, "cannot write %s", path);
			return -1;
		}
	}
	f = create_in(dir, "convergence.dat", path, sizeof(path), msg, len);
	if (!f)
		return -1;
	fprintf(f, "# round reported written label\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "%u ", i);
		fprintf(f, r[i].reported ? "%llu " : "NaN ", (unsigned long long)r[i].reported);
		fprintf(f, r[i].written ? "%llu " : "NaN ", (unsigned long long)r[i].written);
		fprintf(f, "\"%s\"\n", r[i].label);
	}
	if (fclose(f)) {
		snprintf(msg, len, "cannot write %s", path);
		return -1;
	}

	f = create_in(dir, "plot.gp", script, sizeof(script), msg, len);
	if (!f)
		return -1;
	fprintf(f, "# Drawn by vfiosim migrate --plot; run again with: gnuplot %s\n", script);
	fprintf(f, "set terminal pngcairo size 860,960 font \"sans,11\"\n"
		"set palette maxcolors 6\n"
		"set palette defined (0 \"%s\", 1 \"%s\", 2 \"%s\", 3 \"%s\", 4 \"%s\", "
		"5 \"#ffffff\")\n"
		"set cbrange [-0.5:5.5]\nunset colorbox\n"
		"set size ratio -1\n"
		"set key outside bottom center horizontal maxcols 3 samplen 1.5\n"
		"set xrange [-0.5:%u.5]\nset yrange [%llu.5:-0.5]\n"
		"set xlabel \"guest page mod %llu\"\nset ylabel \"guest page / %llu\"\n",
		colors[0], colors[1], colors[2], colors[3], colors[4], PLOT_COLS - 1,
		(unsigned long long)rows - 1, (unsigned long long)(PLOT_COLS * per),
		(unsigned long long)(PLOT_COLS * per));
	for (i = 0; i < n; i++) {
		if (!r[i].cat)
			continue;
		fprintf(f, "set output \"%s/dirty-round-%02u.png\"\n", dir, i);
		if (r[i].bulk)
			fprintf(f, "set title \"%s, round %s: the bulk copy of every page", title,
				r[i].label);
		else
			fprintf(f, "set title \"%s, %s%s: %llu pages reported dirty, %llu "
				"written by devices", title,
				r[i].label[0] >= '0' && r[i].label[0] <= '9' ? "round " : "",
				r[i].label, (unsigned long long)r[i].reported,
				(unsigned long long)r[i].written);
		fprintf(f, "\\n(%llu pages of %llu KiB%s; page 0 top left)\"\n",
			(unsigned long long)pages, (unsigned long long)(page_size >> 10),
			per > 1 ? "" : ", one cell each");
		fprintf(f, "plot \"%s/round-%02u.dat\" matrix with image notitle", dir, i);
		for (k = 0; k < 5; k++)
			fprintf(f, ", \\\n     keyentry with boxes fs solid fc rgb \"%s\" "
				"title \"%s\"", colors[k], names[k]);
		fprintf(f, "\n");
	}
	fprintf(f, "reset\nset terminal pngcairo size 900,600 font \"sans,11\"\n"
		"set output \"%s/convergence.png\"\n"
		"set title \"%s: convergence\"\n"
		"set logscale y\nset grid\nset key top right\n"
		"set xlabel \"round\"\nset ylabel \"pages\"\n"
		"set xrange [-0.5:%u.5]\n"
		"plot \"%s/convergence.dat\" using 1:2:xtic(4) with linespoints lw 2 pt 7 "
		"title \"reported dirty\", \\\n"
		"     \"\" using 1:3 with linespoints lw 2 pt 5 title \"written by devices\", \\\n"
		"     %llu with lines dt 2 lw 2 title \"threshold (%llu pages)\"\n",
		dir, title, n ? n - 1 : 0, dir, (unsigned long long)threshold,
		(unsigned long long)threshold);
	if (fclose(f)) {
		snprintf(msg, len, "cannot write %s", script);
		return -1;
	}
	if (run_gnuplot(script, msg, len))
		return -1;
	snprintf(msg, len, "%s/convergence.png and %s/dirty-round-NN.png (script: %s)", dir, dir,
		 script);
	return 0;
}
