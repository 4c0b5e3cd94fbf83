# vary-samples.mk — SPEC §6 "Vary samples": every method of vary-latents
# against the number of samples p (log axis) at k = 10, d_z = 100 (paper: also
# p <= 10^4 at d_z = 10 000; one table and one set of figures per d_z). Runs
# and rows come from methods.mk, so a configuration vary-latents also has
# (d_z = 100, p = 5000) is not run twice. SAEs train 500 epochs at every p, so
# their number of steps grows with p (as in the paper).
#
# Cost of one run here (CPU seconds, BLIS_NUM_THREADS=1, d_z = 100, k = 10,
# measured on the busy 2-core machine; roughly proportional to p):
#   p = 1000:  oracle 0.05, probe 0.04, TopK SAE 0.30, ReLU SAE 0.35, eval 0.03,
#              LISTA 3.6, Softplus-Adam 15.5, DL-FISTA 22
#   p = 10^4:  TopK SAE 4.1, ReLU 4.3, JumpReLU 3.6, MP 5.5, DL-FISTA 50
# The default preset leaves out p = 5·10^4 and 10^5 (an SAE there takes
# ~20-55 s, x 4 SAEs x 3 seeds) and runs DL-FISTA, DL-LISTA and Softplus-Adam
# only up to p = 500 and LISTA up to p = 1000, besides p = 5000, which is
# vary-latents' own run (free): about 3 CPU-minutes of new runs. The paper
# preset runs the full grid.

VS_K_smoke := 3
VS_DZ_smoke := 20
VS_P_smoke := 100 200
VS_K_default := 10
VS_DZ_default := 100
VS_P_default := 100 500 1000 5000 10000
VS_K_paper := 10
VS_DZ_paper := 100 10000
VS_P_paper := 100 500 1000 5000 10000 50000 100000

VS_K := $(VS_K_$(SCALE))
VS_DZ := $(VS_DZ_$(SCALE))
VS_P := $(VS_P_$(SCALE))
# smoke: a few methods, so the DAG test stays short
VS_METHODS_smoke := oracle probe dl-fista sae-topk
VS_METHODS := $(or $(VS_METHODS_$(SCALE)),$(VL_METHODS))
VS_OUT := $(RESULTS_DIR)/vary-samples/$(SCALE)

# Largest p per d_z (VS_MAXP_dzDZ_SCALE) and per method (VS_MAXP_METHOD_SCALE);
# a method also skips the d_z its vary-latents cap (VL_MAXDZ_*) leaves out.
VS_MAXP_dz10000_paper := 10000
VS_MAXP_dl-fista_default := 500
VS_MAXP_dl-lista_default := 500
VS_MAXP_softplus-adam_default := 500
VS_MAXP_lista-oracle_default := 1000
VS_MAXP_lista-oracle-stable_default := 1000
# A run vary-latents has anyway (its p and k, a d_z it runs the method at) is
# always drawn.
vs_le = $(if $(1),$(shell [ $(2) -le $(1) ] && echo y),y)
vs_in_vl = $(and $(filter $(VL_K),$(VS_K)),$(filter $(VL_P),$(2)),$(filter $(1),$(call vl_dz_for,$(3))))
vs_p_for = $(foreach p,$(VS_P),$(if $(or $(call vs_in_vl,$(2),$(p),$(1)),$(and $(call vs_le,$(VS_MAXP_dz$(2)_$(SCALE)),$(p)),$(call vs_le,$(VS_MAXP_$(1)_$(SCALE)),$(p)),$(call vs_le,$(VL_MAXDZ_$(1)_$(SCALE)),$(2)))),$(p)))
# the datasets of method $(1) at d_z $(2)
vs_datasets = $(foreach p,$(call vs_p_for,$(1),$(2)),$(foreach s,$(call vl_seeds_at,$(1),$(2)),$(call dataset_name,$(2),$(VS_K),$(p),$(s))))
VS_FIGURE_NAMES := mcc-id mcc-ood auc-ood acc-ood

# One table, stamp and figure set per d_z.
define vs_dz
VS_ROWS_$(1) := $$(foreach m,$$(VS_METHODS),$$(call rows,$$(call vs_datasets,$$(m),$(1)),$$(m)))
VS_FIGURES_$(1) := $$(foreach f,$$(VS_FIGURE_NAMES),$$(foreach ext,png pdf,$$(VS_OUT)/vary-samples-dz$(1)-$$(f).$$(ext)))
VS_FIGURES += $$(VS_FIGURES_$(1))
VS_TABLES += $$(VS_OUT)/table-dz$(1).tsv
$$(eval $$(call grid_stamp,$$(VS_OUT)/grid-dz$(1).txt,$$(patsubst $$(RUNS_DIR)/%,%,$$(VS_ROWS_$(1)))))

$$(VS_OUT)/table-dz$(1).tsv: $$(VS_ROWS_$(1)) $$(VS_OUT)/grid-dz$(1).txt scripts/aggregate.sh
	@mkdir -p $$(@D)
	bash scripts/aggregate.sh p $$(VS_ROWS_$(1)) > $$@.tmp && mv $$@.tmp $$@

$$(VS_OUT)/vary-samples-dz$(1)-%.png $$(VS_OUT)/vary-samples-dz$(1)-%.pdf &: $$(VS_OUT)/table-dz$(1).tsv figures/vary-latents.gp $$(FIGURE_DEPS)
	$$(DRAW) figures/vary-latents.gp $$@ "table='$$<'; metric='$$*'; xcol='p'"
endef
VS_FIGURES :=
VS_TABLES :=
$(foreach dz,$(VS_DZ),$(eval $(call vs_dz,$(dz))))

REPORT_FIGURES += $(filter %.png,$(VS_FIGURES))
REPORT_TABLES += $(VS_TABLES)

.PHONY: vary-samples
vary-samples: $(VS_FIGURES)
figures: vary-samples
