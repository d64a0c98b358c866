// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd's JSON against its schemas (json_schema.h): each event of sbx log --json
 * (sbx-log.v1), and sbx status --json while sbxd runs (sbx-status.v1, its sbxd object
 * filled). The real sbxd in tier F on a private tmpfs (sbxd_fixture.h).
 */
#include "json_schema.h"
#include "sbxd_fixture.h"

TEST_F(sbxd, log_and_status_json_match_their_schemas)
{
	char u[PATH_LEN], s[PATH_LEN], out[PATH_LEN + 16];

	SBX_NEED_COMMANDS("jsonschema");
	wpath(self, u, "unsigned");
	wpath(self, s, "signed");
	ASSERT_EQ(0, sign(_metadata, self, s));
	start_sbxd(_metadata, self, "enforce", NULL);
	ASSERT_EQ(-EPERM, exec_status(u));
	ASSERT_EQ(0, exec_status(s));
	fmt(out, sizeof(out), "%s/log.json", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' log --json > '%s'", self->run,
			    sbx_bin(), out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID_LINES(self, "log", out);
	/* The refusal is logged; the signed program's exec, allowed, is not an event. */
	ASSERT_EQ(0, sbx_sh(self->r, "grep -c '\"decision\":\"deny\"' '%s'", out));
	EXPECT_STREQ("1\n", self->r->out);
	/* sbxd's time as it was before: no zone. */
	EXPECT_INVALID_LINES(self, "log", out, "s/\"time\":\"\\([^\"]*\\)Z\"/\"time\":\"\\1\"/");
	EXPECT_INVALID_LINES(self, "log", out, "s/\"decision\":\"deny\"/\"decision\":\"no\"/");

	fmt(out, sizeof(out), "%s/status.json", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' status --json > '%s'", self->run,
			    sbx_bin(), out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID(self, "status", out);
	ASSERT_EQ(0, sbx_sh(self->r, "grep -c '\"running\": true\\|\"pid\": [1-9]' '%s'", out));
	EXPECT_STREQ("2\n", self->r->out);
	EXPECT_INVALID(self, "status", out,
		       "s/\"cache_max\": \\([0-9]*\\)/\"cache_max\": \"\\1\"/");
}

TEST_HARNESS_MAIN
