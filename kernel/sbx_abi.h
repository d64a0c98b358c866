/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between sbx's BPF programs and userspace: every map key, map value, event
 * record and policy bit is defined here and only here. Fixed-width types, explicit padding,
 * and a size assertion for each record, because both sides read the same bytes.
 */
#ifndef SBX_ABI_H
#define SBX_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SBX_ABI_VERSION 1

/*
 * Kernel policy record: the part of a compiled profile (userspace/lib/compile) that the
 * BPF side enforces. Hardened Runtime is the default; each SBX_POLICY_ALLOW_* bit lifts
 * one restriction, as the matching cs.* entitlement does on macOS.
 */
enum sbx_policy_flags {
	SBX_POLICY_APP_SANDBOX = 1u << 0,
	SBX_POLICY_HARDENED_RUNTIME = 1u << 1,
	SBX_POLICY_ALLOW_JIT = 1u << 2, /* cs.allow-jit */
	SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM = 1u << 3, /* cs.allow-unsigned-executable-memory */
	SBX_POLICY_ALLOW_DYLD_ENV = 1u << 4, /* cs.allow-dyld-environment-variables */
	SBX_POLICY_DISABLE_LIBRARY_VALIDATION = 1u << 5, /* cs.disable-library-validation */
	SBX_POLICY_DISABLE_EXEC_PAGE_PROTECTION = 1u
						  << 6, /* cs.disable-executable-page-protection */
	SBX_POLICY_DEBUGGER = 1u << 7, /* cs.debugger */
	SBX_POLICY_GET_TASK_ALLOW = 1u << 8, /* get-task-allow */
	SBX_POLICY_NETWORK_CLIENT = 1u << 9,
	SBX_POLICY_NETWORK_SERVER = 1u << 10,
};

struct sbx_policy_record {
	__u32 abi_version; /* SBX_ABI_VERSION */
	__u32 flags; /* enum sbx_policy_flags */
};
_Static_assert(sizeof(struct sbx_policy_record) == 8, "sbx_policy_record is 8 bytes");

/*
 * BPF LSM probe (bpf/lsm_probe.bpf.c): `sbx status` proves the hook really runs by
 * exec'ing one child whose tgid it writes into the program's read-only data; the
 * program counts the calls it saw for that tgid.
 */
struct sbx_lsm_probe_result {
	__u32 hits; /* bprm_check_security calls seen for the monitored tgid */
	__u32 pad;
};
_Static_assert(sizeof(struct sbx_lsm_probe_result) == 8, "sbx_lsm_probe_result is 8 bytes");

#endif /* SBX_ABI_H */
