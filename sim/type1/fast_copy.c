// SPDX-License-Identifier: MIT
/*
 * fast_copy.c - the fast copy-out: how a report's dirty bits reach the
 * user (T1_COPY_FAST, strategy.h), for GET_BITMAP and for UNMAP_DMA with
 * GET_DIRTY_BITMAP, and the restart after a GET (fast.h).
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
 * (O(log n) to find it), writes a mapping's bitmap only to restart it,
 * sets each mapping's bits in the user's memory itself where they lie
 * when the host grants the range whole (host_user_window()), else
 * assembles the user's words across mappings in a bounce buffer whose
 * runs of whole words it writes out, and restarts each mapping as soon as
 * its bits are out when nothing can fail after, else notes it for after
 * the walk; a restart that would change nothing (the bitmap holds just
 * the pinned pages, fast_summary.c) is skipped.  The kernel's
 * copy-out, Linux 6.12's passes for comparison, is in kalg_copy.c.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "type1/fast_internal.h"
#include "type1/strategy.h"

/* Building with -DT1_BOUNCE_DEFAULT=1 runs every test through the smallest bounce. */
#ifndef T1_BOUNCE_DEFAULT
#define T1_BOUNCE_DEFAULT	T1_BOUNCE_MAX_WORDS
#endif

static unsigned int t1_bounce_words = T1_BOUNCE_DEFAULT;
/* A build whose default bounce is smaller tests the bounce: never in place. */
static bool t1_in_place = true;
#define T1_IN_PLACE_BUILD	(T1_BOUNCE_DEFAULT == T1_BOUNCE_MAX_WORDS)

void t1_copy_bounce_set(unsigned int words)
{
	if (!words)
		words = T1_BOUNCE_DEFAULT;
	t1_bounce_words = words < T1_BOUNCE_MAX_WORDS ? words : T1_BOUNCE_MAX_WORDS;
}

void t1_copy_in_place_set(bool on)
{
	t1_in_place = on;
}

/* Bits [lo, hi) of a word, for 0 <= lo < hi <= 64. */
static unsigned long t1_word_bits(unsigned int lo, unsigned int hi)
{
	return BITMAP_FIRST_WORD_MASK(lo) & BITMAP_LAST_WORD_MASK(hi);
}

/* Mappings a restart may be told about; more, and it walks the tree. */
#define T1_TODO_MAX		1024U
/* Word-aligned stretches of a bitmap this long go out without the bounce. */
#define T1_DIRECT_MIN		512U
/* Shifted stretches of clean words this long are written, not shifted. */
#define T1_SKIP_MIN		64U
/* User words read at a time where holes cut words (see t1_out_read()). */
#define T1_READ_WORDS		256U
/* Bounce words a fill mark stands for: a 64-byte line. */
#define T1_FILL_LINE		8U
#define T1_FILL_MARKS		(T1_BOUNCE_MAX_WORDS / T1_FILL_LINE)

/*
 * A report under way: user words are assembled in buf and written in
 * runs.  A run is a stretch of user words every one of which holds bits
 * of some mapping; a gap of at least one whole word ends it, since the
 * user's words between mappings are not written.  Inside a run, the bits
 * between two mappings are the user's own, read from the word that holds
 * them.  Every word in buf is complete except, when end is not on a word
 * boundary, the last one, whose bits from end up are still 0.
 *
 * In place (win set), the user's memory itself is a window over every
 * word the report may write (host_user_window()), so that each word is
 * written once, as the kernel's unsafe_put_user() would, and not once
 * into a bounce and again out of it.  No run is kept then: buf is the
 * window, w0 its first word, and each mapping's bits are set where they
 * lie (t1_place_dma()); the user's bits around them need no reading.
 */
struct t1_out {
	struct vfiosim_host *h;
	uint64_t ubitmap;
	uint64_t w0;			/* user word of buf[0] */
	uint64_t end;			/* user bit after the last settled one */
	unsigned int cnt;		/* words in buf */
	unsigned int cap;
	bool run;			/* buf holds a run not written yet */
	unsigned long fill_c;		/* the constant of the last run of them, */
	unsigned long filled[BITS_TO_LONGS(T1_FILL_MARKS)]; /* held by these lines */
	unsigned long *buf;		/* bounce, or the window at w0 */
	unsigned long *win;		/* user words [w0, win_end), or NULL */
	uint64_t win_end;
	unsigned long bounce[T1_BOUNCE_MAX_WORDS];
	uint64_t nwords;		/* user words up to the last written */
	uint64_t r0;			/* user word of rbuf[0] */
	unsigned int rn;		/* words of rbuf read */
	unsigned long rbuf[T1_READ_WORDS];
	/*
	 * The mappings a restart has to touch, noted on the way so that it
	 * need not walk the tree again.  ntodo past T1_TODO_MAX: too many,
	 * it walks from the first to the last of them.
	 */
	unsigned int ntodo;
	/*
	 * Or restarted as soon as its bits are out, while its lines are still
	 * in the cache: when the window lies apart from every bitmap, nothing
	 * can fail after the first restart (t1_report_fast()).
	 */
	bool fuse;
	struct t1_dma *first, *last;
	struct t1_dma *todo[T1_TODO_MAX];
};

/*
 * The bounce remembers which of its lines (T1_FILL_LINE words) still hold
 * fill_c, the constant of the last stretch of ones or zeros written into
 * them: a bounce that cycles through the same constant with a few other
 * words in between (marked mappings among quiet ones, a hole's word) is
 * then filled once, not once per pass.  Words about to hold anything
 * else, buf[a, b), take their lines out of it.
 */
static inline void t1_fill_cut(struct t1_out *o, unsigned int a, unsigned int b)
{
	unsigned int la = a / T1_FILL_LINE, lb = (b - 1) / T1_FILL_LINE;

	if (a >= b)
		return;
	if (la == lb)
		clear_bit(la, o->filled);
	else
		bitmap_clear(o->filled, la, lb - la + 1);
}

static void t1_fill_words(struct t1_out *o, unsigned int a, unsigned int b, unsigned long c)
{
	if (a < b)
		memset(o->buf + a, (int)(c & 0xff), (b - a) * sizeof(c));
}

/*
 * buf[a, b) is to hold c: whole lines that hold it already are left
 * alone, the others written and remembered; a run of all-dirty (or clean)
 * mappings thus fills the bounce once, not once per mapping.
 */
static void t1_fill(struct t1_out *o, unsigned int a, unsigned int b, unsigned long c)
{
	unsigned int la = (a + T1_FILL_LINE - 1) / T1_FILL_LINE, lb = b / T1_FILL_LINE, l, e;

	if (c != o->fill_c) {
		bitmap_zero(o->filled, T1_FILL_MARKS);
		o->fill_c = c;
	}
	if (la >= lb) {
		t1_fill_words(o, a, b, c);
		return;
	}
	t1_fill_words(o, a, la * T1_FILL_LINE, c);
	t1_fill_words(o, lb * T1_FILL_LINE, b, c);
	for (l = (unsigned int)t1_find_bit(o->filled, la, lb, false); l < lb;
	     l = (unsigned int)t1_find_bit(o->filled, e, lb, false)) {
		e = (unsigned int)t1_find_bit(o->filled, l, lb, true);
		t1_fill_words(o, l * T1_FILL_LINE, e * T1_FILL_LINE, c);
		bitmap_set(o->filled, l, e - l);
	}
}

/*
 * The user's word, as it was before this report: a word is read before
 * the report writes it, and only if it does.  A copy costs far more than
 * a few words, so a read takes the words up to T1_READ_WORDS on, within
 * the user's bitmap: with a hole every few hundred bits, one copy serves
 * many.  The words after the one asked for may be unreadable (or never
 * written): a short read keeps what came, and only a word needed and
 * unreadable fails the report.  last (word or word + 1) is a word needed
 * next.
 */
static int t1_out_read(struct t1_out *o, uint64_t word, uint64_t last, unsigned long *w)
{
	uint64_t n = word < o->nwords ? t1_min_u64(T1_READ_WORDS, o->nwords - word) : 0;
	unsigned long left;

	if (word - o->r0 < o->rn) {
		*w = o->rbuf[word - o->r0];
		return 0;
	}
	n = n > last - word ? n : last - word + 1;
	left = host_copy_from_user(o->h, o->rbuf, o->ubitmap + word * sizeof(*w),
				   n * sizeof(*w));
	o->r0 = word;
	o->rn = (unsigned int)(n - (left + sizeof(*w) - 1) / sizeof(*w));
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

/* Room for a word in buf: a full bounce is written out. */
static inline int t1_out_room(struct t1_out *o)
{
	return o->cnt < o->cap ? 0 : t1_out_write(o);
}

/* The user's bits from end up to bit hi of the last word are kept. */
static int t1_out_keep_user(struct t1_out *o, unsigned int hi, uint64_t last)
{
	unsigned int lo = o->end % BITS_PER_LONG;
	unsigned long w;

	if (t1_out_read(o, o->end / BITS_PER_LONG, last, &w))
		return -EFAULT;
	t1_fill_cut(o, o->cnt - 1, o->cnt);
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
		ret = t1_out_room(o);
		if (ret)
			return ret;
		if (t1_out_read(o, word, word, &w))
			return -EFAULT;
		t1_fill_cut(o, o->cnt, o->cnt + 1);
		o->buf[o->cnt++] = w & BITMAP_LAST_WORD_MASK(b);
		o->end = b;
	}
	return 0;
}

/* Appends one word, writing out a full buffer first. */
static int t1_out_put(struct t1_out *o, unsigned long w)
{
	int ret = t1_out_room(o);

	if (ret)
		return ret;
	t1_fill_cut(o, o->cnt, o->cnt + 1);
	o->buf[o->cnt++] = w;
	return 0;
}

/*
 * n words of a source that is c throughout (0 or ~0).  The first takes
 * the carry, and is c too when the carry continues the same constant;
 * every later one is c whatever the shift.
 */
static int t1_out_const(struct t1_out *o, uint64_t n, unsigned int s, unsigned long *carry,
			unsigned long c)
{
	unsigned long first = s ? c << s | *carry : c;
	unsigned int a, b;
	int ret;

	if (first != c) {
		ret = t1_out_put(o, first);
		if (ret)
			return ret;
		n--;
	}
	for (; n; n -= b - a) {
		ret = t1_out_room(o);
		if (ret)
			return ret;
		a = o->cnt;
		b = (unsigned int)t1_min_u64(o->cap, a + n);
		t1_fill(o, a, b, c);
		o->cnt = b;
	}
	*carry = s ? c >> (BITS_PER_LONG - s) : 0;
	return 0;
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

		ret = t1_out_room(o);
		if (ret)
			return ret;
		m = t1_min_u64(n, o->cap - o->cnt);
		t1_fill_cut(o, o->cnt, o->cnt + (unsigned int)m);
		dst = o->buf + o->cnt;
		o->cnt += (unsigned int)m;
		if (s)
			*carry = bitmap_shift_words(dst, src, m, s, *carry);
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

/*
 * From block j on, the first of T1_GAP_BLOCKS clean blocks in a row, or
 * nblk: one look per summary word, since a bitmap whose marked and clean
 * blocks alternate has thousands of short clean runs, not worth a call
 * each.  Blocks past nblk count as clean (so does the next word's start,
 * which at worst makes a shorter run count).
 */
#define T1_GAP_BLOCKS		8U
_Static_assert(!(T1_GAP_BLOCKS & (T1_GAP_BLOCKS - 1)), "found by doubling shifts");

static uint64_t t1_gap_start(const unsigned long *sum, uint64_t j, uint64_t nblk)
{
	unsigned long m;
	unsigned int k;

	for (; j < nblk; j = (j / BITS_PER_LONG + 1) * BITS_PER_LONG) {
		m = ~sum[j / BITS_PER_LONG] & BITMAP_FIRST_WORD_MASK(j);
		if (j / BITS_PER_LONG == (nblk - 1) / BITS_PER_LONG)
			m |= ~BITMAP_LAST_WORD_MASK(nblk);
		/* Bit i stays if blocks i to i + 2k - 1 are clean (bits past 63 are). */
		for (k = 1; k < T1_GAP_BLOCKS; k *= 2)
			m &= m >> k | ~(~0UL >> k);
		if (m)
			return t1_min_u64(nblk, j / BITS_PER_LONG * BITS_PER_LONG +
					  (uint64_t)__builtin_ctzl(m));
	}
	return nblk;
}

/*
 * The mapping's nbits bits (all set when all), from user bit end on; no
 * mapping (a run of quiet ones): nbits clean bits unless all.
 */
static int t1_out_bits(struct t1_out *o, const struct t1_dma *dma, uint64_t nbits, bool all)
{
	unsigned int s = o->end % BITS_PER_LONG;
	uint64_t k = 0, nw = BITS_TO_LONGS(nbits), stop, lo, hi;
	unsigned long carry = 0;
	int ret;

	/* The settled bits of a partial word ride in as the first carry. */
	if (s)
		carry = o->buf[--o->cnt] & BITMAP_LAST_WORD_MASK(s);
	for (; k < nw; k = stop) {
		if (all || !dma || !dma->fast.marked) {
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
	if (o->end % BITS_PER_LONG) {
		t1_fill_cut(o, o->cnt - 1, o->cnt);
		o->buf[o->cnt - 1] &= BITMAP_LAST_WORD_MASK(o->end);
	}
	return 0;
}

/* dma is one a restart has to touch. */
static inline void t1_out_todo(struct t1_out *o, struct t1_dma *dma)
{
	if (o->ntodo < T1_TODO_MAX)
		o->todo[o->ntodo++] = dma;
	else
		o->ntodo = T1_TODO_MAX + 1;
	o->first = o->first ? o->first : dma;
	o->last = dma;
}

/* A mapping a restart has to touch is noted for it. */
static inline void t1_out_note(struct t1_out *o, struct t1_dma *dma, unsigned int pgshift)
{
	if (t1_fast_restart_needed(dma, pgshift))
		t1_out_todo(o, dma);
}

/* A mapping's bits in a report: clipped to its bitmap, WARN beyond it. */
static inline bool t1_report_nbits(struct t1_iommu *iommu, struct t1_dma *dma,
				   unsigned int pgshift, uint64_t *nbits)
{
	*nbits = t1_dirty_nbits(dma, pgshift);
	return t1_dirty_room(dma, *nbits) || t1_dirty_clip(iommu, dma, 0, nbits);
}

/*
 * update_user_bitmap() for one mapping of the walk: noted for the restart
 * if need be, and its bits appended to what goes out.
 */
static inline int t1_out_dma(struct t1_iommu *iommu, struct t1_out *o, struct t1_dma *dma,
			     uint64_t iova, unsigned int pgshift)
{
	uint64_t nbits;
	int ret;

	t1_out_note(o, dma, pgshift);
	if (!t1_report_nbits(iommu, dma, pgshift, &nbits))
		return 0;
	ret = t1_out_seek(o, t1_shr(dma->iova - iova, pgshift));
	if (!ret)
		ret = t1_out_bits(o, dma, nbits, t1_scope_all_dirty(iommu, dma));
	return ret;
}

/*
 * The user words up to the last one the report writes, the end of its
 * last mapping: reading ahead stops there, since what lies beyond may not
 * be the user's bitmap at all.
 */
static uint64_t t1_out_bound(struct t1_iommu *iommu, uint64_t iova, uint64_t last,
			     unsigned int pgshift)
{
	struct t1_dma *dma = t1_dma_floor(iommu, last);
	uint64_t nbits;

	if (!dma || dma->iova < iova || !dma->bitmap)
		return 0;
	nbits = t1_min_u64(t1_dirty_nbits(dma, pgshift), dma->bitmap_pages);
	return BITS_TO_LONGS(t1_shr(dma->iova - iova, pgshift) + nbits);
}

/*
 * The user words from w (the first mapping's) up to the last one the
 * report writes, in place when the host lets them be: one copy's worth of
 * checks and fault injection for the whole report.  Else the bounce.
 * (The user's memory is as aligned as its address: guest ranges start on
 * a page.)
 */
static int t1_out_window(struct t1_out *o, uint64_t w)
{
	int err;

	/* A bitmap off its words' alignment is for the byte-wise copies. */
	if (w >= o->nwords || o->ubitmap % sizeof(*o->win))
		return 0;
	o->win = host_user_window(o->h, o->ubitmap + w * sizeof(*o->win),
				  (o->nwords - w) * sizeof(*o->win), &err);
	o->w0 = w;
	o->win_end = o->nwords;
	return err;
}

/*
 * The window lies apart from every bitmap of the index: no copy can read
 * a bitmap that an earlier one wrote over, nor a restart clear the
 * user's bits (a user pointer into the simulator's memory, which only a
 * permissive host lets through, is the one way there).
 */
static bool t1_out_apart(const struct t1_out *o, struct t1_fast_index *ix)
{
	uintptr_t a = (uintptr_t)o->win, z = (uintptr_t)(o->win + (o->win_end - o->w0));

	return t1_fast_index_apart(ix, a, z);
}

/* Mappings of an index walk fetched ahead of the one being copied. */
#define T1_AHEAD		16

/* An entry that says all a report needs: nothing to read, restart or WARN. */
#define T1_ENT_PLAIN		(T1_ENT_QUIET | T1_ENT_ROOM)

static inline bool t1_ent_plain(const struct t1_dma_ent *e)
{
	return (e->flags & T1_ENT_PLAIN) == T1_ENT_PLAIN;
}

/*
 * The last of the quiet entries from v[i] (which starts at most at last)
 * on that follow it end to end with its flags and start at most at last:
 * the end of its chain, or before the first entry that is not quiet, or
 * the last at most at last.  v[i] has a chain.
 */
static unsigned long t1_quiet_run(const struct t1_fast_index *ix, unsigned long i,
				  uint64_t last)
{
	const struct t1_dma_ent *v = ix->ents;
	unsigned long j = i + v[i].chain, lo, mid;

	j = t1_min_u64(j, find_next_bit(ix->loud, j + 1, i + 1) - 1);
	if (v[j].iova <= last)
		return j;
	/* v[i].iova <= last < v[j].iova */
	for (lo = i; j - lo > 1;) {
		mid = lo + (j - lo) / 2;
		if (v[mid].iova <= last)
			lo = mid;
		else
			j = mid;
	}
	return lo;
}

/* t1_quiet_run(), where a mapping with holes on both sides (a vIOMMU's guest) is answered inline. */
static inline unsigned long t1_quiet_chain(const struct t1_fast_index *ix, unsigned long i,
					   uint64_t last)
{
	return ix->ents[i].chain ? t1_quiet_run(ix, i, last) : i;
}

/*
 * Bits [lo, hi) of the words in buf (user bits, buf[0] at user word w0)
 * become c.  Indexes are taken relative to w0 before buf is indexed: a
 * pointer buf - w0 would point outside the array, which C does not allow.
 */
static inline void t1_buf_bits(struct t1_out *o, uint64_t lo, uint64_t hi, unsigned long c)
{
	uint64_t a = lo / BITS_PER_LONG - o->w0, b = (hi - 1) / BITS_PER_LONG - o->w0;
	unsigned long *w = o->buf;
	unsigned long m;

	if (a == b) {
		m = t1_word_bits(lo % BITS_PER_LONG, (unsigned int)((hi - 1) % BITS_PER_LONG) + 1);
		w[a] = (w[a] & ~m) | (c & m);
		return;
	}
	m = BITMAP_FIRST_WORD_MASK(lo);
	w[a] = (w[a] & ~m) | (c & m);
	if (b > a + 1)
		memset(w + a + 1, (int)(c & 0xff), (b - a - 1) * sizeof(c));
	m = BITMAP_LAST_WORD_MASK(hi);
	w[b] = (w[b] & ~m) | (c & m);
}

/*
 * In place (o->win set), a report is each mapping's bits set where they
 * lie in the user's words, as the kernel's unsafe_put_user() would set
 * them: the bits around a mapping's (a gap's, and those past the last
 * mapping's) are the user's already, and are neither read nor written.
 * buf is the window and w0 its first word, for t1_buf_bits().
 */

/*
 * The nw words of a marked bitmap shifted up by s bits into dst, carry
 * below the first, along its block summary: zeros (after the carry) for
 * its clean stretches of T1_GAP_BLOCKS blocks or more and the one it ends
 * with, everything else shifted or copied, since a clean stretch costs a
 * write of zeros where copying it would read the bitmap too.  (Through
 * the bounce, skipping blocks was slower.)  Returns what the last word
 * shifts out.  With take (src, writable), each stretch read is cleared
 * while its lines are in the cache.  Always inlined, so that each of the
 * two callers below gets loops without the take test.
 */
__attribute__((always_inline))
static inline unsigned long t1_blocks_out(unsigned long *restrict dst, const unsigned long *src,
					  const unsigned long *sum, uint64_t nw, unsigned int s,
					  unsigned long carry, unsigned long *take)
{
	uint64_t nblk = (nw + T1_BLOCK_WORDS - 1) / T1_BLOCK_WORDS, k, lo, hi, j;

	for (k = 0; k < nw; k = hi) {
		j = t1_gap_start(sum, k / T1_BLOCK_WORDS, nblk);
		lo = t1_min_u64(nw, j * T1_BLOCK_WORDS);
		hi = lo == nw ? nw : t1_min_u64(nw, t1_find_bit(sum, j, nblk, true) * T1_BLOCK_WORDS);
		if (s)
			carry = bitmap_shift_out(dst + k, src + k, take ? take + k : NULL, lo - k, s,
						 carry);
		else
			memcpy(dst + k, src + k, (lo - k) * sizeof(*dst));
		if (take && !s)
			memset(take + k, 0, (lo - k) * sizeof(*take));
		if (lo < hi) {
			dst[lo] = carry;
			memset(dst + lo + 1, 0, (hi - lo - 1) * sizeof(*dst));
			carry = 0;
		}
	}
	return carry;
}

static unsigned long t1_place_blocks(unsigned long *restrict dst, const unsigned long *src,
				     const unsigned long *sum, uint64_t nw, unsigned int s,
				     unsigned long carry)
{
	return t1_blocks_out(dst, src, sum, nw, s, carry, NULL);
}

static unsigned long t1_take_blocks(unsigned long *restrict dst, unsigned long *src,
				    const unsigned long *sum, uint64_t nw, unsigned int s,
				    unsigned long carry)
{
	return t1_blocks_out(dst, src, sum, nw, s, carry, src);
}

/* Whether user bits [lo, hi) are in the window: they are unless there is a bug. */
static inline bool t1_place_fits(const struct t1_out *o, uint64_t lo, uint64_t hi)
{
	return lo < hi && lo / BITS_PER_LONG >= o->w0 && (hi - 1) / BITS_PER_LONG < o->win_end;
}

/*
 * User bits [b, b + nbits) become those of a mapping's bitmap src, whose
 * block summary is sum.  A bitmap the window overlaps (a user pointer
 * into the simulator's own memory, which only a permissive host lets
 * through) is refused before anything is written: copying a bitmap over
 * itself is no report.  With take (src, the window known to lie apart from
 * it), src is cleared as it goes out.
 */
static int t1_place_map(struct t1_out *o, const unsigned long *src, const unsigned long *sum,
			uint64_t b, uint64_t nbits, unsigned long *take)
{
	uint64_t a = b / BITS_PER_LONG - o->w0, z = (b + nbits - 1) / BITS_PER_LONG - o->w0;
	uint64_t nw = BITS_TO_LONGS(nbits);
	unsigned int s = b % BITS_PER_LONG;
	unsigned long *u = o->win, m = BITMAP_LAST_WORD_MASK(b + nbits), keep, carry;

	if (!t1_place_fits(o, b, b + nbits) ||
	    (!take && (uintptr_t)src < (uintptr_t)(u + (o->win_end - o->w0)) &&
	     (uintptr_t)u < (uintptr_t)(src + nw)))
		return -EFAULT;
	keep = u[z] & ~m;
	carry = s ? u[a] & BITMAP_LAST_WORD_MASK(s) : 0;
	carry = take ? t1_take_blocks(u + a, take, sum, nw, s, carry) :
		       t1_place_blocks(u + a, src, sum, nw, s, carry);
	/* The last source word's top bits spill into one more user word. */
	if (z == a + nw)
		u[z] = carry;
	u[z] = (u[z] & m) | keep;
	return 0;
}

/* User bits [lo, hi) become c, 0 or ~0. */
static int t1_place_const(struct t1_out *o, uint64_t lo, uint64_t hi, unsigned long c)
{
	if (!t1_place_fits(o, lo, hi))
		return -EFAULT;
	t1_buf_bits(o, lo, hi, c);
	return 0;
}

/* update_user_bitmap() for one mapping, in place. */
static inline int t1_place_dma(struct t1_iommu *iommu, struct t1_out *o, struct t1_dma *dma,
			       uint64_t iova, unsigned int pgshift)
{
	uint64_t nbits, b;
	bool all;

	t1_out_note(o, dma, pgshift);
	if (!t1_report_nbits(iommu, dma, pgshift, &nbits))
		return 0;
	b = t1_shr(dma->iova - iova, pgshift);
	all = t1_scope_all_dirty(iommu, dma);
	if (all || !dma->fast.marked)
		return t1_place_const(o, b, b + nbits, all ? ~0UL : 0);
	return t1_place_map(o, dma->bitmap, t1_summary(dma), b, nbits, NULL);
}

/*
 * t1_place_map() and the restart together, for a mapping without pinned
 * pages while the window lies apart from every bitmap (o->fuse): the
 * bitmap is cleared as it goes out, while its lines are in the cache, and
 * what the restart notes is written from the entry: nothing of the
 * mapping is read, so no mapping's line holds the walk up.  The bitmap is
 * then empty, which is exactly its pinned pages' bits.
 */
static int t1_place_take(struct t1_iommu *iommu, struct t1_out *o, struct t1_dma_ent *e,
			 uint64_t b)
{
	struct t1_fast_index *ix = &iommu->dma_index;
	uint64_t words = (uint64_t)(e->sum - e->bitmap);
	int ret = t1_place_map(o, e->bitmap, e->sum, b, e->nbits, e->bitmap);

	if (ret)
		return ret;
	/* No bit lies past the mapping's (t1_fast_check()): the summary is all there is left. */
	bitmap_zero(e->sum, (words + T1_BLOCK_WORDS - 1) / T1_BLOCK_WORDS);
	e->dma->fast.marked = false;
	e->dma->fast.exact = true;
	e->flags |= T1_ENT_QUIET | T1_ENT_EXACT;
	clear_bit((unsigned long)(e - ix->ents), ix->loud);
	return 0;
}

/* In place, at the index's page shift, a mapping with room for its bits is read from its entry. */
static inline bool t1_ent_readable(const struct t1_out *o, bool plain, const struct t1_dma_ent *e)
{
	return o->win && plain && (e->flags & T1_ENT_ROOM);
}

/*
 * A mapping that is not quiet but has room for its bits, placed from its
 * entry alone (the index's page shift): all dirty, or its bitmap read
 * along its summary (all zeros when nothing is marked).  Then, unless a
 * restart would change nothing, restarted at once (o->fuse) or noted.
 */
static inline int t1_place_ent(struct t1_iommu *iommu, struct t1_out *o, struct t1_dma_ent *e,
			       uint64_t iova, unsigned int pgshift, bool outside)
{
	uint64_t b = t1_shr(e->iova - iova, pgshift);
	int ret;

	if (outside && (e->flags & T1_ENT_MAPPED))
		ret = t1_place_const(o, b, b + e->nbits, ~0UL);
	else if (o->fuse && !(e->flags & (T1_ENT_EXACT | T1_ENT_PINNED)))
		return t1_place_take(iommu, o, e, b);
	else
		ret = t1_place_map(o, e->bitmap, e->sum, b, e->nbits, NULL);
	if (ret || (e->flags & T1_ENT_EXACT))
		return ret;
	if (o->fuse)
		t1_fast_restart(iommu, e->dma, pgshift);
	else
		t1_out_todo(o, e->dma);
	return 0;
}

/*
 * Quiet mappings from v[*i] on that follow one another end to end, all
 * reported dirty or none (t1_quiet_chain()): one stretch of ones or
 * zeros, in place.  *i is left on the last.
 */
static int t1_place_quiet(struct t1_iommu *iommu, struct t1_out *o, const struct t1_dma_ent *v,
			  unsigned long *i, uint64_t iova, uint64_t last, unsigned int pgshift)
{
	unsigned long j = t1_quiet_chain(&iommu->dma_index, *i, last);
	uint64_t b0 = t1_shr(v[*i].iova - iova, pgshift);
	bool all = t1_scope_outside(iommu) && (v[*i].flags & T1_ENT_MAPPED);

	*i = j;
	return t1_place_const(o, b0, t1_shr(v[j].iova - iova, pgshift) + v[j].nbits,
			      all ? ~0UL : 0);
}

/*
 * Through the bounce, the user's words from b0's to last read into it in
 * one copy, the bits of the partial word below b0 kept: false (nothing
 * changed) on a short read.
 */
static bool t1_out_fetch(struct t1_out *o, uint64_t b0, uint64_t last)
{
	uint64_t w = b0 / BITS_PER_LONG;
	unsigned int at = (unsigned int)(w - o->w0);
	unsigned long keep = 0;

	if (b0 % BITS_PER_LONG)
		keep = o->buf[at] & BITMAP_LAST_WORD_MASK(b0);
	t1_fill_cut(o, at, (unsigned int)(last - o->w0) + 1);
	if (host_copy_from_user(o->h, o->buf + at, o->ubitmap + w * sizeof(o->buf[0]),
				(last - w + 1) * sizeof(o->buf[0]))) {
		if (b0 % BITS_PER_LONG)
			o->buf[at] = keep;
		return false;
	}
	if (b0 % BITS_PER_LONG)
		o->buf[at] = keep | (o->buf[at] & BITMAP_FIRST_WORD_MASK(b0));
	return true;
}

/*
 * A stretch of quiet mappings parted by gaps (t1_out_quiet()), bits
 * [b0, end) of the user's bitmap, all of whose words fit in the bounce:
 * the user's words are read into the bounce in one copy, and the
 * mappings' bits set to c over them, which leaves the gaps' bits the
 * user's.  One read of the whole stretch costs less than reading ahead
 * piecemeal where holes come every few words.  Every word read is
 * written.  1: not done (a short read; nothing of it is kept), the
 * caller fills and patches instead; 0 done; -errno.
 */
static int t1_out_gappy(struct t1_out *o, uint64_t b0, uint64_t end, const uint64_t (*gap)[2],
			unsigned int ngaps, unsigned long c)
{
	uint64_t last = (end - 1) / BITS_PER_LONG, lo = b0;
	unsigned int g;

	if (!ngaps || !t1_out_fetch(o, b0, last))
		return 1;
	for (g = 0; g < ngaps; g++) {
		t1_buf_bits(o, lo, gap[g][0], c);
		lo = gap[g][1];
	}
	t1_buf_bits(o, lo, end, c);
	/* Past the stretch, the last word's bits are not settled yet: 0. */
	if (end % BITS_PER_LONG)
		o->buf[last - o->w0] &= BITMAP_LAST_WORD_MASK(end);
	o->cnt = (unsigned int)(last - o->w0) + 1;
	o->end = end;
	return 0;
}

/* Gaps between quiet mappings whose bits one fill covers, patched after it. */
#define T1_GAPS			64U

/*
 * Quiet mappings from v[*i] on, all reported dirty or none, whose bits
 * follow one another in the user's bitmap or are parted by gaps without a
 * whole word: one stretch of ones or zeros, placed from the entries
 * alone; the user's bits in the gaps are put back into its words after.
 * A stretch with gaps ends where the bounce does, so that the words are
 * still there to patch.  *i is left on the last.
 */
static int t1_out_quiet(struct t1_iommu *iommu, struct t1_out *o, const struct t1_dma_ent *v,
			unsigned long n, unsigned long *i, uint64_t iova, uint64_t last,
			unsigned int pgshift)
{
	/* Whether a mapping is in the IOMMU matters only outside the pinned scope. */
	unsigned int mask = T1_ENT_PLAIN | (t1_scope_outside(iommu) ? T1_ENT_MAPPED : 0);
	unsigned int want = v[*i].flags & mask, ngaps = 0, g;
	uint64_t b0 = t1_shr(v[*i].iova - iova, pgshift), end, next, w, room;
	uint64_t gap[T1_GAPS][2];
	unsigned long j = t1_quiet_chain(&iommu->dma_index, *i, last), k;
	unsigned long u;
	int ret;

	end = t1_shr(v[j].iova - iova, pgshift) + v[j].nbits;
	ret = t1_out_seek(o, b0);
	if (ret)
		return ret;
	/* Words a stretch with gaps may reach, from w0 (the user word of buf[0]) on. */
	room = o->cap;
	for (k = j + 1; ngaps < T1_GAPS && k < n && v[k].iova <= last &&
	     (v[k].flags & mask) == want; k = j + 1) {
		next = t1_shr(v[k].iova - iova, pgshift);
		/* A whole word between them ends the run (and the stretch). */
		if (next < end || (end + BITS_PER_LONG - 1) / BITS_PER_LONG * BITS_PER_LONG +
		    BITS_PER_LONG <= next)
			break;
		j = t1_quiet_chain(&iommu->dma_index, k, last);
		w = t1_shr(v[j].iova - iova, pgshift) + v[j].nbits;
		if ((w - 1) / BITS_PER_LONG - o->w0 >= room) {
			j = k - 1;
			break;
		}
		if (next > end) {
			gap[ngaps][0] = end;
			gap[ngaps++][1] = next;
		}
		end = w;
	}
	*i = j;
	ret = t1_out_gappy(o, b0, end, gap, ngaps, want & T1_ENT_MAPPED ? ~0UL : 0);
	if (ret <= 0)
		return ret;
	ret = t1_out_bits(o, NULL, end - b0, want & T1_ENT_MAPPED);
	for (g = 0; !ret && g < ngaps; g++) {
		for (w = gap[g][0] / BITS_PER_LONG; w <= (gap[g][1] - 1) / BITS_PER_LONG; w++) {
			unsigned int lo = w == gap[g][0] / BITS_PER_LONG ?
					  gap[g][0] % BITS_PER_LONG : 0;
			unsigned int hi = w == (gap[g][1] - 1) / BITS_PER_LONG ?
					  (gap[g][1] - 1) % BITS_PER_LONG + 1 : BITS_PER_LONG;
			unsigned long m = t1_word_bits(lo, hi);
			unsigned int at = (unsigned int)(w - o->w0);

			ret = t1_out_read(o, w, w, &u);
			if (ret)
				break;
			t1_fill_cut(o, at, at + 1);
			o->buf[at] = (o->buf[at] & ~m) | (u & m);
		}
	}
	return ret;
}

/*
 * The walk of vfio_iova_dirty_bitmap() (GET) or vfio_dma_do_unmap()
 * (UNMAP) as the fast copy-out makes it, over every mapping starting in
 * [iova, last]: from the first of them, along the index when there is one
 * (a GET builds it, an UNMAP, which changes the tree, takes it only when
 * it is up to date), else along the tree.  Along the index, quiet mappings
 * are placed from their entries; only the others are read.
 */
static int t1_report_fast(struct t1_iommu *iommu, struct t1_out *o, uint64_t ubitmap,
			  uint64_t iova, uint64_t size, unsigned int pgshift, bool restart)
{
	struct t1_dma *dma = t1_dma_ceil(iommu, iova), *next;
	uint64_t last = iova + size - 1;
	struct t1_dma_ent *v = NULL;
	unsigned long i, n = 0;
	bool plain, outside, readable;
	int ret;

	o->h = iommu->h;
	o->ubitmap = ubitmap;
	o->nwords = t1_out_bound(iommu, iova, last, pgshift);
	o->r0 = 0;
	o->rn = 0;
	o->cap = t1_bounce_words;
	o->run = false;
	o->fill_c = 0;
	bitmap_zero(o->filled, T1_FILL_MARKS);
	o->ntodo = 0;
	o->fuse = false;
	o->first = o->last = NULL;
	o->buf = o->bounce;
	o->win = NULL;
	if (T1_IN_PLACE_BUILD && t1_in_place && dma && dma->iova <= last) {
		ret = t1_out_window(o, t1_shr(dma->iova - iova, pgshift) / BITS_PER_LONG);
		if (ret)
			return ret;
		if (o->win)
			o->buf = o->win;
	}
	if (dma && (restart || iommu->dma_index.ok))
		v = t1_fast_index(iommu, &n);
	if (v) {
		/* Entries count bits in the index's page size: this one, or none plain. */
		plain = pgshift == iommu->dma_index.shift;
		o->fuse = restart && o->win && t1_out_apart(o, &iommu->dma_index);
		outside = t1_scope_outside(iommu);
		/*
		 * In place, every mapping with room is read through its entry and
		 * needs no prefetch: a look T1_AHEAD entries ahead at every step,
		 * a wait for a line of entries, cost 5-7 % of a report of 4096
		 * mappings with holes, more than the rare mapping without room
		 * (a WARN) would gain from it.
		 */
		readable = o->win && plain;
		for (i = dma->fast.index_pos; i < n; i++) {
			const struct t1_dma_ent *ahead = v + (i + T1_AHEAD < n ? i + T1_AHEAD : i);

			if (!readable && !t1_ent_plain(ahead)) {
				/* What a report reads may straddle two cache lines. */
				__builtin_prefetch(&ahead->dma->iova);
				__builtin_prefetch(&ahead->dma->fast);
			}
			if (v[i].iova > last)
				break;
			if (plain && t1_ent_plain(&v[i]))
				ret = o->win ? t1_place_quiet(iommu, o, v, &i, iova, last, pgshift) :
				      t1_out_quiet(iommu, o, v, n, &i, iova, last, pgshift);
			else if (t1_ent_readable(o, plain, &v[i]))
				ret = t1_place_ent(iommu, o, &v[i], iova, pgshift, outside);
			else if (o->win)
				ret = t1_place_dma(iommu, o, v[i].dma, iova, pgshift);
			else
				ret = t1_out_dma(iommu, o, v[i].dma, iova, pgshift);
			if (ret)
				return ret;
		}
		return t1_out_close(o);
	}
	for (; dma && dma->iova <= last; dma = next) {
		/* The walk's cache misses overlap with copying this mapping. */
		next = t1_dma_next(dma);
		if (next) {
			__builtin_prefetch(&next->iova);
			__builtin_prefetch(&next->fast);
		}
		ret = o->win ? t1_place_dma(iommu, o, dma, iova, pgshift) :
		      t1_out_dma(iommu, o, dma, iova, pgshift);
		if (ret)
			return ret;
	}
	return t1_out_close(o);
}

/* divergence: see docs/divergences.md (1, 2, 5) */
int t1_fast_report(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t size,
		   unsigned int pgshift, bool restart)
{
	struct t1_dma *dma;
	struct t1_out o;
	unsigned int i;
	int ret;

	ret = t1_report_fast(iommu, &o, ubitmap, iova, size, pgshift, restart);
	if (ret || !restart)
		return ret;
	/* A mapping without bits or pinned pages has nothing to restart. */
	if (o.ntodo <= T1_TODO_MAX) {
		for (i = 0; i < o.ntodo; i++) {
			if (i + 1 < o.ntodo)
				__builtin_prefetch(&o.todo[i + 1]->bitmap);
			t1_fast_restart(iommu, o.todo[i], pgshift);
		}
		return 0;
	}
	for (dma = o.first; dma; dma = dma == o.last ? NULL : t1_dma_next(dma))
		if (t1_fast_restart_needed(dma, pgshift))
			t1_fast_restart(iommu, dma, pgshift);
	return 0;
}
