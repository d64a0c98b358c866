// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guard suites' disks (sbxd_guard_backing.c, sbxd_guard_disk.c): the trust store and
 * sbxd.conf on ext2 on a loop device over an image on the fixture's tmpfs, or on the
 * guest's NVMe scratch disk; where the certificate's first block is; whether the
 * certificate reads root's bytes after a write under it.
 */
#ifndef SBXD_DISK_H
#define SBXD_DISK_H

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
static inline void trust_on(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
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
static inline bool trust_on_loop(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
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
static inline bool trust_on_scratch(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
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
static inline void loop_done(FIXTURE_DATA(sbxd_k) * self, struct loop_disk *k)
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

/* The certificate, its clean pages dropped (a read-only descriptor is enough), read again. */
static inline int cert_first(struct loop_disk *k, char buf[6])
{
	int fd = open(k->pem, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	memset(buf, 0, 6);
	if (fd < 0)
		return errno;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	n = pread(fd, buf, 5, 0);
	close(fd);
	return n == 5 ? 0 : EIO;
}

/* 0 when the certificate begins with mark, else EAGAIN (or the read's errno). */
static inline int cert_reads(struct loop_disk *k, const char *mark)
{
	char buf[6];
	int err = cert_first(k, buf);

	printf("# %s now begins \"%.5s\"\n", k->pem, buf);
	return err ? err : memcmp(buf, mark, 5) ? EAGAIN : 0;
}

/* 0 when the certificate no longer begins as a PEM file does ("-----"), else EAGAIN. */
static inline int cert_changed(struct loop_disk *k)
{
	char buf[6];
	int err = cert_first(k, buf);

	return err ? err : memcmp(buf, "-----", 5) ? 0 : EAGAIN;
}

/*
 * The certificate's first block rewritten through where (the loop's image, or the block
 * device itself), the block device's cache and the certificate's clean pages dropped (a
 * read-only descriptor is enough): 0 when the certificate then reads "SBXG2", else the
 * errno of the open of where, or EAGAIN (written, not seen).
 */
static inline int rewrite_under(struct __test_metadata *_metadata, struct loop_disk *k,
				const char *where)
{
	int img = open(where, O_WRONLY | O_CLOEXEC), err;

	if (img < 0) {
		err = errno;
		printf("# open %s for writing: %s\n", where, strerror(err));
		return err;
	}
	EXPECT_EQ(5, pwrite(img, "SBXG2", 5, (off_t)k->blk * k->bsz)) TH_LOG("%s", strerror(errno));
	fsync(img);
	ioctl(img, BLKFLSBUF, 0); /* a block device's own cache; ENOTTY on the image */
	close(img);
	if (k->loop_fd >= 0)
		ioctl(k->loop_fd, BLKFLSBUF, 0);
	return cert_reads(k, "SBXG2");
}

#define NEED_LOOP(k)                                                                      \
	do {                                                                              \
		if (!trust_on_loop(_metadata, self, &(k)))                                \
			SKIP(return, "no loop device (/dev/loop-control) in this guest"); \
	} while (0)

#define NEED_SCRATCH(k)                                                            \
	do {                                                                       \
		if (!trust_on_scratch(_metadata, self, &(k)))                      \
			SKIP(return, "no scratch disk with serial " SCRATCH_SERIAL \
				     " (tests/vm/run.sh)");                        \
	} while (0)

#endif /* SBXD_DISK_H */
