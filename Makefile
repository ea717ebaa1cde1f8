# vfiosim - userspace simulator of vfio_iommu_type1 dirty page tracking.
#
#   make                 libvfiosim.a (the model backend) and the tools
#   make test            every test under ASan+UBSan, leak-checked
#                        (TEST_OUTPUT=tap or TEST_OUTPUT=xml for CI formats)
#   make coverage        gcov build, tests, lcov HTML + one-line summary
#   make demo            the main job: vfiosim migrate, a live migration end to end
#   make CC=clang ...    any of the above with clang
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

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all
COV_FLAGS := -O0 -g --coverage

LIB_SRC  := $(sort $(wildcard sim/lib/*.c sim/host/*.c sim/core/*.c sim/type1/*.c sim/oracle/*.c))
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

.PHONY: all lib tests test coverage demo clean deps-build deps-test deps-cov check-clang
all: lib $(TOOL_BIN)
lib: $(LIB)

$(O)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/tests/uapi/probe_ours.o: tests/uapi/probe.c uapi/linux/vfio.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -Iuapi -DPROBE_NAME=probe_ours -c $< -o $@

$(O)/tests/uapi/probe_system.o: tests/uapi/probe.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -DPROBE_NAME=probe_system \
	    $(if $(SYS_VFIO),,-DPROBE_NO_HEADER) -c $< -o $@

$(PROBE_613_DIR)/linux/vfio.h: $(SYS_VFIO)
	@mkdir -p $(@D)
	sed -e 's/\bVFIO_TYPE1_NESTING_IOMMU\b/__VFIO_RESERVED_TYPE1_NESTING_IOMMU/' $< >$@

$(O)/tests/uapi/probe_613.o: tests/uapi/probe.c $(PROBE_613_H)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) $(PROBE_613_FLAGS) -c $< -o $@

$(O)/tests/test_uapi_layout: tests/test_uapi_layout.c $(PROBE_OBJ) $(HELP_OBJ) $(LIB) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests $< $(PROBE_OBJ) $(HELP_OBJ) $(LIB) -lcmocka -o $@

$(filter-out $(O)/tests/test_uapi_layout,$(TEST_BIN)): $(O)/tests/%: tests/%.c $(HELP_OBJ) $(LIB) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests $< $(HELP_OBJ) $(LIB) -lcmocka -o $@

$(TOOL_BIN): $(O)/%: tools/%.c $(LIB) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $< $(LIB) -o $@

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

# Kernel-in-the-loop (make kcheck): the same contract tests against the real
# vfio_iommu_type1.c of a kernel tree.
-include kernel/kernel.mk
# Fuzzers (make fuzz), benchmarks (make bench), the vfiosim command.
-include fuzz/fuzz.mk
-include bench/bench.mk
-include tools/vfiosim/vfiosim.mk
