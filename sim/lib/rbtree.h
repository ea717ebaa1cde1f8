/* SPDX-License-Identifier: MIT */
/*
 * rbtree.h - an intrusive red-black tree with the kernel's interface shape:
 * callers walk down to a link themselves, rb_link_node() the new node there,
 * then rb_insert_color() rebalances.  The colour lives in the low bit of the
 * parent pointer, so a node costs three pointers.
 */
#ifndef VFIOSIM_RBTREE_H
#define VFIOSIM_RBTREE_H

#include <stddef.h>
#include <stdint.h>

struct rb_node {
	uintptr_t rb_parent_color;	/* parent pointer | colour (1 = black) */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT			((struct rb_root){ NULL })
#define RB_EMPTY_ROOT(root)	((root)->rb_node == NULL)
#define rb_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define rb_entry_safe(ptr, type, member) \
	((ptr) ? rb_entry(ptr, type, member) : NULL)

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->rb_parent_color & ~(uintptr_t)3);
}

/* Hangs node below parent at *link, red; rb_insert_color() must follow. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->rb_parent_color = (uintptr_t)parent;
	node->rb_left = node->rb_right = NULL;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);

/*
 * The walks of a tree kept in the order of a key.  cmp(key, n) is < 0 when
 * key sorts before node n, > 0 when after it, 0 when n is what key names
 * (in a tree of disjoint ranges: n's range holds key).  They are inline so
 * that the compiler sees through cmp, as it did through the loops each
 * caller used to write.
 */
typedef int rb_cmp_fn(const void *key, const struct rb_node *n);

/* A node key names, or NULL. */
static inline struct rb_node *rb_find(const void *key, const struct rb_root *root,
				      rb_cmp_fn *cmp)
{
	struct rb_node *n = root->rb_node;

	while (n) {
		int c = cmp(key, n);

		if (!c)
			return n;
		n = c < 0 ? n->rb_left : n->rb_right;
	}
	return NULL;
}

/* The first node key does not sort after (cmp(key, n) <= 0), or NULL. */
static inline struct rb_node *rb_find_ceil(const void *key, const struct rb_root *root,
					   rb_cmp_fn *cmp)
{
	struct rb_node *n = root->rb_node, *best = NULL;

	while (n) {
		if (cmp(key, n) <= 0) {
			best = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

/* The last node key does not sort before (cmp(key, n) >= 0), or NULL. */
static inline struct rb_node *rb_find_floor(const void *key, const struct rb_root *root,
					    rb_cmp_fn *cmp)
{
	struct rb_node *n = root->rb_node, *best = NULL;

	while (n) {
		if (cmp(key, n) >= 0) {
			best = n;
			n = n->rb_right;
		} else {
			n = n->rb_left;
		}
	}
	return best;
}

/*
 * Links node after every node it does not sort before (less(node, n)
 * false), so equal keys keep their order of arrival, and rebalances.
 */
static inline void rb_add(struct rb_node *node, struct rb_root *root,
			  int (*less)(const struct rb_node *a, const struct rb_node *b))
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = less(node, parent) ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, root);
}

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/*
 * Verifies the red-black properties and parent links: root black, no red
 * node with a red child, equal black height on every path, each child's
 * parent pointer naming its parent.  If cmp is given, it must return < 0
 * when a sorts strictly before b; in-order neighbours are checked with it.
 * Returns the node count, or -1 with a reason written to why (if not NULL).
 */
long rb_check(const struct rb_root *root,
	      int (*cmp)(const struct rb_node *a, const struct rb_node *b),
	      char *why, size_t whylen);

#endif /* VFIOSIM_RBTREE_H */
