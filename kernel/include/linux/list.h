/* SPDX-License-Identifier: MIT */
/*
 * linux/list.h - the kernel's circular doubly linked list, the operations
 * type1 uses.  Unlinked entries are poisoned with non-canonical addresses
 * so that any use after list_del() faults at once.
 */
#ifndef KSHIM_LINUX_LIST_H
#define KSHIM_LINUX_LIST_H

#include <linux/kernel.h>

#define KSHIM_LIST_POISON1	((struct list_head *)(uintptr_t)0xdead000000000100ULL)
#define KSHIM_LIST_POISON2	((struct list_head *)(uintptr_t)0xdead000000000122ULL)

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_HEAD(name)		struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline void kshim_list_insert(struct list_head *entry, struct list_head *prev,
				     struct list_head *next)
{
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	prev->next = entry;
}

/* After head: stacks push here. */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	kshim_list_insert(entry, head, head->next);
}

/* Before head: queues append here. */
static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	kshim_list_insert(entry, head->prev, head);
}

static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	entry->next = KSHIM_LIST_POISON1;
	entry->prev = KSHIM_LIST_POISON2;
}

static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline int list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

/* Moves every entry of list before head (to its tail); list is left stale. */
static inline void list_splice_tail(struct list_head *list, struct list_head *head)
{
	struct list_head *first = list->next, *last = list->prev, *at = head->prev;

	if (list_empty(list))
		return;
	first->prev = at;
	at->next = first;
	last->next = head;
	head->prev = last;
}

#define list_entry(ptr, type, member)		container_of(ptr, type, member)
#define list_first_entry(head, type, member)	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member)	list_entry((head)->prev, type, member)
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) \
	list_entry((pos)->member.prev, __typeof__(*(pos)), member)
#define list_entry_is_head(pos, head, member)	(&(pos)->member == (head))

#define list_for_each_entry(pos, head, member)					\
	for (pos = list_first_entry(head, __typeof__(*pos), member);		\
	     !list_entry_is_head(pos, head, member);				\
	     pos = list_next_entry(pos, member))

#define list_for_each_entry_safe(pos, n, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member),		\
	     n = list_next_entry(pos, member);					\
	     !list_entry_is_head(pos, head, member);				\
	     pos = n, n = list_next_entry(n, member))

/* From the entry after pos on (pos itself excluded). */
#define list_for_each_entry_continue(pos, head, member)				\
	for (pos = list_next_entry(pos, member);				\
	     !list_entry_is_head(pos, head, member);				\
	     pos = list_next_entry(pos, member))

/* Backwards from the entry before pos. */
#define list_for_each_entry_continue_reverse(pos, head, member)			\
	for (pos = list_prev_entry(pos, member);				\
	     !list_entry_is_head(pos, head, member);				\
	     pos = list_prev_entry(pos, member))

#endif /* KSHIM_LINUX_LIST_H */
