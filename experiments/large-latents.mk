# large-latents.mk — SPEC §8 "Large latents", BEYOND THE PAPER: the authors'
# code configures this sweep (k = 10, p = 1000, d_z up to 10⁶) but they never
# ran it; their released results stop at d_z = 10⁴. Every method's run, row and
# dictionary comes from methods.mk (the paper's options, params/*.args); this
# file picks the grid and the methods of each d_z, aggregates the rows over
# seeds and draws MCC(OOD), AUC(OOD), Acc(OOD) and the clean MCC(ID) against
# d_z (log x, 10³ to 10⁶), plus a table of each step's wall time and peak
# memory (from the timing log).
#
#   SCALE=paper    k = 10, p = 1000, d_z ∈ {10³, 10⁴, 10⁵, 5·10⁵, 10⁶} (d_y from
#                  gen-data's default, SPEC §1: 93 139 185 217 231), seeds 0–2.
#                  FISTA oracle and probe at every d_z; the four SAEs and FISTA
#                  on their frozen decoders to 10⁵, TopK (and its frozen
#                  decoder) to 10⁶; DL-FISTA and Softplus-Adam to 10⁴ (DL-FISTA's
#                  update is d_z × d_z), as the authors tiered them.
#   SCALE=default  oracle, probe and the TopK SAE (with FISTA on its frozen
#                  decoder) to 10⁵, seed 0. The TopK SAE at 10⁵ (no decoder
#                  tracking beyond TRACK_DICT_MAXDZ, methods.mk) took 318 s on
#                  one thread, FISTA on its frozen decoder 85 CPU s, eval of
#                  each about 4 min (its dictionary match, 434 CPU s).
#   SCALE=smoke    a tiny grid with the same tiers, for the DAG test (seconds).
#
# Not (yet) part of `make figures`: `make large-latents` is its entry point.
# `make plan large-latents` prices the default preset at 0.68 CPU-h, 1.3 GB
# peak, from its own run (2026-12-07: 34 steps, 30 CPU-min, 46 min wall on one
# thread beside other jobs; the four evals at 10⁵ are 43% of it), and
# SCALE=paper at 25.0 CPU-h; adding it to `figures` (and its figures and tables to the report,
# with captions) is cheap but would grow every DAG test that builds the
# smoke `figures`, and was left for a later change. The paper preset's costs
# and memory: experiments/resources.mk.

LL_K_smoke := 3
LL_P_smoke := 200
LL_DZ_smoke := 20 40 80
LL_K_default := 10
LL_P_default := 1000
LL_DZ_default := 1000 10000 100000
LL_K_paper := 10
LL_P_paper := 1000
LL_DZ_paper := 1000 10000 100000 500000 1000000

LL_SEEDS_smoke := $(SEEDS_smoke)
LL_SEEDS_default := 0
LL_SEEDS_paper := 0 1 2

# Methods of each preset, then their caps (LL_MAXDZ_<method>_<scale>; none:
# every d_z of the preset).
LL_SAE_ALL := relu topk jumprelu mp
LL_METHODS_smoke := oracle probe $(foreach v,$(LL_SAE_ALL),sae-$(v) sae-$(v)-frozen) dl-fista softplus-adam
LL_METHODS_default := oracle probe sae-topk sae-topk-frozen
LL_METHODS_paper := $(LL_METHODS_smoke)
$(foreach v,relu jumprelu mp,$(foreach m,sae-$(v) sae-$(v)-frozen,\
  $(eval LL_MAXDZ_$(m)_smoke := 40)$(eval LL_MAXDZ_$(m)_paper := 100000)))
$(foreach m,dl-fista softplus-adam,$(eval LL_MAXDZ_$(m)_smoke := 20)$(eval LL_MAXDZ_$(m)_paper := 10000))
LL_MAXDZ_sae-topk_default := 100000
LL_MAXDZ_sae-topk-frozen_default := 100000

LL_K := $(LL_K_$(SCALE))
LL_P := $(LL_P_$(SCALE))
LL_DZ := $(LL_DZ_$(SCALE))
LL_SEEDS := $(LL_SEEDS_$(SCALE))
LL_METHODS := $(LL_METHODS_$(SCALE))
LL_OUT := $(RESULTS_DIR)/large-latents/$(SCALE)

ll_dz_for = $(if $(LL_MAXDZ_$(1)_$(SCALE)),$(foreach dz,$(LL_DZ),$(if $(shell [ $(dz) -le $(LL_MAXDZ_$(1)_$(SCALE)) ] && echo y),$(dz))),$(LL_DZ))
ll_datasets = $(foreach dz,$(1),$(foreach s,$(LL_SEEDS),$(call dataset_name,$(dz),$(LL_K),$(LL_P),$(s))))
LL_DATASETS := $(call ll_datasets,$(LL_DZ))
LL_ROWS := $(foreach m,$(LL_METHODS),$(call rows,$(call ll_datasets,$(call ll_dz_for,$(m))),$(m)))
$(eval $(call grid_stamp,$(LL_OUT)/grid.txt,$(patsubst $(RUNS_DIR)/%,%,$(LL_ROWS))))

LL_FIGURE_NAMES := mcc-ood auc-ood acc-ood mcc-id-clean
LL_FIGURES := $(foreach f,$(LL_FIGURE_NAMES),$(foreach ext,png pdf,$(LL_OUT)/large-latents-$(f).$(ext)))
# The x axis spans the sweep's whole range (10³..10⁶) at every preset but
# smoke, so the default preset's figures show where the paper preset goes.
LL_XRANGE_default := ; xlo=1000; xhi=1000000
LL_XRANGE_paper := $(LL_XRANGE_default)

$(LL_OUT)/table.tsv: $(LL_ROWS) $(LL_OUT)/grid.txt scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(LL_ROWS) > $@.tmp && mv $@.tmp $@

$(LL_OUT)/large-latents-%.png $(LL_OUT)/large-latents-%.pdf &: $(LL_OUT)/table.tsv figures/vary-latents.gp $(FIGURE_DEPS)
	$(DRAW) figures/vary-latents.gp $@ "table='$<'; metric='$*'$(LL_XRANGE_$(SCALE)); \
	  title='Large latents, k = $(LL_K), p = $(LL_P): beyond the paper'"

# Each step of this grid (datasets, runs, frozen decoders, rows) from the
# timing log, as scripts/timing-table.sh sums it: one line per kind of step and
# d_z with its wall time (total, mean, max), peak memory (MiB) and CPU time.
LL_STEPS = $(sort $(foreach d,$(LL_DATASETS),$(DATA_DIR)/$(d).npz) $(LL_ROWS) $(LL_ROWS:.tsv=.npz) \
             $(patsubst %-frozen.tsv,%-frozen.dict.npz,$(filter %-frozen.tsv,$(LL_ROWS))))
$(LL_OUT)/timing.tsv: $(LL_ROWS) $(LL_OUT)/grid.txt scripts/timing-table.sh
	@mkdir -p $(@D)
	printf '%s\n' $(LL_STEPS) > $@.steps
	{ cat $(TIMING_LOG) 2>/dev/null || true; } | \
	  awk -F'\t' 'FILENAME == ARGV[1] { want[$$0] = 1; next } $$1 in want' $@.steps - > $@.log
	bash scripts/timing-table.sh $@.log > $@.tmp && mv $@.tmp $@ && rm -f $@.log $@.steps

.PHONY: large-latents
large-latents: $(LL_FIGURES) $(LL_OUT)/timing.tsv
