// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx learn: run a program in complain mode (sbx run --complain) and write a profile that
 * lets that run succeed: BASE plus, for each act enforcement would have refused, the
 * entitlement or path exception that allows it, printed as a diff against BASE with the
 * acts behind each addition. Only what the run was let do because of --complain is added
 * (files, network, exec: what complain mode judges without enforcing). A key whose calls
 * complain mode still refused (a Hardened Runtime lift, cs.* and get-task-allow; an sbx
 * extension, sbx.io-uring or sbx.aio; a device) widens what the program may do to memory, other
 * processes, devices or the kernel, and the run went on without it: it is named in a
 * comment, "# tried: KEY", for the author to add if the program needs it.
 *
 *   sbx learn [--profile BASE] [--grant PATH[:ro|rw|x|rx|rwx]]... [--allow-root] -o NEW.yaml
 *             -- PROGRAM [ARGS...]
 *
 * Paths: the directory each act needed (the one --grant would name), as a
 * temporary-exception.files list (home-relative under $HOME), read-only or read-write; a
 * path beneath another learned one with as much access is dropped. Executing outside the
 * grants has no profile key: learn adds files.user-selected.executable and prints the
 * --grant DIR:x the run needs. A refusal no entitlement lifts is named and left.
 *
 * Exit status: the program's (as sbx run; the profile is written either way, and a failed
 * run is said so); 2 bad usage or an unwritable output; 125 sbx failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compile/compile.h"
#include "profile/profile.h"
#include "printable.h"
#include "seccomp/seccomp.h"

#define MAX_LEARNED 256
#define MAX_ACTS    4 /* acts shown under each addition */
#define MAX_ARGS    256

static const char learn_help[] =
	"usage: sbx learn [--profile BASE] [--grant PATH[:ro|rw|x|rx|rwx]]... [--allow-root]\n"
	"                 -o NEW.yaml -- PROGRAM [ARGS...]\n"
	"\n"
	"Runs PROGRAM as sbx run --complain does (files, network and exec judged against\n"
	"BASE, not enforced) and writes NEW.yaml: BASE plus what that run needed, each\n"
	"addition printed as a diff with the acts that needed it. A key whose calls the\n"
	"run tried and complain mode still refused (cs.*, sbx.io-uring, sbx.aio, a device)\n"
	"is not added, only named (# tried: KEY). Review it, then\n"
	"sbx run --profile NEW.yaml -- PROGRAM [ARGS...].\n"
	"\n"
	"  --profile BASE   the profile to start from (a file or NAME; default: what sbx run\n"
	"                   would choose for PROGRAM)\n"
	"  --grant          passed to the run, as sbx run takes it\n"
	"  -o, --output     where the learned profile goes (replaced if it exists)\n"
	"\n"
	"Exit: the program's status; 2 usage or unwritable output; 125 sbx failed.\n";

/* One addition (an entitlement, or a path under a list key), or a key tried; its acts. */
struct learned {
	const char *key; /* entitlement or list key (static) */
	char path[PATH_MAX]; /* "" for an entitlement */
	char exec_dir[PATH_MAX]; /* executing: the --grant DIR:x the run needs */
	char acts[MAX_ACTS][PATH_MAX + 64];
	size_t n_acts, more;
	bool dropped; /* beneath another learned path with as much access */
	bool ran; /* an act ran because of --complain: the run needed it (else only tried) */
	bool own_parent; /* written, in a directory holding sbx's own: never grouped into it */
};

struct learn_state {
	struct sbx_profile *base; /* a copy of the profile the run applied */
	char source[PATH_MAX + 64];
	char home[PATH_MAX];
	const struct sbx_landlock_plan *own; /* the run's plan: sbx's own directories */
	struct learned items[MAX_LEARNED];
	size_t n;
	char unliftable[8][PATH_MAX + 128]; /* refusals no entitlement lifts */
	size_t n_unliftable;
	bool overflow;
};

/* A temporary-exception.files list: its additions are paths, never "". */
static bool is_path_key(const char *key)
{
	return !strncmp(key, "temporary-exception.", 20);
}

/* Added to the profile, or only named as tried (see the header). */
static bool is_learned(const struct learned *it)
{
	return it->ran;
}

static struct learned *find_or_add(struct learn_state *st, const char *key, const char *path)
{
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->items[i].key, key) && !strcmp(st->items[i].path, path))
			return &st->items[i];
	if (st->n == MAX_LEARNED) {
		st->overflow = true;
		return NULL;
	}
	st->items[st->n].key = key;
	snprintf(st->items[st->n].path, sizeof(st->items[st->n].path), "%s", path);
	return &st->items[st->n++];
}

static void add_act(struct learned *it, const char *fmt, const char *a, const char *b,
		    const struct sbx_seccomp_denial *d)
{
	char act[sizeof(it->acts[0])];
	const char *comm = d->comm;
	int pid = d->pid;

	it->ran |= d->complained;

	snprintf(act, sizeof(act), fmt, a, b);
	for (size_t i = 0; i < it->n_acts; i++)
		if (!strncmp(it->acts[i], act, strlen(act)))
			return;
	if (it->n_acts == MAX_ACTS) {
		it->more++;
		return;
	}
	snprintf(it->acts[it->n_acts++], sizeof(it->acts[0]), "%s (%s[%d])", act, comm, pid);
}

static void on_profile(const struct sbx_profile *p, const char *source,
		       const struct sbx_host_facts *facts, const struct sbx_plan *plan, void *arg)
{
	struct learn_state *st = arg;
	struct sbx_diag d = { 0 };
	char *buf = NULL;
	size_t len = 0;

	snprintf(st->source, sizeof(st->source), "%s", source);
	snprintf(st->home, sizeof(st->home), "%s", facts->home ? facts->home : "");
	st->own = &plan->landlock;
	if (!sbx_profile_canonical(p, &buf, &len))
		sbx_profile_load_buffer(st->source, buf, len, &st->base, &d);
	free(buf);
}

static void on_denial(const struct sbx_seccomp_denial *d, void *arg)
{
	struct learn_state *st = arg;
	struct sbx_suggestion sg;
	struct learned *it;

	if (!st->base)
		return;
	if (d->is_file && d->file.port) {
		it = find_or_add(st, "network.server", "");
		if (it)
			add_act(it, "%s of %s", d->file.access, d->file.path, d);
		return;
	}
	if (d->is_file) {
		/* Reading or writing a file: that file (the smallest grant); else its directory. */
		bool file = !d->file.is_dir &&
			    (!strcmp(d->file.access, "read") || !strcmp(d->file.access, "write") ||
			     !strcmp(d->file.access, "read and write"));

		sbx_suggest_file_grant(st->base, st->own, d->file.need,
				       file ? d->file.path : d->file.dir, d->file.path, st->home,
				       &sg);
		if (!sg.path) {
			if (st->n_unliftable < 8)
				snprintf(st->unliftable[st->n_unliftable++],
					 sizeof(st->unliftable[0]),
					 "%s of %s (%s[%d]): sbx keeps its own directories there",
					 d->file.access, d->file.path, d->comm, (int)d->pid);
			return;
		}
		if (!sg.profile_key) {
			it = find_or_add(st, "files.user-selected.executable", "");
			if (it && !it->exec_dir[0])
				snprintf(it->exec_dir, sizeof(it->exec_dir), "%s", d->file.dir);
		} else {
			it = find_or_add(st, sg.profile_key, sg.profile_path);
			if (it && sg.write)
				it->own_parent = sbx_landlock_holds_own(st->own, d->file.dir);
		}
		if (it)
			add_act(it, "%s of %s", d->file.access, d->file.path, d);
		return;
	}
	if (d->rule && d->rule->entitlement) {
		it = find_or_add(st, d->rule->entitlement, "");
		if (it)
			add_act(it, "%s%s", d->call, "", d);
	} else if (st->n_unliftable < 8) {
		snprintf(st->unliftable[st->n_unliftable++], sizeof(st->unliftable[0]),
			 "%s (%s[%d]): %s", d->call, d->comm, (int)d->pid,
			 d->rule && d->rule->why ? d->rule->why : "no entitlement lifts it");
	}
}

/* path strictly beneath dir; "." is the home itself (home-relative): all of it. */
static bool beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "."))
		return strcmp(path, ".") != 0;
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* b takes a's acts, and a goes. */
static void fold(struct learned *a, struct learned *b)
{
	a->dropped = true;
	b->ran |= a->ran;
	for (size_t j = 0; j < a->n_acts; j++) {
		if (b->n_acts < MAX_ACTS)
			memcpy(b->acts[b->n_acts++], a->acts[j], sizeof(a->acts[j]));
		else
			b->more++;
	}
	b->more += a->more;
}

#define FILES_PER_DIR 4 /* this many files of one directory under one key: the directory */

/*
 * b is still listed, under key, and directly in parent; and parent may take it (sbx run
 * refuses a write rule on a directory holding its own: learned, it would refuse the profile).
 */
static bool file_in(const struct learned *b, const char *key, const char *parent)
{
	const char *slash = strrchr(b->path, '/');
	size_t n = strlen(parent);

	return !b->dropped && !b->own_parent && b->key == key && slash &&
	       (size_t)(slash - b->path) == n && !strncmp(b->path, parent, n);
}

static void group_files(struct learn_state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		struct learned *a = &st->items[i], *dir;
		char parent[PATH_MAX];
		size_t same = 0;
		const char *slash = strrchr(a->path, '/');

		if (a->dropped || !slash || !is_path_key(a->key))
			continue;
		snprintf(parent, sizeof(parent), "%.*s",
			 slash == a->path ? 1 : (int)(slash - a->path), a->path);
		for (size_t k = 0; k < st->n; k++)
			same += file_in(&st->items[k], a->key, parent);
		if (same < FILES_PER_DIR || !(dir = find_or_add(st, a->key, parent)))
			continue;
		for (size_t k = 0; k < st->n; k++)
			if (&st->items[k] != dir && file_in(&st->items[k], a->key, parent))
				fold(&st->items[k], dir);
	}
}

/* Read-write covers read-only: the smallest list drops what a wider entry covers. */
static void minimize(struct learn_state *st)
{
	group_files(st);
	for (size_t i = 0; i < st->n; i++) {
		struct learned *a = &st->items[i];
		bool a_home = strstr(a->key, "home-relative") != NULL;

		if (!is_path_key(a->key))
			continue;
		for (size_t k = 0; k < st->n && !a->dropped; k++) {
			struct learned *b = &st->items[k];
			bool b_rw = strstr(b->key, "read-write") != NULL;
			bool a_rw = strstr(a->key, "read-write") != NULL;

			if (k == i || b->dropped || !is_path_key(b->key) ||
			    (strstr(b->key, "home-relative") != NULL) != a_home || (a_rw && !b_rw))
				continue;
			if (beneath(a->path, b->path) ||
			    (!strcmp(a->path, b->path) && b_rw && !a_rw))
				a->dropped = true;
			b->ran |= a->ran;
		}
	}
}

static int write_profile(const char *out, const struct learn_state *st, char *const *argv)
{
	char tmp[PATH_MAX + 16], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (sbx_profile_canonical(st->base, &buf, &len))
		return cli_usage_error("learn", "cannot write the learned profile: out of memory");
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out);
	err = mkstemp(tmp);
	f = err >= 0 ? fdopen(err, "w") : NULL;
	if (!f) {
		err = errno;
		free(buf);
		return cli_usage_error("learn", "%s: %s", out, strerror(err));
	}
	fprintf(f, "# Learned by sbx learn from %s, running:\n#  ", st->source);
	for (size_t i = 0; argv[i]; i++)
		fprintf(f, " %s", argv[i]);
	fprintf(f, "\n");
	for (size_t i = 0; i < st->n; i++)
		if (!is_learned(&st->items[i]))
			fprintf(f, "# tried: %s (add it if the program needs it)\n",
				st->items[i].key);
	fwrite(buf, 1, len, f);
	free(buf);
	if (fchmod(fileno(f), 0644) || fclose(f) || rename(tmp, out)) {
		err = errno;
		unlink(tmp);
		return cli_usage_error("learn", "%s: %s", out, strerror(err));
	}
	return 0;
}

/* The diff: each addition, '+', with the acts that needed it as comments. */
static void print_diff(const struct learn_state *st, const char *out)
{
	size_t added = 0;

	printf("--- %s\n+++ %s\n", st->source, out);
	for (size_t i = 0; i < st->n; i++) {
		const struct learned *it = &st->items[i];

		if (it->dropped)
			continue;
		added += is_learned(it);
		if (!is_learned(it))
			printf("+# tried: %s (add it if the program needs it)\n", it->key);
		else if (is_path_key(it->key))
			printf("+  %s: [%s]\n", it->key, SBX_PRINTABLE(it->path));
		else
			printf("+  %s: true\n", it->key);
		for (size_t k = 0; k < it->n_acts; k++)
			printf("+  #   %s\n", SBX_PRINTABLE(it->acts[k]));
		if (it->more)
			printf("+  #   and %zu more\n", it->more);
		if (it->exec_dir[0])
			printf("+  #   no profile key names an executable path: run with --grant "
			       "%s:x\n",
			       SBX_PRINTABLE(it->exec_dir));
	}
	if (!added)
		printf("   (nothing: the run needed nothing BASE does not grant)\n");
}

/*
 * A whole home or the root learned (an act on the directory itself: ls ~; a file created in
 * ~ only when the home holds none of sbx's own directories, else the file is learned):
 * Landlock grants a directory with all beneath it, so the profile reaches much more than the
 * run did. Said, for the author to narrow.
 */
static void warn_whole_tree(const struct learn_state *st, const char *out)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct learned *it = &st->items[i];
		bool home = !strcmp(it->path, ".");

		if (it->dropped || !is_path_key(it->key) || (!home && strcmp(it->path, "/")))
			continue;
		fprintf(stderr,
			"sbx learn: warning: learned the whole %s %s ('%s' in %s): a directory is "
			"granted with all beneath it; narrow it by hand if the program needs "
			"less\n",
			home ? "home" : "file system",
			strstr(it->key, "read-write") ? "read-write" : "read-only", it->path, out);
	}
}

int cmd_learn(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "grant", required_argument, NULL, 'g' },
		{ "output", required_argument, NULL, 'o' },
		{ "allow-root", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct learn_state st;
	const struct cli_run_observer obs = { on_profile, on_denial, &st };
	char *run_argv[MAX_ARGS + 16];
	const char *out = NULL, *profile = NULL;
	char *grants[32];
	size_t n_grants = 0, n = 0;
	struct sbx_diag d = { 0 };
	bool allow_root = false;
	int c, status, err = 0;

	memset(&st, 0, sizeof(st));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 'g':
			if (n_grants == sizeof(grants) / sizeof(grants[0]))
				return cli_usage_error("learn", "--grant: more than %zu paths",
						       n_grants);
			grants[n_grants++] = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'O':
			allow_root = true;
			break;
		case 'h':
			fputs(learn_help, stdout);
			return SBX_EXIT_OK;
		default:
			return cli_bad_option("learn", NULL, argv);
		}
	}
	if (!out)
		return cli_usage_error("learn",
				       "no output given: -o NEW.yaml (see sbx learn --help)");
	if (optind >= argc)
		return cli_usage_error("learn", "no program given (see sbx learn --help)");
	if (argc - optind > MAX_ARGS)
		return cli_usage_error("learn", "more than %d arguments", MAX_ARGS);
	{
		/* Before the run: an output that cannot be written wastes it. */
		char dir[PATH_MAX];
		const char *slash = strrchr(out, '/');
		struct stat sb;

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - out) + 1 : 1,
			 slash ? out : ".");
		if (!out[0] || (slash && !slash[1]) || stat(dir, &sb) || !S_ISDIR(sb.st_mode) ||
		    access(dir, W_OK))
			return cli_usage_error("learn", "%s: cannot write there (%s)", out,
					       errno ? strerror(errno) : "not a directory");
	}
	run_argv[n++] = "run";
	run_argv[n++] = "--complain";
	run_argv[n++] = "--quiet";
	if (allow_root)
		run_argv[n++] = "--allow-root";
	if (profile) {
		run_argv[n++] = "--profile";
		run_argv[n++] = (char *)profile;
	}
	for (size_t i = 0; i < n_grants; i++) {
		run_argv[n++] = "--grant";
		run_argv[n++] = grants[i];
	}
	run_argv[n++] = "--";
	for (int i = optind; i < argc; i++)
		run_argv[n++] = argv[i];
	run_argv[n] = NULL;
	status = cli_run((int)n, run_argv, &obs);
	if (!st.base) /* the run never started: sbx run said why */
		return status;
	minimize(&st);
	for (size_t i = 0; i < st.n && !err; i++) {
		const struct learned *it = &st.items[i];

		if (it->dropped || !is_learned(it))
			continue;
		if (is_path_key(it->key))
			err = sbx_profile_add_path(st.base, it->key, it->path, &d);
		else
			err = sbx_profile_allow(st.base, it->key, &d);
	}
	if (err) {
		cli_error_diag("learn", &d);
		status = SBX_EXIT_RUN_FAILED;
		goto out;
	}
	err = write_profile(out, &st, argv + optind);
	if (err) {
		status = err;
		goto out;
	}
	print_diff(&st, out);
	warn_whole_tree(&st, out);
	for (size_t i = 0; i < st.n_unliftable; i++)
		fprintf(stderr, "sbx learn: refused, and no entitlement lifts it: %s\n",
			SBX_PRINTABLE(st.unliftable[i]));
	if (st.overflow)
		fprintf(stderr, "sbx learn: more than %d additions: the rest were not learned\n",
			MAX_LEARNED);
	if (status)
		fprintf(stderr,
			"sbx learn: the program exited with %d: what it did not reach is not "
			"learned; review %s and learn again if needed\n",
			status, out);
out:
	sbx_profile_free(st.base);
	st.base = NULL;
	return status;
}
