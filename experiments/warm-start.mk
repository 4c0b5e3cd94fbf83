# warm-start.mk — SPEC §5.2, §5.3 "Warm start" over the vary-latents grid:
# MCC(OOD) against the iteration budget for every trained SAE (the vary-latents
# runs $(RUNS_DIR)/DATASET/sae-V.npz; nothing retrains):
#   decoder: DL-FISTA from the SAE's raw decoder (warm) vs from random (cold),
#            budget = DL-FISTA rounds n_outer -> sae-V.warm-decoder.tsv
#   encoder: FISTA on the frozen decoder from the SAE's codes (warm) vs from 0
#            (cold), budget = FISTA iterations -> sae-V.warm-encoder.tsv
# both with the oracle reference (FISTA with A on raw y, 500 iterations).
# The curves are averaged over seeds into table-decoder.tsv / table-encoder.tsv
# and drawn per d_z as 1 × 4 panels (one per SAE type). The warm decoder's last
# budget is also the "refined" decoder of the frozen-decoder panel (SAE encoder /
# frozen decoder / refined / DL-FISTA / oracle): one row sae-V-refined.tsv per
# run, merged into the frozen-decoder table.
#
# The grid: d_z of each kind per scale (WS_DZ_decoder_<scale>,
# WS_DZ_encoder_<scale>, within VL_DZ), budgets in the params files
# (params/warm-start-{decoder,encoder}.args = the paper's, overridden under
# params/smoke/ and params/default/).
#
# What SCALE=default leaves out. Its whole warm-start part must cost at most
# ~4 CPU-minutes. Measured single-threaded (BLIS_NUM_THREADS=1, user time, on a
# loaded machine) per SAE and seed at k = 10, p = 5000:
#   decoder: ~0.07 / 0.14 / 0.74 s per DL-FISTA round at d_z = 50 / 100 / 500
#     (budget B = up to 2B rounds, warm + cold, plus the oracle); the paper's
#     B = 1000 would be up to ~280 s per run at d_z = 100 (less when DL-FISTA
#     stops early). With B = 20: 2.7-3.0 s (d_z 50), 7.1-8.4 s (d_z 100).
#   encoder (budgets 0..500, warm + cold + oracle): 0.5 / 1.2-1.6 / 6.4 / 17 s
#     at d_z = 50 / 100 / 500 / 1000.
# So the default runs (3 seeds x 4 SAEs = 12 runs per d_z):
#   - decoder: d_z = 50, 100 only, budgets up to 20 rounds (params/default/),
#     ~11 s x 12 = ~130 s; the paper: every d_z, up to 1000 rounds. The default
#     "refined" line of the frozen-decoder panel is therefore the decoder after
#     20 DL-FISTA rounds, at d_z 50 and 100 only;
#   - encoder: d_z = 50, 100, 500 (not 1000), every budget, ~8.5 s x 12 = ~100 s.
#   Total ~230 CPU-s, ~2 min wall under make -j2.
# SCALE=paper runs the full grid (every vary-latents d_z, every budget).

WS_DZ_decoder_smoke := $(VL_DZ_smoke)
WS_DZ_decoder_default := 50 100
WS_DZ_decoder_paper := $(VL_DZ_paper)
WS_DZ_encoder_smoke := $(VL_DZ_smoke)
WS_DZ_encoder_default := 50 100 500
WS_DZ_encoder_paper := $(VL_DZ_paper)
WS_KINDS := decoder encoder

WS_OUT := $(RESULTS_DIR)/warm-start/$(SCALE)
ws_dz = $(filter $(VL_DZ),$(WS_DZ_$(1)_$(SCALE)))
ws_curves = $(foreach d,$(call vl_datasets,$(call ws_dz,$(1))),$(foreach v,$(SAE_VARIANTS),$(RUNS_DIR)/$(d)/sae-$(v).warm-$(1).tsv))
ws_figures = $(foreach dz,$(call ws_dz,$(1)),$(foreach ext,png pdf,$(WS_OUT)/warm-start-$(1)-dz$(dz).$(ext)))
WS_FIGURES := $(foreach k,$(WS_KINDS),$(call ws_figures,$(k)))
WS_TABLES := $(foreach k,$(WS_KINDS),$(WS_OUT)/table-$(k).tsv)

# $(1) variant. The cold dictionary of the decoder kind is the dataset seed's
# DL-FISTA initialisation.
define ws_rule
$$(RUNS_DIR)/%/sae-$(1).warm-decoder.tsv: $$(RUNS_DIR)/%/sae-$(1).npz $$(DATA_DIR)/%.npz $$(BIN)/warm-start $$(call params,warm-start-decoder)
	$$(RUN) $$(BIN)/warm-start --kind decoder --model $$< --data $$(word 2,$$^) --seed $$(call seed_of,$$*) $$(call read_params,warm-start-decoder) -o $$@
$$(RUNS_DIR)/%/sae-$(1).warm-encoder.tsv: $$(RUNS_DIR)/%/sae-$(1).npz $$(DATA_DIR)/%.npz $$(BIN)/warm-start $$(call params,warm-start-encoder)
	$$(RUN) $$(BIN)/warm-start --kind encoder --model $$< --data $$(word 2,$$^) $$(call read_params,warm-start-encoder) -o $$@
# The refined decoder's row: the SAE's eval row gives the columns and tags.
$$(RUNS_DIR)/%/sae-$(1)-refined.tsv: $$(RUNS_DIR)/%/sae-$(1).warm-decoder.tsv $$(RUNS_DIR)/%/sae-$(1).tsv scripts/warm-start-refined.sh
	bash scripts/warm-start-refined.sh sae-$(1)-refined $$(word 2,$$^) $$< > $$@.tmp && mv $$@.tmp $$@
endef
$(foreach v,$(SAE_VARIANTS),$(eval $(call ws_rule,$(v))))

define ws_table_rule
$$(WS_OUT)/table-$(1).tsv: $$(call ws_curves,$(1)) scripts/aggregate-warm-start.sh
	@mkdir -p $$(@D)
	bash scripts/aggregate-warm-start.sh $$(call ws_curves,$(1)) > $$@.tmp && mv $$@.tmp $$@
endef
$(foreach k,$(WS_KINDS),$(eval $(call ws_table_rule,$(k))))

# One figure per kind and d_z; gnuplot writes beside the targets, then both are
# renamed into place.
define ws_figure_rule
$$(WS_OUT)/warm-start-$(1)-dz%.png $$(WS_OUT)/warm-start-$(1)-dz%.pdf &: $$(WS_OUT)/table-$(1).tsv figures/warm-start.gp
	$$(DRAW) figures/warm-start.gp $$@ "table='$$<'; kind='$(1)'; dz='$$*'"
endef
$(foreach k,$(WS_KINDS),$(eval $(call ws_figure_rule,$(k))))

# The refined rows join the frozen-decoder table (its recipe aggregates every
# .tsv prerequisite), at the d_z of the decoder kind.
WS_REFINED_ROWS := $(foreach d,$(call vl_datasets,$(call ws_dz,decoder)),$(foreach v,$(SAE_VARIANTS),$(RUNS_DIR)/$(d)/sae-$(v)-refined.tsv))
$(RESULTS_DIR)/frozen-decoder/$(SCALE)/table.tsv: $(WS_REFINED_ROWS)

.PHONY: warm-start
warm-start: $(WS_FIGURES)
figures: warm-start
REPORT_FIGURES += $(filter %.png,$(WS_FIGURES))
REPORT_TABLES += $(WS_TABLES)
