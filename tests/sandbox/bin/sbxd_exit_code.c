// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exits with the byte just before a marker in its read-only data. sbxd's race test
 * patches that byte in a signed copy, so an exec tells which content ran.
 */
static volatile const unsigned char code[] = "\0SBXD-EXIT-CODE-MARKER";

int main(void)
{
	return code[0];
}
