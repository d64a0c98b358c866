/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Entitlement profiles: Apple's App Sandbox and Hardened Runtime keys, an identifier, and
 * optional launch constraints, read from YAML (the authoring format) or an Apple
 * .entitlements plist (XML or binary). Both formats become the same struct sbx_profile;
 * nothing but the compiler (compile/compile.h) and the signer reads one.
 *
 * Keys are stored by their short name ("network.client"): the com.apple.security. prefix
 * is optional on input, and Apple's spellings that differ from sbx's (assets.pictures.*
 * for files.pictures.*) are folded into one name. profiles/README.md is the reference.
 */
#ifndef SBX_PROFILE_H
#define SBX_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* Larger files are refused unread: a profile is a page of text, never megabytes. */
#define SBX_PROFILE_MAX_BYTES (1024 * 1024)
/* Deepest nesting of mappings/sequences accepted (launch constraints nest the most). */
#define SBX_PROFILE_MAX_DEPTH 16
/* Longest include chain (a includes b includes c ...). */
#define SBX_PROFILE_MAX_INCLUDE_DEPTH 8

#define SBX_APPLE_SECURITY_PREFIX "com.apple.security."

enum sbx_value_kind {
	SBX_VALUE_BOOL,
	SBX_VALUE_STRING,
	SBX_VALUE_LIST, /* of strings */
};

struct sbx_entitlement {
	char *key; /* short canonical name, e.g. "network.client" */
	enum sbx_value_kind kind;
	bool boolean;
	char *string;
	char **list;
	size_t n_list;
	bool linux_meaning; /* false: an Apple key kept for the record, with no effect here */
	/* Where the value was set (the last layer that set it). */
	char *file;
	unsigned int line, col;
};

struct sbx_profile_warning {
	char *file;
	unsigned int line, col;
	char *msg;
};

/* Launch constraints, Apple LightweightCodeRequirements style. */
enum sbx_lc_slot {
	SBX_LC_SELF,
	SBX_LC_PARENT,
	SBX_LC_RESPONSIBLE,
	SBX_LC_LIBRARY,
	SBX_LC_NSLOTS,
};

enum sbx_lc_fact {
	SBX_LC_TEAM_IDENTIFIER, /* string: certificate OU, 10 upper-case letters/digits */
	SBX_LC_SIGNING_IDENTIFIER, /* string */
	SBX_LC_CDHASH, /* string: lower-case hex, SHA-256 (64) or SHA-1 (40) */
	SBX_LC_IS_INIT_PROC, /* bool */
	SBX_LC_ON_SYSTEM_VOLUME, /* bool */
};

enum sbx_lc_op {
	SBX_LC_AND, /* every child holds; a constraint dictionary is an implicit $and */
	SBX_LC_OR, /* some child holds */
	SBX_LC_FACT, /* fact == value, or fact $in values */
};

struct sbx_lc_node {
	enum sbx_lc_op op;
	enum sbx_lc_fact fact; /* SBX_LC_FACT */
	bool boolean; /* bool facts */
	bool in; /* string facts: $in (any of values) rather than one value */
	char **values; /* string facts */
	size_t n_values;
	struct sbx_lc_node *children; /* AND, OR */
	size_t n_children;
};

struct sbx_profile {
	char *identifier; /* reverse-DNS */
	char *source; /* file name given to the loader */
	struct sbx_entitlement *entitlements; /* sorted by key, unique */
	size_t n_entitlements;
	struct sbx_lc_node *launch[SBX_LC_NSLOTS]; /* NULL: unconstrained */
	char **includes; /* files merged in, resolved, in load order */
	size_t n_includes;
	struct sbx_profile_warning *warnings; /* Apple keys with no Linux meaning, etc. */
	size_t n_warnings;
};

/*
 * Load a profile: YAML, or an Apple plist (XML or binary), detected by content. Includes
 * (YAML only) are resolved relative to the including file. Returns 0, or -errno with one
 * sentence and file:line:col in diag; on error *out is untouched.
 */
int sbx_profile_load_file(const char *path, struct sbx_profile **out, struct sbx_diag *diag);
/* sbx profile import --ignore-unknown: an unknown key is a warning naming it, and dropped. */
int sbx_profile_load_file_lenient(const char *path, struct sbx_profile **out,
				  struct sbx_diag *diag);
/* Same from memory; name is used in diagnostics and to resolve relative includes. */
int sbx_profile_load_buffer(const char *name, const void *buf, size_t len, struct sbx_profile **out,
			    struct sbx_diag *diag);
/*
 * The entitlements a signature carries: self-contained, so an `include` is refused
 * (-EPERM): what runs must not depend on an unsigned file read at launch.
 */
int sbx_profile_load_signed(const char *name, const void *buf, size_t len, struct sbx_profile **out,
			    struct sbx_diag *diag);
void sbx_profile_free(struct sbx_profile *p);

const char *sbx_profile_identifier(const struct sbx_profile *p);
/* Reverse-DNS: two or more dot-separated labels of [A-Za-z0-9_-], at most 255 bytes. */
bool sbx_profile_identifier_valid(const char *s);
/* The entitlement named key (with or without the com.apple.security. prefix), or NULL. */
const struct sbx_entitlement *sbx_profile_get(const struct sbx_profile *p, const char *key);
/* True if a boolean entitlement is true or a list/string entitlement is present. */
bool sbx_profile_entitled(const struct sbx_profile *p, const char *key);

/*
 * Deterministic canonical bytes: YAML with sorted keys, includes already merged, false
 * values kept. sbx_profile_load_buffer() reads them back to an equal profile (same
 * identifier, entitlements and launch constraints). *buf is malloc'd, NUL-terminated.
 */
int sbx_profile_canonical(const struct sbx_profile *p, char **buf, size_t *len);
/* True if a and b have the same identifier, entitlements and launch constraints. */
bool sbx_profile_equal(const struct sbx_profile *a, const struct sbx_profile *b);

/*
 * sbx run --allow KEY: set the boolean entitlement KEY true on top of a loaded profile
 * (over a false the profile set), then check the profile as the loader does (a sandbox key
 * needs app-sandbox, ...). An unknown key, an Apple key with no Linux meaning or a list key
 * is -EINVAL with "did you mean" where one is close. _check validates KEY alone.
 */
int sbx_profile_allow_check(const char *key, struct sbx_diag *d);
int sbx_profile_allow(struct sbx_profile *p, const char *key, struct sbx_diag *d);
/* sbx learn: add path to the list entitlement KEY (a temporary-exception.files.* key). */
int sbx_profile_add_path(struct sbx_profile *p, const char *key, const char *path,
			 struct sbx_diag *d);

/* ---- the key table ---- */

enum sbx_key_class {
	SBX_KEY_SANDBOX, /* App Sandbox: only meaningful with app-sandbox: true */
	SBX_KEY_RUNTIME, /* Hardened Runtime (cs.*, get-task-allow) */
	SBX_KEY_SBX, /* sbx extensions (sbx.*) */
	SBX_KEY_APPLE_ONLY, /* accepted with a warning: no Linux meaning */
};

struct sbx_key_info {
	const char *name; /* short name */
	enum sbx_value_kind kind;
	enum sbx_key_class class;
	const char *summary; /* what it grants on Linux (or why it has no meaning) */
	/*
	 * sbx run --complain lets the calls this key would allow run, and reports them (the
	 * network keys: complain mode judges files, network and exec; the rest stays enforced).
	 */
	bool complain_runs;
};

/* The table entry for key (prefix optional, Apple aliases folded), or NULL. */
const struct sbx_key_info *sbx_key_lookup(const char *key);
/* The closest known key to an unknown one (edit distance), or NULL if none is close. */
const char *sbx_key_suggest(const char *key);
/* Every key with a Linux meaning, in table order; *n set to the count. */
const struct sbx_key_info *sbx_key_table(size_t *n);

const char *sbx_lc_slot_name(enum sbx_lc_slot slot);
/* The facts of one process a launch constraint is evaluated against. */
struct sbx_lc_facts {
	const char *team_id; /* "" unsigned or no team */
	const char *signing_id; /* "" unsigned */
	const char *cdhash_hex; /* lower-case hex SHA-256, "" unsigned */
	bool is_init_proc;
	bool on_system_volume;
};
/* True if the constraint n (NULL: unconstrained) holds for f. Pure. */
bool sbx_lc_eval(const struct sbx_lc_node *n, const struct sbx_lc_facts *f);

/* A deep copy of a launch constraint tree (NULL stays NULL), and its release. */
int sbx_lc_copy(const struct sbx_lc_node *src, struct sbx_lc_node **dst);
void sbx_lc_free(struct sbx_lc_node *n);
const char *sbx_lc_fact_name(enum sbx_lc_fact fact);

#endif /* SBX_PROFILE_H */
