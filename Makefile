# metiers: release build, install and uninstall.
#
#   make                                   release build (swift build -c release)
#   make install                           into PREFIX (default /usr/local), /etc and /lib/systemd/system
#   make DESTDIR=/tmp/stage PREFIX=/usr install     staged install, e.g. for a package
#   make uninstall                         removes what install put there (edited config files stay)
#
# Installed: the binaries to $(BINDIR); the job cards to $(DATADIR)/metiers/cards; the ROME data
# (CSV files, NOTICE, attribution table) to $(DATADIR)/metiers/rome; the README to
# $(DOCDIR); metiers.toml and vocabulary.tsv to $(SYSCONFDIR)/metiers (an existing file that
# differs is kept, the new one is written beside it as *.new); the systemd units to $(UNITDIR)
# and the sysusers.d entry of the socket group to $(SYSUSERSDIR). The units and metiers.toml in
# systemd/ are written for PREFIX=/usr/local and SYSCONFDIR=/etc; install rewrites their paths.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share
DOCDIR      ?= $(DATADIR)/doc/metiers
SYSCONFDIR  ?= /etc
UNITDIR     ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
DESTDIR     ?=

SWIFT       ?= swift
# The Swift runtime and Foundation are linked in, so the installed binaries need no toolchain.
SWIFT_BUILD_FLAGS ?= --static-swift-stdlib
INSTALL     ?= install
# BIN=DIR installs the binaries already built in DIR instead of building them (CI's
# Scripts/systemd-check installs the debug build the tests just made; they then need the Swift
# runtime libraries beside them, which the script copies).
BIN         ?=

PROGRAMS = metiersd metiers-index metiers
UNITS    = metiersd.socket metiersd.service metiers-index.service metiers-index.path
CONFDIR  = $(SYSCONFDIR)/metiers
CARDSDIR = $(DATADIR)/metiers/cards
ROMEDIR  = $(DATADIR)/metiers/rome
ROMEFILES = Index/rome/*.csv Index/rome/NOTICE Index/rome/README.md Index/rome/attribution.tsv

# The paths of systemd/* (written for the defaults) rewritten for this installation.
SUBST = -e 's|/usr/local/share/doc/metiers|$(DOCDIR)|g' \
        -e 's|/usr/local/share/metiers|$(DATADIR)/metiers|g' \
        -e 's|/usr/local/bin/|$(BINDIR)/|g' \
        -e 's|/etc/metiers/|$(CONFDIR)/|g'

.PHONY: all build install uninstall

all: build

build:
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS)

install: $(if $(BIN),,build)
	@set -e; \
	bin="$(BIN)"; [ -n "$$bin" ] || bin=$$($(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --show-bin-path); \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(CARDSDIR)" "$(DESTDIR)$(ROMEDIR)" "$(DESTDIR)$(DOCDIR)" \
		"$(DESTDIR)$(CONFDIR)" "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)"; \
	for p in $(PROGRAMS); do \
		echo "install $(DESTDIR)$(BINDIR)/$$p"; \
		$(INSTALL) -m 0755 "$$bin/$$p" "$(DESTDIR)$(BINDIR)/$$p"; \
	done; \
	echo "install $(DESTDIR)$(CARDSDIR)/*.json"; \
	$(INSTALL) -m 0644 Index/cards/*.json "$(DESTDIR)$(CARDSDIR)/"; \
	echo "install $(DESTDIR)$(ROMEDIR)/ (ROME v460, Licence Ouverte: see NOTICE)"; \
	$(INSTALL) -m 0644 $(ROMEFILES) "$(DESTDIR)$(ROMEDIR)/"; \
	echo "install $(DESTDIR)$(DATADIR)/metiers/ranking-model.json (written by Scripts/fit)"; \
	$(INSTALL) -m 0644 Config/ranking-model.json "$(DESTDIR)$(DATADIR)/metiers/ranking-model.json"; \
	$(INSTALL) -m 0644 README.md "$(DESTDIR)$(DOCDIR)/README.md"; \
	for u in $(UNITS); do \
		echo "install $(DESTDIR)$(UNITDIR)/$$u"; \
		sed $(SUBST) "systemd/$$u" > "$$tmp/$$u"; \
		$(INSTALL) -m 0644 "$$tmp/$$u" "$(DESTDIR)$(UNITDIR)/$$u"; \
	done; \
	$(INSTALL) -m 0644 systemd/metiers.sysusers "$(DESTDIR)$(SYSUSERSDIR)/metiers.conf"; \
	sed $(SUBST) systemd/metiers.toml > "$$tmp/metiers.toml"; \
	cp Config/vocabulary.tsv "$$tmp/vocabulary.tsv"; \
	for f in metiers.toml vocabulary.tsv; do \
		dest="$(DESTDIR)$(CONFDIR)/$$f"; \
		if [ -e "$$dest" ] && ! cmp -s "$$tmp/$$f" "$$dest"; then \
			$(INSTALL) -m 0644 "$$tmp/$$f" "$$dest.new"; \
			echo "kept $$dest (it differs from this version's, written as $$dest.new)"; \
		else \
			echo "install $$dest"; \
			$(INSTALL) -m 0644 "$$tmp/$$f" "$$dest"; \
		fi; \
	done; \
	if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then systemd-sysusers "$(SYSUSERSDIR)/metiers.conf"; fi; \
		echo; \
		echo "Next: systemctl daemon-reload"; \
		echo "      systemctl enable --now metiersd.socket metiers-index.path"; \
		echo "      systemctl start metiers-index.service   # the first index"; \
		echo "      usermod -aG metiers USER                # who may query the daemon"; \
	fi

uninstall:
	@set -e; \
	if [ -z "$(DESTDIR)" ]; then echo "(first: systemctl disable --now metiersd.socket metiersd.service metiers-index.path)"; fi; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for p in $(PROGRAMS); do rm -f "$(DESTDIR)$(BINDIR)/$$p"; done; \
	for u in $(UNITS); do rm -f "$(DESTDIR)$(UNITDIR)/$$u"; done; \
	rm -f "$(DESTDIR)$(SYSUSERSDIR)/metiers.conf"; \
	for c in Index/cards/*.json; do rm -f "$(DESTDIR)$(CARDSDIR)/$${c##*/}"; done; \
	for r in $(ROMEFILES); do rm -f "$(DESTDIR)$(ROMEDIR)/$${r##*/}"; done; \
	rm -f "$(DESTDIR)$(DATADIR)/metiers/ranking-model.json"; \
	rmdir "$(DESTDIR)$(CARDSDIR)" "$(DESTDIR)$(ROMEDIR)" "$(DESTDIR)$(DATADIR)/metiers" 2>/dev/null || true; \
	rm -f "$(DESTDIR)$(DOCDIR)/README.md"; \
	rmdir "$(DESTDIR)$(DOCDIR)" 2>/dev/null || true; \
	sed $(SUBST) systemd/metiers.toml > "$$tmp/metiers.toml"; \
	cp Config/vocabulary.tsv "$$tmp/vocabulary.tsv"; \
	for f in metiers.toml vocabulary.tsv; do \
		dest="$(DESTDIR)$(CONFDIR)/$$f"; \
		rm -f "$$dest.new"; \
		if [ -e "$$dest" ] && ! cmp -s "$$tmp/$$f" "$$dest"; then \
			echo "kept $$dest (edited)"; \
		else \
			rm -f "$$dest"; \
		fi; \
	done; \
	rmdir "$(DESTDIR)$(CONFDIR)" 2>/dev/null || true; \
	echo "uninstalled from $(DESTDIR)$(PREFIX); the index in /var/lib/metiers stays (rm -rf /var/lib/private/metiers)"; \
	if [ -z "$(DESTDIR)" ]; then echo "Next: systemctl daemon-reload"; fi
