#!/usr/bin/env bash
# AFL++ campaigns for the fuzz targets (docs/fuzzing.md); run by fuzz/fuzz.mk.
#
#   fuzz/campaign.sh run SECONDS JOBS TARGET...    every core on each target in turn,
#                                                  then the summary and the triage
#   fuzz/campaign.sh smoke SECONDS 1 TARGET...     one instance per target (CI): fails
#                                                  on a crash not already known
#   fuzz/campaign.sh triage 0 1 TARGET...          triage the last campaign again
#   fuzz/campaign.sh cmin 0 1 TARGET...            merge the last queues into the seeds
#   fuzz/campaign.sh replay 0 1 TARGET...          seeds and past findings through the
#                                                  plain drivers (open findings must
#                                                  still fail, the others pass)
#   FUZZ_IMPORT="FILE..." fuzz/campaign.sh import 0 1 TARGET
#                                                  inputs found elsewhere (a
#                                                  ClusterFuzzLite crash artifact)
#                                                  through this triage
#
# Instances of a target: "main" (-M; the fast build, with the CMPLOG build as
# -c), "san" (ASan+UBSan build), then more fast ones; every third extra one
# checks for leaks after each input (AFL_USE_LSAN build).  Outputs go to
# build/fuzz/out/TARGET/ (smoke runs: build/fuzz/smoke/TARGET/).
# While they run, a status line per target every FUZZ_STATUS_SECONDS (10):
# its corpus, crashes and hangs as they are on disk, execs/s, execs and
# edges from afl-fuzz's plot_data (which it writes every 5 s after its first
# minute; "-" until then).  The summary after the run reads fuzzer_stats.
# FUZZ_RESUME=1 continues the previous campaign: each instance that has an
# output directory resumes its queue (afl-fuzz -i -), a new one (more jobs
# than last time) starts from the seeds.
#
# Triage: every crash is replayed through the plain driver (build/fuzz/replay);
# crashes are grouped by their message; one per group is minimised with
# afl-tmin (kept only if it still fails the same way) and becomes
# fuzz/regressions/TARGET/crash-<sha1>, listed in fuzz/regressions/open.txt
# with the message it printed until it is fixed, and its scenario (build/vfiosim
# from-fuzz) goes next to it as crash-<sha1>.vfs: the same calls, readable,
# run by make test.  A crash whose message matches an open entry is known.
# Those are all a run writes to the checkout (cmin rewrites fuzz/corpus/), and
# only for a new finding: the summary names the files and the commands that
# reproduce each finding (make fuzz and fuzz-smoke build the replay drivers
# and build/vfiosim).
#
# FUZZ_DICTS (fuzz/fuzz.mk): "TARGET=DICTIONARY ..." for every target.
# The diff target runs against FUZZ_KSRC (Linux FUZZ_KVER; fuzz/fuzz.mk sets
# both).  Its findings name that kernel; with FUZZ_KSRC_OWN=1 (KSRC= another
# tree than the default one, whose regressions the checkout replays) they go
# to build/fuzz/findings/diff-linux-X.Y/ instead of fuzz/regressions/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mode=${1:?mode}
secs=${2:?seconds}
jobs=${3:?jobs}
shift 3
targets=("$@")
resume=${FUZZ_RESUME:-0}
case $resume in
0 | 1) ;;
*) echo "campaign: FUZZ_RESUME=$resume: 1 resumes the last campaign, 0 starts over" >&2; exit 2 ;;
esac

B=build/fuzz
VFIOSIM=build/vfiosim
OUT=$B/out
# A smoke run must not clobber a real campaign's outputs.
[ "$mode" = smoke ] && OUT=$B/smoke
OPEN=fuzz/regressions/open.txt
KVER=${FUZZ_KVER:-6.12}
KSRC=${FUZZ_KSRC:-}
KOWN=${FUZZ_KSRC_OWN:-}

export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_AFFINITY=1 AFL_QUIET=1
# afl-fuzz insists on these when sanitizers are in the target.
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0

dict_of() {
	local kv
	for kv in ${FUZZ_DICTS:-}; do
		[ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return 0; }
	done
	echo "campaign: no dictionary for $1 (FUZZ_DICTS, which fuzz/fuzz.mk gives)" >&2
	return 1
}

stat_of() {
	sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n 1
}

# count_of FILE NAME: a count of fuzzer_stats, 0 until afl-fuzz has written it
# (a status line may read the file while it is being rewritten).
count_of() {
	local v
	v=$(stat_of "$1" "$2")
	[[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

# Runs one target's instances for $secs seconds and waits for them, saying
# how they do every $every seconds.
campaign() {
	local t=$1 n=$2 i name bin extra in
	local out=$OUT/$t
	local dict every=${FUZZ_STATUS_SECONDS:-10} start next
	dict=$(dict_of "$t")
	[[ $every =~ ^[1-9][0-9]*$ ]] || {
		echo "campaign: FUZZ_STATUS_SECONDS=$every: not a number of seconds" >&2
		return 1
	}
	if [ "$resume" = 1 ] && [ -d "$out" ]; then
		echo "  resuming $out: $(queued "$t") inputs queued"
	else
		[ "$resume" = 1 ] && echo "  $out: no campaign to resume, starting from the seeds"
		rm -rf "$out"
	fi
	mkdir -p "$out"
	pids=()
	run_start=$(date +%s)
	for ((i = 0; i < n; i++)); do
		extra=()
		name=$(instance "$i")
		case $i in
		0)
			bin=$B/afl/$t
			extra=(-M main)
			[ -x "$B/cmplog/$t" ] && extra+=(-c "$B/cmplog/$t")
			;;
		1)
			bin=$B/afl-san/$t
			extra=(-S san -m none)
			;;
		*)
			bin=$B/afl/$t
			extra=(-S "$name")
			if [ $((i % 3)) = 2 ] && [ -x "$B/afl-lsan/$t" ]; then
				bin=$B/afl-lsan/$t
				extra+=(-m none)
			fi
			;;
		esac
		[ -x "$bin" ] || { echo "campaign: $bin not built" >&2; return 1; }
		# afl-fuzz -i -: the instance's own queue, where it stopped.
		in=fuzz/corpus/$t
		if [ -f "$out/$name/fuzzer_stats" ]; then
			in=-
			released "$out/$name"
		fi
		if [ "$bin" = "$B/afl-lsan/$t" ]; then
			AFL_CRASH_EXITCODE=23 afl-fuzz -i "$in" -o "$out" -x "$dict" -V "$secs" \
				"${extra[@]}" -- "$bin" >>"$out/$name.log" 2>&1 &
		else
			afl-fuzz -i "$in" -o "$out" -x "$dict" -V "$secs" "${extra[@]}" -- "$bin" \
				>>"$out/$name.log" 2>&1 &
		fi
		pids+=($!)
		running_dirs+=("$out/$name")
		# The main instance sets up the output directory first.
		[ "$i" = 0 ] && sleep 1
	done
	start=$SECONDS
	next=$((start + every))
	while running "${pids[@]}"; do
		sleep 1
		if [ "$SECONDS" -ge "$next" ]; then
			status "$t" "$((SECONDS - start))"
			next=$((next + every))
		fi
	done
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	reap
	for ((i = 0; i < n; i++)); do
		released "$out/$(instance "$i")"
	done
	for ((i = 0; i < n; i++)); do
		name=$(instance "$i")
		if [ ! -f "$out/$name/fuzzer_stats" ]; then
			echo "campaign: $t/$name did not start; its log:" >&2
			tail -n 15 "$out/$name.log" >&2
			return 1
		fi
	done
}

# instance I: the name of the Ith instance of a target.
instance() {
	case $1 in
	0) echo main ;;
	1) echo san ;;
	*) echo "s$1" ;;
	esac
}

# The output directories of the running instances, and their afl-fuzz.
running_dirs=()
pids=()

# holders DIR: the processes that have DIR open.
holders() {
	local d
	d=$(cd "$1" && pwd -P) || return 0
	find /proc/[0-9]*/fd -maxdepth 1 -lname "$d" 2>/dev/null | cut -d / -f 3 | sort -u
}

# reap: kills what is left of the instances once their afl-fuzz is gone.
# AFL++ (4.04c) leaves the persistent-mode child of its CMPLOG fork server
# behind, stopped, in a session of its own, with the output directory open
# and so its lock held (a resume would find the directory in use), for ever:
# what still has an instance's directory open is that.
reap() {
	local d p
	for d in "${running_dirs[@]}"; do
		for p in $(holders "$d"); do
			kill -KILL "$p" 2>/dev/null || true
		done
	done
	running_dirs=()
}

# Interrupted: the instances stop as afl-fuzz stops on ^C (their stats
# written), then their leftovers go.
# shellcheck disable=SC2317  # run by the trap below
interrupted() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	reap
	exit 130
}
trap interrupted INT TERM

# released DIR: waits (up to 10 s) until no process holds DIR's lock.
released() {
	local k
	[ -d "$1" ] || return 0
	for ((k = 0; k < 20; k++)); do
		flock -n "$1" true 2>/dev/null && return 0
		sleep 0.5
	done
	echo "campaign: $1 is still locked (a stray afl-fuzz or target process?)" >&2
}

# running PID...: one of them is still running.
running() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# queued TARGET: the inputs in the main instance's queue.
queued() {
	files "$OUT/$1/main/queue"
}

# files DIR: the inputs afl-fuzz saved in DIR (id:NNNNNN,... files).
files() {
	local n
	n=$(find "$1" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l)
	echo "${n:-0}"	# nothing when ^C stopped them
}

# status TARGET SECONDS: how the running instances of TARGET do.
status() {
	local t=$1 out=$OUT/$1 d last eps=0 execs=0 edges=- crashes=0 hangs=0 plotted=0
	for d in "$out"/*/; do
		[ -d "$d/queue" ] || continue
		crashes=$((crashes + $(files "$d/crashes")))
		hangs=$((hangs + $(files "$d/hangs")))
		# relative_time, ..., execs_per_sec, total_execs, edges_found; a
		# resumed instance's plot_data holds the last run's lines until it
		# writes one of this run.
		[ -f "$d/plot_data" ] || continue
		[ "$(stat -c %Y "$d/plot_data")" -ge "$run_start" ] || continue
		last=$(grep -v '^#' "$d/plot_data" | tail -n 1)
		[ -n "$last" ] || continue
		plotted=1
		eps=$(echo "$last" | awk -F', *' -v a="$eps" '{ printf "%.0f", a + $11 }')
		execs=$((execs + $(echo "$last" | awk -F', *' '{ print $12 + 0 }')))
		[ "$d" = "$out/main/" ] && edges=$(echo "$last" | awk -F', *' '{ print $13 + 0 }')
	done
	if [ "$plotted" = 0 ]; then
		eps=-
		execs=-
	fi
	printf '  %5s %-6s %9s execs/s %12s execs  corpus %6s  edges %-6s crashes %s hangs %s\n' \
		"${2}s" "$t" "$eps" "$execs" "$(files "$out/main/queue")" "$edges" "$crashes" "$hangs"
}

# One line per target: execs/s, corpus, edges, crashes.
summary() {
	local t=$1 out=$OUT/$1 f eps=0 execs=0 crashes=0 hangs=0 corpus=0 cvg='?' edges='?' stab='?'
	for f in "$out"/*/fuzzer_stats; do
		[ -f "$f" ] || continue
		eps=$(awk -v a="$eps" -v b="$(stat_of "$f" execs_per_sec)" \
			'BEGIN { printf "%.0f", a + b }')
		execs=$((execs + $(count_of "$f" execs_done)))
		crashes=$((crashes + $(count_of "$f" saved_crashes)))
		hangs=$((hangs + $(count_of "$f" saved_hangs)))
	done
	f=$out/main/fuzzer_stats
	if [ -f "$f" ]; then
		corpus=$(stat_of "$f" corpus_count)
		cvg=$(stat_of "$f" bitmap_cvg)
		edges="$(stat_of "$f" edges_found)/$(stat_of "$f" total_edges)"
		stab=$(stat_of "$f" stability)
	fi
	printf '%-6s %9s execs/s %12s execs  corpus %6s  edges %-13s cvg %-7s' \
		"$t" "$eps" "$execs" "$corpus" "$edges" "$cvg"
	printf '  stability %-7s crashes %s hangs %s\n' "$stab" "$crashes" "$hangs"
}

# The first line of a failure, as printed.
first_failure() {
	grep -m 1 -E '^vfiosim-fuzz:|runtime error:|ERROR: (Address|Leak)Sanitizer' || true
}

# failure TARGET FILE: sets msg (the first line of the failure, or "hang in
# OP") and how (the command that reproduces it); fails if the input passes.
# The plain driver (gcc) first; sanitizer checks only clang has need the
# AFL++ ASan build, which reads the input from stdin outside afl-fuzz.
failure() {
	local t=$1 f=$2 out rc=0
	how="VFIOSIM_FUZZ_TRACE=1 $B/replay/$t $f"
	out=$(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=0 VFIOSIM_FUZZ_TRACE=1 \
		timeout 20 "$B/replay/$t" "$f" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 124 ]; then
		# A hang: name the operation it hangs in.
		msg="hang in $(printf '%s\n' "$out" | grep -E '^[a-z]+: [A-Z_]+' |
			tail -n 1 | sed -E 's/^[a-z]+: ([A-Z_+]+).*/\1/')"
		return 0
	fi
	msg=$(printf '%s\n' "$out" | first_failure)
	if [ -z "$msg" ] && [ -x "$B/afl-san/$t" ]; then
		msg=$(timeout 20 "$B/afl-san/$t" <"$f" 2>&1 >/dev/null | first_failure || true)
		how="$B/afl-san/$t <$f"
	fi
	[ -n "$msg" ]
}

# What groups crashes: the failure with its numbers masked.
signature() {
	failure "$1" "$2" || return 1
	printf '%s\n' "$msg" | sed -E 's/.*(runtime error:)/\1/; s/0x[0-9a-f]+/0xN/g; s/[0-9]+/N/g'
}

# The message field of an open.txt line, blanks trimmed.
open_message() {
	printf '%s\n' "$1" | awk -F ' [|] ' '{ print $2 }' | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//'
}

# Every entry of open.txt must say what its input prints: an empty message
# would match any output (tests/unit/test_fuzz_replay.c refuses it too).
check_open() {
	local line bad=0
	[ -f "$OPEN" ] || return 0
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		if [[ $line != *' | '*' | '* ]]; then
			echo "$OPEN: \"$line\": not \"TARGET/FILE | message | what it is\"" >&2
			bad=1
		elif [ -z "$(open_message "$line")" ]; then
			echo "$OPEN: ${line%% *}: no message: write the message its input" \
				"prints (the first \"vfiosim-fuzz:\" line without that prefix)," \
				"or (hangs)" >&2
			bad=1
		fi
	done <"$OPEN"
	return $bad
}

# What open.txt records of a failure: the message without the driver's
# prefix and without addresses a sanitizer picks, short, and free of the
# field separator, so that the replays' substring test can match it.
record_message() {
	printf '%s\n' "$1" |
		sed -E 's/^vfiosim-fuzz: [a-z]+: //; s/.*(runtime error:)/\1/;
			s/ on (unknown )?address .*//; s/ [|] .*//' | cut -c 1-72
}

# The open entry whose expected message the crash prints, if any; a hang
# is known if the target has an open hang at all.
known() {
	local t=$1 sig=$2 line want
	[ -f "$OPEN" ] || return 1
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		[[ $line == "$t/"* ]] || continue
		want=$(open_message "$line" | sed -E 's/0x[0-9a-f]+/0xN/g; s/[0-9]+/N/g')
		if [ "$want" = "(hangs)" ]; then
			[[ $sig == hang* ]] && { echo "${line%% *}"; return 0; }
			continue
		fi
		[ -n "$want" ] && [[ $sig == *"$want"* ]] && { echo "${line%% *}"; return 0; }
	done <"$OPEN"
	return 1
}

# scenario FILE [--kernel X.Y]: FILE.vfs, the scenario of input FILE.
scenario() {
	local f=$1
	shift
	if ! "$VFIOSIM" from-fuzz "$@" "$f" >"$f.vfs.tmp"; then
		rm -f "$f.vfs.tmp"
		echo "  $f: vfiosim from-fuzz failed: no scenario" >&2
		return 1
	fi
	mv "$f.vfs.tmp" "$f.vfs"
}

# Groups, minimises and records the crashes of one target; sets
# new_findings and appends what it wrote to the tree to wrote[] and the
# commands that reproduce each finding to repro[].
triage() {
	local t=$1 f sig min sum dest entry kind rec
	local -A groups=()
	local flaky=0
	new_findings=0
	for f in "$OUT/$t"/*/crashes/id:* "$OUT/$t"/*/hangs/id:*; do
		[ -f "$f" ] || continue
		if ! sig=$(signature "$t" "$f"); then
			flaky=$((flaky + 1))
			[ "$mode" != import ] ||
				echo "  ${f##*/id:??????,}: passes here (fixed already? or a check only the engine's" \
					"build makes: make fuzz-cflite, then build/fuzz/oss/$t FILE)"
			continue
		fi
		[ -n "${groups[$sig]:-}" ] && continue
		groups[$sig]=$f
	done
	[ "$flaky" = 0 ] || [ "$mode" = import ] ||
		echo "  $flaky input(s) did not fail when replayed (flaky?)"
	for sig in "${!groups[@]}"; do
		f=${groups[$sig]}
		if entry=$(known "$t" "$sig"); then
			echo "  known ($entry): $sig"
			continue
		fi
		min=$B/triage-$t.min
		cp "$f" "$min"
		if timeout 300 afl-tmin -i "$f" -o "$min.tmp" -- "$B/afl/$t" >/dev/null 2>&1 &&
		   [ "$(signature "$t" "$min.tmp" || true)" = "$sig" ]; then
			mv "$min.tmp" "$min"
		fi
		rm -f "$min.tmp"
		sum=$(sha1sum "$min" | cut -c 1-12)
		kind=crash
		[[ $sig == hang* ]] && kind=hang
		dest=fuzz/regressions/$t/$kind-$sum
		if ! failure "$t" "$min"; then
			echo "  $f: failed once ($sig), not when replayed again: not recorded"
			continue
		fi
		rec='(hangs)'
		[ "$kind" = hang ] || rec=$(record_message "$msg")
		if [ -z "$rec" ]; then
			echo "  $f: no message to record for \"$msg\": not recorded" >&2
			continue
		fi
		against=
		[ "$t" = diff ] && against=" against Linux $KVER"
		if [ "$t" = diff ] && [ -n "$KOWN" ]; then
			# Not the tree the checkout's regressions replay against.
			dest=$B/findings/diff-linux-$KVER/$kind-$sum
			mkdir -p "$(dirname "$dest")"
			cp "$min" "$dest"
			printf '%s | %s | found %s against Linux %s (%s)\n' "$kind-$sum" "$rec" \
				"$(date +%F)" "$KVER" "$KSRC" >>"$(dirname "$dest")/findings.txt"
			echo "  NEW$against ($KSRC): $dest ($(stat -c %s "$dest") bytes): $msg"
			repro+=("make fuzz-replay-build KSRC=$KSRC && ${how//"$min"/"$dest"}")
			scenario "$dest" --diff --kernel "$KVER" &&
				repro+=("make vfiosim-kernel KSRC=$KSRC && $VFIOSIM --backend kernel run $dest.vfs")
			new_findings=$((new_findings + 1))
			continue
		fi
		mkdir -p "fuzz/regressions/$t"
		if [ ! -f "$dest" ]; then
			cp "$min" "$dest"
			wrote+=("$dest")
		fi
		if [ ! -f "$dest.vfs" ] && scenario "$dest"; then
			wrote+=("$dest.vfs")
		fi
		if ! grep -q "^$t/$kind-$sum " "$OPEN" 2>/dev/null; then
			printf '%s | %s | new: found %s%s, not triaged yet\n' "$t/$kind-$sum" "$rec" \
				"$(date +%F)" "$against" >>"$OPEN"
			wrote+=("$OPEN (+ $t/$kind-$sum)")
		fi
		echo "  NEW$against: $dest ($(stat -c %s "$dest") bytes): $msg"
		repro+=("${how//"$min"/"$dest"}")
		if [ "$t" = diff ]; then
			repro+=("make vfiosim-kernel && $VFIOSIM --backend kernel run $dest.vfs")
		else
			repro+=("$VFIOSIM run $dest.vfs")
		fi
		new_findings=$((new_findings + 1))
	done
}

case $mode in
run | smoke)
	command -v afl-fuzz >/dev/null || { echo "campaign: afl-fuzz not installed" >&2; exit 1; }
	n=$jobs
	[ "$mode" = smoke ] && n=1
	for t in "${targets[@]}"; do
		if [ "$t" = diff ]; then
			echo "=== $t: $n instance(s), $secs s, the model against Linux $KVER ($KSRC)"
		else
			echo "=== $t: $n instance(s), $secs s"
		fi
		campaign "$t" "$n" || exit 1
	done
	;;
triage | cmin | replay) ;;
import)
	# The triage reads a campaign's crashes/: the inputs go into one.
	[ ${#targets[@]} = 1 ] || { echo "import: one target (FUZZ_TARGETS=seq, say)" >&2; exit 2; }
	read -ra imports <<<"${FUZZ_IMPORT:-}"
	[ ${#imports[@]} -gt 0 ] || { echo "import: FUZZ_IMPORT names no input file" >&2; exit 2; }
	OUT=$B/import
	rm -rf "${OUT:?}/${targets[0]}"
	mkdir -p "$OUT/${targets[0]}/imported/crashes"
	i=0
	for f in "${imports[@]}"; do
		[ -f "$f" ] || { echo "import: $f: no such file" >&2; exit 1; }
		cp "$f" "$OUT/${targets[0]}/imported/crashes/id:$(printf %06d $i),$(basename "$f")"
		i=$((i + 1))
	done
	echo "import: ${#imports[@]} input(s) for ${targets[0]}, replayed through the plain driver"
	;;
*)
	echo "usage: $0 run|smoke|triage|cmin|replay|import SECONDS JOBS TARGET..." >&2
	exit 2
	;;
esac

# replay_scenario TARGET FILE ENTRY WANT LIMIT: the scenario of a past finding
# (FILE.vfs) is there and, for diff, fails on the kernel backend exactly where
# the input does (the open.txt rule); make test runs every one on the model.
replay_scenario() {
	local t=$1 f=$2 entry=$3 want=$4 limit=$5 rc=0
	# An ioctl input is one ioctl on a prepared state, not a sequence.
	[ "$t" = ioctl ] && return 0
	if [ ! -f "$f.vfs" ]; then
		echo "replay $t: $f has no scenario: $VFIOSIM from-fuzz $f > $f.vfs"
		return 1
	fi
	# The checkout's diff findings are Linux 6.12's: only the default tree replays them.
	[ "$t" = diff ] && [ -z "$KOWN" ] || return 0
	kscenarios=$((kscenarios + 1))
	timeout "$limit" "$VFIOSIM" --backend kernel run -q --no-minimize "$f.vfs" \
		>"$B/replay-scenario.log" 2>&1 || rc=$?
	if [ -z "$entry" ] && [ "$rc" != 0 ]; then
		echo "replay $t: $f.vfs fails on the kernel backend:"
		tail -n 3 "$B/replay-scenario.log"
		return 1
	elif [ "$want" = "(hangs)" ] && [ "$rc" != 124 ]; then
		echo "replay $t: $f.vfs does not hang on the kernel backend, as its input does"
		return 1
	elif [ -n "$entry" ] && [ "$rc" = 0 ]; then
		echo "replay $t: $f.vfs passes on the kernel backend, but open.txt lists $f"
		return 1
	fi
}

if [ "$mode" = replay ]; then
	status=0
	check_open || status=1
	for t in "${targets[@]}"; do
		bin=$B/replay/$t
		log=$B/replay-$t.log
		if [ -d "fuzz/corpus/$t" ] && ! "$bin" "fuzz/corpus/$t" 2>"$log" >/dev/null; then
			echo "replay $t: a seed fails:"
			grep -B2 -A2 -m 1 -E '^vfiosim-fuzz:|runtime error:|Sanitizer' "$log"
			status=1
		fi
		seeds=$(ls "fuzz/corpus/$t" 2>/dev/null | wc -l)
		fixed=0
		open=0
		kscenarios=0
		for f in fuzz/regressions/"$t"/*; do
			[ -f "$f" ] || continue
			[[ $f == *.vfs ]] && continue
			entry=$(grep -m 1 "^$t/$(basename "$f") " "$OPEN" 2>/dev/null || true)
			want=$(open_message "$entry")
			rc=0
			# An open hang must outlast the limit tests/unit/test_fuzz_replay.c
			# gives (INPUT_SECONDS); anything else gets more slack.
			limit=20
			[ "$want" = "(hangs)" ] && limit=5
			out=$(VFIOSIM_FUZZ_TRACE=0 timeout $limit "$bin" "$f" 2>&1 >/dev/null) || rc=$?
			if [ -z "$entry" ]; then
				fixed=$((fixed + 1))
				if [ "$rc" != 0 ]; then
					echo "replay $t: $f fails again:"
					printf '%s\n' "$out" | first_failure
					status=1
				fi
			elif [ "$want" = "(hangs)" ]; then
				open=$((open + 1))
				if [ "$rc" != 124 ]; then
					echo "replay $t: $f no longer hangs (open.txt)"
					status=1
				fi
			else
				open=$((open + 1))
				if [ -z "$want" ]; then
					status=1	# check_open said why
				elif [ "$rc" = 0 ] || [[ $out != *"$want"* ]]; then
					echo "replay $t: $f no longer fails with" \
						"\"$want\" (open.txt)"
					status=1
				fi
			fi
			replay_scenario "$t" "$f" "$entry" "$want" "$limit" || status=1
		done
		echo "replay $t: $seeds seed(s); past findings: $fixed fixed, $open open$([ "$kscenarios" = 0 ] ||
			echo "; their scenarios on the kernel backend: $kscenarios")"
	done
	exit $status
fi

if [ "$mode" = cmin ]; then
	for t in "${targets[@]}"; do
		dirs=("$OUT/$t"/*/queue)
		[ -d "${dirs[0]}" ] || { echo "cmin: no campaign output for $t" >&2; continue; }
		rm -rf "$B/cmin-$t" "$B/cmin-all-$t"
		mkdir -p "$B/cmin-all-$t"
		cp fuzz/corpus/"$t"/* "$B/cmin-all-$t/"
		for d in "${dirs[@]}"; do
			for f in "$d"/id:*; do
				[ -f "$f" ] || continue
				cp "$f" "$B/cmin-all-$t/q-$(sha1sum "$f" | cut -c 1-12)"
			done
		done
		AFL_QUIET=1 afl-cmin -i "$B/cmin-all-$t" -o "$B/cmin-$t" -- "$B/afl/$t" >/dev/null
		echo "cmin $t: $(ls "$B/cmin-all-$t" | wc -l) inputs -> $(ls "$B/cmin-$t" | wc -l)"
		rm -rf "fuzz/corpus/$t"
		mkdir -p "fuzz/corpus/$t"
		for f in "$B/cmin-$t"/*; do
			cp "$f" "fuzz/corpus/$t/$(basename "$f" | sed 's/[:,]/_/g')"
		done
	done
	exit 0
fi

if [ "$mode" != import ]; then
	echo
	echo "summary ($(nproc) cores, outputs in $OUT/TARGET/):"
	for t in "${targets[@]}"; do
		summary "$t"
	done
	echo
fi
status=0
total_new=0
wrote=()
repro=()
for t in "${targets[@]}"; do
	echo "triage $t:"
	triage "$t"
	total_new=$((total_new + new_findings))
done
if [ "$total_new" -gt 0 ]; then
	if [ ${#wrote[@]} -gt 0 ]; then
		echo "$total_new new finding(s); written to the checkout:"
		printf '  %s\n' "${wrote[@]}"
	else
		echo "$total_new new finding(s), against Linux $KVER: kept in $B/findings/ (not the checkout)"
	fi
	echo "reproduce:"
	printf '  %s\n' "${repro[@]}"
	[ "$mode" = smoke ] && status=1
else
	echo "no new finding (nothing written to the checkout)"
fi
exit $status
