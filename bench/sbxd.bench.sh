# SPDX-License-Identifier: GPL-2.0-or-later
# B2 exec under sbxd enforcement and B6 kernel memory per cached verdict.
#
# Tier K (BPF LSM verdict cache; goal: warm exec <= 1.05x without sbxd) loads only in a
# QEMU guest here: bench/vmbench.c drives the enforcer in one boot (B2 and B6).
#
# Tier F (fanotify exec permission events, on main) runs on the host, the way
# tests/sandbox/sbxd_tierf.c runs it: in a private mount namespace, watching only a private
# tmpfs, under timeout -s KILL (a stalled permission listener on a shared file system
# would freeze the machine). A signed copy of /bin/true on that tmpfs is exec'd in a loop
# (hyperfine -N): without sbxd; warm (its verdict cached); cold (the file rewritten with
# the same bytes before each run, so each exec is verified again). Root only.
#   sourced by bench/run.sh (see bench/lib.sh for the environment)
GK="B2 exec under sbxd tier K (VM)"
G6="B6 verdict cache memory (VM)"
# One boot of Debian trixie's kernel (BPF LSM, map memory accounted in fdinfo) under
# QEMU TCG, as tests/vm/run.sh boots it: the test initramfs with bench/vminit as /init and
# build/bench/vmbench beside sbx. Every figure comes from that one boot.
k_missing() {
	missing_row B2.k_bare "$GK" "exec loop, no enforcer" "$1"
	missing_row B6.1e4 "$G6" "kernel bytes per cached verdict, 10^4" "$1"
	missing_row B6.1e5 "$G6" "kernel bytes per cached verdict, 10^5" "$1"
}
vm=$BENCH_WORK/vm
mkdir -p "$vm/overlay/sbx/build/bench"
vmlinuz=$("$SRC/tests/vm/kernels.sh" fetch trixie 2>/dev/null | awk '{ print $2 }' | tail -n 1)
if [ "$(id -u)" != 0 ] || ! command -v qemu-system-x86_64 >/dev/null || [ ! -x "$O/bench/vmbench" ]; then
	k_missing "needs root, qemu and build/bench/vmbench (make bench)"
elif [ -z "$vmlinuz" ] || [ ! -f "$vmlinuz" ]; then
	k_missing "no trixie kernel (tests/vm/kernels.sh fetch trixie)"
elif ! "$SRC/tests/vm/mkinitramfs.sh" "$O" "$vm/base.cpio" >"$vm/mkinitramfs.log" 2>&1; then
	k_missing "tests/vm/mkinitramfs.sh failed: $(tail -n 1 "$vm/mkinitramfs.log")"
else
	cp "$SRC/bench/vminit" "$vm/overlay/init"
	cp "$O/bench/vmbench" "$vm/overlay/sbx/build/bench/vmbench"
	# A second archive after the first: the kernel unpacks both, the later /init wins.
	(cd "$vm/overlay" && find . | cpio -o -H newc 2>/dev/null) >"$vm/overlay.cpio"
	cat "$vm/base.cpio" "$vm/overlay.cpio" >"$vm/initrd.cpio"
	echo "bench: booting trixie for B2/B6 (QEMU TCG, up to 15 min)..." >&2
	timeout -k 10 900 qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 1 -nographic \
		-no-reboot -kernel "$vmlinuz" -initrd "$vm/initrd.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=4 edd=off rdinit=/init" </dev/null 2>&1 |
		tr -d '\r' >"$vm/console.log"
	for v in bare warm cold; do
		sed -n "s/^b2 $v //p" "$vm/console.log" >"$BENCH_WORK/k_$v.ms"
	done
	if [ -s "$BENCH_WORK/k_bare.ms" ] && [ -s "$BENCH_WORK/k_warm.ms" ]; then
		kernel_vm=$(sed -n 's/^# uname -r: //p' "$vm/console.log" | head -n 1)
		row B2.k_bare "$GK" "exec loop, no enforcer ($kernel_vm)" ms "$BENCH_WORK/k_bare.ms"
		row B2.k_warm "$GK" "tier K warm (verdict cached)" ms "$BENCH_WORK/k_warm.ms" \
			B2.k_bare "complain mode, scope all: a hit is the same map lookup as enforce"
		row B2.k_cold "$GK" "tier K cold (rewritten, hashed, stored, exec)" ms \
			"$BENCH_WORK/k_cold.ms" B2.k_bare \
			"sbxd's miss path without the CMS check; TCG emulates SHA-256 slowly (see B3)"
		for v in k_dyn_bare k_sbxd k_sbxd_dyn; do
			sed -n "s/^b2 $v //p" "$vm/console.log" >"$BENCH_WORK/$v.ms"
		done
		if [ -s "$BENCH_WORK/k_sbxd.ms" ] && [ -s "$BENCH_WORK/k_sbxd_dyn.ms" ]; then
			row B2.k_sbxd "$GK" "sbxd tier K, signed static program (fanotify path)" ms \
				"$BENCH_WORK/k_sbxd.ms" B2.k_bare \
				"the real sbxd, complain, scope all: verified at the first exec, then answered from the BPF map"
			row B2.k_dyn_bare "$GK" "dynamic program (ld.so, libc), no enforcer" ms \
				"$BENCH_WORK/k_dyn_bare.ms"
			row B2.k_sbxd_dyn "$GK" "sbxd tier K, signed dynamic program (fanotify path)" \
				ms "$BENCH_WORK/k_sbxd_dyn.ms" B2.k_dyn_bare \
				"as above, plus its PT_INTERP/DT_NEEDED walk at each exec: one map lookup per library"
		else
			missing_row B2.k_sbxd "$GK" "sbxd tier K, signed static program (fanotify path)" \
				"the guest printed no figures: $(grep vminit "$vm/console.log" | tail -n 1)"
		fi
	else
		missing_row B2.k_bare "$GK" "exec loop, no enforcer" \
			"the guest printed no figures: $(grep -E 'vmbench|sentinel' "$vm/console.log" |
				tail -n 2 | tr '\n' ' ')"
	fi
	for n in 10000 100000; do
		line=$(grep "^b6 $n " "$vm/console.log" | tail -n 1)
		id=B6.$([ $n = 10000 ] && echo 1e4 || echo 1e5)
		if [ -n "$line" ]; then
			# shellcheck disable=SC2086
			set -- $line
			value_row "$id" "$G6" "kernel bytes per cached verdict, $n entries" B \
				"$(awk -v m="$4" -v n="$3" 'BEGIN { printf "%.1f", m / n }')" \
				"fdinfo memlock $4 B over $3 verdicts held (LRU); the library's formula: $5 B"
		else
			missing_row "$id" "$G6" "kernel bytes per cached verdict, $n entries" \
				"the guest printed no figure"
		fi
	done
fi
goal "B2 tier K warm exec / without (VM)" B2.k_warm B2.k_bare "<=" 1.05

GF="B2 exec under sbxd tier F"
b2_runs=${SBX_BENCH_B2_RUNS:-40}
if [ "$(id -u)" != 0 ] || [ ! -x "$O/sbxd" ] || ! command -v unshare >/dev/null; then
	missing_row B2.f_bare "$GF" "signed /bin/true on tmpfs, no sbxd" \
		"needs root, unshare and build/sbxd"
else
	b2=$BENCH_WORK/b2
	mkdir -p "$b2/w" "$b2/trust" "$b2/run"
	[ -d "$BENCH_WORK/ca" ] || sh "$SRC/tests/unit/data/sign/mkca.sh" "$BENCH_WORK/ca" >/dev/null
	"$O/sbx" trust --trust "$b2/trust" add "$BENCH_WORK/ca/root.pem" >/dev/null
	for v in bare warm cold; do : >"$BENCH_WORK/b2_$v.ms"; done
	cat >"$b2/inner.sh" <<'INNER'
set -eu
# In a private mount namespace: nothing mounted here is seen outside.
mount --make-rprivate /
mount -t tmpfs -o mode=0755 sbxd-bench "$b2/w"
cp /bin/true "$b2/w/true.orig"
"$O/sbx" sign --key "$BENCH_WORK/ca/leaf.key" --cert "$BENCH_WORK/ca/leaf.pem" \
	--chain "$BENCH_WORK/ca/chain.pem" --identifier org.sbx.bench.true \
	"$b2/w/true.orig" >/dev/null
cp "$b2/w/true.orig" "$b2/w/true"
b2_times() { jq -r '.results[0].times[] * 1000' "$b2/h.json"; }
for r in $(seq "$ROUNDS"); do
	hyperfine -N -w 3 -r "$b2_runs" --export-json "$b2/h.json" "$b2/w/true" >/dev/null
	b2_times >>"$BENCH_WORK/b2_bare.ms"
	rm -f "$b2/run/sbxd.state"
	timeout -s KILL 300 "$O/sbxd" --config /dev/null --path "$b2/w" --scope all \
		--mode enforce --trust-dir "$b2/trust" --run-dir "$b2/run" \
		>>"$b2/sbxd.out" 2>&1 &
	sbxd=$!
	for _ in $(seq 100); do
		[ -e "$b2/run/sbxd.state" ] && break
		sleep 0.1
	done
	[ -e "$b2/run/sbxd.state" ] || { echo "sbxd did not start" >&2; exit 1; }
	hyperfine -N -w 3 -r "$b2_runs" --export-json "$b2/h.json" "$b2/w/true" >/dev/null
	b2_times >>"$BENCH_WORK/b2_warm.ms"
	hyperfine -N -r "$b2_runs" --prepare "cp $b2/w/true.orig $b2/w/true" \
		--export-json "$b2/h.json" "$b2/w/true" >/dev/null
	b2_times >>"$BENCH_WORK/b2_cold.ms"
	kill -TERM "$sbxd"
	wait "$sbxd" || true
done
INNER
	if ! b2=$b2 b2_runs=$b2_runs ROUNDS=$ROUNDS timeout -s KILL 900 unshare -m sh "$b2/inner.sh" \
		</dev/null 2>"$b2/err"; then
		echo "bench: B2 tier F failed: $(cat "$b2/err" "$b2/sbxd.out" 2>/dev/null | tail -n 3)" >&2
		for v in bare warm cold; do : >"$BENCH_WORK/b2_$v.ms"; done
	fi
	if [ -s "$BENCH_WORK/b2_bare.ms" ] && [ -s "$BENCH_WORK/b2_cold.ms" ]; then
		row B2.f_bare "$GF" "signed /bin/true on tmpfs, no sbxd" ms "$BENCH_WORK/b2_bare.ms"
		row B2.f_warm "$GF" "sbxd tier F, warm (verdict cached)" ms \
			"$BENCH_WORK/b2_warm.ms" B2.f_bare "a fanotify permission round trip per exec"
		row B2.f_cold "$GF" "sbxd tier F, cold (verified each exec)" ms \
			"$BENCH_WORK/b2_cold.ms" B2.f_bare "rewritten (same bytes, untimed) before each run"
	else
		missing_row B2.f_bare "$GF" "signed /bin/true on tmpfs, no sbxd" \
			"failed here: see the bench's stderr"
	fi
fi
goal "B2 tier F warm exec / without sbxd (host)" B2.f_warm B2.f_bare "<=" 1.05
