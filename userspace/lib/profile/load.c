// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * From a document tree to a validated profile: top-level keys, the entitlement table,
 * value types, paths, includes and their layering, launch constraints, contradictions.
 *
 * Layering (include): a file's includes are loaded first, in order, then the file's own
 * keys on top. Where two layers set the same boolean, the more restrictive value wins
 * (false for a grant, true for app-sandbox), so a local file can add grants its base does
 * not mention and can turn a base's grant off, but can never turn on a grant a base set to
 * false, nor turn the sandbox off. Lists of paths are joined; launch constraints of every
 * layer must all hold. The identifier is the top file's; an included file's is ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/profile_internal.h"

#define PATH_MAX_LEN 4096

struct load_ctx {
	struct sbx_profile *p;
	struct sbx_diag *diag;
	char *stack[SBX_PROFILE_MAX_INCLUDE_DEPTH + 1]; /* real paths of files being loaded */
	int depth;
	bool signed_bytes; /* from a signature: self-contained, no include */
	bool ignore_unknown; /* an unknown key is a warning, and dropped */
};

static int nomem(struct sbx_diag *d)
{
	return sbx_diag_set(d, -ENOMEM, "out of memory");
}

static void entitlement_clear(struct sbx_entitlement *e)
{
	free(e->key);
	free(e->string);
	for (size_t i = 0; i < e->n_list; i++)
		free(e->list[i]);
	free(e->list);
	free(e->file);
	memset(e, 0, sizeof(*e));
}

void sbx_profile_free(struct sbx_profile *p)
{
	if (!p)
		return;
	free(p->identifier);
	free(p->source);
	for (size_t i = 0; i < p->n_entitlements; i++)
		entitlement_clear(&p->entitlements[i]);
	free(p->entitlements);
	for (int s = 0; s < SBX_LC_NSLOTS; s++) {
		if (p->launch[s])
			profile_lc_free(p->launch[s]);
		free(p->launch[s]);
	}
	for (size_t i = 0; i < p->n_includes; i++)
		free(p->includes[i]);
	free(p->includes);
	for (size_t i = 0; i < p->n_warnings; i++) {
		free(p->warnings[i].file);
		free(p->warnings[i].msg);
	}
	free(p->warnings);
	free(p);
}

static int add_warning(struct load_ctx *c, const char *file, unsigned int line, unsigned int col,
		       char *msg)
{
	struct sbx_profile *p = c->p;
	struct sbx_profile_warning *w;

	if (!msg)
		return nomem(c->diag);
	w = realloc(p->warnings, (p->n_warnings + 1) * sizeof(*w));
	if (!w) {
		free(msg);
		return nomem(c->diag);
	}
	p->warnings = w;
	w[p->n_warnings] = (struct sbx_profile_warning){
		.file = strdup(file), .line = line, .col = col, .msg = msg
	};
	if (!w[p->n_warnings].file) {
		free(msg);
		return nomem(c->diag);
	}
	p->n_warnings++;
	return 0;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* ---- keys ---- */

static bool is_apple_namespace(const char *key)
{
	return (!strncmp(key, "com.apple.", 10) &&
		strncmp(key, SBX_APPLE_SECURITY_PREFIX, strlen(SBX_APPLE_SECURITY_PREFIX))) ||
	       !strcmp(key, "keychain-access-groups") || !strcmp(key, "application-identifier");
}

/* The stored name of key: the table's short name, or an Apple key as written. */
static const char *canonical_name(const char *key, const struct sbx_key_info **info)
{
	*info = sbx_key_lookup(key);
	if (*info)
		return (*info)->name;
	return is_apple_namespace(key) ? key : NULL;
}

const struct sbx_entitlement *sbx_profile_get(const struct sbx_profile *p, const char *key)
{
	const struct sbx_key_info *info;
	const char *name = canonical_name(key, &info);

	for (size_t i = 0; p && name && i < p->n_entitlements; i++)
		if (!strcmp(p->entitlements[i].key, name))
			return &p->entitlements[i];
	return NULL;
}

bool sbx_profile_entitled(const struct sbx_profile *p, const char *key)
{
	const struct sbx_entitlement *e = sbx_profile_get(p, key);

	if (!e)
		return false;
	return e->kind == SBX_VALUE_BOOL ? e->boolean : true;
}

const char *sbx_profile_identifier(const struct sbx_profile *p)
{
	return p ? p->identifier : NULL;
}

/* ---- values ---- */

static bool has_dotdot(const char *path)
{
	for (const char *s = path; (s = strstr(s, "..")); s += 2)
		if ((s == path || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

/* Collapse repeated slashes and drop a trailing one; returns a new string. */
static char *normalize_path(const char *in)
{
	char *out = malloc(strlen(in) + 2), *o = out;

	if (!out)
		return NULL;
	for (const char *s = in; *s; s++)
		if (*s != '/' || o == out || o[-1] != '/')
			*o++ = *s;
	if (o - out > 1 && o[-1] == '/')
		o--;
	*o = '\0';
	return out;
}

static int check_path(struct load_ctx *c, const char *file, const char *key,
		      const struct pnode *item, char **out)
{
	bool home_relative = strstr(key, "home-relative-path") != NULL;
	const char *s = item->str;
	char *norm;

	if (strlen(s) >= PATH_MAX_LEN)
		return sbx_diag_set_at(c->diag, -ENAMETOOLONG, file, item->line, item->col,
				       "path in %s is longer than %d bytes", key, PATH_MAX_LEN);
	if (!home_relative && s[0] != '/')
		return sbx_diag_set_at(c->diag, -EINVAL, file, item->line, item->col,
				       "path '%s' in %s must be absolute", s, key);
	if (home_relative && s[0] == '~')
		return sbx_diag_set_at(c->diag, -EINVAL, file, item->line, item->col,
				       "path '%s' in %s is already relative to $HOME: drop the '~'",
				       s, key);
	if (has_dotdot(s))
		return sbx_diag_set_at(c->diag, -EINVAL, file, item->line, item->col,
				       "path '%s' in %s must not contain '..'", s, key);
	if (home_relative && s[0] != '/') {
		char *slashed = xasprintf("/%s", s);

		norm = slashed ? normalize_path(slashed) : NULL;
		free(slashed);
	} else {
		norm = normalize_path(s);
	}
	if (!norm)
		return nomem(c->diag);
	*out = norm;
	return 0;
}

/* Fill e (key already set) from the value node, checking its type. */
static int read_value(struct load_ctx *c, const char *file, const struct sbx_key_info *info,
		      const char *written, const struct pnode *v, struct sbx_entitlement *e,
		      bool *skip)
{
	bool apple_only = !info || info->class == SBX_KEY_APPLE_ONLY;
	enum sbx_value_kind want = info ? info->kind : SBX_VALUE_STRING;

	*skip = false;
	if (v->kind == PNODE_BOOL && (want == SBX_VALUE_BOOL || apple_only)) {
		e->kind = SBX_VALUE_BOOL;
		e->boolean = v->boolean;
		return 0;
	}
	if (v->kind == PNODE_STRING && apple_only) {
		e->kind = SBX_VALUE_STRING;
		return (e->string = strdup(v->str)) ? 0 : nomem(c->diag);
	}
	if (v->kind == PNODE_SEQ && (want == SBX_VALUE_LIST || apple_only)) {
		e->kind = SBX_VALUE_LIST;
		e->list = calloc(v->n + 1, sizeof(*e->list));
		if (!e->list)
			return nomem(c->diag);
		for (size_t i = 0; i < v->n; i++) {
			const struct pnode *item = v->items[i];
			int err;

			if (item->kind != PNODE_STRING) {
				if (apple_only) {
					*skip = true;
					return 0;
				}
				return sbx_diag_set_at(
					c->diag, -EINVAL, file, item->line, item->col,
					"'%s' must be a list of strings, but item %zu "
					"is %s",
					written, i + 1, pnode_kind_name(item));
			}
			if (apple_only)
				err = (e->list[i] = strdup(item->str)) ? 0 : nomem(c->diag);
			else
				err = check_path(c, file, e->key, item, &e->list[i]);
			if (err)
				return err;
			e->n_list++;
		}
		return 0;
	}
	if (apple_only) {
		*skip = true; /* a dictionary or number: nothing sbx could keep or use */
		return 0;
	}
	if (want == SBX_VALUE_BOOL)
		return sbx_diag_set_at(c->diag, -EINVAL, file, v->line, v->col,
				       "'%s' must be true or false, not %s%s%s%s", written,
				       pnode_kind_name(v), v->kind == PNODE_STRING ? " ('" : "",
				       v->kind == PNODE_STRING ? v->str : "",
				       v->kind == PNODE_STRING ? "')" : "");
	return sbx_diag_set_at(c->diag, -EINVAL, file, v->line, v->col,
			       "'%s' must be a list of strings, not %s", written,
			       pnode_kind_name(v));
}

/* ---- merging a layer's entitlement into the profile ---- */

static bool restrictive_true(const char *key)
{
	return !strcmp(key, "app-sandbox");
}

static int list_append_unique(struct sbx_entitlement *dst, char *item)
{
	char **l;

	for (size_t i = 0; i < dst->n_list; i++) {
		if (!strcmp(dst->list[i], item)) {
			free(item);
			return 0;
		}
	}
	l = realloc(dst->list, (dst->n_list + 2) * sizeof(*l));
	if (!l) {
		free(item);
		return -ENOMEM;
	}
	dst->list = l;
	l[dst->n_list++] = item;
	l[dst->n_list] = NULL;
	return 0;
}

/* Takes e's contents. */
static int merge_entitlement(struct load_ctx *c, struct sbx_entitlement *e)
{
	struct sbx_profile *p = c->p;
	struct sbx_entitlement *old = NULL;
	size_t at = p->n_entitlements;

	for (size_t i = 0; i < p->n_entitlements; i++) {
		int cmp = strcmp(p->entitlements[i].key, e->key);

		if (!cmp) {
			old = &p->entitlements[i];
			break;
		}
		if (cmp > 0) {
			at = i;
			break;
		}
	}
	if (!old) {
		struct sbx_entitlement *a =
			realloc(p->entitlements, (p->n_entitlements + 1) * sizeof(*a));

		if (!a) {
			entitlement_clear(e);
			return nomem(c->diag);
		}
		p->entitlements = a;
		memmove(&a[at + 1], &a[at], (p->n_entitlements - at) * sizeof(*a));
		a[at] = *e;
		p->n_entitlements++;
		memset(e, 0, sizeof(*e));
		return 0;
	}
	if (old->kind == SBX_VALUE_LIST && e->kind == SBX_VALUE_LIST) {
		for (size_t i = 0; i < e->n_list; i++) {
			if (list_append_unique(old, e->list[i])) {
				e->list[i] = NULL;
				entitlement_clear(e);
				return nomem(c->diag);
			}
			e->list[i] = NULL;
		}
		entitlement_clear(e);
		return 0;
	}
	if (old->kind == SBX_VALUE_BOOL && e->kind == SBX_VALUE_BOOL) {
		bool strict = restrictive_true(e->key) ? true : false;

		/* The more restrictive value wins; keep the position of the layer that set it. */
		if (old->boolean == e->boolean || old->boolean == strict) {
			entitlement_clear(e);
			return 0;
		}
	}
	/* Replace: a stricter boolean, or an Apple-only value whose type changed. */
	entitlement_clear(old);
	*old = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

/* ---- one layer ---- */

static int load_layer(struct load_ctx *c, const char *name, const char *buf, size_t len);

static int load_include(struct load_ctx *c, const char *file, const struct pnode *item)
{
	char *path, *dir_copy, *real;
	int fd, err;
	struct stat st;
	char *data;

	if (item->kind != PNODE_STRING || !item->str[0])
		return sbx_diag_set_at(c->diag, -EINVAL, file, item->line, item->col,
				       "include takes a file name or a list of file names, not %s",
				       pnode_kind_name(item));
	if (item->str[0] == '/') {
		path = strdup(item->str);
	} else {
		const char *dir;

		dir_copy = strdup(file);
		dir = dir_copy ? dirname(dir_copy) : NULL;
		if (dir && !strcmp(dir, "."))
			path = strdup(item->str);
		else
			path = dir ? xasprintf("%s/%s", dir, item->str) : NULL;
		free(dir_copy);
	}
	if (!path)
		return nomem(c->diag);
	real = realpath(path, NULL);
	if (!real) {
		err = -errno;
		sbx_diag_set_at(c->diag, err, file, item->line, item->col, "include '%s': %s",
				item->str, strerror(-err));
		free(path);
		return err;
	}
	for (int i = 0; i <= c->depth; i++) {
		if (c->stack[i] && !strcmp(c->stack[i], real)) {
			err = sbx_diag_set_at(c->diag, -ELOOP, file, item->line, item->col,
					      "include cycle: '%s' includes itself", item->str);
			goto out;
		}
	}
	if (c->depth >= SBX_PROFILE_MAX_INCLUDE_DEPTH) {
		err = sbx_diag_set_at(c->diag, -ELOOP, file, item->line, item->col,
				      "includes nested deeper than %d files",
				      SBX_PROFILE_MAX_INCLUDE_DEPTH);
		goto out;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		sbx_diag_set_at(c->diag, err, file, item->line, item->col, "include '%s': %s",
				item->str, strerror(-err));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > SBX_PROFILE_MAX_BYTES) {
		close(fd);
		err = sbx_diag_set_at(c->diag, -EINVAL, file, item->line, item->col,
				      S_ISREG(st.st_mode) ? "include '%s': larger than 1 MiB"
							  : "include '%s': not a regular file",
				      item->str);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	ssize_t got = data ? read(fd, data, (size_t)st.st_size) : -1;

	close(fd);
	if (got != st.st_size) {
		free(data);
		err = sbx_diag_set_at(c->diag, -EIO, file, item->line, item->col,
				      "include '%s': short read", item->str);
		goto out;
	}
	{
		char **inc = realloc(c->p->includes, (c->p->n_includes + 1) * sizeof(*inc));

		if (!inc) {
			free(data);
			err = nomem(c->diag);
			goto out;
		}
		c->p->includes = inc;
		inc[c->p->n_includes++] = real;
	}
	c->stack[++c->depth] = real;
	err = load_layer(c, path, data, (size_t)got);
	c->stack[c->depth--] = NULL;
	free(data);
	free(path);
	return err;
out:
	free(real);
	free(path);
	return err;
}

static int load_entitlement(struct load_ctx *c, const char *file, const struct pnode *map, size_t i,
			    const char **names);

static int load_entitlements(struct load_ctx *c, const char *file, const struct pnode *map)
{
	const char **names;
	int err = 0;

	if (map->kind != PNODE_MAP)
		return sbx_diag_set_at(c->diag, -EINVAL, file, map->line, map->col,
				       "entitlements must be a mapping of keys to values, not %s",
				       pnode_kind_name(map));
	/* Each key's stored name, looked up once: the duplicate check compares them all. */
	names = calloc(map->n + 1, sizeof(*names));
	if (!names)
		return nomem(c->diag);
	for (size_t i = 0; !err && i < map->n; i++)
		err = load_entitlement(c, file, map, i, names);
	free(names);
	return err;
}

/* "unknown entitlement 'KEY' (did you mean 'K'?)", for the loader and --allow alike. */
static int unknown_key(struct sbx_diag *d, const char *file, unsigned int line, unsigned int col,
		       const char *key)
{
	const char *s = sbx_key_suggest(key);
	bool prefixed = !strncmp(key, SBX_APPLE_SECURITY_PREFIX, strlen(SBX_APPLE_SECURITY_PREFIX));

	if (s)
		return sbx_diag_set_at(
			d, -EINVAL, file, line, col,
			"unknown entitlement '%s' (did you mean '%s%s'?)", key,
			prefixed && strncmp(s, "sbx.", 4) ? SBX_APPLE_SECURITY_PREFIX : "", s);
	return sbx_diag_set_at(d, -EINVAL, file, line, col, "unknown entitlement '%s'", key);
}

/* Entry i of the entitlements mapping; names[0..i-1] hold the earlier entries' names. */
static int load_entitlement(struct load_ctx *c, const char *file, const struct pnode *map, size_t i,
			    const char **names)
{
	const struct pnode_pair *pair = &map->pairs[i];
	const struct sbx_key_info *info;
	const char *name = canonical_name(pair->key, &info);
	struct sbx_entitlement e = { 0 };
	bool skip;
	int err;

	if (!name && c->ignore_unknown) {
		struct sbx_diag why = { 0 };

		unknown_key(&why, NULL, 0, 0, pair->key);
		return add_warning(c, file, pair->line, pair->col,
				   xasprintf("%s: ignored", why.msg));
	}
	if (!name)
		return unknown_key(c->diag, file, pair->line, pair->col, pair->key);
	names[i] = name;
	/* The same key twice in one layer under two spellings. */
	for (size_t k = 0; k < i; k++) {
		if (names[k] && !strcmp(names[k], name))
			return sbx_diag_set_at(c->diag, -EINVAL, file, pair->line, pair->col,
					       "duplicate entitlement '%s' (also set as '%s')",
					       pair->key, map->pairs[k].key);
	}
	e.key = strdup(name);
	e.file = strdup(file);
	e.line = pair->line;
	e.col = pair->col;
	e.linux_meaning = info && info->class != SBX_KEY_APPLE_ONLY;
	if (!e.key || !e.file) {
		entitlement_clear(&e);
		return nomem(c->diag);
	}
	err = read_value(c, file, info, pair->key, pair->value, &e, &skip);
	if (!err && !e.linux_meaning)
		err = add_warning(c, file, pair->line, pair->col,
				  xasprintf("'%s' has no Linux meaning (%s); %s", pair->key,
					    info ? info->summary : "Apple-specific",
					    skip ? "ignored" : "kept, without effect"));
	if (err || skip) {
		entitlement_clear(&e);
		return err;
	}
	return merge_entitlement(c, &e);
}

static int load_constraints(struct load_ctx *c, const char *file, const struct pnode *map)
{
	if (map->kind != PNODE_MAP)
		return sbx_diag_set_at(c->diag, -EINVAL, file, map->line, map->col,
				       "launch-constraints must be a mapping, not %s",
				       pnode_kind_name(map));
	for (size_t i = 0; i < map->n; i++) {
		const struct pnode_pair *pair = &map->pairs[i];
		struct sbx_lc_node node = { 0 }, *slot;
		int s, err;

		for (s = 0; s < SBX_LC_NSLOTS; s++)
			if (!strcmp(pair->key, sbx_lc_slot_name(s)))
				break;
		if (s == SBX_LC_NSLOTS)
			return sbx_diag_set_at(c->diag, -EINVAL, file, pair->line, pair->col,
					       "unknown launch constraint '%s' (expected self, "
					       "parent, responsible or library)",
					       pair->key);
		err = profile_parse_constraint(file, pair->value, 1, &node, c->diag);
		if (err) {
			profile_lc_free(&node);
			return err;
		}
		slot = c->p->launch[s];
		if (!slot) {
			slot = malloc(sizeof(*slot));
			if (!slot) {
				profile_lc_free(&node);
				return nomem(c->diag);
			}
			*slot = node;
			c->p->launch[s] = slot;
			continue;
		}
		/* Another layer constrained this slot too: both must hold. */
		struct sbx_lc_node *both = calloc(2, sizeof(*both));

		if (!both) {
			profile_lc_free(&node);
			return nomem(c->diag);
		}
		both[0] = *slot;
		both[1] = node;
		*slot = (struct sbx_lc_node){ .op = SBX_LC_AND, .children = both, .n_children = 2 };
	}
	return 0;
}

bool sbx_profile_identifier_valid(const char *s)
{
	size_t labels = 0, len = 0;

	if (strlen(s) > 255)
		return false;
	for (const char *p = s;; p++) {
		if (*p == '.' || !*p) {
			if (!len)
				return false;
			labels++;
			len = 0;
			if (!*p)
				break;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
		len++;
	}
	return labels >= 2;
}

static int set_identifier(struct load_ctx *c, const char *file, const struct pnode *v)
{
	if (v->kind != PNODE_STRING)
		return sbx_diag_set_at(c->diag, -EINVAL, file, v->line, v->col,
				       "identifier must be a string, not %s", pnode_kind_name(v));
	if (!sbx_profile_identifier_valid(v->str))
		return sbx_diag_set_at(c->diag, -EINVAL, file, v->line, v->col,
				       "identifier '%s' is not reverse-DNS (e.g. org.example.app)",
				       v->str);
	if (c->depth > 0)
		return 0; /* an included base's identifier is not the program's */
	free(c->p->identifier);
	c->p->identifier = strdup(v->str);
	return c->p->identifier ? 0 : nomem(c->diag);
}

static const char *const top_keys[] = { "identifier", "entitlements", "launch-constraints",
					"include" };

static int load_yaml_tree(struct load_ctx *c, const char *file, const struct pnode *root)
{
	const struct pnode *id = NULL, *ents = NULL, *lc = NULL, *inc = NULL;
	int err;

	if (root->kind != PNODE_MAP)
		return sbx_diag_set_at(c->diag, -EINVAL, file, root->line, root->col,
				       "a profile is a mapping (identifier, entitlements, ...), "
				       "not %s",
				       pnode_kind_name(root));
	for (size_t i = 0; i < root->n; i++) {
		const struct pnode_pair *pair = &root->pairs[i];
		const char *key = pair->key;

		if (!strcmp(key, top_keys[0]))
			id = pair->value;
		else if (!strcmp(key, top_keys[1]))
			ents = pair->value;
		else if (!strcmp(key, top_keys[2]))
			lc = pair->value;
		else if (!strcmp(key, top_keys[3]))
			inc = pair->value;
		else {
			const struct sbx_key_info *info;
			const char *best = NULL;
			size_t best_d = 4;

			if (canonical_name(key, &info))
				return sbx_diag_set_at(c->diag, -EINVAL, file, pair->line,
						       pair->col,
						       "entitlement '%s' belongs under "
						       "'entitlements:'",
						       key);
			for (size_t k = 0; k < sizeof(top_keys) / sizeof(top_keys[0]); k++) {
				size_t d = profile_edit_distance(key, top_keys[k]);

				if (d < best_d) {
					best_d = d;
					best = top_keys[k];
				}
			}
			if (best)
				return sbx_diag_set_at(
					c->diag, -EINVAL, file, pair->line, pair->col,
					"unknown key '%s' (did you mean '%s'?)", key, best);
			return sbx_diag_set_at(c->diag, -EINVAL, file, pair->line, pair->col,
					       "unknown key '%s' (expected identifier, "
					       "entitlements, launch-constraints or include)",
					       key);
		}
	}
	if (id) {
		err = set_identifier(c, file, id);
		if (err)
			return err;
	} else if (c->depth == 0) {
		return sbx_diag_set_at(c->diag, -EINVAL, file, root->line, root->col,
				       "missing 'identifier' (reverse-DNS, e.g. org.example.app)");
	}
	if (inc && c->signed_bytes)
		return sbx_diag_set_at(c->diag, -EPERM, file, inc->line, inc->col,
				       "signed entitlements may not include other files: includes "
				       "are resolved when signing (sbx profile canonical)");
	if (inc) {
		if (inc->kind == PNODE_SEQ) {
			for (size_t i = 0; i < inc->n; i++) {
				err = load_include(c, file, inc->items[i]);
				if (err)
					return err;
			}
		} else {
			err = load_include(c, file, inc);
			if (err)
				return err;
		}
	}
	if (ents) {
		err = load_entitlements(c, file, ents);
		if (err)
			return err;
	}
	if (lc) {
		err = load_constraints(c, file, lc);
		if (err)
			return err;
	}
	return 0;
}

/* A plist has no identifier: take Apple's application identifier, else the file name. */
static int plist_identifier(struct load_ctx *c, const char *file, const struct pnode *root)
{
	const char *app_id = NULL;
	char *base, *copy, *dot;

	for (size_t i = 0; i < root->n; i++) {
		const struct pnode *v = root->pairs[i].value;

		if ((!strcmp(root->pairs[i].key, "com.apple.application-identifier") ||
		     !strcmp(root->pairs[i].key, "application-identifier")) &&
		    v->kind == PNODE_STRING)
			app_id = v->str;
	}
	if (app_id) {
		/* "TEAMID1234.org.example.app": the team prefix is not part of the name. */
		const char *dotp = strchr(app_id, '.');

		if (dotp && dotp - app_id == 10 && sbx_profile_identifier_valid(dotp + 1))
			app_id = dotp + 1;
		if (sbx_profile_identifier_valid(app_id)) {
			c->p->identifier = strdup(app_id);
			return c->p->identifier ? 0 : nomem(c->diag);
		}
	}
	copy = strdup(file);
	if (!copy)
		return nomem(c->diag);
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot && (!strcmp(dot, ".entitlements") || !strcmp(dot, ".plist")))
		*dot = '\0';
	for (char *s = base; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			*s = '-';
	c->p->identifier = sbx_profile_identifier_valid(base)
				   ? strdup(base)
				   : xasprintf("local.imported.%s", *base ? base : "profile");
	free(copy);
	if (c->p->identifier && !sbx_profile_identifier_valid(c->p->identifier)) {
		free(c->p->identifier);
		c->p->identifier = strdup("local.imported.profile");
	}
	return c->p->identifier ? 0 : nomem(c->diag);
}

static int load_layer(struct load_ctx *c, const char *name, const char *buf, size_t len)
{
	struct pnode *root = NULL;
	int err;

	if (len > SBX_PROFILE_MAX_BYTES)
		return sbx_diag_set_at(c->diag, -EFBIG, name, 0, 0,
				       "larger than 1 MiB (%zu bytes): not a profile", len);
	if (!len)
		return sbx_diag_set_at(c->diag, -EINVAL, name, 1, 1, "the profile is empty");
	if (profile_is_plist(buf, len)) {
		if (c->depth > 0)
			return sbx_diag_set_at(c->diag, -EINVAL, name, 0, 0,
					       "an included file must be YAML, not a plist");
		err = profile_parse_plist(name, buf, len, &root, c->diag);
		if (err)
			return err;
		err = root->kind == PNODE_MAP
			      ? plist_identifier(c, name, root)
			      : sbx_diag_set_at(c->diag, -EINVAL, name, 0, 0,
						"an entitlements plist is a dictionary, not %s",
						pnode_kind_name(root));
		if (!err)
			err = load_entitlements(c, name, root);
	} else {
		err = profile_parse_yaml(name, buf, len, &root, c->diag);
		if (!err)
			err = load_yaml_tree(c, name, root);
	}
	pnode_free(root);
	return err;
}

/* ---- the whole profile ---- */

static int contradiction(struct load_ctx *c, const struct sbx_entitlement *e, const char *fmt,
			 const char *a, const char *b)
{
	return sbx_diag_set_at(c->diag, -EINVAL, e->file, e->line, e->col, fmt, a, b);
}

static bool true_bool(const struct sbx_entitlement *e)
{
	return e && e->kind == SBX_VALUE_BOOL && e->boolean;
}

static bool false_bool(const struct sbx_entitlement *e)
{
	return e && e->kind == SBX_VALUE_BOOL && !e->boolean;
}

static int check_paths_disjoint(struct load_ctx *c, const char *ro_key, const char *rw_key)
{
	const struct sbx_entitlement *ro = sbx_profile_get(c->p, ro_key);
	const struct sbx_entitlement *rw = sbx_profile_get(c->p, rw_key);

	for (size_t i = 0; ro && rw && i < ro->n_list; i++)
		for (size_t k = 0; k < rw->n_list; k++)
			if (!strcmp(ro->list[i], rw->list[k]))
				return contradiction(c, rw,
						     "path '%s' is listed both read-only and "
						     "read-write (in %s)",
						     rw->list[k], rw_key);
	return 0;
}

/* Grants that cannot hold together, checked once every layer is merged. */
static int check_contradictions(struct load_ctx *c)
{
	const struct sbx_entitlement *sandbox = sbx_profile_get(c->p, "app-sandbox");
	const struct sbx_entitlement *inherit = sbx_profile_get(c->p, "inherit");
	static const char *const cascade[] = { "cs.allow-jit",
					       "cs.allow-unsigned-executable-memory",
					       "cs.disable-executable-page-protection" };
	int err;

	for (size_t i = 0; i < c->p->n_entitlements; i++) {
		const struct sbx_entitlement *e = &c->p->entitlements[i];
		const struct sbx_key_info *info = sbx_key_lookup(e->key);

		if (!info || info->class != SBX_KEY_SANDBOX || !strcmp(e->key, "app-sandbox") ||
		    !sbx_profile_entitled(c->p, e->key))
			continue;
		if (false_bool(sandbox))
			return contradiction(c, e, "'%s' contradicts app-sandbox: false%s", e->key,
					     "");
		if (!sandbox)
			return contradiction(c, e, "'%s' needs app-sandbox: true%s", e->key, "");
		if (true_bool(inherit) && strcmp(e->key, "inherit"))
			return contradiction(
				c, inherit,
				"inherit: true takes the parent's sandbox as it is and "
				"cannot be combined with '%s'%s",
				e->key, "");
	}
	/* Apple's cascade: each key implies the ones before it, so it cannot be false. */
	for (size_t hi = 1; hi < 3; hi++) {
		const struct sbx_entitlement *upper = sbx_profile_get(c->p, cascade[hi]);

		if (!true_bool(upper))
			continue;
		for (size_t lo = 0; lo < hi; lo++)
			if (false_bool(sbx_profile_get(c->p, cascade[lo])))
				return contradiction(c, sbx_profile_get(c->p, cascade[lo]),
						     "'%s: false' contradicts '%s: true', which "
						     "implies it",
						     cascade[lo], cascade[hi]);
	}
	err = check_paths_disjoint(c, "temporary-exception.files.absolute-path.read-only",
				   "temporary-exception.files.absolute-path.read-write");
	if (!err)
		err = check_paths_disjoint(
			c, "temporary-exception.files.home-relative-path.read-only",
			"temporary-exception.files.home-relative-path.read-write");
	return err;
}

enum { LOAD_SIGNED = 1, LOAD_IGNORE_UNKNOWN = 2 };

static int load_buffer(const char *name, const void *buf, size_t len, int flags,
		       struct sbx_profile **out, struct sbx_diag *diag)
{
	struct load_ctx c = { .diag = diag,
			      .signed_bytes = flags & LOAD_SIGNED,
			      .ignore_unknown = flags & LOAD_IGNORE_UNKNOWN };
	int err;

	if (!name)
		name = "<profile>";
	c.p = calloc(1, sizeof(*c.p));
	if (!c.p || !(c.p->source = strdup(name))) {
		sbx_profile_free(c.p);
		return nomem(diag);
	}
	/*
	 * The top file's real path, so that including it from below is a cycle. Signed bytes
	 * include nothing and name no file: no lookup on sbx run's path.
	 */
	c.stack[0] = c.signed_bytes ? NULL : realpath(name, NULL);
	err = load_layer(&c, name, buf, len);
	free(c.stack[0]);
	if (!err)
		err = check_contradictions(&c);
	if (err) {
		sbx_profile_free(c.p);
		return err;
	}
	*out = c.p;
	return 0;
}

int sbx_profile_load_buffer(const char *name, const void *buf, size_t len, struct sbx_profile **out,
			    struct sbx_diag *diag)
{
	return load_buffer(name, buf, len, 0, out, diag);
}

int sbx_profile_load_signed(const char *name, const void *buf, size_t len, struct sbx_profile **out,
			    struct sbx_diag *diag)
{
	return load_buffer(name, buf, len, LOAD_SIGNED, out, diag);
}

static int load_file(const char *path, int flags, struct sbx_profile **out, struct sbx_diag *diag)
{
	struct stat st;
	char *data;
	ssize_t got;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return sbx_diag_set_at(diag, -errno, path, 0, 0, "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = sbx_diag_set_at(diag, -errno, path, 0, 0, "%s", strerror(errno));
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return sbx_diag_set_at(diag, -EINVAL, path, 0, 0, "not a regular file");
	}
	if (st.st_size > SBX_PROFILE_MAX_BYTES) {
		close(fd);
		return sbx_diag_set_at(diag, -EFBIG, path, 0, 0,
				       "larger than 1 MiB (%lld bytes): not a profile",
				       (long long)st.st_size);
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		return nomem(diag);
	}
	got = read(fd, data, (size_t)st.st_size);
	err = got < 0 ? -errno : 0;
	close(fd);
	if (err || got != st.st_size) {
		free(data);
		return sbx_diag_set_at(diag, err ? err : -EIO, path, 0, 0, "cannot read: %s",
				       err ? strerror(-err) : "short read");
	}
	err = load_buffer(path, data, (size_t)got, flags, out, diag);
	free(data);
	return err;
}

int sbx_profile_load_file(const char *path, struct sbx_profile **out, struct sbx_diag *diag)
{
	return load_file(path, 0, out, diag);
}

int sbx_profile_load_file_lenient(const char *path, struct sbx_profile **out, struct sbx_diag *diag)
{
	return load_file(path, LOAD_IGNORE_UNKNOWN, out, diag);
}

static bool entitlement_equal(const struct sbx_entitlement *a, const struct sbx_entitlement *b)
{
	if (strcmp(a->key, b->key) || a->kind != b->kind || a->linux_meaning != b->linux_meaning)
		return false;
	switch (a->kind) {
	case SBX_VALUE_BOOL:
		return a->boolean == b->boolean;
	case SBX_VALUE_STRING:
		return !strcmp(a->string, b->string);
	case SBX_VALUE_LIST:
		if (a->n_list != b->n_list)
			return false;
		for (size_t i = 0; i < a->n_list; i++)
			if (strcmp(a->list[i], b->list[i]))
				return false;
		return true;
	}
	return false;
}

bool sbx_profile_equal(const struct sbx_profile *a, const struct sbx_profile *b)
{
	if (!a->identifier != !b->identifier ||
	    (a->identifier && strcmp(a->identifier, b->identifier)) ||
	    a->n_entitlements != b->n_entitlements)
		return false;
	for (size_t i = 0; i < a->n_entitlements; i++)
		if (!entitlement_equal(&a->entitlements[i], &b->entitlements[i]))
			return false;
	for (int s = 0; s < SBX_LC_NSLOTS; s++) {
		if (!a->launch[s] != !b->launch[s])
			return false;
		if (a->launch[s] && !profile_lc_equal(a->launch[s], b->launch[s]))
			return false;
	}
	return true;
}

int sbx_profile_allow_check(const char *key, struct sbx_diag *d)
{
	const struct sbx_key_info *info;

	if (!canonical_name(key, &info) || !info)
		return unknown_key(d, "--allow", 0, 0, key);
	if (info->class == SBX_KEY_APPLE_ONLY)
		return sbx_diag_set_at(d, -EINVAL, "--allow", 0, 0,
				       "'%s' has no Linux meaning (%s)", key, info->summary);
	if (info->kind != SBX_VALUE_BOOL)
		return sbx_diag_set_at(d, -EINVAL, "--allow", 0, 0,
				       "'%s' takes a list of paths, not true: use --grant PATH, or "
				       "a profile",
				       key);
	return 0;
}

int sbx_profile_allow(struct sbx_profile *p, const char *key, struct sbx_diag *d)
{
	struct load_ctx c = { .p = p, .diag = d };
	struct sbx_entitlement e = { .kind = SBX_VALUE_BOOL,
				     .boolean = true,
				     .linux_meaning = true };
	struct sbx_entitlement *old, *cur, saved = { 0 };
	int err = sbx_profile_allow_check(key, d);

	if (err)
		return err;
	e.key = strdup(sbx_key_lookup(key)->name);
	e.file = strdup("--allow");
	if (!e.key || !e.file) {
		entitlement_clear(&e);
		return nomem(d);
	}
	/* The command line is the user's word: it overrides a profile's false (merging, which
	 * keeps the more restrictive value, is for layers of files). */
	old = (struct sbx_entitlement *)sbx_profile_get(p, key);
	if (old) {
		saved = *old;
		*old = e;
	} else {
		err = merge_entitlement(&c, &e);
		if (err)
			return err;
	}
	/* The same checks as a file's: network.client needs app-sandbox, and so on. A refusal
	 * leaves the profile as it was. */
	err = check_contradictions(&c);
	cur = (struct sbx_entitlement *)sbx_profile_get(p, key);
	if (!err) {
		if (old)
			entitlement_clear(&saved);
		return 0;
	}
	entitlement_clear(cur);
	if (old) {
		*cur = saved;
	} else {
		size_t i = (size_t)(cur - p->entitlements);

		memmove(cur, cur + 1, (p->n_entitlements - i - 1) * sizeof(*cur));
		p->n_entitlements--;
	}
	return err;
}

int sbx_profile_add_path(struct sbx_profile *p, const char *key, const char *path,
			 struct sbx_diag *d)
{
	struct load_ctx c = { .p = p, .diag = d };
	const struct sbx_key_info *k = sbx_key_lookup(key);
	struct sbx_entitlement e = { .kind = SBX_VALUE_LIST, .linux_meaning = true };

	if (!k || k->kind != SBX_VALUE_LIST || k->class != SBX_KEY_SANDBOX)
		return sbx_diag_set(d, -EINVAL, "%s: not a list of paths", key);
	e.key = strdup(k->name);
	e.file = strdup("sbx learn");
	e.list = calloc(1, sizeof(*e.list));
	if (e.list)
		e.list[0] = strdup(path);
	if (!e.key || !e.file || !e.list || !e.list[0]) {
		entitlement_clear(&e);
		return nomem(d);
	}
	e.n_list = 1;
	return merge_entitlement(&c, &e);
}
