# SPDX-License-Identifier: GPL-2.0-or-later
# B4 seccomp cost: nanoseconds per hot system call (bench/syscost.c: the fastest loop of
# 1000 calls in one process) bare, under sbx run's filter (default profile: Landlock too; minimal
# profile: seccomp, MDWE, no_new_privs only), and under syscost's own one-instruction
# "allow everything" filter with and without SECCOMP_FILTER_FLAG_SPEC_ALLOW and under
# MDWE alone, which splits the cost between the filter's program, having a filter at all
# (the entry slow path), the speculative store bypass mitigation seccomp turns on, and
# MDWE. ROUNDS processes per row, round-robin. Then the filter's size in instructions,
# read back from a running sandbox with PTRACE_SECCOMP_GET_FILTER (root only).
#   sourced by bench/run.sh (see bench/lib.sh for the environment)
G="B4 seccomp cost"
sc=$O/bench/syscost
app=$SRC/bench/profiles/app-sandbox.yaml
min=$SRC/bench/profiles/minimal.yaml
calls="getppid:1000000 fstat:600000 mmap:100000 open:100000"
variants="bare allow allow_spec mdwe sbx_minimal sbx_app"

variant_cmd() { # VARIANT -> the command before CALL N
	case $1 in
	bare) echo "$sc" ;;
	allow) echo "$sc --filter allow" ;;
	allow_spec) echo "$sc --filter allow-spec" ;;
	mdwe) echo "$sc --mdwe" ;;
	sbx_minimal) echo "$O/sbx run --allow-root --profile $min -- $sc" ;;
	sbx_app) echo "$O/sbx run --allow-root --profile $app -- $sc" ;;
	esac
}

for c in $calls; do
	for v in $variants; do : >"$BENCH_WORK/b4.${c%%:*}.$v"; done
done
for r in $(seq "$ROUNDS"); do
	for c in $calls; do
		call=${c%%:*}
		for v in $variants; do
			# Only getppid is measured under every variant; the other calls bare and
			# under sbx.
			case $call:$v in getppid:* | *:bare | *:sbx_*) ;; *) continue ;; esac
			# shellcheck disable=SC2046
			$(variant_cmd $v) "$call" "${c#*:}" 2>/dev/null </dev/null \
				>>"$BENCH_WORK/b4.$call.$v" ||
				echo "bench: syscost $call under $v failed" >&2
		done
	done
done
label_of() {
	case $1 in
	bare) echo "bare" ;;
	allow) echo "one-instruction allow filter" ;;
	allow_spec) echo "allow filter + SPEC_ALLOW" ;;
	mdwe) echo "MDWE only" ;;
	sbx_minimal) echo "sbx run, minimal profile" ;;
	sbx_app) echo "sbx run, app-sandbox profile" ;;
	esac
}
for c in $calls; do
	call=${c%%:*}
	for v in $variants; do
		[ -s "$BENCH_WORK/b4.$call.$v" ] || continue
		ref=B4.$call.bare
		[ "$v" = bare ] && ref=
		row "B4.$call.$v" "$G" "$call: $(label_of $v)" ns "$BENCH_WORK/b4.$call.$v" $ref
	done
done
goal "getppid under sbx run (app-sandbox) / bare" B4.getppid.sbx_app B4.getppid.bare "<=" 1.05

# The filter's size: ptrace needs root (CAP_SYS_PTRACE over a non-dumpable process).
filter_size() { # PROFILE -> instructions in the filter sbx run installs with it
	"$O/sbx" run --allow-root --profile "$1" -- "$sc" pause </dev/null >/dev/null 2>&1 &
	sbx_pid=$!
	child=
	for _ in $(seq 50); do
		child=$(pgrep -P "$sbx_pid" 2>/dev/null | head -n 1)
		[ -n "$child" ] && grep -q '^Seccomp:.*2' "/proc/$child/status" 2>/dev/null && break
		child=
		sleep 0.1
	done
	[ -n "$child" ] && "$sc" filter-size "$child"
	[ -n "$child" ] && kill -KILL "$child" 2>/dev/null
	wait "$sbx_pid" 2>/dev/null
}
for p in app-sandbox minimal; do
	if [ "$(id -u)" != 0 ]; then
		missing_row "B4.filter_insns.$p" "$G" "filter size, $p profile" \
			"needs root (PTRACE_SECCOMP_GET_FILTER)"
		continue
	fi
	n=$(filter_size "$SRC/bench/profiles/$p.yaml")
	if [ -n "$n" ]; then
		value_row "B4.filter_insns.$p" "$G" "filter size, $p profile" insns "${n%% *}" \
			"classic BPF instructions in ${n#* } filters, read back from the running sandbox"
	else
		missing_row "B4.filter_insns.$p" "$G" "filter size, $p profile" \
			"could not read the filter back"
	fi
done
