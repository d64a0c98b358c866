/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp from a plan: an allow-list, as classic BPF that sbx writes for the native table
 * (libseccomp names the calls, and writes the filter of a plan that lets x32 and i386 run).
 * A call runs only if a group of the plan names it and no rule refuses it (see seccomp.c for
 * why that is two filters). A denied rule that an entitlement could lift answers through a
 * user-notification supervisor (so sbx can say which entitlement would allow it); every
 * other denied rule, and every allowed call, stays in the kernel: the allowed path costs
 * nothing extra, and number-only rules keep the kernel's constant-action cache.
 */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "compile/plan.h"
#include "diag.h"
#include "supervise/supervise.h"

struct sbx_seccomp_filter;

/*
 * Build the filter for the native architecture (x32 and i386 entry points killed when the
 * plan denies foreign architectures) from every rule of p: fit p to the kernel first
 * (seccomp_plan_fit). With notify, rules an entitlement could lift use SCMP_ACT_NOTIFY;
 * without it (or a kernel without user notification) they return their errno directly.
 * Nothing is loaded. Returns 0 or -errno with d naming the rule.
 */
int seccomp_filter_build(const struct sbx_seccomp_plan *p, bool notify,
			 struct sbx_seccomp_filter **out, struct sbx_diag *d);
/* Whether rule r is in the filter on a kernel with this Landlock ABI. */
bool seccomp_rule_applies(const struct sbx_seccomp_rule *r, unsigned int landlock_abi);
/*
 * p fitted to a kernel with this Landlock ABI, into out: p with only the rules that apply
 * there (a rule standing in for a Landlock right, below_abi, is left out where landlock_abi
 * has that right; 0 keeps every rule: fail closed), in plan order, in malloc'd memory the
 * caller frees (out->rules). The filter is built from out and a notified call matched
 * against it, so the supervisor answers with the rule the kernel notified for. Returns 0 or
 * -ENOMEM.
 */
int seccomp_plan_fit(const struct sbx_seccomp_plan *p, unsigned int landlock_abi,
		     struct sbx_seccomp_plan *out);
/* The native number of a call by name, including calls newer than libseccomp (x86_64). */
int seccomp_syscall_nr(const char *name);
/* Load into the calling thread (the rules, then the allow-list). Returns the notification fd (>= 0)
 * when the filter has notifying rules, -1 when it has none, or -errno. */
int seccomp_filter_load(struct sbx_seccomp_filter *f, struct sbx_diag *d);
bool seccomp_filter_notifies(const struct sbx_seccomp_filter *f);
/*
 * The filter as the classic BPF programs the kernel takes (copies), into
 * prog[2]: prog[0] the rules (the one that notifies, loaded first), prog[1] the allow-list
 * gate (len 0: none), loaded in that order as seccomp_filter_load() does. The caller frees each
 * prog[i].filter. Built here, before fork, so that a child loads them with the raw
 * seccomp(2) call and allocates nothing (launch/). Returns 0 or -errno.
 */
struct sock_fprog;
int seccomp_filter_export(const struct sbx_seccomp_filter *f, struct sock_fprog *prog,
			  struct sbx_diag *d);
void seccomp_filter_free(struct sbx_seccomp_filter *f);

/*
 * Pure: the first rule of p whose syscall and conditions match this call, or NULL (also
 * when that rule is an allow-list entry: nothing refuses the call).
 */
const struct sbx_seccomp_rule *seccomp_rule_match(const struct sbx_seccomp_plan *p, int nr,
						  const uint64_t args[6]);

/* One denied call, as the supervisor saw it. */
struct sbx_seccomp_denial {
	pid_t pid;
	char comm[17]; /* the process name (/proc/PID/comm), "?" if gone */
	char call[96]; /* e.g. "socket(AF_INET)" */
	/* NULL: no rule matched (answered ENOSYS); the launch's rule, until its cleanup */
	const struct sbx_seccomp_rule *rule;
	bool carried_out; /* not a denial: answered with a sealed memfd (no report) */
	/*
	 * complain mode: enforcement would have refused this and it ran (a file act, a socket
	 * the network entitlements refuse, a supervised call outside the grants).
	 */
	bool complained;
	bool is_file; /* a judged file act (or bind): file says what; rule is NULL */
	struct sbx_file_act file;
};

/*
 * Receive one notification on fd, answer it with the matching rule's errno (never running
 * the call), and describe it in out. Returns 0, or -errno (-ENOENT when the process went
 * away before the answer: nothing to report).
 */
int seccomp_supervise_one(int fd, const struct sbx_seccomp_plan *p, struct sbx_seccomp_denial *out);
/* The same, with sup carrying out SBX_ANSWER_SUPERVISOR calls (NULL: they are refused). */
struct sbx_supervisor;
int seccomp_supervise_one_with(int fd, const struct sbx_seccomp_plan *p, struct sbx_supervisor *sup,
			       struct sbx_seccomp_denial *out);

/*
 * Carry out the notified memfd_create(args) for the program with MFD_NOEXEC_SEAL added,
 * and install the result in it (memfd_seal.c). Returns 0 when answered, -EOPNOTSUPP
 * (nothing answered) when this kernel has no MFD_NOEXEC_SEAL, or another -errno.
 */
int seccomp_answer_memfd_create(int notify_fd, uint64_t id, const uint64_t args[6]);

/* "socket(AF_INET)": the call and its decisive argument, for people. */
void seccomp_describe_call(int nr, const uint64_t args[6], char *buf, size_t len);

#endif /* SBX_SECCOMP_H */
