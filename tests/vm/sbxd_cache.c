// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real sbxd in tier K answers repeat execs from the pinned BPF verdict map instead of
 * verifying again (userspace/daemon/README.md, "The miss path"), and drops the verdicts an
 * adopted map holds when the trust they were made under changed. Observed through sbxd's
 * own counters (sbxd.state: verified=, cache_hits=), not a clock. Scope `sandboxed`
 * through the signed launcher, on a private tmpfs (the fixture: sbxd_k.h). A suite of its
 * own: sbxd_tierk's cases already fill most of a guest program's 300 s under TCG.
 */
#include "sbxd_k.h"
#include "sbxd_state.h"

/*
 * sbxd's counters from its state file (rewritten at most once a second): *v files the
 * verifier checked, *h exec events answered from the BPF map. Waits (bounded) until they
 * count n more events than the *v + *h given: each exec event is one or the other (the
 * programs here are static: no libraries). false when they never did.
 */
static bool counted(FIXTURE_DATA(sbxd_k) * self, unsigned long long n, unsigned long long *v,
		    unsigned long long *h)
{
	unsigned long long want = *v + *h + n;
	struct sbx_sbxd_state s;
	char val[32];

	for (int i = 0; i < 600; i++) {
		sbx_sbxd_state_read(self->run, &s);
		*v = strtoull(sbx_sbxd_state_value(&s, "verified", val, sizeof(val)), NULL, 10);
		*h = strtoull(sbx_sbxd_state_value(&s, "cache_hits", val, sizeof(val)), NULL, 10);
		if (*v + *h >= want)
			return true;
		usleep(50000);
	}
	return false;
}

/*
 * A repeat exec of an unchanged file is answered from the BPF map: nothing is verified
 * (the counters say so, not a clock). One byte written moves its write generation: the
 * next exec is a miss, verified again and refused; that refusal is stored, so the exec
 * after it is a hit, refused again.
 */
TEST_F_TIMEOUT(sbxd_k, repeat_exec_answered_from_the_map_a_write_verifies_again, 300)
{
	unsigned long long v = 0, h = 0, v1, h1;
	unsigned char b = 3;
	int fd;

	start_sbxd(_metadata, self);
	ASSERT_TRUE(counted(self, 0, &v, &h));
	/* The first exec: the launcher and the program are verified. */
	ASSERT_EQ(0, launched(self, self->signed_prog));
	ASSERT_TRUE(counted(self, 2, &v, &h)) TH_LOG("verified=%llu cache_hits=%llu", v, h);
	v1 = v;
	h1 = h;
	EXPECT_EQ(0, launched(self, self->signed_prog));
	ASSERT_TRUE(counted(self, 2, &v, &h)) TH_LOG("verified=%llu cache_hits=%llu", v, h);
	EXPECT_EQ(v1, v);
	EXPECT_EQ(h1 + 2, h);
	fd = open(self->signed_prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, &b, 1, TINY_EXIT_CODE_OFF));
	close(fd);
	EXPECT_EQ(EPERM, launched(self, self->signed_prog));
	ASSERT_TRUE(counted(self, 2, &v, &h)) TH_LOG("verified=%llu cache_hits=%llu", v, h);
	EXPECT_EQ(v1 + 1, v);
	EXPECT_EQ(h1 + 3, h);
	EXPECT_EQ(EPERM, launched(self, self->signed_prog));
	ASSERT_TRUE(counted(self, 2, &v, &h)) TH_LOG("verified=%llu cache_hits=%llu", v, h);
	EXPECT_EQ(v1 + 1, v);
	EXPECT_EQ(h1 + 5, h);
}

/* The events file's would-deny exec events for a file named name (bounded wait for n). */
static int would_denies(FIXTURE_DATA(sbxd_k) * self, const char *name, int n)
{
	if (sbx_sh(self->r,
		   "for i in $(seq 100); do c=$(grep '\"hook\":\"exec\"' '%s/events.jsonl' | "
		   "grep '\"decision\":\"would-deny\"' | grep -c '[/\"]%s\"'); "
		   "[ \"$c\" -ge %d ] && break; sleep 0.1; done; echo \"$c\"",
		   self->run, name, n))
		return -1;
	return atoi(self->r->out);
}

/*
 * Complain mode: the unsigned program's refusal is stored, and its repeat exec is a hit
 * that is still logged as would-deny (by the exec hook, as after a verification) and runs.
 */
TEST_F_TIMEOUT(sbxd_k, complain_repeat_of_a_refused_file_is_a_hit_and_logged, 300)
{
	unsigned long long v = 0, h = 0, v1, h1;

	start_sbxd_with(_metadata, self, NULL, false, "--config /dev/null --mode complain");
	ASSERT_TRUE(counted(self, 0, &v, &h));
	EXPECT_EQ(0, launched(self, self->unsigned_prog));
	ASSERT_TRUE(counted(self, 2, &v, &h)) TH_LOG("verified=%llu cache_hits=%llu", v, h);
	EXPECT_EQ(1, would_denies(self, "unsigned", 1));
	v1 = v;
	h1 = h;
	EXPECT_EQ(0, launched(self, self->unsigned_prog));
	ASSERT_TRUE(counted(self, 2, &v, &h)) TH_LOG("verified=%llu cache_hits=%llu", v, h);
	EXPECT_EQ(v1, v);
	EXPECT_EQ(h1 + 2, h);
	EXPECT_EQ(2, would_denies(self, "unsigned", 2));
}

/*
 * Verdicts do not outlive the trust they were made under: a program signed by a second
 * team runs and is cached; sbxd stops (the pins and the map stay), that signer is revoked
 * in the trust directory's revoked.list, and the restarted sbxd, adopting the pins, drops
 * the cached verdicts: the next exec of the cached program is verified under the new trust
 * and refused. The launcher's signer (the fixture's) is not revoked: the control, it still
 * runs what it signed. With linked, the revocation is made in a list kept elsewhere and
 * revoked.list is a symbolic link to it: the trust store holds regular files and
 * directories only (sbxd guards its inodes, not a link's target), and the verifier does
 * not read through it: a list that cannot be read never means "nothing revoked", and a
 * store that cannot be read wholly stops enforce mode's start, naming the link.
 */
static void revoked_after_restart(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
				  bool linked)
{
	unsigned long long v = 0, h = 0, v1, h1;
	struct team2 t;

	team2_make(_metadata, self, &t);
	start_sbxd(_metadata, self);
	ASSERT_TRUE(counted(self, 0, &v, &h));
	ASSERT_EQ(0, launched(self, t.prog));
	ASSERT_TRUE(counted(self, 2, &v, &h));
	v1 = v;
	h1 = h;
	ASSERT_EQ(0, launched(self, t.prog));
	ASSERT_TRUE(counted(self, 2, &v, &h));
	ASSERT_EQ(h1 + 2, h) TH_LOG("not cached: verified=%llu (was %llu)", v, v1);
	stop_sbxd(self, SIGTERM);
	if (linked)
		ASSERT_EQ(0, mkdir(t.rev_dir, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' trust --trust '%s' revoke cert '%s/rsa.pem'", sbx_bin(),
			    linked ? t.rev_dir : self->trust, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	if (linked)
		ASSERT_EQ(0, symlink(t.list, t.link));
	if (linked) {
		/*
		 * Nothing would verify, so no launcher either: in scope sandboxed what it starts
		 * would be out of scope. Enforce mode does not start; the pins go on enforcing
		 * the verdicts made under the last trust sbxd could read (the revocation made
		 * through a link never was trust: the cached program runs) and refuse every
		 * miss (the fixture's signed program, never run before).
		 */
		refused_start(_metadata, self, "");
		EXPECT_NE(NULL, strstr(self->r->err, t.link)) TH_LOG("%s", self->r->err);
		EXPECT_NE(NULL, strstr(self->r->err, " is a symbolic link"))
		TH_LOG("%s", self->r->err);
		EXPECT_EQ(0, launched(self, t.prog));
		EXPECT_EQ(EPERM, launched(self, self->signed_prog));
		EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
		return;
	}
	/*
	 * The pins were left unarmed: a start that arms loads them afresh (atk11k A1), so no
	 * verdict made under the old trust survives to be dropped.
	 */
	start_sbxd(_metadata, self);
	ASSERT_EQ(0, sbx_sh(self->r, "grep 'not armed: loaded afresh' '%s.out'", self->run));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->out);
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
}

TEST_F_TIMEOUT(sbxd_k, revoked_signer_refused_after_restart_despite_a_cached_verdict, 300)
{
	revoked_after_restart(_metadata, self, false);
}

/* The same with revoked.list a symbolic link to the list kept elsewhere (see above). */
TEST_F_TIMEOUT(sbxd_k, symlinked_revocation_list_refuses_enforce_mode_at_restart, 300)
{
	revoked_after_restart(_metadata, self, true);
}

TEST_HARNESS_MAIN
