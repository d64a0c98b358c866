// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Build tool: print the entitlement key table for the man page and the shell completions,
 * from the table the profile loader itself uses, so neither can drift from the code.
 *   sbx-keys scdoc   the KEYS section of sbx-profile(5), in scdoc
 *   sbx-keys list    every key with a Linux meaning, one a line
 * The tables are static in keys.c: this program compiles that file rather than a copy.
 */
#include <stdio.h>
#include <string.h>

#include "../userspace/lib/profile/keys.c"

static const char *const class_title[] = {
	[SBX_KEY_SANDBOX] = "App Sandbox",
	[SBX_KEY_RUNTIME] = "Hardened Runtime",
	[SBX_KEY_SBX] = "sbx extensions",
	[SBX_KEY_APPLE_ONLY] = "Apple keys with no Linux meaning",
};

static const char *kind_name(enum sbx_value_kind k)
{
	return k == SBX_VALUE_BOOL ? "bool" : k == SBX_VALUE_LIST ? "list of strings" : "string";
}

/* scdoc treats * and _ as emphasis and \ as an escape: escape them in table text. */
static void put(const char *s)
{
	for (; *s; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

static void section(enum sbx_key_class c, const struct sbx_key_info *t, size_t n)
{
	printf("## %s\n\n", class_title[c]);
	for (size_t i = 0; i < n; i++) {
		if (t[i].class != c)
			continue;
		printf("*");
		put(t[i].name);
		printf("* (%s)\n\t", kind_name(t[i].kind));
		put(t[i].summary);
		printf("\n\n");
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			printf("%s\n", keys[i].name);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "scdoc")) {
		fprintf(stderr, "usage: sbx-keys scdoc|list\n");
		return 2;
	}
	section(SBX_KEY_SANDBOX, keys, ARRAY_SIZE(keys));
	section(SBX_KEY_RUNTIME, keys, ARRAY_SIZE(keys));
	section(SBX_KEY_SBX, keys, ARRAY_SIZE(keys));
	section(SBX_KEY_APPLE_ONLY, apple_only, ARRAY_SIZE(apple_only));
	printf("## Apple spellings\n\nThese names are accepted and stored as sbx's:\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
		printf("- ");
		put(aliases[i].apple);
		printf(" is ");
		put(aliases[i].name);
		printf("\n");
	}
	printf("\n");
	return 0;
}
