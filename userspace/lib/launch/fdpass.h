/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Handing one file descriptor over a unix socket (SCM_RIGHTS): how the confined child
 * gives its seccomp notification fd to the supervising parent.
 */
#ifndef SBX_LAUNCH_FDPASS_H
#define SBX_LAUNCH_FDPASS_H

/* Returns 0 or -errno. */
int sbx_fd_send(int sock, int fd);
/* Returns the received fd (close-on-exec), -EPIPE if the peer closed first, or -errno. */
int sbx_fd_recv(int sock);

#endif /* SBX_LAUNCH_FDPASS_H */
