// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "sign/elf_layout.h"

bool sbx_fd_is_elf(int fd)
{
	char magic[SELFMAG];

	return pread(fd, magic, sizeof(magic), 0) == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG);
}

int sbx_elf_layout_fd(int fd, struct sbx_elf_layout *layout)
{
	GElf_Ehdr ehdr;
	Elf *e;
	int err = 0;

	memset(layout, 0, sizeof(*layout));
	if (!sbx_fd_is_elf(fd) || elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return -ENOEXEC;
	if (gelf_getehdr(e, &ehdr)) {
		layout->shoff = ehdr.e_shoff;
		layout->shnum = ehdr.e_shnum;
		layout->phnum = ehdr.e_phnum;
	} else {
		err = -ENOEXEC;
	}
	elf_end(e);
	return err;
}
