// SPDX-License-Identifier: GPL-2.0-or-later
/* sbx status: what the running kernel can enforce, and which sbx tiers work here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "probe/features.h"
#include "sbxd_state.h"

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

/* Why a tier is missing, in a few words: the details are on the lines above. */
static const char *tier_u_why(const struct sbx_features *f)
{
	return f->landlock_abi < 1 ? "no Landlock" : "no seccomp filters";
}

static const char *tier_f_why(const struct sbx_features *f)
{
	return !f->privileged ? "needs root" : "no fanotify permission events";
}

static const char *tier_k_why(const struct sbx_features *f)
{
	if (!f->privileged)
		return "needs root";
	if (!f->btf)
		return "no BTF";
	return f->bpf_lsm == SBX_BPF_LSM_INACTIVE ? "BPF LSM inactive" : "BPF LSM unavailable";
}

static void print_tier(const char *name, bool ok, const char *why, const char *sep)
{
	if (ok)
		printf("%s yes%s", name, sep);
	else
		printf("%s no (%s)%s", name, why, sep);
}

/* sbxd as its run directory shows it. */
struct sbxd_view {
	int pid; /* the state file's pid, alive; 0: not running */
	bool stale; /* a state file whose daemon died (tier F failed open) */
	bool pins; /* tier K pins in /sys/fs/bpf/sbx: enforcing with or without the daemon */
	char tier[4], mode[16], scope[16];
	char cannot[512]; /* protections its tier cannot give */
	unsigned long cache_fill, cache_max, entry_bytes;
};

static void sbxd_view(struct sbxd_view *s)
{
	struct sbx_sbxd_state st;
	char v[32];

	memset(s, 0, sizeof(*s));
	sbx_sbxd_state_read(cli_sbxd_run_dir(), &st);
	s->pins = st.pinned;
	s->stale = st.text[0] && !st.pid;
	s->pid = st.pid;
	if (!s->pid)
		return;
	sbx_sbxd_state_value(&st, "tier", s->tier, sizeof(s->tier));
	sbx_sbxd_state_value(&st, "mode", s->mode, sizeof(s->mode));
	sbx_sbxd_state_value(&st, "scope", s->scope, sizeof(s->scope));
	sbx_sbxd_state_value(&st, "cannot", s->cannot, sizeof(s->cannot));
	s->cache_fill = strtoul(sbx_sbxd_state_value(&st, "cache_fill", v, sizeof(v)), NULL, 10);
	s->cache_max = strtoul(sbx_sbxd_state_value(&st, "cache_max", v, sizeof(v)), NULL, 10);
	s->entry_bytes = strtoul(sbx_sbxd_state_value(&st, "entry_bytes", v, sizeof(v)), NULL, 10);
}

/* sbxd: loaded or not, its tier, mode, scope and cache fill. */
static void sbxd_text(void)
{
	struct sbxd_view d;

	sbxd_view(&d);
	if (!d.pid) {
		printf("sbxd:          not running%s\n",
		       d.pins	 ? "; tier K pins in /sys/fs/bpf/sbx still enforce"
		       : d.stale ? " (it died: nothing enforces, tier F failed open)"
				 : "");
		return;
	}
	printf("sbxd:          running (pid %d): tier %s, %s, scope %s, cache %lu/%lu verdicts "
	       "(%lu bytes each)%s\n",
	       d.pid, d.tier, d.mode, d.scope, d.cache_fill, d.cache_max, d.entry_bytes,
	       d.pins ? ", pinned" : "");
	if (d.cannot[0])
		printf("sbxd cannot:   %s\n", d.cannot);
}

static void sbxd_json(struct sbx_json *j)
{
	struct sbxd_view d;

	sbxd_view(&d);
	sbx_json_object_begin(j, "sbxd");
	sbx_json_bool(j, "running", d.pid);
	sbx_json_bool(j, "pinned", d.pins);
	if (d.pid) {
		sbx_json_int(j, "pid", d.pid);
		sbx_json_string(j, "tier", d.tier);
		sbx_json_string(j, "mode", d.mode);
		sbx_json_string(j, "scope", d.scope);
		sbx_json_uint(j, "cache_entries", d.cache_fill);
		sbx_json_uint(j, "cache_max", d.cache_max);
		sbx_json_uint(j, "entry_bytes", d.entry_bytes);
		sbx_json_string(j, "cannot", d.cannot[0] ? d.cannot : NULL);
	}
	sbx_json_object_end(j);
}

static void status_text(const struct sbx_features *f)
{
	printf("kernel:        %s\n", f->kernel_release);
	if (f->landlock_abi)
		printf("landlock:      ABI %d\n", f->landlock_abi);
	else
		printf("landlock:      unavailable: %s\n", f->landlock_why);
	printf("seccomp:       filters %s, user notification %s\n", yes(f->seccomp_filter),
	       yes(f->seccomp_user_notif));
	printf("mdwe:          %s\n", f->mdwe ? "yes (PR_SET_MDWE)" : "no (kernel older than 6.3)");
	printf("memfd noexec:  %s\n",
	       f->memfd_noexec_seal ? "yes (MFD_NOEXEC_SEAL)" : "no (kernel older than 6.3)");
	printf("btf:           %s\n", yes(f->btf));
	printf("bpf lsm:       %s: %s\n", sbx_bpf_lsm_state_name(f->bpf_lsm), f->bpf_lsm_why);
	if (f->fanotify_perm)
		printf("fanotify:      permission events yes (FAN_OPEN_EXEC_PERM)\n");
	else
		printf("fanotify:      permission events no: %s\n", f->fanotify_why);
	printf("active lsms:   %s\n", f->lsm_list_known ? f->lsm_list : "(unreadable)");
	printf("tiers:         ");
	print_tier("U", sbx_tier_u(f), tier_u_why(f), ", ");
	print_tier("F", sbx_tier_f(f), tier_f_why(f), ", ");
	print_tier("K", sbx_tier_k(f), tier_k_why(f), "\n");
	sbxd_text();
}

static void status_json(const struct sbx_features *f)
{
	struct sbx_json j;

	sbx_json_init(&j, stdout, true);
	sbx_json_object_begin(&j, NULL);
	sbx_json_string(&j, "kernel", f->kernel_release);
	sbx_json_object_begin(&j, "landlock");
	sbx_json_int(&j, "abi", f->landlock_abi);
	sbx_json_int(&j, "errata", f->landlock_errata);
	sbx_json_string(&j, "reason", f->landlock_abi ? NULL : f->landlock_why);
	sbx_json_object_end(&j);
	sbx_json_object_begin(&j, "seccomp");
	sbx_json_bool(&j, "filter", f->seccomp_filter);
	sbx_json_bool(&j, "user_notification", f->seccomp_user_notif);
	sbx_json_object_end(&j);
	sbx_json_bool(&j, "mdwe", f->mdwe);
	sbx_json_bool(&j, "memfd_noexec_seal", f->memfd_noexec_seal);
	sbx_json_bool(&j, "btf", f->btf);
	sbx_json_object_begin(&j, "bpf_lsm");
	sbx_json_string(&j, "state", sbx_bpf_lsm_state_name(f->bpf_lsm));
	sbx_json_string(&j, "reason", f->bpf_lsm_why);
	sbx_json_object_end(&j);
	sbx_json_object_begin(&j, "fanotify");
	sbx_json_bool(&j, "permission_events", f->fanotify_perm);
	sbx_json_string(&j, "reason", f->fanotify_perm ? NULL : f->fanotify_why);
	sbx_json_object_end(&j);
	if (f->lsm_list_known) { /* an array: a tool tests membership, it does not split */
		char list[sizeof(f->lsm_list)], *save = NULL;

		snprintf(list, sizeof(list), "%s", f->lsm_list);
		sbx_json_array_begin(&j, "lsm");
		j.pretty = false;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
			sbx_json_string(&j, NULL, t);
		sbx_json_array_end(&j);
		j.pretty = true;
	} else {
		sbx_json_null(&j, "lsm");
	}
	sbx_json_bool(&j, "privileged", f->privileged);
	sbx_json_object_begin(&j, "tiers");
	sbx_json_bool(&j, "U", sbx_tier_u(f));
	sbx_json_bool(&j, "F", sbx_tier_f(f));
	sbx_json_bool(&j, "K", sbx_tier_k(f));
	sbx_json_object_end(&j);
	sbxd_json(&j);
	sbx_json_object_end(&j);
	sbx_json_finish(&j);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sbx_features f;
	bool json = false;
	int c;

	opterr = 0; /* one line of ours, not getopt's */
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("usage: sbx status [--json]\n"
			       "Probes the running kernel: Landlock, seccomp, BPF LSM (as root, "
			       "by\n"
			       "attaching a probe and watching it run), BTF, fanotify, and the "
			       "sbx\n"
			       "tiers they make available.\n");
			return SBX_EXIT_OK;
		default:
			return cli_bad_option("status", NULL, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
	sbx_features_probe(&f, true);
	if (json)
		status_json(&f);
	else
		status_text(&f);
	return SBX_EXIT_OK;
}
