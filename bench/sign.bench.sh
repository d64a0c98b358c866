#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Verification speed: `sbx verify` on a large signed file against `openssl dgst -sha256`
# on the same bytes, cold-ish (the file is evicted from the page cache before each run
# with dd iflag=nocache) and hot, alternating the two tools, median of ROUNDS. Prints the
# throughputs and their ratios (target >= 0.9 cold-ish): the content hash dominates
# verification, so sbx must hash about as fast as OpenSSL's own command. Cold numbers
# depend on the disk and on whatever else is reading it: compare ratios from one run.
#   bench/sign.bench.sh BUILD_DIR [MiB]
set -eu
O=$(cd "${1:?usage: sign.bench.sh BUILD_DIR [MiB]}" && pwd)
MIB=${2:-512}
ROUNDS=7
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

sh "$here/tests/unit/data/sign/mkca.sh" "$work/ca" >/dev/null
mkdir "$work/trust"
cp "$work/ca/root.pem" "$work/trust/"
head -c $((MIB * 1048576)) /dev/urandom >"$work/big"
"$O/sbx" sign --embedded --key "$work/ca/leaf.key" --cert "$work/ca/leaf.pem" \
	--chain "$work/ca/chain.pem" "$work/big" >/dev/null
"$O/sbx" verify --trust "$work/trust" "$work/big" >/dev/null

now_ns() { date +%s%N; }
evict() { dd if="$work/big" iflag=nocache count=0 status=none 2>/dev/null || true; }

# run_ns cold|hot CMD...: nanoseconds one run of CMD takes.
run_ns() {
	[ "$1" = cold ] && evict
	shift
	t0=$(now_ns)
	"$@" >/dev/null
	t1=$(now_ns)
	echo $((t1 - t0))
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for mode in cold hot; do
	: >"$work/sbx.ns"
	: >"$work/openssl.ns"
	r=0
	while [ $r -lt $ROUNDS ]; do
		run_ns $mode "$O/sbx" verify --trust "$work/trust" "$work/big" >>"$work/sbx.ns"
		run_ns $mode openssl dgst -sha256 "$work/big" >>"$work/openssl.ns"
		r=$((r + 1))
	done
	awk -v mib="$MIB" -v mode=$mode -v s="$(median "$work/sbx.ns")" \
		-v o="$(median "$work/openssl.ns")" -v n=$ROUNDS 'BEGIN {
		label = mode == "cold" ? "cold-ish" : "hot"
		printf "%-9s openssl dgst -sha256 %5.0f MiB/s, sbx verify %5.0f MiB/s (%d MiB, median of %d)\n",
			label, mib / (o / 1e9), mib / (s / 1e9), mib, n
		printf "%-9s ratio sbx/openssl: %.2f%s\n", label, o / s,
			mode == "cold" ? " (target >= 0.90)" : ""
	}'
done
