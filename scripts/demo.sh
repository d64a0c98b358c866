#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: sbx's main job, as a new user would see it. A real program runs under its
# shipped profile and does its work; the same sandbox refuses what the profile does not
# grant and says which entitlement would allow it; then what this kernel enforced.
#   scripts/demo.sh BUILD_DIR
set -eu
O=$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
sbx="$O/sbx"
export SBX_PROFILE_PATH="$here/profiles"
export PATH="/usr/bin:/bin:$PATH" # the distribution's programs, as the profiles expect
work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

say() { printf '\n# %s\n' "$*"; }
show() { # print the command as typed (sbx for the full path), then run it
	printf '$ sbx'
	shift
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_./:=,+-]*) printf " '%s'" "$a" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
	printf '\n'
	"$sbx" "$@"
}

say "What this kernel can enforce"
"$sbx" status | grep -E '^(kernel|landlock|tiers):'

say "jq, under its shipped profile, filters the one file it was granted"
printf '{"items": [{"n": 1}, {"n": 2}, {"n": 39}]}\n' >data.json
show sbx run --allow-root --profile jq --grant data.json -- jq '[.items[].n] | add' data.json 2>&1

say "python3 runs a script; it may read what it was granted, nothing else"
mkdir -p home/.ssh
echo "-----BEGIN OPENSSH PRIVATE KEY----- (a fake key)" >home/.ssh/id_rsa
cat >job.py <<'PY'
import socket
print("job: 6 * 7 =", 6 * 7)
for what, act in (("read home/.ssh/id_rsa (a key beside it)", lambda: open("home/.ssh/id_rsa").read()),
                  ("connect to 127.0.0.1:80", lambda: socket.create_connection(("127.0.0.1", 80)))):
    try:
        act()
        print("job:", what, "-> allowed")
    except OSError as e:
        print("job:", what, "->", e.strerror)
PY
status=0
show sbx run --allow-root --profile python3 --grant job.py -- python3 -u job.py 2>&1 |
	grep -v '^sbx: warning:' || status=$?

say "What this kernel enforced for such a run (sbx run --report)"
report=$("$sbx" run --allow-root --profile python3 --report -- python3 -c pass 2>&1)
printf '%s\n' "$report" | sed -n '1p; /DROPPED/p; /note:/p'
printf 'sbx:   ... and %s features enforced: %s\n' \
	"$(printf '%s\n' "$report" | grep -c '  enforced ')" \
	"$(printf '%s\n' "$report" | awk '$2 == "enforced" { printf "%s%s", sep, $3; sep = ", " }')"
exit $status
