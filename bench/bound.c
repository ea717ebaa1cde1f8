// SPDX-License-Identifier: MIT
/*
 * bound.c - the least a GET of a scenario can cost: the same loads and
 * stores any copy-out has to make, done by a minimal loop straight into
 * the user's bitmap (docs/bench.md, "What bounds a layout").
 *
 * Every mapping gets a bitmap of its own, allocated one after the other
 * as the model's are; a mapping with pinned pages has their bits in it.
 * A report walks the mappings in order: a mapping without bits is a
 * stretch of ones (all dirty) or zeros, one with bits is read and shifted
 * into place; where a mapping's first or last word is shared with a hole,
 * the user's word is read and its bits outside the mapping kept.  No
 * simulator, no user-copy layer, no bounce buffer, no restart: what is
 * left is the memory traffic of the layout and a few instructions per
 * mapping, which a copy-out cannot go below.  With "half", whose bits a
 * report forgets, each report is followed by the clear any restart makes,
 * and preceded (untimed) by marking them again and by the model's own
 * marking, as the model's reports are.
 *
 * The simulator reaches the user's memory only by copies, each of which
 * finds where the address lives: a copy-out that needs the user's bits
 * every few words reads them in bulk.  bound_io() measures that: the
 * user's bitmap read into a bounce and written back, a bounce at a time.
 * bound_get_bounced() is the minimal loop as a copy-out in the simulator
 * has to make it: into a bounce, written through the user copies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "host/host.h"
#include "lib/bitmap.h"
#include "type1/strategy.h"

struct bound_map {
	uint64_t first, nbits;		/* in the user's bitmap */
	uint64_t *bits;			/* NULL: nothing marked */
};

struct bound {
	struct scen *s;
	struct bound_map *m;
	unsigned int n;
	uint64_t c;			/* what a mapping without bits reports */
	bool clear;			/* the bits are forgotten after a report */
};

/* "half": runs of 64 pages dirty and 64 clean, counted from the report's first page. */
static void half_fill(struct bound *b)
{
	unsigned int i;
	uint64_t k;

	for (i = 0; i < b->n; i++)
		for (k = 0; k < b->m[i].nbits; k++)
			if (!((b->m[i].first + k) / 64 % 2))
				b->m[i].bits[k / 64] |= 1ULL << (k % 64);
}

static void bound_free(struct bound *b)
{
	unsigned int i;

	for (i = 0; b->m && i < b->n; i++)
		free(b->m[i].bits);
	free(b->m);
	free(b);
}

void *bound_new(struct scen *s)
{
	struct bound *b = calloc(1, sizeof(*b));
	uint64_t pg = s->cfg.page;
	unsigned int i, k;

	if (!b)
		return NULL;
	b->s = s;
	b->n = s->nmaps;
	b->c = s->cfg.density == DENS_ALL ? ~0ULL : 0;
	b->m = calloc(b->n, sizeof(*b->m));
	if (!b->m)
		goto fail;
	for (i = 0; i < b->n; i++) {
		b->m[i].first = (s->maps[i].iova - s->base) / pg;
		b->m[i].nbits = s->maps[i].size / pg;
		if (s->cfg.density != DENS_HALF)
			continue;
		b->m[i].bits = calloc((b->m[i].nbits + 63) / 64 + 1, 8);
		if (!b->m[i].bits)
			goto fail;
	}
	if (s->cfg.density == DENS_HALF) {
		b->clear = true;
		half_fill(b);
	}
	/* The pinned pages come in IOVA order. */
	for (k = 0, i = 0; k < s->npinned; k++) {
		while (i < b->n && s->pinned[k] >= s->maps[i].iova + s->maps[i].size)
			i++;
		if (i == b->n)
			break;
		if (!b->m[i].bits) {
			b->m[i].bits = calloc((b->m[i].nbits + 63) / 64 + 1, 8);
			if (!b->m[i].bits)
				goto fail;
		}
		b->m[i].bits[(s->pinned[k] - s->maps[i].iova) / pg / 64] |=
			1ULL << ((s->pinned[k] - s->maps[i].iova) / pg % 64);
	}
	return b;
fail:
	bound_free(b);
	return NULL;
}

void bound_release(void *ctx)
{
	if (ctx)
		bound_free(ctx);
}

/* Bits [lo, hi) of word w of the user's bitmap become those of v. */
static inline void put_bits(uint64_t *u, uint64_t w, unsigned int lo, unsigned int hi,
			    uint64_t v)
{
	uint64_t m = (~0ULL << lo) & (~0ULL >> (64 - hi));

	u[w] = (u[w] & ~m) | (v & m);
}

/* dst[i] = the words of src shifted up by s (1..63) bits, src[-1] below the first. */
static void shift_words(uint64_t *restrict dst, const uint64_t *restrict src, uint64_t n,
			unsigned int s)
{
	bitmap_shift_words(dst, src, n, s, src[-1] >> (64 - s));
}

int bound_get(void *ctx)
{
	struct bound *b = ctx;
	uint64_t *u = b->s->bitmap;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		const struct bound_map *m = &b->m[i];
		uint64_t w = m->first / 64, end = m->first + m->nbits, lw = (end - 1) / 64;
		unsigned int s = m->first % 64, hi = (unsigned int)((end - 1) % 64) + 1;
		const uint64_t *src = m->bits;

		if (w == lw) {
			put_bits(u, w, s, hi, src ? src[0] << s : b->c);
			continue;
		}
		/* Source word j lands at bit s of user word w + j (and the next). */
		put_bits(u, w, s, 64, src ? src[0] << s : b->c);
		if (!src)
			memset(u + w + 1, (int)(b->c & 0xff), (lw - w - 1) * 8);
		else if (!s)
			memcpy(u + w + 1, src + 1, (lw - w - 1) * 8);
		else
			shift_words(u + w + 1, src + 1, lw - w - 1, s);
		put_bits(u, lw, 0, hi, !src ? b->c :
			 s ? src[lw - w] << s | src[lw - w - 1] >> (64 - s) : src[lw - w]);
		/* The restart: only pinned pages stay dirty, and "half" pins none. */
		if (b->clear)
			memset(m->bits, 0, (lw - w + 1) * 8);
	}
	__asm__ volatile("" : : "r"(u) : "memory");
	return 0;
}

int bound_get_in_get(void *ctx)
{
	struct bound *b = ctx;
	int ret = scen_get_none(b->s);

	return ret ? ret : bound_get(b);
}

int bound_prep(void *ctx)
{
	struct bound *b = ctx;

	half_fill(b);
	/*
	 * The model's reports run after "half" is marked again through the
	 * pin path, which passes over far more memory than the bitmaps: the
	 * minimal loop is timed after the same pass, so that both find the
	 * caches alike.
	 */
	return scen_prep(b->s) ? scen_prep(b->s)(b->s) : 0;
}

/*
 * The minimal loop as the simulator's copy-outs must run it: the user's
 * words are assembled in a bounce of T1_BOUNCE_MAX_WORDS words and written
 * a bounce at a time through the user-copy layer.  Only the first and the
 * last word are read from the user, for their bits outside the mappings:
 * this stands for the layouts whose mappings follow one another (with
 * holes, copy-in-out is the floor of the user copies).
 */
struct bounce {
	struct bound *b;
	uint64_t w0;			/* user word of buf[0] */
	uint64_t valid;			/* words below it were written or read */
	uint64_t buf[T1_BOUNCE_MAX_WORDS];
};

/* buf for user words [x, x + n), n < T1_BOUNCE_MAX_WORDS: the words below x are final. */
static inline int bounce_at(struct bounce *o, uint64_t x, uint64_t n, uint64_t **p)
{
	uint64_t keep;

	if (x + n > o->w0 + T1_BOUNCE_MAX_WORDS) {
		if (host_copy_to_user(o->b->s->h, (uintptr_t)(o->b->s->bitmap + o->w0), o->buf,
				      (x - o->w0) * 8))
			return -EFAULT;
		keep = o->valid > x ? o->valid - x : 0;
		memmove(o->buf, o->buf + (x - o->w0), keep * 8);
		o->w0 = x;
	}
	*p = o->buf + (x - o->w0);
	return 0;
}

/* Bits [lo, hi) of user word x become those of v. */
static inline int bounce_bits(struct bounce *o, uint64_t x, unsigned int lo, unsigned int hi,
			      uint64_t v)
{
	uint64_t *p;
	int ret = bounce_at(o, x, 1, &p);

	if (ret)
		return ret;
	if (x >= o->valid) {
		*p = 0;
		o->valid = x + 1;
	}
	put_bits(p, 0, lo, hi, v);
	return 0;
}

/*
 * Into the bounce, gcc 12 at -O2 expanded memset() and memcpy() of whole
 * words into rep stos and rep movs, which on these sizes (64-word bitmaps)
 * took several times the library's calls and made this loop slower than
 * fast: the copy-out calls the library, and so does this, through
 * pointers gcc cannot see through.
 */
static void *(*volatile lib_memset)(void *, int, size_t) = memset;
static void *(*volatile lib_memcpy)(void *, const void *, size_t) = memcpy;

int bound_get_bounced(void *ctx)
{
	static struct bounce o;
	struct bound *b = ctx;
	uint64_t x, n, *p;
	unsigned int i;
	int ret = 0;

	o.b = b;
	o.w0 = b->n ? b->m[0].first / 64 : 0;
	o.valid = o.w0;
	/* The user's bits below the first mapping; the mappings write all the rest. */
	if (b->n && b->m[0].first % 64) {
		if (host_copy_from_user(b->s->h, o.buf, (uintptr_t)(b->s->bitmap + o.w0), 8))
			return -EFAULT;
		o.valid++;
	}
	for (i = 0; !ret && i < b->n; i++) {
		const struct bound_map *m = &b->m[i];
		uint64_t w = m->first / 64, end = m->first + m->nbits, lw = (end - 1) / 64;
		unsigned int s = m->first % 64, hi = (unsigned int)((end - 1) % 64) + 1;
		const uint64_t *src = m->bits;

		if (w == lw) {
			ret = bounce_bits(&o, w, s, hi, src ? src[0] << s : b->c);
			continue;
		}
		ret = bounce_bits(&o, w, s, 64, src ? src[0] << s : b->c);
		for (x = w + 1; !ret && x < lw; x += n) {
			n = lw - x < T1_BOUNCE_MAX_WORDS / 2 ? lw - x : T1_BOUNCE_MAX_WORDS / 2;
			ret = bounce_at(&o, x, n, &p);
			if (ret)
				break;
			if (!src)
				lib_memset(p, (int)(b->c & 0xff), n * 8);
			else if (!s)
				lib_memcpy(p, src + (x - w), n * 8);
			else
				shift_words(p, src + (x - w), n, s);
			o.valid = x + n;
		}
		if (!ret)
			ret = bounce_bits(&o, lw, 0, hi, !src ? b->c :
					  s ? src[lw - w] << s | src[lw - w - 1] >> (64 - s) :
					  src[lw - w]);
		if (b->clear)
			memset(m->bits, 0, (lw - w + 1) * 8);
	}
	/* ... and those above the last. */
	if (!ret && b->n && (b->m[b->n - 1].first + b->m[b->n - 1].nbits) % 64) {
		unsigned int hi = (b->m[b->n - 1].first + b->m[b->n - 1].nbits) % 64;
		uint64_t u;

		if (host_copy_from_user(b->s->h, &u, (uintptr_t)(b->s->bitmap + o.valid - 1), 8))
			return -EFAULT;
		put_bits(o.buf, o.valid - 1 - o.w0, hi, 64, u);
	}
	if (!ret && host_copy_to_user(b->s->h, (uintptr_t)(b->s->bitmap + o.w0), o.buf,
				      (o.valid - o.w0) * 8))
		ret = -EFAULT;
	return ret;
}

int bound_io(void *ctx)
{
	static uint64_t buf[T1_BOUNCE_MAX_WORDS];
	struct bound *b = ctx;
	uint64_t at, n, words = b->s->bytes / 8, u = (uintptr_t)b->s->bitmap;

	for (at = 0; at < words; at += n) {
		n = words - at < T1_BOUNCE_MAX_WORDS ? words - at : T1_BOUNCE_MAX_WORDS;
		if (host_copy_from_user(b->s->h, buf, u + at * 8, n * 8) ||
		    host_copy_to_user(b->s->h, u + at * 8, buf, n * 8))
			return -EFAULT;
	}
	return 0;
}
