// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make deb: debian/ turns the tree into installable packages, lintian-clean (errors and
 * warnings; a lintian-overrides file in debian/ would justify any that remain). The packages
 * hold what each should, their sbx looks for its profiles and trust store under /usr and
 * /etc, and apt accepts the set as installable (simulated: nothing is installed here).
 *
 * The build is a full one from a copy of the tree (about a minute and a half on two
 * cores), made once before the tests fork and unpacked into one tree, as installing the
 * four would; it needs the tree's Makefile and debian/, so a copy of the tests alone is a
 * SKIP, as is a machine without the packaging tools (a failure in CI).
 *
 * It is built in make check's root run only: the packages are the same whoever builds
 * them (Rules-Requires-Root: no, so dpkg-deb writes root:root either way), and a second
 * build as uid 65534 would cost another minute and a half to prove nothing more. What a
 * user's build proves (no step needs root) is left to a package builder (sbuild).
 */
#include "kselftest_harness.h"
#include "packaging.h"

static char deb_dir[P + 16], root[P + 16];

static void __attribute__((constructor)) build(void)
{
	if (geteuid()) {
		snprintf(skip_reason, sizeof(skip_reason),
			 "the packages are built in the root run only (the same packages)");
		return;
	}
	if (!packaging_prepare("debian/control", "dpkg-buildpackage dh lintian scdoc"))
		return;
	snprintf(deb_dir, sizeof(deb_dir), "%s/build/deb", tmp);
	snprintf(root, sizeof(root), "%s/root", tmp);
	packaging_build("cd '%s' && HOME='%s' " SBX_MAKE "deb O='%s/build' >'%s/deb.log' 2>&1 || "
			"{ grep -E '^(E|W): |rror' '%s/deb.log' | tail -30; tail -15 '%s/deb.log'; "
			"exit 1; }; for d in '%s'/*.deb; do dpkg -x \"$d\" '%s'; done",
			sbx_src(), tmp, tmp, tmp, tmp, tmp, deb_dir, root);
}

/* The files of package NAME, one path a line as dpkg-deb lists them (./usr/bin/sbx). */
static int contents(const char *name)
{
	return sbx_sh(r, "dpkg-deb -c '%s'/%s_*.deb | awk '{ print $6 }'", deb_dir, name);
}

TEST(packages_hold_what_each_should)
{
	static const struct {
		const char *package, *path;
	} want[] = {
		{ "sbx", "./usr/bin/sbx\n" },
		{ "sbx", "./usr/share/sbx/profiles/default.yaml\n" },
		{ "sbx", "./usr/share/man/man1/sbx-run.1.gz\n" },
		{ "sbx", "./usr/share/man/man5/sbx-profile.5.gz\n" },
		{ "sbx", "./usr/share/bash-completion/completions/sbx\n" },
		{ "sbx", "./usr/share/zsh/vendor-completions/_sbx\n" },
		{ "sbx", "./etc/sbx/trust.d/\n" },
		{ "sbx", "./usr/share/doc/sbx/copyright\n" },
		{ "sbxd", "./usr/sbin/sbxd\n" },
		{ "sbxd", "./usr/share/man/man8/sbxd.8.gz\n" },
		{ "libsbx0", "./usr/lib/x86_64-linux-gnu/libsbx.so.0.1.0\n" },
		{ "libsbx0", "./usr/lib/x86_64-linux-gnu/libsbx.so.0\n" },
		{ "libsbx-dev", "./usr/include/sbx/sbx.h\n" },
		{ "libsbx-dev", "./usr/lib/x86_64-linux-gnu/libsbx.so\n" },
		{ "libsbx-dev", "./usr/lib/x86_64-linux-gnu/libsbx.a\n" },
		{ "libsbx-dev", "./usr/lib/x86_64-linux-gnu/pkgconfig/sbx.pc\n" },
		{ "libsbx-dev", "./usr/share/doc/libsbx-dev/examples/sbx-example.c\n" },
	};
	NEED_BUILD();
	ASSERT_EQ(0, sbx_sh(r, "dpkg-architecture -qDEB_HOST_MULTIARCH"));
	if (strcmp(r->out, "x86_64-linux-gnu\n"))
		SKIP(return, "the paths listed are amd64's");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ASSERT_EQ(0, contents(want[i].package));
		EXPECT_NE(NULL, strstr(r->out, want[i].path))
		TH_LOG("%s lacks %s", want[i].package, want[i].path);
	}
	/* sbxd's unit, naming sbxd's documentation where this package puts it. */
	ASSERT_EQ(0, sbx_sh(r,
			    "cd '%s' && grep -E '^(ExecStart|Documentation)=' "
			    "lib/systemd/system/sbxd.service && test -f usr/share/doc/sbxd/sbxd.md",
			    root));
	EXPECT_EQ(0, r->status) TH_LOG("%s%s", r->out, r->err);
	EXPECT_NE(NULL, strstr(r->out, "ExecStart=/usr/sbin/sbxd\n"));
	EXPECT_NE(NULL, strstr(r->out, "file:/usr/share/doc/sbxd/sbxd.md\n"));
}

/* The packaged sbx was built for /usr and /etc (unpacked aside, so it cannot find them). */
TEST(packaged_sbx_looks_under_usr_and_etc)
{
	NEED_BUILD();
	ASSERT_EQ(0, sbx_sh(r,
			    "cd '%s'; HOME='%s' usr/bin/sbx run --allow-root --profile "
			    "no-such-profile -- /bin/true 2>&1; "
			    "strings usr/bin/sbx | grep -x /etc/sbx/trust.d",
			    root, tmp));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_NE(NULL, strstr(r->out, " /usr/share/sbx/profiles")) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, "\n/etc/sbx/trust.d\n")) TH_LOG("%s", r->out);
}

TEST(libsbx_dev_pkg_config_names_the_multiarch_directory)
{
	NEED_BUILD();
	ASSERT_EQ(0,
		  sbx_sh(r, "grep -E '^(prefix|libdir)=' '%s'/usr/lib/*/pkgconfig/sbx.pc", root));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_NE(NULL, strstr(r->out, "prefix=/usr\n"));
	EXPECT_NE(NULL, strstr(r->out, "libdir=/usr/lib/"));
}

/* apt resolves the set against this system's packages (simulation: installs nothing). */
TEST(apt_accepts_the_packages)
{
	NEED_BUILD();
	ASSERT_EQ(0, sbx_sh(r,
			    "cd '%s' && apt-get -s -q install ./sbx_*.deb ./sbxd_*.deb "
			    "./libsbx0_*.deb ./libsbx-dev_*.deb",
			    deb_dir));
	EXPECT_EQ(0, r->status) TH_LOG("%s%s", r->out, r->err);
	EXPECT_NE(NULL, strstr(r->out, "Conf sbx (")) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, "Conf libsbx0 ("));
}

TEST_HARNESS_MAIN
