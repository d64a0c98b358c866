#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The vm suite: boot each kernel of the matrix (kernels.sh) under QEMU TCG with the test
# initramfs, and turn each guest's console into KTAP. The guest's per-case counts are added
# to $SBX_COUNTS. A kernel that cannot be fetched, or a host without root or qemu, is a
# loud SKIP with the reason; a guest without the sentinel (hang, panic, crash) is a failure
# with the last lines of its console.
#   run.sh BUILD_DIR        SBX_VM_TIMEOUT (seconds per guest, default 3000), SBX_VM_JOBS
#                           (guests booted at once, default all of them), SBX_VM_SHARDS
#                           (guests per kernel, each running a share of the programs:
#                           default 2, or 1 with SBX_ONLY)
# A developer's loop: SBX_VM_GUEST_SUITES (default "vmguest sandbox escape") and SBX_ONLY
# (test program names, tests/check.sh) narrow what each guest runs.
set -u
O=$1
here=$(cd "$(dirname "$0")" && pwd)
counts=${SBX_COUNTS:-/dev/null}
limit=${SBX_VM_TIMEOUT:-3000}
logs="$O/tests/vm-logs"
mkdir -p "$logs"
rm -f "$logs"/*.log # a log of another run's guest is never read as this one's

# In CI (CI=true, or SBX_VM_REQUIRED=1) the matrix is required: what would be a SKIP on a
# developer's machine (no root, no qemu, a kernel neither fetched nor cached) fails the run.
required=false
[ "${CI:-}" = true ] || [ "${SBX_VM_REQUIRED:-0}" = 1 ] && required=true

skip_all() {
	echo "TAP version 13"
	echo "1..1"
	if $required; then
		echo "not ok 1 vm # required in CI: $1"
		echo "0 1 0" >>"$counts"
	else
		echo "ok 1 vm # SKIP $1"
		echo "0 0 1" >>"$counts"
	fi
	exit 0
}
[ "$(id -u)" = 0 ] || skip_all "not root: the VM suite needs root to fetch kernels and boot them"
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed (make deps)"
command -v busybox >/dev/null || skip_all "busybox-static not installed (make deps)"

# The guest reads these from its command line (tests/vm/init); words are joined by commas.
guest_args() { # SHARD
	[ "$shards" -gt 1 ] && printf ' sbx.shard=%s/%s' "$1" "$shards"
	[ -n "${SBX_VM_GUEST_SUITES:-}" ] && printf ' sbx.suites=%s' "$(echo $SBX_VM_GUEST_SUITES | tr ' ' ,)"
	[ -n "${SBX_ONLY:-}" ] && printf ' sbx.only=%s' "$(echo $SBX_ONLY | tr ' ' ,)"
	return 0
}

initrd="$O/tests/initramfs.cpio"
if ! "$here/mkinitramfs.sh" "$O" "$initrd"; then
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 vm: building the initramfs failed"
	echo "0 1 0" >>"$counts"
	exit 0
fi

kernels=$("$here/kernels.sh" fetch 2>"$logs/fetch.log")

# Every test unloads the enforcer it loaded and waits until the kernel has freed its
# programs: each link is released after RCU grace periods (RCU Tasks, for the
# trampolines), which the kernel batches lazily. Grace periods started at once and
# expedited: the same semantics, about a fifth less unload time (enforcer_exec's 12 tests
# on 6.12, two guests side by side, one run). A kernel without one of these ignores it.
rcu="rcupdate.rcu_expedited=1 rcupdate.rcu_tasks_lazy_ms=0 rcupdate.rcu_tasks_trace_lazy_ms=0 rcupdate.rcu_tasks_rude_lazy_ms=0"

# A kernel's share of the programs runs in guests of its own (sbx.shard, tests/check.sh):
# a guest waits a good part of its run (every enforcer unload waits for the kernel to free
# ~60 programs' links, one grace period each: "# guest cpu" idle about 30 % on 6.1 and
# 6.12), and more guests than CPUs fill those waits with another guest's work.
shards=${SBX_VM_SHARDS:-$([ -n "${SBX_ONLY:-}" ] && echo 1 || echo 2)}

log_of() { # SUITE SHARD: the guest's console log
	if [ "$shards" -gt 1 ]; then echo "$logs/$1-$2.log"; else echo "$logs/$1.log"; fi
}

# This kernel's initramfs: its modules (kernels.sh) in a second archive after the common
# one; the kernel unpacks concatenated archives into one initramfs, /modules/NAME.ko.
guest_initrd() { # SUITE VMLINUZ
	cp "$initrd" "$O/tests/initramfs-$1.cpio"
	if [ -d "$(dirname "$2")/modules" ]; then
		(cd "$(dirname "$2")" && find modules | cpio -o -H newc --quiet) \
			>>"$O/tests/initramfs-$1.cpio"
	fi
}

# Boot one guest (SUITE VMLINUZ SHARD); its console, cleaned, goes to log_of SUITE SHARD.
boot() {
	suite=$1 vmlinuz=$2 shard=$3
	log=$(log_of "$suite" "$shard")
	# A blank scratch disk on the PCI bus (NVMe: built into the cloud kernels), serial
	# sbxscratch, for the tests that need a real disk (enforcer_backing).
	scratch="$O/tests/vm-scratch-$suite-$shard.img"
	rm -f "$scratch"
	truncate -s 16M "$scratch"
	timeout -k 10 "$limit" qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 1 \
		-nographic -no-reboot -kernel "$vmlinuz" -initrd "$O/tests/initramfs-$suite.cpio" \
		-drive "file=$scratch,if=none,id=scratch,format=raw" \
		-device nvme,drive=scratch,serial=sbxscratch \
		-append "console=ttyS0 panic=-1 loglevel=4 edd=off $rcu rdinit=/init$(guest_args "$shard")" \
		</dev/null 2>&1 | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' >"$log"
}

# A TCG guest is one host thread (-smp 1): up to $jobs guests boot at once, and are
# reported in the matrix's order as each finishes. By default all of them (three kernels,
# two guests each): with one guest per CPU the third waited and then ran alone on one CPU
# while the other stood idle; side by side, all end about together.
set -- $kernels
total=0
while [ $# -ge 2 ]; do
	[ "$2" = - ] || guest_initrd "$1" "$2"
	i=0
	while [ "$i" -lt "$shards" ]; do
		i=$((i + 1))
		total=$((total + 1))
		[ "$2" = - ] || eval "queued_$total=\"$1 $2 $i\""
	done
	shift 2
done
jobs=${SBX_VM_JOBS:-$total}
started=0 running=0
start_next() {
	while [ "$running" -lt "$jobs" ] && [ "$started" -lt "$total" ]; do
		started=$((started + 1))
		eval "q=\${queued_$started:-}"
		[ -n "$q" ] || continue
		boot $q &
		eval "pid_$started=$!"
		running=$((running + 1))
	done
}
start_next

# The KTAP line of guest n (NAME VMLINUZ LOG), once it has ended, and its counts.
report() {
	name=$1 vmlinuz=$2 log=$3
	if [ "$vmlinuz" = - ]; then
		why=$(grep "kernels.sh: ${name%% *}:" "$logs/fetch.log" | tail -n 1)
		if $required; then
			echo "not ok $n vm: $name # kernel neither fetched nor cached: ${why:-unknown reason}"
			echo "0 1 0" >>"$counts"
		else
			echo "ok $n vm: $name # SKIP kernel not fetched: ${why:-unknown reason}"
			echo "0 0 1" >>"$counts"
		fi
		return
	fi
	echo "# vm: $name ($(cat "$(dirname "$vmlinuz")/package")), limit ${limit}s"
	eval "wait \$pid_$n"
	running=$((running - 1))
	start_next
	# The guest's own KTAP and its header lines (uname -r, LSM list), nested.
	sed -n '/^# uname -r:/,$p' "$log" | sed 's/^/# /'
	sentinel=$(sed -n 's/^sbx-vm-sentinel: exit=\([0-9]*\)$/\1/p' "$log" | tail -n 1)
	guest=$(sed -n 's/^sbx-vm-counts: //p' "$log" | tail -n 1)
	if [ -z "$sentinel" ]; then
		echo "# vm: $name: no sentinel (guest hung, panicked or timed out); last console lines:"
		tail -n 25 "$log" | sed 's/^/#   /'
		[ -n "$guest" ] && echo "$guest" >>"$counts"
		echo "0 1 0" >>"$counts"
		echo "not ok $n vm: $name # no sentinel"
		return
	fi
	echo "${guest:-0 1 0}" >>"$counts"
	if [ "$sentinel" = 0 ]; then
		echo "ok $n vm: $name"
	else
		echo "not ok $n vm: $name # guest suites exit=$sentinel"
	fi
}

set -- $kernels
echo "TAP version 13"
echo "1..$total"
n=0
while [ $# -ge 2 ]; do
	suite=$1 vmlinuz=$2
	shift 2
	shard=0
	while [ "$shard" -lt "$shards" ]; do
		shard=$((shard + 1))
		n=$((n + 1))
		name=$suite
		[ "$shards" -gt 1 ] && name="$suite $shard/$shards"
		report "$name" "$vmlinuz" "$(log_of "$suite" "$shard")"
	done
done
