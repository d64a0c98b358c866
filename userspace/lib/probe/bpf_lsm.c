// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Is BPF LSM usable here? Four questions, each with its own failure reason: is it built
 * (a bpf_lsm_* hook in the kernel's BTF), is bpf in the active LSM list, will the kernel
 * load and attach an LSM program, and does the attached hook actually run. Only the last
 * proves anything: a kernel can accept and attach an LSM program that never runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sbx_abi.h"
#include "bpf/enforcer.h"
#include "probe/probe_internal.h"
#include "lsm_probe.skel.h"

#define why(f, ...) snprintf((f)->bpf_lsm_why, sizeof((f)->bpf_lsm_why), __VA_ARGS__)

static bool bpf_lsm_compiled(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf || libbpf_get_error(btf))
		return false;
	found = btf__find_by_name_kind(btf, "bpf_lsm_bprm_check_security", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* A child that waits for the go byte on fd, then execs a shell that does nothing. */
static pid_t spawn_exec_child(int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char c;

		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			execl("/bin/sh", "sh", "-c", ":", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static void run_probe(struct sbx_features *f)
{
	libbpf_print_fn_t old_print = libbpf_set_print(quiet_libbpf);
	struct lsm_probe *skel = NULL;
	int go = -1, status, err;
	pid_t child;

	child = spawn_exec_child(&go);
	if (child < 0) {
		why(f, "could not start the probe's child: %s", strerror(errno));
		goto out;
	}
	skel = lsm_probe__open();
	if (!skel) {
		why(f, "could not open the probe program: %s", strerror(errno));
		goto out_child;
	}
	skel->rodata->monitored_tgid = (__u32)child;
	err = lsm_probe__load(skel);
	if (err) {
		if ((err == -EPERM || err == -EACCES) && sbx_enforcer_pinned()) {
			/*
			 * sbxd's armed protection refuses every other LSM program: its own
			 * pinned ones are attached, and bpf is in the active list (above).
			 */
			f->bpf_lsm = SBX_BPF_LSM_ACTIVE;
			why(f,
			    "sbxd's programs are attached (pinned in %s) and its protection "
			    "refused this probe's",
			    SBX_ENFORCER_PIN_DIR);
		} else if (err == -EPERM || err == -EACCES)
			why(f,
			    "the kernel refused to load a BPF LSM program (%s): BPF trampolines "
			    "are unavailable here (kernel lockdown or locked function tracing)",
			    strerror(-err));
		else
			why(f, "loading the probe program failed: %s", strerror(-err));
		goto out_child;
	}
	err = lsm_probe__attach(skel);
	if (err) {
		why(f, "attaching to bprm_check_security failed: %s", strerror(-err));
		goto out_child;
	}
	if (write(go, "x", 1) != 1) {
		why(f, "could not start the probe's exec: %s", strerror(errno));
		goto out_child;
	}
	close(go);
	go = -1;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	child = -1;
	if (skel->bss->probe_result.hits > 0) {
		f->bpf_lsm = SBX_BPF_LSM_ACTIVE;
		why(f, "a probe on bprm_check_security attached and ran (%u call%s seen)",
		    skel->bss->probe_result.hits, skel->bss->probe_result.hits == 1 ? "" : "s");
	} else {
		f->bpf_lsm = SBX_BPF_LSM_INACTIVE;
		why(f, "a probe attached to bprm_check_security but never ran: bpf is not in "
		       "the active LSM list");
	}
out_child:
	if (go >= 0)
		close(go); /* the child reads EOF and exits without exec'ing */
	if (child > 0)
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	lsm_probe__destroy(skel);
out:
	libbpf_set_print(old_print);
}

void sbx_probe_bpf_lsm(struct sbx_features *f, bool load)
{
	f->bpf_lsm = SBX_BPF_LSM_UNAVAILABLE;
	if (!f->btf) {
		why(f, "no kernel BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot load");
		return;
	}
	if (!bpf_lsm_compiled()) {
		why(f, "kernel built without CONFIG_BPF_LSM");
		return;
	}
	if (f->lsm_list_known && !sbx_lsm_list_has(f, "bpf")) {
		f->bpf_lsm = SBX_BPF_LSM_INACTIVE;
		why(f,
		    "CONFIG_BPF_LSM is built but bpf is not in the active LSM list; boot with "
		    "lsm=%.160s,bpf",
		    f->lsm_list);
		return;
	}
	if (!load || !f->privileged) {
		f->bpf_lsm = SBX_BPF_LSM_UNPROVEN;
		why(f, "%s, but proving the hook runs needs root (CAP_BPF and CAP_SYS_ADMIN)",
		    f->lsm_list_known ? "bpf is in the active LSM list"
				      : "the active LSM list is unreadable");
		return;
	}
	run_probe(f);
}
