#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: every fuzz target of fuzz/ as a
# LLVMFuzzerTestOneInput program linked with $LIB_FUZZING_ENGINE, with its
# dictionary and its seed corpus (docs/fuzzing.md).  The diff target needs
# Linux 6.12's drivers/vfio/vfio_iommu_type1.c: a tree given in
# $VFIOSIM_KSRC, or the three files kcheck needs fetched from kernel.org
# (KVER below); without either, diff is skipped.

cd "$SRC/vfiosim"
KVER=${VFIOSIM_KVER:-v6.12.117}	# the release Debian's linux-source-6.12 packages (kcheck)
INC="-std=c11 -D_GNU_SOURCE -Iuapi -Isim/include -Isim"
W="-Wall -Wextra -Wno-unused-parameter"
work=$WORK/vfiosim
mkdir -p "$work/obj"

objs=()
for f in sim/lib/*.c sim/host/*.c sim/core/*.c sim/type1/*.c sim/oracle/*.c; do
	o=$work/obj/$(echo "$f" | tr / _).o
	$CC $CFLAGS $INC $W -c "$f" -o "$o"
	objs+=("$o")
done
rm -f "$work/libvfiosim.a"
ar rcs "$work/libvfiosim.a" "${objs[@]}"

harness() {	# target, sources...
	local t=$1 o
	shift
	local hobjs=()
	for f in "$@" fuzz/fail.c; do
		o=$work/obj/$t-$(basename "$f" .c).o
		$CC $CFLAGS $INC $W -c "$f" -o "$o"
		hobjs+=("$o")
	done
	$CC $CFLAGS $INC $W -DFUZZ_TARGET="$t" -c fuzz/entry.c -o "$work/obj/$t-entry.o"
	hobjs+=("$work/obj/$t-entry.o")
	echo "${hobjs[@]}"
}

package() {	# target, dictionary
	cp "fuzz/dict/$2.dict" "$OUT/vfiosim_$1.dict"
	(cd "fuzz/corpus/$1" && zip -q -r "$OUT/vfiosim_$1_seed_corpus.zip" .)
}

for t in ioctl seq; do
	srcs=(fuzz/target_$t.c)
	[ "$t" = seq ] && srcs+=(fuzz/seq_lang.c)
	h=$(harness "$t" "${srcs[@]}")
	# shellcheck disable=SC2086
	$CXX $CXXFLAGS $h "$work/libvfiosim.a" $LIB_FUZZING_ENGINE -o "$OUT/vfiosim_$t"
done
package ioctl ioctl
package seq seq

# The kernel backend, as kernel/kernel.mk builds it, renamed for the
# differential target.
ksrc=${VFIOSIM_KSRC:-$work/linux}
if [ ! -f "$ksrc/drivers/vfio/vfio_iommu_type1.c" ]; then
	base=https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git/plain
	mkdir -p "$ksrc/drivers/vfio"
	for f in Makefile drivers/vfio/vfio_iommu_type1.c drivers/vfio/vfio.h; do
		curl -fsSL "$base/$f?h=$KVER" -o "$ksrc/$f" || { rm -rf "$ksrc"; break; }
	done
fi
if [ -f "$ksrc/drivers/vfio/vfio_iommu_type1.c" ]; then
	K="-std=gnu11 -D_GNU_SOURCE -Ikernel/include -Ikernel -I. -Isim/include -Isim"
	v=$(kernel/ksrc.sh version "$ksrc")
	K="$K -DKSHIM_LINUX_MAJOR=${v%.*} -DKSHIM_LINUX_MINOR=${v#*.} -Dvfiosim_backend=vfiosim_backend_kernel"
	kobjs=()
	for f in kernel/shim/*.c; do
		o=$work/obj/kshim-$(basename "$f" .c).o
		$CC $CFLAGS $K -w -c "$f" -o "$o"
		kobjs+=("$o")
	done
	$CC $CFLAGS $K -w -fno-sanitize=shift,pointer-overflow \
		-DKSRC_TYPE1_C="\"$ksrc/drivers/vfio/vfio_iommu_type1.c\"" \
		-c kernel/type1_tu.c -o "$work/obj/ktype1.o"
	kobjs+=("$work/obj/ktype1.o")
	h=$(harness diff fuzz/target_diff.c fuzz/seq_lang.c)
	# shellcheck disable=SC2086
	$CXX $CXXFLAGS $h "${kobjs[@]}" "$work/libvfiosim.a" $LIB_FUZZING_ENGINE \
		-o "$OUT/vfiosim_diff"
	package diff seq
else
	echo "build.sh: no Linux $KVER type1 source: the diff target is not built" >&2
fi
