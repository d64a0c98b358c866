// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The terminal output allow-list (vt_filter.h). The parser follows the shape of Paul
 * Williams' DEC parser (vt100.net/emu/dec_ansi_parser), 7-bit with UTF-8 as tmux's, but it
 * only finds where a sequence ends: each complete sequence is then judged against the
 * list as a whole and passed or dropped, so nothing half-judged reaches the terminal.
 * Where Williams executes a control inside a sequence, here the sequence is malformed: it
 * is dropped and the control taken at ground state.
 */
#include <stdio.h>
#include <string.h>

#include "launch/vt_filter.h"

#define ESC 0x1b
#define BEL 0x07
#define CAN 0x18
#define SUB 0x1a
#define SO  0x0e
#define SI  0x0f

enum vt_state {
	VT_GROUND,
	VT_UTF8, /* inside a multi-byte character */
	VT_ESC, /* ESC and its intermediates */
	VT_CSI,
	VT_STRING, /* OSC, DCS, SOS, PM, APC: up to ST (an OSC also up to BEL) */
	VT_STRING_ESC, /* ESC inside a string: ST when '\' follows */
};

/*
 * The DEC private modes (CSI ? Pm h / l) passed, each with its default. Mouse and focus
 * reports are passed: what they report is what the user does with the mouse, typed into
 * the program's own pty while it runs, never what the program wrote; and they are put back
 * when it ends (sbx_vt_filter_restore), as is everything here, so that a click or a key
 * after it reaches the shell as before. 1001 (highlight tracking, which the program must
 * answer), 1048 (a cursor save, not a state) and the rest are dropped.
 */
static const struct {
	uint16_t mode;
	bool dflt;
} dec_modes[] = {
	{ 1049, false }, /* alternate screen, cursor saved (first: put back first) */
	{ 1047, false }, /* alternate screen */
	{ 47, false }, /* alternate screen (old) */
	{ 1, false }, /* application cursor keys */
	{ 5, false }, /* reverse video (the visible bell) */
	{ 7, true }, /* autowrap */
	{ 12, false }, /* blinking cursor */
	{ 25, true }, /* cursor visible */
	{ 9, false }, /* mouse: X10 press reports */
	{ 1000, false }, /* mouse: press and release */
	{ 1002, false }, /* mouse: motion with a button down */
	{ 1003, false }, /* mouse: all motion */
	{ 1005, false }, /* mouse reports in UTF-8 */
	{ 1006, false }, /* mouse reports as SGR */
	{ 1015, false }, /* mouse reports as urxvt's */
	{ 1004, false }, /* focus in / out reports */
	{ 2004, false }, /* bracketed paste */
	{ 2026, false }, /* synchronized output */
};

#define N_DEC_MODES (sizeof(dec_modes) / sizeof(dec_modes[0]))
/* Pseudo-modes after the DEC ones: the application keypad (ESC = / ESC >), a shift to G1
 * (SO / SI) and G0 designated other than ASCII (ESC ( 0, ESC ( A). */
#define MODE_KEYPAD (1u << N_DEC_MODES)
#define MODE_SHIFT  (1u << (N_DEC_MODES + 1))
#define MODE_G0	    (1u << (N_DEC_MODES + 2))

_Static_assert(N_DEC_MODES + 3 <= 32, "modes fit f->modes");
_Static_assert(N_DEC_MODES * sizeof("\033[?NNNNl") + sizeof("\033>\017\033(B") <=
		       SBX_VT_RESTORE_MAX,
	       "the restore sequence fits");

void sbx_vt_filter_init(struct sbx_vt_filter *f)
{
	memset(f, 0, sizeof(*f));
}

static void set_mode(struct sbx_vt_filter *f, uint32_t bit, bool away)
{
	if (away)
		f->modes |= bit;
	else
		f->modes &= ~bit;
}

/* The length of a UTF-8 character whose first byte is c, or 0 for a byte no character
 * starts with (a continuation byte, C0/C1 overlong leads 0xc0 0xc1, 0xf5 and above). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * The length of the well-formed UTF-8 character at s (n bytes at most), or 0: not one,
 * overlong, a surrogate, above U+10FFFF, or a C1 control (U+0080..U+009F: a terminal that
 * decodes UTF-8 first, as xterm does, takes U+009B for CSI).
 */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = utf8_len(s[0]);
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

/* ESC and a final, or ESC, one intermediate and a final. */
static bool esc_allowed(struct sbx_vt_filter *f)
{
	const char *s = f->seq;

	if (f->len == 2)
		switch (s[1]) {
		case '=': /* application keypad */
		case '>': /* normal keypad */
			set_mode(f, MODE_KEYPAD, s[1] == '=');
			return true;
		case '7': /* save cursor */
		case '8': /* restore cursor */
		case 'D': /* index */
		case 'E': /* next line */
		case 'H': /* tab set */
		case 'M': /* reverse index */
			return true;
		default:
			return false;
		}
	/* Charset designation: G0-G3 as DEC line drawing, UK or US ASCII. */
	if (f->len == 3 && strchr("()*+", s[1]) && strchr("0AB", s[2])) {
		if (s[1] == '(')
			set_mode(f, MODE_G0, s[2] != 'B');
		return true;
	}
	return false;
}

#define CSI_MAX_PARAMS 32

/*
 * CSI [?] params [SP] final, judged whole: the cursor, erase, scroll region, insert and
 * delete, SGR, tabs, the listed modes, the cursor's shape and the title stack. No report or
 * query (c, n, t but 22 and 23, x, $p, q with '>' …), no other private marker, no other
 * intermediate.
 */
static bool csi_allowed(struct sbx_vt_filter *f)
{
	const char *p = f->seq + 2, *end = f->seq + f->len - 1;
	unsigned int v[CSI_MAX_PARAMS], n = 0, cur = 0;
	char final = *end, priv = 0;
	bool any = false, colon = false, space = false;

	if (p < end && (*p == '?' || *p == '<' || *p == '=' || *p == '>'))
		priv = *p++;
	for (; p < end && *p >= 0x30 && *p <= 0x3f; p++) {
		any = true;
		if (*p >= '0' && *p <= '9') {
			cur = cur * 10 + (unsigned int)(*p - '0');
			if (cur > 65535)
				return false;
		} else if (*p == ';' || *p == ':') {
			colon |= *p == ':';
			if (n == CSI_MAX_PARAMS)
				return false;
			v[n++] = cur;
			cur = 0;
		} else {
			return false; /* a private marker not first */
		}
	}
	if (n == CSI_MAX_PARAMS)
		return false;
	v[n++] = cur;
	if (p < end) {
		if (*p != ' ' || p + 1 != end)
			return false;
		space = true;
	}
	if ((colon && final != 'm') || (priv && priv != '?'))
		return false;
	if (space)
		return !priv && final == 'q' && n == 1; /* DECSCUSR: the cursor's shape */
	if (priv) {
		size_t idx[CSI_MAX_PARAMS];

		if (!any || (final != 'h' && final != 'l'))
			return false;
		for (unsigned int i = 0; i < n; i++) {
			for (idx[i] = 0; idx[i] < N_DEC_MODES; idx[i]++)
				if (dec_modes[idx[i]].mode == v[i])
					break;
			if (idx[i] == N_DEC_MODES)
				return false;
		}
		for (unsigned int i = 0; i < n; i++)
			set_mode(f, 1u << idx[i], (final == 'h') != dec_modes[idx[i]].dflt);
		return true;
	}
	switch (final) {
	case 'm': /* SGR */
		return true;
	case 'H': /* cursor position */
	case 'f':
	case 'r': /* scroll region */
		return n <= 2;
	case 'A': /* cursor up, down, forward, back */
	case 'B':
	case 'C':
	case 'D':
	case 'E': /* next, previous line */
	case 'F':
	case 'G': /* column */
	case '`':
	case 'a':
	case 'd': /* row */
	case 'e':
	case 'J': /* erase in display, in line */
	case 'K':
	case 'L': /* insert, delete lines */
	case 'M':
	case '@': /* insert, delete, erase characters */
	case 'P':
	case 'X':
	case 'S': /* scroll up, down (five parameters: xterm's mouse highlight) */
	case 'T':
	case 'b': /* repeat the last character */
	case 'I': /* tab forward, back; clear tabs */
	case 'Z':
	case 'g':
		return n <= 1;
	case 't': /* push, pop the title (xterm's title stack); never a report nor a resize */
		if (n > 3 || (v[0] != 22 && v[0] != 23))
			return false;
		for (unsigned int i = 1; i < n; i++)
			if (v[i] > 2)
				return false;
		return true;
	case 's': /* save, restore the cursor */
	case 'u':
		return !any;
	case 'h': /* insert mode (IRM), the only ANSI mode */
	case 'l':
		for (unsigned int i = 0; i < n; i++)
			if (v[i] != 4)
				return false;
		return any;
	default:
		return false;
	}
}

/* ESC ] 0, 1 or 2 ; TITLE, ended by BEL or ST; the title printable UTF-8. The title is only
 * shown: what would read it back (CSI 20 t, 21 t) is dropped. */
static bool osc_allowed(struct sbx_vt_filter *f)
{
	const unsigned char *s = (const unsigned char *)f->seq;
	size_t end;

	if (f->len < 5 || (s[2] != '0' && s[2] != '1' && s[2] != '2') || s[3] != ';')
		return false;
	end = f->len - (s[f->len - 1] == BEL ? 1 : 2);
	for (size_t i = 4; i < end;) {
		size_t l = 1;

		if (s[i] >= 0x80)
			l = utf8_char(s + i, end - i);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			l = 0;
		if (!l)
			return false;
		i += l;
	}
	return true;
}

static void append(struct sbx_vt_filter *f, unsigned char c)
{
	if (f->len < sizeof(f->seq))
		f->seq[f->len++] = (char)c;
	else
		f->drop = true; /* over-long: dropped whole, never passed half */
}

static void to_ground(struct sbx_vt_filter *f)
{
	f->state = VT_GROUND;
	f->len = 0;
	f->need = 0;
	f->drop = false;
	f->bel_ends = false;
}

static void to_esc(struct sbx_vt_filter *f)
{
	to_ground(f);
	f->state = VT_ESC;
	f->seq[f->len++] = ESC;
}

/* The sequence under way is complete: passed if allowed, then ground. */
static void finish(struct sbx_vt_filter *f, bool (*allowed)(struct sbx_vt_filter *), char *out,
		   size_t *n)
{
	if (!f->drop && allowed(f)) {
		memcpy(out + *n, f->seq, f->len);
		*n += f->len;
	}
	to_ground(f);
}

/* Takes one byte; false when the byte ended the state and must be taken again. */
static bool step(struct sbx_vt_filter *f, unsigned char c, char *out, size_t *n)
{
	switch (f->state) {
	case VT_GROUND:
		if ((c >= 0x20 && c < 0x7f) || c == BEL || (c >= 0x08 && c <= 0x0d) || c == SO ||
		    c == SI) {
			if (c == SO || c == SI)
				set_mode(f, MODE_SHIFT, c == SO);
			out[(*n)++] = (char)c;
		} else if (c == ESC) {
			to_esc(f);
		} else if (utf8_len(c)) {
			f->state = VT_UTF8;
			f->seq[0] = (char)c;
			f->len = 1;
			f->need = (uint8_t)(utf8_len(c) - 1);
		}
		/* else dropped: other C0 (ENQ asks for the answerback), DEL, C1, stray bytes */
		return true;
	case VT_UTF8:
		if ((c & 0xc0) != 0x80) {
			to_ground(f); /* cut short: dropped */
			return false;
		}
		append(f, c);
		if (--f->need == 0) {
			if (utf8_char((const unsigned char *)f->seq, f->len) == f->len) {
				memcpy(out + *n, f->seq, f->len);
				*n += f->len;
			}
			to_ground(f);
		}
		return true;
	case VT_ESC:
	case VT_CSI:
		if (c == ESC) {
			to_esc(f);
			return true;
		}
		if (c == CAN || c == SUB) {
			to_ground(f);
			return true;
		}
		if (c < 0x20 || c >= 0x7f) {
			to_ground(f); /* a control or a byte no sequence holds: malformed */
			return false;
		}
		if (f->state == VT_ESC && f->len == 1) {
			switch (c) {
			case '[':
				f->state = VT_CSI;
				append(f, c);
				return true;
			case ']': /* OSC */
				f->state = VT_STRING;
				f->bel_ends = true;
				append(f, c);
				return true;
			case 'P': /* DCS, SOS, PM, APC: never passed */
			case 'X':
			case '^':
			case '_':
				f->state = VT_STRING;
				f->drop = true;
				return true;
			}
		}
		append(f, c);
		if (f->state == VT_ESC && c >= 0x30)
			finish(f, esc_allowed, out, n);
		else if (f->state == VT_CSI && c >= 0x40)
			finish(f, csi_allowed, out, n);
		return true;
	case VT_STRING:
		if (c == ESC) {
			f->state = VT_STRING_ESC;
		} else if (c == CAN || c == SUB) {
			to_ground(f);
		} else if (c == BEL && f->bel_ends) {
			append(f, c);
			finish(f, osc_allowed, out, n);
		} else if (c < 0x20 || c == 0x7f) {
			f->drop = true; /* a control in a title: not one */
		} else if (!f->drop) {
			append(f, c);
		}
		return true;
	case VT_STRING_ESC:
		if (c != '\\') {
			/* The string ends unfinished (dropped); its ESC begins a sequence. */
			to_esc(f);
			return false;
		}
		append(f, ESC);
		append(f, c);
		finish(f, osc_allowed, out, n);
		return true;
	}
	to_ground(f);
	return true;
}

size_t sbx_vt_filter(struct sbx_vt_filter *f, const char *in, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		while (!step(f, (unsigned char)in[i], out, &n))
			;
	return n;
}

size_t sbx_vt_filter_restore(struct sbx_vt_filter *f, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < N_DEC_MODES; i++)
		if (f->modes & (1u << i))
			n += (size_t)snprintf(out + n, SBX_VT_RESTORE_MAX - n, "\033[?%u%c",
					      dec_modes[i].mode, dec_modes[i].dflt ? 'h' : 'l');
	if (f->modes & MODE_KEYPAD)
		n += (size_t)snprintf(out + n, SBX_VT_RESTORE_MAX - n, "\033>");
	if (f->modes & MODE_SHIFT)
		out[n++] = SI;
	if (f->modes & MODE_G0)
		n += (size_t)snprintf(out + n, SBX_VT_RESTORE_MAX - n, "\033(B");
	sbx_vt_filter_init(f);
	return n;
}
