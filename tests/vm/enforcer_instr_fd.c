// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Root's instrumentation files written through a descriptor opened before the arming
 * (bpf/instr_guard.bpf.c, atk7k E3: root keeps kernel.ftrace_enabled or kprobe_events open
 * from before sbxd starts, and after the arming pwrite(fd, "0", 1, 0) turns every sbx hook
 * off). This test is the daemon, as in enforcer_instr.c: it opens the files, arms
 * (sbx_enforcer_protect), and a copy of itself it execs (an exec is never sbxd) writes
 * through the inherited descriptor, each way a write reaches a file. The control: the
 * same writes before arming. Scope `sandboxed`, so the copies exec without verdicts.
 * The same for self-protection's files (bpf/self_protect.bpf.c, sbx_guard_file_write):
 * sbxd's /proc/PID/mem, a guarded file, /proc/sysrq-trigger.
 */
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

#include "enforcer_test.h"

#define FTRACE "/proc/sys/kernel/ftrace_enabled"

FIXTURE(enforcer_instr_fd)
{
	struct sbx_enforcer *e;
	char dir[64], tracefs[96];
	bool mounted;
};

FIXTURE_SETUP(enforcer_instr_fd)
{
	self->mounted = tracefs_private(self->tracefs, sizeof(self->tracefs), "instr-fd");
	ENFORCER_ARMING_SETUP(self, "instr-fd");
}

FIXTURE_TEARDOWN(enforcer_instr_fd)
{
	tracefs_private_gone(self->tracefs, self->mounted);
	enforcer_fixture_cleanup(self->e, self->dir);
}

/*
 * The copy of this test that is not sbxd: SBX_INSTR_FD_DO=HOW:FD:VALUE writes VALUE through
 * the inherited descriptor FD, at offset 0 (a sysctl ignores a write further on), and exits
 * with 0 or the errno that refused it. HOW: pwrite, pwritev, splice (from a pipe), sendfile
 * (from a memfd, at the descriptor's position), kprobe (VALUE is a kprobe_events line;
 * on success the event is removed again through the same descriptor), mem (VALUE is
 * ADDR:TEXT, TEXT written at offset ADDR, in hex), empty (a write of no bytes).
 */
static int write_how(const char *how, int fd, const char *v)
{
	struct iovec iov = { (void *)v, strlen(v) };
	size_t n = strlen(v);
	loff_t off = 0;
	int p[2], m;

	if (!strcmp(how, "pwrite"))
		return pwrite(fd, v, n, 0) < 0 ? errno : 0;
	if (!strcmp(how, "pwritev"))
		return pwritev(fd, &iov, 1, 0) < 0 ? errno : 0;
	if (!strcmp(how, "splice")) {
		if (pipe(p) || write(p[1], v, n) != (ssize_t)n)
			return 98;
		return splice(p[0], NULL, fd, &off, n, 0) < 0 ? errno : 0;
	}
	if (!strcmp(how, "sendfile")) {
		m = memfd_create("sbx-instr-fd", 0);
		if (m < 0 || pwrite(m, v, n, 0) != (ssize_t)n)
			return 98;
		return sendfile(fd, m, &off, n) < 0 ? errno : 0;
	}
	if (!strcmp(how, "mem")) {
		char *text;
		unsigned long addr = strtoul(v, &text, 16);

		if (*text != ':')
			return 98;
		text++;
		return pwrite(fd, text, strlen(text), (off_t)addr) < 0 ? errno : 0;
	}
	if (!strcmp(how, "open")) /* v is a path, opened for write */
		return open(v, O_WRONLY) < 0 ? errno : 0;
	if (!strcmp(how, "empty"))
		return pwrite(fd, "", 0, 0) < 0 ? errno : 0;
	if (!strcmp(how, "kprobe")) {
		if (write(fd, v, n) < 0)
			return errno;
		return write(fd, "-:sbx_instr_fd/k\n", 17) < 0 ? 97 : 0;
	}
	return 99;
}

__attribute__((constructor)) static void not_sbxd(void)
{
	const char *how = getenv("SBX_INSTR_FD_DO"), *arg;
	char name[16];
	int fd, off = 0;

	if (!how || !(arg = strchr(how, ':')) || (size_t)(arg - how) >= sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(arg - how), how);
	if (sscanf(arg + 1, "%d:%n", &fd, &off) != 1 || !off)
		_exit(99);
	_exit(write_how(name, fd, arg + 1 + off));
}

/* Run a copy of this test that writes v through fd by how: its exit status. */
static int not_sbxd_writes(const char *how, int fd, const char *v)
{
	return run_self("SBX_INSTR_FD_DO", "%s:%d:%s", how, fd, v);
}

static void arm(struct __test_metadata *_metadata, FIXTURE_DATA(enforcer_instr_fd) * self)
{
	const char *paths[] = { self->dir };
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sbx_enforcer_protect(self->e, paths, 1, &d)) TH_LOG("%s", d.msg);
}

/* path's first line, or "" (newline dropped). */
static void read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f && fgets(buf, n, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

/*
 * kernel.ftrace_enabled set back to 1, this test being sbxd (also a fresh open, allowed
 * to it): the first thing after every write that may have turned it off, before any
 * assertion, since 0 switches off the hooks of every later test in the guest. Its value
 * before: what the write did.
 */
static char ftrace_restore(void)
{
	char v[8];
	int fd;

	read_line(FTRACE, v, sizeof(v));
	fd = open(FTRACE, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pwrite(fd, "1", 1, 0) < 0) {
			/* the assertion on the value after tells */
		}
		close(fd);
	}
	return v[0];
}

/*
 * atk7k E3: kernel.ftrace_enabled open for write from before the arming. While armed,
 * writing "0" through it is refused and leaves 1; so is every other way of writing (the
 * value "1" there, which changes nothing if it gets through); a vm sysctl open from before
 * stays writable. The control: the same writes before arming, which do set 0.
 */
TEST_F_TIMEOUT(enforcer_instr_fd, sysctl_descriptor_from_before_arming_refused_while_armed, 300)
{
	static const char *const hows[] = { "pwrite", "pwritev", "splice", "sendfile" };
	char vm[32], now[8];
	int fd, vmfd, armed, err;
	char was;

	if (access(FTRACE, F_OK))
		SKIP(return, "no kernel.ftrace_enabled (CONFIG_FUNCTION_TRACER)");
	read_line("/proc/sys/vm/overcommit_ratio", vm, sizeof(vm));
	ASSERT_NE('\0', vm[0]);
	fd = open(FTRACE, O_WRONLY); /* inherited by the copies */
	ASSERT_LE(0, fd);
	vmfd = open("/proc/sys/vm/overcommit_ratio", O_WRONLY);
	ASSERT_LE(0, vmfd);
	for (armed = 0; armed < 2; armed++) {
		if (armed)
			arm(_metadata, self);
		err = not_sbxd_writes("pwrite", fd, "0");
		was = ftrace_restore();
		EXPECT_EQ(armed ? EPERM : 0, err)
		TH_LOG("pwrite 0 %s", armed ? "armed" : "unarmed");
		EXPECT_EQ(armed ? '1' : '0', was) TH_LOG("ftrace_enabled after the write");
		for (size_t i = 0; i < ARRAY_SIZE(hows); i++) {
			err = not_sbxd_writes(hows[i], fd, "1");
			ftrace_restore();
			EXPECT_EQ(armed ? EPERM : 0, err)
			TH_LOG("%s %s", hows[i], armed ? "armed" : "unarmed");
		}
		EXPECT_EQ(0, not_sbxd_writes("pwrite", vmfd, vm))
		TH_LOG("vm.overcommit_ratio %s", armed ? "armed" : "unarmed");
	}
	read_line(FTRACE, now, sizeof(now));
	EXPECT_STREQ("1", now);
	close(vmfd);
	close(fd);
}

/*
 * atk7k E3's other half: tracefs's kprobe_events open for write from before the arming.
 * While armed, a kprobe event written through it is refused; the control adds and removes
 * one through the same descriptor before arming.
 */
TEST_F_TIMEOUT(enforcer_instr_fd, kprobe_events_descriptor_from_before_arming_refused, 300)
{
	const char *line = "p:sbx_instr_fd/k vfs_read\n";
	char path[128];
	int fd;

	if (!self->mounted)
		SKIP(return, "no tracefs in this kernel (CONFIG_TRACING)");
	snprintf(path, sizeof(path), "%s/kprobe_events", self->tracefs);
	if (access(path, F_OK))
		SKIP(return, "no kprobe events in this kernel (CONFIG_KPROBE_EVENTS)");
	fd = open(path, O_WRONLY | O_APPEND); /* inherited by the copies */
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, not_sbxd_writes("kprobe", fd, line));
	arm(_metadata, self);
	EXPECT_EQ(EPERM, not_sbxd_writes("kprobe", fd, line));
	close(fd);
}

/*
 * sbxd's /proc/PID/mem open for write from before the arming (the open asked
 * ptrace_access_check; a write asks nothing of it). This test is sbxd: its own mem file,
 * opened before arming, is inherited by a copy that is not sbxd, which writes into this
 * process. Armed: EPERM, and the bytes stay; the control writes them before arming.
 */
static char sbxd_bytes[16] = "sbxd's own";

TEST_F_TIMEOUT(enforcer_instr_fd, sbxd_mem_descriptor_from_before_arming_refused, 300)
{
	int fd = open("/proc/self/mem", O_RDWR); /* inherited by the copies */
	char v[64];

	ASSERT_LE(0, fd);
	snprintf(v, sizeof(v), "%lx:SBXD", (unsigned long)sbxd_bytes);
	EXPECT_EQ(0, not_sbxd_writes("mem", fd, v));
	EXPECT_EQ(0, memcmp(sbxd_bytes, "SBXD", 4)) TH_LOG("the control wrote nothing");
	memcpy(sbxd_bytes, "sbxd", 4);
	arm(_metadata, self);
	EXPECT_EQ(EPERM, not_sbxd_writes("mem", fd, v));
	EXPECT_STREQ("sbxd's own", sbxd_bytes);
	close(fd);
}

/*
 * A file sbxd guards (as it guards sbxd.conf) open for write from before the arming: no
 * arming then (atk9k H1: such a descriptor changes the file by ftruncate or a shared
 * mapping, past every write hook), -ETXTBSY naming the file. Armed once it is closed, a
 * descriptor sbxd itself opens for write reaches other processes only by sbxd's leave
 * (inheritance here): every way of writing through it is refused to them, and the file
 * keeps its bytes. The control writes it before arming.
 */
TEST_F_TIMEOUT(enforcer_instr_fd, guarded_file_descriptor_from_before_arming_refused, 300)
{
	static const char *const hows[] = { "pwrite", "pwritev", "splice", "sendfile" };
	char conf[96], now[16];
	const char *paths[2] = { self->dir, conf };
	struct sbx_diag d = { 0 };
	int fd;

	snprintf(conf, sizeof(conf), "%s/sbxd.conf", self->dir);
	ASSERT_EQ(0, write_file(conf, "mode = enforce\n", 15, 0644));
	fd = open(conf, O_WRONLY); /* inherited by the copies */
	ASSERT_LE(0, fd);
	for (size_t i = 0; i < ARRAY_SIZE(hows); i++) {
		EXPECT_EQ(0, not_sbxd_writes(hows[i], fd, "MODE")) TH_LOG("%s unarmed", hows[i]);
	}
	read_line(conf, now, sizeof(now));
	EXPECT_STREQ("MODE = enforce", now);
	ASSERT_EQ(0, write_file(conf, "mode = enforce\n", 15, 0644));
	EXPECT_EQ(-ETXTBSY, sbx_enforcer_protect(self->e, paths, 2, &d)) TH_LOG("%s", d.msg);
	EXPECT_NE(NULL, strstr(d.msg, conf)) TH_LOG("%s", d.msg);
	close(fd);
	memset(&d, 0, sizeof(d));
	ASSERT_EQ(0, sbx_enforcer_protect(self->e, paths, 2, &d)) TH_LOG("%s", d.msg);
	fd = open(conf, O_WRONLY); /* sbxd's own: allowed */
	ASSERT_LE(0, fd);
	for (size_t i = 0; i < ARRAY_SIZE(hows); i++) {
		EXPECT_EQ(EPERM, not_sbxd_writes(hows[i], fd, "MODE")) TH_LOG("%s armed", hows[i]);
	}
	read_line(conf, now, sizeof(now));
	EXPECT_STREQ("mode = enforce", now);
	close(fd);
}

/*
 * /proc/sysrq-trigger (kernel.sysrq's mask does not apply to it; 'i' SIGKILLs sbxd
 * without asking task_kill): refused at a write-open and at a write through a descriptor
 * from before the arming. The writes are of no bytes (the kernel asks the write's
 * permission first, then does nothing), so the control does not touch the machine.
 */
TEST_F_TIMEOUT(enforcer_instr_fd, sysrq_trigger_refused_while_armed, 300)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY); /* inherited by the copies */

	if (fd < 0 && errno == ENOENT)
		SKIP(return, "no /proc/sysrq-trigger in this kernel (CONFIG_MAGIC_SYSRQ)");
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, not_sbxd_writes("empty", fd, ""));
	arm(_metadata, self);
	EXPECT_EQ(EPERM, not_sbxd_writes("empty", fd, ""));
	EXPECT_EQ(EPERM, not_sbxd_writes("open", -1, "/proc/sysrq-trigger"));
	EXPECT_EQ(0, open_errno("/proc/sysrq-trigger", O_WRONLY)) TH_LOG("sbxd itself");
	close(fd);
}

TEST_HARNESS_MAIN
