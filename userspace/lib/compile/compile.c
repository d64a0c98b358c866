// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sbx_compile(): what each entitlement means in kernel rules. Pure: it reads the profile
 * and the host facts and nothing else, so `explain` on any machine shows the same plan.
 *
 * Conventions the rules below keep:
 * - A seccomp argument the kernel reads as a 32-bit int is compared through the mask
 *   0xffffffff, never with EQ: the upper half of the register is ignored by the kernel, so
 *   socket(0x100000002, ...) is AF_INET and must not slip past an EQ 2 test.
 * - libseccomp takes one comparison per argument in a rule, so "bit set and not the query
 *   value" (personality) becomes one rule per other bit.
 * - Each rule names the entitlement that would lift it, so a denial can say what to ask.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "compile/compile.h"
#include "uapi_compat.h"

#define FS_RX	    SBX_FS_READ_EXEC
#define FS_RO	    SBX_FS_READ
#define FS_FILE_RX  (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE)
#define FS_DEV_RW   (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE)
#define FS_RW	    SBX_FS_READ_WRITE
#define NET_BIND    (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_BIND_UDP)
#define NET_CONNECT (LANDLOCK_ACCESS_NET_CONNECT_TCP | LANDLOCK_ACCESS_NET_CONNECT_SEND_UDP)

#define ARG32	      0xffffffffULL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* seccomp values (stable kernel ABI; spelled out so compile needs no socket headers). */
#define SBX_AF_UNIX			 1
#define SBX_AF_INET			 2
#define SBX_AF_INET6			 10
#define SBX_AF_NETLINK			 16
#define SBX_AF_PACKET			 17
#define SBX_AF_BLUETOOTH		 31
#define SBX_SOCK_STREAM			 1
#define SBX_SOCK_DGRAM			 2
#define SBX_SOCK_SEQPACKET		 5
#define SBX_SOL_SOCKET			 1
#define SBX_SO_PASSCRED			 16
#define SBX_SO_PASSPIDFD		 76
#define SBX_IPPROTO_TCP			 6
#define SBX_IPPROTO_UDP			 17
#define SBX_F_SETLK			 6
#define SBX_F_SETLKW			 7
#define SBX_F_OFD_SETLK			 37
#define SBX_F_OFD_SETLKW		 38
#define SBX_NETLINK_ROUTE		 0
#define SBX_TIOCSTI			 0x5412
#define SBX_IOC_WRITE			 0x40000000ULL
#define SBX_IOC_READ			 0x80000000ULL
#define SBX_FS_IOC_SET_ENCRYPTION_POLICY 0x800c6613
#define SBX_EXT4_IOC_SHUTDOWN		 0x8004587d
#define SBX_TIOCLINUX			 0x541c
#define SBX_READ_IMPLIES_EXEC		 0x0400000ULL
#define SBX_PROT_WRITE			 0x2
#define SBX_PROT_EXEC			 0x4
#define SBX_AT_EMPTY_PATH		 0x1000
#define SBX_POSIX_FADV_DONTNEED		 4
#define SBX_RWF_NOWAIT			 0x8
#define SBX_S_ISUID			 04000
#define SBX_S_ISGID			 02000
#define SBX_MSG_FASTOPEN		 0x20000000
/*
 * The send flags ordinary programs use (linux/socket.h): OOB, DONTROUTE, DONTWAIT, EOR,
 * CONFIRM, NOSIGNAL, MORE, ZEROCOPY. Not: the receive-side and kernel-internal bits
 * (PEEK, TRUNC, WAITALL, ERRQUEUE, BATCH, SPLICE_PAGES, CMSG_*), PROBE (sends nothing),
 * FASTOPEN (a send that connects: network.client's), bits no kernel defines yet.
 */
#define SBX_MSG_SEND_ALLOWED                                                          \
	(0x1 /* OOB */ | 0x4 /* DONTROUTE */ | 0x40 /* DONTWAIT */ | 0x80 /* EOR */ | \
	 0x800 /* CONFIRM */ | 0x4000 /* NOSIGNAL */ | 0x8000 /* MORE */ |            \
	 0x4000000 /* ZEROCOPY */)
#define SBX_TCP_FASTOPEN_CONNECT 30

struct builder {
	struct sbx_plan *plan;
	const struct sbx_profile *profile;
	const struct sbx_host_facts *facts;
	struct sbx_diag *diag;
	int err;
};

unsigned int sbx_landlock_fs_min_abi(uint64_t access)
{
	if (access & LANDLOCK_ACCESS_FS_RESOLVE_UNIX)
		return 9;
	if (access & LANDLOCK_ACCESS_FS_IOCTL_DEV)
		return 5;
	if (access & LANDLOCK_ACCESS_FS_TRUNCATE)
		return 3;
	if (access & LANDLOCK_ACCESS_FS_REFER)
		return 2;
	return 1;
}

unsigned int sbx_landlock_net_min_abi(uint64_t access)
{
	if (access & (LANDLOCK_ACCESS_NET_BIND_UDP | LANDLOCK_ACCESS_NET_CONNECT_SEND_UDP))
		return 10;
	return 4;
}

static bool entitled(struct builder *b, const char *key)
{
	return sbx_profile_entitled(b->profile, key);
}

/*
 * An entitlement with Apple's memory cascade applied: each key carries what the ones below
 * it allow (disable-executable-page-protection > allow-unsigned-executable-memory >
 * allow-jit).
 */
static bool lifted(struct builder *b, const char *key)
{
	static const char *const cascade[] = { "cs.disable-executable-page-protection",
					       "cs.allow-unsigned-executable-memory",
					       "cs.allow-jit" };

	for (size_t i = 0; i < ARRAY_SIZE(cascade); i++) {
		if (entitled(b, cascade[i]))
			for (size_t k = i; k < ARRAY_SIZE(cascade); k++)
				if (!strcmp(key, cascade[k]))
					return true;
	}
	return entitled(b, key);
}

static void nomem(struct builder *b)
{
	if (!b->err)
		b->err = sbx_diag_set(b->diag, -ENOMEM, "out of memory");
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a);
	char *s;

	while (la > 1 && a[la - 1] == '/')
		la--;
	if (b[0] == '/')
		b++;
	s = malloc(la + strlen(b) + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '\0';
	if (*b) {
		if (la != 1 || a[0] != '/')
			strcat(s, "/");
		strcat(s, b);
	}
	return s;
}

/* Takes path (malloc'd). */
static void fs_rule_take(struct builder *b, char *path, uint64_t access, bool if_exists,
			 const char *entitlement)
{
	struct sbx_landlock_plan *l = &b->plan->landlock;
	struct sbx_fs_rule *r;

	if (b->err || !path) {
		free(path);
		if (!path)
			nomem(b);
		return;
	}
	r = realloc(l->fs, (l->n_fs + 1) * sizeof(*r));
	if (!r) {
		free(path);
		nomem(b);
		return;
	}
	l->fs = r;
	r[l->n_fs++] = (struct sbx_fs_rule){ .path = path,
					     .access = access,
					     .min_abi = sbx_landlock_fs_min_abi(access),
					     .if_exists = if_exists,
					     .entitlement = entitlement };
}

static void fs_rule(struct builder *b, const char *path, uint64_t access, bool if_exists,
		    const char *entitlement)
{
	fs_rule_take(b, strdup(path), access, if_exists, entitlement);
}

/* A system tree the profile grants without naming it (plan.h: system). */
static void sys_rule(struct builder *b, const char *path, uint64_t access, bool if_exists,
		     const char *entitlement)
{
	fs_rule(b, path, access, if_exists, entitlement);
	if (!b->err)
		b->plan->landlock.fs[b->plan->landlock.n_fs - 1].system = true;
}

static void net_rule(struct builder *b, uint16_t port, uint64_t access, const char *entitlement)
{
	struct sbx_landlock_plan *l = &b->plan->landlock;
	struct sbx_net_rule *r;

	if (b->err)
		return;
	r = realloc(l->net, (l->n_net + 1) * sizeof(*r));
	if (!r)
		return nomem(b);
	l->net = r;
	r[l->n_net++] = (struct sbx_net_rule){ .port = port,
					       .access = access,
					       .min_abi = sbx_landlock_net_min_abi(access),
					       .entitlement = entitlement };
}

struct cond3 {
	unsigned int n;
	struct sbx_seccomp_cond c[SBX_SECCOMP_MAX_COND];
};

#define NOCOND		 ((struct cond3){ 0 })
#define COND1(a)	 ((struct cond3){ 1, { a } })
#define COND2(a, b)	 ((struct cond3){ 2, { a, b } })
#define EQ32(argn, v)	 ((struct sbx_seccomp_cond){ (argn), SBX_CMP_MASKED_EQ, ARG32, (v) })
#define BITS(argn, m, v) ((struct sbx_seccomp_cond){ (argn), SBX_CMP_MASKED_EQ, (m), (v) })
#define NE(argn, v)	 ((struct sbx_seccomp_cond){ (argn), SBX_CMP_NE, 0, (v) })

/* Appends a rule; returns it (valid until the next rule) for sc_tag() or its group. */
static struct sbx_seccomp_rule *sc_rule(struct builder *b, const char *syscall, int errno_value,
					struct cond3 cond, const char *entitlement, const char *why)
{
	struct sbx_seccomp_plan *s = &b->plan->seccomp;
	struct sbx_seccomp_rule *r;

	if (b->err)
		return NULL;
	r = realloc(s->rules, (s->n_rules + 1) * sizeof(*r));
	if (!r) {
		nomem(b);
		return NULL;
	}
	s->rules = r;
	r = &r[s->n_rules++];
	*r = (struct sbx_seccomp_rule){ .syscall = syscall,
					.errno_value = errno_value,
					.n_cond = cond.n,
					.entitlement = entitlement,
					.why = why };
	memcpy(r->cond, cond.c, sizeof(r->cond));
	return r;
}

/*
 * How the supervisor answers r, and the Landlock ABI from which Landlock does r's job
 * (0: none, the rule applies on every kernel). NULL r (out of memory) is ignored.
 */
static void sc_tag(struct sbx_seccomp_rule *r, enum sbx_seccomp_answer answer,
		   unsigned int below_abi)
{
	if (r) {
		r->answer = answer;
		r->below_abi = below_abi;
	}
}

/* ---- Landlock ---- */

static const char *const system_rx[] = { "/usr",   "/bin",   "/sbin",  "/lib",
					 "/lib64", "/lib32", "/libx32" };

bool sbx_path_within(const char *path, const char *dir, size_t n)
{
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!n)
		return false;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

static bool beneath(const char *path, const char *dir)
{
	return sbx_path_within(path, dir, strlen(dir));
}

static void compile_system_fs(struct builder *b)
{
	static const char *const devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
					       "/dev/urandom" };
	const char *program = b->facts->program;
	bool program_covered = !program;

	/*
	 * The code trees are no system rules (plan.h: system): the distribution installs them
	 * readable by all, and judging each of their entries at every start costs seconds
	 * (166,000 entries, 2.2 s, here); the secrets of a system live in /etc.
	 */
	for (size_t i = 0; i < sizeof(system_rx) / sizeof(system_rx[0]); i++) {
		fs_rule(b, system_rx[i], FS_RX, i > 0, "app-sandbox");
		if (program && beneath(program, system_rx[i]))
			program_covered = true;
	}
	if (!program_covered)
		fs_rule(b, program, FS_FILE_RX, false, "app-sandbox");
	sys_rule(b, "/etc", FS_RO, false, "app-sandbox");
	/*
	 * /proc: Landlock's ptrace scoping keeps other processes' entries closed. Not a system
	 * rule: its entries come and go with processes (the program's own among them), so no
	 * walk at the start can name them.
	 */
	fs_rule(b, "/proc", FS_RO, false, "app-sandbox");
	sys_rule(b, "/sys/devices/system/cpu", FS_RO, true, "app-sandbox");
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		fs_rule(b, devices[i], FS_DEV_RW, false, "app-sandbox");
	fs_rule(b, "/dev/tty", FS_DEV_RW | LANDLOCK_ACCESS_FS_IOCTL_DEV, true, "app-sandbox");
}

static void compile_container(struct builder *b)
{
	const struct sbx_host_facts *f = b->facts;
	struct sbx_process_plan *pp = &b->plan->process;
	const char *key = f->container_key ? f->container_key : b->profile->identifier;
	char *data_home, *rel;

	if (b->err)
		return;
	if (!f->xdg_data_home && f->data_home_problem) {
		b->err = sbx_diag_set(b->diag, -ENOENT, "%s", f->data_home_problem);
		return;
	}
	data_home = f->xdg_data_home ? strdup(f->xdg_data_home) : join(f->home, ".local/share");
	rel = malloc(strlen("sbx/containers/") + strlen(key) + 1);
	if (!data_home || !rel) {
		free(data_home);
		free(rel);
		nomem(b);
		return;
	}
	strcpy(rel, "sbx/containers/");
	strcat(rel, key);
	pp->container_dir = join(data_home, rel);
	pp->tmp_dir = pp->container_dir ? join(pp->container_dir, "tmp") : NULL;
	pp->container_base = f->data_home_base	? strdup(f->data_home_base)
			     : f->xdg_data_home ? strdup(data_home)
						: strdup(f->home);
	free(data_home);
	free(rel);
	if (!pp->container_dir || !pp->tmp_dir || !pp->container_base) {
		nomem(b);
		return;
	}
	/*
	 * The container is the program's home, as on macOS (~/Library/Containers/ID/Data) and
	 * Flatpak (~/.var/app/ID): dotfiles and XDG directories land there. Not for a profile
	 * that names home-relative paths: it reads the user's own dotfiles (git's .gitconfig)
	 * where $HOME says they are.
	 */
	if (!sbx_profile_get(b->profile,
			     "temporary-exception.files.home-relative-path.read-only") &&
	    !sbx_profile_get(b->profile,
			     "temporary-exception.files.home-relative-path.read-write")) {
		pp->home_dir = strdup(pp->container_dir);
		if (!pp->home_dir) {
			nomem(b);
			return;
		}
	}
	fs_rule(b, pp->container_dir, FS_RW | LANDLOCK_ACCESS_FS_RESOLVE_UNIX, false,
		"app-sandbox");
}

static void user_dir(struct builder *b, const char *dir, const char *fallback, const char *ro_key,
		     const char *rw_key)
{
	if (entitled(b, rw_key))
		fs_rule_take(b, dir ? strdup(dir) : join(b->facts->home, fallback), FS_RW, true,
			     rw_key);
	else if (entitled(b, ro_key))
		fs_rule_take(b, dir ? strdup(dir) : join(b->facts->home, fallback), FS_RO, true,
			     ro_key);
}

/* key is a string literal: a plan's entitlement names outlive the profile. */
static void exception_list(struct builder *b, const char *key, uint64_t access, bool home)
{
	const struct sbx_entitlement *e = sbx_profile_get(b->profile, key);

	for (size_t i = 0; e && i < e->n_list; i++) {
		/* A home-relative exception names per-user files (dotfiles) that a given
		 * user may not have: skipped when absent. Absolute ones must exist. */
		if (home)
			fs_rule_take(b, join(b->facts->home, e->list[i]), access, true, key);
		else
			fs_rule(b, e->list[i], access, false, key);
	}
}

static void compile_grants(struct builder *b)
{
	const struct sbx_host_facts *f = b->facts;
	bool ro = entitled(b, "files.user-selected.read-only");
	bool rw = entitled(b, "files.user-selected.read-write");
	bool ex = entitled(b, "files.user-selected.executable");

	for (size_t i = 0; !b->err && i < f->n_grants; i++) {
		const struct sbx_grant *g = &f->grants[i];
		const char *key;
		uint64_t access = FS_RO;

		if (!g->path || g->path[0] != '/') {
			b->err = sbx_diag_set(b->diag, -EINVAL,
					      "--grant %s: the path must be absolute",
					      g->path ? g->path : "(null)");
			return;
		}
		if (!ro && !rw && !ex) {
			b->err = sbx_diag_set(b->diag, -EPERM,
					      "--grant %s: the profile has no files.user-selected "
					      "entitlement (--allow files.user-selected.read-only "
					      "adds one)",
					      g->path);
			return;
		}
		if (g->write && !rw) {
			b->err = sbx_diag_set(b->diag, -EPERM,
					      "--grant %s:rw needs files.user-selected.read-write "
					      "(--allow files.user-selected.read-write adds it)",
					      g->path);
			return;
		}
		if (g->execute && !ex) {
			b->err = sbx_diag_set(b->diag, -EPERM,
					      "--grant %s:x needs files.user-selected.executable "
					      "(--allow files.user-selected.executable adds it)",
					      g->path);
			return;
		}
		if (!g->write && !g->execute && !ro && !rw) {
			b->err = sbx_diag_set(b->diag, -EPERM,
					      "--grant %s needs files.user-selected.read-only or "
					      "read-write (--allow files.user-selected.read-only "
					      "adds it)",
					      g->path);
			return;
		}
		key = g->write	   ? "files.user-selected.read-write"
		      : g->execute ? "files.user-selected.executable"
		      : ro	   ? "files.user-selected.read-only"
				   : "files.user-selected.read-write";
		if (g->write)
			access = FS_RW;
		if (g->execute)
			access |= LANDLOCK_ACCESS_FS_EXECUTE;
		fs_rule(b, g->path, access, false, key);
	}
}

/* The key that grants audio input (device.microphone is its older name), or NULL. */
static const char *audio_key(struct builder *b)
{
	return entitled(b, "device.audio-input")  ? "device.audio-input"
	       : entitled(b, "device.microphone") ? "device.microphone"
						  : NULL;
}

/*
 * Device nodes are granted for what the entitlement names (root, their owner, uses them as
 * such); the sysfs trees that describe them are system trees (plan.h: system).
 */
static void compile_devices(struct builder *b)
{
	static const char *const camera[] = { "/dev/video0", "/dev/video1", "/dev/video2",
					      "/dev/video3", "/dev/video4", "/dev/video5",
					      "/dev/video6", "/dev/video7", "/dev/media0",
					      "/dev/media1", "/dev/media2", "/dev/media3" };
	static const char *const serial[] = { "/dev/ttyS0",   "/dev/ttyS1",   "/dev/ttyS2",
					      "/dev/ttyS3",   "/dev/ttyUSB0", "/dev/ttyUSB1",
					      "/dev/ttyUSB2", "/dev/ttyUSB3", "/dev/ttyACM0",
					      "/dev/ttyACM1", "/dev/ttyACM2", "/dev/ttyACM3" };
	static const char *const rfcomm[] = { "/dev/rfcomm0", "/dev/rfcomm1", "/dev/rfcomm2",
					      "/dev/rfcomm3" };
	const uint64_t dev = FS_DEV_RW | LANDLOCK_ACCESS_FS_IOCTL_DEV;
	const char *audio = audio_key(b);

	if (entitled(b, "device.camera")) {
		for (size_t i = 0; i < sizeof(camera) / sizeof(camera[0]); i++)
			fs_rule(b, camera[i], dev, true, "device.camera");
		sys_rule(b, "/sys/class/video4linux", FS_RO, true, "device.camera");
	}
	if (audio) {
		fs_rule(b, "/dev/snd", FS_RO | dev, true, audio);
		if (b->facts->xdg_runtime_dir) {
			fs_rule_take(b, join(b->facts->xdg_runtime_dir, "pulse/native"),
				     LANDLOCK_ACCESS_FS_RESOLVE_UNIX, true, audio);
			fs_rule_take(b, join(b->facts->xdg_runtime_dir, "pipewire-0"),
				     LANDLOCK_ACCESS_FS_RESOLVE_UNIX, true, audio);
		}
	}
	if (entitled(b, "device.usb")) {
		fs_rule(b, "/dev/bus/usb", FS_RO | dev, true, "device.usb");
		sys_rule(b, "/sys/bus/usb", FS_RO, true, "device.usb");
		sys_rule(b, "/sys/devices", FS_RO, true, "device.usb");
	}
	if (entitled(b, "device.serial"))
		for (size_t i = 0; i < sizeof(serial) / sizeof(serial[0]); i++)
			fs_rule(b, serial[i], dev, true, "device.serial");
	if (entitled(b, "device.bluetooth"))
		for (size_t i = 0; i < sizeof(rfcomm) / sizeof(rfcomm[0]); i++)
			fs_rule(b, rfcomm[i], dev, true, "device.bluetooth");
	if (entitled(b, "print"))
		fs_rule(b, "/run/cups/cups.sock", LANDLOCK_ACCESS_FS_RESOLVE_UNIX, true, "print");
}

/* sbx's own directories (plan.h: own), for the launcher to keep out of every write rule. */
static void own_dirs(struct builder *b)
{
	const struct sbx_host_facts *f = b->facts;
	struct sbx_landlock_plan *l = &b->plan->landlock;
	const struct {
		const char *base, *fallback, *what;
	} dirs[] = {
		{ f->xdg_config_home, ".config", "the user's profiles" },
		{ f->xdg_data_home, ".local/share", "the app containers" },
		{ f->xdg_state_home, ".local/state", "what sbx remembers" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !b->err; i++) {
		char *base = dirs[i].base ? strdup(dirs[i].base)
			     : f->home	  ? join(f->home, dirs[i].fallback)
					  : NULL;

		if (!base && (dirs[i].base || f->home)) {
			nomem(b);
			return;
		}
		if (!base)
			continue;
		l->own[l->n_own] = join(base, "sbx");
		free(base);
		if (!l->own[l->n_own]) {
			nomem(b);
			return;
		}
		l->own_what[l->n_own++] = dirs[i].what;
	}
}

static void compile_landlock(struct builder *b)
{
	struct sbx_landlock_plan *l = &b->plan->landlock;
	bool client = entitled(b, "network.client"), server = entitled(b, "network.server");

	l->enabled = true;
	l->handled_fs = SBX_LANDLOCK_FS_ALL;
	l->scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
	l->handled_net = (client ? 0 : NET_CONNECT) | (server ? 0 : NET_BIND);
	/*
	 * A UDP client's first connect or sendto binds its socket to an ephemeral port, and
	 * from ABI 10 Landlock checks that as bind(0) (BIND_UDP): without this rule no UDP
	 * client runs there, glibc's resolver (connect, then send) included. Port 0 is the
	 * kernel's choice of a free port, never a chosen one; it is what every UDP client
	 * has below ABI 10 too (supervise/unix.c refuses an explicit bind of any other).
	 */
	if (client && !server)
		net_rule(b, 0, LANDLOCK_ACCESS_NET_BIND_UDP, "network.client");
	compile_system_fs(b);
	compile_container(b);
	/* resolv.conf is often a symlink into /run, and Landlock checks the resolved path. */
	if (client) {
		sys_rule(b, "/run/systemd/resolve", FS_RO, true, "network.client");
		sys_rule(b, "/run/resolvconf", FS_RO, true, "network.client");
	}
	compile_grants(b);
	user_dir(b, b->facts->xdg_download_dir, "Downloads", "files.downloads.read-only",
		 "files.downloads.read-write");
	user_dir(b, b->facts->xdg_pictures_dir, "Pictures", "files.pictures.read-only",
		 "files.pictures.read-write");
	user_dir(b, b->facts->xdg_music_dir, "Music", "files.music.read-only",
		 "files.music.read-write");
	user_dir(b, b->facts->xdg_videos_dir, "Videos", "files.movies.read-only",
		 "files.movies.read-write");
	exception_list(b, "temporary-exception.files.absolute-path.read-only", FS_RO, false);
	exception_list(b, "temporary-exception.files.absolute-path.read-write", FS_RW, false);
	exception_list(b, "temporary-exception.files.home-relative-path.read-only", FS_RO, true);
	exception_list(b, "temporary-exception.files.home-relative-path.read-write", FS_RW, true);
	compile_devices(b);
	own_dirs(b);
}

/* ---- seccomp ---- */

/*
 * Refuse every value of one argument outside allowed (ascending), given the conditions in
 * prefix: one rule per aligned block of the gaps (a masked comparison each), and for a
 * whole 64-bit argument one "greater than the largest" rule. libseccomp takes one
 * comparison per argument in a rule, so "not 0 and not 6" cannot be one rule. Comparing all
 * 64 bits refuses values whose upper half the kernel would ignore: safe, never evadable.
 */
static void deny_outside(struct builder *b, const char *call, struct cond3 prefix, unsigned int arg,
			 uint64_t field, const uint64_t *allowed, size_t n, int errno_value,
			 const char *why, unsigned int below_abi)
{
	uint64_t lo = 0;

	for (size_t i = 0; i <= n; i++) {
		uint64_t hi = i < n ? allowed[i] : field == ~0ULL ? allowed[n - 1] : field + 1;

		while (lo < hi) {
			uint64_t size = lo ? lo & -lo : 1ULL << 62;
			struct cond3 c = prefix;

			while (size > hi - lo)
				size >>= 1;
			c.c[c.n++] = BITS(arg, field & ~(size - 1), lo);
			sc_tag(sc_rule(b, call, errno_value, c, NULL, why), SBX_ANSWER_ERRNO,
			       below_abi);
			lo += size;
		}
		lo = i < n ? allowed[i] + 1 : lo;
	}
	if (field == ~0ULL) {
		struct cond3 c = prefix;

		c.c[c.n++] = (struct sbx_seccomp_cond){ arg, SBX_CMP_GT, 0, allowed[n - 1] };
		sc_tag(sc_rule(b, call, errno_value, c, NULL, why), SBX_ANSWER_ERRNO, below_abi);
	}
}

/*
 * Sockets by allow-list of (family, type, protocol). Landlock's TCP rules do not see MPTCP,
 * and nothing in Landlock sees SCTP, raw, packet or vsock sockets: those families and
 * protocols exist only where a rule here lets them. ICMP "ping" datagram sockets are not
 * allowed: no shipped program needs them and they reach hosts Landlock's port rules never
 * see.
 */
static void compile_network_seccomp(struct builder *b, bool confined)
{
	static const uint64_t families[] = { SBX_AF_UNIX, SBX_AF_INET, SBX_AF_INET6, SBX_AF_NETLINK,
					     SBX_AF_BLUETOOTH };
	static const uint64_t ip_types[] = { SBX_SOCK_STREAM, SBX_SOCK_DGRAM };
	static const uint64_t tcp[] = { 0, SBX_IPPROTO_TCP }, udp[] = { 0, SBX_IPPROTO_UDP };
	static const uint64_t unix_only[] = { SBX_AF_UNIX };
	static const uint64_t unix_types[] = { SBX_SOCK_STREAM, SBX_SOCK_SEQPACKET };
	bool network = !confined || entitled(b, "network.client") || entitled(b, "network.server");

	deny_outside(b, "socket", NOCOND, 0, ~0ULL, families, ARRAY_SIZE(families), EAFNOSUPPORT,
		     "socket families other than unix, IPv4, IPv6, netlink and Bluetooth", 0);
	for (size_t i = 0; i < 2; i++) {
		uint64_t af = i ? SBX_AF_INET6 : SBX_AF_INET;

		if (!network) {
			sc_rule(b, "socket", EACCES, COND1(EQ32(0, af)), "network.client",
				i ? "IPv6 sockets (no network entitlement)"
				  : "IPv4 sockets (no network entitlement)");
			continue;
		}
		deny_outside(b, "socket", COND1(EQ32(0, af)), 1, 0xf, ip_types,
			     ARRAY_SIZE(ip_types), EACCES,
			     "IP sockets other than stream and datagram (raw, SCTP)", 0);
		deny_outside(b, "socket", COND2(EQ32(0, af), BITS(1, 0xf, SBX_SOCK_STREAM)), 2,
			     ~0ULL, tcp, ARRAY_SIZE(tcp), EPROTONOSUPPORT,
			     "IP stream sockets other than TCP (MPTCP, SCTP)", 0);
		deny_outside(b, "socket", COND2(EQ32(0, af), BITS(1, 0xf, SBX_SOCK_DGRAM)), 2,
			     ~0ULL, udp, ARRAY_SIZE(udp), EPROTONOSUPPORT,
			     "IP datagram sockets other than UDP (ICMP, UDP-Lite)", 0);
	}
	/* getifaddrs() and if_nametoindex() (getaddrinfo's AI_ADDRCONFIG) read routes. */
	if (!network)
		sc_rule(b, "socket", EACCES,
			COND2(EQ32(0, SBX_AF_NETLINK), EQ32(2, SBX_NETLINK_ROUTE)),
			"network.client", "routing netlink sockets (no network entitlement)");
	sc_rule(b, "socket", EACCES, COND2(EQ32(0, SBX_AF_NETLINK), NE(2, SBX_NETLINK_ROUTE)), NULL,
		"netlink sockets other than NETLINK_ROUTE (kernel interfaces)");
	if (confined && !entitled(b, "device.bluetooth"))
		sc_rule(b, "socket", EACCES, COND1(EQ32(0, SBX_AF_BLUETOOTH)), "device.bluetooth",
			"Bluetooth sockets");
	deny_outside(b, "socketpair", NOCOND, 0, ~0ULL, unix_only, 1, EAFNOSUPPORT,
		     "socket pairs other than unix", 0);
	if (!confined)
		return;
	/*
	 * Pathname unix sockets before Landlock ABI 9 (LANDLOCK_ACCESS_FS_RESOLVE_UNIX): the
	 * supervisor carries out connect() after resolving the address itself, and datagram
	 * sockets, which can send to any path with sendto()/sendmsg() even when connected
	 * (unix_dgram_sendmsg looks an explicit address up), cannot be made at all. Abstract
	 * sockets before ABI 6 go through the same connect(). seccomp cannot tell a unix
	 * connect() from a TCP one (the family is the socket's), so with a network entitlement
	 * the supervisor carries TCP connects out too, checked against the plan's ports.
	 */
	sc_tag(sc_rule(b, "connect", EACCES, NOCOND, NULL,
		       "connect (pathname unix sockets: Landlock ABI 9 governs them)"),
	       SBX_ANSWER_SUPERVISOR, 9);
	/*
	 * Below ABI 9 the unix types are an allow-list: SOCK_RAW is a datagram socket too (the
	 * kernel maps it to SOCK_DGRAM), and so is any type it may map later.
	 */
	deny_outside(b, "socket", COND1(EQ32(0, SBX_AF_UNIX)), 1, 0xf, unix_types,
		     ARRAY_SIZE(unix_types), EACCES,
		     "unix sockets other than stream and seqpacket (datagram ones send to any "
		     "pathname socket before Landlock ABI 9)",
		     9);
	deny_outside(b, "socketpair", COND1(EQ32(0, SBX_AF_UNIX)), 1, 0xf, unix_types,
		     ARRAY_SIZE(unix_types), EACCES,
		     "unix socket pairs other than stream and seqpacket (datagram ones send to any "
		     "pathname socket before Landlock ABI 9)",
		     9);
	/*
	 * A server's UDP socket sends to any host and port before Landlock ABI 10 (its
	 * connect/send right): without network.client there is no UDP at all there.
	 */
	if (entitled(b, "network.server") && !entitled(b, "network.client"))
		for (size_t i = 0; i < 4; i++) {
			uint64_t af = i & 1 ? SBX_AF_INET6 : SBX_AF_INET;
			struct cond3 c = COND2(EQ32(0, af), BITS(1, 0xf, SBX_SOCK_DGRAM));

			/* Only the protocols the allow-list lets through: rules stay disjoint. */
			c.c[c.n++] = (struct sbx_seccomp_cond){ 2, SBX_CMP_EQ, 0, udp[i >> 1] };
			sc_tag(sc_rule(b, "socket", EACCES, c, "network.client",
				       "UDP needs Landlock ABI 10 to be kept to a server's ports; "
				       "add network.client"),
			       SBX_ANSWER_ERRNO, 10);
		}
	/*
	 * bind without network.server, on every kernel (supervise/unix.c): binding a name or
	 * port others can reach is serving. No Landlock ABI governs an abstract unix name,
	 * Landlock keeps a client's UDP ports only from ABI 10 and TCP ones from ABI 4, and
	 * seccomp sees neither the family nor the address. The supervisor refuses abstract
	 * names, autobind and IP ports the executor's Landlock domain does not check, and
	 * binds a pathname socket where a rule grants MAKE_SOCK. With network.server the
	 * kernel binds (Landlock's port and MAKE_SOCK rules) and abstract names are served.
	 */
	if (!entitled(b, "network.server"))
		sc_tag(sc_rule(b, "bind", EACCES, NOCOND, NULL,
			       "bind (abstract unix names and ports serve any process)"),
		       SBX_ANSWER_SUPERVISOR, 0);
	/*
	 * The program's own further Landlock confinement: the supervisor marks the caller
	 * before letting it run, and then stands in for no check its own domain would make
	 * (supervise/confined.c).
	 */
	sc_tag(sc_rule(b, "landlock_restrict_self", EPERM, NOCOND, NULL,
		       "landlock_restrict_self (let run; the supervisor notes the program "
		       "confined itself further)"),
	       SBX_ANSWER_SUPERVISOR, 0);
	/*
	 * listen without network.server, on every kernel (supervise/unix.c): what may listen
	 * is an allow-list, a unix socket bound to a pathname (a bind checked against the
	 * grants). An IP socket's listen on an unbound socket picks a port no Landlock ABI
	 * checks, and a unix socket gets an abstract name by more than bind (SO_PASSCRED's
	 * autobind in a failed connect, atk6u A), so seccomp cannot tell them apart: every
	 * listen goes to the supervisor; network.server lifts it.
	 */
	if (!entitled(b, "network.server"))
		sc_tag(sc_rule(b, "listen", EACCES, NOCOND, "network.server",
			       "listen (only a unix socket bound to a path in the grants serves)"),
		       SBX_ANSWER_SUPERVISOR, 0);
	/*
	 * The other name a unix socket gets without a bind (kdgram): with SO_PASSCRED or
	 * SO_PASSPIDFD set on a socket without one, the kernel autobinds it to an abstract
	 * name in connect (every type) and in sendmsg (datagram), before the address is looked
	 * up, so a send that fails leaves it named and unconnected. A stream or seqpacket
	 * socket so named serves only through listen (above); a datagram socket needs no
	 * listen, and any process can send to it. Landlock's abstract-socket scope checks the
	 * sender's domain, not the receiver's. So setting either option goes to the supervisor,
	 * which carries it out where it names nothing: a socket of another family, a stream or
	 * seqpacket one, one that has a name, or turning it off.
	 */
	if (!entitled(b, "network.server")) {
		static const uint64_t passcred[] = { SBX_SO_PASSCRED, SBX_SO_PASSPIDFD };

		for (size_t i = 0; i < ARRAY_SIZE(passcred); i++)
			sc_tag(sc_rule(b, "setsockopt", EACCES,
				       COND2(EQ32(1, SBX_SOL_SOCKET), EQ32(2, passcred[i])),
				       "network.server",
				       i ? "SO_PASSPIDFD on a unix datagram socket without a name "
					   "(its next send names it: anyone may send to it)"
					 : "SO_PASSCRED on a unix datagram socket without a name "
					   "(its next send names it: anyone may send to it)"),
			       SBX_ANSWER_SUPERVISOR, 0);
	}
	/*
	 * truncate(2) by path reaches any file the user owns before Landlock ABI 3
	 * (LANDLOCK_ACCESS_FS_TRUNCATE). ftruncate needs a descriptor opened for writing and
	 * O_TRUNC write access at open, both checked by Landlock: only the path call goes.
	 */
	sc_tag(sc_rule(b, "truncate", EPERM, NOCOND, NULL,
		       "truncate by path (Landlock ABI 3 governs truncation; coreutils' truncate "
		       "uses open and ftruncate and keeps working)"),
	       SBX_ANSWER_ERRNO, 3);
}

/*
 * Without network.client no call connects, and connect(2) is not the only one that does
 * (atk7u N1): the calls that connect are an allow-list, connect(2) alone, checked by
 * Landlock's CONNECT_TCP (and by the supervisor below ABI 9). A send with MSG_FASTOPEN
 * connects to the address it carries (tcp_sendmsg_fastopen -> __inet_stream_connect)
 * past the socket_connect hook Landlock's rule sits on, on kernels without Landlock's fix
 * (landlock-lsm/linux#41: open on 6.18.44, closed on 6.12.117 and 7.2.13), so it is
 * refused in the flags of every call that takes send flags, on every kernel. Every other
 * destination a send names is checked or refused already: TCP ignores it without the
 * flag, UDP is a socket refused below Landlock ABI 10 and a send Landlock checks
 * (CONNECT_SEND_UDP) from it, unix datagram sockets are refused below ABI 9, and the
 * families that connect in a send (SCTP, MPTCP) are refused at socket(). The option
 * TCP_FASTOPEN_CONNECT, a client's own, goes too: it moves connect(2)'s SYN to the first
 * write. TCP_FASTOPEN, a listener's queue of Fast Open connections, is a server's and stays.
 */
static void compile_connect_routes(struct builder *b)
{
	if (entitled(b, "network.client"))
		return;
	for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++)
		sc_rule(b, s->call, EACCES, COND1(BITS(s->arg, SBX_MSG_FASTOPEN, SBX_MSG_FASTOPEN)),
			"network.client",
			"MSG_FASTOPEN (a send that connects: TCP Fast Open, past connect's "
			"checks)");
	sc_rule(b, "setsockopt", EACCES,
		COND2(EQ32(1, SBX_IPPROTO_TCP), EQ32(2, SBX_TCP_FASTOPEN_CONNECT)),
		"network.client",
		"TCP_FASTOPEN_CONNECT (a client's connect, sent by its first write)");
}

/*
 * Send flags are an allow-list (atk8u's review; was a refusal of MSG_FASTOPEN alone): a
 * flag the kernel gives a meaning to next (as FASTOPEN made a send connect) is refused
 * until sbx knows it. The kernel reads the low 32 bits (an unsigned int) and ignores the
 * rest, so only they are judged. After compile_connect_routes' rule, whose answer (EACCES,
 * lifted by network.client) a FASTOPEN send gets first.
 */
static void compile_send_flags(struct builder *b)
{
	uint64_t allowed = SBX_MSG_SEND_ALLOWED;

	if (entitled(b, "network.client"))
		allowed |= SBX_MSG_FASTOPEN;
	for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++)
		sc_rule(b, s->call, EPERM,
			COND1(((struct sbx_seccomp_cond){ s->arg, SBX_CMP_MASKED_ANY,
							  0xffffffffULL & ~allowed, 0 })),
			NULL,
			"send flags outside the allow-list (OOB, DONTROUTE, DONTWAIT, EOR, "
			"CONFIRM, NOSIGNAL, MORE, ZEROCOPY; FASTOPEN with network.client)");
}

/*
 * ioctl by allow-list (atk11u, "Noticed, not run"). Landlock judges ioctls on device files
 * only (IOCTL_DEV, ABI 5); on regular files, directories, sockets and pipes every request
 * reaches the file system or the object, which checks ownership, not how the file was
 * opened: FAT_IOCTL_SET_ATTRIBUTES changes a file opened read-only on vfat, FUSE forwards
 * any request to its server, and cifs, f2fs, ocfs2 and XFS have requests of their own. A
 * deny-list of types (compile_kernel_surface) misses each new one, so what runs is named
 * here and the rest is refused. The kernel reads the request as 32 bits (the upper half
 * of the register is ignored), so each entry compares those. An entry is one request, or
 * a whole type where a granted device family owns it. Checked after the named refusals
 * (TIOCSTI, TIOCLINUX, the inode-attribute types, the signal owners below Landlock ABI 6),
 * which keep their own reasons.
 */
struct ioctl_entry {
	uint32_t mask, value; /* the request's 32 bits, or its type's (IOCTL_TYPE) */
	const char *why;
};

#define IOCTL_REQ  0xffffffffU
#define IOCTL_TYPE 0xff00U

/* What an ordinary program does on its own terminal, its sockets and the files it reads. */
static const struct ioctl_entry ioctl_base[] = {
	{ IOCTL_REQ, 0x5401, "TCGETS: terminal attributes (tcgetattr, isatty)" },
	{ IOCTL_REQ, 0x5402, "TCSETS: set the terminal's attributes (tcsetattr)" },
	{ IOCTL_REQ, 0x5403, "TCSETSW: set the terminal's attributes after output drains" },
	{ IOCTL_REQ, 0x5404, "TCSETSF: set the terminal's attributes and flush input" },
	{ IOCTL_REQ, 0x5405, "TCGETA: terminal attributes (termio)" },
	{ IOCTL_REQ, 0x5406, "TCSETA: set the terminal's attributes (termio)" },
	{ IOCTL_REQ, 0x5407,
	  "TCSETAW: set the terminal's attributes (termio) after output drains" },
	{ IOCTL_REQ, 0x5408, "TCSETAF: set the terminal's attributes (termio) and flush input" },
	{ IOCTL_REQ, 0x5409, "TCSBRK: tcdrain, tcsendbreak" },
	{ IOCTL_REQ, 0x540a, "TCXONC: tcflow" },
	{ IOCTL_REQ, 0x540b, "TCFLSH: tcflush" },
	{ IOCTL_REQ, 0x540e,
	  "TIOCSCTTY: make the terminal the session's (the program's own session)" },
	{ IOCTL_REQ, 0x540f, "TIOCGPGRP: tcgetpgrp" },
	{ IOCTL_REQ, 0x5410, "TIOCSPGRP: tcsetpgrp (a shell's job control)" },
	{ IOCTL_REQ, 0x5411, "TIOCOUTQ (SIOCOUTQ): bytes queued for output" },
	{ IOCTL_REQ, 0x5413, "TIOCGWINSZ: the window size" },
	{ IOCTL_REQ, 0x5414, "TIOCSWINSZ: set the window size of the program's terminal" },
	{ IOCTL_REQ, 0x541b, "FIONREAD (SIOCINQ): bytes ready to read" },
	{ IOCTL_REQ, 0x5421, "FIONBIO: non-blocking mode of the descriptor" },
	{ IOCTL_REQ, 0x5422, "TIOCNOTTY: give up the controlling terminal" },
	{ IOCTL_REQ, 0x5424, "TIOCGETD: the line discipline" },
	{ IOCTL_REQ, 0x5429, "TIOCGSID: the terminal's session" },
	{ IOCTL_REQ, 0x802c542a, "TCGETS2: terminal attributes with any baud rate" },
	{ IOCTL_REQ, 0x402c542b, "TCSETS2: set them" },
	{ IOCTL_REQ, 0x402c542c, "TCSETSW2: set them after output drains" },
	{ IOCTL_REQ, 0x402c542d, "TCSETSF2: set them and flush input" },
	{ IOCTL_REQ, 0x80045430, "TIOCGPTN: a pseudo-terminal's number (ptsname)" },
	{ IOCTL_REQ, 0x5450, "FIONCLEX: clear close-on-exec" },
	{ IOCTL_REQ, 0x5451, "FIOCLEX: set close-on-exec" },
	{ IOCTL_REQ, 0x5452, "FIOASYNC: signal-driven I/O of the descriptor" },
	{ IOCTL_REQ, 0x5460, "FIOQSIZE: the size of a file or directory" },
	{ IOCTL_REQ, 0x8901,
	  "FIOSETOWN: a socket's signal owner (the supervisor below Landlock ABI 6)" },
	{ IOCTL_REQ, 0x8902,
	  "SIOCSPGRP: a socket's signal owner (the supervisor below Landlock ABI 6)" },
	{ IOCTL_REQ, 0x8903, "FIOGETOWN: a socket's signal owner" },
	{ IOCTL_REQ, 0x8904, "SIOCGPGRP: a socket's signal owner" },
	{ IOCTL_REQ, 0x8905, "SIOCATMARK: at the out-of-band mark" },
	{ IOCTL_REQ, 0x8906, "SIOCGSTAMP: a packet's time stamp" },
	{ IOCTL_REQ, 0x8907, "SIOCGSTAMPNS: a packet's time stamp" },
	{ IOCTL_REQ, 0x80108906, "SIOCGSTAMP (64-bit time): a packet's time stamp" },
	{ IOCTL_REQ, 0x80108907, "SIOCGSTAMPNS (64-bit time): a packet's time stamp" },
	{ IOCTL_REQ, 0x8910, "SIOCGIFNAME: an interface's name" },
	{ IOCTL_REQ, 0x8912, "SIOCGIFCONF: the interfaces' addresses" },
	{ IOCTL_REQ, 0x8913, "SIOCGIFFLAGS: an interface's flags" },
	{ IOCTL_REQ, 0x8915, "SIOCGIFADDR: an interface's address" },
	{ IOCTL_REQ, 0x8917, "SIOCGIFDSTADDR: an interface's peer address" },
	{ IOCTL_REQ, 0x8919, "SIOCGIFBRDADDR: an interface's broadcast address" },
	{ IOCTL_REQ, 0x891b, "SIOCGIFNETMASK: an interface's netmask" },
	{ IOCTL_REQ, 0x891d, "SIOCGIFMETRIC: an interface's metric" },
	{ IOCTL_REQ, 0x8921, "SIOCGIFMTU: an interface's MTU" },
	{ IOCTL_REQ, 0x8927, "SIOCGIFHWADDR: an interface's hardware address" },
	{ IOCTL_REQ, 0x8933, "SIOCGIFINDEX: an interface's index" },
	{ IOCTL_REQ, 0x8942, "SIOCGIFTXQLEN: an interface's queue length" },
	{ IOCTL_REQ, 0x894b, "SIOCOUTQNSD: bytes not yet sent" },
	{ IOCTL_REQ, 0x2, "FIGETBSZ: a file's block size" },
	{ IOCTL_REQ, 0x80086601, "FS_IOC_GETFLAGS: inode flags (lsattr)" },
	{ IOCTL_REQ, 0x80046601, "FS_IOC32_GETFLAGS: inode flags (lsattr)" },
	{ IOCTL_REQ, 0x80087601, "FS_IOC_GETVERSION: the inode's generation" },
	{ IOCTL_REQ, 0x80047601, "FS_IOC32_GETVERSION: the inode's generation" },
	{ IOCTL_REQ, 0x801c581f, "FS_IOC_FSGETXATTR: extended inode flags and project" },
	{ IOCTL_REQ, 0x81009431, "FS_IOC_GETFSLABEL: the file system's label" },
	{ IOCTL_REQ, 0x80111500, "FS_IOC_GETFSUUID: the file system's UUID" },
	{ IOCTL_REQ, 0x80811501, "FS_IOC_GETFSSYSFSPATH: the file system's sysfs name" },
	{ 0 },
};

/* Every request of a terminal: the serial ports and Bluetooth RFCOMM ports are terminals. */
static const struct ioctl_entry ioctl_tty[] = {
	{ IOCTL_TYPE, 0x5400,
	  "'T': every terminal request on the granted ports (modem lines, "
	  "serial settings, breaks, line discipline)" },
	{ 0 },
};

/* ALSA: /dev/snd's PCM, control, hardware-dependent, raw MIDI, sequencer, timer, compress. */
static const struct ioctl_entry ioctl_audio[] = {
	{ IOCTL_TYPE, 0x4100, "'A': ALSA PCM (/dev/snd/pcm*)" },
	{ IOCTL_TYPE, 0x4300, "'C': ALSA compressed audio (/dev/snd/comprC*)" },
	{ IOCTL_TYPE, 0x4800, "'H': ALSA hardware-dependent devices (/dev/snd/hwC*)" },
	{ IOCTL_TYPE, 0x5300, "'S': ALSA sequencer (/dev/snd/seq)" },
	{ IOCTL_TYPE, 0x5400, "'T': ALSA timer (/dev/snd/timer)" },
	{ IOCTL_TYPE, 0x5500, "'U': ALSA control (/dev/snd/controlC*)" },
	{ IOCTL_TYPE, 0x5700, "'W': ALSA raw MIDI (/dev/snd/midiC*)" },
	{ 0 },
};

static const struct ioctl_entry ioctl_camera[] = {
	{ IOCTL_TYPE, 0x5600, "'V': Video4Linux (/dev/video*)" },
	{ IOCTL_TYPE, 0x7c00, "'|': media controller (/dev/media*)" },
	{ 0 },
};

static const struct ioctl_entry ioctl_usb[] = {
	{ IOCTL_TYPE, 0x5500, "'U': usbfs (/dev/bus/usb)" },
	{ 0 },
};

static const struct ioctl_entry ioctl_bluetooth[] = {
	{ IOCTL_TYPE, 0x4800, "'H': Bluetooth HCI sockets (device lists, inquiry)" },
	{ IOCTL_TYPE, 0x5200, "'R': Bluetooth RFCOMM sockets (binding /dev/rfcomm*)" },
	{ 0 },
};

/*
 * The device families compile_devices grants with their ioctl right, each with the types
 * its devices answer. Landlock still judges which device path is opened; these only keep
 * the requests of a granted device from being refused here.
 */
static const struct {
	const char *entitlement;
	const struct ioctl_entry *entries;
} ioctl_devices[] = {
	{ NULL /* audio_key() */, ioctl_audio },
	{ "device.camera", ioctl_camera },
	{ "device.usb", ioctl_usb },
	{ "device.serial", ioctl_tty },
	{ "device.bluetooth", ioctl_tty },
	{ "device.bluetooth", ioctl_bluetooth },
};

static void ioctl_allow(struct builder *b, const struct ioctl_entry *e, const char *entitlement)
{
	for (; e->why; e++)
		sc_tag(sc_rule(b, "ioctl", EPERM, COND1(BITS(1, e->mask, e->value)), entitlement,
			       e->why),
		       SBX_ANSWER_ALLOW, 0);
}

static void compile_ioctls(struct builder *b)
{
	ioctl_allow(b, ioctl_base, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(ioctl_devices); i++) {
		const char *key = ioctl_devices[i].entitlement ?: audio_key(b);

		if (key && entitled(b, key))
			ioctl_allow(b, ioctl_devices[i].entries, key);
	}
	sc_rule(b, "ioctl", EPERM, NOCOND, NULL,
		"ioctl requests outside the allow-list (terminals, sockets, file queries, and "
		"the granted devices' own): the file system would judge them by ownership, "
		"not by the grants");
}

/*
 * Groups of syscall_groups.h: each is allowed, or every call of it gets a rule (refused,
 * or carried out by the supervisor). A call in no group is refused by the filter itself.
 */
static void compile_groups(struct builder *b, bool confined)
{
	struct sbx_seccomp_plan *s = &b->plan->seccomp;

	s->unknown_errno = ENOSYS;
	s->groups = calloc(sbx_n_syscall_groups, sizeof(*s->groups));
	if (!s->groups)
		return nomem(b);
	s->n_groups = sbx_n_syscall_groups;
	for (size_t i = 0; i < sbx_n_syscall_groups; i++) {
		const struct sbx_syscall_group *g = &sbx_syscall_groups[i];
		struct sbx_seccomp_group_verdict *v = &s->groups[i];

		v->group = g;
		v->lifted_by = g->lifted_by;
		v->allowed = g->action == SBX_GROUP_ALLOW ||
			     (g->action == SBX_GROUP_REFUSE && g->lifted_by &&
			      lifted(b, g->lifted_by)) ||
			     (g->action == SBX_GROUP_SUPERVISE && !confined);
		for (const char *const *c = g->calls; !v->allowed && *c; c++) {
			struct sbx_seccomp_rule *r =
				sc_rule(b, *c, g->errno_value, NOCOND, g->lifted_by, g->help);

			if (!r)
				return;
			r->group = g;
			if (g->action == SBX_GROUP_SUPERVISE)
				r->answer = SBX_ANSWER_SUPERVISOR;
		}
	}
}

/*
 * Other processes' limits, priorities and placement: the kernel lets a program change them
 * for any process of its user. In the kernel only the caller itself (target 0) passes; any
 * other target goes to the supervisor, which may carry it out for the program's own
 * processes. setpriority and ioprio_set also take a "which": a process group or a whole
 * user is never the caller alone.
 */
static void compile_process_resources(struct builder *b)
{
	static const struct {
		const char *call;
		unsigned int arg;
		uint64_t self;
		const char *why;
	} self_only[] = {
		{ "prlimit64", 0, 0, "another process's resource limits" },
		{ "setpriority", 0, 0 /* PRIO_PROCESS */,
		  "the priority of a process group or user" },
		{ "setpriority", 1, 0, "another process's priority" },
		{ "sched_setaffinity", 0, 0, "another process's CPU affinity" },
		{ "sched_setscheduler", 0, 0, "another process's scheduling policy" },
		{ "sched_setparam", 0, 0, "another process's scheduling priority" },
		{ "sched_setattr", 0, 0, "another process's scheduling attributes" },
		{ "ioprio_set", 0, 1 /* IOPRIO_WHO_PROCESS */,
		  "the I/O priority of a process group or user" },
		{ "ioprio_set", 1, 0, "another process's I/O priority" },
		{ "migrate_pages", 0, 0, "another process's memory placement" },
		{ "move_pages", 0, 0, "another process's memory placement" },
	};
	/* Their target is a pidfd: never the caller as seccomp sees it. */
	static const char *const by_pidfd[] = { "process_madvise", "process_mrelease" };

	for (size_t i = 0; i < ARRAY_SIZE(self_only); i++)
		sc_tag(sc_rule(b, self_only[i].call, EPERM,
			       COND1(NE(self_only[i].arg, self_only[i].self)), NULL,
			       self_only[i].why),
		       SBX_ANSWER_SUPERVISOR, 0);
	for (size_t i = 0; i < ARRAY_SIZE(by_pidfd); i++)
		sc_tag(sc_rule(b, by_pidfd[i], EPERM, NOCOND, NULL, "another process's memory"),
		       SBX_ANSWER_SUPERVISOR, 0);
}

/*
 * Other processes' attributes: the kernel lets a program read the priorities, scheduling,
 * CPU affinity, capabilities, process group and session of any process it can name, and pidfd_open
 * gives a descriptor that watches any process exit and tells (PIDFD_GET_INFO) its parent, uids and
 * cgroup. The read side of the calls above: target 0 (the caller) stays in the kernel, any other
 * goes to the supervisor, which answers only for the sandbox's own processes and says ESRCH for the
 * rest, as a PID namespace would (no such process: neither its attributes nor its existence).
 * pidfd_open never names the caller by 0: every call goes. getpriority and ioprio_get of a
 * process group or a user are refused (EPERM). capget stays in the kernel: its target is in
 * memory, which the supervisor cannot read from a program that is not dumpable (a nested sbx
 * could then not start), and another process's capabilities are in its /proc/PID/status,
 * which tier U grants as all of /proc (tier K's proc_scope closes that).
 * Calls the kernel checks as ptrace reads (get_robust_list, kcmp, /proc/PID/mem) Landlock already
 * keeps inside the sandbox.
 */
static void compile_process_reads(struct builder *b)
{
	static const struct {
		const char *call;
		unsigned int arg;
		uint64_t self;
		int errno_value;
		const char *why;
	} self_only[] = {
		{ "getpriority", 0, 0 /* PRIO_PROCESS */, EPERM,
		  "the priority of a process group or user" },
		{ "getpriority", 1, 0, ESRCH, "another process's priority" },
		{ "ioprio_get", 0, 1 /* IOPRIO_WHO_PROCESS */, EPERM,
		  "the I/O priority of a process group or user" },
		{ "ioprio_get", 1, 0, ESRCH, "another process's I/O priority" },
		{ "sched_getaffinity", 0, 0, ESRCH, "another process's CPU affinity" },
		{ "sched_getparam", 0, 0, ESRCH, "another process's scheduling priority" },
		{ "sched_getscheduler", 0, 0, ESRCH, "another process's scheduling policy" },
		{ "sched_getattr", 0, 0, ESRCH, "another process's scheduling attributes" },
		{ "sched_rr_get_interval", 0, 0, ESRCH, "another process's time slice" },
		{ "getpgid", 0, 0, ESRCH, "another process's process group" },
		{ "getsid", 0, 0, ESRCH, "another process's session" },
	};
	static const struct {
		const char *call;
		const char *why;
	} always[] = {
		{ "pidfd_open", "a descriptor for a process (its exit and its identity)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(self_only); i++)
		sc_tag(sc_rule(b, self_only[i].call, self_only[i].errno_value,
			       COND1(NE(self_only[i].arg, self_only[i].self)), NULL,
			       self_only[i].why),
		       SBX_ANSWER_SUPERVISOR, 0);
	for (size_t i = 0; i < ARRAY_SIZE(always); i++)
		sc_tag(sc_rule(b, always[i].call, ESRCH, NOCOND, NULL, always[i].why),
		       SBX_ANSWER_SUPERVISOR, 0);
}

/*
 * Signals before Landlock ABI 6 (LANDLOCK_SCOPE_SIGNAL): a signal to the caller's own
 * process group (0) stays in the kernel; any other target goes to the supervisor, which
 * delivers it only inside the sandbox. The kernel also signals on the program's behalf: SIGIO
 * and SIGURG (or F_SETSIG's signal) go to a descriptor's owner. Setting an owner other
 * than none (0) goes to the supervisor too, which sets it only to one of the sandbox's
 * processes; F_SETOWN_EX and the socket ioctls keep the owner in memory, so every one goes.
 */
static void compile_signals(struct builder *b)
{
	static const char *const by_pid[] = { "kill", "tkill", "tgkill", "rt_sigqueueinfo",
					      "rt_tgsigqueueinfo" };
	static const char why[] = "signals outside the sandbox (Landlock ABI 6 scopes them)";
	static const char owner_why[] = "a descriptor's signal owner outside the sandbox "
					"(Landlock ABI 6 scopes it)";
	static const uint64_t owner_ioctls[] = { 0x8901 /* FIOSETOWN */, 0x8902 /* SIOCSPGRP */ };

	for (size_t i = 0; i < ARRAY_SIZE(by_pid); i++)
		sc_tag(sc_rule(b, by_pid[i], EPERM, COND1(NE(0, 0)), NULL, why),
		       SBX_ANSWER_SUPERVISOR, 6);
	/* Its target is a pidfd: never the caller's own group. */
	sc_tag(sc_rule(b, "pidfd_send_signal", EPERM, NOCOND, NULL, why), SBX_ANSWER_SUPERVISOR, 6);
	sc_tag(sc_rule(b, "fcntl", EPERM, COND2(EQ32(1, F_SETOWN), NE(2, 0)), NULL, owner_why),
	       SBX_ANSWER_SUPERVISOR, 6);
	sc_tag(sc_rule(b, "fcntl", EPERM, COND1(EQ32(1, F_SETOWN_EX)), NULL, owner_why),
	       SBX_ANSWER_SUPERVISOR, 6);
	for (size_t i = 0; i < ARRAY_SIZE(owner_ioctls); i++)
		sc_tag(sc_rule(b, "ioctl", EPERM, COND1(EQ32(1, owner_ioctls[i])), NULL, owner_why),
		       SBX_ANSWER_SUPERVISOR, 6);
}

/*
 * Whether a file is in the page cache tells when other programs read it (atk5u E: evict
 * /usr/bin/ssh, then watch for it to come back): cachestat and mincore are a refused group
 * (@page-cache); these are the calls that evict or probe besides. Reading with RWF_NOWAIT
 * answers EAGAIN for a page not cached (EOPNOTSUPP is what a file that cannot do it
 * answers: callers fall back); Linux AIO carries the same flag in an iocb and is refused
 * as a group (@aio). madvise takes an allow-list of advice (atk6u P): MADV_COLD and
 * MADV_PAGEOUT evict the pages of any file the caller owns (as root: every system file),
 * MADV_MERGEABLE makes its pages KSM's (merged pages tell other programs' contents by the
 * time a write takes), MADV_COLLAPSE rewrites a file's cached pages as huge ones, and
 * HWPOISON and SOFT_OFFLINE are the administrator's. What is allowed acts on the caller's
 * own mappings only: DONTNEED on a file mapping drops the caller's page tables, not the
 * cache, and WILLNEED and POPULATE_READ read the file as read(2) would. The rest answers
 * EINVAL, as a kernel without that advice does (programs take MADV_COLD and MADV_PAGEOUT
 * as hints and go on), and so does any advice a newer kernel adds.
 * Timing ordinary reads stays a side channel no filter closes, and so does the program's
 * own accounting of a read fault (atk7u P1): fault-around maps the neighbouring pages that
 * are cached, which /proc/self/pagemap, smaps, statm or getrusage's major faults tell.
 */
static void compile_page_cache(struct builder *b)
{
	static const char why[] = "probing or evicting other programs' page cache";
	static const uint64_t advice[] = {
		0 /* NORMAL */,		  1 /* RANDOM */,	   2 /* SEQUENTIAL */,
		3 /* WILLNEED */,	  4 /* DONTNEED */,	   8 /* FREE */,
		9 /* REMOVE */,		  10 /* DONTFORK */,	   11 /* DOFORK */,
		13 /* UNMERGEABLE */,	  14 /* HUGEPAGE */,	   15 /* NOHUGEPAGE */,
		16 /* DONTDUMP */,	  17 /* DODUMP */,	   18 /* WIPEONFORK */,
		19 /* KEEPONFORK */,	  22 /* POPULATE_READ */,  23 /* POPULATE_WRITE */,
		24 /* DONTNEED_LOCKED */, 102 /* GUARD_INSTALL */, 103 /* GUARD_REMOVE */,
	};

	sc_rule(b, "fadvise64", EPERM, COND1(EQ32(3, SBX_POSIX_FADV_DONTNEED)), NULL, why);
	sc_rule(b, "preadv2", EOPNOTSUPP, COND1(BITS(5, SBX_RWF_NOWAIT, SBX_RWF_NOWAIT)), NULL,
		why);
	deny_outside(b, "madvise", NOCOND, 2, ~0ULL, advice, ARRAY_SIZE(advice), EINVAL,
		     "madvise advice outside the allow-list (MADV_PAGEOUT and MADV_COLD evict "
		     "other programs' page cache, MADV_MERGEABLE is KSM's side channel)",
		     0);
}

/*
 * fcntl by an allow-list of commands (atk6u W): the kernel gates some commands on the
 * file's owner, not on how the descriptor was opened, and Landlock sees none of them, so
 * each new command would be one more deny rule. Allowed: descriptors and their flags
 * (F_SETFL changes only the open file's O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT and
 * O_NOATIME, the last one on files the caller owns), the lock queries and the lock-setting
 * commands (those go to the supervisor, compile_locks, before this plan refuses anything),
 * signal owners (set ones go to the supervisor below Landlock ABI 6, compile_signals),
 * F_GETLEASE, pipe sizes, memfd seals, F_GET_RW_HINT and the descriptor queries. Refused
 * (EINVAL, what a kernel without the command answers, so a program probing a newer one
 * falls back): F_SETLEASE (a lease stalls every other opener: a sandboxed root held /etc
 * files for 7 s), F_NOTIFY (dnotify, the leak of an inotify watch), F_SET_RW_HINT (the
 * inode's write-lifetime hint, shared by every writer, set on a file opened read-only),
 * F_SET_FILE_RW_HINT, the 32-bit lock commands (12-14: a lock past the supervisor) and
 * every command a newer kernel adds (delegations among them).
 */
static void compile_fcntl(struct builder *b)
{
	static const uint64_t commands[] = {
		0 /* F_DUPFD */,
		1 /* F_GETFD */,
		2 /* F_SETFD */,
		3 /* F_GETFL */,
		4 /* F_SETFL */,
		5 /* F_GETLK */,
		SBX_F_SETLK,
		SBX_F_SETLKW,
		8 /* F_SETOWN */,
		9 /* F_GETOWN */,
		10 /* F_SETSIG */,
		11 /* F_GETSIG */,
		15 /* F_SETOWN_EX */,
		16 /* F_GETOWN_EX */,
		36 /* F_OFD_GETLK */,
		SBX_F_OFD_SETLK,
		SBX_F_OFD_SETLKW,
		1025 /* F_GETLEASE */,
		1027 /* F_DUPFD_QUERY */,
		1028 /* F_CREATED_QUERY */,
		1030 /* F_DUPFD_CLOEXEC */,
		1031 /* F_SETPIPE_SZ */,
		1032 /* F_GETPIPE_SZ */,
		1033 /* F_ADD_SEALS */,
		1034 /* F_GET_SEALS */,
		1035 /* F_GET_RW_HINT */,
	};

	deny_outside(b, "fcntl", NOCOND, 1, ~0ULL, commands, ARRAY_SIZE(commands), EINVAL,
		     "fcntl commands outside the allow-list (F_SETLEASE stalls other programs, "
		     "F_NOTIFY watches a directory, F_SET_RW_HINT sets inode state on a file "
		     "opened read-only)",
		     0);
}

/*
 * seccomp(2) itself, by allow-list: the operations and filter flags a confined program may
 * use to confine itself further. Not SECCOMP_FILTER_FLAG_NEW_LISTENER (nor its
 * WAIT_KILLABLE_RECV): a listener of the program's own answers the calls sbx's filter sends
 * to sbx's supervisor once sbx's listener is closed (the kernel allows one listener per
 * filter chain, and frees sbx's with its descriptor); among equal USER_NOTIF answers the
 * newest filter's listener wins, and its CONTINUE runs the call natively (atk8u O2). While
 * sbx lives the kernel already says EBUSY, so nothing that works today breaks. Operations:
 * strict mode, filters, GET_ACTION_AVAIL and GET_NOTIF_SIZES (0-3); anything newer waits
 * for review. Both are compared on all 64 bits: a value whose upper half the kernel would
 * ignore is refused, never let through.
 */
static void compile_seccomp_self(struct builder *b)
{
	static const uint64_t ops[] = { 0, 1, 2, 3 };
	uint64_t flags[16];

	/* Every subset of TSYNC 1, LOG 2, SPEC_ALLOW 4, TSYNC_ESRCH 16 (ascending). */
	for (unsigned int i = 0; i < ARRAY_SIZE(flags); i++)
		flags[i] = (i & 7) | (i & 8) << 1;
	deny_outside(b, "seccomp", NOCOND, 0, ~0ULL, ops, ARRAY_SIZE(ops), EINVAL,
		     "seccomp operations outside the allow-list", 0);
	deny_outside(b, "seccomp", NOCOND, 1, ~0ULL, flags, ARRAY_SIZE(flags), EPERM,
		     "seccomp(NEW_LISTENER): a listener of the program's own would answer the "
		     "calls sbx supervises; filter flags outside the allow-list",
		     0);
}

static void compile_kernel_surface(struct builder *b)
{
	/* 'f' (FS_IOC_*, ext4, fs-verity, fscrypt), 'X' (FSSETXATTR), 'v', btrfs (0x94). */
	static const uint64_t fs_ioctl_types[] = { 0x66, 0x58, 0x76, 0x94 };
	static const char fs_why[] =
		"ioctls that set inode attributes (chattr, fs-verity, fscrypt): Landlock does not "
		"see them, and no entitlement lifts this";
	static const struct {
		uint64_t flag;
		const char *why;
	} clone_flags[] = {
		{ 0x00020000, "clone(CLONE_NEWNS): new mount namespace" },
		{ 0x02000000, "clone(CLONE_NEWCGROUP): new cgroup namespace" },
		{ 0x04000000, "clone(CLONE_NEWUTS): new UTS namespace" },
		{ 0x08000000, "clone(CLONE_NEWIPC): new IPC namespace" },
		{ 0x10000000, "clone(CLONE_NEWUSER): new user namespace" },
		{ 0x20000000, "clone(CLONE_NEWPID): new PID namespace" },
		{ 0x40000000, "clone(CLONE_NEWNET): new network namespace" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(clone_flags); i++)
		sc_rule(b, "clone", EPERM, COND1(BITS(0, clone_flags[i].flag, clone_flags[i].flag)),
			NULL, clone_flags[i].why);
	/* clone3 passes its flags in memory seccomp cannot read: libc falls back to clone. */
	sc_rule(b, "clone3", ENOSYS, NOCOND, NULL, "clone3 (flags unreadable by seccomp)");
	compile_seccomp_self(b);
	/*
	 * personality(READ_IMPLIES_EXEC) makes every readable mapping executable. The query
	 * personality(0xffffffff) has that bit too and must keep working: deny the bit
	 * together with any other bit clear, one rule per bit (one comparison per argument).
	 */
	for (unsigned int bit = 0; bit < 32; bit++)
		if ((1ULL << bit) != SBX_READ_IMPLIES_EXEC)
			sc_rule(b, "personality", EPERM,
				COND1(BITS(0, SBX_READ_IMPLIES_EXEC | (1ULL << bit),
					   SBX_READ_IMPLIES_EXEC)),
				NULL, "personality(READ_IMPLIES_EXEC)");
	/*
	 * Inode attributes by ioctl (chattr's FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR, fs-verity,
	 * fscrypt policies, ext4 and btrfs controls): the kernel checks ownership, not how the
	 * file was opened, and Landlock does not see them, so a read-only grant could set
	 * flags. Every request of the fs-attribute types that writes or has no direction is
	 * refused, whatever the profile; reads (lsattr's FS_IOC_GETFLAGS) stay. Two requests
	 * are declared as reads but change the file system: they are named.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(fs_ioctl_types); i++) {
		uint64_t t = fs_ioctl_types[i] << 8;

		sc_rule(b, "ioctl", EPERM,
			COND1(BITS(1, SBX_IOC_WRITE | 0xff00, SBX_IOC_WRITE | t)), NULL, fs_why);
		sc_rule(b, "ioctl", EPERM, COND1(BITS(1, SBX_IOC_WRITE | SBX_IOC_READ | 0xff00, t)),
			NULL, fs_why);
	}
	sc_rule(b, "ioctl", EPERM, COND1(EQ32(1, SBX_FS_IOC_SET_ENCRYPTION_POLICY)), NULL,
		"FS_IOC_SET_ENCRYPTION_POLICY (declared as a read)");
	sc_rule(b, "ioctl", EPERM, COND1(EQ32(1, SBX_EXT4_IOC_SHUTDOWN)), NULL,
		"EXT4_IOC_SHUTDOWN (declared as a read)");
	sc_rule(b, "ioctl", EPERM, COND1(EQ32(1, SBX_TIOCSTI)), NULL,
		"TIOCSTI (typing into the terminal)");
	sc_rule(b, "ioctl", EPERM, COND1(EQ32(1, SBX_TIOCLINUX)), NULL,
		"TIOCLINUX (console selection and input)");
	compile_fcntl(b);
}

/*
 * The mode bits a program may give a file: 0777 | S_ISVTX, an allow-list. A set-user-id or
 * set-group-id bit is authority over whoever runs the file, not access to its contents
 * (Landlock's write right), and a file system the program may write is not mounted nosuid:
 * a root program under --allow-root would hand every local user a root shell. Every call
 * that carries a mode is refused with a set-id bit: those that create (their mode is an
 * argument: seccomp, here) and chmod (the supervisor, metadata.c). openat2 keeps its mode
 * in struct open_how, which seccomp cannot read: ENOSYS, and libc and runtimes fall back
 * to openat, as for clone3. chown clears both bits itself; file capabilities (the
 * security.capability xattr) are refused by the supervisor's xattr allow-list (xattr.c).
 */
static void compile_file_modes(struct builder *b)
{
	static const struct {
		const char *call;
		unsigned int arg;
	} with_mode[] = {
		{ "open", 2 }, { "openat", 3 }, { "creat", 1 }, { "mknod", 1 }, { "mknodat", 2 },
	};
	static const uint64_t setid[] = { SBX_S_ISUID, SBX_S_ISGID };

	for (size_t i = 0; i < ARRAY_SIZE(with_mode); i++)
		for (size_t k = 0; k < ARRAY_SIZE(setid); k++)
			sc_rule(b, with_mode[i].call, EPERM,
				COND1(BITS(with_mode[i].arg, setid[k], setid[k])), NULL,
				"a set-user-id or set-group-id mode bit");
	sc_rule(b, "openat2", ENOSYS, NOCOND, NULL, "openat2 (its mode unreadable by seccomp)");
}

/*
 * Advisory locks stall every other program that locks the same file (a sandboxed root
 * held /etc/.pwd.lock: useradd and passwd failed), as leases do: a program may lock only
 * what it may write. seccomp cannot see the file, so the supervisor takes them
 * (supervise/lock.c): flock, and fcntl's commands that set a lock. F_GETLK and F_OFD_GETLK
 * change nothing and stay in the kernel.
 */
static void compile_locks(struct builder *b)
{
	static const uint64_t set_lock[] = { SBX_F_SETLK, SBX_F_SETLKW, SBX_F_OFD_SETLK,
					     SBX_F_OFD_SETLKW };
	static const char why[] = "advisory locks outside the write grants";

	sc_tag(sc_rule(b, "flock", EPERM, NOCOND, NULL, why), SBX_ANSWER_SUPERVISOR, 0);
	for (size_t i = 0; i < ARRAY_SIZE(set_lock); i++)
		sc_tag(sc_rule(b, "fcntl", EPERM, COND1(EQ32(1, set_lock[i])), NULL, why),
		       SBX_ANSWER_SUPERVISOR, 0);
}

/* Hardened Runtime: W^X, lifted along Apple's cascade. */
static void compile_memory(struct builder *b)
{
	bool unsigned_mem = lifted(b, "cs.allow-unsigned-executable-memory");
	bool jit = lifted(b, "cs.allow-jit");
	const uint64_t wx = SBX_PROT_WRITE | SBX_PROT_EXEC;

	if (!jit)
		sc_rule(b, "mmap", EACCES, COND1(BITS(2, wx, wx)), "cs.allow-jit",
			"writable and executable memory");
	if (!unsigned_mem) {
		sc_rule(b, "mprotect", EACCES, COND1(BITS(2, wx, wx)),
			"cs.allow-unsigned-executable-memory", "writable and executable memory");
		sc_rule(b, "pkey_mprotect", EACCES, COND1(BITS(2, wx, wx)),
			"cs.allow-unsigned-executable-memory", "writable and executable memory");
		sc_rule(b, "mprotect", EACCES, COND1(BITS(2, SBX_PROT_EXEC, SBX_PROT_EXEC)),
			"cs.allow-unsigned-executable-memory", "making memory executable");
		sc_rule(b, "pkey_mprotect", EACCES, COND1(BITS(2, SBX_PROT_EXEC, SBX_PROT_EXEC)),
			"cs.allow-unsigned-executable-memory", "making memory executable");
		/*
		 * A memfd is executable unless sealed so (6.3), and Landlock does not govern
		 * exec of one through /proc/self/fd. The launcher's supervisor answers these
		 * calls with a memfd it created with MFD_NOEXEC_SEAL added; where it cannot
		 * (before 6.3, or no user notification) the call is refused. Disjoint from
		 * the MFD_EXEC rule below, which always refuses.
		 */
		sc_tag(sc_rule(b, "memfd_create", EACCES,
			       COND1(BITS(1, MFD_NOEXEC_SEAL | MFD_EXEC, 0)),
			       "cs.allow-unsigned-executable-memory",
			       "memfd without MFD_NOEXEC_SEAL (executable by default)"),
		       SBX_ANSWER_SEALED_MEMFD, 0);
	}
	/* Code that never came from a file: refused whatever the profile says. */
	sc_rule(b, "memfd_create", EACCES, COND1(BITS(1, MFD_EXEC, MFD_EXEC)), NULL,
		"executable memfd (MFD_EXEC)");
	/* Except the launcher's own exec of the verified file (plan.h, SBX_EXEC_FD). */
	sc_rule(b, "execveat", EACCES,
		COND2(NE(0, SBX_EXEC_FD), BITS(4, SBX_AT_EMPTY_PATH, SBX_AT_EMPTY_PATH)), NULL,
		"executing a file descriptor (AT_EMPTY_PATH)");
	/*
	 * MDWE refuses W+X mmap as well as W->X mprotect, so any memory entitlement turns it
	 * off; the seccomp rules above keep what that entitlement does not lift.
	 */
	b->plan->process.mdwe = jit ? 0 : PR_MDWE_REFUSE_EXEC_GAIN;
}

/*
 * Without app-sandbox there is no Landlock domain, and a write to /proc/self/mem goes
 * through page protections (FOLL_FORCE): code written there runs, whatever seccomp and
 * MDWE say about mprotect. So a profile whose W^X holds gets a domain that handles only
 * writing files, granted beneath every entry of "/" but proc. Nothing else changes for it:
 * reads, execution and creating files are not handled. Without the list of "/" (facts from
 * a test) there is no such domain, and explain shows that.
 */
static void compile_proc_mem_guard(struct builder *b)
{
	struct sbx_landlock_plan *l = &b->plan->landlock;
	const char *e = b->facts->root_entries;

	if (!e || lifted(b, "cs.allow-unsigned-executable-memory"))
		return;
	l->enabled = true;
	l->handled_fs = LANDLOCK_ACCESS_FS_WRITE_FILE;
	for (; *e; e += strlen(e) + 1)
		if (strcmp(e, "proc"))
			fs_rule_take(b, join("/", e), LANDLOCK_ACCESS_FS_WRITE_FILE, true,
				     "cs.allow-unsigned-executable-memory");
}

/* ---- process attributes ---- */

/*
 * The variables a program under the hardened runtime receives from its invoker: an
 * allow-list, because the variables that make some program load code from a path its
 * invoker chose (LD_PRELOAD, PYTHONPATH, TCL_LIBRARY, JAVA_TOOL_OPTIONS, PROMPT_COMMAND,
 * GIT_EXEC_PATH, ...) are unbounded. Every other variable is removed unless
 * cs.allow-dyld-environment-variables (Apple's DYLD_INSERT_LIBRARIES rule), which passes
 * them all. A name ending in '*' is a prefix (LC_*). These name where the user is, who
 * they are, how to talk to them and their display; TMPDIR and sbx's canary are set by the
 * launcher itself. The XDG_*_DIRS search lists stay out: they name system directories
 * whose modules (GIO, schemas) load code.
 */
static const char *const sandbox_env[] = {
	"PATH",
	"HOME",
	"USER",
	"LOGNAME",
	"SHELL",
	"LANG",
	"LANGUAGE",
	"LC_*",
	"TERM",
	"COLORTERM",
	"NO_COLOR",
	"COLUMNS",
	"LINES",
	"TZ",
	"PWD",
	"DISPLAY",
	"WAYLAND_DISPLAY",
	"XDG_RUNTIME_DIR",
	"XDG_SESSION_TYPE",
	"XDG_CONFIG_HOME",
	"XDG_DATA_HOME",
	"XDG_CACHE_HOME",
	"XDG_STATE_HOME",
};

const struct sbx_home_dir sbx_plan_home_dirs[4] = {
	{ "XDG_CONFIG_HOME", ".config" },
	{ "XDG_CACHE_HOME", ".cache" },
	{ "XDG_DATA_HOME", ".local/share" },
	{ "XDG_STATE_HOME", ".local/state" },
};

bool sbx_env_kept(const struct sbx_process_plan *pp, const char *entry)
{
	size_t len = strcspn(entry, "=");

	if (!pp->env_filtered)
		return true;
	for (size_t i = 0; i < pp->n_env_keep; i++) {
		const char *name = pp->env_keep[i];
		size_t n = strlen(name);

		if (n && name[n - 1] == '*' ? len >= n - 1 && !strncmp(name, entry, n - 1)
					    : n == len && !strncmp(name, entry, len))
			return true;
	}
	return false;
}

static void compile_process(struct builder *b)
{
	struct sbx_process_plan *pp = &b->plan->process;
	bool debuggable = entitled(b, "get-task-allow");

	pp->no_new_privs = true;
	pp->drop_capabilities = true;
	pp->dumpable = debuggable;
	if (!debuggable) {
		pp->rlimits = calloc(1, sizeof(*pp->rlimits));
		if (!pp->rlimits)
			return nomem(b);
		pp->rlimits[0] = (struct sbx_rlimit_rule){ .resource = RLIMIT_CORE,
							   .entitlement = "get-task-allow" };
		pp->n_rlimits = 1;
	}
	if (entitled(b, "cs.allow-dyld-environment-variables"))
		return;
	pp->env_filtered = true;
	pp->env_keep = calloc(sizeof(sandbox_env) / sizeof(sandbox_env[0]), sizeof(char *));
	if (!pp->env_keep)
		return nomem(b);
	for (size_t i = 0; i < sizeof(sandbox_env) / sizeof(sandbox_env[0]); i++) {
		pp->env_keep[i] = strdup(sandbox_env[i]);
		if (!pp->env_keep[i])
			return nomem(b);
		pp->n_env_keep++;
	}
}

uint32_t sbx_compile_policy_flags(const struct sbx_profile *p, bool sandboxed)
{
	static const struct {
		const char *key;
		uint32_t flag;
	} bits[] = {
		{ "cs.allow-jit", SBX_POLICY_ALLOW_JIT },
		{ "cs.allow-unsigned-executable-memory", SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM },
		{ "cs.allow-dyld-environment-variables", SBX_POLICY_ALLOW_DYLD_ENV },
		{ "cs.disable-library-validation", SBX_POLICY_DISABLE_LIBRARY_VALIDATION },
		{ "cs.disable-executable-page-protection",
		  SBX_POLICY_DISABLE_EXEC_PAGE_PROTECTION },
		{ "cs.debugger", SBX_POLICY_DEBUGGER },
		{ "get-task-allow", SBX_POLICY_GET_TASK_ALLOW },
		{ "network.client", SBX_POLICY_NETWORK_CLIENT },
		{ "network.server", SBX_POLICY_NETWORK_SERVER },
	};
	uint32_t flags = SBX_POLICY_HARDENED_RUNTIME | (sandboxed ? SBX_POLICY_APP_SANDBOX : 0);

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (p && sbx_profile_entitled(p, bits[i].key))
			flags |= bits[i].flag;
	/* The cascade: each key carries what the ones below it allow. */
	if (flags & SBX_POLICY_DISABLE_EXEC_PAGE_PROTECTION)
		flags |= SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM;
	if (flags & SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM)
		flags |= SBX_POLICY_ALLOW_JIT;
	return flags;
}

/* ---- what a kernel without a feature costs the plan (plan.h, sbx_plan_drop) ---- */

static void drop(struct builder *b, const char *feature, enum sbx_drop_cost cost,
		 const char *cover_call, const char *how)
{
	struct sbx_plan *p = b->plan;

	if (p->n_drops < SBX_PLAN_DROPS_MAX)
		p->drops[p->n_drops++] = (struct sbx_plan_drop){ feature, cost, cover_call, how };
}

/* The devices app-sandbox opens without ioctl rights: none has an ioctl for the unprivileged. */
static bool memory_device(const char *path)
{
	static const char *const devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
					       "/dev/urandom" };

	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (!strcmp(path, devices[i]))
			return true;
	return false;
}

/*
 * Whether a rule reaches device nodes other than the memory devices without granting
 * their ioctls: what a kernel without LANDLOCK_ACCESS_FS_IOCTL_DEV (ABI 5) would open up.
 * Device nodes live under /dev (an unprivileged program cannot make one elsewhere: MAKE_CHAR
 * and MAKE_BLOCK are handled, and mknod of a device needs CAP_MKNOD).
 */
static bool devices_without_ioctl(const struct sbx_landlock_plan *l)
{
	for (size_t i = 0; i < l->n_fs; i++) {
		const struct sbx_fs_rule *r = &l->fs[i];

		if (!(r->access & (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE)) ||
		    (r->access & LANDLOCK_ACCESS_FS_IOCTL_DEV) || memory_device(r->path))
			continue;
		if (!strcmp(r->path, "/") || beneath(r->path, "/dev"))
			return true;
	}
	return false;
}

/* A confined plan's network rows: what seccomp refuses instead, or what is open. */
static void compile_network_drops(struct builder *b, bool client, bool server)
{
	if (!client && !server) {
		drop(b, "landlock.net.tcp", SBX_DROP_COVERED, "socket",
		     "seccomp refuses IPv4/IPv6 sockets");
		drop(b, "landlock.net.udp", SBX_DROP_COVERED, "socket",
		     "seccomp refuses IPv4/IPv6 sockets");
	} else if (!server) {
		drop(b, "landlock.net.tcp", SBX_DROP_COVERED, "bind",
		     "the supervisor refuses bind(2) of a port, network.server lifts it");
		drop(b, "landlock.net.udp", SBX_DROP_COVERED, "bind",
		     "the supervisor refuses bind(2) of a port, network.server lifts it");
	} else if (!client) {
		drop(b, "landlock.net.tcp", SBX_DROP_HOLE, NULL,
		     "open: TCP connect to any host and port");
		drop(b, "landlock.net.udp", SBX_DROP_COVERED, "socket",
		     "seccomp refuses UDP sockets, network.client lifts it");
	}
}

/*
 * For each feature a supported kernel may lack, what its absence costs this plan: covered
 * (by which rule), harmless (why), or a hole the profile relies on (what is open). The
 * covering rules are written above with below_abi at least the feature's ABI, so they
 * apply wherever it is missing.
 */
static void compile_drops(struct builder *b, bool confined)
{
	const struct sbx_landlock_plan *l = &b->plan->landlock;
	bool client = entitled(b, "network.client"), server = entitled(b, "network.server");

	drop(b, "landlock", SBX_DROP_HOLE, NULL, "nothing else confines the file system");
	drop(b, "landlock.refer", SBX_DROP_HARMLESS, NULL,
	     "renames and links between directories are refused instead");
	if (confined) {
		drop(b, "landlock.truncate", SBX_DROP_COVERED, "truncate",
		     "seccomp refuses truncate(2) by path");
		compile_network_drops(b, client, server);
		if (devices_without_ioctl(l))
			drop(b, "landlock.ioctl-dev", SBX_DROP_HOLE, NULL,
			     "open: the allow-listed ioctls (terminal, socket and file "
			     "requests) of the devices it is granted");
		else
			drop(b, "landlock.ioctl-dev", SBX_DROP_HARMLESS, NULL,
			     "no device it opens has an ioctl for the unprivileged");
		drop(b, "landlock.scope", SBX_DROP_COVERED, "kill",
		     "sbx carries out signals inside the sandbox only, abstract unix "
		     "connects are refused");
		drop(b, "landlock.resolve-unix", SBX_DROP_COVERED, "connect",
		     "sbx carries out connect() on granted sockets only");
	}
	drop(b, "landlock.log", SBX_DROP_HARMLESS, NULL, "sbx explains denials itself");
	drop(b, "seccomp", SBX_DROP_HOLE, NULL, "nothing else filters system calls");
	drop(b, "seccomp.notify", SBX_DROP_HARMLESS, NULL,
	     "what sbx would carry out is refused instead, unexplained");
	if (b->plan->process.mdwe)
		drop(b, "mdwe", SBX_DROP_COVERED, "mprotect",
		     "seccomp refuses writable+executable mmap and making memory executable");
}

const struct sbx_plan_drop *sbx_plan_drop_find(const struct sbx_plan *plan, const char *feature)
{
	for (size_t i = 0; i < plan->n_drops; i++)
		if (!strcmp(plan->drops[i].feature, feature))
			return &plan->drops[i];
	return NULL;
}

static void compile_policy(struct builder *b, bool sandboxed)
{
	b->plan->policy.abi_version = SBX_ABI_VERSION;
	b->plan->policy.flags = sbx_compile_policy_flags(b->profile, sandboxed);
}

void sbx_plan_free(struct sbx_plan *plan)
{
	if (!plan)
		return;
	free(plan->identifier);
	free(plan->program);
	for (size_t i = 0; i < plan->landlock.n_fs; i++)
		free(plan->landlock.fs[i].path);
	free(plan->landlock.fs);
	free(plan->landlock.net);
	for (size_t i = 0; i < plan->landlock.n_own; i++)
		free(plan->landlock.own[i]);
	free(plan->seccomp.rules);
	free(plan->seccomp.groups);
	for (size_t i = 0; i < plan->process.n_env_keep; i++)
		free(plan->process.env_keep[i]);
	free(plan->process.env_keep);
	free(plan->process.rlimits);
	free(plan->process.container_dir);
	free(plan->process.container_base);
	free(plan->process.tmp_dir);
	free(plan->process.home_dir);
	for (int s = 0; s < SBX_LC_NSLOTS; s++)
		sbx_lc_free(plan->launch_constraints[s]);
	free(plan);
}

int sbx_compile(const struct sbx_profile *p, const struct sbx_host_facts *facts,
		struct sbx_plan **out, struct sbx_diag *diag)
{
	struct builder b = { .profile = p, .facts = facts, .diag = diag };
	bool sandboxed = sbx_profile_entitled(p, "app-sandbox");
	bool inherit = sandboxed && sbx_profile_entitled(p, "inherit");

	if (!p->identifier)
		return sbx_diag_set(diag, -EINVAL, "the profile has no identifier");
	if (facts->program && facts->program[0] != '/')
		return sbx_diag_set(diag, -EINVAL, "program path '%s' is not absolute",
				    facts->program);
	if (inherit && !facts->in_sandbox)
		return sbx_diag_set(
			diag, -EPERM,
			"inherit: true: this program runs only inside a sandboxed parent, "
			"and this process is not sandboxed");
	if (sandboxed && !inherit && !facts->home)
		return sbx_diag_set(diag, -ENOENT,
				    "no home directory: cannot place the app container");
	b.plan = calloc(1, sizeof(*b.plan));
	if (!b.plan)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	b.plan->identifier = strdup(p->identifier);
	b.plan->program = facts->program ? strdup(facts->program) : NULL;
	if (!b.plan->identifier || (facts->program && !b.plan->program))
		nomem(&b);
	if (!inherit && sandboxed)
		compile_landlock(&b);
	else if (!sandboxed)
		compile_proc_mem_guard(&b);
	else if (facts->n_grants && !b.err)
		b.err = sbx_diag_set(diag, -EPERM,
				     "--grant %s: the profile has no files.user-selected "
				     "entitlement",
				     facts->grants[0].path);
	b.plan->process.require_inherited_sandbox = inherit;
	b.plan->seccomp.enabled = true;
	b.plan->seccomp.deny_foreign_arches = true;
	compile_groups(&b, sandboxed && !inherit);
	compile_network_seccomp(&b, sandboxed && !inherit);
	compile_kernel_surface(&b);
	if (sandboxed && !inherit) {
		compile_process_resources(&b);
		compile_process_reads(&b);
		compile_signals(&b);
		compile_page_cache(&b);
		compile_file_modes(&b);
		compile_locks(&b);
		compile_connect_routes(&b);
		compile_send_flags(&b);
		compile_ioctls(&b); /* last of the ioctl rules: it ends in a refusal of all */
	}
	compile_memory(&b);
	compile_process(&b);
	compile_policy(&b, sandboxed);
	compile_drops(&b, sandboxed && !inherit);
	for (int s = 0; !b.err && s < SBX_LC_NSLOTS; s++)
		if (sbx_lc_copy(p->launch[s], &b.plan->launch_constraints[s]))
			nomem(&b);
	if (b.err) {
		sbx_plan_free(b.plan);
		return b.err;
	}
	*out = b.plan;
	return 0;
}
