# frozen-decoder.mk — SPEC §5.1 "Frozen decoder" over the vary-latents grid:
# FISTA on each trained SAE's decoder (raw, renormed, oracle norms) against the
# SAE's own encoder, DL-FISTA and the oracle, as 1 × 4 panels (one per SAE type)
# against d_z; plus the refined decoder (DL-FISTA warm-started from the SAE
# decoder, rows from warm-start.mk). Reuses the SAEs, DL-FISTA and oracle runs of
# vary-latents.

FD_OUT := $(RESULTS_DIR)/frozen-decoder/$(SCALE)
FD_SAE_METHODS := $(foreach v,$(SAE_VARIANTS),sae-$(v) $(foreach m,$(FREEZE_MODES),sae-$(v)-$(m)))
FD_ROWS := $(call rows,$(VL_DATASETS),$(FD_SAE_METHODS) oracle) \
           $(call rows,$(call vl_datasets,$(call vl_dz_for,dl-fista)),dl-fista)
$(call declare_rows,$(VL_DATASETS),$(FD_SAE_METHODS))
FD_FIGURES := $(foreach f,mcc-ood mcc-id,$(foreach ext,png pdf,$(FD_OUT)/frozen-decoder-$(f).$(ext)))

# Every .tsv prerequisite is a row: warm-start.mk adds the refined decoder's
# rows (sae-V-refined) as prerequisites of this table.
$(FD_OUT)/table.tsv: $(FD_ROWS) scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(filter %.tsv,$^) > $@.tmp && mv $@.tmp $@

$(FD_OUT)/frozen-decoder-%.png $(FD_OUT)/frozen-decoder-%.pdf &: $(FD_OUT)/table.tsv figures/frozen-decoder.gp
	$(DRAW) figures/frozen-decoder.gp $@ "table='$<'; metric='$*'"

.PHONY: frozen-decoder
frozen-decoder: $(FD_FIGURES)
figures: frozen-decoder

REPORT_FIGURES += $(filter %.png,$(FD_FIGURES))
REPORT_TABLES += $(FD_OUT)/table.tsv
