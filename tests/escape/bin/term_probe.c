// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * term_probe HEX: write the bytes HEX spells to stdout (the program's terminal) in one
 * write, for tests/escape/terminal.c. libc only.
 *
 * Exit 0: written (whether they reach the user's terminal is what the runner reads);
 * 12: setup problem (bad HEX, short write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe_status.h"

int main(int argc, char **argv)
{
	size_t n = argc == 2 ? strlen(argv[1]) / 2 : 0;
	char *buf = malloc(n + 1);

	if (argc != 2 || !buf || strlen(argv[1]) % 2) {
		fprintf(stderr, "usage: term_probe HEX\n");
		return PROBE_SETUP;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(argv[1] + 2 * i, "%2x", &b) != 1)
			return PROBE_SETUP;
		buf[i] = (char)b;
	}
	if (write(STDOUT_FILENO, buf, n) != (ssize_t)n)
		return PROBE_SETUP;
	return PROBE_ESCAPED;
}
