# vary-latents.mk — SPEC §6 "Vary latents": every method against d_z at k = 10,
# p = 5000 (smoke: a tiny grid). Per (d_z, seed): gen-data, then each method's
# codes, then eval; rows are aggregated over seeds into one table that the
# figures read.

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
VL_DIR := $(RESULTS_DIR)/vary-latents
VL_OUT := $(VL_DIR)/$(SCALE)

VL_DATASETS := $(foreach dz,$(VL_DZ),$(foreach s,$(SEEDS),$(call dataset_name,$(dz),$(VL_K),$(VL_P),$(s))))
VL_ROWS := $(foreach d,$(VL_DATASETS),$(foreach m,$(VL_METHODS),$(VL_DIR)/$(d)/$(m).tsv))
VL_FIGURE_NAMES := mcc-id mcc-ood auc-ood acc-ood
VL_FIGURES := $(foreach f,$(VL_FIGURE_NAMES),$(foreach ext,png pdf,$(VL_OUT)/vary-latents-$(f).$(ext)))

# ---- methods: codes for val and OOD -------------------------------------
# FISTA oracle: the true dictionary A.
$(VL_DIR)/%/oracle.npz: $(DATA_DIR)/%.npz bin/fista $(call params,oracle)
	@mkdir -p $(@D)
	$(LAUNCH) bin/fista --dict $<:A $(call read_params,oracle) $< -o $@

# Linear probe: ridge Y_train -> Z_train.
$(VL_DIR)/%/probe.npz: $(DATA_DIR)/%.npz bin/probe $(call params,probe)
	@mkdir -p $(@D)
	$(LAUNCH) bin/probe --data $< $(call read_params,probe) -o $@

# ---- evaluation: one row per (dataset, method) ----------------------------
# $(*D) is the dataset name, $(*F) the method.
$(VL_DIR)/%.tsv: $(VL_DIR)/%.npz bin/eval $(call params,eval)
	$(LAUNCH) bin/eval --tag method=$(*F) --tag $(call dataset_tags,$(*D)) --data $(DATA_DIR)/$(*D).npz --codes $< $(call read_params,eval) -o $@

# method=...  dz=.. k=.. p=.. seed=.. columns from a dataset name
dataset_tags = $(subst _s, --tag seed=,$(subst _p, --tag p=,$(subst _k, --tag k=,$(subst dz,dz=,$(1)))))

# Every row depends on its dataset (eval reads it).
$(foreach d,$(VL_DATASETS),$(foreach m,$(VL_METHODS),$(eval $(VL_DIR)/$(d)/$(m).tsv: $(DATA_DIR)/$(d).npz)))

# ---- aggregation and figures -------------------------------------------
$(VL_OUT)/table.tsv: $(VL_ROWS) scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(VL_ROWS) > $@.tmp && mv $@.tmp $@

$(VL_OUT)/vary-latents-%.png $(VL_OUT)/vary-latents-%.pdf &: $(VL_OUT)/table.tsv figures/vary-latents.gp
	$(GNUPLOT) -e "table='$<'; metric='$*'; out='$(VL_OUT)/vary-latents-$*'" figures/vary-latents.gp

.PHONY: vary-latents
vary-latents: $(VL_FIGURES)
figures: vary-latents
