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
 * guard on the devices under guarded files (SBX_GUARD_DEVICE): the disk opened for write,
 * or a node of it mknod'ed elsewhere, is refused (guard_armed_raw_disk_write), with its
 * control; the other routes to the disk: sbxd_guard_disk.c.
 * Not testable here: partitions and stacked members (dm, md: not in the guests' kernels'
 * built-ins; loop is refused at arming above), SCSI's SG_IO and /dev/sg* (no SCSI disk).
 */
#include <sys/stat.h>

#include "sbxd_disk.h"

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
 * Control: unarmed, the certificate reads root's bytes. Armed: refused (SBX_GUARD_DEVICE;
 * the kernel's bdev_allow_write_mounted=0, 6.8+, would refuse this open too, not the
 * others of sbxd_guard_disk.c).
 */
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

TEST_HARNESS_MAIN
