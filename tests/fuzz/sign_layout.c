// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the appended-signature layout check (ELF headers, segments and sections inside the
 * signed bytes; zip end of central directory records): the first byte picks how many of
 * the input's bytes count as signed content, the rest is the file, read from a memfd as
 * sbx sign and sbx verify read a file.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sign/elf_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_diag diag = { 0 };
	size_t content;
	int fd;

	if (!size)
		return 0;
	fd = memfd_create("sign_layout", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) == (ssize_t)(size - 1)) {
		/* 255: all of it; otherwise a fraction, as if a signature followed. */
		content = data[0] == 255 ? size - 1 : (size - 1) * data[0] / 255;
		sbx_embed_check_fd(fd, content, &diag);
	}
	close(fd);
	return 0;
}
