// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx run: confine a program to its entitlement profile and run it, as any user.
 *
 *   sbx run [OPTIONS] -- PROGRAM [ARGS...]     (usage_text below has them all)
 *
 * Without --profile the program's own entitlements apply when it carries a valid signature
 * with them (sbx sign --profile; verified against $SBX_TRUST_DIR or /etc/sbx/trust.d).
 * Otherwise the shipped profile "default" applies (app-sandbox with the user-selected
 * files read-write: what the program is given on the command line with --grant, its
 * container and a private tmp, nothing else). A signature that shows the program was
 * modified (or is revoked) stops the run (126); one that is merely not trusted here is
 * reported and its entitlements are ignored.
 *
 * A FILE has a slash or ends in .yaml, .yml, .plist or .entitlements; anything else is a
 * NAME on the profile search path (profile/lookup.h: $SBX_PROFILE_PATH, the user's, the
 * system's, the shipped profiles).
 *
 * Exit status: the program's (128 + N when killed by signal N); like env(1), 125 when sbx
 * itself failed and the program never ran, 126 when it could not be executed, 127 when it
 * was not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compile/compile.h"
#include "json.h"
#include "launch/launch.h"
#include "profile/lookup.h"
#include "profile/profile.h"
#include "launch/target.h"
#include "printable.h"
#include "timing.h"

#ifndef SBX_DATADIR
#define SBX_DATADIR "/usr/local/share"
#endif

#define DEFAULT_PROFILE "default"
#define MAX_GRANTS	64
#define MAX_REQUIRE	32
#define MAX_KEEP_FDS	32

static const char usage_text[] =
	"usage: sbx run [--profile FILE|NAME] [--grant PATH[:ro|rw|x|rx|rwx]]... [--allow KEY]...\n"
	"               [--require FEATURE]... [--require-all] [--best-effort] [--report]\n"
	"               [--quiet] [--log-json FD|PATH] [--keep-fd FD]... [--timings]\n"
	"               [--keep-children] [--allow-root] [--complain] [--explain]\n"
	"               -- PROGRAM [ARGS...]\n"
	"\n"
	"Run PROGRAM confined to an entitlement profile (default: the entitlements it is\n"
	"validly signed with; else, for an unsigned program, the profile named like it\n"
	"(sbx profile list); else 'default'). --allow KEY adds the entitlement KEY on top\n"
	"of the profile (--allow network.client). --grant gives the program a path\n"
	"(read-only; :rw read-write, :x or :rx execute, :rwx); the profile must have the\n"
	"matching files.user-selected entitlement. --report lists what this kernel enforced\n"
	"and dropped. A drop the profile relies on (it leaves a hole) refuses the run unless\n"
	"--best-effort, which runs it and warns on every run; any other drop is said once per\n"
	"kernel and user on a terminal (--quiet silences that); --require refuses to run if\n"
	"FEATURE is not enforced, --require-all if anything the profile asks for is not.\n"
	"--log-json FD|PATH writes the enforcement report, each explained denial and the\n"
	"exit as JSON lines (sbx-run-log schema) to the descriptor FD, or appends them to\n"
	"the file PATH. The program gets stdin, stdout and\n"
	"stderr; other open descriptors only with --keep-fd. The program runs in a session\n"
	"of its own (on a pty of its own, relayed by sbx, when sbx's 0-2 include a\n"
	"terminal) and every process it starts ends with it; --keep-children waits for\n"
	"them instead. As root, sbx refuses unless --allow-root (the program keeps uid 0,\n"
	"without capabilities).\n"
	"--timings prints the time of each launch phase on stderr.\n"
	"--best-effort also runs a program whose signature asks for what sbx run cannot\n"
	"enforce (library validation, parent constraints: tier K), reporting each as DROPPED.\n"
	"A file the program is refused is explained on stderr when it is a terminal (always\n"
	"with --explain), one line per distinct act, with the --grant or entitlement that\n"
	"would allow it; --quiet silences these lines (and saves their cost).\n"
	"--complain judges files, network and exec against the profile without enforcing\n"
	"them, and reports every act enforcement would refuse.\n"
	"Exit: the program's status; 125 sbx failed, 126 cannot execute, 127 not found.\n";

struct run_args {
	const char *profile;
	const char *allow[MAX_REQUIRE];
	size_t n_allow;
	struct sbx_grant grants[MAX_GRANTS]; /* each path malloc'd */
	size_t n_grants;
	const char *require[MAX_REQUIRE + 1];
	size_t n_require;
	bool require_all;
	bool report;
	bool quiet; /* no once-per-kernel notes (a hole is still said), no explanation lines */
	bool keep_tree;
	bool allow_root;
	bool best_effort; /* run with a hole: what this kernel or tier U cannot enforce */
	bool complain; /* files, network and exec judged and reported, not enforced */
	bool explain; /* explain file denials even when stderr is not a terminal */
	struct sbx_enforcement signed_limits; /* what the signature asks, as tier U meets it */
	int log_fd;
	FILE *log; /* log_fd's own copy, made once (open_log) */
	int keep_fds[MAX_KEEP_FDS];
	size_t n_keep_fds;
	char **argv; /* the program and its arguments */
};

struct denial_sink {
	FILE *log; /* --log-json, or NULL */
	const struct sbx_profile *profile; /* what the suggestions are for */
	const char *home;
	const struct sbx_landlock_plan
		*landlock; /* sbx's own directories: no write grant holds one */
	bool quiet;
	const struct cli_run_observer *observer; /* sbx learn */
	uint64_t seen[1024]; /* hashes of the file acts already explained (0: free) */
	unsigned long held; /* file acts passed on by the launcher, not said again here */
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("run", "%s", msg);
	return SBX_EXIT_RUN_FAILED;
}

static int add_require(struct run_args *a, char *list)
{
	for (char *save = NULL, *name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (!sbx_feature_name_known(name)) {
			char known[512] = "";

			for (size_t i = 0; sbx_feature_names[i]; i++) {
				strncat(known, i ? ", " : "", sizeof(known) - strlen(known) - 1);
				strncat(known, sbx_feature_names[i],
					sizeof(known) - strlen(known) - 1);
			}
			return fail("--require: unknown feature '%s' (known: %s)", name, known);
		}
		if (a->n_require == MAX_REQUIRE)
			return fail("--require: more than %d features", MAX_REQUIRE);
		a->require[a->n_require++] = name;
	}
	return 0;
}

/* PATH, PATH:ro, PATH:rw or PATH:x; the path must exist now. */
static int add_grant(struct run_args *a, const char *spec)
{
	struct sbx_diag d = { 0 };

	if (a->n_grants == MAX_GRANTS)
		return fail("--grant: more than %d paths", MAX_GRANTS);
	if (sbx_launch_parse_grant(spec, &a->grants[a->n_grants], &d))
		return fail("--grant %s", d.msg);
	a->n_grants++;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "allow", required_argument, NULL, 'a' },
		{ "grant", required_argument, NULL, 'g' },
		{ "require", required_argument, NULL, 'r' },
		{ "require-all", no_argument, NULL, 'A' },
		{ "report", no_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "log-json", required_argument, NULL, 'j' },
		{ "keep-fd", required_argument, NULL, 'k' },
		{ "timings", no_argument, NULL, 'T' },
		{ "keep-children", no_argument, NULL, 'K' },
		{ "allow-root", no_argument, NULL, 'O' },
		{ "best-effort", no_argument, NULL, 'B' },
		{ "complain", no_argument, NULL, 'C' },
		{ "explain", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, err, fd;

	a->log_fd = -1;
	optind = 1;
	opterr = 0;
	/* '+': stop at the program's name, so its options stay its own. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'p':
			a->profile = optarg;
			break;
		case 'a': {
			struct sbx_diag d = { 0 };

			if (sbx_profile_allow_check(optarg, &d))
				return fail("%s: %s", d.file, d.msg);
			if (a->n_allow == MAX_REQUIRE)
				return fail("--allow: more than %d keys", MAX_REQUIRE);
			a->allow[a->n_allow++] = optarg;
			break;
		}
		case 'g':
			err = add_grant(a, optarg);
			if (err)
				return err;
			break;
		case 'r':
			err = add_require(a, optarg);
			if (err)
				return err;
			break;
		case 'A':
			a->require_all = true;
			break;
		case 'R':
			a->report = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'K':
			a->keep_tree = true;
			break;
		case 'O':
			a->allow_root = true;
			break;
		case 'B':
			a->best_effort = true;
			break;
		case 'C':
			a->complain = true;
			break;
		case 'E':
			a->explain = true;
			break;
		case 'j':
			errno = 0;
			a->log_fd = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end) { /* not a number: a file, appended to */
				a->log_fd = open(
					optarg,
					O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
				if (a->log_fd < 0)
					return fail("--log-json %s: %s", optarg, strerror(errno));
			} else if (errno || a->log_fd < 0 || fcntl(a->log_fd, F_GETFD) < 0) {
				return fail("--log-json %s: not an open file descriptor", optarg);
			}
			break;
		case 'k':
			errno = 0;
			fd = (int)strtol(optarg, &end, 10);
			if (errno || *end || fd < 3 || fcntl(fd, F_GETFD) < 0)
				return fail("--keep-fd %s: not an open file descriptor above 2",
					    optarg);
			if (a->n_keep_fds == MAX_KEEP_FDS)
				return fail("--keep-fd: more than %d descriptors", MAX_KEEP_FDS);
			a->keep_fds[a->n_keep_fds++] = fd;
			break;
		case 'T':
			sbx_timing_start();
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			return fail("unknown or incomplete option '%s' (see sbx run --help)",
				    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return fail("no program given (see sbx run --help)");
	a->argv = argv + optind;
	return 0;
}

static void print_feature_json(struct sbx_json *j, const struct sbx_feature_state *s)
{
	sbx_json_object_begin(j, NULL);
	sbx_json_string(j, "feature", s->feature);
	sbx_json_bool(j, "wanted", s->wanted);
	sbx_json_bool(j, "enforced", s->enforced);
	sbx_json_bool(j, "available", s->available);
	sbx_json_bool(j, "security", s->security);
	if (s->why[0])
		sbx_json_string(j, "why", s->why);
	sbx_json_object_end(j);
}

/* A --log-json record (schemas/sbx-run-log.v1.schema.json): one line, its type and time first. */
static void log_begin(struct sbx_json *j, FILE *log, const char *type)
{
	char when[SBX_RFC3339_LEN];

	sbx_json_init(j, log, false);
	sbx_json_object_begin(j, NULL);
	sbx_json_string(j, "type", type);
	sbx_json_string(j, "time", sbx_rfc3339_now(when, sizeof(when)));
}

static void log_end(struct sbx_json *j, FILE *log)
{
	sbx_json_object_end(j);
	sbx_json_finish(j);
	fflush(log);
}

static void log_enforcement(FILE *log, const struct sbx_launch *l, const struct sbx_plan *plan,
			    const struct sbx_features *f)
{
	struct sbx_json j;

	log_begin(&j, log, "enforcement");
	sbx_json_string(&j, "identifier", plan->identifier);
	sbx_json_string(&j, "program", l->o.program);
	sbx_json_string(&j, "kernel", f->kernel_release);
	sbx_json_int(&j, "landlock_abi", f->landlock_abi);
	sbx_json_array_begin(&j, "features");
	for (size_t i = 0; i < l->enforced.n; i++)
		print_feature_json(&j, &l->enforced.items[i]);
	sbx_json_array_end(&j);
	sbx_json_array_begin(&j, "notes");
	for (size_t i = 0; i < l->enforced.n_notes; i++)
		sbx_json_string(&j, NULL, l->enforced.notes[i]);
	sbx_json_array_end(&j);
	log_end(&j, log);
}

/*
 * Where the kernel notes are kept: $XDG_STATE_HOME/sbx/kernel-notes, else
 * ~/.local/state/sbx/kernel-notes, as the base sbx starts at and the names beneath it
 * (sbx_enforcement_first_notice): the facts compile names sbx's own directories from
 * (plan.h: own), so the directory the notes are in is the one no write rule reaches.
 */
static void notes_dir(const struct sbx_host_facts *facts, const char **base, const char **rel)
{
	*base = facts->xdg_state_home ? facts->xdg_state_home : facts->home;
	*rel = facts->xdg_state_home ? "" : ".local/state";
}

/* The first feature the profile relies on that this kernel lacks (a hole), or NULL. */
static const struct sbx_feature_state *first_hole(const struct sbx_enforcement *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->items[i].wanted && !e->items[i].enforced && e->items[i].security)
			return &e->items[i];
	return NULL;
}

/*
 * The human report on stderr. With --report: everything. Else a drop that leaves a hole
 * (security; the run goes on only under --best-effort) on every run: the profile relies on
 * it; and a drop that leaves none (another mechanism covers it, or only sbx's explanations
 * lose) once per (kernel, feature) for this user, on a terminal, unless --quiet.
 */
static void print_enforcement(const struct sbx_launch *l, const struct sbx_plan *plan,
			      const char *source, const struct sbx_features *f,
			      const struct sbx_host_facts *facts, bool full, bool quiet)
{
	const struct sbx_enforcement *e = &l->enforced;
	const char *notes_base, *notes_rel;
	bool notice = !full && !quiet && isatty(STDERR_FILENO);

	notes_dir(facts, &notes_base, &notes_rel);

	if (full)
		fprintf(stderr, "sbx: %s under %s (%s); kernel %s, Landlock ABI %d\n", l->o.program,
			plan->identifier ? plan->identifier : "?", source, f->kernel_release,
			f->landlock_abi);
	for (size_t i = 0; i < e->n; i++) {
		const struct sbx_feature_state *s = &e->items[i];
		const char *state = s->enforced	   ? "enforced"
				    : s->wanted	   ? "DROPPED"
				    : s->available ? "available"
						   : "unavailable";

		if (full)
			fprintf(stderr, "sbx:   %-11s %-21s %s%s%s%s\n", state, s->feature, s->what,
				s->why[0] && !s->enforced ? " (" : "", s->enforced ? "" : s->why,
				s->why[0] && !s->enforced ? ")" : "");
		else if (s->wanted && !s->enforced && s->security)
			fprintf(stderr,
				"sbx: warning: not enforced on this kernel: %s (%s)%s%s; left open "
				"(--best-effort)\n",
				s->feature, s->what, s->why[0] ? ": " : "", s->why);
		else if (notice && s->wanted && !s->enforced &&
			 sbx_enforcement_first_notice(notes_base, notes_rel, f->kernel_release,
						      s->feature))
			fprintf(stderr,
				"sbx: note: kernel %s lacks %s (%s)%s%s; said once (--report lists "
				"it, --quiet silences it)\n",
				f->kernel_release, s->feature, s->what, s->why[0] ? ": " : "",
				s->why);
	}
	for (size_t i = 0; full && i < e->n_notes; i++)
		fprintf(stderr, "sbx:   note: %s\n", e->notes[i]);
}

/* Whether this (program, act, path) was explained already: a table of hashes. */
static bool seen_before(struct denial_sink *sink, const struct sbx_seccomp_denial *d)
{
	uint64_t h = 14695981039346656037ULL;
	const char *parts[3] = { d->comm, d->call, d->is_file ? d->file.path : "" };

	/* FNV-1a over the three, each ended by its NUL. */
	for (int i = 0; i < 3; i++) {
		const char *c = parts[i];

		do
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		while (*c++);
	}
	h |= 1;
	for (size_t i = 0, k = h % 1024; i < 1024; i++, k = (k + 1) % 1024) {
		if (sink->seen[k] == h)
			return true;
		if (!sink->seen[k]) {
			sink->seen[k] = h;
			return false;
		}
	}
	return false; /* full: said again rather than lost */
}

/*
 * "add --grant DIR:rw", "add --grant DIR with --allow KEY", "add network.server"; into
 * grant, what the suggestion grants. A write grant of a directory that holds sbx's own is
 * refused by sbx run: then the object itself ("PATH/:rw" makes a new directory, "PATH:rw"
 * a new file), or, when it holds sbx's own too, that no grant allows it.
 */
static void suggestion_of(const struct denial_sink *sink, const struct sbx_seccomp_denial *d,
			  char *buf, size_t len, const char **grant)
{
	struct sbx_suggestion sg;

	*grant = NULL;
	if (d->file.port) {
		snprintf(buf, len, "add network.server (--allow network.server)");
		return;
	}
	sbx_suggest_file_grant(sink->profile, sink->landlock, d->file.need, d->file.dir,
			       d->file.path, sink->home, &sg);
	if (!sg.path) {
		snprintf(buf, len, "no grant allows it (sbx keeps its own directories there)");
		return;
	}
	*grant = sg.path;
	snprintf(buf, len, "add --grant %s%s%s%s%s", sg.path,
		 sg.object && d->file.is_dir ? "/" : "", sg.mode,
		 sg.entitlement ? " with --allow " : "", sg.entitlement ? sg.entitlement : "");
}

/*
 * What a refused call needs: "network.client (--allow network.client)" when its key is one
 * --allow adds (the flag, as a file denial names its --grant), else the key alone.
 */
static const char *call_suggestion(const struct sbx_seccomp_rule *r, char *buf, size_t len)
{
	struct sbx_diag d = { 0 };

	if (!r || !r->entitlement)
		return "an entitlement no profile grants";
	if (sbx_profile_allow_check(r->entitlement, &d))
		return r->entitlement;
	snprintf(buf, len, "%s (--allow %s)", r->entitlement, r->entitlement);
	return buf;
}

static void report_denial(const struct sbx_seccomp_denial *d, void *arg)
{
	struct denial_sink *sink = arg;
	const struct sbx_seccomp_rule *r = d->rule;
	const char *verb = d->complained ? "would be denied" : "denied";
	char syscall_name[64], suggestion[PATH_MAX + 128] = "";
	const char *grant = NULL;
	struct sbx_json j;

	if (sink->observer)
		sink->observer->on_denial(d, sink->observer->arg);
	if (sink->quiet && !sink->log) /* --quiet, no --log-json (sbx learn): nothing to say */
		return;
	if (d->is_file && seen_before(sink, d)) {
		sink->held++;
		return;
	}
	if (d->is_file)
		suggestion_of(sink, d, suggestion, sizeof(suggestion), &grant);
	if (sink->quiet)
		;
	else if (d->is_file)
		fprintf(stderr, "sbx: %s[%d] %s %s of %s: %s\n", SBX_PRINTABLE(d->comm),
			(int)d->pid, verb, d->file.access, SBX_PRINTABLE(d->file.path),
			SBX_PRINTABLE(suggestion));
	else
		fprintf(stderr, "sbx: %s[%d] %s %s: needs %s\n", SBX_PRINTABLE(d->comm),
			(int)d->pid, verb, SBX_PRINTABLE(d->call),
			call_suggestion(r, suggestion, sizeof(suggestion)));
	if (!sink->log)
		return;
	log_begin(&j, sink->log, "denial");
	sbx_json_int(&j, "pid", d->pid);
	sbx_json_string(&j, "process", d->comm);
	if (d->is_file) {
		sbx_json_string(&j, "access", d->file.access);
		sbx_json_string(&j, "path", d->file.path);
		sbx_json_string(&j, "grant", grant);
		sbx_json_errno(&j, "errno", EACCES);
		sbx_json_string(&j, "suggestion", suggestion);
	} else {
		snprintf(syscall_name, sizeof(syscall_name), "%.*s", (int)strcspn(d->call, "("),
			 d->call);
		sbx_json_string(&j, "syscall", syscall_name);
		sbx_json_string(&j, "call", d->call);
		sbx_json_errno(&j, "errno", r ? r->errno_value : ENOSYS);
		sbx_json_string(&j, "reason", r ? r->why : NULL);
		sbx_json_string(&j, "entitlement", r ? r->entitlement : NULL);
	}
	sbx_json_bool(&j, "complain", d->complained);
	log_end(&j, sink->log);
}

/* The log's last record: sbx's exit status, and whether the program ran at all. */
static void log_exit(FILE *log, int status, bool ran)
{
	struct sbx_json j;

	log_begin(&j, log, "exit");
	sbx_json_int(&j, "status", status);
	sbx_json_bool(&j, "ran", ran);
	log_end(&j, log);
}

/*
 * --log-json's stream: a copy of its descriptor that the program does not inherit (nor the
 * descriptor itself). Written through by the run, and ended with the exit record (log_exit)
 * however the run ends.
 */
static int open_log(struct run_args *a)
{
	int fd = fcntl(a->log_fd, F_DUPFD_CLOEXEC, 3);

	a->log = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!a->log) {
		if (fd >= 0)
			close(fd);
		return fail("--log-json %d: %s", a->log_fd, strerror(errno));
	}
	fcntl(a->log_fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

static int exec_failure_status(const struct sbx_launch *l, const struct sbx_diag *d)
{
	if (!l->failed_step || strcmp(l->failed_step, "execve")) {
		cli_error_diag("run", d);
		return SBX_EXIT_RUN_FAILED;
	}
	if (l->failed_errno == EACCES && l->o.plan->landlock.enabled)
		cli_error("run", "cannot execute %s: %s (does the profile grant executing it?)",
			  l->o.program, strerror(l->failed_errno));
	else
		cli_error("run", "cannot execute %s: %s", l->o.program, strerror(l->failed_errno));
	return l->failed_errno == ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
}

static int run_confined(struct run_args *a, const struct sbx_launch_target *t,
			struct sbx_plan *plan, const struct sbx_features *f,
			const struct sbx_host_facts *facts, const struct cli_run_observer *obs,
			bool *ran)
{
	static struct denial_sink sink;
	struct sbx_launch_opts o = {
		.plan = plan,
		.program = t->path,
		.program_fd = t->fd,
		.program_stat = &t->st,
		.script_fd = t->script_fd,
		.container_owner = t->container_owner,
		.argv = a->argv,
		.features = f,
		.require = a->require,
		.require_all = a->require_all,
		.keep_fds = a->keep_fds,
		.n_keep_fds = a->n_keep_fds,
		.pty = true,
		.forward_signals = true,
		.kill_tree = true,
		.keep_tree = a->keep_tree,
		/*
		 * Observing costs a round trip per file act (README): a person at a terminal
		 * gets the explanations by default, a script asks with --explain.
		 */
		.observe_files = (!a->quiet && (a->explain || isatty(STDERR_FILENO))) ||
				 a->log_fd >= 0 || obs,
		.complain = a->complain,
		.on_denial = report_denial,
		.arg = &sink,
	};
	struct sbx_launch l;
	const struct sbx_feature_state *hole;
	struct sbx_diag d = { 0 };
	int status = SBX_EXIT_RUN_FAILED, err;

	memset(&sink, 0, sizeof(sink));
	sink.log = a->log;
	sink.profile = t->profile;
	sink.home = facts->home;
	sink.landlock = &plan->landlock;
	sink.quiet = a->quiet;
	sink.observer = obs;
	/* --grant NEW:rw: made now, and undone if the program never runs. */
	for (size_t i = 0; i < a->n_grants; i++)
		if (sbx_launch_create_grant(&a->grants[i], &d)) {
			while (i--)
				sbx_launch_uncreate_grant(&a->grants[i]);
			return fail("%s", d.msg);
		}
	err = sbx_launch_prepare(&l, &o, &d);
	if (err && l.failed_step && !strcmp(l.failed_step, "require")) {
		status = fail("refused: %s", d.msg);
		goto out;
	}
	if (err) {
		status = fail("%s", d.msg);
		goto out;
	}
	for (size_t i = 0; i < a->signed_limits.n; i++) {
		const struct sbx_feature_state *s = &a->signed_limits.items[i];

		*sbx_enforcement_add(&l.enforced, s->feature, s->what, s->wanted, s->available,
				     s->security) = *s;
	}
	for (size_t i = 0; i < a->signed_limits.n_notes; i++)
		sbx_enforcement_note(&l.enforced, "%s", a->signed_limits.notes[i]);
	/* Under --complain the drops are the mode's, not the kernel's: no once-notes. */
	hole = a->best_effort ? NULL : first_hole(&l.enforced);
	if (!hole || a->report)
		print_enforcement(&l, plan, t->source, f, facts, a->report,
				  a->quiet || a->complain);
	if (sink.log)
		log_enforcement(sink.log, &l, plan, f);
	/* Invariant 5: what the profile relies on is enforced, or the run is refused. */
	if (hole) {
		status = fail("refused: kernel %s (Landlock ABI %d) lacks %s (%s), which this "
			      "profile relies on%s%s; --best-effort runs it with that open",
			      f->kernel_release, f->landlock_abi, hole->feature, hole->what,
			      hole->why[0] ? ": " : "", hole->why);
		goto out;
	}
	/*
	 * What the launcher leaves to its caller (launch.h): sbx holds the seccomp listener,
	 * so no program of this uid may reach into it (ptrace access checks refuse a
	 * process that is not dumpable); and every process the program starts is sbx's to end
	 * (orphans are reparented to sbx, not to init).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		status = fail("prctl: %s", strerror(errno));
		goto out;
	}
	err = sbx_launch_exec(&l, &status, &d);
	/* The launch ignored SIGPIPE while the program ran; its status outranks a lost line. */
	signal(SIGPIPE, SIG_IGN);
	if (err)
		status = exec_failure_status(&l, &d);
	*ran = !err;
	/* Held back: the launcher's repeats and rate limit, and the acts explained already. */
	if (l.denials > l.denials_reported - sink.held && !a->quiet)
		fprintf(stderr,
			"sbx: %lu denials in all, %lu not shown (repeats and the rate limit)\n",
			l.denials, l.denials - (l.denials_reported - sink.held));
out:
	sbx_launch_cleanup(&l);
	for (size_t i = 0; !*ran && i < a->n_grants; i++)
		sbx_launch_uncreate_grant(&a->grants[i]);
	return status;
}

int cmd_run(int argc, char **argv)
{
	return cli_run(argc, argv, NULL);
}

int cli_run(int argc, char **argv, const struct cli_run_observer *obs)
{
	static struct run_args a;
	struct sbx_host_facts facts = { 0 };
	struct sbx_features features;
	struct sbx_launch_target t = { .fd = -1, .script_fd = -1 };
	struct sbx_plan *plan = NULL;
	struct sbx_diag d = { 0 };
	char program[PATH_MAX], profile_path[PATH_MAX], default_path[PATH_MAX], *storage = NULL;
	char why[320];
	struct sbx_target_opts to = { 0 };
	struct sbx_run_given given;
	const size_t storage_len = PATH_MAX * 8;
	bool ran = false;
	int status, err;

	memset(&a, 0, sizeof(a));
	err = parse_args(argc, argv, &a);
	if (err)
		return err < 0 ? SBX_EXIT_OK : err;
	if (a.log_fd >= 0 && (status = open_log(&a)))
		return status;
	/*
	 * One identity, the effective one: the plan is judged for it (the root check below,
	 * landlock/grant_others.c for root). A real or saved id that differs is one the program
	 * could take back (setresuid and setresgid are @credentials), and at its execve
	 * no_new_privs itself makes a real uid 0 the effective one (atk11u I1).
	 */
	if (setresgid(getegid(), getegid(), getegid()) ||
	    setresuid(geteuid(), geteuid(), geteuid())) {
		status = fail("cannot make the real and saved ids the effective ones: %s",
			      strerror(errno));
		goto out;
	}
	/*
	 * Root without capabilities is still uid 0: the owner of every root file the profile
	 * lets it reach (/etc/shadow under a read grant of /etc) and of root's processes. That
	 * is more than an ordinary user gets, so it takes an explicit flag.
	 */
	if (geteuid() == 0 && !a.allow_root) {
		status = fail("refusing to run a program as root: it would own every root file "
			      "its profile reaches; run sbx as an ordinary user (runuser -u USER "
			      "-- sbx run ...), or pass --allow-root");
		goto out;
	}
	err = sbx_launch_resolve_program(a.argv[0], getenv("PATH"), program, sizeof(program), &d);
	if (err) {
		cli_error_diag("run", &d);
		status = err == -ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
		goto out;
	}
	if (sbx_profile_find(a.profile ? a.profile : DEFAULT_PROFILE,
			     a.profile ? profile_path : default_path, PATH_MAX, NULL, &d)) {
		status = fail("%s", d.msg);
		goto out;
	}
	sbx_timing_mark("profile lookup");
	to.profile_file = a.profile ? profile_path : NULL;
	to.default_profile_file = a.profile ? NULL : default_path;
	to.profile_by_name = true;
	err = sbx_launch_target_open(&t, program, &to, &d);
	if (err) {
		cli_error_diag("run", &d);
		status = err == -ENOENT			   ? SBX_EXIT_NOT_FOUND
			 : err == -EACCES || err == -EPERM ? SBX_EXIT_CANNOT_EXEC
							   : SBX_EXIT_RUN_FAILED;
		goto out;
	}
	if (t.warning[0])
		fprintf(stderr, "sbx: warning: %s\n", t.warning);
	if (t.note[0])
		fprintf(stderr, "sbx: %s\n", t.note);
	/* --allow: on top of whichever profile applies; --report names them with its source. */
	for (size_t i = 0; i < a.n_allow; i++) {
		if (sbx_profile_allow(t.profile, a.allow[i], &d)) {
			cli_error_diag("run", &d);
			status = SBX_EXIT_RUN_FAILED;
			goto out;
		}
		snprintf(t.source + strlen(t.source), sizeof(t.source) - strlen(t.source), "%s%s",
			 i ? "," : " + --allow ", a.allow[i]);
	}
	/* Its container: the profile is final now (launch/target.h). */
	given = (struct sbx_run_given){ .grants = a.grants,
					.n_grants = a.n_grants,
					.allow = a.allow,
					.n_allow = a.n_allow,
					.complain = a.complain };
	if (sbx_launch_target_container(&t, &given, &d)) {
		cli_error_diag("run", &d);
		status = SBX_EXIT_RUN_FAILED;
		goto out;
	}
	err = sbx_launch_target_check(&t, a.best_effort, &a.signed_limits, &d);
	if (err) {
		cli_error_diag("run", &d);
		status = SBX_EXIT_CANNOT_EXEC;
		goto out;
	}
	sbx_timing_mark("profile load");
	sbx_features_probe_sandbox(&features);
	sbx_timing_mark("kernel probe");
	storage = malloc(storage_len);
	if (!storage) {
		status = fail("out of memory");
		goto out;
	}
	err = sbx_host_facts_from_environment(&facts, storage, storage_len);
	if (err) {
		status = fail("cannot read the host facts ($HOME, XDG directories): %s",
			      strerror(-err));
		goto out;
	}
	if (facts.xdg_data_home && facts.data_home_problem) /* the $XDG_RUNTIME_DIR fallback */
		sbx_enforcement_note(&a.signed_limits, "%s", facts.data_home_problem);
	facts.program = program;
	facts.grants = a.grants;
	facts.n_grants = a.n_grants;
	facts.features = &features;
	facts.container_key = t.container_key;
	/* nnp and a seccomp filter (facts) are not proof of an enclosing sbx sandbox. */
	if (facts.in_sandbox && sbx_profile_entitled(t.profile, "inherit") &&
	    !sbx_launch_in_sbx_sandbox(why, sizeof(why))) {
		status = fail("inherit: true runs only inside an sbx sandbox, and there is no "
			      "proof of one: %s",
			      why);
		goto out;
	}
	err = sbx_compile(t.profile, &facts, &plan, &d);
	if (err) {
		cli_error_diag("run", &d);
		status = SBX_EXIT_RUN_FAILED;
		goto out;
	}
	sbx_timing_mark("compile");
	if (obs && obs->on_profile)
		obs->on_profile(t.profile, t.source, &facts, plan, obs->arg);
	status = run_confined(&a, &t, plan, &features, &facts, obs, &ran);
	sbx_timing_print(stderr);
out:
	if (a.log) { /* refused before the launch too: the log ends with the exit */
		log_exit(a.log, status, ran);
		fclose(a.log);
	}
	sbx_plan_free(plan);
	sbx_launch_target_close(&t);
	free(storage);
	for (size_t i = 0; i < a.n_grants; i++)
		free((char *)a.grants[i].path);
	return status;
}
