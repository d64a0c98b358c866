#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every libFuzzer target for a bounded time on its seed corpus (tests/fuzz/corpus/NAME)
# and report each as a KTAP case. A crash, leak or sanitizer report fails the case and
# leaves the reproducer in $O/tests/fuzz/artifacts/.
#   run.sh BUILD_DIR        SBX_FUZZ_SECONDS (default 20) per target,
#                           SBX_FUZZ_JOBS (default: the CPUs) at once
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
jobs=${SBX_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
fuzz_one() { # TARGET: its exit status in $O/tests/fuzz/NAME.rc, its output in NAME.log
	name=$(basename "$1")
	work=$(mktemp -d)
	[ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
	"$1" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/$name-" "$work" >"$O/tests/fuzz/$name.log" 2>&1
	echo $? >"$O/tests/fuzz/$name.rc"
	rm -rf "$work"
}
# Each target is one process: run as many at once as there are CPUs, in batches, and
# report them in name order afterwards.
rm -f "$O/tests/fuzz"/*.rc
i=0
for t in "$@"; do
	fuzz_one "$t" &
	i=$((i + 1))
	[ $((i % jobs)) = 0 ] && wait
done
wait
echo "TAP version 13"
echo "1..$#"
n=0
for t in "$@"; do
	n=$((n + 1))
	name=$(basename "$t")
	log="$O/tests/fuzz/$name.log"
	rc=$(cat "$O/tests/fuzz/$name.rc" 2>/dev/null || echo lost)
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
