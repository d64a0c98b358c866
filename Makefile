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

TARGETS := $(O)/libsbx.a $(O)/sbx $(if $(DAEMON_SRCS),$(O)/sbxd)

.PHONY: all tests check demo bench deps install format format-check clean vm-kernels
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TARGETS)

# ---- BPF: vmlinux.h from the running kernel's BTF, CO-RE objects, skeletons ----
$(O)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(O)/vmlinux.h kernel/sbx_abi.h $(wildcard bpf/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
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

$(O)/tests/%: tests/%.c $(O)/libsbx.a tests/lib/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(CFLAGS) -o $@ $< $(O)/libsbx.a $(LDLIBS)

tests: all $(TEST_PROGS) $(TEST_HELPERS) $(FUZZ_PROGS)

# ---- the jobs ----
deps:
	@scripts/install-deps.sh

# check and demo install what is missing first (as root), then re-read this Makefile so
# the pkg-config flags see the new packages.
check:
	@scripts/install-deps.sh --if-root
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory -C tests run_tests O=$(abspath $(O))

demo:
	@scripts/install-deps.sh --if-root
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(abspath $(O))

bench:
	@$(MAKE) --no-print-directory tests
	@bench/run.sh $(abspath $(O))

vm-kernels:
	@tests/vm/kernels.sh fetch

install: all
	install -D -m 0755 $(O)/sbx $(DESTDIR)$(PREFIX)/bin/sbx
	install -d $(DESTDIR)$(PREFIX)/share/sbx/profiles
	install -m 0644 $(wildcard profiles/*.yaml) $(DESTDIR)$(PREFIX)/share/sbx/profiles/

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
