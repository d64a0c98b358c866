// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF LSM probe for `sbx status`: a kernel can accept an LSM program and never run it
 * (bpf missing from the active LSM list), so loading is not proof. This program counts
 * bprm_check_security calls made by one tgid, the child sbx status execs; a non-zero
 * count is proof the hook fires. It never denies anything.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sbx_abi.h"

const volatile __u32 monitored_tgid = 0;
struct sbx_lsm_probe_result probe_result = {};

SEC("lsm/bprm_check_security")
int BPF_PROG(sbx_lsm_probe_bprm_check, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == monitored_tgid)
		__sync_fetch_and_add(&probe_result.hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
