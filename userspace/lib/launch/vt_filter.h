/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the program's pty may write to the user's terminal: an allow-list of ECMA-48/VT
 * sequences that only draw (text, SGR, cursor movement, erase, scroll region, insert and
 * delete, a listed set of modes, charset designation, the window title), applied by the
 * launcher's relay. Everything else is dropped whole: every report or query (its answer
 * is typed back as input, after sbx has ended too: DA, DSR, CSI t, DECRQM, DECRQSS,
 * XTGETTCAP), every other OSC (52 writes the clipboard), DCS, APC, PM, SOS, 8-bit C1
 * controls (raw, or UTF-8 encoded U+0080..U+009F), unknown sequences and malformed ones.
 * This is the output side of what refusing TIOCSTI closes on the input side.
 *
 * Bytes are judged as the terminal decodes them. A terminal that is not in UTF-8 mode
 * (xterm's 8-bit mode, GNU screen under LANG=C, the Linux console) takes the second byte
 * of U+00DB (C3 9B) for CSI: unless the filter is told the terminal is UTF-8 (utf8, from
 * the launcher's locale: printable.h's sbx_locale_utf8), it passes 7-bit bytes only, each
 * character >= U+0080 shown as '?' and a title with one dropped.
 *
 * State a passed sequence sets does not outlive the program: every allowed sequence that
 * changes the terminal past its own drawing belongs to a kind of vt_filter.c's one table,
 * which carries the sequence that puts it back (sbx_vt_filter_restore), so none can be
 * allowed without one. What has no reset is dropped (tab stops); the title is pushed on
 * the terminal's title stack before the program's first and popped at the end.
 *
 * Pure and streaming: the state (a sequence split between two reads) is carried in the
 * struct, memory is bounded (a sequence longer than SBX_VT_SEQ_MAX is dropped whole), and
 * a sequence is passed only complete, so what the terminal parses is what was judged.
 */
#ifndef SBX_LAUNCH_VT_FILTER_H
#define SBX_LAUNCH_VT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest sequence (a title with its OSC framing) passed; longer ones are dropped. */
#define SBX_VT_SEQ_MAX 1024
/* Room sbx_vt_filter_restore needs. */
#define SBX_VT_RESTORE_MAX 512

struct sbx_vt_filter {
	uint8_t state;
	bool drop; /* the sequence under way is dropped (over-long or malformed) */
	bool bel_ends; /* the string under way (OSC) may end with BEL as well as ST */
	bool utf8; /* the terminal decodes UTF-8; else 7-bit bytes only */
	uint8_t need; /* UTF-8 continuation bytes still to come */
	uint64_t set; /* the kinds of state (vt_filter.c) the program set away from default */
	uint8_t mem; /* the terminal's cursor slots the program saved in (vt_filter.c) */
	size_t len; /* bytes of the sequence under way in seq */
	char seq[SBX_VT_SEQ_MAX];
};

/* A filter at ground state for a terminal that decodes UTF-8 or not (a zeroed struct is
 * one for a 7-bit terminal). */
void sbx_vt_filter_init(struct sbx_vt_filter *f, bool utf8);
/*
 * Filter len bytes of in into out, which has room for len + SBX_VT_SEQ_MAX bytes (a
 * sequence begun in an earlier call is passed whole when it ends). Returns the bytes
 * written to out. A sequence still incomplete stays in f.
 */
size_t sbx_vt_filter(struct sbx_vt_filter *f, const char *in, size_t len, char *out);
/*
 * The sequences that put every state the program changed back (mouse and focus reports,
 * application cursor keys and keypad, bracketed paste, the alternate screen, cursor
 * visibility and shape, insert mode, the scroll region, SGR, charsets, the title …), so
 * that what the user types or clicks next reaches the shell as it would have and the
 * shell draws as before: into out (room SBX_VT_RESTORE_MAX), returning its length. The
 * sequence under way, if any, is dropped; f is at ground state after (utf8 kept).
 */
size_t sbx_vt_filter_restore(struct sbx_vt_filter *f, char *out);

#endif /* SBX_LAUNCH_VT_FILTER_H */
