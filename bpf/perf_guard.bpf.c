// SPDX-License-Identifier: GPL-2.0-only
/*
 * No debugging of a hardened task through a perf event that is bound to no task (issue 11,
 * atk3's family B). A CPU-wide event (pid -1) or a cgroup event (PERF_FLAG_PID_CGROUP)
 * samples whatever runs on its CPU, hardened tasks too: `perf record -a --call-graph dwarf`
 * copies their user registers and up to 64 KiB of their user stack a sample. Root may, and
 * so may anyone at perf_event_paranoid <= 0; no ptrace question is asked, there is no task.
 *
 * The decision, as on macOS: system-wide profiling sees where every process is (addresses,
 * call chains, counts), not a hardened process's memory or registers. So, while the
 * enforcer is loaded, an event without a task may only record the sample fields on
 * SBX_PERF_SAMPLE_OPEN below; anything else (a field of 6.1 to 7.2 not on the list, or
 * one a later kernel adds) is refused, unless the opener is a hardened program that
 * carries cs.debugger (sbx_may_debug), which may debug every hardened task anyway.
 * The refusal is reported (SBX_HOOK_PERF, SBX_DENY_NOT_DEBUGGABLE) as every other one.
 *
 * The hook is perf_event_alloc, not perf_event_open:
 *  - perf_event_open gets only the check's type and no attr in 6.12 and 7.2 (their BTF:
 *    bpf_lsm_perf_event_open(int type)), so it cannot tell what the event records;
 *  - in 6.1 its PERF_SECURITY_CPU call (find_get_context, for every event without a
 *    task, cgroup events included: their pid is a cgroup descriptor, no task is looked up)
 *    gets the attr but not the event;
 *  - perf_event_alloc sees every event the kernel makes, with its final attr and its target
 *    (event->hw.target, NULL for CPU-wide and cgroup events), in 6.1 to 7.2. Events with a
 *    target are ptrace_guard.bpf.c's (and the exec's, for events made before it).
 * exclude_user is no way out: a sample taken in the kernel still copies the interrupted
 * task's user registers and stack (perf_sample_regs_user reads task_pt_regs), so the list
 * applies whatever the event excludes. Nothing changes sample_type after the event is made
 * (PERF_EVENT_IOC_MODIFY_ATTRIBUTES only moves a breakpoint).
 *
 * The fast path: an event with a task, or one whose fields are all on the list, returns
 * before any lookup (perf record -a without user stacks costs nothing here).
 */
#include "sbx_enforcer.bpf.h"

/*
 * The fields of enum perf_event_sample_format (uapi: the same values in 6.1 to 7.2) that
 * are addresses, identifiers or counts. CALLCHAIN's user part is return addresses the kernel
 * reads off the user stack by frame pointer, BRANCH_STACK the last branches' source and
 * target, ADDR a data address, TRANSACTION an abort code and flags. Left off: RAW
 * (tracepoint payloads: system call arguments, what the probe fetched), REGS_USER,
 * STACK_USER, REGS_INTR (the user registers when the interrupt hit user mode), AUX (a
 * PMU's trace or sample buffer: Intel PT, ARM SPE), and every bit above WEIGHT_STRUCT.
 * One exception: the raw data of a BPF output event (PERF_COUNT_SW_BPF_OUTPUT, what
 * libbpf's perf_buffer and BCC open on every CPU) is only what a BPF program writes
 * there, never a sampled task's state; what such a program may read is root's BPF
 * tracing, which no perf event rule reaches (userspace/daemon/README.md, Limits).
 */
#define SBX_PERF_SAMPLE_OPEN                                                           \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |      \
	 PERF_SAMPLE_READ | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_ID | PERF_SAMPLE_CPU | \
	 PERF_SAMPLE_PERIOD | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_BRANCH_STACK |       \
	 PERF_SAMPLE_WEIGHT | PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_IDENTIFIER |          \
	 PERF_SAMPLE_TRANSACTION | PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_CGROUP |        \
	 PERF_SAMPLE_DATA_PAGE_SIZE | PERF_SAMPLE_CODE_PAGE_SIZE | PERF_SAMPLE_WEIGHT_STRUCT)

const char sbx_name_perf[] = "(perf event without a task)";

SEC("lsm/perf_event_alloc")
int BPF_PROG(sbx_perf_wide_check, struct perf_event *event, int ret)
{
	struct sbx_enforcer_config *cfg;
	__u64 allowed = SBX_PERF_SAMPLE_OPEN;

	if (ret)
		return ret;
	if (event->hw.target)
		return 0;
	if (event->attr.type == PERF_TYPE_SOFTWARE &&
	    event->attr.config == PERF_COUNT_SW_BPF_OUTPUT)
		allowed |= PERF_SAMPLE_RAW;
	if (!(event->attr.sample_type & ~allowed))
		return 0;
	cfg = sbx_config_get();
	if (!cfg || !cfg->abi_version)
		return 0;
	if (sbx_may_debug(sbx_task_state(sbx_current(), false), NULL))
		return 0;
	return sbx_deny(cfg, NULL, sbx_name_perf, SBX_HOOK_PERF, SBX_DENY_NOT_DEBUGGABLE);
}

char LICENSE[] SEC("license") = "GPL";
