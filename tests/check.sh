#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check: every suite, in order of cost, then one line "N passed, N failed, N skipped".
#   unit     pure code under ASan+UBSan
#   compat   every suite compiles against the kernel's own kselftest_harness.h
#   sandbox  the host kernel: as root, then as an unprivileged uid (what a user gets)
#   escape   bypass attempts, each with its unconfined control; root and unprivileged
#   fuzz     every parser of untrusted bytes, for a bounded time
#   vm       BPF LSM and per-kernel behaviour in QEMU-booted kernels (tests/vm/run.sh)
# SBX_SUITES limits the run (e.g. SBX_SUITES="unit sandbox"); SBX_ONLY="NAME …" limits each
# suite to the test programs of those names (a developer's loop; make check never sets it).
set -u
O=${1:?usage: check.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
SBX_SRC=$(cd "$here/.." && pwd)
export SBX_SRC SBX_BUILD="$O" SBX_BIN="$O/sbx"
export SBX_COUNTS="$O/tests/counts"
suites=${SBX_SUITES:-unit compat sandbox escape fuzz vm}
mkdir -p "$O/tests"
: >"$SBX_COUNTS"

# SBX_SHARD=I/N (a guest sets it from sbx.shard: tests/vm/run.sh runs N guests per kernel):
# every Nth program of each suite, from the Ith, so the N guests share the suite's work.
progs() { # SUITE [BUILD]: the built programs of one suite, in name order
	k=0
	for p in "${2:-$O}/tests/$1"/*; do
		[ -f "$p" ] && [ -x "$p" ] || continue
		[ -z "${SBX_ONLY:-}" ] || case " $SBX_ONLY " in *" ${p##*/} "*) ;; *) continue ;; esac
		k=$((k + 1))
		[ -z "${SBX_SHARD:-}" ] ||
			[ $(((k - 1) % ${SBX_SHARD#*/})) = $((${SBX_SHARD%/*} - 1)) ] || continue
		echo "$p"
	done
}

# SBX_USER_ONLY="NAME …" (the guests set it: tests/vm/init): programs of a suite that runs
# twice (sandbox, escape) that run only as the user, not as root first.
root_progs() { # SUITE: the programs of the root pass
	progs "$1" | while read -r p; do
		case " ${SBX_USER_ONLY:-} " in *" ${p##*/} "*) ;; *) echo "$p" ;; esac
	done
}

unprivileged_uid=65534
run_unprivileged() { # SUITE: the suite again, as an ordinary user with a home of its own
	suite=$1
	if [ "$(id -u)" != 0 ]; then
		return # already unprivileged: the first run was the user's run
	fi
	# util-linux's setpriv: busybox has an applet of that name without --reuid.
	setpriv=/usr/bin/setpriv
	if ! [ -x "$setpriv" ] || ! "$setpriv" --help 2>&1 | grep -q -- --reuid; then
		if [ "${CI:-}" = true ]; then # make deps installs it: the user's run is required
			echo "not ok $suite as uid $unprivileged_uid: util-linux setpriv not found"
			echo "0 1 0" >>"$SBX_COUNTS"
		else
			echo "# SKIP $suite as uid $unprivileged_uid: util-linux setpriv not found"
			echo "0 0 1" >>"$SBX_COUNTS"
		fi
		return
	fi
	home=$(mktemp -d /tmp/sbx-user.XXXXXX)
	chown "$unprivileged_uid:$unprivileged_uid" "$home"
	chmod 0711 "$home"
	src=$SBX_SRC build=$O
	# A checkout under a private directory (/root, say) is out of the user's reach: run a
	# copy of what the suite reads (sbx, the suite's programs, profiles, test sources and
	# data) from a directory the user can traverse, laid out like the tree.
	if ! "$setpriv" --reuid="$unprivileged_uid" --regid="$unprivileged_uid" --clear-groups \
		test -x "$O/sbx" -a -r "$SBX_SRC/tests/settings" 2>/dev/null; then
		src="$home/tree" build="$home/tree/build"
		mkdir -p "$build/tests"
		cp -a "$SBX_SRC/profiles" "$SBX_SRC/tests" "$src/"
		cp -a "$O/sbx" "$build/"
		[ -x "$O/sbxd" ] && cp -a "$O/sbxd" "$build/"
		cp -a "$O/tests/$suite" "$build/tests/"
		echo "# $suite as uid $unprivileged_uid: running a copy in $src (the tree is not reachable)"
	fi
	# From the user's home: the caller's working directory may be out of reach too.
	(cd "$home" && env -i PATH="$PATH" HOME="$home" TMPDIR="$home" XDG_DATA_HOME="$home/.local/share" \
		SBX_SRC="$src" SBX_BUILD="$build" SBX_BIN="$build/sbx" SBX_COUNTS="$home/counts" \
		${SBX_PROFILE_PATH:+SBX_PROFILE_PATH="$SBX_PROFILE_PATH"} ${SBX_ONLY:+SBX_ONLY="$SBX_ONLY"} \
		${SBX_TEST_TIMEOUT_SCALE:+SBX_TEST_TIMEOUT_SCALE="$SBX_TEST_TIMEOUT_SCALE"} \
		"$setpriv" --reuid="$unprivileged_uid" --regid="$unprivileged_uid" --clear-groups \
		--inh-caps=-all --bounding-set=-all \
		"$src/tests/ktap_run.sh" "$suite-as-user" $(progs "$suite" "$build"))
	cat "$home/counts" >>"$SBX_COUNTS" 2>/dev/null
	rm -rf "$home"
}

# The guests are CPU-bound (run.sh) and the host suites run one program at a time: with vm
# among other suites the guests boot first, in the background and niced below the host's
# programs, so the second CPU is not idle while the host suites run; their KTAP is printed
# in the vm suite's place.
vm_ktap=
case " $suites " in
*" vm "*)
	if [ "$(echo $suites)" != vm ]; then
		vm_ktap="$O/tests/vm.ktap"
		nice -n 10 "$here/vm/run.sh" "$O" >"$vm_ktap" 2>&1 &
		vm_pid=$!
	fi
	;;
esac

for suite in $suites; do
	case $suite in
	unit)
		"$here/ktap_run.sh" unit $(progs unit)
		;;
	compat)
		"$here/harness_compat.sh" "$O"
		;;
	vmguest) # inside a VM kernel (tests/vm/init): the BPF LSM suite, as root
		# A program's hang guard: each test has its own (120 s, Makefile), and a program
		# whose every test arms loads the enforcer per test: enforcer_protect (17 tests)
		# was killed at settings' 300 s after 11, trixie alone on a loaded host.
		# Its programs are built with TCG's guards already (Makefile): not stretched again.
		SBX_TEST_TIMEOUT=${SBX_TEST_TIMEOUT:-1200} SBX_TEST_TIMEOUT_SCALE=1 \
			"$here/ktap_run.sh" vm $(progs vm)
		;;
	sandbox | escape)
		"$here/ktap_run.sh" "$suite" $(root_progs "$suite")
		run_unprivileged "$suite"
		;;
	fuzz)
		"$here/fuzz/run.sh" "$O"
		;;
	vm)
		if [ -n "$vm_ktap" ]; then
			wait "$vm_pid"
			cat "$vm_ktap"
		else
			"$here/vm/run.sh" "$O"
		fi
		;;
	*)
		echo "check.sh: unknown suite $suite" >&2
		echo "0 1 0" >>"$SBX_COUNTS"
		;;
	esac
done

# Known gaps (XFAIL) are what this tier cannot stop yet, each named with the tier that
# closes it; they are counted apart, never as passes.
awk '{ p += $1; f += $2; s += $3; x += $4 } END {
	printf "%d passed, %d failed, %d skipped, %d known gaps\n", p, f, s, x; exit f > 0 }' "$SBX_COUNTS"
