# phase-transition.mk — SPEC §6 "Phase transition": MCC(ID) and AUC(OOD)
# against δ = d_y/d_z for (d_z, k) in PT_DZ × PT_K, d_y = min(d_z,
# ceil(c·k·ln(d_z/k))) for c in PT_C (deduplicated per (d_z, k)), p = 2000.
# Datasets carry their d_y in the name (dz50_k3_p2000_dy12_s0; gen-data --dy),
# so the rows have a dy column. Figures: 2 × 2 panels, d_z ∈ PT_PANEL_DZ (rows)
# × k ∈ PT_PANEL_K (columns).
#
# `make phase-transition-legacy` draws the published figure's mixture (SPEC §6)
# into results/phase-transition-legacy/SCALE/: its SAEs (width 2·d_z, methods
# sae-V-w2) and sparse coding on d_y = min(d_z, ceil(c·k·log2(d_z/k))), its
# probe on the grid above. It is part of `make figures` only at SCALE=paper.
#
# Cost of one run here (CPU seconds, BLIS_NUM_THREADS=1, p = 2000, measured on
# the busy 2-core machine): d_z = 50, k = 3, d_y = 12: oracle 0.05, probe 0.04,
# TopK SAE 0.19, ReLU SAE 0.46, eval 0.03, LISTA 3.5, DL-FISTA 15,
# Softplus-Adam 15; d_z = 200, k = 10, d_y = 60: oracle 0.14, probe 0.10,
# TopK SAE 0.75, ReLU SAE 1.0, eval 0.19, LISTA 23, DL-FISTA 42,
# Softplus-Adam 65; at d_y = 120 the ReLU, JumpReLU, MP SAEs take 1.9, 2.0, 3.0.
# A default build of the d_z = 50 half with all four SAEs (24 datasets, 312
# steps) took 101 CPU-s (64 user + 37 system, the system part being process
# start-up on the overloaded machine); the d_z = 200 half costs about twice
# that. The default preset therefore runs only the four panels' (d_z, k),
# c ∈ {0.5, 1, 2, 4} (16 (d_z, k, d_y) x 3 seeds) and oracle, probe and the
# TopK and ReLU SAEs: about 3.5 CPU-minutes. It leaves out d_z = 100, k = 5,
# c ∈ {1.5, 2.5, 3, 5, 6}, the JumpReLU and MP SAEs (0.3-3 s a run, x 48),
# and DL-FISTA and Softplus-Adam (15-65 s a run, x 48). The paper preset runs
# everything (LISTA is in neither). The smoke grid is one row of panels
# (d_z = 20) to keep the DAG test short.

PT_DZ_smoke := 20
PT_K_smoke := 2 3
PT_C_smoke := 1 3
PT_P_smoke := 200
PT_METHODS_smoke := oracle probe sae-topk
PT_LEGACY_METHODS_smoke := sae-topk-w2
PT_PANEL_DZ_smoke := 20
PT_PANEL_K_smoke := 2 3
PT_DZ_default := 50 200
PT_K_default := 3 10
PT_C_default := 0.5 1 2 4
PT_P_default := 2000
PT_METHODS_default := oracle probe sae-relu sae-topk
PT_LEGACY_METHODS_default := oracle sae-relu-w2 sae-topk-w2
PT_PANEL_DZ_default := 50 200
PT_PANEL_K_default := 3 10
PT_DZ_paper := 50 100 200
PT_K_paper := 3 5 10
PT_C_paper := 0.5 1 1.5 2 2.5 3 4 5 6
PT_P_paper := 2000
PT_METHODS_paper := oracle probe dl-fista softplus-adam $(foreach v,$(SAE_VARIANTS),sae-$(v))
PT_LEGACY_METHODS_paper := oracle dl-fista softplus-adam $(foreach v,$(SAE_VARIANTS),sae-$(v)-w2)
PT_PANEL_DZ_paper := 50 200
PT_PANEL_K_paper := 3 10

PT_DZ := $(PT_DZ_$(SCALE))
PT_K := $(PT_K_$(SCALE))
PT_C := $(PT_C_$(SCALE))
PT_P := $(PT_P_$(SCALE))
PT_METHODS := $(PT_METHODS_$(SCALE))
PT_LEGACY_METHODS := $(PT_LEGACY_METHODS_$(SCALE))
PT_PANEL_DZ := $(PT_PANEL_DZ_$(SCALE))
PT_PANEL_K := $(PT_PANEL_K_$(SCALE))
PT_OUT := $(RESULTS_DIR)/phase-transition/$(SCALE)
PT_LEGACY_OUT := $(RESULTS_DIR)/phase-transition-legacy/$(SCALE)

# $(call pt_dys,DZ,K,LOG): the distinct d_y = min(d_z, ceil(c·k·LOG(d_z/k))),
# c in PT_C, LOG = ln or log2.
pt_dys = $(shell awk -v dz=$(1) -v k=$(2) -v base=$(3) -v cs='$(PT_C)' 'BEGIN { \
    n = split(cs, c, " "); for (i = 1; i <= n; i++) { \
        v = c[i] * k * log(dz / k) / (base == "log2" ? log(2) : 1); d = int(v); if (d < v) d++; \
        if (d > dz) d = dz; print d } }' | sort -nu)
# the datasets of the grid with d_y formula LOG
pt_datasets = $(foreach dz,$(PT_DZ),$(foreach k,$(PT_K),$(foreach dy,$(call pt_dys,$(dz),$(k),$(1)),$(foreach s,$(SEEDS),$(call dataset_name_dy,$(dz),$(k),$(PT_P),$(dy),$(s))))))
PT_DATASETS := $(call pt_datasets,ln)
PT_LEGACY_DATASETS := $(call pt_datasets,log2)

# Legacy SAEs: each SAE variant at width 2·d_z (the stem is DATASET/sae-V).
$(RUNS_DIR)/%-w2.npz: $$(DATA_DIR)/$$(*D).npz $(BIN)/train-sae $(call params,sae)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/train-sae --variant $(patsubst sae-%,%,$(*F)) --width $$(( 2 * $(call dz_of,$(*D)) )) --data $< --track-dict $<:A --seed $(call seed_of,$(*D)) $(call read_params,sae) -o $@

PT_FIGURE_NAMES := mcc-id auc-ood
PT_ROWS := $(call rows,$(PT_DATASETS),$(PT_METHODS))
PT_LEGACY_ROWS := $(call rows,$(PT_DATASETS),probe) \
                  $(call rows,$(PT_LEGACY_DATASETS),$(filter-out probe,$(PT_LEGACY_METHODS)))

# $(call pt_experiment,NAME,OUT,ROWS): table, grid stamp and figures of one preset
define pt_experiment
$(1)_FIGURES := $$(foreach f,$$(PT_FIGURE_NAMES),$$(foreach ext,png pdf,$(2)/$(1)-$$(f).$$(ext)))
$$(eval $$(call grid_stamp,$(2)/grid.txt,$$(patsubst $$(RUNS_DIR)/%,%,$$($(3)))))

$(2)/table.tsv: $$($(3)) $(2)/grid.txt scripts/aggregate.sh
	@mkdir -p $$(@D)
	bash scripts/aggregate.sh dz,k,dy $$($(3)) > $$@.tmp && mv $$@.tmp $$@

$(2)/$(1)-%.png $(2)/$(1)-%.pdf &: $(2)/table.tsv figures/phase-transition.gp $$(FIGURE_DEPS)
	$$(DRAW) figures/phase-transition.gp $$@ "table='$$<'; metric='$$*'; panel_dz='$$(PT_PANEL_DZ)'; panel_k='$$(PT_PANEL_K)'"

.PHONY: $(1)
$(1): $$($(1)_FIGURES)
endef
$(eval $(call pt_experiment,phase-transition,$(PT_OUT),PT_ROWS))
$(eval $(call pt_experiment,phase-transition-legacy,$(PT_LEGACY_OUT),PT_LEGACY_ROWS))

PT_IN_FIGURES := phase-transition $(if $(filter paper,$(SCALE)),phase-transition-legacy)
figures: $(PT_IN_FIGURES)
REPORT_FIGURES += $(foreach e,$(PT_IN_FIGURES),$(filter %.png,$($(e)_FIGURES)))
REPORT_TABLES += $(PT_OUT)/table.tsv $(if $(filter paper,$(SCALE)),$(PT_LEGACY_OUT)/table.tsv)
