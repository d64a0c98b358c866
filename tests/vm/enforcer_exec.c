// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K, exec: a file with a valid verdict for its current content runs; without one it
 * is refused (enforce) or reported and run (complain), with an event naming it; a byte
 * written, a rename over, a truncate after the verdict, and the file is refused again; the
 * cache never turns a miss into an allow; the pins outlive their loader; scope
 * `sandboxed` covers what the trusted launcher starts and its descendants only.
 * In the VM kernels, as root (enforcer_test.h says how the test plays the daemon).
 */
#include "enforcer_test.h"

#define REFUSED (1000 + EPERM)

FIXTURE(enforcer)
{
	ENFORCER_FIXTURE_DATA;
};

FIXTURE_SETUP(enforcer)
{
	ENFORCER_FIXTURE_SETUP(self);
}

FIXTURE_TEARDOWN(enforcer)
{
	enforcer_fixture_cleanup(self->e, self->dir);
}

TEST_F(enforcer, valid_verdict_runs)
{
	ASSERT_EQ(REFUSED, run1(self->target));
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(7, run1(self->target));
	ASSERT_EQ(7, run1(self->target)); /* a hit, again */
}

TEST_F(enforcer, no_verdict_refused_with_event)
{
	struct sbx_event ev;

	events_for(self->e, self->unverified, NULL);
	ASSERT_EQ(REFUSED, run1(self->unverified));
	ASSERT_LE(1u, events_for(self->e, self->unverified, &ev));
	EXPECT_EQ((__u32)SBX_HOOK_EXEC, ev.hook);
	EXPECT_EQ((__u32)SBX_DENY_NO_VERDICT, ev.reason);
	EXPECT_EQ(1u, ev.denied);
	EXPECT_NE(NULL, strstr(ev.path, "unverified"))
	{
		TH_LOG("event path: %s", ev.path);
	}
}

TEST_F(enforcer, invalid_verdict_refused)
{
	struct sbx_event ev;

	/* "Verified" against other bytes: an INVALID verdict, which refuses. */
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit42.bytes, self->exit42.len, 0));
	events_for(self->e, self->target, NULL);
	ASSERT_EQ(REFUSED, run1(self->target));
	ASSERT_LE(1u, events_for(self->e, self->target, &ev));
	EXPECT_EQ((__u32)SBX_DENY_INVALID, ev.reason);
}

TEST_F(enforcer, complain_mode_logs_and_allows)
{
	struct sbx_diag d = { 0 };
	struct sbx_event ev;

	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_COMPLAIN, SBX_SCOPE_ALL, &d));
	events_for(self->e, self->unverified, NULL);
	ASSERT_EQ(7, run1(self->unverified));
	ASSERT_LE(1u, events_for(self->e, self->unverified, &ev));
	EXPECT_EQ(0u, ev.denied);
	EXPECT_EQ((__u32)SBX_DENY_NO_VERDICT, ev.reason);
}

TEST_F(enforcer, one_byte_modified_refused)
{
	unsigned char b = 42;
	struct sbx_event ev;
	int fd;

	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(7, run1(self->target));
	fd = open(self->target, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, &b, 1, TINY_EXIT_CODE_OFF));
	close(fd);
	events_for(self->e, self->target, NULL);
	ASSERT_EQ(REFUSED, run1(self->target));
	ASSERT_LE(1u, events_for(self->e, self->target, &ev));
	/* The write moved the ctime (another key: a miss) as well as the generation (stale). */
	EXPECT_TRUE(ev.reason == SBX_DENY_NO_VERDICT || ev.reason == SBX_DENY_STALE);
	/* Verified again (as the new content it is): runs. */
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit42.bytes, self->exit42.len, 0));
	ASSERT_EQ(42, run1(self->target));
}

/*
 * An open for write moves the generation and nothing else: no byte, no ctime. The refusal
 * is STALE, so it comes from the generation alone (a changed ctime would make it a miss).
 */
TEST_F(enforcer, open_for_write_alone_makes_the_verdict_stale)
{
	struct sbx_event ev;
	int fd;

	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(7, run1(self->target));
	fd = open(self->target, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
	events_for(self->e, self->target, NULL);
	ASSERT_EQ(REFUSED, run1(self->target));
	ASSERT_LE(1u, events_for(self->e, self->target, &ev));
	EXPECT_EQ((__u32)SBX_DENY_STALE, ev.reason);
}

TEST_F(enforcer, rename_over_refused)
{
	char other[128];

	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	snprintf(other, sizeof(other), "%s/other", self->dir);
	ASSERT_EQ(0, write_file(other, self->exit42.bytes, self->exit42.len, 0755));
	ASSERT_EQ(0, rename(other, self->target));
	ASSERT_EQ(REFUSED, run1(self->target));
}

TEST_F(enforcer, truncate_refused)
{
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(0, truncate(self->target, (off_t)self->exit7.len)); /* same size, same bytes */
	ASSERT_EQ(REFUSED, run1(self->target));
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(7, run1(self->target));
	ASSERT_EQ(0, truncate(self->target, TINY_CODE_OFF)); /* the code gone, then zeroes */
	ASSERT_EQ(0, truncate(self->target, (off_t)self->exit7.len));
	ASSERT_EQ(REFUSED, run1(self->target));
}

TEST_F(enforcer, open_writer_refuses_verification)
{
	int fd = open(self->target, O_WRONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETXTBSY,
		  verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	close(fd);
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	/* A shared writable mapping keeps the file open for write after close. */
	fd = open(self->target, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_NE(7, run1(self->target));
	EXPECT_EQ(-ETXTBSY,
		  verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	munmap(p, 4096);
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(7, run1(self->target));
}

TEST_F_TIMEOUT(enforcer, full_cache_never_allows_a_miss, 300)
{
	struct sbx_enforcer_stats st;
	struct sbx_diag d = { 0 };
	unsigned int allowed = 0, refused = 0;
	char path[128];

	sbx_enforcer_close(self->e);
	self->e = NULL;
	ASSERT_EQ(0, sbx_enforcer_unload(TEST_PIN_DIR, &d));
	ASSERT_EQ(0, enforcer_open_at(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 16, &self->e, &d))
	{
		TH_LOG("%s", d.msg);
	}
	for (int i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/f%d", self->dir, i);
		ASSERT_EQ(0, write_file(path, self->exit7.bytes, self->exit7.len, 0755));
		ASSERT_EQ(0, verify_file(self->e, path, self->exit7.bytes, self->exit7.len, 0));
	}
	ASSERT_EQ(0, sbx_enforcer_stats(self->e, &st, &d));
	EXPECT_EQ(16u, st.cache_max);
	EXPECT_GE(16u, st.cache_entries);
	for (int i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/f%d", self->dir, i);
		int r = run1(path);

		ASSERT_TRUE(r == 7 || r == REFUSED);
		if (r == 7)
			allowed++;
		else
			refused++;
	}
	TH_LOG("64 verified files in a 16-entry cache: %u ran, %u refused (evicted)", allowed,
	       refused);
	/* Every run needed an entry; an evicted one is a miss. */
	EXPECT_GE(16u, allowed);
	ASSERT_EQ(REFUSED, run1(self->unverified));
}

TEST_F_TIMEOUT(enforcer, pins_outlive_the_loader, 300)
{
	struct sbx_enforcer_stats st;
	struct sbx_diag d = { 0 };
	char fresh[128];
	pid_t pid;
	int status;

	sbx_enforcer_close(self->e);
	self->e = NULL;
	ASSERT_EQ(0, sbx_enforcer_unload(TEST_PIN_DIR, &d));
	ASSERT_EQ(7, run1(self->unverified));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sbx_enforcer *e;

		if (enforcer_open_at(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 0, &e, &d))
			_exit(1);
		if (verify_file(e, self->target, self->exit7.bytes, self->exit7.len, 0))
			_exit(2);
		_exit(0); /* no close, no unload: as if the daemon crashed */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(REFUSED, run1(self->unverified));
	ASSERT_EQ(7, run1(self->target));
	ASSERT_EQ(0, enforcer_open_at(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 0, &self->e, &d))
	{
		TH_LOG("%s", d.msg);
	}
	ASSERT_EQ(0, sbx_enforcer_stats(self->e, &st, &d));
	EXPECT_TRUE(st.adopted);
	EXPECT_LE(1u, st.cache_entries);
	ASSERT_EQ(0, verify_file(self->e, self->unverified, NULL, 0, 0));
	ASSERT_EQ(7, run1(self->unverified));
	/* Unload ends enforcement. */
	sbx_enforcer_close(self->e);
	self->e = NULL;
	ASSERT_EQ(0, sbx_enforcer_unload(TEST_PIN_DIR, &d));
	snprintf(fresh, sizeof(fresh), "%s/fresh", self->dir);
	ASSERT_EQ(0, write_file(fresh, self->exit7.bytes, self->exit7.len, 0755));
	ASSERT_EQ(7, run1(fresh));
}

TEST_F(enforcer, scope_sandboxed_covers_what_the_launcher_starts)
{
	char *via_launcher_u[] = { self->launcher, self->unverified, NULL };
	char *via_launcher_t[] = { self->launcher, self->target, NULL };
	char sh_u[160], sh_t[160], copy[128];
	char *sh_fork_u[] = { self->launcher, "/bin/busybox", "sh", "-c", sh_u, NULL };
	char *sh_fork_t[] = { self->launcher, "/bin/busybox", "sh", "-c", sh_t, NULL };
	char *via_copy_u[] = { copy, self->unverified, NULL };
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_SANDBOXED, &d));
	ASSERT_EQ(7, run1(self->unverified)); /* not sandboxed: out of scope */
	ASSERT_EQ(0, verify_file(self->e, self->launcher, self->launch.bytes, self->launch.len,
				 SBX_POLICY_SBX_LAUNCHER));
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(0, verify_file(self->e, "/bin/busybox", NULL, 0, 0));
	/* The launcher's exit status is the errno of its refused exec. */
	ASSERT_EQ(EPERM, run_prog(via_launcher_u, NULL));
	ASSERT_EQ(7, run_prog(via_launcher_t, NULL));
	/* Descendants: the sandboxed shell forks, the child execs. */
	snprintf(sh_u, sizeof(sh_u), "%s; exit $?", self->unverified);
	snprintf(sh_t, sizeof(sh_t), "%s; exit $?", self->target);
	ASSERT_EQ(126, run_prog(sh_fork_u, NULL));
	ASSERT_EQ(7, run_prog(sh_fork_t, NULL));
	/* A copy of the launcher has no verdict, so no launcher mark: nothing is sandboxed. */
	snprintf(copy, sizeof(copy), "%s/launcher-copy", self->dir);
	ASSERT_EQ(0, write_file(copy, self->launch.bytes, self->launch.len, 0755));
	ASSERT_EQ(7, run_prog(via_copy_u, NULL));
}

/*
 * The fixture's enforcer serves every test of a program (enforcer_test.h): what one test
 * leaves, a verdict on a file that outlives it and an event it did not read, is gone for
 * the next, which adopted the same programs. Controls: the verdict lets busybox run, the
 * event is there to read.
 */
TEST_F(enforcer, adopted_enforcer_starts_from_a_clean_state)
{
	char *busybox[] = { "/bin/busybox", "true", NULL };
	struct sbx_enforcer_stats st;
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, verify_file(self->e, "/bin/busybox", NULL, 0, 0));
	ASSERT_EQ(0, run_prog(busybox, NULL));
	events_for(self->e, self->unverified, NULL);
	ASSERT_EQ(REFUSED, run1(self->unverified));
	ASSERT_EQ(1u, events_for(self->e, self->unverified, NULL));
	ASSERT_EQ(REFUSED, run1(self->unverified)); /* its event left unread */
	/* This test's end and the next one's start. */
	enforcer_fixture_release(self->e);
	self->e = NULL;
	ASSERT_EQ(0,
		  enforcer_fixture_open(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 0, false, &self->e, &d))
	TH_LOG("%s", d.msg);
	ASSERT_EQ(0, sbx_enforcer_stats(self->e, &st, &d));
	ASSERT_TRUE(st.adopted); /* not a fresh load, or this proves nothing */
	EXPECT_EQ(0u, st.cache_entries);
	EXPECT_EQ(0u, events_for(self->e, self->unverified, NULL));
	EXPECT_EQ(REFUSED, run_prog(busybox, NULL));
	EXPECT_EQ(REFUSED, run1(self->unverified));
}

TEST_HARNESS_MAIN
