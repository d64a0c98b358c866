/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sbxd's state file, RUN_DIR/sbxd.state: "key=value" lines that sbxd rewrites (write +
 * rename, userspace/daemon/journal.c) when it starts and after a change. The one reader,
 * for `sbx status` and `sbxd --status`: both decide "running" the same way.
 */
#ifndef SBX_SBXD_STATE_H
#define SBX_SBXD_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define SBX_SBXD_STATE_FILE "sbxd.state"
#define SBX_SBXD_STATE_MAX  4096

struct sbx_sbxd_state {
	char text[SBX_SBXD_STATE_MAX]; /* the file's lines; "" when there is no state file */
	int pid; /* its pid= when that process is alive, else 0 (a stale file when text) */
	bool pinned; /* tier K pins in bpffs: enforcing with or without the daemon */
};

/* Read RUN_DIR's state file and the pins into s; no state file is an empty s->text. */
void sbx_sbxd_state_read(const char *run_dir, struct sbx_sbxd_state *s);
/* The value of key= in s ("" when absent) into out; returns out. */
const char *sbx_sbxd_state_value(const struct sbx_sbxd_state *s, const char *key, char *out,
				 size_t len);

#endif /* SBX_SBXD_STATE_H */
