// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every shipped profile with its real program: the program does its job under
 * `sbx run --profile NAME` (fetching from a local http.server, transcoding, inspecting a
 * repository, ...), then attempts one act its profile does not grant and is refused, and
 * the act leaves no trace. The programs are Debian packages installed on the host (not in
 * the VM images); one that is missing is a SKIP naming it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

static bool have(const char *path)
{
	return access(path, X_OK) == 0;
}

FIXTURE(programs)
{
	char dir[PATH_MAX];
	char home[PATH_MAX + 8], data[PATH_MAX + 32], out[PATH_MAX + 8], secret[PATH_MAX + 16];
	char env_home[PATH_MAX + 16], env_data[PATH_MAX + 48];
	char *envp[6];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(programs)
{
	int fd;

	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	/* A home of the test's own: no dotfiles of the user running the suite leak in. */
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	snprintf(self->data, sizeof(self->data), "%s/home/.local/share", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	snprintf(self->secret, sizeof(self->secret), "%s/secret.txt", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, mkdir(self->out, 0700));
	fd = open(self->secret, O_WRONLY | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(7, write(fd, "SECRET\n", 7));
	close(fd);
	snprintf(self->env_home, sizeof(self->env_home), "HOME=%s", self->home);
	snprintf(self->env_data, sizeof(self->env_data), "XDG_DATA_HOME=%s", self->data);
	self->envp[0] = "PATH=/usr/bin:/bin";
	self->envp[1] = "LANG=C";
	self->envp[2] = self->env_home;
	self->envp[3] = self->env_data;
	self->envp[4] = NULL;
}

FIXTURE_TEARDOWN(programs)
{
	sbx_rmtree(self->dir);
	free(self->r);
}

/* sbx run --profile SRC/profiles/NAME.yaml ARGS... (grants and "--" included in ARGS). */
#define RUN(name, ...)                                                                            \
	({                                                                                        \
		char __profile[PATH_MAX];                                                         \
		snprintf(__profile, sizeof(__profile), "%s/profiles/%s.yaml", sbx_src(), name);   \
		sbx_run_profile(__profile, (char *[]){ __VA_ARGS__, NULL }, self->envp, self->r); \
	})

/* The same command, unconfined (for the setup steps a test needs). */
static int plain(char *const argv[], struct sbx_cmd_result *r)
{
	return sbx_run_capture(argv, r);
}

static char *path_in(const char *dir, const char *name)
{
	static char buf[8][PATH_MAX + 64];
	static int slot;
	char *p = buf[slot++ % 8];

	snprintf(p, PATH_MAX + 64, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* ---- an HTTP server on 127.0.0.1 for curl and wget ---- */

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool accepting(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));

	close(fd);
	return ok;
}

/*
 * python3 -m http.server serving dir, accepting: its pid, *port the port it listens on;
 * -1 when it could not start (a port taken between free_port() and its bind is tried
 * again). Readiness, not timing: it waits for the first accept or the server's exit,
 * bounded only by the test's own timeout (python starts slowly under TCG).
 */
static pid_t start_http_server(const char *dir, int *port)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char port_s[16];
		pid_t pid;
		bool exited = false;

		*port = free_port();
		if (*port < 0)
			return -1;
		snprintf(port_s, sizeof(port_s), "%d", *port);
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			execl("/usr/bin/python3", "python3", "-m", "http.server", "-b", "127.0.0.1",
			      "-d", dir, port_s, (char *)NULL);
			_exit(127);
		}
		while (!accepting(*port) && !(exited = waitpid(pid, NULL, WNOHANG) == pid))
			usleep(50 * 1000);
		if (!exited)
			return pid;
	}
	return -1;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

FIXTURE(http)
{
	char dir[PATH_MAX], www[PATH_MAX + 8], out[PATH_MAX + 8], home[PATH_MAX + 8];
	char env_home[PATH_MAX + 16], env_data[PATH_MAX + 48], url[128];
	char *envp[6];
	struct sbx_cmd_result *r;
	pid_t server;
	int port;
};

FIXTURE_SETUP(http)
{
	self->server = -1;
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	if (!have("/usr/bin/python3"))
		SKIP(return, "/usr/bin/python3 (the test's http.server) is not installed");
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->www, sizeof(self->www), "%s/www", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	ASSERT_EQ(0, mkdir(self->www, 0700));
	ASSERT_EQ(0, mkdir(self->out, 0700));
	ASSERT_EQ(0, mkdir(self->home, 0700));
	write_file(path_in(self->www, "index.txt"), "hello from 127.0.0.1\n");
	snprintf(self->env_home, sizeof(self->env_home), "HOME=%s", self->home);
	snprintf(self->env_data, sizeof(self->env_data), "XDG_DATA_HOME=%s/.local/share",
		 self->home);
	self->envp[0] = "PATH=/usr/bin:/bin";
	self->envp[1] = "LANG=C";
	self->envp[2] = self->env_home;
	self->envp[3] = self->env_data;
	self->envp[4] = NULL;
	self->server = start_http_server(self->www, &self->port);
	ASSERT_LT(0, self->server);
	ASSERT_TRUE(accepting(self->port));
	snprintf(self->url, sizeof(self->url), "http://127.0.0.1:%d/index.txt", self->port);
}

FIXTURE_TEARDOWN(http)
{
	stop(self->server);
	if (self->dir[0])
		sbx_rmtree(self->dir);
	free(self->r);
}

TEST_F_TIMEOUT(http, curl_fetches_then_cannot_read_outside, 300)
{
	char grant[PATH_MAX + 16], file_url[PATH_MAX + 16];

	if (!have("/usr/bin/curl"))
		SKIP(return, "curl is not installed");
	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	ASSERT_EQ(0, RUN("curl", "--grant", grant, "--", "curl", "-sS", "-o",
			 path_in(self->out, "got.txt"), self->url));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, plain((char *[]){ "cat", path_in(self->out, "got.txt"), NULL }, self->r));
	EXPECT_STREQ("hello from 127.0.0.1\n", self->r->out);
	/* Forbidden: a file the user did not grant (the server's own copy). */
	snprintf(file_url, sizeof(file_url), "file://%s", path_in(self->www, "index.txt"));
	ASSERT_EQ(0, RUN("curl", "--", "curl", "-sS", file_url));
	EXPECT_EQ(37, self->r->status) TH_LOG("%s", self->r->err); /* couldn't read file */
	EXPECT_STREQ("", self->r->out);
}

TEST_F_TIMEOUT(http, wget_downloads_then_cannot_write_outside, 300)
{
	char grant[PATH_MAX + 16];
	char *outside = path_in(self->dir, "outside.txt");

	if (!have("/usr/bin/wget"))
		SKIP(return, "wget is not installed");
	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	ASSERT_EQ(0, RUN("wget", "--grant", grant, "--", "wget", "-q", "--no-hsts", "-P", self->out,
			 self->url));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, plain((char *[]){ "cat", path_in(self->out, "index.txt"), NULL }, self->r));
	EXPECT_STREQ("hello from 127.0.0.1\n", self->r->out);
	/* Forbidden: writing beside the granted directory. */
	ASSERT_EQ(0, RUN("wget", "--grant", grant, "--", "wget", "-q", "--no-hsts", "-O", outside,
			 self->url));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(outside, F_OK));
}

TEST_F(programs, python3_runs_a_script_then_cannot_connect)
{
	char *script = path_in(self->dir, "job.py");

	if (!have("/usr/bin/python3"))
		SKIP(return, "python3 is not installed");
	write_file(script, "import json, sys\n"
			   "print(json.dumps({'sum': sum(range(10)), 'argv': sys.argv[1:]}))\n");
	ASSERT_EQ(0, RUN("python3", "--grant", script, "--", "/usr/bin/python3", script, "x"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("{\"sum\": 45, \"argv\": [\"x\"]}\n", self->r->out);
	/* Forbidden: the network. The refusal is explained with the entitlement to ask for. */
	write_file(script, "import socket\n"
			   "socket.create_connection(('127.0.0.1', 9))\n");
	ASSERT_EQ(0, RUN("python3", "--grant", script, "--", "/usr/bin/python3", script));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "PermissionError"));
	EXPECT_NE(NULL, strstr(self->r->err, "] denied socket(AF_INET): needs network.client"))
	TH_LOG("%s", self->r->err);
}

TEST_F(programs, jq_filters_a_file_then_cannot_read_another)
{
	char *json = path_in(self->dir, "data.json");

	if (!have("/usr/bin/jq"))
		SKIP(return, "jq is not installed");
	write_file(json, "{\"items\": [{\"n\": 1}, {\"n\": 2}, {\"n\": 39}]}\n");
	ASSERT_EQ(0, RUN("jq", "--grant", json, "--", "jq", "[.items[].n] | add", json));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("42\n", self->r->out);
	ASSERT_EQ(0, RUN("jq", "--grant", json, "--", "jq", "-R", ".", self->secret));
	EXPECT_EQ(2, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(NULL, strstr(self->r->out, "SECRET"));
}

TEST_F(programs, ffmpeg_transcodes_then_cannot_write_outside)
{
	char grant[PATH_MAX + 16];
	char *clip = path_in(self->dir, "clip.mp4"), *outside = path_in(self->dir, "stolen.mkv");
	struct stat st;

	if (!have("/usr/bin/ffmpeg"))
		SKIP(return, "ffmpeg is not installed");
	/* The clip is generated by ffmpeg itself (lavfi test source), unconfined. */
	ASSERT_EQ(0, plain((char *[]){ "/usr/bin/ffmpeg", "-nostdin", "-hide_banner", "-loglevel",
				       "error", "-f", "lavfi", "-i",
				       "testsrc=duration=1:size=64x48:rate=10", "-y", clip, NULL },
			   self->r));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	ASSERT_EQ(0, RUN("ffmpeg", "--grant", clip, "--grant", grant, "--", "ffmpeg", "-nostdin",
			 "-hide_banner", "-loglevel", "error", "-i", clip, "-c:v", "mpeg4", "-y",
			 path_in(self->out, "clip.mkv")));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, stat(path_in(self->out, "clip.mkv"), &st));
	EXPECT_LT(100, st.st_size);
	ASSERT_EQ(0, RUN("ffmpeg", "--grant", clip, "--grant", grant, "--", "ffmpeg", "-nostdin",
			 "-hide_banner", "-loglevel", "error", "-i", clip, "-y", outside));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(outside, F_OK));
}

TEST_F(programs, git_inspects_then_cannot_commit)
{
	char *repo = path_in(self->dir, "repo");
	char *git_env[] = { "PATH=/usr/bin:/bin",
			    self->env_home,
			    "GIT_AUTHOR_NAME=t",
			    "GIT_AUTHOR_EMAIL=t@example.org",
			    "GIT_COMMITTER_NAME=t",
			    "GIT_COMMITTER_EMAIL=t@example.org",
			    NULL };
	char *setup = "git init -q repo && cd repo && echo one > f && git add f && "
		      "git commit -qm 'first commit' && echo two >> f";
	char *sh[] = { "/bin/sh", "-c", setup, NULL };
	static const char gitconfig[] = "[alias]\n\tsubjects = log --format=%s\n";
	char cwd[PATH_MAX];
	int fd;

	if (!have("/usr/bin/git"))
		SKIP(return, "git is not installed");
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, sbx_run_capture_env(sh, git_env, self->r));
	ASSERT_EQ(0, chdir(cwd));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, RUN("git", "--grant", repo, "--", "git", "-C", repo, "log", "--format=%s"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("first commit\n", self->r->out);
	/* The user's ~/.gitconfig is read (an alias from it works), never written. */
	fd = open(path_in(self->home, ".gitconfig"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(gitconfig), write(fd, gitconfig, strlen(gitconfig)));
	close(fd);
	ASSERT_EQ(0, RUN("git", "--grant", repo, "--", "git", "-C", repo, "subjects"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("first commit\n", self->r->out);
	/* -C: from the test's own tree, not from wherever the suite was started (a checkout
	 * the sandbox may not read would make git fail before it reads any config). */
	ASSERT_EQ(0, RUN("git", "--grant", repo, "--", "git", "-C", self->dir, "config", "--global",
			 "user.name", "mallory"));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "could not lock config file"))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0,
		  RUN("git", "--", "git", "-C", self->dir, "config", "--global", "alias.subjects"));
	EXPECT_STREQ("log --format=%s\n", self->r->out) TH_LOG("%s", self->r->err);
	EXPECT_EQ(NULL, strstr(self->r->out, "mallory"));
	ASSERT_EQ(0, RUN("git", "--grant", repo, "--", "git", "-C", repo, "status", "--short"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ(" M f\n", self->r->out);
	/* Forbidden: writing the repository. */
	ASSERT_EQ(0, RUN("git", "--grant", repo, "--", "git", "-C", repo, "-c", "user.name=t", "-c",
			 "user.email=t@example.org", "commit", "-qam", "second"));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx_run_capture_env(
			     (char *[]){ "git", "-C", repo, "rev-list", "--count", "HEAD", NULL },
			     git_env, self->r));
	EXPECT_STREQ("1\n", self->r->out);
}

TEST_F(programs, ssh_keygen_fingerprints_granted_key_only)
{
	char *key = path_in(self->dir, "id_test"), *other = path_in(self->dir, "id_other");
	char pub[PATH_MAX + 8], other_pub[PATH_MAX + 8];

	if (!have("/usr/bin/ssh-keygen") || !have("/usr/bin/ssh"))
		SKIP(return, "the OpenSSH client is not installed");
	snprintf(pub, sizeof(pub), "%s.pub", key);
	snprintf(other_pub, sizeof(other_pub), "%s.pub", other);
	ASSERT_EQ(0, plain((char *[]){ "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
				       "granted", "-f", key, NULL },
			   self->r));
	ASSERT_EQ(0, plain((char *[]){ "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
				       "not-granted", "-f", other, NULL },
			   self->r));
	ASSERT_EQ(0, RUN("ssh", "--grant", pub, "--", "ssh-keygen", "-l", "-f", pub));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "SHA256:"));
	EXPECT_NE(NULL, strstr(self->r->out, "granted (ED25519)"));
	/* ssh itself: the configuration it would use for a host (reads /etc/ssh). */
	ASSERT_EQ(0, RUN("ssh", "--", "ssh", "-G", "-p", "2222", "example.org"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "port 2222\n"));
	/* Forbidden: a key the user did not grant. */
	ASSERT_EQ(0, RUN("ssh", "--grant", pub, "--", "ssh-keygen", "-l", "-f", other_pub));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(NULL, strstr(self->r->out, "not-granted"));
}

/* Compress and decompress in a granted directory, then try a file outside it. */
static void round_trip(struct __test_metadata *_metadata, FIXTURE_DATA(programs) * self, char *tool,
		       const char *ext)
{
	char grant[PATH_MAX + 16], packed[PATH_MAX + 80], *file = path_in(self->out, "log.txt");
	char *text = "line\nline\nline\nline\nline\nline\nline\nline\n";

	write_file(file, text);
	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	snprintf(packed, sizeof(packed), "%s%s", file, ext);
	ASSERT_EQ(0, RUN(tool, "--grant", grant, "--", tool, file));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, access(packed, F_OK));
	ASSERT_NE(0, access(file, F_OK));
	ASSERT_EQ(0, RUN(tool, "--grant", grant, "--", tool, "-d", packed));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, plain((char *[]){ "cat", file, NULL }, self->r));
	EXPECT_STREQ(text, self->r->out);
	/* Forbidden: a file outside the grant, even to stdout. */
	ASSERT_EQ(0, RUN(tool, "--grant", grant, "--", tool, "-c", self->secret));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("", self->r->out);
}

TEST_F(programs, gzip_round_trip_then_cannot_read_outside)
{
	if (!have("/usr/bin/gzip") && !have("/bin/gzip"))
		SKIP(return, "gzip is not installed");
	round_trip(_metadata, self, "gzip", ".gz");
}

TEST_F(programs, xz_round_trip_then_cannot_read_outside)
{
	if (!have("/usr/bin/xz"))
		SKIP(return, "xz is not installed");
	round_trip(_metadata, self, "xz", ".xz");
}

/* ImageMagick 6 as Debian installs it; /usr/local/bin/convert may be something else. */
static const char *imagemagick(void)
{
	static const char *const candidates[] = { "/usr/bin/convert-im6.q16", "/usr/bin/convert" };

	for (size_t i = 0; i < 2; i++) {
		char link[PATH_MAX];
		ssize_t n = readlink(candidates[i], link, sizeof(link) - 1);

		if (!have(candidates[i]))
			continue;
		if (i == 1 && (n <= 0 || !strstr((link[n] = '\0', link), "convert-im")))
			continue;
		return candidates[i];
	}
	return NULL;
}

TEST_F(programs, convert_converts_then_cannot_write_outside)
{
	const char *convert = imagemagick();
	char grant[PATH_MAX + 16], *png = path_in(self->dir, "in.png");
	char *outside = path_in(self->dir, "stolen.jpg");

	if (!convert)
		SKIP(return, "ImageMagick (convert-im6.q16) is not installed");
	ASSERT_EQ(0, plain((char *[]){ (char *)convert, "-size", "32x24", "xc:red", png, NULL },
			   self->r));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	ASSERT_EQ(0, RUN("convert", "--grant", png, "--grant", grant, "--", (char *)convert, png,
			 "-resize", "50%", path_in(self->out, "small.gif")));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, plain((char *[]){ (char *)convert, path_in(self->out, "small.gif"), "-format",
				       "%w %h %m", "info:", NULL },
			   self->r));
	EXPECT_STREQ("16 12 GIF", self->r->out);
	ASSERT_EQ(0, RUN("convert", "--grant", png, "--grant", grant, "--", (char *)convert, png,
			 outside));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(0, access(outside, F_OK));
}

/* A one-page PDF with a filled square, written by hand (offsets computed). */
static void write_pdf(const char *path)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 4 0 R >>",
		"<< /Length 26 >>\nstream\n0 0 1 rg 9 9 54 54 re f\nendstream",
	};
	long off[4], xref;
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fputs("%PDF-1.4\n", f);
	for (int i = 0; i < 4; i++) {
		off[i] = ftell(f);
		fprintf(f, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	xref = ftell(f);
	fputs("xref\n0 5\n0000000000 65535 f \n", f);
	for (int i = 0; i < 4; i++)
		fprintf(f, "%010ld 00000 n \n", off[i]);
	fprintf(f, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
	fclose(f);
}

TEST_F(programs, pdftoppm_renders_then_cannot_read_another_pdf)
{
	char grant[PATH_MAX + 16], *pdf = path_in(self->dir, "doc.pdf");
	char *other = path_in(self->dir, "private.pdf");
	struct stat st;

	if (!have("/usr/bin/pdftoppm"))
		SKIP(return, "pdftoppm (poppler-utils) is not installed");
	write_pdf(pdf);
	write_pdf(other);
	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	ASSERT_EQ(0, RUN("pdftoppm", "--grant", pdf, "--grant", grant, "--", "pdftoppm", "-png",
			 "-r", "36", pdf, path_in(self->out, "page")));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, stat(path_in(self->out, "page-1.png"), &st));
	EXPECT_LT(50, st.st_size);
	ASSERT_EQ(0, RUN("pdftoppm", "--grant", pdf, "--grant", grant, "--", "pdftoppm", "-png",
			 other, path_in(self->out, "leak")));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(path_in(self->out, "leak-1.png"), F_OK));
}

TEST_HARNESS_MAIN
