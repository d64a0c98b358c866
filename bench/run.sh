#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: run every bench/*.bench.sh with the build directory as its argument. Each
# prints ratios measured in one run (never absolute times compared to a constant).
set -u
O=$1
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/*.bench.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .bench.sh)"
	sh "$b" "$O" || status=1
done
exit $status
