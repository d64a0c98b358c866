// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx status inside a QEMU-booted kernel of the matrix, as root: every kernel of the
 * matrix has bpf in its LSM list and BTF, so BPF LSM must be proved active there (a probe
 * attached and was seen to run) and tier K available.
 */
#include "kselftest_harness.h"
#include "sbx_test.h"

static int read_lsm_list(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/security/lsm", "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

TEST(bpf_lsm_is_active)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", NULL };
	char lsm[256];

	if (geteuid() != 0)
		SKIP(return, "the BPF LSM probe needs root");
	ASSERT_EQ(0, read_lsm_list(lsm, sizeof(lsm)));
	ASSERT_NE(NULL, strstr(lsm, "bpf"))
	{
		TH_LOG("this kernel's LSM list lacks bpf: %s", lsm);
	}
	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(0, r.status);
	ASSERT_NE(NULL, strstr(r.out, "bpf lsm:       active: a probe on bprm_check_security "
				      "attached and ran"))
	{
		TH_LOG("sbx status said:\n%s", r.out);
	}
	ASSERT_NE(NULL, strstr(r.out, "K yes"));
}

TEST(json_reports_tier_k)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", "--json", NULL };

	if (geteuid() != 0)
		SKIP(return, "the BPF LSM probe needs root");
	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(0, r.status);
	ASSERT_NE(NULL, strstr(r.out, "\"state\": \"active\""));
	ASSERT_NE(NULL, strstr(r.out, "\"K\": true"));
	ASSERT_NE(NULL, strstr(r.out, "\"btf\": true"));
}

TEST(unprivileged_status_claims_nothing_it_cannot_prove)
{
	static struct sbx_cmd_result r;
	char *argv[] = { "setpriv",
			 "--reuid=65534",
			 "--regid=65534",
			 "--clear-groups",
			 (char *)sbx_bin(),
			 "status",
			 NULL };

	if (geteuid() != 0)
		SKIP(return, "needs root to drop to uid 65534");
	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(0, r.status)
	{
		TH_LOG("stderr: %s", r.err);
	}
	ASSERT_NE(NULL, strstr(r.out, "bpf lsm:       unproven: "));
	ASSERT_NE(NULL, strstr(r.out, "K no"));
}

/*
 * atk7k E4: a directory named like sbx's pins is not sbx's pins. With nothing loaded,
 * status must neither say that pins enforce nor read the probe's result through them.
 */
TEST(a_directory_named_like_the_pins_is_not_the_pins)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", NULL };
	int made;

	if (geteuid() != 0)
		SKIP(return, "making a directory on bpffs needs root");
	if (!access("/sys/fs/bpf/sbx", F_OK))
		SKIP(return, "/sys/fs/bpf/sbx exists: another test left sbx's pins");
	made = mkdir("/sys/fs/bpf/sbx", 0700);
	ASSERT_EQ(0, made) TH_LOG("mkdir /sys/fs/bpf/sbx: %s", strerror(errno));
	made = sbx_run_capture(argv, &r);
	rmdir("/sys/fs/bpf/sbx");
	ASSERT_EQ(0, made);
	EXPECT_EQ(NULL, strstr(r.out, "still enforce")) TH_LOG("sbx status said:\n%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "sbxd:          not running")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "K yes")) TH_LOG("%s", r.out);
}

TEST_HARNESS_MAIN
