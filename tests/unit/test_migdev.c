// SPDX-License-Identifier: MIT
/*
 * test_migdev.c - the emulated device's v1 migration region
 * (<linux/vfio_migration_v1.h>) and the VMM's side of it: field access
 * rules, state values and transitions, the reserved bits, the save and
 * resume loops, and a corrupt stream.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "migdev.h"
#include "savevm.h"

#define OFF(f)		offsetof(struct vfio_device_migration_info, f)
#define RUNNING		VFIO_DEVICE_STATE_V1_RUNNING
#define SAVING		VFIO_DEVICE_STATE_V1_SAVING
#define RESUMING	VFIO_DEVICE_STATE_V1_RESUMING

struct md {
	struct migdev src, dst;
	struct devstream stream;
	char err[200];
};

static int md_setup(void **state)
{
	struct md *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	migdev_init(&m->src, 1);
	migdev_init(&m->dst, 2);
	*state = m;
	return 0;
}

static int md_teardown(void **state)
{
	struct md *m = *state;

	devstream_free(&m->stream);
	free(m);
	return 0;
}

static uint32_t state_of(struct migdev *d)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(migdev_read(d, OFF(device_state), &v, 4), 0);
	return v;
}

static int set_raw(struct migdev *d, uint32_t v)
{
	return migdev_write(d, OFF(device_state), &v, 4);
}

static void test_migdev_fields_only_at_native_width(void **state)
{
	struct md *m = *state;
	uint64_t v64 = 0;
	uint32_t v32 = 0;
	uint16_t v16 = 0;

	assert_int_equal(state_of(&m->src), RUNNING);
	assert_int_equal(migdev_read(&m->src, OFF(device_state), &v64, 8), -EINVAL);
	assert_int_equal(migdev_read(&m->src, OFF(device_state), &v16, 2), -EINVAL);
	assert_int_equal(migdev_read(&m->src, 1, &v16, 2), -EINVAL);
	assert_int_equal(set_raw(&m->src, RUNNING | SAVING), 0);
	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes), &v32, 4), -EINVAL);
	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes) + 4, &v32, 4), -EINVAL);
	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes), &v64, 8), 0);
	assert_int_equal(migdev_read(&m->src, 32, &v64, 8), -EINVAL);	/* past the struct */
	assert_int_equal(migdev_read(&m->src, MIGDEV_REGION_SIZE - 4, &v64, 8), -EINVAL);
	/* reserved: reads 0, writes are ignored */
	v32 = 7;
	assert_int_equal(migdev_write(&m->src, OFF(reserved), &v32, 4), 0);
	assert_int_equal(migdev_read(&m->src, OFF(reserved), &v32, 4), 0);
	assert_int_equal(v32, 0);
	/* read-only fields */
	assert_int_equal(migdev_write(&m->src, OFF(pending_bytes), &v64, 8), -EINVAL);
	assert_int_equal(migdev_write(&m->src, OFF(data_offset), &v64, 8), -EINVAL);
}

static void test_migdev_invalid_states_refused(void **state)
{
	struct md *m = *state;

	assert_int_equal(set_raw(&m->src, RESUMING | RUNNING), -EINVAL);
	assert_int_equal(set_raw(&m->src, RESUMING | SAVING), -EINVAL);	/* the error state */
	assert_int_equal(set_raw(&m->src, RESUMING | SAVING | RUNNING), -EINVAL);
	assert_int_equal(state_of(&m->src), RUNNING);
	/* a transition that makes no sense: resuming straight into saving */
	assert_int_equal(set_raw(&m->src, RESUMING), 0);
	assert_int_equal(set_raw(&m->src, SAVING), -EINVAL);
	assert_int_equal(state_of(&m->src), RESUMING);
	/* leaving resuming needs the whole state */
	assert_int_equal(set_raw(&m->src, RUNNING), -EINVAL);
}

static void test_migdev_reserved_bits_need_read_modify_write(void **state)
{
	struct md *m = *state;

	m->src.state |= 1u << 20;	/* a bit the device defines, say */
	assert_int_equal(set_raw(&m->src, RUNNING | SAVING), -EINVAL);
	assert_int_equal(vmm_set_state(&m->src, RUNNING | SAVING, m->err, sizeof(m->err)), 0);
	assert_int_equal(state_of(&m->src), (1u << 20) | RUNNING | SAVING);
	assert_int_equal(vmm_set_state(&m->src, SAVING, m->err, sizeof(m->err)), 0);
	assert_int_equal(state_of(&m->src), (1u << 20) | SAVING);
}

static void test_migdev_fields_refused_outside_their_states(void **state)
{
	struct md *m = *state;
	uint64_t v = 0;

	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes), &v, 8), -EINVAL);
	assert_int_equal(migdev_read(&m->src, OFF(data_offset), &v, 8), -EINVAL);
	assert_int_equal(migdev_read(&m->src, OFF(data_size), &v, 8), -EINVAL);
	assert_int_equal(migdev_write(&m->src, OFF(data_size), &v, 8), -EINVAL);
	assert_int_equal(migdev_read(&m->src, MIGDEV_DATA_OFFSET, &v, 8), -EINVAL);
	assert_int_equal(set_raw(&m->src, RESUMING), 0);
	assert_int_equal(migdev_read(&m->src, OFF(data_offset), &v, 8), 0);
	assert_int_equal(v, MIGDEV_DATA_OFFSET);
	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes), &v, 8), -EINVAL);
	assert_int_equal(migdev_read(&m->src, MIGDEV_DATA_OFFSET, &v, 8), -EINVAL);
}

static void test_migdev_pending_reads_have_no_side_effect(void **state)
{
	struct md *m = *state;
	uint64_t a, b, off, size;

	assert_int_equal(vmm_set_state(&m->src, RUNNING | SAVING, m->err, sizeof(m->err)), 0);
	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes), &a, 8), 0);
	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes), &b, 8), 0);
	assert_true(a > 0);
	assert_int_equal(a, b);
	/* staging a chunk moves it from "dirty" to "staged": still pending */
	assert_int_equal(migdev_read(&m->src, OFF(data_offset), &off, 8), 0);
	assert_int_equal(migdev_read(&m->src, OFF(data_size), &size, 8), 0);
	assert_true(size > 0 && size <= MIGDEV_DATA_SIZE);
	assert_int_equal(migdev_read(&m->src, OFF(data_offset), &b, 8), 0);
	assert_int_equal(b, off);
	/* the next pending read says the chunk was taken */
	assert_int_equal(migdev_read(&m->src, OFF(pending_bytes), &b, 8), 0);
	assert_int_equal(b, a - size);
}

/* Pre-copy while the device works, stop-and-copy, resume: the same state. */
static void test_migdev_save_resume_round_trip(void **state)
{
	struct md *m = *state;
	long long bytes;
	int i;

	for (i = 0; i < 50; i++)
		migdev_tick(&m->src);
	assert_int_equal(vmm_set_state(&m->src, RUNNING | SAVING, m->err, sizeof(m->err)), 0);
	bytes = vmm_save(&m->src, &m->stream, m->err, sizeof(m->err));
	assert_true(bytes >= (long long)(MIGDEV_MEM_CHUNKS * MIGDEV_CHUNK));
	for (i = 0; i < 5; i++)
		migdev_tick(&m->src);		/* dirties a few chunks again */
	bytes = vmm_save(&m->src, &m->stream, m->err, sizeof(m->err));
	assert_true(bytes > 0);
	assert_int_equal(vmm_set_state(&m->src, SAVING, m->err, sizeof(m->err)), 0);
	migdev_tick(&m->src);			/* stopped: changes nothing */
	bytes = vmm_save(&m->src, &m->stream, m->err, sizeof(m->err));
	assert_true(bytes > 0);			/* the registers at least */
	assert_int_equal(vmm_save(&m->src, &m->stream, m->err, sizeof(m->err)), 0);
	assert_int_equal(vmm_set_state(&m->src, 0, m->err, sizeof(m->err)), 0);

	assert_int_not_equal(migdev_compare(&m->src, &m->dst, m->err, sizeof(m->err)), 0);
	assert_int_equal(vmm_set_state(&m->dst, RESUMING, m->err, sizeof(m->err)), 0);
	assert_int_equal(vmm_resume(&m->dst, &m->stream, m->err, sizeof(m->err)), 0);
	assert_int_equal(vmm_set_state(&m->dst, RUNNING, m->err, sizeof(m->err)), 0);
	if (migdev_compare(&m->src, &m->dst, m->err, sizeof(m->err)))
		fail_msg("%s", m->err);
}

/* Without the stop-and-copy pass the registers never arrive. */
static void test_migdev_resume_incomplete_state_refused(void **state)
{
	struct md *m = *state;

	assert_int_equal(vmm_set_state(&m->src, RUNNING | SAVING, m->err, sizeof(m->err)), 0);
	assert_true(vmm_save(&m->src, &m->stream, m->err, sizeof(m->err)) > 0);
	assert_int_equal(vmm_set_state(&m->dst, RESUMING, m->err, sizeof(m->err)), 0);
	assert_int_equal(vmm_resume(&m->dst, &m->stream, m->err, sizeof(m->err)), 0);
	assert_int_equal(set_raw(&m->dst, RUNNING), -EINVAL);
	assert_int_equal(state_of(&m->dst), RESUMING);
}

static void test_migdev_corrupt_chunk_sets_error_state(void **state)
{
	struct md *m = *state;
	uint64_t v = 0;

	assert_int_equal(vmm_set_state(&m->src, SAVING, m->err, sizeof(m->err)), 0);
	assert_true(vmm_save(&m->src, &m->stream, m->err, sizeof(m->err)) > 0);
	m->stream.buf[100] ^= 1;		/* a bit flipped on the wire */
	assert_int_equal(vmm_set_state(&m->dst, RESUMING, m->err, sizeof(m->err)), 0);
	assert_int_equal(vmm_resume(&m->dst, &m->stream, m->err, sizeof(m->err)), -1);
	assert_int_equal(state_of(&m->dst) & VFIO_DEVICE_STATE_V1_MASK,
			 VFIO_DEVICE_STATE_V1_ERROR);
	assert_int_equal(migdev_read(&m->dst, OFF(data_offset), &v, 8), -EIO);
	assert_int_equal(set_raw(&m->dst, RUNNING), -EINVAL);	/* only a reset helps */
	migdev_reset(&m->dst);
	assert_int_equal(state_of(&m->dst), RUNNING);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, md_setup, md_teardown)
	const struct CMUnitTest tests[] = {
		T(test_migdev_fields_only_at_native_width),
		T(test_migdev_invalid_states_refused),
		T(test_migdev_reserved_bits_need_read_modify_write),
		T(test_migdev_fields_refused_outside_their_states),
		T(test_migdev_pending_reads_have_no_side_effect),
		T(test_migdev_save_resume_round_trip),
		T(test_migdev_resume_incomplete_state_refused),
		T(test_migdev_corrupt_chunk_sets_error_state),
	};

	return cmocka_run_group_tests_name("migdev", tests, NULL, NULL);
}
