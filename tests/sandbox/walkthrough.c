// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * README's "sandbox a command" quick start, typed as a user types it (issue 12's
 * walkthrough): five everyday jobs, each one `sbx run` command line that succeeds, and the
 * act each job must not do, refused with sbx's explanation line naming what would allow
 * it; each refused act succeeds unconfined (its control). Every command line is asserted
 * to be in README's quick-start block, as written there, then run by sh on a pty of the
 * test's (sbx explains denials by default on a terminal), from a project directory in a
 * home of the test's own, with sbx first on PATH. As root, `--allow-root` is put after
 * `sbx run` (check.sh's second run, as uid 65534, types the lines unchanged). The curl
 * lines name port 8000; the test's server listens on a free port, put in its place.
 *
 * Host only: not in the guests' GUEST_SANDBOX (tests/vm/mkinitramfs.sh), which have
 * busybox, python3 and curl but no make, cc, bash or python3's venv; what it proves is the
 * command line a user types, not a kernel's behaviour (the suites it types through, such as
 * run_explain and programs_real, run in the guests). Where a program is missing the case
 * SKIPs naming it; in CI that is a failure (make deps installs them).
 */
#include <signal.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

FIXTURE(walk)
{
	char dir[PATH_MAX], home[PATH_MAX + 8], bindir[PATH_MAX];
	char port[16];
	char buf[65536];
	int master;
	struct sbx_cmd_result *r;
	pid_t server;
	int server_out;
};

FIXTURE_SETUP(walk)
{
	char bin[PATH_MAX], path[PATH_MAX + 16], *slash;

	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_NE(NULL, realpath(sbx_bin(), bin));
	slash = strrchr(bin, '/');
	*slash = '\0';
	snprintf(self->bindir, sizeof(self->bindir), "%s", bin);
	/* The user's PATH: sbx, then the system's programs (SBX_NEED_COMMANDS looks here). */
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", self->bindir);
	ASSERT_EQ(0, setenv("PATH", path, 1));
	snprintf(self->port, sizeof(self->port), "8000");
	self->server = -1;
	self->server_out = -1;
	self->master = -1;
	/* The grandchildren of a pty's shell come here, to be reaped. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}

FIXTURE_TEARDOWN(walk)
{
	if (self->master >= 0)
		close(self->master);
	if (self->server > 0) {
		kill(self->server, SIGKILL);
		waitpid(self->server, NULL, 0);
	}
	if (self->server_out >= 0)
		close(self->server_out);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sbx_sh(self->r, "chmod -R u+rwx '%s' 2>/dev/null", self->dir);
	sbx_rmtree(self->dir);
	free(self->r);
}

/*
 * True when line is a line of README's quick-start walkthrough block (the fenced block
 * after <!-- quickstart-walkthrough -->), whole or followed by blanks and a # comment.
 */
static bool in_readme(FIXTURE_DATA(walk) * self, const char *line)
{
	char *argv[] = { "sed", "-n", "/<!-- quickstart-walkthrough -->/,/^```$/p", NULL, NULL };
	char readme[PATH_MAX];
	size_t n = strlen(line);

	snprintf(readme, sizeof(readme), "%s/README.md", sbx_src());
	argv[3] = readme;
	if (sbx_run_capture(argv, self->r) || self->r->status)
		return false;
	for (const char *l = self->r->out; (l = strstr(l, line)); l++) {
		const char *rest = l + n + strspn(l + n, " ");

		if ((l == self->r->out || l[-1] == '\n') &&
		    (*rest == '\n' || (*rest == '#' && rest > l + n)))
			return true;
	}
	return false;
}

/*
 * The line as this run types it: "--allow-root" after each "sbx run" as root, the test's
 * port for 8000.
 */
static void as_typed(FIXTURE_DATA(walk) * self, const char *line, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (const char *p = line; *p && used < len - 1;) {
		if (!strncmp(p, "sbx run ", 8) && geteuid() == 0) {
			used += snprintf(out + used, len - used, "sbx run --allow-root ");
			p += 8;
		} else if (!strncmp(p, ":8000/", 6)) {
			used += snprintf(out + used, len - used, ":%s/", self->port);
			p += 6;
		} else {
			out[used++] = *p++;
			out[used] = '\0';
		}
	}
}

/*
 * Start line (a README line) at a shell on a new pty, in HOME/DIR: self->master is the
 * terminal the user types at, self->buf what it showed so far. The shell's pid, or -1.
 */
static pid_t start_line(FIXTURE_DATA(walk) * self, const char *dir, const char *line)
{
	char typed[3 * PATH_MAX], script[5 * PATH_MAX], env_path[PATH_MAX + 32],
		env_home[PATH_MAX + 16];
	char *argv[] = { "/usr/bin/env", "-i", env_path, env_home, "TERM=dumb",
			 "/bin/sh",	 "-c", script,	 NULL };

	as_typed(self, line, typed, sizeof(typed));
	snprintf(env_path, sizeof(env_path), "PATH=%s", getenv("PATH"));
	snprintf(env_home, sizeof(env_home), "HOME=%s", self->home);
	snprintf(script, sizeof(script), "cd '%s/%s' && %s", self->home, dir, typed);
	self->buf[0] = '\0';
	self->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (self->master < 0 || grantpt(self->master) || unlockpt(self->master))
		return -1;
	return sbx_pty_spawn(self->master, argv);
}

/*
 * Read the terminal to its end (its slave's last holder gone: EIO), however long the
 * program is silent (the harness's timeout is the guard); pid's exit status, or -1.
 */
static int end_line(FIXTURE_DATA(walk) * self, pid_t pid)
{
	size_t have = strlen(self->buf);
	ssize_t n;
	int ws;

	while (have < sizeof(self->buf) - 1 &&
	       ((n = read(self->master, self->buf + have, sizeof(self->buf) - 1 - have)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			self->buf[have += (size_t)n] = '\0';
	close(self->master);
	self->master = -1;
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* line typed in HOME/DIR and run to its end: its exit status; what it showed in self->buf. */
static int type_line(FIXTURE_DATA(walk) * self, const char *dir, const char *line)
{
	return end_line(self, start_line(self, dir, line));
}

/* The line is README's, and typed it exits with status want. */
#define TYPE(dir, line, want)                                                                  \
	do {                                                                                   \
		EXPECT_TRUE(in_readme(self, line))                                             \
		TH_LOG("not in README's quick start: %s", line);                               \
		EXPECT_EQ(want, type_line(self, dir, line)) TH_LOG("%s\n%s", line, self->buf); \
	} while (0)

/* A shell command outside sbx (setup and controls), in HOME/DIR; its status. */
static int unconfined(FIXTURE_DATA(walk) * self, const char *dir, const char *cmd)
{
	if (sbx_sh(self->r, "cd '%s/%s' && HOME='%s' PATH=/usr/bin:/bin; export HOME PATH; %s",
		   self->home, dir, self->home, cmd))
		return -1;
	return self->r->status;
}

/* "] denied ACT of HOME PATH: add --grant HOME GRANT" is in what the terminal showed. */
static bool explained(FIXTURE_DATA(walk) * self, const char *act, const char *path,
		      const char *grant)
{
	char want[3 * PATH_MAX];

	snprintf(want, sizeof(want), "] denied %s of %s%s: add --grant %s%s", act, self->home, path,
		 self->home, grant);
	return strstr(self->buf, want) != NULL;
}

/*
 * The explanation is true: line (a README line, "sbx run ...") typed again with the grant
 * an explanation named (HOME GRANT, as explained() read it) runs to status 0.
 */
static int follow(FIXTURE_DATA(walk) * self, const char *dir, const char *line, const char *grant)
{
	char again[2 * PATH_MAX + 256];

	if (strncmp(line, "sbx run ", 8))
		return -1;
	snprintf(again, sizeof(again), "sbx run --grant %s%s %s", self->home, grant, line + 8);
	return type_line(self, dir, again);
}

/*
 * line (a README line) refused with status want, the program told "Permission denied" and
 * the terminal "denied ACT of HOME PATH: add --grant HOME GRANT", HOME PATH not made; then
 * that explanation followed: line typed again with the grant runs to status 0.
 */
#define REFUSED_THEN_FOLLOWED(dir, line, want, act, path, grant)                                 \
	do {                                                                                     \
		TYPE(dir, line, want);                                                           \
		EXPECT_NE(NULL, strstr(self->buf, "Permission denied")) TH_LOG("%s", self->buf); \
		EXPECT_TRUE(explained(self, act, path, grant)) TH_LOG("%s", self->buf);          \
		EXPECT_NE(0, unconfined(self, ".", "test -e ." path));                           \
		EXPECT_EQ(0, follow(self, dir, line, grant)) TH_LOG("%s", self->buf);            \
	} while (0)

#define SUM_PY                                                                           \
	"import os, sys\n"                                                               \
	"src, dst = sys.argv[1:]\n"                                                      \
	"total = sum(int(open(os.path.join(src, n)).read()) for n in os.listdir(src))\n" \
	"open(os.path.join(dst, 'sum.txt'), 'w').write('%d\\n' % total)\n"

#define PY_OUT_OF_PLACE "sbx run --grant sum.py --grant in --grant out:rw -- python3 sum.py in ."

TEST_F_TIMEOUT(walk, python_reads_its_input_and_writes_its_output_dir, 120)
{
	SBX_NEED_COMMANDS("python3");
	ASSERT_EQ(0,
		  unconfined(self, ".",
			     "mkdir -p sum/in sum/out && cd sum && echo 3 >in/a && echo 4 >in/b && "
			     "cat >sum.py <<'EOF'\n" SUM_PY "EOF"));
	TYPE("sum", "sbx run --grant sum.py --grant in --grant out:rw -- python3 sum.py in out", 0);
	ASSERT_EQ(0, unconfined(self, "sum", "cat out/sum.txt"));
	EXPECT_STREQ("7\n", self->r->out);
	/* Writing beside its output: refused, and sbx says which grant would allow it. */
	REFUSED_THEN_FOLLOWED("sum", PY_OUT_OF_PLACE, 1, "create", "/sum/sum.txt", "/sum:rw");
	ASSERT_EQ(0, unconfined(self, "sum", "cat sum.txt && rm sum.txt"));
	EXPECT_STREQ("7\n", self->r->out);
	/* The control: unconfined, the same act succeeds. */
	ASSERT_EQ(0, unconfined(self, "sum", "python3 sum.py in . && cat sum.txt"));
	EXPECT_STREQ("7\n", self->r->out);
}

/* python3 -m http.server on 127.0.0.1, a free port, serving DIR: its port in self->port. */
static int serve(FIXTURE_DATA(walk) * self, const char *dir)
{
	char *argv[] = { "/usr/bin/python3", "-u",	  "-m",		 "http.server", "0",
			 "--bind",	     "127.0.0.1", "--directory", (char *)dir,	NULL };
	char line[256] = "";
	const char *p;
	int o[2];

	if (pipe2(o, O_CLOEXEC))
		return -1;
	self->server = fork();
	if (self->server == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(o[1], 1);
		dup2(null, 2); /* its log of requests */
		execv(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	/* "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."; kept open. */
	self->server_out = o[0];
	sbx_pty_read_until(o[0], line, sizeof(line), ") ...");
	p = strstr(line, " port ");
	if (!p)
		return -1;
	snprintf(self->port, sizeof(self->port), "%d", atoi(p + 6));
	return 0;
}

TEST_F_TIMEOUT(walk, curl_fetches_with_its_profiles_network, 120)
{
	char srv[PATH_MAX + 16], cmd[128];

	SBX_NEED_COMMANDS("python3 curl");
	snprintf(srv, sizeof(srv), "%s/srv", self->dir);
	ASSERT_EQ(0, unconfined(self, ".",
				"mkdir -p dl && mkdir ../srv && echo hello >../srv/hello.txt"));
	ASSERT_EQ(0, serve(self, srv));
	TYPE(".",
	     "sbx run --grant dl:rw -- curl -s -o dl/hello.txt http://127.0.0.1:8000/hello.txt", 0);
	ASSERT_EQ(0, unconfined(self, ".", "cat dl/hello.txt"));
	EXPECT_STREQ("hello\n", self->r->out);
	/* Under a profile without network: refused, naming the entitlement. */
	TYPE(".", "sbx run --profile default -- curl -s http://127.0.0.1:8000/hello.txt", 7);
	EXPECT_NE(NULL, strstr(self->buf, "] denied socket(AF_INET): needs network.client (--allow "
					  "network.client)"))
	TH_LOG("%s", self->buf);
	EXPECT_EQ(NULL, strstr(self->buf, "hello")) TH_LOG("%s", self->buf);
	/* That entitlement, one flag more: it fetches. */
	TYPE(".",
	     "sbx run --profile default --allow network.client -- curl -s "
	     "http://127.0.0.1:8000/hello.txt",
	     0);
	EXPECT_NE(NULL, strstr(self->buf, "hello")) TH_LOG("%s", self->buf);
	EXPECT_EQ(NULL, strstr(self->buf, "denied")) TH_LOG("%s", self->buf);
	/* The control: unconfined, the same fetch succeeds. */
	snprintf(cmd, sizeof(cmd), "curl -s http://127.0.0.1:%s/hello.txt", self->port);
	ASSERT_EQ(0, unconfined(self, ".", cmd));
	EXPECT_STREQ("hello\n", self->r->out);
}

#define HELLO_C "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n"
#define HELLO_MK                                                \
	"PREFIX ?= /usr/local\n"                                \
	"hello: hello.c\n\t$(CC) -o $@ hello.c\n"               \
	"test: hello\n\t./hello | grep -q hello && echo PASS\n" \
	"install: hello\n\tmkdir -p $(PREFIX)/bin && cp hello $(PREFIX)/bin/\n"

#define MAKE_INSTALL                                                                    \
	"sbx run --grant .:rwx --allow files.user-selected.executable -- make install " \
	"PREFIX=$HOME/.local"

TEST_F_TIMEOUT(walk, make_then_make_test_in_a_c_project, 120)
{
	SBX_NEED_COMMANDS("make cc");
	ASSERT_EQ(0, unconfined(self, ".",
				"mkdir hello && cd hello && cat >hello.c <<'EOF'\n" HELLO_C
				"EOF\ncat >Makefile <<'EOF'\n" HELLO_MK "EOF"));
	TYPE("hello",
	     "sbx run --grant .:rwx --allow files.user-selected.executable -- sh -c 'make && make "
	     "test'",
	     0);
	EXPECT_NE(NULL, strstr(self->buf, "PASS")) TH_LOG("%s", self->buf);
	EXPECT_EQ(NULL, strstr(self->buf, "denied")) TH_LOG("%s", self->buf);
	/*
	 * Installing into the user's home: refused, naming the grant that would allow it; not
	 * ~/.local:rw, which holds sbx's containers and which sbx run refuses.
	 */
	REFUSED_THEN_FOLLOWED("hello", MAKE_INSTALL, 2, "create directory", "/.local/bin",
			      "/.local/bin/:rw");
	ASSERT_EQ(0, unconfined(self, ".", "test -x .local/bin/hello && rm -r .local/bin"));
	/* The control: unconfined, the same install succeeds. */
	ASSERT_EQ(0, unconfined(self, "hello",
				"make install PREFIX=$HOME/.local && ~/.local/bin/hello"))
	TH_LOG("%s", self->r->err);
}

/*
 * A local package built offline: a PEP 517 backend of the standard library alone (no
 * setuptools: Debian 13's venv has none), building the wheel of greet.
 */
#define GREET_TOML \
	"[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n"
#define GREET_BACKEND                                                                             \
	"import base64, hashlib, os, zipfile\n"                                                   \
	"def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"      \
	"    dist, wheel = 'greet-1.0', 'greet-1.0-py3-none-any.whl'\n"                           \
	"    files = {'greet/__init__.py': open('greet/__init__.py', 'rb').read(),\n"             \
	"             dist + '.dist-info/METADATA': b'Metadata-Version: 2.1\\nName: greet\\n'\n"  \
	"                 b'Version: 1.0\\n',\n"                                                  \
	"             dist + '.dist-info/WHEEL': b'Wheel-Version: 1.0\\nGenerator: backend\\n'\n" \
	"                 b'Root-Is-Purelib: true\\nTag: py3-none-any\\n'}\n"                     \
	"    record = ''\n"                                                                       \
	"    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), 'w') as z:\n"             \
	"        for name, data in files.items():\n"                                              \
	"            z.writestr(name, data)\n"                                                    \
	"            h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=')\n"  \
	"            record += '%s,sha256=%s,%d\\n' % (name, h.decode(), len(data))\n"            \
	"        z.writestr(dist + '.dist-info/RECORD', record + dist + "                         \
	"'.dist-info/RECORD,,\\n')\n"                                                             \
	"    return wheel\n"

#define PIP_TARGET                                                                          \
	"sbx run --grant venv:rwx --allow files.user-selected.executable --grant greet -- " \
	"venv/bin/pip install --no-index --no-build-isolation --target ~/pylib ./greet"

TEST_F_TIMEOUT(walk, pip_installs_a_local_package_into_a_venv, 240)
{
	SBX_NEED_COMMANDS("python3");
	ASSERT_EQ(0, unconfined(self, ".",
				"mkdir -p app/greet/greet && cd app && "
				"cat >greet/pyproject.toml <<'EOF'\n" GREET_TOML "EOF\n"
				"cat >greet/backend.py <<'EOF'\n" GREET_BACKEND "EOF\n"
				"echo 'def hello(): return \"hello from greet\"' "
				">greet/greet/__init__.py"));
	/* README's first line, outside sbx: Debian's venv needs python3-venv (ensurepip). */
	if (unconfined(self, "app", "python3 -m venv venv")) {
		ASSERT_FALSE(sbx_in_ci()) TH_LOG("CI=true, yet: %s%s", self->r->out, self->r->err);
		SKIP(return, "python3 -m venv: %.80s%.80s", self->r->out, self->r->err);
	}
	EXPECT_TRUE(in_readme(self, "python3 -m venv venv"));
	TYPE("app",
	     "sbx run --grant venv:rwx --allow files.user-selected.executable --grant greet -- "
	     "venv/bin/pip install --no-index --no-build-isolation ./greet",
	     0);
	EXPECT_NE(NULL, strstr(self->buf, "Successfully installed greet-1.0"))
	TH_LOG("%s", self->buf);
	ASSERT_EQ(0, unconfined(self, "app",
				"venv/bin/python -c 'import greet; print(greet.hello())'"))
	TH_LOG("%s", self->r->err);
	EXPECT_STREQ("hello from greet\n", self->r->out);
	/*
	 * Installing outside the venv, into the home: refused, naming the grant; not ~:rw,
	 * which holds sbx's containers and which sbx run refuses.
	 */
	REFUSED_THEN_FOLLOWED("app", PIP_TARGET, 2, "create directory", "/pylib", "/pylib/:rw");
	ASSERT_EQ(0, unconfined(self, ".", "test -f pylib/greet/__init__.py && rm -r pylib"));
	/* The control: unconfined, the same install succeeds. */
	ASSERT_EQ(0, unconfined(self, "app",
				"venv/bin/pip install -q --no-index --no-build-isolation --target "
				"~/pylib ./greet && test -f ~/pylib/greet/__init__.py"))
	TH_LOG("%s%s", self->r->out, self->r->err);
}

/* bash's prompt ends in "$ ", "# " for root (its own and Debian's bash.bashrc's). */
#define PROMPT (geteuid() ? "$ " : "# ")

TEST_F_TIMEOUT(walk, interactive_shell_on_a_pty, 120)
{
	char cat[PATH_MAX + 32], denied[3 * PATH_MAX];
	pid_t pid;

	SBX_NEED_COMMANDS("bash");
	ASSERT_EQ(0,
		  unconfined(self, ".", "mkdir -m 700 .ssh && echo secret-key >.ssh/id_ed25519"));
	EXPECT_TRUE(in_readme(self, "sbx run -- bash"));
	pid = start_line(self, ".", "sbx run -- bash");
	ASSERT_LE(0, pid);
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), PROMPT))
	TH_LOG("%s", self->buf);
	ASSERT_EQ(18, write(self->master, "echo sum=$((6*7))\n", 18));
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "sum=42"))
	TH_LOG("%s", self->buf);
	/* Its home is its container: the user's keys are not there, nor readable where they are. */
	ASSERT_EQ(16, write(self->master, "echo home=$HOME\n", 16));
	snprintf(denied, sizeof(denied), "home=%s/.local/share/sbx/containers/", self->home);
	EXPECT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), denied))
	TH_LOG("%s", self->buf);
	snprintf(cat, sizeof(cat), "cat %s/.ssh/id_ed25519\n", self->home);
	ASSERT_EQ((ssize_t)strlen(cat), write(self->master, cat, strlen(cat)));
	snprintf(denied, sizeof(denied), "] denied read of %s/.ssh/id_ed25519: add --grant %s/.ssh",
		 self->home, self->home);
	EXPECT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), denied))
	TH_LOG("%s", self->buf);
	EXPECT_TRUE(
		sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "Permission denied"))
	TH_LOG("%s", self->buf);
	ASSERT_EQ(7, write(self->master, "exit 0\n", 7));
	EXPECT_EQ(0, end_line(self, pid)) TH_LOG("%s", self->buf);
	EXPECT_EQ(NULL, strstr(self->buf, "secret-key")) TH_LOG("%s", self->buf);
	/* The control: unconfined, the same read succeeds. */
	ASSERT_EQ(0, unconfined(self, ".", "cat ~/.ssh/id_ed25519"));
	EXPECT_STREQ("secret-key\n", self->r->out);
}

TEST_HARNESS_MAIN
