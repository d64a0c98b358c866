/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The test PKI of the suites that sign with the sbx command line: made once per test
 * program, before the tests fork, by the openssl command line (tests/unit/data/sign/mkca.sh
 * lists what is in it), removed when the program ends. A program says when it wants one:
 *	SBX_TEST_PKI(true);		every run
 *	SBX_TEST_PKI(geteuid() == 0);	only when its tests can run (they SKIP otherwise)
 * and a fixture's setup starts with SBX_NEED_PKI(). The unit tests' in-memory PKI is
 * another thing (tests/unit/sign_pki.h): OpenSSL's API, no command line, no files.
 * SBX_TEST_PKI_DIR names one made already by mkca.sh, which the programs only read: each
 * uses it and none removes it. The guests set it (tests/vm/init): in a TCG guest mkca.sh
 * cost ~12 s of the host's CPU (its RSA keys), and every sbxd_* program made its own.
 */
#ifndef SBX_TEST_PKI_H
#define SBX_TEST_PKI_H

#include "sbx_test.h"

static char sbx_pki[512]; /* the PKI's directory: root.pem, chain.pem, leaf.key, ... */
static bool sbx_pki_ok;
static bool sbx_pki_no_openssl; /* the openssl command line is missing */
static char sbx_pki_error[512]; /* why it was not made */
static pid_t sbx_pki_owner; /* only the process that made it removes it */

static inline void sbx_pki_make(void)
{
	char script[PATH_MAX];
	char *argv[] = { "sh", script, sbx_pki, NULL };
	struct sbx_cmd_result *r = malloc(sizeof(*r));
	const char *given = getenv("SBX_TEST_PKI_DIR");

	sbx_pki_owner = getpid();
	if (given && given[0]) {
		snprintf(sbx_pki, sizeof(sbx_pki), "%s", given);
		sbx_pki_owner = 0; /* not this program's to remove */
		snprintf(script, sizeof(script), "%s/leaf.key", sbx_pki);
		sbx_pki_ok = access(script, R_OK) == 0;
		if (!sbx_pki_ok)
			snprintf(sbx_pki_error, sizeof(sbx_pki_error),
				 "SBX_TEST_PKI_DIR=%.400s has no readable leaf.key", given);
	} else if (sbx_missing_commands("openssl", sbx_pki_error, sizeof(sbx_pki_error))[0]) {
		sbx_pki_no_openssl = true;
		snprintf(sbx_pki_error, sizeof(sbx_pki_error),
			 "the openssl command line is not installed: no test PKI");
	} else if (!r || !sbx_mkdtemp(sbx_pki, sizeof(sbx_pki))) {
		snprintf(sbx_pki_error, sizeof(sbx_pki_error), "no temporary directory: %s",
			 strerror(errno));
	} else {
		snprintf(script, sizeof(script), "%s/tests/unit/data/sign/mkca.sh", sbx_src());
		sbx_pki_ok = !sbx_run_capture(argv, r) && r->status == 0;
		if (!sbx_pki_ok)
			snprintf(sbx_pki_error, sizeof(sbx_pki_error), "mkca.sh failed: %.400s",
				 r->err);
	}
	free(r);
}

#define SBX_TEST_PKI(when)                                                 \
	static void __attribute__((constructor)) sbx_pki_constructor(void) \
	{                                                                  \
		if (when)                                                  \
			sbx_pki_make();                                    \
	}                                                                  \
	static void __attribute__((destructor)) sbx_pki_destructor(void)   \
	{                                                                  \
		if (sbx_pki[0] && getpid() == sbx_pki_owner)               \
			sbx_rmtree(sbx_pki);                               \
	}

/*
 * In a setup or test: a machine without the openssl command line SKIPs (fails in CI, where
 * make deps installs it); a PKI that could not be made is a failure.
 */
#define SBX_NEED_PKI()                                                                      \
	do {                                                                                \
		if (sbx_pki_no_openssl) {                                                   \
			ASSERT_FALSE(sbx_in_ci()) TH_LOG("CI=true, yet %s", sbx_pki_error); \
			SKIP(return, "%.200s", sbx_pki_error);                              \
		}                                                                           \
		ASSERT_TRUE(sbx_pki_ok) TH_LOG("%s", sbx_pki_error);                        \
	} while (0)

#endif /* SBX_TEST_PKI_H */
