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
 * through the mounted block device itself is the same family (atk9k G3), closed by the
 * guard on the devices under guarded files (SBX_GUARD_DEVICE): each route below has its
 * control (`--protect no`), where the certificate reads root's bytes:
 *  - the disk opened for write (guard_armed_raw_disk_write), or a node of it mknod'ed
 *    elsewhere;
 *  - NVMe I/O pass-through through a read-only descriptor (CAP_SYS_ADMIN is enough) of
 *    the namespace's block device, its generic node /dev/ngXnY, the controller /dev/nvmeX,
 *    and io_uring's uring_cmd on /dev/ngXnY;
 *  - a descriptor opened for write before the arming: pwrite, a shared writable mapping,
 *    BLKZEROOUT, BLKDISCARD, fallocate.
 * Not testable here: partitions and stacked members (dm, md: not in the guests' kernels'
 * built-ins; loop is refused at arming above), SCSI's SG_IO and /dev/sg* (no SCSI disk).
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/loop.h>
#include <linux/nvme_ioctl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

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

/* The certificate, its clean pages dropped (a read-only descriptor is enough), read again. */
static int cert_first(struct loop_disk *k, char buf[6])
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
static int cert_reads(struct loop_disk *k, const char *mark)
{
	char buf[6];
	int err = cert_first(k, buf);

	printf("# %s now begins \"%.5s\"\n", k->pem, buf);
	return err ? err : memcmp(buf, mark, 5) ? EAGAIN : 0;
}

/* 0 when the certificate no longer begins as a PEM file does ("-----"), else EAGAIN. */
static int cert_changed(struct loop_disk *k)
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
static int rewrite_under(struct __test_metadata *_metadata, struct loop_disk *k, const char *where)
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

/* Armed: the open for write of the disk, and of another node of it, refused. */
TEST_F_TIMEOUT(sbxd_k, guard_armed_raw_disk_write, 300)
{
	char alias[LEN + 16];
	struct loop_disk k;
	struct stat st;

	NEED_SCRATCH(k);
	self->armed = true;
	start_signed(_metadata, self, "");
	ASSERT_TRUE(logged(self, "self-protection on"));
	EXPECT_EQ(EPERM, open_for_write(k.pem));
	EXPECT_EQ(EPERM, rewrite_under(_metadata, &k, k.dev));
	fmt(alias, sizeof(alias), "%s/disk-alias", self->w);
	ASSERT_EQ(0, stat(k.dev, &st));
	ASSERT_EQ(0, mknod(alias, S_IFBLK | 0600, st.st_rdev)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(EPERM, rewrite_under(_metadata, &k, alias));
	loop_done(self, &k);
}

/* The certificate's first logical block with its first five bytes replaced by mark. */
struct nvme_block {
	char lba[4096] __attribute__((aligned(4096)));
	int lbsz, nsid;
	__u64 slba;
};

static void nvme_block_of(struct __test_metadata *_metadata, struct loop_disk *k, const char *mark,
			  struct nvme_block *b)
{
	off_t off = (off_t)k->blk * k->bsz;
	int fd = open(k->dev, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	b->lbsz = 0;
	EXPECT_EQ(0, ioctl(fd, BLKSSZGET, &b->lbsz));
	ASSERT_LT(0, b->lbsz);
	ASSERT_GE((int)sizeof(b->lba), b->lbsz);
	b->nsid = ioctl(fd, NVME_IOCTL_ID);
	EXPECT_LT(0, b->nsid) TH_LOG("NVME_IOCTL_ID: %s", strerror(errno));
	b->slba = (__u64)(off / b->lbsz);
	EXPECT_EQ(b->lbsz, pread(fd, b->lba, b->lbsz, off - off % b->lbsz));
	close(fd);
	memcpy(b->lba + off % b->lbsz, mark, 5);
}

/*
 * Written by an NVMe I/O pass-through command (write, opcode 1) on node, opened read-only,
 * by ioctl or, uring, io_uring's uring_cmd: 0 when the certificate then reads mark, the
 * command's errno, or EAGAIN (written, not seen).
 */
static int nvme_uring(int fd, struct nvme_uring_cmd *cmd);

static int nvme_rewrite(struct __test_metadata *_metadata, struct loop_disk *k, const char *node,
			const char *mark, bool uring)
{
	struct nvme_passthru_cmd c = { .opcode = 1 };
	struct nvme_uring_cmd u = { .opcode = 1 };
	static struct nvme_block b;
	int fd, r;

	nvme_block_of(_metadata, k, mark, &b);
	fd = open(node, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("# open %s: %s\n", node, strerror(errno));
		return errno;
	}
	c.nsid = u.nsid = b.nsid;
	c.addr = u.addr = (uintptr_t)b.lba;
	c.data_len = u.data_len = b.lbsz;
	c.cdw10 = u.cdw10 = (__u32)b.slba;
	c.cdw11 = u.cdw11 = (__u32)(b.slba >> 32);
	if (uring) {
		r = nvme_uring(fd, &u);
	} else {
		r = ioctl(fd, NVME_IOCTL_IO_CMD, &c);
		r = r < 0 ? errno : r ? EIO : 0;
	}
	close(fd);
	printf("# NVMe write through %s (read-only%s): %s\n", node, uring ? ", io_uring" : "",
	       r ? strerror(r) : "done");
	return r ? r : cert_reads(k, mark);
}

/*
 * One NVME_URING_CMD_IO on fd through a ring of its own (128-byte entries): 0, the
 * command's errno, or ENOSYS when this kernel gives no such ring (io_uring_disabled).
 */
static int nvme_uring(int fd, struct nvme_uring_cmd *cmd)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32 };
	int ring = syscall(__NR_io_uring_setup, 4, &p), r = ENOSYS;
	size_t sqsz, cqsz;
	char *sq = MAP_FAILED, *cq = MAP_FAILED;
	struct io_uring_sqe *sqe = MAP_FAILED;
	struct io_uring_cqe *cqe;

	if (ring < 0)
		return ENOSYS;
	sqsz = p.sq_off.array + p.sq_entries * sizeof(__u32);
	cqsz = p.cq_off.cqes + p.cq_entries * 2 * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_CQ_RING);
	sqe = mmap(NULL, p.sq_entries * 128, PROT_READ | PROT_WRITE, MAP_SHARED, ring,
		   IORING_OFF_SQES);
	if (sq != MAP_FAILED && cq != MAP_FAILED && sqe != MAP_FAILED) {
		memset(sqe, 0, 128);
		sqe->opcode = IORING_OP_URING_CMD;
		sqe->fd = fd;
		sqe->cmd_op = NVME_URING_CMD_IO;
		memcpy(sqe->cmd, cmd, sizeof(*cmd));
		((__u32 *)(sq + p.sq_off.array))[0] = 0;
		__atomic_store_n((__u32 *)(sq + p.sq_off.tail), 1, __ATOMIC_RELEASE);
		if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) !=
		    1) {
			r = errno;
		} else {
			cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
			r = cqe->res < 0 ? -cqe->res : cqe->res ? EIO : 0;
		}
	}
	if (sqe != MAP_FAILED)
		munmap(sqe, p.sq_entries * 128);
	if (cq != MAP_FAILED)
		munmap(cq, cqsz);
	if (sq != MAP_FAILED)
		munmap(sq, sqsz);
	close(ring);
	return r;
}

/* The namespace's block device, its generic node and its controller (nvme0n1: ng0n1, nvme0). */
static void nvme_nodes(const char *dev, char nodes[3][64])
{
	unsigned int c = 0, n = 0;

	sscanf(dev, "/dev/nvme%un%u", &c, &n);
	fmt(nodes[0], 64, "%s", dev);
	fmt(nodes[1], 64, "/dev/ng%un%u", c, n);
	fmt(nodes[2], 64, "/dev/nvme%u", c);
}

static void nvme_routes(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self, bool arm)
{
	static const char *const marks[] = { "SBXN0", "SBXN1", "SBXN2", "SBXN3" };
	char nodes[3][64];
	struct loop_disk k;
	int r;

	NEED_SCRATCH(k);
	if (strncmp(k.dev, "/dev/nvme", 9))
		SKIP(return, "the scratch disk %s is not NVMe", k.dev);
	self->armed = arm;
	start_signed(_metadata, self, arm ? "" : "--protect no");
	if (arm)
		ASSERT_TRUE(logged(self, "self-protection on"));
	nvme_nodes(k.dev, nodes);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(arm ? EPERM : 0, nvme_rewrite(_metadata, &k, nodes[i], marks[i], false))
		TH_LOG("%s", nodes[i]);
	}
	r = nvme_rewrite(_metadata, &k, nodes[1], marks[3], true);
	loop_done(self, &k);
	if (r == ENOSYS)
		SKIP(return, "no io_uring here (kernel.io_uring_disabled)");
	EXPECT_EQ(arm ? EPERM : 0, r) TH_LOG("uring_cmd on %s", nodes[1]);
}

TEST_F_TIMEOUT(sbxd_k, guard_unarmed_nvme_passthrough_rewrites_trust, 300)
{
	nvme_routes(_metadata, self, false);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_nvme_passthrough, 300)
{
	nvme_routes(_metadata, self, true);
}

/*
 * The disk opened for write before sbxd starts (the arming cannot see a device's writers):
 * each write through it, by pwrite, a shared writable mapping, BLKZEROOUT, BLKDISCARD or
 * fallocate. Unarmed each changes the certificate (the zeroing ones: it no longer reads
 * its first bytes); armed each is refused.
 */
static int held_write(struct loop_disk *k, int held, int how, const char *mark)
{
	off_t off = (off_t)k->blk * k->bsz, page = off & ~(off_t)4095;
	__u64 range[2] = { (__u64)off, (__u64)k->bsz };
	char *map;
	int r = 0;

	switch (how) {
	case 0:
		r = pwrite(held, mark, 5, off) == 5 ? 0 : errno;
		break;
	case 1:
		map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, held, page);
		if (map == MAP_FAILED)
			return errno;
		memcpy(map + (off - page), mark, 5);
		r = msync(map, 8192, MS_SYNC) ? errno : 0;
		munmap(map, 8192);
		break;
	case 2:
		r = ioctl(held, BLKZEROOUT, range) ? errno : 0;
		break;
	case 3:
		r = ioctl(held, BLKDISCARD, range) ? errno : 0;
		break;
	case 4:
		r = fallocate(held, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, k->bsz) ? errno
											     : 0;
		break;
	}
	if (r)
		return r;
	fsync(held);
	ioctl(held, BLKFLSBUF, 0);
	return how < 2 ? cert_reads(k, mark) : cert_changed(k);
}

static void held_routes(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self, bool arm)
{
	static const char *const what[] = { "pwrite", "MAP_SHARED", "BLKZEROOUT", "BLKDISCARD",
					    "fallocate" };
	static const char *const marks[] = { "SBXH0", "SBXH1" };
	struct loop_disk k;
	int held;

	NEED_SCRATCH(k);
	held = open(k.dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, held);
	self->armed = arm;
	start_signed(_metadata, self, arm ? "" : "--protect no");
	if (arm)
		ASSERT_TRUE(logged(self, "self-protection on"));
	for (int i = 0; i < 5; i++) {
		int r = held_write(&k, held, i, marks[i % 2]);

		printf("# %s through a descriptor held from before: %s\n", what[i],
		       r ? strerror(r) : "changed the certificate");
		/* BLKDISCARD: a device without discard refuses it on its own (EOPNOTSUPP) */
		if (!arm && i == 3 && r == EOPNOTSUPP)
			continue;
		EXPECT_EQ(arm ? EPERM : 0, r) TH_LOG("%s", what[i]);
	}
	close(held);
	loop_done(self, &k);
}

TEST_F_TIMEOUT(sbxd_k, guard_unarmed_held_disk_descriptor_writes, 300)
{
	held_routes(_metadata, self, false);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_held_disk_descriptor_refused, 300)
{
	held_routes(_metadata, self, true);
}

TEST_HARNESS_MAIN
