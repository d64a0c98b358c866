/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by enforcer_lockdown.c (the test as the daemon) and sbxd_lockdown.c (the real
 * sbxd): the routes into kernel memory and kernel code bpf/kernel_lockdown.bpf.c refuses,
 * as root tries them.
 */
#ifndef SBX_VM_LOCKDOWN_TEST_H
#define SBX_VM_LOCKDOWN_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#define LOCKDOWN_I(c, d, s, o, i) ((struct bpf_insn){ (c), (d), (s), (o), (i) })
#define MODULE_MARKER		  "~Module signature appended~\n"
#define MODULE_SIG_TAIL		  12 /* struct module_signature, sig_len big-endian at its end */
/* The distribution's signed loop.ko, loaded at boot by tests/vm/init (kernels.sh MODULES). */
#define LOCKDOWN_SIGNED_KO "/modules/loop.ko"

/*
 * A program of an allowed type (kernel/sbx_instr.h) that reads outside its context, as how
 * says: 0 if it loaded, else the errno.
 *  kernel    bpf_probe_read_kernel(fp - 8, 8, NULL): lockdown's BPF_READ_KERNEL (atk6k F2)
 *  user      bpf_probe_read_user(fp - 8, 8, NULL): CAP_PERFMON's base helper, no lockdown
 *  btf       a load through a BTF pointer: current->thread_info.flags, no helper reads it
 *  cast      bpf_rdonly_cast(0, struct task_struct) (a kfunc of every type, 6.2+), then a
 *            load through it; castvoid: bpf_rdonly_cast(0, 0), untyped memory (7.x);
 *            ENOSYS where the kernel has no such kfunc
 *  rcu       bpf_rcu_read_lock(), bpf_rcu_read_unlock(): kfuncs that read nothing (6.2+)
 *  ksym      the address of a kernel variable by BTF id (__ksym: the per-CPU
 *            bpf_prog_active), not read
 */
static inline int lockdown_load_reader(enum bpf_prog_type type, const char *how)
{
	struct bpf_insn probe[] = {
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0),
		LOCKDOWN_I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	const struct bpf_insn btf[] = {
		LOCKDOWN_I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_task_btf),
		LOCKDOWN_I(BPF_LDX | BPF_MEM | BPF_DW, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct bpf_insn cast[] = {
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0),
		LOCKDOWN_I(BPF_LDX | BPF_MEM | BPF_DW, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct bpf_insn rcu[] = {
		LOCKDOWN_I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct bpf_insn ksym[] = {
		LOCKDOWN_I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_BTF_ID, 0, 0),
		LOCKDOWN_I(0, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		LOCKDOWN_I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	const struct bpf_insn *insns = probe;
	size_t n = ARRAY_SIZE(probe);
	int fd;

	if (!strncmp(how, "cast", 4)) {
		struct btf *vm = btf__load_vmlinux_btf();
		int fn = vm ? btf__find_by_name_kind(vm, "bpf_rdonly_cast", BTF_KIND_FUNC) : -1;
		int task = vm ? btf__find_by_name_kind(vm, "task_struct", BTF_KIND_STRUCT) : -1;

		btf__free(vm);
		if (fn <= 0 || task <= 0)
			return ENOSYS; /* 6.1: no such kfunc */
		cast[1].imm = strcmp(how, "castvoid") ? task : 0;
		cast[2].imm = fn;
		insns = cast;
		n = ARRAY_SIZE(cast);
	} else if (!strcmp(how, "rcu")) {
		struct btf *vm = btf__load_vmlinux_btf();
		int lock = vm ? btf__find_by_name_kind(vm, "bpf_rcu_read_lock", BTF_KIND_FUNC) : -1;
		int unlock =
			vm ? btf__find_by_name_kind(vm, "bpf_rcu_read_unlock", BTF_KIND_FUNC) : -1;

		btf__free(vm);
		if (lock <= 0 || unlock <= 0)
			return ENOSYS;
		rcu[0].imm = lock;
		rcu[1].imm = unlock;
		insns = rcu;
		n = ARRAY_SIZE(rcu);
	} else if (!strcmp(how, "ksym")) {
		struct btf *vm = btf__load_vmlinux_btf();
		int var = vm ? btf__find_by_name_kind(vm, "bpf_prog_active", BTF_KIND_VAR) : -1;

		btf__free(vm);
		if (var <= 0)
			return ENOSYS;
		ksym[0].imm = var;
		insns = ksym;
		n = ARRAY_SIZE(ksym);
	} else if (!strcmp(how, "btf")) {
		insns = btf;
		n = ARRAY_SIZE(btf);
	} else if (!strcmp(how, "user")) {
		probe[4].imm = BPF_FUNC_probe_read_user;
	}
	fd = bpf_prog_load(type, "sbx_lockdown", "GPL", insns, n, NULL);
	return fd < 0 ? errno : 0;
}

/* path's module without its appended signature, written to out: 0 or -errno. */
static inline int lockdown_module_unsigned(const char *path, const char *out)
{
	size_t mlen = strlen(MODULE_MARKER), len;
	unsigned char *buf = malloc(64 << 20);
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = -EINVAL;
	ssize_t n = -1;
	uint32_t sig;

	if (fd >= 0 && buf)
		n = read(fd, buf, 64 << 20);
	if (fd >= 0)
		close(fd);
	len = n > 0 ? (size_t)n : 0;
	if (len > mlen + MODULE_SIG_TAIL && !memcmp(buf + len - mlen, MODULE_MARKER, mlen)) {
		len -= mlen;
		sig = (uint32_t)buf[len - 4] << 24 | (uint32_t)buf[len - 3] << 16 |
		      (uint32_t)buf[len - 2] << 8 | buf[len - 1];
		if (sig < len - MODULE_SIG_TAIL)
			err = write_file(out, buf, len - MODULE_SIG_TAIL - sig, 0644);
	}
	free(buf);
	return err;
}

/* Is LOCKDOWN_SIGNED_KO there and loaded (so a load that passes stops at EEXIST)? */
static inline bool lockdown_module_ready(void)
{
	return !access(LOCKDOWN_SIGNED_KO, R_OK) && !access("/sys/module/loop", F_OK);
}

/* finit_module of path: 0 or the errno. */
static inline int lockdown_finit_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return errno;
	err = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	close(fd);
	return err;
}

#endif /* SBX_VM_LOCKDOWN_TEST_H */
