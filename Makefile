# vfiosim - userspace simulator of vfio_iommu_type1 dirty page tracking.
#
#   make                 libvfiosim.a (the model backend) and the tools
#   make test            every test under ASan+UBSan, leak-checked
#                        (TEST_OUTPUT=tap or TEST_OUTPUT=xml for CI formats)
#   make coverage        gcov build, tests, lcov HTML + one-line summary
#   make demo            the main job: vfiosim migrate, a live migration end to end
#   make CC=clang ...    any of the above with clang
#   make help            every target, a line each;  make V=1 ...  shows commands
#
# Build trees: build/ (release), build/san (sanitizers), build/cov (gcov).

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
AR      ?= ar
O       ?= build

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
CSTD    := -std=c11 -D_GNU_SOURCE
INC     := -Iuapi -Isim/include -Isim
OPT     ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(WARN) $(INC) $(OPT) $(EXTRA_CFLAGS)

# Quiet like the kernel's build: "  CC  build/x.o" per step; V=1 shows each
# command line instead.  A recipe starts with $(call say,WHAT,$@).
ifeq ($(V),1)
say =
else
say = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all
COV_FLAGS := -O0 -g --coverage

LIB_SRC  := $(sort $(wildcard sim/lib/*.c sim/host/*.c sim/core/*.c sim/type1/*.c sim/oracle/*.c \
			    sim/client/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c tests/unit/test_*.c))
TEST_HELPERS := $(sort $(wildcard tests/helpers/*.c))
TOOL_SRC := $(sort $(wildcard tools/*.c))
HDRS     := $(wildcard uapi/linux/*.h sim/include/*.h sim/*/*.h tests/helpers/*.h tests/uapi/*.h)

LIB      := $(O)/libvfiosim.a
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(O)/tests/%)
HELP_OBJ := $(TEST_HELPERS:%.c=$(O)/%.o)
TOOL_BIN := $(TOOL_SRC:tools/%.c=$(O)/%)

# The UAPI layout probe: one object built against our header, one against
# the system's (if installed), compared by tests/test_uapi_layout.c.  A third
# sees the system's header as Linux 6.13 changed it (VFIO_TYPE1_NESTING_IOMMU
# renamed __VFIO_RESERVED_TYPE1_NESTING_IOMMU; on a newer system the sed
# changes nothing): the probe must build against newer headers as well.
SYS_VFIO := $(wildcard /usr/include/linux/vfio.h)
PROBE_613_DIR := build/uapi-6.13
PROBE_613_H := $(if $(SYS_VFIO),$(PROBE_613_DIR)/linux/vfio.h)
PROBE_613_FLAGS := -DPROBE_NAME=probe_613 $(if $(SYS_VFIO),-I$(PROBE_613_DIR),-DPROBE_NO_HEADER)
PROBE_OBJ := $(O)/tests/uapi/probe_ours.o $(O)/tests/uapi/probe_system.o \
	     $(O)/tests/uapi/probe_613.o

.PHONY: all lib tests test coverage demo clean deps-build deps-test deps-cov check-clang help
all: lib $(TOOL_BIN)
lib: $(LIB)

$(O)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(call say,AR,$@)$(AR) rcs $@ $^

$(O)/tests/uapi/probe_ours.o: tests/uapi/probe.c uapi/linux/vfio.h
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -Iuapi -DPROBE_NAME=probe_ours -c $< -o $@

$(O)/tests/uapi/probe_system.o: tests/uapi/probe.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -DPROBE_NAME=probe_system \
	    $(if $(SYS_VFIO),,-DPROBE_NO_HEADER) -c $< -o $@

$(PROBE_613_DIR)/linux/vfio.h: $(SYS_VFIO)
	@mkdir -p $(@D)
	$(call say,GEN,$@)sed -e 's/\bVFIO_TYPE1_NESTING_IOMMU\b/__VFIO_RESERVED_TYPE1_NESTING_IOMMU/' $< >$@

$(O)/tests/uapi/probe_613.o: tests/uapi/probe.c $(PROBE_613_H)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) $(PROBE_613_FLAGS) -c $< -o $@

$(O)/tests/test_uapi_layout: tests/test_uapi_layout.c $(PROBE_OBJ) $(HELP_OBJ) $(LIB) $(HDRS)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS_ALL) -Itests $< $(PROBE_OBJ) $(HELP_OBJ) $(LIB) -lcmocka -o $@

$(filter-out $(O)/tests/test_uapi_layout,$(TEST_BIN)): $(O)/tests/%: tests/%.c $(HELP_OBJ) $(LIB) $(HDRS)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS_ALL) -Itests $< $(HELP_OBJ) $(LIB) -lcmocka -o $@

$(TOOL_BIN): $(O)/%: tools/%.c $(LIB) $(HDRS)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS_ALL) $< $(LIB) -o $@

tests: $(TEST_BIN)

# --- the test command --------------------------------------------------------
deps-build:
	@tools/deps.sh build
deps-test:
	@tools/deps.sh test
deps-cov:
	@tools/deps.sh coverage

test: deps-test
	@$(MAKE) --no-print-directory O=build/san OPT="$(SAN_FLAGS)" tests
	@tools/run-tests.sh build/san/tests $(TEST_OUTPUT)

# Warning-free with clang as well (compile only, sanitizers not needed).
check-clang:
	@tools/deps.sh clang
	@$(MAKE) --no-print-directory O=build/clang CC=clang lib tests $(TOOL_BIN:$(O)/%=build/clang/%)

coverage: deps-test deps-cov
	@rm -rf build/cov/sim build/cov/coverage.info
	@$(MAKE) --no-print-directory O=build/cov OPT="$(COV_FLAGS)" tests
	@find build/cov -name '*.gcda' -delete
	@tools/run-tests.sh build/cov/tests
	@tools/coverage.sh build/cov

demo: deps-build
	@$(MAKE) --no-print-directory all
	@$(O)/vfiosim migrate

clean:
	rm -rf build

# One line per target a user runs; the included files keep the details.
help:
	@printf '%s\n' \
	'make                  build/libvfiosim.a (the model) and build/vfiosim' \
	'make test             every test under ASan+UBSan, leak-checked (TEST_OUTPUT=tap|xml)' \
	'make demo             the main job: vfiosim migrate, a live migration checked end to end' \
	'make check-clang      the same code built warning-free with clang' \
	'make coverage         gcov build, the tests, lcov HTML report in build/cov/html' \
	'make kcheck           the contract tests against Debian'"'"'s Linux 6.1, 6.12, 7.3 (KSRC=tree: any tree from 5.10)' \
	'make kcheck-build     build the kernel backend only (KSRC=tree)' \
	'make kcheck-selftest  proves kcheck always tests the tree it is given' \
	'make fuzz             AFL++ campaigns on every core (FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_JOBS)' \
	'make fuzz-smoke       each fuzz target ~20 s under AFL++ (CI)' \
	'make fuzz-replay      every seed and past fuzz finding through the plain drivers' \
	'make fuzz-triage      triage the last campaign'"'"'s crashes again' \
	'make fuzz-build       every AFL++ build of the fuzz targets' \
	'make fuzz-libfuzzer   the fuzz targets as libFuzzer programs (clang)' \
	'make fuzz-corpus      regenerate the seed corpora (fuzz/gen_corpus.c)' \
	'make fuzz-cmin        merge the last campaign'"'"'s queues into fuzz/corpus (afl-cmin)' \
	'make fuzz-speed       execs/s of each fuzz harness alone, in process' \
	'make bench            dirty-bitmap copy benchmarks, under two minutes (build/bench/)' \
	'make bench-full       the whole benchmark matrix' \
	'make bench-plot       the plots of the last benchmark run (gnuplot)' \
	'make vfiosim          build/vfiosim, the command (run, replay, migrate, trace)' \
	'make vfiosim-kernel   build/vfiosim-kernel: the command around a kernel tree (KSRC=tree)' \
	'make clean            remove build/' \
	'' 'V=1 shows every command line; CC=clang builds with clang.'

# Kernel-in-the-loop (make kcheck): the same contract tests against the real
# vfio_iommu_type1.c of a kernel tree.
-include kernel/kernel.mk
# Fuzzers (make fuzz), benchmarks (make bench), the vfiosim command.
-include fuzz/fuzz.mk
-include bench/bench.mk
-include tools/vfiosim/vfiosim.mk
