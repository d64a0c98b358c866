// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Root's kernel instrumentation while self-protection is armed (bpf/instr_guard.bpf.c,
 * atk4 K1 to K4), with this test as the daemon: it arms (sbx_enforcer_protect), and a copy
 * of itself it execs (nobody: an exec is never sbxd) tries, as root, to load each kind of
 * BPF program, attach one loaded before the arming, or open tracefs's dynamic event files
 * for write. Each attempt has its control, the same attempt before arming; the daemon's
 * own loads go on while armed. In the VM kernels, as root; scope `sandboxed`, so the
 * copies exec without verdicts.
 */
#include <stdarg.h>
#include <linux/bpf.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "enforcer_test.h"
#include "bpf/instr.h"
#include "lockdown_test.h"

#define I(c, d, s, o, i) ((struct bpf_insn){ (c), (d), (s), (o), (i) })

/* r0 = 0; exit: valid for every program type that loads without a target. */
static const struct bpf_insn ret0[] = {
	I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
	I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
};

FIXTURE(enforcer_instr)
{
	struct sbx_enforcer *e;
	char dir[64], tracefs[96];
	bool mounted;
};

FIXTURE_SETUP(enforcer_instr)
{
	self->mounted = tracefs_private(self->tracefs, sizeof(self->tracefs), "instr");
	ENFORCER_ARMING_SETUP(self, "instr");
}

FIXTURE_TEARDOWN(enforcer_instr)
{
	tracefs_private_gone(self->tracefs, self->mounted);
	enforcer_fixture_cleanup(self->e, self->dir);
}

static void arm(struct __test_metadata *_metadata, FIXTURE_DATA(enforcer_instr) * self)
{
	const char *paths[] = { self->dir };
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sbx_enforcer_protect(self->e, paths, 1, &d)) TH_LOG("%s", d.msg);
}

/* vmlinux's BTF id of the function fn, or 0. */
static int btf_func_id(const char *fn)
{
	struct btf *vm = btf__load_vmlinux_btf();
	int id;

	if (!vm)
		return 0;
	id = btf__find_by_name_kind(vm, fn, BTF_KIND_FUNC);
	btf__free(vm);
	return id > 0 ? id : 0;
}

/*
 * Load a program as what says: a number (that program type, no target), or "fmod_ret",
 * "fentry" (on security_bpf: atk4 K1's target; this one returns 0), "lsm" (on file_open),
 * "lsm_cgroup" (on file_ioctl, expected attach type BPF_LSM_CGROUP: atk6k F3),
 * "syscall" (sleepable, as the kernel requires). The fd, or -errno.
 */
static int load(const char *what)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	enum bpf_prog_type type = BPF_PROG_TYPE_TRACING;
	int fd;

	if (!strcmp(what, "fmod_ret") || !strcmp(what, "fentry")) {
		o.expected_attach_type = what[1] == 'm' ? BPF_MODIFY_RETURN : BPF_TRACE_FENTRY;
		o.attach_btf_id = (__u32)btf_func_id("security_bpf");
	} else if (!strcmp(what, "lsm")) {
		type = BPF_PROG_TYPE_LSM;
		o.expected_attach_type = BPF_LSM_MAC;
		o.attach_btf_id = (__u32)btf_func_id("bpf_lsm_file_open");
	} else if (!strcmp(what, "lsm_cgroup")) {
		type = BPF_PROG_TYPE_LSM;
		o.expected_attach_type = BPF_LSM_CGROUP;
		o.attach_btf_id = (__u32)btf_func_id("bpf_lsm_file_ioctl");
	} else if (!strcmp(what, "syscall")) {
		type = BPF_PROG_TYPE_SYSCALL;
		o.prog_flags = BPF_F_SLEEPABLE;
	} else {
		type = (enum bpf_prog_type)atoi(what);
	}
	fd = bpf_prog_load(type, "sbx_instr", "GPL", ret0, 2, &o);
	return fd < 0 ? -errno : fd;
}

/*
 * The copy of this test that is nobody: SBX_INSTR_DO says what it tries, and it exits
 * with 0 (done) or the errno that refused it.
 *  load:WHAT        BPF_PROG_LOAD (load() above)
 *  readuser:        BPF_PROG_LOAD of a cgroup/sysctl program that calls
 *                   bpf_probe_read_user (an allowed type, a base helper)
 *  rawtp:FD         BPF_RAW_TRACEPOINT_OPEN of the inherited raw_tp program FD on sys_enter
 *  link:FD          BPF_LINK_CREATE of the inherited fentry program FD
 *  attach:T:FD:CG   BPF_PROG_ATTACH of the inherited program FD as attach type T to the
 *                   cgroup directory CG, detached again at once
 *  open:PATH        open PATH for write (O_WRONLY | O_APPEND; nothing is written)
 *  mkdir:PATH       mkdir PATH, removed again at once
 *  read:PATH        open PATH read-only
 *  uprobe:TRACEFS   add a uprobe event on this executable, then remove it (K4's first step)
 *  probe:[unload]   sbxd's start-up probe of tier K (sbx_enforcer_supported: it loads an
 *                   LSM program), then with "unload" unload the enforcer, since a claim
 *                   by a restarted sbxd makes it the one that may; 0: tier K is usable
 */
__attribute__((constructor)) static void nobody(void)
{
	const char *how = getenv("SBX_INSTR_DO"), *arg;
	char line[PATH_MAX + 64], exe[PATH_MAX], path[128];
	ssize_t n;
	int fd, err;

	if (!how || !(arg = strchr(how, ':')))
		return;
	arg++;
	if (!strncmp(how, "load:", 5)) {
		fd = load(arg);
		_exit(fd < 0 ? -fd : 0);
	}
	if (!strncmp(how, "readuser:", 9))
		_exit(lockdown_load_reader(BPF_PROG_TYPE_CGROUP_SYSCTL, "user"));
	if (!strncmp(how, "rawtp:", 6)) {
		fd = bpf_raw_tracepoint_open("sys_enter", atoi(arg));
		_exit(fd < 0 ? errno : 0);
	}
	if (!strncmp(how, "link:", 5)) {
		fd = bpf_link_create(atoi(arg), 0, BPF_TRACE_FENTRY, NULL);
		_exit(fd < 0 ? errno : 0);
	}
	if (!strncmp(how, "attach:", 7)) {
		unsigned int type = 0;
		int prog = -1, off = 0, cg;

		if (sscanf(arg, "%u:%d:%n", &type, &prog, &off) != 2 || !off)
			_exit(98);
		cg = open(arg + off, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg < 0)
			_exit(98);
		err = bpf_prog_attach(prog, cg, type, 0) ? errno : 0;
		if (!err)
			bpf_prog_detach2(prog, cg, type);
		_exit(err);
	}
	if (!strncmp(how, "open:", 5))
		_exit(open_errno(arg, O_WRONLY | O_APPEND));
	if (!strncmp(how, "mkdir:", 6)) {
		err = mkdir(arg, 0700) ? errno : 0;
		if (!err)
			rmdir(arg);
		_exit(err);
	}
	if (!strncmp(how, "read:", 5))
		_exit(open_errno(arg, O_RDONLY));
	if (!strncmp(how, "probe:", 6)) {
		err = sbx_enforcer_supported(NULL) ? 0 : 1;
		if (!strcmp(arg, "unload"))
			sbx_enforcer_unload(TEST_PIN_DIR, NULL);
		_exit(err);
	}
	if (!strncmp(how, "uprobe:", 7)) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			_exit(98);
		exe[n] = '\0';
		snprintf(path, sizeof(path), "%s/uprobe_events", arg);
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			_exit(errno);
		/* K4's fetch-arg: the string at the first argument, copied from the task */
		snprintf(line, sizeof(line), "p:sbx_instr/u %s:0x%x s=+0(%%di):string\n", exe,
			 0x1000);
		err = write(fd, line, strlen(line)) < 0 ? errno : 0;
		if (!err && write(fd, "-:sbx_instr/u\n", 14) < 0)
			err = 97;
		close(fd);
		_exit(err);
	}
	_exit(99);
}

/* Run a copy of this test with SBX_INSTR_DO=how: its exit status (see nobody()). */
#define nobody_does(...) run_self("SBX_INSTR_DO", __VA_ARGS__)

#define INSTR_EVENT "(kernel instrumentation: " /* bpf/instr_guard.bpf.c's names */

/* Refusals of this file's programs in the event ring since the last drain. */
static int instr_event_cb(const struct sbx_event *ev, void *arg)
{
	if (ev->hook == SBX_HOOK_SELF_PROTECT && ev->reason == SBX_DENY_PROTECTED &&
	    !strncmp(ev->path, INSTR_EVENT, strlen(INSTR_EVENT)))
		(*(int *)arg)++;
	return 0;
}

static int instr_events(struct sbx_enforcer *e)
{
	int n = 0;

	sbx_enforcer_events_drain(e, instr_event_cb, &n);
	return n;
}

/* The program types that run in the kernel's tracing or LSM paths, and one unknown. */
static const struct {
	const char *load;
	bool needs_target; /* refused before the hook too: the control is "not EPERM" */
} refused[] = {
	{ "2", false }, /* KPROBE (kprobe, uprobe) */
	{ "5", false }, /* TRACEPOINT */
	{ "7", false }, /* PERF_EVENT */
	{ "17", false }, /* RAW_TRACEPOINT */
	{ "24", false }, /* RAW_TRACEPOINT_WRITABLE */
	{ "fentry", false }, /* TRACING */
	{ "fmod_ret", false }, /* TRACING, atk4 K1 */
	{ "lsm", false }, /* LSM */
	{ "syscall", false }, /* SYSCALL */
	{ "28", true }, /* EXT: needs a program to replace */
	{ "27", true }, /* STRUCT_OPS: needs a struct_ops type */
	{ "63", true }, /* a type the kernel may add later */
};

TEST_F_TIMEOUT(enforcer_instr, tracing_program_types_refused_while_armed, 300)
{
	int before[ARRAY_SIZE(refused)];

	/* Controls: not armed, root loads each of them (or is refused by the kernel alone). */
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		before[i] = nobody_does("load:%s", refused[i].load);
		if (refused[i].needs_target) {
			EXPECT_NE(EPERM, before[i]) TH_LOG("type %s unarmed", refused[i].load);
		} else {
			EXPECT_EQ(0, before[i]) TH_LOG("type %s unarmed", refused[i].load);
		}
	}
	EXPECT_EQ(0, instr_events(self->e));
	arm(_metadata, self);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		EXPECT_EQ(EPERM, nobody_does("load:%s", refused[i].load))
		TH_LOG("type %s armed (unarmed: %d)", refused[i].load, before[i]);
	}
	/* each refusal went through the event ring, like every other denial */
	EXPECT_EQ((int)ARRAY_SIZE(refused), instr_events(self->e));
}

/* The networking and cgroup types stay open to root while armed. */
TEST_F_TIMEOUT(enforcer_instr, network_and_cgroup_types_load_while_armed, 300)
{
	static const char *const allowed[] = {
		"1" /* SOCKET_FILTER */, "3" /* SCHED_CLS */,	   "6" /* XDP */,
		"8" /* CGROUP_SKB */,	 "15" /* CGROUP_DEVICE */,
	};

	arm(_metadata, self);
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		EXPECT_EQ(0, nobody_does("load:%s", allowed[i])) TH_LOG("type %s", allowed[i]);
	}
	EXPECT_EQ(0, instr_events(self->e));
}

/* sbxd itself loads what it needs (its programs are LSM and tracing ones) while armed. */
TEST_F_TIMEOUT(enforcer_instr, daemon_loads_any_type_while_armed, 300)
{
	int fd;

	arm(_metadata, self);
	fd = load("2");
	EXPECT_LE(0, fd) TH_LOG("kprobe: %s", strerror(-fd));
	if (fd >= 0)
		close(fd);
	fd = load("lsm");
	EXPECT_LE(0, fd) TH_LOG("lsm: %s", strerror(-fd));
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(0, instr_events(self->e));
}

/* Load what (load()) and let a copy inherit it: the fd, or -errno. */
static int load_inherited(const char *what)
{
	int fd = load(what);

	if (fd >= 0 && fcntl(fd, F_SETFD, 0)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * The second line: a raw tracepoint and an fentry program the daemon loaded (as sbxd may)
 * are not attached by anybody else while armed, by BPF_RAW_TRACEPOINT_OPEN or
 * BPF_LINK_CREATE. The control: the same before arming (closed again, since a program
 * loaded then keeps the arming off: foreign_tracing_program_keeps_arming_off).
 */
TEST_F_TIMEOUT(enforcer_instr, tracing_attach_refused_while_armed, 300)
{
	int rawtp = load_inherited("17"), fentry = load_inherited("fentry");

	ASSERT_LE(0, rawtp);
	ASSERT_LE(0, fentry);
	EXPECT_EQ(0, nobody_does("rawtp:%d", rawtp));
	EXPECT_EQ(0, nobody_does("link:%d", fentry));
	close(rawtp);
	close(fentry);
	arm(_metadata, self);
	rawtp = load_inherited("17");
	fentry = load_inherited("fentry");
	ASSERT_LE(0, rawtp);
	ASSERT_LE(0, fentry);
	EXPECT_EQ(EPERM, nobody_does("rawtp:%d", rawtp));
	EXPECT_EQ(EPERM, nobody_does("link:%d", fentry));
	EXPECT_EQ(2, instr_events(self->e));
	close(rawtp);
	close(fentry);
}

/* Wait (bounded) until no program of the given id exists: a closed one is freed later. */
static void prog_gone(int fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int again;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	close(fd);
	for (int i = 0; i < 200; i++) {
		again = bpf_prog_get_fd_by_id(info.id);
		if (again < 0)
			return;
		close(again);
		usleep(10000);
	}
}

/*
 * atk4 K1 planted before the arming: an fmod_ret program on security_bpf (this one returns
 * 0) loaded and attached while nothing was armed would skip instr_guard's own check, so
 * the arming refuses while it exists (instr.c). The control: arming succeeds once it is
 * gone. An LSM program is counted, not refused: systemd loads one at boot.
 */
TEST_F_TIMEOUT(enforcer_instr, foreign_tracing_program_keeps_arming_off, 300)
{
	const char *paths[] = { self->dir };
	struct sbx_instr_found found;
	struct sbx_diag d = { 0 };
	int prog = load("fmod_ret"), link, lsm = load("lsm");

	ASSERT_LE(0, prog);
	ASSERT_LE(0, lsm);
	link = bpf_link_create(prog, 0, BPF_MODIFY_RETURN, NULL);
	ASSERT_LE(0, link);
	EXPECT_EQ(-EBUSY, sbx_enforcer_protect(self->e, paths, 1, &d));
	EXPECT_NE(NULL, strstr(d.msg, "sbx_instr")) TH_LOG("%s", d.msg);
	close(link);
	prog_gone(prog);
	EXPECT_EQ(0, sbx_instr_check(TEST_PIN_DIR, &found, &d)) TH_LOG("%s", d.msg);
	EXPECT_EQ(1u, found.lsm);
	EXPECT_STREQ("sbx_instr", found.lsm_name);
	arm(_metadata, self);
	prog_gone(lsm);
}

/*
 * A restarted sbxd probes tier K before it adopts the pins, and the probe is an LSM
 * program: armed, it must claim first (sbx_enforcer_supported does). This executable is
 * the daemon's, so a copy of it started after the arming may claim, as a restarted sbxd.
 * The control: the same probe, not armed.
 */
TEST_F_TIMEOUT(enforcer_instr, restarted_daemon_probes_while_armed, 300)
{
	EXPECT_EQ(0, nobody_does("probe:"));
	arm(_metadata, self);
	EXPECT_EQ(0, instr_events(self->e));
	EXPECT_EQ(0, nobody_does("probe:unload")); /* nothing is left armed after it */
}

/*
 * bpf_probe_read_user is one of the kernel's base helpers (for CAP_PERFMON), and a cgroup
 * program runs in the context of the task that made the call (sysctl, getsockopt,
 * connect): a hardened one's memory would be read. While armed, a loader that is not sbxd
 * is verified without CAP_PERFMON (kernel_lockdown.bpf.c), so the verifier does not offer
 * the helper. The control: not armed, the same program loads.
 */
TEST_F_TIMEOUT(enforcer_instr, allowed_type_reads_user_memory_refused_while_armed, 300)
{
	EXPECT_EQ(0, nobody_does("readuser:"));
	arm(_metadata, self);
	EXPECT_NE(0, nobody_does("readuser:"));
}

/*
 * atk4 K4 without BPF: a uprobe event's fetch-arg copies a task's memory into the trace
 * buffer. While armed, tracefs's dynamic event files do not open for write (reading them
 * does); the control adds and removes a uprobe event on the same mount before arming.
 */
TEST_F_TIMEOUT(enforcer_instr, tracefs_dynamic_events_refused_while_armed, 300)
{
	static const char *const files[] = { "uprobe_events", "kprobe_events", "dynamic_events" };
	char path[160];

	if (!self->mounted)
		SKIP(return, "no tracefs in this kernel (CONFIG_TRACING)");
	EXPECT_EQ(0, nobody_does("uprobe:%s", self->tracefs));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->tracefs, files[i]);
		if (access(path, F_OK))
			continue; /* 6.1 has dynamic_events only with a dynamic event type built */
		EXPECT_EQ(0, nobody_does("open:%s", path)) TH_LOG("%s unarmed", files[i]);
	}
	arm(_metadata, self);
	EXPECT_EQ(EPERM, nobody_does("uprobe:%s", self->tracefs));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->tracefs, files[i]);
		if (access(path, F_OK))
			continue;
		EXPECT_EQ(EPERM, nobody_does("open:%s", path)) TH_LOG("%s armed", files[i]);
		EXPECT_EQ(0, nobody_does("read:%s", path)) TH_LOG("%s read armed", files[i]);
	}
	EXPECT_LE(2, instr_events(self->e));
}

/*
 * Every tracefs file, not three names (atk6k F6: on 7.2 a sys_enter_write event in an
 * instance records the daemon's write() buffer): while armed, nobody opens set_event,
 * an event's enable file or trace_marker for write, nor makes an instance; reading
 * stays open. The control: the same before arming.
 */
TEST_F_TIMEOUT(enforcer_instr, tracefs_writes_and_instances_refused_while_armed, 300)
{
	static const char *const files[] = { "set_event", "events/syscalls/sys_enter_write/enable",
					     "trace_marker", "tracing_on" };
	char path[200];
	int armed;

	if (!self->mounted)
		SKIP(return, "no tracefs in this kernel (CONFIG_TRACING)");
	for (armed = 0; armed < 2; armed++) {
		if (armed)
			arm(_metadata, self);
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			snprintf(path, sizeof(path), "%s/%s", self->tracefs, files[i]);
			if (access(path, F_OK))
				continue; /* no syscall events without FTRACE_SYSCALLS */
			EXPECT_EQ(armed ? EPERM : 0, nobody_does("open:%s", path))
			TH_LOG("%s %s", files[i], armed ? "armed" : "unarmed");
			EXPECT_EQ(0, nobody_does("read:%s", path)) TH_LOG("%s read", files[i]);
		}
		snprintf(path, sizeof(path), "%s/instances/sbx-instr", self->tracefs);
		EXPECT_EQ(armed ? EPERM : 0, nobody_does("mkdir:%s", path))
		TH_LOG("instance %s", armed ? "armed" : "unarmed");
	}
	EXPECT_LE(3, instr_events(self->e));
}

/*
 * Kernel switches under the hooks (atk6k F1: kernel.ftrace_enabled=0 turns every BPF
 * trampoline, so every sbx hook, into a NOP, while armed): nobody opens a sysctl outside
 * net, vm, fs, user and dev for write while armed (ftrace_enabled, kernel.core_pattern,
 * debug.*), and a vm and a net sysctl stay writable. Nothing is written: an open for
 * write is the act refused, so the control (the same opens before arming) never turns the
 * hooks off.
 */
TEST_F_TIMEOUT(enforcer_instr, kernel_sysctls_refused_while_armed, 300)
{
	static const char *const refused[] = { "/proc/sys/kernel/ftrace_enabled",
					       "/proc/sys/kernel/core_pattern",
					       "/proc/sys/debug/exception-trace" };
	static const char *const allowed[] = { "/proc/sys/vm/overcommit_ratio",
					       "/proc/sys/net/core/somaxconn" };
	int armed;

	if (access(refused[0], F_OK))
		SKIP(return, "no kernel.ftrace_enabled (CONFIG_FUNCTION_TRACER)");
	for (armed = 0; armed < 2; armed++) {
		if (armed)
			arm(_metadata, self);
		for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
			if (access(refused[i], F_OK))
				continue;
			EXPECT_EQ(armed ? EPERM : 0, nobody_does("open:%s", refused[i]))
			TH_LOG("%s %s", refused[i], armed ? "armed" : "unarmed");
			EXPECT_EQ(0, nobody_does("read:%s", refused[i])) TH_LOG("%s", refused[i]);
		}
		for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
			EXPECT_EQ(0, nobody_does("open:%s", allowed[i]))
			TH_LOG("%s %s", allowed[i], armed ? "armed" : "unarmed");
		}
	}
	EXPECT_LE(2, instr_events(self->e));
}

/* Write v to kernel.ftrace_enabled: 0 or -errno. */
static int ftrace_enabled(const char *v)
{
	int fd = open("/proc/sys/kernel/ftrace_enabled", O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, v, strlen(v)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * A 0 written before the arming (atk6k F1's switch, thrown before instr_guard can refuse
 * it): the arming refuses, and arms once it is 1 again. ftrace_enabled=0 turns off this
 * enforcer's hooks too, so it is 1 again before any assertion.
 */
TEST_F_TIMEOUT(enforcer_instr, ftrace_disabled_keeps_arming_off, 300)
{
	const char *paths[] = { self->dir };
	struct sbx_diag d = { 0 };
	int off, err;

	if (access("/proc/sys/kernel/ftrace_enabled", F_OK))
		SKIP(return, "no kernel.ftrace_enabled (CONFIG_FUNCTION_TRACER)");
	off = ftrace_enabled("0");
	err = off ? 0 : sbx_enforcer_protect(self->e, paths, 1, &d);
	ASSERT_EQ(0, ftrace_enabled("1"));
	ASSERT_EQ(0, off);
	EXPECT_EQ(-EBUSY, err);
	EXPECT_NE(NULL, strstr(d.msg, "ftrace_enabled")) TH_LOG("%s", d.msg);
	arm(_metadata, self);
}

/* Mount cgroup2 on dir (the guest's init does not) and make the child cgroup dir/sbx-instr. */
static bool cgroup_child(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/sbx-instr-cg.%d", getpid());
	if (mkdir(dir, 0700) || (mount("cgroup2", dir, "cgroup2", 0, NULL) && errno != EBUSY))
		return false;
	strncat(dir, "/sbx-instr", n - strlen(dir) - 1);
	return mkdir(dir, 0700) == 0;
}

static void cgroup_child_gone(const char *dir)
{
	char root[96];

	snprintf(root, sizeof(root), "%.*s", (int)(strrchr(dir, '/') - dir), dir);
	rmdir(dir);
	umount(root);
	rmdir(root);
}

/*
 * The second line is an allow-list of attach types, for BPF_PROG_ATTACH as for
 * BPF_LINK_CREATE (atk6k F3: an LSM_CGROUP program loaded before the arming was attached
 * by BPF_PROG_ATTACH after it, and its bpf_probe_write_user wrote the daemon's memory).
 * The daemon loads it (as sbxd may); nobody attaches it to an empty child cgroup, before
 * arming (the control) and after; a CGROUP_SYSCTL program still attaches while armed.
 */
TEST_F_TIMEOUT(enforcer_instr, lsm_cgroup_prog_attach_refused_while_armed, 300)
{
	char cg[96];
	int lsm, sysctl, armed;

	if (!cgroup_child(cg, sizeof(cg)))
		SKIP(return, "no cgroup2: %s", strerror(errno));
	for (armed = 0; armed < 2; armed++) {
		if (armed)
			arm(_metadata, self);
		lsm = load_inherited("lsm_cgroup");
		sysctl = load_inherited("23");
		EXPECT_LE(0, lsm) TH_LOG("lsm_cgroup: %s", strerror(-lsm));
		EXPECT_LE(0, sysctl);
		if (lsm >= 0)
			EXPECT_EQ(armed ? EPERM : 0,
				  nobody_does("attach:%d:%d:%s", BPF_LSM_CGROUP, lsm, cg))
		TH_LOG("lsm_cgroup %s", armed ? "armed" : "unarmed");
		if (sysctl >= 0)
			EXPECT_EQ(0, nobody_does("attach:%d:%d:%s", BPF_CGROUP_SYSCTL, sysctl, cg));
		if (sysctl >= 0)
			close(sysctl);
		if (lsm >= 0)
			prog_gone(
				lsm); /* closes it: an LSM program loaded before arming stays out */
	}
	EXPECT_EQ(1, instr_events(self->e));
	cgroup_child_gone(cg);
}

TEST_HARNESS_MAIN
