// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A guard is claimed only for a file nobody has open for writing (atk9k H1). The guards
 * refuse every open for write from the arming on, and every write(), but a file opened for
 * writing before the arming changes without either: ftruncate(2) through that descriptor,
 * or a store into a shared writable mapping of it (the mapping keeps the file open for
 * writing after its descriptor is closed). atk9k truncated the trust store's revocation
 * list that way, reloaded it by a hangup of sbxd's terminal, and a revoked program ran in
 * enforce mode while sbxd was armed. The family is "a writer the guard's hooks never see",
 * so it is closed where the guard is claimed: the signed sbxd in enforce mode refuses to
 * arm while any guarded file is open for writing (exit 1, one line naming the file); the
 * same writer closed, it arms (the control).
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "sbxd_k.h"

/* The signed sbxd refuses to arm, naming path as open for writing; false: it armed. */
static bool refused(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
		    const char *path)
{
	char line[1024];

	if (!refused_to_arm(_metadata, self, line, sizeof(line)))
		return false;
	EXPECT_NE(NULL, strstr(line, path)) TH_LOG("no %s in: %s", path, line);
	EXPECT_NE(NULL, strstr(line, "open for writing")) TH_LOG("%s", line);
	return true;
}

/* The first certificate of the fixture's trust store. */
static void first_pem(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self, char *pem,
		      size_t len)
{
	ASSERT_EQ(0, sbx_sh(self->r, "ls '%s'/*.pem | head -n 1", self->trust));
	self->r->out[strcspn(self->r->out, "\n")] = '\0';
	ASSERT_NE('\0', self->r->out[0]);
	fmt(pem, len, "%s", self->r->out);
}

/* sbxd.conf held open for writing by root from before sbxd starts: refused; closed: armed. */
TEST_F_TIMEOUT(sbxd_k, guard_refused_while_a_descriptor_writes, 300)
{
	int held;

	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	held = open(self->conf, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, held);
	if (!refused(_metadata, self, self->conf))
		return;
	close(held);
	/* Control: the writer gone, the same sbxd arms. */
	start_signed(_metadata, self, "");
	EXPECT_TRUE(logged(self, "self-protection on"));
	EXPECT_EQ(EPERM, open_for_write(self->conf));
}

/*
 * A shared writable mapping of a certificate, its descriptor closed: the mapping still
 * writes the file, so it counts as a writer; unmapped, sbxd arms.
 */
TEST_F_TIMEOUT(sbxd_k, guard_refused_while_a_shared_mapping_writes, 300)
{
	char pem[2 * LEN];
	void *p;
	int fd;

	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	first_pem(_metadata, self, pem, sizeof(pem));
	fd = open(pem, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	if (!refused(_metadata, self, pem))
		return;
	munmap(p, 4096);
	/* Control: unmapped, the same sbxd arms. */
	start_signed(_metadata, self, "");
	EXPECT_TRUE(logged(self, "self-protection on"));
	EXPECT_EQ(EPERM, open_for_write(pem));
}

TEST_HARNESS_MAIN
