# vary-latents.mk — SPEC §6 "Vary latents": every method against d_z at k = 10,
# p = 5000 (smoke: a tiny grid). The runs and their rows come from methods.mk;
# this file picks the grid, aggregates the rows over seeds into one table and
# draws the figures from it.

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
VL_METHODS := oracle probe
VL_OUT := $(RESULTS_DIR)/vary-latents/$(SCALE)

VL_DATASETS := $(foreach dz,$(VL_DZ),$(foreach s,$(SEEDS),$(call dataset_name,$(dz),$(VL_K),$(VL_P),$(s))))
VL_ROWS := $(call rows,$(VL_DATASETS),$(VL_METHODS))
$(call declare_rows,$(VL_DATASETS),$(VL_METHODS))
VL_FIGURE_NAMES := mcc-id mcc-ood auc-ood acc-ood
VL_FIGURES := $(foreach f,$(VL_FIGURE_NAMES),$(foreach ext,png pdf,$(VL_OUT)/vary-latents-$(f).$(ext)))

$(VL_OUT)/table.tsv: $(VL_ROWS) scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(VL_ROWS) > $@.tmp && mv $@.tmp $@

$(VL_OUT)/vary-latents-%.png $(VL_OUT)/vary-latents-%.pdf &: $(VL_OUT)/table.tsv figures/vary-latents.gp
	$(GNUPLOT) -e "table='$<'; metric='$*'; out='$(VL_OUT)/vary-latents-$*'" figures/vary-latents.gp

.PHONY: vary-latents
vary-latents: $(VL_FIGURES)
figures: vary-latents
