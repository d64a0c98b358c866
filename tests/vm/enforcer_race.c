// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K under a race: a writer flips one byte of a verified program back and forth
 * (verified content exits 7, the written one 42 and is never verified valid) while a loop
 * execs it and, on each refusal, verifies it again the way sbxd's miss path would. A run
 * that exits 42 is a stale allow: code ran on a verdict taken for other content. There
 * must be none over at least 10^4 execs, while the writer's writes are seen (refusals).
 * Counts only, no timing assertions; every 500 execs the writer pauses and the verified
 * content must run (the allow path is live).
 * In the VM kernels, as root.
 */
#include <signal.h>
#include <sys/prctl.h>

#include "enforcer_test.h"

#define RACE_EXECS 10000

FIXTURE(enforcer_race)
{
	ENFORCER_FIXTURE_DATA;
	pid_t writer;
	struct race_ctl *ctl;
};

/*
 * Shared with the writer: the loop asks it to pause between two writes, never mid-write;
 * the writer counts the writes that landed.
 */
struct race_ctl {
	volatile int pause, paused;
	volatile unsigned int writes;
};

FIXTURE_SETUP(enforcer_race)
{
	self->writer = -1;
	self->ctl = mmap(NULL, sizeof(*self->ctl), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ctl);
	ENFORCER_FIXTURE_SETUP(self);
}

FIXTURE_TEARDOWN(enforcer_race)
{
	if (self->writer > 0) {
		kill(self->writer, SIGKILL);
		waitpid(self->writer, NULL, 0);
	}
	enforcer_fixture_cleanup(self->e, self->dir);
}

/* true when the byte was written */
static bool set_exit_byte(const char *path, unsigned char b)
{
	bool written;
	int fd;

	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == ETXTBSY);
	if (fd < 0)
		return false;
	written = pwrite(fd, &b, 1, TINY_EXIT_CODE_OFF) == 1; /* else the next round writes */
	close(fd);
	return written;
}

/* Flips the byte for ever, at a low priority so the exec loop gets most of the CPU. */
static pid_t start_writer(const char *path, struct race_ctl *ctl)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
		if (nice(10) < 0) {
			/* the default priority is fine too */
		}
		for (unsigned int i = 0;; i++) {
			if (__atomic_load_n(&ctl->pause, __ATOMIC_ACQUIRE)) {
				__atomic_store_n(&ctl->paused, 1, __ATOMIC_RELEASE);
				while (__atomic_load_n(&ctl->pause, __ATOMIC_ACQUIRE))
					usleep(1000);
				__atomic_store_n(&ctl->paused, 0, __ATOMIC_RELEASE);
			}
			if (set_exit_byte(path, i & 1 ? 7 : 42))
				__atomic_add_fetch(&ctl->writes, 1, __ATOMIC_RELAXED);
		}
	}
	return pid;
}

TEST_F_TIMEOUT(enforcer_race, rewritten_while_exec_looping_never_runs_stale, 800)
{
	unsigned int allowed = 0, refused = 0, stale = 0, other = 0, quiet_ok = 0, quiet = 0;
	unsigned int writes;

	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(7, run1(self->target));
	self->writer = start_writer(self->target, self->ctl);
	ASSERT_LT(0, self->writer);
	for (int i = 1; i <= RACE_EXECS; i++) {
		int r = run1(self->target);

		if (r == 7)
			allowed++;
		else if (r == 42)
			stale++;
		else if (r == 1000 + EPERM || r == 1000 + ETXTBSY)
			refused++;
		else
			other++;
		if (r != 7) /* the miss path: verify what is there now, valid only if it is A */
			verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0);
		if (i % 500 == 0) {
			/* Quiet: the writer stopped, the content restored and verified: it runs. */
			__atomic_store_n(&self->ctl->pause, 1, __ATOMIC_RELEASE);
			while (!__atomic_load_n(&self->ctl->paused, __ATOMIC_ACQUIRE))
				usleep(1000);
			ASSERT_TRUE(set_exit_byte(self->target, 7));
			quiet++;
			if (!verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len,
					 0) &&
			    run1(self->target) == 7)
				quiet_ok++;
			__atomic_store_n(&self->ctl->pause, 0, __ATOMIC_RELEASE);
		}
	}
	writes = __atomic_load_n(&self->ctl->writes, __ATOMIC_RELAXED);
	TH_LOG("race: %d execs, %u writes: %u ran the verified content, %u refused, %u stale "
	       "allows, %u other; %u/%u quiet checks ran",
	       RACE_EXECS, writes, allowed, refused, stale, other, quiet_ok, quiet);
	/*
	 * The race happened: the writer wrote during the loop and the execs saw it (every
	 * write after a verdict makes the next exec a refusal). Without both, "0 stale" would
	 * hold for an enforcer that invalidates nothing.
	 */
	ASSERT_LT(0u, writes);
	ASSERT_LT(0u, refused);
	EXPECT_EQ(0u, stale);
	EXPECT_EQ(0u, other);
	EXPECT_EQ(quiet, quiet_ok);
}

TEST_HARNESS_MAIN
