# frozen-decoder.mk — SPEC §5.1 "Frozen decoder" over the vary-latents grid:
# FISTA on each trained SAE's decoder (raw, renormed, oracle norms) and the
# paper's "refined" codes (FISTA on the raw frozen decoder warm-started from
# the SAE's codes, 100 iterations, methods.mk) against the SAE's own encoder,
# DL-FISTA and the oracle, as 1 × 4 panels (one per SAE type) against d_z; plus
# DL-FISTA warm-started from the SAE decoder (its last warm-start budget, rows
# from warm-start.mk, MCC(OOD) only). Reuses the SAEs, DL-FISTA and oracle runs
# of vary-latents.

FD_OUT := $(RESULTS_DIR)/frozen-decoder/$(SCALE)
FD_SURGERIES := sae-% sae-%-frozen sae-%-renormed sae-%-oracle-norms sae-%-refined
FD_SAE_METHODS := $(foreach v,$(SAE_VARIANTS),$(subst %,$(v),$(FD_SURGERIES)))
FD_ROWS := $(call rows,$(VL_DATASETS),$(FD_SAE_METHODS) oracle) \
           $(call rows,$(call vl_method_datasets,dl-fista),dl-fista)
$(eval $(call grid_stamp,$(FD_OUT)/grid.txt,$(patsubst $(RUNS_DIR)/%,%,$(FD_ROWS))))
FD_FIGURES := $(foreach f,mcc-ood mcc-id,$(foreach ext,png pdf,$(FD_OUT)/frozen-decoder-$(f).$(ext)))

# Every .tsv prerequisite is a row: warm-start.mk adds the rows of DL-FISTA
# warm-started from the decoder (sae-V-dl-fista-warm) and its grid stamp.
$(FD_OUT)/table.tsv: $(FD_ROWS) $(FD_OUT)/grid.txt scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(filter %.tsv,$^) > $@.tmp && mv $@.tmp $@

# In each panel the SAE type's surgeries (solid; its encoder dashed), then
# DL-FISTA and the oracle as references (squares).
$(FD_OUT)/frozen-decoder-%.png $(FD_OUT)/frozen-decoder-%.pdf &: $(FD_OUT)/table.tsv figures/frozen-decoder.gp $(FIGURE_DEPS)
	$(DRAW) figures/frozen-decoder.gp $@ "table='$<'; metric='$*'; methods='$(FD_SURGERIES) sae-%-dl-fista-warm'; refs='dl-fista oracle'"

.PHONY: frozen-decoder
frozen-decoder: $(FD_FIGURES)
figures: frozen-decoder

REPORT_FIGURES += $(filter %.png,$(FD_FIGURES))
REPORT_TABLES += $(FD_OUT)/table.tsv
