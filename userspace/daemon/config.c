// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd.conf: "key = value" lines, '#' comments. Every key is also a flag (--key=value),
 * and flags override the file. A bad line is one "file:line:col: message".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sbxd.h"

void sbxd_config_defaults(struct sbxd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = SBXD_ENFORCE;
	c->scope = SBXD_SCOPE_SANDBOXED;
	snprintf(c->run_dir, sizeof(c->run_dir), "%s", SBXD_RUN_DIR_DEFAULT);
	c->cache_entries = 4096;
	c->queue_max = 128;
	c->timeout_ms = 5000;
	c->events_max_bytes = 4ul << 20;
	c->max_file_bytes = SBXD_MAX_FILE_BYTES_DEFAULT;
	c->memfd_noexec = true;
	c->protect = true;
}

const char *sbxd_mode_name(enum sbxd_mode m)
{
	return m == SBXD_ENFORCE ? "enforce" : "complain";
}

const char *sbxd_scope_name(enum sbxd_scope s)
{
	return s == SBXD_SCOPE_ALL ? "all" : "sandboxed";
}

static int set_uint(unsigned long *out, const char *key, const char *v, unsigned long min,
		    unsigned long max, struct sbx_diag *d)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n < min || n > max)
		return sbx_diag_set(d, -EINVAL, "%s must be a number from %lu to %lu, not '%s'",
				    key, min, max, v);
	*out = n;
	return 0;
}

static int set_path(char *dst, size_t len, const char *key, const char *v, struct sbx_diag *d)
{
	if (v[0] != '/' || strlen(v) >= len)
		return sbx_diag_set(d, -EINVAL, "%s must be an absolute path, not '%s'", key, v);
	snprintf(dst, len, "%s", v);
	return 0;
}

static const char *const keys[] = {
	"mode",	    "scope",	      "tier",	      "trust_dir",  "run_dir",
	"path",	    "cache_entries",  "queue",	      "timeout_ms", "events_max_bytes",
	"launcher", "max_file_bytes", "memfd_noexec", "protect"
};

int sbxd_config_set(struct sbxd_config *c, const char *key, const char *v, struct sbx_diag *d)
{
	unsigned long n;
	int err;

	if (!strcmp(key, "mode")) {
		if (!strcmp(v, "enforce"))
			c->mode = SBXD_ENFORCE;
		else if (!strcmp(v, "complain"))
			c->mode = SBXD_COMPLAIN;
		else
			return sbx_diag_set(d, -EINVAL, "mode is enforce or complain, not '%s'", v);
	} else if (!strcmp(key, "scope")) {
		if (!strcmp(v, "all"))
			c->scope = SBXD_SCOPE_ALL;
		else if (!strcmp(v, "sandboxed"))
			c->scope = SBXD_SCOPE_SANDBOXED;
		else
			return sbx_diag_set(d, -EINVAL, "scope is all or sandboxed, not '%s'", v);
	} else if (!strcmp(key, "tier")) {
		if (!strcmp(v, "auto"))
			c->tier_req = 0;
		else if (!strcmp(v, "F") || !strcmp(v, "K"))
			c->tier_req = v[0];
		else
			return sbx_diag_set(d, -EINVAL, "tier is auto, F or K, not '%s'", v);
	} else if (!strcmp(key, "trust_dir")) {
		return set_path(c->trust_dir, sizeof(c->trust_dir), key, v, d);
	} else if (!strcmp(key, "run_dir")) {
		return set_path(c->run_dir, sizeof(c->run_dir), key, v, d);
	} else if (!strcmp(key, "launcher")) {
		return set_path(c->launcher, sizeof(c->launcher), key, v, d);
	} else if (!strcmp(key, "path")) {
		if (c->npaths == SBXD_MAX_PATHS)
			return sbx_diag_set(d, -E2BIG, "at most %d paths", SBXD_MAX_PATHS);
		err = set_path(c->paths[c->npaths], sizeof(c->paths[0]), key, v, d);
		if (!err)
			c->npaths++;
		return err;
	} else if (!strcmp(key, "cache_entries")) {
		if ((err = set_uint(&n, key, v, 16, 1u << 22, d)))
			return err;
		c->cache_entries = (unsigned int)n;
	} else if (!strcmp(key, "queue")) {
		if ((err = set_uint(&n, key, v, 1, 65536, d)))
			return err;
		c->queue_max = (unsigned int)n;
	} else if (!strcmp(key, "timeout_ms")) {
		if ((err = set_uint(&n, key, v, 10, 600000, d)))
			return err;
		c->timeout_ms = (unsigned int)n;
	} else if (!strcmp(key, "events_max_bytes")) {
		if ((err = set_uint(&n, key, v, 4096, 1ul << 30, d)))
			return err;
		c->events_max_bytes = n;
	} else if (!strcmp(key, "memfd_noexec")) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return sbx_diag_set(d, -EINVAL, "memfd_noexec must be yes or no, not '%s'",
					    v);
		c->memfd_noexec = !strcmp(v, "yes");
	} else if (!strcmp(key, "protect")) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return sbx_diag_set(d, -EINVAL, "protect must be yes or no, not '%s'", v);
		c->protect = !strcmp(v, "yes");
	} else if (!strcmp(key, "max_file_bytes")) {
		if ((err = set_uint(&n, key, v, 1ul << 20, 1ul << 40, d)))
			return err;
		c->max_file_bytes = n;
	} else {
		size_t best = 0, best_len = 0, kl = strlen(key);

		/* "did you mean": the known key sharing the longest prefix. */
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t l = 0;

			while (l < kl && keys[i][l] == key[l])
				l++;
			if (l > best_len)
				best = i, best_len = l;
		}
		if (best_len >= 2)
			return sbx_diag_set(d, -EINVAL, "unknown key '%s' (did you mean '%s'?)",
					    key, keys[best]);
		return sbx_diag_set(d, -EINVAL, "unknown key '%s'", key);
	}
	return 0;
}

static char *trim(char *s, char **end)
{
	while (isspace((unsigned char)*s))
		s++;
	*end = s + strlen(s);
	while (*end > s && isspace((unsigned char)(*end)[-1]))
		*--*end = '\0';
	return s;
}

/*
 * The configuration file itself, never through a symbolic link, and a regular file (or
 * /dev/null: no configuration). One rule whether sbxd arms self-protection or not:
 * arming guards the file's own inode and refuses a link (bpf-enforcer's guard), so an
 * unarmed sbxd that followed one would read what an armed one refuses, and a file read
 * through a link is not the file anyone guards or reviews.
 */
static FILE *config_open(const char *file, struct sbx_diag *d)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	struct stat st;
	FILE *f;

	if (fd < 0 && errno == ELOOP) {
		sbx_diag_set(d, -ELOOP,
			     "%s is a symbolic link: sbxd reads its configuration from the file "
			     "itself (name the real path)",
			     file);
		return NULL;
	}
	if (fd < 0) {
		sbx_diag_set(d, -errno, "cannot open %s: %s", file, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) ||
	    !(S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))) {
		sbx_diag_set(d, -EINVAL, "%s is not a regular file", file);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		sbx_diag_set(d, -errno, "cannot open %s: %s", file, strerror(errno));
		close(fd);
	}
	return f;
}

int sbxd_config_load(struct sbxd_config *c, const char *file, bool must_exist, struct sbx_diag *d)
{
	FILE *f = config_open(file, d);
	char line[1024];
	unsigned int lineno = 0;
	int err = 0;

	if (!f) {
		if (d->err == -ENOENT && !must_exist) {
			memset(d, 0, sizeof(*d));
			return 0;
		}
		return d->err;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *val, *eq, *end, *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = '\0';
		key = trim(line, &end);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			err = sbx_diag_set_at(d, -EINVAL, file, lineno,
					      (unsigned int)(key - line) + 1,
					      "expected 'key = value'");
			break;
		}
		*eq = '\0';
		trim(key, &end);
		val = trim(eq + 1, &end);
		err = sbxd_config_set(c, key, val, d);
		if (err) {
			char msg[sizeof(d->msg)];
			unsigned int col = (unsigned int)(key - line) + 1;

			/* A bad value points at the value, an unknown key at the key. */
			if (strncmp(d->msg, "unknown key", 11))
				col = (unsigned int)(val - line) + 1;
			snprintf(msg, sizeof(msg), "%s", d->msg);
			sbx_diag_set_at(d, err, file, lineno, col, "%s", msg);
			break;
		}
	}
	fclose(f);
	return err;
}
