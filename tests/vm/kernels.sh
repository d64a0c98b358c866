#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM kernel matrix: Debian cloud kernels, fetched with `apt-get download` through a
# private apt configuration (apt-private.sh) and cached outside the repository in
# $SBX_KERNEL_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/sbx/kernels/<suite>/).
#   kernels.sh list             the suites of the matrix
#   kernels.sh fetch [SUITE…]   resolve, download and unpack; prints "SUITE PATH-TO-vmlinuz"
# A suite that cannot be fetched prints "SUITE -" and the reason on stderr; the caller turns
# that into a loud SKIP. To add a kernel, add its suite to SUITES below (README.md).
# Next to vmlinuz it keeps, uncompressed in modules/, the kernel's own build of the drivers
# the guests need as modules (MODULES: paths under kernel/, without .ko), from the same
# kernel's package (sid ships them in a separate linux-modules-*): the initramfs carries
# them per kernel (run.sh) and tests/vm/init loads them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SUITES=${SBX_VM_SUITES:-"bookworm trixie sid"}
cache=${SBX_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sbx/kernels}
apt="$here/apt-private.sh"
MODULES="drivers/block/loop"

# The package holding vmlinuz: the meta package's image dependency, or, where that image
# package is itself only a shell (sid), its linux-binary-* dependency. Never hard-coded.
resolve_package() {
	suite=$1
	image=$("$apt" "$suite" cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	[ -n "$image" ] || return 1
	modules=$("$apt" "$suite" cache depends "$image" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-modules-[0-9][^ ]*\)$/\1/p' | head -n 1)
	binary=$("$apt" "$suite" cache depends "$image" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-binary-[0-9][^ ]*\)$/\1/p' | head -n 1)
	echo "${binary:-$image} ${modules:-$image}"
}

# The MODULES found under DIR's lib/modules, uncompressed into DEST (a built-in driver
# has no file: nothing to load).
keep_modules() { # DIR DEST
	rm -rf "$2"
	mkdir -p "$2"
	for m in $MODULES; do
		f=$(find "$1" -path "*/kernel/$m.ko*" -type f | head -n 1)
		case $f in
		"") ;;
		*.xz) xz -dc "$f" >"$2/$(basename "$m").ko" ;;
		*.zst) zstd -qdc "$f" >"$2/$(basename "$m").ko" ;;
		*) cp "$f" "$2/$(basename "$m").ko" ;;
		esac
	done
}

# The archive cannot be reached or no longer has the package: a kernel fetched before
# still proves what it proved, so the cached one boots (and says which it is).
use_cache() {
	if [ -f "$cache/$1/vmlinuz" ] && [ -f "$cache/$1/package" ]; then
		echo "kernels.sh: $1: using the cached $(cat "$cache/$1/package")" >&2
		return 0
	fi
	return 1
}

fetch_one() {
	suite=$1
	dir="$cache/$suite"
	mkdir -p "$dir"
	if ! "$apt" "$suite" update 2>"$dir/update.log"; then
		echo "kernels.sh: $suite: apt update failed: $(tail -n 1 "$dir/update.log")" >&2
		use_cache "$suite"
		return
	fi
	pkgs=$(resolve_package "$suite") || {
		echo "kernels.sh: $suite: cannot resolve linux-image-cloud-amd64's kernel package" >&2
		use_cache "$suite"
		return
	}
	set -- $pkgs
	pkg=$1 modpkg=$2
	if [ -f "$dir/package" ] && [ "$(cat "$dir/package")" = "$pkg" ] && [ -f "$dir/vmlinuz" ] &&
		[ -d "$dir/modules" ]; then
		return 0 # cached
	fi
	work=$(mktemp -d)
	[ "$modpkg" = "$pkg" ] && modpkg=
	if ! (cd "$work" && "$apt" "$suite" get -qq download "$pkg" $modpkg >"$dir/download.log" 2>&1); then
		echo "kernels.sh: $suite: apt-get download $pkg $modpkg failed: $(tail -n 1 "$dir/download.log")" >&2
		rm -rf "$work"
		use_cache "$suite"
		return
	fi
	for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
	vmlinuz=$(find "$work/x/boot" "$work/x/usr/lib/modules" -name 'vmlinuz*' -type f 2>/dev/null |
		head -n 1)
	if [ -z "$vmlinuz" ]; then
		echo "kernels.sh: $suite: no vmlinuz in $pkg" >&2
		rm -rf "$work"
		return 1
	fi
	cp "$vmlinuz" "$dir/vmlinuz"
	keep_modules "$work/x" "$dir/modules"
	echo "$pkg" >"$dir/package"
	rm -rf "$work"
}

case "${1:-}" in
list)
	echo "$SUITES"
	;;
fetch)
	shift
	[ $# -gt 0 ] || set -- $SUITES
	for s in "$@"; do
		if fetch_one "$s"; then
			echo "$s $cache/$s/vmlinuz"
		else
			echo "$s -"
		fi
	done
	;;
*)
	echo "usage: kernels.sh list | fetch [SUITE...]" >&2
	exit 2
	;;
esac
