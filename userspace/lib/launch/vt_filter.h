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
#define SBX_VT_RESTORE_MAX 256

struct sbx_vt_filter {
	uint8_t state;
	bool drop; /* the sequence under way is dropped (over-long or malformed) */
	bool bel_ends; /* the string under way (OSC) may end with BEL as well as ST */
	uint8_t need; /* UTF-8 continuation bytes still to come */
	uint32_t modes; /* listed modes the program set away from their default */
	size_t len; /* bytes of the sequence under way in seq */
	char seq[SBX_VT_SEQ_MAX];
};

/* A filter at ground state (a zeroed struct is one too). */
void sbx_vt_filter_init(struct sbx_vt_filter *f);
/*
 * Filter len bytes of in into out, which has room for len + SBX_VT_SEQ_MAX bytes (a
 * sequence begun in an earlier call is passed whole when it ends). Returns the bytes
 * written to out. A sequence still incomplete stays in f.
 */
size_t sbx_vt_filter(struct sbx_vt_filter *f, const char *in, size_t len, char *out);
/*
 * The sequences that put the modes the program changed back to their defaults (mouse and
 * focus reports, application cursor keys and keypad, bracketed paste, the alternate
 * screen, cursor visibility …), so that what the user types or clicks next reaches the
 * shell as it would have: into out (room SBX_VT_RESTORE_MAX), returning its length. The
 * sequence under way, if any, is dropped; f is at ground state after.
 */
size_t sbx_vt_filter_restore(struct sbx_vt_filter *f, char *out);

#endif /* SBX_LAUNCH_VT_FILTER_H */
