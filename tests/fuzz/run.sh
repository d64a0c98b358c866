#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every libFuzzer target for a bounded time on its seed corpus (tests/fuzz/corpus/NAME)
# and report each as a KTAP case. A crash, leak or sanitizer report fails the case and
# leaves the reproducer in $O/tests/fuzz/artifacts/.
#   run.sh BUILD_DIR        SBX_FUZZ_SECONDS (default 20) per target
set -u
O=$1
here=$(cd "$(dirname "$0")" && pwd)
secs=${SBX_FUZZ_SECONDS:-20}
counts=${SBX_COUNTS:-/dev/null}
art="$O/tests/fuzz/artifacts"
mkdir -p "$art"
targets=""
for t in "$O/tests/fuzz"/*; do
	[ -f "$t" ] && [ -x "$t" ] && targets="$targets $t"
done
set -- $targets
echo "TAP version 13"
echo "1..$#"
n=0
for t in "$@"; do
	n=$((n + 1))
	name=$(basename "$t")
	work=$(mktemp -d)
	[ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
	log="$O/tests/fuzz/$name.log"
	"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/$name-" "$work" >"$log" 2>&1
	rc=$?
	rm -rf "$work"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" = 0 ]; then
		echo "ok $n fuzz: $name # ${runs:-?} inputs in ${secs}s"
		echo "1 0 0" >>"$counts"
	else
		tail -n 30 "$log" | sed 's/^/# /'
		echo "not ok $n fuzz: $name # exit=$rc, see $log"
		echo "0 1 0" >>"$counts"
	fi
done
