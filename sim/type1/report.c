// SPDX-License-Identifier: MIT
/*
 * report.c - how a report's dirty bits reach the user: the copy-out of
 * GET_BITMAP and of UNMAP_DMA with GET_DIRTY_BITMAP (strategy.h).
 *
 * The user's bitmap gives one bit to each page of the range, bit 0 to its
 * first; a mapping's bits land wherever its IOVA puts them, seldom on a
 * 64-bit boundary, and the caller's own bits outside the mappings stay as
 * they were.  Every report keeps the model's promises: a per-mapping
 * bitmap changes only once every copy of the request went through
 * (docs/divergences.md 1 and 2), and a restart leaves no shifted bit
 * behind (5).
 *
 * The fast copy-out walks the mappings once from the first of the range
 * (O(log n) to find it), never writes a mapping's bitmap, assembles the
 * user's words in a bounce buffer across mappings, writes runs of whole
 * words, and notes which mappings a restart has to touch.  The kernel's
 * copy-out repeats Linux 6.12's passes, for comparison.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "type1/dirty.h"
#include "type1/strategy.h"

/*
 * Building with -DT1_COPY_DEFAULT=T1_COPY_KERNEL (or -DT1_BOUNCE_DEFAULT=1)
 * runs every test through another strategy (or the smallest bounce).
 */
#ifndef T1_COPY_DEFAULT
#define T1_COPY_DEFAULT		T1_COPY_FAST
#endif
#ifndef T1_BOUNCE_DEFAULT
#define T1_BOUNCE_DEFAULT	T1_BOUNCE_MAX_WORDS
#endif

static enum t1_copy_strategy t1_strategy = T1_COPY_DEFAULT;
static unsigned int t1_bounce_words = T1_BOUNCE_DEFAULT;

void t1_copy_strategy_set(enum t1_copy_strategy s)
{
	if (s < T1_COPY_NR)
		t1_strategy = s;
}

enum t1_copy_strategy t1_copy_strategy_get(void)
{
	return t1_strategy;
}

const char *t1_copy_strategy_name(enum t1_copy_strategy s)
{
	static const char *const names[T1_COPY_NR] = {
		[T1_COPY_FAST] = "fast",
		[T1_COPY_KERNEL] = "kernel-alg",
	};

	return s < T1_COPY_NR ? names[s] : NULL;
}

void t1_copy_bounce_set(unsigned int words)
{
	if (!words)
		words = T1_BOUNCE_DEFAULT;
	t1_bounce_words = words < T1_BOUNCE_MAX_WORDS ? words : T1_BOUNCE_MAX_WORDS;
}

/* Bits [lo, hi) of a word, for 0 <= lo < hi <= 64. */
static unsigned long t1_word_bits(unsigned int lo, unsigned int hi)
{
	return BITMAP_FIRST_WORD_MASK(lo) & BITMAP_LAST_WORD_MASK(hi);
}

/* A mapping's bits in a report: clipped to its bitmap, WARN beyond it. */
static bool t1_report_nbits(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift,
			    uint64_t *nbits)
{
	*nbits = t1_dirty_nbits(dma, pgshift);
	return t1_dirty_clip(iommu, dma, 0, nbits);
}

/* ------------------------------------------------ the fast copy-out */

/* Mappings a restart may be told about; more, and it walks the tree. */
#define T1_TODO_MAX		1024U
/* Word-aligned stretches of a bitmap this long go out without the bounce. */
#define T1_DIRECT_MIN		512U
/* Shifted stretches of clean words this long are written, not shifted. */
#define T1_SKIP_MIN		64U

/*
 * A report under way: user words are assembled in buf and written in
 * runs.  A run is a stretch of user words every one of which holds bits
 * of some mapping; a gap of at least one whole word ends it, since the
 * user's words between mappings are not written.  Inside a run, the bits
 * between two mappings are the user's own, read from the word that holds
 * them.  Every word in buf is complete except, when end is not on a word
 * boundary, the last one, whose bits from end up are still 0.
 */
struct t1_out {
	struct vfiosim_host *h;
	uint64_t ubitmap;
	uint64_t w0;			/* user word of buf[0] */
	uint64_t end;			/* user bit after the last settled one */
	unsigned int cnt;		/* words in buf */
	unsigned int cap;
	bool run;			/* buf holds a run not written yet */
	unsigned long buf[T1_BOUNCE_MAX_WORDS];
	uint64_t r0;			/* user word of rbuf[0] */
	unsigned int rn;		/* words of rbuf read */
	unsigned long rbuf[2];
	/*
	 * The mappings a restart has to touch, noted on the way so that it
	 * need not walk the tree again.  ntodo past T1_TODO_MAX: too many,
	 * it walks from the first to the last of them.
	 */
	unsigned int ntodo;
	struct t1_dma *first, *last;
	struct t1_dma *todo[T1_TODO_MAX];
};

/*
 * The user's word, as it was before this report: a word is read only
 * before it is written, and only if the report writes it.  A mapping that
 * ends just before the word where the next one starts needs both words:
 * they come in one copy (last is word or word + 1).
 */
static int t1_out_read(struct t1_out *o, uint64_t word, uint64_t last, unsigned long *w)
{
	unsigned long left;

	if (word - o->r0 < o->rn) {
		*w = o->rbuf[word - o->r0];
		return 0;
	}
	left = host_copy_from_user(o->h, o->rbuf, o->ubitmap + word * sizeof(*w),
				   (last - word + 1) * sizeof(*w));
	o->r0 = word;
	o->rn = (unsigned int)(last - word + 1 - (left + sizeof(*w) - 1) / sizeof(*w));
	if (!o->rn)
		return -EFAULT;
	*w = o->rbuf[0];
	return 0;
}

/* Writes the words in buf; the run goes on after them. */
static int t1_out_write(struct t1_out *o)
{
	if (o->cnt && host_copy_to_user(o->h, o->ubitmap + o->w0 * sizeof(o->buf[0]), o->buf,
					o->cnt * sizeof(o->buf[0])))
		return -EFAULT;
	o->w0 += o->cnt;
	o->cnt = 0;
	return 0;
}

/* The user's bits from end up to bit hi of the last word are kept. */
static int t1_out_keep_user(struct t1_out *o, unsigned int hi, uint64_t last)
{
	unsigned int lo = o->end % BITS_PER_LONG;
	unsigned long w;

	if (t1_out_read(o, o->end / BITS_PER_LONG, last, &w))
		return -EFAULT;
	o->buf[o->cnt - 1] |= w & t1_word_bits(lo, hi);
	o->end += hi - lo;
	return 0;
}

static int t1_out_close(struct t1_out *o)
{
	if (!o->run)
		return 0;
	o->run = false;
	if (o->end % BITS_PER_LONG &&
	    t1_out_keep_user(o, BITS_PER_LONG, o->end / BITS_PER_LONG))
		return -EFAULT;
	return t1_out_write(o);
}

/* Settles every bit up to user bit b, where the next mapping starts. */
static int t1_out_seek(struct t1_out *o, uint64_t b)
{
	uint64_t word = b / BITS_PER_LONG, here = o->end / BITS_PER_LONG;
	unsigned long w;
	int ret;

	if (o->run && o->end != b) {
		if (o->end % BITS_PER_LONG &&
		    t1_out_keep_user(o, word == here ? b % BITS_PER_LONG : BITS_PER_LONG,
				     word == here + 1 && b % BITS_PER_LONG ? word : here))
			return -EFAULT;
		if (o->end != b && word != o->end / BITS_PER_LONG) {
			ret = t1_out_close(o);
			if (ret)
				return ret;
		}
	}
	if (!o->run) {
		o->run = true;
		o->w0 = word;
		o->cnt = 0;
		o->end = word * BITS_PER_LONG;
	}
	if (o->end != b) {
		/* b is inside the next word: the bits below it are the user's. */
		if (o->cnt == o->cap) {
			ret = t1_out_write(o);
			if (ret)
				return ret;
		}
		if (t1_out_read(o, word, word, &w))
			return -EFAULT;
		o->buf[o->cnt++] = w & BITMAP_LAST_WORD_MASK(b);
		o->end = b;
	}
	return 0;
}

/* Appends one word, writing out a full buffer first. */
static int t1_out_put(struct t1_out *o, unsigned long w)
{
	int ret;

	if (o->cnt == o->cap) {
		ret = t1_out_write(o);
		if (ret)
			return ret;
	}
	o->buf[o->cnt++] = w;
	return 0;
}

/*
 * n words of a source that is c throughout (0 or ~0).  The first takes
 * the carry; every later one is c whatever the shift, so buffer words
 * still holding c from an earlier refill are not written again.
 */
static int t1_out_const(struct t1_out *o, uint64_t n, unsigned int s, unsigned long *carry,
			unsigned long c)
{
	unsigned int lo = 0, hi = 0, a, b;	/* buf[lo, hi) holds c */
	int ret = t1_out_put(o, s ? c << s | *carry : c);

	if (ret)
		return ret;
	for (n--; n; n -= b - a) {
		if (o->cnt == o->cap) {
			ret = t1_out_write(o);
			if (ret)
				return ret;
		}
		a = o->cnt;
		b = (unsigned int)t1_min_u64(o->cap, a + n);
		if (a < lo)
			memset(o->buf + a, (int)(c & 0xff), ((b < lo ? b : lo) - a) * sizeof(c));
		if (b > hi)
			memset(o->buf + (a > hi ? a : hi), (int)(c & 0xff),
			       (b - (a > hi ? a : hi)) * sizeof(c));
		if (a <= hi && b >= lo) {
			lo = a < lo ? a : lo;
			hi = b > hi ? b : hi;
		} else {
			lo = a;
			hi = b;
		}
		o->cnt = b;
	}
	*carry = s ? c >> (BITS_PER_LONG - s) : 0;
	return 0;
}

/*
 * dst = the n words of src shifted up by s (1..63) bits, carry below;
 * returns the bits pushed out.  Four words a round, each loaded once.
 */
static unsigned long t1_shift_words(unsigned long *restrict dst,
				    const unsigned long *restrict src, uint64_t n, unsigned int s,
				    unsigned long carry)
{
	unsigned int r = BITS_PER_LONG - s;
	uint64_t i = 0;

	for (; i + 4 <= n; i += 4) {
		unsigned long a = src[i], b = src[i + 1], c = src[i + 2], d = src[i + 3];

		dst[i] = a << s | carry;
		dst[i + 1] = b << s | a >> r;
		dst[i + 2] = c << s | b >> r;
		dst[i + 3] = d << s | c >> r;
		carry = d >> r;
	}
	for (; i < n; i++) {
		unsigned long w = src[i];

		dst[i] = w << s | carry;
		carry = w >> r;
	}
	return carry;
}

/* n words of a mapping's bitmap, shifted up by s bits. */
static int t1_out_map(struct t1_out *o, const unsigned long *src, uint64_t n, unsigned int s,
		      unsigned long *carry)
{
	uint64_t m;
	int ret;

	if (!s && n >= T1_DIRECT_MIN) {
		ret = t1_out_write(o);
		if (ret)
			return ret;
		if (host_copy_to_user(o->h, o->ubitmap + o->w0 * sizeof(*src), src,
				      n * sizeof(*src)))
			return -EFAULT;
		o->w0 += n;
		return 0;
	}
	for (; n; n -= m, src += m) {
		unsigned long *dst;

		if (o->cnt == o->cap) {
			ret = t1_out_write(o);
			if (ret)
				return ret;
		}
		m = t1_min_u64(n, o->cap - o->cnt);
		dst = o->buf + o->cnt;
		o->cnt += (unsigned int)m;
		if (s)
			*carry = t1_shift_words(dst, src, m, s, *carry);
		else
			memcpy(dst, src, m * sizeof(*src));
	}
	return 0;
}

/*
 * The first stretch of clean words from word k on (blocks the summary
 * does not mark) at least min words long, or reaching nw: [*lo, *hi), or
 * nw, nw.  Shorter ones are copied with the rest.
 */
static void t1_clean_run(const unsigned long *sum, uint64_t k, uint64_t nw, uint64_t min,
			 uint64_t *lo, uint64_t *hi)
{
	uint64_t nblk = (nw + T1_BLOCK_WORDS - 1) / T1_BLOCK_WORDS, j = k / T1_BLOCK_WORDS, e;

	for (;; j = e) {
		j = t1_find_bit(sum, j, nblk, false);
		if (j == nblk) {
			*lo = *hi = nw;
			return;
		}
		e = t1_find_bit(sum, j + 1, nblk, true);
		if ((e - j) * T1_BLOCK_WORDS >= min || e == nblk)
			break;
	}
	*lo = j * T1_BLOCK_WORDS > k ? j * T1_BLOCK_WORDS : k;
	*hi = t1_min_u64(nw, e * T1_BLOCK_WORDS);
}

/*
 * The same for long stretches only, looked for a summary word at a time:
 * clean runs of whole summary words (T1_WORD_BLOCKS blocks each).
 */
#define T1_WORD_BLOCKS		(BITS_PER_LONG * T1_BLOCK_WORDS)

static void t1_clean_words(const unsigned long *sum, uint64_t k, uint64_t nw, uint64_t *lo,
			   uint64_t *hi)
{
	uint64_t i = (k + T1_WORD_BLOCKS - 1) / T1_WORD_BLOCKS;
	uint64_t n = (nw + T1_WORD_BLOCKS - 1) / T1_WORD_BLOCKS;

	while (i < n && sum[i])
		i++;
	*lo = t1_min_u64(nw, i * T1_WORD_BLOCKS);
	while (i < n && !sum[i])
		i++;
	*hi = t1_min_u64(nw, i * T1_WORD_BLOCKS);
}

/* The mapping's nbits bits (all set when all), from user bit end on. */
static int t1_out_bits(struct t1_out *o, const struct t1_dma *dma, uint64_t nbits, bool all)
{
	unsigned int s = o->end % BITS_PER_LONG;
	uint64_t k, nw = BITS_TO_LONGS(nbits), stop, lo, hi;
	unsigned long carry = 0;
	int ret;

	/* The settled bits of a partial word ride in as the first carry. */
	if (s)
		carry = o->buf[--o->cnt];
	for (k = 0; k < nw; k = stop) {
		if (all || !dma->bitmap_marked) {
			stop = nw;
			ret = t1_out_const(o, nw - k, s, &carry, all ? ~0UL : 0);
		} else {
			/*
			 * Word-aligned bits go out straight from the bitmap,
			 * so only long clean stretches are worth a pass of
			 * their own; shifted ones are cheaper skipped.
			 */
			if (s)
				t1_clean_run(t1_summary(dma), k, nw, T1_SKIP_MIN, &lo, &hi);
			else
				t1_clean_words(t1_summary(dma), k, nw, &lo, &hi);
			if (lo == k) {
				stop = hi;
				ret = t1_out_const(o, hi - k, s, &carry, 0);
			} else {
				/* The last word is masked below: it goes through buf. */
				stop = lo;
				lo -= lo == nw;
				ret = t1_out_map(o, dma->bitmap + k, lo - k, s, &carry);
				if (!ret && lo < stop)
					ret = t1_out_map(o, dma->bitmap + lo, 1, s, &carry);
			}
		}
		if (ret)
			return ret;
	}
	/* The last source word's top bits spill into one more user word. */
	if (s + nbits > nw * BITS_PER_LONG) {
		ret = t1_out_put(o, carry);
		if (ret)
			return ret;
	}
	o->end += nbits;
	if (o->end % BITS_PER_LONG)
		o->buf[o->cnt - 1] &= BITMAP_LAST_WORD_MASK(o->end);
	return 0;
}

/* The fast copy-out of every mapping starting in [iova, last]. */
static int t1_report_fast(struct t1_iommu *iommu, struct t1_out *o, uint64_t ubitmap,
			  uint64_t iova, uint64_t last, unsigned int pgshift)
{
	struct t1_dma *dma, *next;
	uint64_t nbits;
	int ret;

	o->h = iommu->h;
	o->ubitmap = ubitmap;
	o->r0 = 0;
	o->rn = 0;
	o->cap = t1_bounce_words;
	o->run = false;
	o->ntodo = 0;
	o->first = o->last = NULL;
	for (dma = t1_dma_ceil(iommu, iova); dma && dma->iova <= last; dma = next) {
		/* The walk's cache misses overlap with copying this mapping. */
		next = t1_dma_next(dma);
		if (next) {
			__builtin_prefetch(next);
			__builtin_prefetch(&next->bitmap);
		}
		if (t1_dirty_restart_needed(dma, pgshift)) {
			if (o->ntodo < T1_TODO_MAX)
				o->todo[o->ntodo++] = dma;
			else
				o->ntodo = T1_TODO_MAX + 1;
			o->first = o->first ? o->first : dma;
			o->last = dma;
		}
		if (!t1_report_nbits(iommu, dma, pgshift, &nbits))
			continue;
		ret = t1_out_seek(o, t1_shr(dma->iova - iova, pgshift));
		if (!ret)
			ret = t1_out_bits(o, dma, nbits, t1_scope_all_dirty(iommu, dma));
		if (ret)
			return ret;
	}
	return t1_out_close(o);
}

/* ------------------------------------------ the kernel's copy-out */

/* Where a mapping's bits start in the user's bitmap. */
static uint64_t t1_first_bit(const struct t1_dma *dma, uint64_t iova, unsigned int pgshift)
{
	return t1_shr(dma->iova - iova, pgshift);
}

/* Undoes the in-place shift of t1_kcopy(), dropping the user's bits. */
static void t1_unshift(unsigned long *w, uint64_t nwords, unsigned int lead, uint64_t nbits)
{
	uint64_t i, keep = BITS_TO_LONGS(nbits);

	for (i = 0; i < nwords; i++) {
		w[i] >>= lead;
		if (i + 1 < nwords)
			w[i] |= w[i + 1] << (BITS_PER_LONG - lead);
	}
	if (nbits % BITS_PER_LONG)
		w[keep - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	for (i = keep; i < nwords; i++)
		w[i] = 0;
}

/* The bitmap as it was before t1_kcopy() (bar the all-dirty fill). */
static void t1_kcopy_undo(struct t1_dma *dma, uint64_t first, uint64_t nbits)
{
	unsigned int lead = first % BITS_PER_LONG;

	if (lead)
		t1_unshift(dma->bitmap, BITS_TO_LONGS(lead + nbits), lead, nbits);
	else if (nbits % BITS_PER_LONG)
		dma->bitmap[BITS_TO_LONGS(nbits) - 1] &= BITMAP_LAST_WORD_MASK(nbits);
}

/*
 * One mapping as Linux 6.12 copies it: the bitmap is set whole outside
 * the pinned scope, shifted in place onto the user's 64-bit words (the
 * spare word takes the overflow), the user's bits of the two edge words
 * are merged in (the kernel merges only the first; the model keeps the
 * user's bits after the mapping too), and it all goes out in one copy.
 * The bitmap is left shifted: a restart clears it, t1_kcopy_undo() puts
 * it back.  A failed copy undoes itself.
 */
static int t1_kcopy(struct t1_iommu *iommu, uint64_t ubitmap, struct t1_dma *dma,
		    uint64_t first, uint64_t nbits)
{
	struct vfiosim_host *h = iommu->h;
	uint64_t uaddr = ubitmap + first / BITS_PER_LONG * sizeof(uint64_t), nwords;
	unsigned int lead = first % BITS_PER_LONG, tail = (lead + nbits) % BITS_PER_LONG;
	unsigned long head = 0, end = 0, *w = dma->bitmap;

	if (t1_scope_all_dirty(iommu, dma)) {
		bitmap_set(w, 0, nbits);
		t1_summary_set(dma, 0, nbits);
	}
	nwords = BITS_TO_LONGS(lead + nbits);
	if (lead && host_copy_from_user(h, &head, uaddr, sizeof(head)))
		return -EFAULT;
	if (tail && nwords == 1 && lead)
		end = head;
	else if (tail && host_copy_from_user(h, &end, uaddr + (nwords - 1) * sizeof(end),
					     sizeof(end)))
		return -EFAULT;

	if (lead)
		bitmap_shift_left(w, w, lead, (unsigned int)(lead + nbits));
	else if (tail)
		w[nwords - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	w[0] |= head & ~BITMAP_FIRST_WORD_MASK(lead);
	if (tail)
		w[nwords - 1] |= end & BITMAP_FIRST_WORD_MASK(tail);
	/* Bits moved and the user's came in: the summary must cover them. */
	t1_summary_set(dma, 0, nwords * BITS_PER_LONG);
	if (host_copy_to_user(h, uaddr, w, nwords * sizeof(*w))) {
		t1_kcopy_undo(dma, first, nbits);
		return -EFAULT;
	}
	return 0;
}

/* The kernel clears the bits and marks the pinned pages again. */
static void t1_krestart(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
			uint64_t nbits, unsigned int pgshift)
{
	/* All the shifted words: no stale bit may stay (docs/divergences.md 5). */
	memset(dma->bitmap, 0, BITS_TO_LONGS(first % BITS_PER_LONG + nbits) * sizeof(*dma->bitmap));
	t1_summary_clear(dma);
	t1_dirty_mark_pinned(iommu, dma, pgshift);
}

/*
 * A GET walks the tree from its first mapping, as vfio_iova_dirty_bitmap()
 * does; an UNMAP starts at the first mapping of its range.
 */
static int t1_report_kernel(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t last,
			    unsigned int pgshift, bool restart)
{
	struct t1_dma *dma, *start = NULL, *undo;
	uint64_t nbits;
	int ret;

	for (dma = restart ? t1_dma_first(iommu) : t1_dma_ceil(iommu, iova); dma;
	     dma = t1_dma_next(dma)) {
		if (dma->iova < iova)
			continue;
		if (dma->iova > last)
			break;
		if (!start)
			start = dma;
		if (!t1_report_nbits(iommu, dma, pgshift, &nbits))
			continue;
		ret = t1_kcopy(iommu, ubitmap, dma, t1_first_bit(dma, iova, pgshift), nbits);
		if (!ret)
			continue;
		for (undo = start; undo != dma; undo = t1_dma_next(undo))
			if (undo->bitmap)
				t1_kcopy_undo(undo, t1_first_bit(undo, iova, pgshift),
					      t1_min_u64(t1_dirty_nbits(undo, pgshift),
							 undo->bitmap_pages));
		return ret;
	}
	if (!restart)
		return 0;
	for (dma = start; dma && dma->iova <= last; dma = t1_dma_next(dma)) {
		if (!t1_report_nbits(iommu, dma, pgshift, &nbits)) {
			t1_dirty_mark_pinned(iommu, dma, pgshift);
			continue;
		}
		t1_krestart(iommu, dma, t1_first_bit(dma, iova, pgshift), nbits, pgshift);
	}
	return 0;
}

/*
 * Writes the bits of every mapping that starts in [iova, iova + size)
 * into the user's bitmap, whose bit 0 stands for iova.  With restart (a
 * GET) the mappings then start over from their pinned pages; without (an
 * UNMAP) the caller removes them.  Nothing changes before every copy went
 * through: on -EFAULT every bit is still there for the next report.
 */
/* divergence: see docs/divergences.md (1, 2, 5) */
int t1_dirty_report(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t size,
		    uint64_t pgsize, bool restart)
{
	unsigned int pgshift = t1_ffs(pgsize), i;
	uint64_t last = iova + size - 1;
	struct t1_dma *dma;
	struct t1_out o;
	int ret;

	if (t1_strategy == T1_COPY_KERNEL)
		return t1_report_kernel(iommu, ubitmap, iova, last, pgshift, restart);
	ret = t1_report_fast(iommu, &o, ubitmap, iova, last, pgshift);
	if (ret || !restart)
		return ret;
	/* A mapping without bits or pinned pages has nothing to restart. */
	if (o.ntodo <= T1_TODO_MAX) {
		for (i = 0; i < o.ntodo; i++) {
			if (i + 1 < o.ntodo)
				__builtin_prefetch(&o.todo[i + 1]->bitmap);
			t1_dirty_restart(iommu, o.todo[i], pgshift);
		}
		return 0;
	}
	for (dma = o.first; dma; dma = dma == o.last ? NULL : t1_dma_next(dma))
		if (t1_dirty_restart_needed(dma, pgshift))
			t1_dirty_restart(iommu, dma, pgshift);
	return 0;
}

