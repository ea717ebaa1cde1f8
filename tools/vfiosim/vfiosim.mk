# The vfiosim command (tools/vfiosim/, docs/scenarios.md), included by the
# top-level Makefile.
#
#   make vfiosim           build/vfiosim: migrate, run, replay (also part of make all)
#   make vfiosim-kernel    build/vfiosim-kernel: the same command around Linux 6.12's
#                          vfio_iommu_type1.c (fetched like kcheck's; KSRC=... for
#                          another tree).  "vfiosim --backend kernel" runs it.
#
# The unit tests under tests/unit/ that exercise the command link its objects
# (all but main.o), and find the scenario library through VFIOSIM_SCENARIO_DIR.

.PHONY: vfiosim vfiosim-kernel

# from-fuzz decodes fuzz inputs with the fuzz language's own decoder.
VFIOSIM_SRC := $(sort $(wildcard tools/vfiosim/*.c)) fuzz/seq_lang.c fuzz/fail.c
VFIOSIM_OBJ := $(VFIOSIM_SRC:%.c=$(O)/%.o)
$(O)/tools/vfiosim/from_fuzz.o: INC += -Ifuzz
VFIOSIM_LIBOBJ := $(filter-out $(O)/tools/vfiosim/main.o,$(VFIOSIM_OBJ))
VFIOSIM_BIN := $(O)/vfiosim

$(VFIOSIM_BIN): $(VFIOSIM_OBJ) $(LIB)
	$(call say,LD,$@)$(CC) $(CFLAGS_ALL) $(VFIOSIM_OBJ) $(LIB) -o $@

vfiosim: $(VFIOSIM_BIN)
all: $(VFIOSIM_BIN)
# The sanitizer and clang builds (make test, make check-clang) build it too.
tests: $(VFIOSIM_BIN)

VFIOSIM_TESTS := $(addprefix $(O)/tests/unit/,test_scenarios test_scenario_parser \
		 test_migdev test_migrate test_trace_replay)
$(VFIOSIM_TESTS): $(VFIOSIM_LIBOBJ)
# private: for these binaries only, not the compilation of their prerequisites.
$(VFIOSIM_TESTS): private TEST_CFLAGS := -Itools/vfiosim \
	-DVFIOSIM_SCENARIO_DIR='"$(CURDIR)/scenarios"' \
	-DVFIOSIM_DIVERGENCES='"$(CURDIR)/docs/divergences.md"'
-include $(wildcard $(VFIOSIM_OBJ:.o=.d))

# A fuzz input and the scenario from-fuzz prints make the same calls: the
# test links the command and the seq harness, and records every call of
# both at the simulator's API (--wrap, tests/unit/test_fuzz_scenarios.c).
FUZZ_SCEN_TEST := $(O)/tests/unit/test_fuzz_scenarios
FUZZ_SCEN_WRAP := host_new host_free mm_map mm_map_flags mm_unmap user_add user_del group_new 	container_new container_new_backend oracle_set_exact container_attach container_detach 	ioctl ioctl_arg pin_pages unpin_pages dma_rw device_write device_write_data 	fail_nth_alloc fail_nth_copy
$(FUZZ_SCEN_TEST): $(VFIOSIM_LIBOBJ) $(O)/fuzz/target_seq.o
$(FUZZ_SCEN_TEST): private TEST_CFLAGS := -Ifuzz -Itools/vfiosim \
	-DFUZZ_DATA_DIR='"$(CURDIR)/fuzz"' $(FUZZ_SCEN_WRAP:%=-Wl,--wrap=vfiosim_%)

# --- build/vfiosim-kernel ------------------------------------------------------
# kernel/kernel.mk builds build/kernel-X.Y/libvfiosim-kernel.a (the host,
# core and oracle with the kernel's type1 as the backend, ASan+UBSan); the
# command's objects are built alike next to it and linked with it.

VFIOSIM_KVER := $(if $(KSRC),$(call ksrc_version,$(KSRC)),6.12)
VFIOSIM_KSRC := $(or $(KSRC),$(KSRC_CACHE)/linux-source-$(VFIOSIM_KVER))
VFIOSIM_KO := build/kernel-$(VFIOSIM_KVER)
VFIOSIM_KLIB := $(VFIOSIM_KO)/libvfiosim-kernel.a
VFIOSIM_KOBJ := $(VFIOSIM_SRC:%.c=$(VFIOSIM_KO)/%.o)

vfiosim-kernel: deps-test
	@$(if $(KSRC),,kernel/fetch.sh $(KSRC_CACHE) $(VFIOSIM_KVER))
	@$(MAKE) --no-print-directory KSRC=$(VFIOSIM_KSRC) kcheck-check-version $(VFIOSIM_KLIB)
	@$(MAKE) --no-print-directory KSRC=$(VFIOSIM_KSRC) build/vfiosim-kernel
	@echo "build/vfiosim-kernel: Linux $(VFIOSIM_KVER)'s type1, for vfiosim --backend kernel"

$(VFIOSIM_KOBJ): $(VFIOSIM_KO)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CSTD) $(WARN) $(INC) $(SAN_FLAGS) $(DEPFLAGS) -c $< -o $@
$(VFIOSIM_KO)/tools/vfiosim/from_fuzz.o: INC += -Ifuzz
-include $(wildcard $(VFIOSIM_KOBJ:.o=.d))

# Which tree the binary holds: rewritten when KSRC names another, so that
# switching to a tree whose library is older than the binary still relinks.
build/vfiosim-kernel.tree: ksrc-force
	@mkdir -p $(@D)
	@echo '$(abspath $(VFIOSIM_KSRC)) $(VFIOSIM_KLIB)' | cmp -s - $@ || \
		echo '$(abspath $(VFIOSIM_KSRC)) $(VFIOSIM_KLIB)' >$@

build/vfiosim-kernel: $(VFIOSIM_KOBJ) $(VFIOSIM_KLIB) build/vfiosim-kernel.tree
	$(call say,LD,$@)$(CC) $(SAN_FLAGS) $(VFIOSIM_KOBJ) $(VFIOSIM_KLIB) -o $@
