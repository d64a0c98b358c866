// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Root's own files through a system tree's grant (attack review atk8u R1).
 *
 * app-sandbox grants /etc read-only to every program; Landlock grants it with all beneath
 * it and leaves the rest to DAC. A program run as root under --allow-root has no capability
 * left, but it is still the owner of root's files, and DAC asks no capability of an owner:
 * it read /etc/shadow, ssh host keys, any 0600 file of root's under /etc. An ordinary user
 * reads none of them. sbx now grants root a system tree only as far as others may read it.
 *
 * The fixture is a tree of the test's own under /etc (root only: nobody else may create
 * one there): a file of root's 0600, a file another user owns in root's group 0640 (root
 * reads it through the group bits), a world-readable file in a directory only root may
 * enter (0700), and a world-readable file that must stay readable (the grant still works).
 * /etc/shadow too, where it is there and not readable by others. The control runs the same
 * reads unconfined (root reads every one); confined, only the public file is read.
 *
 * The supervisor carries some calls out for the program (getxattr, inotify watches) after
 * judging the object against the grants: it judges by the same parts, so root's program
 * reads no attribute of root's 0600 file either (bin/escape_probe getxattr).
 *
 * The tree stays listed as others list it (`ls /etc`): a listing is judged on each
 * directory, not on its subtree (grant_others.c), so names are listed, files are not read.
 *
 * As uid 65534 the fixture cannot be made and DAC refuses /etc/shadow unconfined: the test
 * checks the confined refusal and SKIPs, naming that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

/* Each target read by `cat`, one verdict line each: "read PATH" or "refused PATH". */
#define READS                                                                                  \
	"for f; do if cat \"$f\" >/dev/null 2>&1; then echo \"read $f\"; else echo \"refused " \
	"$f\"; fi; done"

FIXTURE(root_system)
{
	char tmp[PATH_MAX]; /* HOME and XDG_DATA_HOME of the runs */
	char tree[PATH_MAX]; /* the fixture under /etc, "" when not made */
	char secret[PATH_MAX + 16], group[PATH_MAX + 16], inner[PATH_MAX + 32],
		public[PATH_MAX + 16];
	bool shadow; /* /etc/shadow is there and others may not read it */
};

static int put(const char *path, const char *text, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)strlen(text) || chmod(path, mode) || chown(path, uid, gid))
		return -1;
	return 0;
}

FIXTURE_SETUP(root_system)
{
	struct stat st;
	char dir[PATH_MAX + 16];

	ASSERT_NE(NULL, sbx_mkdtemp(self->tmp, sizeof(self->tmp)));
	self->shadow = !stat("/etc/shadow", &st) && !(st.st_mode & S_IROTH);
	self->tree[0] = '\0';
	if (geteuid() != 0)
		return;
	snprintf(self->tree, sizeof(self->tree), "/etc/sbx-escape-root.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tree)) TH_LOG("mkdtemp under /etc: %s", strerror(errno));
	ASSERT_EQ(0, chmod(self->tree, 0755));
	snprintf(self->secret, sizeof(self->secret), "%s/secret", self->tree);
	snprintf(self->group, sizeof(self->group), "%s/group", self->tree);
	snprintf(self->public, sizeof(self->public), "%s/public", self->tree);
	snprintf(dir, sizeof(dir), "%s/hidden", self->tree);
	snprintf(self->inner, sizeof(self->inner), "%s/inner", dir);
	ASSERT_EQ(0, put(self->secret, "root-secret\n", 0600, 0, 0));
	ASSERT_EQ(0, put(self->group, "group-secret\n", 0640, 65534, 0));
	ASSERT_EQ(0, put(self->public, "public\n", 0644, 0, 0));
	ASSERT_EQ(0, mkdir(dir, 0700));
	ASSERT_EQ(0, put(self->inner, "hidden\n", 0644, 0, 0));
}

FIXTURE_TEARDOWN(root_system)
{
	if (self->tree[0])
		sbx_rmtree(self->tree);
	sbx_rmtree(self->tmp);
}

/* Each directory listed by `ls`, one verdict line each: "listed DIR" or "refused DIR". */
#define LISTS                                                                                   \
	"for d; do if ls \"$d\" >/dev/null 2>&1; then echo \"listed $d\"; else echo \"refused " \
	"$d\"; fi; done"

/* sh -c script with the targets (NULL-ended), unconfined or under sbx run; output in r. */
static void run_sh(FIXTURE_DATA(root_system) * self, bool confined, const char *script,
		   char *const targets[], struct sbx_cmd_result *r)
{
	char profile[PATH_MAX], home[PATH_MAX + 8], xdg[PATH_MAX + 32];
	char *argv[24], *envp[] = { "PATH=/usr/bin:/bin", home, xdg, NULL };
	int a = 0;

	snprintf(profile, sizeof(profile), "%s%s", sbx_src(), PROFILE);
	snprintf(home, sizeof(home), "HOME=%s", self->tmp);
	snprintf(xdg, sizeof(xdg), "XDG_DATA_HOME=%s/.local/share", self->tmp);
	if (confined) {
		argv[a++] = (char *)sbx_bin();
		argv[a++] = "run";
		argv[a++] = "--allow-root";
		argv[a++] = "--quiet";
		argv[a++] = "--profile";
		argv[a++] = profile;
		argv[a++] = "--";
	}
	argv[a++] = "sh";
	argv[a++] = "-c";
	argv[a++] = (char *)script;
	argv[a++] = "sh";
	for (size_t i = 0; targets[i] && a < 23; i++)
		argv[a++] = targets[i];
	argv[a] = NULL;
	sbx_run_capture_env(argv, envp, r);
}

/* sh -c READS with the fixture's files and /etc/shadow. */
static void run_reads(FIXTURE_DATA(root_system) * self, bool confined, struct sbx_cmd_result *r)
{
	char *targets[6];
	int a = 0;

	if (self->tree[0]) {
		targets[a++] = self->secret;
		targets[a++] = self->group;
		targets[a++] = self->inner;
		targets[a++] = self->public;
	}
	if (self->shadow)
		targets[a++] = "/etc/shadow";
	targets[a] = NULL;
	run_sh(self, confined, READS, targets, r);
}

static bool said(const struct sbx_cmd_result *r, const char *verdict, const char *path)
{
	char line[PATH_MAX + 32];

	snprintf(line, sizeof(line), "%s %s\n", verdict, path);
	return strstr(r->out, line) != NULL;
}

TEST_F(root_system, read_root_files_through_etc)
{
	static struct sbx_cmd_result control, confined;
	const char *root_only[] = { self->secret, self->group, self->inner, "/etc/shadow" };

	if (!self->tree[0] && !self->shadow)
		SKIP(return,
			   "no fixture (uid %d may not create one under /etc) and no /etc/shadow "
			   "that others may not read",
			   (int)geteuid());
	run_reads(self, false, &control);
	run_reads(self, true, &confined);
	TH_LOG("control:\n%sconfined (status %d):\n%s%s", control.out, confined.status,
	       confined.out, confined.err);
	ASSERT_EQ(0, confined.status);
	if (!self->tree[0]) {
		/* uid 65534: DAC refuses /etc/shadow unconfined too; confined must refuse it. */
		ASSERT_TRUE(said(&confined, "refused", "/etc/shadow"));
		if (said(&control, "refused", "/etc/shadow"))
			SKIP(return,
				   "uid %d may not read /etc/shadow unconfined either (DAC): the "
				   "confined refusal holds, root's case is the test",
				   (int)geteuid());
		ASSERT_TRUE(false) TH_LOG("uid %d read /etc/shadow unconfined", (int)geteuid());
	}
	/* The control: root reads every one of them. */
	for (size_t i = 0; i < sizeof(root_only) / sizeof(root_only[0]); i++) {
		if (i < 3 || self->shadow) {
			ASSERT_TRUE(said(&control, "read", root_only[i]))
			TH_LOG("%s", root_only[i]);
		}
	}
	ASSERT_TRUE(said(&control, "read", self->public));
	/* Confined: none of root's own, and the grant still gives what others may read. */
	for (size_t i = 0; i < sizeof(root_only) / sizeof(root_only[0]); i++) {
		if (i < 3 || self->shadow) {
			EXPECT_TRUE(said(&confined, "refused", root_only[i]))
			TH_LOG("HOLE: root read %s through the /etc grant", root_only[i]);
		}
	}
	EXPECT_TRUE(said(&confined, "read", self->public));
}

/*
 * The system tree is listed, as others list it: `ls /etc` and the fixture's directory
 * (whose files are not all others'), as root and as 65534. Granted by parts, the directory
 * over root's own files got no listing at first, and ls /etc failed for root. What the
 * listing does not give: the files (read_root_files_through_etc).
 */
TEST_F(root_system, list_system_tree)
{
	static struct sbx_cmd_result control, confined;
	char *targets[] = { "/etc", self->tree[0] ? self->tree : NULL, NULL };

	run_sh(self, false, LISTS, targets, &control);
	run_sh(self, true, LISTS, targets, &confined);
	TH_LOG("control:\n%sconfined (status %d):\n%s%s", control.out, confined.status,
	       confined.out, confined.err);
	ASSERT_TRUE(said(&control, "listed", "/etc"));
	ASSERT_EQ(0, confined.status);
	EXPECT_TRUE(said(&confined, "listed", "/etc")) TH_LOG("ls /etc refused");
	if (self->tree[0]) {
		ASSERT_TRUE(said(&control, "listed", self->tree));
		EXPECT_TRUE(said(&confined, "listed", self->tree))
		TH_LOG("ls %s refused", self->tree);
	}
}

/* bin/escape_probe getxattr PATH, unconfined or under sbx run; its verdict line in r. */
static void run_getxattr(FIXTURE_DATA(root_system) * self, bool confined, const char *path,
			 struct sbx_cmd_result *r)
{
	char profile[PATH_MAX], home[PATH_MAX + 8], xdg[PATH_MAX + 32];
	char *envp[] = { "PATH=/usr/bin:/bin", home, xdg, NULL };
	char *argv[] = { (char *)sbx_bin(),
			 "run",
			 "--allow-root",
			 "--quiet",
			 "--profile",
			 profile,
			 "--",
			 (char *)sbx_test_helper("escape_probe"),
			 "getxattr",
			 (char *)path,
			 NULL };

	snprintf(profile, sizeof(profile), "%s%s", sbx_src(), PROFILE);
	snprintf(home, sizeof(home), "HOME=%s", self->tmp);
	snprintf(xdg, sizeof(xdg), "XDG_DATA_HOME=%s/.local/share", self->tmp);
	sbx_run_capture_env(confined ? argv : argv + 7, envp, r);
}

TEST_F(root_system, getxattr_of_root_files_through_etc)
{
	static struct sbx_cmd_result control, confined;
	const char *path = self->tree[0] ? self->secret : "/etc/shadow";
	const char *public = self->tree[0] ? self->public : "/etc/passwd";

	if (!self->tree[0] && !self->shadow)
		SKIP(return,
			   "no fixture (uid %d may not create one under /etc) and no /etc/shadow "
			   "that others may not read",
			   (int)geteuid());
	run_getxattr(self, false, path, &control);
	run_getxattr(self, true, path, &confined);
	TH_LOG("control: %sconfined (status %d): %s%s", control.out, confined.status, confined.out,
	       confined.err);
	ASSERT_NE(NULL, strstr(confined.out, "escape-probe: "));
	EXPECT_EQ(NULL, strstr(confined.out, "escaped"))
	TH_LOG("HOLE: root read the attributes of %s through the /etc grant", path);
	/* What others may read, the supervisor still carries out (the grants the ruleset's
	 * walk recorded, handed to it). */
	run_getxattr(self, true, public, &confined);
	EXPECT_NE(NULL, strstr(confined.out, "escaped"))
	TH_LOG("the supervisor refused getxattr of %s: %s%s", public, confined.out, confined.err);
	if (!strstr(control.out, "escaped"))
		SKIP(return,
			   "uid %d may not read the attributes of /etc/shadow unconfined "
			   "either (DAC)",
			   (int)geteuid());
}

/*
 * Root that dropped only its effective ids (atk11u I1: seteuid in a daemon, setpriv
 * --euid, perl's $>) keeps a real uid and gid of 0. sbx judged the run for the effective
 * uid alone: no --allow-root asked, and /etc granted whole, as to any user. The program
 * takes the real ids back (setresuid is allowed), and no_new_privs' own downgrade at its
 * execve already makes a real uid 0 the effective one: root's files read through /etc.
 * Control: the same launch unconfined reads them once it takes the ids back.
 */
TEST_F(root_system, real_root_under_a_dropped_euid)
{
	static struct sbx_cmd_result control, confined;
	char profile[PATH_MAX], home[PATH_MAX + 8], xdg[PATH_MAX + 32];
	char *envp[] = { "PATH=/usr/bin:/bin", home, xdg, NULL };
	char *probe = (char *)sbx_test_helper("escape_probe");
	char *unconfined[] = { "/usr/bin/setpriv",
			       "--euid=65534",
			       "--egid=65534",
			       "--clear-groups",
			       probe,
			       "reuid_read",
			       self->secret,
			       NULL };
	char *under_sbx[] = { "/usr/bin/setpriv",
			      "--euid=65534",
			      "--egid=65534",
			      "--clear-groups",
			      (char *)sbx_bin(),
			      "run",
			      "--quiet",
			      "--profile",
			      profile,
			      "--",
			      probe,
			      "reuid_read",
			      self->secret,
			      NULL };

	if (!self->tree[0])
		SKIP(return, "a real uid 0 under another effective uid needs root (uid %d)",
			   (int)geteuid());
	if (access(unconfined[0], X_OK))
		SKIP(return, "util-linux setpriv not found");
	/* sbx's effective uid 65534 must own where the container is made. */
	ASSERT_EQ(0, chown(self->tmp, 65534, 65534));
	snprintf(profile, sizeof(profile), "%s%s", sbx_src(), PROFILE);
	snprintf(home, sizeof(home), "HOME=%s", self->tmp);
	snprintf(xdg, sizeof(xdg), "XDG_DATA_HOME=%s/.local/share", self->tmp);
	sbx_run_capture_env(unconfined, envp, &control);
	sbx_run_capture_env(under_sbx, envp, &confined);
	TH_LOG("control: %sconfined (status %d): %s%s", control.out, confined.status, confined.out,
	       confined.err);
	ASSERT_NE(NULL, strstr(control.out, "escape-probe: escaped"));
	ASSERT_NE(NULL, strstr(confined.out, "escape-probe: "));
	EXPECT_EQ(NULL, strstr(confined.out, "escaped"))
	TH_LOG("HOLE: a real uid 0 left to the program read %s", self->secret);
}

/*
 * The refusal is explained like any other (--explain): sbx judges a system rule granted by
 * parts by the object, not by the name beneath /etc.
 */
TEST_F(root_system, refusal_is_explained)
{
	static struct sbx_cmd_result r;
	char profile[PATH_MAX], home[PATH_MAX + 8], xdg[PATH_MAX + 32], line[PATH_MAX + 64];
	char *envp[] = { "PATH=/usr/bin:/bin", home, xdg, NULL };
	char *argv[] = { (char *)sbx_bin(), "run", "--allow-root", "--explain",	 "--profile",
			 profile,	    "--",  "cat",	   self->secret, NULL };

	if (!self->tree[0])
		SKIP(return, "no fixture (uid %d may not create one under /etc)", (int)geteuid());
	snprintf(profile, sizeof(profile), "%s%s", sbx_src(), PROFILE);
	snprintf(home, sizeof(home), "HOME=%s", self->tmp);
	snprintf(xdg, sizeof(xdg), "XDG_DATA_HOME=%s/.local/share", self->tmp);
	sbx_run_capture_env(argv, envp, &r);
	snprintf(line, sizeof(line), "denied read of %s", self->secret);
	EXPECT_NE(0, r.status);
	EXPECT_NE(NULL, strstr(r.err, line)) TH_LOG("stderr: %s", r.err);
}

TEST_HARNESS_MAIN
