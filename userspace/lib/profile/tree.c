// SPDX-License-Identifier: LGPL-2.1-or-later
/* The document tree both profile readers build (profile_internal.h). */
#include <errno.h>
#include <stdlib.h>

#include "profile/profile_internal.h"

struct pnode *pnode_new(enum pnode_kind kind, unsigned int line, unsigned int col)
{
	struct pnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

void pnode_free(struct pnode *n)
{
	if (!n)
		return;
	free(n->str);
	for (size_t i = 0; n->kind == PNODE_MAP && i < n->n; i++) {
		free(n->pairs[i].key);
		pnode_free(n->pairs[i].value);
	}
	for (size_t i = 0; n->kind == PNODE_SEQ && i < n->n; i++)
		pnode_free(n->items[i]);
	free(n->pairs);
	free(n->items);
	free(n);
}

/* Takes ownership of key and value, also on failure. */
int pnode_map_add(struct pnode *map, char *key, unsigned int line, unsigned int col,
		  struct pnode *value)
{
	struct pnode_pair *p = realloc(map->pairs, (map->n + 1) * sizeof(*p));

	if (!p) {
		free(key);
		pnode_free(value);
		return -ENOMEM;
	}
	map->pairs = p;
	p[map->n++] = (struct pnode_pair){ .key = key, .line = line, .col = col, .value = value };
	return 0;
}

int pnode_seq_add(struct pnode *seq, struct pnode *item)
{
	struct pnode **p = realloc(seq->items, (seq->n + 1) * sizeof(*p));

	if (!p) {
		pnode_free(item);
		return -ENOMEM;
	}
	seq->items = p;
	p[seq->n++] = item;
	return 0;
}

const char *pnode_kind_name(const struct pnode *n)
{
	switch (n->kind) {
	case PNODE_NULL:
		return "nothing";
	case PNODE_BOOL:
		return "a boolean";
	case PNODE_STRING:
		return "a string";
	case PNODE_MAP:
		return "a mapping";
	case PNODE_SEQ:
		return "a list";
	case PNODE_OTHER:
		return n->other;
	}
	return "?";
}

/* The first byte that is not well-formed UTF-8 (no overlongs, surrogates or NUL), or len. */
size_t profile_utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t need;
		unsigned int cp;

		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return i;
		if (len - i <= need)
			return i;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return i;
		i += need + 1;
	}
	return len;
}
