// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Self-protection (bpf/self_protect.bpf.c): root without sbxd's identity cannot unpin,
 * detach or replace sbx's programs, links or maps, update the verdict map, write the
 * trust store, sbxd.conf or a library sbxd runs, mount over the trust store, unmount the
 * pins' bpffs, debug sbxd or kill it; sbxd itself goes on storing verdicts, and `sbxd
 * --unload` (the documented way off) still works. Each technique is first run with
 * protection off (`--protect no`): the control, which must succeed. The signed copy of
 * sbxd arms (sbxd_k.h: sign_sbxd); this process is root in the guest, as bpftool, rm and
 * kill would be.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "sbxd_k.h"

#define PINS "/sys/fs/bpf/sbx"

/* What root got for each technique: 0 (it worked) or the errno that refused it. */
struct tamper {
	int sbx_links; /* sbx's links root could open by id (0 when refused) */
	int obj_get, map_update, map_by_id, link_by_id, trust_create, trust_write;
	int conf_write, conf_rename, conf_unlink, mount_over, umount, mem, unlink_pin, kill;
	int lib_write; /* open for write of libbpf.so.1 as sbxd maps it (atk-k #3) */
	/* acting on sbxd's process another way than kill (atk6k F4, F4b) */
	int sigio, prlimit, nice, affinity, ioprio, movemem;
	int core_hard; /* sbxd's RLIMIT_CORE hard limit as /proc/PID/limits says, before */
	/* sbxd's cgroup, through cgroupfs (atk7k E2): a limit, a freeze, a move out of it */
	int cg_limit, cg_freeze, cg_move;
};

static struct sbxd_cgroups cg; /* cg_setup's, in the tests that tamper */

static int err_of(int r)
{
	return r < 0 ? errno : 0;
}

/* The verdict map's id from sbxd's own descriptors: the only LRU hash (type 9) it holds. */
static __u32 verdict_map_id(pid_t pid)
{
	char path[64], line[128];
	struct dirent *de;
	__u32 id = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	dp = opendir(path);
	while (dp && !id && (de = readdir(dp))) {
		bool lru = false;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.20s", (int)pid, de->d_name);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			lru |= !strcmp(line, "map_type:\t9\n");
			if (lru && !strncmp(line, "map_id:", 7))
				id = (__u32)strtoul(line + 7, NULL, 10);
		}
		if (f)
			fclose(f);
	}
	if (dp)
		closedir(dp);
	return id;
}

/*
 * The files sbxd maps executable (its program, ld.so, its libraries), from /proc/PID/maps,
 * one call each: cb's first non-zero answer, or 0.
 */
static int sbxd_code_each(pid_t pid, int (*cb)(const char *path, void *arg), void *arg)
{
	char path[64], line[PATH_MAX + 128], perms[8], *file;
	unsigned long lo, hi;
	int r = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (!r && fgets(line, sizeof(line), f)) {
		file = strchr(line, '/');
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[2] != 'x' || !file)
			continue;
		file[strcspn(file, "\n")] = '\0';
		r = cb(file, arg);
	}
	fclose(f);
	return r;
}

static int find_libbpf(const char *path, void *arg)
{
	if (!strstr(path, "/libbpf.so"))
		return 0;
	snprintf(arg, PATH_MAX, "%s", path);
	return 1;
}

/* Each of sbxd's files that root could open for writing: counted, and logged. */
static int count_writable(const char *path, void *arg)
{
	if (!open_for_write(path)) {
		++*(int *)arg;
		printf("# sbxd's mapped code %s: root opened it for writing\n", path);
	}
	return 0;
}

/* BPF_LINK_GET_FD_BY_ID over every link: the first refusal, else 0 if sbx's were opened. */
static int links_by_id(int *opened_sbx)
{
	__u32 id = 0;
	int refused = 0;

	*opened_sbx = 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info = { 0 };
		struct bpf_prog_info pinfo = { 0 };
		__u32 len = sizeof(info), plen = sizeof(pinfo);
		int fd = bpf_link_get_fd_by_id(id), pfd;

		if (fd < 0) {
			refused = refused ? refused : errno;
			continue;
		}
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			pfd = bpf_prog_get_fd_by_id(info.prog_id);
			if (pfd >= 0 && !bpf_obj_get_info_by_fd(pfd, &pinfo, &plen) &&
			    !strncmp(pinfo.name, "sbx_", 4))
				(*opened_sbx)++;
			if (pfd >= 0)
				close(pfd);
		}
		close(fd);
	}
	return refused;
}

/* umount of the pins' bpffs in a mount namespace of its own (a control leaves ours). */
static int umount_bpffs(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(200);
		_exit(umount2("/sys/fs/bpf", MNT_DETACH) ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * SIGHUP to sbxd as SIGIO (F_SETOWN, F_SETSIG, O_ASYNC on a pipe, then a write): task_kill
 * never sees it. 0 if sbxd logged a reload (bounded wait), else EPERM: the kernel does
 * not tell the sender, so a late delivery could only pass, never fail, the armed case.
 */
static int sigio_hup(FIXTURE_DATA(sbxd_k) * self, pid_t pid)
{
	int p[2], err = 0;

	if (pipe(p))
		return errno;
	if (fcntl(p[0], F_SETOWN, pid) || fcntl(p[0], F_SETSIG, SIGHUP) ||
	    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) || write(p[1], "x", 1) != 1)
		err = errno;
	close(p[0]);
	close(p[1]);
	if (err)
		return err;
	return logged(self, "SIGHUP: the trust store") ? 0 : EPERM;
}

/* A limit of pid's from /proc/PID/limits (its line starts with name): the hard one. */
static long long hard_limit(pid_t pid, const char *name)
{
	char path[64], line[256], soft[32], hard[32];
	long long v = -2;
	FILE *f;

	fmt(path, sizeof(path), "/proc/%d/limits", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) &&
		    sscanf(line + strlen(name), "%31s %31s", soft, hard) == 2)
			v = strcmp(hard, "unlimited") ? atoll(hard) : -1;
	if (f)
		fclose(f);
	return v;
}

/* Every act on sbxd's process other than kill (atk6k F4, F4b); each 0 or errno. */
static void act_on_process(FIXTURE_DATA(sbxd_k) * self, pid_t pid, struct tamper *t)
{
	struct rlimit all = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned long nodes = 1; /* node 0 */
	cpu_set_t cpus;

	t->core_hard = (int)hard_limit(pid, "Max core file size");
	t->prlimit = err_of(prlimit(pid, RLIMIT_CORE, &all, NULL));
	t->nice = err_of(setpriority(PRIO_PROCESS, (id_t)pid, 19));
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	t->affinity = err_of(sched_setaffinity(pid, sizeof(cpus), &cpus));
	/* IOPRIO_WHO_PROCESS, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 7) */
	t->ioprio = err_of((int)syscall(SYS_ioprio_set, 1, pid, 2 << 13 | 7));
	t->movemem =
		err_of((int)syscall(SYS_migrate_pages, pid, 8 * sizeof(nodes), &nodes, &nodes));
	t->sigio = sigio_hup(self, pid);
}

/* Every technique, the destructive ones (a pin, sbxd itself) last. */
static void tamper(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self, pid_t pid,
		   struct tamper *t)
{
	struct sbx_verdict_key key = { .ino = 1, .dev = 0xffffffffu };
	struct sbx_cached_verdict v = { .write_gen = 1, .kind = SBX_CACHED_VALID };
	char path[LEN + 32], lib[PATH_MAX] = "";
	__u32 id = verdict_map_id(pid);
	int fd, opened;

	ASSERT_EQ(1, sbxd_code_each(pid, find_libbpf, lib)) TH_LOG("sbxd maps no libbpf.so");
	t->lib_write = open_for_write(lib);

	fd = bpf_obj_get(PINS "/sbx_verdicts");
	t->obj_get = err_of(fd);
	t->map_update = fd < 0 ? t->obj_get : err_of(bpf_map_update_elem(fd, &key, &v, BPF_ANY));
	if (fd >= 0) {
		bpf_map_delete_elem(fd, &key);
		close(fd);
	}
	fd = id ? bpf_map_get_fd_by_id(id) : -1;
	t->map_by_id = id ? err_of(fd) : -1;
	if (fd >= 0)
		close(fd);
	t->link_by_id = links_by_id(&opened);
	t->sbx_links = opened;
	if (!t->link_by_id && !opened)
		t->link_by_id = -1; /* nothing of sbx's was seen at all */
	fmt(path, sizeof(path), "%s/added.pem", self->trust);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	t->trust_create = err_of(fd);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	ASSERT_EQ(0, sbx_sh(self->r, "ls '%s'/*.pem | head -n 1", self->trust));
	self->r->out[strcspn(self->r->out, "\n")] = '\0';
	fd = open(self->r->out, O_WRONLY | O_APPEND | O_CLOEXEC);
	t->trust_write = err_of(fd);
	if (fd >= 0)
		close(fd);
	fd = open(self->conf, O_WRONLY | O_APPEND | O_CLOEXEC);
	t->conf_write = err_of(fd);
	if (fd >= 0)
		close(fd);
	fmt(path, sizeof(path), "%s/other.conf", self->dir);
	ASSERT_EQ(0, write_file(path, "mode = complain\n", 16, 0644));
	t->conf_rename = err_of(rename(path, self->conf));
	t->conf_unlink = err_of(unlink(self->conf));
	t->mount_over = err_of(mount("sbxd-protect", self->trust, "tmpfs", 0, NULL));
	if (!t->mount_over)
		umount2(self->trust, MNT_DETACH);
	t->umount = umount_bpffs();
	fmt(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	t->mem = err_of(fd);
	if (fd >= 0)
		close(fd);
	t->unlink_pin = err_of(unlink(PINS "/link_sbx_exec_check"));
	act_on_process(self, pid, t);
	t->cg_limit = cg_write(cg.svc, "pids.max", "max");
	t->cg_freeze = cg_write(cg.svc, "cgroup.freeze", "1");
	if (!t->cg_freeze)
		cg_write(cg.svc, "cgroup.freeze", "0");
	t->cg_move = cg_write_pid(cg.other, "cgroup.procs", pid);
	t->kill = err_of(kill(pid, SIGKILL));
}

/* A write to a v1 hierarchy (a named one: no controller needed): 0, or the errno. */
static int cg_v1_write(void)
{
	char v1[LEN + 16];
	int err;

	fmt(v1, sizeof(v1), "%s1", cg.root);
	if (mkdir(v1, 0700) || mount("cgroup", v1, "cgroup", 0, "none,name=sbxtest"))
		return -errno;
	err = cg_write_pid(v1, "cgroup.procs", getpid()); /* where it is: moves nothing */
	umount2(v1, MNT_DETACH);
	return err;
}

/*
 * Armed, after tamper (atk7k E2): the PoC's cgroup.kill of sbxd's cgroup, a move of sbxd
 * into a child of it, and a v1 hierarchy (freezer's, where the kernel has it) are refused;
 * a cgroup that does not hold sbxd works as before, from this process, which is not init:
 * a new child, a move inside it, a controller, a limit, a freeze, a kill.
 */
static void cgroup_armed(struct __test_metadata *_metadata, pid_t pid)
{
	char sub[LEN + 48];
	int st;

	EXPECT_EQ(EPERM, cg_write(cg.svc, "cgroup.kill", "1"));
	fmt(sub, sizeof(sub), "%s/sub", cg.svc);
	ASSERT_EQ(0, mkdir(sub, 0755));
	EXPECT_EQ(EPERM, cg_write_pid(sub, "cgroup.procs", pid));
	rmdir(sub);
	EXPECT_EQ(0, kill(pid, 0));
	EXPECT_EQ(EPERM, cg_v1_write());

	fmt(sub, sizeof(sub), "%s/sub", cg.other);
	ASSERT_EQ(0, mkdir(sub, 0755));
	EXPECT_EQ(0, cg_write_pid(sub, "cgroup.procs", cg.sleeper));
	EXPECT_EQ(0, cg_write(cg.other, "cgroup.subtree_control", "+pids"));
	EXPECT_EQ(0, cg_write(sub, "pids.max", "100"));
	EXPECT_EQ(0, cg_write(sub, "cgroup.freeze", "1"));
	EXPECT_EQ(0, cg_write(sub, "cgroup.freeze", "0"));
	EXPECT_EQ(0, cg_write(sub, "cgroup.kill", "1"));
	EXPECT_EQ(cg.sleeper, waitpid(cg.sleeper, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	cg.sleeper = 0;
	rmdir(sub);
	cg_cleanup(&cg);
}

/* Bounds, not timed assertions: a signed sbxd started (it verifies itself and its
 * libraries under TCG), every technique tried. */
TEST_F_TIMEOUT(sbxd_k, protect_off_root_can_tamper, 300)
{
	struct tamper t;
	pid_t pid;

	cg_setup(_metadata, self, &cg);
	start_signed(_metadata, self, "--protect no");
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	ASSERT_EQ(EPERM, launched(self, self->unsigned_prog));
	tamper(_metadata, self, pid, &t);
	EXPECT_EQ(0, t.cg_limit);
	EXPECT_EQ(0, t.cg_freeze);
	EXPECT_EQ(0, t.cg_move);
	EXPECT_EQ(0, cg_v1_write());
	cg_cleanup(&cg);
	EXPECT_EQ(0, t.obj_get);
	EXPECT_EQ(0, t.map_update);
	EXPECT_EQ(0, t.map_by_id);
	EXPECT_EQ(0, t.link_by_id);
	EXPECT_EQ(0, t.trust_create);
	EXPECT_EQ(0, t.trust_write);
	EXPECT_EQ(0, t.conf_write);
	EXPECT_EQ(0, t.conf_rename);
	EXPECT_EQ(0, t.conf_unlink);
	EXPECT_EQ(0, t.mount_over);
	EXPECT_EQ(0, t.umount);
	EXPECT_EQ(0, t.mem);
	EXPECT_EQ(0, t.unlink_pin);
	EXPECT_EQ(0, t.kill);
	EXPECT_EQ(0, t.lib_write);
	EXPECT_EQ(0, t.core_hard); /* sbxd's own: never a core (main.c) */
	EXPECT_EQ(0, t.prlimit);
	EXPECT_EQ(0, t.nice);
	EXPECT_EQ(0, t.affinity);
	EXPECT_EQ(0, t.ioprio);
	EXPECT_EQ(0, t.movemem);
	EXPECT_EQ(0, t.sigio);
	/*
	 * The unpinned link goes with the exec check, after an RCU grace period and a work
	 * queue (a bound on that wait, not a timed assertion): root switched enforcement off.
	 */
	for (int i = 0, n = t.sbx_links; i < 1000 && n >= t.sbx_links; i++) {
		links_by_id(&n);
		usleep(10000);
	}
	EXPECT_EQ(0, launched(self, self->unsigned_prog));
}

/* The real sbxd, started traced (PTRACE_TRACEME before its exec): its exit status. */
static int traced_unload(FIXTURE_DATA(sbxd_k) * self)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		char *argv[] = { self->sbxd, "--unload", "--run-dir", self->run, NULL };
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execv(argv[0], argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &st, 0) == pid && WIFSTOPPED(st))
		ptrace(PTRACE_CONT, pid, NULL,
		       (void *)(long)(WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st)));
	return pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* As above, plus two more sbxd starts (a copy, a traced one) and the unload. */
TEST_F_TIMEOUT(sbxd_k, protect_on_root_cannot_tamper_sbxd_can_unload, 300)
{
	char lib[PATH_MAX], copy[LEN + 32], moved[PATH_MAX + 8];
	struct tamper t;
	int writable;
	pid_t pid;

	self->armed = true;
	cg_setup(_metadata, self, &cg);
	start_signed(_metadata, self, "");
	ASSERT_EQ(0, sbx_sh(self->r, "grep 'self-protection on' '%s.out'", self->run));
	ASSERT_EQ(0, self->r->status) TH_LOG("sbxd did not arm: %s", self->r->out);
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	tamper(_metadata, self, pid, &t);
	EXPECT_EQ(EPERM, t.cg_limit);
	EXPECT_EQ(EPERM, t.cg_freeze);
	EXPECT_EQ(EPERM, t.cg_move);
	cgroup_armed(_metadata, pid);
	EXPECT_EQ(EPERM, t.obj_get);
	EXPECT_EQ(EPERM, t.map_update);
	EXPECT_EQ(EPERM, t.map_by_id);
	EXPECT_EQ(EPERM, t.link_by_id);
	EXPECT_EQ(EPERM, t.trust_create);
	EXPECT_EQ(EPERM, t.trust_write);
	EXPECT_EQ(EPERM, t.conf_write);
	EXPECT_EQ(EPERM, t.conf_rename);
	EXPECT_EQ(EPERM, t.conf_unlink);
	EXPECT_EQ(EPERM, t.mount_over);
	EXPECT_EQ(EPERM, t.umount);
	/* open for write: self_protect's file_open refuses first (else mm_access: EACCES) */
	EXPECT_EQ(EPERM, t.mem);
	EXPECT_EQ(EPERM, t.unlink_pin);
	EXPECT_EQ(EPERM, t.kill);
	EXPECT_EQ(0, t.core_hard);
	EXPECT_EQ(EPERM, t.prlimit);
	EXPECT_EQ(EPERM, t.nice);
	EXPECT_EQ(EPERM, t.affinity);
	EXPECT_EQ(EPERM, t.ioprio);
	EXPECT_EQ(EPERM, t.movemem);
	EXPECT_EQ(EPERM, t.sigio);
	/*
	 * sbxd's code: a write to a library it maps would run in it (atk-k #3: a patched
	 * bpf_map_lookup_elem unlinked the exec check's pin). No file it maps executable can
	 * be written; a copy of libbpf can, and the library can be renamed away and back (a
	 * package upgrade puts a new file in its place).
	 */
	EXPECT_EQ(EPERM, t.lib_write);
	writable = 0;
	EXPECT_EQ(0, sbxd_code_each(pid, count_writable, &writable));
	EXPECT_EQ(0, writable);
	ASSERT_EQ(1, sbxd_code_each(pid, find_libbpf, lib));
	fmt(copy, sizeof(copy), "%s/libbpf-copy.so", self->dir);
	ASSERT_EQ(0, copy_file(lib, copy));
	EXPECT_EQ(0, open_for_write(copy));
	fmt(moved, sizeof(moved), "%s.moved", lib);
	EXPECT_EQ(0, rename(lib, moved));
	EXPECT_EQ(0, rename(moved, lib));
	/* sbxd lives, the pins enforce, and sbxd itself still stores verdicts. */
	EXPECT_EQ(0, kill(pid, 0));
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	/* sbx status as root: the protection refuses its probe, which is no sign of no BPF LSM. */
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' status", sbx_bin()));
	EXPECT_NE(NULL, strstr(self->r->out, "bpf lsm:       active: sbxd's programs are attached"))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "K yes")) TH_LOG("%s", self->r->out);
	/* A signed copy of sbxd is another inode, and a traced sbxd cannot claim. */
	ASSERT_EQ(0, sbx_sh(self->r, "cp '%s' '%s.copy' && '%s.copy' --unload --run-dir '%s'",
			    self->sbxd, self->sbxd, self->sbxd, self->run));
	EXPECT_EQ(1, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_EQ(1, traced_unload(self));
	EXPECT_EQ(0, kill(pid, 0));
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	/* The documented way off. */
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' --unload --run-dir '%s'", self->sbxd, self->run));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
	self->armed = self->r->status != 0;
	EXPECT_NE(0, access(PINS, F_OK));
	EXPECT_EQ(0, launched(self, self->unsigned_prog));
	/* Refusals were logged like exec denials (sbxd drained them before it stopped). */
	ASSERT_EQ(0, sbx_sh(self->r, "grep -c '\"self-protect\"' '%s/events.jsonl'", self->run));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->out);
}

/*
 * atk3 D2, the real signed sbxd: revoked.list a symbolic link to a list kept elsewhere,
 * where team 2 (rsa.pem) is revoked. Self-protection guards the trust store's inodes, not
 * a link's target, so armed, root could empty the target and a restarted sbxd would run the
 * revoked signer. Now the trust store holds regular files and directories only: sbxd does
 * not read through the link (a list it cannot read never revokes nothing), and a store it
 * cannot read wholly stops enforce mode's start, naming the link: nothing is loaded, so
 * nothing arms. The control: the same list moved into the trust directory, and sbxd
 * started again arms, guards it and runs what the fixture's signer signed.
 */
TEST_F_TIMEOUT(sbxd_k, revocation_list_that_is_a_symlink_never_arms, 300)
{
	struct team2 t;

	team2_make(_metadata, self, &t);
	ASSERT_EQ(0, mkdir(t.rev_dir, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' trust --trust '%s' revoke cert '%s/rsa.pem'", sbx_bin(),
			    t.rev_dir, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, symlink(t.list, t.link));
	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	/* Bounded: an sbxd that starts anyway is killed by timeout(1) (137). */
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "timeout -s KILL 90 '%s' --config '%s' --tier K --scope sandboxed "
			 "--path '%s' --launcher '%s' --trust-dir '%s' --run-dir '%s'",
			 self->sbxd, self->conf, self->w, self->launcher, self->trust, self->run));
	/* Unfixed, it loaded (and may have armed): the teardown's `sbxd --unload` then. */
	self->armed = access(PINS, F_OK) == 0;
	EXPECT_EQ(1, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "sbxd: refusing enforce mode: the trust store "))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, " is a symbolic link")) TH_LOG("%s", self->r->err);
	EXPECT_FALSE(self->armed) TH_LOG("refused, sbxd loads nothing");
	EXPECT_EQ(0, sbx_sh(self->r, ": >> '%s'", t.link)); /* not armed */
	EXPECT_EQ(0, self->r->status);
	if (self->armed)
		return;
	ASSERT_EQ(0, unlink(t.link));
	ASSERT_EQ(0, rename(t.list, t.link));
	self->armed = true;
	start_signed(_metadata, self, "");
	ASSERT_EQ(0, sbx_sh(self->r, "grep 'self-protection on' '%s.out'", self->run));
	ASSERT_EQ(0, self->r->status) TH_LOG("sbxd did not arm: %s", self->r->out);
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	EXPECT_EQ(0, sbx_sh(self->r, ": >> '%s'", t.link));
	EXPECT_NE(0, self->r->status);
}

TEST_HARNESS_MAIN
