# Kernel-in-the-loop: the contract tests against the real
# drivers/vfio/vfio_iommu_type1.c of a kernel tree (kernel/README.md).
#
#   make kcheck                    Debian's linux-source-6.1, 6.12 and 7.3
#                                  (fetched into ~/.cache/vfiosim, see
#                                  kernel/ksrc.sh and kernel/fetch.sh)
#   make kcheck KSRC=/path/linux   one tree, Linux 5.10 or later: its Makefile's
#                                  VERSION.PATCHLEVEL selects each shimmed
#                                  interface (kernel/include/kshim_linux.h)
#                                  and the expected failures (kernel/xfail/)
#   make kcheck-build KSRC=...     build only
#   make kcheck-selftest           proves kcheck tests the tree it is given
#
# Everything of one version lands in build/kernel-X.Y/: the library
# (sim/lib, sim/host, sim/core, sim/oracle, sim/client, the kernel backend,
# not the model), and every tests/test_*.c linked against it, ASan+UBSan.  Only
# the kernel's translation unit depends on the tree, through a stamp of the
# tree's path and content (kernel/ksrc.sh), never through mtimes: another
# tree, or the same one edited, rebuilds that unit and relinks, nothing else.

.PHONY: kcheck kcheck-build kcheck-one kcheck-check-version kcheck-selftest ksrc-force \
	kcheck-tests

KSRC_CACHE := $(shell kernel/ksrc.sh cache)
# The trees plain make kcheck runs (kernel/fetch.sh knows where Debian has each).
KVERSIONS := 6.1 6.12 7.3

# $(call ksrc_version,KSRC): the tree's X.Y (kernel/ksrc.sh version, the one
# parser; empty for a directory that is no tree: kcheck-check-version says so).
ksrc_version = $(shell kernel/ksrc.sh version $(1) 2>/dev/null)
# $(call ksrc_kflags,X.Y): the release the shims stand in for (kshim_linux.h).
ksrc_kflags = -DKSHIM_LINUX_MAJOR=$(basename $(1)) -DKSHIM_LINUX_MINOR=$(patsubst .%,%,$(suffix $(1)))

# --- the kernel's translation unit, shared with fuzz/fuzz.mk and bench/bench.mk
KBASE := -std=gnu11 -D_GNU_SOURCE -Ikernel/include -Ikernel -I. -Isim/include -Isim
# The warnings of the kernel's default build (scripts/Makefile.extrawarn
# without W=, as of 6.12), for the tree's source: printed, never fatal but
# where the kernel's build makes them errors.  Our code in the same unit is
# held to $(WARN) by the object's own compilation (kernel/type1_tu.c).
KTU_WARN := -Wall -Wundef -Wmissing-declarations -Wmissing-prototypes -Wvla \
	    -Wcast-function-type -Wno-pointer-sign -Wno-format-security -Wno-trigraphs \
	    -Wno-frame-address -Wno-address-of-packed-member -Wno-unused-but-set-variable \
	    -Wno-unused-const-variable -Werror=implicit-function-declaration \
	    -Werror=implicit-int -Werror=return-type -Werror=strict-prototypes \
	    -Werror=incompatible-pointer-types
KTU_WARN_gcc := -Wimplicit-fallthrough=5 -Wenum-conversion -Wno-maybe-uninitialized \
		-Wno-main -Wno-dangling-pointer -Wno-stringop-truncation -Wno-stringop-overflow \
		-Wno-restrict -Wno-alloc-size-larger-than -Wno-format-truncation \
		-Wno-format-overflow -Wno-packed-not-aligned -Werror=designated-init
KTU_WARN_clang := -Wno-unknown-warning-option -Wimplicit-fallthrough -Wno-gnu \
		  -Wno-initializer-overrides -Wno-sign-compare -Wno-format-zero-length \
		  -Wno-pointer-to-enum-cast -Wno-tautological-constant-out-of-range-compare \
		  -Wno-unaligned-access -Wno-cast-function-type-strict \
		  -Wno-enum-compare-conditional -Wno-enum-enum-conversion
# $(call ktu_warn,CC): KTU_WARN and the compiler's own part.
ktu_warn = $(KTU_WARN) $(if $(findstring clang,$(shell $(1) --version 2>/dev/null)),\
	   $(KTU_WARN_clang),$(KTU_WARN_gcc))
# $(call ktu_type1,KSRC): the -D that names the tree's file to type1_tu.c.
ktu_type1 = -DKSRC_TYPE1_C='"$(abspath $(1))/drivers/vfio/vfio_iommu_type1.c"'
# $(ktu_depflags) and then $(call ktu_deps,KSRC) compile a unit of KSRC:
# its header dependencies go to $@'s depfile (x.o: x.d) without the tree's
# files, which the stamp below tracks by content where make would go by
# date, and the stamp must hash every file of the tree the compiler read.
ktu_depflags = $(DEPFLAGS) -MT $@ -MF $@.tree.d
ktu_deps = kernel/ksrc.sh deps $(1) $@.tree.d $(@:.o=).d

# $(call ksrc_rules,DIR,KSRC,KVER,CC,PREREQ) defines
#   DIR/ksrc.stamp   the tree's path and a hash of what the build reads of it,
#                    rewritten only when that changes (after PREREQ: fetch, checks)
#   DIR/kver.stamp   the release the shims are built for, rewritten only when
#                    it changes: objects of kernel/shim/ depend on it
#   DIR/ksrc.warned  the kernel's own warnings on the tree (type1_tu.c compiled
#                    as the kernel builds, -O2, the object thrown away): printed
#                    once per tree content (and when a header it reads changes).
#                    A tree the shims cannot build stops here, at its first
#                    error, with a sentence naming the interface
#                    (kernel/first-error.sh).
# A type1_tu.o built from KSRC depends on DIR/ksrc.warned, and is then
# compiled with -DKTU_KERNEL_QUIET (kernel/type1_tu.c).
define ksrc_rules
$(1)/ksrc.stamp: ksrc-force $(5)
	@kernel/ksrc.sh stamp $(2) $$@
$(1)/kver.stamp: ksrc-force
	@mkdir -p $$(@D); echo $(3) | cmp -s - $$@ || echo $(3) >$$@
$(1)/ksrc.warned: $(1)/ksrc.stamp $(1)/kver.stamp kernel/type1_tu.c kernel/first-error.sh
	$$(call say,KWARN,$$@)kernel/first-error.sh $(3) $(2) -- $(4) $$(KBASE) \
		$$(call ksrc_kflags,$(3)) $$(call ktu_warn,$(4)) -O2 $$(call ktu_type1,$(2)) \
		$$(ktu_depflags) -c kernel/type1_tu.c -o /dev/null
	@$$(call ktu_deps,$(2))
	@touch $$@
-include $$(wildcard $(1)/ksrc.warned.d)
endef
ksrc-force:

# Proves that every kcheck run tests its own tree (kernel/selftest.sh).
kcheck-selftest: deps-test
	@kernel/selftest.sh

ifeq ($(KSRC),)
kcheck: deps-test
	@kernel/fetch.sh --for "make kcheck's default trees" $(KSRC_CACHE) $(KVERSIONS)
	@rm -f $(KVERSIONS:%=build/kernel-%/kcheck.result)
	@status=0; for v in $(KVERSIONS); do \
		$(MAKE) --no-print-directory kcheck-one KSRC=$(KSRC_CACHE)/linux-source-$$v || status=1; \
	done; \
	cat $(KVERSIONS:%=build/kernel-%/kcheck.result) 2>/dev/null | awk \
		'{ p += $$1; f += $$2; s += $$3 } END { printf "kcheck $(KVERSIONS): "; \
		  printf "%d passed, %d failed, %d skipped\n", p, f, s }'; \
	exit $$status
kcheck-build:
	@kernel/fetch.sh --for "make kcheck's default trees" $(KSRC_CACHE) $(KVERSIONS)
	@for v in $(KVERSIONS); do \
		$(MAKE) --no-print-directory kcheck-build KSRC=$(KSRC_CACHE)/linux-source-$$v || exit 1; \
	done
else
kcheck: deps-test
	@$(MAKE) --no-print-directory kcheck-one KSRC=$(KSRC)

KVER := $(call ksrc_version,$(KSRC))
KO := $(or $(KCHECK_O),build/kernel-$(KVER))
# The expected failures: the version's list, else that of the nearest
# version above it that has one, else the newest (kernel/README.md).
KXFAIL := $(shell kernel/ksrc.sh xfail $(KVER) 2>/dev/null)

# The shims and the adapter: the project's warnings, the kernel's dialect.
KCFLAGS := $(KBASE) $(WARN) $(call ksrc_kflags,$(KVER)) $(SAN_FLAGS)
# The kernel's translation unit: the tree's file quiet (its warnings come
# from $(KO)/ksrc.warned), shifts not sanitized (kernel/README.md: x >> __ffs(0)).
KTU_FLAGS := $(KCFLAGS) -fno-sanitize=shift -DKTU_KERNEL_QUIET $(call ktu_type1,$(KSRC))
KLIB_CFLAGS := $(CSTD) $(WARN) $(INC) $(SAN_FLAGS) $(DEPFLAGS)

KLIB_SRC := $(sort $(wildcard sim/lib/*.c sim/host/*.c sim/core/*.c sim/oracle/*.c \
			    sim/client/*.c))
KSHIM_SRC := $(sort $(wildcard kernel/shim/*.c))
KLIB_OBJ := $(KLIB_SRC:%.c=$(KO)/%.o) $(KSHIM_SRC:%.c=$(KO)/%.o) $(KO)/kernel/type1_tu.o
KLIB := $(KO)/libvfiosim-kernel.a
KTEST_SRC := $(sort $(wildcard tests/test_*.c))
KTEST_BIN := $(KTEST_SRC:tests/%.c=$(KO)/tests/%)
KHELP_OBJ := $(TEST_HELPERS:%.c=$(KO)/%.o)
KPROBE_OBJ := $(addprefix $(KO)/tests/uapi/,probe_ours.o probe_system.o probe_613.o)

kcheck-check-version:
	@kernel/ksrc.sh check $(KSRC)

$(eval $(call ksrc_rules,$(KO),$(KSRC),$(KVER),$(CC),kcheck-check-version))

$(KO)/sim/%.o: sim/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(KLIB_CFLAGS) -c $< -o $@

$(KO)/kernel/shim/%.o: kernel/shim/%.c $(KO)/kver.stamp
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(KCFLAGS) $(DEPFLAGS) -c $< -o $@

$(KO)/kernel/type1_tu.o: kernel/type1_tu.c $(KO)/kver.stamp $(KO)/ksrc.warned
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(KTU_FLAGS) $(ktu_depflags) -c $< -o $@
	@$(call ktu_deps,$(KSRC))

$(KLIB): $(KLIB_OBJ)
	@rm -f $@
	$(call say,AR,$@)$(AR) rcs $@ $^

$(KO)/tests/helpers/%.o: tests/helpers/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(KLIB_CFLAGS) -Itests -c $< -o $@

$(eval $(call uapi_probes,$(KO),$(SAN_FLAGS)))

# Compiled apart from the link: another tree relinks them, nothing more.
$(KTEST_BIN:%=%.o): $(KO)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(KLIB_CFLAGS) -Itests -c $< -o $@

# Each links the objects among its prerequisites (the probes for the layout test).
$(KTEST_BIN): $(KO)/tests/%: $(KO)/tests/%.o $(KHELP_OBJ) $(KLIB)
	$(call say,LD,$@)$(CC) $(SAN_FLAGS) $(filter %.o,$^) $(KLIB) -lcmocka -o $@

-include $(wildcard $(KLIB_OBJ:.o=.d) $(KHELP_OBJ:.o=.d) $(KPROBE_OBJ:.o=.d) $(KTEST_BIN:=.d))

kcheck-build: kcheck-check-version
	@$(MAKE) --no-print-directory $(BUILD_J) KSRC=$(KSRC) kcheck-tests

# One goal for all the binaries: make says nothing when they are up to date.
kcheck-tests: $(KTEST_BIN)
	@:

kcheck-one: kcheck-build
	@rm -f $(KO)/kcheck.result
	@KCHECK_RESULT=$(KO)/kcheck.result kernel/kcheck-run.sh $(KO)/tests $(KXFAIL) \
		"Linux $(shell kernel/ksrc.sh release $(KSRC)) ($(KSRC), expected failures: $(KXFAIL))"
endif
