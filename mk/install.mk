# mk/install.mk — what a shell user or a C programmer installs (included by the Makefile).
#   make install [PREFIX=/usr/local] [DESTDIR=...]   tools, manual pages, bash completion,
#                                  docs, libsparsekit.a, its headers and sparsekit.pc
#   make uninstall [PREFIX=...] [DESTDIR=...]       removes exactly what install puts there
#   make man                       the manual pages, build/man/TOOL.1 (help2man)
#   make check-install             the install tests (tests/install/), also part of check
# Installed layout (PREFIX/...):
#   bin/TOOL (every tools/TOOL.c, the front door sparsekit among them)
#   share/man/man1/TOOL.1          from TOOL --help and man/TOOL.h2m (help2man)
#   share/bash-completion/completions/sparsekit, and a symlink to it per tool (not eval,
#                                  which stays bash's builtin: type `sparsekit eval`)
#   share/doc/sparsekit/README.md, share/doc/sparsekit/examples/fista-lib.c
#   lib/libsparsekit.a, lib/pkgconfig/sparsekit.pc
#   include/sparsekit/*.h          user code writes #include <sparsekit/fista.h>; the headers
#                                  include each other as "mat.h", which resolves beside them
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATAROOTDIR ?= $(PREFIX)/share
MANDIR ?= $(DATAROOTDIR)/man
DOCDIR ?= $(DATAROOTDIR)/doc/sparsekit
COMPLETIONDIR ?= $(DATAROOTDIR)/bash-completion/completions
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install
HELP2MAN ?= help2man

TOOL_NAMES := $(patsubst tools/%.c,%,$(wildcard tools/*.c))
MAN_PAGES := $(TOOL_NAMES:%=$(BUILD)/man/%.1)
COMPLETION := $(BUILD)/completion/sparsekit
COMPLETION_NAMES := $(filter-out eval,$(TOOL_NAMES))
# vecmath.h is internal: static inline AVX2 kernels the library's passes are
# built from (it compiles only with -march=x86-64-v3), not an interface.
LIB_HEADERS := $(filter-out lib/vecmath.h,$(wildcard lib/*.h))
DOC_FILES := README.md
EXAMPLE_FILES := examples/fista-lib.c

# Every file install creates (without DESTDIR): uninstall removes these and nothing else.
INSTALLED_FILES := $(TOOL_NAMES:%=$(BINDIR)/%) $(TOOL_NAMES:%=$(MANDIR)/man1/%.1) \
    $(COMPLETION_NAMES:%=$(COMPLETIONDIR)/%) $(DOC_FILES:%=$(DOCDIR)/%) \
    $(EXAMPLE_FILES:examples/%=$(DOCDIR)/examples/%) $(LIBDIR)/libsparsekit.a \
    $(LIB_HEADERS:lib/%=$(INCLUDEDIR)/sparsekit/%) $(PKGCONFIGDIR)/sparsekit.pc
# Folders that belong to sparsekit alone: uninstall removes them when empty.
INSTALLED_DIRS := $(DOCDIR)/examples $(DOCDIR) $(INCLUDEDIR)/sparsekit

.PHONY: install uninstall man check-install

man: $(MAN_PAGES)

$(BUILD)/man-deps.ok: scripts/check-deps.sh
	@mkdir -p $(@D)
	bash scripts/check-deps.sh man
	@touch $@

# help2man runs TOOL --help and TOOL --version; NAME is the tool's purpose from
# `sparsekit --list` (sparsekit's own page has a [NAME] section in man/sparsekit.h2m),
# DESCRIPTION, EXAMPLES and SEE ALSO come from man/TOOL.h2m, EXIT STATUS and
# ENVIRONMENT and FILES from man/common.h2m. The C.UTF-8 locale keeps the help's
# UTF-8 (Dᵀ; help2man's default C locale turns it into ???). The date is the last
# commit's, so the pages of one commit are the same bytes (help2man reads
# SOURCE_DATE_EPOCH).
$(BUILD)/man/%.1: $(BIN)/% $(BIN)/sparsekit man/%.h2m man/common.h2m mk/install.mk | $(BUILD)/man-deps.ok
	@mkdir -p $(@D)
	purpose=$$($(BIN)/sparsekit --list | awk -F '\t' -v t='$*' '$$1 == t { print $$2 }'); \
	common=--include=man/common.h2m; [ '$*' != sparsekit ] || common=; \
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || true)} \
	$(HELP2MAN) --no-info --locale=C.UTF-8 --section=1 --manual='sparsekit manual' \
	    $${purpose:+--name="$$purpose"} --include=man/$*.h2m $$common \
	    --output=$@.tmp ./$(BIN)/$*
	@mv $@.tmp $@

$(COMPLETION): completion/sparsekit.bash.in mk/install.mk
	@mkdir -p $(@D)
	sed 's/@COMMANDS@/$(COMPLETION_NAMES)/' $< > $@.tmp && mv $@.tmp $@

# The library is static, so a plain `pkg-config --libs` must name what it links
# (BLIS 0.9 on Debian ships no .pc; -fopenmp for libgomp, which sparsekit's own
# element-wise passes call as well as BLIS).
# libdir and includedir are written relative to ${prefix} when they lie under
# PREFIX, so `pkg-config --define-prefix` (or --define-variable=prefix=) can
# relocate an installed tree.
define SPARSEKIT_PC
prefix=$(PREFIX)
libdir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
includedir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))

Name: sparsekit
Description: sparse coding against sparse autoencoders: FISTA, DL-FISTA, LISTA, SAEs, metrics, NumPy .npz files
Version: $(VERSION)
Cflags: -I$${includedir}
Libs: -L$${libdir} -lsparsekit -lblis -lz -lm -fopenmp -pthread
endef
export SPARSEKIT_PC

install: $(TOOLS) $(LIB_A) $(MAN_PAGES) $(COMPLETION)
	$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(COMPLETIONDIR)' \
	    '$(DESTDIR)$(DOCDIR)/examples' '$(DESTDIR)$(LIBDIR)' '$(DESTDIR)$(PKGCONFIGDIR)' \
	    '$(DESTDIR)$(INCLUDEDIR)/sparsekit'
	$(INSTALL) -m 755 $(TOOLS) '$(DESTDIR)$(BINDIR)/'
	$(INSTALL) -m 644 $(MAN_PAGES) '$(DESTDIR)$(MANDIR)/man1/'
	$(INSTALL) -m 644 $(COMPLETION) '$(DESTDIR)$(COMPLETIONDIR)/sparsekit'
	for t in $(filter-out sparsekit,$(COMPLETION_NAMES)); do \
	    ln -sfn sparsekit '$(DESTDIR)$(COMPLETIONDIR)'/$$t; done
	$(INSTALL) -m 644 $(DOC_FILES) '$(DESTDIR)$(DOCDIR)/'
	$(INSTALL) -m 644 $(EXAMPLE_FILES) '$(DESTDIR)$(DOCDIR)/examples/'
	$(INSTALL) -m 644 $(LIB_A) '$(DESTDIR)$(LIBDIR)/libsparsekit.a'
	$(INSTALL) -m 644 $(LIB_HEADERS) '$(DESTDIR)$(INCLUDEDIR)/sparsekit/'
	printf '%s\n' "$$SPARSEKIT_PC" > '$(DESTDIR)$(PKGCONFIGDIR)/sparsekit.pc'

uninstall:
	rm -f $(foreach f,$(INSTALLED_FILES),'$(DESTDIR)$(f)')
	for d in $(foreach d,$(INSTALLED_DIRS),'$(DESTDIR)$(d)'); do \
	    [ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d"; done

# make check builds what the install tests install; check-install runs just them.
check: $(MAN_PAGES) $(COMPLETION) $(LIB_A)
check-install: $(TOOLS) $(LIB_A) $(MAN_PAGES) $(COMPLETION)
	SK_BIN=$(CURDIR)/$(BIN) SK_BUILD=$(CURDIR)/$(BUILD) bash tests/run-all.sh install
