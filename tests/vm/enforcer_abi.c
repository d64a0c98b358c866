// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Adoption of a pinned enforcer checks its ABI (sbx_enforcer_open): the programs and maps
 * pinned by a loader of another SBX_ABI_VERSION (kernel/sbx_abi.h) read their maps with
 * another meaning (ABI 1 keyed a disk file's guard by device, inode number and
 * generation; ABI 2 by device and inode number, and guards attributes and xattrs), so a
 * new sbxd must not take them over as its own. A loader that meets one refuses, with one
 * line that names the pin directory, both ABIs and the way out. The pinned enforcer of
 * another ABI is made by writing an older abi_version into the pinned configuration (the
 * configuration map is writable until the arming freezes it). Control: the same ABI is
 * adopted.
 */
#include "enforcer_test.h"

#define ABI_PIN_DIR TEST_PIN_DIR "-abi"

FIXTURE(enforcer_abi)
{
	struct sbx_enforcer *e;
};

static int abi_open(struct sbx_enforcer **e, struct sbx_diag *d)
{
	struct sbx_enforcer_opts o = {
		.sz = sizeof(o),
		.mode = SBX_ENFORCE_COMPLAIN,
		.scope = SBX_SCOPE_SANDBOXED,
		.pin_dir = ABI_PIN_DIR,
	};

	return sbx_enforcer_open(&o, e, d);
}

FIXTURE_SETUP(enforcer_abi)
{
	struct sbx_diag d = { 0 };

	self->e = NULL;
	if (geteuid())
		SKIP(return, "needs root: BPF LSM");
	if (!sbx_enforcer_supported(&d))
		SKIP(return, "tier K unavailable here: %.160s", d.msg);
	sbx_enforcer_unload(ABI_PIN_DIR, NULL);
	ASSERT_EQ(0, abi_open(&self->e, &d)) TH_LOG("%s", d.msg);
}

FIXTURE_TEARDOWN(enforcer_abi)
{
	if (self->e)
		sbx_enforcer_close(self->e);
	sbx_enforcer_unload(ABI_PIN_DIR, NULL);
}

/* The pinned configuration's ABI set to abi, through its pin. */
static void pin_abi(struct __test_metadata *_metadata, __u32 abi)
{
	struct sbx_enforcer_config cfg;
	__u32 zero = 0;
	int fd = bpf_obj_get(ABI_PIN_DIR "/sbx_config");

	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &zero, &cfg));
	cfg.abi_version = abi;
	ASSERT_EQ(0, bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY)) TH_LOG("%s", strerror(errno));
	close(fd);
}

TEST_F(enforcer_abi, same_abi_adopted)
{
	struct sbx_enforcer_stats s;
	struct sbx_diag d = { 0 };

	sbx_enforcer_close(self->e);
	self->e = NULL;
	ASSERT_EQ(0, abi_open(&self->e, &d)) TH_LOG("%s", d.msg);
	ASSERT_EQ(0, sbx_enforcer_stats(self->e, &s, &d));
	EXPECT_TRUE(s.adopted);
}

TEST_F(enforcer_abi, other_abi_refused)
{
	const __u32 abis[] = { SBX_ABI_VERSION - 1, SBX_ABI_VERSION + 1 };
	char want[256];

	sbx_enforcer_close(self->e);
	self->e = NULL;
	for (size_t i = 0; i < sizeof(abis) / sizeof(abis[0]); i++) {
		struct sbx_diag d = { 0 };

		pin_abi(_metadata, abis[i]);
		EXPECT_EQ(-ESTALE, abi_open(&self->e, &d)) TH_LOG("%s", d.msg);
		snprintf(want, sizeof(want),
			 "bpf-enforcer: the enforcer pinned in %s is another version (ABI %u, "
			 "this is %u): unload it first",
			 ABI_PIN_DIR, abis[i], SBX_ABI_VERSION);
		EXPECT_STREQ(want, d.msg);
		EXPECT_EQ(NULL, strchr(d.msg, '\n'));
		if (self->e) {
			sbx_enforcer_close(self->e);
			self->e = NULL;
		}
	}
}

TEST_HARNESS_MAIN
