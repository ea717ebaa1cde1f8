// SPDX-License-Identifier: MIT
/*
 * test_observer.c - observers of a container (vfiosim_observer.h), on every
 * backend: any number join; each operation that reaches the driver is
 * bracketed by begin and done, in join order, with the token begin gave;
 * operations the container makes inside another (a device's unpins during
 * an unmap or as its group leaves) nest; calls refused before they reach
 * the driver are not told; joining and leaving are refused inside an
 * operation; a freed container says goodbye; peeking is no user copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/fixture.h"
#include "vfiosim_observer.h"
#include "vfiosim_oracle.h"

#define IOVA	FX_IOVA
#define MAX_EV	64

struct ev {
	char who;
	bool begin;
	enum vfiosim_op_kind kind;
	unsigned int cmd;
	long ret;
	bool token_ok;		/* done got what begin returned */
};

/* One log for all observers of a test, so that their order shows. */
static struct ev evs[MAX_EV];
static unsigned int nr_ev;

struct rec {
	struct vfiosim_observer obs;
	char who;
	struct vfiosim_container *c;
	int join_inside, leave_inside;	/* what join/leave answered inside an operation */
	unsigned int gone;
	bool try_inside;
};

static struct rec *rec_of(struct vfiosim_observer *obs)
{
	return (struct rec *)((char *)obs - offsetof(struct rec, obs));
}

static void log_ev(const struct rec *r, bool begin, const struct vfiosim_op *op, long ret,
		   bool token_ok)
{
	assert_true(nr_ev < MAX_EV);
	evs[nr_ev++] = (struct ev){ .who = r->who, .begin = begin, .kind = op->kind,
				    .cmd = op->cmd, .ret = ret, .token_ok = token_ok };
}

static void *rec_begin(struct vfiosim_observer *obs, const struct vfiosim_op *op)
{
	struct rec *r = rec_of(obs);

	log_ev(r, true, op, 0, true);
	if (r->try_inside) {
		r->join_inside = vfiosim_observer_join(r->c, obs);
		r->leave_inside = vfiosim_observer_leave(r->c, obs);
	}
	/* A token that names the operation. */
	return (void *)op;
}

static void rec_done(struct vfiosim_observer *obs, void *token, const struct vfiosim_op *op,
		     long ret)
{
	log_ev(rec_of(obs), false, op, ret, token == op);
}

static void rec_gone(struct vfiosim_observer *obs)
{
	rec_of(obs)->gone++;
}

static const struct vfiosim_observer_ops rec_ops = {
	.begin = rec_begin,
	.done = rec_done,
	.gone = rec_gone,
};

static void rec_join(struct rec *r, struct vfiosim_container *c, char who)
{
	memset(r, 0, sizeof(*r));
	r->obs.ops = &rec_ops;
	r->who = who;
	r->c = c;
	expect_ok(vfiosim_observer_join(c, &r->obs));
}

static void log_reset(void)
{
	nr_ev = 0;
}

/* Event i is who's begin (or done) of an operation of kind. */
static void expect_ev(unsigned int i, char who, bool begin, enum vfiosim_op_kind kind)
{
	assert_true(i < nr_ev);
	assert_int_equal(evs[i].who, who);
	assert_int_equal(evs[i].begin, begin);
	assert_int_equal(evs[i].kind, kind);
	assert_true(evs[i].token_ok);
}

static void test_observers_in_join_order(void **state)
{
	struct fx *fx = *state;
	struct rec a, b;

	rec_join(&a, fx->c, 'a');
	rec_join(&b, fx->c, 'b');
	log_reset();
	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	assert_int_equal(nr_ev, 4);
	expect_ev(0, 'a', true, VFIOSIM_OP_IOCTL);
	expect_ev(1, 'b', true, VFIOSIM_OP_IOCTL);
	expect_ev(2, 'a', false, VFIOSIM_OP_IOCTL);
	expect_ev(3, 'b', false, VFIOSIM_OP_IOCTL);
	assert_int_equal(evs[0].cmd, VFIO_IOMMU_MAP_DMA);
	assert_int_equal(evs[3].ret, 0);

	/* A failing ioctl is told with its result; one that left is not told. */
	expect_ok(vfiosim_observer_leave(fx->c, &a.obs));
	log_reset();
	expect_err(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW), EEXIST);
	assert_int_equal(nr_ev, 2);
	expect_ev(0, 'b', true, VFIOSIM_OP_IOCTL);
	expect_ev(1, 'b', false, VFIOSIM_OP_IOCTL);
	assert_int_equal(evs[1].ret, -EEXIST);
	expect_ok(vfiosim_observer_leave(fx->c, &b.obs));
	expect_ok(fx_unmap(fx, IOVA, fx->pgsize, 0, NULL));
	assert_int_equal(nr_ev, 2);
}

/* The device gives its pins back inside the unmap, and as its group leaves. */
static void test_unpins_nest(void **state)
{
	struct fx *fx = *state;
	uint64_t pfns[2];
	struct rec a;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * fx->pgsize, FX_RW));
	rec_join(&a, fx->c, 'a');
	log_reset();
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 2, VFIOSIM_PROT_READ, pfns), 2);
	assert_int_equal(nr_ev, 2);
	expect_ev(0, 'a', true, VFIOSIM_OP_PIN);
	expect_ev(1, 'a', false, VFIOSIM_OP_PIN);
	assert_int_equal(evs[1].ret, 2);

	log_reset();
	expect_ok(fx_unmap(fx, IOVA, 4 * fx->pgsize, 0, NULL));
	assert_true(nr_ev >= 4);
	expect_ev(0, 'a', true, VFIOSIM_OP_IOCTL);
	expect_ev(1, 'a', true, VFIOSIM_OP_UNPIN);
	expect_ev(2, 'a', false, VFIOSIM_OP_UNPIN);
	expect_ev(nr_ev - 1, 'a', false, VFIOSIM_OP_IOCTL);

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * fx->pgsize, FX_RW));
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 1, VFIOSIM_PROT_READ, pfns), 1);
	log_reset();
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	assert_int_equal(nr_ev, 4);
	expect_ev(0, 'a', true, VFIOSIM_OP_DETACH);
	expect_ev(1, 'a', true, VFIOSIM_OP_UNPIN);
	expect_ev(2, 'a', false, VFIOSIM_OP_UNPIN);
	expect_ev(3, 'a', false, VFIOSIM_OP_DETACH);
	expect_ok(vfiosim_observer_leave(fx->c, &a.obs));
}

/* Calls refused before they reach the driver are not operations. */
static void test_refused_calls_not_told(void **state)
{
	struct fx *fx = *state;
	unsigned char byte = 0;
	uint64_t pfn;
	struct rec a;
	long ret;

	rec_join(&a, fx->c, 'a');
	log_reset();
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 0, VFIOSIM_PROT_READ, &pfn), EINVAL);
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, 1, VFIOSIM_PROT_READ, NULL), EINVAL);
	expect_err(vfiosim_dma_rw(fx->c, IOVA, &byte, 0, false), EINVAL);
	expect_err(vfiosim_container_attach(fx->c, fx->g[0]), EINVAL);
	assert_int_equal(nr_ev, 0);
	/* A call that reaches the driver and fails (nothing is mapped) is told. */
	ret = vfiosim_dma_rw(fx->c, IOVA, &byte, 1, false);
	assert_true(ret < 0);
	assert_int_equal(nr_ev, 2);
	expect_ev(1, 'a', false, VFIOSIM_OP_DMA_RW);
	assert_int_equal(evs[1].ret, ret);
	expect_ok(vfiosim_observer_leave(fx->c, &a.obs));
}

static void test_join_and_leave(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_container *c = fx_container(fx, VFIO_TYPE1v2_IOMMU);
	struct rec a, b;

	assert_non_null(c);
	rec_join(&a, fx->c, 'a');
	expect_err(vfiosim_observer_join(fx->c, &a.obs), EINVAL);
	expect_err(vfiosim_observer_join(NULL, &a.obs), EINVAL);
	expect_err(vfiosim_observer_join(fx->c, NULL), EINVAL);
	expect_err(vfiosim_observer_leave(c, &a.obs), EINVAL);
	memset(&b, 0, sizeof(b));
	expect_err(vfiosim_observer_leave(fx->c, &b.obs), EINVAL);

	/* Inside an operation the list stays as it is. */
	a.try_inside = true;
	a.join_inside = a.leave_inside = 1;
	expect_ret(fx_ext(fx->c, VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(a.join_inside, -EBUSY);
	assert_int_equal(a.leave_inside, -EBUSY);
	a.try_inside = false;
	expect_ok(vfiosim_observer_leave(fx->c, &a.obs));
	expect_ok(vfiosim_observer_join(c, &a.obs));
	expect_ok(vfiosim_observer_leave(c, &a.obs));
}

/* A freed container tells each observer, which has left it by then. */
static void test_gone_when_freed(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_container *c = vfiosim_container_new(fx->h, VFIO_TYPE1v2_IOMMU);
	struct rec a, b;

	assert_non_null(c);
	rec_join(&a, c, 'a');
	rec_join(&b, c, 'b');
	expect_ok(vfiosim_observer_leave(c, &b.obs));
	vfiosim_container_free(c);
	assert_int_equal(a.gone, 1);
	assert_int_equal(b.gone, 0);
	/* a may join another container. */
	expect_ok(vfiosim_observer_join(fx->c, &a.obs));
	expect_ok(vfiosim_observer_leave(fx->c, &a.obs));
}

/* Peeking follows the user-copy rules but is not a user copy. */
static struct vfio_iommu_type1_dma_map peeked;
static size_t peek_left;

static void *peek_begin(struct vfiosim_observer *obs, const struct vfiosim_op *op)
{
	struct rec *r = rec_of(obs);

	peek_left = vfiosim_observer_peek(r->c, &peeked, op->arg, sizeof(peeked));
	return NULL;
}

static const struct vfiosim_observer_ops peek_ops = { .begin = peek_begin };

static void test_peek_is_no_user_copy(void **state)
{
	struct fx *fx = *state;
	unsigned long copies = vfiosim_copy_calls(fx->h);
	struct vfio_iommu_type1_dma_map m;
	struct rec a = { .obs.ops = &peek_ops, .c = fx->c };
	unsigned char ro[64] = { 0 };

	expect_ok(vfiosim_observer_join(fx->c, &a.obs));
	vfiosim_map_arg(&m, FX_RW, fx->guest, IOVA, fx->pgsize);
	/* The copy the driver makes fails; the peek before it does not. */
	vfiosim_fail_nth_copy(fx->h, 1);
	expect_err(vfiosim_ioctl(fx->c, VFIO_IOMMU_MAP_DMA, &m), EFAULT);
	vfiosim_fail_nth_copy(fx->h, 0);
	assert_int_equal(peek_left, 0);
	assert_memory_equal(&peeked, &m, sizeof(m));
	assert_int_equal(vfiosim_copy_calls(fx->h) - copies, 1);

	/* What the driver may not read, the observer cannot either. */
	fx_user_add(fx, ro, sizeof(ro), 0);
	expect_err(vfiosim_ioctl(fx->c, VFIO_IOMMU_MAP_DMA, ro), EFAULT);
	assert_int_equal(peek_left, sizeof(peeked));
	fx_user_del(fx, ro);
	expect_ok(vfiosim_observer_leave(fx->c, &a.obs));
}

/* The oracle is one observer among others. */
static void test_oracle_among_observers(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_oracle_stats st;
	struct vfiosim_oracle *o;
	struct rec a;

	rec_join(&a, fx->c, 'a');
	o = vfiosim_oracle_new(fx->c);
	assert_non_null(o);
	errno = 0;
	assert_null(vfiosim_oracle_new(fx->c));
	assert_int_equal(errno, EBUSY);
	log_reset();
	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	assert_int_equal(nr_ev, 2);
	expect_ok(vfiosim_observer_leave(fx->c, &a.obs));
	expect_ok(fx_unmap(fx, IOVA, fx->pgsize, 0, NULL));
	assert_int_equal(vfiosim_oracle_status(o, &st), 0);
	vfiosim_oracle_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_observers_in_join_order, fx_v2_4k),
		FX_TEST(test_observers_in_join_order, fx_v1_2m),
		FX_TEST(test_unpins_nest, fx_v2_emul),
		FX_TEST(test_refused_calls_not_told, fx_v2_emul),
		FX_TEST(test_join_and_leave, fx_v2_4k),
		FX_TEST(test_gone_when_freed, fx_v2_4k),
		FX_TEST(test_peek_is_no_user_copy, fx_v2_4k),
		FX_TEST(test_oracle_among_observers, fx_v2_4k),
	};

	return cmocka_run_group_tests_name("observer", tests, NULL, NULL);
}
