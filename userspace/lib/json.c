// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>

#include "json.h"
#include "printable.h"

void sbx_json_init(struct sbx_json *j, FILE *out, bool pretty)
{
	*j = (struct sbx_json){ .out = out, .pretty = pretty };
}

void sbx_json_write_string(FILE *out, const char *s)
{
	size_t l;

	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*p >= 0x80 && (l = sbx_utf8_char(p, strnlen((const char *)p, 4)))) {
				fwrite(p, 1, l, out);
				p += l - 1;
			} else if (*p < 0x20 || *p >= 0x7f) {
				/* Controls, and bytes that are not UTF-8 or a C1 control in it
				 * (printable.h): never raw, the output may be a terminal. */
				fprintf(out, "\\u%04x", *p);
			} else {
				fputc(*p, out);
			}
		}
	}
	fputc('"', out);
}

/* Separator, indentation and key before a new member. */
static void json_member(struct sbx_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->has_items[j->depth])
			fputc(',', j->out);
		j->has_items[j->depth] = true;
		if (j->pretty) {
			fputc('\n', j->out);
			for (int i = 0; i < j->depth; i++)
				fputs("  ", j->out);
		}
	}
	if (key) {
		sbx_json_write_string(j->out, key);
		fputs(j->pretty ? ": " : ":", j->out);
	}
}

static void json_open(struct sbx_json *j, const char *key, char c)
{
	json_member(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < SBX_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void json_close(struct sbx_json *j, char c)
{
	bool had = j->has_items[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (j->pretty && had) {
		fputc('\n', j->out);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(c, j->out);
}

void sbx_json_object_begin(struct sbx_json *j, const char *key)
{
	json_open(j, key, '{');
}

void sbx_json_object_end(struct sbx_json *j)
{
	json_close(j, '}');
}

void sbx_json_array_begin(struct sbx_json *j, const char *key)
{
	json_open(j, key, '[');
}

void sbx_json_array_end(struct sbx_json *j)
{
	json_close(j, ']');
}

void sbx_json_string(struct sbx_json *j, const char *key, const char *value)
{
	json_member(j, key);
	if (value)
		sbx_json_write_string(j->out, value);
	else
		fputs("null", j->out);
}

void sbx_json_bool(struct sbx_json *j, const char *key, bool value)
{
	json_member(j, key);
	fputs(value ? "true" : "false", j->out);
}

void sbx_json_int(struct sbx_json *j, const char *key, long long value)
{
	json_member(j, key);
	fprintf(j->out, "%lld", value);
}

void sbx_json_uint(struct sbx_json *j, const char *key, unsigned long long value)
{
	json_member(j, key);
	fprintf(j->out, "%llu", value);
}

void sbx_json_null(struct sbx_json *j, const char *key)
{
	json_member(j, key);
	fputs("null", j->out);
}

void sbx_json_finish(struct sbx_json *j)
{
	fputc('\n', j->out);
}

char *sbx_rfc3339(char *buf, size_t len, time_t sec, long nsec, int digits)
{
	char t[SBX_RFC3339_LEN];
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm) || !(n = strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm))) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (digits > 0) {
		long frac = nsec;

		if (digits > 9)
			digits = 9;
		for (int i = digits; i < 9; i++)
			frac /= 10;
		n += (size_t)snprintf(t + n, sizeof(t) - n, ".%0*ld", digits, frac);
	}
	/* Whole or "?": a time cut short would read as another time. */
	if ((size_t)snprintf(buf, len, "%sZ", t) >= len)
		snprintf(buf, len, "?");
	return buf;
}

char *sbx_rfc3339_now(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return sbx_rfc3339(buf, len, ts.tv_sec, ts.tv_nsec, 3);
}

void sbx_json_time(struct sbx_json *j, const char *key, time_t sec, long nsec, int digits)
{
	char buf[SBX_RFC3339_LEN];

	sbx_json_string(j, key, sbx_rfc3339(buf, sizeof(buf), sec, nsec, digits));
}

void sbx_json_errno(struct sbx_json *j, const char *key, int e)
{
	const char *name = e > 0 ? strerrorname_np(e) : NULL;
	char name_key[64];

	snprintf(name_key, sizeof(name_key), "%s_name", key);
	if (e > 0)
		sbx_json_int(j, key, e);
	else
		sbx_json_null(j, key);
	sbx_json_string(j, name_key, name);
}
