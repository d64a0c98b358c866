// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal output allow-list (launch/vt_filter.h), in memory: what passes unchanged,
 * each class that is dropped, a sequence split between reads at every byte, over-long
 * sequences, 8-bit and UTF-8 encoded C1 controls, and the modes put back at the end.
 * Every output buffer is exactly as large as the API promises, so ASan sees an overrun.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "launch/vt_filter.h"

/* in through a fresh filter in one call; the result NUL-terminated, malloc'd. */
static char *filter_str(const char *in, size_t len)
{
	struct sbx_vt_filter f;
	char *out = malloc(len + SBX_VT_SEQ_MAX + 1);
	size_t n;

	sbx_vt_filter_init(&f, true);
	n = sbx_vt_filter(&f, in, len, out);
	out[n] = '\0';
	return out;
}

/* in through a fresh filter in pieces cut at the offsets cuts[0..ncuts). */
static char *filter_cut(const char *in, size_t len, const size_t *cuts, size_t ncuts)
{
	struct sbx_vt_filter f;
	char *all = malloc(len + SBX_VT_SEQ_MAX + 1);
	size_t n = 0, from = 0;

	sbx_vt_filter_init(&f, true);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		char *out = malloc(to - from + SBX_VT_SEQ_MAX);
		size_t k = sbx_vt_filter(&f, in + from, to - from, out);

		memcpy(all + n, out, k);
		n += k;
		free(out);
		from = to;
	}
	all[n] = '\0';
	return all;
}

/* What a program may draw with: passed byte for byte. */
static const char *const passed[] = {
	"plain text, punctuation ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
	"UTF-8: h\xc3\xa9llo \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 \xef\xbf\xbd",
	"\a\b\t\n\v\f\r",
	"\x0e\x71\x0f", /* SO, line drawing q, SI */
	"\033[m\033[0m\033[1;31m\033[38;5;196m\033[38;2;1;2;3m\033[48:2::1:2:3m\033[4:3m",
	"\033[A\033[2B\033[C\033[10D\033[E\033[F\033[5G\033[H\033[3;7H\033[;7f\033[4d\033[e",
	"\033[a\033[3`",
	"\033[J\033[2J\033[3J\033[K\033[1K",
	"\033[5;20r\033[r\033[L\033[2M\033[@\033[3P\033[4X\033[S\033[2T\033[3b",
	"\033[I\033[Z\033[s\033[u\033[4h\033[4l",
	"\033[?1049h\033[?1049l\033[?25l\033[?25h\033[?1;2004h\033[?2004;1l\033[?12;25h",
	"\033[?1000h\033[?1006h\033[?1000;1006l\033[?1004h\033[?1004l\033[?2026h\033[?2026l",
	"\033[?47h\033[?47l\033[?1047h\033[?1047l\033[?7l\033[?7h\033[?5h\033[?5l",
	"\033[2 q\033[ q",
	"\0337\0338\033D\033E\033M\033=\033>",
	"\033(0\033(B\033)0\033*A\033+B",
};

TEST(drawing_passes_unchanged)
{
	for (size_t i = 0; i < ARRAY_SIZE(passed); i++) {
		char *out = filter_str(passed[i], strlen(passed[i]));

		EXPECT_STREQ(passed[i], out) TH_LOG("case %zu", i);
		free(out);
	}
}

/* Everything else, between two letters: "a" SEQ "b" comes out as want. */
static const struct {
	const char *name, *seq, *want;
} dropped[] = {
	{ "OSC 52 (clipboard), BEL", "\033]52;c;aGVsbG8=\a", "ab" },
	{ "OSC 52 (clipboard), ST", "\033]52;c;aGVsbG8=\033\\", "ab" },
	{ "OSC 52 query", "\033]52;c;?\a", "ab" },
	{ "OSC 4 colour query", "\033]4;1;?\a", "ab" },
	{ "OSC 10 foreground query", "\033]10;?\a", "ab" },
	{ "OSC 11 background query", "\033]11;?\033\\", "ab" },
	{ "OSC 8 hyperlink", "\033]8;;file:///etc/passwd\033\\x\033]8;;\033\\", "axb" },
	{ "OSC 7 cwd", "\033]7;file://h/tmp\a", "ab" },
	{ "OSC 133 shell mark", "\033]133;A\a", "ab" },
	{ "OSC 1337 (iTerm2 file)", "\033]1337;File=inline=1:AAAA\a", "ab" },
	{ "OSC 00 (not 0)", "\033]00;t\a", "ab" },
	{ "OSC 0 without ;", "\033]0\a", "ab" },
	{ "title with a control", "\033]0;x\ry\a", "ab" },
	{ "title with DEL", "\033]2;x\x7fy\a", "ab" },
	{ "title with a C1 in UTF-8", "\033]0;x\xc2\23331my\a", "ab" },
	{ "title with bad UTF-8", "\033]0;x\xc3y\a", "ab" },
	{ "title cut by CAN", "\033]0;xy\x18", "ab" },
	{ "DCS DECRQSS", "\033P$qm\033\\", "ab" },
	{ "DCS XTGETTCAP", "\033P+q544e\033\\", "ab" },
	{ "DCS tmux passthrough", "\033Ptmux;\033\033]52;c;aGk=\a\033\\", "ab" },
	{ "DCS sixel", "\033Pq#0;2;0;0;0#1!6~\033\\", "ab" },
	{ "DCS with BEL inside", "\033P$q\am\033\\", "ab" },
	{ "APC (kitty graphics)", "\033_Ga=T,t=f;L2V0Yy9wYXNzd2Q=\033\\", "ab" },
	{ "PM", "\033^private\033\\", "ab" },
	{ "SOS", "\033Xstring\033\\", "ab" },
	{ "DA1", "\033[c", "ab" },
	{ "DA1 0", "\033[0c", "ab" },
	{ "DA2", "\033[>c", "ab" },
	{ "DA3", "\033[=c", "ab" },
	{ "DSR status", "\033[5n", "ab" },
	{ "DSR cursor position", "\033[6n", "ab" },
	{ "DECXCPR", "\033[?6n", "ab" },
	{ "report title", "\033[21t", "ab" },
	{ "report icon label", "\033[20t", "ab" },
	{ "report window size", "\033[14t", "ab" },
	{ "report text area", "\033[18t", "ab" },
	{ "title stack push (sbx's own)", "\033[22;0t", "ab" },
	{ "title stack pop (would pop the user's)", "\033[23;0t", "ab" },
	{ "title stack, another parameter", "\033[22;3t", "ab" },
	{ "tab set (no reset puts the user's back)", "\033H", "ab" },
	{ "tab clear", "\033[g", "ab" },
	{ "tab clear all", "\033[3g", "ab" },
	{ "window resize", "\033[8;1;1t", "ab" },
	{ "DECRQM ANSI", "\033[4$p", "ab" },
	{ "DECRQM DEC", "\033[?2004$p", "ab" },
	{ "XTVERSION", "\033[>q", "ab" },
	{ "kitty keyboard query", "\033[?u", "ab" },
	{ "kitty keyboard push", "\033[>1u", "ab" },
	{ "XTMODKEYS", "\033[>4;2m", "ab" },
	{ "XTSMGRAPHICS query", "\033[?1;1;0S", "ab" },
	{ "DECREQTPARM", "\033[x", "ab" },
	{ "media copy (printer)", "\033[5i", "ab" },
	{ "DECSTR", "\033[!p", "ab" },
	{ "DECLL", "\033[1q", "ab" },
	{ "unknown final", "\033[5~", "ab" },
	{ "mouse highlight (five parameters)", "\033[1;2;3;4;5T", "ab" },
	{ "DECSLRM (s with parameters)", "\033[1;5s", "ab" },
	{ "u with a parameter", "\033[1u", "ab" },
	{ "linefeed mode", "\033[20h", "ab" },
	{ "insert mode with another", "\033[4;20h", "ab" },
	{ "mode 1001 (highlight tracking)", "\033[?1001h", "ab" },
	{ "mode 69 (left/right margins)", "\033[?69h", "ab" },
	{ "a listed mode with an unlisted one", "\033[?25;1001h", "ab" },
	{ "DEC mode without a number", "\033[?h", "ab" },
	{ "DEC private erase", "\033[?2J", "ab" },
	{ "restore DEC modes", "\033[?r", "ab" },
	{ "marker not first", "\033[1?h", "ab" },
	{ "two intermediates", "\033[2  q", "ab" },
	{ "an intermediate then a parameter", "\033[ 2q", "ab" },
	{ "parameter too large", "\033[65536C", "ab" },
	{ "colon outside SGR", "\033[1:2H", "ab" },
	{ "CUP with three parameters", "\033[1;2;3H", "ab" },
	{ "RIS", "\033c", "ab" },
	{ "DECALN", "\033#8", "ab" },
	{ "double height", "\033#3", "ab" },
	{ "leave UTF-8 (ESC % @)", "\033%@", "ab" },
	{ "S8C1T", "\033 G", "ab" },
	{ "G0 as another set", "\033(K", "ab" },
	{ "SS2", "\033N", "ab" },
	{ "ESC \\ alone", "\033\\", "ab" },
	{ "ENQ (answerback)", "\x05", "ab" },
	{ "NUL", "\0", "ab" },
	{ "other C0", "\x01\x02\x03\x04\x06\x10\x11\x12\x13\x14\x15\x16\x17\x19\x1c\x1d\x1e\x1f",
	  "ab" },
	{ "DEL", "\x7f", "ab" },
	{ "8-bit CSI", "\2336n", "a6nb" },
	{ "8-bit OSC", "\23552;c;aGk=\a", "a52;c;aGk=\ab" },
	{ "8-bit DCS", "\220$qm\x9c", "a$qmb" },
	{ "8-bit ST, APC", "\x9c\x9f", "ab" },
	{ "C1 as UTF-8 (U+009B)", "\xc2\2336n", "a6nb" },
	{ "overlong CSI", "\xc0\2336n", "a6nb" },
	{ "overlong three bytes", "\xe0\x82\x9b", "ab" },
	{ "surrogate", "\xed\xa0\x80", "ab" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", "ab" },
	{ "lead byte cut short", "\xe6\227x", "axb" },
	{ "stray continuation", "\x80\xbf", "ab" },
	{ "ESC then a control", "\033\r", "a\rb" },
	{ "CSI cut by a control", "\033[3\n1m", "a\n1mb" },
	{ "CSI cut by CAN", "\033[31\x18", "ab" },
	{ "CSI cut by ESC", "\033[31\033[1m", "a\033[1mb" },
	{ "CSI with a C1 byte", "\033[3\2331m", "a1mb" },
	{ "OSC cut by another ESC", "\033]52;c;x\033[1m", "a\033[1mb" },
};

TEST(every_other_class_dropped)
{
	for (size_t i = 0; i < ARRAY_SIZE(dropped); i++) {
		char in[256];
		size_t n = strlen(dropped[i].seq);
		char *out;

		/* "NUL" is the one case of a zero byte: strlen gives 0. */
		if (!n)
			n = 1;
		in[0] = 'a';
		memcpy(in + 1, dropped[i].seq, n);
		in[n + 1] = 'b';
		out = filter_str(in, n + 2);
		EXPECT_STREQ(dropped[i].want, out)
		TH_LOG("%s", dropped[i].name);
		free(out);
	}
}

/* All the cases above as one stream, and what it must become. */
static void stream(char **in, size_t *len, char **want)
{
	size_t cap = 1 << 16, n = 0, w = 0;

	*in = malloc(cap);
	*want = malloc(cap);
	for (size_t i = 0; i < ARRAY_SIZE(passed); i++) {
		memcpy(*in + n, passed[i], strlen(passed[i]));
		n += strlen(passed[i]);
		memcpy(*want + w, passed[i], strlen(passed[i]));
		w += strlen(passed[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dropped); i++) {
		const char *want_i = dropped[i].want;
		size_t k = strlen(dropped[i].seq) ? strlen(dropped[i].seq) : 1;

		(*in)[n++] = 'a';
		memcpy(*in + n, dropped[i].seq, k);
		n += k;
		(*in)[n++] = 'b';
		memcpy(*want + w, want_i, strlen(want_i));
		w += strlen(want_i);
	}
	(*want)[w] = '\0';
	*len = n;
}

/* A read may end anywhere: cut in two at every offset, and one byte per read. */
TEST(split_at_every_byte_boundary)
{
	char *in, *want, *out;
	size_t len, *cuts;

	stream(&in, &len, &want);
	out = filter_str(in, len);
	ASSERT_STREQ(want, out);
	free(out);
	for (size_t cut = 1; cut < len; cut++) {
		out = filter_cut(in, len, &cut, 1);
		ASSERT_STREQ(want, out) TH_LOG("cut at %zu", cut);
		free(out);
	}
	cuts = malloc(len * sizeof(*cuts));
	for (size_t i = 0; i < len; i++)
		cuts[i] = i;
	out = filter_cut(in, len, cuts, len);
	EXPECT_STREQ(want, out);
	free(out);
	free(cuts);
	free(in);
	free(want);
}

/* A title of n bytes, framed as OSC 2 ... BEL. */
static char *title_seq(size_t n, size_t *len)
{
	char *s = malloc(n + 8);

	memcpy(s, "\033]2;", 4);
	memset(s + 4, 't', n);
	s[4 + n] = '\a';
	*len = n + 5;
	return s;
}

#define PUSH "\033[22;0t"
#define POP  "\033[23;0t"

/* Bounded memory: the longest sequence passes whole (a title with the push before it in
 * SBX_VT_SEQ_MAX), one byte more is dropped whole (one byte at a time too), and what
 * follows passes. */
TEST(over_long_dropped_whole)
{
	size_t len, cut;
	char *seq, *in, *out;

	seq = title_seq(SBX_VT_SEQ_MAX - 5 - strlen(PUSH), &len);
	ASSERT_EQ((size_t)SBX_VT_SEQ_MAX, len + strlen(PUSH));
	out = filter_str(seq, len);
	EXPECT_EQ(len + strlen(PUSH), strlen(out));
	EXPECT_EQ(0, memcmp(PUSH, out, strlen(PUSH)));
	EXPECT_EQ(0, memcmp(seq, out + strlen(PUSH), len));
	free(out);
	free(seq);

	seq = title_seq(SBX_VT_SEQ_MAX - 4 - strlen(PUSH), &len);
	in = malloc(len + 2);
	memcpy(in, seq, len);
	memcpy(in + len, "ok", 2);
	out = filter_str(in, len + 2);
	EXPECT_STREQ("ok", out);
	free(out);
	cut = len - 1;
	out = filter_cut(in, len + 2, &cut, 1);
	EXPECT_STREQ("ok", out);
	free(out);
	free(in);
	free(seq);

	/* A CSI of 5000 parameter bytes, an OSC 52 of 100 000. */
	in = malloc(200000);
	len = 0;
	memcpy(in, "\033[", 2);
	len = 2;
	for (int i = 0; i < 2500; i++) {
		memcpy(in + len, "1;", 2);
		len += 2;
	}
	in[len++] = 'm';
	memcpy(in + len, "\033]52;c;", 7);
	len += 7;
	memset(in + len, 'A', 100000);
	len += 100000;
	in[len++] = '\a';
	in[len++] = 'z';
	out = filter_str(in, len);
	EXPECT_STREQ("z", out);
	free(out);
	free(in);
}

/* What the program left on is put back, in the table's order; what it put back itself or
 * never touched is not. */
TEST(restore_puts_modes_back)
{
	static const char in[] = "\033[?1049h\033[?1000;1006h\033[?2004h\033[?25l\033=\x0e\033(0"
				 "\033[?2026h\033[?2026l";
	struct sbx_vt_filter f;
	char out[sizeof(in) + SBX_VT_SEQ_MAX], modes[SBX_VT_RESTORE_MAX + 1];
	size_t n;

	sbx_vt_filter_init(&f, true);
	sbx_vt_filter(&f, in, sizeof(in) - 1, out);
	n = sbx_vt_filter_restore(&f, modes);
	modes[n] = '\0';
	EXPECT_STREQ("\033[?1049l\033[?25h\033[?1000l\033[?1006l\033[?2004l\033>\x0f\033(B", modes);
	/* Once: the filter is back at its defaults. */
	EXPECT_EQ((size_t)0, sbx_vt_filter_restore(&f, modes));
	/* Every mode and kind at once fits. */
	for (const char *s = "\033[?1049;1047;47;1;5;7;12;25;9;1000;1002;1003;1005;1006;1015;"
			     "1004;2004;2026h\033[?7;25l\033=\x0e\033(0\033)0\033*0\033+0"
			     "\033[4h\033[2;3r\033[3 q\033[1m\033]2;t\a";
	     *s; s++)
		sbx_vt_filter(&f, s, 1, out);
	n = sbx_vt_filter_restore(&f, modes);
	EXPECT_GT(n, (size_t)100);
	EXPECT_LE(n, (size_t)SBX_VT_RESTORE_MAX);
}

/* A sequence under way when the terminal is handed back is dropped, not finished later. */
TEST(restore_drops_the_sequence_under_way)
{
	struct sbx_vt_filter f;
	char out[16 + SBX_VT_SEQ_MAX], modes[SBX_VT_RESTORE_MAX];
	size_t n;

	sbx_vt_filter_init(&f, true);
	EXPECT_EQ((size_t)0, sbx_vt_filter(&f, "\033]52;c;aGk", 10, out));
	EXPECT_EQ((size_t)0, sbx_vt_filter_restore(&f, modes));
	n = sbx_vt_filter(&f, "=\a", 2, out);
	EXPECT_EQ((size_t)2, n);
	EXPECT_EQ(0, memcmp("=\a", out, 2));
}

/*
 * Every kind of state a passed sequence sets, and what puts it back at the end: nothing a
 * program sets outlives it (the insert mode, the scroll region, the title, the cursor's
 * shape, G1-G3 and SGR among the rest); what it put back itself is not put back again.
 */
static const struct {
	const char *seq, *reset;
} state_kinds[] = {
	{ "\033[4h", "\033[4l" },
	{ "\033[5;10r", "\0337\033[r\0338" },
	{ "\033[;10r", "\0337\033[r\0338" },
	{ "\033[2 q", "\033[0 q" },
	{ "\033[1;31m", "\033[0m" },
	{ "\033=", "\033>" },
	{ "\x0e", "\x0f" },
	{ "\033(0", "\033(B" },
	{ "\033)0", "\033)B" },
	{ "\033*A", "\033*B" },
	{ "\033+0", "\033+B" },
	{ "\033]0;t\a", POP },
	{ "\033]1;icon\033\\", POP },
	{ "\033]2;t\a\033]2;u\a", POP },
	{ "\033[?1000h", "\033[?1000l" },
	{ "\033[?25l", "\033[?25h" },
	{ "\033[4h\033[4l", "" },
	{ "\033[5;10r\033[r", "" },
	{ "\033[2 q\033[0 q", "" },
	{ "\033[31m\033[0m", "" },
	{ "\033)0\033)B", "" },
	{ "\033[?1000h\033[?1000l", "" },
	{ "\033[5;10r\033[4h\033]2;t\a\033[?1000h", "\033[?1000l\033[4l\0337\033[r\0338" POP },
};

TEST(every_state_kind_restored)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_kinds); i++) {
		size_t len = strlen(state_kinds[i].seq);
		struct sbx_vt_filter f;
		char out[64 + SBX_VT_SEQ_MAX], modes[SBX_VT_RESTORE_MAX + 1];
		size_t n;

		sbx_vt_filter_init(&f, true);
		n = sbx_vt_filter(&f, state_kinds[i].seq, len, out);
		EXPECT_LE(len, n) TH_LOG("%zu: passed", i);
		n = sbx_vt_filter_restore(&f, modes);
		modes[n] = '\0';
		EXPECT_STREQ(state_kinds[i].reset, modes) TH_LOG("%zu", i);
	}
}

/* The user's title is pushed before the program's first (once), popped at the end; the
 * program's own push and pop are dropped (a pop would take the user's); split anywhere. */
TEST(title_pushed_first_popped_at_end)
{
	static const char in[] = "a\033]0;one\a\033[23;0tb\033]2;t\xc3\xaftle\033\\\033[22;0t"
				 "\033]1;icon\a";
	static const char want[] = "a" PUSH "\033]0;one\ab\033]2;t\xc3\xaftle\033\\"
				   "\033]1;icon\a" POP;
	size_t len = sizeof(in) - 1;

	for (size_t cut = 0; cut <= len; cut++) {
		struct sbx_vt_filter f;
		char out[sizeof(in) + 2 * SBX_VT_SEQ_MAX + SBX_VT_RESTORE_MAX];
		size_t n;

		sbx_vt_filter_init(&f, true);
		n = sbx_vt_filter(&f, in, cut, out);
		n += sbx_vt_filter(&f, in + cut, len - cut, out + n);
		n += sbx_vt_filter_restore(&f, out + n);
		out[n] = '\0';
		ASSERT_STREQ(want, out) TH_LOG("cut at %zu", cut);
	}
}

/*
 * A terminal that is not UTF-8 (xterm's 8-bit mode, screen under LANG=C, the Linux
 * console) takes 0x9b in C3 9B (U+00DB) for CSI: 7-bit only, a character as one '?', a
 * title with one dropped, every other byte >= 0x80 dropped. Split at every byte.
 */
TEST(seven_bit_terminal)
{
	static const char in[] = "\xc3\x9b"
				 "6n|\xc3\x9b"
				 "c|\xc2\x9b"
				 "6n|\x9b"
				 "6n|\xc3\x9d"
				 "52;c;x\a|"
				 "\xc3\x90q|\xc3\x9c|h\xc3\xa9llo \xe2\x80\x94 \xf0\x9f\x98\x80|"
				 "\033]2;t\xc3\xaftle\a|\033]2;title\a|\x80\xff\xc3";
	static const char want[] = "?6n|?c|6n|6n|?52;c;x\a|?q|?|h?llo ? ?|"
				   "|" PUSH "\033]2;title\a|";
	size_t len = sizeof(in) - 1;

	for (size_t cut = 0; cut <= len; cut++) {
		struct sbx_vt_filter f;
		char out[sizeof(in) + 2 * SBX_VT_SEQ_MAX];
		size_t n;

		sbx_vt_filter_init(&f, false);
		n = sbx_vt_filter(&f, in, cut, out);
		n += sbx_vt_filter(&f, in + cut, len - cut, out + n);
		out[n] = '\0';
		ASSERT_STREQ(want, out) TH_LOG("cut at %zu", cut);
		for (size_t i = 0; i < n; i++)
			ASSERT_LT((unsigned char)out[i], 0x80) TH_LOG("cut at %zu", cut);
	}
}

TEST_HARNESS_MAIN
