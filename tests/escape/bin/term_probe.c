// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * term_probe HEX [stay | deny NAMEHEX PATHHEX]: write the bytes HEX spells to stdout (the
 * program's terminal) in one write, for tests/escape/terminal.c. libc only.
 *   stay: then ignore INT, TERM, HUP and QUIT and wait forever (a program that will not
 *         end when asked: what the launcher does with the terminal then).
 *   deny: first name itself NAMEHEX (prctl PR_SET_NAME, as /proc/PID/comm shows it) and
 *         mkdir PATHHEX, which the sandbox refuses: the bytes a program chooses for the
 *         lines sbx writes about it.
 *
 * Exit 0: written (whether they reach the user's terminal is what the runner reads);
 * 12: setup problem (bad HEX, short write).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_status.h"

/* hex decoded into a new string (NUL-terminated), or NULL; its length in *n. */
static char *unhex(const char *hex, size_t *n)
{
	char *buf;

	*n = strlen(hex) / 2;
	buf = malloc(*n + 1);
	if (!buf || strlen(hex) % 2)
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return NULL;
		buf[i] = (char)b;
	}
	buf[*n] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	bool stay = argc == 3 && !strcmp(argv[2], "stay");
	bool deny = argc == 5 && !strcmp(argv[2], "deny");
	size_t n, k;
	char *buf = argc >= 2 ? unhex(argv[1], &n) : NULL;

	if (!buf || (argc != 2 && !stay && !deny)) {
		fprintf(stderr, "usage: term_probe HEX [stay | deny NAMEHEX PATHHEX]\n");
		return PROBE_SETUP;
	}
	if (deny) {
		char *name = unhex(argv[3], &k), *path = unhex(argv[4], &k);

		if (!name || !path || prctl(PR_SET_NAME, name, 0, 0, 0))
			return PROBE_SETUP;
		mkdir(path, 0755); /* refused confined: sbx says so */
	}
	if (stay) { /* before the write: the runner signals once it has read it */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	}
	if (write(STDOUT_FILENO, buf, n) != (ssize_t)n)
		return PROBE_SETUP;
	while (stay)
		pause();
	return PROBE_ESCAPED;
}
