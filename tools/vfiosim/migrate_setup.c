// SPDX-License-Identifier: MIT
/*
 * migrate_setup.c - the source machine of "vfiosim migrate": the setup
 * scenario (embedded default or file), the guest's sections, the
 * destination's memory, which group plays the nic and which the vgpu.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "linux_version.h"
#include "migrate.h"
#include "names.h"
#include "strbuf.h"

char *mig_default_setup(const struct mig_opts *o)
{
	struct strbuf sb = { 0 };
	const char *nic_opts, *provider = mig_provider_setup(o->provider, &nic_opts);
	char g[32], half[32];

	size_str(o->guest, g, sizeof(g));
	size_str(o->guest / 2, half, sizeof(half));
	sb_printf(&sb, "# vfiosim migrate: the source machine (embedded default)\n"
		  "host page-size 4K\n"
		  "mem ram 0x100000000 %s rw\n", g);
	if (o->nic != NIC_NONE)
		sb_printf(&sb, "group nic iommu %s%s\n", nic_opts,
			  o->nic == NIC_PIN ? " has-dma-unmap" : "");
	if (o->vgpu)
		sb_printf(&sb, "group vgpu emulated\n");
	sb_printf(&sb, "container\n");
	if (o->nic != NIC_NONE)
		sb_printf(&sb, "attach nic\n");
	if (o->vgpu)
		sb_printf(&sb, "attach vgpu\n");
	sb_printf(&sb, "set-iommu v2\n%s", provider);
	sb_printf(&sb, "map low 0x0+%s vaddr ram             # guest RAM below 4 GiB\n"
		  "map high 0x100000000+%s vaddr ram+%s   # and above\n", half, half, half);
	return sb.s;
}

/* Sections, destination memory and device roles, from the setup's statements. */
int mig_read_setup(struct mig *m, const struct scenario *sc, const int *gidx)
{
	struct vfiosim_host_config cfg = { .page_size = m->s.page_size };
	unsigned int i;
	uint64_t first = 0;

	m->g.page_size = m->s.page_size;
	m->dev.nic = m->dev.vgpu = -1;
	m->provider = -1;
	m->dst = vfiosim_host_new(&cfg);
	if (!m->dst) {
		snprintf(m->err, sizeof(m->err), "cannot create the destination host");
		return -1;
	}
	for (i = 0; i < sc->nr; i++) {
		const struct stmt *st = &sc->st[i];

		if (st->kind == ST_PROVIDER) {
			m->provider = st->type;
		} else if (st->kind == ST_MEM) {
			vfiosim_mm_map_flags(m->dst, st->r.start, st->r.size, st->prot, 0);
		} else if (st->kind == ST_MAP && (!st->ex || st->ex->kind == EX_OK) &&
			   !(st->flags & VFIO_DMA_MAP_FLAG_VADDR)) {
			struct section *s = &m->g.sec[m->g.nr];

			if (m->g.nr == DEV_MAX_SECTIONS) {
				snprintf(m->err, sizeof(m->err), "at most %d mappings",
					 DEV_MAX_SECTIONS);
				return -1;
			}
			if (st->r.size % m->g.page_size || st->r.start % m->g.page_size) {
				snprintf(m->err, sizeof(m->err), "line %u: a section must be page-"
					 "aligned", st->line);
				return -1;
			}
			snprintf(s->name, sizeof(s->name), "%s", st->name ? st->name : "map");
			s->iova = st->r.start;
			s->size = st->r.size;
			s->vaddr = st->vaddr;
			s->first = first;
			first += s->size / m->g.page_size;
			m->g.nr++;
		} else if (st->kind == ST_GROUP && st->group >= 0 && gidx[st->group] >= 0) {
			if (st->grp.kind == VFIOSIM_GROUP_IOMMU && m->dev.nic < 0) {
				m->dev.nic = gidx[st->group];
				m->dev.nic_pins = st->grp.has_dma_unmap;
			} else if (st->grp.kind == VFIOSIM_GROUP_EMULATED && m->dev.vgpu < 0) {
				m->dev.vgpu = gidx[st->group];
			}
		}
	}
	m->g.pages = first;
	for (i = 0; i < m->g.nr; i++) {
		const struct section *s = &m->g.sec[i];

		if (!vfiosim_mm_ptr(m->s.h, s->vaddr) || !vfiosim_mm_ptr(m->dst, s->vaddr) ||
		    !vfiosim_mm_ptr(m->s.h, s->vaddr + s->size - 1)) {
			snprintf(m->err, sizeof(m->err), "section %s is not in one mem range",
				 s->name);
			return -1;
		}
	}
	if (!m->g.nr) {
		snprintf(m->err, sizeof(m->err), "the setup maps no guest memory");
		return -1;
	}
	if (m->dev.nic < 0 && m->dev.vgpu < 0) {
		snprintf(m->err, sizeof(m->err), "the setup has no device (group)");
		return -1;
	}
	return 0;
}

unsigned char *mig_page(struct vfiosim_host *h, const struct guest *g, uint64_t page)
{
	unsigned int i;

	for (i = 0; i < g->nr; i++) {
		const struct section *s = &g->sec[i];

		if (page >= s->first && page - s->first < s->size / g->page_size)
			return vfiosim_mm_ptr(h, s->vaddr + (page - s->first) * g->page_size);
	}
	return NULL;
}

/* What the guest's CPUs left in memory before the migration began. */
void mig_guest_boot(struct mig *m)
{
	uint64_t p, P = m->g.page_size;

	for (p = 0; p < m->g.pages; p++) {
		unsigned char *b = mig_page(m->s.h, &m->g, p);

		memset(b, (int)(p & 0xff), P);
		memcpy(b, &p, sizeof(p));
	}
}

void mig_describe(const struct mig *m, const struct cmd_env *env)
{
	const struct mig_opts *o = m->opt;
	unsigned int i;
	char a[32], v[16];

	printf("vfiosim migrate (backend %s, Linux %s): a guest of %s in %u section%s:",
	       vfiosim_backend_name_of(env->be), profile_str(m->s.profile, v, sizeof(v)),
	       mig_human(m->g.pages * m->g.page_size, a, sizeof(a)), m->g.nr, m->g.nr == 1 ? "" : "s");
	for (i = 0; i < m->g.nr; i++)
		printf(" %s 0x%" PRIx64 "+%s", m->g.sec[i].name, m->g.sec[i].iova,
		       mig_human(m->g.sec[i].size, a, sizeof(a)));
	printf("\n");
	if (m->dev.nic >= 0 && m->dev.nic_pins)
		printf("  nic:  IOMMU-backed; its driver pins the %u buffers it posts and recycles "
		       "4 a ms,\n        so type1 tracks pinned pages (--iommu-dev dma: it "
		       "does not pin)\n", 64U);
	else if (m->dev.nic >= 0 && m->provider > VFIOSIM_DIRTY_PROVIDER_PINNED)
		printf("  nic:  IOMMU-backed, writes by DMA and never pins; provider %s (a vfiosim "
		       "extension):\n        what it writes is recorded by %s\n",
		       dirty_provider_name((unsigned int)m->provider),
		       m->provider == VFIOSIM_DIRTY_PROVIDER_DEVICE ? "its own tracker" :
		       m->provider == VFIOSIM_DIRTY_PROVIDER_IOMMU ? "its IOMMU's dirty bits" :
		       "its IOMMU's dirty bits, else its own tracker,");
	else if (m->dev.nic >= 0)
		printf("  nic:  IOMMU-backed, writes by DMA and never pins: type1 cannot know "
		       "where,\n        so it reports every mapped page dirty, every round "
		       "(faithful)\n");
	if (m->dev.vgpu >= 0)
		printf("  vgpu: emulated; pins a %" PRIu64 "-page framebuffer, posts completions "
		       "with dma_rw,\n        64 KiB of device state through the v1 migration "
		       "region\n", m->dev.fb_pages);
	printf("  link %.0f MiB/s, devices: %u packets/ms, %u framebuffer pages/ms, seed %"
	       PRIu64 "\n\n", o->bandwidth, m->dev.nic >= 0 ? o->nic_rate : 0,
	       m->dev.vgpu >= 0 ? o->vgpu_rate : 0, o->seed);
}

int mig_load_setup(const struct mig_opts *o, struct scenario **sc)
{
	struct diag d = { 0 };
	char msg[512], *text;
	int err;

	if (o->setup_file) {
		err = scenario_load(o->setup_file, sc, &d);
	} else {
		text = mig_default_setup(o);
		err = scenario_parse("<embedded setup>", text, sc, &d);
		free(text);
	}
	if (err) {
		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "vfiosim migrate: %s\n", msg);
		return -1;
	}
	return 0;
}
