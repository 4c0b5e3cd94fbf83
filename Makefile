# sparsekit — tools, tests and the experiment DAG in one (non-recursive) Makefile.
#   make            build the library and every tool into bin/
#   make check      build and run every test (unit, cli, numpy, dag)
#   make check-slurm  the DAG on a private one-node Slurm cluster (needs root and Slurm)
#   make check-avx2   unit, cli and numpy tests again on BLIS's AVX2 kernels (haswell, zen3)
#   make figures    run the experiments and draw the figures (SCALE=smoke|default|paper);
#                   one progress line per step, the commands in results/build.log (V=1: all on the terminal)
#   make plan       what make figures (or make plan EXPERIMENT) would run and cost, running nothing
#   make bench      run the benchmarks (not part of check)
#   make install    tools, man pages, completion, library (PREFIX=/usr/local, DESTDIR); see mk/install.mk
#   make clean      remove build products (bin/, build/, and the SANITIZE=1 twins); make clean-results for runs

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:
# Results made through pattern-rule chains (datasets, codes) are kept: they are
# the products of the study, not scratch.
.SECONDARY:
MAKEFLAGS += --no-builtin-rules
.DEFAULT_GOAL := all

VERSION := 0.1.0
CC ?= cc
OPT ?= -O2 -g
ARCH ?= -march=x86-64-v3
# -std=c11 also keeps GCC from contracting a*b+c into FMAs behind our back,
# so results do not change with the compiler's mood.
# -fopenmp: element-wise passes (Softplus-Adam) thread over row blocks on the
# OpenMP team that BLIS's products use.
SK_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -DSK_VERSION='"$(VERSION)"' \
             -Wall -Wextra -Wshadow -Wno-unused-parameter -fopenmp -Ilib $(OPT) $(ARCH) $(CFLAGS)
LDLIBS_BASE := -lblis -lz -lm
# SLEEF (libsleef-dev): the reference that test_vecmath holds lib/vecmath.h's
# inlined exp to, bit for bit (the expf8_u10 PyTorch's CPU kernels call).
CHECK_LIBS := -lcheck_pic -lrt -lm -lsubunit -lsleef

# SANITIZE=1 builds everything with AddressSanitizer + UndefinedBehaviorSanitizer
# into separate folders (build-asan/, bin-asan/), so the two builds never mix.
SANITIZE ?=
ifeq ($(SANITIZE),1)
SK_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
BUILD := build-asan
BIN := bin-asan
else
BUILD := build
BIN := bin
endif
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
LIB_A := $(BUILD)/libsparsekit.a
TOOLS := $(patsubst tools/%.c,$(BIN)/%,$(wildcard tools/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

.PHONY: all deps check check-unit check-cli check-numpy check-dag check-avx2 check-slurm bench clean clean-results figures check-figure-deps
all: $(TOOLS)

# Installs the Debian packages the project needs (run as root).
deps:
	bash scripts/install-deps.sh

# Missing headers are reported once, with the Debian package that provides them.
$(BUILD)/deps.ok: scripts/check-deps.sh
	@mkdir -p $(@D)
	bash scripts/check-deps.sh build
	@touch $@

$(BUILD)/lib/%.o: lib/%.c | $(BUILD)/deps.ok
	@mkdir -p $(@D)
	$(CC) $(SK_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tools/%.o: tools/%.c | $(BUILD)/deps.ok
	@mkdir -p $(@D)
	$(CC) $(SK_CFLAGS) -MMD -MP -c $< -o $@

# A tool depends on the library objects it actually links (read from the
# linker's map into BUILD/tools/TOOL.link.d), not on the whole archive, so
# editing one module relinks, and re-runs the results of, only the tools that
# contain it.
$(BIN)/%: $(BUILD)/tools/%.o | $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(SK_CFLAGS) $< $(LIB_A) $(LDLIBS_BASE) -Wl,-Map,$(BUILD)/tools/$*.map -o $@
	@{ printf '%s:' '$@'; grep -o '$(LIB_A)([A-Za-z_0-9]*\.o)' $(BUILD)/tools/$*.map | sort -u | \
	   sed 's#.*(\(.*\))# $(BUILD)/lib/\1#' | tr -d '\n'; echo; } > $(BUILD)/tools/$*.link.d

$(BUILD)/test-deps.ok: scripts/check-deps.sh
	@mkdir -p $(@D)
	bash scripts/check-deps.sh test
	@touch $@

$(BUILD)/tests/%.o: tests/unit/%.c | $(BUILD)/deps.ok $(BUILD)/test-deps.ok
	@mkdir -p $(@D)
	$(CC) $(SK_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB_A)
	$(CC) $(SK_CFLAGS) $< $(LIB_A) $(CHECK_LIBS) $(LDLIBS_BASE) -o $@

$(BUILD)/bench/%.o: bench/%.c | $(BUILD)/deps.ok
	@mkdir -p $(@D)
	$(CC) $(SK_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB_A)
	$(CC) $(SK_CFLAGS) $< $(LIB_A) $(LDLIBS_BASE) -o $@

# ---- tests -------------------------------------------------------------
check: $(TOOLS) $(UNIT_TESTS)
	SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) bash tests/run-all.sh

check-unit: $(UNIT_TESTS)
	SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) bash tests/run-all.sh unit

check-cli: $(TOOLS)
	SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) bash tests/run-all.sh cli

check-numpy: $(TOOLS)
	SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) bash tests/run-all.sh numpy

check-dag: $(TOOLS)
	SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) bash tests/run-all.sh dag

# BLIS picks its kernels from the CPU (skx on AVX-512 machines), so a test can
# pass on one family and fail on another; this runs the numeric suites again
# with each AVX2 family forced. BLIS 0.9 takes the index of its arch_t enum:
# 3 = haswell, 6 = zen3 (a name parses as 0 = skx, which dies on an AVX2 CPU).
AVX2_ARCH_TYPES := 3 6
check-avx2: $(TOOLS) $(UNIT_TESTS)
	@for arch in $(AVX2_ARCH_TYPES); do \
	    echo "== BLIS_ARCH_TYPE=$$arch"; \
	    BLIS_ARCH_TYPE=$$arch SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) \
	        bash tests/run-all.sh unit cli numpy || exit 1; \
	done

# The DAG through a private one-node Slurm cluster (root; skipped without Slurm:
# scripts/install-deps.sh --with-slurm). Not part of check.
check-slurm: $(TOOLS)
	SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) bash tests/run-all.sh slurm

# ---- benchmarks (printed ratios; never part of check) ------------------
bench: $(BENCHES) $(TOOLS)
	@for b in $(BENCHES); do echo "== $$b"; $$b; done

clean:
	rm -rf build build-asan bin bin-asan

# Experiment outputs (datasets, codes, tables, figures): slow to recompute.
clean-results:
	rm -rf $(DATA_DIR) $(RESULTS_DIR)

check-figure-deps:
	@bash scripts/check-deps.sh figures

-include $(wildcard $(BUILD)/lib/*.d $(BUILD)/tools/*.d $(BUILD)/tests/*.d $(BUILD)/bench/*.d)

# ---- experiments -------------------------------------------------------
# common, methods and vary-latents first (the others reuse their grids); then
# what each step asks a cluster for (STEP_CPUS, STEP_MEM, STEP_TIME), which can
# name every experiment's targets; the report last, so that every experiment
# has added its figures to REPORT_FIGURES.
EXPERIMENTS_FIRST := experiments/common.mk experiments/methods.mk experiments/vary-latents.mk
EXPERIMENTS_LAST := experiments/resources.mk experiments/report.mk
# Every experiment's goal (make EXPERIMENT): its file's name.
EXPERIMENT_NAMES := $(filter-out common methods resources report,$(patsubst experiments/%.mk,%,$(wildcard experiments/*.mk)))
ifeq ($(filter plan,$(MAKECMDGOALS)),)
include $(EXPERIMENTS_FIRST)
-include $(filter-out $(EXPERIMENTS_FIRST) $(EXPERIMENTS_LAST),$(wildcard experiments/*.mk))
include $(EXPERIMENTS_LAST)
# What make prints while it runs them: a progress line per step (V=1: every
# command, as make prints it), and the build log.
include mk/progress.mk
else
# make plan [EXPERIMENT...]: the other goals name what to plan, so no rule of
# the DAG is read (nothing can run); mk/plan.mk dry-runs them in a make of its own.
include experiments/common.mk
include mk/plan.mk
endif

# ---- install: make install / uninstall, manual pages, completion, pkg-config ----
include mk/install.mk

# ---- fuzzing -----------------------------------------------------------
# make fuzz [FUZZ_SECONDS=60]: build fuzz/fuzz_npz.c (libFuzzer harness over
# npz_parse and the FILE:MEMBER lookups) with clang -fsanitize=fuzzer,address,
# undefined into build/fuzz/, then run it for FUZZ_SECONDS seconds. Seeds come
# from fuzz/corpus and fuzz/regressions (never written to); new inputs go to
# build/fuzz/corpus and crashing inputs to build/fuzz/crash-*: copy those into
# fuzz/regressions/ after fixing, and make check replays them
# (tests/unit/test_fuzz_replay.c, plain gcc, ASan under SANITIZE=1).
# Needs clang and its runtime (Debian: apt-get install clang libclang-rt-14-dev).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := build/fuzz
FUZZ_LIB_SRC := lib/npz.c lib/npy.c lib/zip.c lib/atomic.c lib/err.c lib/mat.c lib/csr.c
FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Ilib -O1 -g \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer -DCSR_MAX_DENSE_BYTES='((size_t)1 << 28)'
.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_DIR)/fuzz_npz

$(FUZZ_DIR)/fuzz_npz: fuzz/fuzz_npz.c $(FUZZ_LIB_SRC) lib/npz.h lib/npy.h lib/zip.h lib/err.h lib/mat.h lib/atomic.h lib/csr.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) fuzz/fuzz_npz.c $(FUZZ_LIB_SRC) -lz -lm -o $@

fuzz: $(FUZZ_DIR)/fuzz_npz
	@mkdir -p $(FUZZ_DIR)/corpus
	cd $(FUZZ_DIR) && ./fuzz_npz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -dict=$(CURDIR)/fuzz/npz.dict -print_final_stats=1 \
	    corpus $(CURDIR)/fuzz/corpus $(CURDIR)/fuzz/regressions
