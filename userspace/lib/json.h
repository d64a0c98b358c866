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
#include <time.h>

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
/*
 * key: e, and key "_name" beside it: its name ("EACCES"); both null when e <= 0 (no errno:
 * the call is killed, or the act has none); the name alone is null for a number libc cannot
 * name. Tools read the number, people the name.
 */
void sbx_json_errno(struct sbx_json *j, const char *key, int e);
/* key: the time as sbx_rfc3339 writes it (with digits of fractional seconds). */
void sbx_json_time(struct sbx_json *j, const char *key, time_t sec, long nsec, int digits);
/* Ends the document with a newline. */
void sbx_json_finish(struct sbx_json *j);
/* Writes s as a quoted, escaped JSON string. */
void sbx_json_write_string(FILE *out, const char *s);

/*
 * Every time sbx prints, in JSON or text: RFC 3339 in UTC, "2026-11-30T04:51:49Z", or with
 * digits (1 to 9) of fractional seconds from nsec, cut, not rounded: "...49.123Z". Returns
 * buf, SBX_RFC3339_LEN bytes is always enough; "?" if sec is out of gmtime's range or the
 * time does not fit in len (never a time cut short).
 */
#define SBX_RFC3339_LEN 40
char *sbx_rfc3339(char *buf, size_t len, time_t sec, long nsec, int digits);
/* Now (CLOCK_REALTIME), to the millisecond: what a log record is stamped with. */
char *sbx_rfc3339_now(char *buf, size_t len);

#endif /* SBX_JSON_H */
