/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel instrumentation present when self-protection arms (bpf/instr_guard.bpf.c refuses
 * new tracing programs while armed; this looks for the ones loaded before it). A program
 * loaded before the arming is the "planted before arming" family: an fmod_ret on
 * security_bpf attached at boot skips the new refusal too (atk4 K1).
 */
#ifndef SBX_BPF_INSTR_H
#define SBX_BPF_INSTR_H

#include <stdint.h>

#include "diag.h"

struct sbx_instr_found {
	unsigned int lsm; /* LSM programs not sbx's own (reported, not refused) */
	uint32_t lsm_id; /* the first of them, and its name */
	char lsm_name[16];
};

/*
 * Every loaded BPF program that is not one of sbx's (pinned as prog_* in pin_dir) and
 * whose type bpf/instr_guard.bpf.c refuses while armed: -EBUSY, with the first one named
 * in d. LSM programs are counted in found (may be NULL) and let through: systemd loads one
 * (restrict_filesystems) at boot on every machine with the BPF LSM. Any program not sbx's
 * that uses one of sbx's maps (pinned in pin_dir) is -EBUSY too, whatever its type: it
 * writes them from the BPF side, which no freeze stops (bpf/self_protect.bpf.c refuses
 * such a program's descriptor while armed; this finds one loaded before).
 */
int sbx_instr_check(const char *pin_dir, struct sbx_instr_found *found, struct sbx_diag *d);

#endif /* SBX_BPF_INSTR_H */
