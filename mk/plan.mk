# plan.mk — `make plan [SCALE=...] [EXPERIMENT...]`: the steps a build would
# run and what they would cost, without running anything (and without
# creating any file): per experiment and for `make figures` in all, the tool
# runs and figures that are out of date, their estimated CPU-hours, the peak
# memory of the largest step, and the wall time on N cores (PLAN_CORES, by
# default make's -j or this machine's CPUs: make plan SCALE=paper PLAN_CORES='2 64').
# V=1 also lists every step with its estimate and how it was made.
# scripts/plan.sh dry-runs each goal (make -n V=1 GOAL, with this make's flags
# and variables) and prices each step with the cost model of scripts/plan.awk:
# records of the same kind of step and options in $(TIMING_LOG) (this
# results folder's own runs) or else in $(COSTS) (measured here, shipped),
# scaled to the step's d_z and p.
# Included instead of the experiments when `plan` is a goal: the other goals
# are what to plan, so here they do nothing.

COSTS ?= experiments/costs.tsv
TIMING_LOG ?= $(RESULTS_DIR)/timing.log
make_letters := $(filter-out -%,$(firstword $(MAKEFLAGS)))
PLAN_MAKEFLAGS = $(make_letters) -- $(MAKEOVERRIDES)
shell_quote = '$(subst ','\'',$(1))'
PLAN_GOALS := $(filter-out plan,$(MAKECMDGOALS))
PLAN_EXPERIMENTS := $(EXPERIMENT_NAMES) $(if $(filter paper,$(SCALE)),phase-transition-legacy)
PLAN_CORES = $(or $(make_jobs),$(NPROC))

.PHONY: plan $(PLAN_GOALS)
plan:
	@bash scripts/plan.sh --make $(call shell_quote,$(MAKE)) --makeflags $(call shell_quote,$(PLAN_MAKEFLAGS)) \
	    --log $(call shell_quote,$(TIMING_LOG)) --costs $(COSTS) --cores '$(PLAN_CORES)' $(if $(filter 1,$(V)),--steps) \
	    -- $(or $(PLAN_GOALS),$(PLAN_EXPERIMENTS) figures)
$(PLAN_GOALS):
	@:
