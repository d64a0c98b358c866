// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What sbx_compile() puts in a plan for each entitlement: the Landlock rights and their
 * ABI, the seccomp rules and the key that lifts each, the Hardened Runtime cascade,
 * process attributes, grants, inherit. The plan is data; sandbox tests prove the kernel
 * enforces it.
 */
#include <sys/resource.h>

#include "compile_test.h"
#include "sbx_test.h"

/* Expected values are plain literals; the plan's fields are unsigned. */
#pragma GCC diagnostic ignored "-Wsign-compare"

#include "uapi_compat.h"

static const struct sbx_host_facts base_facts = {
	.home = "/home/u",
	.xdg_data_home = "/home/u/.local/share",
	.xdg_download_dir = "/home/u/Downloads",
	.xdg_pictures_dir = "/home/u/Pictures",
	.xdg_music_dir = "/home/u/Music",
	.xdg_videos_dir = "/home/u/Videos",
	.program = "/usr/bin/tool",
};

#define COMPILE(ents) compile_for(_metadata, ents, &base_facts)

/* The first rule for syscall whose why contains what (NULL: any). */
static const struct sbx_seccomp_rule *rule(const struct sbx_plan *plan, const char *syscall,
					   const char *what)
{
	for (size_t i = 0; i < plan->seccomp.n_rules; i++) {
		const struct sbx_seccomp_rule *r = &plan->seccomp.rules[i];

		if (!strcmp(r->syscall, syscall) && (!what || strstr(r->why, what)))
			return r;
	}
	return NULL;
}

static const struct sbx_fs_rule *fs(const struct sbx_plan *plan, const char *path)
{
	for (size_t i = 0; i < plan->landlock.n_fs; i++)
		if (!strcmp(plan->landlock.fs[i].path, path))
			return &plan->landlock.fs[i];
	return NULL;
}

/* Does some rule for syscall match these argument values (what the kernel would see)? */
static const struct sbx_seccomp_rule *matches(const struct sbx_plan *plan, const char *syscall,
					      const uint64_t args[6])
{
	for (size_t i = 0; i < plan->seccomp.n_rules; i++) {
		const struct sbx_seccomp_rule *r = &plan->seccomp.rules[i];
		bool all = !strcmp(r->syscall, syscall);

		for (unsigned int c = 0; all && c < r->n_cond; c++) {
			const struct sbx_seccomp_cond *k = &r->cond[c];
			uint64_t v = args[k->arg];

			all = k->op == SBX_CMP_EQ   ? v == k->value
			      : k->op == SBX_CMP_NE ? v != k->value
						    : (v & k->mask) == k->value;
		}
		if (all) /* an allow-list entry answers first: nothing refuses the call */
			return r->answer == SBX_ANSWER_ALLOW ? NULL : r;
	}
	return NULL;
}

TEST(app_sandbox_landlock_baseline)
{
	struct sbx_plan *plan = COMPILE("  app-sandbox: true\n");
	const struct sbx_fs_rule *r;

	ASSERT_TRUE(plan->landlock.enabled);
	EXPECT_EQ((1ULL << 17) - 1, plan->landlock.handled_fs);
	EXPECT_EQ(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL,
		  plan->landlock.scoped);
	r = fs(plan, "/usr");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
			  LANDLOCK_ACCESS_FS_READ_DIR,
		  r->access);
	EXPECT_FALSE(r->if_exists);
	EXPECT_TRUE(fs(plan, "/lib64")->if_exists);
	EXPECT_EQ(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
		  fs(plan, "/etc")->access);
	EXPECT_NE(NULL, fs(plan, "/proc"));
	EXPECT_EQ(0, fs(plan, "/dev/null")->access & LANDLOCK_ACCESS_FS_IOCTL_DEV);
	EXPECT_EQ(5, fs(plan, "/dev/tty")->min_abi);
	/* Neither /tmp nor $HOME. */
	EXPECT_EQ(NULL, fs(plan, "/tmp"));
	EXPECT_EQ(NULL, fs(plan, "/home/u"));
	/* The program lives under /usr: no rule of its own. */
	EXPECT_EQ(NULL, fs(plan, "/usr/bin/tool"));
	ASSERT_NE(NULL, plan->process.container_dir);
	EXPECT_STREQ("/home/u/.local/share/sbx/containers/org.example.t",
		     plan->process.container_dir);
	EXPECT_STREQ("/home/u/.local/share/sbx/containers/org.example.t/tmp",
		     plan->process.tmp_dir);
	r = fs(plan, plan->process.container_dir);
	ASSERT_NE(NULL, r);
	EXPECT_NE(0, r->access & LANDLOCK_ACCESS_FS_MAKE_REG);
	EXPECT_EQ(0, r->access & LANDLOCK_ACCESS_FS_EXECUTE);
	EXPECT_EQ(9, r->min_abi);
	EXPECT_EQ(SBX_POLICY_APP_SANDBOX | SBX_POLICY_HARDENED_RUNTIME, plan->policy.flags);
	EXPECT_EQ(SBX_ABI_VERSION, plan->policy.abi_version);
	sbx_plan_free(plan);
}

/*
 * sbx's own directories, which the launcher keeps out of every write rule: the user's
 * profiles, the app containers and sbx's state, from the XDG variables or their defaults
 * beneath HOME. A profile without app-sandbox confines no file and lists none.
 */
TEST(own_directories_named_for_the_launcher)
{
	struct sbx_host_facts f = base_facts;
	struct sbx_plan *plan = COMPILE("  app-sandbox: true\n");

	ASSERT_EQ(3, plan->landlock.n_own);
	EXPECT_STREQ("/home/u/.config/sbx", plan->landlock.own[0]);
	EXPECT_STREQ("the user's profiles", plan->landlock.own_what[0]);
	EXPECT_STREQ("/home/u/.local/share/sbx", plan->landlock.own[1]);
	EXPECT_STREQ("the app containers", plan->landlock.own_what[1]);
	EXPECT_STREQ("/home/u/.local/state/sbx", plan->landlock.own[2]);
	sbx_plan_free(plan);
	f.xdg_config_home = "/cfg";
	f.xdg_state_home = "/st";
	f.xdg_data_home = "/run/user/1/data";
	plan = compile_for(_metadata, "  app-sandbox: true\n", &f);
	ASSERT_EQ(3, plan->landlock.n_own);
	EXPECT_STREQ("/cfg/sbx", plan->landlock.own[0]);
	EXPECT_STREQ("/run/user/1/data/sbx", plan->landlock.own[1]);
	EXPECT_STREQ("/st/sbx", plan->landlock.own[2]);
	sbx_plan_free(plan);
	plan = COMPILE("  app-sandbox: false\n");
	EXPECT_EQ(0, plan->landlock.n_own);
	sbx_plan_free(plan);
}

/* Names, not inodes: a directory holds itself and what is beneath it, never a sibling prefix. */
TEST(path_within_by_name)
{
	struct sbx_landlock_plan l = { .own = { "/home/u/.config/sbx" }, .n_own = 1 };

	EXPECT_TRUE(sbx_path_within("/usr", "/usr", 4));
	EXPECT_TRUE(sbx_path_within("/usr/lib", "/usr/", 5));
	EXPECT_FALSE(sbx_path_within("/usrx", "/usr", 4));
	EXPECT_TRUE(sbx_path_within("/anything", "/", 1));
	EXPECT_TRUE(sbx_path_within("/anything", "//", 2));
	EXPECT_FALSE(sbx_path_within("/usr", "", 0));
	EXPECT_TRUE(sbx_path_within("/usr/lib", "/usr/libexec", 4));
	EXPECT_TRUE(sbx_landlock_holds_own(&l, "/home/u"));
	EXPECT_TRUE(sbx_landlock_holds_own(&l, "/home/u/.config/"));
	EXPECT_TRUE(sbx_landlock_holds_own(&l, "/"));
	EXPECT_FALSE(sbx_landlock_holds_own(&l, "/home/u/.conf"));
	EXPECT_FALSE(sbx_landlock_holds_own(&l, "/home/u/.config/sbx/profiles"));
	EXPECT_FALSE(sbx_landlock_holds_own(NULL, "/"));
}

TEST(min_abi_is_the_highest_right)
{
	EXPECT_EQ(1, sbx_landlock_fs_min_abi(LANDLOCK_ACCESS_FS_READ_FILE));
	EXPECT_EQ(2, sbx_landlock_fs_min_abi(LANDLOCK_ACCESS_FS_REFER));
	EXPECT_EQ(3,
		  sbx_landlock_fs_min_abi(LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE));
	EXPECT_EQ(5, sbx_landlock_fs_min_abi(LANDLOCK_ACCESS_FS_IOCTL_DEV));
	EXPECT_EQ(9, sbx_landlock_fs_min_abi(LANDLOCK_ACCESS_FS_RESOLVE_UNIX));
	EXPECT_EQ(4, sbx_landlock_net_min_abi(LANDLOCK_ACCESS_NET_CONNECT_TCP));
	EXPECT_EQ(10, sbx_landlock_net_min_abi(LANDLOCK_ACCESS_NET_BIND_UDP));
}

TEST(program_outside_system_dirs_gets_a_file_rule)
{
	struct sbx_host_facts f = base_facts;
	struct sbx_plan *plan;
	const struct sbx_fs_rule *r;

	f.program = "/opt/tool/bin/tool";
	plan = compile_for(_metadata, "  app-sandbox: true\n", &f);
	r = fs(plan, "/opt/tool/bin/tool");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE, r->access);
	EXPECT_STREQ("/opt/tool/bin/tool", plan->program);
	sbx_plan_free(plan);
}

TEST(no_network_entitlement_closes_inet_sockets)
{
	struct sbx_plan *plan = COMPILE("  app-sandbox: true\n");
	uint64_t inet[6] = { 2, 1, 0 }, inet_high[6] = { 0x100000002ULL, 1, 0 };
	uint64_t inet6[6] = { 10, 2, 0 }, unix_[6] = { 1, 1, 0 }, route[6] = { 16, 3, 0 };
	const struct sbx_seccomp_rule *r;

	EXPECT_EQ(LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP |
			  LANDLOCK_ACCESS_NET_BIND_UDP | LANDLOCK_ACCESS_NET_CONNECT_SEND_UDP,
		  plan->landlock.handled_net);
	EXPECT_EQ(0, plan->landlock.n_net);
	r = matches(plan, "socket", inet);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(EACCES, r->errno_value);
	EXPECT_STREQ("network.client", r->entitlement);
	/* The kernel reads the domain as an int: high bits must not slip past. */
	EXPECT_NE(NULL, matches(plan, "socket", inet_high));
	EXPECT_NE(NULL, matches(plan, "socket", inet6));
	EXPECT_EQ(NULL, matches(plan, "socket", unix_));
	r = matches(plan, "socket", route);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("network.client", r->entitlement);
	sbx_plan_free(plan);
}

TEST(network_client_and_server)
{
	struct sbx_plan *c = COMPILE("  app-sandbox: true\n  network.client: true\n");
	struct sbx_plan *s = COMPILE("  app-sandbox: true\n  network.server: true\n");
	struct sbx_plan *cs = COMPILE("  app-sandbox: true\n  network.client: true\n"
				      "  network.server: true\n");
	uint64_t inet[6] = { 2, 1, 0 }, route[6] = { 16, 3, 0 }, audit[6] = { 16, 3, 9 };

	EXPECT_EQ(LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_BIND_UDP,
		  c->landlock.handled_net);
	EXPECT_EQ(LANDLOCK_ACCESS_NET_CONNECT_TCP | LANDLOCK_ACCESS_NET_CONNECT_SEND_UDP,
		  s->landlock.handled_net);
	EXPECT_EQ(0, cs->landlock.handled_net);
	EXPECT_EQ(NULL, matches(c, "socket", inet));
	EXPECT_EQ(NULL, matches(s, "socket", inet));
	EXPECT_EQ(NULL, matches(c, "socket", route));
	EXPECT_NE(NULL, matches(c, "socket", audit));
	EXPECT_NE(0, c->policy.flags & SBX_POLICY_NETWORK_CLIENT);
	EXPECT_NE(0, s->policy.flags & SBX_POLICY_NETWORK_SERVER);
	sbx_plan_free(c);
	sbx_plan_free(s);
	sbx_plan_free(cs);
}

TEST(socket_families_always_refused)
{
	struct sbx_plan *plan = COMPILE("  app-sandbox: true\n  network.client: true\n");
	uint64_t packet[6] = { 17, 3, 0 }, raw[6] = { 2, 3, 1 }, raw_nb[6] = { 10, 0x803, 58 };
	uint64_t tcp[6] = { 2, 1, 0 }, udp[6] = { 2, 0x80002, 0 };

	EXPECT_NE(NULL, matches(plan, "socket", packet));
	EXPECT_NE(NULL, matches(plan, "socket", raw));
	EXPECT_NE(NULL, matches(plan, "socket", raw_nb)) TH_LOG("SOCK_RAW|SOCK_CLOEXEC");
	EXPECT_EQ(NULL, matches(plan, "socket", tcp));
	EXPECT_EQ(NULL, matches(plan, "socket", udp));
	EXPECT_EQ(NULL, matches(plan, "socket", packet)->entitlement);
	sbx_plan_free(plan);
}

TEST(kernel_surface_rules)
{
	static const char *const denied[] = {
		"bpf",
		"perf_event_open",
		"kexec_load",
		"kexec_file_load",
		"init_module",
		"finit_module",
		"delete_module",
		"mount",
		"umount2",
		"pivot_root",
		"move_mount",
		"open_tree",
		"fsopen",
		"fsconfig",
		"fsmount",
		"fspick",
		"mount_setattr",
		"unshare",
		"setns",
		"keyctl",
		"add_key",
		"request_key",
		"userfaultfd",
		"open_by_handle_at",
		"name_to_handle_at",
		"acct",
		"swapon",
		"swapoff",
		"reboot",
		"syslog",
		"iopl",
		"ioperm",
		"chroot",
		"io_uring_setup",
		"io_uring_enter",
		"io_uring_register",
		"ptrace",
		"process_vm_readv",
		"process_vm_writev",
	};
	struct sbx_plan *plan = COMPILE("  app-sandbox: true\n");
	uint64_t none[6] = { 0 };
	uint64_t clone_user[6] = { 0x10000000 | 17 }, clone_thread[6] = { 0x3d0f00 };
	uint64_t query[6] = { 0xffffffff }, rie[6] = { 0x0400000 }, linux_[6] = { 0 };
	uint64_t rie_high[6] = { 0x80400000 }, norandom[6] = { 0x0040000 };
	uint64_t tiocsti[6] = { 0, 0x5412 }, tiocsti_high[6] = { 0, 0x100005412ULL };
	uint64_t tcgets[6] = { 0, 0x5401 };
	const struct sbx_seccomp_rule *r;

	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		EXPECT_NE(NULL, matches(plan, denied[i], none)) TH_LOG("%s", denied[i]);
	}
	EXPECT_STREQ("sbx.io-uring", rule(plan, "io_uring_setup", NULL)->entitlement);
	EXPECT_STREQ("cs.debugger", rule(plan, "ptrace", NULL)->entitlement);
	EXPECT_EQ(NULL, rule(plan, "bpf", NULL)->entitlement);
	EXPECT_NE(NULL, matches(plan, "clone", clone_user));
	EXPECT_EQ(NULL, matches(plan, "clone", clone_thread));
	r = rule(plan, "clone3", NULL);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(ENOSYS, r->errno_value);
	EXPECT_EQ(0, r->n_cond);
	EXPECT_EQ(NULL, matches(plan, "personality", query));
	EXPECT_EQ(NULL, matches(plan, "personality", linux_));
	EXPECT_EQ(NULL, matches(plan, "personality", norandom));
	EXPECT_NE(NULL, matches(plan, "personality", rie));
	EXPECT_NE(NULL, matches(plan, "personality", rie_high));
	/* Every other value with READ_IMPLIES_EXEC set is refused. */
	for (unsigned int bit = 0; bit < 32; bit++) {
		uint64_t v[6] = { 0xffffffffULL & ~(1ULL << bit) };

		if (bit != 22) {
			EXPECT_NE(NULL, matches(plan, "personality", v)) TH_LOG("bit %u", bit);
		}
	}
	EXPECT_NE(NULL, matches(plan, "ioctl", tiocsti));
	EXPECT_NE(NULL, matches(plan, "ioctl", tiocsti_high));
	EXPECT_EQ(NULL, matches(plan, "ioctl", tcgets));
	EXPECT_TRUE(plan->seccomp.deny_foreign_arches);
	for (size_t i = 0; i < plan->seccomp.n_rules; i++) {
		EXPECT_LE(plan->seccomp.rules[i].n_cond, SBX_SECCOMP_MAX_COND);
		EXPECT_NE(NULL, plan->seccomp.rules[i].why);
	}
	sbx_plan_free(plan);
}

TEST(debugger_and_io_uring_lift_their_rules)
{
	struct sbx_plan *plan = COMPILE("  cs.debugger: true\n  sbx.io-uring: true\n");

	EXPECT_EQ(NULL, rule(plan, "ptrace", NULL));
	EXPECT_EQ(NULL, rule(plan, "process_vm_writev", NULL));
	EXPECT_EQ(NULL, rule(plan, "io_uring_setup", NULL));
	EXPECT_NE(NULL, rule(plan, "bpf", NULL));
	sbx_plan_free(plan);
}

struct memory_case {
	const char *ents;
	bool mmap_wx, mprotect_wx, mprotect_x;
	unsigned long mdwe;
};

static void check_memory(struct __test_metadata *_metadata, const struct memory_case *c)
{
	struct sbx_plan *plan = compile_for(_metadata, c->ents, &base_facts);
	uint64_t wx[6] = { 0, 4096, 7 }, rx[6] = { 0, 4096, 5 }, rw[6] = { 0, 4096, 3 };
	uint64_t memfd_exec[6] = { 0, MFD_EXEC }, memfd[6] = { 0, MFD_NOEXEC_SEAL };
	uint64_t memfd_plain[6] = { 0, 1 /* MFD_CLOEXEC */ };
	uint64_t empty_path[6] = { 3, 0, 0, 0, 0x1000 }, at_fd[6] = { 3, 0, 0, 0, 0 };

	EXPECT_EQ(c->mmap_wx, matches(plan, "mmap", wx) != NULL) TH_LOG("%s", c->ents);
	EXPECT_EQ(NULL, matches(plan, "mmap", rx));
	EXPECT_EQ(NULL, matches(plan, "mmap", rw));
	EXPECT_EQ(c->mprotect_wx, matches(plan, "mprotect", wx) != NULL) TH_LOG("%s", c->ents);
	EXPECT_EQ(c->mprotect_wx, matches(plan, "pkey_mprotect", wx) != NULL);
	EXPECT_EQ(c->mprotect_x, matches(plan, "mprotect", rx) != NULL);
	EXPECT_EQ(NULL, matches(plan, "mprotect", rw));
	EXPECT_EQ(c->mdwe, plan->process.mdwe) TH_LOG("%s", c->ents);
	/* Always, whatever the profile. */
	EXPECT_NE(NULL, matches(plan, "memfd_create", memfd_exec));
	EXPECT_EQ(NULL, matches(plan, "memfd_create", memfd));
	/* Without the seal a memfd can be executed: refused with the mprotect rules. */
	EXPECT_EQ(c->mprotect_x, matches(plan, "memfd_create", memfd_plain) != NULL);
	EXPECT_NE(NULL, matches(plan, "execveat", empty_path));
	EXPECT_EQ(NULL, matches(plan, "execveat", at_fd));
	if (c->mmap_wx)
		EXPECT_STREQ("cs.allow-jit", matches(plan, "mmap", wx)->entitlement);
	if (c->mprotect_x)
		EXPECT_STREQ("cs.allow-unsigned-executable-memory",
			     matches(plan, "mprotect", rx)->entitlement);
	sbx_plan_free(plan);
}

TEST(hardened_runtime_cascade)
{
	static const struct memory_case cases[] = {
		{ "  app-sandbox: true\n", true, true, true, PR_MDWE_REFUSE_EXEC_GAIN },
		{ "  cs.allow-jit: true\n", false, true, true, 0 },
		{ "  cs.allow-unsigned-executable-memory: true\n", false, false, false, 0 },
		{ "  cs.disable-executable-page-protection: true\n", false, false, false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_memory(_metadata, &cases[i]);
}

TEST(cascade_sets_policy_bits)
{
	struct sbx_plan *plan = COMPILE("  cs.disable-executable-page-protection: true\n");

	EXPECT_EQ(SBX_POLICY_HARDENED_RUNTIME | SBX_POLICY_ALLOW_JIT |
			  SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM |
			  SBX_POLICY_DISABLE_EXEC_PAGE_PROTECTION,
		  plan->policy.flags);
	EXPECT_FALSE(plan->landlock.enabled);
	sbx_plan_free(plan);
}

TEST(process_attributes)
{
	/* Every variable issue 8 names, and loader variables found nowhere in a list. */
	static const char *const must[] = {
		"LD_PRELOAD=x",
		"LD_LIBRARY_PATH=x",
		"LD_AUDIT=x",
		"LD_BIND_NOW=1",
		"LD_NEW_FUTURE_VAR",
		"GLIBC_TUNABLES=x",
		"GCONV_PATH=x",
		"TMPDIR=/x",
		"OPENSSL_CONF=x",
		"OPENSSL_MODULES=x",
		"OPENSSL_ENGINES=x",
		"MALLOC_TRACE=x",
		"MALLOC_CHECK_=3",
		"PYTHONPATH=x",
		"PYTHONSTARTUP=x",
		"PYTHONHOME=x",
		"PERL5LIB=x",
		"PERL5OPT=x",
		"RUBYLIB=x",
		"RUBYOPT=x",
		"NODE_OPTIONS=x",
		"NODE_PATH=x",
		"BASH_ENV=x",
		"ENV=x",
		"BASH_FUNC_ls%%=() {",
		"LOCPATH=x",
		"NLSPATH=x",
		"HOSTALIASES=x",
		"RESOLV_HOST_CONF=x",
		"TZDIR=x",
		/* review-run hole 8: what a deny-list missed; an allow-list needs no names. */
		"TCL_LIBRARY=x",
		"TCLLIBPATH=x",
		"JAVA_TOOL_OPTIONS=x",
		"_JAVA_OPTIONS=x",
		"LUA_PATH=x",
		"LUA_INIT=x",
		"GDK_PIXBUF_MODULE_FILE=x",
		"PKCS11_MODULE_PATH=x",
		"GIT_EXEC_PATH=x",
		"GIT_CONFIG_COUNT=1",
		"PROMPT_COMMAND=x",
		"ZDOTDIR=x",
		"SOME_FUTURE_VARIABLE=x",
		"LD=ld",
		"PYTHONUNBUFFERED=1",
		"LANGX=x",
	};
	/* The allow-list: where the user is, who, their terminal, locale and display. */
	static const char *const kept[] = {
		"PATH=/bin",  "HOME=/root", "TZ=UTC",
		"LANG=C",     "LC_ALL=C",   "LC_CTYPE=C.UTF-8",
		"TERM=xterm", "USER=u",	    "XDG_RUNTIME_DIR=/run/user/1",
		"DISPLAY=:0", "PWD=/",
	};
	struct sbx_plan *plan = COMPILE("  app-sandbox: true\n");
	struct sbx_plan *dyld = COMPILE("  cs.allow-dyld-environment-variables: true\n"
					"  get-task-allow: true\n");

	EXPECT_TRUE(plan->process.no_new_privs);
	EXPECT_TRUE(plan->process.drop_capabilities);
	EXPECT_FALSE(plan->process.dumpable);
	ASSERT_EQ(1, plan->process.n_rlimits);
	EXPECT_EQ(RLIMIT_CORE, plan->process.rlimits[0].resource);
	EXPECT_EQ(0, plan->process.rlimits[0].max);
	for (size_t k = 0; k < sizeof(must) / sizeof(must[0]); k++) {
		EXPECT_FALSE(sbx_env_kept(&plan->process, must[k])) TH_LOG("%s", must[k]);
		EXPECT_TRUE(sbx_env_kept(&dyld->process, must[k])) TH_LOG("%s", must[k]);
	}
	for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
		EXPECT_TRUE(sbx_env_kept(&plan->process, kept[k])) TH_LOG("%s", kept[k]);
	}
	EXPECT_TRUE(plan->process.env_filtered);
	EXPECT_FALSE(dyld->process.env_filtered);
	EXPECT_EQ(0, dyld->process.n_env_keep);
	EXPECT_TRUE(dyld->process.dumpable);
	EXPECT_EQ(0, dyld->process.n_rlimits);
	EXPECT_TRUE(dyld->process.no_new_privs);
	EXPECT_EQ(NULL, dyld->process.container_dir);
	sbx_plan_free(plan);
	sbx_plan_free(dyld);
}

TEST(user_selected_grants)
{
	const struct sbx_grant grants[] = {
		{ .path = "/data/in.txt", .write = false, .execute = false },
		{ .path = "/data/out", .write = true, .execute = false },
		{ .path = "/data/run.sh", .write = false, .execute = true }
	};
	struct sbx_host_facts f = base_facts;
	struct sbx_diag d = { 0 };
	struct sbx_profile *p;
	struct sbx_plan *plan = NULL;
	static const char ro[] = "identifier: a.b\nentitlements:\n  app-sandbox: true\n"
				 "  files.user-selected.read-only: true\n";
	static const char all[] = "identifier: a.b\nentitlements:\n  app-sandbox: true\n"
				  "  files.user-selected.read-write: true\n"
				  "  files.user-selected.executable: true\n";
	static const char none[] = "identifier: a.b\nentitlements:\n  app-sandbox: true\n";

	f.grants = grants;
	f.n_grants = 3;
	ASSERT_EQ(0, sbx_profile_load_buffer("all", all, strlen(all), &p, &d));
	ASSERT_EQ(0, sbx_compile(p, &f, &plan, &d)) TH_LOG("%s", d.msg);
	EXPECT_EQ(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
		  fs(plan, "/data/in.txt")->access);
	EXPECT_NE(0, fs(plan, "/data/out")->access & LANDLOCK_ACCESS_FS_WRITE_FILE);
	EXPECT_NE(0, fs(plan, "/data/run.sh")->access & LANDLOCK_ACCESS_FS_EXECUTE);
	EXPECT_STREQ("files.user-selected.executable", fs(plan, "/data/run.sh")->entitlement);
	sbx_plan_free(plan);
	sbx_profile_free(p);

	/* A write grant needs read-write; any grant needs some user-selected key. */
	ASSERT_EQ(0, sbx_profile_load_buffer("ro", ro, strlen(ro), &p, &d));
	plan = NULL;
	EXPECT_EQ(-EPERM, sbx_compile(p, &f, &plan, &d));
	EXPECT_STREQ("--grant /data/out:rw needs files.user-selected.read-write (--allow "
		     "files.user-selected.read-write adds it)",
		     d.msg);
	EXPECT_EQ(NULL, plan);
	sbx_profile_free(p);
	ASSERT_EQ(0, sbx_profile_load_buffer("none", none, strlen(none), &p, &d));
	f.n_grants = 1;
	EXPECT_EQ(-EPERM, sbx_compile(p, &f, &plan, &d));
	EXPECT_STREQ("--grant /data/in.txt: the profile has no files.user-selected entitlement "
		     "(--allow files.user-selected.read-only adds one)",
		     d.msg);
	sbx_profile_free(p);
}

TEST(inherit_builds_no_domain_of_its_own)
{
	struct sbx_host_facts inside = base_facts;
	struct sbx_plan *plan;
	uint64_t inet[6] = { 2, 1, 0 };
	static const char text[] = "identifier: a.b\nentitlements:\n  app-sandbox: true\n"
				   "  inherit: true\n";
	struct sbx_diag d = { 0 };
	struct sbx_profile *p;

	/* Fail closed: outside a sandbox there is no parent's sandbox to inherit. */
	ASSERT_EQ(0, sbx_profile_load_buffer("i", text, strlen(text), &p, &d));
	plan = NULL;
	EXPECT_EQ(-EPERM, sbx_compile(p, &base_facts, &plan, &d));
	EXPECT_STREQ("inherit: true: this program runs only inside a sandboxed parent, and this "
		     "process is not sandboxed",
		     d.msg);
	EXPECT_EQ(NULL, plan);
	sbx_profile_free(p);
	inside.in_sandbox = true;
	plan = compile_for(_metadata, "  app-sandbox: true\n  inherit: true\n", &inside);

	EXPECT_FALSE(plan->landlock.enabled);
	EXPECT_EQ(0, plan->landlock.n_fs);
	EXPECT_TRUE(plan->process.require_inherited_sandbox);
	EXPECT_EQ(NULL, plan->process.container_dir);
	/* The parent's sandbox decides the network; the hardening rules still narrow. */
	EXPECT_EQ(NULL, matches(plan, "socket", inet));
	EXPECT_NE(NULL, rule(plan, "bpf", NULL));
	EXPECT_NE(0, plan->policy.flags & SBX_POLICY_APP_SANDBOX);
	sbx_plan_free(plan);
}

TEST(user_dirs_and_exceptions)
{
	struct sbx_plan *plan =
		COMPILE("  app-sandbox: true\n  files.downloads.read-only: true\n"
			"  files.movies.read-write: true\n"
			"  temporary-exception.files.home-relative-path.read-write: [/.cache/t]\n"
			"  temporary-exception.files.absolute-path.read-only: [/srv/a/]\n");

	EXPECT_EQ(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
		  fs(plan, "/home/u/Downloads")->access);
	EXPECT_NE(0, fs(plan, "/home/u/Videos")->access & LANDLOCK_ACCESS_FS_MAKE_REG);
	EXPECT_NE(NULL, fs(plan, "/home/u/.cache/t"));
	EXPECT_NE(NULL, fs(plan, "/srv/a"));
	EXPECT_STREQ("temporary-exception.files.absolute-path.read-only",
		     fs(plan, "/srv/a")->entitlement);
	sbx_plan_free(plan);
}

TEST(compile_is_deterministic_and_refuses_bad_facts)
{
	struct sbx_plan *a = COMPILE("  app-sandbox: true\n  device.camera: true\n");
	struct sbx_plan *b = COMPILE("  app-sandbox: true\n  device.camera: true\n");
	char *ja = NULL, *jb = NULL;
	size_t la, lb;
	FILE *fa = open_memstream(&ja, &la), *fb = open_memstream(&jb, &lb);
	struct sbx_host_facts f = base_facts;
	struct sbx_diag d = { 0 };
	struct sbx_profile *p;
	struct sbx_plan *plan = NULL;
	static const char sb[] = "identifier: a.b\nentitlements:\n  app-sandbox: true\n";

	sbx_plan_write_json(a, fa);
	sbx_plan_write_json(b, fb);
	fclose(fa);
	fclose(fb);
	EXPECT_STREQ(ja, jb);
	free(ja);
	free(jb);
	sbx_plan_free(a);
	sbx_plan_free(b);

	ASSERT_EQ(0, sbx_profile_load_buffer("sb", sb, strlen(sb), &p, &d));
	f.program = "bin/tool";
	EXPECT_EQ(-EINVAL, sbx_compile(p, &f, &plan, &d));
	EXPECT_STREQ("program path 'bin/tool' is not absolute", d.msg);
	f.program = NULL;
	f.home = NULL;
	EXPECT_EQ(-ENOENT, sbx_compile(p, &f, &plan, &d));
	EXPECT_EQ(NULL, plan);
	sbx_profile_free(p);
}

TEST(launch_constraints_carried_as_data)
{
	static const char text[] = "identifier: a.b\nlaunch-constraints:\n"
				   "  parent: {team-identifier: ABCDE12345}\n";
	struct sbx_diag d = { 0 };
	struct sbx_profile *p;
	struct sbx_plan *plan;

	ASSERT_EQ(0, sbx_profile_load_buffer("lc", text, strlen(text), &p, &d));
	ASSERT_EQ(0, sbx_compile(p, &base_facts, &plan, &d));
	ASSERT_NE(NULL, plan->launch_constraints[SBX_LC_PARENT]);
	EXPECT_EQ(NULL, plan->launch_constraints[SBX_LC_SELF]);
	EXPECT_EQ(SBX_LC_FACT, plan->launch_constraints[SBX_LC_PARENT]->op);
	EXPECT_EQ(SBX_LC_TEAM_IDENTIFIER, plan->launch_constraints[SBX_LC_PARENT]->fact);
	/* A copy: the plan outlives the profile. */
	sbx_profile_free(p);
	EXPECT_STREQ("ABCDE12345", plan->launch_constraints[SBX_LC_PARENT]->values[0]);
	sbx_plan_free(plan);
}

TEST(facts_from_environment)
{
	char dir[] = "/tmp/sbx-facts.XXXXXX", cfg[PATH_MAX], storage[8192];
	struct sbx_host_facts f = { 0 };
	FILE *file;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(cfg, sizeof(cfg), "%s/user-dirs.dirs", dir);
	file = fopen(cfg, "we");
	ASSERT_NE(NULL, file);
	fprintf(file,
		"# written by xdg-user-dirs-update\nXDG_DOWNLOAD_DIR=\"$HOME/Telechargements\"\n"
		"XDG_MUSIC_DIR=\"/srv/music\"\nXDG_VIDEOS_DIR=\"$HOME\"\n");
	fclose(file);
	setenv("HOME", "/tmp", 1); /* a directory: containers under $HOME/.local/share */
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("XDG_DATA_HOME");
	setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
	ASSERT_EQ(0, sbx_host_facts_from_environment(&f, storage, sizeof(storage)));
	EXPECT_STREQ("/tmp", f.home);
	EXPECT_STREQ("/tmp/.local/share", f.xdg_data_home);
	EXPECT_STREQ("/tmp/Telechargements", f.xdg_download_dir);
	EXPECT_STREQ("/srv/music", f.xdg_music_dir);
	EXPECT_STREQ("/tmp/Pictures", f.xdg_pictures_dir);
	EXPECT_STREQ("/tmp/Videos", f.xdg_videos_dir) TH_LOG("$HOME alone means disabled");
	EXPECT_STREQ("/run/user/7", f.xdg_runtime_dir);
	EXPECT_FALSE(f.in_sandbox) TH_LOG("the unit suite runs without a seccomp filter");
	EXPECT_EQ(-ENOSPC, sbx_host_facts_from_environment(&f, storage, 16));
	unlink(cfg);
	rmdir(dir);
}

/* A HOME that is not a directory (uid 65534's /nonexistent): $XDG_RUNTIME_DIR, else a
 * sentence naming what to set; a usable HOME is the control. */
TEST(facts_data_home_fallback)
{
	char dir[] = "/tmp/sbx-facts.XXXXXX", storage[8192], want[PATH_MAX];
	struct sbx_host_facts f = { 0 };

	ASSERT_NE(NULL, mkdtemp(dir));
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", dir, 1);
	unsetenv("XDG_RUNTIME_DIR");
	ASSERT_EQ(0, sbx_host_facts_from_environment(&f, storage, sizeof(storage)));
	snprintf(want, sizeof(want), "%s/.local/share", dir);
	EXPECT_STREQ(want, f.xdg_data_home);
	EXPECT_EQ(NULL, f.data_home_problem);

	setenv("HOME", "/nonexistent", 1);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	ASSERT_EQ(0, sbx_host_facts_from_environment(&f, storage, sizeof(storage)));
	EXPECT_STREQ(dir, f.xdg_data_home);
	ASSERT_NE(NULL, f.data_home_problem);
	EXPECT_NE(NULL, strstr(f.data_home_problem, "HOME=/nonexistent is not a directory: the "
						    "app containers are under $XDG_RUNTIME_DIR"));

	unsetenv("XDG_RUNTIME_DIR");
	ASSERT_EQ(0, sbx_host_facts_from_environment(&f, storage, sizeof(storage)));
	EXPECT_EQ(NULL, f.xdg_data_home);
	EXPECT_STREQ("no place for the app container: HOME=/nonexistent is not a directory and "
		     "XDG_RUNTIME_DIR is not set; set XDG_DATA_HOME (or HOME) to a directory of "
		     "yours",
		     f.data_home_problem);
	rmdir(dir);
}

/* Without app-sandbox: a domain handling only file writes, granted everywhere but /proc. */
TEST(proc_mem_guard_without_app_sandbox)
{
	struct sbx_host_facts facts = base_facts;
	struct sbx_plan *jit, *mem, *boxed;

	facts.root_entries = "bin\0home\0proc\0tmp\0\0";
	jit = compile_for(_metadata, "  cs.allow-jit: true\n", &facts);
	mem = compile_for(_metadata, "  cs.allow-unsigned-executable-memory: true\n", &facts);
	boxed = compile_for(_metadata, "  app-sandbox: true\n", &facts);
	EXPECT_TRUE(jit->landlock.enabled);
	EXPECT_EQ(LANDLOCK_ACCESS_FS_WRITE_FILE, jit->landlock.handled_fs);
	EXPECT_EQ(0, jit->landlock.handled_net);
	EXPECT_EQ(0, jit->landlock.scoped);
	ASSERT_EQ(3, jit->landlock.n_fs);
	EXPECT_STREQ("/bin", jit->landlock.fs[0].path);
	EXPECT_STREQ("/home", jit->landlock.fs[1].path);
	EXPECT_STREQ("/tmp", jit->landlock.fs[2].path);
	EXPECT_EQ(LANDLOCK_ACCESS_FS_WRITE_FILE, jit->landlock.fs[2].access);
	EXPECT_FALSE(mem->landlock.enabled) TH_LOG("W^X lifted: nothing to guard");
	EXPECT_EQ(SBX_LANDLOCK_FS_ALL, boxed->landlock.handled_fs);
	sbx_plan_free(jit);
	sbx_plan_free(mem);
	sbx_plan_free(boxed);
}

TEST_HARNESS_MAIN
