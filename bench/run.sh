#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: install the tools when missing (as root), run the benches, print one table,
# write bench/results/latest.json, latest.md and latest.png (generated, not committed).
#   bench/run.sh BUILD_DIR [GROUP...]     GROUP: B1 B2 B3 B4 B5 B6 B7 (default: all)
# Environment: SBX_BENCH_ROUNDS (default 5), SBX_BENCH_B1_ROUNDS (10), SBX_BENCH_RUNS (B1
# runs per round, 30), SBX_BENCH_HEAVY_RUNS (B5, 4), SBX_BENCH_OUT (bench/results).
set -u
O=$(cd "${1:?usage: bench/run.sh BUILD_DIR [GROUP...]}" && pwd)
shift
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SBX_BENCH_OUT:-$SRC/bench/results}
groups=${*:-B1 B2 B3 B4 B5 B6 B7}

# Debian packages: hyperfine, bubblewrap and firejail are compared against, gnuplot draws.
need=""
for p in hyperfine:hyperfine bwrap:bubblewrap firejail:firejail gnuplot:gnuplot-nox jq:jq; do
	command -v "${p%%:*}" >/dev/null 2>&1 || need="$need ${p#*:}"
done
if [ -n "$need" ] && [ "$(id -u)" = 0 ]; then
	echo "bench: installing$need" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need \
		>/dev/null || echo "bench: could not install$need" >&2
elif [ -n "$need" ]; then
	echo "bench: missing$need (not root: not installing; their rows say so)" >&2
fi
for t in hyperfine jq; do
	command -v $t >/dev/null 2>&1 || {
		echo "bench: $t is needed (apt-get install $t)" >&2
		exit 1
	}
done

BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
trap 'rm -rf "$BENCH_WORK"' EXIT INT TERM
BENCH_ROWS=$BENCH_WORK/rows.tsv
BENCH_GOALS=$BENCH_WORK/goals.tsv
: >"$BENCH_ROWS"
: >"$BENCH_GOALS"
export O SRC BENCH_WORK BENCH_ROWS BENCH_GOALS
. "$SRC/bench/lib.sh"

load_before=$(cut -d ' ' -f 1 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for g in $groups; do
	case $g in
	B1) b=launch ;;
	B2 | B6) b=sbxd ;;
	B3) b=verify ;;
	B4) b=seccomp ;;
	B5) b=landlock ;;
	B7)
		# bench/supervise.bench.sh (the supervise engineer's) is a program, not sourced.
		echo "bench: B7 (supervise.bench.sh)..." >&2
		out=$(sh "$SRC/bench/supervise.bench.sh" "$O" 2>&1 | tail -n 1)
		printf 'B7.call\tB7 supervised call\tchmod carried out by the supervisor\t-\t-\t-\t-\t0\t-\t-\t%s\t-\n' \
			"${out:-no figure: supervise.bench.sh printed none}" >>"$BENCH_ROWS"
		continue
		;;
	*)
		echo "bench: unknown group $g (B1 to B7)" >&2
		exit 2
		;;
	esac
	case " ${done_benches:-} " in *" $b "*) continue ;; esac
	done_benches="${done_benches:-} $b"
	echo "bench: $g ($b.bench.sh)..." >&2
	. "$SRC/bench/$b.bench.sh"
done
load_after=$(cut -d ' ' -f 1 /proc/loadavg)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
machine="$cpu, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' \
	/proc/meminfo)"
kernel=$(uname -r)
commit=$(git -C "$SRC" describe --always --dirty 2>/dev/null || echo unknown)

# ---- the table ----
awk -F '\t' -v started="$started" -v machine="$machine" -v kernel="$kernel" \
	-v load="$load_before -> $load_after" -v rounds="$ROUNDS" -v commit="$commit" '
function num(v, unit) {
	if (v == "-") return "-"
	return unit == "ms" ? sprintf("%.3f", v) : unit == "ns" ? sprintf("%.1f", v) : v
}
BEGIN {
	printf "sbx bench %s, %s\n%s; kernel %s; load average %s; %s rounds\n", commit,
		started, machine, kernel, load, rounds
}
FILENAME == ARGV[1] {
	if ($2 != group) {
		group = $2
		printf "\n%-48s %5s %10s %10s %10s %5s  %s\n", group, "unit", "median", "min",
			"max", "n", "ratio of medians (of mins)"
	}
	lab[$1] = $3
	ratio = $9 == "-" ? "" : sprintf("%sx (%sx) %s", $9, $12, lab[$10])
	if ($8 == 0)
		printf "  %-46s  %s\n", $3, $11
	else
		printf "  %-46s %5s %10s %10s %10s %5s  %s\n", $3, $4, num($5, $4), num($6, $4),
			num($7, $4), $8, ratio
	next
}
{
	if (!goals++)
		printf "\nGoals (ratio of medians, this run; of minimums in brackets)\n"
	printf "  %-48s %8s  %s %-5s %-13s (%s)\n", $1, $2, $3, $4, $5, $6
}' "$BENCH_ROWS" "$BENCH_GOALS"

# ---- latest.json ----
mkdir -p "$OUT"
awk -F '\t' -v started="$started" -v machine="$machine" -v kernel="$kernel" \
	-v lb="$load_before" -v la="$load_after" -v rounds="$ROUNDS" -v commit="$commit" '
function s(v) { gsub(/\\/, "\\\\", v); gsub(/"/, "\\\"", v); return "\"" v "\"" }
function n(v) { return v == "-" ? "null" : v }
BEGIN {
	printf "{\n  \"date\": %s,\n  \"commit\": %s,\n", s(started), s(commit)
	printf "  \"machine\": %s,\n  \"kernel\": %s,\n", s(machine), s(kernel)
	printf "  \"load_average\": { \"before\": %s, \"after\": %s },\n", lb, la
	printf "  \"rounds\": %s,\n  \"rows\": [", rounds
}
FILENAME == ARGV[1] {
	printf "%s\n    { \"id\": %s, \"group\": %s, \"label\": %s, \"unit\": %s, ", \
		(NR > 1 ? "," : ""), s($1), s($2), s($3), $4 == "-" ? "null" : s($4)
	printf "\"median\": %s, \"min\": %s, \"max\": %s, \"n\": %s, ", n($5), n($6), n($7), $8
	printf "\"ratio\": %s, \"ratio_of_mins\": %s, \"ratio_to\": %s, \"note\": %s }", \
		n($9), n($12), $10 == "-" ? "null" : s($10), $11 == "-" ? "null" : s($11)
	next
}
{
	printf "%s\n    { \"goal\": %s, \"value\": %s, \"value_of_mins\": %s, \"op\": %s, " \
		"\"target\": %s, \"verdict\": %s }", (goals++ ? "," : "\n  ],\n  \"goals\": ["), \
		s($1), n($2), n($6), s($3), $4, s($5)
}
END { printf "%s\n  ]\n}\n", goals ? "" : "\n  ],\n  \"goals\": [" }
' "$BENCH_ROWS" "$BENCH_GOALS" >"$OUT/latest.json.tmp" && mv "$OUT/latest.json.tmp" "$OUT/latest.json"
jq empty "$OUT/latest.json" || echo "bench: latest.json is not valid JSON" >&2

# ---- latest.md: the same rows as Markdown, for bench/README.md's figures ----
jq -r '
def f: if . == null then "–" elif . >= 100 then (. * 10 | round / 10 | tostring)
	elif . >= 1 then (. * 1000 | round / 1000 | tostring) else (. * 10000 | round / 10000 | tostring) end;
"\(.date), \(.machine), kernel \(.kernel), load average \(.load_average.before) → \(.load_average.after), commit \(.commit)\n",
"| row | unit | median | min | max | n | ratio of medians (of mins) |", "|---|---|---|---|---|---|---|",
(.rows | group_by(.group) | sort_by(.[0].id) | .[] | ("| **\(.[0].group)** | | | | | | |",
	(.[] | "| \(.label) | \(.unit // "") | \(.median | f) | \(.min | f) | \(.max | f) | \(.n) | \(if .ratio then "\(.ratio)× (\(.ratio_of_mins)×)" else (.note // "") end) |"))),
"", "| goal | this run (mins) | target | verdict |", "|---|---|---|---|",
(.goals[] | "| \(.goal) | \(.value | f) (\(.value_of_mins | f)) | \(.op) \(.target) | \(.verdict) |")
' "$OUT/latest.json" >"$OUT/latest.md" || echo "bench: could not write latest.md" >&2

# ---- latest.png: every row with a ratio, on a log scale, with its min..max ----
awk -F '\t' '$9 != "-" && $5 > 0 {
	ref = $5 / $9
	gsub(/"/, "", $3)
	split($1, id, ".")
	printf "\"%s %s\"\t%s\t%s\t%s\n", id[1], $3, $9, $6 / ref, $7 / ref
}' "$BENCH_ROWS" >"$BENCH_WORK/chart.dat"
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench: gnuplot not installed: no chart" >&2
elif [ -s "$BENCH_WORK/chart.dat" ]; then
	gnuplot -e "data='$BENCH_WORK/chart.dat'; out='$OUT/latest.png'" \
		-e "title='sbx bench $started - $kernel - $(nproc) cores, shared load $load_before'" \
		"$SRC/bench/chart.gp" && echo "bench: wrote $OUT/latest.json and $OUT/latest.png" >&2
fi
