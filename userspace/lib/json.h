/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A streaming JSON writer for `--json` output: keys in the order written, two-space
 * indentation (or one line), strings escaped per RFC 8259. Output is deterministic, so
 * snapshots of it can be compared byte for byte.
 */
#ifndef SBX_JSON_H
#define SBX_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define SBX_JSON_MAX_DEPTH 32

struct sbx_json {
	FILE *out;
	bool pretty;
	int depth;
	bool has_items[SBX_JSON_MAX_DEPTH];
};

void sbx_json_init(struct sbx_json *j, FILE *out, bool pretty);
/* key is NULL at the top level and inside arrays. */
void sbx_json_object_begin(struct sbx_json *j, const char *key);
void sbx_json_object_end(struct sbx_json *j);
void sbx_json_array_begin(struct sbx_json *j, const char *key);
void sbx_json_array_end(struct sbx_json *j);
void sbx_json_string(struct sbx_json *j, const char *key, const char *value); /* NULL: null */
void sbx_json_bool(struct sbx_json *j, const char *key, bool value);
void sbx_json_int(struct sbx_json *j, const char *key, long long value);
void sbx_json_uint(struct sbx_json *j, const char *key, unsigned long long value);
void sbx_json_null(struct sbx_json *j, const char *key);
/* Ends the document with a newline. */
void sbx_json_finish(struct sbx_json *j);
/* Writes s as a quoted, escaped JSON string. */
void sbx_json_write_string(FILE *out, const char *s);

#endif /* SBX_JSON_H */
