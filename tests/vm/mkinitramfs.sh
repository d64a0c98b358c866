#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the test initramfs: busybox-static, util-linux setpriv, sbx and the guest suites
# (vm, escape) with their helpers, the data they read, and every shared library they need.
#   mkinitramfs.sh BUILD_DIR OUTPUT.cpio
set -eu
GUEST_SANDBOX="landlock_apply seccomp_filter run_launch memfd_seal supervisor programs_real supervise_metadata supervise_unix supervise_procs run_explain run_holes"
# Real programs the shipped profiles are proved with on every kernel (programs_real).
# ffmpeg and ImageMagick stay on the host: their libraries would triple the image; their
# tests SKIP in the guest, naming the missing program.
GUEST_PROGRAMS="/usr/bin/jq /usr/bin/gzip /usr/bin/xz /usr/bin/git /usr/bin/ssh
/usr/bin/ssh-keygen /usr/bin/pdftoppm /usr/bin/curl /usr/bin/wget /usr/bin/python3
/usr/bin/openssl"
O=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root" # it becomes /: every uid must traverse it

mkdir -p "$root/bin" "$root/usr/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/run" "$root/root" "$root/sbx/build/tests" "$root/sbx/src/tests"
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$here/init" "$root/init"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Executables: sbx, the guest suites and their helpers, util-linux setpriv.
elfs=""
add() { # SRC DEST
	mkdir -p "$(dirname "$root/$2")"
	cp -a "$1" "$root/$2"
	elfs="$elfs $root/$2"
}
add "$O/sbx" sbx/build/sbx
[ -x "$O/sbxd" ] && add "$O/sbxd" sbx/build/sbxd
for suite in vm escape; do
	[ -d "$O/tests/$suite" ] || continue
	for f in $(cd "$O/tests" && find "$suite" -type f -perm -u+x); do
		add "$O/tests/$f" "sbx/build/tests/$f"
	done
done
# The sandbox suites that prove per-kernel behaviour (the Landlock ABI ladder, seccomp,
# the launcher, memfd sealing) and need nothing but busybox; the rest need real programs
# (curl, ffmpeg, openssl...) that only the host has.
for t in $GUEST_SANDBOX; do
	[ -x "$O/tests/sandbox/$t" ] && add "$O/tests/sandbox/$t" "sbx/build/tests/sandbox/$t"
done
for f in "$O"/tests/sandbox/bin/*; do
	[ -x "$f" ] && add "$f" "sbx/build/tests/sandbox/bin/$(basename "$f")"
done
add "$(command -v setpriv)" usr/bin/setpriv
for p in $GUEST_PROGRAMS; do
	[ -x "$p" ] && add "$(readlink -f "$p")" "${p#/}"
done
# python3's standard library (without its own tests), for the python3 profile and the
# http.server that curl and wget fetch from.
if [ -x /usr/bin/python3 ]; then
	stdlib=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
	mkdir -p "$root$stdlib"
	(cd "$stdlib" && find . -path ./test -prune -o -name __pycache__ -prune -o -print |
		cpio -pdm --quiet "$root$stdlib")
	for so in "$root$stdlib"/lib-dynload/*.so; do elfs="$elfs $so"; done
fi
[ -x /bin/true ] && add /bin/true usr/bin/true

# Data read at run time: the runner scripts, shipped profiles, suite data.
cp "$src/tests/check.sh" "$src/tests/ktap_run.sh" "$src/tests/settings" "$root/sbx/src/tests/"
[ -d "$src/profiles" ] && cp -r "$src/profiles" "$root/sbx/src/profiles"
for suite in vm escape sandbox; do
	[ -d "$src/tests/$suite/data" ] || continue
	mkdir -p "$root/sbx/src/tests/$suite"
	cp -r "$src/tests/$suite/data" "$root/sbx/src/tests/$suite/data"
done
# The sbxd_* vm programs' throwaway PKI (tests/lib/sbx_pki.h), made here once for every
# guest of this run (tests/vm/init: SBX_TEST_PKI_DIR). Made in each program, it cost ~12 s
# of CPU a program in TCG (sbxd_trust, sbxd_lockdown, sbxd_reload on 6.12: 101 s of qemu
# CPU, 64 s with this one). mkca.sh goes too, for a guest where this one was not made.
mkdir -p "$root/sbx/src/tests/unit/data/sign"
cp "$src/tests/unit/data/sign/mkca.sh" "$root/sbx/src/tests/unit/data/sign/"
if command -v openssl >/dev/null &&
	! sh "$src/tests/unit/data/sign/mkca.sh" "$root/sbx/pki" >/dev/null 2>&1; then
	echo "mkinitramfs.sh: the test PKI could not be made: each program makes its own" >&2
	rm -rf "$root/sbx/pki"
fi

# Shared libraries, at the paths the dynamic loader looks for them.
for f in $elfs; do
	ldd "$f" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# usr-merged hosts resolve /lib64 through /usr; keep both spellings working.
[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
[ -e "$root/lib64" ] || ln -s usr/lib64 "$root/lib64"

(cd "$root" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
