// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Launch constraints, Apple LightweightCodeRequirements style: a dictionary of facts about
 * a process (self, parent, responsible) or a library, all of which must hold. `$and` and
 * `$or` take a list of dictionaries (or, as Apple writes them, one dictionary whose entries
 * are the alternatives); `$in` gives a string fact a set of allowed values.
 *
 *   parent:
 *     $or:
 *       - is-init-proc: true
 *       - team-identifier: ABCDE12345
 *         signing-identifier: { $in: [org.example.a, org.example.b] }
 *
 * A one-entry dictionary is its entry itself, so the canonical form reads back equal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile_internal.h"

static const struct {
	const char *name;
	bool is_bool;
} facts[] = {
	[SBX_LC_TEAM_IDENTIFIER] = { "team-identifier", false },
	[SBX_LC_SIGNING_IDENTIFIER] = { "signing-identifier", false },
	[SBX_LC_CDHASH] = { "cdhash", false },
	[SBX_LC_IS_INIT_PROC] = { "is-init-proc", true },
	[SBX_LC_ON_SYSTEM_VOLUME] = { "on-system-volume", true },
};

#define N_FACTS (sizeof(facts) / sizeof(facts[0]))

const char *sbx_lc_fact_name(enum sbx_lc_fact fact)
{
	return (unsigned int)fact < N_FACTS ? facts[fact].name : "?";
}

const char *sbx_lc_slot_name(enum sbx_lc_slot slot)
{
	static const char *const names[] = { "self", "parent", "responsible", "library" };

	return (unsigned int)slot < SBX_LC_NSLOTS ? names[slot] : "?";
}

void profile_lc_free(struct sbx_lc_node *n)
{
	for (size_t i = 0; i < n->n_values; i++)
		free(n->values[i]);
	free(n->values);
	for (size_t i = 0; i < n->n_children; i++)
		profile_lc_free(&n->children[i]);
	free(n->children);
	memset(n, 0, sizeof(*n));
}

static int fail(struct sbx_diag *d, const char *file, unsigned int line, unsigned int col,
		const char *fmt, const char *a, const char *b)
{
	return sbx_diag_set_at(d, -EINVAL, file, line, col, fmt, a, b);
}

static int check_value(const char *file, enum sbx_lc_fact fact, const struct pnode *v,
		       struct sbx_diag *d)
{
	const char *s = v->str;
	size_t len = strlen(s);

	switch (fact) {
	case SBX_LC_TEAM_IDENTIFIER:
		for (size_t i = 0; i < len; i++)
			if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
				len = 0;
		if (len != 10)
			return fail(d, file, v->line, v->col,
				    "team-identifier '%s' is not 10 upper-case letters or digits%s",
				    s, "");
		return 0;
	case SBX_LC_CDHASH:
		for (size_t i = 0; i < len; i++)
			if (!isxdigit((unsigned char)s[i]))
				len = 0;
		if (len != 40 && len != 64)
			return fail(d, file, v->line, v->col,
				    "cdhash '%s' is not 40 or 64 hexadecimal digits%s", s, "");
		return 0;
	default:
		if (!len)
			return fail(d, file, v->line, v->col, "%s must not be empty%s",
				    facts[fact].name, "");
		return 0;
	}
}

static int add_value(struct sbx_lc_node *n, const char *s, bool lower)
{
	char **v = realloc(n->values, (n->n_values + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->values = v;
	if (!(v[n->n_values] = strdup(s)))
		return -ENOMEM;
	for (char *c = v[n->n_values]; lower && *c; c++)
		*c = (char)tolower((unsigned char)*c);
	n->n_values++;
	return 0;
}

static int parse_fact(const char *file, enum sbx_lc_fact fact, const struct pnode *v,
		      struct sbx_lc_node *out, struct sbx_diag *d)
{
	const char *name = facts[fact].name;
	bool lower = fact == SBX_LC_CDHASH;
	int err;

	out->op = SBX_LC_FACT;
	out->fact = fact;
	if (facts[fact].is_bool) {
		if (v->kind != PNODE_BOOL)
			return fail(d, file, v->line, v->col, "%s must be true or false, not %s",
				    name, pnode_kind_name(v));
		out->boolean = v->boolean;
		return 0;
	}
	if (v->kind == PNODE_STRING) {
		err = check_value(file, fact, v, d);
		if (!err && add_value(out, v->str, lower))
			err = sbx_diag_set(d, -ENOMEM, "out of memory");
		return err;
	}
	if (v->kind != PNODE_MAP || v->n != 1 || strcmp(v->pairs[0].key, "$in"))
		return fail(d, file, v->line, v->col,
			    "%s must be a string or { $in: [...] }, not %s", name,
			    pnode_kind_name(v));
	const struct pnode *list = v->pairs[0].value;

	if (list->kind != PNODE_SEQ || !list->n)
		return fail(d, file, list->line, list->col, "$in of %s must be a non-empty list%s",
			    name, "");
	out->in = true;
	for (size_t i = 0; i < list->n; i++) {
		const struct pnode *item = list->items[i];

		if (item->kind != PNODE_STRING)
			return fail(d, file, item->line, item->col,
				    "$in of %s takes strings, not %s", name, pnode_kind_name(item));
		err = check_value(file, fact, item, d);
		if (err)
			return err;
		if (add_value(out, item->str, lower))
			return sbx_diag_set(d, -ENOMEM, "out of memory");
	}
	return 0;
}

static int add_child(struct sbx_lc_node *n, struct sbx_lc_node *child)
{
	struct sbx_lc_node *c = realloc(n->children, (n->n_children + 1) * sizeof(*c));

	if (!c) {
		profile_lc_free(child);
		return -ENOMEM;
	}
	n->children = c;
	c[n->n_children++] = *child;
	return 0;
}

static int parse_pair(const char *file, const struct pnode_pair *pair, int depth,
		      struct sbx_lc_node *out, struct sbx_diag *d);

/* $and / $or: a list of dictionaries, or one dictionary whose entries are the operands. */
static int parse_operator(const char *file, const struct pnode_pair *pair, int depth,
			  struct sbx_lc_node *out, struct sbx_diag *d)
{
	const struct pnode *v = pair->value;
	int err = 0;

	out->op = !strcmp(pair->key, "$or") ? SBX_LC_OR : SBX_LC_AND;
	if (v->kind == PNODE_SEQ && v->n) {
		for (size_t i = 0; !err && i < v->n; i++) {
			struct sbx_lc_node child = { 0 };

			err = profile_parse_constraint(file, v->items[i], depth + 1, &child, d);
			if (err)
				profile_lc_free(&child);
			else if (add_child(out, &child))
				err = sbx_diag_set(d, -ENOMEM, "out of memory");
		}
		return err;
	}
	if (v->kind == PNODE_MAP && v->n) {
		for (size_t i = 0; !err && i < v->n; i++) {
			struct sbx_lc_node child = { 0 };

			err = parse_pair(file, &v->pairs[i], depth + 1, &child, d);
			if (err)
				profile_lc_free(&child);
			else if (add_child(out, &child))
				err = sbx_diag_set(d, -ENOMEM, "out of memory");
		}
		return err;
	}
	return fail(d, file, v->line, v->col, "%s takes a non-empty list of dictionaries, not %s",
		    pair->key, pnode_kind_name(v));
}

static int parse_pair(const char *file, const struct pnode_pair *pair, int depth,
		      struct sbx_lc_node *out, struct sbx_diag *d)
{
	if (depth >= SBX_PROFILE_MAX_DEPTH)
		return sbx_diag_set_at(d, -EINVAL, file, pair->line, pair->col,
				       "launch constraint nested deeper than %d levels",
				       SBX_PROFILE_MAX_DEPTH);
	if (!strcmp(pair->key, "$and") || !strcmp(pair->key, "$or"))
		return parse_operator(file, pair, depth, out, d);
	for (size_t f = 0; f < N_FACTS; f++)
		if (!strcmp(pair->key, facts[f].name))
			return parse_fact(file, (enum sbx_lc_fact)f, pair->value, out, d);

	const char *best = NULL;
	size_t best_d = 4;

	for (size_t f = 0; f < N_FACTS; f++) {
		size_t dist = profile_edit_distance(pair->key, facts[f].name);

		if (dist < best_d) {
			best_d = dist;
			best = facts[f].name;
		}
	}
	if (!strcmp(pair->key, "$in"))
		return fail(d, file, pair->line, pair->col,
			    "%s applies to a fact's value (team-identifier: { $in: [...] })%s",
			    pair->key, "");
	if (best)
		return fail(d, file, pair->line, pair->col,
			    "unknown launch constraint fact '%s' (did you mean '%s'?)", pair->key,
			    best);
	return fail(d, file, pair->line, pair->col, "unknown launch constraint fact '%s'%s",
		    pair->key, "");
}

int profile_parse_constraint(const char *file, const struct pnode *n, int depth,
			     struct sbx_lc_node *out, struct sbx_diag *d)
{
	int err = 0;

	if (n->kind == PNODE_MAP && !n->n)
		return fail(d, file, n->line, n->col, "a launch constraint must not be empty%s%s",
			    "", "");
	if (n->kind != PNODE_MAP)
		return fail(d, file, n->line, n->col,
			    "a launch constraint is a non-empty dictionary of facts, not %s%s",
			    pnode_kind_name(n), "");
	if (n->n == 1)
		return parse_pair(file, &n->pairs[0], depth, out, d);
	out->op = SBX_LC_AND;
	for (size_t i = 0; !err && i < n->n; i++) {
		struct sbx_lc_node child = { 0 };

		err = parse_pair(file, &n->pairs[i], depth + 1, &child, d);
		if (err)
			profile_lc_free(&child);
		else if (add_child(out, &child))
			err = sbx_diag_set(d, -ENOMEM, "out of memory");
	}
	return err;
}

int profile_lc_copy(const struct sbx_lc_node *src, struct sbx_lc_node *dst)
{
	*dst = (struct sbx_lc_node){
		.op = src->op, .fact = src->fact, .boolean = src->boolean, .in = src->in
	};
	for (size_t i = 0; i < src->n_values; i++)
		if (add_value(dst, src->values[i], false))
			goto err;
	for (size_t i = 0; i < src->n_children; i++) {
		struct sbx_lc_node child;

		if (profile_lc_copy(&src->children[i], &child) || add_child(dst, &child))
			goto err;
	}
	return 0;
err:
	profile_lc_free(dst);
	return -ENOMEM;
}

bool profile_lc_equal(const struct sbx_lc_node *a, const struct sbx_lc_node *b)
{
	if (a->op != b->op || a->n_children != b->n_children || a->n_values != b->n_values)
		return false;
	if (a->op == SBX_LC_FACT &&
	    (a->fact != b->fact || a->boolean != b->boolean || a->in != b->in))
		return false;
	for (size_t i = 0; i < a->n_values; i++)
		if (strcmp(a->values[i], b->values[i]))
			return false;
	for (size_t i = 0; i < a->n_children; i++)
		if (!profile_lc_equal(&a->children[i], &b->children[i]))
			return false;
	return true;
}

int sbx_lc_copy(const struct sbx_lc_node *src, struct sbx_lc_node **dst)
{
	struct sbx_lc_node *n;

	*dst = NULL;
	if (!src)
		return 0;
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (profile_lc_copy(src, n)) {
		free(n);
		return -ENOMEM;
	}
	*dst = n;
	return 0;
}

void sbx_lc_free(struct sbx_lc_node *n)
{
	if (!n)
		return;
	profile_lc_free(n);
	free(n);
}

static bool lc_string_fact(const struct sbx_lc_node *n, const char *have)
{
	/* Unsigned code has no identity: it meets no string fact, not even "". */
	if (!have || !*have)
		return false;
	for (size_t i = 0; i < n->n_values; i++)
		if (!strcmp(n->values[i], have))
			return true;
	return false;
}

bool sbx_lc_eval(const struct sbx_lc_node *n, const struct sbx_lc_facts *f)
{
	if (!n)
		return true;
	switch (n->op) {
	case SBX_LC_AND:
		for (size_t i = 0; i < n->n_children; i++)
			if (!sbx_lc_eval(&n->children[i], f))
				return false;
		return true;
	case SBX_LC_OR:
		for (size_t i = 0; i < n->n_children; i++)
			if (sbx_lc_eval(&n->children[i], f))
				return true;
		return false;
	case SBX_LC_FACT:
		switch (n->fact) {
		case SBX_LC_TEAM_IDENTIFIER:
			return lc_string_fact(n, f->team_id);
		case SBX_LC_SIGNING_IDENTIFIER:
			return lc_string_fact(n, f->signing_id);
		case SBX_LC_CDHASH: /* a SHA-1 value never matches: cdhashes are SHA-256 */
			return lc_string_fact(n, f->cdhash_hex);
		case SBX_LC_IS_INIT_PROC:
			return n->boolean == f->is_init_proc;
		case SBX_LC_ON_SYSTEM_VOLUME:
			return n->boolean == f->on_system_volume;
		}
	}
	return false; /* an operator or fact this evaluator does not know never holds */
}
