// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel instrumentation loaded before self-protection arms (instr.h). sbx's own programs
 * are the ones pinned in the pin directory (prog_*): their ids are read from the pins,
 * never trusted from a program's name, which its loader chooses.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/instr.h"
#include "sbx_instr.h"

#define INSTR_OWN_MAX	96 /* enforcer.c's ENFORCER_PROGS_MAX */
#define INSTR_USED_MAPS 64 /* the kernel's MAX_USED_MAPS */

/* The ids of sbx's own programs (prog_*), or of its maps (every other name but link_*). */
static size_t instr_own_ids(const char *pin_dir, bool maps, uint32_t *ids, size_t max)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t n = 0;
	DIR *dp = opendir(pin_dir);

	while (dp && n < max && (de = readdir(dp))) {
		union {
			struct bpf_prog_info prog;
			struct bpf_map_info map;
		} info;
		__u32 len = sizeof(info);
		bool prog = !strncmp(de->d_name, "prog_", 5);
		int fd;

		if (de->d_name[0] == '.' || prog == maps || !strncmp(de->d_name, "link_", 5) ||
		    snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name) >= (int)sizeof(path))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			ids[n++] = maps ? info.map.id : info.prog.id;
		close(fd);
	}
	if (dp)
		closedir(dp);
	return n;
}

/*
 * kernel.ftrace_enabled: 0 turns every ftrace call site into a NOP, the BPF trampolines of
 * sbx's LSM programs included (atk6k F1). instr_guard refuses the write while armed; this
 * refuses to arm over a 0 written before. No file (no function tracer): nothing to check.
 */
static int instr_ftrace_on(struct sbx_diag *d)
{
	char c = '1';
	FILE *f = fopen("/proc/sys/kernel/ftrace_enabled", "re");

	if (!f)
		return 0;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	if (c != '0')
		return 0;
	return sbx_diag_set(d, -EBUSY,
			    "bpf-instr: kernel.ftrace_enabled is 0, which stops every BPF LSM "
			    "program: set it to 1 before arming");
}

int sbx_instr_check(const char *pin_dir, struct sbx_instr_found *found, struct sbx_diag *d)
{
	uint32_t own[INSTR_OWN_MAX], own_maps[INSTR_OWN_MAX], id = 0;
	size_t nown = instr_own_ids(pin_dir, false, own, INSTR_OWN_MAX);
	size_t nmaps = instr_own_ids(pin_dir, true, own_maps, INSTR_OWN_MAX);
	struct sbx_instr_found none;
	int err;

	if (!found)
		found = &none;
	memset(found, 0, sizeof(*found));
	err = instr_ftrace_on(d);
	if (err)
		return err;
	while (!bpf_prog_get_next_id(id, &id)) {
		uint32_t used[INSTR_USED_MAPS], sbx_map = 0;
		struct bpf_prog_info info = { .nr_map_ids = INSTR_USED_MAPS,
					      .map_ids = (__u64)(uintptr_t)used };
		__u32 len = sizeof(info);
		const char *type;
		bool mine = false;
		int fd, err;

		for (size_t i = 0; i < nown && !mine; i++)
			mine = own[i] == id;
		if (mine)
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0 && errno == ENOENT)
			continue; /* unloaded since */
		if (fd < 0)
			return sbx_diag_set(d, -errno, "bpf-instr: cannot open BPF program %u: %s",
					    id, strerror(errno));
		err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
		close(fd);
		if (err)
			return sbx_diag_set(d, err, "bpf-instr: cannot read BPF program %u: %s", id,
					    strerror(-err));
		for (__u32 i = 0; i < info.nr_map_ids && i < INSTR_USED_MAPS; i++)
			for (size_t j = 0; j < nmaps && !sbx_map; j++)
				sbx_map = used[i] == own_maps[j] ? used[i] : 0;
		if (sbx_map)
			return sbx_diag_set(
				d, -EBUSY,
				"bpf-instr: BPF program %u (%s) uses sbx's map %u: it "
				"would write what only sbxd may: unload it before arming",
				id, info.name[0] ? info.name : "no name", sbx_map);
		if (SBX_INSTR_ALLOWED(info.type))
			continue;
		if (info.type == BPF_PROG_TYPE_LSM) {
			if (!found->lsm++) {
				found->lsm_id = id;
				snprintf(found->lsm_name, sizeof(found->lsm_name), "%s", info.name);
			}
			continue;
		}
		type = libbpf_bpf_prog_type_str(info.type);
		return sbx_diag_set(
			d, -EBUSY,
			"bpf-instr: BPF program %u (%s, type %s) instruments the kernel "
			"below self-protection's hooks: unload it before arming",
			id, info.name[0] ? info.name : "no name", type ? type : "unknown");
	}
	if (errno != ENOENT)
		return sbx_diag_set(d, -errno, "bpf-instr: cannot list BPF programs: %s",
				    strerror(errno));
	return 0;
}
