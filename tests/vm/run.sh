#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The vm suite: boot each kernel of the matrix (kernels.sh) under QEMU TCG with the test
# initramfs, and turn each guest's console into KTAP. The guest's per-case counts are added
# to $SBX_COUNTS. A kernel that cannot be fetched, or a host without root or qemu, is a
# loud SKIP with the reason; a guest without the sentinel (hang, panic, crash) is a failure
# with the last lines of its console.
#   run.sh BUILD_DIR        SBX_VM_TIMEOUT (seconds per guest, default 3000), SBX_VM_JOBS
#                           (guests booted at once, default all of the matrix)
# A developer's loop: SBX_VM_GUEST_SUITES (default "vmguest sandbox escape") and SBX_ONLY
# (test program names, tests/check.sh) narrow what each guest runs.
set -u
O=$1
here=$(cd "$(dirname "$0")" && pwd)
counts=${SBX_COUNTS:-/dev/null}
limit=${SBX_VM_TIMEOUT:-3000}
logs="$O/tests/vm-logs"
mkdir -p "$logs"

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
guest_args() {
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

# Boot one guest (SUITE VMLINUZ); its console, cleaned, goes to $logs/SUITE.log.
boot() {
	suite=$1 vmlinuz=$2 log="$logs/$1.log"
	# This kernel's modules (kernels.sh) in a second archive after the common one: the
	# kernel unpacks concatenated archives into one initramfs, /modules/NAME.ko.
	guest_initrd="$O/tests/initramfs-$suite.cpio"
	cp "$initrd" "$guest_initrd"
	if [ -d "$(dirname "$vmlinuz")/modules" ]; then
		(cd "$(dirname "$vmlinuz")" && find modules | cpio -o -H newc --quiet) >>"$guest_initrd"
	fi
	# A blank scratch disk on the PCI bus (NVMe: built into the cloud kernels), serial
	# sbxscratch, for the tests that need a real disk (enforcer_backing).
	scratch="$O/tests/vm-scratch-$suite.img"
	rm -f "$scratch"
	truncate -s 16M "$scratch"
	timeout -k 10 "$limit" qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 1 \
		-nographic -no-reboot -kernel "$vmlinuz" -initrd "$guest_initrd" \
		-drive "file=$scratch,if=none,id=scratch,format=raw" \
		-device nvme,drive=scratch,serial=sbxscratch \
		-append "console=ttyS0 panic=-1 loglevel=4 edd=off $rcu rdinit=/init$(guest_args)" \
		</dev/null 2>&1 | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' >"$log"
}

# A TCG guest is one host thread (-smp 1): up to $jobs guests boot at once, and are
# reported in the matrix's order as each finishes. By default all of them: a guest is
# busy nearly all its run (its "# guest cpu" line: 3 % idle on 7.2 in ci13), so the work
# is the same either way, but with one guest per CPU the third waited and then ran alone
# on one CPU while the other stood idle; side by side, all three end about together.
set -- $kernels
total=0
while [ $# -ge 2 ]; do
	total=$((total + 1))
	[ "$2" = - ] || eval "queued_$total=\"$1 $2\""
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

set -- $kernels
echo "TAP version 13"
echo "1..$total"
n=0
while [ $# -ge 2 ]; do
	suite=$1 vmlinuz=$2
	shift 2
	n=$((n + 1))
	if [ "$vmlinuz" = - ]; then
		why=$(grep "kernels.sh: $suite:" "$logs/fetch.log" | tail -n 1)
		if $required; then
			echo "not ok $n vm: $suite # kernel neither fetched nor cached: ${why:-unknown reason}"
			echo "0 1 0" >>"$counts"
		else
			echo "ok $n vm: $suite # SKIP kernel not fetched: ${why:-unknown reason}"
			echo "0 0 1" >>"$counts"
		fi
		continue
	fi
	log="$logs/$suite.log"
	echo "# vm: $suite ($(cat "$(dirname "$vmlinuz")/package")), limit ${limit}s"
	eval "wait \$pid_$n"
	running=$((running - 1))
	start_next
	# The guest's own KTAP and its header lines (uname -r, LSM list), nested.
	sed -n '/^# uname -r:/,$p' "$log" | sed 's/^/# /'
	sentinel=$(sed -n 's/^sbx-vm-sentinel: exit=\([0-9]*\)$/\1/p' "$log" | tail -n 1)
	guest=$(sed -n 's/^sbx-vm-counts: //p' "$log" | tail -n 1)
	if [ -z "$sentinel" ]; then
		echo "# vm: $suite: no sentinel (guest hung, panicked or timed out); last console lines:"
		tail -n 25 "$log" | sed 's/^/#   /'
		[ -n "$guest" ] && echo "$guest" >>"$counts"
		echo "0 1 0" >>"$counts"
		echo "not ok $n vm: $suite # no sentinel"
		continue
	fi
	echo "${guest:-0 1 0}" >>"$counts"
	if [ "$sentinel" = 0 ]; then
		echo "ok $n vm: $suite"
	else
		echo "not ok $n vm: $suite # guest suites exit=$sentinel"
	fi
done
