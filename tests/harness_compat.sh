#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every suite must compile unchanged against the kernel's own kselftest_harness.h. Fetch
# the newest Debian linux-source package (private apt configuration, cached under
# ~/.cache/sbx/kselftest), take the two harness headers from it, and compile each test
# program with them ahead of tests/lib on the include path.
#   harness_compat.sh BUILD_DIR
set -u
O=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
counts=${SBX_COUNTS:-/dev/null}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/sbx/kselftest
apt="$here/vm/apt-private.sh"

# In CI (CI=true) the headers must be fetched: a SKIP there would hide the suite, as in
# tests/vm/run.sh.
skip() {
	echo "TAP version 13"
	echo "1..1"
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 harness-compat # required in CI: $1"
		echo "0 1 0" >>"$counts"
	else
		echo "ok 1 harness-compat # SKIP $1"
		echo "0 0 1" >>"$counts"
	fi
	exit 0
}

fetch_headers() {
	"$apt" sid update 2>/dev/null || return 1
	pkg=$("$apt" sid cache depends linux-source 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-source-[0-9.]*\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || return 1
	if [ -f "$cache/$pkg/kselftest_harness.h" ]; then
		echo "$cache/$pkg"
		return 0
	fi
	work=$(mktemp -d)
	(cd "$work" && "$apt" sid get -qq download "$pkg" >/dev/null 2>&1) || {
		rm -rf "$work"
		return 1
	}
	mkdir -p "$cache/$pkg"
	dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x --wildcards '*.tar.xz' -O | xz -dc |
		tar -x -C "$work" --wildcards '*/tools/testing/selftests/kselftest_harness.h' \
			'*/tools/testing/selftests/kselftest.h'
	find "$work" -name 'kselftest*.h' -exec cp {} "$cache/$pkg/" \;
	rm -rf "$work"
	[ -f "$cache/$pkg/kselftest_harness.h" ] && echo "$cache/$pkg"
}

command -v apt-get >/dev/null || skip "apt-get not available to fetch the kernel's headers"
inc=$(fetch_headers) || skip "could not fetch Debian's linux-source package for the kernel's kselftest_harness.h"

set -- $(cd "$src" && ls tests/unit/*.c tests/sandbox/*.c tests/escape/*.c tests/vm/*.c 2>/dev/null)
echo "TAP version 13"
echo "# kernel harness: $inc"
echo "1..$#"
n=0
out=$(mktemp -d)
for t in "$@"; do
	n=$((n + 1))
	# The kernel harness's own headers are found first; tests/lib still serves sbx_test.h.
	if (cd "$src" && gcc -std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$inc" -Itests/lib \
		-Ikernel -Iuserspace/lib -I"$O/bpf" $(pkg-config --cflags libbpf 2>/dev/null) \
		-c "$t" -o "$out/t.o") >"$out/log" 2>&1; then
		echo "ok $n harness-compat: $t"
		echo "1 0 0" >>"$counts"
	else
		sed 's/^/# /' "$out/log" | head -n 20
		echo "not ok $n harness-compat: $t"
		echo "0 1 0" >>"$counts"
	fi
done
rm -rf "$out"
