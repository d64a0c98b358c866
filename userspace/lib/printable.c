// SPDX-License-Identifier: LGPL-2.1-or-later
#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "printable.h"

size_t sbx_utf8_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

size_t sbx_utf8_char(const unsigned char *s, size_t n)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = n ? sbx_utf8_len(s[0]) : 0;
	uint32_t cp;

	if (!len || n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f)
		return 0;
	return len;
}

const char *sbx_printable_utf8(const char *s, bool utf8, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "(null)");
	size_t n = 0;

	if (!size)
		return "";
	while (*p) {
		size_t l = utf8 && *p >= 0x80 ? sbx_utf8_char(p, strnlen((const char *)p, 4)) : 0;

		if (l) {
			if (n + l >= size)
				break;
			memcpy(buf + n, p, l);
			n += l;
			p += l;
		} else if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			if (n + 1 >= size)
				break;
			buf[n++] = (char)*p++;
		} else {
			if (n + 4 >= size)
				break;
			n += (size_t)snprintf(buf + n, 5, "\\x%02x", *p++);
		}
	}
	buf[n] = '\0';
	return buf;
}

bool sbx_locale_utf8(void)
{
	static int cached = -1;
	const char *name = NULL;
	locale_t loc;

	if (cached >= 0)
		return cached;
	loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
	if (loc) {
		const char *cs = nl_langinfo_l(CODESET, loc);

		cached = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
		freelocale(loc);
		return cached;
	}
	/* Named but not installed: by its name, as the terminal was set up for it. */
	for (const char *const *v = (const char *const[]){ "LC_ALL", "LC_CTYPE", "LANG", NULL };
	     *v && !(name && *name); v++)
		name = getenv(*v);
	cached = name && (strcasestr(name, ".utf-8") || strcasestr(name, ".utf8"));
	return cached;
}

const char *sbx_printable(const char *s, char *buf, size_t size)
{
	return sbx_printable_utf8(s, sbx_locale_utf8(), buf, size);
}
