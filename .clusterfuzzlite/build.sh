#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build (docs/fuzzing.md): make fuzz-oss builds
# every fuzz target from the Makefile's own lists (fuzz/fuzz.mk says what each
# links) with the engine's compilers and flags, and puts in $OUT what the
# engine runs: vfiosim_TARGET, vfiosim_TARGET.dict and
# vfiosim_TARGET_seed_corpus.zip.  The diff target links Linux 6.12's
# vfio_iommu_type1.c from the tree kcheck uses, in $VFIOSIM_KSRC_CACHE (the
# Dockerfile fetches it with kernel/fetch.sh; make fetches it if missing).
# fuzz/cflite-local.sh runs this script the same way without Docker.

cd "$SRC/vfiosim"
make -j"$(nproc)" fuzz-oss OUT="$OUT" OSS_CC="$CC" OSS_CXX="$CXX" OSS_CFLAGS="$CFLAGS" \
	OSS_CXXFLAGS="$CXXFLAGS" LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE"
