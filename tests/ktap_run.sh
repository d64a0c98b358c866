#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run one suite's test programs, kselftest-runner style: each program's KTAP output is
# nested under "# ", followed by "ok N selftests: SUITE: PROG". The per-case results
# (pass fail skip xfail) are appended to $SBX_COUNTS for the final summary line. POSIX sh and
# busybox: the same script runs on the host and inside the VM kernels.
#   ktap_run.sh SUITE PROG...
suite=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${SBX_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' "$here/settings" 2>/dev/null)}
timeout_s=${timeout_s:-300}
# The guests stretch every hang guard (kselftest_harness.h): a program's too, unless set.
[ -z "${SBX_TEST_TIMEOUT:-}" ] && [ "${SBX_TEST_TIMEOUT_SCALE:-1}" -gt 1 ] 2>/dev/null &&
	timeout_s=$((timeout_s * SBX_TEST_TIMEOUT_SCALE))
counts=${SBX_COUNTS:-/dev/null}
out=$(mktemp "${TMPDIR:-/tmp}/sbx-ktap.XXXXXX")
n=0
echo "TAP version 13"
echo "1..$#"
for prog in "$@"; do
	n=$((n + 1))
	name=$(basename "$prog")
	echo "# selftests: $suite: $name"
	start=$(date +%s)
	if [ -x "$prog" ]; then
		timeout "$timeout_s" "$prog" >"$out" 2>&1 </dev/null
		rc=$?
	else
		echo "$prog: not built" >"$out"
		rc=127
	fi
	sed 's/^/# /' "$out"
	# Wall time, for finding what makes a suite slow (never asserted: make bench measures).
	echo "# $name: $(($(date +%s) - start)) s"
	res=$(awk '/^(not )?ok [0-9]+ / {
			if ($1 == "not") f++; else if ($0 ~ /# SKIP/) s++; else if ($0 ~ /# XFAIL/) x++; else p++
		} END { print p + 0, f + 0, s + 0, x + 0 }' "$out")
	read -r pass fail skip xfail <<EOF
$res
EOF
	# A program that died, timed out or exited non-zero without a failing case is itself
	# a failure: a crash must never read as a pass.
	if [ "$rc" = 4 ] && [ $((pass + fail + skip + xfail)) = 0 ]; then
		skip=1
	elif [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
		fail=1
		[ "$rc" = 124 ] && echo "# $name: timed out after ${timeout_s}s"
	fi
	echo "$pass $fail $skip $xfail" >>"$counts"
	if [ "$fail" = 0 ]; then
		echo "ok $n selftests: $suite: $name"
	else
		echo "not ok $n selftests: $suite: $name # exit=$rc"
	fi
done
rm -f "$out"
