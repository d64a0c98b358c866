// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "seccomp/seccomp.h"

struct sbx_seccomp_filter {
	scmp_filter_ctx ctx;
	bool notifies;
};

/* Rules a user can lift with an entitlement are explained; the rest stay in the kernel. */
static bool rule_notifies(const struct sbx_seccomp_rule *r)
{
	return r->entitlement && r->errno_value > 0;
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
	}
	return -EINVAL;
}

int seccomp_filter_build(const struct sbx_seccomp_plan *p, bool notify,
			 struct sbx_seccomp_filter **out, struct sbx_diag *d)
{
	struct sbx_seccomp_filter *f;
	int err;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
	f->ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!f->ctx) {
		free(f);
		return sbx_diag_set(d, -ENOMEM, "seccomp: cannot create a filter");
	}
	/*
	 * An x32 (syscall number with bit 30) or i386 (int 0x80) entry point is a different
	 * table where none of the native rules hold: it kills, unless the plan lets them run,
	 * and then the rules are repeated for them, by name, as far as those tables have the
	 * same calls (i386 reaches some through socketcall and mmap2: best effort).
	 */
	err = seccomp_attr_set(f->ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (err)
		goto err_attr;
	if (!p->deny_foreign_arches && seccomp_arch_native() == SCMP_ARCH_X86_64) {
		err = seccomp_arch_add(f->ctx, SCMP_ARCH_X86);
		if (!err)
			err = seccomp_arch_add(f->ctx, SCMP_ARCH_X32);
		if (err) {
			sbx_diag_set(d, err, "seccomp: cannot add the x86 and x32 tables: %s",
				     strerror(-err));
			goto err_free;
		}
	}
	/* sbx sets no_new_privs itself, as its own step, when the plan asks for it. */
	err = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (err)
		goto err_attr;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_seccomp_rule *r = &p->rules[i];
		struct scmp_arg_cmp cmp[SBX_SECCOMP_MAX_COND];
		uint32_t action;
		int nr = seccomp_syscall_resolve_name(r->syscall);

		if (nr == __NR_SCMP_ERROR) {
			err = sbx_diag_set(d, -EINVAL, "seccomp: unknown system call '%s'",
					   r->syscall);
			goto err_free;
		}
		if (r->n_cond > SBX_SECCOMP_MAX_COND) {
			err = sbx_diag_set(d, -EINVAL, "seccomp: %s: too many conditions",
					   r->syscall);
			goto err_free;
		}
		for (unsigned int c = 0; c < r->n_cond; c++)
			if (cond_to_scmp(&r->cond[c], &cmp[c])) {
				err = sbx_diag_set(d, -EINVAL, "seccomp: %s: bad condition %u",
						   r->syscall, c);
				goto err_free;
			}
		if (r->errno_value <= 0)
			action = SCMP_ACT_KILL_PROCESS;
		else if (notify && rule_notifies(r))
			action = SCMP_ACT_NOTIFY;
		else
			action = SCMP_ACT_ERRNO((uint32_t)r->errno_value);
		if (action == SCMP_ACT_NOTIFY)
			f->notifies = true;
		err = seccomp_rule_add_array(f->ctx, action, nr, r->n_cond, cmp);
		if (err) {
			sbx_diag_set(d, err, "seccomp: cannot add the rule for %s (%s): %s",
				     r->syscall, r->why ? r->why : "no reason given",
				     strerror(-err));
			goto err_free;
		}
	}
	*out = f;
	return 0;

err_attr:
	sbx_diag_set(d, err, "seccomp: cannot set a filter attribute: %s", strerror(-err));
err_free:
	seccomp_release(f->ctx);
	free(f);
	return err;
}

int seccomp_filter_load(struct sbx_seccomp_filter *f, struct sbx_diag *d)
{
	int err = seccomp_load(f->ctx);

	if (err)
		return sbx_diag_set(d, err, "seccomp: cannot load the filter: %s", strerror(-err));
	if (!f->notifies)
		return -1;
	err = seccomp_notify_fd(f->ctx);
	if (err < 0)
		return sbx_diag_set(d, err, "seccomp: no notification fd: %s", strerror(-err));
	return err;
}

bool seccomp_filter_notifies(const struct sbx_seccomp_filter *f)
{
	return f && f->notifies;
}

void seccomp_filter_free(struct sbx_seccomp_filter *f)
{
	if (!f)
		return;
	seccomp_release(f->ctx);
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
	}
	return false;
}

const struct sbx_seccomp_rule *seccomp_rule_match(const struct sbx_seccomp_plan *p, int nr,
						  const uint64_t args[6])
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_seccomp_rule *r = &p->rules[i];
		bool all = true;

		if (r->n_cond > SBX_SECCOMP_MAX_COND ||
		    seccomp_syscall_resolve_name(r->syscall) != nr)
			continue;
		for (unsigned int c = 0; c < r->n_cond && all; c++)
			all = r->cond[c].arg <= 5 && cond_holds(&r->cond[c], args);
		if (all)
			return r;
	}
	return NULL;
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
	const char *n = name ? name : "?";
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

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, len, "?");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(buf, len, "?");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
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
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	uint64_t args[6];
	int err, nr;

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
	seccomp_describe_call(nr, args, out->call, sizeof(out->call));
	/* Read the name before answering: once answered, the process may exit. */
	read_comm(out->pid, out->comm, sizeof(out->comm));
	resp->id = req->id;
	resp->val = 0;
	resp->flags = 0;
	resp->error = out->rule ? -out->rule->errno_value : -ENOSYS;
	err = seccomp_notify_respond(fd, resp);
out:
	seccomp_notify_free(req, resp);
	return err;
}
