// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf/proc_scope.bpf.c: a sandboxed task reaches the procfs entries of its own sandbox's
 * processes only, and every entry beneath /proc/PID is judged by process PID, not only the
 * inodes that carry a pid. /proc/PID/net/... (and /proc/PID/task/TID/net/...) are the
 * entries of PID's network namespace, made from a proc_dir_entry with no pid: judged by
 * their inode alone they were "no process's", so a sandboxed task read the sockets (unix
 * socket paths), peers, routes of any process's namespace, a container's or a
 * PrivateNetwork= service's (atk3 E).
 *
 * The victim is a root process in a network namespace of its own, listening on a unix socket
 * whose path is the secret. The sandboxed reader is a copy of this test with an ordinary
 * verdict, exec'd by a copy with the launcher's verdict (SBX_POLICY_SBX_LAUNCHER), run as
 * root and as uid 65534. Each read has its control: the same path read unsandboxed by the
 * same user. What has no process (/proc/meminfo, /proc/sys/..., /proc/net, which is
 * self/net) and the sandbox's own processes' entries stay readable.
 */
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "enforcer_test.h"

/*
 * The reader: opens SBX_TP_PATH (CHILD in it: the pid of a child of its own, in its sandbox)
 * and reads it whole. 0: read (and SBX_TP_NEEDLE, if set, found in it), 1: refused (EPERM,
 * EACCES), 2: anything else.
 */
static int reader(void)
{
	static char buf[1 << 17];
	const char *arg = getenv("SBX_TP_PATH") ?: "", *needle = getenv("SBX_TP_NEEDLE");
	const char *child_at = strstr(arg, "CHILD");
	char path[256];
	ssize_t n = 0, len = 0;
	pid_t child = 0;
	int fd, err, ret;

	if (child_at) {
		child = fork();
		if (child == 0) {
			pause();
			_exit(0);
		}
		if (child < 0)
			return 2;
		snprintf(path, sizeof(path), "%.*s%d%s", (int)(child_at - arg), arg, (int)child,
			 child_at + 5);
	} else {
		snprintf(path, sizeof(path), "%s", arg);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		while ((n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
			len += n;
		err = n < 0 ? errno : 0;
		close(fd);
	}
	if (err)
		fprintf(stderr, "%s: %s\n", path, strerror(err));
	if (err)
		ret = err == EPERM || err == EACCES ? 1 : 2;
	else
		ret = needle && !memmem(buf, (size_t)len, needle, strlen(needle)) ? 2 : 0;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	return ret;
}

__attribute__((constructor)) static void dispatch(void)
{
	const char *how = getenv("SBX_TP_DO");

	if (!how || !how[0])
		return;
	if (!strcmp(how, "read"))
		_exit(reader());
	if (!strcmp(how, "launch")) { /* the launcher: its exec of the reader sandboxes it */
		char *env[] = { "SBX_TP_DO=read", NULL, NULL, NULL };
		char *argv[] = { getenv("SBX_TP_SANDBOXED"), NULL };
		char p[300], nd[300];
		int i = 1;

		snprintf(p, sizeof(p), "SBX_TP_PATH=%s", getenv("SBX_TP_PATH") ?: "");
		env[i++] = p;
		if (getenv("SBX_TP_NEEDLE")) {
			snprintf(nd, sizeof(nd), "SBX_TP_NEEDLE=%s", getenv("SBX_TP_NEEDLE"));
			env[i++] = nd;
		}
		if (argv[0])
			execve(argv[0], argv, env);
		_exit(3);
	}
	_exit(4);
}

FIXTURE(proc)
{
	ENFORCER_FIXTURE_DATA;
	uid_t uid;
	char lprog[128], sandboxed[128], secret[96];
	pid_t victim;
};

FIXTURE_VARIANT(proc)
{
	uid_t uid;
};

FIXTURE_VARIANT_ADD(proc, root){ .uid = 0 };
FIXTURE_VARIANT_ADD(proc, nobody){ .uid = 65534 };

FIXTURE_SETUP(proc)
{
	struct sbx_diag d = { 0 };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int p[2];
	char ok;

	self->victim = 0;
	ENFORCER_FIXTURE_SETUP(self);
	self->uid = variant->uid;
	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_SANDBOXED, &d));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->lprog, sizeof(self->lprog), "%s/launcher-prog", self->dir);
	snprintf(self->sandboxed, sizeof(self->sandboxed), "%s/sandboxed", self->dir);
	snprintf(self->secret, sizeof(self->secret), "%s/netns-secret-5e11", self->dir);
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->lprog));
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->sandboxed));
	verify_loaded_objects_as_platform(self->e);
	ASSERT_EQ(0, verify_file_as(self->e, self->lprog, NULL, 0, SBX_CACHED_VALID,
				    SBX_POLICY_SBX_LAUNCHER, 0));
	ASSERT_EQ(0, verify_file_as(self->e, self->sandboxed, NULL, 0, SBX_CACHED_VALID, 0, 0));

	/* The victim: root, outside every sandbox, in a network namespace of its own. */
	ASSERT_EQ(0, pipe(p));
	self->victim = fork();
	if (self->victim == 0) {
		int fd;

		close(p[0]);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", self->secret);
		if (unshare(CLONE_NEWNET))
			_exit(1);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
			_exit(2);
		if (write(p[1], "y", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_LT(0, self->victim);
	ASSERT_EQ(1, read(p[0], &ok, 1))
	TH_LOG("the victim could not listen in a netns of its own");
	close(p[0]);
}

FIXTURE_TEARDOWN(proc)
{
	if (self->victim > 0) {
		kill(self->victim, SIGKILL);
		waitpid(self->victim, NULL, 0);
	}
	enforcer_fixture_cleanup(self->e, self->dir);
}

/*
 * Read path (%d: the victim's pid) as the variant's user, sandboxed (through the launcher)
 * or not: the reader's exit status (0 read, 1 refused, 2 other).
 */
static int read_as(FIXTURE_DATA(proc) * self, bool sandboxed, const char *fmt_, const char *needle)
{
	char path[256], e_path[300], e_nd[300], e_sb[200];
	char *env[] = { sandboxed ? "SBX_TP_DO=launch" : "SBX_TP_DO=read", e_path, e_sb, NULL,
			NULL };
	char *argv[] = { sandboxed ? self->lprog : self->sandboxed, NULL };

	snprintf(path, sizeof(path), fmt_, (int)self->victim, (int)self->victim);
	snprintf(e_path, sizeof(e_path), "SBX_TP_PATH=%s", path);
	snprintf(e_sb, sizeof(e_sb), "SBX_TP_SANDBOXED=%s", self->sandboxed);
	snprintf(e_nd, sizeof(e_nd), "SBX_TP_NEEDLE=%s", needle ?: "");
	if (needle)
		env[3] = e_nd;
	return run_prog_as(self->uid, argv, env);
}

/* Each: unsandboxed it is read (the control), sandboxed refused. */
static const struct {
	const char *path, *what;
	bool secret; /* its content must show the victim's socket path */
} outside[] = {
	{ "/proc/%d/cmdline", "the victim's own entry (has a pid)", false },
	{ "/proc/%d/net/unix", "its netns's unix sockets", true },
	{ "/proc/%d/task/%d/net/unix", "the same through its thread", true },
	{ "/proc/%d/net/stat/rt_cache", "two levels below /proc/PID/net", false },
	{ "/proc/%d/net/dev", "its interfaces", false },
};

TEST_F_TIMEOUT(proc, entries_of_a_process_outside_are_refused, 300)
{
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		const char *needle = outside[i].secret ? self->secret : NULL;
		int c = read_as(self, false, outside[i].path, needle);
		int s = read_as(self, true, outside[i].path, needle);

		TH_LOG("%s (%s) as uid %u: unsandboxed %d, sandboxed %d (0 read, 1 refused)",
		       outside[i].path, outside[i].what, self->uid, c, s);
		EXPECT_EQ(0, c); /* the control */
		EXPECT_EQ(1, s); /* 0: an escape */
	}
}

/* What has no process, and the sandbox's own: read both ways. */
static const char *const reachable[] = {
	"/proc/meminfo",
	"/proc/sys/kernel/ostype",
	"/proc/sys/net/ipv4/conf/lo/forwarding", /* 6 dentries below /proc */
	"/proc/net/unix", /* the link self/net: the caller's own */
	"/proc/self/net/stat/rt_cache",
	"/proc/thread-self/net/unix",
	"/proc/CHILD/cmdline", /* a process of the reader's own sandbox */
};

TEST_F_TIMEOUT(proc, no_process_and_own_entries_stay_readable, 300)
{
	for (size_t i = 0; i < sizeof(reachable) / sizeof(reachable[0]); i++) {
		int c = read_as(self, false, reachable[i], NULL);
		int s = read_as(self, true, reachable[i], NULL);

		TH_LOG("%s as uid %u: unsandboxed %d, sandboxed %d (0 read, 1 refused)",
		       reachable[i], self->uid, c, s);
		EXPECT_EQ(0, c);
		EXPECT_EQ(0, s);
	}
	/*
	 * Beneath /proc/PID of another process of its own sandbox: refused, fail closed (the
	 * ancestor's sandbox cannot be read on 7.x, bpf/proc_scope.bpf.c); its control read.
	 */
	EXPECT_EQ(0, read_as(self, false, "/proc/CHILD/net/unix", NULL));
	EXPECT_EQ(1, read_as(self, true, "/proc/CHILD/net/unix", NULL));
}

TEST_HARNESS_MAIN
