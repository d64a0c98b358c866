/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the `sbx run` suites (run_*.c) share: the run_probe helper, the profiles of
 * tests/sandbox/data/run/, and `sbx run` with its output in self->r. Include after
 * kselftest_harness.h and sbx_test.h.
 */
#ifndef SBX_TEST_RUN_TEST_H
#define SBX_TEST_RUN_TEST_H

/* tests/sandbox/bin/run_probe.c, built beside the suite. */
static inline char *probe(void)
{
	return (char *)sbx_test_helper("run_probe");
}

/* tests/sandbox/data/run/NAME.yaml; four may be in use at once. */
static inline char *data_profile(const char *name)
{
	static char path[4][PATH_MAX];
	static int slot;
	char *p = path[slot++ % 4];

	snprintf(p, PATH_MAX, "%s/tests/sandbox/data/run/%s.yaml", sbx_src(), name);
	return p;
}

/* Lines in s (a NUL-terminated buffer): how many, not counting a final empty one. */
static inline int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * sbx run --allow-root ARGS (options, "--", the program and its arguments), what it printed
 * and its status in self->r; 0, or -errno when it could not start. --allow-root: make check
 * runs the suites as root too.
 */
#define SBX(...)                                                                                  \
	({                                                                                        \
		char *__argv[] = { (char *)sbx_bin(), "run", "--allow-root", __VA_ARGS__, NULL }; \
		sbx_run_capture(__argv, self->r);                                                 \
	})

#endif /* SBX_TEST_RUN_TEST_H */
