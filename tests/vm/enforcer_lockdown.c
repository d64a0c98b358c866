// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel memory and kernel code while self-protection is armed (bpf/kernel_lockdown.bpf.c,
 * atk6k F2 and M), with this test as the daemon: it arms (sbx_enforcer_protect), and a copy
 * of itself it execs (root, but never sbxd: an exec is not sbxd) tries each route into the
 * kernel. Each attempt has its control, the same code before arming, which succeeds (or
 * reaches the kernel's own later refusal, named in the test). In the VM kernels, as root.
 */
#include <stdarg.h>
#include <sys/syscall.h>

#include "enforcer_test.h"
#include "lockdown_test.h"

FIXTURE(enforcer_lockdown)
{
	struct sbx_enforcer *e;
	char dir[64];
};

FIXTURE_SETUP(enforcer_lockdown)
{
	ENFORCER_ARMING_SETUP(self, "lockdown");
}

FIXTURE_TEARDOWN(enforcer_lockdown)
{
	enforcer_fixture_cleanup(self->e, self->dir);
}

static void arm(struct __test_metadata *_metadata, FIXTURE_DATA(enforcer_lockdown) * self)
{
	const char *paths[] = { self->dir };
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sbx_enforcer_protect(self->e, paths, 1, &d)) TH_LOG("%s", d.msg);
}

/*
 * The copy of this test that is not sbxd: SBX_LOCKDOWN_DO says what it tries, and it exits
 * with 0 (done) or the errno that refused it.
 *  bpf:TYPE:HOW   BPF_PROG_LOAD of a program of TYPE (a number) that reads with HOW:
 *                 kernel (bpf_probe_read_kernel), btf (a BTF pointer), user
 *                 (bpf_probe_read_user), cast or castvoid (bpf_rdonly_cast; ENOSYS
 *                 where the kernel has no such kfunc)
 *  module:PATH    finit_module of PATH
 *  open:PATH      open PATH read-only
 *  kexec:         kexec_load of nothing with a flag no kernel knows: EINVAL once past
 *                 CAP_SYS_BOOT and lockdown, so nothing is loaded or unloaded
 */
__attribute__((constructor)) static void not_sbxd(void)
{
	const char *how = getenv("SBX_LOCKDOWN_DO"), *arg;
	if (!how || !(arg = strchr(how, ':')))
		return;
	arg++;
	if (!strncmp(how, "bpf:", 4)) {
		const char *reader = strchr(arg, ':');

		_exit(reader ? lockdown_load_reader((enum bpf_prog_type)atoi(arg), reader + 1)
			     : 98);
	}
	if (!strncmp(how, "module:", 7)) {
		_exit(lockdown_finit_module(arg));
	}
	if (!strncmp(how, "open:", 5))
		_exit(open_errno(arg, O_RDONLY));
	if (!strncmp(how, "kexec:", 6))
		_exit(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x8000UL) ? errno : 0);
	_exit(99);
}

/* Run a copy of this test with SBX_LOCKDOWN_DO=how: its exit status (see not_sbxd()). */
#define root_does(...) run_self("SBX_LOCKDOWN_DO", __VA_ARGS__)

#define LOCKDOWN_ROUTE "(kernel memory or code: lockdown route)" /* kernel_lockdown.bpf.c */
#define LOCKDOWN_KFUNC "(kernel memory or code: bpf kfunc or kernel symbol)"

struct lockdown_count {
	const char *name;
	int n;
};

/* Refusals named c->name (one of kernel_lockdown.bpf.c's) since the last drain. */
static int lockdown_event_cb(const struct sbx_event *ev, void *arg)
{
	struct lockdown_count *c = arg;

	if (ev->hook == SBX_HOOK_SELF_PROTECT && ev->reason == SBX_DENY_PROTECTED &&
	    !strcmp(ev->path, c->name))
		c->n++;
	return 0;
}

static int lockdown_events_named(struct sbx_enforcer *e, const char *name)
{
	struct lockdown_count c = { name, 0 };

	sbx_enforcer_events_drain(e, lockdown_event_cb, &c);
	return c.n;
}

static int lockdown_events(struct sbx_enforcer *e)
{
	return lockdown_events_named(e, LOCKDOWN_ROUTE);
}

/*
 * atk6k F2: root's SCHED_CLS or SOCKET_FILTER program (types anyone may load while armed)
 * calling bpf_probe_read_kernel, loaded and run with BPF_PROG_TEST_RUN, walked the page
 * tables to any process's memory. Also a load through a BTF pointer and
 * bpf_probe_read_user, which lockdown never asks about. While armed the verifier does not
 * offer them: the load fails (EINVAL, "unknown func" or "access is allowed only to
 * CAP_PERFMON"). Then the programs that name the kernel by BTF id, refused with EPERM and
 * an event each: every kfunc call (cast, castvoid, rcu: the kfunc allow-list is empty,
 * whatever the kfunc reads), and a kernel symbol (ksym: aux->used_btf_cnt). The control:
 * the same programs load before arming (a reader the kernel lacks is printed and left:
 * no kfuncs on 6.1, no void cast before 7.x).
 */
TEST_F_TIMEOUT(enforcer_lockdown, kernel_reading_bpf_refused_while_armed, 300)
{
	static const char *const types[] = { "3" /* SCHED_CLS */, "1" /* SOCKET_FILTER */ };
	static const char *const readers[] = { "kernel",   "btf", "user", "cast",
					       "castvoid", "rcu", "ksym" };
	int armed, unarmed[2][ARRAY_SIZE(readers)], events = 0, tried = 0;

	for (armed = 0; armed < 2; armed++) {
		if (armed)
			arm(_metadata, self);
		for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
			for (size_t r = 0; r < ARRAY_SIZE(readers); r++) {
				int err = root_does("bpf:%s:%s", types[t], readers[r]);

				if (!armed)
					unarmed[t][r] = err;
				printf("# type %s reading %s %s: %s\n", types[t], readers[r],
				       armed ? "armed" : "unarmed", strerror(err));
				/* refused before the verifier: 6.12's castvoid too */
				events += armed && r >= 3 && err == EPERM;
				if (unarmed[t][r] && r >= 3)
					continue; /* no such kfunc (6.2+), no void cast (7.x) */
				if (r < 3) {
					EXPECT_EQ(armed, err != 0);
					continue;
				}
				/* a kfunc call or a kernel symbol: refused, with an event */
				EXPECT_EQ(armed ? EPERM : 0, err)
				TH_LOG("type %s %s %s", types[t], readers[r],
				       armed ? "armed" : "unarmed");
				tried += armed && !strcmp(readers[r], "rcu");
			}
		}
	}
	/* The capability's refusal is silent (the verifier asks it several times a load). */
	EXPECT_EQ(events, lockdown_events_named(self->e, LOCKDOWN_KFUNC));
	if (!tried)
		SKIP(return, "no kfunc in this kernel's BTF for these types (bpf_rcu_read_lock: "
			     "6.2+); the kernel symbol was tried");
}

/*
 * atk6k M: finit_module while armed loaded arbitrary kernel code. The guest's loop.ko (the
 * distribution's, signed, loaded at boot by tests/vm/init) and a copy with its appended
 * signature stripped: loop is loaded already, so a load that passes the signature check
 * stops at EEXIST and nothing new runs. Armed: the signed one still gets there (the kernel's
 * keyring vets it), the unsigned one is refused; the control: both reach EEXIST unarmed.
 */
TEST_F_TIMEOUT(enforcer_lockdown, unsigned_module_refused_while_armed, 300)
{
	const char *ko = LOCKDOWN_SIGNED_KO;
	char stripped[96];
	int err;

	if (!lockdown_module_ready())
		SKIP(return, "no loaded module from the guest's /modules (tests/vm/kernels.sh)");
	snprintf(stripped, sizeof(stripped), "%s/loop-unsigned.ko", self->dir);
	ASSERT_EQ(0, lockdown_module_unsigned(ko, stripped));
	EXPECT_EQ(EEXIST, root_does("module:%s", ko));
	err = root_does("module:%s", stripped);
	if (err == EKEYREJECTED)
		SKIP(return, "this kernel enforces module signatures itself (module.sig_enforce)");
	EXPECT_EQ(EEXIST, err);
	EXPECT_EQ(0, lockdown_events(self->e));
	arm(_metadata, self);
	EXPECT_EQ(EEXIST, root_does("module:%s", ko));
	EXPECT_EQ(EPERM, root_does("module:%s", stripped));
	EXPECT_EQ(1, lockdown_events(self->e));
}

/* /proc/kcore, /dev/mem and /dev/port: the kernel's memory and I/O space, read by root. */
TEST_F_TIMEOUT(enforcer_lockdown, kernel_memory_files_refused_while_armed, 300)
{
	static const char *const files[] = { "/proc/kcore", "/dev/mem", "/dev/port" };
	int opened = 0;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (access(files[i], F_OK))
			continue; /* CONFIG_PROC_KCORE, CONFIG_DEVMEM, CONFIG_DEVPORT */
		EXPECT_EQ(0, root_does("open:%s", files[i])) TH_LOG("%s unarmed", files[i]);
		opened++;
	}
	if (!opened)
		SKIP(return, "none of /proc/kcore, /dev/mem, /dev/port in this kernel");
	arm(_metadata, self);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (access(files[i], F_OK))
			continue;
		EXPECT_EQ(EPERM, root_does("open:%s", files[i])) TH_LOG("%s armed", files[i]);
	}
	EXPECT_EQ(opened, lockdown_events(self->e));
}

/* kexec_load: a kernel of root's choosing. The control reaches the flag check (EINVAL). */
TEST_F_TIMEOUT(enforcer_lockdown, kexec_load_refused_while_armed, 300)
{
	int err = root_does("kexec:");

	if (err == ENOSYS)
		SKIP(return, "no kexec_load in this kernel (CONFIG_KEXEC)");
	EXPECT_EQ(EINVAL, err);
	arm(_metadata, self);
	EXPECT_EQ(EPERM, root_does("kexec:"));
	EXPECT_EQ(1, lockdown_events(self->e));
}

/* sbxd itself is not refused: the daemon (this test) reads /proc/kcore's header while armed. */
TEST_F_TIMEOUT(enforcer_lockdown, daemon_not_refused_while_armed, 300)
{
	if (access("/proc/kcore", F_OK))
		SKIP(return, "no /proc/kcore in this kernel (CONFIG_PROC_KCORE)");
	arm(_metadata, self);
	EXPECT_EQ(0, open_errno("/proc/kcore", O_RDONLY));
	EXPECT_EQ(EPERM, root_does("open:/proc/kcore"));
	EXPECT_EQ(1, lockdown_events(self->e));
}

TEST_HARNESS_MAIN
