/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the profile loader: both readers (YAML, plist) build the same small document
 * tree, with a position for every node, and one validator turns that tree into a profile.
 * That is what makes a plist and its YAML import load to equal profiles.
 */
#ifndef SBX_PROFILE_INTERNAL_H
#define SBX_PROFILE_INTERNAL_H

#include "profile/profile.h"

enum pnode_kind {
	PNODE_NULL,
	PNODE_BOOL,
	PNODE_STRING,
	PNODE_MAP,
	PNODE_SEQ,
	PNODE_OTHER, /* a plist integer, real, date, data or uid: never valid in a profile */
};

struct pnode_pair;

struct pnode {
	enum pnode_kind kind;
	unsigned int line, col; /* 0 when the format has no positions (plist) */
	bool boolean;
	char *str; /* PNODE_STRING */
	const char *other; /* PNODE_OTHER: the type's name */
	struct pnode_pair *pairs; /* PNODE_MAP, in document order */
	struct pnode **items; /* PNODE_SEQ */
	size_t n;
};

struct pnode_pair {
	char *key;
	unsigned int line, col;
	struct pnode *value;
};

void pnode_free(struct pnode *n);
struct pnode *pnode_new(enum pnode_kind kind, unsigned int line, unsigned int col);
int pnode_map_add(struct pnode *map, char *key, unsigned int line, unsigned int col,
		  struct pnode *value);
int pnode_seq_add(struct pnode *seq, struct pnode *item);
const char *pnode_kind_name(const struct pnode *n);
/* The first byte that is not well-formed UTF-8 (no overlongs, surrogates or NUL), or len. */
size_t profile_utf8_invalid_at(const unsigned char *s, size_t len);

/* Readers: the whole buffer into a tree, or -errno with diag set (file = name). */
int profile_parse_yaml(const char *name, const char *buf, size_t len, struct pnode **out,
		       struct sbx_diag *diag);
int profile_parse_plist(const char *name, const char *buf, size_t len, struct pnode **out,
			struct sbx_diag *diag);
bool profile_is_plist(const char *buf, size_t len);

/* Launch constraints: one slot's dictionary into a node (constraints.c). */
int profile_parse_constraint(const char *file, const struct pnode *n, int depth,
			     struct sbx_lc_node *out, struct sbx_diag *diag);
void profile_lc_free(struct sbx_lc_node *n);
int profile_lc_copy(const struct sbx_lc_node *src, struct sbx_lc_node *dst);
bool profile_lc_equal(const struct sbx_lc_node *a, const struct sbx_lc_node *b);

/* Levenshtein distance, capped (keys.c). */
size_t profile_edit_distance(const char *a, const char *b);

#endif /* SBX_PROFILE_INTERNAL_H */
