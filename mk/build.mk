# How the model's library and the test binaries are built in a build tree
# $(O) (included by the Makefile; make test, check-clang and coverage run
# make again with O=build/san, build/clang, build/cov and their OPT).
#
# Header dependencies: every compilation, in every tree (kernel/kernel.mk,
# fuzz/fuzz.mk, bench/bench.mk and tools/vfiosim/vfiosim.mk too), writes its
# output's as OUTPUT.d (-MMD: x.o's in x.d, a test binary's in BINARY.d),
# and each area includes those of its outputs.  Touching a header rebuilds
# what includes it, nothing else; -MP lets a deleted header go unmissed.
# Only a kernel tree's files are left out: a content stamp tracks them
# (kernel/kernel.mk).

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
CSTD    := -std=c11 -D_GNU_SOURCE
INC     := -Iuapi -Isim/include -Isim
CFLAGS_ALL = $(CSTD) $(WARN) $(INC) $(OPT) $(EXTRA_CFLAGS)
DEPFLAGS := -MMD -MP
# Objects built before dependencies were generated have no .d to say which
# headers they read, so nothing would rebuild them after a header changed:
# once per build/ (its .layout says which scheme built it) they are removed.
BUILD_LAYOUT := deps-1
ifneq ($(shell cat build/.layout 2>/dev/null),$(BUILD_LAYOUT))
$(shell find build -name '*.o' -delete 2>/dev/null; mkdir -p build && \
	echo $(BUILD_LAYOUT) >build/.layout)
endif
# The -j of a make run for a build only (never for one that runs tests:
# their output would interleave).  Under make -jN the jobserver is passed on
# already, and a forced -j would make the sub-make disable it and say so.
# Expanded in recipes, where MAKEFLAGS holds the jobserver's name.
BUILD_J = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(JOBS))

# make test's tree, the kernel trees and build/vfiosim-kernel.
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all

# Quiet like the kernel's build: "  CC  build/x.o" per step; V=1 shows each
# command line instead.  A recipe starts with $(call say,WHAT,$@).
ifeq ($(V),1)
say =
else
say = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

LIB_SRC  := $(sort $(wildcard sim/lib/*.c sim/host/*.c sim/core/*.c sim/type1/*.c sim/oracle/*.c \
			    sim/client/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c tests/unit/test_*.c))
TEST_HELPERS := $(sort $(wildcard tests/helpers/*.c))

LIB      := $(O)/libvfiosim.a
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(O)/tests/%)
HELP_OBJ := $(TEST_HELPERS:%.c=$(O)/%.o)

.PHONY: all lib tests
all: lib
lib: $(LIB)
tests: $(TEST_BIN)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(call say,AR,$@)$(AR) rcs $@ $^

# The shared library: the same sources compiled -fPIC in a tree of their
# own ($(O)/pic/), so that libvfiosim.a and the tests keep their code as it
# was.  It exports the contract alone (sim/libvfiosim.map) and is named for
# the contract's version (vfiosim.h): soname libvfiosim.so.MAJOR.
vfiosim_version_of = $(shell sed -n 's/^.define VFIOSIM_VERSION_$(1)[[:space:]]*\([0-9][0-9]*\)$$/\1/p' \
			   sim/include/vfiosim.h)
VERSION_MAJOR := $(call vfiosim_version_of,MAJOR)
VERSION_MINOR := $(call vfiosim_version_of,MINOR)
ifeq ($(VERSION_MAJOR)$(VERSION_MINOR),)
$(error sim/include/vfiosim.h: no VFIOSIM_VERSION_MAJOR and VFIOSIM_VERSION_MINOR to read)
endif
VERSION  := $(VERSION_MAJOR).$(VERSION_MINOR)
SONAME   := libvfiosim.so.$(VERSION_MAJOR)
SHLIB    := $(O)/libvfiosim.so.$(VERSION)
PIC_OBJ  := $(LIB_SRC:%.c=$(O)/pic/%.o)
# Every symbol resolved at link time (-z defs), but in a sanitizer build,
# whose runtime clang leaves to the program.
SHLIB_DEFS := $(if $(findstring -fsanitize,$(OPT) $(EXTRA_CFLAGS)),,-Wl,-z,defs)

.PHONY: shared
shared: $(SHLIB)
all: shared

$(O)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CFLAGS_ALL) -fPIC $(DEPFLAGS) -c $< -o $@

$(SHLIB): $(PIC_OBJ) sim/libvfiosim.map
	$(call say,LD,$@)$(CC) $(OPT) $(EXTRA_CFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=sim/libvfiosim.map $(SHLIB_DEFS) $(PIC_OBJ) -o $@

# A test binary is compiled and linked in one step.  It links every object
# among its prerequisites: an area adds its own (the probes below, the
# command's objects in vfiosim.mk, the harnesses in fuzz.mk) and, as a
# private TEST_CFLAGS, what their compilation needs.
$(TEST_BIN): $(O)/tests/%: tests/%.c $(HELP_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -Itests $(DEPFLAGS) -MF $@.d -MT $@ \
		$< $(filter %.o,$^) $(LIB) -lcmocka -o $@

# The UAPI layout probe: one object built against our header, one against
# the system's (if installed), compared by tests/test_uapi_layout.c.  A third
# sees the system's header as Linux 6.13 changed it (VFIO_TYPE1_NESTING_IOMMU
# renamed __VFIO_RESERVED_TYPE1_NESTING_IOMMU; on a newer system the sed
# changes nothing): the probe must build against newer headers as well.
SYS_VFIO := $(wildcard /usr/include/linux/vfio.h)
PROBE_613_DIR := build/uapi-6.13
PROBE_613_H := $(if $(SYS_VFIO),$(PROBE_613_DIR)/linux/vfio.h)
PROBE_613_FLAGS := -DPROBE_NAME=probe_613 $(if $(SYS_VFIO),-I$(PROBE_613_DIR),-DPROBE_NO_HEADER)

$(PROBE_613_DIR)/linux/vfio.h: $(SYS_VFIO)
	@mkdir -p $(@D)
	$(call say,GEN,$@)sed -e 's/\bVFIO_TYPE1_NESTING_IOMMU\b/__VFIO_RESERVED_TYPE1_NESTING_IOMMU/' $< >$@

# $(call uapi_probes,DIR,FLAGS): the three probe objects in DIR/tests/uapi/,
# compiled with FLAGS (the tree's optimisation and sanitizers), and the
# layout test of DIR linking them.
define uapi_probes
$(1)/tests/uapi/probe_ours.o: tests/uapi/probe.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(CC) $$(CSTD) $$(WARN) $(2) $$(DEPFLAGS) -Iuapi -DPROBE_NAME=probe_ours \
		-c $$< -o $$@
$(1)/tests/uapi/probe_system.o: tests/uapi/probe.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(CC) $$(CSTD) $$(WARN) $(2) $$(DEPFLAGS) -DPROBE_NAME=probe_system \
		$$(if $$(SYS_VFIO),,-DPROBE_NO_HEADER) -c $$< -o $$@
$(1)/tests/uapi/probe_613.o: tests/uapi/probe.c $$(PROBE_613_H)
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(CC) $$(CSTD) $$(WARN) $(2) $$(DEPFLAGS) $$(PROBE_613_FLAGS) -c $$< -o $$@
$(1)/tests/test_uapi_layout: $(addprefix $(1)/tests/uapi/,probe_ours.o probe_system.o probe_613.o)
endef
PROBE_OBJ := $(addprefix $(O)/tests/uapi/,probe_ours.o probe_system.o probe_613.o)
$(eval $(call uapi_probes,$(O),$(OPT) $(EXTRA_CFLAGS)))

-include $(wildcard $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(HELP_OBJ:.o=.d) $(PROBE_OBJ:.o=.d) $(TEST_BIN:=.d))
