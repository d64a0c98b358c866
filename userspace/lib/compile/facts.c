// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host facts from the environment: the one impure part of compiling, kept apart so that
 * sbx_compile() stays a function of its inputs. User directories follow the XDG
 * user-dirs spec: ~/.config/user-dirs.dirs lines such as XDG_DOWNLOAD_DIR="$HOME/Dl".
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/compile.h"

struct arena {
	char *p;
	size_t left;
};

static const char *arena_put(struct arena *a, const char *s1, const char *s2)
{
	size_t n1 = strlen(s1), n2 = s2 ? strlen(s2) : 0;
	char *out = a->p;

	if (n1 + n2 + 1 > a->left)
		return NULL;
	memcpy(out, s1, n1);
	if (s2)
		memcpy(out + n1, s2, n2);
	out[n1 + n2] = '\0';
	a->p += n1 + n2 + 1;
	a->left -= n1 + n2 + 1;
	return out;
}

static const char *absolute_env(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] == '/' ? v : NULL;
}

/* One value from user-dirs.dirs: "$HOME/x" or "/abs", quoted; NULL if absent or bad. */
static const char *user_dir(struct arena *a, FILE *f, const char *key, const char *home)
{
	char line[1024];
	size_t klen = strlen(key);

	if (!f)
		return NULL;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		char *v, *end;

		if (strncmp(line, key, klen) || line[klen] != '=' || line[klen + 1] != '"')
			continue;
		v = line + klen + 2;
		end = strchr(v, '"');
		if (!end)
			continue;
		*end = '\0';
		if (!strncmp(v, "$HOME/", 6))
			return arena_put(a, home, v + 5);
		if (!strcmp(v, "$HOME"))
			return NULL; /* "disabled" in the spec's words: no such directory */
		if (v[0] == '/' && !strstr(v, "/../"))
			return arena_put(a, v, NULL);
	}
	return NULL;
}

/* no_new_privs and a seccomp filter: what every program sbx runs has. */
static bool running_confined(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 &&
	       prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2; /* SECCOMP_MODE_FILTER */
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* "/"'s entries, sorted, as "a\0b\0\0" in the arena; NULL if unreadable or too many. */
static const char *root_entries(struct arena *a)
{
	char names[256][256];
	const char *sorted[256];
	size_t n = 0, need = 1;
	DIR *d = opendir("/");
	struct dirent *e;
	char *start = a->p;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == 256) {
			closedir(d);
			return NULL;
		}
		snprintf(names[n], sizeof(names[n]), "%s", e->d_name);
		sorted[n] = names[n];
		need += strlen(names[n]) + 1;
		n++;
	}
	closedir(d);
	if (need > a->left)
		return NULL;
	qsort(sorted, n, sizeof(sorted[0]), by_name);
	for (size_t i = 0; i < n; i++)
		arena_put(a, sorted[i], NULL);
	*a->p++ = '\0';
	a->left--;
	return start;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * Where the app containers go: $XDG_DATA_HOME, else $HOME/.local/share. A HOME that is not
 * a directory (uid 65534's /nonexistent, a service account's) falls back to
 * $XDG_RUNTIME_DIR (the user's, removed at logout), with a note; without one, the sentence
 * saying what to set.
 */
static int data_home(struct sbx_host_facts *facts, struct arena *a, const char *home)
{
	char why[PATH_MAX + 200];

	if (absolute_env("XDG_DATA_HOME")) {
		facts->xdg_data_home = arena_put(a, getenv("XDG_DATA_HOME"), NULL);
		return facts->xdg_data_home ? 0 : -ENOSPC;
	}
	if (is_dir(home)) {
		facts->xdg_data_home = arena_put(a, home, "/.local/share");
		facts->data_home_base = arena_put(a, home, NULL);
		return facts->xdg_data_home && facts->data_home_base ? 0 : -ENOSPC;
	}
	if (facts->xdg_runtime_dir && is_dir(facts->xdg_runtime_dir)) {
		snprintf(why, sizeof(why),
			 "HOME=%.*s is not a directory: the app containers are under "
			 "$XDG_RUNTIME_DIR (%.*s), which ends with the login session; set "
			 "XDG_DATA_HOME to keep them",
			 PATH_MAX / 2, home, PATH_MAX / 2, facts->xdg_runtime_dir);
		facts->xdg_data_home = arena_put(a, facts->xdg_runtime_dir, NULL);
	} else {
		snprintf(why, sizeof(why),
			 "no place for the app container: HOME=%.*s is not a directory and "
			 "XDG_RUNTIME_DIR is not set; set XDG_DATA_HOME (or HOME) to a directory "
			 "of yours",
			 PATH_MAX, home);
		facts->xdg_data_home = NULL;
	}
	facts->data_home_problem = arena_put(a, why, NULL);
	return facts->data_home_problem ? 0 : -ENOSPC;
}

int sbx_host_facts_from_environment(struct sbx_host_facts *facts, char *storage, size_t storage_len)
{
	struct arena a = { storage, storage_len };
	const char *home = absolute_env("HOME");
	const char *config = absolute_env("XDG_CONFIG_HOME");
	const char *state = absolute_env("XDG_STATE_HOME");
	const char *dirs_file;
	FILE *f;
	int err;

	if (!home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	if (!home)
		return -ENOENT;
	facts->in_sandbox = running_confined();
	facts->home = arena_put(&a, home, NULL);
	facts->xdg_runtime_dir = absolute_env("XDG_RUNTIME_DIR")
					 ? arena_put(&a, getenv("XDG_RUNTIME_DIR"), NULL)
					 : NULL;
	err = data_home(facts, &a, home);
	if (err)
		return err;
	dirs_file = config ? arena_put(&a, config, "/user-dirs.dirs")
			   : arena_put(&a, home, "/.config/user-dirs.dirs");
	if (!facts->home || !dirs_file)
		return -ENOSPC;
	f = fopen(dirs_file, "re");
	facts->xdg_download_dir = user_dir(&a, f, "XDG_DOWNLOAD_DIR", home);
	facts->xdg_pictures_dir = user_dir(&a, f, "XDG_PICTURES_DIR", home);
	facts->xdg_music_dir = user_dir(&a, f, "XDG_MUSIC_DIR", home);
	facts->xdg_videos_dir = user_dir(&a, f, "XDG_VIDEOS_DIR", home);
	if (f)
		fclose(f);
	if (!facts->xdg_download_dir)
		facts->xdg_download_dir = arena_put(&a, home, "/Downloads");
	if (!facts->xdg_pictures_dir)
		facts->xdg_pictures_dir = arena_put(&a, home, "/Pictures");
	if (!facts->xdg_music_dir)
		facts->xdg_music_dir = arena_put(&a, home, "/Music");
	if (!facts->xdg_videos_dir)
		facts->xdg_videos_dir = arena_put(&a, home, "/Videos");
	if (!facts->xdg_download_dir || !facts->xdg_pictures_dir || !facts->xdg_music_dir ||
	    !facts->xdg_videos_dir)
		return -ENOSPC;
	facts->xdg_config_home = config ? arena_put(&a, config, NULL) : NULL;
	facts->xdg_state_home = state ? arena_put(&a, state, NULL) : NULL;
	if ((config && !facts->xdg_config_home) || (state && !facts->xdg_state_home))
		return -ENOSPC;
	facts->root_entries = root_entries(&a);
	return 0;
}
