# progress.mk — what `make figures` (or an experiment, or any result) prints.
#
# By default one line per finished step, with how far the build is and how
# long it has left,
#   [ 412/2013  20%] train-sae sae-topk dz1000_k10_p5000_s1   41 s   ETA 14 min
# then in full whatever a step wrote to stderr (a warning) and, when one
# fails, its messages; each step's command, messages and exit status go to
# $(BUILD_LOG) (scripts/progress.sh). V=1 prints every command instead, as
# make does, and keeps no build log.
#
# The count is of the steps left: when make starts, a dry run of the same
# goals (scripts/plan.sh: `make -n V=1 GOALS` with the same flags and
# variables) lists the tool runs, figures and report that are out of date, so a
# build resumed after an interruption counts only what remains. The same cost
# model as `make plan` (mk/plan.mk) gives each step's estimated CPU time: the
# ETA scales the elapsed time by the work left over the work done. Each step's
# estimate is also appended to $(ESTIMATES_LOG), which the report's time table
# compares with what the steps took. Every step wrapped here is counted:
# $(RUN) (tool runs), $(DRAW) (figures) and $(PROGRESS) (the report). Other
# recipes (tables, grid stamps) are fast and run silently; their errors still
# reach the terminal.
#
# Under -j the steps share one counter (flock); under LAUNCH (Slurm) the
# wrapper runs here, around the launcher, so the terminal and the log stay on
# the machine that runs make.

V ?=
BUILD_LOG ?= $(RESULTS_DIR)/build.log
ESTIMATES_LOG ?= $(dir $(TIMING_LOG))estimates.log
# The cost model's shipped records (measured here; timing-log format).
COSTS ?= experiments/costs.tsv

# The flags and command-line variables a dry run of this make needs: single
# letters (k, B, ...) and the variables, in the form MAKEFLAGS takes.
make_letters := $(filter-out -%,$(firstword $(MAKEFLAGS)))
PLAN_MAKEFLAGS = $(make_letters) -- $(MAKEOVERRIDES)
shell_quote = '$(subst ','\'',$(1))'
# Goals whose steps are counted: figures, the report, an experiment, a result.
PROGRESS_GOALS := $(filter figures report $(EXPERIMENT_NAMES) phase-transition-legacy $(RESULTS_DIR)/% $(DATA_DIR)/%,$(MAKECMDGOALS))

PROGRESS :=
ifneq ($(V),1)
ifeq ($(findstring n,$(make_letters))$(findstring q,$(make_letters))$(findstring t,$(make_letters)),)
ifneq ($(PROGRESS_GOALS),)
PROGRESS_INIT := $(shell bash scripts/plan.sh --progress --owner $$PPID --build-log $(call shell_quote,$(BUILD_LOG)) \
    --estimates $(call shell_quote,$(ESTIMATES_LOG)) --make $(call shell_quote,$(MAKE)) \
    --makeflags $(call shell_quote,$(PLAN_MAKEFLAGS)) --log $(call shell_quote,$(TIMING_LOG)) \
    --costs $(COSTS) -- $(MAKECMDGOALS))
PROGRESS_DIR := $(word 1,$(PROGRESS_INIT))
ifneq ($(PROGRESS_DIR),)
# Recipes print nothing themselves: the wrapper does.
.SILENT:
PROGRESS = bash scripts/progress.sh $(PROGRESS_DIR) $@
$(info $(if $(filter 0,$(word 2,$(PROGRESS_INIT))),nothing to run: every step is up to date,$(word 2,$(PROGRESS_INIT)) steps to run (tool runs, figures, report); their commands and messages go to $(BUILD_LOG), V=1 shows them here))
endif
endif
endif
endif
