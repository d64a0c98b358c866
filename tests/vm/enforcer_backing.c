// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K, where a verified file's bytes live: a verdict is cached only for a file whose
 * bytes change through this kernel's writes alone, which the write hooks see. An ext4
 * file system on a loop device is not such a place: whoever can write the image file, or
 * /dev/loopN, changes the file's blocks under its inode; dropping the file's clean pages
 * (posix_fadvise DONTNEED, which needs only a read descriptor) makes the next exec or
 * mapping read the new bytes, under a verdict cached for the old ones (atk-k #2). The
 * image is owned by the user who writes it, as `udisksctl loop-setup` leaves it; root sets
 * up the loop device and the mount, as udisks would.
 *
 * The unconfined control shows the swap works (complain mode: the new bytes run). Under
 * the enforcer the minimal daemon (enforcer_test.h) "verifies" the file on the loop mount:
 * the store is refused (-EOPNOTSUPP), so the file never runs, before the swap or after.
 * The other side of the allow-list: the same file system on a PCI disk (run.sh gives each
 * guest an NVMe scratch disk, serial "sbxscratch"; the cloud kernels build NVMe in) is
 * cached and runs. Root's raw write to that mounted disk under the cached verdict is a
 * known gap: no inode hook sees it.
 * In the VM kernels, as root; the writer and the exec'ing user are root or uid 65534.
 */
#include <dirent.h>
#include <grp.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "enforcer_test.h"

#define REFUSED	   (1000 + EPERM)
#define NOBODY	   65534
#define IMAGE_SIZE (4 << 20)

enum backing_kind { LOOP_IMAGE, LOOP_DEVICE, PCI_DISK };

FIXTURE(backing)
{
	ENFORCER_FIXTURE_DATA;
	char image[128], mnt[128], dev[64], prog[160], control[160];
	int loop_fd;
	bool mounted;
};

/* What holds the file system, whose blocks the writer writes, and as whom. */
FIXTURE_VARIANT(backing)
{
	enum backing_kind kind;
	uid_t uid;
};

FIXTURE_VARIANT_ADD(backing, image_as_user){
	.kind = LOOP_IMAGE,
	.uid = NOBODY,
};

FIXTURE_VARIANT_ADD(backing, image_as_root){
	.kind = LOOP_IMAGE,
	.uid = 0,
};

FIXTURE_VARIANT_ADD(backing, loop_device_as_root){
	.kind = LOOP_DEVICE,
	.uid = 0,
};

FIXTURE_VARIANT_ADD(backing, pci_disk_as_root){
	.kind = PCI_DISK,
	.uid = 0,
};

/* An image owned by uid, on a fresh loop device (dev). */
static int loop_attach(const char *image, uid_t uid, char *dev, size_t len, int *loop_fd)
{
	int ctl, nr, img, err = 0;

	img = open(image, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (img < 0 || ftruncate(img, IMAGE_SIZE) || fchown(img, uid, uid))
		return -errno;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	nr = ctl < 0 ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (nr < 0)
		err = -errno;
	if (ctl >= 0)
		close(ctl);
	if (!err) {
		snprintf(dev, len, "/dev/loop%d", nr);
		*loop_fd = open(dev, O_RDWR | O_CLOEXEC);
		if (*loop_fd < 0 || ioctl(*loop_fd, LOOP_SET_FD, img))
			err = -errno;
	}
	close(img);
	return err;
}

/*
 * Before the enforcer arms (in scope `all` nothing unverified runs, mke2fs included): an
 * ext2 file system on the variant's device, mounted, with the exit-7 program on it.
 */
FIXTURE_SETUP(backing)
{
	struct sbx_diag d = { 0 };
	char cmd[256];

	self->e = NULL;
	self->dir[0] = '\0';
	self->loop_fd = -1;
	self->mounted = false;
	if (geteuid() != 0)
		SKIP(return, "the enforcer, loop devices and mounts need root");
	if (variant->kind == PCI_DISK) {
		scratch_disk(self->dev, sizeof(self->dev));
		if (!self->dev[0])
			SKIP(return, "no scratch disk with serial " SCRATCH_SERIAL
				     " (tests/vm/run.sh adds one)");
	} else if (access("/dev/loop-control", F_OK)) {
		SKIP(return, "no loop driver in this kernel (kernels.sh keeps loop.ko with each "
			     "kernel; tests/vm/init loads it)");
	}
	if (!enforcer_reusable(0, true)) /* at rest it refuses nothing, else mke2fs would not run */
		sbx_enforcer_unload(TEST_PIN_DIR, NULL);
	ASSERT_EQ(0,
		  enforcer_fixture_files(self->dir, self->target, self->unverified, self->launcher,
					 &self->exit7, &self->exit42, &self->launch));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->image, sizeof(self->image), "%s/disk.img", self->dir);
	snprintf(self->mnt, sizeof(self->mnt), "%s/mnt", self->dir);
	snprintf(self->prog, sizeof(self->prog), "%s/prog", self->mnt);
	snprintf(self->control, sizeof(self->control), "%s/control", self->mnt);
	if (variant->kind != PCI_DISK)
		ASSERT_EQ(0, loop_attach(self->image, variant->uid, self->dev, sizeof(self->dev),
					 &self->loop_fd));
	snprintf(cmd, sizeof(cmd), "busybox mke2fs -F -q '%s' >/dev/null 2>&1", self->dev);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext4", MS_NOSUID | MS_NODEV, NULL))
	{
		TH_LOG("mount %s: %s", self->dev, strerror(errno));
	}
	self->mounted = true;
	ASSERT_EQ(0, write_file(self->prog, self->exit7.bytes, self->exit7.len, 0755));
	ASSERT_EQ(0, write_file(self->control, self->exit7.bytes, self->exit7.len, 0755));
	sync();
	ASSERT_EQ(0,
		  enforcer_fixture_open(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 0, false, &self->e, &d))
	{
		TH_LOG("%s", d.msg);
	}
}

FIXTURE_TEARDOWN(backing)
{
	enforcer_fixture_release(self->e);
	if (self->mounted)
		umount2(self->mnt, MNT_DETACH);
	if (self->loop_fd >= 0) {
		ioctl(self->loop_fd, LOOP_CLR_FD, 0);
		close(self->loop_fd);
	}
	enforcer_fixture_rmdir(self->dir);
}

/* Where on the device prog's exit code byte is (FIBMAP needs CAP_SYS_RAWIO: root). */
static off_t exit_code_offset(const char *prog)
{
	int fd = open(prog, O_RDONLY | O_CLOEXEC), blk = 0, bsz = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, FIGETBSZ, &bsz) || ioctl(fd, FIBMAP, &blk) || blk <= 0) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return (off_t)blk * bsz + (off_t)TINY_EXIT_CODE_OFF;
}

/*
 * As uid: write 42 at off in the image (or the device), then drop prog's clean pages
 * through a read-only descriptor. Neither step opens prog for writing.
 */
static int swap_under(const char *where, off_t off, const char *prog, uid_t uid)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		unsigned char b = 42;
		int fd;

		if (uid &&
		    (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(10);
		fd = open(where, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || pwrite(fd, &b, 1, off) != 1 || fsync(fd))
			_exit(11);
		close(fd);
		fd = open(prog, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
			_exit(12);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* run1 as uid, from a child that never execs anything else. */
static int run_as(const char *prog, uid_t uid)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (uid &&
		    (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(10);
		_exit(run1(prog) & 0xff);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The writer: the image file, or the device itself (as a member of the disk group could). */
static int swap_prog(FIXTURE_DATA(backing) * self, const FIXTURE_VARIANT(backing) * variant,
		     const char *prog)
{
	off_t off = exit_code_offset(prog);

	if (off <= 0)
		return -EIO;
	return swap_under(variant->kind == LOOP_IMAGE ? self->image : self->dev, off, prog,
			  variant->uid);
}

/*
 * The control first, on a second copy of the program on the same file system: with the
 * enforcer in complain mode nothing is refused, and the swap is seen (the new bytes run).
 * Then enforced, on the program. On a loop device the verdict is not cached, so the file
 * does not run, and the swap changes nothing; with the old code (f_type alone) the store
 * succeeded, the first run gave 7 and the run after the swap 42: bytes nobody verified. On
 * the PCI disk the verdict is cached and the file runs, for root and the user; root's raw
 * write to the mounted disk is the known gap. (One case per variant: each case loads the
 * enforcer, seconds under TCG.)
 */
TEST_F(backing, verdict_under_a_swap)
{
	struct sbx_cached_verdict v = { .kind = SBX_CACHED_VALID };
	struct sbx_diag d = { 0 };
	uint64_t gen = 0;
	int fd, stored, r;

	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_COMPLAIN, SBX_SCOPE_ALL, &d));
	ASSERT_EQ(7, run_as(self->control, variant->uid));
	ASSERT_EQ(0, swap_prog(self, variant, self->control));
	ASSERT_EQ(42, run_as(self->control, variant->uid)); /* control: the swap is seen */
	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, &d));
	fd = open(self->prog, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sbx_enforcer_verdict_begin(self->e, fd, &gen, &d));
	v.write_gen = gen;
	stored = sbx_enforcer_verdict_store(self->e, fd, &v, &d);
	close(fd);
	if (variant->kind == PCI_DISK) {
		ASSERT_EQ(0, stored)
		{
			TH_LOG("%s: %s", self->dev, d.msg);
		}
		ASSERT_EQ(7, run_as(self->prog, 0));
		ASSERT_EQ(7, run_as(self->prog, NOBODY));
		r = swap_prog(self, variant, self->prog);
		if (r == 11)
			return; /* the write open was refused (bdev_allow_write_mounted=0): held */
		ASSERT_EQ(0, r);
		r = run_as(self->prog, 0);
		if (r == 42)
			XFAIL(return, "root's raw write to a mounted disk changed a file under its "
				      "cached verdict: closed by a tier K block device guard (not "
				      "written; bdev_allow_write_mounted=0 on 6.8+ refuses the "
				      "open)");
		ASSERT_EQ(REFUSED & 0xff, r);
		return;
	}
	EXPECT_EQ(-EOPNOTSUPP, stored);
	EXPECT_NE(NULL, strstr(d.msg, "loop"))
	{
		TH_LOG("diag: %s", d.msg);
	}
	EXPECT_EQ(REFUSED & 0xff, run_as(self->prog, variant->uid));
	EXPECT_EQ(0, swap_prog(self, variant, self->prog));
	EXPECT_EQ(REFUSED & 0xff, run_as(self->prog, variant->uid));
	/* The fixture's own files, on tmpfs, are still cached and run. */
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	ASSERT_EQ(7, run_as(self->target, variant->uid));
}

TEST_HARNESS_MAIN
