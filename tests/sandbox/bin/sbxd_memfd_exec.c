// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd_memfd_exec FILE: copy FILE into a memfd and fexecve it (tier F's memfd hole).
 * Exits with the program's status, or 126 (and the errno on stderr) when the memfd could
 * not be made executable or the exec was refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

int main(int argc, char **argv)
{
	char *args[] = { "sbxd-memfd", NULL }, *env[] = { NULL };
	struct stat st;
	off_t off = 0;
	int in, m;

	if (argc != 2 || (in = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &st))
		return 2;
	/* MFD_EXEC is refused under vm.memfd_noexec=2; without it the memfd is sealed. */
	m = memfd_create("sbxd-memfd", MFD_CLOEXEC | MFD_EXEC);
	if (m < 0)
		m = memfd_create("sbxd-memfd", MFD_CLOEXEC);
	if (m < 0) {
		fprintf(stderr, "memfd_create: %s\n", strerror(errno));
		return 126;
	}
	if (sendfile(m, in, &off, (size_t)st.st_size) != st.st_size)
		return 2;
	fchmod(m, 0755);
	fexecve(m, args, env);
	fprintf(stderr, "fexecve: %s\n", strerror(errno));
	return 126;
}
