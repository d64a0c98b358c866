// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * B1's floor: the least any launcher that is itself a program can cost — a static binary
 * that forks, execs its arguments and waits, with no sandbox at all. `sbx run` pays this
 * plus its own work; bubblewrap and firejail pay it too.
 *   floor PROGRAM [ARGS...]
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: floor PROGRAM [ARGS...]\n", stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		execv(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
