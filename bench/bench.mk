# Benchmarks of dirty-bitmap copying (docs/bench.md).
#
#   make bench            a representative subset (under two minutes): the
#                         scale section (a whole guest, bench/scale.c), the
#                         table and the ratios on stdout, a CSV and PNG
#                         plots in build/bench/
#   make bench-full       the whole matrix
#   make bench BENCH_ARGS="--cpu 1 --only unmap"    options of dirtybench
#   make bench BENCH_MARCH=-march=native
#
# One program holds both backends: the model (each copy strategy of
# sim/type1/strategy.h in turn) and a kernel tree's vfio_iommu_type1.c built
# in userspace as the kernel backend (renamed vfiosim_backend_kernel), all
# optimised, without sanitizers, in build/bench/.  The tree: KSRC=... (any
# tree kcheck takes; its column is linux-X.Y), else Debian's 6.12 from
# kernel/fetch.sh (as for make kcheck), without which the linux-6.12 column
# is left out.  Plots need gnuplot (tools/deps.sh plot).

BENCH_O     := build/bench
BENCH_OPT   ?= -O2 -g
BENCH_MARCH ?=
BENCH_FLAGS := $(BENCH_OPT) $(BENCH_MARCH)
BENCH_KSRC_DEFAULT := $(KSRC_CACHE)/linux-source-6.12
BENCH_KSRC  ?= $(or $(KSRC),$(BENCH_KSRC_DEFAULT))
BENCH_KVER  := $(or $(call ksrc_version,$(BENCH_KSRC)),6.12)
BENCH_KTYPE1 := $(abspath $(BENCH_KSRC))/drivers/vfio/vfio_iommu_type1.c
BENCH_HAVE_K := $(wildcard $(BENCH_KTYPE1))

BENCH_LIB   := $(BENCH_O)/lib/libvfiosim.a
BENCH_SRC   := $(sort $(wildcard bench/*.c))
BENCH_OBJ   := $(BENCH_SRC:%.c=$(BENCH_O)/%.o)
BENCH_BIN   := $(BENCH_O)/dirtybench
BENCH_CFLAGS := $(CSTD) $(WARN) $(INC) $(BENCH_FLAGS) -DBENCH_CFLAGS='"$(BENCH_FLAGS)"'

# The kernel backend, as kernel/kernel.mk builds it for kcheck, optimised.
BENCH_KCFLAGS := $(KBASE) $(WARN) $(call ksrc_kflags,$(BENCH_KVER)) $(BENCH_FLAGS)
BENCH_KTU_FLAGS := $(BENCH_KCFLAGS) -DKTU_KERNEL_QUIET $(call ktu_type1,$(BENCH_KSRC)) \
		   -Dvfiosim_backend=vfiosim_backend_kernel
BENCH_KSHIM := $(sort $(wildcard kernel/shim/*.c))
BENCH_KOBJ  := $(if $(BENCH_HAVE_K),$(BENCH_KSHIM:%.c=$(BENCH_O)/%.o) $(BENCH_O)/kernel/type1_tu.o)

.PHONY: bench bench-full bench-build bench-plot

bench bench-full: deps-build
ifeq ($(abspath $(BENCH_KSRC)),$(abspath $(BENCH_KSRC_DEFAULT)))
	@if [ ! -f $(BENCH_KTYPE1) ]; then \
		kernel/fetch.sh --for "make bench's linux-6.12 column" $(KSRC_CACHE) 6.12 || \
		echo "bench: no Linux 6.12 tree, the linux-6.12 column is left out"; fi
else
	@test -f $(BENCH_KTYPE1) || { echo "bench: $(BENCH_KTYPE1) is missing" \
		"(KSRC must be a kernel tree)"; exit 1; }
endif
	@$(MAKE) --no-print-directory bench-build
	@$(BENCH_BIN) $(if $(filter bench-full,$@),--full) --out $(BENCH_O) $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-plot

# The model library, optimised, in its own tree, then the program.
bench-build:
	@$(MAKE) --no-print-directory $(BUILD_J) O=$(BENCH_O)/lib OPT="$(BENCH_FLAGS)" lib
	@$(MAKE) --no-print-directory $(BUILD_J) $(BENCH_BIN)

$(BENCH_O)/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(BENCH_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BENCH_O)/kernel/shim/%.o: kernel/shim/%.c $(BENCH_O)/kver.stamp
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(BENCH_KCFLAGS) $(DEPFLAGS) -c $< -o $@

$(BENCH_O)/kernel/type1_tu.o: kernel/type1_tu.c $(BENCH_O)/kver.stamp $(BENCH_O)/ksrc.warned
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(BENCH_KTU_FLAGS) $(ktu_depflags) -c $< -o $@
	@$(call ktu_deps,$(BENCH_KSRC))

$(eval $(call ksrc_rules,$(BENCH_O),$(BENCH_KSRC),$(BENCH_KVER),$(CC),))

$(BENCH_BIN): $(BENCH_OBJ) $(BENCH_KOBJ) $(BENCH_LIB)
	$(call say,LD,$@)$(CC) $(BENCH_FLAGS) $^ -o $@

-include $(wildcard $(BENCH_OBJ:.o=.d) $(BENCH_KOBJ:.o=.d))

# Plots from the data files of the last run; skipped without gnuplot.
bench-plot:
	@if tools/deps.sh plot; then \
		gnuplot -e "dir='$(BENCH_O)'; linux='linux-$(BENCH_KVER)'" bench/plot.gp && \
		echo "bench: plots in $(BENCH_O)/*.png"; \
	else echo "bench: no gnuplot (tools/deps.sh plot installs it), no plots"; fi
