// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The devices under a guarded file, past the open for write of the disk
 * (sbxd_guard_backing.c): root's routes to the certificate's block on the NVMe scratch disk
 * that no inode hook sees (atk9k G3's family), each with its control (`--protect no`),
 * where the certificate reads root's bytes; armed, SBX_GUARD_DEVICE refuses each:
 *  - NVMe I/O pass-through through a read-only descriptor (CAP_SYS_ADMIN is enough) of
 *    the namespace's block device, its generic node /dev/ngXnY, the controller /dev/nvmeX,
 *    and io_uring's uring_cmd on /dev/ngXnY;
 *  - a descriptor opened for write before the arming: pwrite, a shared writable mapping,
 *    BLKZEROOUT, BLKDISCARD, fallocate; a shared writable mapping made before the arming
 *    refuses the arming.
 */
#include <linux/falloc.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "sbxd_disk.h"

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

/*
 * A shared writable mapping of the disk made before sbxd starts: a store into it asks no
 * hook, so the arming looks for one. Control: unarmed, the store changes the certificate.
 * Armed: sbxd refuses to arm, one line naming the disk.
 */
static char *premapped(struct __test_metadata *_metadata, struct loop_disk *k, off_t *at)
{
	off_t off = (off_t)k->blk * k->bsz, page = off & ~(off_t)4095;
	int fd = open(k->dev, O_RDWR | O_CLOEXEC);
	char *map;

	if (fd < 0)
		return NULL;
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	close(fd);
	EXPECT_NE(MAP_FAILED, map) TH_LOG("%s", strerror(errno));
	*at = off - page;
	return map == MAP_FAILED ? NULL : map;
}

TEST_F_TIMEOUT(sbxd_k, guard_unarmed_premapped_disk_writes, 300)
{
	struct loop_disk k;
	off_t at;
	char *map;

	NEED_SCRATCH(k);
	map = premapped(_metadata, &k, &at);
	ASSERT_NE(NULL, map);
	start_signed(_metadata, self, "--protect no");
	memcpy(map + at, "SBXM0", 5);
	EXPECT_EQ(0, msync(map, 8192, MS_SYNC));
	EXPECT_EQ(0, cert_reads(&k, "SBXM0"));
	munmap(map, 8192);
	loop_done(self, &k);
}

TEST_F_TIMEOUT(sbxd_k, guard_refused_over_premapped_disk, 300)
{
	struct loop_disk k;
	char line[1024];
	off_t at;
	char *map;

	NEED_SCRATCH(k);
	map = premapped(_metadata, &k, &at);
	ASSERT_NE(NULL, map);
	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	refused_to_arm(_metadata, self, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, k.dev)) TH_LOG("no %s in: %s", k.dev, line);
	EXPECT_NE(NULL, strstr(line, "shared and writable")) TH_LOG("%s", line);
	munmap(map, 8192);
	loop_done(self, &k);
}

TEST_HARNESS_MAIN
