/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where an ELF file's section headers are (libelf), to recognise strip/objcopy. */
#ifndef SBX_SIGN_ELF_LAYOUT_H
#define SBX_SIGN_ELF_LAYOUT_H

#include <stdbool.h>

#include "sign/format.h"

/* Does fd start with the ELF magic? */
bool sbx_fd_is_elf(int fd);
/* Fill layout from fd's ELF header; -ENOEXEC if it is not ELF. */
int sbx_elf_layout_fd(int fd, struct sbx_elf_layout *layout);

#endif /* SBX_SIGN_ELF_LAYOUT_H */
