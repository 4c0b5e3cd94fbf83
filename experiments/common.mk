# common.mk — what every experiment shares: scale presets, folders, the
# launcher prefix, and how a dataset name maps to gen-data's options.
#
#   SCALE=smoke    a tiny grid for tests (seconds)
#   SCALE=default  the reduced grid `make figures` runs on one small machine
#   SCALE=paper    the paper's full grid
#   LAUNCH='srun -n1 -c2'   prefix of every recipe that runs a tool (cluster)
#   DATA_DIR, RESULTS_DIR, PARAMS_DIR   where datasets, results and the
#                  parameter files live (tests point them at scratch copies)

SCALE ?= default
ifeq ($(filter $(SCALE),smoke default paper),)
$(error SCALE must be smoke, default or paper (got '$(SCALE)'))
endif
LAUNCH ?=
DATA_DIR ?= data
RESULTS_DIR ?= results
PARAMS_DIR ?= experiments/params
GNUPLOT ?= gnuplot
# $(DRAW) SCRIPT.gp $@ "VARIABLES": draw a figure as PNG and PDF, both renamed
# into place only when complete (scripts/draw.sh).
# (A progress step: mk/progress.mk.)
DRAW = $(PROGRESS) $(if $(PROGRESS),env) GNUPLOT='$(GNUPLOT)' bash scripts/draw.sh
# What every figure also depends on: the methods table (labels, colours, dash
# types) and the scripts that read it.
FIGURE_DEPS = $(METHODS_TABLE) scripts/methods.sh figures/methods.gp figures/xfit.gp

# Every recipe that runs a tool starts with $(RUN): the launcher prefix, then
# scripts/time-step.sh, which appends the step's wall time, peak memory and
# CPU time to $(TIMING_LOG) (the report's "where the time goes" table, and
# make plan's cost model). Before the launcher, in the default quiet output,
# $(PROGRESS) (mk/progress.mk): the step's progress line and build log entry.
TIMING_LOG ?= $(RESULTS_DIR)/timing.log
RUN = $(PROGRESS) $(LAUNCH) bash scripts/time-step.sh $(TIMING_LOG) $@

# Seeds of every experiment.
SEEDS_smoke := 0 1
SEEDS_default := 0 1 2
SEEDS_paper := 0 1 2
SEEDS := $(SEEDS_$(SCALE))

# A dataset is named by its generator parameters: dz100_k10_p5000_s0, or with
# an explicit observed dimension (gen-data --dy) dz50_k3_p2000_dy12_s0; without
# _dy, gen-data's default d_y of SPEC §1. This is the one place that writes or
# reads such a name.
# $(call dataset_name,DZ,K,P,SEED)  $(call dataset_name_dy,DZ,K,P,DY,SEED)
dataset_name = dz$(1)_k$(2)_p$(3)_s$(4)
dataset_name_dy = dz$(1)_k$(2)_p$(3)_dy$(4)_s$(5)
# $(call dataset_field,NAME,FIELD): one parameter of a dataset name, FIELD one
# of dz k p dy s (empty when the name has none): dz100_k10_p5000_s2,s -> 2
dataset_field = $(patsubst $(2)%,%,$(filter $(2)%,$(subst _, ,$(1))))
dz_of = $(call dataset_field,$(1),dz)
seed_of = $(call dataset_field,$(1),s)
# gen-data's options and eval's tags from a dataset name (a dy tag only for
# names with _dy, so rows of names without it keep their columns)
dataset_args = $(foreach f,dz k p dy,$(if $(call dataset_field,$(1),$(f)),--$(f) $(call dataset_field,$(1),$(f)))) --seed $(call seed_of,$(1))
dataset_tags = $(foreach f,dz k p dy,$(if $(call dataset_field,$(1),$(f)),--tag $(f)=$(call dataset_field,$(1),$(f)))) --tag seed=$(call seed_of,$(1))

# Parameter files: the arguments of one stage, one file each, so that editing
# one re-runs exactly the results that depend on it. PARAMS_DIR/STAGE.args holds
# the paper's settings; PARAMS_DIR/SCALE/STAGE.args, where present, replaces it
# for that preset (smoke shortens training so tests take seconds).
params = $(firstword $(wildcard $(PARAMS_DIR)/$(SCALE)/$(1).args) $(PARAMS_DIR)/$(1).args)
read_params = $$(cat $(call params,$(1)))

$(DATA_DIR)/%.npz: $(BIN)/gen-data $(call params,data)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/gen-data $(call dataset_args,$*) $(call read_params,data) -o $@

# Threads per tool: THREADS=N when given; else, under make -jN, the CPUs shared
# among the N jobs (one each under a bare -j); else all of them. A
# BLIS_NUM_THREADS from the environment, or SLURM_CPUS_PER_TASK inside a
# cluster allocation, wins over this.
NPROC := $(shell nproc 2>/dev/null || echo 1)
make_jobs = $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS)))
threads_for_jobs = $(if $(filter -j,$(MAKEFLAGS)),1,$(if $(1),$(shell n=$$(( $(NPROC) / $(1) )); echo $$(( n > 0 ? n : 1 ))),))
ifneq ($(origin BLIS_NUM_THREADS),environment)
export BLIS_NUM_THREADS = $(or $(THREADS),$(call threads_for_jobs,$(make_jobs)))
endif

.PHONY: figures
figures: | check-figure-deps

# Prerequisites may name the dataset of a pattern rule's stem: $$(DATA_DIR)/$$(*D).npz
# for RUNS_DIR/DATASET/METHOD (make expands $$ once more when it has the stem).
.SECONDEXPANSION:

# grid_stamp FILE,TEXT: FILE holds TEXT (an experiment's grid, e.g. the names of
# its rows) and is rewritten only when TEXT changes, so a table that depends on
# it is rebuilt when its grid shrinks (which adds no missing prerequisite). The
# comparison happens while make reads the makefiles, so `make -n` writes nothing
# and still shows what a changed grid re-runs. Use: $(eval $(call grid_stamp,F,T))
define grid_stamp
ifneq ($$(strip $$(file < $(1))),$$(strip $(2)))
$(1): FORCE
	@mkdir -p $$(@D)
	printf '%s\n' '$$(strip $(2))' > $$@.tmp && mv $$@.tmp $$@
endif
endef
.PHONY: FORCE
FORCE:
