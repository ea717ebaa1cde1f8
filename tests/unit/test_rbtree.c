// SPDX-License-Identifier: MIT
/*
 * test_rbtree.c - lib/rbtree against a sorted shadow array.
 *
 * After every insert or erase the tree must pass rb_check() with the
 * expected node count, and both in-order walks must visit exactly the
 * shadow's nodes in order.  The shadow orders by (key, insertion number):
 * equal keys are linked to the right, so they must stay in insertion
 * order through every rotation.  Corruption tests break a valid tree by
 * hand and require rb_check() to notice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/rand.h"
#include "lib/rbtree.h"

#define CAPACITY	4096

struct item {
	struct rb_node node;
	long key;
	unsigned long seq;	/* insertion number, orders equal keys */
};

struct fixture {
	struct rb_root root;
	struct item *pool;	/* every item handed out since the last reset */
	size_t used;
	struct item **shadow;	/* the items in the tree, sorted by (key, seq) */
	size_t n;
	uint64_t rng;
};

/* Chosen once in main() and given to every test, so any one replays alone. */
static uint64_t seed;

static struct item *item_of(const struct rb_node *n)
{
	return rb_entry(n, struct item, node);
}

static int cmp_key(const struct rb_node *a, const struct rb_node *b)
{
	long ka = item_of(a)->key, kb = item_of(b)->key;

	return (ka > kb) - (ka < kb);
}

static int cmp_key_seq(const struct rb_node *a, const struct rb_node *b)
{
	int c = cmp_key(a, b);

	if (c)
		return c;
	return (item_of(a)->seq > item_of(b)->seq) - (item_of(a)->seq < item_of(b)->seq);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->pool = calloc(CAPACITY, sizeof(*f->pool));
	f->shadow = calloc(CAPACITY, sizeof(*f->shadow));
	if (!f->pool || !f->shadow) {
		free(f->pool);
		free(f->shadow);
		free(f);
		return -1;
	}
	f->root = RB_ROOT;
	f->rng = seed;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->pool);
	free(f->shadow);
	free(f);
	return 0;
}

static void reset(struct fixture *f)
{
	f->root = RB_ROOT;
	f->used = 0;
	f->n = 0;
}

/* Inserts a fresh item with this key, equal keys going to the right. */
static struct item *insert(struct fixture *f, long key)
{
	struct rb_node **link = &f->root.rb_node, *parent = NULL;
	struct item *it;
	size_t lo = 0, hi = f->n, mid;

	assert_true(f->used < CAPACITY);
	it = &f->pool[f->used];
	it->key = key;
	it->seq = f->used++;
	while (*link) {
		parent = *link;
		link = key < item_of(parent)->key ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&it->node, parent, link);
	rb_insert_color(&it->node, &f->root);

	while (lo < hi) {	/* upper bound: after every equal key */
		mid = lo + (hi - lo) / 2;
		if (f->shadow[mid]->key <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&f->shadow[lo + 1], &f->shadow[lo], (f->n - lo) * sizeof(*f->shadow));
	f->shadow[lo] = it;
	f->n++;
	return it;
}

static void erase_at(struct fixture *f, size_t i)
{
	rb_erase(&f->shadow[i]->node, &f->root);
	memmove(&f->shadow[i], &f->shadow[i + 1], (f->n - i - 1) * sizeof(*f->shadow));
	f->n--;
}

static size_t shadow_index(const struct fixture *f, const struct rb_node *n)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (&f->shadow[i]->node == n)
			return i;
	fail_msg("node %p is not in the shadow", (const void *)n);
	return 0;
}

/* The tree is valid, holds f->n nodes and walks both ways like the shadow. */
static void verify(const struct fixture *f, const char *when)
{
	char why[160];
	const struct rb_node *n;
	long count = rb_check(&f->root, cmp_key_seq, why, sizeof(why));
	size_t i;

	if (count != (long)f->n)
		fail_msg("%s: rb_check returned %ld for %zu nodes: %s", when, count, f->n, why);
	for (i = 0, n = rb_first(&f->root); n; n = rb_next(n), i++)
		if (i >= f->n || n != &f->shadow[i]->node)
			fail_msg("%s: forward walk differs from the shadow at %zu", when, i);
	assert_int_equal(i, f->n);
	for (i = f->n, n = rb_last(&f->root); n; n = rb_prev(n), i--)
		if (i == 0 || n != &f->shadow[i - 1]->node)
			fail_msg("%s: backward walk differs from the shadow at %zu", when, i);
	assert_int_equal(i, 0);
}

static void test_empty_tree_has_no_nodes(void **state)
{
	struct fixture *f = *state;
	char why[64] = "untouched";

	assert_true(RB_EMPTY_ROOT(&f->root));
	assert_null(rb_first(&f->root));
	assert_null(rb_last(&f->root));
	assert_int_equal(rb_check(&f->root, cmp_key, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(rb_check(&f->root, NULL, NULL, 0), 0);
}

static void test_single_node_is_black_root_then_empty(void **state)
{
	struct fixture *f = *state;
	struct item *it = insert(f, 7);

	verify(f, "one node");
	assert_ptr_equal(f->root.rb_node, &it->node);
	assert_true(it->node.rb_parent_color & 1);
	assert_null(rb_next(&it->node));
	assert_null(rb_prev(&it->node));
	erase_at(f, 0);
	assert_true(RB_EMPTY_ROOT(&f->root));
	verify(f, "emptied");
}

static void insert_sequence(struct fixture *f, long first, long step, size_t count)
{
	char when[64];
	size_t i;

	for (i = 0; i < count; i++) {
		insert(f, first + step * (long)i);
		snprintf(when, sizeof(when), "insert #%zu", i);
		verify(f, when);
	}
}

static void test_ascending_insert_stays_valid(void **state)
{
	struct fixture *f = *state;

	insert_sequence(f, 0, 1, 1000);
}

static void test_descending_insert_stays_valid(void **state)
{
	struct fixture *f = *state;

	insert_sequence(f, 1000, -1, 1000);
}

static void test_random_insert_stays_valid(void **state)
{
	struct fixture *f = *state;
	char when[64];
	size_t i;

	for (i = 0; i < 1500; i++) {
		insert(f, (long)(vfiosim_rand(&f->rng) % 100000));
		snprintf(when, sizeof(when), "random insert #%zu", i);
		verify(f, when);
	}
}

/*
 * Inserts dominate the first half of a round and erases the second, so
 * each round grows a tree of a few hundred nodes and shrinks it again.
 * Keys come from a small range to make duplicates common.
 */
static void test_random_insert_erase_interleaved(void **state)
{
	struct fixture *f = *state;
	char when[96];
	int round, op;
	unsigned int insert_pct;

	for (round = 0; round < 20; round++) {
		reset(f);
		for (op = 0; op < 2000; op++) {
			insert_pct = op < 1000 ? 65 : 35;
			if (!f->n || vfiosim_rand(&f->rng) % 100 < insert_pct) {
				insert(f, (long)(vfiosim_rand(&f->rng) % 512));
				snprintf(when, sizeof(when), "round %d op %d insert", round, op);
			} else {
				erase_at(f, vfiosim_rand(&f->rng) % f->n);
				snprintf(when, sizeof(when), "round %d op %d erase", round, op);
			}
			verify(f, when);
		}
	}
}

static void test_erase_root_until_empty(void **state)
{
	struct fixture *f = *state;
	char when[64];

	insert_sequence(f, 0, 3, 200);
	while (f->n) {
		erase_at(f, shadow_index(f, f->root.rb_node));
		snprintf(when, sizeof(when), "root erased, %zu left", f->n);
		verify(f, when);
	}
	assert_true(RB_EMPTY_ROOT(&f->root));
}

static bool is_leaf(const struct rb_node *n)
{
	return !n->rb_left && !n->rb_right;
}

static bool has_two_children(const struct rb_node *n)
{
	return n->rb_left && n->rb_right;
}

/* Erases nodes of one shape, the last such in order each time, while any are left. */
static size_t erase_while(struct fixture *f, bool (*shape)(const struct rb_node *))
{
	const struct rb_node *n, *victim;
	char when[64];
	size_t erased = 0;

	for (;;) {
		victim = NULL;
		for (n = rb_first(&f->root); n; n = rb_next(n))
			if (shape(n))
				victim = n;
		if (!victim)
			return erased;
		erase_at(f, shadow_index(f, victim));
		erased++;
		snprintf(when, sizeof(when), "shaped erase #%zu", erased);
		verify(f, when);
	}
}

static void test_erase_leaves_until_empty(void **state)
{
	struct fixture *f = *state;

	insert_sequence(f, 500, -7, 300);
	/* Some node is always a leaf, so this empties the tree. */
	assert_int_equal(erase_while(f, is_leaf), 300);
	assert_true(RB_EMPTY_ROOT(&f->root));
}

static void test_erase_nodes_with_two_children(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < 300; i++)
		insert(f, (long)(vfiosim_rand(&f->rng) % 1000));
	verify(f, "built");
	assert_true(erase_while(f, has_two_children) > 0);
	/* What is left has no node with two children: at most a root and one child. */
	assert_true(f->n >= 1 && f->n <= 2);
}

static void test_duplicates_keep_insertion_order(void **state)
{
	struct fixture *f = *state;
	const struct rb_node *n;
	const struct item *prev = NULL, *it;
	size_t i;

	for (i = 0; i < 600; i++)
		insert(f, (long)(i % 3));
	assert_int_equal(rb_check(&f->root, cmp_key, NULL, 0), 600);
	verify(f, "600 keys of three values");
	for (n = rb_first(&f->root); n; n = rb_next(n), prev = it) {
		it = item_of(n);
		if (prev && prev->key == it->key)
			assert_true(prev->seq < it->seq);
	}
	/* Drop every other node of key 1 and check the rest keep their order. */
	for (i = f->n; i-- > 0;)
		if (f->shadow[i]->key == 1 && f->shadow[i]->seq % 2)
			erase_at(f, i);
	verify(f, "after erasing half of key 1");
}

/* A valid tree of 63 ascending keys for the corruption tests. */
static void build_valid(struct fixture *f)
{
	size_t i;

	for (i = 0; i < 63; i++)
		insert(f, (long)i * 10);
	verify(f, "corruption base");
}

static void expect_detected(const struct fixture *f, const char *needle)
{
	char why[160] = "";

	assert_int_equal(rb_check(&f->root, cmp_key_seq, why, sizeof(why)), -1);
	assert_true(why[0] != '\0');
	if (!strstr(why, needle))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, needle);
}

static struct rb_node *find_node(const struct fixture *f,
				 bool (*pick)(const struct rb_node *))
{
	struct rb_node *n;

	for (n = rb_first(&f->root); n; n = rb_next(n))
		if (pick(n))
			return n;
	fail_msg("no node of the wanted shape");
	return NULL;
}

static bool is_red(const struct rb_node *n)
{
	return n && !(n->rb_parent_color & 1);
}

static bool black_with_red_child(const struct rb_node *n)
{
	return rb_parent(n) && !is_red(n) && (is_red(n->rb_left) || is_red(n->rb_right));
}

static bool red_leaf(const struct rb_node *n)
{
	return is_red(n) && is_leaf(n);
}

static bool any_leaf(const struct rb_node *n)
{
	return is_leaf(n);
}

static void test_check_detects_red_red(void **state)
{
	struct fixture *f = *state;
	struct rb_node *n;

	build_valid(f);
	n = find_node(f, black_with_red_child);
	n->rb_parent_color &= ~(uintptr_t)1;
	expect_detected(f, "red");
	n->rb_parent_color |= 1;
	verify(f, "colour restored");
}

static void test_check_detects_red_root(void **state)
{
	struct fixture *f = *state;

	build_valid(f);
	f->root.rb_node->rb_parent_color &= ~(uintptr_t)1;
	expect_detected(f, "root");
}

static void test_check_detects_unequal_black_height(void **state)
{
	struct fixture *f = *state;
	struct rb_node *n;

	build_valid(f);
	n = find_node(f, red_leaf);
	n->rb_parent_color |= 1;
	expect_detected(f, "black height");
	n->rb_parent_color &= ~(uintptr_t)1;
	verify(f, "colour restored");
}

static void test_check_detects_bad_parent_link(void **state)
{
	struct fixture *f = *state;
	struct rb_node *n;
	uintptr_t saved;

	build_valid(f);
	/* A leaf naming itself as parent: surely not its real one. */
	n = find_node(f, any_leaf);
	saved = n->rb_parent_color;
	n->rb_parent_color = (uintptr_t)n | (saved & 1);
	expect_detected(f, "parent link");
	n->rb_parent_color = saved;

	/* The root must not claim a parent either. */
	saved = f->root.rb_node->rb_parent_color;
	f->root.rb_node->rb_parent_color = (uintptr_t)n | 1;
	expect_detected(f, "parent link");
	f->root.rb_node->rb_parent_color = saved;
	verify(f, "links restored");
}

static void test_check_detects_cycle_without_looping(void **state)
{
	struct fixture *f = *state;
	struct rb_node *leaf;

	build_valid(f);
	leaf = find_node(f, any_leaf);
	leaf->rb_left = f->root.rb_node;
	expect_detected(f, "parent link");
	leaf->rb_left = NULL;
	verify(f, "cycle removed");
}

static void test_check_detects_swapped_keys(void **state)
{
	struct fixture *f = *state;
	struct item *a, *b;
	long key;

	build_valid(f);
	a = item_of(rb_first(&f->root));
	b = item_of(f->root.rb_node);
	key = a->key;
	a->key = b->key;
	b->key = key;
	expect_detected(f, "sorts before");
	/* Without cmp the shape alone is checked, and the shape is fine. */
	assert_int_equal(rb_check(&f->root, NULL, NULL, 0), 63);
	b->key = a->key;
	a->key = key;
	verify(f, "keys restored");
}

static void test_check_truncates_reason_to_buffer(void **state)
{
	struct fixture *f = *state;
	char why[8];

	build_valid(f);
	f->root.rb_node->rb_parent_color &= ~(uintptr_t)1;
	memset(why, 'x', sizeof(why));
	assert_int_equal(rb_check(&f->root, NULL, why, sizeof(why)), -1);
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_int_equal(rb_check(&f->root, NULL, NULL, 0), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty_tree_has_no_nodes),
		T(test_single_node_is_black_root_then_empty),
		T(test_ascending_insert_stays_valid),
		T(test_descending_insert_stays_valid),
		T(test_random_insert_stays_valid),
		T(test_random_insert_erase_interleaved),
		T(test_erase_root_until_empty),
		T(test_erase_leaves_until_empty),
		T(test_erase_nodes_with_two_children),
		T(test_duplicates_keep_insertion_order),
		T(test_check_detects_red_red),
		T(test_check_detects_red_root),
		T(test_check_detects_unequal_black_height),
		T(test_check_detects_bad_parent_link),
		T(test_check_detects_cycle_without_looping),
		T(test_check_detects_swapped_keys),
		T(test_check_truncates_reason_to_buffer),
	};

	seed = fx_seed("rbtree");
	return cmocka_run_group_tests_name("rbtree", tests, NULL, NULL);
}
