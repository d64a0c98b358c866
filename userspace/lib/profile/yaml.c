// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The YAML reader: libyaml's event parser into the document tree, with a position for
 * every key and value. It refuses what a profile never needs and an attacker could abuse:
 * aliases (the "billion laughs" bomb), custom tags, more than one document, nesting deeper
 * than SBX_PROFILE_MAX_DEPTH, and more than a few thousand entries in one collection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "profile/profile_internal.h"

#define YAML_MAX_ENTRIES 4096
#define YAML_TAG_STR	 "tag:yaml.org,2002:str"
#define YAML_TAG_BOOL	 "tag:yaml.org,2002:bool"

struct yaml_reader {
	yaml_parser_t parser;
	const char *name;
	struct sbx_diag *diag;
};

static int reader_error(struct yaml_reader *r, const yaml_mark_t *m, const char *fmt,
			const char *arg)
{
	return sbx_diag_set_at(r->diag, -EINVAL, r->name, (unsigned int)m->line + 1,
			       (unsigned int)m->column + 1, fmt, arg);
}

static int next_event(struct yaml_reader *r, yaml_event_t *ev)
{
	if (yaml_parser_parse(&r->parser, ev))
		return 0;
	const yaml_mark_t *m = r->parser.problem ? &r->parser.problem_mark : &r->parser.mark;

	if (r->parser.error == YAML_MEMORY_ERROR)
		return sbx_diag_set(r->diag, -ENOMEM, "out of memory reading %s", r->name);
	return sbx_diag_set_at(r->diag, -EINVAL, r->name, (unsigned int)m->line + 1,
			       (unsigned int)m->column + 1, "YAML syntax error: %s%s%s",
			       r->parser.problem ? r->parser.problem : "malformed document",
			       r->parser.context ? " " : "",
			       r->parser.context ? r->parser.context : "");
}

static bool is_word(const char *s, const char *lower)
{
	/* YAML 1.2 core schema spellings: true, True, TRUE. */
	char cap[16];
	size_t len = strlen(lower);

	if (len >= sizeof(cap))
		return false;
	if (!strcmp(s, lower))
		return true;
	memcpy(cap, lower, len + 1);
	cap[0] = (char)(cap[0] - 'a' + 'A');
	if (!strcmp(s, cap))
		return true;
	for (size_t i = 0; i < len; i++)
		cap[i] = (char)(lower[i] - 'a' + 'A');
	return !strcmp(s, cap);
}

static int scalar_node(struct yaml_reader *r, const yaml_event_t *ev, struct pnode **out)
{
	const char *value = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t len = ev->data.scalar.length;
	unsigned int line = (unsigned int)ev->start_mark.line + 1;
	unsigned int col = (unsigned int)ev->start_mark.column + 1;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag;
	struct pnode *n;

	if (tag && strcmp(tag, YAML_TAG_STR) && strcmp(tag, YAML_TAG_BOOL))
		return reader_error(r, &ev->start_mark,
				    "YAML tag '%s' is not supported in profiles", tag);
	if (strlen(value) != len)
		return reader_error(r, &ev->start_mark, "%s", "string contains a NUL character");
	if ((plain || (tag && !strcmp(tag, YAML_TAG_BOOL))) &&
	    (is_word(value, "true") || is_word(value, "false"))) {
		n = pnode_new(PNODE_BOOL, line, col);
		if (n)
			n->boolean = value[0] == 't' || value[0] == 'T';
	} else if (tag && !strcmp(tag, YAML_TAG_BOOL)) {
		return reader_error(r, &ev->start_mark, "'%s' is not a boolean (true or false)",
				    value);
	} else if (plain && (!*value || !strcmp(value, "~") || is_word(value, "null"))) {
		n = pnode_new(PNODE_NULL, line, col);
	} else {
		n = pnode_new(PNODE_STRING, line, col);
		if (n && !(n->str = strdup(value))) {
			pnode_free(n);
			n = NULL;
		}
	}
	if (!n)
		return sbx_diag_set(r->diag, -ENOMEM, "out of memory reading %s", r->name);
	*out = n;
	return 0;
}

static int parse_node(struct yaml_reader *r, yaml_event_t *ev, int depth, struct pnode **out);

static int parse_collection(struct yaml_reader *r, yaml_event_t *start, int depth,
			    struct pnode **out)
{
	bool map = start->type == YAML_MAPPING_START_EVENT;
	yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	struct pnode *n;
	int err;

	if (depth >= SBX_PROFILE_MAX_DEPTH)
		return sbx_diag_set_at(r->diag, -EINVAL, r->name,
				       (unsigned int)start->start_mark.line + 1,
				       (unsigned int)start->start_mark.column + 1,
				       "nesting deeper than %d levels", SBX_PROFILE_MAX_DEPTH);
	n = pnode_new(map ? PNODE_MAP : PNODE_SEQ, (unsigned int)start->start_mark.line + 1,
		      (unsigned int)start->start_mark.column + 1);
	if (!n)
		return sbx_diag_set(r->diag, -ENOMEM, "out of memory reading %s", r->name);
	for (;;) {
		yaml_event_t ev;
		struct pnode *child = NULL;

		err = next_event(r, &ev);
		if (err)
			goto err_free;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			break;
		}
		if (n->n >= YAML_MAX_ENTRIES) {
			err = reader_error(r, &ev.start_mark,
					   "more than %s entries in one collection", "4096");
			yaml_event_delete(&ev);
			goto err_free;
		}
		if (!map) {
			err = parse_node(r, &ev, depth + 1, &child);
			yaml_event_delete(&ev);
			if (err)
				goto err_free;
			err = pnode_seq_add(n, child);
			if (err)
				goto err_nomem;
			continue;
		}
		/* A mapping key: a plain or quoted string, never a collection. */
		if (ev.type != YAML_SCALAR_EVENT) {
			err = ev.type == YAML_ALIAS_EVENT
				      ? reader_error(
						r, &ev.start_mark,
						"YAML aliases (*%s) are not allowed in profiles",
						(const char *)ev.data.alias.anchor)
				      : reader_error(r, &ev.start_mark, "%s",
						     "mapping keys must be strings");
			yaml_event_delete(&ev);
			goto err_free;
		}
		err = scalar_node(r, &ev, &child);
		if (!err && child->kind != PNODE_STRING)
			err = reader_error(r, &ev.start_mark, "mapping key '%s' must be a string",
					   (const char *)ev.data.scalar.value);
		for (size_t i = 0; !err && i < n->n; i++) {
			if (strcmp(n->pairs[i].key, child->str))
				continue;
			err = sbx_diag_set_at(r->diag, -EINVAL, r->name, child->line, child->col,
					      "duplicate key '%s' (first set at line %u)",
					      child->str, n->pairs[i].line);
		}
		yaml_event_delete(&ev);
		if (err) {
			pnode_free(child);
			goto err_free;
		}
		char *key = child->str;
		unsigned int kline = child->line, kcol = child->col;
		struct pnode *value = NULL;

		child->str = NULL;
		pnode_free(child);
		err = next_event(r, &ev);
		if (!err) {
			err = parse_node(r, &ev, depth + 1, &value);
			yaml_event_delete(&ev);
		}
		if (err) {
			free(key);
			goto err_free;
		}
		err = pnode_map_add(n, key, kline, kcol, value);
		if (err)
			goto err_nomem;
	}
	*out = n;
	return 0;
err_nomem:
	sbx_diag_set(r->diag, -ENOMEM, "out of memory reading %s", r->name);
err_free:
	pnode_free(n);
	return err;
}

static int parse_node(struct yaml_reader *r, yaml_event_t *ev, int depth, struct pnode **out)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return scalar_node(r, ev, out);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return parse_collection(r, ev, depth, out);
	case YAML_ALIAS_EVENT:
		return reader_error(r, &ev->start_mark,
				    "YAML aliases (*%s) are not allowed in profiles",
				    (const char *)ev->data.alias.anchor);
	default:
		return reader_error(r, &ev->start_mark, "%s", "unexpected YAML event");
	}
}

int profile_parse_yaml(const char *name, const char *buf, size_t len, struct pnode **out,
		       struct sbx_diag *diag)
{
	struct yaml_reader r = { .name = name, .diag = diag };
	size_t bad = profile_utf8_invalid_at((const unsigned char *)buf, len);
	struct pnode *root = NULL;
	yaml_event_t ev;
	int err;

	if (bad < len) {
		unsigned int line = 1, col = 1;

		for (size_t i = 0; i < bad; i++) {
			if (buf[i] == '\n')
				line++, col = 1;
			else if (((unsigned char)buf[i] & 0xc0) != 0x80)
				col++;
		}
		return sbx_diag_set_at(diag, -EILSEQ, name, line, col,
				       buf[bad] ? "not valid UTF-8 (byte 0x%02x)"
						: "contains a NUL byte (0x%02x)",
				       (unsigned char)buf[bad]);
	}
	if (!yaml_parser_initialize(&r.parser))
		return sbx_diag_set(diag, -ENOMEM, "out of memory reading %s", name);
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);

	/* STREAM-START, DOCUMENT-START, the root node, DOCUMENT-END, STREAM-END. */
	err = next_event(&r, &ev);
	if (err)
		goto out;
	yaml_event_delete(&ev);
	err = next_event(&r, &ev);
	if (err)
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		err = sbx_diag_set_at(diag, -EINVAL, name, 1, 1, "the profile is empty");
		goto out;
	}
	yaml_event_delete(&ev);
	err = next_event(&r, &ev);
	if (err)
		goto out;
	err = parse_node(&r, &ev, 0, &root);
	yaml_event_delete(&ev);
	if (err)
		goto out;
	err = next_event(&r, &ev); /* DOCUMENT-END */
	if (err)
		goto out;
	yaml_event_delete(&ev);
	err = next_event(&r, &ev);
	if (err)
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT)
		err = reader_error(&r, &ev.start_mark, "%s",
				   "a profile is one YAML document (found a second)");
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&r.parser);
	if (err) {
		pnode_free(root);
		return err;
	}
	*out = root;
	return 0;
}
