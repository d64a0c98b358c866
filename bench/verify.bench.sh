# SPDX-License-Identifier: GPL-2.0-or-later
# B3 verification throughput: `sbx verify` of a signed file of 1, 16 and 128 MiB against
# `openssl dgst -sha256` of the same file, page cache warm (what is compared is the work
# on the bytes, not the disk), hyperfine -N, round-robin. The ratio on an sbx row is its
# time over openssl's: the goal is openssl's time / sbx's >= 0.9 at 128 MiB, where the
# content hash is everything and process start-up nothing.
#   sourced by bench/run.sh (see bench/lib.sh for the environment)
G="B3 verify throughput"
ca=$BENCH_WORK/ca
sh "$SRC/tests/unit/data/sign/mkca.sh" "$ca" >/dev/null
mkdir -p "$BENCH_WORK/trust"
cp "$ca/root.pem" "$BENCH_WORK/trust/"
list=$BENCH_WORK/b3.list
: >"$list"
for mib in 1 16 128; do
	f=$BENCH_WORK/big$mib
	head -c $((mib * 1048576)) /dev/urandom >"$f"
	"$O/sbx" sign --embedded --key "$ca/leaf.key" --cert "$ca/leaf.pem" \
		--chain "$ca/chain.pem" "$f" >/dev/null
	if ! "$O/sbx" verify --trust "$BENCH_WORK/trust" "$f" >/dev/null; then
		echo "bench: sbx verify of the signed $mib MiB file failed" >&2
		continue
	fi
	echo "openssl$mib openssl dgst -sha256 $f" >>"$list"
	echo "sbx$mib $O/sbx verify --trust $BENCH_WORK/trust $f" >>"$list"
done
# Fewer runs for the big file: each is about 0.1 s.
for mib in 1 16 128; do
	grep "^[a-z]*$mib " "$list" >"$list.$mib"
	case $mib in 1) runs=30 ;; 16) runs=10 ;; *) runs=3 ;; esac
	hyperfine_rounds "$runs" "$list.$mib"
	row "B3.openssl$mib" "$G" "openssl dgst -sha256, $mib MiB" ms "$BENCH_WORK/openssl$mib.ms"
	row "B3.sbx$mib" "$G" "sbx verify, $mib MiB" ms "$BENCH_WORK/sbx$mib.ms" "B3.openssl$mib"
done
goal "sbx verify throughput / openssl's, 128 MiB" B3.openssl128 B3.sbx128 ">=" 0.9
goal "sbx verify throughput / openssl's, 16 MiB" B3.openssl16 B3.sbx16 ">=" 0.9
