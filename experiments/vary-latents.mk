# vary-latents.mk — SPEC §6 "Vary latents": every method against d_z at k = 10,
# p = 5000 (smoke: a tiny grid). The runs and their rows come from methods.mk;
# this file picks the grid, aggregates the rows over seeds into one table and
# draws the figures from it.
#
# What SCALE=default runs: every method at d_z ∈ {50, 100, 500, 1000}, three
# seeds, except LISTA and DL-LISTA (d_z ≤ 100), Softplus-Adam (d_z = 50,
# ~110 s a run) and DL-FISTA at d_z = 500 and 1000, which runs seed 0 only.
# DL-FISTA runs its paper budget (up to 1000 rounds) at every d_z, so that the
# figures can show how it fares at d_z = 500 and 1000 (SPEC §6); there the
# val-only run never meets its stop test, so a run is all 1000 rounds: at
# d_z = 500 about 10 CPU-min (826 CPU-s under a load of 10-16), at d_z = 1000
# about 35 CPU-min (2.1-2.4 s a round on a quiet core, bench_dlfista). Three
# seeds of both would be 120-150 CPU-min, more than the whole default build's
# budget of 45 min on 2 cores (90 CPU-min) before any other step; one seed is
# ~45 CPU-min and overlaps the rest of the build (vary-latents is the first
# experiment and DL-FISTA's rows come before the slower methods'). All three
# seeds: make figures VL_ALLSEEDS_MAXDZ_dl-fista_default= (about 1.5-2 h).

VL_K_smoke := 3
VL_P_smoke := 200
VL_DZ_smoke := 20 40
VL_K_default := 10
VL_P_default := 5000
VL_DZ_default := 50 100 500 1000
VL_K_paper := 10
VL_P_paper := 5000
VL_DZ_paper := 50 100 500 1000 5000 10000

VL_K := $(VL_K_$(SCALE))
VL_P := $(VL_P_$(SCALE))
VL_DZ := $(VL_DZ_$(SCALE))
# every method of the methods table (its rows without '%')
VL_METHODS := $(METHODS)
VL_OUT := $(RESULTS_DIR)/vary-latents/$(SCALE)

# Methods too slow for every d_z of a preset run up to a cap (README lists
# them): VL_MAXDZ_<method>_<scale>. No cap: every d_z.
VL_MAXDZ_lista-oracle_default := 100
VL_MAXDZ_lista-oracle_paper := 2000
VL_MAXDZ_lista-oracle-stable_default := 100
VL_MAXDZ_lista-oracle-stable_paper := 2000
VL_MAXDZ_dl-lista_default := 100
VL_MAXDZ_dl-lista_paper := 2000
VL_MAXDZ_softplus-adam_default := 50
# Methods whose cost allows only one seed beyond some d_z of a preset:
# VL_ALLSEEDS_MAXDZ_<method>_<scale> is the largest d_z with every seed;
# above it only the first seed runs (the figures draw that point without a
# band). Unset or empty: every seed at every d_z.
VL_ALLSEEDS_MAXDZ_dl-fista_default := 100
vl_dz_for = $(if $(VL_MAXDZ_$(1)_$(SCALE)),$(foreach dz,$(VL_DZ),$(if $(shell [ $(dz) -le $(VL_MAXDZ_$(1)_$(SCALE)) ] && echo y),$(dz))),$(VL_DZ))
vl_datasets = $(foreach dz,$(1),$(foreach s,$(SEEDS),$(call dataset_name,$(dz),$(VL_K),$(VL_P),$(s))))
VL_DATASETS := $(call vl_datasets,$(VL_DZ))
# the datasets method $(1) runs on: its d_z cap, then its seed cap
vl_seeds_at = $(if $(and $(VL_ALLSEEDS_MAXDZ_$(1)_$(SCALE)),$(shell [ $(2) -gt $(or $(VL_ALLSEEDS_MAXDZ_$(1)_$(SCALE)),0) ] && echo y)),$(firstword $(SEEDS)),$(SEEDS))
vl_method_datasets = $(foreach dz,$(call vl_dz_for,$(1)),$(foreach s,$(call vl_seeds_at,$(1),$(dz)),$(call dataset_name,$(dz),$(VL_K),$(VL_P),$(s))))

VL_ROWS := $(foreach m,$(VL_METHODS),$(call rows,$(call vl_method_datasets,$(m)),$(m)))
$(eval $(call grid_stamp,$(VL_OUT)/grid.txt,$(patsubst $(RUNS_DIR)/%,%,$(VL_ROWS))))
VL_FIGURE_NAMES := mcc-id mcc-ood auc-ood acc-ood
VL_FIGURES := $(foreach f,$(VL_FIGURE_NAMES),$(foreach ext,png pdf,$(VL_OUT)/vary-latents-$(f).$(ext)))

$(VL_OUT)/table.tsv: $(VL_ROWS) $(VL_OUT)/grid.txt scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(VL_ROWS) > $@.tmp && mv $@.tmp $@

# gnuplot writes beside the targets, then both are renamed into place, so a
# killed run never leaves a figure that looks finished.
$(VL_OUT)/vary-latents-%.png $(VL_OUT)/vary-latents-%.pdf &: $(VL_OUT)/table.tsv figures/vary-latents.gp $(FIGURE_DEPS)
	$(DRAW) figures/vary-latents.gp $@ "table='$<'; metric='$*'"

.PHONY: vary-latents
vary-latents: $(VL_FIGURES)
figures: vary-latents

REPORT_FIGURES += $(filter %.png,$(VL_FIGURES))
REPORT_TABLES += $(VL_OUT)/table.tsv
