// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a signature asks of `sbx run` is kept or refused, never dropped in silence (review
 * of code signing, holes 3, 4, 7 and 9):
 *  - a team id is bound to the trust anchor that vouched for it: a second anchor's leaf
 *    with the same OU is another identity, with another container;
 *  - the signed library-validation flag, which only tier K enforces, refuses the run
 *    unless --best-effort, and --report says it was dropped;
 *  - the signed launch constraint on the program itself is checked; those on its parent
 *    (tier K) refuse unless --best-effort;
 *  - a stranger's sidecar (a symlink to a root file) is no signature at all;
 *  - a signed #! script rewritten in place once running still runs its signed bytes: the
 *    interpreter reads a sealed copy.
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "run_test.h"

#include "signed_run.h"

static void private_data_home(const char *dir)
{
	char data[PATH_MAX + 16];

	snprintf(data, sizeof(data), "%s/data", dir);
	setenv("XDG_DATA_HOME", data, 1);
}

/* The anchor as sbx names it: SHA-256 of the certificate's SubjectPublicKeyInfo, 32 hex. */
static int anchor_of(FIXTURE_DATA(signed_run) * self, const char *pem, char out[33])
{
	if (shell(self->r,
		  "openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin -outform DER | "
		  "sha256sum",
		  pem))
		return -1;
	if (strspn(self->r->out, "0123456789abcdef") < 32)
		return -1;
	memcpy(out, self->r->out, 32);
	out[32] = '\0';
	return 0;
}

/* sign PROG with the fixture's TEAM42 leaf and a profile written from yaml; extra flags. */
static int sign_with(FIXTURE_DATA(signed_run) * self, const char *prog, const char *yaml,
		     const char *extra)
{
	return shell(self->r,
		     "printf '%%s' '%s' >'%s/p.yaml' && cp '%s' '%s' && '%s' sign --key '%s' "
		     "--cert '%s' --chain '%s' %s --profile '%s/p.yaml' '%s'",
		     yaml, self->dir, probe(), prog, sbx_bin(), self->key, self->cert, self->chain,
		     extra, self->dir, prog);
}

static int run(FIXTURE_DATA(signed_run) * self, const char *flags, const char *prog,
	       const char *args)
{
	return shell(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root %s -- '%s' %s", self->trust,
		     sbx_bin(), flags, prog, args);
}

static bool one_line(const char *s)
{
	return *s && strchr(s, '\n') == s + strlen(s) - 1;
}

TEST_F(signed_run, team_is_bound_to_its_anchor)
{
	char imp[PATH_MAX + 16], a1[33], a2[33], want[PATH_MAX + 200];
	char mine[PATH_MAX + 64], theirs[PATH_MAX + 64];
	char *v;

	private_data_home(self->dir);
	/* A second trusted anchor issues a leaf that claims TEAM42 too. */
	ASSERT_EQ(0, shell(self->r,
			   "cd '%s' && openssl genpkey -algorithm EC -pkeyopt "
			   "ec_paramgen_curve:prime256v1 -out imp.key 2>/dev/null && printf "
			   "'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,"
			   "digitalSignature\\nextendedKeyUsage=codeSigning\\n' >imp.ext && "
			   "openssl req -new -key imp.key -subj '/OU=TEAM42/CN=impostor' -out "
			   "imp.csr && openssl x509 -req -in imp.csr -CA '%s/other-root.pem' "
			   "-CAkey '%s/other-root.key' -set_serial 0x1234 -days 30 -extfile "
			   "imp.ext -out imp.pem 2>/dev/null && cp '%s/other-root.pem' '%s/'",
			   self->dir, self->ca, self->ca, self->ca, self->trust))
	TH_LOG("%s", self->r->err);
	snprintf(imp, sizeof(imp), "%s/impostor", self->dir);
	ASSERT_EQ(0, shell(self->r,
			   "cp '%s' '%s' && '%s' sign --key '%s/imp.key' --cert '%s/imp.pem' "
			   "--profile '%s/tests/sandbox/data/run/network-client.yaml' '%s'",
			   probe(), imp, sbx_bin(), self->dir, self->dir, sbx_src(), imp))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, anchor_of(self, strcat(strcpy(want, self->ca), "/root.pem"), a1));
	ASSERT_EQ(0, anchor_of(self, strcat(strcpy(want, self->ca), "/other-root.pem"), a2));
	ASSERT_STRNE(a1, a2);

	/* Each verifies, and says which anchor its team is vouched for by. */
	ASSERT_EQ(0, shell(self->r, "'%s' verify --trust '%s' '%s'", sbx_bin(), self->trust,
			   self->prog));
	snprintf(want, sizeof(want),
		 "%s: valid (identifier org.sbx.test.network-client, team TEAM42, anchor %s)\n",
		 self->prog, a1);
	EXPECT_STREQ(want, self->r->out);
	ASSERT_EQ(0, shell(self->r, "'%s' verify --trust '%s' '%s'", sbx_bin(), self->trust, imp));
	snprintf(want, sizeof(want),
		 "%s: valid (identifier org.sbx.test.network-client, team TEAM42, anchor %s)\n",
		 imp, a2);
	EXPECT_STREQ(want, self->r->out);

	/* Containers: the control writes and reads its own; the impostor gets another. */
	ASSERT_EQ(0, run(self, "", self->prog, "env HOME")) TH_LOG("%s", self->r->err);
	v = strstr(self->r->out, "HOME=");
	ASSERT_NE(NULL, v);
	snprintf(mine, sizeof(mine), "%.*s", (int)strcspn(v + 5, "\n"), v + 5);
	ASSERT_EQ(0, run(self, "", imp, "env HOME")) TH_LOG("%s", self->r->err);
	v = strstr(self->r->out, "HOME=");
	ASSERT_NE(NULL, v);
	snprintf(theirs, sizeof(theirs), "%.*s", (int)strcspn(v + 5, "\n"), v + 5);
	EXPECT_STRNE(mine, theirs);
	snprintf(want, sizeof(want), "/signed+%s+TEAM42+org.sbx.test.network-client", a1);
	EXPECT_NE(NULL, strstr(mine, want)) TH_LOG("%s", mine);
	snprintf(want, sizeof(want), "/signed+%s+TEAM42+org.sbx.test.network-client", a2);
	EXPECT_NE(NULL, strstr(theirs, want)) TH_LOG("%s", theirs);
	snprintf(want, sizeof(want), "write '%s/secret'", mine);
	ASSERT_EQ(0, run(self, "", self->prog, want)) TH_LOG("%s", self->r->err);
	snprintf(want, sizeof(want), "read '%s/secret'", mine);
	EXPECT_EQ(0, run(self, "", self->prog, want));
	EXPECT_NE(NULL, strstr(self->r->out, "written"));
	EXPECT_EQ(3, run(self, "", imp, want));
	EXPECT_EQ(NULL, strstr(self->r->out, "written"));
}

TEST_F(signed_run, library_validation_refused_unless_best_effort)
{
	static const char yaml[] = "identifier: org.sbx.test.lv\nentitlements:\n  app-sandbox: "
				   "true\n";

	ASSERT_EQ(0, sign_with(self, self->prog, yaml, "--hardened-runtime --library-validation"))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(126, run(self, "", self->prog, "status"));
	EXPECT_STREQ("", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "sign.library-validation")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "tier K"));
	EXPECT_TRUE(one_line(self->r->err)) TH_LOG("%s", self->r->err);
	/* --best-effort runs it, and the report names what was dropped. */
	EXPECT_EQ(0, run(self, "--best-effort --report", self->prog, "status"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "DROPPED     sign.library-validation"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "enforced    sign.hardened-runtime"));
	/* Without --report the drop is still said, as every security drop is. */
	EXPECT_EQ(0, run(self, "--best-effort", self->prog, "status"));
	EXPECT_NE(NULL,
		  strstr(self->r->err, "not enforced on this kernel: sign.library-validation"))
	TH_LOG("%s", self->r->err);
	/* The controls: signed without the flag, or with the entitlement that lifts it. */
	ASSERT_EQ(0, sign_with(self, self->prog, yaml, ""));
	EXPECT_EQ(0, run(self, "", self->prog, "status")) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sign_with(self, self->prog,
			       "identifier: org.sbx.test.lv\nentitlements:\n  app-sandbox: true\n  "
			       "cs.disable-library-validation: true\n",
			       "--hardened-runtime"));
	EXPECT_EQ(0, run(self, "--report", self->prog, "status")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "enforced    sign.hardened-runtime"));
	EXPECT_EQ(NULL, strstr(self->r->err, "sign.library-validation"));
}

TEST_F(signed_run, launch_constraint_on_self_checked)
{
	ASSERT_EQ(0, sign_with(self, self->prog,
			       "identifier: org.sbx.test.lc\nentitlements:\n  app-sandbox: "
			       "true\nlaunch-constraints:\n  self:\n    team-identifier: "
			       "ZZZZZ99999\n",
			       ""))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(126, run(self, "--best-effort", self->prog, "status"));
	EXPECT_STREQ("", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "launch constraint on itself does not hold"))
	TH_LOG("%s", self->r->err);
	EXPECT_TRUE(one_line(self->r->err)) TH_LOG("%s", self->r->err);
	/* The control: a constraint the program meets. */
	ASSERT_EQ(0, sign_with(self, self->prog,
			       "identifier: org.sbx.test.lc\nentitlements:\n  app-sandbox: "
			       "true\nlaunch-constraints:\n  self:\n    $or:\n      - "
			       "team-identifier: ZZZZZ99999\n      - signing-identifier: "
			       "org.sbx.test.lc\n",
			       ""));
	EXPECT_EQ(0, run(self, "--report", self->prog, "status")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "enforced    launch-constraint.self"))
	TH_LOG("%s", self->r->err);
}

TEST_F(signed_run, launch_constraint_on_parent_refused_unless_best_effort)
{
	ASSERT_EQ(0, sign_with(self, self->prog,
			       "identifier: org.sbx.test.lc\nentitlements:\n  app-sandbox: "
			       "true\nlaunch-constraints:\n  parent:\n    team-identifier: "
			       "ABCDE12345\n",
			       ""))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(126, run(self, "", self->prog, "status"));
	EXPECT_NE(NULL, strstr(self->r->err, "launch-constraint.parent"))
	TH_LOG("%s", self->r->err);
	EXPECT_TRUE(one_line(self->r->err)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, run(self, "--best-effort --report", self->prog, "status"));
	EXPECT_NE(NULL, strstr(self->r->err, "DROPPED     launch-constraint.parent"))
	TH_LOG("%s", self->r->err);
}

/*
 * A sidecar symlinked to a root file (root owns the target, not the link). Root's run: a
 * root program in a sticky directory, nobody plants the link, as in the review. Another
 * user's run: the program is a link to root's /bin/true, and the user's own link beside it.
 */
TEST_F(signed_run, stranger_sidecar_symlink_is_no_signature)
{
	char d[PATH_MAX + 16];

	if (geteuid() != 0) {
		snprintf(d, sizeof(d), "%s/prog", self->dir);
		ASSERT_EQ(0, shell(self->r, "ln -s /bin/true '%s' && ln -s /etc/passwd '%s.sbxsig'",
				   d, d));
		shell(self->r, "'%s' verify --trust '%s' '%s'", sbx_bin(), self->trust, d);
		EXPECT_NE(NULL, strstr(self->r->err, "not signed")) TH_LOG("%s", self->r->err);
		EXPECT_EQ(NULL, strstr(self->r->err, "malformed"));
		return;
	}
	snprintf(d, sizeof(d), "%s/dos", self->dir);
	ASSERT_EQ(0, shell(self->r,
			   "chmod 755 '%s' && mkdir '%s' && chmod 1777 '%s' && cp /bin/true "
			   "'%s/prog'",
			   self->dir, d, d, d));
	/* The control: unsigned, no sidecar, it runs. */
	ASSERT_EQ(0, shell(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s/prog'",
			   self->trust, sbx_bin(), d))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, shell(self->r,
			   "setpriv --reuid=65534 --regid=65534 --clear-groups ln -s /etc/passwd "
			   "'%s/prog.sbxsig' && setpriv --reuid=65534 --regid=65534 "
			   "--clear-groups mkfifo '%s/p2.sbxsig' && cp /bin/true '%s/p2'",
			   d, d, d))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, shell(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s/prog'",
			   self->trust, sbx_bin(), d))
	TH_LOG("%s", self->r->err);
	/* Unsigned, so verify fails; what matters is why. */
	shell(self->r, "timeout 20 '%s' verify --trust '%s' '%s/prog' '%s/p2'", sbx_bin(),
	      self->trust, d, d);
	EXPECT_NE(NULL, strstr(self->r->err, "not signed")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(NULL, strstr(self->r->err, "malformed")) TH_LOG("%s", self->r->err);
}

/* The script and its evil twin (same length); the profile lets it read the FIFO. */
TEST_F(signed_run, script_rewritten_after_start_runs_signed_bytes)
{
	char s[PATH_MAX + 16], evil[PATH_MAX + 16], fifo[PATH_MAX + 16], yaml[PATH_MAX + 200];
	FILE *f;

	snprintf(s, sizeof(s), "%s/script.sh", self->dir);
	snprintf(evil, sizeof(evil), "%s/script.evil", self->dir);
	snprintf(fifo, sizeof(fifo), "%s/go", self->dir);
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	/* Line 2 waits until the test has rewritten the file; the interpreter reads on past
	 * its first buffer only then. */
	for (int v = 0; v < 2; v++) {
		f = fopen(v ? evil : s, "w");
		ASSERT_NE(NULL, f);
		fprintf(f, "#!/bin/sh\nread go <'%s'\n", fifo);
		for (int i = 0; i < 400; i++)
			fprintf(f, "# padding line %04d ....................................\n", i);
		fprintf(f, "echo %s\n", v ? "UNSIGNED-BYTES" : "signed-bytes..");
		ASSERT_EQ(0, fclose(f));
	}
	ASSERT_EQ(0, chmod(s, 0755));
	snprintf(yaml, sizeof(yaml),
		 "identifier: org.sbx.test.script\nentitlements:\n  app-sandbox: true\n  "
		 "temporary-exception.files.absolute-path.read-only:\n    - %s\n",
		 fifo);
	ASSERT_EQ(0, shell(self->r,
			   "printf '%%s' '%s' >'%s/s.yaml' && '%s' sign --key '%s' --cert '%s' "
			   "--chain '%s' --profile '%s/s.yaml' '%s' >/dev/null",
			   yaml, self->dir, sbx_bin(), self->key, self->cert, self->chain,
			   self->dir, s))
	TH_LOG("%s", self->r->err);
	/* Started, blocked on the FIFO (the writer's open returns once it reads): rewrite. */
	ASSERT_EQ(0, shell(self->r,
			   "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s' >'%s/out' 2>&1 & "
			   "exec 3>'%s'; dd if='%s' of='%s' conv=notrunc status=none; echo go >&3; "
			   "exec 3>&-; wait $!; st=$?; cat '%s/out'; exit $st",
			   self->trust, sbx_bin(), s, self->dir, fifo, evil, s, self->dir))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "signed-bytes..")) TH_LOG("%s", self->r->out);
	EXPECT_EQ(NULL, strstr(self->r->out, "UNSIGNED-BYTES"));
}

TEST_HARNESS_MAIN
