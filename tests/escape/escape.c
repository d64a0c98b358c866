// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The escape suite: every technique a sandboxed program could use to get out, tried for
 * real by bin/escape_probe. Each case runs the probe twice:
 *
 *   control   unconfined, with the same targets: the attempt must work, which proves the
 *             probe and its targets are sound. If the kernel refuses it for a reason that
 *             has nothing to do with sbx (an unprivileged uid lacks the capability, a
 *             sysctl turns the interface off, the kernel lacks the ABI) the case is a SKIP
 *             naming that reason, never a pass.
 *   confined  under `sbx run --profile tests/escape/data/app-sandbox.yaml`: the attempt
 *             must fail. A confined success is a hole and the case fails, unless it is a
 *             declared known gap: this kernel lacks the mechanism that would stop it
 *             (MFD_NOEXEC_SEAL) or only tier K can. A known gap is an XFAIL
 *             naming what closes it, counted apart from passes and skips.
 *
 * The targets live in a private tree: a fake home with ~/.ssh/id_rsa, a victim process
 * outside the sandbox, TCP/UDP listeners on loopback, unix sockets (abstract, and one in
 * $HOME). Some techniques no tier-U mechanism can stop (executable mappings of a file the
 * program wrote); they are XFAILs with that reason when they succeed confined, so the
 * result line names the limit instead of hiding it. The suite runs as root (root inside the
 * sandbox must be confined too) and as an ordinary uid.
 *
 * The tier K pass (SBX_ESCAPE_TIER=K; tests/vm/sbxd_escape.c runs it in the VM kernels):
 * sbxd enforces tier K in scope `sandboxed` and trusts the sbx that runs the probe as its
 * launcher, so what `sbx run` starts is tracked and held by the BPF LSM hooks too. There
 * a technique only tier K stops (or, on a kernel without MFD_NOEXEC_SEAL, memfd exec) is
 * no known gap: it must be refused. The suite checks that tier K is in force, not only
 * asked for: `sbx status --json` must show sbxd running tier K, enforce, scope sandboxed,
 * and every confined run's --report must say that tier K holds its tree (the kernel took
 * the launcher's declaration); else the case fails. That pass runs only the variants
 * whose stopper depends on the tier: sbx run's plan is the same with or without sbxd (its
 * Landlock rules, seccomp filter and supervisor do not change), and a BPF LSM hook can only
 * add refusals, so a tier U stopper holds under tier K as the tier U pass shows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <netinet/in.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "kselftest_harness.h"
#include "probe_status.h"
#include "sbx_test.h"
#include "uapi_compat.h"

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

/* Why a control may be refused for a reason of the kernel's, not sbx's. */
enum control_need {
	NEED_NOTHING,
	NEED_PRIVILEGE, /* a capability only root holds; see variant->privilege */
	NEED_IO_URING, /* kernel.io_uring_disabled */
	NEED_USERNS, /* user namespaces for this uid */
	NEED_UNPRIV_BPF, /* kernel.unprivileged_bpf_disabled */
	NEED_PERF, /* kernel.perf_event_paranoid */
	NEED_USERFAULTFD, /* vm.unprivileged_userfaultfd */
	NEED_TIOCSTI, /* dev.tty.legacy_tiocsti */
	NEED_MEMFD_EXEC, /* vm.memfd_noexec, MFD_EXEC */
	NEED_IPV6, /* an IPv6 loopback */
};

/* What the kernel must have for sbx run to stop the technique. */
enum confine_need {
	/*
	 * Landlock ABI 1, seccomp and the supervisor suffice (the supervisor carries out what
	 * an older ABI cannot govern: signals, unix connects): a confined success is a hole.
	 */
	STOP_ALWAYS,
	STOP_NOEXEC_SEAL, /* MFD_NOEXEC_SEAL (6.3): memfd exec can be refused */
	STOP_TIER_K, /* only a BPF LSM hook can; `sbx run` (tier U) cannot */
};

FIXTURE(escape)
{
	char dir[PATH_MAX]; /* the private tree */
	char home[PATH_MAX]; /* fake $HOME, the cwd of the runs */
	char secret[PATH_MAX]; /* $HOME/.ssh/id_rsa */
	char rcfile[PATH_MAX]; /* $HOME/.bashrc */
	char tmp[PATH_MAX]; /* the control's $TMPDIR (the container stands in under sbx) */
	char mnt[PATH_MAX]; /* an empty directory to mount on */
	char xdg_data[PATH_MAX]; /* $XDG_DATA_HOME: containers go below */
	char probe_copy[PATH_MAX]; /* own_copy, setuid_copy: the copy of the probe run */
	char probe[PATH_MAX + 64]; /* bin/escape_probe beside this program */
	char handle[2 * MAX_HANDLE_SZ + 16]; /* "TYPE:HEX" of the secret */
	char preload[PATH_MAX]; /* a library the probe does not load by itself */
	char preload_name[64];
	char victim_pid[16], victim_addr[32];
	char victim_fd[16]; /* the victim holds the secret open on this fd */
	char victim_fd_path[64], victim_environ[64]; /* /proc/VICTIM/fd/N, /proc/VICTIM/environ */
	char victim_cmdline[64]; /* /proc/VICTIM/cmdline: procfs makes no ptrace check */
	char victim_net[64]; /* /proc/VICTIM/net/unix: an inode of the netns, no pid */
	char tcp_port[8], tcp6_port[8], udp_port[8], abstract_name[64];
	char agent_sock[PATH_MAX]; /* a pathname unix socket listening in $HOME */
	char dgram_sock[PATH_MAX]; /* a pathname unix datagram socket bound in $HOME */
	pid_t victim;
	int tcp_fd, tcp6_fd, udp_fd, abstract_fd, agent_fd, dgram_fd;
};

FIXTURE_VARIANT(escape)
{
	const char *technique;
	const char *args[2]; /* "@name" tokens are filled from the fixture, see expand() */
	enum control_need control_need;
	const char *privilege; /* NEED_PRIVILEGE: what only root has */
	enum confine_need confine_need;
	const char *stopper; /* what must stop it under sbx run, for the messages */
	const char *tier_k; /* what stops it under tier K, where confine_need is not STOP_ALWAYS */
	bool on_tty; /* stdin is a terminal the test owns */
	bool preload; /* LD_PRELOAD=the fixture's library for both runs */
	const char *env; /* "NAME=VALUE" for both runs */
	bool setuid_copy; /* run the setuid copy of the probe instead */
	bool own_copy; /* run a copy of the probe this uid owns ("@own_probe" names it) */
	/*
	 * The errno sbx answers with when it is one that otherwise says the kernel lacks the
	 * call (ENOSYS, EAFNOSUPPORT, EOPNOTSUPP): the probe calls that "unsupported", and a
	 * confined "unsupported" is a refusal only with the answer named here (the control
	 * showed that this kernel has the call).
	 */
	const char *refused_as;
};

/* A page the victim keeps, read by process_vm_readv. */
static volatile unsigned long victim_marker = 0x5b5e5cafe;

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
}

static int read_sysctl(const char *name, int dflt)
{
	char path[128], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dflt;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = '\0';
	return atoi(buf);
}

/* The tier K pass was asked for (see the top). */
static bool tier_k_asked(void)
{
	const char *tier = getenv("SBX_ESCAPE_TIER");

	return tier && !strcmp(tier, "K");
}

static int landlock_abi(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

static bool kernel_has_noexec_seal(void)
{
	int fd = (int)syscall(__NR_memfd_create, "sbx-escape-check", MFD_NOEXEC_SEAL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int find_libc_dir(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *slash;

	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, "/libc.so"))
		return 0;
	slash = strrchr(info->dlpi_name, '/');
	snprintf(data, PATH_MAX, "%.*s", (int)(slash - info->dlpi_name), info->dlpi_name);
	return 1;
}

/* A glibc library every system has and the probe never loads on its own. */
static void pick_preload(FIXTURE_DATA(escape) * self)
{
	static const char *const names[] = { "libanl.so.1", "libutil.so.1", "libresolv.so.2",
					     "libz.so.1", "libcap.so.2" };
	char dir[PATH_MAX] = "";

	dl_iterate_phdr(find_libc_dir, dir);
	for (size_t i = 0; dir[0] && i < ARRAY_SIZE(names); i++) {
		if (snprintf(self->preload, sizeof(self->preload), "%s/%s", dir, names[i]) >=
		    (int)sizeof(self->preload))
			break;
		if (access(self->preload, R_OK) == 0) {
			snprintf(self->preload_name, sizeof(self->preload_name), "%.*s",
				 (int)(strstr(names[i], ".so") - names[i] + 3), names[i]);
			return;
		}
	}
	self->preload[0] = '\0';
}

static int listen_inet(int family, int type, char *port, size_t port_len)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	snprintf(port, port_len, "%u",
		 ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					 : ((struct sockaddr_in6 *)&ss)->sin6_port));
	return fd;
}

/* A listening unix socket at addr: a path, or "@NAME" for the abstract NAME. */
static int listen_unix(const char *addr)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(addr);
	int fd;

	if (len >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, addr, len);
	if (addr[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0 ||
	    listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int bind_unix_dgram(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void handle_of(const char *path, char *out, size_t len)
{
	struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	int mount_id;
	size_t n;

	out[0] = '\0';
	if (!fh)
		return;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0) == 0) {
		n = (size_t)snprintf(out, len, "%d:", fh->handle_type);
		for (unsigned int i = 0; i < fh->handle_bytes && n + 3 < len; i++)
			n += (size_t)snprintf(out + n, len - n, "%02x", fh->f_handle[i]);
	}
	free(fh);
}

/* buf = a + b; a path too long for buf leaves it empty, which the caller's use reports. */
static void join(char *buf, size_t len, const char *a, const char *b)
{
	if (snprintf(buf, len, "%s%s", a, b) >= (int)len)
		buf[0] = '\0';
}

FIXTURE_SETUP(escape)
{
	char path[PATH_MAX];
	int secret_fd;

	/* Before any setup: the tier K pass skips most variants, each once per uid. */
	if (tier_k_asked() && variant->confine_need == STOP_ALWAYS)
		SKIP(return, "tier U stops it, with or without sbxd: the tier U pass shows it");
	self->victim = -1;
	self->tcp_fd = self->tcp6_fd = self->udp_fd = self->abstract_fd = self->agent_fd = -1;
	self->dgram_fd = -1;
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	/* The sandboxed side walks in from sbx's container: let it reach this far. */
	chmod(self->dir, 0711);
	join(self->home, sizeof(self->home), self->dir, "/home");
	join(self->tmp, sizeof(self->tmp), self->dir, "/tmp");
	join(self->mnt, sizeof(self->mnt), self->dir, "/mnt");
	join(self->xdg_data, sizeof(self->xdg_data), self->home, "/.local/share");
	join(self->secret, sizeof(self->secret), self->home, "/.ssh/id_rsa");
	join(self->rcfile, sizeof(self->rcfile), self->home, "/.bashrc");
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, mkdir(self->tmp, 0700));
	ASSERT_EQ(0, mkdir(self->mnt, 0700));
	join(path, sizeof(path), self->home, "/.ssh");
	ASSERT_EQ(0, mkdir(path, 0700));
	write_file(self->secret, "-----BEGIN OPENSSH PRIVATE KEY----- (sbx escape suite)\n");
	write_file(self->rcfile, "# sbx escape suite\n");
	ASSERT_EQ(0, chdir(self->home));

	/* The tier K pass runs a signed copy of the probe (SBX_ESCAPE_PROBE): sbxd verifies it. */
	snprintf(self->probe, sizeof(self->probe), "%s",
		 getenv("SBX_ESCAPE_PROBE") ?: sbx_test_helper("escape_probe"));
	ASSERT_EQ(0, access(self->probe, X_OK))
	{
		TH_LOG("probe %s: %s", self->probe, strerror(errno));
	}
	handle_of(self->secret, self->handle, sizeof(self->handle));
	pick_preload(self);

	/* A process outside any sandbox that lets anyone trace it (Yama ptrace_scope 1). */
	/* It holds the secret open: a descriptor to steal. O_CLOEXEC keeps it out of the probes. */
	secret_fd = open(self->secret, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, secret_fd);
	self->victim = fork();
	ASSERT_LE(0, self->victim);
	if (self->victim == 0) {
		prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	close(secret_fd);
	snprintf(self->victim_pid, sizeof(self->victim_pid), "%d", (int)self->victim);
	snprintf(self->victim_fd, sizeof(self->victim_fd), "%d", secret_fd);
	snprintf(self->victim_fd_path, sizeof(self->victim_fd_path), "/proc/%d/fd/%d",
		 (int)self->victim, secret_fd);
	snprintf(self->victim_environ, sizeof(self->victim_environ), "/proc/%d/environ",
		 (int)self->victim);
	snprintf(self->victim_cmdline, sizeof(self->victim_cmdline), "/proc/%d/cmdline",
		 (int)self->victim);
	snprintf(self->victim_net, sizeof(self->victim_net), "/proc/%d/net/unix",
		 (int)self->victim);
	snprintf(self->victim_addr, sizeof(self->victim_addr), "%p", (void *)&victim_marker);

	self->tcp_fd = listen_inet(AF_INET, SOCK_STREAM, self->tcp_port, sizeof(self->tcp_port));
	ASSERT_LE(0, self->tcp_fd);
	self->udp_fd = listen_inet(AF_INET, SOCK_DGRAM, self->udp_port, sizeof(self->udp_port));
	ASSERT_LE(0, self->udp_fd);
	self->tcp6_fd =
		listen_inet(AF_INET6, SOCK_STREAM, self->tcp6_port, sizeof(self->tcp6_port));
	snprintf(self->abstract_name, sizeof(self->abstract_name), "@sbx-escape-%d-%ld",
		 (int)getpid(), (long)time(NULL));
	self->abstract_fd = listen_unix(self->abstract_name);
	ASSERT_LE(0, self->abstract_fd);
	/* An agent socket in $HOME, like ssh-agent's or a container runtime's. */
	join(self->agent_sock, sizeof(self->agent_sock), self->home, "/agent.sock");
	self->agent_fd = listen_unix(self->agent_sock);
	ASSERT_LE(0, self->agent_fd)
	{
		TH_LOG("listen on %s: %s", self->agent_sock, strerror(errno));
	}

	/* A datagram socket in $HOME: anyone who can name it can send to it. */
	join(self->dgram_sock, sizeof(self->dgram_sock), self->home, "/dgram.sock");
	self->dgram_fd = bind_unix_dgram(self->dgram_sock);
	ASSERT_LE(0, self->dgram_fd);
	/*
	 * A copy of the probe: one this uid owns (sbx grants a program outside the system
	 * directories read and execute), or, as root, one setuid to another uid, to see if
	 * sbx run honours the bit.
	 */
	if (variant->own_copy || (variant->setuid_copy && getuid() == 0)) {
		char *cp[] = { "cp", self->probe, self->probe_copy, NULL };
		static struct sbx_cmd_result r;

		join(self->probe_copy, sizeof(self->probe_copy), self->dir, "/probe-copy");
		ASSERT_EQ(0, sbx_run_capture(cp, &r));
		ASSERT_EQ(0, r.status);
	}
	if (variant->setuid_copy && getuid() == 0) {
		ASSERT_EQ(0, chown(self->probe_copy, 65533, 65533));
		ASSERT_EQ(0, chmod(self->probe_copy, 04755));
	}
}

FIXTURE_TEARDOWN(escape)
{
	if (self->victim > 0) {
		kill(self->victim, SIGKILL);
		waitpid(self->victim, NULL, 0);
	}
	if (self->tcp_fd >= 0)
		close(self->tcp_fd);
	if (self->tcp6_fd >= 0)
		close(self->tcp6_fd);
	if (self->udp_fd >= 0)
		close(self->udp_fd);
	if (self->abstract_fd >= 0)
		close(self->abstract_fd);
	if (self->agent_fd >= 0)
		close(self->agent_fd);
	if (self->dgram_fd >= 0)
		close(self->dgram_fd);
	if (chdir("/") == 0 && self->dir[0])
		sbx_rmtree(self->dir);
}

/* The fixture's value for an "@name" argument; other arguments pass unchanged. */
static const char *expand(FIXTURE_DATA(escape) * self, const char *arg)
{
	static const struct {
		const char *token;
		size_t offset;
	} tokens[] = {
#define TOKEN(name, field) { name, offsetof(FIXTURE_DATA(escape), field) }
		TOKEN("@secret", secret),
		TOKEN("@rc", rcfile),
		TOKEN("@home", home),
		TOKEN("@mnt", mnt),
		TOKEN("@victim", victim_pid),
		TOKEN("@victim_addr", victim_addr),
		TOKEN("@victim_fd", victim_fd),
		TOKEN("@victim_fd_path", victim_fd_path),
		TOKEN("@victim_environ", victim_environ),
		TOKEN("@victim_cmdline", victim_cmdline),
		TOKEN("@victim_net", victim_net),
		TOKEN("@tcp", tcp_port),
		TOKEN("@tcp6", tcp6_port),
		TOKEN("@udp", udp_port),
		TOKEN("@abstract", abstract_name),
		TOKEN("@agent", agent_sock),
		TOKEN("@dgram", dgram_sock),
		TOKEN("@own_probe", probe_copy),
		TOKEN("@handle", handle),
		TOKEN("@preload", preload_name),
#undef TOKEN
	};

	for (size_t i = 0; i < ARRAY_SIZE(tokens); i++)
		if (!strcmp(arg, tokens[i].token))
			return (const char *)self + tokens[i].offset;
	return arg;
}

/*
 * Run argv with stdin on a fresh pseudo-terminal that becomes the program's controlling
 * terminal (a new session): TIOCSTI needs one. Output is read from the master side.
 */
static int run_on_tty(char *const argv[], char *const envp[], struct sbx_cmd_result *r)
{
	int master, slave, status;
	size_t len = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(master);
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(slave);
	for (;;) {
		ssize_t n = read(master, r->out + len, sizeof(r->out) - 1 - len);

		if (n <= 0)
			break; /* EIO once the last slave fd is closed */
		len += (size_t)n;
	}
	r->out[len] = '\0';
	close(master);
	waitpid(pid, &status, 0);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

/* Run the probe for variant, confined by sbx run or not, into r. */
static int run_probe(FIXTURE_DATA(escape) * self, const FIXTURE_VARIANT(escape) * variant,
		     bool confined, bool preload, struct sbx_cmd_result *r)
{
	char profile[PATH_MAX], env_home[PATH_MAX + 8], env_tmp[PATH_MAX + 8],
		env_xdg[PATH_MAX + 16], env_preload[PATH_MAX + 16], env_path[4096];
	char *argv[16], *envp[10];
	const char *path = getenv("PATH");
	int a = 0, e = 0;

	snprintf(profile, sizeof(profile), "%s%s", sbx_src(), PROFILE);
	snprintf(env_home, sizeof(env_home), "HOME=%s", self->home);
	snprintf(env_tmp, sizeof(env_tmp), "TMPDIR=%s", self->tmp);
	snprintf(env_xdg, sizeof(env_xdg), "XDG_DATA_HOME=%s", self->xdg_data);
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", self->preload);
	snprintf(env_path, sizeof(env_path), "PATH=%s", path ? path : "/usr/bin:/bin");
	envp[e++] = env_path;
	envp[e++] = env_home;
	envp[e++] = env_xdg;
	/* Under sbx run, TMPDIR is the container's private tmp: sbx sets it. */
	if (!confined)
		envp[e++] = env_tmp;
	if (preload)
		envp[e++] = env_preload;
	if (variant->env)
		envp[e++] = (char *)variant->env;
	envp[e] = NULL;

	if (confined) {
		argv[a++] = (char *)sbx_bin();
		argv[a++] = "run";
		argv[a++] = "--allow-root"; /* as root too: the suite proves root is confined */
		argv[a++] = "--profile";
		argv[a++] = profile;
		if (tier_k_asked())
			argv[a++] = "--report"; /* says whether tier K holds the tree */
		argv[a++] = "--";
	}
	argv[a++] = variant->setuid_copy || variant->own_copy ? self->probe_copy : self->probe;
	argv[a++] = (char *)variant->technique;
	for (int i = 0; i < 2 && variant->args[i]; i++)
		argv[a++] = (char *)expand(self, variant->args[i]);
	argv[a] = NULL;
	if (variant->on_tty)
		return run_on_tty(argv, envp, r);
	return sbx_run_capture_env(argv, envp, r);
}

/* The probe's verdict line, for messages. */
static const char *verdict_line(const struct sbx_cmd_result *r)
{
	static char line[512];
	const char *p = strstr(r->out, "escape-probe: ");
	size_t n;

	if (!p)
		return "(no verdict from the probe)";
	n = strcspn(p, "\r\n");
	snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
	return line;
}

/*
 * The control was refused: is that the kernel's policy for this uid rather than a broken
 * probe? Returns the reason to skip, or NULL (the control must have worked: fail).
 */
static const char *control_refusal_reason(const FIXTURE_VARIANT(escape) * variant, char *buf,
					  size_t len)
{
	uid_t uid = getuid();
	int v;

	switch (variant->control_need) {
	case NEED_NOTHING:
		return NULL;
	case NEED_PRIVILEGE:
		if (uid == 0)
			return NULL;
		snprintf(buf, len, "needs %s, which uid %d lacks even unconfined",
			 variant->privilege, (int)uid);
		return buf;
	case NEED_IO_URING:
		v = read_sysctl("kernel/io_uring_disabled", 0);
		if (v == 0 || (v == 1 && uid == 0))
			return NULL;
		snprintf(buf, len, "kernel.io_uring_disabled=%d refuses io_uring to uid %d", v,
			 (int)uid);
		return buf;
	case NEED_USERNS:
		v = read_sysctl("user/max_user_namespaces", 1);
		if (v == 0) {
			snprintf(buf, len, "user.max_user_namespaces=0: no user namespaces here");
			return buf;
		}
		if (uid != 0 && read_sysctl("kernel/unprivileged_userns_clone", 1) == 0) {
			snprintf(buf, len, "kernel.unprivileged_userns_clone=0 refuses uid %d",
				 (int)uid);
			return buf;
		}
		if (uid != 0 && read_sysctl("kernel/apparmor_restrict_unprivileged_userns", 0)) {
			snprintf(buf, len, "AppArmor restricts unprivileged user namespaces");
			return buf;
		}
		return NULL;
	case NEED_UNPRIV_BPF:
		v = read_sysctl("kernel/unprivileged_bpf_disabled", 0);
		if (uid == 0 || v == 0)
			return NULL;
		snprintf(buf, len, "kernel.unprivileged_bpf_disabled=%d refuses bpf() to uid %d", v,
			 (int)uid);
		return buf;
	case NEED_PERF:
		v = read_sysctl("kernel/perf_event_paranoid", 2);
		if (uid == 0 || v <= 2)
			return NULL;
		snprintf(buf, len, "kernel.perf_event_paranoid=%d refuses uid %d", v, (int)uid);
		return buf;
	case NEED_USERFAULTFD:
		v = read_sysctl("vm/unprivileged_userfaultfd", 0);
		if (uid == 0 || v == 1)
			return NULL;
		snprintf(buf, len, "vm.unprivileged_userfaultfd=%d and no UFFD_USER_MODE_ONLY", v);
		return buf;
	case NEED_TIOCSTI:
		v = read_sysctl("dev/tty/legacy_tiocsti", 1);
		if (uid == 0 || v == 1)
			return NULL;
		snprintf(buf, len, "dev.tty.legacy_tiocsti=0 refuses TIOCSTI to uid %d", (int)uid);
		return buf;
	case NEED_MEMFD_EXEC:
		v = read_sysctl("vm/memfd_noexec", 0);
		if (v != 0) {
			snprintf(buf, len, "vm.memfd_noexec=%d makes memfds non-executable", v);
			return buf;
		}
		if (!strcmp(variant->technique, "memfd_mfd_exec") && !kernel_has_noexec_seal()) {
			snprintf(buf, len, "kernel has no MFD_EXEC flag (before 6.3)");
			return buf;
		}
		return NULL;
	case NEED_IPV6:
		return NULL;
	}
	return NULL;
}

/* Can this kernel stop the technique? NULL if yes, else the reason it cannot. */
static const char *kernel_cannot_stop(const FIXTURE_VARIANT(escape) * variant, char *buf,
				      size_t len)
{
	int abi = landlock_abi();

	if (tier_k_asked())
		return NULL; /* checked in force: nothing here is a known gap */
	switch (variant->confine_need) {
	case STOP_ALWAYS:
		if (abi >= 1)
			return NULL;
		snprintf(buf, len, "no Landlock on this kernel: %s", variant->stopper);
		return buf;
	case STOP_NOEXEC_SEAL:
		if (kernel_has_noexec_seal())
			return NULL;
		snprintf(buf, len,
			 "closed by MFD_NOEXEC_SEAL (6.3+): a memfd is executable unless "
			 "memfd_create is refused outright");
		return buf;
	case STOP_TIER_K:
		snprintf(buf, len, "tier K closes it (tier U cannot): %s", variant->stopper);
		return buf;
	}
	return NULL;
}

/* One line for SKIP or XFAIL, short enough for the harness's reason buffer. */
static const char *__attribute__((format(printf, 1, 2))) msg(const char *fmt, ...)
{
	static char buf[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

/* In `sbx status --json`'s sbxd object: is "key": value there? */
static bool sbxd_says(const char *json, const char *key_value)
{
	const char *sbxd = strstr(json, "\"sbxd\": {");

	return sbxd && strstr(sbxd, key_value);
}

/* sbxd enforces tier K in scope sandboxed, as `sbx status --json` reads its state. */
static const char *tier_k_not_in_force(void)
{
	static const char *const needs[] = { "\"running\": true", "\"tier\": \"K\"",
					     "\"mode\": \"enforce\"", "\"scope\": \"sandboxed\"" };
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", "--json", NULL };

	if (sbx_run_capture(argv, &r) || r.status)
		return "sbx status --json failed";
	for (size_t i = 0; i < ARRAY_SIZE(needs); i++)
		if (!sbxd_says(r.out, needs[i]))
			return msg("sbx status --json: sbxd lacks %s:\n%s", needs[i], r.out);
	return NULL;
}

#define TIER_K_HOLDS "tier K (sbxd, BPF LSM) holds"

/* sbx itself could not start the probe (not the probe refusing). */
static bool sbx_run_missing(const struct sbx_cmd_result *r)
{
	const char *word = "unknown command 'run'";

	/* On a terminal stderr arrives with stdout. */
	return strstr(r->err, word) || strstr(r->out, word);
}

TEST_F(escape, attempt)
{
	static struct sbx_cmd_result r;
	char reason[256];
	const char *why;
	bool escaped;

	if (tier_k_asked()) {
		why = tier_k_not_in_force();
		ASSERT_EQ(NULL, why)
		{
			TH_LOG("asked for tier K (SBX_ESCAPE_TIER=K), but %s", why);
		}
	}
	if (variant->control_need == NEED_IPV6 && self->tcp6_fd < 0)
		SKIP(return, "no IPv6 loopback to listen on");
	if (variant->setuid_copy && getuid() != 0)
		SKIP(return, "uid %d cannot make a setuid binary of another uid", (int)getuid());
	if (variant->preload) {
		if (!self->preload[0])
			SKIP(return, "no glibc library found to preload");
		/* The library must be absent without LD_PRELOAD, or the control proves nothing. */
		ASSERT_EQ(0, run_probe(self, variant, false, false, &r));
		ASSERT_EQ(PROBE_REFUSED, r.status)
		{
			TH_LOG("%s loaded without LD_PRELOAD: %s", self->preload_name,
			       verdict_line(&r));
		}
	}
	if (!strcmp(variant->technique, "open_by_handle") && !self->handle[0])
		SKIP(return, "name_to_handle_at: this file system gives no handles");

	/* The control: unconfined, the attempt must work. */
	ASSERT_EQ(0, run_probe(self, variant, false, variant->preload, &r));
	if (r.status == PROBE_UNSUPPORTED)
		SKIP(return, "%s", msg("the kernel lacks it: %s", verdict_line(&r)));
	if (r.status == PROBE_REFUSED) {
		why = control_refusal_reason(variant, reason, sizeof(reason));
		if (why)
			SKIP(return, "%s", msg("%s (%s)", why, verdict_line(&r)));
	}
	ASSERT_EQ(PROBE_ESCAPED, r.status)
	{
		TH_LOG("control (unconfined) did not succeed: status %d: %s\n%s%s", r.status,
		       verdict_line(&r), r.out, r.err);
	}
	TH_LOG("control: %s", verdict_line(&r));

	/* Confined: the same attempt under sbx run must fail. */
	ASSERT_EQ(0, run_probe(self, variant, true, variant->preload, &r));
	/* A missing or broken sbx run is a failure of this suite, never a skip. */
	ASSERT_FALSE(sbx_run_missing(&r))
	{
		TH_LOG("sbx run is not available: %s", r.err);
	}
	/* Tier K in force for this very run: the kernel took the launcher's declaration. */
	if (tier_k_asked())
		ASSERT_NE(NULL, strstr(r.err, TIER_K_HOLDS))
		{
			TH_LOG("asked for tier K, but sbx run does not say \"%s\": %s",
			       TIER_K_HOLDS, r.err);
		}
	/* Whatever the exit status: a probe that said "escaped" got out. */
	escaped = strstr(r.out, "escape-probe: escaped") != NULL;
	if (escaped) {
		why = kernel_cannot_stop(variant, reason, sizeof(reason));
		if (why)
			XFAIL(return, "%s", msg("known gap: %s (%s)", why, verdict_line(&r)));
		TH_LOG("HOLE: %s succeeded under sbx run%s: %s; should be stopped by %s",
		       variant->technique, tier_k_asked() ? " with sbxd's tier K" : "",
		       verdict_line(&r), tier_k_asked() ? variant->tier_k : variant->stopper);
		ASSERT_FALSE(escaped);
	}
	/* Refused by the kernel: the probe says so, or seccomp killed it. */
	if (r.status == PROBE_REFUSED && strstr(r.out, "escape-probe: ")) {
		TH_LOG("confined: %s", verdict_line(&r));
		return;
	}
	/* "Unsupported", though the control just used it: sbx's answer, if it is the one named. */
	if (r.status == PROBE_UNSUPPORTED) {
		char answer[32];

		snprintf(answer, sizeof(answer), "(%s)", variant->refused_as ?: "-");
		ASSERT_NE(NULL, strstr(verdict_line(&r), answer))
		{
			TH_LOG("confined, the probe found the mechanism missing, not the answer "
			       "sbx gives (%s): %s",
			       variant->refused_as ?: "none named", verdict_line(&r));
		}
		TH_LOG("confined: %s", verdict_line(&r));
		return;
	}
	if (r.status == 128 + SIGSYS) {
		TH_LOG("confined: killed by SIGSYS (seccomp)");
		return;
	}
	ASSERT_EQ(PROBE_REFUSED, r.status)
	{
		TH_LOG("sbx run did not run the probe to a verdict: status %d: %s\n%s%s", r.status,
		       verdict_line(&r), r.out, r.err);
	}
}

/* ---- the techniques ---- */

#define LANDLOCK_FS "Landlock file system rules (ABI 1)"

/* File system: the default profile grants nothing of $HOME. */
FIXTURE_VARIANT_ADD(escape, read_secret){
	.technique = "read_file",
	.args = { "@secret" },
	.stopper = LANDLOCK_FS,
};
FIXTURE_VARIANT_ADD(escape, write_outside_container){
	.technique = "write_create",
	.args = { "@home" },
	.stopper = LANDLOCK_FS,
};
FIXTURE_VARIANT_ADD(escape, write_host_tmp){
	.technique = "write_create",
	.args = { "/tmp" },
	.stopper = "Landlock: the program's tmp is the container's, not the host's /tmp",
};
FIXTURE_VARIANT_ADD(escape, write_dev_shm){
	.technique = "write_create",
	.args = { "/dev/shm" },
	.stopper = "Landlock: /dev/shm is shared with every process outside",
};
FIXTURE_VARIANT_ADD(escape, mknod_device){
	.technique = "mknod",
	.args = { "@TMPDIR" },
	.control_need = NEED_PRIVILEGE,
	.privilege = "CAP_MKNOD",
	.stopper = "capabilities dropped, Landlock MAKE_CHAR",
};
FIXTURE_VARIANT_ADD(escape, write_existing_outside){
	.technique = "write_existing",
	.args = { "@rc" },
	.stopper = LANDLOCK_FS,
};
FIXTURE_VARIANT_ADD(escape, truncate_outside){
	.technique = "truncate",
	.args = { "@rc" },
	.stopper = "Landlock TRUNCATE (ABI 3); below it seccomp refuses truncate(2)",
};
FIXTURE_VARIANT_ADD(escape, refer_link_into_container){
	.technique = "refer_link",
	.args = { "@secret", "@TMPDIR" },
	.stopper = "Landlock REFER (ABI 2; ABI 1 refuses every reparenting)",
};
FIXTURE_VARIANT_ADD(escape, refer_rename_into_container){
	.technique = "refer_rename_in",
	.args = { "@secret", "@TMPDIR" },
	.stopper = "Landlock REFER (ABI 2; ABI 1 refuses every reparenting)",
};
FIXTURE_VARIANT_ADD(escape, refer_rename_out_of_container){
	.technique = "refer_rename_out",
	.args = { "@TMPDIR", "@home" },
	.stopper = "Landlock REFER/MAKE_REG",
};
FIXTURE_VARIANT_ADD(escape, symlink_out_of_container){
	.technique = "symlink_follow",
	.args = { "@secret", "@TMPDIR" },
	.stopper = LANDLOCK_FS,
};
FIXTURE_VARIANT_ADD(escape, dotdot_out_of_container){
	.technique = "dotdot",
	.args = { "@secret", "@TMPDIR" },
	.stopper = LANDLOCK_FS,
};
FIXTURE_VARIANT_ADD(escape, proc_self_root){
	.technique = "proc_self_root",
	.args = { "@secret" },
	.stopper = LANDLOCK_FS,
};
FIXTURE_VARIANT_ADD(escape, proc_parent_cwd){
	.technique = "proc_parent_cwd",
	.args = { ".ssh/id_rsa" },
	.stopper = "Landlock (ptrace scope of /proc/PID, file rules)",
};
FIXTURE_VARIANT_ADD(escape, open_by_handle_at){
	.technique = "open_by_handle",
	.args = { "@handle", "@TMPDIR" },
	.control_need = NEED_PRIVILEGE,
	.privilege = "CAP_DAC_READ_SEARCH",
	.stopper = "capabilities dropped, seccomp",
};

/* Terminal. */
FIXTURE_VARIANT_ADD(escape, tiocsti){
	.technique = "tiocsti",
	.on_tty = true,
	.control_need = NEED_TIOCSTI,
	.stopper = "seccomp ioctl(TIOCSTI) rule",
};

/* Other processes. */
FIXTURE_VARIANT_ADD(escape, ptrace_parent){
	.technique = "ptrace",
	.args = { "parent" },
	.stopper = "seccomp ptrace rule, Landlock",
};
FIXTURE_VARIANT_ADD(escape, ptrace_outside){
	.technique = "ptrace",
	.args = { "@victim" },
	.stopper = "seccomp ptrace rule, Landlock",
};
FIXTURE_VARIANT_ADD(escape, process_vm_readv_outside){
	.technique = "process_vm_readv",
	.args = { "@victim", "@victim_addr" },
	.stopper = "seccomp process_vm_* rule, Landlock",
};
FIXTURE_VARIANT_ADD(escape, pidfd_getfd_outside){
	.technique = "pidfd_getfd",
	.args = { "@victim", "@victim_fd" },
	.stopper = "Landlock: no ptrace access to processes outside the domain",
};
FIXTURE_VARIANT_ADD(escape, proc_pid_fd_outside){
	.technique = "read_file",
	.args = { "@victim_fd_path" },
	.stopper = "Landlock: no ptrace access to processes outside the domain",
};
FIXTURE_VARIANT_ADD(escape, proc_pid_environ_outside){
	.technique = "read_file",
	.args = { "@victim_environ" },
	.stopper = "Landlock: no ptrace access to processes outside the domain",
};
/*
 * /proc/PID/cmdline (and status, stat, wchan) of a process outside the sandbox: procfs
 * checks no ptrace access for these, so Landlock's scoping does not stop it, and the app
 * sandbox grants /proc read-only (programs read /proc/self, whose inode differs in every
 * process, so no parent-built rule can grant only it). Found by the attack review.
 */
FIXTURE_VARIANT_ADD(escape, proc_pid_cmdline_outside){
	.technique = "read_file",
	.args = { "@victim_cmdline" },
	.confine_need = STOP_TIER_K,
	.stopper = "a file_open hook refusing other processes' /proc entries (tier K)",
	.tier_k = "bpf/proc_scope.bpf.c: /proc/PID only of the caller's own sandbox",
};
/*
 * /proc/PID/net/... names PID's network namespace: its sockets (unix socket paths), TCP/UDP
 * peers, routes. Here the victim shares the sandbox's namespace, so the read shows nothing
 * new; a victim in another one (tests/vm/enforcer_proc.c) does. Its inodes are procfs's
 * entries of the namespace, with no pid: tier K must judge them by the /proc/PID above
 * them. Found by the attack review (atk3 E).
 */
FIXTURE_VARIANT_ADD(escape, proc_pid_net_outside){
	.technique = "read_file",
	.args = { "@victim_net" },
	.confine_need = STOP_TIER_K,
	.stopper = "a file_open hook refusing other processes' /proc entries (tier K)",
	.tier_k = "bpf/proc_scope.bpf.c: /proc/PID/net/... only of the caller's own sandbox",
};
FIXTURE_VARIANT_ADD(escape, signal_outside){
	.technique = "signal",
	.args = { "@victim" },
	.stopper = "Landlock LANDLOCK_SCOPE_SIGNAL (ABI 6); below it the supervisor sends the "
		   "signals inside the sandbox only",
};
FIXTURE_VARIANT_ADD(escape, abstract_unix_connect){
	.technique = "unix_connect",
	.args = { "@abstract" },
	.stopper = "Landlock LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6); below ABI 9 the "
		   "supervisor, which refuses every abstract address",
};

FIXTURE_VARIANT_ADD(escape, unix_socket_in_home_connect){
	.technique = "unix_connect",
	.args = { "@agent" },
	.stopper = "Landlock LANDLOCK_ACCESS_FS_RESOLVE_UNIX (ABI 9); below it the supervisor "
		   "connects only beneath a grant",
};

/* Network, without any network entitlement. */
#define NO_INET "seccomp: AF_INET/AF_INET6 sockets refused without a network entitlement"
FIXTURE_VARIANT_ADD(escape, tcp_connect){
	.technique = "tcp_connect",
	.args = { "@tcp" },
	.stopper = NO_INET,
};
FIXTURE_VARIANT_ADD(escape, tcp6_connect){
	.technique = "tcp6_connect",
	.args = { "@tcp6" },
	.control_need = NEED_IPV6,
	.stopper = NO_INET,
};
FIXTURE_VARIANT_ADD(escape, udp_send){
	.technique = "udp_send",
	.args = { "@udp" },
	.stopper = NO_INET,
};
FIXTURE_VARIANT_ADD(escape, raw_socket){
	.technique = "raw_socket",
	.control_need = NEED_PRIVILEGE,
	.privilege = "CAP_NET_RAW",
	.stopper = "seccomp raw socket rule, capabilities dropped",
};
FIXTURE_VARIANT_ADD(escape, packet_socket){
	.technique = "packet_socket",
	.control_need = NEED_PRIVILEGE,
	.privilege = "CAP_NET_RAW",
	.stopper = "seccomp AF_PACKET rule, capabilities dropped",
};
FIXTURE_VARIANT_ADD(escape, netlink_route){
	.technique = "netlink_route",
	.stopper = "seccomp AF_NETLINK rule",
};

/* io_uring: its operations never pass through seccomp. */
FIXTURE_VARIANT_ADD(escape, io_uring_openat){
	.technique = "io_uring_openat",
	.args = { "@secret" },
	.control_need = NEED_IO_URING,
	.stopper = "seccomp io_uring_setup rule",
};
FIXTURE_VARIANT_ADD(escape, io_uring_socket){
	.technique = "io_uring_socket",
	.control_need = NEED_IO_URING,
	.stopper = "seccomp io_uring_setup rule",
};

/* Other syscall entry points: the filter must not only know x86_64's numbers. */
FIXTURE_VARIANT_ADD(escape, x32_syscall){
	.technique = "x32_socket",
	.stopper = "seccomp: x32 syscall numbers refused",
};
FIXTURE_VARIANT_ADD(escape, i386_syscall){
	.technique = "i386_socket",
	.stopper = "seccomp: AUDIT_ARCH_I386 refused",
};

/* Memory: Hardened Runtime's default W^X. */
FIXTURE_VARIANT_ADD(escape, wx_mmap){
	.technique = "wx_mmap",
	.stopper = "MDWE or seccomp mmap(PROT_WRITE|PROT_EXEC) rule",
};
/* Without MDWE (before 6.3) seccomp still refuses every mprotect that adds PROT_EXEC. */
FIXTURE_VARIANT_ADD(escape, mprotect_w_to_x){
	.technique = "mprotect_wx",
	.stopper = "seccomp mprotect(PROT_EXEC) rule, PR_SET_MDWE REFUSE_EXEC_GAIN",
};
FIXTURE_VARIANT_ADD(escape, proc_self_mem_write_code){
	.technique = "proc_self_mem",
	.stopper = "Landlock: /proc/self/mem not writable",
};

/* Exec of code the sandbox wrote. */
#define MEMFD_STOPPER "seccomp: memfd_create only with MFD_NOEXEC_SEAL"
#define MEMFD_TIER_K  "bpf/exec_verdict.bpf.c: a sandboxed task execs only verified code"
FIXTURE_VARIANT_ADD(escape, memfd_execveat){
	.technique = "memfd_execveat",
	.control_need = NEED_MEMFD_EXEC,
	.confine_need = STOP_NOEXEC_SEAL,
	.stopper = MEMFD_STOPPER,
	.tier_k = MEMFD_TIER_K,
};
FIXTURE_VARIANT_ADD(escape, memfd_proc_fd_execve){
	.technique = "memfd_proc_exec",
	.control_need = NEED_MEMFD_EXEC,
	.confine_need = STOP_NOEXEC_SEAL,
	.stopper = MEMFD_STOPPER,
	.tier_k = MEMFD_TIER_K,
};
FIXTURE_VARIANT_ADD(escape, memfd_mfd_exec){
	.technique = "memfd_mfd_exec",
	.control_need = NEED_MEMFD_EXEC,
	.confine_need = STOP_NOEXEC_SEAL,
	.stopper = "seccomp: memfd_create(MFD_EXEC) refused",
	.tier_k = MEMFD_TIER_K,
};
FIXTURE_VARIANT_ADD(escape, memfd_map_exec){
	.technique = "memfd_map_exec",
	.confine_need = STOP_TIER_K,
	.stopper = "MDWE covers anonymous memory only and MFD_NOEXEC_SEAL does not stop a "
		   "PROT_EXEC mapping; a BPF LSM mmap_file hook (tier K) could refuse it",
	.tier_k = "bpf/mmap_verdict.bpf.c: a sandboxed task maps only verified code",
};
FIXTURE_VARIANT_ADD(escape, exec_written_file){
	.technique = "exec_written",
	.args = { "@TMPDIR" },
	.stopper = "Landlock EXECUTE not granted on the container",
};
FIXTURE_VARIANT_ADD(escape, ldso_runs_unexecutable_file){
	.technique = "ldso_exec",
	.args = { "@TMPDIR" },
	.confine_need = STOP_TIER_K,
	.stopper = "Landlock has no right for PROT_EXEC mappings, so `ld.so FILE` maps any "
		   "readable file; a BPF LSM mmap_file/bprm hook (tier K) or an ld.so honouring "
		   "SECBIT_EXEC_RESTRICT_FILE could refuse it",
	.tier_k = "bpf/mmap_verdict.bpf.c: ld.so maps only verified code in a sandboxed task",
};
FIXTURE_VARIANT_ADD(escape, ld_preload_passed){
	.technique = "ld_preload",
	.args = { "@preload" },
	.preload = true,
	.stopper = "environment scrub of the loader's variables",
};
FIXTURE_VARIANT_ADD(escape, ld_library_path_passed){
	.technique = "env_reaches",
	.args = { "LD_LIBRARY_PATH" },
	.env = "LD_LIBRARY_PATH=/nonexistent/sbx-escape",
	.stopper = "environment scrub of the loader's variables",
};
FIXTURE_VARIANT_ADD(escape, ld_audit_passed){
	.technique = "env_reaches",
	.args = { "LD_AUDIT" },
	.env = "LD_AUDIT=/nonexistent/sbx-escape-audit.so",
	.stopper = "environment scrub of the loader's variables",
};
/* review-run hole 8: code-loading variables no deny-list named; the allow-list drops them. */
FIXTURE_VARIANT_ADD(escape, tcl_library_passed){
	.technique = "env_reaches",
	.args = { "TCL_LIBRARY" },
	.env = "TCL_LIBRARY=/nonexistent/sbx-escape-tcl",
	.stopper = "environment allow-list of the hardened runtime",
};
FIXTURE_VARIANT_ADD(escape, java_tool_options_passed){
	.technique = "env_reaches",
	.args = { "JAVA_TOOL_OPTIONS" },
	.env = "JAVA_TOOL_OPTIONS=-javaagent:/nonexistent/sbx-escape.jar",
	.stopper = "environment allow-list of the hardened runtime",
};
FIXTURE_VARIANT_ADD(escape, prompt_command_passed){
	.technique = "env_reaches",
	.args = { "PROMPT_COMMAND" },
	.env = "PROMPT_COMMAND=/nonexistent/sbx-escape-prompt",
	.stopper = "environment allow-list of the hardened runtime",
};
FIXTURE_VARIANT_ADD(escape, setuid_binary){
	.technique = "setuid",
	.setuid_copy = true,
	.stopper = "no_new_privs",
};

/* Privilege and kernel interfaces. */
#define NO_NS "seccomp: namespace creation refused"
FIXTURE_VARIANT_ADD(escape, unshare_user_namespace){
	.technique = "unshare_userns",
	.control_need = NEED_USERNS,
	.stopper = NO_NS,
};
FIXTURE_VARIANT_ADD(escape, clone_user_namespace){
	.technique = "clone_newuser",
	.control_need = NEED_USERNS,
	.stopper = NO_NS,
};
FIXTURE_VARIANT_ADD(escape, clone3_user_namespace){
	.technique = "clone3_newuser",
	.control_need = NEED_USERNS,
	.stopper = "seccomp: clone3 answered ENOSYS",
	.refused_as = "ENOSYS", /* so that libc falls back to clone, which seccomp can see */
};
FIXTURE_VARIANT_ADD(escape, mount){
	.technique = "mount",
	.args = { "@mnt" },
	.control_need = NEED_PRIVILEGE,
	.privilege = "CAP_SYS_ADMIN",
	.stopper = "seccomp mount rule, capabilities dropped",
};
FIXTURE_VARIANT_ADD(escape, mount_in_user_namespace){
	.technique = "mount_userns",
	.args = { "@mnt" },
	.control_need = NEED_USERNS,
	.stopper = NO_NS,
};
FIXTURE_VARIANT_ADD(escape, fsopen){
	.technique = "fsopen",
	.control_need = NEED_PRIVILEGE,
	.privilege = "CAP_SYS_ADMIN",
	.stopper = "seccomp new mount API rule",
};
FIXTURE_VARIANT_ADD(escape, bpf){
	.technique = "bpf",
	.control_need = NEED_UNPRIV_BPF,
	.stopper = "seccomp bpf rule",
};
FIXTURE_VARIANT_ADD(escape, perf_event_open){
	.technique = "perf_event_open",
	.control_need = NEED_PERF,
	.stopper = "seccomp perf_event_open rule",
};
FIXTURE_VARIANT_ADD(escape, userfaultfd){
	.technique = "userfaultfd",
	.control_need = NEED_USERFAULTFD,
	.stopper = "seccomp userfaultfd rule",
};
FIXTURE_VARIANT_ADD(escape, keyctl_user_keyring){
	.technique = "keyctl",
	.stopper = "seccomp keyctl/add_key rule",
};
FIXTURE_VARIANT_ADD(escape, personality_read_implies_exec){
	.technique = "personality",
	.stopper = "seccomp personality rule",
};
FIXTURE_VARIANT_ADD(escape, proc_sys_write){
	.technique = "proc_write",
	.args = { "/proc/sys/kernel/domainname", "-" },
	.control_need = NEED_PRIVILEGE,
	.privilege = "root's ownership of /proc/sys",
	.stopper = "Landlock: /proc/sys not writable",
};
/* AppArmor takes this from an unconfined task; with no LSM behind attr the control SKIPs. */
FIXTURE_VARIANT_ADD(escape, proc_self_attr_write){
	.technique = "proc_write",
	.args = { "/proc/self/attr/current", "changeprofile unconfined" },
	.stopper = "Landlock: /proc not writable",
};
/* issue 8: the syscall allow-list. "@victim" is a process outside the sandbox. */
FIXTURE_VARIANT_ADD(escape, sysv_shared_memory){
	.technique = "sysv_shm",
	.args = { "0x5b5e0008" },
	.stopper = "seccomp @sysv-ipc group refused",
};
FIXTURE_VARIANT_ADD(escape, sysv_message_queue){
	.technique = "sysv_msg",
	.args = { "0x5b5e0008" },
	.stopper = "seccomp @sysv-ipc group refused",
};
FIXTURE_VARIANT_ADD(escape, shmat_shm_exec){
	.technique = "shmat_exec",
	.stopper = "seccomp @sysv-ipc group refused",
};
FIXTURE_VARIANT_ADD(escape, prlimit_outside_process){
	.technique = "prlimit_other",
	.args = { "@victim" },
	.stopper = "seccomp: prlimit64 only for the caller (pid 0)",
};
FIXTURE_VARIANT_ADD(escape, setpriority_outside_process){
	.technique = "setpriority_other",
	.args = { "@victim" },
	.stopper = "seccomp: setpriority only for the caller",
};
FIXTURE_VARIANT_ADD(escape, sched_setaffinity_outside_process){
	.technique = "sched_setaffinity_other",
	.args = { "@victim" },
	.stopper = "seccomp: sched_setaffinity only for the caller",
};
FIXTURE_VARIANT_ADD(escape, ioprio_set_outside_process){
	.technique = "ioprio_set_other",
	.args = { "@victim" },
	.stopper = "seccomp: ioprio_set only for the caller",
};
FIXTURE_VARIANT_ADD(escape, mptcp_connect){
	.technique = "mptcp_connect",
	.args = { "@tcp" },
	.stopper = "seccomp socket allow-list (no MPTCP)",
};
FIXTURE_VARIANT_ADD(escape, mptcp_listen){
	.technique = "mptcp_listen",
	.stopper = "seccomp socket allow-list (no MPTCP)",
};
FIXTURE_VARIANT_ADD(escape, vsock_bind){
	.technique = "vsock_bind",
	.stopper = "seccomp socket allow-list (no AF_VSOCK)",
	.refused_as = "EAFNOSUPPORT",
};
FIXTURE_VARIANT_ADD(escape, file_lease){
	.technique = "file_lease",
	.args = { "@TMPDIR" },
	.stopper = "seccomp fcntl(F_SETLEASE) rule",
};
FIXTURE_VARIANT_ADD(escape, unlisted_new_syscall){
	.technique = "unlisted_syscall",
	.stopper = "seccomp allow-list: a call no group names gets ENOSYS",
	.refused_as = "ENOSYS",
};

/* File metadata and watches outside the grants: Landlock does not govern them. */
#define SUPERVISOR_FS "the supervisor: metadata changes only beneath a write grant"
FIXTURE_VARIANT_ADD(escape, chmod_setuid_outside){
	.technique = "chmod",
	.args = { "@rc", "4755" },
	.stopper = SUPERVISOR_FS,
};
FIXTURE_VARIANT_ADD(escape, chmod_secret_world_readable){
	.technique = "chmod",
	.args = { "@secret", "0644" },
	.stopper = SUPERVISOR_FS,
};
FIXTURE_VARIANT_ADD(escape, chown_outside){
	.technique = "chown",
	.args = { "@rc" },
	.stopper = SUPERVISOR_FS,
};
FIXTURE_VARIANT_ADD(escape, utimes_outside){
	.technique = "utimes",
	.args = { "@rc" },
	.stopper = SUPERVISOR_FS,
};
FIXTURE_VARIANT_ADD(escape, setxattr_outside){
	.technique = "setxattr",
	.args = { "@rc" },
	.stopper = SUPERVISOR_FS,
};
FIXTURE_VARIANT_ADD(escape, getxattr_secret){
	.technique = "getxattr",
	.args = { "@secret" },
	.stopper = "the supervisor: xattr reads only beneath a read grant",
	.refused_as = "EOPNOTSUPP",
};
FIXTURE_VARIANT_ADD(escape, inotify_watch_ssh_dir){
	.technique = "inotify_watch",
	.args = { "@secret" },
	.stopper = "the supervisor: watches only beneath a read grant",
};
FIXTURE_VARIANT_ADD(escape, unix_raw_sendto_outside){
	.technique = "unix_raw_sendto",
	.args = { "@dgram" },
	.stopper = "Landlock RESOLVE_UNIX (ABI 9); below it seccomp allows only unix stream "
		   "and seqpacket sockets",
};
FIXTURE_VARIANT_ADD(escape, setflags_read_only_file){
	.technique = "setflags",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: ioctls that set inode attributes are refused",
};
/*
 * The class the deny-list of types missed (atk11u, noticed): a file system's own request
 * ('r', vfat's attributes) reaches the file system through a read-only grant unless ioctl
 * requests are an allow-list. The control answers ENOTTY off vfat: it reached it.
 */
FIXTURE_VARIANT_ADD(escape, fs_own_ioctl_read_only_file){
	.technique = "fs_own_ioctl",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: ioctl requests outside the allow-list are refused",
};
/*
 * The page cache of a file the program may read tells when others read it (atk5u E): a
 * file this uid owns, because cachestat needs ownership or write access.
 */
FIXTURE_VARIANT_ADD(escape, cachestat_read_only_file){
	.technique = "cachestat",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: the @page-cache group is refused",
	.refused_as = "ENOSYS",
};
FIXTURE_VARIANT_ADD(escape, evict_page_cache_read_only_file){
	.technique = "evict_page_cache",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: posix_fadvise(POSIX_FADV_DONTNEED) is refused",
};
FIXTURE_VARIANT_ADD(escape, read_nowait_probes_page_cache){
	.technique = "read_nowait",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: preadv2(RWF_NOWAIT) answers EOPNOTSUPP",
	.refused_as = "EOPNOTSUPP",
};
/*
 * atk6u P, N, W: the page cache by madvise and mincore, by Linux AIO's iocb flags, and
 * inode state by fcntl, each on a file this uid owns and the program opens read-only
 * (as root: every system file).
 */
FIXTURE_VARIANT_ADD(escape, madv_pageout_evicts_page_cache){
	.technique = "madvise_evict",
	.args = { "pageout", "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: madvise's allow-list of advice (MADV_PAGEOUT answers EINVAL)",
	.refused_as = "EINVAL",
};
FIXTURE_VARIANT_ADD(escape, madv_cold_ages_page_cache){
	.technique = "madvise_evict",
	.args = { "cold", "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: madvise's allow-list of advice (MADV_COLD answers EINVAL)",
	.refused_as = "EINVAL",
};
FIXTURE_VARIANT_ADD(escape, mincore_probes_page_cache){
	.technique = "mincore",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: the @page-cache group (mincore) answers ENOSYS",
	.refused_as = "ENOSYS",
};
FIXTURE_VARIANT_ADD(escape, aio_nowait_probes_page_cache){
	.technique = "aio_nowait",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: the @aio group answers ENOSYS (sbx.aio lifts it)",
	.refused_as = "ENOSYS",
};
FIXTURE_VARIANT_ADD(escape, fcntl_rw_hint_read_only_file){
	.technique = "rw_hint",
	.args = { "@own_probe" },
	.own_copy = true,
	.stopper = "seccomp: fcntl's allow-list of commands (F_SET_RW_HINT answers EINVAL)",
	.refused_as = "EINVAL",
};

/*
 * Another process's attributes by the calls that name it (atk5u J): tier K's /proc hook
 * does not see them. The supervisor answers them only for the sandbox's own processes.
 */
#define READ_OTHER "the supervisor: calls naming another process only for the sandbox's own"
FIXTURE_VARIANT_ADD(escape, getpriority_outside){
	.technique = "read_other",
	.args = { "getpriority", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, ioprio_get_outside){
	.technique = "read_other",
	.args = { "ioprio_get", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, sched_getaffinity_outside){
	.technique = "read_other",
	.args = { "sched_getaffinity", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, sched_getparam_outside){
	.technique = "read_other",
	.args = { "sched_getparam", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, sched_getscheduler_outside){
	.technique = "read_other",
	.args = { "sched_getscheduler", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, sched_getattr_outside){
	.technique = "read_other",
	.args = { "sched_getattr", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, sched_rr_get_interval_outside){
	.technique = "read_other",
	.args = { "sched_rr_get_interval", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, getpgid_outside){
	.technique = "read_other",
	.args = { "getpgid", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, getsid_outside){
	.technique = "read_other",
	.args = { "getsid", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, get_robust_list_outside){
	.technique = "read_other",
	.args = { "get_robust_list", "@victim" },
	.stopper = "Landlock: ptrace checks (PTRACE_MODE_READ) only inside the sandbox (ABI 1)",
};
FIXTURE_VARIANT_ADD(escape, prlimit64_outside){
	.technique = "read_other",
	.args = { "prlimit64", "@victim" },
	.stopper = READ_OTHER,
};
FIXTURE_VARIANT_ADD(escape, pidfd_open_outside){
	.technique = "read_other",
	.args = { "pidfd_open", "@victim" },
	.stopper = READ_OTHER,
};

TEST_HARNESS_MAIN
