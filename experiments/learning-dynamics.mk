# learning-dynamics.mk — SPEC §5.5: the matched |cos| of each learned
# dictionary to A during training (SAEs: after epochs 0, 10, ..., 490 and the
# last; DL-FISTA: after rounds 0, 10, ... and the last; an early-stopped run
# ends its curve), mean ± std over seeds, one panel per d_z. The curves are
# recorded by the vary-latents runs themselves (--track-dict): nothing retrains.

LD_OUT := $(RESULTS_DIR)/learning-dynamics/$(SCALE)
LD_SAE := $(foreach v,$(SAE_VARIANTS),sae-$(v))
LD_CURVES := $(foreach d,$(VL_DATASETS),$(foreach m,$(LD_SAE),$(RUNS_DIR)/$(d)/$(m).curve.tsv)) \
             $(foreach d,$(call vl_method_datasets,dl-fista),$(RUNS_DIR)/$(d)/dl-fista.curve.tsv)
LD_FIGURES := $(foreach ext,png pdf,$(LD_OUT)/learning-dynamics-cos.$(ext))
$(eval $(call grid_stamp,$(LD_OUT)/grid.txt,$(patsubst $(RUNS_DIR)/%,%,$(LD_CURVES))))

# $(*D) is the dataset, $(*F) the method; dz and seed come from the name.
$(RUNS_DIR)/%.curve.tsv: $(RUNS_DIR)/%.npz $(BIN)/mat-print scripts/track-curve.sh
	bash scripts/track-curve.sh $(BIN)/mat-print $< $(*F) $(call dz_of,$(*D)) $(call seed_of,$(*D)) > $@.tmp && mv $@.tmp $@

$(LD_OUT)/table.tsv: $(LD_CURVES) $(LD_OUT)/grid.txt scripts/aggregate-curves.sh
	@mkdir -p $(@D)
	bash scripts/aggregate-curves.sh $(LD_CURVES) > $@.tmp && mv $@.tmp $@

$(LD_OUT)/learning-dynamics-cos.png $(LD_OUT)/learning-dynamics-cos.pdf &: $(LD_OUT)/table.tsv figures/learning-dynamics.gp $(FIGURE_DEPS)
	$(DRAW) figures/learning-dynamics.gp $@ "table='$<'; methods='dl-fista $(LD_SAE)'"

.PHONY: learning-dynamics
learning-dynamics: $(LD_FIGURES)
figures: learning-dynamics

REPORT_FIGURES += $(filter %.png,$(LD_FIGURES))
REPORT_TABLES += $(LD_OUT)/table.tsv
