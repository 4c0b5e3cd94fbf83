# lambda-sensitivity.mk — SPEC §5.6 "λ sensitivity": FISTA (non-negative, 100
# iterations, $(PARAMS_DIR)/lambda-fista.args) at each λ of LS_LAMBDAS on every
# trained SAE's frozen decoder (on y − b_dec; the sae-V-frozen.dict.npz of
# frozen-decoder) and on the true A (on raw y), MCC(OOD) against λ; the SAE's
# own encoder as a flat reference. Nothing retrains: the SAEs are those of
# vary-latents.
#
# Runs: RUNS_DIR/DATASET/sae-V-frozen-lamL.npz and oracle-lamL.npz, scored with
# --tag method=sae-V-frozen (or oracle) --tag lambda=L; table.tsv aggregates
# them per d_z over the seeds (columns method dz lambda n METRIC_mean/_std),
# encoder.tsv holds the SAE encoders' rows on the same datasets (by d_z).
#
# Cost (one thread, user time of one FISTA run + eval, λ-dependent: small λ
# = denser codes): d_z = 50: ~0.15 s, 100: ~0.35 s, 500: ~2 s, 1000: ~3.5 s;
# 5 dictionaries × 9 λ per dataset. The default grid keeps all nine λ but
# only d_z ∈ {50, 100}: 270 FISTA runs + evals, measured at 485 s of step
# wall time under make -j2 on the shared 2-core machine (about 100 CPU-s of
# tool time plus process start-up); it leaves out d_z = 500 and 1000 (about
# 5 and 8 CPU-min more). SCALE=paper runs every vary-latents d_z.
# SCALE=paper runs every vary-latents d_z.

LS_LAMBDAS_smoke := 0.01 0.1 1
LS_LAMBDAS_default := 0.001 0.005 0.01 0.05 0.1 0.2 0.5 1 2
LS_LAMBDAS_paper := 0.001 0.005 0.01 0.05 0.1 0.2 0.5 1 2
LS_DZ_smoke := $(VL_DZ_smoke)
LS_DZ_default := 50 100
LS_DZ_paper := $(VL_DZ_paper)
LS_LAMBDAS := $(LS_LAMBDAS_$(SCALE))
LS_DZ := $(LS_DZ_$(SCALE))
LS_DATASETS := $(call vl_datasets,$(LS_DZ))
LS_OUT := $(RESULTS_DIR)/lambda-sensitivity/$(SCALE)

# The runs of the grid: RUNS_DIR/DATASET/sae-V-frozen-lamL.npz and
# oracle-lamL.npz; a static pattern rule over them (the stem is
# DATASET/METHOD-lamL), λ from the name. The eval rules here are for these
# targets only, so make uses them rather than methods.mk's RUNS_DIR/%.tsv.
LS_METHODS := $(foreach l,$(LS_LAMBDAS),oracle-lam$(l) $(foreach v,$(SAE_VARIANTS),sae-$(v)-frozen-lam$(l)))
LS_SAE_RUNS := $(foreach d,$(LS_DATASETS),$(foreach l,$(LS_LAMBDAS),$(foreach v,$(SAE_VARIANTS),$(RUNS_DIR)/$(d)/sae-$(v)-frozen-lam$(l).npz)))
LS_ORACLE_RUNS := $(foreach d,$(LS_DATASETS),$(foreach l,$(LS_LAMBDAS),$(RUNS_DIR)/$(d)/oracle-lam$(l).npz))
lam_of = $(lastword $(subst -lam, ,$(1)))
lam_base = $(firstword $(subst -lam, ,$(1)))

# FISTA on the SAE's frozen decoder (sae-V-frozen.dict.npz) at λ, scored as
# method sae-V-frozen with a lambda tag.
$(LS_SAE_RUNS): $(RUNS_DIR)/%.npz: $(RUNS_DIR)/$$(call lam_base,$$*).dict.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/fista $(call params,lambda-fista)
	$(RUN) $(BIN)/fista --dict $<:D --bias $<:b --lambda $(call lam_of,$*) $(call read_params,lambda-fista) $(word 2,$^) -o $@
$(LS_SAE_RUNS:.npz=.tsv): $(RUNS_DIR)/%.tsv: $(RUNS_DIR)/%.npz $(RUNS_DIR)/$$(call lam_base,$$*).dict.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/eval $(call params,eval)
	$(RUN) $(BIN)/eval --tag method=$(call lam_base,$(*F)) $(call dataset_tags,$(*D)) --tag lambda=$(call lam_of,$*) --data $(word 3,$^) --codes $< --dict $(word 2,$^):D --bias $(word 2,$^):b $(call read_params,eval) -o $@
# FISTA with the true A on the raw y at λ, scored as method oracle.
$(LS_ORACLE_RUNS): $(RUNS_DIR)/%.npz: $$(DATA_DIR)/$$(*D).npz $(BIN)/fista $(call params,lambda-fista)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/fista --dict $<:A --lambda $(call lam_of,$*) $(call read_params,lambda-fista) $< -o $@
$(LS_ORACLE_RUNS:.npz=.tsv): $(RUNS_DIR)/%.tsv: $(RUNS_DIR)/%.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/eval $(call params,eval)
	$(RUN) $(BIN)/eval --tag method=oracle $(call dataset_tags,$(*D)) --tag lambda=$(call lam_of,$*) --data $(word 2,$^) --codes $< --dict $(word 2,$^):A $(call read_params,eval) -o $@

LS_ROWS := $(call rows,$(LS_DATASETS),$(LS_METHODS))
LS_ENCODER_ROWS := $(call rows,$(LS_DATASETS),$(foreach v,$(SAE_VARIANTS),sae-$(v)))
$(eval $(call grid_stamp,$(LS_OUT)/grid.txt,$(patsubst $(RUNS_DIR)/%,%,$(LS_ROWS))))
LS_FIGURES := $(foreach ext,png pdf,$(LS_OUT)/lambda-sensitivity-mcc-ood.$(ext))

# One aggregate over the seeds per d_z, a dz column put after method.
ls_rows_of = $(filter $(RUNS_DIR)/$(call dataset_name,$(1),$(VL_K),$(VL_P),)%,$(LS_ROWS))
$(LS_OUT)/table.tsv: $(LS_ROWS) $(LS_OUT)/grid.txt scripts/aggregate.sh
	@mkdir -p $(@D)
	{ $(foreach dz,$(LS_DZ),bash scripts/aggregate.sh lambda $(call ls_rows_of,$(dz)) | \
	    awk -F'\t' -v OFS='\t' -v dz=$(dz) -v head=$(if $(filter $(dz),$(firstword $(LS_DZ))),1,0) \
	    'NR == 1 { if (head) { $$1 = $$1 OFS "dz"; print } next } { $$1 = $$1 OFS dz; print }';) } > $@.tmp && mv $@.tmp $@

$(LS_OUT)/encoder.tsv: $(LS_ENCODER_ROWS) $(LS_OUT)/grid.txt scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(LS_ENCODER_ROWS) > $@.tmp && mv $@.tmp $@

$(LS_OUT)/lambda-sensitivity-mcc-ood.png $(LS_OUT)/lambda-sensitivity-mcc-ood.pdf &: $(LS_OUT)/table.tsv $(LS_OUT)/encoder.tsv figures/lambda-sensitivity.gp $(FIGURE_DEPS)
	$(DRAW) figures/lambda-sensitivity.gp $@ "table='$<'; ref='$(word 2,$^)'"

.PHONY: lambda-sensitivity
lambda-sensitivity: $(LS_FIGURES)
figures: lambda-sensitivity
REPORT_FIGURES += $(filter %.png,$(LS_FIGURES))
REPORT_TABLES += $(LS_OUT)/table.tsv $(LS_OUT)/encoder.tsv
