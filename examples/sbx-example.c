// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libsbx by example: verify a file's signature, or load a profile and print its plan.
 *
 *	cc -o sbx-example sbx-example.c $(pkg-config --cflags --libs sbx)
 *	./sbx-example verify FILE [TRUST_DIR]
 *	./sbx-example plan PROFILE [--json]
 *
 * Exit status: 0 valid (or platform) / plan printed; 1 not valid; 2 error.
 */
#include <stdio.h>
#include <string.h>

#include <sbx/sbx.h>

static int verify(const char *path, const char *trust_dir)
{
	char err[512] = "";
	SBX_OPTS(sbx_verify_file_opts, opts, .trust_dir = trust_dir, .errbuf = err,
		 .errbuf_sz = sizeof(err));
	struct sbx_signature *sig;
	int status = sbx_verify_file(path, &opts, &sig);

	if (status < 0) {
		fprintf(stderr, "sbx-example: %s\n", err);
		return 2;
	}
	switch (sbx_signature_status(sig)) {
	case SBX_VERIFY_VALID:
		printf("%s: valid: identifier %s, team %s, cdhash %s\n", path,
		       sbx_signature_identifier(sig), sbx_signature_team_id(sig),
		       sbx_signature_cdhash(sig));
		break;
	case SBX_VERIFY_PLATFORM:
		printf("%s: platform\n", path);
		break;
	case SBX_VERIFY_UNSIGNED:
		printf("%s: unsigned\n", path);
		break;
	case SBX_VERIFY_INVALID:
		printf("%s: invalid (%s): %s\n", path, sbx_signature_reason(sig), err);
		break;
	}
	sbx_signature_free(sig);
	return status == SBX_VERIFY_VALID || status == SBX_VERIFY_PLATFORM ? 0 : 1;
}

static int plan(const char *path, unsigned int flags)
{
	char err[512] = "";
	SBX_OPTS(sbx_profile_open_opts, po, .errbuf = err, .errbuf_sz = sizeof(err));
	SBX_OPTS(sbx_plan_opts, pl, .errbuf = err, .errbuf_sz = sizeof(err));
	struct sbx_profile *p = NULL;
	struct sbx_plan *plan = NULL;
	int status = 2;

	if (sbx_profile_open(path, &po, &p) || sbx_plan_create(p, &pl, &plan)) {
		fprintf(stderr, "sbx-example: %s\n", err);
		goto out;
	}
	printf("# %s (libsbx %s)\n", sbx_profile_identifier(p), sbx_library_version());
	if (!sbx_plan_explain(plan, stdout, flags))
		status = 0;
out:
	sbx_plan_free(plan);
	sbx_profile_close(p);
	return status;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "verify"))
		return verify(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "plan"))
		return plan(argv[2],
			    argc == 4 && !strcmp(argv[3], "--json") ? SBX_EXPLAIN_JSON : 0);
	fprintf(stderr, "usage: sbx-example verify FILE [TRUST_DIR]\n"
			"       sbx-example plan PROFILE [--json]\n");
	return 2;
}
