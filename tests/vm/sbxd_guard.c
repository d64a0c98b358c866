// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Self-protection's file guards last as long as the file, not its in-memory inode (atk7k
 * E1, E1b; issue 11: only sbxd writes the trust store and its configuration while armed).
 * The trust store and sbxd.conf live on the guest's scratch disk (ext2 on NVMe, as /etc on
 * a real disk: the initramfs rootfs never evicts an inode). Armed, root's open for write of
 * a certificate and of sbxd.conf and a create in the trust directory are refused, and stay
 * refused
 *  - after `sync; echo 3 > /proc/sys/vm/drop_caches` (three times), which evicts every
 *    inode nobody holds (memory pressure does the same): sbxd holds none of these;
 *  - after a lazy umount of the file system and a mount of the same device: a new
 *    superblock, new inodes.
 *  - after FS_IOC_SETVERSION through a read-only descriptor on the certificate, sbxd.conf
 *    and the trust directory (atk8k G1: ext2 keeps a generation root may rewrite without
 *    MAY_WRITE; it was in the guard's key, and every lookup missed after it). The ioctl
 *    itself is refused too: on a guarded inode only a read-only allow-list of ioctls
 *    passes (bpf/self_protect.bpf.c, sbx_guard_ioctl); FS_IOC_GETVERSION is on it.
 * The control is the same sequence with sbxd running `--protect no`: every write succeeds.
 * The guard is the file's identity (device, inode number) in sbx_guard_files
 * (bpf/include/sbx_enforcer.bpf.h: sbx_guard_home); before, it lived in the inode's
 * storage and went with the inode.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "sbxd_k.h"

/* 0 when path was created (and removed again), else the errno. */
static int create_new(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	unlink(path);
	return 0;
}

/* The trust store and sbxd.conf on the scratch disk: the fixture's paths pointed there. */
struct disk {
	char dev[64], mnt[LEN + 8], pem[LEN + 64], added[LEN + 32];
};

/* false: no scratch disk (the caller skips). */
static bool trust_on_disk(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			  struct disk *k)
{
	scratch_disk(k->dev, sizeof(k->dev));
	if (!k->dev[0])
		return false;
	fmt(k->mnt, sizeof(k->mnt), "%s/disk", self->dir);
	EXPECT_EQ(0, sbx_sh(self->r, "busybox mke2fs -F -q '%s' >/dev/null 2>&1", k->dev));
	EXPECT_EQ(0, self->r->status);
	EXPECT_EQ(0, mkdir(k->mnt, 0755));
	EXPECT_EQ(0, mount(k->dev, k->mnt, "ext2", MS_NOSUID | MS_NODEV, NULL))
	TH_LOG("mount %s: %s", k->dev, strerror(errno));
	EXPECT_EQ(0, sbx_sh(self->r, "mkdir '%s/trust' && cp -a '%s'/. '%s/trust/' && sync", k->mnt,
			    self->trust, k->mnt));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	fmt(self->trust, sizeof(self->trust), "%s/trust", k->mnt);
	fmt(self->conf, sizeof(self->conf), "%s/sbxd.conf", k->mnt);
	EXPECT_EQ(0, sbx_sh(self->r, "ls '%s'/*.pem | head -n 1", self->trust));
	self->r->out[strcspn(self->r->out, "\n")] = '\0';
	EXPECT_NE('\0', self->r->out[0]);
	fmt(k->pem, sizeof(k->pem), "%s", self->r->out);
	fmt(k->added, sizeof(k->added), "%s/added.pem", self->trust);
	return true;
}

/* sbxd unloaded first (the guards refuse nothing then), the disk before the fixture's tree. */
static void disk_done(FIXTURE_DATA(sbxd_k) * self, struct disk *k)
{
	if (self->armed && sbx_sh(self->r, "'%s' --unload --run-dir '%s'", self->sbxd, self->run))
		printf("# sbxd --unload: %s%s", self->r->out, self->r->err);
	self->armed = false;
	umount2(k->mnt, MNT_DETACH);
}

/* What root's writes got: errno of each, 0 = done. */
struct writes {
	int pem, conf, create;
};

static void try_writes(FIXTURE_DATA(sbxd_k) * self, struct disk *k, struct writes *w,
		       const char *when)
{
	w->pem = open_for_write(k->pem);
	w->conf = open_for_write(self->conf);
	w->create = create_new(k->added);
	printf("# %s: pem %d conf %d create %d (errno, 0 = written)\n", when, w->pem, w->conf,
	       w->create);
}

/* Every inode nobody holds evicted: drop_caches's own sysctl, three times. */
static void evict(struct __test_metadata *_metadata)
{
	sync();
	for (int i = 0; i < 3; i++) {
		int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

		ASSERT_LE(0, fd);
		ASSERT_EQ(1, write(fd, "3", 1));
		close(fd);
	}
}

/* The file system away (lazy: nothing holds it) and the same device mounted again. */
static void remount(struct __test_metadata *_metadata, struct disk *k)
{
	ASSERT_EQ(0, umount2(k->mnt, MNT_DETACH));
	ASSERT_EQ(0, mount(k->dev, k->mnt, "ext2", MS_NOSUID | MS_NODEV, NULL))
	TH_LOG("mount %s: %s", k->dev, strerror(errno));
}

/* FS_IOC_SETVERSION through a read-only descriptor (the generation moved): 0, or the errno. */
static int set_generation(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), err = 0;
	long gen = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_GETVERSION, &gen))
		err = errno;
	gen += 0x1000;
	if (!err && ioctl(fd, FS_IOC_SETVERSION, &gen))
		err = errno;
	printf("# FS_IOC_SETVERSION %s (read-only descriptor) -> %ld: %s\n", path, gen,
	       err ? strerror(err) : "done");
	close(fd);
	return err;
}

/* The generation of every guarded object try_writes touches: errno of each, 0 = moved. */
static void set_generations(struct disk *k, const char *conf, const char *trust, struct writes *w)
{
	w->pem = set_generation(k->pem, 0);
	w->conf = set_generation(conf, 0);
	w->create = set_generation(trust, O_DIRECTORY);
}

static void expect_writes(struct __test_metadata *_metadata, const struct writes *w, int err)
{
	EXPECT_EQ(err, w->pem);
	EXPECT_EQ(err, w->conf);
	EXPECT_EQ(err, w->create);
}

#define NEED_DISK(k)                                                               \
	do {                                                                       \
		if (!trust_on_disk(_metadata, self, &(k)))                         \
			SKIP(return, "no scratch disk with serial " SCRATCH_SERIAL \
				     " (tests/vm/run.sh)");                        \
	} while (0)

/* Control: sbxd without self-protection; root writes before and after both. */
/* sbxd started armed, and the three writes refused before anything moves under them. */
static void start_armed(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			struct disk *k, struct writes *w)
{
	self->armed = true;
	start_signed(_metadata, self, "");
	ASSERT_TRUE(logged(self, "self-protection on"));
	try_writes(self, k, w, "armed");
	expect_writes(_metadata, w, EPERM);
}

TEST_F_TIMEOUT(sbxd_k, guard_unarmed_writes_after_eviction_and_remount, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_signed(_metadata, self, "--protect no");
	try_writes(self, &k, &w, "unarmed");
	expect_writes(_metadata, &w, 0);
	evict(_metadata);
	try_writes(self, &k, &w, "unarmed, after drop_caches");
	expect_writes(_metadata, &w, 0);
	remount(_metadata, &k);
	try_writes(self, &k, &w, "unarmed, after umount -l and mount");
	expect_writes(_metadata, &w, 0);
	disk_done(self, &k);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_survives_eviction, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_armed(_metadata, self, &k, &w);
	evict(_metadata);
	try_writes(self, &k, &w, "armed, after drop_caches");
	expect_writes(_metadata, &w, EPERM);
	disk_done(self, &k);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_survives_remount, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_armed(_metadata, self, &k, &w);
	remount(_metadata, &k);
	try_writes(self, &k, &w, "armed, after umount -l and mount");
	expect_writes(_metadata, &w, EPERM);
	disk_done(self, &k);
}

/* Control for the generation: unarmed, it moves and root writes. */
TEST_F_TIMEOUT(sbxd_k, guard_unarmed_writes_after_setversion, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_signed(_metadata, self, "--protect no");
	set_generations(&k, self->conf, self->trust, &w);
	expect_writes(_metadata, &w, 0);
	try_writes(self, &k, &w, "unarmed, after FS_IOC_SETVERSION");
	expect_writes(_metadata, &w, 0);
	disk_done(self, &k);
}

/* atk8k G1: the generation moved under the guard, which is keyed by what creation sets. */
TEST_F_TIMEOUT(sbxd_k, guard_armed_survives_setversion, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_armed(_metadata, self, &k, &w);
	set_generations(&k, self->conf, self->trust, &w);
	expect_writes(_metadata, &w, EPERM); /* an ioctl outside the read-only allow-list */
	try_writes(self, &k, &w, "armed, after FS_IOC_SETVERSION");
	expect_writes(_metadata, &w, EPERM);
	evict(_metadata); /* and read back from the disk with the new generation */
	try_writes(self, &k, &w, "armed, after FS_IOC_SETVERSION and drop_caches");
	expect_writes(_metadata, &w, EPERM);
	disk_done(self, &k);
}

TEST_HARNESS_MAIN
