// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/enforcer.h"
#include "sbxd_state.h"

const char *sbx_sbxd_state_value(const struct sbx_sbxd_state *s, const char *key, char *out,
				 size_t len)
{
	size_t klen = strlen(key);

	out[0] = '\0';
	/* A key starts a line: "pid=" inside another key's value is not it. */
	for (const char *line = s->text; *line;) {
		size_t end = strcspn(line, "\n");

		if (end > klen && !strncmp(line, key, klen) && line[klen] == '=') {
			snprintf(out, len, "%.*s", (int)(end - klen - 1), line + klen + 1);
			break;
		}
		line += end + (line[end] == '\n');
	}
	return out;
}

void sbx_sbxd_state_read(const char *run_dir, struct sbx_sbxd_state *s)
{
	char path[4200], v[32];
	size_t n = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->pinned = sbx_enforcer_pinned();
	snprintf(path, sizeof(path), "%s/%s", run_dir, SBX_SBXD_STATE_FILE);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(s->text, 1, sizeof(s->text) - 1, f);
	fclose(f);
	s->text[n] = '\0';
	s->pid = atoi(sbx_sbxd_state_value(s, "pid", v, sizeof(v)));
	if (s->pid <= 0 || (kill(s->pid, 0) && errno != EPERM))
		s->pid = 0;
}
