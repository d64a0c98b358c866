#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages sbx needs to build and test. Idempotent: installs only
# what is missing. Needs root (or sudo) and Debian's own package archive, nothing else.
set -eu
# --if-root: called by `make check`/`make demo`; a non-root user only hears what is missing.
if_root=false
[ "${1:-}" = --if-root ] && if_root=true

BUILD="clang llvm lld libbpf-dev bpftool libseccomp-dev libcap-dev libelf-dev zlib1g-dev
libssl-dev libyaml-dev libplist-dev pkg-config libclang-rt-14-dev make gcc openssl"
# Man pages (scdoc), and what `make check` renders and drives them with; `make deb`.
DOCS="scdoc man-db groff-base bash zsh binutils"
DEB="dpkg-dev debhelper fakeroot lintian"
VM="qemu-system-x86 busybox-static cpio apt-utils"
# The real programs the shipped profiles are proved with (tests/sandbox/programs).
PROGRAMS="curl wget jq git openssh-client xz-utils gzip python3 poppler-utils
imagemagick ffmpeg util-linux iproute2"
# The JSON Schema validator the schema suites check every --json output with.
TESTS="python3-jsonschema"
# README's quick start, typed by tests/sandbox/walkthrough.c: pip into a venv (ensurepip).
WALK="python3-venv"

missing=""
for p in $BUILD $DOCS $DEB $VM $PROGRAMS $TESTS $WALK; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	if $if_root; then
		echo "install-deps: missing packages:$missing (not root: not installing; make deps)" >&2
		exit 0
	elif command -v sudo >/dev/null; then SUDO=sudo; else
		echo "install-deps: missing packages:$missing (run as root: make deps)" >&2
		exit 1
	fi
else
	SUDO=
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
