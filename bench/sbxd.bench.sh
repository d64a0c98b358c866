# SPDX-License-Identifier: GPL-2.0-or-later
# B2 exec under sbxd enforcement (cold: verification; warm: a verdict cache hit; goal warm
# <= 1.05x) and B6 kernel memory per cached verdict at 10^4 and 10^5 entries. Both need
# sbxd's BPF LSM side, which loads only in a QEMU guest here (the host refuses BPF LSM
# programs), and sbxd is not on main yet: these rows say so instead of a figure.
#   sourced by bench/run.sh (see bench/lib.sh for the environment)
why="not yet: needs sbxd (BPF LSM verdict cache) on main; runs in the VM once it is"
missing_row B2.cold "B2 exec under sbxd" "exec loop, cold (verification) / without sbxd" "$why"
missing_row B2.warm "B2 exec under sbxd" "exec loop, warm (cache hit) / without sbxd" "$why"
missing_row B6.1e4 "B6 verdict cache memory" "kernel bytes per cached verdict, 10^4" "$why"
missing_row B6.1e5 "B6 verdict cache memory" "kernel bytes per cached verdict, 10^5" "$why"
printf '%s\t-\t<=\t1.05\tnot measured\t-\n' "B2 warm exec under sbxd / without" >>"$BENCH_GOALS"
