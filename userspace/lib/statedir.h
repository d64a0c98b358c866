/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The directories where sbx keeps what one run leaves for later ones, or reads what the
 * user set: the app containers (a program's HOME, whose dotfiles a later run executes), the
 * kernel notes, the user's profiles (which decide a sandbox's powers). Each one,
 * from the base the caller starts at ($XDG_DATA_HOME, $HOME, $XDG_RUNTIME_DIR, ...) down,
 * must be owned by sbx's effective uid and writable by neither group (unless it is the
 * user's private group: named as the user, no other member) nor others: else
 * another user who can write there (a shared XDG_RUNTIME_DIR such as /tmp), or the user
 * whose HOME root's sbx runs with, prepares what sbx then trusts. Checked with fstat on
 * the descriptors the walk opens, never by a path looked up again.
 */
#ifndef SBX_STATEDIR_H
#define SBX_STATEDIR_H

#include "diag.h"

/*
 * base (absolute; made 0700 with its parents where absent, opened following symlinks: it
 * is the caller's choice), then each name of rel beneath it ("" none; made 0700 where
 * absent): a symlink among them is followed only when it is sbx's euid's own (a user's
 * ~/.local may be one), in a directory already checked. Every directory is checked.
 * Returns the last one's descriptor (O_CLOEXEC), or -errno with d naming the directory,
 * its owner and what (the words for what is kept there: "the app containers").
 */
int sbx_state_dir_open(const char *base, const char *rel, const char *what, struct sbx_diag *d);

/* The same walk and checks, nothing made: a missing directory is -ENOENT. */
int sbx_state_dir_check(const char *base, const char *rel, const char *what, struct sbx_diag *d);

/*
 * name beneath dfd, whose path is dir (for messages): made 0700 where absent, opened
 * without following a symlink, checked. Returns its descriptor or -errno (d says why).
 */
int sbx_state_dir_at(int dfd, const char *dir, const char *name, const char *what,
		     struct sbx_diag *d);

#endif /* SBX_STATEDIR_H */
