// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A guard is claimed only where it holds (atk8k G2; issue 11 item 5). The trust store and
 * sbxd.conf on ext2 on a loop device whose image is a plain file on the fixture's tmpfs:
 *  - control (`--protect no`): root writes the certificate's block in the image, drops the
 *    loop's and the certificate's cached pages, and the certificate reads root's bytes. No
 *    write to the certificate's inode: no inode guard can see it;
 *  - signed sbxd in enforce mode (it arms): refused, exit 1 and one line naming the trust
 *    store and the loop device. Before, it armed and claimed the store protected while the
 *    image route stayed open. The same predicate refuses a verdict there
 *    (enforcer_backing_kernel_only; tests/vm/enforcer_backing.c).
 * A trust store on the scratch disk (NVMe, PCI) arms: sbxd_guard.c. There, root's write
 * through the mounted block device itself is the same family, still open: an XFAIL
 * (guard_armed_raw_disk_write), with its control.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "sbxd_k.h"

struct loop_disk {
	char dev[64], mnt[LEN + 8], pem[LEN + 64], image[LEN + 16];
	int loop_fd;
	int blk, bsz; /* where the certificate's first block is (FIBMAP, before any arming) */
};

/* The trust store and sbxd.conf on ext2 on k->dev, mounted on DIR/disk. */
static void trust_on(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
		     struct loop_disk *k)
{
	int fd;

	trust_store_on_disk(_metadata, self, k->dev, k->mnt, sizeof(k->mnt), k->pem,
			    sizeof(k->pem));
	/* Found before sbxd starts: armed, FIBMAP on the certificate is refused (an ioctl off
	 * the read-only allow-list), but a reader of the raw device (debugfs) finds it too. */
	k->blk = k->bsz = 0;
	fd = open(k->pem, O_RDONLY | O_CLOEXEC);
	EXPECT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, FIGETBSZ, &k->bsz));
	EXPECT_EQ(0, ioctl(fd, FIBMAP, &k->blk));
	EXPECT_LT(0, k->blk);
	close(fd);
}

/* A 16 MiB image on the fixture's tmpfs (W), on a fresh loop device; false: no loop. */
static bool trust_on_loop(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			  struct loop_disk *k)
{
	int ctl, nr, img;

	k->loop_fd = -1;
	sbx_sh(self->r, "modprobe loop 2>/dev/null; insmod /lib/modules/*/loop.ko 2>/dev/null; "
			"true");
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return false;
	fmt(k->image, sizeof(k->image), "%s/img", self->w);
	img = open(k->image, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	EXPECT_LE(0, img);
	EXPECT_EQ(0, ftruncate(img, 16 << 20));
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	EXPECT_LE(0, nr);
	fmt(k->dev, sizeof(k->dev), "/dev/loop%d", nr);
	k->loop_fd = open(k->dev, O_RDWR | O_CLOEXEC);
	EXPECT_LE(0, k->loop_fd) TH_LOG("%s: %s", k->dev, strerror(errno));
	EXPECT_EQ(0, ioctl(k->loop_fd, LOOP_SET_FD, img))
	TH_LOG("LOOP_SET_FD: %s", strerror(errno));
	close(img);
	trust_on(_metadata, self, k);
	return true;
}

/* The guest's scratch disk (NVMe on PCI: a guard holds there); false: none. */
static bool trust_on_scratch(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			     struct loop_disk *k)
{
	k->loop_fd = -1;
	k->image[0] = '\0';
	scratch_disk(k->dev, sizeof(k->dev));
	if (!k->dev[0])
		return false;
	trust_on(_metadata, self, k);
	return true;
}

/* sbxd unloaded first if it armed, then the file system and the loop device. */
static void loop_done(FIXTURE_DATA(sbxd_k) * self, struct loop_disk *k)
{
	if (self->armed && sbx_sh(self->r, "'%s' --unload --run-dir '%s'", self->sbxd, self->run))
		printf("# sbxd --unload: %s%s", self->r->out, self->r->err);
	self->armed = false;
	stop_sbxd(self, SIGTERM);
	umount2(k->mnt, MNT_DETACH);
	if (k->loop_fd >= 0) {
		ioctl(k->loop_fd, LOOP_CLR_FD, 0);
		close(k->loop_fd);
	}
}

/*
 * The certificate's first block rewritten through where (the loop's image, or the block
 * device itself), the block device's cache and the certificate's clean pages dropped (a
 * read-only descriptor is enough): 0 when the certificate then reads "SBXG2", else the
 * errno of the open of where, or EAGAIN (written, not seen).
 */
static int rewrite_under(struct __test_metadata *_metadata, struct loop_disk *k, const char *where)
{
	int fd = open(k->pem, O_RDONLY | O_CLOEXEC), blk = k->blk, bsz = k->bsz, img, err;
	char buf[6] = "";

	if (fd < 0)
		return errno;
	img = open(where, O_WRONLY | O_CLOEXEC);
	if (img < 0) {
		err = errno;
		printf("# open %s for writing: %s\n", where, strerror(err));
		close(fd);
		return err;
	}
	EXPECT_EQ(5, pwrite(img, "SBXG2", 5, (off_t)blk * bsz)) TH_LOG("%s", strerror(errno));
	fsync(img);
	ioctl(img, BLKFLSBUF, 0); /* a block device's own cache; ENOTTY on the image */
	close(img);
	if (k->loop_fd >= 0)
		ioctl(k->loop_fd, BLKFLSBUF, 0);
	EXPECT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	EXPECT_EQ(5, pread(fd, buf, 5, 0));
	close(fd);
	printf("# %s (block %d of %d bytes) now begins \"%.5s\"\n", k->pem, blk, bsz, buf);
	return memcmp(buf, "SBXG2", 5) ? EAGAIN : 0;
}

#define NEED_LOOP(k)                                                                      \
	do {                                                                              \
		if (!trust_on_loop(_metadata, self, &(k)))                                \
			SKIP(return, "no loop device (/dev/loop-control) in this guest"); \
	} while (0)

/* Control: unarmed, the image route changes the certificate (what a guard cannot see). */
TEST_F_TIMEOUT(sbxd_k, guard_unarmed_loop_image_rewrites_trust, 300)
{
	struct loop_disk k;

	NEED_LOOP(k);
	start_signed(_metadata, self, "--protect no");
	EXPECT_EQ(0, rewrite_under(_metadata, &k, k.image));
	loop_done(self, &k);
}

/*
 * Armed, the same store: sbxd refuses to run (fail closed), with one line naming the store
 * and the loop.
 */
TEST_F_TIMEOUT(sbxd_k, guard_refused_on_loop_device, 300)
{
	char line[1024], dev[16];
	struct loop_disk k;

	NEED_LOOP(k);
	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	refused_to_arm(_metadata, self, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, self->trust));
	fmt(dev, sizeof(dev), "%s", strrchr(k.dev, '/') + 1);
	EXPECT_NE(NULL, strstr(line, dev)) TH_LOG("no %s in: %s", dev, line);
	loop_done(self, &k);
}

/*
 * The same family on a disk a guard holds on: root writes the certificate's block through
 * the mounted block device itself (the NVMe scratch disk), which no inode hook sees.
 * Control: unarmed, the certificate reads root's bytes. Armed: a known gap, unless the
 * kernel refuses the open (bdev_allow_write_mounted=0, 6.8+).
 */
#define NEED_SCRATCH(k)                                                            \
	do {                                                                       \
		if (!trust_on_scratch(_metadata, self, &(k)))                      \
			SKIP(return, "no scratch disk with serial " SCRATCH_SERIAL \
				     " (tests/vm/run.sh)");                        \
	} while (0)

TEST_F_TIMEOUT(sbxd_k, guard_unarmed_raw_disk_rewrites_trust, 300)
{
	struct loop_disk k;

	NEED_SCRATCH(k);
	start_signed(_metadata, self, "--protect no");
	EXPECT_EQ(0, rewrite_under(_metadata, &k, k.dev));
	loop_done(self, &k);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_raw_disk_write, 300)
{
	struct loop_disk k;
	int r;

	NEED_SCRATCH(k);
	self->armed = true;
	start_signed(_metadata, self, "");
	ASSERT_TRUE(logged(self, "self-protection on"));
	EXPECT_EQ(EPERM, open_for_write(k.pem));
	r = rewrite_under(_metadata, &k, k.dev);
	loop_done(self, &k);
	if (r == 0)
		XFAIL(return, "root's write to the mounted block device under a guarded file "
			      "changed it: closed by a tier K guard on the block devices under "
			      "guarded files (not written; bdev_allow_write_mounted=0 on 6.8+ "
			      "refuses the open)");
	EXPECT_TRUE(r == EBUSY || r == EPERM) TH_LOG("%s", strerror(r));
}

TEST_HARNESS_MAIN
