/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exit statuses of the escape suites' probes (tests/escape/bin/: escape_probe, modes_probe,
 * serve_probe), which the runners (escape.c, modes_locks.c, serve.c) read: one protocol for every
 * probe.
 */
#ifndef SBX_PROBE_STATUS_H
#define SBX_PROBE_STATUS_H

enum probe_status {
	PROBE_ESCAPED = 0, /* the attempt worked: an escape when confined, the control's success */
	PROBE_REFUSED = 10,
	PROBE_UNSUPPORTED = 11, /* the kernel lacks the mechanism (the errno is printed) */
	PROBE_SETUP = 12, /* the probe could not set the attempt up */
};

#endif
