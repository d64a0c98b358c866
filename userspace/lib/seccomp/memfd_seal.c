// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every memfd a sandboxed program creates is sealed non-executable. Landlock does not
 * govern files of internal filesystems, so a memfd the program filled could otherwise be
 * run with execve("/proc/self/fd/N"); refusing memfd_create without MFD_NOEXEC_SEAL would
 * break its many honest users (Wayland buffers, shared memory). Instead the filter sends
 * those calls to the supervisor, which creates the memfd itself with MFD_NOEXEC_SEAL added
 * (6.3) and installs it in the caller as the call's result (SECCOMP_ADDFD_FLAG_SEND, 5.14).
 * The caller's name for the memfd is not read: its memory is not the supervisor's to read
 * (the program is not dumpable), and the name only labels /proc/PID/fd links.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uapi_compat.h"
#include "probe/features.h"
#include "seccomp/seccomp.h"

/* The flags a sealed copy keeps; MFD_EXEC has its own refusing rule. */
#define MEMFD_KEPT_FLAGS                                 \
	(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | \
	 ((unsigned int)MFD_HUGE_MASK << MFD_HUGE_SHIFT))

static int notif_respond_error(int notify_fd, uint64_t id, int err)
{
	struct seccomp_notif_resp resp = { .id = id, .error = -err };

	return ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ? -errno : 0;
}

int seccomp_answer_memfd_create(int notify_fd, uint64_t id, const uint64_t args[6])
{
	struct seccomp_notif_addfd addfd = { .id = id, .flags = SECCOMP_ADDFD_FLAG_SEND };
	uint64_t flags = args[1];
	int fd, ret;

	if (!sbx_memfd_noexec_seal_supported())
		return -EOPNOTSUPP;
	if (flags & ~(uint64_t)MEMFD_KEPT_FLAGS)
		return notif_respond_error(notify_fd, id, EINVAL);
	fd = memfd_create("sbx-noexec", (unsigned int)flags | MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	if (fd < 0)
		return notif_respond_error(notify_fd, id, errno);
	addfd.srcfd = (uint32_t)fd;
	addfd.newfd_flags = flags & MFD_CLOEXEC ? O_CLOEXEC : 0;
	/* With SEND the new descriptor number is the call's return value: no separate answer. */
	ret = ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0 ? -errno : 0;
	close(fd);
	/* Not installed (EMFILE, say) while the caller still waits: it must get an answer. */
	if (ret && ret != -ENOENT)
		notif_respond_error(notify_fd, id, -ret);
	return ret;
}
