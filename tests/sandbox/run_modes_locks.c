// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the mode allow-list and the lock rules (tests/escape/modes_locks.c) must leave
 * working in a write grant: creating files 0644 and 0755, chmod to any of 0777 | S_ISVTX,
 * flock(1) and POSIX locks (taken by the supervisor, lock.c), a lock that has to wait
 * while the supervisor goes on serving other calls, sqlite and git. `sbx run --grant
 * DIR:rw` with the default profile, as a user runs it. And what the launcher's check for
 * set-id files beneath a write grant (atk6u S, landlock.c) must let start: set-group-id
 * directories, a symlink to a set-user-id program, a directory nobody may enter, a set-id
 * file under a read-only grant.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

FIXTURE(modes)
{
	char dir[PATH_MAX];
	char grant[PATH_MAX + 8];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(modes)
{
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->grant, sizeof(self->grant), "%s/work", self->dir);
	ASSERT_EQ(0, mkdir(self->grant, 0755));
}

FIXTURE_TEARDOWN(modes)
{
	sbx_rmtree(self->dir);
	free(self->r);
}

/* sh -c SCRIPT in the grant, under sbx run --grant GRANT:rw; its status. */
static int in_grant(FIXTURE_DATA(modes) * self, const char *script)
{
	if (sbx_sh(self->r, "cd '%s' && exec '%s' run --allow-root --grant '%s:rw' -- sh -c '%s'",
		   self->grant, sbx_bin(), self->grant, script))
		return -1;
	return self->r->status;
}

static int mode_of(FIXTURE_DATA(modes) * self, const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", self->grant, name);
	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

TEST_F(modes, ordinary_modes_kept)
{
	ASSERT_EQ(0, in_grant(self, "umask 022 && : > f644 && : > f755 && chmod 0755 f755 && "
				    "install -m 0750 /dev/null f750 && mkdir d && chmod 1777 d && "
				    "touch -m f644"))
	TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_EQ(0644, mode_of(self, "f644"));
	EXPECT_EQ(0755, mode_of(self, "f755"));
	EXPECT_EQ(0750, mode_of(self, "f750"));
	EXPECT_EQ(01777, mode_of(self, "d"));
}

TEST_F(modes, grant_without_setid_files_starts)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/shared", self->grant);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, chmod(path, 02775)); /* new files take its group: no authority */
	snprintf(path, sizeof(path), "%s/shared/data", self->grant);
	ASSERT_EQ(0, close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0664)));
	snprintf(path, sizeof(path), "%s/passwd", self->grant);
	ASSERT_EQ(0, symlink("/usr/bin/passwd", path)); /* not followed, as Landlock does not */
	snprintf(path, sizeof(path), "%s/closed", self->grant);
	ASSERT_EQ(0, mkdir(path, 0)); /* root lists it; another user cannot enter it */
	ASSERT_EQ(0, in_grant(self, "echo x >> shared/data && cat shared/data"))
	TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_EQ(02775, mode_of(self, "shared"));
}

TEST_F(modes, setid_file_refused_only_in_a_write_grant)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/program", self->grant);
	ASSERT_EQ(0, close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0755)));
	ASSERT_EQ(0, chmod(path, 04755));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "cd '%s' && exec '%s' run --allow-root --grant '%s:ro' -- cat program",
			    self->grant, sbx_bin(), self->grant));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_EQ(125, in_grant(self, "true"));
	EXPECT_NE(NULL, strstr(self->r->err, "program is set-user-id, beneath the write grant"))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(04755, mode_of(self, "program"));
}

/* The first set-user-id file in dir another uid owns (as root: any), into out; or false. */
static bool others_setuid_file(const char *dir, char *out, size_t len)
{
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		snprintf(out, len, "%s/%s", dir, e->d_name);
		found = !lstat(out, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_ISUID) &&
			(st.st_uid != geteuid() || geteuid() == 0);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Another user's set-id program that the program can neither write nor chmod does not
 * refuse the run: /usr/bin granted :rw as an ordinary user starts (DAC keeps it read-only
 * there anyway). As root every file is writable: the same grant is refused.
 */
TEST_F(modes, setid_file_only_counts_where_the_program_could_rewrite_it)
{
	char setuid[PATH_MAX];

	if (!others_setuid_file("/usr/bin", setuid, sizeof(setuid)))
		SKIP(return, "no set-user-id file of another user in /usr/bin here (a guest)");
	ASSERT_EQ(0, sbx_sh(self->r, "exec '%s' run --allow-root --grant /usr/bin:rw -- true",
			    sbx_bin()));
	if (geteuid() == 0) {
		EXPECT_EQ(125, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
		EXPECT_NE(NULL, strstr(self->r->err, "beneath the write grant /usr/bin"))
		TH_LOG("%s", self->r->err);
	} else {
		EXPECT_EQ(0, self->r->status)
		TH_LOG("%s: %s%s", setuid, self->r->out, self->r->err);
	}
}

TEST_F(modes, flock_in_the_grant)
{
	ASSERT_EQ(0, in_grant(self, ": > lk && flock lk true && flock -s lk true && "
				    "flock -n lk true && echo locked"))
	TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_STREQ("locked\n", self->r->out);
}

/*
 * One process holds the lock; another waits for it (flock without -n), and meanwhile the
 * holder has a call carried out (chmod): the waiting lock must not hold the supervisor.
 * Then the holder lets go and the waiter gets it. No timing is asserted: the sleep only
 * makes the wait likely to start first; the outcome is the same either way.
 */
TEST_F(modes, waiting_lock_leaves_the_supervisor_free)
{
	ASSERT_EQ(0, in_grant(self, ": > lk && exec 9>lk && flock 9 && "
				    "{ flock lk echo got & } && sleep 0.3 && chmod 0600 lk && "
				    "flock -u 9 && wait"))
	TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_STREQ("got\n", self->r->out);
	EXPECT_EQ(0600, mode_of(self, "lk"));
}

/* A classic POSIX lock (lockf) holds against another process, and is let go. */
TEST_F(modes, posix_lock_in_the_grant)
{
	static const char script[] =
		"import fcntl, os, subprocess, sys\n"
		"fd = os.open('lk', os.O_RDWR | os.O_CREAT, 0o644)\n"
		"fcntl.lockf(fd, fcntl.LOCK_EX)\n"
		"other = \"import fcntl, os; fcntl.lockf(os.open('lk', os.O_RDWR), "
		"fcntl.LOCK_EX | fcntl.LOCK_NB)\"\n"
		"held = subprocess.run([sys.executable, '-c', other]).returncode\n"
		"fcntl.lockf(fd, fcntl.LOCK_UN)\n"
		"free = subprocess.run([sys.executable, '-c', other]).returncode\n"
		"print(held != 0, free == 0)\n";
	char path[PATH_MAX + 64];
	FILE *f;

	if (access("/usr/bin/python3", X_OK))
		SKIP(return, "no /usr/bin/python3");
	snprintf(path, sizeof(path), "%s/lockf.py", self->grant);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs(script, f);
	fclose(f);
	ASSERT_EQ(0, in_grant(self, "/usr/bin/python3 lockf.py 2>/dev/null"))
	TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_STREQ("True True\n", self->r->out);
}

TEST_F(modes, sqlite_and_git)
{
	SBX_NEED_COMMANDS("sqlite3 git");
	ASSERT_EQ(0, in_grant(self, "sqlite3 t.db \"create table t(x); insert into t values(7); "
				    "select * from t;\" && git init -q r && cd r && "
				    "git -c user.email=t@t -c user.name=t commit -q --allow-empty "
				    "-m t && git log --oneline | wc -l"))
	TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_STREQ("7\n1\n", self->r->out);
}

TEST_HARNESS_MAIN
