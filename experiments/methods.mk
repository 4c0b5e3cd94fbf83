# methods.mk — every method's run on one dataset, shared by all experiments.
#
# A run lives in $(RUNS_DIR)/DATASET/METHOD.npz (codes Z_val, Z_ood and the
# method's own members) and is scored into $(RUNS_DIR)/DATASET/METHOD.tsv.
# Datasets are named by their generator parameters, so two experiments that
# need the same configuration (e.g. d_z = 1000, k = 10, p = 5000 in vary-latents
# and vary-sparsity) share one run.
#
# Each method's options are in $(PARAMS_DIR)/METHOD.args (a prerequisite), and
# its seed is the dataset's seed.

RUNS_DIR := $(RESULTS_DIR)/runs

# seed of a dataset name: dz100_k10_p5000_s2 -> 2
seed_of = $(lastword $(subst _s, ,$(1)))
# dz=.. k=.. p=.. [dy=..] seed=.. tags from a dataset name (a dy tag only for
# names with _dy, so rows of older names keep their columns)
dataset_tags = $(subst _s, --tag seed=,$(subst _dy, --tag dy=,$(subst _p, --tag p=,$(subst _k, --tag k=,$(subst dz,dz=,$(1))))))

# ---- methods -------------------------------------------------------------
# FISTA oracle: inference with the true dictionary A.
$(RUNS_DIR)/%/oracle.npz: $(DATA_DIR)/%.npz $(BIN)/fista $(call params,oracle)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/fista --dict $<:A $(call read_params,oracle) $< -o $@

# Linear probe: ridge Y_train -> Z_train.
$(RUNS_DIR)/%/probe.npz: $(DATA_DIR)/%.npz $(BIN)/probe $(call params,probe)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/probe --data $< $(call read_params,probe) -o $@

# DL-FISTA: a dictionary learned from val (FISTA codes + ridge update), codes
# for val and OOD; the learning curve against A is recorded (SPEC §5.5).
$(RUNS_DIR)/%/dl-fista.npz: $(DATA_DIR)/%.npz $(BIN)/dl-fista $(call params,dl-fista)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/dl-fista --data $< --track-dict $<:A --seed $(call seed_of,$*) $(call read_params,dl-fista) -o $@

# Softplus-Adam: codes and dictionary trained jointly by Adam.
$(RUNS_DIR)/%/softplus-adam.npz: $(DATA_DIR)/%.npz $(BIN)/softplus-adam $(call params,softplus-adam)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/softplus-adam --data $< --seed $(call seed_of,$*) $(call read_params,softplus-adam) -o $@

# LISTA (oracle): unrolled ISTA trained on Y_train with D = A fixed.
$(RUNS_DIR)/%/lista-oracle.npz: $(DATA_DIR)/%.npz $(BIN)/lista $(call params,lista)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/lista --dict $<:A --data $< --seed $(call seed_of,$*) $(call read_params,lista) -o $@

# LISTA (oracle, stable): our variant beside the paper's set-up (SPEC §8): the
# same training, but the parameters of the epoch with the lowest loss are kept,
# so a late blow-up of the loss (issue 15: d_z = 100, seed 2) is not what gets
# scored.
$(RUNS_DIR)/%/lista-oracle-stable.npz: $(DATA_DIR)/%.npz $(BIN)/lista $(call params,lista)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/lista --dict $<:A --data $< --seed $(call seed_of,$*) $(call read_params,lista) --variant stable -o $@

# DL-LISTA: the same with DL-FISTA's dictionary.
$(RUNS_DIR)/%/dl-lista.npz: $(RUNS_DIR)/%/dl-fista.npz $(DATA_DIR)/%.npz $(BIN)/lista $(call params,lista)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/lista --dict $<:D --data $(word 2,$^) --seed $(call seed_of,$*) $(call read_params,lista) -o $@

# The four SAEs of SPEC §3, trained on Y_train, one model per variant; every
# variant of a seed starts from the same weights. The decoder's match to A is
# recorded every 10 epochs (SPEC §5.5).
SAE_VARIANTS := relu topk jumprelu mp
define sae_rule
$$(RUNS_DIR)/%/sae-$(1).npz: $$(DATA_DIR)/%.npz $$(BIN)/train-sae $$(call params,sae)
	@mkdir -p $$(@D)
	$$(RUN) $$(BIN)/train-sae --variant $(1) --data $$< --track-dict $$<:A --seed $$(call seed_of,$$*) $$(call read_params,sae) -o $$@
eval_dict_sae-$(1) = --dict $$(1):W_dec --bias $$(1):b_dec
endef
$(foreach v,$(SAE_VARIANTS),$(eval $(call sae_rule,$(v))))

# Frozen-decoder surgery (SPEC §5.1): an SAE's decoder as a dictionary (raw,
# unit columns, or matched columns at the true norms), FISTA on y − b_dec.
# Run sae-V-MODE.npz; its dictionary sae-V-MODE.dict.npz (D, b).
FREEZE_MODES := frozen renormed oracle-norms
define frozen_rule
$$(RUNS_DIR)/%/sae-$(1)-$(2).dict.npz: $$(RUNS_DIR)/%/sae-$(1).npz $$(DATA_DIR)/%.npz $$(BIN)/freeze-decoder
	$$(RUN) $$(BIN)/freeze-decoder --model $$< --mode $(2) $(if $(filter oracle-norms,$(2)),--truth $$(word 2,$$^):A) -o $$@
$$(RUNS_DIR)/%/sae-$(1)-$(2).npz: $$(RUNS_DIR)/%/sae-$(1)-$(2).dict.npz $$(DATA_DIR)/%.npz $$(BIN)/fista $$(call params,surgery-fista)
	$$(RUN) $$(BIN)/fista --dict $$<:D --bias $$<:b $$(call read_params,surgery-fista) $$(word 2,$$^) -o $$@
eval_dict_sae-$(1)-$(2) = --dict $$(basename $$(1)).dict.npz:D --bias $$(basename $$(1)).dict.npz:b
endef
$(foreach v,$(SAE_VARIANTS),$(foreach m,$(FREEZE_MODES),$(eval $(call frozen_rule,$(v),$(m)))))

# ---- evaluation ----------------------------------------------------------
# The dictionary each method is scored with (eval --dict), by method name;
# $(1) is the run's .npz, $(2) the dataset. Methods without one get NaN columns.
eval_dict_oracle = --dict $(2):A
eval_dict_dl-fista = --dict $(1):D
eval_dict_softplus-adam = --dict $(1):D
eval_dict_lista-oracle = --dict $(2):A
eval_dict_lista-oracle-stable = --dict $(2):A
eval_dict_dl-lista = --dict $(1):D

# $(*D) is the dataset name, $(*F) the method.
$(RUNS_DIR)/%.tsv: $(RUNS_DIR)/%.npz $(BIN)/eval $(call params,eval)
	$(RUN) $(BIN)/eval --tag method=$(*F) --tag $(call dataset_tags,$(*D)) --data $(DATA_DIR)/$(*D).npz --codes $< $(call eval_dict_$(*F),$<,$(DATA_DIR)/$(*D).npz) $(call read_params,eval) -o $@

# rows DATASETS METHODS: the eval rows of every method on every dataset; each
# row also depends on its dataset (eval reads it).
rows = $(foreach d,$(1),$(foreach m,$(2),$(RUNS_DIR)/$(d)/$(m).tsv))
define declare_rows
$(foreach d,$(1),$(foreach m,$(2),$(eval $(RUNS_DIR)/$(d)/$(m).tsv: $(DATA_DIR)/$(d).npz)))
endef
