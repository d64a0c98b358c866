// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal output allow-list (launch/vt_filter.h) and what the terminal remembers
 * (attack review atk8u, T4): a saved cursor (ESC 7, CSI s, entering the alternate screen)
 * holds SGR, the charsets and their shift, autowrap, insert mode and reverse video with
 * the position, and a restore (ESC 8, CSI u, leaving an alternate screen) brings them
 * back past the sequences the filter counts as "back to default". Every restore marks
 * every kind a saved cursor holds as set; a program's save leaves the slot holding a clean
 * cursor at the end, after every other reset; every other sequence that restores
 * remembered state is dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "launch/vt_filter.h"

/* What puts back every kind a saved cursor holds: the DEC modes (written with the other
 * DEC modes, first), then insert mode, SGR, the shift and G0-G3. */
#define SAVED_DEC "\033[?5l\033[?7h"
#define SAVED	  "\033[4l\033[0m\x0f\033(B\033)B\033*B\033+B"
/* A clean cursor saved in the normal screen's slot, and in both screens' slots. */
#define SLOT	 "\0337"
#define ALT_SLOT "\033[?1049h\0337\033[?1049l"

/* in through a fresh filter, then the restore: what the restore wrote, NUL-terminated. */
static void restore_after(const char *in, char *modes)
{
	struct sbx_vt_filter f;
	char *out = malloc(strlen(in) + SBX_VT_SEQ_MAX);
	size_t n;

	sbx_vt_filter_init(&f, true);
	sbx_vt_filter(&f, in, strlen(in), out);
	free(out);
	n = sbx_vt_filter_restore(&f, modes);
	modes[n] = '\0';
}

static const struct {
	const char *name, *seq, *reset;
} memory[] = {
	{ "DECSC, cleared, DECRC", "\033[7m\033(0\x0e\0337\033[0m\033(B\x0f\0338",
	  SAVED_DEC SAVED SLOT },
	{ "SCOSC, cleared, SCORC", "\033[7m\033(0\x0e\033[s\033[0m\033(B\x0f\033[u",
	  SAVED_DEC SAVED SLOT },
	{ "1049 entered, cleared, left", "\033[7m\033[?1049h\033[0m\033[?1049l",
	  SAVED_DEC SAVED ALT_SLOT },
	{ "1047 entered, cleared, left", "\033[7m\033[?1047h\033[0m\033[?1047l",
	  SAVED_DEC SAVED ALT_SLOT },
	{ "47 entered, cleared, left", "\033[7m\033[?47h\033[0m\033[?47l",
	  SAVED_DEC SAVED ALT_SLOT },
	{ "1049 left with another mode", "\033[7m\033[?1049h\033[0m\033[?1049;2004l",
	  SAVED_DEC SAVED ALT_SLOT },
	{ "DECRC of a cursor it never saved", "\0338", SAVED_DEC SAVED },
	{ "SCORC of a cursor it never saved", "\033[u", SAVED_DEC SAVED },
	{ "1049 left, never entered", "\033[?1049l", SAVED_DEC SAVED },
	{ "1049 entered and left on: sbx's 1049l restores", "\033[7m\033[?1049h",
	  "\033[?1049l" SAVED_DEC SAVED ALT_SLOT },
	{ "1049 entered clean and left on: restores a clean cursor", "\033[?1049h", "\033[?1049l" },
	{ "saved, cleared, left in the slot", "\033[7m\033(0\0337\033[0m\033(B", SLOT },
	{ "SCOSC left in the slot", "\033[1m\033[s\033[0m", SLOT },
	{ "saved clean, restored: nothing comes back", "\0337\033[7m\033[0m\0338", "" },
	{ "saved clean over a save that was not", "\033[7m\0337\033[0m\0337\0338", "" },
	{ "saved in the alternate screen, left there", "\033[?1047h\033[7m\0337",
	  "\033[?1047l" SAVED_DEC SAVED ALT_SLOT },
	{ "saved clean in the alternate screen: the normal screen's is not",
	  "\033[?1049h\033[?1049l\033[?47h\0337\033[?47l\0338", SAVED_DEC SAVED },
	{ "a save in the normal screen keeps the alternate screen's marked",
	  "\033[7m\033[?1049h\033[?1049l\0337", SAVED_DEC SAVED ALT_SLOT },
	{ "1049 entered clean, saved clean: every slot clean",
	  "\033[7m\0337\033[0m\033[?1049h\0337\033[?1049l\0338", "" },
	{ "saved in the alternate screen, left it", "\033[?1049h\033[7m\0337\033[0m\033[?1049l",
	  SAVED_DEC SAVED ALT_SLOT },
	{ "restored, then put back by the program itself",
	  "\033[7m\0337\0338\033[0m\033(B\033)B\033*B\033+B\x0f\033[4l\033[?5l\033[?7h", SLOT },
	{ "the scroll region's save after SGR's reset, the slot's last", "\033[2;5r\033[7m\0337",
	  "\033[0m\0337\033[r\0338" SLOT },
	{ "saved clean, set after", "\0337\033[7m", "\033[0m" },
};

TEST(every_restore_marks_what_a_saved_cursor_holds)
{
	for (size_t i = 0; i < ARRAY_SIZE(memory); i++) {
		char modes[SBX_VT_RESTORE_MAX + 1];

		restore_after(memory[i].seq, modes);
		EXPECT_STREQ(memory[i].reset, modes) TH_LOG("%s", memory[i].name);
	}
}

/* What restores remembered state other than a saved cursor: dropped, and nothing to put
 * back after it. */
static const struct {
	const char *name, *seq;
} dropped[] = {
	{ "XTPUSHSGR", "\033[#{" },
	{ "XTPUSHSGR with parameters", "\033[1;2#{" },
	{ "XTPOPSGR", "\033[#}" },
	{ "XTREPORTSGR", "\033[1;1;1;1#|" },
	{ "XTPUSHCOLORS", "\033[#P" },
	{ "XTPOPCOLORS", "\033[#Q" },
	{ "XTSAVE (DEC modes)", "\033[?1049s" },
	{ "XTRESTORE (DEC modes)", "\033[?1049r" },
	{ "1048 save (sbx cannot clean it apart)", "\033[?1048h" },
	{ "1048 restore", "\033[?1048l" },
	{ "DECSCA (protected, which a cursor saves)", "\033[1\"q" },
	{ "DECOM (origin, which a cursor saves)", "\033[?6h" },
	{ "title stack pop", "\033[23;0t" },
	{ "DECSTR", "\033[!p" },
	{ "RIS", "\033c" },
};

TEST(other_memory_dropped)
{
	for (size_t i = 0; i < ARRAY_SIZE(dropped); i++) {
		char in[64], out[64 + SBX_VT_SEQ_MAX], modes[SBX_VT_RESTORE_MAX + 1];
		struct sbx_vt_filter f;
		size_t n;

		snprintf(in, sizeof(in), "a%sb", dropped[i].seq);
		sbx_vt_filter_init(&f, true);
		n = sbx_vt_filter(&f, in, strlen(in), out);
		out[n] = '\0';
		EXPECT_STREQ("ab", out) TH_LOG("%s", dropped[i].name);
		n = sbx_vt_filter_restore(&f, modes);
		modes[n] = '\0';
		EXPECT_STREQ("", modes) TH_LOG("%s", dropped[i].name);
	}
}

/* Every kind at once: every reset is written (none left out for room), the slots after
 * the kinds a saved cursor holds (the scroll region's reset saves a clean one). */
TEST(every_reset_fits_slots_last)
{
	static const char in[] = "\033[?1;5;7;12;25;9;1000;1002;1003;1005;1006;1015;1004;2004;"
				 "2026h\033[?7;25l\0337\033[?1049;1047;47h\0337\033=\x0e\033(0"
				 "\033)0\033*0\033+0\033[4h\033[2;3r\033[3 q\033[1m\033]2;t\a";
	static const char want[] =
		"\033[?1049l\033[?1047l\033[?47l\033[?1l\033[?5l\033[?7h\033[?12l\033[?25h"
		"\033[?9l\033[?1000l\033[?1002l\033[?1003l\033[?1005l\033[?1006l\033[?1015l"
		"\033[?1004l\033[?2004l\033[?2026l\033[4l\033[0 q\033[0m\033>\x0f\033(B\033)B"
		"\033*B\033+B" ALT_SLOT "\0337\033[r\0338\033[23;0t";
	char modes[SBX_VT_RESTORE_MAX + 1];

	_Static_assert(sizeof(want) - 1 <= SBX_VT_RESTORE_MAX, "every reset fits");
	restore_after(in, modes);
	EXPECT_STREQ(want, modes);
}

TEST_HARNESS_MAIN
