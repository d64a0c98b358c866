// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/lookup.h"
#include "profile/profile_internal.h"
#include "statedir.h"

#ifndef SBX_DATADIR /* the build sets $(DATADIR) */
#define SBX_DATADIR "/usr/local/share"
#endif
#ifndef SBX_SYSCONFDIR /* the build sets $(SYSCONFDIR) */
#define SBX_SYSCONFDIR "/etc"
#endif

#define PROFILE_EXT ".yaml"

const char *sbx_profile_origin_name(enum sbx_profile_origin o)
{
	static const char *const names[] = {
		[SBX_PROFILE_ORIGIN_FILE] = "file",
		[SBX_PROFILE_ORIGIN_ENV] = "SBX_PROFILE_PATH",
		[SBX_PROFILE_ORIGIN_USER] = "user",
		[SBX_PROFILE_ORIGIN_SYSTEM] = "system",
		[SBX_PROFILE_ORIGIN_SOURCE] = "source",
		[SBX_PROFILE_ORIGIN_SHIPPED] = "shipped",
	};

	return (size_t)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

bool sbx_profile_names_file(const char *arg)
{
	static const char *const ext[] = { ".yaml", ".yml", ".plist", ".entitlements" };
	size_t n = strlen(arg);

	if (strchr(arg, '/'))
		return true;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (n > strlen(ext[i]) && !strcmp(arg + n - strlen(ext[i]), ext[i]))
			return true;
	return false;
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static size_t add_dir(struct sbx_profile_dir *dirs, size_t n, size_t max, enum sbx_profile_origin o,
		      const char *fmt, const char *a, const char *b)
{
	if (n == max)
		return n;
	dirs[n].origin = o;
	if (snprintf(dirs[n].path, sizeof(dirs[n].path), fmt, a, b) >= (int)sizeof(dirs[n].path))
		return n;
	return n + 1;
}

/* base/rel is the user's own, or not there yet (it lists no profile then). */
static bool user_own(const char *base, const char *rel)
{
	struct sbx_diag d = { 0 };
	int fd = sbx_state_dir_check(base, rel, "the user's profiles", &d);

	if (fd < 0)
		return fd == -ENOENT;
	close(fd);
	return true;
}

size_t sbx_profile_search_path(struct sbx_profile_dir *dirs, size_t max)
{
	const char *env = getenv("SBX_PROFILE_PATH"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char exe[PATH_MAX];
	ssize_t len;
	size_t n = 0;

	for (const char *p = env; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
		char dir[PATH_MAX];

		if (dlen && dlen < sizeof(dir)) {
			memcpy(dir, p, dlen);
			dir[dlen] = '\0';
			n = add_dir(dirs, n, max, SBX_PROFILE_ORIGIN_ENV, "%s%s", dir, "");
		}
		p = colon ? colon + 1 : NULL;
	}
	/*
	 * XDG: a relative XDG_CONFIG_HOME is invalid and ignored. The user's profiles decide
	 * what a sandbox may do, so only from directories nobody else can change (statedir.h):
	 * not a user's, read by root's sbx with that user's HOME, nor one others may write.
	 */
	if (xdg && xdg[0] == '/' && user_own(xdg, "sbx/profiles"))
		n = add_dir(dirs, n, max, SBX_PROFILE_ORIGIN_USER, "%s%s", xdg, "/sbx/profiles");
	else if (!(xdg && xdg[0] == '/') && home && home[0] == '/' &&
		 user_own(home, ".config/sbx/profiles"))
		n = add_dir(dirs, n, max, SBX_PROFILE_ORIGIN_USER, "%s%s", home,
			    "/.config/sbx/profiles");
	n = add_dir(dirs, n, max, SBX_PROFILE_ORIGIN_SYSTEM, "%s%s", SBX_SYSCONFDIR,
		    "/sbx/profiles");
	/* A build directory inside the source tree: its profiles are this build's shipped. */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash && (size_t)(slash - exe) + sizeof("/../profiles") <= sizeof(exe)) {
			char *real;

			strcpy(slash, "/../profiles");
			real = realpath(exe, NULL);
			if (real)
				n = add_dir(dirs, n, max, SBX_PROFILE_ORIGIN_SOURCE, "%s%s", real,
					    "");
			free(real);
		}
	}
	return add_dir(dirs, n, max, SBX_PROFILE_ORIGIN_SHIPPED, "%s%s", SBX_DATADIR,
		       "/sbx/profiles");
}

/* The known name closest to name (edit distance at most 2), or "". */
static void closest_name(const char *name, char *out, size_t len)
{
	struct sbx_profile_entry *list = NULL;
	size_t n = 0, best = 3;

	out[0] = '\0';
	if (sbx_profile_list(&list, &n, NULL))
		return;
	for (size_t i = 0; i < n; i++) {
		size_t dist = profile_edit_distance(name, list[i].name);

		if (dist < best) {
			best = dist;
			snprintf(out, len, "%s", list[i].name);
		}
	}
	free(list);
}

int sbx_profile_find(const char *arg, char *out, size_t len, enum sbx_profile_origin *origin,
		     struct sbx_diag *d)
{
	struct sbx_profile_dir dirs[SBX_PROFILE_MAX_DIRS];
	size_t n;
	char where[1024] = "", near[256];

	if (!arg || !*arg)
		return sbx_diag_set(d, -EINVAL, "empty profile name");
	if (sbx_profile_names_file(arg)) {
		if (origin)
			*origin = SBX_PROFILE_ORIGIN_FILE;
		if (snprintf(out, len, "%s", arg) >= (int)len)
			return sbx_diag_set(d, -ENAMETOOLONG, "%s: path too long", arg);
		return is_file(arg) ? 0 : sbx_diag_set(d, -ENOENT, "%s: no such profile file", arg);
	}
	n = sbx_profile_search_path(dirs, SBX_PROFILE_MAX_DIRS);
	for (size_t i = 0; i < n; i++) {
		if (snprintf(out, len, "%s/%s" PROFILE_EXT, dirs[i].path, arg) < (int)len &&
		    is_file(out)) {
			if (origin)
				*origin = dirs[i].origin;
			return 0;
		}
		if (dirs[i].origin != SBX_PROFILE_ORIGIN_SOURCE)
			snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s",
				 where[0] ? ", " : "", dirs[i].path);
	}
	if (!d) /* the caller wants no sentence: spare it the directory scans */
		return -ENOENT;
	closest_name(arg, near, sizeof(near));
	if (near[0])
		return sbx_diag_set(
			d, -ENOENT,
			"unknown profile '%s' (did you mean '%s'? see sbx profile list)", arg,
			near);
	return sbx_diag_set(d, -ENOENT,
			    "unknown profile '%s': not a file, nor %s" PROFILE_EXT
			    " in %s (see sbx profile list)",
			    arg, arg, where);
}

int sbx_profile_list(struct sbx_profile_entry **out, size_t *count, struct sbx_diag *d)
{
	struct sbx_profile_dir dirs[SBX_PROFILE_MAX_DIRS];
	struct sbx_profile_entry *list = NULL;
	size_t n = 0, cap = 0, ndirs = sbx_profile_search_path(dirs, SBX_PROFILE_MAX_DIRS);

	for (size_t i = 0; i < ndirs; i++) {
		DIR *dir = opendir(dirs[i].path);
		struct dirent *de;

		while (dir && (de = readdir(dir))) {
			size_t nl = strlen(de->d_name), el = strlen(PROFILE_EXT);
			struct sbx_profile_entry e = { .origin = dirs[i].origin };

			if (nl <= el || strcmp(de->d_name + nl - el, PROFILE_EXT) ||
			    de->d_name[0] == '.' || nl - el >= sizeof(e.name) ||
			    snprintf(e.path, sizeof(e.path), "%s/%s", dirs[i].path, de->d_name) >=
				    (int)sizeof(e.path) ||
			    !is_file(e.path))
				continue;
			memcpy(e.name, de->d_name, nl - el);
			if (n == cap) {
				struct sbx_profile_entry *l =
					realloc(list, (cap = cap ? 2 * cap : 32) * sizeof(*l));

				if (!l) {
					closedir(dir);
					free(list);
					return sbx_diag_set(d, -ENOMEM, "out of memory");
				}
				list = l;
			}
			list[n++] = e;
		}
		if (dir)
			closedir(dir);
	}
	/* Sorted by name, stable (insertion: a few dozen entries), so each name's entries stay
	 * in search order and the first one is the file sbx_profile_find() picks. */
	for (size_t i = 1; i < n; i++) {
		struct sbx_profile_entry e = list[i];
		size_t k = i;

		for (; k > 0 && strcmp(list[k - 1].name, e.name) > 0; k--)
			list[k] = list[k - 1];
		list[k] = e;
	}
	for (size_t i = 0; i < n; i++)
		list[i].wins = !i || strcmp(list[i].name, list[i - 1].name);
	*out = list;
	*count = n;
	return 0;
}
