// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "launch/container.h"
#include "launch/enforcement.h"
#include "launch/launch.h"
#include "launch/target.h"
#include "compile/plan.h"
#include "profile/lookup.h"
#include "sign/hash.h"
#include "sign/verify.h"
#include "timing.h"

/* The signature says the file is not what was signed: never run it. */
static bool signature_broken(enum sbx_verify_reason r)
{
	return r == SBX_REASON_MALFORMED || r == SBX_REASON_DIGEST_MISMATCH ||
	       r == SBX_REASON_STRIPPED || r == SBX_REASON_BAD_SIGNATURE ||
	       r == SBX_REASON_REVOKED || r == SBX_REASON_TEAM_MISMATCH ||
	       r == SBX_REASON_UNSAFE_LAYOUT;
}

/* A grant as the key and the owner record name it. */
struct grant_text {
	const char *path;
	const char *mode;
};

static int by_grant(const void *a, const void *b)
{
	const struct grant_text *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : strcmp(x->mode, y->mode);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A field of the key's digest: s and its NUL; in the owner record, ", WHAT S[:MODE]". */
static void field(FILE *f, struct sbx_launch_target *t, const char *what, const char *s,
		  const char *mode)
{
	size_t n = strlen(t->container_owner);

	fwrite(s, 1, strlen(s) + 1, f);
	if (what)
		snprintf(t->container_owner + n, sizeof(t->container_owner) - n, ", %s%s%s%s", what,
			 s, mode ? ":" : "", mode ? mode : "");
	if (mode)
		fwrite(mode, 1, strlen(mode) + 1, f);
}

/*
 * Unsigned: profile+IDENTIFIER+H, H the first 128 bits of SHA-256 of the program's path, the
 * profile's canonical bytes and what the run is given (grants and --allow keys sorted,
 * --complain), each NUL-terminated. The owner record names the same, so that `sbx container
 * list` tells the containers of one program apart.
 */
static int unsigned_key(struct sbx_launch_target *t, const struct sbx_run_given *g,
			struct sbx_diag *d)
{
	struct grant_text *gt = calloc(g->n_grants + 1, sizeof(*gt));
	const char **allow = calloc(g->n_allow + 1, sizeof(*allow));
	const char *id = t->profile->identifier ? t->profile->identifier : "?";
	char *canon = NULL, *buf = NULL, hex[33];
	uint8_t h[SBX_DIGEST_LEN];
	size_t len, n = 0;
	FILE *f = NULL;
	int err = -ENOMEM;

	if (!gt || !allow || sbx_profile_canonical(t->profile, &canon, &len) ||
	    !(f = open_memstream(&buf, &n)))
		goto out;
	for (size_t i = 0; i < g->n_grants; i++) {
		const struct sbx_grant *gr = &g->grants[i];

		gt[i].path = gr->path;
		gt[i].mode = gr->write ? (gr->execute ? "rwx" : "rw") : (gr->execute ? "rx" : "ro");
	}
	memcpy(allow, g->allow, g->n_allow * sizeof(*allow));
	qsort(gt, g->n_grants, sizeof(*gt), by_grant);
	qsort(allow, g->n_allow, sizeof(*allow), by_string);
	snprintf(t->container_owner, sizeof(t->container_owner), "unsigned profile %s, program %s",
		 id, t->path);
	field(f, t, NULL, t->path, NULL);
	field(f, t, NULL, canon, NULL);
	for (size_t i = 0; i < g->n_grants; i++)
		field(f, t, "--grant ", gt[i].path, gt[i].mode);
	for (size_t i = 0; i < g->n_allow; i++)
		field(f, t, "--allow ", allow[i], NULL);
	field(f, t, NULL, g->complain ? "complain" : "", NULL);
	if (g->complain)
		snprintf(t->container_owner + strlen(t->container_owner),
			 sizeof(t->container_owner) - strlen(t->container_owner), ", --complain");
	if (fclose(f))
		goto out;
	sbx_sha256(buf, n, h);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	sbx_container_key_profile(t->container_key, sizeof(t->container_key), id, hex);
	err = 0;
out:
	free(gt);
	free(allow);
	free(canon);
	free(buf);
	return err ? sbx_diag_set(d, err, "container: out of memory naming the container of %s",
				  t->path)
		   : 0;
}

int sbx_launch_target_container(struct sbx_launch_target *t, const struct sbx_run_given *g,
				struct sbx_diag *d)
{
	if (!t->signed_entitlements)
		return unsigned_key(t, g, d);
	sbx_container_key_signed(t->container_key, sizeof(t->container_key), t->anchor, t->team_id,
				 t->identifier);
	snprintf(t->container_owner, sizeof(t->container_owner),
		 "team %s, identifier %s, anchor %s", t->team_id, t->identifier, t->anchor);
	return 0;
}

/* Open the file to run: regular, never blocking (a FIFO), read or (execute-only) path. */
static int open_program(struct sbx_launch_target *t, struct sbx_diag *d)
{
	t->fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (t->fd < 0 && errno == EACCES && !access(t->path, X_OK))
		t->fd = open(t->path, O_PATH | O_CLOEXEC);
	if (t->fd < 0)
		return sbx_diag_set(d, errno == ENOENT ? -ENOENT : -EACCES, "%s: %s", t->path,
				    strerror(errno));
	if (fstat(t->fd, &t->st))
		return sbx_diag_set(d, -EACCES, "%s: %s", t->path, strerror(errno));
	if (!S_ISREG(t->st.st_mode))
		return sbx_diag_set(d, -EACCES, "%s: not a regular file", t->path);
	return 0;
}

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/*
 * A verified #! script: its interpreter reads the script after exec, when the file may have
 * been rewritten in place. So the launcher hands the interpreter a sealed copy instead:
 * the signed bytes copied into a memfd that nobody can write, grow or shrink any more,
 * then hashed again (the copy, not the file) against the signed digest. Never executable.
 */
static int seal_script_copy(struct sbx_launch_target *t, const struct sbx_code_identity *id,
			    struct sbx_diag *d)
{
	uint8_t digest[SBX_DIGEST_LEN], buf[65536];
	char magic[2];
	uint64_t off = 0;
	int fd;

	if (pread(t->fd, magic, 2, 0) != 2 || magic[0] != '#' || magic[1] != '!')
		return 0;
	fd = memfd_create("sbx-script", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL) /* before 6.3: no exec seal, and none is needed to read */
		fd = memfd_create("sbx-script", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return sbx_diag_set(d, -errno, "%s: cannot copy the script: memfd_create: %s",
				    t->path, strerror(errno));
	while (off < id->content_size) {
		size_t want =
			id->content_size - off < sizeof(buf) ? id->content_size - off : sizeof(buf);
		ssize_t n = pread(t->fd, buf, want, (off_t)off);

		if (n <= 0 || write(fd, buf, (size_t)n) != n) {
			close(fd);
			return sbx_diag_set(d, -EPERM, "%s: the script changed while it was copied",
					    t->path);
		}
		off += (uint64_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		close(fd);
		return sbx_diag_set(d, -errno, "%s: cannot seal the script's copy: %s", t->path,
				    strerror(errno));
	}
	if (sbx_sha256_fd(fd, 0, id->content_size, digest, d) ||
	    memcmp(digest, id->content_digest, SBX_DIGEST_LEN)) {
		close(fd);
		return sbx_diag_set(d, -EPERM,
				    "%s: invalid signature, not running it: the script was "
				    "modified while it was verified",
				    t->path);
	}
	t->script_fd = fd;
	return 0;
}

static int from_signature(struct sbx_launch_target *t, const struct sbx_target_opts *o,
			  struct sbx_diag *d)
{
	struct sbx_verify_options vo = { .path = t->path, .trust_dir = o->trust_dir };
	struct sbx_code_identity id;
	struct sbx_diag vd = { 0 };
	int ret = 0;

	/* An explicit profile decides alone (and costs no hashing); an execute-only file
	 * has no signature anyone can read. */
	if (o->profile_file || (fcntl(t->fd, F_GETFL) & O_PATH))
		return 0;
	sbx_verify_fd(t->fd, &vo, &id, &vd);
	switch (id.verdict) {
	case SBX_VERDICT_VALID:
		snprintf(t->team_id, sizeof(t->team_id), "%s", id.team_id);
		snprintf(t->identifier, sizeof(t->identifier), "%s", id.identifier);
		snprintf(t->anchor, sizeof(t->anchor), "%s", id.anchor);
		snprintf(t->cdhash_hex, sizeof(t->cdhash_hex), "%s", id.cdhash_hex);
		t->cd_flags = id.flags;
		t->verified = true;
		ret = seal_script_copy(t, &id, d);
		if (ret)
			break;
		if (!id.entitlements)
			break;
		if (snprintf(t->source, sizeof(t->source), "%s (signed entitlements)", t->path) >=
		    (int)sizeof(t->source))
			snprintf(t->source, sizeof(t->source), "%s", "the signed entitlements");
		/* Signed entitlements are self-contained: an include would be read unsigned. */
		ret = sbx_profile_load_signed(t->source, id.entitlements, id.entitlements_len,
					      &t->profile, d);
		t->signed_entitlements = !ret;
		break;
	case SBX_VERDICT_INVALID:
		if (signature_broken(id.reason))
			ret = sbx_diag_set(d, -EPERM, "%s: invalid signature, not running it: %s",
					   t->path, vd.msg);
		else
			snprintf(
				t->warning, sizeof(t->warning),
				"%.200s: signature not trusted here (%.300s): its entitlements are "
				"ignored, the default profile applies",
				t->path, vd.msg);
		break;
	default: /* unsigned, or a platform binary */
		break;
	}
	sbx_code_identity_free(&id);
	return ret;
}

/*
 * An unsigned program whose name is a profile's NAME gets that profile, and says so; only
 * a file the system installed (root's, writable by nobody else): a program the user or a
 * sandbox wrote and named "curl" must not gain curl's powers by its name.
 */
static int profile_by_name(struct sbx_launch_target *t, struct sbx_diag *d)
{
	const char *base = strrchr(t->path, '/') + 1;
	enum sbx_profile_origin origin;
	char file[PATH_MAX];

	if (t->st.st_uid != 0 || (t->st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	/* No diag: a miss costs a few stat calls, not a "did you mean" search. */
	if (sbx_profile_names_file(base) ||
	    sbx_profile_find(base, file, sizeof(file), &origin, NULL))
		return 0;
	snprintf(t->source, sizeof(t->source), "%s", file);
	snprintf(t->note, sizeof(t->note),
		 "%.1000s has no signature: the profile '%.255s' applies, by its name (%.1500s, "
		 "%s; --profile default to refuse it)",
		 t->path, base, file, sbx_profile_origin_name(origin));
	return sbx_profile_load_file(file, &t->profile, d);
}

int sbx_launch_target_open(struct sbx_launch_target *t, const char *path,
			   const struct sbx_target_opts *o, struct sbx_diag *d)
{
	const char *file;
	int err;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->script_fd = -1;
	if (!path || path[0] != '/' || strlen(path) >= sizeof(t->path))
		return sbx_diag_set(d, -EINVAL, "program path '%s' is not absolute",
				    path ? path : "");
	strcpy(t->path, path);
	err = open_program(t, d);
	if (!err)
		err = from_signature(t, o, d);
	sbx_timing_mark("signature check");
	if (!err && !t->profile && !o->profile_file && o->profile_by_name && !t->team_id[0] &&
	    !t->warning[0])
		err = profile_by_name(t, d);
	if (err || t->profile)
		goto out;
	file = o->profile_file ? o->profile_file : o->default_profile_file;
	if (!file) {
		err = sbx_diag_set(d, -EINVAL, "no profile to apply");
		goto out;
	}
	snprintf(t->source, sizeof(t->source), "%s", file);
	err = sbx_profile_load_file(file, &t->profile, d);
out:
	if (err)
		sbx_launch_target_close(t);
	return err;
}

void sbx_launch_target_close(struct sbx_launch_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->script_fd >= 0)
		close(t->script_fd);
	t->script_fd = -1;
	sbx_profile_free(t->profile);
	t->profile = NULL;
}

/*
 * on-system-volume, as tier U can know it: the program is root's, writable by no one else,
 * under /usr (resolved: merged /bin and /lib are there too) and on the file system that
 * holds /usr (the distribution's). A copy in /tmp or a home, even root's, never is.
 */
static bool on_system_volume(const struct sbx_launch_target *t)
{
	struct stat usr;

	return !strncmp(t->path, "/usr/", 5) && !stat("/usr", &usr) && usr.st_dev == t->st.st_dev &&
	       t->st.st_uid == 0 && !(t->st.st_mode & (S_IWGRP | S_IWOTH));
}

/* Record what tier U cannot do; refuse unless best_effort. */
static int beyond_tier_u(struct sbx_enforcement *e, const char *feature, const char *what,
			 const char *tier, bool best_effort, struct sbx_diag *d)
{
	struct sbx_feature_state *s = sbx_enforcement_add(e, feature, what, true, false, true);

	snprintf(s->why, sizeof(s->why), "enforced by %s, not by sbx run (tier U)", tier);
	if (best_effort)
		return 0;
	return sbx_diag_set(d, -EOPNOTSUPP,
			    "refused: the signature asks for %s (%s), which only %s enforces, not "
			    "sbx run (tier U); --best-effort runs it without",
			    feature, what, tier);
}

int sbx_launch_target_check(const struct sbx_launch_target *t, bool best_effort,
			    struct sbx_enforcement *e, struct sbx_diag *d)
{
	static const char *const lc_features[SBX_LC_NSLOTS] = {
		[SBX_LC_PARENT] = "launch-constraint.parent",
		[SBX_LC_RESPONSIBLE] = "launch-constraint.responsible",
		[SBX_LC_LIBRARY] = "launch-constraint.library",
	};
	struct sbx_lc_facts self = {
		.team_id = t->verified ? t->team_id : "",
		.signing_id = t->verified ? t->identifier : "",
		.cdhash_hex = t->verified ? t->cdhash_hex : "",
		.is_init_proc = false, /* sbx's child is never the init process */
		.on_system_volume = on_system_volume(t),
	};
	int err;

	if (t->verified && (t->cd_flags & SBX_CD_FLAG_HARDENED_RUNTIME))
		sbx_enforcement_add(e, "sign.hardened-runtime",
				    "signed hardened runtime: W^X, no loader environment, not "
				    "debuggable, as far as the entitlements keep them",
				    true, true, true);
	/* As on macOS, the entitlement lifts the flag (--hardened-runtime implies it). */
	if (t->verified && (t->cd_flags & SBX_CD_FLAG_LIBRARY_VALIDATION) &&
	    !(t->profile && sbx_profile_entitled(t->profile, "cs.disable-library-validation"))) {
		err = beyond_tier_u(e, "sign.library-validation",
				    "signed library validation: only libraries signed by the same "
				    "team load",
				    "tier K (sbxd's mmap hook)", best_effort, d);
		if (err)
			return err;
	}
	if (!t->profile)
		return 0;
	/* The self constraint is about facts sbx knows now: it holds, or the run is refused. */
	if (t->profile->launch[SBX_LC_SELF]) {
		struct sbx_feature_state *s = sbx_enforcement_add(
			e, "launch-constraint.self", "the signed launch constraint on itself", true,
			true, true);

		if (!sbx_lc_eval(t->profile->launch[SBX_LC_SELF], &self)) {
			s->enforced = false;
			snprintf(s->why, sizeof(s->why), "it does not hold");
			return sbx_diag_set(
				d, -EPERM,
				"refused: %s's launch constraint on itself does not hold "
				"(team '%s', identifier '%s'%s)",
				t->path, self.team_id, self.signing_id,
				self.on_system_volume ? ", on the system volume" : "");
		}
	}
	for (int slot = SBX_LC_PARENT; slot < SBX_LC_NSLOTS; slot++) {
		if (!t->profile->launch[slot])
			continue;
		err = beyond_tier_u(e, lc_features[slot], "a signed launch constraint",
				    "tier K (sbxd)", best_effort, d);
		if (err)
			return err;
	}
	return 0;
}

int sbx_launch_resolve_grant(const char *path, char *out, size_t len, struct sbx_diag *d)
{
	char rest[2 * PATH_MAX], resolved[PATH_MAX] = "", link[PATH_MAX], cwd[PATH_MAX];
	char why[80];
	int hops = 0;

	if (!path || !*path)
		return sbx_diag_set(d, -EINVAL, "empty path");
	if (path[0] == '/')
		snprintf(rest, sizeof(rest), "%s", path);
	else if (getcwd(cwd, sizeof(cwd))) /* physical: no symlink in it */
		snprintf(rest, sizeof(rest), "%s/%s", cwd, path);
	else
		return sbx_diag_set(d, -errno, "%s: %s", path, strerror(errno));
	while (rest[0]) {
		char comp[NAME_MAX + 1], candidate[PATH_MAX];
		size_t skip = strspn(rest, "/"), n = strcspn(rest + skip, "/");
		struct stat st, dir;
		ssize_t l;

		if (n > NAME_MAX)
			return sbx_diag_set(d, -ENAMETOOLONG, "%s: a name is too long", path);
		memcpy(comp, rest + skip, n);
		comp[n] = '\0';
		memmove(rest, rest + skip + n, strlen(rest + skip + n) + 1);
		if (n == 0 || !strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *slash = strrchr(resolved, '/');

			if (slash)
				*slash = '\0';
			continue;
		}
		if (snprintf(candidate, sizeof(candidate), "%s/%s", resolved, comp) >=
		    (int)sizeof(candidate))
			return sbx_diag_set(d, -ENAMETOOLONG, "%s: path too long", path);
		if (lstat(candidate, &st))
			return sbx_diag_set(d, -errno, "%s: %s", path, strerror(errno));
		if (!S_ISLNK(st.st_mode)) {
			strcpy(resolved, candidate);
			continue;
		}
		/*
		 * The system's layout only (/lib -> usr/lib, /etc/alternatives/...): root's link
		 * in a directory only root can change. Root's own sandbox (--allow-root) makes
		 * root's links wherever it may write, /tmp too; root's own run trusts none.
		 */
		if (st.st_uid != 0 || geteuid() == 0)
			snprintf(why, sizeof(why), "owned by uid %u%s", (unsigned int)st.st_uid,
				 geteuid() == 0 ? ", and sbx runs as root" : ", not root");
		else if (stat(resolved[0] ? resolved : "/", &dir) || dir.st_uid != 0)
			snprintf(why, sizeof(why), "owned by root, in a directory not root's");
		else if (dir.st_mode & (S_IWGRP | S_IWOTH))
			snprintf(why, sizeof(why),
				 "owned by root, in a directory others can write");
		else
			why[0] = '\0';
		if (why[0])
			return sbx_diag_set(d, -ELOOP,
					    "%s: goes through the symlink %s (%s), which a "
					    "sandboxed program could have planted; grant the path "
					    "it points to instead",
					    path, candidate, why);
		l = readlink(candidate, link, sizeof(link) - 1);
		if (l < 0)
			return sbx_diag_set(d, -errno, "%s: %s", candidate, strerror(errno));
		link[l] = '\0';
		if (++hops > 40)
			return sbx_diag_set(d, -ELOOP, "%s: too many symlinks", path);
		if (strlen(link) + 1 + strlen(rest) >= sizeof(rest))
			return sbx_diag_set(d, -ENAMETOOLONG, "%s: path too long", path);
		memmove(rest + strlen(link) + 1, rest, strlen(rest) + 1);
		memcpy(rest, link, strlen(link));
		rest[strlen(link)] = '/';
		if (link[0] == '/')
			resolved[0] = '\0';
	}
	if (snprintf(out, len, "%s", resolved[0] ? resolved : "/") >= (int)len)
		return sbx_diag_set(d, -ENAMETOOLONG, "%s: path too long", path);
	return 0;
}

/*
 * path (whose resolution found no such file) names something to create: its directory
 * exists and resolves, its last name is a plain name. Only a read-write grant may create.
 */
static int grant_to_create(const char *path, struct sbx_grant *g, char *out, size_t len,
			   struct sbx_diag *d)
{
	char dir[PATH_MAX], parent[PATH_MAX], *slash, *name;
	size_t n = strlen(path);
	bool as_dir = n > 1 && path[n - 1] == '/';
	struct sbx_diag pd = { 0 };
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	slash = strrchr(dir, '/');
	name = slash ? slash + 1 : dir;
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return sbx_diag_set(d, -ENOENT, "%s: %s", path, strerror(ENOENT));
	if (slash)
		*slash = '\0';
	if (sbx_launch_resolve_grant(slash ? (dir[0] ? dir : "/") : ".", parent, sizeof(parent),
				     &pd) ||
	    stat(parent, &st) || !S_ISDIR(st.st_mode))
		return sbx_diag_set(d, -ENOENT,
				    "%s: no such file, and its directory does not exist either: "
				    "create the directory first",
				    path);
	if (!g->write)
		return sbx_diag_set(d, -ENOENT,
				    "%s: no such file; a read-only or execute grant needs an "
				    "existing path (%s:rw creates it)",
				    path, path);
	if (snprintf(out, len, "%s/%s", strcmp(parent, "/") ? parent : "", name) >= (int)len)
		return sbx_diag_set(d, -ENAMETOOLONG, "%s: path too long", path);
	if (!lstat(out, &st))
		return sbx_diag_set(d, -ENOENT,
				    "%s: a symlink to nothing; grant what it should "
				    "point to",
				    path);
	g->create = true;
	g->create_dir = as_dir;
	return 0;
}

int sbx_launch_parse_grant(const char *spec, struct sbx_grant *g, struct sbx_diag *d)
{
	const char *colon = strrchr(spec, ':');
	char path[PATH_MAX], resolved[PATH_MAX];
	size_t len = strlen(spec);
	int err;

	*g = (struct sbx_grant){ 0 };
	if (colon && (!strcmp(colon, ":ro") || !strcmp(colon, ":rw") || !strcmp(colon, ":x") ||
		      !strcmp(colon, ":rx") || !strcmp(colon, ":rwx"))) {
		g->write = !strcmp(colon, ":rw") || !strcmp(colon, ":rwx");
		g->execute = !!strchr(colon, 'x'); /* :x and :rx read and execute */
		len = (size_t)(colon - spec);
	}
	if (len == 0)
		return sbx_diag_set(d, -EINVAL, "empty path");
	if (len >= sizeof(path))
		return sbx_diag_set(d, -ENAMETOOLONG, "%.64s...: path too long", spec);
	snprintf(path, sizeof(path), "%.*s", (int)len, spec);
	err = sbx_launch_resolve_grant(path, resolved, sizeof(resolved), d);
	if (err == -ENOENT)
		err = grant_to_create(path, g, resolved, sizeof(resolved), d);
	if (err)
		return err;
	g->path = strdup(resolved);
	return g->path ? 0 : sbx_diag_set(d, -ENOMEM, "out of memory");
}

int sbx_launch_create_grant(const struct sbx_grant *g, struct sbx_diag *d)
{
	char dir[PATH_MAX];
	const char *name;
	int dfd, fd = 0, err = 0;

	if (!g->create)
		return 0;
	snprintf(dir, sizeof(dir), "%s", g->path);
	*strrchr(dir, '/') = '\0';
	name = strrchr(g->path, '/') + 1;
	dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return sbx_diag_set(d, -errno, "--grant %s: %s", dir, strerror(errno));
	if (g->create_dir)
		err = mkdirat(dfd, name, 0777) ? -errno : 0;
	else if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      0666)) < 0)
		err = -errno;
	if (fd > 0)
		close(fd);
	close(dfd);
	return err ? sbx_diag_set(d, err, "--grant %s: cannot create it: %s", g->path,
				  strerror(-err))
		   : 0;
}

void sbx_launch_uncreate_grant(const struct sbx_grant *g)
{
	struct stat st;

	if (!g->create || lstat(g->path, &st))
		return;
	if (g->create_dir && S_ISDIR(st.st_mode))
		rmdir(g->path); /* only when still empty */
	else if (!g->create_dir && S_ISREG(st.st_mode) && st.st_size == 0)
		unlink(g->path);
}

bool sbx_launch_in_sbx_sandbox(char *why, size_t len)
{
	const char *canary = getenv(SBX_SANDBOX_CANARY_ENV);
	struct statfs fs;
	struct stat st;
	int fd;

	if (!canary || canary[0] != '/') {
		snprintf(why, len, "no enclosing sbx named its canary (%s)",
			 SBX_SANDBOX_CANARY_ENV);
		return false;
	}
	fd = open(canary, O_PATH | O_NOFOLLOW | O_CLOEXEC); /* Landlock does not check O_PATH */
	if (fd < 0 || fstat(fd, &st) || fstatfs(fd, &fs)) {
		snprintf(why, len, "the canary %.200s cannot be examined", canary);
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || !(st.st_mode & S_IRUSR) ||
	    fs.f_type == 0x65735546 /* FUSE_SUPER_MAGIC: its answers are anyone's */) {
		snprintf(why, len, "the canary %.200s is not this user's readable file", canary);
		return false;
	}
	fd = open(canary, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		close(fd);
		snprintf(why, len, "the canary %.200s opens: no sandbox domain around this process",
			 canary);
		return false;
	}
	if (errno != EACCES) {
		snprintf(why, len, "the canary %.200s: %s", canary, strerror(errno));
		return false;
	}
	return true;
}
