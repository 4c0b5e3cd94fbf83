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
# budget is also drawn in the frozen-decoder panel as "DL-FISTA from SAE
# decoder": one row sae-V-dl-fista-warm.tsv per run, merged into the
# frozen-decoder table. (The paper's "refined" line of that panel is the
# encoder kind at 100 iterations, run on its own as sae-V-refined in
# methods.mk, at every d_z.)
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
#     "DL-FISTA from SAE decoder" line of the frozen-decoder panel is therefore
#     the decoder after 20 DL-FISTA rounds, at d_z 50 and 100 only;
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
$(foreach k,$(WS_KINDS),$(eval $(call grid_stamp,$(WS_OUT)/grid-$(k).txt,$(patsubst $(RUNS_DIR)/%,%,$(call ws_curves,$(k))))))

# The curves of the SAE run RUNS/DATASET/sae-V.npz (the stem is DATASET/sae-V).
# The cold dictionary of the decoder kind is the dataset seed's DL-FISTA
# initialisation.
$(RUNS_DIR)/%.warm-decoder.tsv: $(RUNS_DIR)/%.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/warm-start $(call params,warm-start-decoder)
	$(RUN) $(BIN)/warm-start --kind decoder --model $< --data $(word 2,$^) --seed $(call seed_of,$(*D)) $(call read_params,warm-start-decoder) -o $@
$(RUNS_DIR)/%.warm-encoder.tsv: $(RUNS_DIR)/%.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/warm-start $(call params,warm-start-encoder)
	$(RUN) $(BIN)/warm-start --kind encoder --model $< --data $(word 2,$^) $(call read_params,warm-start-encoder) -o $@
# DL-FISTA warm-started from the SAE decoder, at the warm decoder's last budget,
# as a row of the frozen-decoder table: the SAE's eval row gives the columns
# and tags.
$(RUNS_DIR)/%-dl-fista-warm.tsv: $(RUNS_DIR)/%.warm-decoder.tsv $(RUNS_DIR)/%.tsv scripts/warm-start-row.sh
	bash scripts/warm-start-row.sh $(*F)-dl-fista-warm $(word 2,$^) $< > $@.tmp && mv $@.tmp $@

$(WS_OUT)/table-%.tsv: $$(call ws_curves,$$*) $(WS_OUT)/grid-%.txt scripts/aggregate-warm-start.sh
	@mkdir -p $(@D)
	bash scripts/aggregate-warm-start.sh $(call ws_curves,$*) > $@.tmp && mv $@.tmp $@

# One figure per kind and d_z; gnuplot writes beside the targets, then both are
# renamed into place.
$(WS_OUT)/warm-start-decoder-dz%.png $(WS_OUT)/warm-start-decoder-dz%.pdf &: $(WS_OUT)/table-decoder.tsv figures/warm-start.gp $(FIGURE_DEPS)
	$(DRAW) figures/warm-start.gp $@ "table='$<'; kind='decoder'; dz='$*'"
$(WS_OUT)/warm-start-encoder-dz%.png $(WS_OUT)/warm-start-encoder-dz%.pdf &: $(WS_OUT)/table-encoder.tsv figures/warm-start.gp $(FIGURE_DEPS)
	$(DRAW) figures/warm-start.gp $@ "table='$<'; kind='encoder'; dz='$*'"

# The DL-FISTA-from-decoder rows join the frozen-decoder table (its recipe
# aggregates every .tsv prerequisite), at the d_z of the decoder kind; the
# table is rebuilt when that grid changes.
WS_DL_WARM_ROWS := $(foreach d,$(call vl_datasets,$(call ws_dz,decoder)),$(foreach v,$(SAE_VARIANTS),$(RUNS_DIR)/$(d)/sae-$(v)-dl-fista-warm.tsv))
$(RESULTS_DIR)/frozen-decoder/$(SCALE)/table.tsv: $(WS_DL_WARM_ROWS) $(WS_OUT)/grid-decoder.txt

.PHONY: warm-start
warm-start: $(WS_FIGURES)
figures: warm-start
REPORT_FIGURES += $(filter %.png,$(WS_FIGURES))
REPORT_TABLES += $(WS_TABLES)
