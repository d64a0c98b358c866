// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What would lift a refused file act: the --grant mode and the entitlement it needs, or the
 * profile key sbx learn writes. Pure, like the compiler whose rules it mirrors
 * (compile_grants: a read grant needs files.user-selected.read-only or read-write, :rw
 * read-write, :x executable; temporary-exception.files.* lists in a profile).
 */
#include <string.h>

#include "compile/compile.h"

bool sbx_landlock_holds_own(const struct sbx_landlock_plan *l, const char *path)
{
	for (size_t i = 0; l && i < l->n_own; i++)
		if (sbx_path_within(l->own[i], path, strlen(path)))
			return true;
	return false;
}

void sbx_suggest_file_grant(const struct sbx_profile *p, const struct sbx_landlock_plan *own,
			    uint64_t need, const char *dir, const char *path, const char *home,
			    struct sbx_suggestion *out)
{
	bool ro = sbx_profile_entitled(p, "files.user-selected.read-only");
	bool rw = sbx_profile_entitled(p, "files.user-selected.read-write");
	bool in_home;

	memset(out, 0, sizeof(*out));
	out->path = dir;
	if (!(need & LANDLOCK_ACCESS_FS_EXECUTE) && (need & SBX_FS_WRITES) &&
	    sbx_landlock_holds_own(own, dir)) {
		/* sbx run refuses a write rule on or above its own directories (landlock.c). */
		out->path = sbx_landlock_holds_own(own, path) ? NULL : path;
		out->object = out->path != NULL;
		dir = path;
	}
	/* A home of "/" (HOME unset for a service) would make every path home-relative. */
	in_home = home && strcmp(home, "/") && sbx_path_within(dir, home, strlen(home));
	if (need & LANDLOCK_ACCESS_FS_EXECUTE) {
		/* No profile key names an executable path: only the command line grants one. */
		out->mode = ":x";
		out->write = false;
		if (!sbx_profile_entitled(p, "files.user-selected.executable"))
			out->entitlement = "files.user-selected.executable";
		return;
	}
	out->write = (need & SBX_FS_WRITES) != 0;
	if (out->write) {
		out->mode = ":rw";
		if (!rw)
			out->entitlement = "files.user-selected.read-write";
		out->profile_key =
			in_home ? "temporary-exception.files.home-relative-path.read-write"
				: "temporary-exception.files.absolute-path.read-write";
	} else {
		out->mode = "";
		if (!ro && !rw)
			out->entitlement = "files.user-selected.read-only";
		out->profile_key =
			in_home ? "temporary-exception.files.home-relative-path.read-only"
				: "temporary-exception.files.absolute-path.read-only";
	}
	if (in_home) {
		size_t n = strlen(home);

		while (n > 1 && home[n - 1] == '/')
			n--;
		out->profile_path = dir[n] == '/' ? dir + n + 1 : ".";
	} else {
		out->profile_path = dir;
	}
}
