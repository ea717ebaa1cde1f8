#!/usr/bin/env bash
# The ClusterFuzzLite / OSS-Fuzz build and a short run, without Docker
# (make fuzz-cflite; docs/fuzzing.md):
#
#   fuzz/cflite-local.sh [SECONDS [TARGET...]]    default: 5 s, ioctl seq diff
#
# Sets up what the base-builder image gives .clusterfuzzlite/build.sh for the
# libFuzzer engine, in build/cflite/: $SRC (holding the checkout as
# $SRC/vfiosim), $WORK, $OUT, CC=clang, CFLAGS as OSS-Fuzz's ASan and UBSan
# builds have them with -fsanitize=fuzzer-no-link, and
# LIB_FUZZING_ENGINE=-fsanitize=fuzzer; runs build.sh; then runs each target
# as the engine would: over its seed corpus (from $OUT's zip), with its
# dictionary, for SECONDS.  Fails if a target is missing, or crashes, leaks,
# times out or fails a check; the input is left in build/cflite/work/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-5}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ioctl seq diff)
[[ $secs =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS [TARGET...]]" >&2; exit 2; }

tools/deps.sh cflite

B=$root/build/cflite
rm -rf "$B"
mkdir -p "$B/src" "$B/work" "$B/out"
ln -s "$root" "$B/src/vfiosim"
export SRC=$B/src WORK=$B/work OUT=$B/out
export CC=clang CXX=clang++
# OSS-Fuzz's common flags, its ASan ones and (both sanitizers in one build
# here) UBSan with every check fatal.
CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only"
CFLAGS+=" -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
CFLAGS+=" -fsanitize=address -fsanitize-address-use-after-scope"
CFLAGS+=" -fsanitize=undefined -fno-sanitize-recover=undefined"
CFLAGS+=" -fsanitize=fuzzer-no-link"
export CFLAGS CXXFLAGS=$CFLAGS
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export FUZZ_TARGETS="${targets[*]}"
# build.sh runs in a clean container, not under a make.
unset MAKEFLAGS MFLAGS MAKELEVEL

echo "== .clusterfuzzlite/build.sh (SRC=$SRC WORK=$WORK OUT=$OUT)"
start=$SECONDS
bash -eu .clusterfuzzlite/build.sh
echo "build.sh: $((SECONDS - start)) s"

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:silence_unsigned_overflow=1
status=0
for t in "${targets[@]}"; do
	bin=$OUT/vfiosim_$t
	for f in "$bin" "$bin.dict" "${bin}_seed_corpus.zip"; do
		[ -f "$f" ] || { echo "cflite: build.sh made no $f" >&2; status=1; }
	done
	[ -x "$bin" ] || continue
	seeds=$WORK/seeds-$t
	new=$WORK/new-$t
	mkdir -p "$seeds" "$new"
	unzip -q "${bin}_seed_corpus.zip" -d "$seeds"
	log=$WORK/$t.log
	rc=0
	# New inputs go to the first directory, as the engine keeps its corpus
	# apart from the seeds.
	"$bin" -dict="$bin.dict" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 \
		-artifact_prefix="$WORK/$t-" -print_final_stats=1 "$new" "$seeds" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" != 0 ]; then
		echo "cflite: vfiosim_$t failed (exit $rc), log $log:"
		grep -m 1 -A 12 -E '^==[0-9]+==ERROR|runtime error:|^vfiosim-fuzz:|ERROR: libFuzzer' \
			"$log" || tail -n 15 "$log"
		for f in "$WORK/$t-"*; do
			[ ! -f "$f" ] || echo "  input: $f (reproduce: $bin $f)"
		done
		status=1
	else
		echo "vfiosim_$t: $(find "$seeds" -type f | wc -l) seeds and ${execs:-?} inputs in ${secs} s, clean"
	fi
done
exit $status
