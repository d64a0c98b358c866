# SPDX-License-Identifier: GPL-2.0-or-later
# sbx: one build. `make` builds libsbx, the sbx CLI, the BPF objects and skeletons;
# `make check` builds and runs every suite (tests/README.md); `make demo` shows the main job.
# Everything generated goes to $(O) (default build/), never into the source tree.

O ?= build
PREFIX ?= /usr/local
ifeq ($(origin CC),default)
CC := gcc
endif
CLANG ?= clang
# Debian installs bpftool in /usr/sbin, off an ordinary user's PATH.
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
LLVM_STRIP ?= llvm-strip
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

PKGS := libbpf libseccomp libcap libssl libcrypto yaml-0.1 libplist-2.0 libelf zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror
CPPFLAGS := -D_GNU_SOURCE -Ikernel -Iuserspace/lib -I$(O)/bpf $(PKG_CFLAGS)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -fno-strict-aliasing -MMD -MP
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
TEST_CPPFLAGS := $(CPPFLAGS) -Itests/lib

LIB_SRCS := $(sort $(shell find userspace/lib -name '*.c'))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/obj/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=$(O)/asan/%.o)
FUZZ_OBJS := $(LIB_SRCS:%.c=$(O)/fuzzobj/%.o)
CLI_SRCS := $(sort $(wildcard userspace/cli/*.c))
CLI_OBJS := $(CLI_SRCS:%.c=$(O)/obj/%.o)
DAEMON_SRCS := $(sort $(wildcard userspace/daemon/*.c))
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(O)/obj/%.o)
BPF_SRCS := $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(O)/bpf/%.bpf.o)
SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(O)/bpf/%.skel.h)

# Test programs: one binary per file; tests/<suite>/bin/*.c are helpers the tests exec.
SUITES := unit sandbox escape vm
TEST_PROGS := $(foreach s,$(SUITES),$(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/$(s)/*.c)))
TEST_HELPERS := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/*/bin/*.c))
FUZZ_PROGS := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/fuzz/*.c))

TARGETS := $(O)/libsbx.a $(O)/sbx $(O)/sbxd

.PHONY: all tests check demo bench deps install uninstall deb man completions public-lib \
	format format-check clean vm-kernels FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TARGETS)

# ---- BPF: vmlinux.h from the running kernel's BTF, CO-RE objects, skeletons ----
$(O)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(O)/vmlinux.h $(wildcard kernel/*.h bpf/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
		-I$(O) -Ikernel -Ibpf/include -c $< -o $@

# The skeleton embeds the object: drop its DWARF (BTF stays, CO-RE needs it).
$(O)/bpf/%.skel.h: $(O)/bpf/%.bpf.o
	$(LLVM_STRIP) -g $< -o $(@:.skel.h=.stripped.o)
	$(BPFTOOL) gen skeleton $(@:.skel.h=.stripped.o) name $* > $@.tmp && mv $@.tmp $@

# ---- userspace ----
$(O)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(O)/asan/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -c $< -o $@

$(O)/fuzzobj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(CFLAGS) -Wno-unused-command-line-argument $(FUZZ_SAN) -c $< -o $@

$(O)/libsbx.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(O)/libsbx-asan.a: $(ASAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(O)/libsbx-fuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

# sbx run starts thousands of times a day: build/sbx links every library Debian ships an
# archive of statically, so the dynamic loader maps and relocates only libc and libplist
# (no .a in Debian) instead of twelve libraries (bench/README.md has the figures). PIE stays
# (ASLR); its relocations are packed (DT_RELR) where the linker can. Without the archives
# (another distribution) it links as before.
SBX_STATIC := bpf elf z seccomp cap ssl crypto yaml
SBX_ARCHIVES := $(foreach l,$(SBX_STATIC),$(filter /%,$(shell $(CC) -print-file-name=lib$(l).a)))
ifeq ($(words $(SBX_ARCHIVES)),$(words $(SBX_STATIC)))
SBX_LDLIBS := -Wl,-Bstatic $(SBX_STATIC:%=-l%) -Wl,-Bdynamic \
	$(shell pkg-config --libs libplist-2.0 2>/dev/null) -pthread -ldl
else
SBX_LDLIBS := $(LDLIBS)
endif
SBX_RELR := -Wl,-z,pack-relative-relocs
SBX_LDFLAGS := -Wl,-O1 -Wl,-z,now -Wl,-z,relro \
	$(if $(shell $(CC) -Wl,--help 2>/dev/null | grep pack-relative-relocs),$(SBX_RELR))

$(O)/sbx: $(CLI_OBJS) $(O)/libsbx.a
	$(CC) $(CFLAGS) $(SBX_LDFLAGS) -o $@ $(CLI_OBJS) $(O)/libsbx.a $(SBX_LDLIBS)

$(O)/sbxd: $(DAEMON_OBJS) $(O)/libsbx.a
	$(CC) $(CFLAGS) -o $@ $(DAEMON_OBJS) $(O)/libsbx.a $(LDLIBS)

# ---- tests (tests/Makefile is the kselftest-style entry; it calls back here) ----
$(O)/tests/unit/%: tests/unit/%.c $(O)/libsbx-asan.a tests/lib/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(CFLAGS) $(SAN) -o $@ $< $(O)/libsbx-asan.a $(LDLIBS)

$(O)/tests/fuzz/%: tests/fuzz/%.c $(O)/libsbx-fuzz.a
	@mkdir -p $(@D)
	$(CLANG) $(TEST_CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(O)/libsbx-fuzz.a $(LDLIBS)

# sbxd_tierk's dynamic program: libc alone, looked for next to it first (DT_RUNPATH $ORIGIN).
$(O)/tests/vm/bin/sbxd_libprog: tests/vm/bin/sbxd_libprog.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wl,-rpath,'$$ORIGIN' -Wl,--enable-new-dtags -o $@ $<

# A guest is TCG, three of them share the CPUs (tests/vm/run.sh), and every enforcer test
# loads and unloads 40 programs: the harness's per-test hang guard is 120 s there, not 30.
$(O)/tests/vm/%: TEST_CPPFLAGS += -DTEST_TIMEOUT_DEFAULT=120

$(O)/tests/%: tests/%.c $(O)/libsbx.a tests/lib/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(CFLAGS) -o $@ $< $(O)/libsbx.a $(LDLIBS)

tests: all $(TEST_PROGS) $(TEST_HELPERS) $(FUZZ_PROGS)

# ---- the jobs ----
deps:
	@scripts/install-deps.sh

# check and demo install what is missing first (as root), then re-read this Makefile so
# the pkg-config flags see the new packages. check builds on every CPU unless the caller
# chose (-jN): CI runs it bare, and no guest boots before the build has ended.
CHECK_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc))
check:
	@scripts/install-deps.sh --if-root
	@$(MAKE) --no-print-directory $(CHECK_JOBS) tests
	@$(MAKE) --no-print-directory -C tests run_tests O=$(abspath $(O))

demo:
	@scripts/install-deps.sh --if-root
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(abspath $(O))

# bench/README.md: installs its tools when root, prints one table, writes
# bench/results/latest.json and latest.png (generated: never committed). BENCH=B4 runs
# one group.
bench:
	@scripts/install-deps.sh --if-root
	@$(MAKE) --no-print-directory all $(O)/bench/syscost $(O)/bench/sbx-shared $(O)/bench/floor \
		$(O)/bench/vmbench $(O)/tests/vm/bin/sbxd_libprog $(O)/tests/sandbox/supervise_metadata \
		$(O)/tests/sandbox/bin/meta_probe
	@bench/run.sh $(abspath $(O)) $(BENCH)

$(O)/bench/syscost: bench/syscost.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(O)/bench/floor: bench/floor.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $<

# B2/B6 in the VM (tier K): linked like build/sbx, so the guest needs libplist and libc only.
$(O)/bench/vmbench: bench/vmbench.c $(O)/libsbx.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SBX_LDFLAGS) -o $@ $< $(O)/libsbx.a $(SBX_LDLIBS)

# B1's "before" row: the same sbx linked against the shared libraries.
$(O)/bench/sbx-shared: $(CLI_OBJS) $(O)/libsbx.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJS) $(O)/libsbx.a $(LDLIBS)

vm-kernels:
	@tests/vm/kernels.sh fetch

# ---- installation: GNU directory variables, DESTDIR staging (`make install uninstall`) ----
# SYSCONFDIR stays /etc whatever the prefix (as meson does for /usr): sbx and the root
# daemon sbxd must agree on one system trust store.
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/sbx
SYSCONFDIR ?= /etc
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install
SCDOC ?= scdoc
VERSION := 0.1.0

# The paths the installed sbx looks in, compiled in through a header that changes only when
# they do: `make install PREFIX=/usr` after a plain `make` rebuilds exactly what reads them.
PATHS_H := $(O)/gen/sbx_paths.h
$(PATHS_H): FORCE
	@mkdir -p $(@D)
	@printf '#define SBX_DATADIR "%s"\n#define SBX_TRUST_DIR_DEFAULT "%s"\n' \
		'$(DATADIR)' '$(SYSCONFDIR)/sbx/trust.d' >$@.tmp
	@printf '#define SBX_SYSCONFDIR "%s"\n' '$(SYSCONFDIR)' >>$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
PATHS_OBJS := $(foreach d,obj asan fuzzobj,$(O)/$(d)/userspace/lib/sign/verify.o \
	$(O)/$(d)/userspace/lib/profile/lookup.o)
$(PATHS_OBJS): $(PATHS_H)
$(PATHS_OBJS): CPPFLAGS += -include $(PATHS_H)

# ---- libsbx for other programs: include/sbx/*.h, libsbx.so.0, libsbx.a, sbx.pc ----
# Profiles, plans and signature verification only (no libbpf, libseccomp or libcap): the
# launcher and the BPF loader are not public yet. One relocatable object whose only global
# symbols are those userspace/lib/libsbx.map exports makes both the shared and the static
# library, so neither leaks an internal name.
CPPFLAGS += -Iinclude
$(O)/obj/userspace/lib/%.o: CFLAGS += -fPIC
SO_MAJOR := 0
PUB_SRCS := $(filter userspace/lib/profile/% userspace/lib/compile/% userspace/lib/sign/% \
	userspace/lib/public/% userspace/lib/diag.c userspace/lib/json.c userspace/lib/printable.c \
	userspace/lib/statedir.c,$(LIB_SRCS))
PUB_OBJS := $(PUB_SRCS:%.c=$(O)/obj/%.o)
PUB_PKGS := yaml-0.1 libplist-2.0 libcrypto libelf
PUB_LIBS := $(shell pkg-config --libs $(PUB_PKGS) 2>/dev/null)
PUBLIC_TARGETS := $(O)/lib/libsbx.so.$(VERSION) $(O)/lib/libsbx.a $(O)/lib/sbx.pc

$(O)/lib/exports.txt: userspace/lib/libsbx.map
	@mkdir -p $(@D)
	sed -n 's/^[[:space:]]*\(sbx_[a-z0-9_]*\);.*/\1/p' $< >$@
$(O)/lib/libsbx-public.o: $(PUB_OBJS) $(O)/lib/exports.txt
	$(LD) -r -o $@.tmp $(PUB_OBJS)
	objcopy --keep-global-symbols=$(O)/lib/exports.txt $@.tmp $@ && rm -f $@.tmp
$(O)/lib/libsbx.so.$(VERSION): $(O)/lib/libsbx-public.o userspace/lib/libsbx.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,libsbx.so.$(SO_MAJOR) -Wl,--no-undefined \
		-Wl,--version-script=userspace/lib/libsbx.map -o $@ $< $(PUB_LIBS)
	ln -sf $(@F) $(@D)/libsbx.so.$(SO_MAJOR)
	ln -sf libsbx.so.$(SO_MAJOR) $(@D)/libsbx.so
$(O)/lib/libsbx.a: $(O)/lib/libsbx-public.o
	@rm -f $@
	ar rcs $@ $<
$(O)/lib/sbx.pc: include/sbx.pc.in FORCE
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES_PRIVATE@|$(PUB_PKGS)|' $< >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
public-lib: $(PUBLIC_TARGETS)

# ---- man pages (scdoc sources in man/) and shell completions ----
# sbx-profile(5) and the completions' entitlement keys come from the key table itself
# (userspace/lib/profile/keys.c) through man/sbx-keys.c, so they cannot drift from it.
MAN_SRCS := $(wildcard man/*.scd)
MAN_PAGES := $(patsubst man/%.scd,$(O)/man/%,$(MAN_SRCS))
MAN_SUBST = sed -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	-e 's|@VERSION@|$(VERSION)|g' -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'
$(O)/man/sbx-keys: man/sbx-keys.c userspace/lib/profile/keys.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<
$(O)/man/keys.scd: $(O)/man/sbx-keys
	$< scdoc >$@
$(O)/man/%: man/%.scd $(O)/man/keys.scd $(PATHS_H)
	$(MAN_SUBST) $< | sed -e '/^@KEYS@$$/{r $(O)/man/keys.scd' -e 'd}' >$@.scd
	$(SCDOC) <$@.scd >$@
man: $(MAN_PAGES)

COMPLETIONS := $(O)/completions/sbx.bash $(O)/completions/_sbx
$(O)/completions/%: completions/%.in $(O)/man/sbx-keys $(PATHS_H)
	@mkdir -p $(@D)
	sed -e 's|@PROFILEDIR@|$(DATADIR)/sbx/profiles|g' \
		-e "s|@KEYS@|$$($(O)/man/sbx-keys list | tr '\n' ' ')|g" $< >$@
completions: $(COMPLETIONS)

all: $(PUBLIC_TARGETS) $(MAN_PAGES) $(COMPLETIONS)

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/sbx/profiles $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(DATADIR)/sbx/schemas \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR)/sbx \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 0755 $(O)/sbx $(DESTDIR)$(BINDIR)/sbx
	$(INSTALL) -D -m 0755 $(O)/sbxd $(DESTDIR)$(SBINDIR)/sbxd
	$(INSTALL) -m 0644 profiles/*.yaml $(DESTDIR)$(DATADIR)/sbx/profiles/
	$(INSTALL) -m 0644 profiles/README.md $(DESTDIR)$(DOCDIR)/profiles.md
	@# The JSON Schemas of every --json output and log record (schemas/README.md).
	$(INSTALL) -m 0644 schemas/*.schema.json schemas/README.md $(DESTDIR)$(DATADIR)/sbx/schemas/
	$(INSTALL) -m 0644 userspace/lib/sign/FORMAT.md $(DESTDIR)$(DOCDIR)/signature-format.md
	$(INSTALL) -m 0644 $(O)/lib/libsbx.so.$(VERSION) $(O)/lib/libsbx.a $(DESTDIR)$(LIBDIR)/
	ln -sf libsbx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsbx.so.$(SO_MAJOR)
	ln -sf libsbx.so.$(SO_MAJOR) $(DESTDIR)$(LIBDIR)/libsbx.so
	$(INSTALL) -m 0644 $(O)/lib/sbx.pc $(DESTDIR)$(PKGCONFIGDIR)/sbx.pc
	$(INSTALL) -m 0644 include/sbx/*.h $(DESTDIR)$(INCLUDEDIR)/sbx/
	$(foreach s,1 5 8,$(INSTALL) -m 0644 $(filter %.$(s),$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man$(s)/;)
	$(INSTALL) -m 0644 $(O)/completions/sbx.bash $(DESTDIR)$(BASHCOMPDIR)/sbx
	$(INSTALL) -m 0644 $(O)/completions/_sbx $(DESTDIR)$(ZSHCOMPDIR)/_sbx
	@# sbxd's unit names where sbxd and its documentation are; its example configuration.
	$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|/usr/local/sbin/|$(SBINDIR)/|g' \
		-e 's|^Documentation=file:/usr/local/share/doc/sbx/|Documentation=man:sbxd(8) file:$(DOCDIR)/|' \
		userspace/daemon/sbxd.service >$(DESTDIR)$(SYSTEMDUNITDIR)/sbxd.service
	$(INSTALL) -m 0644 userspace/daemon/README.md $(DESTDIR)$(DOCDIR)/sbxd.md
	$(INSTALL) -D -m 0644 userspace/daemon/sbxd.conf $(DESTDIR)$(DOCDIR)/examples/sbxd.conf
	@# The trust store: anchors are public certificates, but only root may change them.
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/sbx $(DESTDIR)$(SYSCONFDIR)/sbx/trust.d
	@# A library installed for real (not staged) is found at once.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
		ldconfig; fi

# Debian packages (debian/) into $(O)/deb/, built from a copy of the tree because
# dpkg-buildpackage writes beside the source; lintian fails on errors and warnings
# (debian/*.lintian-overrides justify what remains).
DEB_O := $(patsubst $(CURDIR)/%,%,$(abspath $(O)))
deb:
	rm -rf $(O)/deb && mkdir -p $(O)/deb/sbx
	tar -c --exclude-vcs --exclude-vcs-ignores --exclude=./build --exclude=./$(DEB_O) \
		--exclude=./debian/build . | tar -x -C $(O)/deb/sbx
	cd $(O)/deb/sbx && dpkg-buildpackage -us -uc -b -jauto
	rm -rf $(O)/deb/sbx
	lintian --fail-on error,warning --info $(O)/deb/*.changes

# Removes what install put there; the trust store is configuration and stays when it
# holds anchors (rmdir fails quietly on a non-empty directory).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sbx $(DESTDIR)$(SBINDIR)/sbxd \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sbxd.service \
		$(addprefix $(DESTDIR)$(LIBDIR)/,libsbx.so libsbx.so.$(SO_MAJOR) \
			libsbx.so.$(VERSION) libsbx.a) \
		$(DESTDIR)$(PKGCONFIGDIR)/sbx.pc $(DESTDIR)$(BASHCOMPDIR)/sbx \
		$(DESTDIR)$(ZSHCOMPDIR)/_sbx \
		$(foreach p,$(notdir $(MAN_PAGES)),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(p))
	rm -rf $(DESTDIR)$(DATADIR)/sbx $(DESTDIR)$(DOCDIR) $(DESTDIR)$(INCLUDEDIR)/sbx
	-rmdir $(DESTDIR)$(SYSCONFDIR)/sbx/trust.d $(DESTDIR)$(SYSCONFDIR)/sbx 2>/dev/null

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' -type f 2>/dev/null)
