#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sbx run's cost at start-up: `sbx run -- /bin/true` against a bare exec of /bin/true (and
# bwrap / firejail when installed), as ratios measured in this one run. Each is the median
# of the per-round means of N runs, so one slow round does not decide it. Then the cost of
# an allowed system call inside the sandbox against outside it: the filter's rules are
# number-only where they can be, so the kernel's constant-action cache answers getppid.
#   bench/run.bench.sh BUILD_DIR [N]
set -eu
O=$(cd "${1:?usage: run.bench.sh BUILD_DIR [N]}" && pwd)
N=${2:-200}
ROUNDS=5
here=$(cd "$(dirname "$0")/.." && pwd)
export SBX_PROFILE_PATH="$here/profiles"
work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

now_ns() { date +%s%N; }

# mean_us CMD...: the median over ROUNDS of the mean time of N runs, in microseconds.
mean_us() {
	: >"$work/rounds"
	r=0
	while [ $r -lt $ROUNDS ]; do
		i=0
		t0=$(now_ns)
		while [ $i -lt "$N" ]; do
			"$@" >/dev/null 2>&1 </dev/null || {
				echo "bench: '$*' failed" >&2
				return 1
			}
			i=$((i + 1))
		done
		t1=$(now_ns)
		echo $(((t1 - t0) / N / 1000)) >>"$work/rounds"
		r=$((r + 1))
	done
	sort -n "$work/rounds" | sed -n "$(((ROUNDS + 1) / 2))p"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

bare=$(mean_us /bin/true)
sbx_default=$(mean_us "$O/sbx" run -- /bin/true)
echo "sbx run -- /bin/true (default profile): $(ratio "$sbx_default" "$bare")x bare exec" \
	"(${sbx_default} us vs ${bare} us, median of $ROUNDS rounds of $N)"
if command -v bwrap >/dev/null 2>&1; then
	bw=$(mean_us bwrap --ro-bind / / /bin/true) &&
		echo "bwrap --ro-bind / / /bin/true: $(ratio "$bw" "$bare")x bare exec;" \
			"sbx run is $(ratio "$sbx_default" "$bw")x bwrap"
else
	echo "bwrap: not installed, not compared"
fi
probe="$O/tests/sandbox/bin/run_probe"
if [ -x "$probe" ]; then
	calls=2000000
	per_call() { "$@" syscalls $calls 2>/dev/null | sed -n 's/ ns per getppid$//p'; }
	# The median of ROUNDS measurements of each.
	med() { sort -n | sed -n "$(((ROUNDS + 1) / 2))p"; }
	bare_call=$(for r in $(seq $ROUNDS); do per_call "$probe"; done | med)
	sbx_call=$(for r in $(seq $ROUNDS); do per_call "$O/sbx" run -- "$probe"; done | med)
	echo "an allowed system call (getppid) under sbx run: $(ratio "$sbx_call" "$bare_call")x" \
		"outside (${sbx_call} ns vs ${bare_call} ns, median of $ROUNDS runs of $calls)"
else
	echo "allowed-call cost: $probe not built (make tests), not measured"
fi
if command -v firejail >/dev/null 2>&1; then
	fj=$(mean_us firejail --quiet --noprofile /bin/true) &&
		echo "firejail --noprofile /bin/true: $(ratio "$fj" "$bare")x bare exec;" \
			"sbx run is $(ratio "$sbx_default" "$fj")x firejail"
else
	echo "firejail: not installed, not compared"
fi
