// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl by allow-list (compile_ioctls): what a confined plan lets through, what it refuses
 * and why, per device family; answered by seccomp_rule_match(), the first matching rule, as
 * the kernel filter sbx writes and the supervisor take them. The filter itself is loaded
 * for real in compile_seccomp.c and tests/escape.
 */
#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "compile_test.h"

#include "compile/compile.h"
#include "seccomp/seccomp.h"

#define SANDBOX "  app-sandbox: true\n"

/* The rule that answers ioctl(fd, request), or NULL when the call runs. */
static const struct sbx_seccomp_rule *ioctl_rule(const struct sbx_plan *plan, uint64_t request)
{
	uint64_t args[6] = { 3, request };

	return seccomp_rule_match(&plan->seccomp, __NR_ioctl, args);
}

static const char outside[] = "ioctl requests outside the allow-list";

/* Requests of file systems the old deny-list of types never named (atk11u, noticed). */
static const struct {
	uint64_t request;
	const char *name;
} foreign[] = {
	{ 0x40047211, "FAT_IOCTL_SET_ATTRIBUTES ('r')" },
	{ 0x80047210, "FAT_IOCTL_GET_ATTRIBUTES ('r')" },
	{ 0x4004cf03, "CIFS_IOC_COPYCHUNK_FILE (0xcf)" },
	{ 0x4004f50d, "F2FS_IOC_SET_PIN_FILE (0xf5)" },
	{ 0x4004f501, "F2FS_IOC_START_ATOMIC_WRITE (0xf5)" },
	{ 0x40406f06, "OCFS2_IOC_RESVSP ('o')" },
	{ 0xc0185879, "XFS_IOC_SWAPEXT ('X', declared read and write)" },
	{ 0x5415, "TIOCMGET (a serial port's modem lines)" },
	{ 0x541d, "TIOCCONS (console redirection)" },
	{ 0x40049409, "FICLONE (btrfs type)" },
	{ 0x80685600, "VIDIOC_QUERYCAP (no camera granted)" },
	{ 0x80044100, "SNDRV_PCM_IOCTL_PVERSION (no audio granted)" },
	{ 0x0000aa3f, "UFFDIO_API-like type 0xaa" },
	{ 0xffffffff, "every bit" },
};

TEST(requests_outside_the_allow_list_refused)
{
	struct sbx_plan *plan = compile_text(_metadata, SANDBOX);

	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		const struct sbx_seccomp_rule *r = ioctl_rule(plan, foreign[i].request);

		ASSERT_NE(NULL, r) TH_LOG("%s runs", foreign[i].name);
		EXPECT_EQ((int)EPERM, r->errno_value) TH_LOG("%s", foreign[i].name);
		EXPECT_EQ((int)SBX_ANSWER_ERRNO, (int)r->answer) TH_LOG("%s", foreign[i].name);
	}
	/* The named refusals keep their own reason; the rest gets the allow-list's. */
	EXPECT_NE(NULL, strstr(ioctl_rule(plan, 0x40047211)->why, outside));
	EXPECT_NE(NULL, strstr(ioctl_rule(plan, 0x40086602)->why, "inode attributes"));
	EXPECT_NE(NULL, strstr(ioctl_rule(plan, 0x5412)->why, "TIOCSTI"));
	sbx_plan_free(plan);
}

/* The kernel reads the request as 32 bits: a high half neither hides nor refuses one. */
TEST(upper_half_of_the_request_ignored)
{
	struct sbx_plan *plan = compile_text(_metadata, SANDBOX);

	EXPECT_EQ(NULL, ioctl_rule(plan, 0x100005401ULL)); /* TCGETS */
	EXPECT_EQ(NULL, ioctl_rule(plan, 0xffffffff00005413ULL)); /* TIOCGWINSZ */
	EXPECT_NE(NULL, ioctl_rule(plan, 0x100000000ULL | 0x40047211));
	EXPECT_NE(NULL, ioctl_rule(plan, 0x100005412ULL)); /* TIOCSTI */
	sbx_plan_free(plan);
}

TEST(what_ordinary_programs_need_runs)
{
	static const uint64_t allowed[] = {
		0x5401 /* TCGETS */,	    0x5403 /* TCSETSW */,     0x5413 /* TIOCGWINSZ */,
		0x5414 /* TIOCSWINSZ */,    0x540f /* TIOCGPGRP */,   0x5410 /* TIOCSPGRP */,
		0x541b /* FIONREAD */,	    0x5421 /* FIONBIO */,     0x5451 /* FIOCLEX */,
		0x5450 /* FIONCLEX */,	    0x8905 /* SIOCATMARK */,  0x8933 /* SIOCGIFINDEX */,
		0x8912 /* SIOCGIFCONF */,   0x2 /* FIGETBSZ */,	      0x80086601 /* GETFLAGS */,
		0x801c581f /* FSGETXATTR*/, 0x802c542a /* TCGETS2 */,
	};
	struct sbx_plan *plan = compile_text(_metadata, SANDBOX);

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		EXPECT_EQ(NULL, ioctl_rule(plan, allowed[i]))
		TH_LOG("%#llx refused", (unsigned long long)allowed[i]);
	}
	sbx_plan_free(plan);
}

/* The signal owners: the supervisor below Landlock ABI 6, the allow-list from it. */
TEST(socket_owner_supervised_below_abi_6_allowed_from_it)
{
	struct sbx_plan *plan = compile_text(_metadata, SANDBOX);
	struct sbx_seccomp_plan fitted;
	uint64_t args[6] = { 3, 0x8901 };

	EXPECT_EQ((int)SBX_ANSWER_SUPERVISOR, (int)ioctl_rule(plan, 0x8901)->answer);
	ASSERT_EQ(0, seccomp_plan_fit(&plan->seccomp, 6, &fitted));
	EXPECT_EQ(NULL, seccomp_rule_match(&fitted, __NR_ioctl, args));
	free(fitted.rules);
	sbx_plan_free(plan);
}

/* A granted device family keeps its requests; Landlock still judges which node opens. */
FIXTURE(device_family)
{
	struct sbx_plan *without, *with;
};

FIXTURE_VARIANT(device_family)
{
	const char *entitlement;
	uint64_t request;
};

FIXTURE_VARIANT_ADD(device_family, camera_v4l2){
	.entitlement = "  device.camera: true\n", .request = 0x80685600, /* VIDIOC_QUERYCAP */
};
FIXTURE_VARIANT_ADD(device_family, camera_media_controller){
	.entitlement = "  device.camera: true\n", .request = 0xc1007c00, /* MEDIA_IOC_DEVICE_INFO */
};
FIXTURE_VARIANT_ADD(device_family, audio_pcm){
	.entitlement = "  device.audio-input: true\n",
	.request = 0x80044100, /* SNDRV_PCM_IOCTL_PVERSION */
};
FIXTURE_VARIANT_ADD(device_family, audio_control_by_the_older_key){
	.entitlement = "  device.microphone: true\n",
	.request = 0xc1105517, /* SNDRV_CTL_IOCTL_ELEM_INFO */
};
FIXTURE_VARIANT_ADD(device_family, audio_timer){
	.entitlement = "  device.audio-input: true\n",
	.request = 0x54a0, /* SNDRV_TIMER_IOCTL_START */
};
FIXTURE_VARIANT_ADD(device_family, usbfs){
	.entitlement = "  device.usb: true\n",
	.request = 0x8108551b, /* USBDEVFS_CONNECTINFO-like 'U' read */
};
FIXTURE_VARIANT_ADD(device_family, serial_modem_lines){
	.entitlement = "  device.serial: true\n", .request = 0x5415, /* TIOCMGET */
};
FIXTURE_VARIANT_ADD(device_family, bluetooth_rfcomm_tty){
	.entitlement = "  device.bluetooth: true\n", .request = 0x5418, /* TIOCMSET */
};
FIXTURE_VARIANT_ADD(device_family, bluetooth_hci){
	.entitlement = "  device.bluetooth: true\n", .request = 0x800448d2, /* HCIGETDEVLIST */
};

FIXTURE_SETUP(device_family)
{
	char ents[256];

	snprintf(ents, sizeof(ents), "%s%s", SANDBOX, variant->entitlement);
	self->without = compile_text(_metadata, SANDBOX);
	self->with = compile_text(_metadata, ents);
}

FIXTURE_TEARDOWN(device_family)
{
	sbx_plan_free(self->without);
	sbx_plan_free(self->with);
}

TEST_F(device_family, requests_run_only_with_the_grant)
{
	const struct sbx_seccomp_rule *r = ioctl_rule(self->without, variant->request);

	ASSERT_NE(NULL, r);
	EXPECT_NE(NULL, strstr(r->why, outside));
	EXPECT_EQ(NULL, ioctl_rule(self->with, variant->request));
	/* The named refusals hold whatever the device. */
	EXPECT_NE(NULL, ioctl_rule(self->with, 0x5412)); /* TIOCSTI */
	EXPECT_NE(NULL, ioctl_rule(self->with, 0x541c)); /* TIOCLINUX */
	EXPECT_NE(NULL, ioctl_rule(self->with, 0x40086602)); /* FS_IOC_SETFLAGS */
	EXPECT_NE(NULL, ioctl_rule(self->with, 0x40047211)); /* FAT_IOCTL_SET_ATTRIBUTES */
}

/* Every allow-list entry comes before the one refusal of every request, which is last. */
TEST(allow_list_ends_in_one_refusal_of_every_request)
{
	struct sbx_plan *plan = compile_text(_metadata, SANDBOX "  device.camera: true\n");
	const struct sbx_seccomp_rule *last = NULL;
	size_t allows = 0, after_refusal = 0;

	for (size_t i = 0; i < plan->seccomp.n_rules; i++) {
		const struct sbx_seccomp_rule *r = &plan->seccomp.rules[i];

		if (strcmp(r->syscall, "ioctl"))
			continue;
		after_refusal += last && !last->n_cond;
		allows += r->answer == SBX_ANSWER_ALLOW;
		if (r->answer == SBX_ANSWER_ALLOW) {
			EXPECT_EQ(1U, r->n_cond);
			EXPECT_EQ(1U, r->cond[0].arg);
			EXPECT_EQ(0ULL, (unsigned long long)(r->cond[0].mask >> 32))
			TH_LOG("%s compares the upper half", r->why);
		}
		last = r;
	}
	ASSERT_NE(NULL, last);
	EXPECT_EQ(0U, last->n_cond);
	EXPECT_EQ((int)EPERM, last->errno_value);
	EXPECT_EQ(0UL, after_refusal);
	EXPECT_LT(50UL, allows);
	sbx_plan_free(plan);
}

/* Without app-sandbox nothing is confined by Landlock: the deny-list of types alone holds. */
TEST(no_allow_list_without_app_sandbox)
{
	struct sbx_plan *plan = compile_text(_metadata, "  cs.allow-jit: true\n");

	EXPECT_EQ(NULL, ioctl_rule(plan, 0x40047211));
	EXPECT_NE(NULL, ioctl_rule(plan, 0x40086602)); /* FS_IOC_SETFLAGS */
	for (size_t i = 0; i < plan->seccomp.n_rules; i++)
		EXPECT_NE((int)SBX_ANSWER_ALLOW, (int)plan->seccomp.rules[i].answer);
	sbx_plan_free(plan);
}

/* libseccomp (a plan that lets x32 and i386 run) does not keep the order an entry needs. */
TEST(allow_entry_refused_where_libseccomp_writes)
{
	struct sbx_seccomp_rule rules[] = {
		{ .syscall = "ioctl",
		  .errno_value = EPERM,
		  .n_cond = 1,
		  .cond = { { 1, SBX_CMP_MASKED_EQ, 0xffffffff, 0x5401 } },
		  .why = "TCGETS",
		  .answer = SBX_ANSWER_ALLOW },
		{ .syscall = "ioctl", .errno_value = EPERM, .why = "the rest" },
	};
	struct sbx_seccomp_plan p = { .enabled = true, .rules = rules, .n_rules = 2 };
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_diag d = { 0 };

	EXPECT_EQ(-EINVAL, seccomp_filter_build(&p, false, &f, &d));
	EXPECT_NE(NULL, strstr(d.msg, "allow-list entry")) TH_LOG("%s", d.msg);
	p.deny_foreign_arches = true;
	ASSERT_EQ(0, seccomp_filter_build(&p, false, &f, &d)) TH_LOG("%s", d.msg);
	seccomp_filter_free(f);
}

TEST_HARNESS_MAIN
