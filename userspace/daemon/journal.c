// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where sbxd's events go:
 *  - stdout, one logfmt line per event with a "<N>" syslog priority prefix: under systemd
 *    (StandardOutput=journal) journald files it at that priority;
 *  - RUN_DIR/events.jsonl, one JSON object per line, read by `sbx log`. It is renamed to
 *    events.jsonl.1 when it passes events_max_bytes, so at most twice that is kept.
 * And RUN_DIR/sbxd.state, "key=value" lines rewritten (write + rename) when sbxd starts
 * and at most once a second after a change: what `sbxd --status` and `sbx status` show.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "sbxd.h"

static FILE *events;
static char events_path[300], events_old[310];
static unsigned long events_max;

int sbxd_journal_open(const struct sbxd_config *c, struct sbx_diag *d)
{
	if (mkdir(c->run_dir, 0755) && errno != EEXIST)
		return sbx_diag_set(d, -errno, "cannot create %s: %s", c->run_dir, strerror(errno));
	snprintf(events_path, sizeof(events_path), "%s/events.jsonl", c->run_dir);
	snprintf(events_old, sizeof(events_old), "%s.1", events_path);
	events_max = c->events_max_bytes;
	events = fopen(events_path, "ae");
	if (!events)
		return sbx_diag_set(d, -errno, "cannot open %s: %s", events_path, strerror(errno));
	return 0;
}

/*
 * stdout never blocks sbxd: a journal (or pipe) that stops reading must not stop the
 * answers to exec events, or restarting journald would wait on sbxd waiting on journald.
 * A line that cannot be written at once is dropped and counted; the events file, on
 * tmpfs, still has the event.
 */
static unsigned long dropped;

void sbxd_journal_stdout_nonblocking(void)
{
	struct stat st;

	if (fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
}

static void emit(FILE *line, char **buf, size_t *len)
{
	fputc('\n', line);
	if (fclose(line) == 0) {
		if (dropped) {
			char note[96];
			int n = snprintf(note, sizeof(note), "<4>sbxd: %lu log lines dropped\n",
					 dropped);

			if (write(1, note, (size_t)n) == n)
				dropped = 0;
		}
		if (write(1, *buf, *len) != (ssize_t)*len)
			dropped++;
	}
	free(*buf);
}

void sbxd_log(int prio, const char *fmt, ...)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *line = open_memstream(&buf, &len);
	va_list ap;

	if (!line)
		return;
	fprintf(line, "<%d>sbxd: ", prio);
	va_start(ap, fmt);
	vfprintf(line, fmt, ap);
	va_end(ap);
	emit(line, &buf, &len);
}

static const char *decision_name(enum sbxd_decision d)
{
	return d == SBXD_DENY ? "deny" : d == SBXD_ALLOW ? "allow" : "would-deny";
}

static void rotate_if_full(void)
{
	if (ftell(events) < (long)events_max)
		return;
	fclose(events);
	rename(events_path, events_old);
	events = fopen(events_path, "ae");
}

void sbxd_journal_event(const struct sbxd_event *e)
{
	char when[SBX_RFC3339_LEN];
	char tier[2] = { e->tier, 0 };

	sbx_rfc3339_now(when, sizeof(when));
	/* logfmt for the journal: quoted values are escaped through the JSON writer */
	char *buf = NULL;
	size_t len = 0;
	FILE *line = open_memstream(&buf, &len);

	if (line) {
		fprintf(line, "<%d>sbxd: %s %s pid=%d exe=", e->decision == SBXD_DENY ? 4 : 5,
			decision_name(e->decision), e->hook, (int)e->pid);
		sbx_json_write_string(line, e->exe);
		fprintf(line, " file=");
		sbx_json_write_string(line, e->file);
		fprintf(line, " tier=%s reason=%s fact=", tier, e->reason);
		sbx_json_write_string(line, e->fact ? e->fact : "");
		emit(line, &buf, &len);
	}

	if (!events)
		return;
	rotate_if_full();
	if (!events)
		return;
	struct sbx_json j;

	sbx_json_init(&j, events, false);
	sbx_json_object_begin(&j, NULL);
	sbx_json_string(&j, "time", when);
	sbx_json_int(&j, "pid", e->pid);
	sbx_json_string(&j, "exe", e->exe);
	sbx_json_string(&j, "file", e->file);
	sbx_json_string(&j, "hook", e->hook);
	sbx_json_string(&j, "tier", tier);
	sbx_json_string(&j, "decision", decision_name(e->decision));
	sbx_json_string(&j, "reason", e->reason);
	sbx_json_string(&j, "fact", e->fact ? e->fact : "");
	sbx_json_string(&j, "identifier", e->identifier && e->identifier[0] ? e->identifier : NULL);
	sbx_json_string(&j, "team", e->team_id && e->team_id[0] ? e->team_id : NULL);
	sbx_json_object_end(&j);
	sbx_json_finish(&j);
	fflush(events);
}

void sbxd_state_write(const struct sbxd_config *c, const struct sbxd_state *s)
{
	char path[300], tmp[310];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sbxd.state", c->run_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f,
		"pid=%d\ntier=%c\nmode=%s\nscope=%s\ncache_fill=%u\ncache_max=%u\n"
		"entry_bytes=%u\nallowed=%llu\ndenied=%llu\nwould_deny=%llu\ntimeouts=%llu\n"
		"verified=%llu\ncache_hits=%llu\ncannot=%s\n%s%s%s",
		(int)getpid(), s->tier, sbxd_mode_name(s->mode), sbxd_scope_name(s->scope),
		s->cache_fill, s->cache_max, s->entry_bytes, s->allowed, s->denied, s->would_deny,
		s->timeouts, s->verified, s->cache_hits, s->cannot ? s->cannot : "",
		s->memfd && *s->memfd ? "memfd_exec=" : "", s->memfd && *s->memfd ? s->memfd : "",
		s->memfd && *s->memfd ? "\n" : "");
	if (fclose(f) == 0)
		rename(tmp, path);
}

void sbxd_state_remove(const struct sbxd_config *c)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/sbxd.state", c->run_dir);
	unlink(path);
}
