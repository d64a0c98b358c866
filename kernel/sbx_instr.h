/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The BPF program types anyone may load while self-protection is armed
 * (bpf/instr_guard.bpf.c refuses the others; userspace/lib/bpf/instr.c refuses to arm while
 * a program of another type is loaded). UAPI numbers of enum bpf_prog_type, so that a
 * header older than the kernel (the build host's linux/bpf.h) names the same types.
 */
#ifndef SBX_INSTR_H
#define SBX_INSTR_H

#define SBX_INSTR_TYPE(t) (1ull << (t))
#define SBX_INSTR_ALLOWED_TYPES                                                             \
	(SBX_INSTR_TYPE(1) /* SOCKET_FILTER */ | SBX_INSTR_TYPE(3) /* SCHED_CLS */ |        \
	 SBX_INSTR_TYPE(4) /* SCHED_ACT */ | SBX_INSTR_TYPE(6) /* XDP */ |                  \
	 SBX_INSTR_TYPE(8) /* CGROUP_SKB */ | SBX_INSTR_TYPE(9) /* CGROUP_SOCK */ |         \
	 SBX_INSTR_TYPE(10) /* LWT_IN */ | SBX_INSTR_TYPE(11) /* LWT_OUT */ |               \
	 SBX_INSTR_TYPE(12) /* LWT_XMIT */ | SBX_INSTR_TYPE(13) /* SOCK_OPS */ |            \
	 SBX_INSTR_TYPE(14) /* SK_SKB */ | SBX_INSTR_TYPE(15) /* CGROUP_DEVICE */ |         \
	 SBX_INSTR_TYPE(16) /* SK_MSG */ | SBX_INSTR_TYPE(18) /* CGROUP_SOCK_ADDR */ |      \
	 SBX_INSTR_TYPE(19) /* LWT_SEG6LOCAL */ | SBX_INSTR_TYPE(20) /* LIRC_MODE2 */ |     \
	 SBX_INSTR_TYPE(21) /* SK_REUSEPORT */ | SBX_INSTR_TYPE(22) /* FLOW_DISSECTOR */ |  \
	 SBX_INSTR_TYPE(23) /* CGROUP_SYSCTL */ | SBX_INSTR_TYPE(25) /* CGROUP_SOCKOPT */ | \
	 SBX_INSTR_TYPE(30) /* SK_LOOKUP */ | SBX_INSTR_TYPE(32) /* NETFILTER */)

/* May anyone load a program of type t while armed? */
#define SBX_INSTR_ALLOWED(t) ((t) < 64 && (SBX_INSTR_ALLOWED_TYPES & SBX_INSTR_TYPE(t)))

/*
 * The attach types (enum bpf_attach_type, UAPI numbers) anyone may attach while armed, by
 * BPF_PROG_ATTACH or BPF_LINK_CREATE: the ones of the program types above, and nothing
 * else. Refused: TRACE_RAW_TP to LSM_MAC, TRACE_ITER (23 to 28), PERF_EVENT, KPROBE_MULTI,
 * LSM_CGROUP, STRUCT_OPS (41 to 44), UPROBE_MULTI (48), K/UPROBE_SESSION (56, 57) and every
 * number after 55 (atk6k F3: an LSM_CGROUP program loaded before the arming).
 */
#define SBX_INSTR_RANGE(lo, hi) (((1ull << ((hi) - (lo) + 1)) - 1) << (lo))
#define SBX_INSTR_ALLOWED_ATTACH                                                    \
	(SBX_INSTR_RANGE(0, 22) /* CGROUP_INET_INGRESS .. CGROUP_SETSOCKOPT */ |    \
	 SBX_INSTR_RANGE(29, 40) /* CGROUP_INET4_GETPEERNAME .. SK_REUSEPORT_* */ | \
	 SBX_INSTR_RANGE(45, 47) /* NETFILTER, TCX_INGRESS, TCX_EGRESS */ |         \
	 SBX_INSTR_RANGE(49, 55) /* CGROUP_UNIX_CONNECT .. NETKIT_PEER */)

/* May anyone attach a program as attach type t while armed? */
#define SBX_INSTR_ATTACH_ALLOWED(t) ((t) < 64 && (SBX_INSTR_ALLOWED_ATTACH & SBX_INSTR_TYPE(t)))

#endif /* SBX_INSTR_H */
