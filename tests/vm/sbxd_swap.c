// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The swap family in tier K (atk11k S1, S2): pages that leave memory through swap are
 * bytes under a guard or a verdict. tmpfs is not memory only: root pages a tmpfs file out
 * (MADV_PAGEOUT on a read-only shared mapping, memory.reclaim in a cgroup of its own),
 * edits the swap where it landed (swap on a loop device over an image root writes), and
 * the swap-in gives the file root's bytes; no write hook runs.
 *
 * What closes it: a tmpfs file is kernel-only when its mount says noswap or every active
 * swap area passes the backing predicate (enforcer.c, enforcer_swap_kernel_only), and
 * while armed no swap area is added (swap_guard.bpf.c); sbxd locks its own memory.
 *  - s1_swap_armed: the trust store on a tmpfs, sbxd armed: swapon refused; had it
 *    passed, the page-out, image edit and reload would let team2's revoked program run.
 *  - s1_swap_control: the same route with no sbxd: the edit comes back in the file.
 *  - s1_swap_before_arming: a loop swap already on: sbxd refuses to arm (its files on
 *    tmpfs can go to it), and names the swap.
 *  - s2_verdict_swap_armed: a cached verdict of a program on tmpfs, swapon refused; had it
 *    passed, the edit in the image would run on the old verdict (exit 42).
 *  - s2_verdict_swap_unarmed: a loop swap on, sbxd (unarmed) does not cache a tmpfs
 *    program's verdict, so in enforce mode it does not run; swapoff, and it runs.
 *  - s2_verdict_noswap: the same swap on, a tmpfs mounted noswap: its programs run.
 * Run: SBX_VM_SUITES=trixie SBX_VM_GUEST_SUITES=vmguest SBX_ONLY=sbxd_swap SBX_SUITES=vm
 *    make check
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "sbxd_k.h"

/* Swap on a loop device over an image, and a v2 cgroup of the test's own to page from. */
struct swap {
	char img[LEN + 16], cg[LEN + 16], loopdev[64];
	int status; /* swapon's: 0 on */
};

static void swap_cgroup(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			struct swap *s)
{
	fmt(s->cg, sizeof(s->cg), "%s/cg2", self->dir);
	ASSERT_EQ(0, mkdir(s->cg, 0755));
	ASSERT_EQ(0, mount("none", s->cg, "cgroup2", 0, NULL))
	TH_LOG("cgroup2: %s", strerror(errno));
	sbx_sh(self->r, "echo +memory > '%s/cgroup.subtree_control'; mkdir '%s/pg'", s->cg, s->cg);
}

/* swapon of a loop device over DIR/swap.img: s->status 0 when it is on. */
static void swap_on(FIXTURE_DATA(sbxd_k) * self, struct swap *s)
{
	fmt(s->img, sizeof(s->img), "%s/swap.img", self->dir);
	sbx_sh(self->r,
	       "modprobe loop 2>/dev/null; insmod /lib/modules/*/loop.ko 2>/dev/null; "
	       "{ echo N > /sys/module/zswap/parameters/enabled; } 2>/dev/null; "
	       "dd if=/dev/zero of='%s' bs=1M count=16 2>/dev/null && L=$(losetup -f) && "
	       "losetup $L '%s' && mkswap $L >/dev/null && printf %%s $L && swapon $L",
	       s->img, s->img);
	s->status = self->r->status;
	fmt(s->loopdev, sizeof(s->loopdev), "%s", self->r->out);
	printf("# swapon %s over %s: %s%s", s->loopdev, s->img, s->status ? "refused: " : "on\n",
	       s->status ? self->r->err : "");
}

static void swap_off(FIXTURE_DATA(sbxd_k) * self, struct swap *s)
{
	if (s->loopdev[0])
		sbx_sh(self->r, "swapoff %s; losetup -d %s", s->loopdev, s->loopdev);
	if (s->cg[0])
		umount2(s->cg, MNT_DETACH);
}

/* The first page of path out to swap (the test's cgroup pg holds it): true when out. */
static bool paged_out(FIXTURE_DATA(sbxd_k) * self, struct swap *s, const char *path)
{
	unsigned char vec = 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;
	char *p;

	for (i = 0; fd >= 0 && i < 20 && vec & 1; i++) {
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			break;
		(void)*(volatile char *)p;
		madvise(p, 4096, MADV_PAGEOUT);
		munmap(p, 4096);
		sbx_sh(self->r, "echo 64M > '%s/pg/memory.reclaim'", s->cg);
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			break;
		mincore(p, 4096, &vec);
		munmap(p, 4096);
	}
	if (fd >= 0)
		close(fd);
	printf("# %s: after %d rounds its page is %s\n", path, i,
	       vec & 1 ? "still resident" : "out (swapped)");
	return !(vec & 1);
}

/* In the swap image, from byte from on, where len bytes of what are: the offset, or -1. */
static off_t image_find(struct swap *s, const void *what, size_t len, off_t from)
{
	char buf[4096], *q;
	off_t off, found = -1;
	int fd = open(s->img, O_RDONLY | O_CLOEXEC);

	for (off = from; fd >= 0 && found < 0 && pread(fd, buf, sizeof(buf), off) == sizeof(buf);
	     off += sizeof(buf)) {
		q = memmem(buf, sizeof(buf), what, len);
		if (q)
			found = off + (q - buf);
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/* One byte written into the swap image at off, the caches dropped: 0, or the errno. */
static int image_poke(FIXTURE_DATA(sbxd_k) * self, struct swap *s, off_t off, char byte)
{
	int fd = open(s->img, O_RDWR | O_CLOEXEC), err = 0;

	if (fd < 0 || pwrite(fd, &byte, 1, off) != 1)
		err = errno;
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	sbx_sh(self->r, "echo 3 > /proc/sys/vm/drop_caches");
	return err;
}

/*
 * DIR/etc, a tmpfs, with a trust store of the fixture's anchor that revokes team2's
 * certificate, written from the cgroup pg (its pages charged there, for memory.reclaim).
 */
static void revoking_store_tmpfs(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
				 struct swap *s, char *store, size_t len, char *list)
{
	char etc[LEN + 8];

	fmt(etc, sizeof(etc), "%s/etc", self->dir);
	fmt(store, len, "%s/trust", etc);
	fmt(list, len + 24, "%s/revoked.list", store);
	ASSERT_EQ(0, mkdir(etc, 0755));
	ASSERT_EQ(0, mount("sbxd-swap-store", etc, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "echo $$ > '%s/pg/cgroup.procs' && "
			 "'%s' trust --trust '%s' add '%s/root.pem' >/dev/null && "
			 "'%s' trust --trust '%s' revoke cert '%s/rsa.pem' >/dev/null && cat '%s'",
			 s->cg, sbx_bin(), store, sbx_pki, sbx_bin(), store, sbx_pki, list));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

/* sbxd's VmRSS and VmLck (its memory locked against swap). */
static long sbxd_locked_kb(FIXTURE_DATA(sbxd_k) * self)
{
	long lck = -1;

	sbx_sh(self->r, "p=$(pidof sbxd | cut -d' ' -f1); grep -E 'VmRSS|VmLck' /proc/$p/status "
			"| tr -s ' \\t\\n' ' '");
	printf("# sbxd's memory: %s\n", self->r->out);
	if (strstr(self->r->out, "VmLck:"))
		lck = strtol(strstr(self->r->out, "VmLck:") + 6, NULL, 10);
	return lck;
}

/*
 * S1: the trust store on a tmpfs, the signed sbxd armed on a pty (the pty's hangup is its
 * reload, atk9k). Root's swapon is refused. Before the fix it was not: the page-out, the
 * '#' written into the image over revoked.list's "serial" line, and the reload let team2's
 * revoked program run (exit 0).
 */
TEST_F_TIMEOUT(sbxd_k, s1_swap_armed, 600)
{
	char cmd[4096], out[LEN + 16], store[LEN + 16], list[LEN + 40], want[3 * LEN];
	struct swap s = { 0 };
	struct team2 t;
	off_t at;
	int master, ret;

	swap_cgroup(_metadata, self, &s);
	team2_make(_metadata, self, &t);
	sign_sbxd(_metadata, self);
	revoking_store_tmpfs(_metadata, self, &s, store, sizeof(store), list);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, master);
	ASSERT_EQ(0, grantpt(master));
	ASSERT_EQ(0, unlockpt(master));
	fmt(out, sizeof(out), "%s.out", self->run);
	fmt(cmd, sizeof(cmd),
	    "exec timeout -s KILL 300 setsid -c '%s' --config '%s' --tier K --mode enforce "
	    "--scope sandboxed --path '%s' --launcher '%s' --trust-dir '%s' --run-dir '%s' <'%s'",
	    self->sbxd, self->conf, self->w, self->launcher, store, self->run, ptsname(master));
	self->armed = true;
	ASSERT_EQ(0, sbxd_test_start(cmd, self->notify, out, 180, &self->timeout_pid));
	ASSERT_TRUE(logged(self, "self-protection on"));
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_LT(0, sbxd_locked_kb(self));
	swap_on(self, &s);
	EXPECT_NE(0, s.status) TH_LOG("swapon passed while sbxd is armed");
	if (!s.status && paged_out(self, &s, list)) {
		at = image_find(&s, "\nserial ", 8, 0);
		printf("# the revocation line in the swap image at byte %lld\n", (long long)at);
		if (at >= 0)
			EXPECT_EQ(0, image_poke(self, &s, at + 1, '#'));
		sbx_sh(self->r, "cat '%s'", list);
		printf("# revoked.list read back: %s", self->r->out);
	}
	close(master); /* the hangup: sbxd reloads its store */
	fmt(want, sizeof(want), "SIGHUP: the trust store %s", store);
	EXPECT_TRUE(logged(self, want)) TH_LOG("no reload logged");
	ret = launched(self, t.prog);
	printf("# armed, after the reload: team2's revoked program -> %d (%s)\n", ret,
	       ret ? strerror(ret) : "ran, exit 0");
	EXPECT_EQ(EPERM, ret);
	swap_off(self, &s);
}

/* The control: S1's route with no sbxd. The edit in the image comes back in the file. */
TEST_F_TIMEOUT(sbxd_k, s1_swap_control, 600)
{
	char store[LEN + 16], list[LEN + 40];
	struct swap s = { 0 };
	off_t at;

	swap_cgroup(_metadata, self, &s);
	revoking_store_tmpfs(_metadata, self, &s, store, sizeof(store), list);
	swap_on(self, &s);
	ASSERT_EQ(0, s.status);
	ASSERT_TRUE(paged_out(self, &s, list));
	at = image_find(&s, "\nserial ", 8, 0);
	printf("# the revocation line in the swap image at byte %lld\n", (long long)at);
	ASSERT_LE(0, at);
	EXPECT_EQ(0, image_poke(self, &s, at + 1, '#'));
	sbx_sh(self->r, "cat '%s'", list);
	printf("# revoked.list read back: %s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "#erial "))
	TH_LOG("the image's byte did not come back");
	swap_off(self, &s);
}

/*
 * A loop swap on before sbxd starts: sbxd's own files on tmpfs (its signed copy on W,
 * the fixture's tmpfs) can go to it, so it refuses to arm and names the swap. Control:
 * swapoff, and the same sbxd arms.
 */
TEST_F_TIMEOUT(sbxd_k, s1_swap_before_arming, 600)
{
	char line[1024];
	struct swap s = { 0 };

	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	swap_on(self, &s);
	ASSERT_EQ(0, s.status);
	if (!refused_to_arm(_metadata, self, line, sizeof(line)))
		return; /* armed: no kill stops it, the teardown unloads it */
	EXPECT_NE(NULL, strstr(line, "swap on /dev/loop")) TH_LOG("%s", line);
	stop_sbxd(self, SIGKILL);
	sbx_enforcer_unload(NULL, NULL);
	swap_off(self, &s);
	start_signed(_metadata, self, "");
	EXPECT_TRUE(logged(self, "self-protection on"));
}

/* A signed program on W (tmpfs) written from the cgroup pg; the byte of its exit code. */
static off_t tmpfs_program(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			   struct swap *s, char *prog, size_t len, unsigned char *head)
{
	struct tiny_elf e0;
	char pid[32];
	unsigned char file[4096];
	ssize_t n;
	int fd;
	void *q;

	fmt(prog, len, "%s/s2", self->w);
	fmt(pid, sizeof(pid), "%d", (int)getpid());
	EXPECT_EQ(0, cg_write(s->cg, "pg/cgroup.procs", pid));
	tiny_elf_exit(&e0, 0);
	EXPECT_EQ(0, write_file(prog, e0.bytes, e0.len, 0755));
	EXPECT_EQ(0, sbx_sh(self->r, "'%s' sign %s --identifier com.example.s2 '%s' >/dev/null",
			    sbx_bin(), leaf(), prog));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, cg_write(s->cg, "cgroup.procs", pid));
	fd = open(prog, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, file, sizeof(file));
	if (fd >= 0)
		close(fd);
	if (n < 64)
		return -1;
	memcpy(head, file, 64);
	/* mov edi, 0 at the code's start: the exit code is the byte after 0xbf */
	q = memmem(file, n, e0.bytes + TINY_CODE_OFF, 12);
	return q ? (unsigned char *)q - file + 1 : -1;
}

/*
 * S2: a signed program on tmpfs, launched once (its verdict cached), sbxd armed. Root's
 * swapon is refused. Before the fix it was not, and after the page-out and the exit code
 * changed in the image the next launch ran the changed code on the old verdict: 42.
 */
TEST_F_TIMEOUT(sbxd_k, s2_verdict_swap_armed, 600)
{
	char prog[LEN + 16];
	unsigned char head[64];
	struct swap s = { 0 };
	off_t code, at;
	int ret;

	swap_cgroup(_metadata, self, &s);
	code = tmpfs_program(_metadata, self, &s, prog, sizeof(prog), head);
	ASSERT_LE(0, code);
	start_signed(_metadata, self, "");
	self->armed = true;
	ASSERT_TRUE(logged(self, "self-protection on"));
	ASSERT_EQ(0, launched(self, prog));
	swap_on(self, &s);
	EXPECT_NE(0, s.status) TH_LOG("swapon passed while sbxd is armed");
	if (!s.status && paged_out(self, &s, prog)) {
		at = image_find(&s, head, sizeof(head), 4096);
		printf("# the program's page in the swap image at byte %lld\n", (long long)at);
		if (at >= 0)
			EXPECT_EQ(0, image_poke(self, &s, at + code, 42));
	}
	ret = launched(self, prog);
	printf("# armed, enforce: the program launched again -> %d\n", ret);
	EXPECT_EQ(0, ret);
	swap_off(self, &s);
}

/*
 * A loop swap on, the build's sbxd (it never arms) in enforce mode: a program on tmpfs
 * gets no cached verdict, so it does not run (here the launcher, on the same tmpfs, is
 * refused first), and sbxd names the swap. Control, in the
 * same run: swapoff, and the same program runs.
 */
TEST_F_TIMEOUT(sbxd_k, s2_verdict_swap_unarmed, 600)
{
	struct swap s = { 0 };
	int ret;

	swap_on(self, &s);
	ASSERT_EQ(0, s.status);
	start_sbxd(_metadata, self);
	ret = launched(self, self->signed_prog);
	printf("# a loop swap on: the launcher and the signed program on tmpfs -> %d (%s)\n", ret,
	       ret > 1000 ? strerror(ret - 1000) : "");
	EXPECT_EQ(1000 + EPERM, ret) TH_LOG("the launcher, on the same tmpfs, ran");
	EXPECT_TRUE(logged(self, "swap on /dev/loop"));
	swap_off(self, &s);
	ret = launched(self, self->signed_prog);
	printf("# swap off: the same program -> %d\n", ret);
	EXPECT_EQ(0, ret);
}

/*
 * The predicate's other half: a tmpfs mounted noswap (6.4+) keeps its pages in memory, so
 * with the same loop swap on, the launcher and the program copied there run under the
 * build's sbxd in enforce mode (their verdicts cached), and no swap is named.
 */
TEST_F_TIMEOUT(sbxd_k, s2_verdict_noswap, 600)
{
	char ns[LEN + 8], prog[LEN + 16];
	struct swap s = { 0 };
	int ret;

	fmt(ns, sizeof(ns), "%s/ns", self->dir);
	ASSERT_EQ(0, mkdir(ns, 0755));
	if (mount("sbxd-noswap", ns, "tmpfs", 0, "mode=0755,noswap"))
		SKIP(return, "tmpfs has no noswap option here (6.4+): %s", strerror(errno));
	/* with a detached signature, if sbx sign wrote one */
	ASSERT_EQ(0,
		  sbx_sh(self->r, "cp -a '%s' '%s'* '%s/'", self->launcher, self->signed_prog, ns));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	umount2(self->w, MNT_DETACH); /* W is now the noswap tmpfs (the teardown unmounts it) */
	fmt(prog, sizeof(prog), "%s/signed", ns);
	fmt(self->w, sizeof(self->w), "%s", ns);
	fmt(self->launcher, sizeof(self->launcher), "%s/launcher", ns);
	swap_on(self, &s);
	ASSERT_EQ(0, s.status);
	start_sbxd(_metadata, self);
	ret = launched(self, prog);
	printf("# a loop swap on, W mounted noswap: the signed program -> %d\n", ret);
	EXPECT_EQ(0, ret);
	sbx_sh(self->r, "grep -c 'swap on /dev/loop' '%s.out'", self->run);
	EXPECT_EQ(0, strcmp(self->r->out, "0\n")) TH_LOG("sbxd named the swap");
	swap_off(self, &s);
}

TEST_HARNESS_MAIN
