// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx log: sbxd's events. sbxd appends one JSON object per line to RUN_DIR/events.jsonl
 * (RUN_DIR: $SBX_RUN_DIR, else /run/sbx) and renames it to events.jsonl.1 past its size
 * cap; `sbx log` prints the older file first, then the current one, and with --follow
 * waits for more (and for a rotation). The records are sbxd's own, flat and small, so a
 * flat reader is enough here. Also sbxd's state file, for `sbx status`.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "printable.h"

#define MAX_FIELDS 16

struct field {
	char key[32];
	char val[1024];
};

const char *cli_sbxd_run_dir(void)
{
	const char *d = getenv("SBX_RUN_DIR");

	return d && *d ? d : "/run/sbx";
}

/* Read a JSON string at *p (after its quote) into out; *p ends after the closing quote. */
static int json_str(const char **p, char *out, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	while (*s && *s != '"') {
		char c = *s++;

		if (c == '\\') {
			c = *s++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u': {
				unsigned int u;

				if (sscanf(s, "%4x", &u) != 1)
					return -1;
				s += 4;
				/* Control characters are all sbxd escapes this way: kept as the
				 * byte, then shown as \xNN by print_event, never sent raw. */
				c = u < 0x80 ? (char)u : '?';
				break;
			}
			case '\0':
				return -1;
			}
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	if (*s != '"')
		return -1;
	out[n] = '\0';
	*p = s + 1;
	return 0;
}

/* {"key":"string"|number|true|false|null,...} into fields; returns how many, -1 bad. */
static int parse_flat(const char *line, struct field *f, int max)
{
	const char *p = line;
	int n = 0;

	while (*p == ' ')
		p++;
	if (*p++ != '{')
		return -1;
	while (*p && *p != '}') {
		if (*p == ',' || *p == ' ') {
			p++;
			continue;
		}
		if (*p++ != '"' || n == max || json_str(&p, f[n].key, sizeof(f[n].key)) ||
		    *p++ != ':')
			return -1;
		if (*p == '"') {
			p++;
			if (json_str(&p, f[n].val, sizeof(f[n].val)))
				return -1;
		} else {
			size_t l = strcspn(p, ",}");

			snprintf(f[n].val, sizeof(f[n].val), "%.*s", (int)l, p);
			if (!strcmp(f[n].val, "null"))
				f[n].val[0] = '\0';
			p += l;
		}
		n++;
	}
	return *p == '}' ? n : -1;
}

static const char *get(const struct field *f, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(f[i].key, key))
			return f[i].val;
	return "";
}

static void print_event(const char *line, bool json)
{
	struct field f[MAX_FIELDS];
	int n;
	const char *id, *team;

	if (json) {
		fputs(line, stdout);
		return;
	}
	n = parse_flat(line, f, MAX_FIELDS);
	if (n < 0) {
		char one[4096];

		snprintf(one, sizeof(one), "%.*s", (int)strcspn(line, "\n"), line);
		printf("(unreadable event) %s\n", SBX_PRINTABLE(one));
		return;
	}
	/* Every value shown as text: a file's path, an exe, a fact are what a program chose. */
	for (int i = 0; i < n; i++) {
		char safe[sizeof(f[i].val)];

		sbx_printable(f[i].val, safe, sizeof(safe));
		memcpy(f[i].val, safe, sizeof(safe));
	}
	/* TIME DECISION HOOK FILE by pid PID (EXE), tier T: REASON: FACT [identity] */
	printf("%s %s %s %s by pid %s (%s), tier %s: %s", get(f, n, "time"), get(f, n, "decision"),
	       get(f, n, "hook"), get(f, n, "file"), get(f, n, "pid"),
	       *get(f, n, "exe") ? get(f, n, "exe") : "?", get(f, n, "tier"), get(f, n, "reason"));
	if (*get(f, n, "fact"))
		printf(": %s", get(f, n, "fact"));
	id = get(f, n, "identifier");
	team = get(f, n, "team");
	if (*id || *team)
		printf(" [identifier %s, team %s]", *id ? id : "-", *team ? team : "-");
	putchar('\n');
}

/* Print the complete lines from f; a partial last line waits for the rest. */
static void drain(FILE *f, bool json, char *line, size_t len)
{
	for (;;) {
		long pos = ftell(f);

		if (!fgets(line, (int)len, f))
			break;
		if (!strchr(line, '\n')) {
			fseek(f, pos, SEEK_SET);
			break;
		}
		print_event(line, json);
	}
	clearerr(f);
	fflush(stdout);
}

static volatile sig_atomic_t interrupted;

static void on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char path[512], old[520], line[8192];
	bool follow = false, json = false;
	struct stat st;
	FILE *f;
	int c;

	opterr = 0; /* one line of ours, not getopt's */
	while ((c = getopt_long(argc, argv, "fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("usage: sbx log [--follow] [--json]\n"
			       "Shows sbxd's events: each exec it refused (or, in complain mode, "
			       "would have\n"
			       "refused), with the pid, its executable, the file, the hook, the "
			       "reason and the\n"
			       "signature fact that was missing. Read from "
			       "$SBX_RUN_DIR/events.jsonl\n"
			       "(default /run/sbx); --json prints those lines as they are.\n");
			return SBX_EXIT_OK;
		default:
			return cli_bad_option("log", NULL, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("log", "unexpected argument '%s'", argv[optind]);
	snprintf(path, sizeof(path), "%s/events.jsonl", cli_sbxd_run_dir());
	snprintf(old, sizeof(old), "%s.1", path);
	f = fopen(old, "re");
	if (f) {
		drain(f, json, line, sizeof(line));
		fclose(f);
	}
	f = fopen(path, "re");
	if (!f && (!follow || errno != ENOENT)) {
		cli_error("log", "cannot read %s: %s%s", path, strerror(errno),
			  errno == ENOENT ? " (sbxd has logged nothing: is it running?)" : "");
		return SBX_EXIT_FAIL;
	}
	if (f)
		drain(f, json, line, sizeof(line));
	if (!follow) {
		fclose(f);
		return SBX_EXIT_OK;
	}
	signal(SIGINT, on_int);
	signal(SIGTERM, on_int);
	while (!interrupted) {
		struct stat now;

		nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000 * 1000 }, NULL);
		/* Rotated (or created): finish the old file, then take the new one. */
		if (stat(path, &now) == 0 &&
		    (!f || (fstat(fileno(f), &st) == 0 &&
			    (st.st_ino != now.st_ino || st.st_dev != now.st_dev)))) {
			if (f) {
				drain(f, json, line, sizeof(line));
				fclose(f);
			}
			f = fopen(path, "re");
		}
		if (f)
			drain(f, json, line, sizeof(line));
	}
	if (f)
		fclose(f);
	return SBX_EXIT_OK;
}
