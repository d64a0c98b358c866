// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One carried-out call, start to end: the main thread finds the call's spec, copies its
 * arguments and takes the objects it names from the program, makes sure the notification
 * is still live (so the pid it used was the caller's), hands the call to the executor
 * (resolve, check, act), writes outputs back and answers with the call's own result.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "supervise/supervise_internal.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

int sbx_supervisor_start(const struct sbx_plan *plan, int ruleset_fd,
			 const struct landlock_grants *system, struct sbx_supervisor **out,
			 struct sbx_diag *d)
{
	struct sbx_supervisor *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s)
		return sbx_diag_set(d, -ENOMEM, "supervisor: out of memory");
	s->ruleset_fd = ruleset_fd;
	s->landlock = &plan->landlock;
	sup_confined_start(s);
	/* The ports the executor's domain checks: the plan's rights this kernel has. */
	if (ruleset_fd >= 0)
		s->bind_net = plan->landlock.handled_net &
			      landlock_net_mask(landlock_abi_version()) &
			      (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_BIND_UDP);
	err = sup_roots_open(s, &plan->landlock, system, d);
	if (!err)
		err = sup_executor_start(s, d);
	s->ruleset_fd = -1; /* the caller's */
	if (err) {
		sbx_supervisor_stop(s);
		return err;
	}
	*out = s;
	return 0;
}

void sbx_supervisor_set_program(struct sbx_supervisor *s, pid_t pid)
{
	if (s)
		s->program = pid;
}

void sbx_supervisor_set_keeper(struct sbx_supervisor *s, pid_t pid)
{
	if (s) {
		s->program = pid;
		s->keeper = true;
	}
}

void sbx_supervisor_set_observe(struct sbx_supervisor *s, uint64_t handled_fs, uint64_t handled_net,
				bool complain)
{
	if (s) {
		s->handled_fs = handled_fs;
		s->handled_net = handled_net;
		s->complain = complain;
	}
}

bool sbx_supervisor_complains(const struct sbx_supervisor *s)
{
	return s && s->complain;
}

void sbx_supervisor_stop(struct sbx_supervisor *s)
{
	if (!s)
		return;
	sup_executor_stop(s);
	free(s->roots.v);
	free(s);
}

/*
 * The spec for a call: by its number, and for a call two families carry out (fcntl: locks
 * and signal owners), by the arguments the spec takes.
 */
static const struct sup_spec *find_spec(int nr, const uint64_t args[6])
{
	static const struct sup_family *const families[] = {
		&sup_metadata_calls, &sup_xattr_calls, &sup_inotify_calls,  &sup_unix_calls,
		&sup_procs_calls,    &sup_lock_calls,  &sup_confined_calls,
	};

	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (size_t i = 0; i < families[f]->n; i++) {
			const struct sup_spec *sp = &families[f]->specs[i];

			if (sp->nr == nr && (!sp->takes || sp->takes(args)))
				return sp;
		}
	return NULL;
}

/* The executor's part: resolve, check, act. */
static long resolve_check_act(struct sup_call *c)
{
	struct sup_object o;
	const char *why;
	char proc[64];
	long ret;

	ret = c->object_is_fd ? sup_object_from_fd(c->fd, &o)
			      : sup_object_resolve(c->base, c->path, c->follow, &o);
	if (ret)
		return ret;
	why = sup_object_refusal(c->s, &o, c->spec->need);
	if (why && c->s->complain) {
		/* Judged, not enforced: carried out, and why says what enforcement would say. */
		if (c->object_is_fd)
			sup_why(c, "%s(descriptor): %s", c->spec->name, why);
		else
			sup_why(c, "%s(%.60s): %s", c->spec->name, c->path, why);
		why = NULL;
	}
	if (why) {
		c->refused = true;
		if (c->object_is_fd)
			sup_why(c, "%s(descriptor): %s", c->spec->name, why);
		else
			sup_why(c, "%s(%.60s): %s", c->spec->name, c->path, why);
		sup_object_close(&o);
		return -EACCES;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o.fd);
	ret = c->spec->act(c, &o, proc);
	sup_object_close(&o);
	return ret;
}

/*
 * "/proc/self/fd/N" (also thread-self and the caller's own pid) names the program's
 * descriptor N, not the supervisor's: the number, or -1.
 */
static int own_fd_path(const struct sup_call *c, const char *p)
{
	char self[32];
	const char *rest;
	char *end;
	long n;

	if (strncmp(p, "/proc/", 6))
		return -1;
	p += 6;
	snprintf(self, sizeof(self), "%d/", (int)c->tid);
	if (!strncmp(p, "self/", 5))
		rest = p + 5;
	else if (!strncmp(p, "thread-self/", 12))
		rest = p + 12;
	else if (!strncmp(p, self, strlen(self)))
		rest = p + strlen(self);
	else
		return -1;
	if (strncmp(rest, "fd/", 3))
		return -1;
	n = strtol(rest + 3, &end, 10);
	if (end == rest + 3 || *end || n < 0 || n > INT32_MAX)
		return -1;
	return (int)n;
}

/* Copy what the call names out of the program. Returns 0 or -errno (the call's answer). */
static int locate(struct sup_call *c)
{
	const struct sup_spec *sp = c->spec;
	uint64_t flags = sp->flags_arg >= 0 ? c->args[sp->flags_arg] : 0;
	int dirfd = sp->fd_arg >= 0 ? (int)c->args[sp->fd_arg] : AT_FDCWD;
	int err, own;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	c->follow = sp->flags_arg >= 0 ? !(flags & AT_SYMLINK_NOFOLLOW) : sp->follow;
	if (sp->path_arg < 0 || (sp->null_path_is_fd && !c->args[sp->path_arg])) {
		c->object_is_fd = true;
	} else {
		err = sup_program_read_string(c->tid, c->args[sp->path_arg], c->path,
					      sizeof(c->path));
		if (err)
			return err;
		if (!c->path[0] && !(flags & AT_EMPTY_PATH))
			return -ENOENT;
		c->object_is_fd = !c->path[0];
		own = c->follow ? own_fd_path(c, c->path) : -1;
		if (own >= 0) {
			c->object_is_fd = true;
			dirfd = own;
		}
	}
	if (c->object_is_fd && dirfd == AT_FDCWD)
		c->fd = sup_program_cwd(c->tid);
	else if (c->object_is_fd)
		c->fd = sup_program_getfd(c, dirfd);
	else if (c->path[0] == '/')
		return 0;
	else if (dirfd == AT_FDCWD)
		c->base = sup_program_cwd(c->tid);
	else
		c->base = sup_program_getfd(c, dirfd);
	if (c->fd < -1)
		return c->fd;
	if (c->base < -1)
		return c->base;
	return 0;
}

/*
 * The call's result: let run (lets_run), or a descriptor of the supervisor's (answer_fd,
 * -1 none) put into the program as its result, or ret.
 */
static int respond(int notify_fd, uint64_t id, long ret, bool lets_run, int answer_fd)
{
	struct seccomp_notif_resp resp = { .id = id };

	if (!lets_run && ret >= 0 && answer_fd >= 0) {
		struct seccomp_notif_addfd add = { .id = id,
						   .flags = SECCOMP_ADDFD_FLAG_SEND,
						   .srcfd = (uint32_t)answer_fd,
						   .newfd_flags = O_CLOEXEC };

		if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0)
			return 0;
		ret = -errno;
		if (ret == -ENOENT)
			return ret;
	}
	if (lets_run)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (ret < 0)
		resp.error = (int)ret;
	else
		resp.val = ret;
	return ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ? -errno : 0;
}

int sbx_supervisor_carry_out(struct sbx_supervisor *s, int notify_fd,
			     const struct seccomp_notif *req, int nr, int refuse_errno, char *why,
			     size_t why_len)
{
	struct sup_call *c;
	uint64_t id = req->id;
	long ret;
	int err;

	if (why_len)
		why[0] = '\0';
	if (!s)
		return refuse_errno;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	*c = (struct sup_call){ .s = s,
				.nr = nr,
				.tid = (pid_t)req->pid,
				.pidfd = -1,
				.notify_fd = notify_fd,
				.notify_id = id,
				.fd = -1,
				.base = -1,
				.inst = -1,
				.answer_fd = -1,
				.why = why,
				.why_len = why_len };
	memcpy(c->args, req->data.args, sizeof(c->args));
	c->spec = find_spec(nr, c->args);
	if (!c->spec) {
		err = refuse_errno;
		goto out;
	}
	ret = c->spec->exec || c->spec->lets_run ? 0 : locate(c);
	if (!ret && c->spec->copy_in)
		ret = c->spec->copy_in(c);
	/* Not the plan's to allow (a target outside the sandbox, say). */
	if (c->refused) {
		err = refuse_errno;
		goto out;
	}
	/*
	 * The program cannot be reached (not dumpable, say): refused, never guessed. The
	 * pid could also have been reused: a notification still live means it was not.
	 */
	if (ret == -EPERM || ret == -EACCES || ret == -ESRCH) {
		if (why_len && !why[0])
			sup_why(c, "%s(): sbx cannot read the program's arguments (%s)",
				c->spec->name, strerror((int)-ret));
		err = EPERM;
		goto out;
	}
	if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id)) {
		err = 0; /* gone: nothing to answer */
		goto out;
	}
	if (!ret && c->spec->lets_run) {
		respond(notify_fd, id, 0, true, -1);
		err = 0;
		goto out;
	}
	if (!ret)
		ret = sup_executor_run(s, c->spec->exec ? c->spec->exec : resolve_check_act, c);
	if (c->refused) {
		err = refuse_errno;
		goto out;
	}
	if (ret >= 0 && c->spec->copy_out) {
		int werr = c->spec->copy_out(c, ret);

		if (werr)
			ret = werr;
	}
	/* Answered, or the caller went away meanwhile (ENOENT): nothing left to do either way. */
	if (!c->answered)
		respond(notify_fd, id, ret, false, c->answer_fd);
	err = 0;
out:
	if (c->fd >= 0)
		close(c->fd);
	if (c->base >= 0)
		close(c->base);
	if (c->inst >= 0)
		close(c->inst);
	if (c->answer_fd >= 0)
		close(c->answer_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	free(c->buf);
	free(c);
	return err;
}
