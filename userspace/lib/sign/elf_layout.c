// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
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

static int pread_exact(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -EIO;
}

/* Does [off, off + len) lie inside the first `end` bytes? */
static bool inside(uint64_t off, uint64_t len, uint64_t end)
{
	return off <= end && len <= end - off;
}

static int layout_bad(struct sbx_diag *diag, const char *what)
{
	return sbx_diag_set(diag, -EMEDIUMTYPE,
			    "%s reaches past the signed content, where an appended signature "
			    "would be: sign it --detached or --xattr",
			    what);
}

/*
 * An ELF file's loader reads the program headers' file ranges (PT_LOAD, PT_INTERP,
 * PT_DYNAMIC, ...) and tools read sections: every one must lie inside the signed bytes.
 */
static int elf_inside(int fd, uint64_t end, struct sbx_diag *diag)
{
	unsigned char id[EI_NIDENT];
	GElf_Ehdr eh;
	bool is64;

	if (pread_exact(fd, id, sizeof(id), 0))
		return layout_bad(diag, "the ELF header");
	is64 = id[EI_CLASS] == ELFCLASS64;
	if ((id[EI_CLASS] != ELFCLASS32 && !is64) ||
	    (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB))
		return sbx_diag_set(diag, -EMEDIUMTYPE,
				    "an ELF file of unknown class or byte order cannot carry an "
				    "appended signature: sign it --detached or --xattr");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	{
		/* libelf over the signed bytes alone: a memory image of at most the headers. */
		Elf *e;
		size_t phnum = 0, shnum = 0;
		int err = 0;

		e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		if (!e || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) ||
		    elf_getshdrnum(e, &shnum)) {
			if (e)
				elf_end(e);
			return sbx_diag_set(diag, -EMEDIUMTYPE,
					    "a damaged ELF file cannot carry an appended "
					    "signature: sign it --detached or --xattr");
		}
		if (!inside(0, is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), end))
			err = layout_bad(diag, "the ELF header");
		if (!err && phnum && !inside(eh.e_phoff, (uint64_t)phnum * eh.e_phentsize, end))
			err = layout_bad(diag, "the ELF program header table");
		for (size_t i = 0; !err && i < phnum; i++) {
			GElf_Phdr ph;
			char what[96];

			if (!gelf_getphdr(e, (int)i, &ph)) {
				err = layout_bad(diag, "an ELF program header");
				break;
			}
			if (ph.p_type != PT_NULL && ph.p_filesz &&
			    !inside(ph.p_offset, ph.p_filesz, end)) {
				snprintf(what, sizeof(what), "ELF segment %zu (%s)", i,
					 ph.p_type == PT_LOAD	   ? "PT_LOAD"
					 : ph.p_type == PT_INTERP  ? "PT_INTERP"
					 : ph.p_type == PT_DYNAMIC ? "PT_DYNAMIC"
								   : "program header");
				err = layout_bad(diag, what);
			}
		}
		if (!err && shnum && !inside(eh.e_shoff, (uint64_t)shnum * eh.e_shentsize, end))
			err = layout_bad(diag, "the ELF section header table");
		for (size_t i = 1; !err && i < shnum; i++) {
			Elf_Scn *scn = elf_getscn(e, i);
			GElf_Shdr sh;
			char what[64];

			if (!scn || !gelf_getshdr(scn, &sh)) {
				err = layout_bad(diag, "an ELF section header");
				break;
			}
			if (sh.sh_type != SHT_NOBITS && sh.sh_size &&
			    !inside(sh.sh_offset, sh.sh_size, end)) {
				snprintf(what, sizeof(what), "ELF section %zu", i);
				err = layout_bad(diag, what);
			}
		}
		elf_end(e);
		return err;
	}
}

/* The end of central directory record of a zip archive, searched where readers look. */
static int zip_at_end(int fd, uint64_t end, struct sbx_diag *diag)
{
	static const uint8_t eocd[4] = { 'P', 'K', 5, 6 };
	uint8_t *buf;
	size_t len = end < 65535 + 22 ? (size_t)end : 65535 + 22;
	int err = 0;

	if (len < sizeof(eocd))
		return 0;
	buf = malloc(len);
	if (!buf)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	if (pread_exact(fd, buf, len, end - len)) {
		free(buf);
		return sbx_diag_set(diag, -EIO, "cannot read the file's end");
	}
	/*
	 * A record whose signature is in the content counts even when its last bytes are
	 * not: appended, the signature's own bytes would complete it for a reader.
	 */
	for (size_t i = 0; i + sizeof(eocd) <= len && !err; i++)
		if (!memcmp(buf + i, eocd, sizeof(eocd)))
			err = sbx_diag_set(
				diag, -EMEDIUMTYPE,
				"the file ends with a zip archive (zip, jar, wheel, pyz, "
				"apk): its readers search from the end of the file, so an "
				"appended signature would be read as part of it: sign it "
				"--detached or --xattr");
	free(buf);
	return err;
}

int sbx_embed_check_fd(int fd, uint64_t content_len, struct sbx_diag *diag)
{
	int err = zip_at_end(fd, content_len, diag);

	if (!err && sbx_fd_is_elf(fd))
		err = elf_inside(fd, content_len, diag);
	return err;
}
