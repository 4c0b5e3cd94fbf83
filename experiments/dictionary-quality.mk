# dictionary-quality.mk — SPEC §6 "Controlled": dictionary-quality bars and
# per-column diagnostics against d_z for the frozen-decoder surgery (SPEC §5.1).
# Each sae-V-MODE row of frozen-decoder's table was scored by eval with its
# dictionary (the SAE decoder raw / renormed / at the true norms) matched to A:
# dict_cos (mean matched |cos|), dict_angle (mean arccos|cos|, rad),
# dict_norm_ratio (mean ‖d‖/‖a‖), dict_frac09 (fraction |cos| > 0.9); the oracle
# row is A itself. Nothing runs here but gnuplot: no extra CPU cost.

DQ_OUT := $(RESULTS_DIR)/dictionary-quality/$(SCALE)
# frozen-decoder.mk's table (spelt out: this file may be read before that one)
DQ_TABLE := $(RESULTS_DIR)/frozen-decoder/$(SCALE)/table.tsv
DQ_FIGURES := $(foreach f,bars columns,$(foreach ext,png pdf,$(DQ_OUT)/dictionary-quality-$(f).$(ext)))
# the dictionaries: of each frozen-decoder method (legends from the methods table)
DQ_METHODS := sae-%-frozen sae-%-renormed sae-%-oracle-norms oracle

# Matched |cos| and fraction > 0.9, one panel per SAE type, one group per d_z.
$(DQ_OUT)/dictionary-quality-bars.png $(DQ_OUT)/dictionary-quality-bars.pdf &: $(DQ_TABLE) figures/bars.gp $(FIGURE_DEPS)
	$(DRAW) figures/bars.gp $@ "table='$<'; methods='$(DQ_METHODS)'; \
	  metrics='dict_cos dict_frac09'; mlabels='matched_|cos| fraction_|cos|_>_0.9'"

# Per-column diagnostics against d_z: matched |cos|, angle, norm ratio.
$(DQ_OUT)/dictionary-quality-columns.png $(DQ_OUT)/dictionary-quality-columns.pdf &: $(DQ_TABLE) figures/lines.gp $(FIGURE_DEPS)
	$(DRAW) figures/lines.gp $@ "table='$<'; methods='$(DQ_METHODS)'; \
	  metrics='dict_cos dict_angle dict_norm_ratio'; \
	  mlabels='matched_|cos| angle_arccos|cos|_(rad) norm_ratio_‖d‖/‖a‖'; yranges='unit angle zero'"

.PHONY: dictionary-quality
dictionary-quality: $(DQ_FIGURES)
figures: dictionary-quality
REPORT_FIGURES += $(filter %.png,$(DQ_FIGURES))
