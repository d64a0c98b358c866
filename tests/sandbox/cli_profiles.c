// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Profiles by name, as a new user meets them (issue 12, item 6): the search path and its
 * override order ($SBX_PROFILE_PATH > user > system > shipped), `sbx profile list [--json]`
 * and `show`, a NAME accepted by lint, explain, canonical and sign, and the one-line
 * "did you mean" for a NAME that is not there. The real sbx binary, with a private
 * $XDG_CONFIG_HOME, as root and as uid 65534.
 */
#include <stdarg.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

FIXTURE(names)
{
	char dir[PATH_MAX], user[PATH_MAX + 32], env[PATH_MAX + 32];
	char home_env[PATH_MAX + 8], xdg_env[PATH_MAX + 32], path_env[PATH_MAX + 64];
	char *envp[5];
	struct sbx_cmd_result *r;
};

static void write_file(struct __test_metadata *_metadata, const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ASSERT_NE(NULL, f);
	fputs(text, f);
	ASSERT_EQ(0, fclose(f));
}

static void write_profile(struct __test_metadata *_metadata, const char *dir, const char *name,
			  const char *identifier)
{
	char path[PATH_MAX + 300], text[512];

	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	snprintf(text, sizeof(text),
		 "identifier: %s\nentitlements:\n  app-sandbox: true\n"
		 "  files.user-selected.read-only: true\n",
		 identifier);
	write_file(_metadata, path, text);
}

FIXTURE_SETUP(names)
{
	char *const mkdir_argv[] = { "mkdir", "-p", self->user, self->env, NULL };

	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->user, sizeof(self->user), "%s/config/sbx/profiles", self->dir);
	snprintf(self->env, sizeof(self->env), "%s/env", self->dir);
	ASSERT_EQ(0, sbx_run_capture(mkdir_argv, self->r));
	ASSERT_EQ(0, self->r->status);
	snprintf(self->home_env, sizeof(self->home_env), "HOME=%s", self->dir);
	snprintf(self->xdg_env, sizeof(self->xdg_env), "XDG_CONFIG_HOME=%s/config", self->dir);
	snprintf(self->path_env, sizeof(self->path_env), "SBX_PROFILE_PATH=%s", self->env);
	self->envp[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
	self->envp[1] = self->home_env;
	self->envp[2] = self->xdg_env;
	self->envp[3] = NULL;
}

FIXTURE_TEARDOWN(names)
{
	sbx_rmtree(self->dir);
	free(self->r);
}

/* sbx ARGS... with the fixture's environment; the exit status, or -1. */
#define SBX(...)                                                                         \
	({                                                                               \
		char *__argv[] = { (char *)sbx_bin(), __VA_ARGS__, NULL };               \
		sbx_run_capture_env(__argv, self->envp, self->r) ? -1 : self->r->status; \
	})

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST_F(names, shipped_profile_by_name)
{
	ASSERT_EQ(0, SBX("profile", "show", "curl")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, strncmp(self->r->out, "# curl: ", 8)) TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "/profiles/curl.yaml ("));
	EXPECT_NE(NULL, strstr(self->r->out, "identifier: se.haxx.curl"));
	EXPECT_EQ(0, SBX("profile", "lint", "curl")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "curl: se.haxx.curl, exposure"));
	EXPECT_EQ(0, SBX("profile", "explain", "curl")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "network.client"));
	EXPECT_EQ(0, SBX("profile", "canonical", "curl")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "identifier: \"se.haxx.curl\""))
	TH_LOG("%s", self->r->out);
}

TEST_F(names, unknown_name_one_line_with_suggestion)
{
	EXPECT_EQ(2, SBX("profile", "show", "crul"));
	EXPECT_STREQ("sbx profile: unknown profile 'crul' (did you mean 'curl'? see sbx profile "
		     "list)\n",
		     self->r->err);
	EXPECT_EQ(2, SBX("profile", "lint", "no-such-profile-at-all"));
	EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "unknown profile 'no-such-profile-at-all': not a "
					     "file, nor no-such-profile-at-all.yaml in "));
	EXPECT_NE(NULL, strstr(self->r->err, "/config/sbx/profiles"));
	/* A FILE is a file: never looked up as a name. */
	EXPECT_EQ(2, SBX("profile", "show", "./curl.yaml"));
	EXPECT_STREQ("sbx profile: ./curl.yaml: no such profile file\n", self->r->err);
}

/* user > shipped, SBX_PROFILE_PATH > user; list says which one wins, show where from. */
TEST_F(names, override_order)
{
	write_profile(_metadata, self->user, "curl", "org.example.user-curl");
	write_profile(_metadata, self->user, "mytool", "org.example.mytool");
	ASSERT_EQ(0, SBX("profile", "show", "curl"));
	EXPECT_NE(NULL, strstr(self->r->out, "/config/sbx/profiles/curl.yaml (user)\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "org.example.user-curl"));
	ASSERT_EQ(0, SBX("profile", "lint", "mytool"));
	EXPECT_NE(NULL, strstr(self->r->out, "org.example.mytool"));

	ASSERT_EQ(0, SBX("profile", "list"));
	EXPECT_EQ(0, strncmp(self->r->out, "NAME ", 5));
	EXPECT_NE(NULL, strstr(self->r->out, "curl             user "));
	EXPECT_NE(NULL, strstr(self->r->out, "/profiles/curl.yaml (overridden)\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "mytool           user "));

	ASSERT_EQ(0, SBX("profile", "list", "--json"));
	EXPECT_NE(NULL, strstr(self->r->out, "\"name\": \"curl\",\n      \"origin\": \"user\""))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "\"wins\": true"));
	EXPECT_NE(NULL, strstr(self->r->out, "\"wins\": false"));
	EXPECT_NE(NULL, strstr(self->r->out, "\"search_path\": ["));

	write_profile(_metadata, self->env, "curl", "org.example.env-curl");
	self->envp[3] = self->path_env;
	self->envp[4] = NULL;
	ASSERT_EQ(0, SBX("profile", "show", "curl"));
	EXPECT_NE(NULL, strstr(self->r->out, "/env/curl.yaml (SBX_PROFILE_PATH)\n"))
	TH_LOG("%s", self->r->out);
	ASSERT_EQ(0, SBX("profile", "list"));
	EXPECT_NE(NULL, strstr(self->r->out, "/config/sbx/profiles/curl.yaml (overridden)\n"));
}

/*
 * The user's profiles decide what a sandbox may do, so they are read only from directories
 * nobody else can change (atk-u e16's family: root's sbx with a user's HOME ran the user's
 * default.yaml). Here the user's directory is made writable by others, and, as root, given
 * to another uid: the profile is not found. The control: the user's own directory, found.
 */
TEST_F(names, user_profiles_only_from_the_users_own_directory)
{
	char config[PATH_MAX + 16];

	snprintf(config, sizeof(config), "%s/config", self->dir);
	write_profile(_metadata, self->user, "mytool", "org.example.mytool");
	ASSERT_EQ(0, SBX("profile", "show", "mytool")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "org.example.mytool"));
	ASSERT_EQ(0, chmod(config, 0777));
	EXPECT_EQ(2, SBX("profile", "show", "mytool"));
	EXPECT_NE(NULL, strstr(self->r->err, "unknown profile 'mytool'"))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, chmod(config, 0755));
	ASSERT_EQ(0, SBX("profile", "show", "mytool")) TH_LOG("%s", self->r->err);
	if (geteuid() != 0)
		return;
	ASSERT_EQ(0, chown(self->user, 65534, 65534));
	EXPECT_EQ(2, SBX("profile", "show", "mytool"));
	EXPECT_NE(NULL, strstr(self->r->err, "unknown profile 'mytool'"))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, chown(self->user, 0, 0));
	ASSERT_EQ(0, SBX("profile", "show", "mytool")) TH_LOG("%s", self->r->err);
}

/* The system layer is $(SYSCONFDIR)/sbx/profiles: only root may write it. */
TEST_F(names, system_between_user_and_shipped)
{
	char name[64], sysdir[] = "/etc/sbx/profiles", file[128], out[PATH_MAX + 160];
	bool made_sbx = false, made_dir = false;

	if (geteuid() != 0)
		SKIP(return, "the system profile directory /etc/sbx/profiles is root's to write");
	snprintf(name, sizeof(name), "sbx-test-%d", (int)getpid());
	snprintf(file, sizeof(file), "%s/%s.yaml", sysdir, name);
	made_sbx = !mkdir("/etc/sbx", 0755);
	made_dir = !mkdir(sysdir, 0755);
	write_profile(_metadata, sysdir, name, "org.example.system");
	EXPECT_EQ(0, SBX("profile", "show", name));
	snprintf(out, sizeof(out), "# %s: %s (system)\n", name, file);
	EXPECT_EQ(0, strncmp(self->r->out, out, strlen(out))) TH_LOG("%s", self->r->out);
	write_profile(_metadata, self->user, name, "org.example.user");
	EXPECT_EQ(0, SBX("profile", "show", name));
	EXPECT_NE(NULL, strstr(self->r->out, "(user)\n"));
	EXPECT_EQ(0, SBX("profile", "list"));
	snprintf(out, sizeof(out), "%s (overridden)\n", file);
	EXPECT_NE(NULL, strstr(self->r->out, out)) TH_LOG("%s", self->r->out);
	unlink(file);
	if (made_dir)
		rmdir(sysdir);
	if (made_sbx)
		rmdir("/etc/sbx");
}

/* sbx sign --profile NAME embeds that profile's canonical entitlements. */
TEST_F(names, sign_profile_by_name)
{
	char cmd[4 * PATH_MAX], key[PATH_MAX + 16], cert[PATH_MAX + 16], file[PATH_MAX + 16];
	char *const sh[] = { "sh", "-c", cmd, NULL };

	if (access("/usr/bin/openssl", X_OK))
		SKIP(return, "the openssl command line is not installed: no test certificate");
	snprintf(key, sizeof(key), "%s/k.pem", self->dir);
	snprintf(cert, sizeof(cert), "%s/c.pem", self->dir);
	snprintf(file, sizeof(file), "%s/true", self->dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-keyout '%s' -out '%s' -days 2 -subj /OU=TEAMNAME/CN=t "
		 "-addext keyUsage=critical,digitalSignature -addext extendedKeyUsage=codeSigning "
		 "2>&1 && cp /bin/true '%s'",
		 key, cert, file);
	ASSERT_EQ(0, sbx_run_capture(sh, self->r));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->out);
	EXPECT_EQ(2, SBX("sign", "--key", key, "--cert", cert, "--profile", "crul", file));
	EXPECT_STREQ("sbx sign: unknown profile 'crul' (did you mean 'curl'? see sbx profile "
		     "list)\n",
		     self->r->err);
	ASSERT_EQ(0, SBX("sign", "--key", key, "--cert", cert, "--profile", "curl", file))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, SBX("display", "--entitlements", file)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "se.haxx.curl")) TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "network.client"));
}

/* An unsigned program named like a profile runs under it, and sbx says so in one line. */
TEST_F(names, run_uses_the_profile_named_like_an_unsigned_program)
{
	char bin[PATH_MAX + 16], prog[PATH_MAX + 32], other[PATH_MAX + 32];
	char *const cp[] = { "sh", "-c",
			     "mkdir \"$0\" && cp /bin/true \"$0/mytool\" && "
			     "cp /bin/true \"$0/othertool\"",
			     bin, NULL };

	snprintf(bin, sizeof(bin), "%s/bin", self->dir);
	snprintf(prog, sizeof(prog), "%s/mytool", bin);
	snprintf(other, sizeof(other), "%s/othertool", bin);
	ASSERT_EQ(0, sbx_run_capture(cp, self->r));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	write_profile(_metadata, self->user, "mytool", "org.example.mytool");

	/* Only a file the system installed (root's) is named: the user's own copy is not. */
	if (getuid() != 0) {
		EXPECT_EQ(0, SBX("run", "--report", "--", prog)) TH_LOG("%s", self->r->err);
		EXPECT_EQ(NULL, strstr(self->r->err, "by its name")) TH_LOG("%s", self->r->err);
		EXPECT_NE(NULL, strstr(self->r->err, "mytool under org.sbx.default ("));
		return;
	}
	EXPECT_EQ(0, SBX("run", "--allow-root", "--report", "--", prog)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "/bin/mytool has no signature: the profile 'mytool' "
					     "applies, by its name ("))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "/config/sbx/profiles/mytool.yaml, user; --profile "
					     "default to refuse it)\n"));
	EXPECT_NE(NULL, strstr(self->r->err, "mytool under org.example.mytool ("));
	/* The same file owned by another user gets the default: a name is not an identity. */
	ASSERT_EQ(0, chown(prog, 65534, 65534));
	EXPECT_EQ(0, SBX("run", "--allow-root", "--report", "--", prog)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(NULL, strstr(self->r->err, "by its name")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "mytool under org.sbx.default ("));
	ASSERT_EQ(0, chown(prog, 0, 0));

	/* --profile decides alone; another name gets the default, without a word. */
	EXPECT_EQ(0, SBX("run", "--allow-root", "--report", "--profile", "default", "--", prog));
	EXPECT_EQ(NULL, strstr(self->r->err, "by its name")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "mytool under org.sbx.default ("));
	EXPECT_EQ(0, SBX("run", "--allow-root", "--report", "--", other));
	EXPECT_EQ(NULL, strstr(self->r->err, "by its name")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "othertool under org.sbx.default ("));
}

/* sbx run --allow KEY: on top of the profile, shown in --report; a bad key is one line, 125. */
TEST_F(names, run_allow)
{
	EXPECT_EQ(0, SBX("run", "--allow-root", "--report", "--allow", "network.client", "--allow",
			 "cs.allow-jit", "--", "true"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "default.yaml + --allow network.client,cs.allow-jit)"))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(125, SBX("run", "--allow-root", "--allow", "network.clinet", "--", "true"));
	EXPECT_STREQ("sbx run: --allow: unknown entitlement 'network.clinet' (did you mean "
		     "'network.client'?)\n",
		     self->r->err);
	EXPECT_EQ(125, SBX("run", "--allow-root", "--allow",
			   "temporary-exception.files.absolute-path.read-write", "--", "true"));
	EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(125, SBX("run", "--allow-root", "--profile", "crul", "--", "true"));
	EXPECT_STREQ(
		"sbx run: unknown profile 'crul' (did you mean 'curl'? see sbx profile list)\n",
		self->r->err);
}

TEST_HARNESS_MAIN
