# Fuzzing (docs/fuzzing.md): three targets, several engines, one tree per build.
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="ioctl seq diff"] [FUZZ_JOBS=cores]
#                          AFL++ campaign per target on every core, summary,
#                          crashes minimised into fuzz/regressions/<target>/
#                          (nothing else is written to the checkout)
#   make fuzz-smoke        each target ~20 s under AFL++ (CI); fails on a crash
#                          that is not a known open finding (fuzz/regressions/open.txt)
#   make fuzz-triage       the last campaign's crashes triaged again
#   make fuzz-import FUZZ_TARGETS=T FUZZ_IMPORT="FILE..."  inputs found elsewhere
#                          (ClusterFuzzLite's crashes) through the same triage
#   make fuzz-replay       every corpus and regression input through the plain
#                          drivers (the diff target against Linux 6.12)
#   make fuzz-build        all AFL++ builds;  fuzz-libfuzzer: clang libFuzzer builds
#                          (these and fuzz, fuzz-smoke, fuzz-cmin, fuzz-triage
#                          install AFL++ through tools/deps.sh when run as root)
#   make fuzz-corpus       regenerates the seed corpora (fuzz/gen_corpus.c; seq and
#                          diff from the scenarios of fuzz/seeds/)
#   make fuzz-cmin         merges the last campaign's queue into fuzz/corpus (afl-cmin)
#   make fuzz-speed [FUZZ_SPEED_DIR=dir]  execs/s of each harness alone, in process,
#                          over its corpus (or a queue) as is and mutated
#   make fuzz-oss OUT=dir  the OSS-Fuzz / ClusterFuzzLite build (.clusterfuzzlite/build.sh):
#                          OSS_CC, OSS_CXX, OSS_CFLAGS, OSS_CXXFLAGS, LIB_FUZZING_ENGINE
#                          as the engine gives them; dir gets vfiosim_TARGET, its
#                          .dict and _seed_corpus.zip
#   make fuzz-cflite       that build as OSS-Fuzz runs it, without Docker
#                          (fuzz/cflite-local.sh), each target over its seeds
#
# Build trees under build/fuzz/VARIANT/:
#   replay     gcc, ASan+UBSan, fuzz/replay_main.c   (no engine: reproduce, debug)
#   afl        afl-clang-fast -O2, persistent mode   (the fast instances)
#   afl-san    afl-clang-fast, ASan+UBSan            (one instance catches memory errors)
#   cmplog     AFL_LLVM_CMPLOG=1 afl-clang-fast      (afl-fuzz -c: solves comparisons)
#   afl-lsan   AFL_USE_LSAN=1: a leak check after every input (__AFL_LEAK_CHECK)
#   libfuzzer  clang -fsanitize=fuzzer,address,undefined (as OSS-Fuzz builds them)
#   speed      $(CC) -O2, fuzz/speed_main.c         (the harness's own speed)
#   oss        the engine's compilers and flags     (make fuzz-oss, ClusterFuzzLite)
# The diff target links the kernel backend (Linux 6.12's vfio_iommu_type1.c,
# fetched like kcheck's) renamed to vfiosim_backend_kernel, next to the model.

FUZZ_SECONDS ?= 180
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_TARGETS ?= ioctl seq diff
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_O := build/fuzz
FUZZ_ALL_TARGETS := ioctl seq diff

# The diff target's tree: KSRC=... (any tree kcheck takes), else Debian's 6.12.
FUZZ_KSRC_DEFAULT := $(KSRC_CACHE)/linux-source-6.12
FUZZ_KSRC ?= $(or $(KSRC),$(FUZZ_KSRC_DEFAULT))
# The tree's version (6.12 for the default tree before it is fetched).
FUZZ_KVER := $(or $(call ksrc_version,$(FUZZ_KSRC)),6.12)
FUZZ_KTYPE1 := $(abspath $(FUZZ_KSRC))/drivers/vfio/vfio_iommu_type1.c
# The triage names the kernel the diff target ran against; findings against
# another tree than the default stay out of the checkout (fuzz/campaign.sh).
FUZZ_KSRC_OWN := $(if $(filter $(abspath $(FUZZ_KSRC)),$(abspath $(FUZZ_KSRC_DEFAULT))),,1)
# Each target's dictionary, for the AFL++ campaigns and the OSS-Fuzz build.
FUZZ_DICT_ioctl := fuzz/dict/ioctl.dict
FUZZ_DICT_seq := fuzz/dict/seq.dict
FUZZ_DICT_diff := fuzz/dict/seq.dict
FUZZ_CAMPAIGN := FUZZ_KVER=$(FUZZ_KVER) FUZZ_KSRC=$(abspath $(FUZZ_KSRC)) \
	FUZZ_KSRC_OWN=$(FUZZ_KSRC_OWN) \
	FUZZ_DICTS="$(foreach t,$(FUZZ_ALL_TARGETS),$(t)=$(FUZZ_DICT_$(t)))" fuzz/campaign.sh

FUZZ_LIB_SRC := $(sort $(wildcard sim/lib/*.c sim/host/*.c sim/core/*.c sim/type1/*.c \
		  sim/oracle/*.c sim/client/*.c))
FUZZ_KSHIM_SRC := $(sort $(wildcard kernel/shim/*.c))

fuzz_src_ioctl := fuzz/target_ioctl.c fuzz/fail.c
fuzz_src_seq := fuzz/target_seq.c fuzz/seq_lang.c fuzz/fail.c
fuzz_src_diff := fuzz/target_diff.c fuzz/seq_lang.c fuzz/fail.c

FUZZ_CFLAGS := $(CSTD) $(WARN) $(INC) $(DEPFLAGS)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The kernel backend, as kernel/kernel.mk builds it, under its second name.
FUZZ_KCFLAGS := $(KBASE) $(WARN) $(call ksrc_kflags,$(FUZZ_KVER)) \
		-Dvfiosim_backend=vfiosim_backend_kernel
# Besides kcheck's -fno-sanitize=shift: clang's pointer-overflow check
# stops at `bitmap + offset` on a NULL __user pointer (update_user_bitmap),
# an address the kernel never dereferences (copy_to_user faults on it).
# The tree's own warnings come once, from $(FUZZ_O)/ksrc.warned (kernel.mk).
FUZZ_KTU := -fno-sanitize=shift -fno-sanitize=pointer-overflow -DKTU_KERNEL_QUIET \
	    $(call ktu_type1,$(FUZZ_KSRC))

AFL_CC ?= afl-clang-fast
FUZZ_AFL_CC := AFL_QUIET=1 $(AFL_CC)

# One variant: FUZZ_CC_v (compiler), FUZZ_FL_v (flags), FUZZ_DRV_v (driver
# source, none for libFuzzer), FUZZ_LD_v (link flags).
FUZZ_CC_replay := $(CC)
FUZZ_FL_replay := -O1 -g $(FUZZ_SAN)
FUZZ_DRV_replay := fuzz/replay_main.c
FUZZ_CC_afl := $(FUZZ_AFL_CC)
FUZZ_FL_afl := -O2 -g
FUZZ_CC_afl-san := $(FUZZ_AFL_CC)
FUZZ_FL_afl-san := -O1 -g $(FUZZ_SAN)
FUZZ_CC_cmplog := AFL_LLVM_CMPLOG=1 $(FUZZ_AFL_CC)
FUZZ_FL_cmplog := -O2 -g
FUZZ_CC_afl-lsan := AFL_USE_LSAN=1 $(FUZZ_AFL_CC)
FUZZ_FL_afl-lsan := -O1 -g
$(foreach v,afl afl-san cmplog afl-lsan,$(eval FUZZ_DRV_$(v) := fuzz/afl_main.c))
FUZZ_CC_libfuzzer := clang
FUZZ_FL_libfuzzer := -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_LD_libfuzzer := -fsanitize=fuzzer
FUZZ_CC_speed := $(CC)
FUZZ_FL_speed := -O2 -g
FUZZ_DRV_speed := fuzz/speed_main.c
# The engine's build: its flags may warn on a newer clang than ours (no -Werror
# there: make check-clang holds the line), and it links with the C++ driver,
# as libFuzzer and OSS-Fuzz's AFL++ driver are C++.
OSS_CC ?= clang
OSS_CXX ?= clang++
OSS_CFLAGS ?= -O1 -g -fsanitize=fuzzer-no-link,address,undefined
OSS_CXXFLAGS ?= $(OSS_CFLAGS)
LIB_FUZZING_ENGINE ?= -fsanitize=fuzzer
FUZZ_CC_oss = $(OSS_CC)
FUZZ_FL_oss = $(OSS_CFLAGS) -Wno-error
FUZZ_LINK_oss = $(OSS_CXX) $(OSS_CXXFLAGS)
FUZZ_LD_oss = $(LIB_FUZZING_ENGINE)

define fuzz_variant
$$(FUZZ_O)/$(1)/obj/%.o: %.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(FUZZ_CC_$(1)) $$(FUZZ_CFLAGS) $$(FUZZ_FL_$(1)) -c $$< -o $$@

$$(FUZZ_O)/$(1)/obj/fuzz/entry-%.o: fuzz/entry.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(FUZZ_CC_$(1)) $$(FUZZ_CFLAGS) $$(FUZZ_FL_$(1)) -DFUZZ_TARGET=$$* -c $$< -o $$@

$$(FUZZ_O)/$(1)/obj/kernel/shim/%.o: kernel/shim/%.c $$(FUZZ_O)/kver.stamp
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(FUZZ_CC_$(1)) $$(FUZZ_KCFLAGS) $$(FUZZ_FL_$(1)) $$(DEPFLAGS) -c $$< -o $$@

$$(FUZZ_O)/$(1)/obj/kernel/type1_tu.o: kernel/type1_tu.c $$(FUZZ_O)/kver.stamp $$(FUZZ_O)/ksrc.warned
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(FUZZ_CC_$(1)) $$(FUZZ_KCFLAGS) $$(FUZZ_FL_$(1)) $$(FUZZ_KTU) \
		$$(ktu_depflags) -c $$< -o $$@
	@$$(call ktu_deps,$$(FUZZ_KSRC))

$$(FUZZ_O)/$(1)/libvfiosim.a: $$(FUZZ_LIB_SRC:%.c=$$(FUZZ_O)/$(1)/obj/%.o)
	@rm -f $$@
	$$(call say,AR,$$@)$$(AR) rcs $$@ $$^
endef

# The kernel objects are linked as objects: only a weak reference names them.
define fuzz_link
$$(FUZZ_O)/$(1)/$(2): $$(fuzz_src_$(2):%.c=$$(FUZZ_O)/$(1)/obj/%.o) \
		$$(FUZZ_O)/$(1)/obj/fuzz/entry-$(2).o \
		$$(FUZZ_DRV_$(1):%.c=$$(FUZZ_O)/$(1)/obj/%.o) \
		$(if $(filter diff,$(2)),$$(FUZZ_KSHIM_SRC:%.c=$$(FUZZ_O)/$(1)/obj/%.o) \
			$$(FUZZ_O)/$(1)/obj/kernel/type1_tu.o) \
		$$(FUZZ_O)/$(1)/libvfiosim.a
	$$(call say,LD,$$@)$$(or $$(FUZZ_LINK_$(1)),$$(FUZZ_CC_$(1)) $$(FUZZ_FL_$(1))) $$^ \
		$$(FUZZ_LD_$(1)) -o $$@
endef

FUZZ_VARIANTS := replay afl afl-san cmplog afl-lsan libfuzzer speed oss
$(foreach v,$(FUZZ_VARIANTS),$(eval $(call fuzz_variant,$(v)))\
	$(foreach t,$(FUZZ_ALL_TARGETS),$(eval $(call fuzz_link,$(v),$(t)))))

# Every object of every variant, for their depfiles (mk/build.mk).
FUZZ_OBJ_SRC := $(sort $(FUZZ_LIB_SRC) $(foreach t,$(FUZZ_ALL_TARGETS),$(fuzz_src_$(t))) \
		fuzz/afl_main.c fuzz/replay_main.c fuzz/speed_main.c $(FUZZ_KSHIM_SRC) \
		kernel/type1_tu.c)
FUZZ_OBJ := $(foreach v,$(FUZZ_VARIANTS),$(FUZZ_OBJ_SRC:%.c=$(FUZZ_O)/$(v)/obj/%.o) \
	    $(FUZZ_ALL_TARGETS:%=$(FUZZ_O)/$(v)/obj/fuzz/entry-%.o))
-include $(wildcard $(FUZZ_OBJ:.o=.d))

# The oss tree is built with whatever flags the engine gives (a sanitizer per
# ClusterFuzzLite job): a change of them rebuilds it.
FUZZ_OSS_FLAGS := $(OSS_CC) $(OSS_CFLAGS) | $(OSS_CXX) $(OSS_CXXFLAGS) | $(LIB_FUZZING_ENGINE)
$(FUZZ_O)/oss/flags.stamp: ksrc-force
	@mkdir -p $(@D); echo '$(FUZZ_OSS_FLAGS)' | cmp -s - $@ || echo '$(FUZZ_OSS_FLAGS)' >$@
# (The programs relink when their objects do: every flag is in the stamp.)
$(filter $(FUZZ_O)/oss/%,$(FUZZ_OBJ)): $(FUZZ_O)/oss/flags.stamp

FUZZ_AFL_VARIANTS := afl afl-san cmplog afl-lsan

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-replay fuzz-libfuzzer fuzz-corpus fuzz-cmin \
	fuzz-ksrc fuzz-deps fuzz-replay-build fuzz-speed fuzz-triage fuzz-smoke-build \
	fuzz-oss fuzz-cflite fuzz-import

# The diff target's tree: the default one is fetched as kcheck fetches it;
# every variant's kernel unit depends on the tree's stamp (kernel/kernel.mk).
fuzz-ksrc:
ifeq ($(abspath $(FUZZ_KSRC)),$(abspath $(FUZZ_KSRC_DEFAULT)))
	@test -f $(FUZZ_KTYPE1) || \
		kernel/fetch.sh --for "make fuzz's diff target" $(KSRC_CACHE) $(FUZZ_KVER)
else
	@test -f $(FUZZ_KTYPE1) || { echo "fuzz: $(FUZZ_KTYPE1) is missing" \
		"(KSRC must be a kernel tree)"; exit 1; }
endif
$(eval $(call ksrc_rules,$(FUZZ_O),$(FUZZ_KSRC),$(FUZZ_KVER),$(CC),fuzz-ksrc))

# AFL++ and what its builds link (tools/deps.sh: apt-get as root, else the
# command to run).
fuzz-deps:
	@tools/deps.sh fuzz clang

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory $(BUILD_J) $(foreach v,$(FUZZ_AFL_VARIANTS),\
		$(FUZZ_TARGETS:%=$(FUZZ_O)/$(v)/%))

fuzz-libfuzzer: fuzz-deps
	@$(MAKE) --no-print-directory $(BUILD_J) $(FUZZ_TARGETS:%=$(FUZZ_O)/libfuzzer/%)

# build/vfiosim: the triage writes each finding's scenario with it (from-fuzz).
fuzz-replay-build: $(FUZZ_TARGETS:%=$(FUZZ_O)/replay/%) $(O)/vfiosim
	@:

# Every seed and every past finding, through the plain drivers; the diff
# findings' scenarios on the kernel backend too (the default tree's).
fuzz-replay:
	@$(MAKE) --no-print-directory $(BUILD_J) fuzz-replay-build
	@$(if $(filter diff,$(FUZZ_TARGETS)),$(if $(FUZZ_KSRC_OWN),,\
		$(MAKE) --no-print-directory $(BUILD_J) vfiosim-kernel KSRC=$(FUZZ_KSRC)))
	@$(FUZZ_CAMPAIGN) replay 0 1 $(FUZZ_TARGETS)

# The triage replays crashes through the plain drivers and prints the
# command that reproduces each finding with them: built here too (after
# the AFL++ builds, so that one make fetches the kernel tree if needed).
fuzz: fuzz-build
	@$(MAKE) --no-print-directory $(BUILD_J) fuzz-replay-build
	@$(FUZZ_CAMPAIGN) run $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-deps
	@$(MAKE) --no-print-directory $(BUILD_J) fuzz-smoke-build
	@$(FUZZ_CAMPAIGN) smoke $(FUZZ_SMOKE_SECONDS) 1 $(FUZZ_TARGETS)
# A recipe of its own, so that make has nothing to say when all is built.
fuzz-smoke-build: $(FUZZ_TARGETS:%=$(FUZZ_O)/afl/%) $(FUZZ_TARGETS:%=$(FUZZ_O)/cmplog/%) \
		$(FUZZ_TARGETS:%=$(FUZZ_O)/replay/%) $(O)/vfiosim
	@:

# FUZZ_SPEED_DIR: a directory of inputs for every target (default: each
# target's own corpus, fuzz/corpus/TARGET).
FUZZ_SPEED_SECONDS ?= 3
fuzz-speed:
	@$(MAKE) --no-print-directory $(BUILD_J) $(FUZZ_TARGETS:%=$(FUZZ_O)/speed/%)
	@for t in $(FUZZ_TARGETS); do \
		$(FUZZ_O)/speed/$$t $(or $(FUZZ_SPEED_DIR),fuzz/corpus/$$t) \
			$(FUZZ_SPEED_SECONDS) 2>$(FUZZ_O)/speed/$$t.stderr || exit 1; \
	done

# OSS-Fuzz's layout in OUT: vfiosim_TARGET, its dictionary, its seeds zipped:
# the corpus and the past findings that are fixed (an open one would fail
# every run before it fuzzed anything).
fuzz-oss: $(FUZZ_TARGETS:%=$(FUZZ_O)/oss/%)
	@test -n "$(OUT)" || { echo "fuzz-oss: give OUT=directory" >&2; exit 1; }
	@mkdir -p $(OUT)
	@$(foreach t,$(FUZZ_TARGETS),cp $(FUZZ_O)/oss/$(t) $(OUT)/vfiosim_$(t) && \
		cp $(FUZZ_DICT_$(t)) $(OUT)/vfiosim_$(t).dict &&) :
	@awk '/^[a-z]+\// { print "fuzz/regressions/" $$1 }' fuzz/regressions/open.txt \
		>$(FUZZ_O)/oss/open.list
	@for t in $(FUZZ_TARGETS); do \
		z=$(abspath $(OUT))/vfiosim_$${t}_seed_corpus.zip; l=$(FUZZ_O)/oss/seeds-$$t; \
		{ ls -d fuzz/corpus/$$t/*; ls -d fuzz/regressions/$$t/* 2>/dev/null | \
			grep -v '\.vfs$$' | grep -vxF -f $(FUZZ_O)/oss/open.list; } >$$l; \
		rm -f $$z; zip -q -j $$z -@ <$$l || exit 1; \
		echo "fuzz-oss: $(OUT)/vfiosim_$$t, .dict, _seed_corpus.zip ($$(wc -l <$$l) inputs)"; \
	done

# The ClusterFuzzLite build and a short run of each target, without Docker.
FUZZ_CFLITE_SECONDS ?= 5
fuzz-cflite:
	@fuzz/cflite-local.sh $(FUZZ_CFLITE_SECONDS) $(FUZZ_TARGETS)

fuzz-cmin: fuzz-build
	@$(FUZZ_CAMPAIGN) cmin 0 1 $(FUZZ_TARGETS)

fuzz-triage: fuzz-build
	@$(MAKE) --no-print-directory $(BUILD_J) fuzz-replay-build
	@$(FUZZ_CAMPAIGN) triage 0 1 $(FUZZ_TARGETS)

fuzz-import: fuzz-build
	@$(MAKE) --no-print-directory $(BUILD_J) fuzz-replay-build
	@FUZZ_IMPORT="$(FUZZ_IMPORT)" $(FUZZ_CAMPAIGN) import 0 1 $(FUZZ_TARGETS)

# The seed generator: a plain program, runs on the model.  The seq/diff
# seeds are scenarios (fuzz/seeds/*.vfs) that it reads with the command's
# parser and encodes with the language's decoder (fuzz/gen_seq.c).
GEN_SEQ_OBJ := $(addprefix $(FUZZ_O)/replay/obj/,fuzz/gen_seq.o fuzz/seq_lang.o fuzz/fail.o \
	$(addprefix tools/vfiosim/,parser.o parse_words.o parse_expect.o parse_guard.o lexer.o \
	names.o linux_version.o))
$(FUZZ_O)/replay/obj/fuzz/gen_seq.o: FUZZ_CFLAGS += -Itools/vfiosim
$(FUZZ_O)/gen_corpus: fuzz/gen_corpus.c $(GEN_SEQ_OBJ) $(FUZZ_O)/replay/libvfiosim.a
	$(call say,LD,$@)$(CC) $(FUZZ_CFLAGS) $(FUZZ_FL_replay) -MF $@.d -MT $@ \
		$< $(filter %.o %.a,$^) -o $@
-include $(wildcard $(FUZZ_O)/gen_corpus.d $(GEN_SEQ_OBJ:.o=.d))

fuzz-corpus: $(FUZZ_O)/gen_corpus
	@rm -rf fuzz/corpus
	@$(FUZZ_O)/gen_corpus fuzz/seeds fuzz/corpus

# make test replays every corpus and regression input through the harnesses:
# the test binary links them (model only; docs/fuzzing.md).
FUZZ_REPLAY_TEST := $(O)/tests/unit/test_fuzz_replay
FUZZ_REPLAY_OBJ := $(addprefix $(O)/fuzz/,target_ioctl.o target_seq.o seq_lang.o fail.o)
$(FUZZ_REPLAY_TEST): $(FUZZ_REPLAY_OBJ)
$(FUZZ_REPLAY_TEST): private TEST_CFLAGS := -Ifuzz -DFUZZ_DATA_DIR='"$(CURDIR)/fuzz"'
-include $(wildcard $(FUZZ_REPLAY_OBJ:.o=.d))
