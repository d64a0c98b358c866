// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public API (include/sbx/) over libsbx's internals. Only the names in
 * userspace/lib/libsbx.map leave the shared library; the handles are the internal structs,
 * opaque outside. Both header sets are included here, so a prototype that drifts from the
 * internal one it re-exports fails to compile.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sbx/sbx.h>

#include "compile/compile.h"
#include "profile/profile.h"
#include "sign/verify.h"

_Static_assert(SBX_VERIFY_VALID == (int)SBX_VERDICT_VALID &&
		       SBX_VERIFY_INVALID == (int)SBX_VERDICT_INVALID &&
		       SBX_VERIFY_UNSIGNED == (int)SBX_VERDICT_UNSIGNED &&
		       SBX_VERIFY_PLATFORM == (int)SBX_VERDICT_PLATFORM,
	       "public verify statuses are the internal verdicts");

/* An options field exists for this caller when its struct is long enough to hold it. */
#define OPT(opts, field, dflt)                                                                \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field) \
		 ? (opts)->field                                                              \
		 : (dflt))

struct sbx_signature {
	struct sbx_code_identity id;
};

const char *sbx_library_version(void)
{
	return "0.1.0";
}

static int fail(int err, const struct sbx_diag *d, char *buf, size_t len)
{
	if (buf && len)
		sbx_diag_format(d, buf, len);
	return err;
}

/* libbpf's rule: a newer caller's larger struct is fine if the fields we lack are zero. */
static bool opts_valid(const void *opts, size_t sz, size_t known)
{
	if (sz < sizeof(size_t))
		return false;
	for (size_t i = known; i < sz; i++)
		if (((const unsigned char *)opts)[i])
			return false;
	return true;
}
#define OPTS_VALID(opts) (!(opts) || opts_valid((opts), (opts)->sz, sizeof(*(opts))))

int sbx_profile_open(const char *path, const struct sbx_profile_open_opts *opts,
		     struct sbx_profile **out)
{
	struct sbx_diag d = { 0 };
	int err;

	if (!path || !out || !OPTS_VALID(opts))
		return -EINVAL;
	err = sbx_profile_load_file(path, out, &d);
	return err ? fail(err, &d, OPT(opts, errbuf, NULL), OPT(opts, errbuf_sz, 0)) : 0;
}

void sbx_profile_close(struct sbx_profile *p)
{
	sbx_profile_free(p);
}

int sbx_plan_create(const struct sbx_profile *p, const struct sbx_plan_opts *opts,
		    struct sbx_plan **out)
{
	struct sbx_host_facts facts = { 0 };
	struct sbx_diag d = { 0 };
	char *storage;
	int err;

	if (!p || !out || !OPTS_VALID(opts))
		return -EINVAL;
	storage = malloc(PATH_MAX * 8);
	if (!storage)
		return -ENOMEM;
	err = sbx_host_facts_from_environment(&facts, storage, PATH_MAX * 8);
	if (err) {
		sbx_diag_set(&d, err, "cannot read the host facts: %s", strerror(-err));
		goto out;
	}
	facts.program = OPT(opts, program, NULL);
	/* As `sbx profile explain` shows it: an inherit profile's plan, not a refusal. */
	facts.in_sandbox = true;
	err = sbx_compile(p, &facts, out, &d);
out:
	free(storage);
	return err ? fail(err, &d, OPT(opts, errbuf, NULL), OPT(opts, errbuf_sz, 0)) : 0;
}

int sbx_plan_explain(const struct sbx_plan *plan, FILE *out, unsigned int flags)
{
	if (!plan || !out || (flags & ~SBX_EXPLAIN_JSON))
		return -EINVAL;
	if (flags & SBX_EXPLAIN_JSON)
		sbx_plan_write_json(plan, out);
	else
		sbx_plan_write_text(plan, out);
	return ferror(out) ? -EIO : 0;
}

int sbx_verify_file(const char *path, const struct sbx_verify_file_opts *opts,
		    struct sbx_signature **out)
{
	struct sbx_verify_options o = { .path = path };
	struct sbx_diag d = { 0 };
	struct sbx_signature *s;
	int fd, v;

	if (!path || !out || !OPTS_VALID(opts))
		return -EINVAL;
	o.trust_dir = OPT(opts, trust_dir, NULL);
	o.identifier = OPT(opts, identifier, NULL);
	o.team_id = OPT(opts, team_id, NULL);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		v = -errno;
		sbx_diag_set(&d, v, "%s: %s", path, strerror(errno));
		free(s);
		return fail(v, &d, OPT(opts, errbuf, NULL), OPT(opts, errbuf_sz, 0));
	}
	v = sbx_verify_fd(fd, &o, &s->id, &d);
	close(fd);
	if (v < 0) {
		sbx_code_identity_free(&s->id);
		free(s);
	} else {
		*out = s;
	}
	if (v < 0 || (v != SBX_VERDICT_VALID && v != SBX_VERDICT_PLATFORM))
		fail(v, &d, OPT(opts, errbuf, NULL), OPT(opts, errbuf_sz, 0));
	return v;
}

void sbx_signature_free(struct sbx_signature *s)
{
	if (!s)
		return;
	sbx_code_identity_free(&s->id);
	free(s);
}

enum sbx_verify_status sbx_signature_status(const struct sbx_signature *s)
{
	return (enum sbx_verify_status)s->id.verdict;
}

const char *sbx_signature_reason(const struct sbx_signature *s)
{
	return s->id.verdict == SBX_VERDICT_INVALID ? sbx_verify_reason_name(s->id.reason) : "";
}

const char *sbx_signature_identifier(const struct sbx_signature *s)
{
	return s->id.identifier;
}

const char *sbx_signature_team_id(const struct sbx_signature *s)
{
	return s->id.team_id;
}

const char *sbx_signature_cdhash(const struct sbx_signature *s)
{
	return s->id.verdict == SBX_VERDICT_UNSIGNED || s->id.verdict == SBX_VERDICT_PLATFORM
		       ? ""
		       : s->id.cdhash_hex;
}

const char *sbx_signature_entitlements(const struct sbx_signature *s, size_t *len)
{
	if (len)
		*len = s->id.entitlements_len;
	return (const char *)s->id.entitlements;
}
