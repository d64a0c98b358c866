/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Profiles by name: the one place that turns a profile NAME into a file, for `sbx run
 * --profile`, `sbx profile explain|lint|show`, `sbx sign --profile` and the launcher's
 * choice by program name. A FILE has a slash or a profile's extension (.yaml, .yml,
 * .plist, .entitlements) and is taken as it is; anything else is a NAME, looked up as
 * NAME.yaml in each directory of the search path, first found wins:
 *
 *   $SBX_PROFILE_PATH   a colon list (tests, experiments)
 *   user                $XDG_CONFIG_HOME/sbx/profiles (~/.config/sbx/profiles)
 *   system              $(SYSCONFDIR)/sbx/profiles (/etc/sbx/profiles)
 *   source              profiles/ of the source tree whose build directory holds sbx
 *   shipped             $(DATADIR)/sbx/profiles
 *
 * so a user's curl.yaml overrides the system's, which overrides the shipped one.
 */
#ifndef SBX_PROFILE_LOOKUP_H
#define SBX_PROFILE_LOOKUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

enum sbx_profile_origin {
	SBX_PROFILE_ORIGIN_FILE, /* named as a file, not looked up */
	SBX_PROFILE_ORIGIN_ENV,
	SBX_PROFILE_ORIGIN_USER,
	SBX_PROFILE_ORIGIN_SYSTEM,
	SBX_PROFILE_ORIGIN_SOURCE,
	SBX_PROFILE_ORIGIN_SHIPPED,
};

#define SBX_PROFILE_MAX_DIRS 16

struct sbx_profile_dir {
	enum sbx_profile_origin origin;
	char path[PATH_MAX];
};

struct sbx_profile_entry {
	char name[256];
	enum sbx_profile_origin origin;
	char path[PATH_MAX];
	bool wins; /* the file NAME resolves to; false: overridden by an earlier directory */
};

/* "file", "SBX_PROFILE_PATH", "user", "system", "source", "shipped". */
const char *sbx_profile_origin_name(enum sbx_profile_origin o);
/* True when arg names a file (a slash or a profile's extension), not a NAME. */
bool sbx_profile_names_file(const char *arg);
/* The search path, in order (directories that do not exist included); returns the count. */
size_t sbx_profile_search_path(struct sbx_profile_dir *dirs, size_t max);
/*
 * arg (FILE or NAME) to a profile file in out. Returns 0; -ENOENT with a sentence in d
 * naming where it looked (and the closest name there is; d NULL: no sentence, no search for
 * one); -ENAMETOOLONG.
 */
int sbx_profile_find(const char *arg, char *out, size_t len, enum sbx_profile_origin *origin,
		     struct sbx_diag *d);
/* Every NAME.yaml on the search path, sorted by name then search order; free(*out). */
int sbx_profile_list(struct sbx_profile_entry **out, size_t *n, struct sbx_diag *d);

#endif /* SBX_PROFILE_LOOKUP_H */
