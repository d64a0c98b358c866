// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The terminal output allow-list (vt_filter.h). The parser follows the shape of Paul
 * Williams' DEC parser (vt100.net/emu/dec_ansi_parser), 7-bit with UTF-8 as tmux's, but it
 * only finds where a sequence ends: each complete sequence is then judged against the
 * list as a whole and passed or dropped, so nothing half-judged reaches the terminal.
 * Where Williams executes a control inside a sequence, here the sequence is malformed: it
 * is dropped and the control taken at ground state.
 */
#include <string.h>

#include "launch/vt_filter.h"
#include "printable.h"

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
 * Every kind of state a passed sequence can leave in the terminal, with what puts it back:
 * the only way a sequence that sets state is passed is through mark() with its kind, so
 * none is passed without its reset. The DEC private modes (CSI ? Pm h / l) are one kind
 * each, with their default. Mouse and focus reports are passed: what they report is what
 * the user does with the mouse, typed into the program's own pty while it runs, never what
 * the program wrote. 1001 (highlight tracking, which the program must answer), 1048 (a
 * cursor save, not a state) and the other modes are dropped, as are tab stops (set, clear:
 * no sequence puts the user's back) and the program's own title stack (CSI 22/23 t: a pop
 * would take sbx's saved title). Restored in this order: the DEC modes (the alternate
 * screen first, which puts the cursor back), then the rest.
 *
 * The terminal's own memory is state too. A saved cursor (ESC 7, CSI s, entering the
 * alternate screen with 1049) holds, with the position, the kinds marked saved: SGR, the
 * charsets G0-G3 and the shift (xterm, VTE, tmux), autowrap (xterm), insert mode and
 * reverse video (older VTE); DECOM, LNM and DECSCA, which it also holds, are never passed.
 * A restore (ESC 8, CSI u, leaving an alternate screen) brings back what the filter cannot
 * see, so it marks every saved kind set unless the slot it reads is known to hold a cursor
 * the program saved with none of them set (f->mem). A cursor saved with one set marks its
 * slot (K_SLOT, K_ALT_SLOT), overwritten with a clean one at the end, after every other
 * reset, so that the user's own next restore does not bring the program's state back.
 * Every other sequence that restores remembered state is dropped: XTPUSHSGR/XTPOPSGR and
 * XTPUSHCOLORS/XTPOPCOLORS (CSI # { } P Q), XTSAVE/XTRESTORE (CSI ? s, CSI ? r), the
 * program's title stack, 1048.
 */
struct vt_kind {
	uint16_t dec; /* a DEC private mode, or 0 */
	bool dec_on; /* its default is set */
	bool saved; /* a saved cursor holds it: a restore may bring it back */
	bool alt; /* an alternate screen (the DEC modes 1049, 1047, 47) */
	const char *clears; /* the program's own sequence that puts it back, if one */
	const char *before; /* written before the first sequence that sets it */
	const char *reset; /* written at the end when the program left it set */
};

#define DEC_OFF(n)                                 \
	{                                          \
		.dec = n, .reset = "\033[?" #n "l" \
	}
#define DEC_ON(n)                                                  \
	{                                                          \
		.dec = n, .dec_on = true, .reset = "\033[?" #n "h" \
	}
#define DEC_ALT(n)                                              \
	{                                                       \
		.dec = n, .alt = true, .reset = "\033[?" #n "l" \
	}

enum vt_kind_id {
	K_INSERT, /* insert mode (IRM) */
	K_SHAPE, /* cursor shape (DECSCUSR) */
	K_SGR, /* colours and attributes */
	K_KEYPAD, /* application keypad (DECKPAM) */
	K_SHIFT, /* SO: G1 shifted in */
	K_G0, /* G0-G3 designated other than ASCII */
	K_G1,
	K_G2,
	K_G3,
	K_ALT_SLOT, /* a cursor saved with state set by entering an alternate screen or in one:
		     * saved clean in both screens' slots, after the saved kinds' resets */
	K_SCROLL, /* scroll region (DECSTBM), reset around a cursor save (CSI r homes it),
		   * after the saved kinds and the slots: it saves and restores a clean one */
	K_SLOT, /* a cursor saved with state set in the normal screen: saved clean */
	K_TITLE, /* window title and icon name: pushed first, popped at the end (last: the
		  * filter drops a pop, so sbx's own stays where it was when filtered again) */
	K_DEC, /* the DEC private modes from here */
};

static const struct vt_kind kinds[] = {
	[K_INSERT] = { .saved = true, .clears = "\033[4l", .reset = "\033[4l" },
	[K_SHAPE] = { .clears = "\033[0 q", .reset = "\033[0 q" },
	[K_SGR] = { .saved = true, .clears = "\033[0m", .reset = "\033[0m" },
	[K_KEYPAD] = { .clears = "\033>", .reset = "\033>" },
	[K_SHIFT] = { .saved = true, .clears = "\017", .reset = "\017" },
	[K_G0] = { .saved = true, .clears = "\033(B", .reset = "\033(B" },
	[K_G1] = { .saved = true, .clears = "\033)B", .reset = "\033)B" },
	[K_G2] = { .saved = true, .clears = "\033*B", .reset = "\033*B" },
	[K_G3] = { .saved = true, .clears = "\033+B", .reset = "\033+B" },
	/* 1049 saves into the normal screen's slot (xterm, VTE) or one of its own (tmux,
	 * which a later CSI ?1049l restores even without a 1049h), a save in the alternate
	 * screen into that screen's (xterm, VTE) or the one slot (tmux): entering 1049 saves
	 * a clean cursor in the normal screen's and the ESC 7 in the alternate screen's. */
	[K_ALT_SLOT] = { .reset = "\033[?1049h\0337\033[?1049l" },
	[K_SCROLL] = { .clears = "\033[r", .reset = "\0337\033[r\0338" },
	[K_SLOT] = { .reset = "\0337" },
	[K_TITLE] = { .before = "\033[22;0t", .reset = "\033[23;0t" },
	DEC_ALT(1049), /* alternate screen, cursor saved (first: put back first) */
	DEC_ALT(1047), /* alternate screen */
	DEC_ALT(47), /* alternate screen (old) */
	DEC_OFF(1), /* application cursor keys */
	{ .dec = 5, .saved = true, .reset = "\033[?5l" }, /* reverse video (visible bell) */
	{ .dec = 7, .dec_on = true, .saved = true, .reset = "\033[?7h" }, /* autowrap */
	DEC_OFF(12), /* blinking cursor */
	DEC_ON(25), /* cursor visible */
	DEC_OFF(9), /* mouse: X10 press reports */
	DEC_OFF(1000), /* mouse: press and release */
	DEC_OFF(1002), /* mouse: motion with a button down */
	DEC_OFF(1003), /* mouse: all motion */
	DEC_OFF(1005), /* mouse reports in UTF-8 */
	DEC_OFF(1006), /* mouse reports as SGR */
	DEC_OFF(1015), /* mouse reports as urxvt's */
	DEC_OFF(1004), /* focus in / out reports */
	DEC_OFF(2004), /* bracketed paste */
	DEC_OFF(2026), /* synchronized output */
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))
_Static_assert(N_KINDS <= 64, "kinds fit f->set");
/* The longest "before": a sequence passes with it only if both fit SBX_VT_SEQ_MAX, so the
 * output never outgrows the room the API promises. */
#define BEFORE_MAX (sizeof("\033[22;0t") - 1)

void sbx_vt_filter_init(struct sbx_vt_filter *f, bool utf8)
{
	memset(f, 0, sizeof(*f));
	f->utf8 = utf8;
}

/* The kind k is set away from its default (or back to it). */
static void mark(struct sbx_vt_filter *f, size_t k, bool away)
{
	if (away)
		f->set |= 1ull << k;
	else
		f->set &= ~(1ull << k);
}

/* Every kind of which sel is true. */
static uint64_t kinds_where(bool (*sel)(const struct vt_kind *))
{
	uint64_t m = 0;

	for (size_t k = 0; k < N_KINDS; k++)
		if (sel(&kinds[k]))
			m |= 1ull << k;
	return m;
}

static bool is_saved(const struct vt_kind *k)
{
	return k->saved;
}

static bool is_alt(const struct vt_kind *k)
{
	return k->alt;
}

/* The slots the program saved a cursor in (f->mem), each with none of the saved kinds set
 * unless K_SLOT or K_ALT_SLOT is marked. */
#define MEM_MAIN 1u /* the normal screen's (ESC 7, CSI s there) */
#define MEM_ALT	 2u /* the alternate screen's (xterm, VTE; tmux has one for both screens) */
#define MEM_1049 4u /* what leaving an alternate screen restores (xterm: MEM_MAIN's) */
/* In the alternate screen, 1049 entered clean: MEM_MAIN's and MEM_1049's slots clean. */
#define MEM_CLEAN_1049 8u

static bool in_alt(const struct sbx_vt_filter *f)
{
	return f->set & kinds_where(is_alt);
}

static bool clean(const struct sbx_vt_filter *f)
{
	return !(f->set & kinds_where(is_saved));
}

/* The cursor is saved (ESC 7, CSI s) in the slot of the screen the terminal shows. */
static bool saves_cursor(struct sbx_vt_filter *f)
{
	bool alt = in_alt(f);

	f->mem |= alt ? MEM_ALT : MEM_MAIN;
	if (!clean(f)) {
		mark(f, K_SLOT, true); /* tmux's one slot, in either screen */
		if (alt)
			mark(f, K_ALT_SLOT, true);
	} else if (!alt) {
		mark(f, K_SLOT, false); /* overwritten clean */
	} else if (f->mem & MEM_CLEAN_1049) {
		mark(f, K_SLOT, false); /* the last slot that was not clean */
		mark(f, K_ALT_SLOT, false);
	}
	return true;
}

/* An alternate screen entered: 1049 saves the cursor, and tmux keeps the cell for all. */
static void enters_alt(struct sbx_vt_filter *f, uint16_t dec)
{
	f->mem |= MEM_1049;
	f->mem &= ~MEM_CLEAN_1049;
	if (!clean(f))
		mark(f, K_ALT_SLOT, true);
	else if (dec == 1049)
		f->mem |= MEM_CLEAN_1049;
}

/* The terminal restores the cursor saved in slot (MEM_*): unless the program saved it
 * there clean, whatever it holds may be set from here on. */
static bool restores_cursor(struct sbx_vt_filter *f, unsigned int slot)
{
	if (!(f->mem & slot) || (f->set & ((1ull << K_SLOT) | (1ull << K_ALT_SLOT))))
		f->set |= kinds_where(is_saved);
	return true;
}

static bool restores_screen_cursor(struct sbx_vt_filter *f)
{
	return restores_cursor(f, in_alt(f) ? MEM_ALT : MEM_MAIN);
}

/* The sequence in f->seq sets kind k: back to its default when it is the kind's own. */
static bool sets(struct sbx_vt_filter *f, size_t k)
{
	const char *c = kinds[k].clears;

	mark(f, k, !c || strlen(c) != f->len || memcmp(c, f->seq, f->len));
	return true;
}

/* ESC and a final, or ESC, one intermediate and a final. */
static bool esc_allowed(struct sbx_vt_filter *f)
{
	const char *s = f->seq;

	if (f->len == 2)
		switch (s[1]) {
		case '=': /* application keypad */
		case '>': /* normal keypad */
			return sets(f, K_KEYPAD);
		case '7': /* save cursor */
			return saves_cursor(f);
		case '8': /* restore cursor */
			return restores_screen_cursor(f);
		case 'D': /* index */
		case 'E': /* next line */
		case 'M': /* reverse index */
			return true;
		default:
			return false;
		}
	/* Charset designation: G0-G3 as DEC line drawing, UK or US ASCII. */
	if (f->len == 3 && strchr("()*+", s[1]) && strchr("0AB", s[2]))
		return sets(f, K_G0 + (size_t)(strchr("()*+", s[1]) - "()*+"));
	return false;
}

#define CSI_MAX_PARAMS 32

/*
 * CSI [?] params [SP] final, judged whole: the cursor, erase, scroll region, insert and
 * delete, SGR, tab moves, the listed modes and the cursor's shape. No report or query (c,
 * n, t, x, $p, q with '>' …), no other private marker, no other intermediate.
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
	if (space) /* DECSCUSR: the cursor's shape */
		return !priv && final == 'q' && n == 1 && sets(f, K_SHAPE);
	if (priv) {
		size_t idx[CSI_MAX_PARAMS];

		if (!any || (final != 'h' && final != 'l'))
			return false;
		for (unsigned int i = 0; i < n; i++) {
			for (idx[i] = K_DEC; idx[i] < N_KINDS; idx[i]++)
				if (kinds[idx[i]].dec == v[i])
					break;
			if (idx[i] == N_KINDS)
				return false;
		}
		for (unsigned int i = 0; i < n; i++) {
			/* Entering an alternate screen saves (1049) or may save (tmux keeps
			 * the cell for 47 and 1047 too); leaving one may restore. */
			if (kinds[idx[i]].alt && final == 'h') {
				enters_alt(f, kinds[idx[i]].dec);
			} else if (kinds[idx[i]].alt) {
				restores_cursor(f, MEM_1049);
				f->mem &= ~MEM_CLEAN_1049;
			}
			mark(f, idx[i], (final == 'h') != kinds[idx[i]].dec_on);
		}
		return true;
	}
	switch (final) {
	case 'm': /* SGR */
		return sets(f, K_SGR);
	case 'r': /* scroll region */
		return n <= 2 && sets(f, K_SCROLL);
	case 'H': /* cursor position */
	case 'f':
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
	case 'I': /* tab forward, back */
	case 'Z':
		return n <= 1;
	case 's': /* save, restore the cursor */
		return !any && saves_cursor(f);
	case 'u':
		return !any && restores_screen_cursor(f);
	case 'h': /* insert mode (IRM), the only ANSI mode */
	case 'l':
		for (unsigned int i = 0; i < n; i++)
			if (v[i] != 4)
				return false;
		return any && sets(f, K_INSERT);
	default:
		return false;
	}
}

/* ESC ] 0, 1 or 2 ; TITLE, ended by BEL or ST; the title printable UTF-8 (ASCII when the
 * terminal is not UTF-8). The title is only shown: what would read it back (CSI 20 t,
 * 21 t) is dropped; the user's is put back at the end. */
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
			l = f->utf8 ? sbx_utf8_char(s + i, end - i) : 0;
		else if (s[i] < 0x20 || s[i] == 0x7f)
			l = 0;
		if (!l)
			return false;
		i += l;
	}
	return sets(f, K_TITLE);
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

/* The sequence under way is complete: passed if allowed (after what must come before a
 * kind it sets first), then ground. */
static void finish(struct sbx_vt_filter *f, bool (*allowed)(struct sbx_vt_filter *), char *out,
		   size_t *n)
{
	uint64_t was = f->set;

	if (!f->drop && allowed(f)) {
		uint64_t first = f->set & ~was;

		for (size_t k = 0; k < N_KINDS; k++) {
			size_t l = kinds[k].before ? strlen(kinds[k].before) : 0;

			if (!(first & (1ull << k)) || !l)
				continue;
			if (f->len + BEFORE_MAX > SBX_VT_SEQ_MAX) {
				f->set = was; /* no room for both: dropped */
				to_ground(f);
				return;
			}
			memcpy(out + *n, kinds[k].before, l);
			*n += l;
		}
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
				mark(f, K_SHIFT, c == SO);
			out[(*n)++] = (char)c;
		} else if (c == ESC) {
			to_esc(f);
		} else if (sbx_utf8_len(c)) {
			f->state = VT_UTF8;
			f->seq[0] = (char)c;
			f->len = 1;
			f->need = (uint8_t)(sbx_utf8_len(c) - 1);
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
			/* Not a character, or a C1 control: dropped. For a terminal that is
			 * not UTF-8, one '?' (its bytes would be C1 controls there). */
			if (sbx_utf8_char((const unsigned char *)f->seq, f->len) != f->len) {
			} else if (f->utf8) {
				memcpy(out + *n, f->seq, f->len);
				*n += f->len;
			} else {
				out[(*n)++] = '?';
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
	bool utf8 = f->utf8;

	/* The DEC modes first (leaving the alternate screen puts the cursor back, and with
	 * it what the saved cursor holds), then the rest in the table's order. */
	if (in_alt(f))
		restores_cursor(f, MEM_1049);
	/* Saving clean in both screens cleans the normal screen's slot too. */
	if (f->set & (1ull << K_ALT_SLOT))
		mark(f, K_SLOT, false);
	for (size_t i = 0; i < N_KINDS; i++) {
		size_t k = (i + K_DEC) % N_KINDS, l = strlen(kinds[k].reset);

		if ((f->set & (1ull << k)) && n + l <= SBX_VT_RESTORE_MAX) {
			memcpy(out + n, kinds[k].reset, l);
			n += l;
		}
	}
	sbx_vt_filter_init(f, utf8);
	return n;
}
