# Kernel-in-the-loop: the contract tests against the real
# drivers/vfio/vfio_iommu_type1.c of a kernel tree (kernel/README.md).
#
#   make kcheck                    Debian's linux-source-6.12 and 6.1 (fetched
#                                  into build/ksrc-cache or $VFIOSIM_KSRC_CACHE)
#   make kcheck KSRC=/path/linux   one tree; its Makefile's VERSION.PATCHLEVEL
#                                  picks kernel/versions/X.Y.h
#   make kcheck-build KSRC=...     build only
#
# Everything of one version lands in build/kernel-X.Y/: the library
# (sim/lib, sim/host, sim/core, sim/oracle and the kernel backend, not the
# model), and every tests/test_*.c linked against it, with ASan+UBSan.

.PHONY: kcheck kcheck-build kcheck-one

KSRC_CACHE := $(or $(VFIOSIM_KSRC_CACHE),build/ksrc-cache)
KVERSIONS := 6.12 6.1

ifeq ($(KSRC),)
kcheck: deps-test
	@kernel/fetch.sh $(KSRC_CACHE) $(KVERSIONS)
	@rm -f $(KVERSIONS:%=build/kernel-%/kcheck.result)
	@status=0; for v in $(KVERSIONS); do \
		$(MAKE) --no-print-directory kcheck-one KSRC=$(KSRC_CACHE)/linux-source-$$v || status=1; \
	done; \
	cat $(KVERSIONS:%=build/kernel-%/kcheck.result) 2>/dev/null | awk \
		'{ p += $$1; f += $$2; s += $$3 } END { printf "kcheck $(KVERSIONS): "; \
		  printf "%d passed, %d failed, %d skipped\n", p, f, s }'; \
	exit $$status
kcheck-build:
	@kernel/fetch.sh $(KSRC_CACHE) $(KVERSIONS)
	@for v in $(KVERSIONS); do \
		$(MAKE) --no-print-directory kcheck-build KSRC=$(KSRC_CACHE)/linux-source-$$v || exit 1; \
	done
else
kcheck: deps-test
	@$(MAKE) --no-print-directory kcheck-one KSRC=$(KSRC)

KSRC_MK := $(KSRC)/Makefile
KVER := $(shell sed -n -e 's/^VERSION = \([0-9]*\)$$/\1/p' $(KSRC_MK) 2>/dev/null).$(shell \
	sed -n -e 's/^PATCHLEVEL = \([0-9]*\)$$/\1/p' $(KSRC_MK) 2>/dev/null)
KO := $(or $(KCHECK_O),build/kernel-$(KVER))
KTYPE1 := $(abspath $(KSRC))/drivers/vfio/vfio_iommu_type1.c
KVER_H := kernel/versions/$(KVER).h

KSAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# The shims and the adapter: the project's warnings, the kernel's dialect.
KCFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -Ikernel/include -Ikernel -I. -Isim/include -Isim \
	   -DKSHIM_VERSION_HEADER='"versions/$(KVER).h"' $(KSAN)
# The kernel's own source: the warnings the kernel build does not use are
# off, and shifts are not sanitized (kernel/README.md: x >> __ffs(0)).
KCC_IS_CLANG := $(findstring clang,$(shell $(CC) --version 2>/dev/null))
KTU_FLAGS := $(KCFLAGS) -Wno-sign-compare -Wno-shadow -Wno-unused-function \
	     $(if $(KCC_IS_CLANG),-Wno-void-pointer-to-enum-cast,-Wno-maybe-uninitialized) \
	     -fno-sanitize=shift -DKSRC_TYPE1_C='"$(KTYPE1)"'
KLIB_CFLAGS := $(CSTD) $(WARN) $(INC) $(KSAN)

KLIB_SRC := $(sort $(wildcard sim/lib/*.c sim/host/*.c sim/core/*.c sim/oracle/*.c))
KSHIM_SRC := $(sort $(wildcard kernel/shim/*.c))
KHDRS := $(HDRS) $(wildcard kernel/include/*.h kernel/include/*/*.h kernel/include/*/*/*.h) \
	 $(KVER_H) kernel/backend.c kernel/check.c
KLIB_OBJ := $(KLIB_SRC:%.c=$(KO)/%.o) $(KSHIM_SRC:%.c=$(KO)/%.o) $(KO)/kernel/type1_tu.o
KLIB := $(KO)/libvfiosim-kernel.a
KTEST_SRC := $(sort $(wildcard tests/test_*.c))
KTEST_BIN := $(KTEST_SRC:tests/%.c=$(KO)/tests/%)
KHELP_OBJ := $(TEST_HELPERS:%.c=$(KO)/%.o)
KPROBE_OBJ := $(KO)/tests/uapi/probe_ours.o $(KO)/tests/uapi/probe_system.o \
	      $(KO)/tests/uapi/probe_613.o

kcheck-check-version:
	@test -f $(KSRC_MK) || { echo "kcheck: $(KSRC) has no Makefile (not a kernel tree?)"; exit 1; }
	@test -f $(KTYPE1) || { echo "kcheck: $(KTYPE1) is missing"; exit 1; }
	@test -f $(KVER_H) || { echo "kcheck: Linux $(KVER) is not supported:" \
		"no $(KVER_H) (kernel/README.md tells how to add it)"; exit 1; }

$(KO)/sim/%.o: sim/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(KLIB_CFLAGS) -c $< -o $@

$(KO)/kernel/shim/%.o: kernel/shim/%.c $(KHDRS)
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

$(KO)/kernel/type1_tu.o: kernel/type1_tu.c $(KTYPE1) $(KHDRS)
	@mkdir -p $(@D)
	$(CC) $(KTU_FLAGS) -c $< -o $@

$(KLIB): $(KLIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(KO)/tests/helpers/%.o: tests/helpers/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(KLIB_CFLAGS) -Itests -c $< -o $@

$(KO)/tests/uapi/probe_ours.o: tests/uapi/probe.c uapi/linux/vfio.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(KSAN) -Iuapi -DPROBE_NAME=probe_ours -c $< -o $@

$(KO)/tests/uapi/probe_system.o: tests/uapi/probe.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(KSAN) -DPROBE_NAME=probe_system \
	    $(if $(SYS_VFIO),,-DPROBE_NO_HEADER) -c $< -o $@

$(KO)/tests/uapi/probe_613.o: tests/uapi/probe.c $(PROBE_613_H)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(KSAN) $(PROBE_613_FLAGS) -c $< -o $@

$(KO)/tests/test_uapi_layout: tests/test_uapi_layout.c $(KPROBE_OBJ) $(KHELP_OBJ) $(KLIB) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(KLIB_CFLAGS) -Itests $< $(KPROBE_OBJ) $(KHELP_OBJ) $(KLIB) -lcmocka -o $@

$(filter-out $(KO)/tests/test_uapi_layout,$(KTEST_BIN)): $(KO)/tests/%: tests/%.c $(KHELP_OBJ) \
		$(KLIB) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(KLIB_CFLAGS) -Itests $< $(KHELP_OBJ) $(KLIB) -lcmocka -o $@

kcheck-build: kcheck-check-version
	@$(MAKE) --no-print-directory KSRC=$(KSRC) $(KTEST_BIN)

kcheck-one: kcheck-build
	@rm -f $(KO)/kcheck.result
	@KCHECK_RESULT=$(KO)/kcheck.result \
		kernel/kcheck-run.sh $(KO)/tests kernel/xfail/$(KVER).txt "Linux $(KVER) ($(KSRC))"
endif
