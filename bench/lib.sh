# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by bench/*.bench.sh (sourced; bench/run.sh sets the environment):
#   O            the build directory (absolute)
#   SRC          the source tree
#   BENCH_WORK   a private scratch directory, removed by run.sh
#   BENCH_ROWS   where rows go, one per line, tab-separated:
#                id group label unit median min max n ratio ref note ratio_min
#   BENCH_GOALS  where goals go: text value op target verdict
#   ROUNDS       rounds per row (default 5); rows of one group are measured
#                round-robin, so a burst of load from elsewhere hits all of them alike
# A row's ratio is its median over the median of its reference row, both measured in this
# run. Nothing here compares a time with a constant.

ROUNDS=${SBX_BENCH_ROUNDS:-5}
SBX_PROFILE_PATH="$SRC/profiles"
export SBX_PROFILE_PATH

# stats FILE: "median min max n" of the numbers in FILE, one per line.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 }
	END {
		if (NR == 0) { print "- - - 0"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.6g %.6g %.6g %d\n", m, v[1], v[NR], NR
	}'
}

# median_of ID, min_of ID: the median (the minimum) a row recorded, or nothing.
median_of() {
	awk -F '\t' -v id="$1" '$1 == id && $5 != "-" { print $5 }' "$BENCH_ROWS" | tail -n 1
}
min_of() {
	awk -F '\t' -v id="$1" '$1 == id && $6 != "-" { print $6 }' "$BENCH_ROWS" | tail -n 1
}

# row ID GROUP LABEL UNIT FILE [REF_ID [NOTE]]: a measured row from the numbers in FILE.
row() {
	# shellcheck disable=SC2046
	set -- "$1" "$2" "$3" "$4" "${6:-}" "${7:-}" $(stats "$5")
	_ratio=-
	_ratio_min=-
	_ref=$(median_of "$5")
	_ref_min=$(min_of "$5")
	if [ -n "$5" ] && [ -n "$_ref" ] && [ "$7" != - ]; then
		_ratio=$(awk -v a="$7" -v b="$_ref" 'BEGIN { printf "%.3g", (b > 0 ? a / b : 0) }')
		_ratio_min=$(awk -v a="$8" -v b="$_ref_min" \
			'BEGIN { printf "%.3g", (b > 0 ? a / b : 0) }')
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$7" \
		"$8" "$9" "${10}" "$_ratio" "${5:--}" "${6:--}" "$_ratio_min" >>"$BENCH_ROWS"
}

# value_row ID GROUP LABEL UNIT VALUE NOTE: one number, not a timing (a size, a count).
value_row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t1\t-\t-\t%s\t-\n' "$1" "$2" "$3" "$4" "$5" "$5" "$5" \
		"${6:--}" >>"$BENCH_ROWS"
}

# missing_row ID GROUP LABEL WHY: a row that could not be measured here, and why.
missing_row() {
	printf '%s\t%s\t%s\t-\t-\t-\t-\t0\t-\t-\t%s\t-\n' "$1" "$2" "$3" "$4" >>"$BENCH_ROWS"
	echo "bench: $3: not measured: $4" >&2
}

# goal TEXT NUM_ID DEN_ID OP TARGET: median(NUM) / median(DEN) OP TARGET, met or missed;
# the same ratio of the two rows' minimums rides along (the least disturbed runs).
goal() {
	_num=$(median_of "$2")
	_den=$(median_of "$3")
	if [ -z "$_num" ] || [ -z "$_den" ]; then
		printf '%s\t-\t%s\t%s\tnot measured\t-\n' "$1" "$4" "$5" >>"$BENCH_GOALS"
		return
	fi
	awk -v t="$1" -v a="$_num" -v b="$_den" -v op="$4" -v target="$5" \
		-v am="$(min_of "$2")" -v bm="$(min_of "$3")" 'BEGIN {
		v = a / b
		ok = op == "<=" ? v <= target : v >= target
		printf "%s\t%.3g\t%s\t%s\t%s\t%.3g\n", t, v, op, target, ok ? "met" : "MISSED",
			(bm > 0 ? am / bm : 0)
	}' >>"$BENCH_GOALS"
}

# hyperfine_rounds RUNS LIST: LIST is a file of "ID COMMAND..." lines. ROUNDS rounds of
# hyperfine -N (no shell: the command is split at spaces) over every command in turn, RUNS
# runs each after a warm-up; each run's time in milliseconds goes to $BENCH_WORK/ID.ms. A
# command that fails is reported and left out of the later rounds, its file emptied.
hyperfine_rounds() {
	_runs=$1
	_list=$2
	while read -r _id _cmd; do
		: >"$BENCH_WORK/$_id.ms"
		rm -f "$BENCH_WORK/$_id.failed"
	done <"$_list"
	for _r in $(seq "$ROUNDS"); do
		while read -r _id _cmd; do
			[ -e "$BENCH_WORK/$_id.failed" ] && continue
			if hyperfine -N -w 3 -r "$_runs" --export-json "$BENCH_WORK/h.json" "$_cmd" \
				</dev/null >/dev/null 2>"$BENCH_WORK/h.err"; then
				jq -r '.results[0].times[] * 1000' "$BENCH_WORK/h.json" >>"$BENCH_WORK/$_id.ms"
			else
				echo "bench: '$_cmd' failed (round $_r): $(grep -v '^$' "$BENCH_WORK/h.err" |
					tail -n 1)" >&2
				: >"$BENCH_WORK/$_id.failed"
				: >"$BENCH_WORK/$_id.ms"
			fi
		done <"$_list"
	done
}

# have TOOL: true if TOOL is on PATH.
have() { command -v "$1" >/dev/null 2>&1; }
