# vary-latents.mk — SPEC §6 "Vary latents": every method against d_z at k = 10,
# p = 5000 (smoke: a tiny grid). The runs and their rows come from methods.mk;
# this file picks the grid, aggregates the rows over seeds into one table and
# draws the figures from it.
#
# What SCALE=default runs: every method at d_z ∈ {50, 100, 500, 1000}, three
# seeds, except LISTA and DL-LISTA (d_z ≤ 100) and Softplus-Adam (d_z = 50,
# ~110 s a run). DL-FISTA runs at every d_z, its paper budget (up to 1000
# rounds), so that the figures can show how it fares at d_z = 500 and 1000
# (SPEC §6). Its cost there, measured here single-threaded (seed 0, on the
# shared 2-core machine under a load of 6-12): at d_z = 500 all 1000 rounds
# (no early stop; matched |cos| 0.98 from round 200 on), 618 s user + 4 s
# system (0.62 s a round); at d_z = 1000 1.65 s a round (0.7-0.9 s on a quiet
# core, README), matched |cos| 0.34 -> 0.51 over the first 360 rounds and still
# rising, so all 1000 rounds too: ~14-28 CPU-min a run. The six runs are
# ~70-115 CPU-min, the bulk of the default build (README). The runs
# start early (vary-latents is the first experiment and DL-FISTA's rows come
# before the slower methods'), so they overlap the rest of the build.

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
vl_dz_for = $(if $(VL_MAXDZ_$(1)_$(SCALE)),$(foreach dz,$(VL_DZ),$(if $(shell [ $(dz) -le $(VL_MAXDZ_$(1)_$(SCALE)) ] && echo y),$(dz))),$(VL_DZ))
vl_datasets = $(foreach dz,$(1),$(foreach s,$(SEEDS),$(call dataset_name,$(dz),$(VL_K),$(VL_P),$(s))))
VL_DATASETS := $(call vl_datasets,$(VL_DZ))

VL_ROWS := $(foreach m,$(VL_METHODS),$(call rows,$(call vl_datasets,$(call vl_dz_for,$(m))),$(m)))
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
