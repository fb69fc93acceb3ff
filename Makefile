# nxpop3: the NetX Duo POP3 Client API for C programs, served by a Go client.
# 'make help' lists the targets.

GO      ?= go
CC      ?= gcc
CFLAGS  ?= -std=c99 -Wall -Wextra -Werror -O2
BUILD   := build
BIN     := $(BUILD)/bin
LIB     := $(BUILD)/libnxpop3.a
SHLIB   := $(BUILD)/libnxpop3.so
PC      := $(BUILD)/nxpop3.pc
LDLIBS  := -lpthread
FUZZTIME ?= 10m
# make test fuzzes by count, not time: Go 1.26's fuzz coordinator can fail a
# duration-limited run with "context deadline exceeded" at its end on a busy
# machine (golang/go#75804, fixed in Go 1.27).
FUZZCOUNT ?= 50000x
FUZZ    := FuzzDotReader FuzzReply FuzzSession FuzzAuth
# $(call fuzz,LIMIT): each fuzz target of pop3 in turn, for -fuzztime LIMIT.
fuzz = for f in $(FUZZ); do $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(1) ./pop3 || exit 1; done
EXAMPLES := $(patsubst cexamples/%.c,$(BIN)/%,$(wildcard cexamples/*.c))
# pop3fetch is several files, in cexamples/pop3fetch/.
PF_SRC  := $(wildcard cexamples/pop3fetch/*.c)
EXAMPLES += $(BIN)/pop3fetch
# The version is set once, in the header's NXPOP3_VERSION_* macros
# (build/genheader writes them); the pkg-config file, the CMake package and
# the shared library's name and SONAME follow it.
version_part = $(shell sed -n 's/^.define NXPOP3_VERSION_$(1)  *\([0-9][0-9]*\)$$/\1/p' include/nx_pop3_client.h)
VERSION_MAJOR := $(call version_part,MAJOR)
VERSION_MINOR := $(call version_part,MINOR)
VERSION_PATCH := $(call version_part,PATCH)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)
ifeq ($(and $(VERSION_MAJOR),$(VERSION_MINOR),$(VERSION_PATCH)),)
$(error include/nx_pop3_client.h lacks the NXPOP3_VERSION_MAJOR/_MINOR/_PATCH macros)
endif
SONAME  := libnxpop3.so.$(VERSION_MAJOR)
# The shared library exports the public API only (see the version script).
SYMBOLS := $(BUILD)/dist/libnxpop3.map
SHLIB_LDFLAGS := -extldflags=-Wl,-soname,$(SONAME),--version-script,$(CURDIR)/$(SYMBOLS)
# make install: the usual variables; DESTDIR stages the tree for packaging.
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR     ?= $(LIBDIR)/cmake/nxpop3
MANDIR       ?= $(PREFIX)/share/man
INSTALL      ?= install
MAN1    := $(wildcard cexamples/*.1 cexamples/*/*.1)
GOSRC   := $(shell find pop3 capi nxhost -name '*.go' -not -name '*_test.go') $(wildcard capi/*.c capi/*.h nxhost/*.c nxhost/*.h)
HEADERS := $(wildcard include/*.h)

.DEFAULT_GOAL := all

# install_subst,TEMPLATE,TARGET writes TEMPLATE with the install's version
# and paths filled in. The CMake package finds its prefix from where it
# lies, so its paths are relative to CMAKEDIR and a staged tree works.
install_subst = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@VERSION_MAJOR@|$(VERSION_MAJOR)|g' \
	-e 's|@SONAME@|$(SONAME)|g' -e 's|@PREFIX@|$(PREFIX)|g' \
	-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|g' \
	-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|g' \
	-e 's|@CMAKE_LIBDIR@|$(shell realpath -m --relative-to=$(CMAKEDIR) $(LIBDIR))|g' \
	-e 's|@CMAKE_INCLUDEDIR@|$(shell realpath -m --relative-to=$(CMAKEDIR) $(INCLUDEDIR))|g' \
	$(1) > $(2).tmp && chmod 644 $(2).tmp && mv $(2).tmp $(2)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

all: $(LIB) $(SHLIB) $(PC) $(EXAMPLES) $(BIN)/pop3testd ## build the archive, shared library, pkg-config file and C examples

$(LIB): $(GOSRC) $(HEADERS) go.mod
	$(GO) build -buildmode=c-archive -o $@ ./capi

$(SHLIB): $(GOSRC) $(HEADERS) go.mod $(SYMBOLS)
	@# go build relinks only when its inputs change, and the version script is not one of them.
	rm -f $@
	$(GO) build -buildmode=c-shared -ldflags='$(SHLIB_LDFLAGS)' -o $@ ./capi
	ln -sf libnxpop3.so $(BUILD)/$(SONAME)

$(PC): Makefile include/nx_pop3_client.h
	@mkdir -p $(BUILD)
	@printf 'prefix=%s\nlibdir=$${prefix}/build\nincludedir=$${prefix}/include\n\nName: nxpop3\nDescription: NetX Duo POP3 Client API served by a Go POP3 client\nVersion: $(VERSION)\nCflags: -I$${includedir}\nLibs: $${libdir}/libnxpop3.a -lpthread\n' "$(CURDIR)" > $@

$(BIN)/%: cexamples/%.c $(LIB) $(HEADERS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -Iinclude $< $(LIB) $(LDLIBS) -o $@

$(BIN)/pop3fetch: $(PF_SRC) $(wildcard cexamples/pop3fetch/*.h) $(LIB) $(HEADERS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -Iinclude $(PF_SRC) $(LIB) $(LDLIBS) -o $@

$(BIN)/pop3testd: $(shell find pop3 -name '*.go' -not -name '*_test.go')
	$(GO) build -o $@ ./pop3/pop3test/pop3testd

header: $(LIB) ## regenerate include/nx_pop3_client.h (each call documented from its Go doc comment) and capi/forward.c, checked against the vendor's prototypes
	$(GO) run ./build/genheader -export $(BUILD)/libnxpop3.h -out include/nx_pop3_client.h -forward capi/forward.c

# Tests that cannot run fail, naming the command that fixes it, unless the
# user opts out by name (NXPOP3_SKIP_DOVECOT=1, NXPOP3_SKIP_SANITIZERS=1,
# NXPOP3_SKIP_IPV6=1, NXPOP3_SKIP_CTOOLS=1, NXPOP3_SKIP_OFFHOST=1: see
# internal/testenv); the skips are recorded in SKIPS, and the last line of
# make test counts them.
SKIPS   := $(BUILD)/skipped-tests.txt

test: $(LIB) fmt-check test-deps ## gofmt and vet, then every test: Go core, pop3test, C API, Dovecot integration, brief fuzzing, link checks, the demo; the last line counts skipped tests
	@rm -f $(SKIPS)
	$(GO) vet ./...
	$(GO) run ./build/genheader -export $(BUILD)/libnxpop3.h -out include/nx_pop3_client.h -forward capi/forward.c -check
	NXPOP3_SKIP_SUMMARY=$(CURDIR)/$(SKIPS) $(GO) test -race -count=1 -timeout 20m -skip '^TestCross' ./...
	$(call fuzz,$(FUZZCOUNT))
	$(MAKE) link-check demo install-check test-cross
	@$(GO) run ./internal/testenv/skipreport $(SKIPS)

# What make test needs beyond Go, as command:Debian package. Root installs
# what is missing; anyone else is told the one command. valgrind and g++ are
# installed for root too (and the cross compilers and qemu-user for
# test-cross), but their tests follow internal/testenv's policy.
TEST_TOOLS ?= cmake:cmake pkg-config:pkgconf readelf:binutils nm:binutils
# A path instead of a command is a file the package provides: the cross
# compilers only recommend their C library, which --no-install-recommends
# leaves out.
ROOT_TOOLS ?= valgrind:valgrind g++:g++ aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu arm-linux-gnueabihf-gcc:gcc-arm-linux-gnueabihf \
	/usr/aarch64-linux-gnu/include/stdlib.h:libc6-dev-arm64-cross /usr/arm-linux-gnueabihf/include/stdlib.h:libc6-dev-armhf-cross \
	qemu-aarch64:qemu-user qemu-arm:qemu-user

test-deps: dovecot-ready ## install what make test needs when it is missing (as root; otherwise name the command)
	@missing=; for t in $(TEST_TOOLS) $(if $(filter 0,$(shell id -u)),$(ROOT_TOOLS)); do \
		case $${t%%:*} in /*) [ -e $${t%%:*} ];; *) command -v $${t%%:*} >/dev/null;; esac || missing="$$missing $${t##*:}"; done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then echo "make: make test needs:$$missing; run 'sudo make test-deps'" >&2; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
	{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null; }

dovecot-ready: ## install Dovecot for the integration tests when it is missing (root only: build/dovecot/install.sh)
	@if [ "$$NXPOP3_SKIP_DOVECOT" = 1 ]; then exit 0; fi; \
	bash build/dovecot/install.sh || { \
		echo "make: Dovecot is missing and only root can install it: run 'sudo make dovecot-ready'" >&2; \
		echo "      (or set NXPOP3_SKIP_DOVECOT=1 to skip the Dovecot tests; make test then counts them as skipped)" >&2; \
		exit 1; }

fmt-check: ## fail if a Go file is not gofmt-formatted
	@files=$$(gofmt -l $$(find . -name '*.go' -not -path './build/out/*')); \
	if [ -n "$$files" ]; then echo "not gofmt-formatted (run gofmt -w):"; echo "$$files"; exit 1; fi

link-check: all ## link a C program the two documented ways: pkg-config with the archive, and the shared library
	$(CC) $(CFLAGS) cexamples/demo.c $$(PKG_CONFIG_PATH=$(BUILD) pkg-config --cflags --libs nxpop3) -o $(BUILD)/demo-pkgconfig
	$(CC) $(CFLAGS) -Iinclude cexamples/demo.c -L$(BUILD) -lnxpop3 -lpthread -o $(BUILD)/demo-shared
	LD_LIBRARY_PATH=$(BUILD) $(BUILD)/demo-shared 2>&1 | grep -q 'set POP3_SERVER'
	@echo "link-check: archive via pkg-config and shared library both link and run"

install: all $(BIN)/pop3fetch ## install headers, libraries, pkg-config file, CMake package and pop3fetch under DESTDIR/PREFIX (default /usr/local)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR)/nxpop3 $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/nxpop3/
	$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libnxpop3.a
	$(INSTALL) -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libnxpop3.so.$(VERSION)
	ln -sf libnxpop3.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libnxpop3.so
	$(call install_subst,$(BUILD)/dist/nxpop3.pc.in,$(DESTDIR)$(PKGCONFIGDIR)/nxpop3.pc)
	$(call install_subst,$(BUILD)/dist/nxpop3-config.cmake.in,$(DESTDIR)$(CMAKEDIR)/nxpop3-config.cmake)
	$(call install_subst,$(BUILD)/dist/nxpop3-config-version.cmake.in,$(DESTDIR)$(CMAKEDIR)/nxpop3-config-version.cmake)
	$(INSTALL) -m 755 $(BIN)/pop3fetch $(DESTDIR)$(BINDIR)/pop3fetch
	$(if $(MAN1),$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1 && $(INSTALL) -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall: ## remove what 'make install' put (same DESTDIR and PREFIX); shared directories stay
	rm -f $(DESTDIR)$(BINDIR)/pop3fetch $(addprefix $(DESTDIR)$(INCLUDEDIR)/nxpop3/,$(notdir $(HEADERS))) \
		$(DESTDIR)$(LIBDIR)/libnxpop3.a $(DESTDIR)$(LIBDIR)/libnxpop3.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libnxpop3.so.$(VERSION) $(DESTDIR)$(PKGCONFIGDIR)/nxpop3.pc \
		$(DESTDIR)$(CMAKEDIR)/nxpop3-config.cmake $(DESTDIR)$(CMAKEDIR)/nxpop3-config-version.cmake \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rmdir $(DESTDIR)$(INCLUDEDIR)/nxpop3 $(DESTDIR)$(CMAKEDIR) 2>/dev/null || true

install-check: all $(BIN)/pop3testd ## install into a temporary DESTDIR, build and run the demo against the installed files only, uninstall
	MAKE='$(MAKE)' CC='$(CC)' CFLAGS='$(CFLAGS)' bash $(BUILD)/dist/install-check.sh

stress: ## long runs: 1 GiB message through both APIs (peak RSS), 1000 sessions, 50 C threads; 10 minutes of fuzzing per target
	NXPOP3_STRESS=1 $(GO) test -count=1 -run 'Stress' -v -timeout 30m ./pop3 ./capi
	$(call fuzz,$(FUZZTIME))

# make mutate: mutation testing of the Go core with gremlins, run from the
# Go module proxy at a pinned version (no go.mod dependency). MUTATE_FILES
# picks the files of pop3/ to mutate (their base names; default every
# source file); each mutant's test run is bounded by the coefficient times
# the suite's own duration. Hours on 2 cores, hence not part of make test.
GREMLINS     ?= $(GO) run github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATE_PKGS  ?= ./pop3
MUTATE_FILES ?= $(basename $(notdir $(filter-out %_test.go,$(wildcard pop3/*.go))))
MUTATE_ARGS  ?= --workers 1 --timeout-coefficient 3 --threshold-efficacy 95
MUTATE_SKIP  := $(filter-out $(MUTATE_FILES),$(basename $(notdir $(filter-out %_test.go,$(wildcard pop3/*.go)))))
empty :=
space := $(empty) $(empty)

mutate: ## mutation testing of ./pop3 with gremlins (slow: not part of make test; MUTATE_FILES="dot conn" narrows it)
	$(GREMLINS) unleash $(MUTATE_PKGS) $(MUTATE_ARGS) -E '^pop3test/' \
		$(if $(MUTATE_SKIP),-E '^($(subst $(space),|,$(MUTATE_SKIP)))\.go$$') -o $(BUILD)/mutate.json

# mutate-quick: make mutate with each mutant's test run narrowed by -skip
# (through GOFLAGS, which go test honours and gremlins passes on): no
# Dovecot, stress or timing tests, which cost most of the run's minute and
# reach conn.go/auth.go rather than the data path. The README's figures
# say which files were measured this way.
MUTATE_QUICK_SKIP := ^(TestDovecot|TestStress|TestAuthReplyTimeout|TestContextCancel|TestWaitInThread|TestSTLSAcknowledgedThenSilence|TestReplyTimeout|TestGreeting)

mutate-quick: ## make mutate without the Dovecot, stress and timing tests in each mutant's run (MUTATE_FILES narrows it too)
	GOFLAGS="$(shell $(GO) env GOFLAGS) -skip=$(MUTATE_QUICK_SKIP)" $(MAKE) mutate
.PHONY: mutate-quick

bench: ## benchmarks: download speed; the C API against bare and raw socket clients (private Dovecot), RSS per session, pop3fetch --delete to a Maildir on disk
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./pop3
	$(GO) test -run '^$$' -bench '^Benchmark(Download|CFetch)' -benchmem -benchtime 3x ./capi
	$(GO) test -run '^$$' -bench '^Benchmark(Perf|SessionRSS|Pop3fetchDisk)$$' -benchtime 1x -timeout 30m ./capi

# Embedded Linux: make cross builds the archive, the shared library and the
# examples for each of CROSS_TARGETS with Debian's cross compilers
# (gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf) into build/cross/TARGET/,
# then prints their sizes; SMALL=1 builds for firmware images instead
# (trimmed paths, no symbol tables or DWARF, stripped examples) into
# build/cross-small/TARGET/. make test-cross runs the C test programs under
# qemu-user (the Go tests named TestCross*, then pop3fetch against a
# pop3testd). The settings are internal/ctest's Targets.
CROSS_TARGETS      := arm64 arm
CROSS_arm64_GOENV  := GOARCH=arm64
CROSS_arm64_CC     := aarch64-linux-gnu-gcc
CROSS_arm64_QEMU   := qemu-aarch64 -L /usr/aarch64-linux-gnu
CROSS_arm_GOENV    := GOARCH=arm GOARM=7
CROSS_arm_CC       := arm-linux-gnueabihf-gcc
CROSS_arm_QEMU     := qemu-arm -L /usr/arm-linux-gnueabihf
CROSS      := $(BUILD)/cross$(if $(SMALL),-small)
CROSS_GOFLAGS := $(if $(SMALL),-trimpath)
CROSS_LDFLAGS := $(if $(SMALL),-s -w)
# The examples by name; one is either cexamples/NAME.c or the .c files of
# cexamples/NAME/.
CROSS_EXAMPLES := $(sort $(notdir $(EXAMPLES)) pop3fetch)
example_srcs = $(or $(wildcard cexamples/$(1).c),$(wildcard cexamples/$(1)/*.c))
CEXAMPLE_SRC := $(shell find cexamples -name '*.c' -o -name '*.h')

# $(call cross_rules,TARGET): the archive, shared library and examples of TARGET.
define cross_rules
$(CROSS)/$(1)/libnxpop3.a: $(GOSRC) $(HEADERS) go.mod
	@mkdir -p $$(@D)
	CGO_ENABLED=1 GOOS=linux $(CROSS_$(1)_GOENV) CC=$(CROSS_$(1)_CC) $(GO) build $(CROSS_GOFLAGS) -ldflags='$(CROSS_LDFLAGS)' -buildmode=c-archive -o $$@ ./capi

$(CROSS)/$(1)/libnxpop3.so: $(GOSRC) $(HEADERS) go.mod $(SYMBOLS)
	@mkdir -p $$(@D)
	rm -f $$@
	CGO_ENABLED=1 GOOS=linux $(CROSS_$(1)_GOENV) CC=$(CROSS_$(1)_CC) $(GO) build $(CROSS_GOFLAGS) -buildmode=c-shared -ldflags='$(CROSS_LDFLAGS) $(SHLIB_LDFLAGS)' -o $$@ ./capi

$(CROSS)/$(1)/bin/%: $(CROSS)/$(1)/libnxpop3.a $(HEADERS) $(CEXAMPLE_SRC)
	@mkdir -p $$(@D)
	$(CROSS_$(1)_CC) $(CFLAGS) -Iinclude $$(call example_srcs,$$*) $$< $(LDLIBS) -o $$@
	$(if $(SMALL),$(CROSS_$(1)_CC:gcc=strip) $$@)

cross-$(1): $(CROSS)/$(1)/libnxpop3.a $(CROSS)/$(1)/libnxpop3.so $(addprefix $(CROSS)/$(1)/bin/,$(CROSS_EXAMPLES))
	@$(CROSS_$(1)_CC:gcc=strip) -o $(CROSS)/$(1)/demo.stripped $(CROSS)/$(1)/bin/demo
	@printf '%-6s archive %s bytes, shared library %s bytes, demo stripped %s bytes, pop3fetch stripped %s bytes\n' $(1) \
		$$$$(stat -c %s $(CROSS)/$(1)/libnxpop3.a) $$$$(stat -c %s $(CROSS)/$(1)/libnxpop3.so) \
		$$$$(stat -c %s $(CROSS)/$(1)/demo.stripped) \
		$$$$($(CROSS_$(1)_CC:gcc=strip) -o $(CROSS)/$(1)/pop3fetch.stripped $(CROSS)/$(1)/bin/pop3fetch && stat -c %s $(CROSS)/$(1)/pop3fetch.stripped)

# pop3fetch for TARGET under qemu-user against a pop3testd on this host:
# every message of the mailbox stored in the Maildir, byte for byte.
test-cross-pop3fetch-$(1): $(CROSS)/$(1)/bin/pop3fetch $(BIN)/pop3testd
	@tmp=$$$$(mktemp -d); trap 'kill $$$$pid 2>/dev/null; rm -rf $$$$tmp' EXIT; \
	$(BIN)/pop3testd -demo -messages 5 > $$$$tmp/pop3testd.out & pid=$$$$!; \
	for i in $$$$(seq 50); do grep -q LISTENING $$$$tmp/pop3testd.out 2>/dev/null && break; sleep 0.2; done; \
	addr=$$$$(sed -n 's/^LISTENING //p' $$$$tmp/pop3testd.out); \
	POP3_PASSWORD=secret $(CROSS_$(1)_QEMU) $(CROSS)/$(1)/bin/pop3fetch --server $$$$addr --user demo $$$$tmp/Maildir || exit 1; \
	n=$$$$(ls $$$$tmp/Maildir/new | wc -l); \
	grep -rq 'Subject: Hello' $$$$tmp/Maildir/new || { echo "test-cross: $(1): pop3fetch stored no 'Subject: Hello' message"; exit 1; }; \
	[ "$$$$n" -eq 8 ] || { echo "test-cross: $(1): pop3fetch stored $$$$n messages, want 8"; exit 1; }; \
	echo "test-cross: $(1): pop3fetch under $(firstword $(CROSS_$(1)_QEMU)) stored all 8 messages"
endef
$(foreach t,$(CROSS_TARGETS),$(eval $(call cross_rules,$(t))))

cross: $(addprefix cross-,$(CROSS_TARGETS)) ## build archive, shared library and examples for linux/arm64 and linux/arm (ARMv7 hard float); SMALL=1 for firmware-sized builds; prints the sizes

test-cross: $(BIN)/pop3testd ## the C test programs cross-built for arm64 and ARMv7 under qemu-user: shims, vendor flow, legacy demo, pop3fetch against pop3testd
	NXPOP3_SKIP_SUMMARY=$(CURDIR)/$(SKIPS) $(GO) test -count=1 -timeout 20m -run '^TestCross' ./capi ./nxhost
	@if [ "$$NXPOP3_SKIP_CROSS" = 1 ]; then echo "test-cross: pop3fetch skipped (NXPOP3_SKIP_CROSS=1)"; \
	else $(MAKE) $(addprefix test-cross-pop3fetch-,$(CROSS_TARGETS)); fi

# Against a real server the demo deletes nothing unless POP3_DELETE=1; the
# pop3testd started for it holds the demo's own mailbox, so it shows deletion.
demo: $(BIN)/demo $(BIN)/pop3testd ## run the C demo against POP3_SERVER (deletes only with POP3_DELETE=1), or a pop3testd started for it
	@if [ -n "$$POP3_SERVER" ]; then \
		$(BIN)/demo; \
	else \
		$(BIN)/pop3testd -demo > $(BUILD)/pop3testd.out & pid=$$!; \
		trap "kill $$pid 2>/dev/null" EXIT; \
		for i in 1 2 3 4 5 6 7 8 9 10; do grep -q LISTENING $(BUILD)/pop3testd.out 2>/dev/null && break; sleep 0.2; done; \
		addr=$$(sed -n 's/^LISTENING //p' $(BUILD)/pop3testd.out); \
		echo "pop3testd listening on $$addr"; \
		POP3_SERVER=$$addr POP3_USER=demo POP3_PASSWORD=secret POP3_DELETE=1 $(BIN)/demo; \
	fi

clean: ## remove build outputs
	rm -rf $(BUILD)/cross $(BUILD)/cross-small $(BIN) $(LIB) $(SHLIB) $(BUILD)/libnxpop3.h $(PC) $(BUILD)/pop3testd.out $(SKIPS) $(BUILD)/demo-pkgconfig $(BUILD)/demo-shared $(BUILD)/$(SONAME)

.PHONY: cross test-cross $(addprefix cross-,$(CROSS_TARGETS)) $(addprefix test-cross-pop3fetch-,$(CROSS_TARGETS))
.PHONY: help all header test test-deps dovecot-ready fmt-check link-check install uninstall install-check stress mutate bench demo clean
