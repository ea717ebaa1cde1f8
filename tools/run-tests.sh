#!/usr/bin/env bash
# Run every cmocka test binary (test_*) in DIR and DIR/unit and add up the
# results over all of them.
#
#   tools/run-tests.sh DIR [tap|xml]
#
# The contract tests (DIR/test_*) run once per Linux version the model
# follows, with VFIOSIM_KERNEL set to it: 7.3 (the newest, the default of
# the model), 6.12, 6.1 and 5.10; VFIOSIM_TEST_KERNELS="6.12 6.1" narrows
# that list.  The unit tests (DIR/unit) run once.  Each run is labelled
# "=== BINARY [kernel X.Y]" and counted on its own.
#
# tap: cmocka prints TAP.  xml: cmocka writes JUnit XML to
# build/test-results/BINARY[.kX.Y].GROUP.xml (one file per run: cmocka
# refuses to append to a file left by another process, so a shared name
# would be lost).  The last line is always "N passed, N failed, N skipped";
# the exit status is non-zero if a test failed or none ran.  A binary that
# dies or exits non-zero without a cmocka failure counts as one failed test.
set -euo pipefail

usage() {
	echo "usage: $0 DIR [tap|xml]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	usage
fi
dir=${1%/}
mode=${2:-}
case $mode in
"" | tap | xml) ;;
*) usage ;;
esac
[ -d "$dir" ] || { echo "vfiosim: no such directory: $dir" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
limit=${VFIOSIM_TEST_TIMEOUT:-300}

# The user's own settings win, even empty ones.
: "${ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1}"
: "${UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

results=$root/build/test-results
case $mode in
tap)
	export CMOCKA_MESSAGE_OUTPUT=TAP
	;;
xml)
	export CMOCKA_MESSAGE_OUTPUT=XML
	mkdir -p "$results"
	rm -f "$results"/*.xml
	;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# find_bins D: the test binaries directly in D, sorted.
find_bins() {
	[ -d "$1" ] || return 0
	find "$1" -maxdepth 1 -type f -name 'test_*' -perm -u+x -print0 |
		LC_ALL=C sort -z | tr '\0' '\n'
}

read -r -a kernels <<<"${VFIOSIM_TEST_KERNELS-7.3 6.12 6.1 5.10}"
for k in "${kernels[@]}"; do
	[[ $k =~ ^[0-9]+\.[0-9]+$ ]] ||
		{ echo "vfiosim: VFIOSIM_TEST_KERNELS: not a version: $k" >&2; exit 2; }
done
[ ${#kernels[@]} -gt 0 ] || { echo "vfiosim: VFIOSIM_TEST_KERNELS is empty" >&2; exit 2; }

# One run per line: "KERNEL BINARY", KERNEL "-" for the unit tests.
runs=()
mapfile -t contract < <(find_bins "$dir")
for k in "${kernels[@]}"; do
	for f in "${contract[@]}"; do
		[ -n "$f" ] && runs+=("$k $f")
	done
done
mapfile -t unit < <(find_bins "$dir/unit")
for f in "${unit[@]}"; do
	[ -n "$f" ] && runs+=("- $f")
done

total_pass=0
total_fail=0
total_skip=0
broken=()

# count FILE PATTERN: number of lines of FILE matching the extended regex.
count() {
	grep -cE "$2" "$1" || true
}

# Sets pass/fail/skip from one binary's output; found=0 if nothing to parse.
parse_standard() {
	local out=$1
	if grep -qE '^\[==========\] [0-9]+ test\(s\) run\.$' "$out"; then
		found=1
		pass=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test\(s\)\.$/\1/p' "$out" | tail -n 1)
		fail=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test\(s\), listed below:$/\1/p' "$out" |
		       tail -n 1)
		skip=$(sed -nE 's/^\[  SKIPPED \] ([0-9]+) test\(s\), listed below:$/\1/p' "$out" |
		       tail -n 1)
	else
		# Died mid-run: keep what finished.
		found=0
		pass=$(count "$out" '^\[       OK \] ')
		fail=$(count "$out" '^\[  FAILED  \] ')
		skip=$(count "$out" '^\[  SKIPPED \] ')
	fi
}

parse_tap() {
	local out=$1
	pass=$(count "$out" '^ok [0-9]+')
	skip=$(count "$out" '^not ok [0-9]+ # SKIP')
	fail=$(( $(count "$out" '^not ok [0-9]+') - skip ))
	found=0
	grep -qE '^# (not )?ok - ' "$out" && found=1
	return 0
}

parse_xml() {
	local name=$1 f attrs n
	local t=0 bad=0 s=0
	found=0
	for f in "$results/$name".*.xml; do
		[ -f "$f" ] || continue
		while IFS= read -r attrs; do
			found=1
			n=$(sed -nE 's/.* tests="([0-9]+)".*/\1/p' <<<"$attrs")
			t=$((t + ${n:-0}))
			n=$(sed -nE 's/.* failures="([0-9]+)".*/\1/p' <<<"$attrs")
			bad=$((bad + ${n:-0}))
			n=$(sed -nE 's/.* errors="([0-9]+)".*/\1/p' <<<"$attrs")
			bad=$((bad + ${n:-0}))
			n=$(sed -nE 's/.* skipped="([0-9]+)".*/\1/p' <<<"$attrs")
			s=$((s + ${n:-0}))
		done < <(grep -oE '<testsuite [^>]*>' "$f")
		echo "results: $f"
	done
	pass=$((t - bad - s))
	fail=$bad
	skip=$s
}

declare -A k_pass=() k_fail=()
for run in "${runs[@]}"; do
	kernel=${run%% *}
	bin=${run#* }
	rel=${bin#"$dir"/}
	name=${rel//\//.}
	out=$tmp/out
	if [ "$kernel" = - ]; then
		echo "=== $bin"
		unset VFIOSIM_KERNEL
	else
		echo "=== $bin [kernel $kernel]"
		export VFIOSIM_KERNEL=$kernel
		name=$name.k$kernel
		rel="$rel [kernel $kernel]"
	fi
	if [ "$mode" = xml ]; then
		export CMOCKA_XML_FILE="$results/$name.%g.xml"
	fi

	set +o pipefail
	timeout -k 10 "$limit" "$bin" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -o pipefail

	case $mode in
	tap) parse_tap "$out" ;;
	xml) parse_xml "$name" ;;
	*) parse_standard "$out" ;;
	esac
	pass=${pass:-0}
	fail=${fail:-0}
	skip=${skip:-0}

	if [ "$rc" -ne 0 ] && { [ "$found" -eq 0 ] || [ "$fail" -eq 0 ]; }; then
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "vfiosim: $rel timed out after $limit s"
		elif [ "$rc" -gt 128 ]; then
			echo "vfiosim: $rel killed by signal $((rc - 128))"
		else
			echo "vfiosim: $rel exited with status $rc"
		fi
		fail=$((fail + 1))
		# Nothing readable in TAP/XML mode: cmocka exits with its failure count.
		if [ "$found" -eq 0 ] && [ -n "$mode" ] && [ "$rc" -lt 124 ] &&
		   [ "$rc" -gt "$fail" ]; then
			fail=$rc
		fi
	elif [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
		echo "vfiosim: $rel printed no cmocka summary"
		fail=$((fail + 1))
	fi

	[ "$fail" -eq 0 ] || broken+=("$rel")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	k_pass[$kernel]=$((${k_pass[$kernel]:-0} + pass))
	k_fail[$kernel]=$((${k_fail[$kernel]:-0} + fail))
done

status=0
for k in "${kernels[@]}" -; do
	[ -n "${k_pass[$k]:-}" ] || continue
	if [ "$k" = - ]; then
		echo "unit tests: ${k_pass[$k]} passed, ${k_fail[$k]} failed"
	else
		echo "contract tests, model as Linux $k: ${k_pass[$k]} passed, ${k_fail[$k]} failed"
	fi
done
if [ ${#runs[@]} -eq 0 ]; then
	echo "vfiosim: no test binaries in $dir"
	status=1
elif [ $((total_pass + total_fail)) -eq 0 ]; then
	echo "vfiosim: no test ran"
	status=1
fi
if [ ${#broken[@]} -gt 0 ]; then
	echo "vfiosim: failing: ${broken[*]}"
	status=1
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit "$status"
