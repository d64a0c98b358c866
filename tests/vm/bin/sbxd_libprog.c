// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd_tierk's dynamically linked program: it needs libc only, and DT_RUNPATH $ORIGIN
 * makes ld.so look for it next to the program first. Exits with argv[1] (default 0).
 */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
