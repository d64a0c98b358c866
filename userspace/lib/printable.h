/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A string a program chose, made safe to print to the user's terminal. sbx's own lines carry
 * such strings around the pty relay's filter (launch/vt_filter.h): a process name
 * (/proc/PID/comm, set by prctl), a refused path, a call's description, learn's additions,
 * a container's owner, sbxd's file paths. Raw, their bytes are the terminal's controls: an
 * OSC 52 sets the clipboard, a query's answer is typed back as input, CSI 3A J erases the
 * lines above. Every byte that is not printable text is written as \xNN instead: C0
 * (< 0x20), DEL, a backslash (so that \xNN is never ambiguous), and every byte of invalid
 * UTF-8 or of a C1 control encoded in UTF-8 (U+0080..U+009F); a raw 0x80..0x9f is invalid
 * UTF-8. Well-formed UTF-8 above U+009F is kept when utf8 is set (the terminal decodes it),
 * else every byte >= 0x80 is escaped too (a terminal that is not UTF-8 takes 0x9b as CSI).
 */
#ifndef SBX_PRINTABLE_H
#define SBX_PRINTABLE_H

#include <stdbool.h>
#include <stddef.h>

/* The length of a UTF-8 character whose first byte is c, or 0 for a byte no character
 * starts with (a continuation byte, the overlong leads 0xc0 0xc1, 0xf5 and above). */
size_t sbx_utf8_len(unsigned char c);

/*
 * The length of the well-formed UTF-8 character at s (n bytes at most), or 0: not one,
 * overlong, a surrogate, above U+10FFFF, or a C1 control (U+0080..U+009F: a terminal that
 * decodes UTF-8 first, as xterm does, takes U+009B for CSI).
 */
size_t sbx_utf8_char(const unsigned char *s, size_t n);

/* Room for the escaped form of a string of n bytes, its NUL included. */
#define SBX_PRINTABLE_SIZE(n) (4 * (n) + 1)

/*
 * s escaped into buf (size bytes, NUL-terminated; cut at a whole escape when it is too
 * small). Returns buf, so that it can be a printf argument. s NULL prints as "(null)".
 */
const char *sbx_printable_utf8(const char *s, bool utf8, char *buf, size_t size);

/* The same for the terminal at hand: UTF-8 kept when the user's locale is UTF-8. */
const char *sbx_printable(const char *s, char *buf, size_t size);

/*
 * Whether the user's terminal decodes UTF-8, as far as sbx can know: the codeset of the
 * locale the environment names for LC_CTYPE (LC_ALL, LC_CTYPE, LANG), read without
 * changing the process's own locale. A locale that is named but not installed counts by
 * its name (".UTF-8", ".utf8"). Cached after the first call.
 */
bool sbx_locale_utf8(void);

/* A printf argument: s escaped in a buffer that lives to the end of the full expression's
 * block (for strings up to PATH_MAX bytes; longer ones are cut). */
#define SBX_PRINTABLE(s) \
	sbx_printable((s), (char[SBX_PRINTABLE_SIZE(4096)]){ 0 }, SBX_PRINTABLE_SIZE(4096))

#endif /* SBX_PRINTABLE_H */
