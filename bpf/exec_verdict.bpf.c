// SPDX-License-Identifier: GPL-2.0-only
/*
 * Only verified code executes: bprm_check_security refuses (enforce) or reports (complain)
 * an exec whose file has no valid verdict for its current content, for every exec (scope
 * `all`) or for sandboxed tasks (task_scope.bpf.c). It decides the new program's code
 * identity and policy for the later hooks; in a sandboxed tree the policy is held to the
 * tree's floor (the profile's, as the launcher declared it). The decision is staged in the
 * task's storage and made the task's own at bprm_committing_creds (struct sbx_task_exec):
 * until then the old program runs, and it runs on if the exec fails after this check (this
 * check's refusal, no binary format for the file, an ELF interpreter that cannot be
 * opened), under its own policy, not the one of a program that never ran.
 *
 * A program that may not be debugged (ptrace_guard.bpf.c) is not started under a tracer
 * that may not debug it: ptrace_access_check is asked when a tracer attaches, never again,
 * so one that attached while the task ran something else (PTRACE_TRACEME, PTRACE_ATTACH
 * or SEIZE, strace) would keep reading and writing the new program's memory. The exec is
 * refused, as macOS in effect refuses a hardened program its debugger. The tracer cannot
 * change until the exec is done: attaching waits for the exec's cred_guard_mutex, and
 * PTRACE_TRACEME is the task's own call. Perf events attached to the task before the exec
 * (perf record -- PROG) would sample the new program's stack: the same refusal, lifted
 * only by get-task-allow. Both are asked only when the staged program may not be debugged
 * (sbx_debuggable): an ordinary exec reads neither its tracer's state nor its perf contexts.
 *
 * The check and the commit also keep what other concerns need of an exec, in the lookups
 * they make anyway: a launcher's exec starts a sandbox with a domain of its own
 * (proc_scope.bpf.c); self-protection's traced and sbxd-exec marks (bprm_committing_creds).
 */
#include "sbx_enforcer.bpf.h"

SEC("lsm/bprm_check_security")
int BPF_PROG(sbx_exec_check, struct linux_binprm *bprm, int ret)
{
	struct task_struct *self = sbx_current();
	struct sbx_enforcer_config *cfg;
	struct sbx_task_state *ts, started;
	struct sbx_cached_verdict *v;
	struct file *file;
	__u32 reason, flags = 0, policy;
	bool sandboxed, traced;

	if (ret)
		return ret;
	/*
	 * An exec under a tracer marks the task (SBX_TASK_TRACED, self_protect.bpf.c), and the
	 * commit marks the new image again; its storage is made here, where a refusal is still
	 * possible (no memory for the mark: no traced exec). Not task->group_leader: a thread
	 * that execs becomes the leader, the old one dies.
	 */
	traced = BPF_CORE_READ(self, ptrace);
	ts = sbx_task_state(self, traced);
	if (traced) {
		if (!ts)
			return -SBX_ENOMEM;
		ts->flags |= SBX_TASK_TRACED;
	}
	cfg = sbx_config_get();
	if (!cfg || !cfg->abi_version)
		return 0;
	file = bprm->file;
	reason = sbx_file_verdict(file, &v);
	policy = reason ? 0 : v->policy;

	if (ts) /* sbxd's identity never survives an exec (self_protect.bpf.c) */
		flags = ts->flags & ~(SBX_TASK_DAEMON | SBX_TASK_DAEMON_EXEC);
	/* What a launcher (or its fork) execs is sandboxed, and so is all that follows. */
	sandboxed = flags & (SBX_TASK_LAUNCHER | SBX_TASK_SANDBOXED);
	if (sandboxed) {
		/* A launcher's task starts a sandbox of its own (proc_scope.bpf.c's domain). */
		if (ts && !(flags & SBX_TASK_SANDBOXED))
			ts->domain = sbx_gen_next();
		flags = (flags & ~SBX_TASK_LAUNCHER) | SBX_TASK_SANDBOXED;
		policy = sbx_policy_tighten(policy, ts ? ts->floor : 0);
	} else if ((policy & SBX_POLICY_SBX_LAUNCHER) && !traced) {
		/* Traced, it is no launcher: its tracer would hold the launcher's powers. */
		flags |= SBX_TASK_LAUNCHER;
	}
	started = (struct sbx_task_state){ .flags = flags, .policy = policy };
	if (!sbx_debuggable(&started)) {
		struct task_struct *tracer = self->parent;

		if (traced &&
		    !sbx_may_debug(tracer ? sbx_task_state(tracer, false) : NULL, &started)) {
			ret = sbx_deny(cfg, file, (const char *)BPF_CORE_READ(bprm, filename),
				       SBX_HOOK_EXEC, SBX_DENY_NOT_DEBUGGABLE);
			if (ret)
				return ret;
		}
		/* A perf event's owner is not known here: only get-task-allow lets one watch. */
		if (sbx_perf_watched(self)) {
			ret = sbx_deny(cfg, file, (const char *)BPF_CORE_READ(bprm, filename),
				       SBX_HOOK_EXEC, SBX_DENY_NOT_DEBUGGABLE);
			if (ret)
				return ret;
		}
	}
	/*
	 * Storage only for a task something is recorded for (scope tracking, or a program
	 * whose verdict carries a policy), or to overwrite an older record: a plain verified
	 * exec allocates nothing, and neither do its forks (task_scope.bpf.c).
	 */
	if (flags || policy || ts) {
		if (!ts)
			ts = sbx_task_state(self, true);
		if (!ts) {
			/* Untracked, a launcher's or sandboxed task's children would escape. */
			if (flags || cfg->scope == SBX_SCOPE_ALL)
				return cfg->mode == SBX_ENFORCE_ENFORCE ? -SBX_ENOMEM : 0;
		} else {
			ts->next.flags = flags;
			ts->next.policy = policy;
			ts->next.identity = reason ? 0 : v->identity;
			ts->next.team_hash = reason ? 0 : v->team_hash;
			ts->staged = 1;
		}
	}
	if (!reason)
		return 0;
	/*
	 * Out of scope without a valid verdict: allowed, unless the file is scope sandboxed's
	 * launcher (atk7k E2b). Its verdict is what makes what it starts sandboxed; one gone
	 * stale (an open for write, nothing written) or missing (an evicted inode), with no
	 * sbxd alive to verify it again, would start everything out of scope: refused, fail
	 * closed. Only on this miss path: one guard lookup.
	 */
	if (!(cfg->scope == SBX_SCOPE_ALL || sandboxed ||
	      (sbx_guard_flags(file->f_inode) & SBX_GUARD_LAUNCHER)))
		return 0;
	return sbx_deny(cfg, file, (const char *)BPF_CORE_READ(bprm, filename), SBX_HOOK_EXEC,
			reason);
}

/*
 * Past the point of no return: the program the exec staged is the task's. Every exec
 * passes here; its fast path is the task's storage, which most tasks do not have, and
 * sbx_guard's one element. (An exec that failed left its decision staged: the next exec's
 * check replaces it.)
 *
 * Two self-protection marks (self_protect.bpf.c) are the new image's from here, set or
 * cleared once the exec cannot fail any more (an exec that failed leaves the image it
 * started from marked as it was):
 *  - SBX_TASK_TRACED when the exec is traced. A traced exec has storage by now (the check
 *    above made it, or refused the exec); an untraced task without storage has no mark to
 *    clear. The exec'ing task is its group's leader by now (de_thread), and a tracer
 *    cannot attach before the exec is done (cred_guard_mutex): a later attach marks it
 *    again.
 *  - SBX_TASK_DAEMON_EXEC when the exec's own file (bprm->file, never mm->exe_file) is
 *    the executable that armed, unmodified: the identity sbxd's claim trusts once armed.
 *    Storage is made for it only; no memory: this sbxd cannot claim, and says so.
 */
SEC("lsm/bprm_committing_creds")
int BPF_PROG(sbx_exec_commit, struct linux_binprm *bprm)
{
	struct task_struct *self = sbx_current();
	struct sbx_task_state *ts = sbx_task_state(self, false);
	struct sbx_guard_state *g;
	bool daemon_exec;
	__u32 zero = 0;

	g = bpf_map_lookup_elem(&sbx_guard, &zero);
	daemon_exec = g && bprm->file && sbx_daemon_exe(g, bprm->file->f_inode);
	if (!ts && daemon_exec)
		ts = sbx_task_state(self, true);
	if (!ts)
		return 0;
	if (ts->staged) {
		ts->flags = ts->next.flags;
		ts->policy = ts->next.policy;
		ts->identity = ts->next.identity;
		ts->team_hash = ts->next.team_hash;
		ts->staged = 0;
	}
	ts->flags &= ~(SBX_TASK_TRACED | SBX_TASK_DAEMON_EXEC);
	if (BPF_CORE_READ(self, ptrace))
		ts->flags |= SBX_TASK_TRACED;
	if (daemon_exec)
		ts->flags |= SBX_TASK_DAEMON_EXEC;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
