// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd, tier F: a writer racing the execs of a verified binary (sbxd_fixture.h). Host
 * only: 10^4 execs under QEMU TCG outlast the 300 s a test program gets.
 */
#include "sbxd_fixture.h"

/*
 * A writer flips one byte of a verified binary (open, write, close, over and over) while
 * a loop execs it. The flipped content is not what was signed and exits 7: an exit
 * status of 7 is a stale allow. Every exec either runs the signed content, is refused,
 * or meets the writer's open file (ETXTBSY); the writer meets a running program the same
 * way, since the kernel keeps a running executable from being written.
 */
#define RACE_EXECS 10000

static off_t marker_offset(const char *path)
{
	static const char marker[] = "SBXD-EXIT-CODE-MARKER";
	char *buf = malloc(1 << 22), *hit;
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 || !buf ? -1 : read(fd, buf, 1 << 22);
	off_t off = -1;

	if (n > 0 && (hit = memmem(buf, (size_t)n, marker, sizeof(marker) - 1)))
		off = hit - buf - 1;
	if (fd >= 0)
		close(fd);
	free(buf);
	return off;
}

static int poke(const char *path, off_t off, unsigned char b)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd < 0 ? -1 : pwrite(fd, &b, 1, off);

	if (fd >= 0)
		close(fd);
	return n == 1 ? 0 : -1;
}

TEST_F_TIMEOUT(sbxd, concurrent_writer_no_stale_allow, 240)
{
	char s[PATH_LEN];
	unsigned int ran = 0, refused = 0, busy = 0, stale = 0, other = 0, writes;
	unsigned int *written; /* shared with the writer: the writes that landed */
	pid_t writer;
	off_t off;

	wpath(self, s, "prog");
	ASSERT_EQ(0, sbx_sh(self->r, "cp '%s' '%s'", sbx_test_helper("sbxd_exit_code"), s));
	ASSERT_EQ(0, sign(_metadata, self, s));
	off = marker_offset(s);
	ASSERT_LT(0, off);
	start_sbxd(_metadata, self, "enforce", NULL);
	ASSERT_EQ(0, exec_status(s));
	written = mmap(NULL, sizeof(*written), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	ASSERT_NE(MAP_FAILED, written);
	writer = fork();
	ASSERT_LE(0, writer);
	if (writer == 0) {
		/* While the program runs the kernel refuses writers (ETXTBSY): keep trying. */
		for (;;) {
			if (!poke(s, off, 7))
				__atomic_add_fetch(written, 1, __ATOMIC_RELAXED);
			if (!poke(s, off, 0))
				__atomic_add_fetch(written, 1, __ATOMIC_RELAXED);
		}
	}
	for (int i = 0; i < RACE_EXECS; i++) {
		int st = exec_status(s);

		if (st == 0)
			ran++;
		else if (st == -EPERM)
			refused++;
		else if (st == -ETXTBSY)
			busy++;
		else if (st == 7)
			stale++;
		else
			other++;
	}
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	writes = __atomic_load_n(written, __ATOMIC_RELAXED);
	munmap(written, sizeof(*written));
	TH_LOG("%u execs, %u writes: %u ran the signed content, %u refused, %u met the writer "
	       "(ETXTBSY), %u stale allows, %u other",
	       RACE_EXECS, writes, ran, refused, busy, stale, other);
	ASSERT_EQ(0, sbx_sh(self->r, "tail -5 '%s.out'; '%s' --status --run-dir '%s'", self->run,
			    sbxd_bin(), self->run));
	TH_LOG("%s", self->r->out);
	/*
	 * The race happened: the writer wrote during the loop and execs met it (its content
	 * refused, or its open file). Without that, "0 stale" proves nothing.
	 */
	EXPECT_LT(0u, writes);
	EXPECT_LT(0u, refused + busy);
	EXPECT_EQ(0u, stale);
	EXPECT_EQ(0u, other);
	/* Control, without the writer: the signed content runs, the flipped one is refused. */
	ASSERT_EQ(0, poke(s, off, 0));
	EXPECT_EQ(0, exec_status(s));
	ASSERT_EQ(0, poke(s, off, 7));
	EXPECT_EQ(-EPERM, exec_status(s));
}

TEST_HARNESS_MAIN
