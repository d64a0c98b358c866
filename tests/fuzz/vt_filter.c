// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the terminal output allow-list (launch/vt_filter.h): whatever a sandboxed program
 * writes to its pty, sbx parses before the user's terminal does. The first byte is where
 * to cut the rest into two reads. Beyond memory safety (ASan, the output buffer exactly as
 * large as the API promises), three properties abort:
 *   - the cut changes nothing: a sequence split between reads is judged as a whole;
 *   - what passed passes again unchanged: the output holds only allowed sequences, whole;
 *   - the modes put back at the end pass as well (the title stack's push and pop are sbx's
 *     own: dropped from the input, written again at the same places);
 *   - for a terminal that is not UTF-8 (the first byte's low bit clear), no byte >= 0x80;
 *   - none of what the list drops is in the output, by a check of its own: no C1 control
 *     (raw, or UTF-8 encoded), no string but a title (OSC 0, 1, 2), no DCS, APC, PM, SOS,
 *     no CSI with a report's final (c, n, t) or a marker other than '?'.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "launch/vt_filter.h"

static size_t filter(const uint8_t *in, size_t len, size_t cut, bool utf8, char **out)
{
	struct sbx_vt_filter f;
	char *a = malloc(cut + SBX_VT_SEQ_MAX), *b = malloc(len - cut + SBX_VT_SEQ_MAX);
	size_t na, nb;

	sbx_vt_filter_init(&f, utf8);
	na = sbx_vt_filter(&f, (const char *)in, cut, a);
	nb = sbx_vt_filter(&f, (const char *)in + cut, len - cut, b);
	*out = malloc(na + nb + SBX_VT_RESTORE_MAX);
	memcpy(*out, a, na);
	memcpy(*out + na, b, nb);
	free(a);
	free(b);
	return na + nb + sbx_vt_filter_restore(&f, *out + na + nb);
}

/* CSI 22/23 t, the title stack's push and pop (params p, len bytes): no report. */
static bool title_stack(const unsigned char *p, size_t len)
{
	unsigned long first = 0;
	size_t k = 0;

	for (; k < len && p[k] >= '0' && p[k] <= '9'; k++)
		first = first > 1000 ? first : first * 10 + (p[k] - '0');
	if (first != 22 && first != 23)
		return false;
	for (; k < len; k++)
		if (p[k] != ';' && (p[k] < '0' || p[k] > '9'))
			return false;
	return true;
}

static void check_dropped(const unsigned char *s, size_t n, bool utf8)
{
	for (size_t i = 0; i < n; i++) {
		if (!utf8 && s[i] >= 0x80)
			abort(); /* a terminal that is not UTF-8 gets 7-bit bytes only */
		if (s[i] >= 0x80 && s[i] <= 0x9f && (i == 0 || s[i - 1] < 0x80 || s[i - 1] == 0xc2))
			abort();
		if (s[i] != 0x1b)
			continue;
		if (i + 1 == n || !strchr("[]()*+78=>DEHM", s[i + 1]))
			abort();
		if (s[i + 1] == ']') {
			if (i + 3 >= n || !strchr("012", s[i + 2]) || s[i + 3] != ';')
				abort();
			/* over the title, to its BEL or ST */
			for (i += 4; i < n && s[i] != 0x07 && s[i] != 0x1b; i++)
				;
			if (i == n || (s[i] == 0x1b && (i + 1 == n || s[i + 1] != '\\')))
				abort();
			i += s[i] == 0x1b;
			continue;
		}
		if (s[i + 1] == '[') {
			size_t j = i + 2;

			if (j < n && strchr("<=>", s[j]))
				abort();
			while (j < n && (s[j] < 0x40 || s[j] > 0x7e))
				j++;
			if (j == n || (strchr("cnt", s[j]) &&
				       !(s[j] == 't' && title_stack(s + i + 2, j - i - 2))))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole, *split, *again;
	size_t n_whole, n_split, n_again, cut;
	bool utf8;

	if (!size)
		return 0;
	utf8 = data[0] & 1;
	cut = size > 1 ? (data[0] >> 1) % size : 0;
	data++;
	size--;
	n_whole = filter(data, size, 0, utf8, &whole);
	n_split = filter(data, size, cut, utf8, &split);
	if (n_whole != n_split || memcmp(whole, split, n_whole))
		abort();
	check_dropped((const unsigned char *)whole, n_whole, utf8);
	n_again = filter((const uint8_t *)whole, n_whole, 0, utf8, &again);
	/* The first pass ended with its modes put back: the second has none to put back. */
	if (n_again != n_whole || memcmp(whole, again, n_whole))
		abort();
	free(whole);
	free(split);
	free(again);
	return 0;
}
