// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx learn with real programs (make, git, python3, curl against a local server): the
 * control shows the program fails under BASE (the shipped profile "default"); learn writes
 * a profile and a diff naming what it added and why; the program then runs clean (status
 * 0, no denial) under the learned profile. And learn's bad input: one line, status 2,
 * nothing run.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

static bool have(const char *prog)
{
	char path[64];

	snprintf(path, sizeof(path), "/usr/bin/%s", prog);
	return !access(path, X_OK);
}

#define NEED(prog)                                                                         \
	do {                                                                               \
		if (!have(prog) && sbx_in_ci())                                            \
			ASSERT_TRUE(have(prog)) TH_LOG("/usr/bin/" prog " missing in CI"); \
		if (!have(prog))                                                           \
			SKIP(return, "/usr/bin/" prog " is not installed");                \
	} while (0)

FIXTURE(learn)
{
	char dir[PATH_MAX], profile[PATH_MAX + 32];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(learn)
{
	char tmp[PATH_MAX];

	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(tmp, sizeof(tmp)));
	ASSERT_NE(NULL, realpath(tmp, self->dir));
	snprintf(self->profile, sizeof(self->profile), "%s/learned.yaml", self->dir);
}

FIXTURE_TEARDOWN(learn)
{
	sbx_rmtree(self->dir);
	free(self->r);
}

/* path as a learned profile spells it: home-relative beneath $HOME (the user's run). */
static const char *spelled(const char *path)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;

	if (n > 1 && !strncmp(path, home, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

/*
 * sbx VERB --allow-root --profile PROFILE [-o OUT | --explain] -- ARGS (NULL-ended): a run
 * explains its file refusals (this is no terminal).
 */
static int sbx_verb(struct sbx_cmd_result *r, const char *verb, const char *profile,
		    const char *out, char *const args[])
{
	char *argv[32] = { (char *)sbx_bin(), (char *)verb, "--allow-root", "--profile",
			   (char *)profile };
	int n = 5;

	if (out) {
		argv[n++] = "-o";
		argv[n++] = (char *)out;
	} else {
		argv[n++] = "--explain";
	}
	argv[n++] = "--";
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return sbx_run_capture(argv, r);
}

/* sbx learn as sbx_verb runs it, with HOME=home for that run only. */
static int learn_in_home(struct sbx_cmd_result *r, const char *home, const char *profile,
			 char *const args[])
{
	const char *h = getenv("HOME");
	char old[PATH_MAX];
	int err;

	snprintf(old, sizeof(old), "%s", h ? h : "");
	setenv("HOME", home, 1);
	err = sbx_verb(r, "learn", "default", profile, args);
	if (h)
		setenv("HOME", old, 1);
	else
		unsetenv("HOME");
	return err;
}

/* The control fails under default; learn succeeds; the learned profile runs clean. */
static void learn_then_run(struct __test_metadata *_metadata, struct sbx_cmd_result *r,
			   const char *profile, char *const args[], const char *added,
			   const char *act)
{
	ASSERT_EQ(0, sbx_verb(r, "run", "default", NULL, args));
	EXPECT_NE(0, r->status) TH_LOG("the control ran under default: %s", r->err);
	/* The control of "no denial" below: under default the refusals are said. */
	EXPECT_NE(NULL, strstr(r->err, "] denied ")) TH_LOG("%s", r->err);
	ASSERT_EQ(0, sbx_verb(r, "learn", "default", profile, args));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	/* After the program's own output. */
	EXPECT_NE(NULL, strstr(r->out, "--- ")) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, added)) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, act)) TH_LOG("%s", r->out);
	ASSERT_EQ(0, access(profile, R_OK));
	ASSERT_EQ(0, sbx_verb(r, "run", profile, NULL, args));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_EQ(NULL, strstr(r->err, "denied")) TH_LOG("%s", r->err);
}

TEST_F(learn, make_reads_and_writes_its_project)
{
	char mk[PATH_MAX + 16], cmd[3 * PATH_MAX], added[PATH_MAX + 64];
	char *args[] = { "make", "-C", self->dir, NULL };

	NEED("make");
	snprintf(mk, sizeof(mk), "%s/Makefile", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r,
			    "printf 'all:\\n\\tcat in.txt > out.txt\\n' > '%s' && "
			    "echo data > '%s/in.txt'",
			    mk, self->dir));
	snprintf(cmd, sizeof(cmd), "+  #   create of %s/out.txt (", self->dir);
	snprintf(added, sizeof(added), "read-write: [%s]\n", spelled(self->dir));
	learn_then_run(_metadata, self->r, self->profile, args, added, cmd);
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s/out.txt'", self->dir));
	EXPECT_STREQ("data\n", self->r->out);
}

TEST_F(learn, git_commits_in_its_repository)
{
	char repo[PATH_MAX + 16], added[PATH_MAX + 64], act[PATH_MAX + 64];
	char *args[] = { "git", "-C", repo, "commit", "--allow-empty", "-qm", "learned", NULL };

	NEED("git");
	snprintf(repo, sizeof(repo), "%s/repo", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r,
			    "git init -q '%s' && cd '%s' && git config user.name t && "
			    "git config user.email t@example.org && echo a > a && git add a && "
			    "git commit -qm init",
			    repo, repo));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(added, sizeof(added), "read-write: [%s/.git]\n", spelled(repo));
	snprintf(act, sizeof(act), " of %s/.git/", repo);
	learn_then_run(_metadata, self->r, self->profile, args, added, act);
	ASSERT_EQ(0, sbx_sh(self->r, "git -C '%s' log --format=%%s | head -1", repo));
	EXPECT_STREQ("learned\n", self->r->out);
}

TEST_F(learn, python3_reads_a_directory_and_writes_another)
{
	char script[PATH_MAX + 16], in[PATH_MAX + 16], out[PATH_MAX + 16];
	char added[PATH_MAX + 64], act[PATH_MAX + 64];
	char *args[] = { "/usr/bin/python3", script, in, out, NULL };

	NEED("python3");
	snprintf(script, sizeof(script), "%s/sum.py", self->dir);
	snprintf(in, sizeof(in), "%s/in", self->dir);
	snprintf(out, sizeof(out), "%s/out", self->dir);
	ASSERT_EQ(
		0,
		sbx_sh(self->r,
		       "mkdir '%s' '%s' && for i in 1 2 3 4 5; do echo $i > '%s'/f$i; done && "
		       "printf 'import os,sys\\nt=sum(int(open(os.path.join(sys.argv[1],n)).read())"
		       " for n in os.listdir(sys.argv[1]))\\nopen(os.path.join(sys.argv[2],"
		       "\"sum\"),\"w\").write(str(t))\\n' > '%s'",
		       in, out, in, script));
	snprintf(added, sizeof(added), "read-only: [%s]\n", spelled(in));
	snprintf(act, sizeof(act), "+  #   create of %s/sum (python3", out);
	learn_then_run(_metadata, self->r, self->profile, args, added, act);
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s/sum'", out));
	EXPECT_STREQ("15", self->r->out);
}

/* A one-request HTTP server on 127.0.0.1, in a child; its port. */
static pid_t http_server(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	pid_t pid;

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 8) ||
	    getsockname(s, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	pid = fork();
	if (pid == 0) {
		static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";

		for (;;) {
			char buf[4096];
			int c = accept(s, NULL, NULL);

			if (c < 0)
				_exit(1);
			if (read(c, buf, sizeof(buf)) > 0 &&
			    write(c, reply, sizeof(reply) - 1) != sizeof(reply) - 1)
				_exit(1);
			close(c);
		}
	}
	close(s);
	return pid;
}

TEST_F(learn, curl_fetches_from_a_local_server)
{
	char url[64];
	char *args[] = { "curl", "-s", url, NULL };
	int port = 0;
	pid_t server;

	NEED("curl");
	server = http_server(&port);
	ASSERT_LT(0, server);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	learn_then_run(_metadata, self->r, self->profile, args, "+  network.client: true\n",
		       "+  #   socket(AF_INET) (curl[");
	EXPECT_STREQ("hello\n", self->r->out);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
}

/*
 * Read-write covers read-only: a file read beneath a directory the run also wrote in is
 * left out, the home itself too (home-relative ".": every path beneath it).
 */
TEST_F(learn, file_made_in_the_home_is_learned_not_the_home)
{
	char script[3 * PATH_MAX], home[PATH_MAX + 8];
	char *args[] = { "/bin/sh", "-c", script, NULL };

	ASSERT_EQ(0, sbx_sh(self->r, "mkdir '%s/d' && echo f >'%s/d/f'", self->dir, self->dir));
	/* The control: read alone, the file is learned. */
	snprintf(script, sizeof(script), "cat '%s/d/f'", self->dir);
	ASSERT_EQ(0, learn_in_home(self->r, self->dir, self->profile, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "home-relative-path.read-only: [d/f]\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_EQ(NULL, strstr(self->r->err, "sbx learn: warning")) TH_LOG("%s", self->r->err);
	/*
	 * A file made in the home too: the home holds sbx's own directories, and sbx run
	 * refuses a write rule above them, so the new file is learned, not the home, and the
	 * learned profile runs.
	 */
	snprintf(script, sizeof(script), "cat '%s/d/f' && echo x >'%s/new'", self->dir, self->dir);
	ASSERT_EQ(0, learn_in_home(self->r, self->dir, self->profile, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "home-relative-path.read-write: [new]\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "home-relative-path.read-only: [d/f]\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_EQ(NULL, strstr(self->r->err, "sbx learn: warning")) TH_LOG("%s", self->r->err);
	ASSERT_NE(NULL, getenv("HOME"));
	snprintf(home, sizeof(home), "%s", getenv("HOME"));
	setenv("HOME", self->dir, 1);
	ASSERT_EQ(0, sbx_verb(self->r, "run", self->profile, NULL, args));
	setenv("HOME", home, 1);
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/*
	 * The control: with sbx's own directories outside the home ($XDG_*), the home itself is
	 * learned read-write, said once, and the learned profile runs. (The test's child ends
	 * the environment set here.)
	 */
	ASSERT_EQ(0, sbx_sh(self->r, "cd '%s' && mkdir h xdg xdg/c xdg/d xdg/s", self->dir));
	snprintf(home, sizeof(home), "%s/h", self->dir);
	snprintf(script, sizeof(script), "%s/xdg/c", self->dir);
	setenv("XDG_CONFIG_HOME", script, 1);
	snprintf(script, sizeof(script), "%s/xdg/d", self->dir);
	setenv("XDG_DATA_HOME", script, 1);
	snprintf(script, sizeof(script), "%s/xdg/s", self->dir);
	setenv("XDG_STATE_HOME", script, 1);
	setenv("HOME", home, 1);
	snprintf(script, sizeof(script), "echo x >'%s/new'", home);
	ASSERT_EQ(0, sbx_verb(self->r, "learn", "default", self->profile, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "home-relative-path.read-write: [.]\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "sbx learn: warning: learned the whole home "
					     "read-write ('.' in "))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "narrow it by hand if the program needs less\n"))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx_verb(self->r, "run", self->profile, NULL, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

/*
 * Four files written in one directory are learned as that directory, unless it holds sbx's
 * own (here $XDG_DATA_HOME, the app containers' parent): each file then, for sbx run refuses
 * the directory. The control: four files of another directory, grouped. (Each test runs in a
 * child of its own: the environment set here ends with it.)
 */
TEST_F(learn, files_grouped_never_into_a_directory_holding_sbx_own)
{
	char script[4 * PATH_MAX], data[PATH_MAX + 8];
	char *args[] = { "/bin/sh", "-c", script, NULL };

	snprintf(data, sizeof(data), "%s/data", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r,
			    "cd '%s' && mkdir -p data/sbx d && touch d/a d/b d/c d/d data/a data/b "
			    "data/c data/d",
			    self->dir));
	setenv("HOME", self->dir, 1);
	setenv("XDG_DATA_HOME", data, 1);
	snprintf(script, sizeof(script),
		 "for f in a b c d; do echo x >>'%s/d/'$f; echo x >>'%s/'$f; done", self->dir,
		 data);
	ASSERT_EQ(0, sbx_verb(self->r, "learn", "default", self->profile, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "home-relative-path.read-write: [d]\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "home-relative-path.read-write: [data/a]\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_EQ(NULL, strstr(self->r->out, "[data]")) TH_LOG("%s", self->r->out);
	ASSERT_EQ(0, sbx_verb(self->r, "run", self->profile, NULL, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

/*
 * Listing the home learns all of it read-only (Landlock grants a directory with everything
 * beneath it): one warning line says so. The control is the case above's first run: a file
 * read beneath it is learned alone, and nothing is said.
 */
TEST_F(learn, whole_home_learned_is_warned)
{
	char script[2 * PATH_MAX], want[2 * PATH_MAX];
	char *args[] = { "/bin/sh", "-c", script, NULL };
	int n_warnings = 0;

	ASSERT_EQ(0, sbx_sh(self->r, "mkdir '%s/d' && echo f >'%s/d/f'", self->dir, self->dir));
	snprintf(script, sizeof(script), "ls '%s' >/dev/null", self->dir);
	ASSERT_EQ(0, learn_in_home(self->r, self->dir, self->profile, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "home-relative-path.read-only: [.]\n"))
	TH_LOG("%s", self->r->out);
	snprintf(want, sizeof(want),
		 "sbx learn: warning: learned the whole home read-only ('.' in %s): a directory is "
		 "granted with all beneath it; narrow it by hand if the program needs less\n",
		 self->profile);
	EXPECT_NE(NULL, strstr(self->r->err, want)) TH_LOG("%s", self->r->err);
	for (const char *w = self->r->err; (w = strstr(w, "sbx learn: warning")); w++)
		n_warnings++;
	EXPECT_EQ(1, n_warnings) TH_LOG("%s", self->r->err);
}

/*
 * A program that tries what the Hardened Runtime, sbx.io-uring and sbx.aio refuse (a W+X
 * mapping, a W->X flip, io_uring, Linux AIO's io_setup, a Bluetooth socket, ptrace of its
 * parent), goes on when refused and
 * succeeds: it did not need those entitlements (complain mode refused each and the run went
 * on), so learn names each as tried (a comment in the profile, a line of the diff) and adds
 * none; device.bluetooth is an App Sandbox key, so the rule is what ran, not a key's class.
 * The control: the App Sandbox keys the same run needed (network.client for its socket,
 * files.user-selected.executable for running the probe) are added.
 */
TEST_F(learn, tried_runtime_lifts_are_named_not_added)
{
	static const char *const tried[] = { "cs.allow-jit", "cs.allow-unsigned-executable-memory",
					     "sbx.io-uring", "sbx.aio",
					     "cs.debugger",  "device.bluetooth" };
	const char *probe = sbx_test_helper("run_probe");
	char script[2 * PATH_MAX], grant[PATH_MAX + 8], line[128];
	char *args[] = { "/bin/sh", "-c", script, NULL };
	char *run[] = { (char *)sbx_bin(), "run",     "--allow-root", "--profile",
			self->profile,	   "--grant", grant,	      "--",
			"/bin/sh",	   "-c",      script,	      NULL };

	ASSERT_NE(NULL, probe);
	snprintf(script, sizeof(script),
		 "for a in mmap-wx mprotect-x io-uring aio socket-bluetooth ptrace-parent "
		 "socket-inet; "
		 "do '%s' $a; "
		 "done; exit 0",
		 probe);
	snprintf(grant, sizeof(grant), "%.*s:x", (int)(strrchr(probe, '/') - probe), probe);
	ASSERT_EQ(0, sbx_verb(self->r, "learn", "default", self->profile, args));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	for (size_t i = 0; i < sizeof(tried) / sizeof(tried[0]); i++) {
		snprintf(line, sizeof(line), "+# tried: %s (add it if the program needs it)\n",
			 tried[i]);
		EXPECT_NE(NULL, strstr(self->r->out, line)) TH_LOG("%s", self->r->out);
	}
	EXPECT_NE(NULL, strstr(self->r->out, "+  network.client: true\n"))
	TH_LOG("%s", self->r->out);
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s'", self->profile));
	for (size_t i = 0; i < sizeof(tried) / sizeof(tried[0]); i++) {
		snprintf(line, sizeof(line), "  %s: true\n", tried[i]);
		EXPECT_EQ(NULL, strstr(self->r->out, line)) TH_LOG("%s", self->r->out);
		snprintf(line, sizeof(line), "\n# tried: %s (add it if the program needs it)\n",
			 tried[i]);
		EXPECT_NE(NULL, strstr(self->r->out, line)) TH_LOG("%s", self->r->out);
	}
	EXPECT_NE(NULL, strstr(self->r->out, "  network.client: true\n"))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "  files.user-selected.executable: true\n"))
	TH_LOG("%s", self->r->out);
	/* The learned profile refuses each again, and the program succeeds as it did. */
	ASSERT_EQ(0, sbx_run_capture(run, self->r));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "denied ptrace(): needs cs.debugger"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "socket: ok")) TH_LOG("%s", self->r->out);
}

TEST_F(learn, bad_input_one_line_status_2_nothing_run)
{
	char marker[PATH_MAX + 16], out[PATH_MAX + 32];
	char *touch[] = { "touch", marker, NULL };
	char *no_output[] = { (char *)sbx_bin(), "learn", "--", "touch", marker, NULL };

	snprintf(marker, sizeof(marker), "%s/ran", self->dir);
	snprintf(out, sizeof(out), "%s/no/such/dir/p.yaml", self->dir);
	ASSERT_EQ(0, sbx_verb(self->r, "learn", "default", out, touch));
	EXPECT_EQ(2, self->r->status);
	EXPECT_EQ(0, strncmp(self->r->err, "sbx learn: ", 11)) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("", strchr(self->r->err, '\n') ? strchr(self->r->err, '\n') + 1 : "x");
	EXPECT_NE(0, access(marker, F_OK));
	/* No -o. */
	ASSERT_EQ(0, sbx_run_capture(no_output, self->r));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("sbx learn: no output given: -o NEW.yaml (see sbx learn --help)\n",
		     self->r->err);
	EXPECT_NE(0, access(marker, F_OK));
	/* The control: the same command with a writable -o runs. */
	snprintf(out, sizeof(out), "%s/p.yaml", self->dir);
	ASSERT_EQ(0, sbx_verb(self->r, "learn", "default", out, touch));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, access(marker, F_OK));
}

TEST_HARNESS_MAIN
