// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx status on the host kernel, checked against independent probes: each claim the
 * command makes is re-asked of the kernel here, by a different route where one exists.
 */
#include <linux/bpf.h>
#include <sys/syscall.h>

#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "uapi_compat.h"

static char *line_of(char *out, const char *prefix)
{
	for (char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, strlen(prefix)))
			return p;
	return NULL;
}

TEST(landlock_abi_matches_kernel)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", NULL };
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	char want[64];

	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(0, r.status);
	if (abi > 0)
		snprintf(want, sizeof(want), "landlock:      ABI %ld\n", abi);
	else
		snprintf(want, sizeof(want), "landlock:      unavailable");
	ASSERT_NE(NULL, strstr(r.out, want))
	{
		TH_LOG("want '%s' in:\n%s", want, r.out);
	}
}

TEST(kernel_release_matches_uname)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", "--json", NULL };
	struct utsname u;
	char want[128];

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(0, r.status);
	snprintf(want, sizeof(want), "\"kernel\": \"%s\"", u.release);
	ASSERT_NE(NULL, strstr(r.out, want));
	ASSERT_NE(NULL, strstr(r.out, "\"tiers\": {"));
}

/*
 * Load a one-instruction LSM program on bprm_check_security with the raw bpf() wrapper:
 * returns 0 if the kernel accepts it, else -errno. This is the test's own answer to
 * "can BPF LSM programs load here", independent of sbx's skeleton.
 */
static int raw_lsm_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *btf = btf__load_vmlinux_btf();
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC);
	int id, fd;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, "bpf_lsm_bprm_check_security", BTF_KIND_FUNC);
	btf__free(btf);
	if (id <= 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_LSM, "sbx_test", "GPL", insns, 2, &opts);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

TEST(bpf_lsm_state_matches_a_raw_load)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", NULL };
	char *line;
	int load;

	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(0, r.status);
	line = line_of(r.out, "bpf lsm:");
	ASSERT_NE(NULL, line);
	if (geteuid() != 0) {
		/* Unprivileged, sbx must not claim what it could not prove. */
		ASSERT_EQ(NULL, strstr(line, "bpf lsm:       active"));
		ASSERT_NE(NULL, strstr(r.out, "K no"));
		return;
	}
	load = raw_lsm_load();
	TH_LOG("raw LSM program load: %s", load ? strerror(-load) : "accepted");
	if (load == -EPERM) {
		/* The host here: trampolines locked. sbx must say unavailable, and why. */
		ASSERT_NE(NULL, strstr(line, "bpf lsm:       unavailable: "));
		ASSERT_NE(NULL, strstr(line, "Operation not permitted"));
		ASSERT_NE(NULL, strstr(r.out, "K no"));
	} else if (load == 0) {
		ASSERT_EQ(NULL, strstr(line, "unavailable"));
	} else {
		ASSERT_EQ(NULL, strstr(line, "bpf lsm:       active"));
	}
}

TEST(unknown_argument_is_a_usage_error)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_bin(), "status", "--bogus", NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(2, r.status);
	ASSERT_EQ('\0', r.out[0]);
}

TEST_HARNESS_MAIN
