/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the supervisor's suites (supervise_*.c): a private tree with a directory the
 * plan grants writing (grant/), one it grants reading only (ro/) and one it does not name
 * (out/); a hand-built plan (Landlock for that tree and the system, seccomp rules that send
 * the calls under test to the supervisor); and a launcher that runs a helper under it
 * through the library, collecting the denials the supervisor reports.
 */
#ifndef SBX_TEST_SUPERVISE_FIXTURE_H
#define SBX_TEST_SUPERVISE_FIXTURE_H

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "landlock/landlock.h"
#include "launch/launch.h"
#include "uapi_compat.h"

#define SUP_FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define SUP_FS_RX   (SUP_FS_READ | LANDLOCK_ACCESS_FS_EXECUTE)
#define SUP_FS_ALL  ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1) /* ABI 1 */

struct sup_seen {
	int n;
	struct sbx_seccomp_denial last;
	struct sbx_seccomp_rule rule; /* last.rule points here: the launch's ends with it */
};

static void sup_collect(const struct sbx_seccomp_denial *d, void *arg)
{
	struct sup_seen *s = arg;

	s->n++;
	s->last = *d;
	if (d->rule) {
		s->rule = *d->rule;
		s->last.rule = &s->rule;
	}
}

struct sup_env {
	char root[PATH_MAX], grant[PATH_MAX + 16], ro[PATH_MAX + 16], out[PATH_MAX + 16];
	char helper_dir[PATH_MAX + 64];
	struct sbx_fs_rule fs[9];
	struct sbx_seccomp_rule rules[64];
	struct sbx_plan plan;
	struct sup_seen seen;
	char output[4096];
	int status;
};

static inline void sup_env_rule(struct sup_env *e, const char *name, unsigned int below_abi)
{
	size_t i = e->plan.seccomp.n_rules++;

	e->rules[i] = (struct sbx_seccomp_rule){ .syscall = name,
						 .errno_value = EACCES,
						 .why = "carried out by the supervisor",
						 .answer = SBX_ANSWER_SUPERVISOR,
						 .below_abi = below_abi };
}

/* The calls the supervisor carries out that this libseccomp can name. */
static inline void sup_env_metadata_rules(struct sup_env *e)
{
	static const char *const calls[] = {
		"chmod",       "fchmod",       "fchmodat",     "fchmodat2",  "chown",
		"fchown",      "lchown",       "fchownat",     "utime",	     "utimes",
		"futimesat",   "utimensat",    "setxattr",     "lsetxattr",  "fsetxattr",
		"removexattr", "lremovexattr", "fremovexattr", "getxattr",   "lgetxattr",
		"fgetxattr",   "listxattr",    "llistxattr",   "flistxattr", "inotify_add_watch",
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		sup_env_rule(e, calls[i], 0);
}

static inline void sup_env_file(const char *dir, const char *name, mode_t mode)
{
	char p[PATH_MAX + 64];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd >= 0) {
		if (write(fd, "data\n", 5) != 5)
			perror(p);
		fchmod(fd, mode);
		close(fd);
	}
	setxattr(p, "user.sbx", "v0", 2, 0); /* where the file system has user xattrs */
}

static inline int sup_env_setup(struct sup_env *e)
{
	static const char *const sys[] = { "/usr", "/lib", "/lib64", "/bin", "/etc" };
	char *slash;
	size_t n = 0;

	memset(e, 0, sizeof(*e));
	if (!sbx_mkdtemp(e->root, sizeof(e->root)))
		return -1;
	snprintf(e->grant, sizeof(e->grant), "%s/grant", e->root);
	snprintf(e->ro, sizeof(e->ro), "%s/ro", e->root);
	snprintf(e->out, sizeof(e->out), "%s/out", e->root);
	if (mkdir(e->grant, 0755) || mkdir(e->ro, 0755) || mkdir(e->out, 0755))
		return -1;
	sup_env_file(e->grant, "file", 0644);
	sup_env_file(e->ro, "file", 0644);
	sup_env_file(e->out, "file", 0644);
	snprintf(e->helper_dir, sizeof(e->helper_dir), "%s", sbx_test_helper("meta_probe"));
	slash = strrchr(e->helper_dir, '/');
	if (slash)
		*slash = '\0';
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		e->fs[n++] = (struct sbx_fs_rule){
			.path = (char *)sys[i], .access = SUP_FS_RX, .min_abi = 1, .if_exists = true
		};
	e->fs[n++] =
		(struct sbx_fs_rule){ .path = e->helper_dir, .access = SUP_FS_RX, .min_abi = 1 };
	e->fs[n++] = (struct sbx_fs_rule){ .path = e->grant, .access = SUP_FS_ALL, .min_abi = 1 };
	e->fs[n++] = (struct sbx_fs_rule){ .path = e->ro, .access = SUP_FS_READ, .min_abi = 1 };
	e->plan.identifier = "org.sbx.test.supervise";
	e->plan.process.no_new_privs = true;
	e->plan.process.drop_capabilities = true;
	e->plan.landlock = (struct sbx_landlock_plan){
		.enabled = true, .handled_fs = SUP_FS_ALL, .fs = e->fs, .n_fs = n
	};
	e->plan.seccomp = (struct sbx_seccomp_plan){ .enabled = true,
						     .deny_foreign_arches = true,
						     .rules = e->rules };
	return 0;
}

/*
 * Run helper argv (NULL-ended, argv[0] the helper's name) under the plan, or unconfined
 * (plain fork and exec) when confined is false. Its stdout goes to e->output; returns 0
 * and e->status, or -errno if it never ran.
 */
static inline int sup_env_run(struct sup_env *e, bool confined, char *const argv[])
{
	struct sbx_features f;
	struct sbx_launch l;
	struct sbx_diag d = { 0 };
	struct sbx_launch_opts o = { .plan = &e->plan,
				     .program = sbx_test_helper(argv[0]),
				     .argv = argv,
				     .features = &f,
				     .on_denial = sup_collect,
				     .arg = &e->seen };
	char tmpl[] = "/tmp/sbx-supervise-out.XXXXXX";
	char program[PATH_MAX + 64];
	int fd = mkstemp(tmpl), saved = dup(1), err = 0;
	ssize_t n;

	snprintf(program, sizeof(program), "%s", o.program);
	o.program = program;
	unlink(tmpl);
	memset(&e->seen, 0, sizeof(e->seen));
	fflush(stdout);
	if (confined) {
		/* The caller's part when the filter notifies (launch/launch.h). */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		sbx_features_probe_sandbox(&f);
		err = sbx_launch_prepare(&l, &o, &d);
		if (!err) {
			dup2(fd, 1);
			err = sbx_launch_exec(&l, &e->status, &d);
			dup2(saved, 1);
		}
		if (err)
			fprintf(stderr, "# launch: %s\n", d.msg);
		sbx_launch_cleanup(&l);
	} else {
		pid_t pid = fork();
		int ws;

		if (pid == 0) {
			dup2(fd, 1);
			execv(program, argv);
			_exit(127);
		}
		waitpid(pid, &ws, 0);
		e->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	}
	close(saved);
	n = pread(fd, e->output, sizeof(e->output) - 1, 0);
	e->output[n > 0 ? n : 0] = '\0';
	close(fd);
	return err;
}

static inline int sup_mode(const char *dir, const char *name)
{
	char p[PATH_MAX + 64];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) ? -1 : (int)(st.st_mode & 07777);
}

/* Whether the file system under dir keeps user xattrs (tmpfs before 6.6 does not). */
static inline bool sup_user_xattrs(const char *dir)
{
	char p[PATH_MAX + 64], v[8];

	snprintf(p, sizeof(p), "%s/file", dir);
	return getxattr(p, "user.sbx", v, sizeof(v)) == 2;
}

#endif /* SBX_TEST_SUPERVISE_FIXTURE_H */
