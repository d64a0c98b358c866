// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The plan as `sbx profile explain` shows it: JSON (deterministic, snapshot-tested) and
 * words. Both list exactly the rules the launcher applies, each with its entitlement.
 */
#include <string.h>
#include <sys/resource.h>

#include "compile/compile.h"
#include "json.h"
#include "uapi_compat.h"

static const char *const fs_right_names[] = {
	"execute",   "write_file", "read_file", "read_dir",  "remove_dir",   "remove_file",
	"make_char", "make_dir",   "make_reg",	"make_sock", "make_fifo",    "make_block",
	"make_sym",  "refer",	   "truncate",	"ioctl_dev", "resolve_unix",
};
static const char *const net_right_names[] = { "bind_tcp", "connect_tcp", "bind_udp",
					       "connect_send_udp" };
static const char *const scope_names[] = { "abstract_unix_socket", "signal" };

static const struct {
	uint32_t flag;
	const char *name;
} policy_names[] = {
	{ SBX_POLICY_APP_SANDBOX, "app_sandbox" },
	{ SBX_POLICY_HARDENED_RUNTIME, "hardened_runtime" },
	{ SBX_POLICY_ALLOW_JIT, "allow_jit" },
	{ SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM, "allow_unsigned_exec_mem" },
	{ SBX_POLICY_ALLOW_DYLD_ENV, "allow_dyld_env" },
	{ SBX_POLICY_DISABLE_LIBRARY_VALIDATION, "disable_library_validation" },
	{ SBX_POLICY_DISABLE_EXEC_PAGE_PROTECTION, "disable_exec_page_protection" },
	{ SBX_POLICY_DEBUGGER, "debugger" },
	{ SBX_POLICY_GET_TASK_ALLOW, "get_task_allow" },
	{ SBX_POLICY_NETWORK_CLIENT, "network_client" },
	{ SBX_POLICY_NETWORK_SERVER, "network_server" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void json_bits(struct sbx_json *j, const char *key, uint64_t mask, const char *const *names,
		      size_t n)
{
	sbx_json_array_begin(j, key);
	for (size_t i = 0; i < n; i++)
		if (mask & (1ULL << i))
			sbx_json_string(j, NULL, names[i]);
	sbx_json_array_end(j);
}

static const char *op_name(enum sbx_seccomp_op op)
{
	switch (op) {
	case SBX_CMP_EQ:
		return "eq";
	case SBX_CMP_NE:
		return "ne";
	case SBX_CMP_MASKED_EQ:
		return "masked_eq";
	case SBX_CMP_GT:
		return "gt";
	case SBX_CMP_MASKED_ANY:
		return "masked_any";
	}
	return "?";
}

static const char *errno_name(int e)
{
	const char *n = e ? strerrorname_np(e) : NULL;

	return n ? n : e ? "E?" : "kill";
}

static const char *rule_verdict(const struct sbx_seccomp_rule *r)
{
	return r->answer == SBX_ANSWER_ALLOW ? "allowed" : errno_name(r->errno_value);
}

static const char *rule_action_name(const struct sbx_seccomp_rule *r)
{
	return r->answer == SBX_ANSWER_ALLOW ? "allow" : r->errno_value > 0 ? "errno" : "kill";
}

static const char *group_verdict(const struct sbx_seccomp_group_verdict *v)
{
	if (v->allowed)
		return v->group->action == SBX_GROUP_ALLOW ? "allowed" : "lifted";
	return v->group->action == SBX_GROUP_SUPERVISE ? "supervisor" : "refused";
}

static const char *rlimit_name(int r)
{
	return r == RLIMIT_CORE	    ? "RLIMIT_CORE"
	       : r == RLIMIT_NOFILE ? "RLIMIT_NOFILE"
	       : r == RLIMIT_NPROC  ? "RLIMIT_NPROC"
				    : "RLIMIT_?";
}

static const char *drop_cost_name(enum sbx_drop_cost c)
{
	switch (c) {
	case SBX_DROP_HOLE:
		return "hole";
	case SBX_DROP_COVERED:
		return "covered";
	case SBX_DROP_HARMLESS:
		return "harmless";
	}
	return "?";
}

static void json_constraint(struct sbx_json *j, const char *key, const struct sbx_lc_node *n)
{
	sbx_json_object_begin(j, key);
	if (n->op == SBX_LC_FACT) {
		const char *fact = sbx_lc_fact_name(n->fact);

		if (!n->n_values) {
			sbx_json_bool(j, fact, n->boolean);
		} else if (!n->in) {
			sbx_json_string(j, fact, n->values[0]);
		} else {
			sbx_json_object_begin(j, fact);
			sbx_json_array_begin(j, "$in");
			for (size_t i = 0; i < n->n_values; i++)
				sbx_json_string(j, NULL, n->values[i]);
			sbx_json_array_end(j);
			sbx_json_object_end(j);
		}
	} else {
		sbx_json_array_begin(j, n->op == SBX_LC_OR ? "$or" : "$and");
		for (size_t i = 0; i < n->n_children; i++)
			json_constraint(j, NULL, &n->children[i]);
		sbx_json_array_end(j);
	}
	sbx_json_object_end(j);
}

void sbx_plan_write_json(const struct sbx_plan *plan, FILE *out)
{
	const struct sbx_landlock_plan *l = &plan->landlock;
	const struct sbx_seccomp_plan *s = &plan->seccomp;
	const struct sbx_process_plan *pp = &plan->process;
	struct sbx_json j;

	sbx_json_init(&j, out, true);
	sbx_json_object_begin(&j, NULL);
	sbx_json_string(&j, "identifier", plan->identifier);
	sbx_json_string(&j, "program", plan->program);

	sbx_json_object_begin(&j, "landlock");
	sbx_json_bool(&j, "enabled", l->enabled);
	json_bits(&j, "handled_fs", l->handled_fs, fs_right_names, ARRAY_SIZE(fs_right_names));
	json_bits(&j, "handled_net", l->handled_net, net_right_names, ARRAY_SIZE(net_right_names));
	json_bits(&j, "scoped", l->scoped, scope_names, ARRAY_SIZE(scope_names));
	sbx_json_array_begin(&j, "fs");
	for (size_t i = 0; i < l->n_fs; i++) {
		const struct sbx_fs_rule *r = &l->fs[i];

		sbx_json_object_begin(&j, NULL);
		sbx_json_string(&j, "path", r->path);
		json_bits(&j, "access", r->access, fs_right_names, ARRAY_SIZE(fs_right_names));
		sbx_json_uint(&j, "min_abi", r->min_abi);
		sbx_json_bool(&j, "if_exists", r->if_exists);
		sbx_json_string(&j, "entitlement", r->entitlement);
		sbx_json_object_end(&j);
	}
	sbx_json_array_end(&j);
	sbx_json_array_begin(&j, "net");
	for (size_t i = 0; i < l->n_net; i++) {
		const struct sbx_net_rule *r = &l->net[i];

		sbx_json_object_begin(&j, NULL);
		sbx_json_uint(&j, "port", r->port);
		json_bits(&j, "access", r->access, net_right_names, ARRAY_SIZE(net_right_names));
		sbx_json_uint(&j, "min_abi", r->min_abi);
		sbx_json_string(&j, "entitlement", r->entitlement);
		sbx_json_object_end(&j);
	}
	sbx_json_array_end(&j);
	sbx_json_object_end(&j);

	sbx_json_object_begin(&j, "seccomp");
	sbx_json_bool(&j, "enabled", s->enabled);
	sbx_json_bool(&j, "deny_foreign_arches", s->deny_foreign_arches);
	sbx_json_object_begin(&j, "unknown_calls");
	sbx_json_string(&j, "action", s->unknown_errno > 0 ? "errno" : "kill");
	sbx_json_errno(&j, "errno", s->unknown_errno);
	sbx_json_object_end(&j);
	sbx_json_array_begin(&j, "groups");
	for (size_t i = 0; i < s->n_groups; i++) {
		const struct sbx_seccomp_group_verdict *v = &s->groups[i];

		sbx_json_object_begin(&j, NULL);
		sbx_json_string(&j, "name", v->group->name);
		sbx_json_string(&j, "help", v->group->help);
		sbx_json_string(&j, "verdict", group_verdict(v));
		if (!v->allowed)
			sbx_json_errno(&j, "errno", v->group->errno_value);
		sbx_json_string(&j, "entitlement", v->lifted_by);
		sbx_json_array_begin(&j, "calls");
		j.pretty = false; /* one line: the calls are a list, not a tree */
		for (const char *const *c = v->group->calls; *c; c++)
			sbx_json_string(&j, NULL, *c);
		sbx_json_array_end(&j);
		j.pretty = true;
		sbx_json_object_end(&j);
	}
	sbx_json_array_end(&j);
	sbx_json_array_begin(&j, "rules");
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct sbx_seccomp_rule *r = &s->rules[i];

		if (r->group)
			continue; /* in its group above */
		sbx_json_object_begin(&j, NULL);
		sbx_json_string(&j, "syscall", r->syscall);
		sbx_json_string(&j, "action", rule_action_name(r));
		/* An allow-list entry returns no errno: null, as for a kill. */
		sbx_json_errno(&j, "errno", r->answer == SBX_ANSWER_ALLOW ? 0 : r->errno_value);
		sbx_json_array_begin(&j, "conditions");
		j.pretty = false; /* one line per rule */
		for (unsigned int c = 0; c < r->n_cond && c < SBX_SECCOMP_MAX_COND; c++) {
			sbx_json_object_begin(&j, NULL);
			sbx_json_uint(&j, "arg", r->cond[c].arg);
			sbx_json_string(&j, "op", op_name(r->cond[c].op));
			if (r->cond[c].op == SBX_CMP_MASKED_EQ ||
			    r->cond[c].op == SBX_CMP_MASKED_ANY)
				sbx_json_uint(&j, "mask", r->cond[c].mask);
			sbx_json_uint(&j, "value", r->cond[c].value);
			sbx_json_object_end(&j);
		}
		sbx_json_array_end(&j);
		j.pretty = true;
		sbx_json_string(&j, "entitlement", r->entitlement);
		sbx_json_string(&j, "why", r->why);
		if (r->answer == SBX_ANSWER_SEALED_MEMFD)
			sbx_json_string(&j, "answer", "sealed-memfd");
		if (r->answer == SBX_ANSWER_SUPERVISOR)
			sbx_json_string(&j, "answer", "supervisor");
		if (r->below_abi)
			sbx_json_uint(&j, "below_abi", r->below_abi);
		sbx_json_object_end(&j);
	}
	sbx_json_array_end(&j);
	sbx_json_object_end(&j);

	sbx_json_object_begin(&j, "process");
	sbx_json_bool(&j, "no_new_privs", pp->no_new_privs);
	sbx_json_bool(&j, "drop_capabilities", pp->drop_capabilities);
	sbx_json_bool(&j, "dumpable", pp->dumpable);
	sbx_json_uint(&j, "mdwe", pp->mdwe);
	sbx_json_bool(&j, "env_filtered", pp->env_filtered);
	sbx_json_array_begin(&j, "env_keep");
	for (size_t i = 0; i < pp->n_env_keep; i++)
		sbx_json_string(&j, NULL, pp->env_keep[i]);
	sbx_json_array_end(&j);
	sbx_json_array_begin(&j, "rlimits");
	for (size_t i = 0; i < pp->n_rlimits; i++) {
		sbx_json_object_begin(&j, NULL);
		sbx_json_string(&j, "resource", rlimit_name(pp->rlimits[i].resource));
		sbx_json_uint(&j, "cur", pp->rlimits[i].cur);
		sbx_json_uint(&j, "max", pp->rlimits[i].max);
		sbx_json_string(&j, "entitlement", pp->rlimits[i].entitlement);
		sbx_json_object_end(&j);
	}
	sbx_json_array_end(&j);
	sbx_json_string(&j, "container_dir", pp->container_dir);
	sbx_json_string(&j, "tmp_dir", pp->tmp_dir);
	sbx_json_string(&j, "home_dir", pp->home_dir);
	sbx_json_bool(&j, "require_inherited_sandbox", pp->require_inherited_sandbox);
	sbx_json_object_end(&j);

	sbx_json_object_begin(&j, "policy");
	sbx_json_uint(&j, "abi_version", plan->policy.abi_version);
	sbx_json_uint(&j, "flags", plan->policy.flags);
	sbx_json_array_begin(&j, "flag_names");
	for (size_t i = 0; i < ARRAY_SIZE(policy_names); i++)
		if (plan->policy.flags & policy_names[i].flag)
			sbx_json_string(&j, NULL, policy_names[i].name);
	sbx_json_array_end(&j);
	sbx_json_object_end(&j);

	sbx_json_object_begin(&j, "launch_constraints");
	for (int slot = 0; slot < SBX_LC_NSLOTS; slot++) {
		if (plan->launch_constraints[slot])
			json_constraint(&j, sbx_lc_slot_name(slot), plan->launch_constraints[slot]);
		else
			sbx_json_null(&j, sbx_lc_slot_name(slot));
	}
	sbx_json_object_end(&j);

	sbx_json_array_begin(&j, "drops");
	for (size_t i = 0; i < plan->n_drops; i++) {
		const struct sbx_plan_drop *d = &plan->drops[i];

		sbx_json_object_begin(&j, NULL);
		j.pretty = false; /* one line per feature */
		sbx_json_string(&j, "feature", d->feature);
		sbx_json_string(&j, "cost", drop_cost_name(d->cost));
		sbx_json_string(&j, "cover_call", d->cover_call);
		sbx_json_string(&j, "how", d->how);
		sbx_json_object_end(&j);
		j.pretty = true;
	}
	sbx_json_array_end(&j);
	sbx_json_object_end(&j);
	sbx_json_finish(&j);
}

/* ---- words ---- */

static const char *fs_access_words(uint64_t a, char *buf, size_t len)
{
	static const struct {
		uint64_t mask;
		const char *words;
	} common[] = {
		{ SBX_FS_READ_EXEC, "read, execute" },
		{ SBX_FS_READ, "read" },
		{ LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE, "read, execute" },
		{ LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE, "read, write" },
		{ LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
			  LANDLOCK_ACCESS_FS_IOCTL_DEV,
		  "read, write, device ioctls" },
		{ LANDLOCK_ACCESS_FS_RESOLVE_UNIX, "connect (unix socket)" },
		{ SBX_FS_READ_WRITE, "read, write, create, delete, rename" },
		{ SBX_FS_READ_WRITE | LANDLOCK_ACCESS_FS_RESOLVE_UNIX,
		  "read, write, create, delete, rename, connect unix sockets" },
	};
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(common); i++)
		if (a == common[i].mask)
			return common[i].words;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(fs_right_names); i++) {
		if (!(a & (1ULL << i)))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? " " : "",
				      fs_right_names[i]);
	}
	return buf;
}

static void text_bits(FILE *out, uint64_t mask, const char *const *names, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		fprintf(out, "%s%s", first ? "" : ", ", names[i]);
		first = false;
	}
	if (first)
		fprintf(out, "none");
}

static void text_constraint(FILE *out, const struct sbx_lc_node *n)
{
	if (n->op == SBX_LC_FACT) {
		fprintf(out, "%s", sbx_lc_fact_name(n->fact));
		if (!n->n_values) {
			fprintf(out, " is %s", n->boolean ? "true" : "false");
			return;
		}
		fprintf(out, n->in ? " in {" : " = ");
		for (size_t i = 0; i < n->n_values; i++)
			fprintf(out, "%s%s", i ? ", " : "", n->values[i]);
		if (n->in)
			fprintf(out, "}");
		return;
	}
	fprintf(out, "(");
	for (size_t i = 0; i < n->n_children; i++) {
		if (i)
			fprintf(out, n->op == SBX_LC_OR ? " or " : " and ");
		text_constraint(out, &n->children[i]);
	}
	fprintf(out, ")");
}

/* "@debug (5 calls): refused (EPERM), cs.debugger lifts it: debug other processes ..." */
static void text_groups(FILE *out, const struct sbx_seccomp_plan *s)
{
	fprintf(out, "  calls no group names (newer than this table): %s\n",
		errno_name(s->unknown_errno));
	for (size_t i = 0; i < s->n_groups; i++) {
		const struct sbx_seccomp_group_verdict *v = &s->groups[i];
		const struct sbx_syscall_group *g = v->group;

		fprintf(out, "  %s (%zu call%s): ", g->name, sbx_syscall_group_size(g),
			sbx_syscall_group_size(g) == 1 ? "" : "s");
		if (v->allowed && g->action == SBX_GROUP_REFUSE)
			fprintf(out, "allowed by %s", v->lifted_by);
		else if (v->allowed)
			fprintf(out, "allowed");
		else if (g->action == SBX_GROUP_SUPERVISE)
			fprintf(out,
				"carried out by the supervisor after checking the grants (%s "
				"where none answers)",
				errno_name(g->errno_value));
		else if (v->lifted_by)
			fprintf(out, "refused (%s), %s lifts it", errno_name(g->errno_value),
				v->lifted_by);
		else
			fprintf(out, "refused (%s)", errno_name(g->errno_value));
		fprintf(out, ": %s\n", g->help);
	}
}

void sbx_plan_write_text(const struct sbx_plan *plan, FILE *out)
{
	const struct sbx_landlock_plan *l = &plan->landlock;
	const struct sbx_seccomp_plan *s = &plan->seccomp;
	const struct sbx_process_plan *pp = &plan->process;
	char buf[512];

	fprintf(out, "profile %s", plan->identifier);
	if (plan->program)
		fprintf(out, " for %s", plan->program);
	fprintf(out, "\n\nfile system (Landlock):\n");
	if (!l->enabled) {
		fprintf(out, pp->require_inherited_sandbox
				     ? "  the parent's sandbox, inherited (no domain of its own)\n"
				     : "  not restricted (no app-sandbox)\n");
	} else {
		fprintf(out, "  everything not listed is denied; rights handled: ");
		text_bits(out, l->handled_fs, fs_right_names, ARRAY_SIZE(fs_right_names));
		fprintf(out, "\n");
		for (size_t i = 0; i < l->n_fs; i++) {
			const struct sbx_fs_rule *r = &l->fs[i];

			fprintf(out, "  %-32s %s  [%s, ABI %u%s]\n", r->path,
				fs_access_words(r->access, buf, sizeof(buf)),
				r->entitlement ? r->entitlement : "-", r->min_abi,
				r->if_exists ? ", if present" : "");
		}
		fprintf(out, "\nnetwork (Landlock, ABI 4; UDP ABI 10):\n  denied: ");
		text_bits(out, l->handled_net, net_right_names, ARRAY_SIZE(net_right_names));
		fprintf(out, "\n");
		for (size_t i = 0; i < l->n_net; i++)
			fprintf(out, "  port %u allowed: %s\n", l->net[i].port,
				l->net[i].entitlement ? l->net[i].entitlement : "-");
		fprintf(out, "\nscopes (Landlock ABI 6): ");
		text_bits(out, l->scoped, scope_names, ARRAY_SIZE(scope_names));
		fprintf(out, " confined to the sandbox\n");
	}
	fprintf(out, "\nsystem calls (seccomp allow-list%s):\n",
		s->deny_foreign_arches ? "; x32 and i386 entry points kill the process" : "");
	text_groups(out, s);
	fprintf(out, "  rules, checked first (the first that matches answers):\n");
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct sbx_seccomp_rule *r = &s->rules[i];
		size_t same = 1;

		if (r->group)
			continue;
		/* A run of rules that differ only in their bit masks reads as one line. */
		while (i + same < s->n_rules && !strcmp(s->rules[i + same].syscall, r->syscall) &&
		       s->rules[i + same].why && r->why && !strcmp(s->rules[i + same].why, r->why))
			same++;
		if (same > 2) {
			fprintf(out, "  %s(%u rules: see --json) -> %s: %s\n", r->syscall,
				(unsigned int)same, rule_verdict(r), r->why);
			i += same - 1;
			continue;
		}
		fprintf(out, "  %s(", r->syscall);
		for (unsigned int c = 0; c < r->n_cond && c < SBX_SECCOMP_MAX_COND; c++) {
			const struct sbx_seccomp_cond *k = &r->cond[c];

			fprintf(out, "%s", c ? ", " : "");
			if (k->op == SBX_CMP_MASKED_EQ)
				fprintf(out, "arg%u & %#llx == %#llx", k->arg,
					(unsigned long long)k->mask, (unsigned long long)k->value);
			else if (k->op == SBX_CMP_MASKED_ANY)
				fprintf(out, "arg%u & %#llx != 0", k->arg,
					(unsigned long long)k->mask);
			else
				fprintf(out, "arg%u %s %#llx", k->arg,
					k->op == SBX_CMP_EQ   ? "=="
					: k->op == SBX_CMP_GT ? ">"
							      : "!=",
					(unsigned long long)k->value);
		}
		fprintf(out, ") -> %s: %s", rule_verdict(r), r->why ? r->why : "");
		if (r->entitlement)
			fprintf(out, " [%s by %s]",
				r->answer == SBX_ANSWER_ALLOW ? "granted" : "lifted",
				r->entitlement);
		if (r->answer == SBX_ANSWER_SEALED_MEMFD)
			fprintf(out, "; where the kernel has MFD_NOEXEC_SEAL, answered with a "
				     "memfd sealed non-executable instead");
		if (r->answer == SBX_ANSWER_SUPERVISOR)
			fprintf(out, "; carried out by the supervisor after checking the plan");
		if (r->below_abi)
			fprintf(out, " (below Landlock ABI %u)", r->below_abi);
		fprintf(out, "\n");
	}
	fprintf(out, "\nprocess:\n");
	fprintf(out, "  no_new_privs: %s; capabilities: %s\n", pp->no_new_privs ? "yes" : "no",
		pp->drop_capabilities ? "all dropped" : "kept");
	fprintf(out, "  dumpable: %s\n",
		pp->dumpable ? "yes (get-task-allow)" : "no (get-task-allow lifts this)");
	fprintf(out, "  memory-deny-write-execute (PR_SET_MDWE): %s\n",
		pp->mdwe ? "refuse exec gain" : "off");
	for (size_t i = 0; i < pp->n_rlimits; i++)
		fprintf(out, "  %s: %llu/%llu [%s]\n", rlimit_name(pp->rlimits[i].resource),
			(unsigned long long)pp->rlimits[i].cur,
			(unsigned long long)pp->rlimits[i].max,
			pp->rlimits[i].entitlement ? pp->rlimits[i].entitlement : "-");
	if (pp->env_filtered) {
		fprintf(out, "  environment kept (every other variable removed):");
		for (size_t i = 0; i < pp->n_env_keep; i++)
			fprintf(out, " %s", pp->env_keep[i]);
		fprintf(out, "\n");
	} else {
		fprintf(out, "  environment: every variable passes "
			     "(cs.allow-dyld-environment-variables)\n");
	}
	if (pp->container_dir)
		fprintf(out,
			"  container: %s\n  TMPDIR: a directory of its own each run, beneath %s, "
			"removed when the run ends\n",
			pp->container_dir, pp->tmp_dir);
	if (pp->home_dir) {
		fprintf(out, "  HOME: %s", pp->home_dir);
		for (size_t i = 0; i < ARRAY_SIZE(sbx_plan_home_dirs); i++)
			fprintf(out, ", %s: $HOME/%s", sbx_plan_home_dirs[i].env,
				sbx_plan_home_dirs[i].rel);
		fprintf(out, "\n");
	} else if (pp->container_dir) {
		fprintf(out, "  HOME: the user's own (the profile names home-relative paths)\n");
	}
	if (pp->require_inherited_sandbox)
		fprintf(out, "  runs only inside an already sandboxed parent (inherit)\n");
	/* What a kernel without each feature would cost (sbx run --report: this kernel's). */
	fprintf(out, "\non a kernel without (hole: sbx run refuses unless --best-effort):\n");
	for (size_t i = 0; i < plan->n_drops; i++)
		fprintf(out, "  %-22s %s: %s\n", plan->drops[i].feature,
			drop_cost_name(plan->drops[i].cost), plan->drops[i].how);
	fprintf(out, "\nkernel policy record: abi %u, flags %#x (", plan->policy.abi_version,
		plan->policy.flags);
	for (size_t i = 0, n = 0; i < ARRAY_SIZE(policy_names); i++)
		if (plan->policy.flags & policy_names[i].flag)
			fprintf(out, "%s%s", n++ ? " " : "", policy_names[i].name);
	fprintf(out, ")\n");
	for (int slot = 0; slot < SBX_LC_NSLOTS; slot++) {
		if (!plan->launch_constraints[slot])
			continue;
		fprintf(out, "launch constraint, %s: ", sbx_lc_slot_name(slot));
		text_constraint(out, plan->launch_constraints[slot]);
		fprintf(out, "\n");
	}
}
