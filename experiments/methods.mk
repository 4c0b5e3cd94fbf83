# methods.mk — every method's run on one dataset, shared by all experiments.
#
# A run lives in $(RUNS_DIR)/DATASET/METHOD.npz (codes Z_val, Z_ood and the
# method's own members) and is scored into $(RUNS_DIR)/DATASET/METHOD.tsv.
# Datasets are named by their generator parameters, so two experiments that
# need the same configuration (e.g. d_z = 1000, k = 10, p = 5000 in vary-latents
# and vary-sparsity) share one run.
#
# Each method's options are in $(PARAMS_DIR)/METHOD.args (a prerequisite), and
# its seed is the dataset's seed. The methods themselves (names, the SAE
# variants, the dictionary each is scored with, and how figures draw them) are
# rows of experiments/methods.tsv; this file holds the rule that runs each.

RUNS_DIR := $(RESULTS_DIR)/runs

# ---- the methods table ----------------------------------------------------
# METHODS: the rows without '%' (what the sweeps run), SAE_VARIANTS: relu topk
# ..., METHOD_DICT_<name>: the dict column of every method (scripts/methods.sh).
# (METHODS_TABLE is exported, so the figure scripts read the same table.)
METHODS_TABLE ?= $(CURDIR)/experiments/methods.tsv
export METHODS_TABLE
methods_table = $(shell METHODS_TABLE='$(METHODS_TABLE)' bash scripts/methods.sh $(1))$(if $(filter 0,$(.SHELLSTATUS)),,$(error $(METHODS_TABLE) is not a methods table (scripts/methods.sh $(1) failed)))
METHODS := $(call methods_table,names)
SAE_VARIANTS := $(call methods_table,variants)
$(foreach d,$(call methods_table,dicts),$(eval METHOD_DICT_$(d)))

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

# Beyond the paper (SPEC §8; methods.tsv family beyond, run only by the
# experiments that name them: dictionary-learning). learn-dict: a dictionary
# learned from val by the tool's default learner (learn-dict.args), codes for
# val and OOD on it, the match to A recorded every round (track_cos,
# track_frac); learn-dict-train-val: the same learned from train + val (twice
# the rows), a named variant; true-codes: the limit, D* = Yᵀ Z (ZᵀZ)⁺ from the
# true val codes, then FISTA codes on it (true-codes.args).
$(RUNS_DIR)/%/learn-dict.npz: $(DATA_DIR)/%.npz $(BIN)/learn-dict $(call params,learn-dict)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/learn-dict --data $< --track-dict $<:A --seed $(call seed_of,$*) $(call read_params,learn-dict) -o $@
$(RUNS_DIR)/%/learn-dict-train-val.npz: $(DATA_DIR)/%.npz $(BIN)/learn-dict $(call params,learn-dict)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/learn-dict --data $< --track-dict $<:A --seed $(call seed_of,$*) $(call read_params,learn-dict) --fit train+val -o $@
$(RUNS_DIR)/%/true-codes.npz: $(DATA_DIR)/%.npz $(BIN)/learn-dict $(call params,true-codes)
	@mkdir -p $(@D)
	$(RUN) $(BIN)/learn-dict --data $< --seed $(call seed_of,$*) $(call read_params,true-codes) -o $@

# The SAEs of SPEC §3 (one rule per variant of the table), trained on
# Y_train; every variant of a seed starts from the same weights. The decoder's
# match to A is recorded every 10 epochs (SPEC §5.5) up to d_z =
# TRACK_DICT_MAXDZ: every d_z of the paper's sweeps (learning-dynamics draws
# them), not the large-latents widths, where one match is a d_z x d_z x d_y
# product (3.7e12 flops at 1e5, 4.6e14 at 1e6) and 51 of them would cost more
# than the training.
TRACK_DICT_MAXDZ ?= 20000
track_dict_args = $(if $(shell [ $(call dz_of,$(1)) -le $(TRACK_DICT_MAXDZ) ] && echo y),--track-dict $(2):A)
define sae_rule
$$(RUNS_DIR)/%/sae-$(1).npz: $$(DATA_DIR)/%.npz $$(BIN)/train-sae $$(call params,sae)
	@mkdir -p $$(@D)
	$$(RUN) $$(BIN)/train-sae --variant $(1) --data $$< $$(call track_dict_args,$$*,$$<) --seed $$(call seed_of,$$*) $$(call read_params,sae) -o $$@
endef
$(foreach v,$(SAE_VARIANTS),$(eval $(call sae_rule,$(v))))

# Frozen-decoder surgery (SPEC §5.1) on the SAE run RUNS/DATASET/sae-V.npz (the
# stem is DATASET/sae-V): its decoder as a dictionary sae-V-MODE.dict.npz (D, b:
# raw, unit columns, or matched columns at the true norms), and FISTA on
# y − b_dec with it, sae-V-MODE.npz.
FREEZE_MODES := frozen renormed oracle-norms
$(RUNS_DIR)/%-frozen.dict.npz: $(RUNS_DIR)/%.npz $(BIN)/freeze-decoder
	$(RUN) $(BIN)/freeze-decoder --model $< --mode frozen -o $@
$(RUNS_DIR)/%-renormed.dict.npz: $(RUNS_DIR)/%.npz $(BIN)/freeze-decoder
	$(RUN) $(BIN)/freeze-decoder --model $< --mode renormed -o $@
$(RUNS_DIR)/%-oracle-norms.dict.npz: $(RUNS_DIR)/%.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/freeze-decoder
	$(RUN) $(BIN)/freeze-decoder --model $< --mode oracle-norms --truth $(word 2,$^):A -o $@
fista_on_dict = $(RUN) $(BIN)/fista --dict $<:D --bias $<:b $(call read_params,surgery-fista) $(word 2,$^) -o $@
$(RUNS_DIR)/%-frozen.npz: $(RUNS_DIR)/%-frozen.dict.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/fista $(call params,surgery-fista)
	$(fista_on_dict)
$(RUNS_DIR)/%-renormed.npz: $(RUNS_DIR)/%-renormed.dict.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/fista $(call params,surgery-fista)
	$(fista_on_dict)
$(RUNS_DIR)/%-oracle-norms.npz: $(RUNS_DIR)/%-oracle-norms.dict.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/fista $(call params,surgery-fista)
	$(fista_on_dict)

# Refined (the paper's refined_{type}, SPEC §6 "Vary latents"): FISTA on the
# frozen decoder and y − b_dec warm-started from the SAE's own codes (unclamped),
# with the surgery's λ and 100 iterations; i.e. the warm-start encoder surgery
# (warm-start.mk) at a budget of 100 iterations, as a run of its own.
$(RUNS_DIR)/%-refined.npz: $(RUNS_DIR)/%-frozen.dict.npz $(RUNS_DIR)/%.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/fista $(call params,surgery-fista)
	$(RUN) $(BIN)/fista --dict $<:D --bias $<:b --init $(word 2,$^) $(call read_params,surgery-fista) $(word 3,$^) -o $@

# ---- evaluation ----------------------------------------------------------
# The dictionary a run is scored with (eval --dict, --bias), from the dict
# column of the methods table: $(call eval_dict,METHOD,RUN.npz,DATA.npz). A
# method without a row stops make.
eval_dict = $(if $(METHOD_DICT_$(1)),$(call dict_args,$(subst :, ,$(METHOD_DICT_$(1))),$(2),$(3)),$(error $(METHODS_TABLE): no row for method '$(1)', so eval has no dictionary for $(2)))
# $(call dict_args,FILE MEMBER[+BIAS],RUN,DATA) (the dict split at ':'; '-' = none)
dict_args = $(if $(filter -,$(1)),,$(call dict_opts,$(call dict_file,$(word 1,$(1)),$(2),$(3)),$(subst +, ,$(word 2,$(1)))))
dict_file = $(if $(filter DATA,$(1)),$(3),$(if $(filter RUN,$(1)),$(2),$(dir $(2))$(1)))
dict_opts = --dict $(1):$(word 1,$(2))$(if $(word 2,$(2)), --bias $(1):$(word 2,$(2)))

# $(*D) is the dataset name, $(*F) the method. eval also reads the dataset.
$(RUNS_DIR)/%.tsv: $(RUNS_DIR)/%.npz $$(DATA_DIR)/$$(*D).npz $(BIN)/eval $(call params,eval)
	$(RUN) $(BIN)/eval --tag method=$(*F) $(call dataset_tags,$(*D)) --data $(DATA_DIR)/$(*D).npz --codes $< $(call eval_dict,$(*F),$<,$(DATA_DIR)/$(*D).npz) $(call read_params,eval) -o $@

# rows DATASETS METHODS: the eval rows of every method on every dataset.
rows = $(foreach d,$(1),$(foreach m,$(2),$(RUNS_DIR)/$(d)/$(m).tsv))
