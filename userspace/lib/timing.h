/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a launch spends its time (`sbx run --timings`): each call to sbx_timing_mark()
 * ends the phase it names. Marks live in one shared anonymous page, so the phases the
 * child runs between fork and execve (Landlock, seccomp) are recorded by plain stores —
 * no system call, no allocation — and read by the parent once the program runs. Until
 * sbx_timing_start() every mark is a no-op, so the calls stay in the launch path.
 */
#ifndef SBX_TIMING_H
#define SBX_TIMING_H

#include <stdio.h>

/*
 * Start recording. The first phase, "start-up", is the CPU time the process spent before
 * this call (execve, the dynamic loader, constructors, argument parsing). Returns 0 or
 * -errno (no shared page: timings stay off).
 */
int sbx_timing_start(void);

/* End the phase called phase (a string literal: the child records only the pointer). */
void sbx_timing_mark(const char *phase);

/* "sbx: timing: PHASE  N.NNN ms" per phase, in order, then the total; nothing if off. */
void sbx_timing_print(FILE *out);

#endif /* SBX_TIMING_H */
