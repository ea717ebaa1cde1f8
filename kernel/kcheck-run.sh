#!/usr/bin/env bash
# Runs the contract tests built against a kernel tree and judges each result
# against the version's list of expected failures.
#
#   kernel/kcheck-run.sh DIR XFAIL_FILE LABEL
#
# XFAIL_FILE has one line per test expected to fail on that kernel,
#   binary:test_name  reason  (docs/divergences.md#anchor)
# (# starts a comment).  Every test ends up as one of
#   pass     passed, not listed
#   xfail    failed, listed: a known divergence, reported with its reason
#   FAIL     failed, not listed: a model bug or a kernel bug, either way a failure
#   XPASS    passed although listed: the list is stale, also a failure
#   STALE    listed but not run (renamed?): a failure too
#   skip     skipped by the test itself: not applicable to a kernel (the
#            model-only extensions, docs/dirty-providers.md)
# A binary that dies (sanitizer, timeout) fails every test it did not finish.
# Each binary's whole output is kept in DIR/../logs/BINARY.log; the console
# shows it only for a binary with a FAIL or XPASS, so that a passing run
# prints the expected failures' reasons, not their assertion messages.
# The last line is "N passed, N failed, N skipped" with the expected failures
# and the tests not applicable counted as skipped; the exit status is 0 only without FAIL and XPASS.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 DIR XFAIL_FILE LABEL" >&2; exit 2; }
dir=${1%/}
xfail_file=$2
label=$3
limit=${VFIOSIM_TEST_TIMEOUT:-300}

: "${ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1}"
: "${UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS
# Seeded tests run the same sequences every time, so that an expected failure
# cannot turn into an XPASS by the luck of the draw; set VFIOSIM_SEED to explore.
: "${VFIOSIM_SEED=20261121}"
export VFIOSIM_SEED
# The tree decides the profile: a VFIOSIM_KERNEL left in the environment for
# the model's runs would ask the kernel backend to be another version.
unset VFIOSIM_KERNEL

declare -A xfail_reason=()
if [ -f "$xfail_file" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ ^[[:space:]]*# ]] && continue
		[ -n "${line//[[:space:]]/}" ] || continue
		key=${line%%[[:space:]]*}
		reason=${line#"$key"}
		reason=${reason#"${reason%%[![:space:]]*}"}
		xfail_reason[$key]=$reason
	done <"$xfail_file"
fi

logs=$(dirname "$dir")/logs
mkdir -p "$logs"
rm -f "$logs"/*.log

pass=0 fail=0 xfail=0 xpass=0 skip=0
declare -A seen=()
report=()
start=$(date +%s)

for bin in "$dir"/test_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	out=$logs/$name.log
	unexpected=0
	set +e
	timeout -k 10 "$limit" "$bin" >"$out" 2>&1
	rc=$?
	set -e
	finished=0
	while IFS= read -r l; do
		case $l in
		'[       OK ] '*) st=ok; t=${l#'[       OK ] '} ;;
		'[  FAILED  ] '*) st=bad; t=${l#'[  FAILED  ] '} ;;
		'[  ERROR   ] '*) st=bad; t=${l#'[  ERROR   ] '} ;;
		'[  SKIPPED ] '*) st=skip; t=${l#'[  SKIPPED ] '} ;;
		*) continue ;;
		esac
		# Only test names: cmocka also prints messages after these tags.
		[[ $t =~ ^[A-Za-z_][A-Za-z0-9_@.,+-]*$ ]] || continue
		key=$name:$t
		[ -z "${seen[$key]:-}" ] || continue
		seen[$key]=$st
		finished=$((finished + 1))
		if [ "$st" = skip ]; then
			skip=$((skip + 1))
		elif [ -n "${xfail_reason[$key]+x}" ]; then
			if [ "$st" = ok ]; then
				xpass=$((xpass + 1))
				unexpected=1
				report+=("XPASS  $key: listed as expected to fail (${xfail_reason[$key]})")
			else
				xfail=$((xfail + 1))
				report+=("xfail  $key: ${xfail_reason[$key]}")
			fi
		elif [ "$st" = ok ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			unexpected=1
			report+=("FAIL   $key")
		fi
	done <"$out"
	if [ "$rc" -ne 0 ] && ! grep -qE '^\[==========\] [0-9]+ test\(s\) run\.$' "$out"; then
		fail=$((fail + 1))
		unexpected=1
		report+=("FAIL   $name: exited with status $rc after $finished tests")
	elif [ "$rc" -ne 0 ] && [ "$rc" -gt 128 ]; then
		fail=$((fail + 1))
		unexpected=1
		report+=("FAIL   $name: died with status $rc")
	fi
	if [ "$unexpected" -ne 0 ]; then
		echo "=== $bin (status $rc; whole output in $out)"
		grep -vE '^\[ (RUN|      OK) ' "$out" | head -n 400 || true
	fi
done

for key in "${!xfail_reason[@]}"; do
	if [ -z "${seen[$key]:-}" ]; then
		xpass=$((xpass + 1))
		report+=("STALE  $key: listed in $xfail_file but not run")
	fi
done

echo "=== kcheck $label: $(( $(date +%s) - start )) s (test output in $logs/)"
if [ ${#report[@]} -gt 0 ]; then
	printf '%s\n' "${report[@]}" | LC_ALL=C sort
fi
echo "kcheck $label: $pass passed, $xfail expected failures, $skip not applicable, $fail failed, $xpass unexpectedly passed or stale"
echo "$pass passed, $((fail + xpass)) failed, $((xfail + skip)) skipped"
if [ -n "${KCHECK_RESULT:-}" ]; then
	echo "$pass $((fail + xpass)) $((xfail + skip))" >"$KCHECK_RESULT"
fi
[ $((fail + xpass)) -eq 0 ] && [ $((pass + xfail)) -gt 0 ]
