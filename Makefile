# sparsekit — tools, tests and the experiment DAG in one (non-recursive) Makefile.
#   make            build the library and every tool into bin/
#   make check      build and run every test (unit, cli, numpy, dag)
#   make figures    run the experiments and draw the figures (SCALE=smoke|default|paper)
#   make bench      run the benchmarks (not part of check)
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
SK_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -DSK_VERSION='"$(VERSION)"' \
             -Wall -Wextra -Wshadow -Wno-unused-parameter -Ilib $(OPT) $(ARCH) $(CFLAGS)
LDLIBS_BASE := -lblis -lz -lm
CHECK_LIBS := -lcheck_pic -lrt -lm -lsubunit

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

.PHONY: all deps check check-unit check-cli check-numpy check-dag bench clean clean-results figures check-figure-deps
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

$(BIN)/%: $(BUILD)/tools/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(SK_CFLAGS) $< $(LIB_A) $(LDLIBS_BASE) -o $@

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
include experiments/common.mk experiments/methods.mk
-include $(filter-out experiments/common.mk experiments/methods.mk,$(wildcard experiments/*.mk))
