/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SBX_PROBE_INTERNAL_H
#define SBX_PROBE_INTERNAL_H

#include <stdbool.h>

#include "probe/features.h"

bool sbx_lsm_list_has(const struct sbx_features *f, const char *name);
/* Fills bpf_lsm and bpf_lsm_why; needs btf, lsm_list and privileged already probed. */
void sbx_probe_bpf_lsm(struct sbx_features *f, bool load);

#endif
