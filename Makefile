# vfiosim - userspace simulator of vfio_iommu_type1 dirty page tracking.
# This file says what there is to make (make help); the included files, by
# area, say how.  Build trees: build/ (O=), build/san (make test),
# build/clang, build/cov, build/kernel-X.Y, build/fuzz/VARIANT, build/bench.

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
AR      ?= ar
# The build tree, its optimisation, and flags added to its every compilation.
O       ?= build
OPT     ?= -O2 -g
EXTRA_CFLAGS ?=
# V=1 shows every command.  KSRC=/path/to/linux: the kernel tree of kcheck,
# kcheck-build, fuzz (the diff target), bench and vfiosim-kernel.
# JOBS: compilations at a time in the builds the targets make for themselves
# (one per CPU; make -jN decides instead when given).
JOBS    ?= $(shell nproc 2>/dev/null || echo 1)

.DEFAULT_GOAL := all
include mk/build.mk             # flags, the library, the test binaries
include mk/test.mk              # test, check-clang, coverage, demo, clean
include kernel/kernel.mk        # kcheck: the tests against a kernel tree
include fuzz/fuzz.mk            # fuzz*
include bench/bench.mk          # bench*
include tools/vfiosim/vfiosim.mk  # the vfiosim command
include mk/install.mk           # install, uninstall, install-check

# One line per target a user runs.
.PHONY: help
help:
	@printf '%s\n' \
	'make                  build/libvfiosim.a and .so (the model), build/vfiosim and its man page' \
	'make test             every test under ASan+UBSan, leak-checked (TEST_OUTPUT=tap|xml)' \
	'make demo             the main job: vfiosim migrate, a live migration checked end to end' \
	'make check-clang      the same code built warning-free with clang, the tests under its ASan+UBSan' \
	'make coverage         gcov build, the tests, lcov HTML report in build/cov/html' \
	'make kcheck           the contract tests against Debian'"'"'s Linux 6.1, 6.12, 7.3 (KSRC=tree: any tree from 5.10)' \
	'make kcheck-build     build the kernel backend only (KSRC=tree)' \
	'make kcheck-selftest  proves kcheck always tests the tree it is given' \
	'make fuzz             AFL++ campaigns on every core (FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_JOBS, FUZZ_RESUME=1)' \
	'make fuzz-smoke       each fuzz target ~20 s under AFL++ (CI)' \
	'make fuzz-replay      every seed and past fuzz finding through the plain drivers' \
	'make fuzz-triage      triage the last campaign'"'"'s crashes again' \
	'make fuzz-import      inputs found elsewhere (ClusterFuzzLite) through the triage (FUZZ_IMPORT=files)' \
	'make fuzz-cflite      the ClusterFuzzLite build without Docker, each target 5 s on its seeds (CI)' \
	'make fuzz-oss OUT=dir the ClusterFuzzLite/OSS-Fuzz build (.clusterfuzzlite/build.sh)' \
	'make fuzz-build       every AFL++ build of the fuzz targets' \
	'make fuzz-libfuzzer   the fuzz targets as libFuzzer programs (clang)' \
	'make fuzz-corpus      regenerate the seed corpora (fuzz/gen_corpus.c)' \
	'make fuzz-cmin        merge the last campaign'"'"'s queues into fuzz/corpus (afl-cmin)' \
	'make fuzz-speed       execs/s of each fuzz harness alone, in process' \
	'make bench            dirty-bitmap copy and whole-guest scale benchmarks, under two minutes' \
	'                      (build/bench/)' \
	'make bench-full       the whole benchmark matrix' \
	'make bench-plot       the plots of the last benchmark run (gnuplot)' \
	'make vfiosim          build/vfiosim, the command (run, replay, migrate, trace)' \
	'make vfiosim-kernel   build/vfiosim-kernel: the command around a kernel tree (KSRC=tree)' \
	'make install          the library, headers, vfiosim.pc, vfiosim and vfiosim(1) (PREFIX=/usr/local,' \
	'                      DESTDIR, LIBDIR, INCLUDEDIR, BINDIR, MANDIR, PKGCONFIGDIR)' \
	'make uninstall        remove what make install put (the same variables)' \
	'make install-check    install into a temporary DESTDIR, build and run the README'"'"'s example from it' \
	'make clean            remove build/' \
	'' 'V=1 shows every command line; CC=clang builds with clang; JOBS=N compilations at a time' \
	'(default: one per CPU).'
