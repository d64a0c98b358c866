// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>

#include "profile/profile.h"
#include "seccomp/seccomp.h"
#include "supervise/supervise.h"
#include "uapi_compat.h"

/*
 * Two filters, because libseccomp cannot say "refuse these arguments, allow the rest" on one
 * call of a default-refuse filter: on libseccomp 2.5 a rule without conditions on a call
 * replaces every conditional rule of that call, whatever their order (seccomp_rule_add
 * returns -EEXIST for the conditional one, or drops it silently when it came first), and
 * overlapping conditional rules of different actions are checked in an order of its
 * choosing. So:
 *
 * - rules (installed first, default ALLOW) holds the plan's rules: refusals and
 *   notifications, with or without conditions, never ALLOW; a call either has one rule
 *   without conditions or only conditional ones (checked below), so any match refuses.
 *   For the native table alone (every compiled plan) it is written here too, each call's
 *   rules in plan order, the first that matches answering, as seccomp_rule_match() and so
 *   the supervisor take them; libseccomp's generation of it was most of a launch's filter
 *   time. libseccomp still writes it for a plan that lets x32 and i386 run (its rules
 *   repeated on those tables, by name).
 * - gate (installed last, default ERRNO(ENOSYS)) allows every call a group names. It depends
 *   on the call numbers alone, so it is written here as ranges of numbers (a few dozen
 *   instructions, built in microseconds) instead of one libseccomp rule per call, which
 *   cost most of a launch's filter time.
 *
 * The kernel runs both and takes the most restrictive action; at equal action the newest
 * filter's errno (seccomp_filter.rst, "precedence"). A call no group names gets the gate's
 * ENOSYS (the rules filter allows it); a known call gets what the rules filter says. ENOSYS
 * for calls this table does not know (a kernel newer than it) is what libc and language
 * runtimes expect of a missing call and fall back from; EPERM for refused known calls says
 * "you may not", which programs report instead of silently taking another path.
 */
struct sbx_seccomp_filter {
	scmp_filter_ctx rules; /* by libseccomp: a plan that lets x32 and i386 run */
	struct sock_fprog rules_bpf; /* by sbx: a plan that refuses them (every compiled one) */
	struct sock_fprog gate; /* len 0 for a plan without groups (built by hand in tests) */
	bool notifies;
};

/*
 * Calls newer than libseccomp 2.5: their number on x86_64 (the shared table from 424 on;
 * uapi_compat.h where the build host's headers lack them).
 */
static const struct {
	const char *name;
	int nr;
} newer_calls[] = {
	{ "setxattrat", __NR_setxattrat },
	{ "getxattrat", __NR_getxattrat },
	{ "listxattrat", __NR_listxattrat },
	{ "removexattrat", __NR_removexattrat },
};

int seccomp_syscall_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr != __NR_SCMP_ERROR || seccomp_arch_native() != SCMP_ARCH_X86_64)
		return nr;
	for (size_t i = 0; i < sizeof(newer_calls) / sizeof(newer_calls[0]); i++)
		if (!strcmp(newer_calls[i].name, name))
			return newer_calls[i].nr;
	return __NR_SCMP_ERROR;
}

static const char *newer_call_name(int nr)
{
	for (size_t i = 0; i < sizeof(newer_calls) / sizeof(newer_calls[0]); i++)
		if (newer_calls[i].nr == nr && seccomp_arch_native() == SCMP_ARCH_X86_64)
			return newer_calls[i].name;
	return NULL;
}

bool seccomp_rule_applies(const struct sbx_seccomp_rule *r, unsigned int landlock_abi)
{
	return !r->below_abi || landlock_abi < r->below_abi;
}

int seccomp_plan_fit(const struct sbx_seccomp_plan *p, unsigned int landlock_abi,
		     struct sbx_seccomp_plan *out)
{
	*out = *p;
	out->rules = malloc((p->n_rules + 1) * sizeof(*out->rules));
	out->n_rules = 0;
	if (!out->rules)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++)
		if (seccomp_rule_applies(&p->rules[i], landlock_abi))
			out->rules[out->n_rules++] = p->rules[i];
	return 0;
}

/* Rules a user can lift, and calls the supervisor answers, notify; the rest stay in the kernel. */
static bool rule_notifies(const struct sbx_seccomp_rule *r)
{
	return r->errno_value > 0 && r->answer != SBX_ANSWER_ALLOW &&
	       (r->entitlement || r->answer != SBX_ANSWER_ERRNO);
}

/* The kernel's return value for a rule (its number resolved, its conditions checked). */
static uint32_t rule_action(const struct sbx_seccomp_rule *r, bool notify)
{
	if (r->answer == SBX_ANSWER_ALLOW)
		return SECCOMP_RET_ALLOW;
	if (r->errno_value <= 0)
		return SECCOMP_RET_KILL_PROCESS;
	if (notify && rule_notifies(r))
		return SECCOMP_RET_USER_NOTIF;
	return SECCOMP_RET_ERRNO | ((uint32_t)r->errno_value & SECCOMP_RET_DATA);
}

static int cond_to_scmp(const struct sbx_seccomp_cond *c, struct scmp_arg_cmp *out)
{
	if (c->arg > 5)
		return -EINVAL;
	switch (c->op) {
	case SBX_CMP_EQ:
		*out = (struct scmp_arg_cmp){ c->arg, SCMP_CMP_EQ, c->value, 0 };
		return 0;
	case SBX_CMP_NE:
		*out = (struct scmp_arg_cmp){ c->arg, SCMP_CMP_NE, c->value, 0 };
		return 0;
	case SBX_CMP_MASKED_EQ:
		*out = (struct scmp_arg_cmp){ c->arg, SCMP_CMP_MASKED_EQ, c->mask, c->value };
		return 0;
	case SBX_CMP_GT:
		*out = (struct scmp_arg_cmp){ c->arg, SCMP_CMP_GT, c->value, 0 };
		return 0;
	case SBX_CMP_MASKED_ANY: /* add_rules writes one rule per bit */
		*out = (struct scmp_arg_cmp){ c->arg, SCMP_CMP_MASKED_EQ, c->mask, c->mask };
		return 0;
	}
	return -EINVAL;
}

static int ctx_new(const struct sbx_seccomp_plan *p, uint32_t def, scmp_filter_ctx *out,
		   struct sbx_diag *d)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	int err;

	*out = NULL;
	if (!ctx)
		return sbx_diag_set(d, -ENOMEM, "seccomp: cannot create a filter");
	/*
	 * An x32 (syscall number with bit 30) or i386 (int 0x80) entry point is a different
	 * table where none of the native rules hold: it kills, unless the plan lets them run,
	 * and then the rules are repeated for them, by name, as far as those tables have the
	 * same calls (i386 reaches some through socketcall and mmap2: best effort).
	 */
	err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* sbx sets no_new_privs itself, as its own step, when the plan asks for it. */
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (err) {
		seccomp_release(ctx);
		return sbx_diag_set(d, err, "seccomp: cannot set a filter attribute: %s",
				    strerror(-err));
	}
	if (!p->deny_foreign_arches && seccomp_arch_native() == SCMP_ARCH_X86_64) {
		err = seccomp_arch_add(ctx, SCMP_ARCH_X86);
		if (!err)
			err = seccomp_arch_add(ctx, SCMP_ARCH_X32);
		if (err) {
			seccomp_release(ctx);
			return sbx_diag_set(d, err,
					    "seccomp: cannot add the x86 and x32 tables: %s",
					    strerror(-err));
		}
	}
	*out = ctx;
	return 0;
}

/* A call with a rule for every call and other rules besides would lose the latter. */
static int check_mixed(const struct sbx_seccomp_plan *p, const int *nrs, size_t i,
		       struct sbx_diag *d)
{
	const struct sbx_seccomp_rule *r = &p->rules[i];

	if (r->n_cond)
		return 0;
	for (size_t k = 0; k < p->n_rules; k++) {
		const struct sbx_seccomp_rule *o = &p->rules[k];

		if (k != i && nrs[k] == nrs[i])
			return sbx_diag_set(
				d, -EINVAL,
				"seccomp: %s has a rule for every call (%s) and another "
				"rule (%s): libseccomp would keep only one",
				r->syscall, r->why ? r->why : "-", o->why ? o->why : "-");
	}
	return 0;
}

/*
 * One rule to libseccomp; a MASKED_ANY condition (libseccomp has no such operator) as one
 * rule per bit of its mask, each that bit set: together, some bit of the mask set.
 */
static int add_rule_bits(struct sbx_seccomp_filter *f, uint32_t action, int nr,
			 const struct sbx_seccomp_rule *r, struct scmp_arg_cmp *cmp)
{
	unsigned int any = r->n_cond;
	int err = 0;

	for (unsigned int c = 0; c < r->n_cond; c++)
		if (r->cond[c].op == SBX_CMP_MASKED_ANY)
			any = c;
	if (any == r->n_cond)
		return seccomp_rule_add_array(f->rules, action, nr, r->n_cond, cmp);
	for (unsigned int b = 0; b < 64 && !err; b++) {
		uint64_t bit = 1ULL << b;

		if (!(r->cond[any].mask & bit))
			continue;
		cmp[any].datum_a = bit;
		cmp[any].datum_b = bit;
		err = seccomp_rule_add_array(f->rules, action, nr, r->n_cond, cmp);
	}
	return err;
}

static int add_rules(struct sbx_seccomp_filter *f, const struct sbx_seccomp_plan *p, bool notify,
		     const int *nrs, struct sbx_diag *d)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_seccomp_rule *r = &p->rules[i];
		struct scmp_arg_cmp cmp[SBX_SECCOMP_MAX_COND];
		/* libseccomp's SCMP_ACT_* are the kernel's return values. */
		uint32_t action = rule_action(r, notify);
		int err;

		/* No number: a call of the table this arch lacks (the gate refuses it). */
		if (nrs[i] == __NR_SCMP_ERROR)
			continue;
		for (unsigned int c = 0; c < r->n_cond; c++)
			cond_to_scmp(&r->cond[c], &cmp[c]); /* checked by resolve_rules */
		err = check_mixed(p, nrs, i, d);
		if (!err && r->answer == SBX_ANSWER_ALLOW)
			err = sbx_diag_set(d, -EINVAL,
					   "seccomp: %s: an allow-list entry (%s) needs the rules "
					   "in order, which libseccomp does not keep",
					   r->syscall, r->why ? r->why : "-");
		if (err)
			return err;
		f->notifies |= action == SECCOMP_RET_USER_NOTIF;
		err = add_rule_bits(f, action, nrs[i], r, cmp);
		if (err)
			return sbx_diag_set(d, err, "seccomp: cannot add the rule for %s (%s): %s",
					    r->syscall, r->why ? r->why : "no reason given",
					    strerror(-err));
	}
	return 0;
}

/*
 * Each rule's number, once per build (__NR_SCMP_ERROR: a call of the table this arch lacks).
 * A call that neither libseccomp, the table nor a group knows is an error, and so is a
 * condition neither writer can express, in a rule that has a number.
 */
static int resolve_rules(const struct sbx_seccomp_plan *p, int *nrs, struct sbx_diag *d)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_seccomp_rule *r = &p->rules[i];

		nrs[i] = seccomp_syscall_nr(r->syscall);
		if (nrs[i] == __NR_SCMP_ERROR && !sbx_syscall_group_of(r->syscall))
			return sbx_diag_set(d, -EINVAL, "seccomp: unknown system call '%s'",
					    r->syscall);
		if (nrs[i] == __NR_SCMP_ERROR)
			continue;
		if (r->n_cond > SBX_SECCOMP_MAX_COND)
			return sbx_diag_set(d, -EINVAL, "seccomp: %s: too many conditions",
					    r->syscall);
		for (unsigned int c = 0; c < r->n_cond; c++)
			if (r->cond[c].arg > 5 || r->cond[c].op > SBX_CMP_MASKED_ANY)
				return sbx_diag_set(d, -EINVAL, "seccomp: %s: bad condition %u",
						    r->syscall, c);
	}
	return 0;
}

static int by_number(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	return (a > b) - (a < b);
}

#define FILTER_STMT(code, k)	     ((struct sock_filter)BPF_STMT(code, k))
#define FILTER_JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/*
 * How both programs start, as libseccomp's do for the native table alone: another
 * architecture kills, and on x86_64 so does an x32 number (bit 30) other than -1; then A
 * holds the call's number. Returns the number of instructions written at f (NULL: counted).
 */
static size_t arch_program(struct sock_filter *f)
{
	size_t k = 0;

#define EMIT(insn) ((void)(f ? (f[k] = (insn)) : (insn)), k++)
	EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 1, 0));
	EMIT(FILTER_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 2));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 1, 0));
		EMIT(FILTER_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	}
#undef EMIT
	return k;
}

/*
 * The gate as classic BPF (arch_program first): ALLOW for the numbers in nr[0..n) (sorted,
 * unique), ERRNO(errno_value) for the rest. Each run of consecutive numbers is two
 * comparisons.
 */
static int gate_program(const int *nr, size_t n, int errno_value, struct sock_fprog *prog,
			struct sbx_diag *d)
{
	size_t runs = 0, len, k;
	struct sock_filter *f;

	for (size_t i = 0; i < n; i++)
		runs += !i || nr[i] != nr[i - 1] + 1;
	len = arch_program(NULL) + 2 * runs + 2;
	/* Jumps are 8 bits: the first run's must reach the returns. */
	if (2 * runs > 255)
		return sbx_diag_set(d, -E2BIG, "seccomp: the allow-list has too many gaps");
	f = calloc(len, sizeof(*f));
	if (!f)
		return sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
		/* Returns at len - 2 (refuse), len - 1 (allow); k is the next index. */
#define GATE_TO(target) ((unsigned char)((len - (target)) - k - 1))
	k = arch_program(f);
	for (size_t i = 0; i < n; i++) {
		size_t last = i;

		while (last + 1 < n && nr[last + 1] == nr[last] + 1)
			last++;
		/* Below this run (and above the previous one): in a gap. */
		f[k] = FILTER_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)nr[i], 0, GATE_TO(2)), k++;
		f[k] = FILTER_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)nr[last], 0, GATE_TO(1)),
		k++;
		i = last;
	}
#undef GATE_TO
	f[k++] = FILTER_STMT(BPF_RET | BPF_K,
			     SECCOMP_RET_ERRNO | ((uint32_t)errno_value & SECCOMP_RET_DATA));
	f[k++] = FILTER_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog->filter = f;
	prog->len = (unsigned short)len;
	return 0;
}

/*
 * One condition of a rule, on a 64-bit argument read as two 32-bit words: it falls through
 * to the next instruction when it holds, and jumps to fail (an index) when it does not.
 * Returns the number of instructions written at f + k (f NULL: only counted).
 */
static size_t cond_program(const struct sbx_seccomp_cond *c, struct sock_filter *f, size_t k,
			   size_t fail)
{
	uint32_t lo = offsetof(struct seccomp_data, args) + 8 * c->arg, hi = lo + 4;
	uint32_t vlo = (uint32_t)c->value, vhi = (uint32_t)(c->value >> 32);
	uint32_t mlo = (uint32_t)c->mask, mhi = (uint32_t)(c->mask >> 32);
	size_t n = 0;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	lo += 4, hi -= 4;
#endif
#define EMIT(insn) ((void)(f ? (f[k + n] = (insn)) : (insn)), n++)
#define TO(target) ((unsigned char)((target) - (k + n) - 1))
	switch (c->op) {
	case SBX_CMP_EQ: /* hi == vhi && lo == vlo */
		EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, hi));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vhi, 0, TO(fail)));
		EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, lo));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vlo, 0, TO(fail)));
		break;
	case SBX_CMP_NE: /* hi != vhi || lo != vlo */
		EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, hi));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vhi, 0, 2));
		EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, lo));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vlo, TO(fail), 0));
		break;
	case SBX_CMP_MASKED_EQ: /* (hi & mhi) == vhi && (lo & mlo) == vlo */
		if (mhi || vhi) { /* (hi & 0) == 0 always holds: nothing to check */
			EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, hi));
			if (mhi != 0xffffffff)
				EMIT(FILTER_STMT(BPF_ALU | BPF_AND | BPF_K, mhi));
			EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vhi, 0, TO(fail)));
		}
		if (mlo || vlo) {
			EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, lo));
			if (mlo != 0xffffffff)
				EMIT(FILTER_STMT(BPF_ALU | BPF_AND | BPF_K, mlo));
			EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vlo, 0, TO(fail)));
		}
		break;
	case SBX_CMP_MASKED_ANY: /* (hi & mhi) != 0 || (lo & mlo) != 0 */
		if (mhi) {
			EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, hi));
			EMIT(FILTER_STMT(BPF_ALU | BPF_AND | BPF_K, mhi));
			/* a bit set: the condition holds, past the low half's check */
			EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, mlo ? 0 : TO(fail),
					 mlo ? 3 : 0));
		}
		if (mlo) {
			EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, lo));
			EMIT(FILTER_STMT(BPF_ALU | BPF_AND | BPF_K, mlo));
			EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, TO(fail), 0));
		}
		if (!mhi && !mlo) /* no bit to find: never holds */
			EMIT(FILTER_STMT(BPF_JMP | BPF_JA, TO(fail)));
		break;
	case SBX_CMP_GT: /* unsigned: hi > vhi || (hi == vhi && lo > vlo) */
		EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, hi));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JGT | BPF_K, vhi, 3, 0));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vhi, 0, TO(fail)));
		EMIT(FILTER_STMT(BPF_LD | BPF_W | BPF_ABS, lo));
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JGT | BPF_K, vlo, 0, TO(fail)));
		break;
	}
#undef TO
#undef EMIT
	return n;
}

/* One rule: its conditions, then its action; fails to the instruction after it. */
static size_t rule_program(const struct sbx_seccomp_rule *r, bool notify, struct sock_filter *f,
			   size_t k)
{
	size_t n = 0, len = 1;

	for (unsigned int c = 0; c < r->n_cond; c++)
		len += cond_program(&r->cond[c], NULL, 0, 0);
	for (unsigned int c = 0; c < r->n_cond; c++)
		n += cond_program(&r->cond[c], f, k + n, k + len);
	if (f)
		f[k + n] = FILTER_STMT(BPF_RET | BPF_K, rule_action(r, notify));
	return n + 1;
}

struct rule_order {
	int nr;
	size_t i; /* the rule's place in the plan */
};

static int by_call_then_plan(const void *x, const void *y)
{
	const struct rule_order *a = x, *b = y;

	if (a->nr != b->nr)
		return (a->nr > b->nr) - (a->nr < b->nr);
	return (a->i > b->i) - (a->i < b->i);
}

/* The calls o[c[lo]..c[hi + 1]) as a binary search on their numbers (A holds the number). */
static size_t call_tree(const struct sbx_seccomp_plan *p, bool notify, const struct rule_order *o,
			const size_t *c, size_t lo, size_t hi, struct sock_filter *f, size_t k)
{
	size_t n = 0, mid = lo + (hi - lo + 1) / 2, left;

#define EMIT(insn) ((void)(f ? (f[k + n] = (insn)) : (insn)), n++)
	if (lo == hi && c[lo + 1] - c[lo] == 1 && !p->rules[o[c[lo]].i].n_cond) {
		/* One rule without conditions: its action for this call, ALLOW for any other. */
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)o[c[lo]].nr, 0, 1));
		EMIT(FILTER_STMT(BPF_RET | BPF_K, rule_action(&p->rules[o[c[lo]].i], notify)));
		EMIT(FILTER_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
		return n;
	}
	if (lo == hi) {
		/* Not this call: allowed. Its rules, in plan order; none matched: allowed. */
		EMIT(FILTER_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)o[c[lo]].nr, 1, 0));
		EMIT(FILTER_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
		for (size_t j = c[lo]; j < c[lo + 1]; j++)
			n += rule_program(&p->rules[o[j].i], notify, f, k + n);
		EMIT(FILTER_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
		return n;
	}
	/* At or above the middle call: over the lower half (a 32-bit jump) to the upper one. */
	left = f ? call_tree(p, notify, o, c, lo, mid - 1, NULL, 0) : 0; /* counting: no need */
	EMIT(FILTER_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)o[c[mid]].nr, 0, 1));
	EMIT(FILTER_STMT(BPF_JMP | BPF_JA, (uint32_t)left));
#undef EMIT
	n += call_tree(p, notify, o, c, lo, mid - 1, f, k + n);
	n += call_tree(p, notify, o, c, mid, hi, f, k + n);
	return n;
}

/*
 * The rules filter for the native table (arch_program first), then a binary search on the
 * number among the calls that have rules; a call's rules in plan order, the first that
 * matches returning its action; ALLOW when none does. o[0..n) is sorted by call, then plan
 * order; c[0..calls] indexes where each call's rules start. f NULL: counted only.
 */
static size_t rules_program(const struct sbx_seccomp_plan *p, bool notify,
			    const struct rule_order *o, const size_t *c, size_t calls,
			    struct sock_filter *f)
{
	size_t k = arch_program(f);

	if (!calls) {
		if (f)
			f[k] = FILTER_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		return k + 1;
	}
	return k + call_tree(p, notify, o, c, 0, calls - 1, f, k);
}

static int build_rules_program(struct sbx_seccomp_filter *f, const struct sbx_seccomp_plan *p,
			       bool notify, const int *nrs, struct sbx_diag *d)
{
	struct rule_order *o = calloc(p->n_rules + 1, sizeof(*o));
	size_t n = 0, len, calls = 0, *c;
	int err = 0;

	if (!o)
		return sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
	for (size_t i = 0; i < p->n_rules; i++) {
		/* No number (or libseccomp's negative one): a call of the table this arch lacks
		 * (the gate refuses it). */
		if (nrs[i] < 0)
			continue;
		f->notifies |= rule_action(&p->rules[i], notify) == SECCOMP_RET_USER_NOTIF;
		o[n].nr = nrs[i];
		o[n++].i = i;
	}
	qsort(o, n, sizeof(*o), by_call_then_plan);
	c = calloc(n + 1, sizeof(*c));
	if (!c)
		err = sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
	for (size_t j = 0; c && j < n; j++)
		if (!j || o[j].nr != o[j - 1].nr)
			c[calls++] = j;
	if (c)
		c[calls] = n;
	/*
	 * Each call's rules, in plan order, are side by side now. This writer takes the first
	 * that matches, so a rule for every call may come last (the launcher's observe rule
	 * after the plan's conditional ones); before another rule it would hide that one.
	 */
	for (size_t k = 0; k < calls && !err; k++)
		for (size_t j = c[k]; j + 1 < c[k + 1] && !err; j++) {
			const struct sbx_seccomp_rule *r = &p->rules[o[j].i],
						      *next = &p->rules[o[j + 1].i];

			if (!r->n_cond)
				err = sbx_diag_set(
					d, -EINVAL,
					"seccomp: %s has a rule for every call (%s) before "
					"another rule (%s), which never applies",
					r->syscall, r->why ? r->why : "-",
					next->why ? next->why : "-");
		}
	len = err ? 0 : rules_program(p, notify, o, c, calls, NULL);
	if (len > BPF_MAXINSNS)
		err = sbx_diag_set(
			d, -E2BIG,
			"seccomp: the rules take %zu instructions, more than the kernel's %d", len,
			BPF_MAXINSNS);
	if (!err) {
		f->rules_bpf.filter = calloc(len, sizeof(*f->rules_bpf.filter));
		if (!f->rules_bpf.filter)
			err = sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
	}
	if (!err) {
		rules_program(p, notify, o, c, calls, f->rules_bpf.filter);
		f->rules_bpf.len = (unsigned short)len;
	}
	free(o);
	free(c);
	return err;
}

/* Every call a group names, and every rule's call (known by definition, even in a hand-made
 * plan); a name neither this libseccomp nor sbx can number stays refused. */
static int add_gate(struct sbx_seccomp_filter *f, const struct sbx_seccomp_plan *p, const int *nrs,
		    struct sbx_diag *d)
{
	size_t cap = p->n_rules, n = 0, u = 0;
	int *nr, err;

	if (!p->deny_foreign_arches)
		return sbx_diag_set(d, -EINVAL,
				    "seccomp: an allow-list covers the native table only: it needs "
				    "the other architectures refused");
	for (size_t g = 0; g < p->n_groups; g++)
		cap += sbx_syscall_group_size(p->groups[g].group);
	nr = malloc((cap + 1) * sizeof(*nr));
	if (!nr)
		return sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
	for (size_t g = 0; g < p->n_groups; g++)
		for (const char *const *c = p->groups[g].group->calls; *c; c++)
			nr[n++] = seccomp_syscall_nr(*c);
	for (size_t i = 0; i < p->n_rules; i++)
		nr[n++] = nrs[i];
	qsort(nr, n, sizeof(*nr), by_number);
	for (size_t i = 0; i < n; i++)
		if (nr[i] >= 0 && (!u || nr[i] != nr[u - 1]))
			nr[u++] = nr[i];
	err = gate_program(nr, u, p->unknown_errno > 0 ? p->unknown_errno : ENOSYS, &f->gate, d);
	free(nr);
	return err;
}

int seccomp_filter_build(const struct sbx_seccomp_plan *p, bool notify,
			 struct sbx_seccomp_filter **out, struct sbx_diag *d)
{
	struct sbx_seccomp_filter *f;
	int *nrs;
	int err;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	nrs = calloc(p->n_rules + 1, sizeof(*nrs));
	if (!f || !nrs) {
		free(f);
		free(nrs);
		return sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
	}
	err = resolve_rules(p, nrs, d);
	if (!err && p->deny_foreign_arches)
		err = build_rules_program(f, p, notify, nrs, d);
	else if (!err)
		err = ctx_new(p, SCMP_ACT_ALLOW, &f->rules, d);
	if (!err && !p->deny_foreign_arches)
		err = add_rules(f, p, notify, nrs, d);
	if (!err && p->n_groups)
		err = add_gate(f, p, nrs, d);
	free(nrs);
	if (err) {
		seccomp_filter_free(f);
		return err;
	}
	*out = f;
	return 0;
}

int seccomp_filter_load(struct sbx_seccomp_filter *f, struct sbx_diag *d)
{
	int fd = -1, err = 0;

	if (!f->rules) {
		fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  f->notifies ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0,
				  &f->rules_bpf);
		if (fd < 0)
			return sbx_diag_set(d, -errno, "seccomp: cannot load the filter: %s",
					    strerror(errno));
		if (!f->notifies)
			fd = -1;
	} else {
		err = seccomp_load(f->rules);
	}
	if (err)
		return sbx_diag_set(d, err, "seccomp: cannot load the filter: %s", strerror(-err));
	if (f->rules && f->notifies) {
		fd = seccomp_notify_fd(f->rules);
		if (fd < 0)
			return sbx_diag_set(d, fd, "seccomp: no notification fd: %s",
					    strerror(-fd));
	}
	/* Last, so that its ENOSYS wins over the rules filter at equal precedence. */
	if (f->gate.len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f->gate))
		err = -errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		return sbx_diag_set(d, err, "seccomp: cannot load the allow-list: %s",
				    strerror(-err));
	}
	return fd;
}

bool seccomp_filter_notifies(const struct sbx_seccomp_filter *f)
{
	return f && f->notifies;
}

/* One libseccomp filter as the classic BPF program the kernel takes, in malloc'd memory. */
static int export_one(scmp_filter_ctx ctx, struct sock_fprog *prog, struct sbx_diag *d)
{
	int fd = memfd_create("sbx-seccomp-bpf", MFD_CLOEXEC), err;
	struct stat st;
	void *buf = NULL;

	prog->len = 0;
	prog->filter = NULL;
	if (fd < 0)
		return sbx_diag_set(d, -errno, "seccomp: memfd_create: %s", strerror(errno));
	err = seccomp_export_bpf(ctx, fd);
	if (err) {
		sbx_diag_set(d, err, "seccomp: cannot export the filter: %s", strerror(-err));
		goto out;
	}
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		err = sbx_diag_set(d, -E2BIG, "seccomp: the exported filter has a bad size");
		goto out;
	}
	buf = malloc(st.st_size);
	if (!buf) {
		err = sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
		goto out;
	}
	if (pread(fd, buf, st.st_size, 0) != st.st_size) {
		err = sbx_diag_set(d, -EIO, "seccomp: cannot read the exported filter back");
		free(buf);
		goto out;
	}
	prog->filter = buf;
	prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
out:
	close(fd);
	return err;
}

/* A copy of a program written here, in malloc'd memory (len 0: none). */
static int copy_prog(const struct sock_fprog *from, struct sock_fprog *to)
{
	to->len = 0;
	to->filter = NULL;
	if (!from->len)
		return 0;
	to->filter = malloc(from->len * sizeof(*from->filter));
	if (!to->filter)
		return -ENOMEM;
	memcpy(to->filter, from->filter, from->len * sizeof(*from->filter));
	to->len = from->len;
	return 0;
}

int seccomp_filter_export(const struct sbx_seccomp_filter *f, struct sock_fprog *prog,
			  struct sbx_diag *d)
{
	int err = f->rules ? export_one(f->rules, &prog[0], d) : copy_prog(&f->rules_bpf, &prog[0]);

	prog[1].len = 0;
	prog[1].filter = NULL;
	if (!err)
		err = copy_prog(&f->gate, &prog[1]);
	if (err == -ENOMEM) {
		free(prog[0].filter);
		prog[0].filter = NULL;
		prog[0].len = 0;
		return sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
	}
	return err;
}

void seccomp_filter_free(struct sbx_seccomp_filter *f)
{
	if (!f)
		return;
	if (f->rules)
		seccomp_release(f->rules);
	free(f->rules_bpf.filter);
	free(f->gate.filter);
	free(f);
}

static bool cond_holds(const struct sbx_seccomp_cond *c, const uint64_t args[6])
{
	uint64_t v = args[c->arg];

	switch (c->op) {
	case SBX_CMP_EQ:
		return v == c->value;
	case SBX_CMP_NE:
		return v != c->value;
	case SBX_CMP_MASKED_EQ:
		return (v & c->mask) == c->value;
	case SBX_CMP_GT:
		return v > c->value;
	case SBX_CMP_MASKED_ANY:
		return (v & c->mask) != 0;
	}
	return false;
}

const struct sbx_seccomp_rule *seccomp_rule_match(const struct sbx_seccomp_plan *p, int nr,
						  const uint64_t args[6])
{
	/* The call's name once, not each rule's number: rules name their call. */
	char *resolved = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	const char *name = resolved ? resolved : newer_call_name(nr);
	const struct sbx_seccomp_rule *match = NULL;

	for (size_t i = 0; name && !match && i < p->n_rules; i++) {
		const struct sbx_seccomp_rule *r = &p->rules[i];
		bool all = r->n_cond <= SBX_SECCOMP_MAX_COND && !strcmp(r->syscall, name);

		for (unsigned int c = 0; c < r->n_cond && all; c++)
			all = r->cond[c].arg <= 5 && cond_holds(&r->cond[c], args);
		if (all)
			match = r;
	}
	free(resolved);
	/* An allow-list entry answers first: nothing refuses the call. */
	return match && match->answer == SBX_ANSWER_ALLOW ? NULL : match;
}

static const char *family_name(uint64_t af)
{
	static const struct {
		int af;
		const char *name;
	} names[] = {
		{ AF_UNIX, "AF_UNIX" },	    { AF_INET, "AF_INET" },
		{ AF_INET6, "AF_INET6" },   { AF_NETLINK, "AF_NETLINK" },
		{ AF_PACKET, "AF_PACKET" }, { AF_BLUETOOTH, "AF_BLUETOOTH" },
		{ AF_VSOCK, "AF_VSOCK" },   { AF_ALG, "AF_ALG" },
		{ AF_KEY, "AF_KEY" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((uint64_t)names[i].af == af)
			return names[i].name;
	return NULL;
}

static void describe_prot(uint64_t prot, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", prot & PROT_READ ? "PROT_READ|" : "",
		 prot & PROT_WRITE ? "PROT_WRITE|" : "", prot & PROT_EXEC ? "PROT_EXEC|" : "",
		 prot ? "" : "PROT_NONE|");
	if (*buf)
		buf[strlen(buf) - 1] = '\0';
}

void seccomp_describe_call(int nr, const uint64_t args[6], char *buf, size_t len)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	const char *n = name ? name : newer_call_name(nr) ? newer_call_name(nr) : "?";
	char prot[64];

	if ((!strcmp(n, "socket") || !strcmp(n, "socketpair")) && family_name(args[0]))
		snprintf(buf, len, "%s(%s)", n, family_name(args[0]));
	else if (!strcmp(n, "socket") || !strcmp(n, "socketpair"))
		snprintf(buf, len, "%s(family %llu)", n, (unsigned long long)args[0]);
	else if (!strcmp(n, "mmap") || !strcmp(n, "mprotect") || !strcmp(n, "pkey_mprotect")) {
		describe_prot(args[2], prot, sizeof(prot));
		snprintf(buf, len, "%s(%s)", n, prot);
	} else if (!strcmp(n, "ioctl"))
		snprintf(buf, len, "ioctl(%#llx)", (unsigned long long)args[1]);
	else
		snprintf(buf, len, "%s()", n);
	free(name);
}

static bool complain_runs(const char *entitlement)
{
	const struct sbx_key_info *k = sbx_key_lookup(entitlement);

	return k && k->complain_runs;
}

/* The native number of a call made through another table (x32, i386), by its name. */
static int native_nr(uint32_t audit_arch, int nr)
{
	char *name;
	int native;

	if (audit_arch == seccomp_arch_native())
		return nr;
	name = seccomp_syscall_resolve_num_arch(audit_arch, nr);
	native = name ? seccomp_syscall_resolve_name(name) : nr;
	free(name);
	return native;
}

int seccomp_supervise_one(int fd, const struct sbx_seccomp_plan *p, struct sbx_seccomp_denial *out)
{
	return seccomp_supervise_one_with(fd, p, NULL, out);
}

int seccomp_supervise_one_with(int fd, const struct sbx_seccomp_plan *p, struct sbx_supervisor *sup,
			       struct sbx_seccomp_denial *out)
{
	char why[sizeof(out->call)] = "";
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	uint64_t args[6];
	int err, nr, refused = 0;

	memset(out, 0, sizeof(*out));
	err = seccomp_notify_alloc(&req, &resp);
	if (err)
		return err;
	err = seccomp_notify_receive(fd, req);
	if (err)
		goto out;
	for (int i = 0; i < 6; i++)
		args[i] = req->data.args[i];
	out->pid = (pid_t)req->pid;
	nr = native_nr(req->data.arch, req->data.nr);
	out->rule = seccomp_rule_match(p, nr, args);
	if (out->rule && out->rule->answer == SBX_ANSWER_SEALED_MEMFD) {
		err = seccomp_answer_memfd_create(fd, req->id, args);
		if (err != -EOPNOTSUPP) {
			out->carried_out = !err;
			goto out;
		}
		/* No MFD_NOEXEC_SEAL on this kernel: refuse, and say so, as for any rule. */
	}
	if (out->rule && out->rule->answer == SBX_ANSWER_OBSERVE) {
		/* Let run (the kernel decides), then judged: reported when the plan refuses it. */
		int hit = sbx_supervisor_observe(sup, fd, req, nr, &out->file);

		out->carried_out = hit <= 0;
		out->is_file = hit > 0;
		out->complained = hit > 0 && sbx_supervisor_complains(sup);
		if (hit > 0) {
			out->rule = NULL;
			snprintf(out->call, sizeof(out->call), "%s", out->file.access);
			snprintf(out->comm, sizeof(out->comm), "%s",
				 out->file.comm[0] ? out->file.comm : "?");
		}
		err = hit < 0 ? hit : 0;
		goto out;
	}
	/* complain: what a key complain mode judges (network) would allow runs, reported. */
	if (out->rule && out->rule->entitlement && sbx_supervisor_complains(sup) &&
	    complain_runs(out->rule->entitlement)) {
		seccomp_describe_call(nr, args, out->call, sizeof(out->call));
		sbx_program_comm(out->pid, out->comm, sizeof(out->comm));
		out->complained = true;
		resp->id = req->id;
		resp->val = 0;
		resp->error = 0;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		err = seccomp_notify_respond(fd, resp);
		goto out;
	}
	if (out->rule && out->rule->answer == SBX_ANSWER_SUPERVISOR) {
		/* Carried out, or refused with the reason the supervisor gives. */
		refused = sbx_supervisor_carry_out(sup, fd, req, nr, out->rule->errno_value, why,
						   sizeof(why));
		if (refused <= 0) {
			out->carried_out = true;
			/* complain mode: carried out outside the grants, and reported. */
			if (!refused && why[0]) {
				out->carried_out = false;
				out->complained = true;
				snprintf(out->call, sizeof(out->call), "%s", why);
				sbx_program_comm(out->pid, out->comm, sizeof(out->comm));
			}
			goto out;
		}
	}
	seccomp_describe_call(nr, args, out->call, sizeof(out->call));
	if (why[0])
		snprintf(out->call, sizeof(out->call), "%s", why);
	/* Read the name before answering: once answered, the process may exit. */
	sbx_program_comm(out->pid, out->comm, sizeof(out->comm));
	resp->id = req->id;
	resp->val = 0;
	resp->flags = 0;
	resp->error = -(refused ? refused : out->rule ? out->rule->errno_value : ENOSYS);
	err = seccomp_notify_respond(fd, resp);
out:
	seccomp_notify_free(req, resp);
	return err;
}
