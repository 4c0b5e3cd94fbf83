# report.mk — `make report`: one page, $(RESULTS_DIR)/report/$(SCALE)/index.html,
# with every figure of every experiment (PNGs copied beside it), a caption for
# each (figures/captions/*.tsv), the tables under them, the build's parameters
# and a table of where its time went (the timing log). Experiments add their
# figures to REPORT_FIGURES and their tables to REPORT_TABLES; this file is
# included last so both lists are complete when its rule is read.

REPORT_OUT := $(RESULTS_DIR)/report/$(SCALE)

$(REPORT_OUT)/index.html: $(REPORT_FIGURES) $(REPORT_TABLES) scripts/report.sh scripts/timing-table.sh $(wildcard figures/captions/*.tsv)
	$(PROGRESS) bash scripts/report.sh $(REPORT_OUT) $(SCALE) $(PARAMS_DIR) $(TIMING_LOG) figures/captions -- $(REPORT_FIGURES) -- $(REPORT_TABLES)

.PHONY: report
report: $(REPORT_OUT)/index.html
figures: report
