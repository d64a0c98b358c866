// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make install as a packager does it, then the installed sbx as a user meets it: staged
 * with DESTDIR under a prefix that is not the default, moved to that prefix (what
 * unpacking a package does), and run from there with nothing pointing it back at the
 * source tree. Proves the prefix reached the compiler (profile lookup, trust store), that
 * the man pages render and name every option, that the bash completion completes, that a
 * program builds against the installed libsbx through pkg-config, and that uninstall
 * removes what install put there.
 *
 * The install reuses the suite's build (copied, so only what the paths change is rebuilt);
 * it needs the source tree's Makefile, so a copy of the tree without it is a SKIP.
 */
#include "kselftest_harness.h"
#include "packaging.h"

static char root[P + 16]; /* the prefix's root: the installed tree lives in root/usr */

#define MAKE SBX_MAKE "-j2 -C '%s' O='%s/build' PREFIX='%s/usr' SYSCONFDIR='%s/etc' "

static void __attribute__((constructor)) install(void)
{
	const char *build = getenv("SBX_BUILD");

	if (!packaging_prepare("Makefile", "make scdoc pkg-config cc"))
		return;
	snprintf(root, sizeof(root), "%s/root", tmp);
	if (!build || !*build) {
		snprintf(skip_reason, sizeof(skip_reason), "SBX_BUILD is not set");
		return;
	}
	/* The built objects, with their times, so make rebuilds only what the paths change. */
	packaging_build("set -e; mkdir '%s/build' '%s/home'; cd '%s'; "
			"for f in obj bpf vmlinux.h libsbx.a sbx sbxd; "
			"do [ ! -e \"$f\" ] || cp -a \"$f\" '%s/build/'; done; " MAKE
			"DESTDIR='%s/stage' install >'%s/make.log' 2>&1 || "
			"{ tail -40 '%s/make.log'; exit 1; }; "
			"mv '%s/stage%s' '%s'",
			tmp, tmp, build, tmp, sbx_src(), tmp, root, root, tmp, tmp, tmp, tmp, root,
			root);
}

/* The installed sbx, alone: no SBX_* variable, a home of its own. */
#define ENV                                                                                \
	"env -i PATH='%s/usr/bin:/usr/bin:/bin' HOME='%s/home' XDG_DATA_HOME='%s/home/d' " \
	"LC_ALL=C "

TEST(installs_every_part)
{
	static const char *const files[] = {
		"usr/bin/sbx",
		"usr/share/sbx/profiles/default.yaml",
		"usr/share/sbx/profiles/curl.yaml",
		"usr/share/sbx/schemas/sbx-run-log.v1.schema.json",
		"usr/share/sbx/schemas/README.md",
		"usr/share/doc/sbx/profiles.md",
		"usr/share/man/man1/sbx.1",
		"usr/share/man/man1/sbx-run.1",
		"usr/share/man/man1/sbx-profile.1",
		"usr/share/man/man5/sbx-profile.5",
		"usr/share/man/man8/sbxd.8",
		"usr/sbin/sbxd",
		"usr/share/bash-completion/completions/sbx",
		"usr/share/zsh/site-functions/_sbx",
		"usr/include/sbx/sbx.h",
		"usr/include/sbx/profile.h",
		"usr/include/sbx/verify.h",
		"usr/lib/libsbx.so.0",
		"usr/lib/libsbx.so",
		"usr/lib/libsbx.a",
		"usr/lib/pkgconfig/sbx.pc",
	};
	char path[2 * P];
	struct stat st;

	NEED_BUILD();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		EXPECT_EQ(0, stat(path, &st)) TH_LOG("%s is not installed", files[i]);
	}
	snprintf(path, sizeof(path), "%s/usr/bin/sbx", root);
	EXPECT_EQ(0, access(path, X_OK));
	/* sbxd's unit starts the sbxd installed here, not the one its source names. */
	ASSERT_EQ(0, sbx_sh(r,
			    "grep -x 'ExecStart=%s/usr/sbin/sbxd' "
			    "'%s/usr/lib/systemd/system/sbxd.service'",
			    root, root));
	EXPECT_EQ(0, r->status)
	TH_LOG("the unit does not start %s/usr/sbin/sbxd: %s", root, r->err);
}

TEST(trust_store_is_created_and_only_root_writes_it)
{
	char path[2 * P];
	struct stat st;

	NEED_BUILD();
	snprintf(path, sizeof(path), "%s/etc/sbx/trust.d", root);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0755u, st.st_mode & 07777);
}

/* DESTDIR is a staging area: no installed file may name it. */
TEST(no_installed_file_names_the_staging_directory)
{
	NEED_BUILD();
	ASSERT_EQ(0, sbx_sh(r, "grep -rlF '%s/stage' '%s' || true", tmp, root));
	EXPECT_STREQ("", r->out);
}

TEST(run_finds_the_installed_profiles)
{
	NEED_BUILD();
	/* The default profile, then one by name: both only in $(DATADIR)/sbx/profiles. */
	ASSERT_EQ(0, sbx_sh(r, ENV "sbx run --allow-root -- /bin/true", root, tmp, tmp));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	ASSERT_EQ(0, sbx_sh(r, ENV "sbx run --allow-root --profile gzip -- /bin/true", root, tmp,
			    tmp));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	ASSERT_EQ(0, sbx_sh(r, ENV "sbx run --allow-root --profile no-such-profile -- /bin/true",
			    root, tmp, tmp));
	EXPECT_EQ(125, r->status);
	EXPECT_NE(NULL, strstr(r->err, root))
	TH_LOG("names not the installed directory: %s", r->err);
}

/* README's "sign and verify" commands, against the installed trust store. */
TEST(readme_sign_and_verify_use_the_installed_trust_store)
{
	char dir[P + 16];

	NEED_BUILD();
	snprintf(dir, sizeof(dir), "%s/readme", tmp);
	ASSERT_EQ(0, mkdir(dir, 0700));
	/* The fenced block after the quick-start marker, run as written. */
	ASSERT_EQ(0,
		  sbx_sh(r,
			 "cd '%s' && sed -n '/<!-- quickstart-sign -->/,/^```$/p' '%s/README.md' | "
			 "sed '1,2d;$d' >cmds.sh && test -s cmds.sh && " ENV "sh -e cmds.sh",
			 dir, sbx_src(), root, tmp, tmp));
	EXPECT_EQ(0, r->status) TH_LOG("%s%s", r->out, r->err);
	EXPECT_NE(NULL, strstr(r->out, "valid")) TH_LOG("%s", r->out);
	ASSERT_EQ(0, sbx_sh(r, "ls '%s/etc/sbx/trust.d'/*.pem", root));
	EXPECT_EQ(0, r->status) TH_LOG("the anchor is not in the installed trust store");
}

/* Every verb `sbx help` lists, the installed sbx's own word for what it has. */
#define EACH_VERB \
	"$(usr/bin/sbx help | awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 }')"

TEST(man_pages_render_without_warnings)
{
	NEED_BUILD();
	SBX_NEED_COMMANDS("man");
	ASSERT_EQ(0,
		  sbx_sh(r,
			 "for p in '%s'/usr/share/man/man?/*; do "
			 "LC_ALL=C MANWIDTH=80 man --warnings -l \"$p\" >out 2>err </dev/null || "
			 "echo \"$p: man failed\"; [ -s out ] || echo \"$p: empty\"; "
			 "[ ! -s err ] || { echo \"$p:\"; cat err; }; done; rm -f out err",
			 root));
	EXPECT_STREQ("", r->out);
}

/* Every --option `sbx VERB --help` prints is in sbx-VERB(1). */
TEST(man_pages_name_every_option_of_the_help)
{
	NEED_BUILD();
	SBX_NEED_COMMANDS("man");
	/* One page per verb, and in it every option the verb's --help prints. */
	ASSERT_EQ(0,
		  sbx_sh(r,
			 "cd '%s' && for v in " EACH_VERB "; do "
			 "[ -f usr/share/man/man1/sbx-$v.1 ] || { echo \"no sbx-$v(1)\"; continue; "
			 "}; "
			 "page=$(LC_ALL=C MANWIDTH=10000 man -l usr/share/man/man1/sbx-$v.1); "
			 "for o in $(usr/bin/sbx $v --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' "
			 "| sort -u); do printf '%%s\\n' \"$page\" | grep -q -e \"$o\\b\" || "
			 "echo \"sbx-$v(1) lacks $o\"; done; done",
			 root));
	EXPECT_STREQ("", r->out);
	/* Every sbx page a page refers to is installed. */
	ASSERT_EQ(0, sbx_sh(r,
			    "cd '%s/usr/share/man' && for p in $(sed 's/\\\\f[BIRP]//g' man?/* | "
			    "grep -o 'sbx[a-z-]*([158])' | sort -u); do "
			    "n=${p%%%%(*}; s=${p#*(}; s=${s%%)}; [ -f man$s/$n.$s ] || echo "
			    "\"$p\"; done",
			    root));
	EXPECT_STREQ("", r->out) TH_LOG("pages referred to but not installed");
}

/* Every --option `sbxd --help` prints is in sbxd(8). */
TEST(sbxd_man_page_names_every_option_of_the_help)
{
	char sbxd[2 * P];

	NEED_BUILD();
	SBX_NEED_COMMANDS("man");
	snprintf(sbxd, sizeof(sbxd), "%s/usr/sbin/sbxd", root);
	ASSERT_EQ(0,
		  sbx_sh(r,
			 "page=$(LC_ALL=C MANWIDTH=10000 man -l '%s/usr/share/man/man8/sbxd.8') && "
			 "for o in $('%s' --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); "
			 "do "
			 "printf '%%s\\n' \"$page\" | grep -q -e \"$o\\b\" || echo \"$o\"; done",
			 root, sbxd));
	EXPECT_STREQ("", r->out) TH_LOG("sbxd(8) lacks these options of sbxd --help");
}

/* sbx-profile(5) has every key of the table the loader reads (through sbx profile lint). */
TEST(profile_man_page_lists_every_key)
{
	NEED_BUILD();
	SBX_NEED_COMMANDS("man");
	ASSERT_EQ(0,
		  sbx_sh(r,
			 "cd '%s' && LC_ALL=C MANWIDTH=10000 man -l "
			 "'%s/usr/share/man/man5/sbx-profile.5' "
			 "| sed -n 's/^ *\\([a-z][a-z0-9.-]*\\) (bool)$/\\1/p' | sort -u >keys && "
			 "cat keys",
			 tmp, root));
	EXPECT_NE(NULL, strstr(r->out, "network.client\n"));
	EXPECT_NE(NULL, strstr(r->out, "cs.allow-jit\n"));
	EXPECT_NE(NULL, strstr(r->out, "sbx.io-uring\n"));
	/* Each key the page lists loads in a profile of its own (an unknown one is an error). */
	ASSERT_EQ(0,
		  sbx_sh(r,
			 "cd '%s' && while read -r k; do "
			 "printf 'identifier: org.example.t\\nentitlements:\\n  %%s: true\\n' "
			 "\"$k\" >k.yaml; " ENV "sbx profile lint k.yaml 2>&1 | grep -F unknown; "
			 "done <keys",
			 tmp, root, tmp, tmp));
	EXPECT_STREQ("", r->out);
}

/* Drive the installed bash completion as bash would, with the installed sbx on PATH. */
static int complete(const char *words)
{
	return sbx_sh(r,
		      "PATH='%s/usr/bin':$PATH bash --norc --noprofile -c '"
		      ". \"%s/usr/share/bash-completion/completions/sbx\"; "
		      "complete -p sbx >/dev/null || exit 3; "
		      "COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _sbx; "
		      "printf \"%%s\\n\" \"${COMPREPLY[@]}\"'",
		      root, root, words);
}

TEST(bash_completion_completes_verbs_options_profiles_and_keys)
{
	char verbs[1024], *save = NULL;

	NEED_BUILD();
	SBX_NEED_COMMANDS("bash");
	ASSERT_EQ(0,
		  sbx_sh(r, "cd '%s' && for v in " EACH_VERB "; do printf '%%s ' $v; done", root));
	snprintf(verbs, sizeof(verbs), "%.1000s", r->out);
	EXPECT_NE(NULL, strstr(verbs, "run ")) TH_LOG("sbx help lists: %s", verbs);
	ASSERT_EQ(0, complete("sbx \"\""));
	ASSERT_EQ(0, r->status) TH_LOG("%s", r->err);
	for (char *v = strtok_r(verbs, " ", &save); v; v = strtok_r(NULL, " ", &save)) {
		char line[64];

		snprintf(line, sizeof(line), "%s\n", v);
		EXPECT_NE(NULL, strstr(r->out, line)) TH_LOG("no verb %s in: %s", v, r->out);
	}
	ASSERT_EQ(0, complete("sbx run --re"));
	EXPECT_STREQ("--report\n--require\n--require-all\n", r->out);
	/* Profile names from the installed profile directory. */
	ASSERT_EQ(0, complete("sbx run --profile cu"));
	EXPECT_NE(NULL, strstr(r->out, "curl\n")) TH_LOG("%s", r->out);
	ASSERT_EQ(0, complete("sbx run --allow network."));
	EXPECT_STREQ("network.client\nnetwork.server\n", r->out);
	ASSERT_EQ(0, complete("sbx profile ex"));
	EXPECT_STREQ("explain\n", r->out);
	ASSERT_EQ(0, complete("sbx profile new --template net"));
	EXPECT_STREQ("network-client\n", r->out);
}

/*
 * The installed zsh completion function, with the completion system's builtins replaced by
 * stubs that print what they are given: its logic, not zsh's menu.
 */
static int zcomplete(const char *words)
{
	return sbx_sh(r,
		      "PATH='%s/usr/bin':$PATH zsh -f -c '"
		      "compadd() { [[ $1 == -a ]] && { print -l -- ${(P)2}; return }; "
		      "[[ $1 == -- ]] && shift; print -l -- \"$@\" }; "
		      "_describe() { print -l -- ${(P)4} }; _files() { print -- _files }; "
		      "_normal() { print -- _normal $words }; "
		      "words=(%s); CURRENT=$#words; PREFIX=$words[CURRENT]; "
		      ". %s/usr/share/zsh/site-functions/_sbx'",
		      root, words, root);
}

TEST(zsh_completion_completes_verbs_options_profiles_and_keys)
{
	NEED_BUILD();
	SBX_NEED_COMMANDS("zsh");
	ASSERT_EQ(0, zcomplete("sbx \"\""));
	ASSERT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_NE(NULL, strstr(r->out, "run:run a program confined")) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, "trust:"));
	ASSERT_EQ(0, zcomplete("sbx run --"));
	EXPECT_NE(NULL, strstr(r->out, "--require-all\n")) TH_LOG("%s", r->out);
	ASSERT_EQ(0, zcomplete("sbx run --profile \"\""));
	EXPECT_NE(NULL, strstr(r->out, "curl\n")) TH_LOG("%s", r->out);
	ASSERT_EQ(0, zcomplete("sbx run --allow \"\""));
	EXPECT_NE(NULL, strstr(r->out, "network.client\n")) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, "cs.allow-jit\n"));
	ASSERT_EQ(0, zcomplete("sbx run --require \"\""));
	EXPECT_NE(NULL, strstr(r->out, "landlock\n")) TH_LOG("%s", r->out);
	ASSERT_EQ(0, zcomplete("sbx profile new --template \"\""));
	EXPECT_STREQ("cli-tool\nnetwork-client\ngui-app\nservice\n", r->out);
	ASSERT_EQ(0, zcomplete("sbx trust \"\""));
	EXPECT_NE(NULL, strstr(r->out, "revoke\n")) TH_LOG("%s", r->out);
	ASSERT_EQ(0, zcomplete("sbx run -- ls \"\""));
	EXPECT_STREQ("_normal ls\n", r->out); /* the program's own completion */
}

/* examples/sbx-example.c through pkg-config, against the installed headers and library. */
TEST(example_builds_with_pkg_config_and_links_no_bpf)
{
	NEED_BUILD();
	ASSERT_EQ(0, sbx_sh(r,
			    "set -e; cd '%s'; export PKG_CONFIG_PATH='%s/usr/lib/pkgconfig'; "
			    "cc -Wall -Wextra -Werror -o example '%s/examples/sbx-example.c' "
			    "$(pkg-config --cflags --libs sbx); "
			    "readelf -d example '%s/usr/lib/libsbx.so.0' | grep NEEDED",
			    tmp, root, sbx_src(), root));
	ASSERT_EQ(0, r->status) TH_LOG("%s%s", r->out, r->err);
	EXPECT_NE(NULL, strstr(r->out, "[libsbx.so.0]"));
	EXPECT_EQ(NULL, strstr(r->out, "libbpf"));
	EXPECT_EQ(NULL, strstr(r->out, "libseccomp"));
	EXPECT_EQ(NULL, strstr(r->out, "libcap"));
	/* Load a profile and print its plan, as sbx profile explain does. */
	ASSERT_EQ(0, sbx_sh(r,
			    ENV "LD_LIBRARY_PATH='%s/usr/lib' '%s/example' plan "
				"'%s/usr/share/sbx/profiles/curl.yaml'",
			    root, tmp, tmp, root, tmp, root));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_NE(NULL, strstr(r->out, "# se.haxx.curl (libsbx ")) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, "file system (Landlock)"));
	/* Verify a file: unsigned here, so "not valid". */
	ASSERT_EQ(0, sbx_sh(r, ENV "LD_LIBRARY_PATH='%s/usr/lib' '%s/example' verify /bin/true",
			    root, tmp, tmp, root, tmp));
	EXPECT_EQ(1, r->status);
	EXPECT_STREQ("/bin/true: unsigned\n", r->out);
}

/* The shared library exports the public API and nothing else; so does the archive. */
TEST(libraries_export_only_the_public_api)
{
	NEED_BUILD();
	ASSERT_EQ(0, sbx_sh(r,
			    "cd '%s/usr/lib'; { nm -D --defined-only libsbx.so.0; "
			    "nm -g --defined-only libsbx.a; } | awk 'NF == 3 && $2 ~ /[TDBR]/ { "
			    "print $3 }' "
			    "| sed 's/@.*//' | grep -v '^sbx_' || true",
			    root));
	EXPECT_STREQ("", r->out);
	ASSERT_EQ(0, sbx_sh(r, "nm -D --defined-only '%s/usr/lib/libsbx.so.0' | grep -c ' T sbx_'",
			    root));
	EXPECT_STREQ("16\n", r->out);
}

TEST(uninstall_removes_what_install_put_there)
{
	NEED_BUILD();
	ASSERT_EQ(0, sbx_sh(r,
			    MAKE "DESTDIR='%s/again' install >/dev/null 2>&1 && " MAKE
				 "DESTDIR='%s/again' uninstall >/dev/null 2>&1 && "
				 "find '%s/again' ! -type d",
			    sbx_src(), tmp, root, root, tmp, sbx_src(), tmp, root, root, tmp, tmp));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_STREQ("", r->out);
}

TEST_HARNESS_MAIN
