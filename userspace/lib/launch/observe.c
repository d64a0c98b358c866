// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The launcher's part of explaining file denials and of complain mode (launch.h,
 * observe_files and complain): the plan's seccomp rules with SBX_ANSWER_OBSERVE rules added
 * for the file acts the supervisor judges (supervise/observe.c), and in complain mode the
 * Landlock ruleset without its file and network rights (its scoping stays) and the
 * enforcement report saying so. The plan itself is not changed: explain shows what
 * enforcement means, and the observe rules are this run's, not the profile's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landlock/landlock.h"
#include "launch/launch_internal.h"
#include "supervise/supervise.h"

static size_t count(const char *const *calls)
{
	size_t n = 0;

	while (calls[n])
		n++;
	return n;
}

static bool listed(const char *const *calls, const char *call)
{
	for (size_t i = 0; calls[i]; i++)
		if (!strcmp(calls[i], call))
			return true;
	return false;
}

static void add(struct sbx_seccomp_rule *r, size_t *n, const char *const *calls)
{
	for (size_t i = 0; calls[i]; i++)
		r[(*n)++] = (struct sbx_seccomp_rule){
			.syscall = calls[i],
			.errno_value = EACCES,
			.why = "file act observed (explained if the plan refuses it)",
			.answer = SBX_ANSWER_OBSERVE,
		};
}

/*
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE came with Linux 5.5: without it an observed call could
 * not be let run. Landlock (5.13) implies it.
 */
static bool can_continue(const struct sbx_features *f)
{
	int major = 0, minor = 0;

	if (f->landlock_abi > 0)
		return true;
	return sscanf(f->kernel_release, "%d.%d", &major, &minor) == 2 &&
	       (major > 5 || (major == 5 && minor >= 5));
}

int launch_fit_rules(struct sbx_launch *l, struct sbx_diag *d)
{
	if (seccomp_plan_fit(&l->o.plan->seccomp, (unsigned int)l->o.features->landlock_abi,
			     &l->seccomp))
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	return 0;
}

int launch_observe_prepare(struct sbx_launch *l, struct sbx_diag *d)
{
	const struct sbx_seccomp_plan *p = &l->seccomp; /* the observed calls join these */
	bool notify = sbx_enforcement_find(&l->enforced, "seccomp.notify")->enforced;
	size_t n = p->n_rules, extra, kept;
	struct sbx_seccomp_rule *rules;

	if (!l->o.observe_files && !l->o.complain)
		return 0;
	if (!notify || !p->enabled || !can_continue(l->o.features)) {
		if (l->o.complain)
			return sbx_diag_set(
				d, -EOPNOTSUPP,
				"--complain needs seccomp user notification that can let "
				"a call run (Linux 5.5), which this run does not have%s%s",
				notify ? "" : ": ",
				notify ? ""
				       : sbx_enforcement_find(&l->enforced, "seccomp.notify")->why);
		return 0; /* denials stay unexplained, as the report says */
	}
	/*
	 * A call the plan already has a rule for every call of keeps it; after conditional
	 * rules (a set-id mode on open) the observe rule comes last, where sbx's own writer
	 * takes it for the calls none of them matches. libseccomp (a plan that lets x32 and
	 * i386 run) keeps one rule a call: there the plan's rules win.
	 */
	extra = count(sbx_observed_calls) +
		(l->o.complain ? count(sbx_observed_calls_complain) : 0);
	rules = malloc((n + extra) * sizeof(*rules));
	if (!rules)
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	/*
	 * Complain mode judges bind by observing it (the port, the socket file), as it did
	 * before the supervisor carried bind out: the supervisor's rule gives way.
	 */
	n = 0;
	for (size_t k = 0; k < p->n_rules; k++)
		if (!l->o.complain || p->rules[k].answer != SBX_ANSWER_SUPERVISOR ||
		    !listed(sbx_observed_calls_complain, p->rules[k].syscall))
			rules[n++] = p->rules[k];
	kept = n;
	add(rules, &n, sbx_observed_calls);
	if (l->o.complain)
		add(rules, &n, sbx_observed_calls_complain);
	for (size_t i = kept; i < n; i++)
		for (size_t k = 0; k < kept; k++)
			if (!strcmp(rules[i].syscall, rules[k].syscall) &&
			    (!rules[k].n_cond || !p->deny_foreign_arches)) {
				memmove(&rules[i], &rules[i + 1], (n - i - 1) * sizeof(*rules));
				n--;
				i--;
				break;
			}
	free(l->seccomp.rules);
	l->seccomp.rules = rules;
	l->seccomp.n_rules = n;
	return 0;
}

void launch_observe_fit(struct sbx_launch *l)
{
	struct sbx_enforcement *e = &l->enforced;

	if (!l->o.complain)
		return;
	for (size_t i = 0; i < e->n; i++) {
		struct sbx_feature_state *s = &e->items[i];

		if (!s->rights || !s->wanted)
			continue;
		s->enforced = false;
		s->security = false;
		snprintf(s->why, sizeof(s->why), "%s", "--complain: judged, not enforced");
	}
	sbx_enforcement_note(e,
			     "--complain: files, network and exec are judged against the "
			     "profile and reported, not enforced; the rest of the sandbox holds");
}

void launch_observe_landlock(const struct sbx_launch *l, struct sbx_landlock_plan *lp)
{
	if (!l->o.complain)
		return;
	lp->handled_fs = 0;
	lp->n_fs = 0;
	lp->handled_net = 0;
	lp->n_net = 0;
	if (!(lp->scoped & landlock_scope_mask(l->o.features->landlock_abi)))
		lp->enabled = false;
}

void launch_observe_start(struct sbx_launch *l)
{
	const struct sbx_landlock_plan *p = &l->o.plan->landlock;
	int abi = l->o.features->landlock_abi;

	if (l->o.observe_files || l->o.complain)
		sbx_supervisor_set_observe(l->supervisor,
					   l->o.complain || l->ruleset_fd >= 0
						   ? p->handled_fs & landlock_fs_mask(abi)
						   : 0,
					   p->handled_net & landlock_net_mask(abi), l->o.complain);
}

void launch_observe_cleanup(struct sbx_launch *l)
{
	free(l->seccomp.rules);
	l->seccomp.rules = NULL;
	l->seccomp.n_rules = 0;
}
