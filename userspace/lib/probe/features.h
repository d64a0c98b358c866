/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the running kernel offers sbx, as probed by sbx_features_probe(). A plain value:
 * the profile compiler takes it as a host fact, `sbx status` prints it.
 */
#ifndef SBX_PROBE_FEATURES_H
#define SBX_PROBE_FEATURES_H

#include <stdbool.h>

enum sbx_bpf_lsm_state {
	SBX_BPF_LSM_UNAVAILABLE, /* not built, not loadable, or not permitted: see why */
	SBX_BPF_LSM_INACTIVE, /* compiled in, but bpf is not in the active LSM list */
	SBX_BPF_LSM_UNPROVEN, /* compiled and listed, but the probe could not run (not root) */
	SBX_BPF_LSM_ACTIVE, /* a probe program attached and was observed to run */
};

struct sbx_features {
	char kernel_release[65];
	/* Landlock: ABI version, 0 when unavailable (landlock_why says why). */
	int landlock_abi;
	int landlock_errata;
	char landlock_why[128];
	bool seccomp_filter;
	bool seccomp_user_notif;
	bool mdwe; /* prctl(PR_SET_MDWE): no write+exec memory, kernel-enforced (6.3) */
	bool memfd_noexec_seal; /* memfd_create(MFD_NOEXEC_SEAL): a memfd that can never run (6.3)
				 */
	bool btf; /* /sys/kernel/btf/vmlinux present and parseable */
	enum sbx_bpf_lsm_state bpf_lsm;
	char bpf_lsm_why[256];
	bool fanotify_perm; /* fanotify permission events, FAN_OPEN_EXEC_PERM included */
	char fanotify_why[128];
	char lsm_list[256]; /* active LSMs, comma-separated; empty when unreadable */
	bool lsm_list_known;
	bool privileged; /* CAP_SYS_ADMIN and CAP_BPF: may use tiers F and K */
};

/* The sbx tiers (DESIGN.md): U = unprivileged sandbox, F = fanotify exec gating,
 * K = BPF LSM enforcement. */
bool sbx_tier_u(const struct sbx_features *f);
bool sbx_tier_f(const struct sbx_features *f);
bool sbx_tier_k(const struct sbx_features *f);
const char *sbx_bpf_lsm_state_name(enum sbx_bpf_lsm_state s);
/* memfd_create(MFD_NOEXEC_SEAL) works here (6.3); probed once, then remembered. */
bool sbx_memfd_noexec_seal_supported(void);

/*
 * What a sandbox needs, and nothing else: kernel release, Landlock ABI (and errata),
 * seccomp filters and user notification, MDWE. A few system calls: what each launch
 * probes (sbx run), where sbx_features_probe() also parses the kernel's BTF and probes
 * fanotify and BPF (tens of milliseconds). The other fields stay zero.
 */
void sbx_features_probe_sandbox(struct sbx_features *f);

/*
 * Probe the running kernel: sbx_features_probe_sandbox(), then the rest. With
 * with_bpf_lsm_probe, a root caller loads, attaches and exercises the BPF LSM probe program
 * (bpf/lsm_probe.bpf.c); otherwise the BPF LSM state stops at what can be read without
 * loading anything. Never fails: each unknown is recorded with its reason.
 */
void sbx_features_probe(struct sbx_features *f, bool with_bpf_lsm_probe);

#endif /* SBX_PROBE_FEATURES_H */
