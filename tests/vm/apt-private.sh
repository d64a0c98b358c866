#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# apt-get/apt-cache against one Debian suite through a private configuration: its own
# sources list, lists, cache and (empty) status under $SBX_APT_DIR/<suite>. The system's
# apt sources and state are never read or written.
#   apt-private.sh SUITE update
#   apt-private.sh SUITE cache ARGS...     (apt-cache ARGS)
#   apt-private.sh SUITE get ARGS...       (apt-get ARGS, e.g. download NAME)
set -eu
suite=$1 verb=$2
shift 2
root="${SBX_APT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sbx/apt}/$suite"
mirror="${SBX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$root/lists/partial" "$root/cache/archives/partial" "$root/parts"
: >"$root/status"
echo "deb [arch=amd64] $mirror $suite main" >"$root/sources.list"
private() {
	"$@" -o Dir::Etc::SourceList="$root/sources.list" -o Dir::Etc::SourceParts="$root/parts" \
		-o Dir::Etc::PreferencesParts="$root/parts" -o Dir::Etc::Preferences="$root/none" \
		-o Dir::State::Lists="$root/lists" -o Dir::State::Status="$root/status" \
		-o Dir::Cache="$root/cache" -o APT::Architecture=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root
}
case "$verb" in
update) private apt-get -qq update ;;
cache) private apt-cache "$@" ;;
get) private apt-get "$@" ;;
*) echo "apt-private.sh: unknown verb $verb" >&2; exit 2 ;;
esac
