// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one sanitizer for strings a program chose (printable.h), in memory: every byte a
 * terminal could take for a control comes out as \xNN (ESC, the other C0, DEL, raw C1,
 * C1 encoded in UTF-8, invalid UTF-8; every byte >= 0x80 for a terminal that is not
 * UTF-8), printable text unchanged, a buffer too small cut at a whole escape; and the
 * JSON writer, which never writes such a byte raw either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "json.h"
#include "printable.h"

static const struct {
	const char *in, *utf8, *seven;
} cases[] = {
	{ "plain /tmp/a b.txt", "plain /tmp/a b.txt", "plain /tmp/a b.txt" },
	{ "\033[c", "\\x1b[c", "\\x1b[c" },
	{ "/\033]52;c;aGk=\a\033[6n", "/\\x1b]52;c;aGk=\\x07\\x1b[6n",
	  "/\\x1b]52;c;aGk=\\x07\\x1b[6n" },
	{ "a\nb\rc\td\x7f", "a\\x0ab\\x0dc\\x09d\\x7f", "a\\x0ab\\x0dc\\x09d\\x7f" },
	{ "back\\x1b", "back\\x5cx1b", "back\\x5cx1b" },
	{ "\x9b"
	  "6n",
	  "\\x9b6n", "\\x9b6n" },
	{ "\xc2\x9b"
	  "6n",
	  "\\xc2\\x9b6n", "\\xc2\\x9b6n" },
	{ "\xc3\x9b"
	  "6n",
	  "\xc3\x9b"
	  "6n",
	  "\\xc3\\x9b6n" },
	{ "h\xc3\xa9llo \xe2\x80\x94", "h\xc3\xa9llo \xe2\x80\x94",
	  "h\\xc3\\xa9llo \\xe2\\x80\\x94" },
	{ "cut \xe2\x80", "cut \\xe2\\x80", "cut \\xe2\\x80" },
	{ "overlong \xc0\x9b", "overlong \\xc0\\x9b", "overlong \\xc0\\x9b" },
	{ "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80", "surrogate \\xed\\xa0\\x80" },
	{ "", "", "" },
};

TEST(every_control_escaped)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[SBX_PRINTABLE_SIZE(64)];

		EXPECT_STREQ(cases[i].utf8, sbx_printable_utf8(cases[i].in, true, buf, sizeof(buf)))
		TH_LOG("case %zu, UTF-8", i);
		EXPECT_STREQ(cases[i].seven,
			     sbx_printable_utf8(cases[i].in, false, buf, sizeof(buf)))
		TH_LOG("case %zu, 7-bit", i);
	}
}

/* The room promised is enough for the worst string; less cuts at a whole escape. */
TEST(room_and_cuts)
{
	char big[SBX_PRINTABLE_SIZE(8)], small[7];

	EXPECT_EQ(32u, strlen(sbx_printable_utf8("\033\033\033\033\033\033\033\033", true, big,
						 sizeof(big))));
	EXPECT_STREQ("ab\\x1b", sbx_printable_utf8("ab\033\033", true, small, sizeof(small)));
	EXPECT_STREQ("abc\xc3\xa9z",
		     sbx_printable_utf8("abc\xc3\xa9zz", true, small, sizeof(small)));
	EXPECT_STREQ("abcd", sbx_printable_utf8("abcd\xe2\x80\x94", true, small, sizeof(small)));
	EXPECT_STREQ("(null)", sbx_printable_utf8(NULL, true, big, sizeof(big)));
	EXPECT_STREQ(big, SBX_PRINTABLE(NULL));
}

/* The macro's escaping follows the locale named in the environment. */
TEST(locale_decides_utf8)
{
	/* Cached at the first call: this test runs alone in its process (kselftest forks). */
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	setenv("LANG", "C", 1);
	EXPECT_FALSE(sbx_locale_utf8());
	EXPECT_STREQ("\\xc3\\xa9", SBX_PRINTABLE("\xc3\xa9"));
}

TEST(locale_utf8_by_name)
{
	setenv("LC_ALL", "xx_YY.UTF-8", 1); /* not installed: by its name */
	EXPECT_TRUE(sbx_locale_utf8());
	EXPECT_STREQ("\xc3\xa9\\x1b", SBX_PRINTABLE("\xc3\xa9\033"));
}

/* JSON: controls as \u00XX, and no byte a terminal could take for C1 written raw. */
TEST(json_never_raw_controls)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ASSERT_NE(NULL, f);
	sbx_json_write_string(f, "a\033[c\x7f\x9b\xc2\x9b\xc3\xa9\xe2\x80");
	fclose(f);
	EXPECT_STREQ("\"a\\u001b[c\\u007f\\u009b\\u00c2\\u009b\xc3\xa9\\u00e2\\u0080\"", out);
	free(out);
}

TEST_HARNESS_MAIN
