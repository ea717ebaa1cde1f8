// SPDX-License-Identifier: MIT
/*
 * migrate_verdict.c - the verdict of "vfiosim migrate": the destination
 * compared with the source byte for byte, the device states, the oracle.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "migrate.h"

int mig_verdict(struct mig *m)
{
	struct vfiosim_oracle_stats os = { 0 };
	uint64_t p, bad = 0, P = m->g.page_size;
	char why[300];
	int fails = 0;

	printf("\nverdict:\n");
	for (p = 0; p < m->g.pages; p++) {
		const unsigned char *a = mig_page(m->s.h, &m->g, p);
		const unsigned char *b = mig_page(m->dst, &m->g, p);
		uint64_t off;

		if (!memcmp(a, b, P))
			continue;
		if (bad++ >= 8)
			continue;
		for (off = 0; a[off] == b[off]; off++)
			;
		printf("  guest page at IOVA 0x%" PRIx64 " differs from byte 0x%" PRIx64
		       " on: source 0x%02x, destination 0x%02x%s\n", guest_iova(&m->g, p), off,
		       a[off], b[off], p == m->dropped_page ?
		       "\n    (its dirty bit was dropped from the VMM's report, and no later "
		       "report had it)" : "");
	}
	if (bad > 8)
		printf("  ... and %" PRIu64 " more pages\n", bad - 8);
	if (bad) {
		printf("  guest memory: %" PRIu64 " of %" PRIu64 " pages differ: CORRUPT\n", bad,
		       m->g.pages);
		fails++;
	} else {
		printf("  guest memory: %" PRIu64 " pages (%s), all identical\n", m->g.pages,
		       mig_human(m->g.pages * P, why, sizeof(why)));
	}
	if (m->dropped_page != UINT64_MAX && !bad)
		printf("  (the dropped page %s: no harm done)\n", m->dropped_changed ?
		       "was reported again later" : "had not changed since its last copy");
	if (m->dev.vgpu >= 0) {
		int d = migdev_compare(&m->src_dev, &m->dst_dev, why, sizeof(why));

		printf("  vgpu state:   %s%s\n", why, d ? ": CORRUPT" : "");
		fails += d != 0;
	}
	if (m->s.o) {
		vfiosim_oracle_status(m->s.o, &os);
		if (os.missed || os.spurious || os.inexact || os.desync) {
			printf("  oracle:       %s\n", os.first);
			fails++;
		} else {
			printf("  oracle:       %lu reports checked against the ground truth, no "
			       "violation\n", os.reports);
		}
	}
	if (fails)
		printf("FAILED: the destination is not a copy of the source\n");
	else
		printf("OK: the destination is an exact copy of the source\n");
	return fails ? 1 : 0;
}
