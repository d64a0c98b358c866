# SPDX-License-Identifier: GPL-2.0-or-later
# B1 launch: the wall time of starting /bin/true bare, under sbx run (the default path with
# its signature check, the app-sandbox profile, the minimal profile; the app-sandbox
# profile again with sbx linked against shared libraries as before) and under bubblewrap
# and firejail, hyperfine -N, 10 rounds of 30 runs each, round-robin. Ratios are to
# bare /bin/true. Then the goals: sbx app-sandbox <= 1.5x bare, >= 1.5x faster than
# bwrap --ro-bind / /, >= 20x faster than firejail --noprofile.
#   sourced by bench/run.sh (see bench/lib.sh for the environment)
# Finer round-robin than the other groups: a launch is short and the load moves fast.
RUNS=${SBX_BENCH_RUNS:-30}
b1_saved_rounds=$ROUNDS
ROUNDS=${SBX_BENCH_B1_ROUNDS:-10}
G="B1 launch /bin/true"
list=$BENCH_WORK/b1.list
{
	echo "bare /bin/true"
	echo "sbx_default $O/sbx run --allow-root -- /bin/true"
	echo "sbx_app $O/sbx run --allow-root --profile $SRC/bench/profiles/app-sandbox.yaml -- /bin/true"
	echo "sbx_minimal $O/sbx run --allow-root --profile $SRC/bench/profiles/minimal.yaml -- /bin/true"
	[ -x "$O/bench/sbx-shared" ] && echo "sbx_shared $O/bench/sbx-shared run --allow-root" \
		"--profile $SRC/bench/profiles/app-sandbox.yaml -- /bin/true"
	[ -x "$O/bench/floor" ] && echo "floor $O/bench/floor /bin/true"
	echo "sbx_startup $O/sbx run --allow-root --help"
	[ -x "$O/bench/sbx-shared" ] && echo "sbx_shared_startup $O/bench/sbx-shared run --allow-root --help"
	have bwrap && echo "bwrap_ro bwrap --ro-bind / / /bin/true"
	have bwrap && echo "bwrap_all bwrap --ro-bind / / --unshare-all /bin/true"
	have firejail && echo "firejail_noprofile firejail --quiet --noprofile /bin/true"
	have firejail && echo "firejail_default firejail --quiet /bin/true"
} >"$list"
hyperfine_rounds "$RUNS" "$list"
ROUNDS=$b1_saved_rounds

row B1.bare "$G" "bare /bin/true" ms "$BENCH_WORK/bare.ms"
row B1.sbx_default "$G" "sbx run (default profile, signature checked)" ms \
	"$BENCH_WORK/sbx_default.ms" B1.bare
row B1.sbx_app "$G" "sbx run --profile app-sandbox" ms "$BENCH_WORK/sbx_app.ms" B1.bare
row B1.sbx_minimal "$G" "sbx run --profile minimal (no Landlock)" ms \
	"$BENCH_WORK/sbx_minimal.ms" B1.bare
if [ -s "$BENCH_WORK/sbx_shared.ms" ]; then
	row B1.sbx_shared "$G" "app-sandbox, sbx linked to shared libs" ms \
		"$BENCH_WORK/sbx_shared.ms" B1.bare "the link build/sbx had before (make bench builds it)"
fi
if [ -s "$BENCH_WORK/floor.ms" ]; then
	row B1.floor "$G" "floor: static fork+exec+wait, no sandbox" ms "$BENCH_WORK/floor.ms" \
		B1.bare "bench/floor.c: what any launcher that is a program costs at least"
fi
row B1.sbx_startup "$G" "sbx start-up alone (sbx run --help)" ms "$BENCH_WORK/sbx_startup.ms" \
	B1.bare "exec, loader, relocation, exit: no sandbox, no program"
if [ -s "$BENCH_WORK/sbx_shared_startup.ms" ]; then
	row B1.sbx_shared_startup "$G" "start-up alone, sbx linked to shared libs" ms \
		"$BENCH_WORK/sbx_shared_startup.ms" B1.bare
fi
for t in bwrap_ro:"bwrap --ro-bind / /" bwrap_all:"bwrap --ro-bind / / --unshare-all" \
	firejail_noprofile:"firejail --noprofile" firejail_default:"firejail (default profile)"; do
	id=${t%%:*}
	if [ -s "$BENCH_WORK/$id.ms" ]; then
		row "B1.$id" "$G" "${t#*:}" ms "$BENCH_WORK/$id.ms" B1.bare
	else
		missing_row "B1.$id" "$G" "${t#*:}" \
			"$(if have "${id%%_*}"; then echo "it failed here"; else
				echo "${id%%_*} not installed (make bench as root installs it)"
			fi)"
	fi
done
goal "sbx run app-sandbox / bare /bin/true" B1.sbx_app B1.bare "<=" 1.5
goal "bwrap --ro-bind / / / sbx run app-sandbox" B1.bwrap_ro B1.sbx_app ">=" 1.5
goal "firejail --noprofile / sbx run app-sandbox" B1.firejail_noprofile B1.sbx_app ">=" 20

# Where sbx run's time goes: each phase of `sbx run --timings` (app-sandbox profile) over
# 100 launches. start-up is CPU time from the fork of sbx's parent to main.
GP="B1 phases of sbx run (app-sandbox)"
for i in $(seq "${SBX_BENCH_PHASE_RUNS:-100}"); do
	"$O/sbx" run --allow-root --timings --profile "$SRC/bench/profiles/app-sandbox.yaml" -- /bin/true \
		2>&1 >/dev/null </dev/null | sed -n 's/^sbx: timing: //p'
done >"$BENCH_WORK/phases"
# "NAME   N.NNN ms" -> one file per phase, in the order they first appear.
awk '{ v = $(NF - 1); name = $0; sub(/ +[0-9.]+ ms$/, "", name)
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	gsub(/[^a-z]/, "_", name); print v >> (dir "/phase." name) }
	END { for (i = 1; i <= n; i++) print order[i] }' dir="$BENCH_WORK" "$BENCH_WORK/phases" \
	>"$BENCH_WORK/phase.order"
while read -r name; do
	f=$BENCH_WORK/phase.$(echo "$name" | sed 's/[^a-z]/_/g')
	row "B1.phase.$(echo "$name" | sed 's/[^a-z]/_/g')" "$GP" "$name" ms "$f"
done <"$BENCH_WORK/phase.order"
