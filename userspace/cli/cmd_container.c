// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx container: the app containers sbx run makes (launch/container.h), like macOS's
 * ~/Library/Containers and Flatpak's ~/.var/app.
 *
 *   sbx container list [--json]     each KEY, its identifier, its owner, whether in use
 *   sbx container path NAME         the directory (the program's HOME)
 *   sbx container rm NAME           remove it (refused while a sbx run uses it)
 *
 * NAME is a KEY or the identifier in exactly one KEY. Exit: 0; 1 no such container, several
 * match, in use, or it could not be removed; 2 usage.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compile/compile.h"
#include "json.h"
#include "launch/container.h"
#include "printable.h"

static int cmd_list(int argc, char **argv);
static int cmd_path(int argc, char **argv);
static int cmd_rm(int argc, char **argv);

static const struct cli_verb verbs[] = {
	{ "list", cmd_list, "[--json]",
	  "every container: its key, identifier, owner, and whether a sbx run uses it" },
	{ "path", cmd_path, "NAME", "the container's directory (the program's HOME in it)" },
	{ "rm", cmd_rm, "NAME",
	  "remove the container and everything in it; refused while a sbx run uses it" },
};

static const struct cli_verbs container_verbs = {
	"container", verbs, sizeof(verbs) / sizeof(verbs[0]),
	"Containers are in $XDG_DATA_HOME/sbx/containers (~/.local/share/sbx/containers). A\n"
	"KEY is signed+ANCHOR+TEAM+IDENTIFIER for signed entitlements, profile+IDENTIFIER+H\n"
	"for any other profile (H from the program's path, the profile and the run's\n"
	"--grant, --allow and --complain: the owner names them). NAME is a KEY, or the\n"
	"identifier of exactly one KEY.\n"
	"Exit: 0; 1 no such container, several match, in use, or not removed; 2 usage.\n"
};

/*
 * The containers directory, from the same facts sbx run compiles with, through its
 * ownership walk: its descriptor, -ENOENT when there is none yet, else -1 (said).
 */
static int containers_root(char *root, size_t len)
{
	struct sbx_host_facts facts = { 0 };
	struct sbx_diag d = { 0 };
	char *storage = malloc(PATH_MAX * 8);
	int fd;

	if (!storage) {
		cli_error("container", "out of memory");
		return -1;
	}
	fd = sbx_host_facts_from_environment(&facts, storage, PATH_MAX * 8);
	if (fd) {
		cli_error("container", "no home directory ($HOME): %s", strerror(-fd));
		fd = -1;
	} else {
		fd = sbx_containers_open(&facts, root, len, &d);
		if (fd < 0 && fd != -ENOENT) {
			cli_error_diag("container", &d);
			fd = -1;
		}
	}
	free(storage);
	return fd;
}

/* argv: VERB NAME, or VERB --help: -1 with *name set, else the exit status. */
static int one_operand(int argc, char **argv, const char **name)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_verbs_help(&container_verbs, argv[0]);
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error("container",
				       "%s: expected one NAME (see sbx container %s --help)",
				       argv[0], argv[0]);
	*name = argv[1];
	return -1;
}

struct list_out {
	struct sbx_json *j; /* --json, else text */
	size_t n;
};

static void list_one(const struct sbx_container_info *c, void *arg)
{
	struct list_out *o = arg;

	o->n++;
	if (!o->j) {
		printf("%s\n  identifier %s%s\n  owner %s\n", SBX_PRINTABLE(c->key),
		       c->identifier[0] ? SBX_PRINTABLE(c->identifier) : "?",
		       c->in_use ? ", in use by a running sbx run" : "",
		       c->owner[0] ? SBX_PRINTABLE(c->owner) : "(not recorded)");
		return;
	}
	sbx_json_object_begin(o->j, NULL);
	sbx_json_string(o->j, "key", c->key);
	sbx_json_string(o->j, "identifier", c->identifier[0] ? c->identifier : NULL);
	sbx_json_string(o->j, "owner", c->owner[0] ? c->owner : NULL);
	sbx_json_bool(o->j, "in_use", c->in_use);
	sbx_json_object_end(o->j);
}

static int cmd_list(int argc, char **argv)
{
	char root[PATH_MAX];
	struct sbx_json j;
	struct list_out o = { NULL, 0 };
	struct sbx_diag d = { 0 };
	bool json = false;
	int rootfd, err = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return cli_verbs_help(&container_verbs, argv[0]);
		else
			return cli_usage_error(
				"container",
				"list: unexpected '%s' (see sbx container list --help)", argv[i]);
	}
	rootfd = containers_root(root, sizeof(root));
	if (rootfd == -1)
		return SBX_EXIT_FAIL;
	if (json) {
		sbx_json_init(&j, stdout, true);
		sbx_json_object_begin(&j, NULL);
		sbx_json_string(&j, "directory", root);
		sbx_json_array_begin(&j, "containers");
		o.j = &j;
	}
	if (rootfd >= 0) {
		err = sbx_container_list(rootfd, root, list_one, &o, &d);
		close(rootfd);
	}
	if (json) {
		sbx_json_array_end(&j);
		sbx_json_object_end(&j);
		sbx_json_finish(&j);
	} else if (!err && !o.n) {
		printf("no containers in %s\n", root);
	}
	if (err) {
		cli_error_diag("container", &d);
		return SBX_EXIT_FAIL;
	}
	return SBX_EXIT_OK;
}

/*
 * VERB NAME: -1 with c filled, root and *rootfd (the caller closes it), else the exit
 * status (help, usage, not found).
 */
static int named(int argc, char **argv, char *root, size_t len, int *rootfd,
		 struct sbx_container_info *c)
{
	struct sbx_diag d = { 0 };
	const char *name = NULL;
	int st = one_operand(argc, argv, &name);

	if (st >= 0)
		return st;
	*rootfd = containers_root(root, len);
	if (*rootfd == -ENOENT)
		cli_error("container", "no container '%s': there are none in %s", name, root);
	if (*rootfd < 0)
		return SBX_EXIT_FAIL;
	if (sbx_container_find(*rootfd, root, name, c, &d)) {
		cli_error_diag("container", &d);
		close(*rootfd);
		return SBX_EXIT_FAIL;
	}
	return -1;
}

static int cmd_path(int argc, char **argv)
{
	static struct sbx_container_info c;
	char root[PATH_MAX];
	int rootfd, st = named(argc, argv, root, sizeof(root), &rootfd, &c);

	if (st >= 0)
		return st;
	close(rootfd);
	printf("%s/%s\n", root, c.key);
	return SBX_EXIT_OK;
}

static int cmd_rm(int argc, char **argv)
{
	static struct sbx_container_info c;
	struct sbx_diag d = { 0 };
	char root[PATH_MAX];
	int rootfd, err, st = named(argc, argv, root, sizeof(root), &rootfd, &c);

	if (st >= 0)
		return st;
	err = sbx_container_remove(rootfd, root, c.key, &d);
	close(rootfd);
	if (err) {
		cli_error_diag("container", &d);
		return SBX_EXIT_FAIL;
	}
	printf("removed %s/%s\n", root, c.key);
	return SBX_EXIT_OK;
}

int cmd_container(int argc, char **argv)
{
	return cli_verbs_dispatch(&container_verbs, argc, argv);
}
