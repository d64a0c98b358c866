// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel memory and kernel code with the real, signed sbxd armed (bpf/kernel_lockdown.bpf.c;
 * atk6k F2 and M were found against it): root, this test, loads a SCHED_CLS program that
 * calls bpf_probe_read_kernel (F2's first step), loads an unsigned module (M), and opens
 * /proc/kcore. The control is the same sbxd with `--protect no`, where each succeeds (the
 * module reaches EEXIST: loop is loaded already, so nothing new runs); armed, the signed
 * loop.ko still passes the kernel's signature check.
 */
#include "sbxd_k.h"
#include "lockdown_test.h"

/* What root got for each route: 0 (it worked) or the errno that refused it. */
struct routes {
	int probe_read_kernel, unsigned_ko, signed_ko, kcore;
};

static void try_routes(FIXTURE_DATA(sbxd_k) * self, struct routes *r)
{
	char stripped[LEN + 32];

	r->probe_read_kernel = lockdown_load_reader(BPF_PROG_TYPE_SCHED_CLS, "kernel");
	r->kcore = access("/proc/kcore", F_OK) ? -1 : open_errno("/proc/kcore", O_RDONLY);
	r->unsigned_ko = r->signed_ko = -1;
	if (!lockdown_module_ready())
		return;
	fmt(stripped, sizeof(stripped), "%s/loop-unsigned.ko", self->dir);
	if (lockdown_module_unsigned(LOCKDOWN_SIGNED_KO, stripped))
		return;
	r->unsigned_ko = lockdown_finit_module(stripped);
	r->signed_ko = lockdown_finit_module(LOCKDOWN_SIGNED_KO);
}

TEST_F_TIMEOUT(sbxd_k, protect_off_root_reaches_kernel, 300)
{
	struct routes r;

	start_signed(_metadata, self, "--protect no");
	try_routes(self, &r);
	EXPECT_EQ(0, r.probe_read_kernel);
	if (r.kcore >= 0)
		EXPECT_EQ(0, r.kcore);
	if (r.unsigned_ko >= 0) {
		EXPECT_EQ(EEXIST, r.unsigned_ko);
		EXPECT_EQ(EEXIST, r.signed_ko);
	}
}

TEST_F_TIMEOUT(sbxd_k, armed_root_reaches_no_kernel_memory_or_code, 300)
{
	struct routes r;

	start_signed(_metadata, self, "");
	self->armed = true;
	ASSERT_TRUE(logged(self, "self-protection on"));
	try_routes(self, &r);
	EXPECT_NE(0, r.probe_read_kernel);
	if (r.kcore >= 0)
		EXPECT_EQ(EPERM, r.kcore);
	if (r.unsigned_ko < 0)
		SKIP(return, "no loaded module from the guest's /modules (tests/vm/kernels.sh)");
	EXPECT_EQ(EPERM, r.unsigned_ko);
	EXPECT_EQ(EEXIST, r.signed_ko);
}

TEST_HARNESS_MAIN
