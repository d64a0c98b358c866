// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What an arming trusts (atk11k W1, A1): one rule, that nothing anyone but sbxd could write
 * is inside the armed state.
 *  - W1: a guard refuses opens for write from the moment sbxd adds it, before the arming,
 *    and sbxd looks for writers only after adding it (guard, then look), so no writer
 *    appears between the look and the claim. atk11k polled SBX_IOC_GUARD_TEST until
 *    revoked.list's guard was there and opened it O_RDWR: opened, sbxd stopped after its
 *    arming with the pins armed, and a store into a shared writable mapping of that
 *    descriptor commented out the revocation; a restarted sbxd ran team2's revoked
 *    program. Now the open is refused and sbxd arms. Control: the same open before sbxd
 *    starts succeeds (the refusal is the guard's).
 *  - A1: an arming refused before its claim left the pins loaded and unarmed; root stored a
 *    VALID verdict for an unsigned program through sbx's own ioctls, and the next start
 *    adopted the pins and armed with root's verdict inside. Now a start that arms loads
 *    unarmed pins afresh. Control: a signed program runs.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "sbx_abi.h"
#include "sbxd_k.h"

struct chain {
	char etc[LEN + 8], store[LEN + 16], list[LEN + 40];
	struct team2 t;
};

/* DIR/etc/trust: the fixture's anchor, team2's certificate revoked; sbxd.conf enforce. */
static void chain_make(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
		       struct chain *c)
{
	team2_make(_metadata, self, &c->t);
	sign_sbxd(_metadata, self);
	fmt(c->etc, sizeof(c->etc), "%s/etc", self->dir);
	fmt(c->store, sizeof(c->store), "%s/trust", c->etc);
	fmt(c->list, sizeof(c->list), "%s/revoked.list", c->store);
	ASSERT_EQ(0, mkdir(c->etc, 0755));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' trust --trust '%s' add '%s/root.pem' >/dev/null && "
			    "'%s' trust --trust '%s' revoke cert '%s/rsa.pem' >/dev/null",
			    sbx_bin(), c->store, sbx_pki, sbx_bin(), c->store, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
}

/* The signed sbxd on the chain's store: 0 ready, -1 it exited. */
static int chain_start(FIXTURE_DATA(sbxd_k) * self, struct chain *c)
{
	char cmd[4096], out[LEN + 16];

	fmt(out, sizeof(out), "%s.out", self->run);
	fmt(cmd, sizeof(cmd),
	    "exec timeout -s KILL 240 '%s' --config '%s' --tier K --mode enforce "
	    "--scope sandboxed --path '%s' --launcher '%s' --trust-dir '%s' --run-dir '%s'",
	    self->sbxd, self->conf, self->w, self->launcher, c->store, self->run);
	self->armed = true;
	return sbxd_test_start(cmd, self->notify, out, 180, &self->timeout_pid);
}

/* Root's racer: waits for revoked.list's guard (the poll is bounded by stop), then opens. */
struct racer {
	const char *path;
	int ro, fd, err;
	volatile int stop;
};

static void *race(void *arg)
{
	struct racer *r = arg;

	r->fd = -1;
	r->err = ETIME;
	while (!r->stop)
		if (ioctl(r->ro, SBX_IOC_GUARD_TEST, (unsigned long)SBX_GUARD_NO_WRITE) &&
		    errno == EALREADY) {
			r->fd = open(r->path, O_RDWR | O_CLOEXEC);
			r->err = r->fd < 0 ? errno : 0;
			break;
		}
	return NULL;
}

TEST_F_TIMEOUT(sbxd_k, guard_refuses_writers_from_its_adding, 600)
{
	struct racer r = { 0 };
	struct chain c;
	pthread_t th;
	int err, fd;

	chain_make(_metadata, self, &c);
	/* Control: before any arming, root opens the store for writing. */
	fd = open(c.list, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("control: %s", strerror(errno));
	close(fd);
	r.path = c.list;
	r.ro = open(c.list, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, r.ro);
	ASSERT_EQ(0, pthread_create(&th, NULL, race, &r));
	err = chain_start(self, &c);
	r.stop = 1;
	pthread_join(th, NULL);
	close(r.ro);
	printf("# sbxd start %d; root's open O_RDWR once the guard was added: fd %d, %s\n", err,
	       r.fd, strerror(r.err));
	if (r.fd >= 0)
		close(r.fd);
	ASSERT_NE(ETIME, r.err) TH_LOG("the guard was never seen");
	EXPECT_EQ(EPERM, r.err) TH_LOG("a writer opened between the guard and the arming");
	ASSERT_EQ(0, err) TH_LOG("sbxd did not arm");
	EXPECT_TRUE(logged(self, "self-protection on"));
	EXPECT_EQ(EPERM, launched(self, c.t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
}

/* sbxd's refused first arming: pins loaded, unarmed; root plants a verdict (or not). */
static void planted(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self, bool plant)
{
	struct sbx_enforcer_opts o = { .sz = sizeof(o),
				       .mode = SBX_ENFORCE_ENFORCE,
				       .scope = SBX_SCOPE_SANDBOXED };
	struct sbx_enforcer_stats st = { 0 };
	struct sbx_enforcer *e = NULL;
	struct sbx_diag d = { 0 };
	char line[1024], flags[LEN * 2];
	int held;

	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	held = open(self->conf, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, held);
	ASSERT_TRUE(refused_to_arm(_metadata, self, line, sizeof(line)));
	close(held);
	EXPECT_NE(NULL, strstr(line, "unarmed")) TH_LOG("the refusal: %s", line);
	ASSERT_EQ(0, sbx_enforcer_open(&o, &e, &d)) TH_LOG("%s", d.msg);
	ASSERT_EQ(0, sbx_enforcer_stats(e, &st, &d));
	printf("# after the refused arming: pins adopted %d, armed %d\n", st.adopted,
	       st.self_protect);
	EXPECT_EQ(0, st.self_protect);
	if (plant)
		EXPECT_EQ(0, verify_file(e, self->unsigned_prog, NULL, 0, 0));
	sbx_enforcer_close(e);
	fmt(flags, sizeof(flags), "--config '%s'", self->conf);
	start_sbxd_with(_metadata, self, self->sbxd, false, flags);
	ASSERT_TRUE(logged(self, "self-protection on"));
	EXPECT_TRUE(logged(self, "not armed: loaded afresh"));
}

TEST_F_TIMEOUT(sbxd_k, arming_never_adopts_unarmed_pins, 600)
{
	int ret;

	planted(_metadata, self, true);
	ret = launched(self, self->unsigned_prog);
	printf("# armed, enforce: the unsigned program with root's planted verdict -> %d\n", ret);
	EXPECT_EQ(EPERM, ret);
}

/* Control: the same steps, nothing planted: the signed program runs, the unsigned not. */
TEST_F_TIMEOUT(sbxd_k, arming_never_adopts_unarmed_pins_control, 600)
{
	planted(_metadata, self, false);
	EXPECT_EQ(0, launched(self, self->signed_prog));
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
}

TEST_HARNESS_MAIN
