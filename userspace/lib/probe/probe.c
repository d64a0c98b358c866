// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel feature probes for `sbx status` and the compiler's host facts. Each probe asks
 * the kernel directly (a syscall that answers with a version or a distinctive errno)
 * rather than reading configuration files, which may not describe the running kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "uapi_compat.h"
#include "landlock/landlock.h"
#include "probe/features.h"
#include "probe/probe_internal.h"

static void probe_landlock(struct sbx_features *f)
{
	f->landlock_abi = landlock_abi_version();
	if (f->landlock_abi > 0) {
		long errata = syscall(__NR_landlock_create_ruleset, NULL, 0,
				      LANDLOCK_CREATE_RULESET_ERRATA);
		f->landlock_errata = errata > 0 ? (int)errata : 0;
		return;
	}
	switch (errno) {
	case ENOSYS:
		snprintf(f->landlock_why, sizeof(f->landlock_why),
			 "kernel built without CONFIG_SECURITY_LANDLOCK");
		break;
	case EOPNOTSUPP:
		snprintf(f->landlock_why, sizeof(f->landlock_why),
			 "Landlock built but not enabled at boot (add it to the lsm= parameter)");
		break;
	default:
		snprintf(f->landlock_why, sizeof(f->landlock_why), "landlock_create_ruleset: %s",
			 strerror(errno));
	}
}

static void probe_seccomp(struct sbx_features *f)
{
	__u32 action = SECCOMP_RET_USER_NOTIF;
	struct seccomp_notif_sizes sizes;

	/* PR_GET_SECCOMP answers 0 (not in seccomp mode) when CONFIG_SECCOMP is built. */
	f->seccomp_filter =
		prctl(PR_GET_SECCOMP) >= 0 && syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0,
						      &(__u32){ SECCOMP_RET_ERRNO }) == 0;
	/* Notification is of no use without filters. */
	f->seccomp_user_notif = f->seccomp_filter &&
				syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
				syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* PR_GET_MDWE exists exactly when PR_SET_MDWE does (6.3). */
static void probe_mdwe(struct sbx_features *f)
{
	f->mdwe = prctl(PR_GET_MDWE, 0L, 0L, 0L, 0L) >= 0;
}

/* Older kernels refuse the unknown flag with EINVAL. Asked once per process. */
bool sbx_memfd_noexec_seal_supported(void)
{
	static int supported = -1;

	if (supported < 0) {
		int fd = memfd_create("sbx-probe", MFD_CLOEXEC | MFD_NOEXEC_SEAL);

		supported = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return supported;
}

static void probe_btf(struct sbx_features *f)
{
	struct btf *btf = btf__load_vmlinux_btf();

	f->btf = btf && !libbpf_get_error(btf);
	if (f->btf)
		btf__free(btf);
}

/*
 * The active LSM list: the lsm_list_modules syscall (6.8) needs no securityfs; older
 * kernels expose it only in /sys/kernel/security/lsm.
 */
static const struct {
	__u64 id;
	const char *name;
} lsm_ids[] = {
	{ 100, "capability" }, { 101, "selinux" }, { 102, "smack" },	{ 103, "tomoyo" },
	{ 104, "apparmor" },   { 105, "yama" },	   { 106, "loadpin" },	{ 107, "safesetid" },
	{ 108, "lockdown" },   { 109, "bpf" },	   { 110, "landlock" }, { 111, "ima" },
	{ 112, "evm" },	       { 113, "ipe" },
};

static void probe_lsm_list(struct sbx_features *f)
{
	__u64 ids[32];
	__u32 size = sizeof(ids);
	long n = syscall(__NR_lsm_list_modules, ids, &size, 0);
	FILE *fp;

	f->lsm_list[0] = '\0';
	if (n > 0) {
		for (long i = 0; i < n && i < 32; i++) {
			const char *name = NULL;
			char unknown[32];

			for (size_t k = 0; k < sizeof(lsm_ids) / sizeof(lsm_ids[0]); k++)
				if (lsm_ids[k].id == ids[i])
					name = lsm_ids[k].name;
			if (!name) {
				snprintf(unknown, sizeof(unknown), "lsm%llu",
					 (unsigned long long)ids[i]);
				name = unknown;
			}
			if (f->lsm_list[0])
				strncat(f->lsm_list, ",",
					sizeof(f->lsm_list) - strlen(f->lsm_list) - 1);
			strncat(f->lsm_list, name, sizeof(f->lsm_list) - strlen(f->lsm_list) - 1);
		}
		f->lsm_list_known = true;
		return;
	}
	fp = fopen("/sys/kernel/security/lsm", "re");
	if (fp) {
		if (fgets(f->lsm_list, sizeof(f->lsm_list), fp))
			f->lsm_list[strcspn(f->lsm_list, "\n")] = '\0';
		f->lsm_list_known = true;
		fclose(fp);
	}
}

bool sbx_lsm_list_has(const struct sbx_features *f, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = f->lsm_list; *p;) {
		size_t tok = strcspn(p, ",");

		if (tok == len && !strncmp(p, name, len))
			return true;
		p += tok;
		if (*p == ',')
			p++;
	}
	return false;
}

/*
 * fanotify permission events need CAP_SYS_ADMIN and CONFIG_FANOTIFY_ACCESS_PERMISSIONS.
 * FAN_OPEN_EXEC_PERM is checked by marking one inode of a private temporary file: a
 * permission mark on a shared mount would stall every opener of that mount if this
 * process stalled, an inode mark only stalls openers of that inode, and there are none.
 */
static void probe_fanotify(struct sbx_features *f)
{
	char path[] = "/tmp/sbx-fanotify-probe-XXXXXX";
	int fan, fd;

	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_CLOEXEC);
	if (fan < 0) {
		snprintf(f->fanotify_why, sizeof(f->fanotify_why), "%s",
			 errno == EPERM ? "needs CAP_SYS_ADMIN (run as root)"
			 : errno == EINVAL
				 ? "kernel built without CONFIG_FANOTIFY_ACCESS_PERMISSIONS"
				 : strerror(errno));
		return;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		snprintf(f->fanotify_why, sizeof(f->fanotify_why), "mkstemp: %s", strerror(errno));
		close(fan);
		return;
	}
	if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD, path) == 0)
		f->fanotify_perm = true;
	else
		snprintf(f->fanotify_why, sizeof(f->fanotify_why), "FAN_OPEN_EXEC_PERM refused: %s",
			 strerror(errno));
	close(fan);
	close(fd);
	unlink(path);
}

static void probe_privilege(struct sbx_features *f)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t admin = CAP_CLEAR, bpf = CAP_CLEAR;

	if (!caps)
		return;
	cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
	/* CAP_BPF (5.8) may be unknown to libcap's tables on old systems: ask by number. */
	if (cap_get_flag(caps, 39 /* CAP_BPF */, CAP_EFFECTIVE, &bpf) < 0)
		bpf = admin;
	f->privileged = admin == CAP_SET && bpf == CAP_SET;
	cap_free(caps);
}

bool sbx_tier_u(const struct sbx_features *f)
{
	return f->landlock_abi >= 1 && f->seccomp_filter;
}

bool sbx_tier_f(const struct sbx_features *f)
{
	return f->privileged && f->fanotify_perm;
}

bool sbx_tier_k(const struct sbx_features *f)
{
	return f->privileged && f->btf && f->bpf_lsm == SBX_BPF_LSM_ACTIVE;
}

const char *sbx_bpf_lsm_state_name(enum sbx_bpf_lsm_state s)
{
	switch (s) {
	case SBX_BPF_LSM_ACTIVE:
		return "active";
	case SBX_BPF_LSM_INACTIVE:
		return "inactive";
	case SBX_BPF_LSM_UNPROVEN:
		return "unproven";
	case SBX_BPF_LSM_UNAVAILABLE:
	default:
		return "unavailable";
	}
}

void sbx_features_probe_sandbox(struct sbx_features *f)
{
	struct utsname u;

	memset(f, 0, sizeof(*f));
	if (uname(&u) == 0)
		snprintf(f->kernel_release, sizeof(f->kernel_release), "%s", u.release);
	probe_landlock(f);
	probe_seccomp(f);
	probe_mdwe(f);
}

void sbx_features_probe(struct sbx_features *f, bool with_bpf_lsm_probe)
{
	sbx_features_probe_sandbox(f);
	f->memfd_noexec_seal = sbx_memfd_noexec_seal_supported();
	probe_btf(f);
	probe_lsm_list(f);
	probe_privilege(f);
	probe_fanotify(f);
	sbx_probe_bpf_lsm(f, with_bpf_lsm_probe);
}
