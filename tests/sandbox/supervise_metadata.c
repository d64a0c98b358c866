// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File metadata under the supervisor (userspace/lib/supervise/): Landlock does not govern
 * chmod, chown, utimes or xattrs, so the filter sends every variant to the supervisor,
 * which carries it out on an object it resolved itself, beneath a rule granting writing
 * (reads: reading), and refuses it elsewhere. Each act: carried out inside the write
 * grant, refused in a read-only grant and outside (reads: allowed in the read-only grant),
 * and the unconfined control succeeds outside. Then the races: a second thread rewriting
 * the path, or swapping a symlink under it, never changes a file outside.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "supervise_fixture.h"

FIXTURE(meta)
{
	struct sup_env e;
};

FIXTURE_VARIANT(meta)
{
	const char *act;
	const char *arg;
	bool read; /* a metadata read: allowed where reading is granted */
	bool xattr; /* needs user xattrs on the file system */
	bool everywhere; /* refused inside the write grant too (a set-id bit) */
};

#define META(name, act_, arg_, read_, xattr_)                            \
	FIXTURE_VARIANT_ADD(meta, name)                                  \
	{                                                                \
		.act = act_, .arg = arg_, .read = read_, .xattr = xattr_ \
	}

META(chmod, "chmod", "0640", false, false);
FIXTURE_VARIANT_ADD(meta, chmod_setuid){
	.act = "chmod",
	.arg = "4755",
	.everywhere = true,
};
FIXTURE_VARIANT_ADD(meta, fchmod_setgid){
	.act = "fchmod",
	.arg = "2755",
	.everywhere = true,
};
META(fchmod, "fchmod", "0640", false, false);
META(fchmodat, "fchmodat", "0640", false, false);
META(fchmodat2, "fchmodat2", "0640", false, false);
META(chmod_cwd_relative, "chmod-cwd", "0640", false, false);
META(chmod_proc_self_fd, "chmod-proc-fd", "0640", false, false);
META(chown, "chown", NULL, false, false);
META(lchown, "lchown", NULL, false, false);
META(fchown, "fchown", NULL, false, false);
META(fchownat_empty_path, "fchownat-empty", NULL, false, false);
META(utime, "utime", NULL, false, false);
META(utimes, "utimes", NULL, false, false);
META(utimensat, "utimensat", NULL, false, false);
META(futimens, "futimens", NULL, false, false);
META(setxattr, "setxattr", NULL, false, true);
META(lsetxattr, "lsetxattr", NULL, false, true);
META(fsetxattr, "fsetxattr", NULL, false, true);
META(removexattr, "removexattr", NULL, false, true);
META(getxattr, "getxattr", NULL, true, true);
META(getxattr_by_proc_fd, "fgetxattr", NULL, true, true);
META(listxattr, "listxattr", NULL, true, true);
META(inotify_add_watch, "inotify", NULL, true, false);

FIXTURE_SETUP(meta)
{
	ASSERT_EQ(0, sup_env_setup(&self->e));
	sup_env_metadata_rules(&self->e);
}

FIXTURE_TEARDOWN(meta)
{
	sbx_rmtree(self->e.root);
}

static int run_act(struct sup_env *e, bool confined, const char *act, const char *dir,
		   const char *arg)
{
	char path[PATH_MAX + 64];
	char *argv[] = { "meta_probe", (char *)act, path, (char *)arg, NULL };

	snprintf(path, sizeof(path), "%s/file", dir);
	return sup_env_run(e, confined, argv);
}

TEST_F(meta, inside_carried_out_outside_refused)
{
	struct sup_env *e = &self->e;
	const char *refused = "refused: EACCES\n";

	if (variant->xattr && !sup_user_xattrs(e->grant))
		SKIP(return, "no user xattrs on %.200s (tmpfs before 6.6)", e->root);
	/* The control: unconfined, the act works outside any grant. */
	ASSERT_EQ(0, run_act(e, false, variant->act, e->out, variant->arg));
	if (!strcmp(e->output, "refused: ENOSYS\n"))
		SKIP(return, "the kernel has no %s", variant->act);
	ASSERT_EQ(0, e->status) TH_LOG("%s", e->output);
	sup_env_file(e->out, "file", 0644);

	ASSERT_EQ(0, run_act(e, true, variant->act, e->grant, variant->arg));
	if (variant->everywhere) {
		/* The mode allow-list holds whatever rule covers the file. */
		EXPECT_EQ(3, e->status) TH_LOG("inside the write grant: %s", e->output);
		EXPECT_STREQ(refused, e->output);
		EXPECT_EQ(0644, sup_mode(e->grant, "file"));
		ASSERT_EQ(1, e->seen.n);
		EXPECT_NE(NULL, strstr(e->seen.last.call, "set-user-id or set-group-id"))
		TH_LOG("%s", e->seen.last.call);
		return;
	}
	EXPECT_EQ(0, e->status) TH_LOG("inside the write grant: %s", e->output);
	EXPECT_EQ(0, strncmp(e->output, "ok", 2)) TH_LOG("%s", e->output);
	EXPECT_EQ(0, e->seen.n) TH_LOG("reported: %s", e->seen.last.call);
	if (variant->arg)
		EXPECT_EQ((int)strtol(variant->arg, NULL, 8), sup_mode(e->grant, "file"));

	ASSERT_EQ(0, run_act(e, true, variant->act, e->ro, variant->arg));
	if (variant->read) {
		EXPECT_EQ(0, e->status) TH_LOG("read-only grant: %s", e->output);
	} else {
		EXPECT_EQ(3, e->status);
		EXPECT_STREQ(refused, e->output);
		EXPECT_EQ(0644, sup_mode(e->ro, "file"));
	}

	ASSERT_EQ(0, run_act(e, true, variant->act, e->out, variant->arg));
	EXPECT_EQ(3, e->status);
	EXPECT_STREQ(refused, e->output);
	EXPECT_EQ(0644, sup_mode(e->out, "file"));
}

/*
 * A device node or FIFO beneath the write grant: the supervisor acts on files and
 * directories only, whatever rule covers the object (hole 4: chmod /dev/null; hole 11: a
 * watch on /dev/tty). The control: unconfined, the act works on the same kind of object.
 */
static void nonregular_refused(struct __test_metadata *_metadata, struct sup_env *e,
			       const FIXTURE_VARIANT(meta) * variant, bool device)
{
	char in[PATH_MAX + 32], out[PATH_MAX + 32], obj[PATH_MAX + 64];
	const char *dirs[] = { in, out };

	snprintf(in, sizeof(in), "%s/nonreg", e->grant);
	snprintf(out, sizeof(out), "%s/nonreg", e->out);
	for (int i = 0; i < 2; i++) {
		snprintf(obj, sizeof(obj), "%s/file", dirs[i]);
		ASSERT_EQ(0, mkdir(dirs[i], 0755));
		ASSERT_EQ(0,
			  device ? mknod(obj, S_IFCHR | 0666, makedev(1, 3)) : mkfifo(obj, 0666));
		ASSERT_EQ(0, chmod(obj, 0644));
	}
	ASSERT_EQ(0, run_act(e, false, variant->act, out, variant->arg));
	if (!strcmp(e->output, "refused: ENOSYS\n"))
		SKIP(return, "the kernel has no %s", variant->act);
	if (e->status && device && !strcmp(e->output, "refused: EACCES\n"))
		SKIP(return, "%.200s is mounted nodev", e->root);
	/*
	 * The kernel itself refuses user xattrs on special files (EPERM): then the control is
	 * that answer, and the supervisor's own refusal (EACCES, with its reason) differs.
	 */
	if (variant->xattr && e->status) {
		ASSERT_STRNE("refused: EACCES\n", e->output);
	} else {
		ASSERT_EQ(0, e->status) TH_LOG("unconfined control: %s", e->output);
	}

	ASSERT_EQ(0, run_act(e, true, variant->act, in, variant->arg));
	EXPECT_EQ(3, e->status) TH_LOG("%s", e->output);
	EXPECT_STREQ("refused: EACCES\n", e->output);
	EXPECT_EQ(0644, sup_mode(in, "file"));
	ASSERT_LE(1, e->seen.n);
	/* A set-id bit is refused before the object is looked at. */
	EXPECT_NE(NULL,
		  strstr(e->seen.last.call,
			 variant->everywhere ? "set-user-id or set-group-id" : "): not a file"))
	TH_LOG("%s", e->seen.last.call);
}

TEST_F(meta, fifo_in_the_write_grant_refused)
{
	nonregular_refused(_metadata, &self->e, variant, false);
}

TEST_F(meta, device_node_in_the_write_grant_refused)
{
	if (geteuid())
		SKIP(return, "mknod of a device node needs root (the FIFO test covers uid %u)",
			   geteuid());
	nonregular_refused(_metadata, &self->e, variant, true);
}

/* The tests below need no variants: one fixture of their own. */
FIXTURE(supervise)
{
	struct sup_env e;
};

FIXTURE_SETUP(supervise)
{
	ASSERT_EQ(0, sup_env_setup(&self->e));
	sup_env_metadata_rules(&self->e);
}

FIXTURE_TEARDOWN(supervise)
{
	sbx_rmtree(self->e.root);
}

/* The refusal is explained: which call, on what, and why. */
TEST_F(supervise, refusal_reported)
{
	struct sup_env *e = &self->e;
	char expect[PATH_MAX + 64];

	ASSERT_EQ(0, run_act(e, true, "chmod", e->out, "0600"));
	EXPECT_EQ(3, e->status);
	ASSERT_EQ(1, e->seen.n);
	snprintf(expect, sizeof(expect), "chmod(%.60s/file): outside the grants", e->out);
	EXPECT_STREQ(expect, e->seen.last.call);
	EXPECT_EQ(EACCES, e->seen.last.rule->errno_value);
}

/* Without a supervisor rule the kernel alone decides, and Landlock lets chmod through. */
/*
 * A read grant lets the program read files, not see who else opens them (atk5u D: a watch
 * on /usr/bin names every program anyone runs). IN_OPEN is kept where the program may
 * write, taken out of the mask in a read-only grant (a watch for changes too still works),
 * and a watch for opens alone is refused there. The control: unconfined, the open is
 * reported in the same directory.
 */
TEST_F(supervise, access_events_only_on_own_files)
{
	struct sup_env *e = &self->e;
	char *argv[] = { "meta_probe", "inotify-open", NULL, "attrib", NULL };
	char path[PATH_MAX + 64];

	argv[2] = path;
	sup_env_file(e->ro, "file", 0644);
	snprintf(path, sizeof(path), "%s/file", e->ro);
	ASSERT_EQ(0, sup_env_run(e, false, argv));
	ASSERT_STREQ("ok open-reported=1\n", e->output);

	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_STREQ("ok open-reported=0\n", e->output);
	argv[3] = NULL;
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_STREQ("refused: EACCES\n", e->output);
	ASSERT_LE(1, e->seen.n);
	EXPECT_NE(NULL, strstr(e->seen.last.call, "access events outside"))
	TH_LOG("%s", e->seen.last.call);

	sup_env_file(e->grant, "file", 0644);
	snprintf(path, sizeof(path), "%s/file", e->grant);
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_STREQ("ok open-reported=1\n", e->output);
}

TEST_F(supervise, without_the_rules_chmod_escapes)
{
	struct sup_env *e = &self->e;

	e->plan.seccomp.n_rules = 0;
	ASSERT_EQ(0, run_act(e, true, "chmod", e->out, "0604"));
	EXPECT_EQ(0, e->status);
	EXPECT_EQ(0604, sup_mode(e->out, "file"));
}

/*
 * A second thread rewrites the path between a path inside the grant and one outside while
 * the first calls chmod: the supervisor acts on the copy it read and the object it
 * resolved, so the outside file never changes, whichever copy it got.
 */
TEST_F_TIMEOUT(supervise, race_rewriting_the_path_never_wins, 120)
{
	struct sup_env *e = &self->e;
	char good[PATH_MAX + 64], bad[PATH_MAX + 64];
	char *argv[] = { "meta_probe", "race-arg", good, bad, NULL };

	snprintf(good, sizeof(good), "%s/file", e->grant);
	snprintf(bad, sizeof(bad), "%s/file", e->out);
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	TH_LOG("%s", e->output);
	EXPECT_EQ(0644, sup_mode(e->out, "file"));
}

/* A symlink in the grant swapped between a file inside and one outside, under chmod. */
TEST_F_TIMEOUT(supervise, race_swapping_a_symlink_never_wins, 120)
{
	struct sup_env *e = &self->e;
	char link[PATH_MAX + 64], good[PATH_MAX + 64], bad[PATH_MAX + 64];
	char *argv[] = { "meta_probe", "race-link", link, good, bad, NULL };

	snprintf(link, sizeof(link), "%s/link", e->grant);
	snprintf(good, sizeof(good), "%s/file", e->grant);
	snprintf(bad, sizeof(bad), "%s/file", e->out);
	ASSERT_EQ(0, symlink(good, link));
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	TH_LOG("%s", e->output);
	EXPECT_EQ(0644, sup_mode(e->out, "file"));
}

/* A symlink inside the grant pointing outside: chmod follows it and is refused; lchown
 * acts on the link itself, which is inside. */
TEST_F(supervise, symlink_out_of_the_grant)
{
	struct sup_env *e = &self->e;
	char link[PATH_MAX + 64], bad[PATH_MAX + 64];
	char *chmod_argv[] = { "meta_probe", "chmod", link, "0604", NULL };
	char *lchown_argv[] = { "meta_probe", "lchown", link, NULL };

	snprintf(link, sizeof(link), "%s/link", e->grant);
	snprintf(bad, sizeof(bad), "%s/file", e->out);
	ASSERT_EQ(0, symlink(bad, link));
	ASSERT_EQ(0, sup_env_run(e, true, chmod_argv));
	EXPECT_EQ(3, e->status);
	EXPECT_EQ(0644, sup_mode(e->out, "file"));
	ASSERT_EQ(0, sup_env_run(e, true, lchown_argv));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
}

/* A hard link into the grant made outside the sandbox: judged by the directory it was
 * reached through, as Landlock judges a write through it. */
TEST_F(supervise, hard_link_in_the_grant_is_the_grant)
{
	struct sup_env *e = &self->e;
	char hard[PATH_MAX + 64], bad[PATH_MAX + 64];
	char *argv[] = { "meta_probe", "chmod", hard, "0640", NULL };

	snprintf(hard, sizeof(hard), "%s/hard", e->grant);
	snprintf(bad, sizeof(bad), "%s/file", e->ro);
	ASSERT_EQ(0, link(bad, hard));
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
}

TEST_F(supervise, dotdot_out_of_the_grant_refused)
{
	struct sup_env *e = &self->e;
	char path[PATH_MAX + 64];
	char *argv[] = { "meta_probe", "chmod", path, "0604", NULL };

	snprintf(path, sizeof(path), "%s/../out/file", e->grant);
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(3, e->status);
	EXPECT_EQ(0644, sup_mode(e->out, "file"));
}

TEST_F(supervise, missing_file_answers_enoent)
{
	struct sup_env *e = &self->e;
	char path[PATH_MAX + 64];
	char *argv[] = { "meta_probe", "chmod", path, "0604", NULL };

	snprintf(path, sizeof(path), "%s/nothing", e->grant);
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(3, e->status);
	EXPECT_STREQ("refused: ENOENT\n", e->output);
	EXPECT_EQ(0, e->seen.n);
}

/*
 * The executor holds no capabilities, even when sbx runs as root: chmod of a file in the
 * grant that another user owns fails as it would for the program (EPERM), where root with
 * CAP_FOWNER (the control) succeeds.
 */
TEST_F(supervise, executor_has_no_capabilities)
{
	struct sup_env *e = &self->e;
	char path[PATH_MAX + 64];
	char *argv[] = { "meta_probe", "chmod", path, "0600", NULL };

	snprintf(path, sizeof(path), "%s/file", e->grant);
	if (chown(path, 12345, 12345))
		SKIP(return, "only root can give a file to another user");
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(3, e->status);
	EXPECT_STREQ("refused: EPERM\n", e->output);
	EXPECT_EQ(0, e->seen.n); /* the kernel's answer, not a refusal by the plan */
	ASSERT_EQ(0, sup_env_run(e, false, argv));
	EXPECT_EQ(0, e->status);
}

/*
 * A program that made itself non-dumpable (ssh-agent does) is out of reach of
 * process_vm_readv and pidfd_getfd for a user: its calls are refused with EPERM and the
 * explanation says why (fail closed). Root's supervisor still reaches it (CAP_SYS_PTRACE).
 */
TEST_F(supervise, not_dumpable_program_refused)
{
	struct sup_env *e = &self->e;
	char path[PATH_MAX + 64];
	char *argv[] = { "meta_probe", "nodump-chmod", path, "0640", NULL };

	snprintf(path, sizeof(path), "%s/file", e->grant);
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	if (geteuid() == 0) {
		EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
		EXPECT_EQ(0640, sup_mode(e->grant, "file"));
		return;
	}
	EXPECT_EQ(3, e->status);
	EXPECT_STREQ("refused: EPERM\n", e->output);
	ASSERT_EQ(1, e->seen.n);
	EXPECT_NE(NULL, strstr(e->seen.last.call, "cannot read the program's arguments"))
	TH_LOG("%s", e->seen.last.call);
	EXPECT_EQ(0644, sup_mode(e->grant, "file"));
}

/*
 * What a carried-out call costs: chmod in the write grant, carried out by the supervisor,
 * against the same chmod unconfined. Printed (bench/supervise.bench.sh shows it), never
 * asserted: a figure of this machine and moment.
 */
TEST_F(supervise, cost_of_a_carried_out_call)
{
	struct sup_env *e = &self->e;
	char path[PATH_MAX + 64], out[128];
	char *argv[] = { "meta_probe", "loop-chmod", path, "2000", NULL };

	snprintf(path, sizeof(path), "%s/file", e->grant);
	ASSERT_EQ(0, sup_env_run(e, false, argv));
	ASSERT_EQ(0, e->status) TH_LOG("%s", e->output);
	snprintf(out, sizeof(out), "%.*s", (int)strcspn(e->output, "\n"), e->output);
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	ASSERT_EQ(0, e->status) TH_LOG("%s", e->output);
	TH_LOG("supervised chmod: %.*s (unconfined: %s)", (int)strcspn(e->output, "\n"), e->output,
	       out);
}

TEST_HARNESS_MAIN
