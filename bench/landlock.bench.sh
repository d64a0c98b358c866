# SPDX-License-Identifier: GPL-2.0-or-later
# B5 Landlock cost: open/stat-heavy work under sbx run against bare — `find` over /usr's
# library, header and program trees (every directory opened, every entry stat'ed), and
# `git status` in a generated repository of 20,000 files (granted read-only, under the
# shipped git profile). hyperfine -N, round-robin. The minimal profile (no Landlock, the
# same seccomp filter) separates Landlock's share from seccomp's and sbx's start-up.
#   sourced by bench/run.sh (see bench/lib.sh for the environment)
RUNS=${SBX_BENCH_HEAVY_RUNS:-4}
G="B5 Landlock cost"
repo=$BENCH_WORK/repo
mkdir -p "$repo"
(
	cd "$repo" && git init -q &&
		awk 'BEGIN { for (d = 1; d <= 100; d++) { system("mkdir d" d)
			for (f = 1; f <= 200; f++) { p = "d" d "/f" f; print d "." f > p; close(p) } } }' &&
		git add -A && git -c user.name=bench -c user.email=bench@sbx.invalid commit -qm files
) || echo "bench: could not make the git repository" >&2
dirs="/usr/lib /usr/include /usr/bin"
app=$SRC/bench/profiles/app-sandbox.yaml
min=$SRC/bench/profiles/minimal.yaml
list=$BENCH_WORK/b5.list
{
	echo "find_bare find $dirs -xdev"
	echo "find_app $O/sbx run --allow-root --profile $app -- find $dirs -xdev"
	echo "find_min $O/sbx run --allow-root --profile $min -- find $dirs -xdev"
	echo "git_bare git -C $repo status --porcelain"
	echo "git_sbx $O/sbx run --allow-root --profile git --grant $repo -- git -C $repo status --porcelain"
} >"$list"
hyperfine_rounds "$RUNS" "$list"
row B5.find.bare "$G" "find /usr/{lib,include,bin}: bare" ms "$BENCH_WORK/find_bare.ms"
row B5.find.app "$G" "find: sbx run app-sandbox (Landlock)" ms "$BENCH_WORK/find_app.ms" \
	B5.find.bare
row B5.find.min "$G" "find: sbx run minimal (no Landlock)" ms "$BENCH_WORK/find_min.ms" \
	B5.find.bare
row B5.git.bare "$G" "git status, 20000 files: bare" ms "$BENCH_WORK/git_bare.ms"
row B5.git.sbx "$G" "git status: sbx run --profile git" ms "$BENCH_WORK/git_sbx.ms" B5.git.bare
