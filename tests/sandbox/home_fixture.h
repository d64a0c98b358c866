/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the app-container suites (run_home*.c): a private directory with a home
 * (home/, 0700), XDG_DATA_HOME in it (data/, where sbx makes the containers) and a private
 * copy of sh, so that every container a test makes is that test's alone.
 */
#ifndef SBX_TEST_HOME_FIXTURE_H
#define SBX_TEST_HOME_FIXTURE_H

#include <dirent.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

FIXTURE(home)
{
	char dir[PATH_MAX], home[PATH_MAX + 8], data[PATH_MAX + 8], sh[PATH_MAX + 8];
	char env_path[PATH_MAX + 8], env_home[PATH_MAX + 16], env_data[PATH_MAX + 32];
	char *envp[8];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(home)
{
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	snprintf(self->data, sizeof(self->data), "%s/data", self->dir);
	snprintf(self->sh, sizeof(self->sh), "%s/sh", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, sbx_sh(self->r, "cp /bin/sh '%s'", self->sh));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(self->env_path, sizeof(self->env_path), "PATH=/usr/bin:/bin");
	snprintf(self->env_home, sizeof(self->env_home), "HOME=%s", self->home);
	snprintf(self->env_data, sizeof(self->env_data), "XDG_DATA_HOME=%s", self->data);
	self->envp[0] = self->env_path;
	self->envp[1] = self->env_home;
	self->envp[2] = self->env_data;
	self->envp[3] = NULL;
}

FIXTURE_TEARDOWN(home)
{
	sbx_sh(self->r, "chmod -R u+rwx '%s' 2>/dev/null", self->dir);
	sbx_rmtree(self->dir);
	free(self->r);
}

/* sbx run --allow-root [ARGS...] -- (the private sh) -c SCRIPT, in the fixture's env. */
#define RUN_SH(script, ...)                                                              \
	({                                                                               \
		char *__argv[] = {                                                       \
			(char *)sbx_bin(), "run", "--allow-root",   ##__VA_ARGS__, "--", \
			self->sh,	   "-c",  (char *)(script), NULL                 \
		};                                                                       \
		sbx_run_capture_env(__argv, self->envp, self->r);                        \
	})

/* The container of the private sh: the one directory under data/sbx/containers. */
static int container_dir(FIXTURE_DATA(home) * self, char *out, size_t len)
{
	char root[PATH_MAX + 32];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(root, sizeof(root), "%s/sbx/containers", self->data);
	d = opendir(root);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !strstr(e->d_name, ".owner") && ++n == 1)
			snprintf(out, len, "%.3800s/%.255s", root, e->d_name);
	closedir(d);
	return n == 1 ? 0 : -1;
}

#endif /* SBX_TEST_HOME_FIXTURE_H */
