/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where an ELF file's section headers are (libelf), to recognise strip/objcopy. */
#ifndef SBX_SIGN_ELF_LAYOUT_H
#define SBX_SIGN_ELF_LAYOUT_H

#include <stdbool.h>

#include "diag.h"
#include "sign/format.h"

/* Does fd start with the ELF magic? */
bool sbx_fd_is_elf(int fd);
/* Fill layout from fd's ELF header; -ENOEXEC if it is not ELF. */
int sbx_elf_layout_fd(int fd, struct sbx_elf_layout *layout);

/*
 * May the first content_len bytes of fd carry an appended signature? Not when a loader
 * could read past them: a zip archive (found by its end of central directory record in
 * the last 64 KiB), or an ELF file whose headers, segments or sections reach past them.
 * -EMEDIUMTYPE with a sentence that says to sign detached.
 */
int sbx_embed_check_fd(int fd, uint64_t content_len, struct sbx_diag *diag);

#endif /* SBX_SIGN_ELF_LAYOUT_H */
