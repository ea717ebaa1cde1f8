/* SPDX-License-Identifier: MIT */
/*
 * ops.h - running a parsed scenario against a backend.
 *
 * Every statement prints one line: its line number, its text and what
 * came of it.  An operation must succeed unless an expectation right
 * after it (its suffix, or the expect lines that follow) says what it
 * returns; the oracle must find nothing unless "expect oracle ..." names
 * what it finds; a WARN needs "expect warnings N"; the backend's
 * consistency check must always pass.  The first failure is recorded,
 * with the line and the kind of check, so that the minimizer can tell
 * the same failure from another one.
 */
#ifndef VFIOSIM_CMD_OPS_H
#define VFIOSIM_CMD_OPS_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario.h"
#include "sim.h"

struct run_opts {
	const struct vfiosim_backend *be;
	struct trace *tr;		/* NULL: no trace */
	FILE *out;			/* NULL: silent (WARNs too) */
	unsigned int stop_at;		/* 0: run everything; else up to this line */
	bool keep_going;		/* go on after a failure */
	const bool *skip;		/* per statement: leave it out (minimizer) */
	unsigned int kernel;		/* --kernel: the profile asked for; 0: the
					   scenario's "host kernel", else the
					   backend's default */
};

struct run_result {
	unsigned int ops, expects, reports, failures;
	int fail_index;			/* statement of the first failure, -1: none */
	unsigned int fail_line;
	char fail_kind[48];		/* which check: "errno", "dirty", "oracle", ... */
	char fail_msg[800];
	bool stopped;			/* --stop-at cut the run short */
};

/* 0 if every check passed, 1 otherwise; r says what happened. */
int scenario_run(const struct scenario *sc, const struct run_opts *o, struct run_result *r);

/*
 * The same, but the machine stays alive in *s for the caller, who frees it
 * with sim_fini(); gidx (SC_MAX_GROUPS entries) maps the scenario's groups
 * to the machine's (-1: not created).  Used to build the migration source.
 */
int scenario_setup(const struct scenario *sc, const struct run_opts *o, struct run_result *r,
		   struct sim *s, int *gidx);

/*
 * The profile a run of sc with o follows (VFIOSIM_KERNEL()), or 0 with the
 * reason in why if it cannot run so: pinned to another version than --kernel
 * or than the kernel backend's own.
 */
unsigned int scenario_profile(const struct scenario *sc, const struct run_opts *o, char *why,
			      size_t len);

/* Does a statement's "on NAME" select this backend? */
bool backend_matches(const struct vfiosim_backend *be, const char *name);

/*
 * expect.c: checks e after the last operation.  last_ret and last_ev are
 * that operation's return value and findings.  0 if it holds, with a
 * short note in msg ("" if none); -1 with the reason in msg otherwise.
 */
int expect_eval(const struct expect *e, struct sim *s, bool have_last, long last_ret,
		const struct sim_events *last_ev, char *msg, size_t len);
/* The name of an expectation, for failure kinds: "dirty", "errno"... */
const char *expect_name(enum expect_kind k);

#endif /* VFIOSIM_CMD_OPS_H */
