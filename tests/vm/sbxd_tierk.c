// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real sbxd in tier K, in a VM kernel with BPF LSM: it loads and pins the enforcer,
 * verifies on fanotify exec-permission events with the library verifier and stores the
 * verdicts; the BPF hooks refuse. Scope `sandboxed`, so only what a trusted launcher
 * starts is enforced and the guest itself keeps running (the fixture: sbxd_k.h).
 */
#include <dirent.h>
#include <sys/ptrace.h>

#include "sbxd_k.h"

TEST_F(sbxd_k, signed_runs_unsigned_refused)
{
	/* Control: before sbxd (and its pins), both run through the launcher. */
	ASSERT_EQ(0, launched(self, self->unsigned_prog));
	start_sbxd(_metadata, self);
	EXPECT_EQ(0, launched(self, self->signed_prog));
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	/* Outside the scope (not started by the launcher) the unsigned program runs. */
	EXPECT_EQ(0, run1(self->unsigned_prog));
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' log", self->run, sbx_bin()));
	EXPECT_NE(NULL, strstr(self->r->out, self->unsigned_prog)) TH_LOG("%s", self->r->out);
}

/*
 * Tier K has no write events (sbxd marks exec permission only): a byte written into the
 * verified program is seen through the BPF side, and the next exec is refused; signed
 * again (the new content), it runs. Same inode throughout.
 */
TEST_F(sbxd_k, rewritten_refused_signed_again_runs)
{
	unsigned char b = 3;
	int fd;

	start_sbxd(_metadata, self);
	ASSERT_EQ(0, launched(self, self->signed_prog));
	fd = open(self->signed_prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, &b, 1, TINY_EXIT_CODE_OFF));
	close(fd);
	EXPECT_EQ(EPERM, launched(self, self->signed_prog));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' sign %s --identifier com.example.t '%s' >/dev/null",
			    sbx_bin(), leaf(), self->signed_prog));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(3, launched(self, self->signed_prog));
}

/*
 * kill -9 during an exec loop: the pinned programs keep refusing the unsigned program
 * (fail closed), the verdict already stored keeps the signed one running; a restarted
 * sbxd adopts the pins instead of loading twice.
 */
TEST_F(sbxd_k, kill9_pins_keep_refusing_restart_adopts)
{
	pid_t pid;

	start_sbxd(_metadata, self);
	ASSERT_EQ(0, launched(self, self->signed_prog));
	ASSERT_EQ(EPERM, launched(self, self->unsigned_prog));
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	for (int i = 0; i < 50; i++)
		EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	stop_sbxd(self, SIGKILL);
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	/*
	 * atk7k E2b: the launcher's verdict made stale (an open for write, nothing written)
	 * while no sbxd verifies it again. The launcher's own exec is refused (run_prog's
	 * 1000 + errno), fail closed, not run as a program whose children are out of scope.
	 * The restarted sbxd below verifies it again: the control.
	 */
	EXPECT_EQ(0, open_for_write(self->launcher));
	EXPECT_EQ(1000 + EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(1000 + EPERM, launched(self, self->signed_prog));
	/*
	 * The pins were never armed (this sbxd is unsigned), and a start that asks to arm
	 * loads unarmed pins afresh rather than adopt what root could write (atk11k A1).
	 */
	start_sbxd(_metadata, self);
	ASSERT_EQ(0, sbx_sh(self->r, "grep -c 'not armed: loaded afresh' '%s.out'", self->run));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->out);
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
}

/*
 * A launcher never run while sbxd lived: sbxd verifies it at start, so its store marks it
 * (SBX_GUARD_LAUNCHER) and it keeps starting programs inside the scope after sbxd's
 * death. Unmarked, its exec was a plain miss out of scope and the unsigned program ran.
 */
TEST_F(sbxd_k, launcher_never_run_stays_launcher)
{
	pid_t pid;

	/* Control: before sbxd the launcher starts the unsigned program. */
	ASSERT_EQ(0, launched(self, self->unsigned_prog));
	start_sbxd(_metadata, self);
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	stop_sbxd(self, SIGKILL);
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
}

/* A tiny static program that waits for a signal: pause() forever. */
static void tiny_elf_pause(struct tiny_elf *t)
{
	const unsigned char c[] = {
		0xb8, 34,   0, 0, 0, /* mov eax, SYS_pause */
		0x0f, 0x05, /* syscall */
		0xeb, 0xf7, /* jmp back */
	};

	tiny_elf_build(t, c, sizeof(c));
}

/* Start argv[0] in the background; its pid. */
static pid_t start_bg(char *const argv[])
{
	pid_t pid;

	return posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) ? -1 : pid;
}

/* The pid of the process running the program named comm (bounded wait for its exec). */
static pid_t find_comm(const char *comm)
{
	char path[64], buf[32];

	for (int i = 0; i < 500; i++) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		pid_t found = 0;

		while (d && (de = readdir(d)) && !found) {
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%.16s/comm", de->d_name);
			f = fopen(path, "r");
			if (f && fgets(buf, sizeof(buf), f) && !strncmp(buf, comm, strlen(comm)) &&
			    buf[strlen(comm)] == '\n')
				found = atoi(de->d_name);
			if (f)
				fclose(f);
		}
		if (d)
			closedir(d);
		if (found)
			return found;
		usleep(20000);
	}
	return -1;
}

/* PTRACE_ATTACH to pid: 0 attached (and detached again), else the errno. */
static int attach(pid_t pid)
{
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		return errno;
	waitpid(pid, NULL, __WALL);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return 0;
}

/* The process exists and is not a zombie (ptrace refuses a zombie too). */
static bool running(pid_t pid)
{
	char path[64], state = 'Z';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f && fscanf(f, "%*d %*s %c", &state) != 1)
		state = 'Z';
	if (f)
		fclose(f);
	return state != 'Z' && state != 'X';
}

static int attach_then_kill(pid_t pid)
{
	int r = pid > 0 ? attach(pid) : -1;

	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return r;
}

/*
 * The hardened runtime from real signatures: sbxd's verdict carries the signature's
 * hardened-runtime flag and its entitlements' lifts. A hardened program cannot be
 * attached to from outside, even by root; get-task-allow in its signature lets it be;
 * without the flag it can (the control).
 */
/* Bounds, not timed assertions: three programs started and attached to, under TCG. */
TEST_F_TIMEOUT(sbxd_k, hardened_signature_not_debuggable_unless_get_task_allow, 300)
{
	char plain[LEN + 16], hardened[LEN + 16], allow[LEN + 16], prof[LEN + 16];
	char *argv[2] = { NULL, NULL };
	struct tiny_elf pause_;

	fmt(plain, sizeof(plain), "%s/plain", self->w);
	fmt(hardened, sizeof(hardened), "%s/hardened", self->w);
	fmt(allow, sizeof(allow), "%s/allow", self->w);
	fmt(prof, sizeof(prof), "%s/gta.yaml", self->dir);
	tiny_elf_pause(&pause_);
	ASSERT_EQ(0, write_file(plain, pause_.bytes, pause_.len, 0755));
	ASSERT_EQ(0, write_file(hardened, pause_.bytes, pause_.len, 0755));
	ASSERT_EQ(0, write_file(allow, pause_.bytes, pause_.len, 0755));
	ASSERT_EQ(0,
		  write_file(prof,
			     "identifier: com.example.t\nentitlements:\n  get-task-allow: true\n",
			     strlen("identifier: com.example.t\nentitlements:\n  get-task-allow: "
				    "true\n"),
			     0644));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "s() { '%s' sign %s --identifier com.example.t \"$@\" >/dev/null; }; "
			    "s '%s' && s --hardened-runtime '%s' && "
			    "s --hardened-runtime --profile '%s' '%s'",
			    sbx_bin(), leaf(), plain, hardened, prof, allow));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	start_sbxd(_metadata, self);
	argv[0] = plain;
	EXPECT_EQ(0, attach_then_kill(start_bg(argv))); /* control */
	argv[0] = hardened;
	EXPECT_EQ(EPERM, attach_then_kill(start_bg(argv)));
	argv[0] = allow;
	EXPECT_EQ(0, attach_then_kill(start_bg(argv)));
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' log", self->run, sbx_bin()));
	EXPECT_NE(NULL, strstr(self->r->out, "not-debuggable")) TH_LOG("%s", self->r->out);
}

/*
 * `sbx run` under sbxd: the trusted sbx declares its profile's hardened runtime for the
 * tree it starts, so a program whose own signature is not hardened cannot be attached to
 * from outside once it runs (the tier U gap "ptrace from outside after exec"), and
 * --report says the protection comes from tier K. Control: the same run before sbxd.
 */
TEST_F_TIMEOUT(sbxd_k, sbx_run_tree_hardened_by_tier_k, 300)
{
	char sbx[LEN + 16], waiter[LEN + 16];
	char *argv[] = { sbx, "run", "--allow-root", "--", waiter, NULL };
	struct tiny_elf pause_;
	pid_t run, waiter_pid;

	fmt(sbx, sizeof(sbx), "%s/sbx", self->w);
	fmt(waiter, sizeof(waiter), "%s/waiter", self->w);
	tiny_elf_pause(&pause_);
	ASSERT_EQ(0, write_file(waiter, pause_.bytes, pause_.len, 0755));
	ASSERT_EQ(0, copy_file(sbx_bin(), sbx));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' sign %s --identifier com.example.t '%s' '%s' >/dev/null",
			    sbx_bin(), leaf(), sbx, waiter));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* Control: without sbxd, root outside the sandbox attaches to the program. */
	run = start_bg(argv);
	ASSERT_LT(0, run);
	ASSERT_EQ(0, attach_then_kill(find_comm("waiter")));
	/* sbx run ends with its program, which it reaps: the next "waiter" is the next run's. */
	waitpid(run, NULL, 0);
	/* sbxd trusts this copy of sbx as its launcher. */
	snprintf(self->launcher, sizeof(self->launcher), "%s", sbx);
	start_sbxd(_metadata, self);
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' run --allow-root --report -- '%s/signed' 2>&1", sbx,
			    self->w));
	EXPECT_NE(NULL, strstr(self->r->out, "tier K (sbxd, BPF LSM) holds"))
	TH_LOG("%s", self->r->out);
	run = start_bg(argv);
	ASSERT_LT(0, run);
	waiter_pid = find_comm("waiter");
	ASSERT_LT(0, waiter_pid);
	EXPECT_EQ(EPERM, attach(waiter_pid));
	EXPECT_TRUE(running(waiter_pid)); /* refused by the hook, not for being gone */
	attach_then_kill(waiter_pid);
	waitpid(run, NULL, 0);
}

/* sbxd logged an executable mapping of a file named name refused for reason (else its
 * events are in self->r->out). */
static bool mmap_refused(FIXTURE_DATA(sbxd_k) * self, const char *name, const char *reason)
{
	return sbx_sh(self->r,
		      "grep '\"hook\":\"mmap-exec\"' '%s/events.jsonl' | grep '\"file\":\"%s\"' | "
		      "grep -q '\"reason\":\"%s\"' || { cat '%s/events.jsonl'; exit 1; }",
		      self->run, name, reason, self->run) == 0 &&
	       self->r->status == 0;
}

#define LDSO "/lib64/ld-linux-x86-64.so.2"

/*
 * Scope all, enforce: the whole guest runs on verdicts, so what the test execs is listed
 * in a platform trust cache first (busybox, ld.so, libc: copies hashed in W/tc). W/lib/prog
 * (sbxd_libprog, signed) needs libc and looks for it in its own directory first
 * (DT_RUNPATH $ORIGIN). sbxd verifies what ld.so will map at each exec (libs.c), so:
 *  - the signed program runs, its trust-cached libc found by the closure walk;
 *  - an unsigned libc (a copy with one byte appended) put next to it is verified at the
 *    exec, refused, and ld.so cannot map it; an exact copy of libc there runs (the walk,
 *    not a verdict from elsewhere, gave that new file its verdict);
 *  - the same unsigned libc through LD_LIBRARY_PATH or LD_PRELOAD (not followed: sbxd
 *    cannot read the exec's new environment) has no verdict and is refused;
 *  - `ld.so ./unsigned` maps a program nobody verified: refused; `ld.so` of the signed
 *    one runs.
 * Each refusal has its control before sbxd starts.
 */
TEST_F_TIMEOUT(sbxd_k, scope_all_libraries_need_verdicts, 600)
{
	char lib[LEN + 16], evil[LEN + 16], prog[LEN + 32], uns[LEN + 16], events[LEN + 32];
	char libc[LEN];
	const char *helper = sbx_test_helper("sbxd_libprog");

	if (access(LDSO, X_OK))
		SKIP(return, "no %s here: the program's interpreter is another", LDSO);
	fmt(lib, sizeof(lib), "%s/lib", self->w);
	fmt(evil, sizeof(evil), "%s/evil/libc.so.6", self->w);
	fmt(prog, sizeof(prog), "%s/prog", lib);
	fmt(uns, sizeof(uns), "%s/unsigned-dyn", self->w);
	fmt(events, sizeof(events), "%s/events.jsonl", self->run);
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "set -e; W='%s'; libc=$('%s' --list '%s' | awk '$1 == \"libc.so.6\" "
			 "{ print $3 }'); test -f \"$libc\"; mkdir \"$W/lib\" \"$W/evil\" "
			 "\"$W/tc\"; cp '%s' '%s'; cp '%s' '%s'; cp \"$libc\" '%s'; "
			 "printf x >>'%s'; cp /bin/busybox '%s' \"$libc\" \"$W/tc/\"; "
			 "'%s' sign %s --identifier com.example.libs '%s' >/dev/null; "
			 "'%s' trust cache build %s -o '%s/platform.sbxtc' \"$W/tc\" >/dev/null; "
			 "'%s' trust --trust '%s' --platform add '%s/root.pem' >/dev/null; "
			 "rm -r \"$W/tc\"; echo \"$libc\"",
			 self->w, LDSO, helper, helper, prog, helper, uns, evil, evil, LDSO,
			 sbx_bin(), leaf(), prog, sbx_bin(), leaf(), self->trust, sbx_bin(),
			 self->trust, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	fmt(libc, sizeof(libc), "%s", self->r->out);
	libc[strcspn(libc, "\n")] = '\0';

	/* Controls: without sbxd every variant runs. */
	ASSERT_EQ(0, sbx_sh(self->r, "'%s'", prog)) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx_sh(self->r, "LD_LIBRARY_PATH='%s/evil' '%s' 5", self->w, prog));
	ASSERT_EQ(5, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx_sh(self->r, "LD_PRELOAD='%s' '%s'", evil, prog));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(NULL, strstr(self->r->err, "cannot be preloaded")) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' '%s' 6", LDSO, uns));
	ASSERT_EQ(6, self->r->status) TH_LOG("%s", self->r->err);

	start_sbxd_with(_metadata, self, NULL, true, "--config /dev/null");
	/* A signed dynamic program runs: its interpreter and libc got verdicts at its exec. */
	EXPECT_EQ(0, sbx_sh(self->r, "'%s' 7", prog));
	EXPECT_EQ(7, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, sbx_sh(self->r, "LD_LIBRARY_PATH='%s/evil' '%s' 5", self->w, prog));
	EXPECT_EQ(127, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "libc.so.6")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, sbx_sh(self->r, "LD_PRELOAD='%s' '%s'", evil, prog));
	EXPECT_NE(NULL, strstr(self->r->err, "cannot be preloaded")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, sbx_sh(self->r, "'%s' '%s' 6", LDSO, uns));
	EXPECT_EQ(127, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, sbx_sh(self->r, "'%s' '%s' 8", LDSO, prog));
	EXPECT_EQ(8, self->r->status) TH_LOG("%s", self->r->err);
	/* The unsigned libc where DT_RUNPATH finds it first: verified at the exec, refused. */
	EXPECT_EQ(0, sbx_sh(self->r, "cp '%s' '%s/libc.so.6' && '%s' 9", evil, lib, prog));
	EXPECT_EQ(127, self->r->status) TH_LOG("%s", self->r->err);
	/* Control: an exact copy of libc there (a new file, trust-cached content) runs. */
	EXPECT_EQ(0, sbx_sh(self->r,
			    "cp '%s' '%s/libc.so.6.new' && mv '%s/libc.so.6.new' '%s/libc.so.6' && "
			    "'%s' 9",
			    libc, lib, lib, lib, prog));
	EXPECT_EQ(9, self->r->status) TH_LOG("%s", self->r->err);
	/*
	 * The reasons tell the refusals apart: the libc the walk found (DT_RUNPATH) was
	 * verified and refused; what the walk does not follow (LD_LIBRARY_PATH, LD_PRELOAD,
	 * the program ld.so maps) was never verified.
	 */
	EXPECT_TRUE(mmap_refused(self, "libc.so.6", "invalid")) TH_LOG("%s", self->r->out);
	EXPECT_TRUE(mmap_refused(self, "libc.so.6", "no-verdict")) TH_LOG("%s", self->r->out);
	EXPECT_TRUE(mmap_refused(self, "unsigned-dyn", "no-verdict")) TH_LOG("%s", self->r->out);
}

TEST_HARNESS_MAIN
