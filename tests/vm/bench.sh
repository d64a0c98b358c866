#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier K figures for `make bench` (bench/ calls this): boot one VM kernel with the test
# initramfs and `sbx.bench` on its command line, so its /init runs tests/vm/bin/
# enforcer_bench instead of the suites; print that program's "enforcer-bench:" lines
# (bytes per cached verdict, map memory per entry, exec cost with no enforcer, hit, cold).
#   bench.sh BUILD_DIR        SBX_BENCH_SUITE: the kernel (default bookworm)
set -eu
O=$1
here=$(cd "$(dirname "$0")" && pwd)
suite=${SBX_BENCH_SUITE:-bookworm}
if [ "$(id -u)" != 0 ] || ! command -v qemu-system-x86_64 >/dev/null; then
	echo "enforcer-bench: skipped: needs root and qemu-system-x86_64 (BPF LSM runs in a VM)"
	exit 0
fi
initrd="$O/tests/initramfs.cpio"
"$here/mkinitramfs.sh" "$O" "$initrd"
set -- $("$here/kernels.sh" fetch "$suite")
if [ $# -lt 2 ] || [ "$2" = - ]; then
	echo "enforcer-bench: no $suite kernel (tests/vm/kernels.sh fetch $suite)" >&2
	exit 1
fi
echo "enforcer-bench: kernel $(cat "$(dirname "$2")/package") (QEMU TCG, one CPU)"
timeout -k 10 900 qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 1 -nographic -no-reboot \
	-kernel "$2" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=4 edd=off rdinit=/init sbx.bench" </dev/null 2>&1 |
	tr -d '\r' | grep '^enforcer-bench:'
