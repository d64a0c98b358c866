#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What a call the supervisor carries out costs (one round trip through seccomp user
# notification, the executor thread and back): chmod in a write grant under a plan that
# sends it to the supervisor, against the same chmod unconfined. Calls the filter allows in
# the kernel cost nothing more (run.bench.sh measures those).
#   bench/supervise.bench.sh BUILD_DIR
set -eu
O=$(cd "${1:?usage: supervise.bench.sh BUILD_DIR}" && pwd)
t="$O/tests/sandbox/supervise_metadata"
if ! [ -x "$t" ]; then
	echo "supervised-call cost: $t not built (make tests), not measured"
	exit 0
fi
"$t" -t cost_of_a_carried_out_call 2>&1 | sed -n 's/.*cost_of_a_carried_out_call:\(supervised chmod.*\)/\1/p'
