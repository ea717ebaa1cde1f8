// SPDX-License-Identifier: MIT
/*
 * migrate_plot.c - "vfiosim migrate --plot": each round's pages by what
 * happened to them, and the convergence, drawn by plot.c.
 */
#include <stdio.h>

#include "migrate.h"
#include "plot.h"

void mig_plot(struct mig *m)
{
	struct plot_round pr[MIG_MAX_ROUNDS + 2];
	unsigned int i;
	char msg[600];

	for (i = 0; i < m->nr; i++) {
		snprintf(pr[i].label, sizeof(pr[i].label), "%s", i + 1 < m->nr ? m->r[i].label :
			 "stop-and-copy");
		pr[i].bulk = !i;
		pr[i].reported = m->r[i].reported;
		pr[i].written = m->r[i].written;
		pr[i].cat = m->r[i].cat;
	}
	/* Written or not, msg says where or why not. */
	plot_write(m->opt->plot_dir, pr, m->nr, m->g.pages, m->g.page_size,
		   (uint64_t)(m->opt->downtime_ms * m->pages_per_ms), "vfiosim migrate", msg,
		   sizeof(msg));
	printf("plot: %s\n", msg);
}
