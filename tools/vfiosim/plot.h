/* SPDX-License-Identifier: MIT */
/*
 * plot.h - pictures of a migration: the dirty bitmap of every round and
 * the convergence curve, as PNG files drawn by gnuplot.
 */
#ifndef VFIOSIM_CMD_PLOT_H
#define VFIOSIM_CMD_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a guest page was in one round. */
enum plot_cat {
	PLOT_CLEAN = 0,
	PLOT_REPORTED = 1,		/* reported dirty, not written */
	PLOT_WRITTEN = 2,		/* written by a device and reported */
	PLOT_MISSED = 3,		/* written, not in the VMM's report */
	PLOT_DROPPED = 4,		/* reported, dropped by --drop-dirty-bit */
};

struct plot_round {
	char label[24];
	bool bulk;			/* the first round: everything copied */
	uint64_t reported, written;
	const unsigned char *cat;	/* per guest page, enum plot_cat */
};

/*
 * Writes DIR/round-NN.dat, DIR/convergence.dat and DIR/plot.gp, then
 * runs gnuplot on the script for DIR/dirty-round-NN.png and
 * DIR/convergence.png.  0, or -1 with msg telling what went wrong (and
 * how to get gnuplot if it is missing).
 */
int plot_write(const char *dir, const struct plot_round *r, unsigned int n, uint64_t pages,
	       uint64_t page_size, uint64_t threshold, const char *title, char *msg,
	       size_t len);

#endif /* VFIOSIM_CMD_PLOT_H */
