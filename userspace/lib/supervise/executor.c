// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The executor: the one thread of the supervisor that carries calls out. It is made
 * before the program starts and confined as the program is, for itself alone: capabilities
 * (capset is per thread), no_new_privs (per task), a file-system context of its own
 * (unshare(CLONE_FS): its cwd and umask are not the supervisor's) and the program's
 * Landlock ruleset (landlock_restrict_self without TSYNC restricts only the calling
 * thread). So every call it makes is checked by the kernel as the program's would be, even
 * when sbx runs as root, and the supervisor's own checks come on top. The main thread,
 * outside that domain, reads the program's memory and takes its descriptors (Landlock's
 * ptrace scoping would stop the executor) and hands the work over, one call at a time.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uapi_compat.h"
#include "supervise/supervise_internal.h"

static int confine_self(struct sbx_supervisor *s)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];

	memset(none, 0, sizeof(none));
	if (syscall(SYS_capset, &h, none))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (unshare(CLONE_FS))
		return -errno;
	if (s->ruleset_fd >= 0 && syscall(__NR_landlock_restrict_self, s->ruleset_fd, 0))
		return -errno;
	return 0;
}

static void *executor_main(void *arg)
{
	struct sbx_supervisor *s = arg;
	sigset_t all;
	int err;

	/* Signals are the main thread's to handle. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	err = confine_self(s);
	pthread_mutex_lock(&s->lock);
	s->start_err = err;
	s->ready = true;
	pthread_cond_broadcast(&s->cond);
	while (!err && !s->stop) {
		if (!s->job) {
			pthread_cond_wait(&s->cond, &s->lock);
			continue;
		}
		pthread_mutex_unlock(&s->lock);
		long ret = s->job(s->job_call);
		pthread_mutex_lock(&s->lock);
		s->job = NULL;
		s->job_ret = ret;
		s->job_done = true;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int sup_executor_start(struct sbx_supervisor *s, struct sbx_diag *d)
{
	int err;

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	err = -pthread_create(&s->thread, NULL, executor_main, s);
	if (err)
		return sbx_diag_set(d, err, "supervisor: cannot start the executor: %s",
				    strerror(-err));
	s->running = true;
	pthread_mutex_lock(&s->lock);
	while (!s->ready)
		pthread_cond_wait(&s->cond, &s->lock);
	err = s->start_err;
	pthread_mutex_unlock(&s->lock);
	if (err) {
		sup_executor_stop(s);
		return sbx_diag_set(d, err, "supervisor: cannot confine the executor: %s",
				    strerror(-err));
	}
	return 0;
}

long sup_executor_run(struct sbx_supervisor *s, long (*fn)(struct sup_call *c), struct sup_call *c)
{
	long ret;

	pthread_mutex_lock(&s->lock);
	s->job_call = c;
	s->job_done = false;
	s->job = fn;
	pthread_cond_broadcast(&s->cond);
	while (!s->job_done)
		pthread_cond_wait(&s->cond, &s->lock);
	ret = s->job_ret;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void sup_executor_stop(struct sbx_supervisor *s)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = false;
}
