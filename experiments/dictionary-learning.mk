# dictionary-learning.mk — BEYOND THE PAPER (SPEC §8 "Dictionary learning
# against its limit"; the paper has no such figure, SPEC §6): how much of
# DL-FISTA's collapse at large d_z is the algorithm and how much the data.
# MCC(OOD), MCC(ID), matched |cos| of the dictionary to A and the fraction of
# atoms with |cos| > 0.9, against d_z (k = 10, p = 5000) and against p (d_z =
# 1000), seeds 0-2, for
#   oracle                FISTA with the true A
#   dl-fista              the paper's DL-FISTA (up to 1000 rounds)
#   learn-dict            learn-dict's default learner, from val (the paper's
#                         protocol)
#   learn-dict-train-val  the same learned from train + val (a named variant:
#                         twice the rows the paper's learners see)
#   true-codes            the limit: the dictionary from the true val codes
#                         (learn-dict --learner true-codes)
# and the counting bound n_val = d_z·(d_y − 1)/(d_y − k) as a vertical line
# (scripts/counting-bound.sh, from gen-data's d_y formula); plus the learning
# curves (matched |cos| per round) of learn-dict against DL-FISTA, from the
# runs' own history (--track-dict), per d_z. The runs are methods.mk's, so a
# run vary-latents also has (DL-FISTA and the oracle at d_z = 100, 500, 1000,
# p = 5000) is the same file and runs once.
#
# Cost of one run (CPU seconds, BLIS_NUM_THREADS=1, k = 10, p = 5000, seeds
# 0-2, on the shared 2-core machine under a load of 8-12; experiments/costs.tsv
# has the records):
#   learn-dict (val)         d_z = 100: 3.9-5.7, 500: 24-26, 1000: 55, 2000: 136
#   learn-dict (train + val) d_z = 100: 11-12,   500: 43-45, 1000: 93
#   true-codes               d_z = 100: 0.2,     500: 1.0,   1000: 2.4, 2000: 5.7
#   DL-FISTA (1000 rounds)   d_z = 100: 38-49 (early stop), 500: 622, 1000: ~1260
#                            (0.8-1.65 s a round), 10000: 9-11 s a round (README)
# SCALE=default runs the oracle, learn-dict (val and train + val) and
# true-codes at d_z ∈ {100, 500, 1000, 2000}, and the oracle, learn-dict (val)
# and true-codes at p ∈ {1000, 2000, 5000, 10000} (d_z = 1000); DL-FISTA only
# at d_z = 100, 500, 1000 with p = 5000: vary-latents' own runs, so within
# make figures they cost nothing more. It leaves out d_z = 5000 and 10000
# (every method), DL-FISTA at d_z = 2000 and at p ≠ 5000 (~20-40 CPU-min a
# run) and the train + val variant in the p sweep (its p rows are draws of
# the distribution of the val rows learn-dict sees at 2p). SCALE=paper runs
# all of it.
# make plan (costs.tsv records, 2026-12-06): `make dictionary-learning` alone
# 2.9 CPU-h, 189 steps, 1.5 h on 2 cores, most of it DL-FISTA at d_z = 500 and
# 1000 with three seeds (make figures runs seed 0 there). So it is not part of
# make figures (the default build's budget is 45 min on 2 cores): `make
# dictionary-learning` draws it, and the report shows its section once its
# table exists (or when it is a goal of the same make: `make
# dictionary-learning report`).

DL_K_smoke := 3
DL_P_smoke := 200
DL_DZ_smoke := 20 40
DL_PDZ_smoke := 40
DL_PS_smoke := 100 200
DL_K_default := 10
DL_P_default := 5000
DL_DZ_default := 100 500 1000 2000
DL_PDZ_default := 1000
DL_PS_default := 1000 2000 5000 10000
DL_K_paper := 10
DL_P_paper := 5000
DL_DZ_paper := 100 500 1000 2000 5000 10000
DL_PDZ_paper := 1000
DL_PS_paper := 1000 2000 5000 10000

DL_K := $(DL_K_$(SCALE))
DL_P := $(DL_P_$(SCALE))
DL_DZ := $(DL_DZ_$(SCALE))
DL_PDZ := $(DL_PDZ_$(SCALE))
DL_PS := $(DL_PS_$(SCALE))
# the lines, in legend order (rows of the methods table); the p sweep of the
# default preset leaves out the train + val variant: its p rows at p are
# draws of the distribution of the p val rows learn-dict sees at 2p
DL_METHODS := oracle dl-fista learn-dict learn-dict-train-val true-codes
DL_P_METHODS_default := oracle dl-fista learn-dict true-codes
DL_P_METHODS := $(or $(DL_P_METHODS_$(SCALE)),$(DL_METHODS))
# the learners whose history is drawn as learning curves
DL_CURVE_METHODS := dl-fista learn-dict learn-dict-train-val
DL_OUT := $(RESULTS_DIR)/dictionary-learning/$(SCALE)

# A method too slow for the whole grid of a preset runs only at the d_z
# (DL_DZ_<method>_<scale>) and p (DL_PS_<method>_<scale>) listed; none: all.
DL_DZ_dl-fista_default := 100 500 1000
DL_PS_dl-fista_default := 5000
dl_dz_for = $(filter $(DL_DZ),$(or $(DL_DZ_$(1)_$(SCALE)),$(DL_DZ)))
dl_ps_for = $(filter $(DL_PS),$(or $(DL_PS_$(1)_$(SCALE)),$(DL_PS)))
dl_dz_datasets = $(foreach dz,$(call dl_dz_for,$(1)),$(foreach s,$(SEEDS),$(call dataset_name,$(dz),$(DL_K),$(DL_P),$(s))))
dl_p_datasets = $(foreach p,$(call dl_ps_for,$(1)),$(foreach s,$(SEEDS),$(call dataset_name,$(DL_PDZ),$(DL_K),$(p),$(s))))

DL_ROWS_DZ := $(foreach m,$(DL_METHODS),$(call rows,$(call dl_dz_datasets,$(m)),$(m)))
DL_ROWS_P := $(foreach m,$(DL_P_METHODS),$(call rows,$(call dl_p_datasets,$(m)),$(m)))
DL_CURVES := $(foreach m,$(DL_CURVE_METHODS),$(foreach d,$(call dl_dz_datasets,$(m)),$(RUNS_DIR)/$(d)/$(m).curve.tsv))
$(eval $(call grid_stamp,$(DL_OUT)/grid-dz.txt,$(patsubst $(RUNS_DIR)/%,%,$(DL_ROWS_DZ))))
$(eval $(call grid_stamp,$(DL_OUT)/grid-p.txt,$(patsubst $(RUNS_DIR)/%,%,$(DL_ROWS_P))))
$(eval $(call grid_stamp,$(DL_OUT)/grid-curves.txt,$(patsubst $(RUNS_DIR)/%,%,$(DL_CURVES))))

DL_FIGURES := $(foreach f,dz p curves,$(foreach ext,png pdf,$(DL_OUT)/dictionary-learning-$(f).$(ext)))

$(DL_OUT)/table-dz.tsv: $(DL_ROWS_DZ) $(DL_OUT)/grid-dz.txt scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh dz $(DL_ROWS_DZ) > $@.tmp && mv $@.tmp $@
$(DL_OUT)/table-p.tsv: $(DL_ROWS_P) $(DL_OUT)/grid-p.txt scripts/aggregate.sh
	@mkdir -p $(@D)
	bash scripts/aggregate.sh p $(DL_ROWS_P) > $@.tmp && mv $@.tmp $@
$(DL_OUT)/curves.tsv: $(DL_CURVES) $(DL_OUT)/grid-curves.txt scripts/aggregate-curves.sh
	@mkdir -p $(@D)
	bash scripts/aggregate-curves.sh $(DL_CURVES) > $@.tmp && mv $@.tmp $@

# The counting bound where the val rows meet it: the widest d_z at p, and the
# fewest p at d_z (scripts/counting-bound.sh, gen-data's d_y formula).
dl_bound_title = counting bound n_{val} = d_z(d_y - 1)/(d_y - k)
DL_FIGURE_DEPS := figures/dictionary-learning.gp scripts/counting-bound.sh $(FIGURE_DEPS)
$(DL_OUT)/dictionary-learning-dz.png $(DL_OUT)/dictionary-learning-dz.pdf &: $(DL_OUT)/table-dz.tsv $(DL_FIGURE_DEPS)
	$(DRAW) figures/dictionary-learning.gp $@ "table='$<'; methods='$(DL_METHODS)'; xcol='dz'; \
	  vline=$$(bash scripts/counting-bound.sh dz-limit $(DL_K) $(DL_P)); vtitle='$(dl_bound_title)'; vwhere='k = $(DL_K), p = $(DL_P)'"
$(DL_OUT)/dictionary-learning-p.png $(DL_OUT)/dictionary-learning-p.pdf &: $(DL_OUT)/table-p.tsv $(DL_FIGURE_DEPS)
	$(DRAW) figures/dictionary-learning.gp $@ "table='$<'; methods='$(DL_P_METHODS)'; xcol='p'; \
	  vline=$$(bash scripts/counting-bound.sh p-needed $(DL_K) $(DL_PDZ)); vtitle='$(dl_bound_title)'; vwhere='k = $(DL_K), d_z = $(DL_PDZ)'"
$(DL_OUT)/dictionary-learning-curves.png $(DL_OUT)/dictionary-learning-curves.pdf &: $(DL_OUT)/curves.tsv figures/learning-dynamics.gp $(FIGURE_DEPS)
	$(DRAW) figures/learning-dynamics.gp $@ "table='$<'; methods='$(DL_CURVE_METHODS)'; xtitle='round + 1'; logx=1"

.PHONY: dictionary-learning
dictionary-learning: $(DL_FIGURES)

ifneq ($(filter dictionary-learning,$(MAKECMDGOALS))$(wildcard $(DL_OUT)/table-dz.tsv),)
REPORT_FIGURES += $(filter %.png,$(DL_FIGURES))
REPORT_TABLES += $(DL_OUT)/table-dz.tsv $(DL_OUT)/table-p.tsv
endif
