// SPDX-License-Identifier: MIT
/*
 * rbtree.c - red-black rebalancing after the textbook (CLRS) formulation.
 *
 * Each left/right case pair is written once: "dir" names a side and
 * child_slot(n, dir) that child's slot, so the mirror case is the same
 * code with !dir.  Missing children count as black leaves; erase therefore
 * carries the parent of the (possibly absent) node that took the removed
 * place.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/rbtree.h"

#define RB_BLACK	((uintptr_t)1)
/* The tallest tree whose nodes fit in memory: height <= 2 log2(n + 1). */
#define RB_MAX_DEPTH	128

static bool is_red(const struct rb_node *n)
{
	return n && !(n->rb_parent_color & RB_BLACK);
}

static void set_black(struct rb_node *n)
{
	n->rb_parent_color |= RB_BLACK;
}

static void set_red(struct rb_node *n)
{
	n->rb_parent_color &= ~RB_BLACK;
}

static void set_parent(struct rb_node *n, struct rb_node *p)
{
	n->rb_parent_color = (uintptr_t)p | (n->rb_parent_color & RB_BLACK);
}

static struct rb_node **child_slot(struct rb_node *n, int dir)
{
	return dir ? &n->rb_right : &n->rb_left;
}

/* Points whatever referred to old (parent's slot or the root) at new. */
static void replace_child(struct rb_node *old, struct rb_node *new,
			  struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/* Moves n down towards dir; its child on the other side takes its place. */
static void rotate(struct rb_node *n, int dir, struct rb_root *root)
{
	struct rb_node *p = rb_parent(n), *c = *child_slot(n, !dir);
	struct rb_node *inner = *child_slot(c, dir);

	*child_slot(n, !dir) = inner;
	if (inner)
		set_parent(inner, n);
	*child_slot(c, dir) = n;
	set_parent(n, c);
	set_parent(c, p);
	replace_child(n, c, p, root);
}

void rb_insert_color(struct rb_node *n, struct rb_root *root)
{
	struct rb_node *p, *g, *uncle;
	int dir;

	while (is_red(p = rb_parent(n))) {
		/* A red node is never the root, so the grandparent exists. */
		g = rb_parent(p);
		dir = p == g->rb_left;		/* the uncle's side */
		uncle = *child_slot(g, dir);
		if (is_red(uncle)) {
			set_black(p);
			set_black(uncle);
			set_red(g);
			n = g;
			continue;
		}
		if (n == *child_slot(p, dir)) {
			/* Inner grandchild: turn it into the outer case. */
			rotate(p, !dir, root);
			p = n;
		}
		set_black(p);
		set_red(g);
		rotate(g, dir, root);
		break;
	}
	set_black(root->rb_node);
}

/*
 * x (maybe NULL) sits below p where a black node was removed, so paths
 * through x are one black short.  Push the deficit up until a red node
 * can absorb it or a rotation borrows a black from x's sibling.
 */
static void erase_fixup(struct rb_node *x, struct rb_node *p,
			struct rb_root *root)
{
	struct rb_node *sib;
	int dir;

	while (x != root->rb_node && !is_red(x)) {
		dir = x == p->rb_left;		/* the sibling's side */
		sib = *child_slot(p, dir);	/* never NULL: it has black height */
		if (is_red(sib)) {
			set_black(sib);
			set_red(p);
			rotate(p, !dir, root);
			sib = *child_slot(p, dir);
		}
		if (!is_red(sib->rb_left) && !is_red(sib->rb_right)) {
			set_red(sib);
			x = p;
			p = rb_parent(x);
			continue;
		}
		if (!is_red(*child_slot(sib, dir))) {
			/*
			 * Only the near nephew is red: rotate it up to be the
			 * sibling (recoloured below) over a red far nephew.
			 */
			set_red(sib);
			rotate(sib, dir, root);
			sib = *child_slot(p, dir);
		}
		sib->rb_parent_color = (sib->rb_parent_color & ~RB_BLACK) |
				       (p->rb_parent_color & RB_BLACK);
		set_black(p);
		set_black(*child_slot(sib, dir));
		rotate(p, !dir, root);
		return;
	}
	if (x)
		set_black(x);
}

void rb_erase(struct rb_node *z, struct rb_root *root)
{
	struct rb_node *x, *xp, *y;
	bool black;

	if (!z->rb_left || !z->rb_right) {
		x = z->rb_left ? z->rb_left : z->rb_right;
		xp = rb_parent(z);
		black = !is_red(z);
		replace_child(z, x, xp, root);
		if (x)
			set_parent(x, xp);
	} else {
		/* Two children: the successor y leaves its place and takes z's. */
		for (y = z->rb_right; y->rb_left; y = y->rb_left)
			;
		x = y->rb_right;
		black = !is_red(y);
		if (rb_parent(y) == z) {
			xp = y;
		} else {
			xp = rb_parent(y);
			xp->rb_left = x;
			if (x)
				set_parent(x, xp);
			y->rb_right = z->rb_right;
			set_parent(y->rb_right, y);
		}
		y->rb_left = z->rb_left;
		set_parent(y->rb_left, y);
		y->rb_parent_color = z->rb_parent_color;
		replace_child(z, y, rb_parent(z), root);
	}
	if (black)
		erase_fixup(x, xp, root);
}

static struct rb_node *rb_edge(const struct rb_root *root, int dir)
{
	struct rb_node *n = root->rb_node;

	if (n)
		while (*child_slot(n, dir))
			n = *child_slot(n, dir);
	return n;
}

struct rb_node *rb_first(const struct rb_root *root)
{
	return rb_edge(root, 0);
}

struct rb_node *rb_last(const struct rb_root *root)
{
	return rb_edge(root, 1);
}

/* In-order neighbour towards dir (1 = next, 0 = previous). */
static struct rb_node *rb_step(const struct rb_node *cn, int dir)
{
	struct rb_node *n = (struct rb_node *)cn, *p;

	if (*child_slot(n, dir)) {
		for (n = *child_slot(n, dir); *child_slot(n, !dir); n = *child_slot(n, !dir))
			;
		return n;
	}
	/* Climb while we come from the dir side; that parent is done too. */
	while ((p = rb_parent(n)) && n == *child_slot(p, dir))
		n = p;
	return p;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	return rb_step(node, 1);
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	return rb_step(node, 0);
}

struct rb_walk {
	int (*cmp)(const struct rb_node *a, const struct rb_node *b);
	const struct rb_node *prev;
	long count;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3)))
static int rb_fail(struct rb_walk *w, const char *fmt, ...)
{
	va_list ap;

	if (w->why && w->whylen) {
		va_start(ap, fmt);
		vsnprintf(w->why, w->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Returns the black height of the subtree at n (leaves count 1), or -1.
 * Parent links are checked before descending, so a corrupt child pointer
 * back into the tree is reported instead of walked forever; the depth cap
 * bounds the recursion on an acyclic but hopelessly unbalanced shape.
 */
static int rb_check_sub(struct rb_walk *w, const struct rb_node *n,
			const struct rb_node *parent, int depth)
{
	int lh, rh;

	if (!n)
		return 1;
	if (depth > RB_MAX_DEPTH)
		return rb_fail(w, "deeper than %d levels below the root", RB_MAX_DEPTH);
	if (rb_parent(n) != parent)
		return rb_fail(w, "node %p: parent link %p, expected %p",
			       (void *)n, (void *)rb_parent(n), (void *)parent);
	if (n->rb_parent_color & 2)
		return rb_fail(w, "node %p: stray bit 1 in the parent word", (void *)n);
	if (!parent && is_red(n))
		return rb_fail(w, "root %p is red", (void *)n);
	if (is_red(n) && is_red(parent))
		return rb_fail(w, "red node %p has red parent %p", (void *)n, (void *)parent);
	if (n->rb_left && n->rb_left == n->rb_right)
		return rb_fail(w, "node %p: both child links name %p",
			       (void *)n, (void *)n->rb_left);

	lh = rb_check_sub(w, n->rb_left, n, depth + 1);
	if (lh < 0)
		return -1;
	if (w->cmp && w->prev && w->cmp(n, w->prev) < 0)
		return rb_fail(w, "node %p (in-order #%ld) sorts before its predecessor %p",
			       (void *)n, w->count, (void *)w->prev);
	w->prev = n;
	w->count++;
	rh = rb_check_sub(w, n->rb_right, n, depth + 1);
	if (rh < 0)
		return -1;
	if (lh != rh)
		return rb_fail(w, "node %p: black height %d on the left, %d on the right",
			       (void *)n, lh, rh);
	return lh + !is_red(n);
}

long rb_check(const struct rb_root *root,
	      int (*cmp)(const struct rb_node *a, const struct rb_node *b),
	      char *why, size_t whylen)
{
	struct rb_walk w = { .cmp = cmp, .why = why, .whylen = whylen };

	if (why && whylen)
		why[0] = '\0';
	if (rb_check_sub(&w, root->rb_node, NULL, 0) < 0)
		return -1;
	return w.count;
}
