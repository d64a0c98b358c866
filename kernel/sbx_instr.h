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

#endif /* SBX_INSTR_H */
