// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * landlock_others_clean(): which rights a system tree's entry may keep in a rule for a
 * program run as root (or any ids) without giving it more than others get (atk8u R1).
 * Pure: mode, owner and group in, a mask out.
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "landlock/landlock.h"
#include "uapi_compat.h"

#define READ_FILE LANDLOCK_ACCESS_FS_READ_FILE
#define READ_DIR  LANDLOCK_ACCESS_FS_READ_DIR
#define EXECUTE	  LANDLOCK_ACCESS_FS_EXECUTE
#define WRITE	  LANDLOCK_ACCESS_FS_WRITE_FILE
#define ALL	  (~0ULL)
/* What the owner's w bit gives on a file, which 0644 gives others not. */
#define WRITES (WRITE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_RESOLVE_UNIX)

static const gid_t root_groups[] = { 0 };
static const struct landlock_ids root = {
	.uid = 0, .gid = 0, .groups = root_groups, .n_groups = 1
};
static const gid_t user_groups[] = { 100, 42 };
static const struct landlock_ids user = {
	.uid = 1000, .gid = 1000, .groups = user_groups, .n_groups = 2
};

FIXTURE(others_clean){};

FIXTURE_VARIANT(others_clean)
{
	mode_t mode;
	uid_t owner;
	gid_t group;
	const struct landlock_ids *self;
	uint64_t refused; /* the rights the entry must not keep (ALL: nothing beneath) */
};

FIXTURE_SETUP(others_clean)
{
}

FIXTURE_TEARDOWN(others_clean)
{
}

/* /etc/passwd: others read it too; only its owner writes it. */
FIXTURE_VARIANT_ADD(others_clean, world_readable_file){
	.mode = S_IFREG | 0644,
	.owner = 0,
	.group = 0,
	.self = &root,
	.refused = WRITES,
};

/* Another user's 0644 file: root (no capability) may do nothing others may not. */
FIXTURE_VARIANT_ADD(others_clean, other_users_file){
	.mode = S_IFREG | 0644,
	.owner = 1000,
	.group = 1000,
	.self = &root,
	.refused = 0,
};

/* /etc/shadow: root:shadow 0640, root reads it as its owner, others not. */
FIXTURE_VARIANT_ADD(others_clean, shadow_owner_bits){
	.mode = S_IFREG | 0640,
	.owner = 0,
	.group = 42,
	.self = &root,
	.refused = READ_FILE | WRITES,
};

/* Another user's file in root's group: root reads it through the group bits. */
FIXTURE_VARIANT_ADD(others_clean, root_group_bits){
	.mode = S_IFREG | 0640,
	.owner = 65534,
	.group = 0,
	.self = &root,
	.refused = READ_FILE,
};

/* postgres:postgres 0640: root (no capability) may not read it either: nothing hidden. */
FIXTURE_VARIANT_ADD(others_clean, nobody_may_read){
	.mode = S_IFREG | 0640,
	.owner = 108,
	.group = 108,
	.self = &root,
	.refused = 0,
};

/* A program only root may run (0700): neither read nor executed. */
FIXTURE_VARIANT_ADD(others_clean, owner_only_program){
	.mode = S_IFREG | 0700,
	.owner = 0,
	.group = 0,
	.self = &root,
	.refused = READ_FILE | EXECUTE | WRITES,
};

/* Executable by all, readable by root only (0711): run, not read. */
FIXTURE_VARIANT_ADD(others_clean, execute_only){
	.mode = S_IFREG | 0711,
	.owner = 0,
	.group = 0,
	.self = &root,
	.refused = READ_FILE | WRITES,
};

/* /etc/ssl/private 0710 root:ssl-cert: root enters, others do not: nothing beneath. */
FIXTURE_VARIANT_ADD(others_clean, root_only_directory){
	.mode = S_IFDIR | 0710,
	.owner = 0,
	.group = 109,
	.self = &root,
	.refused = ALL,
};

/* polkitd's 0700 rules.d in group root: root may not enter it either. */
FIXTURE_VARIANT_ADD(others_clean, directory_closed_to_root_too){
	.mode = S_IFDIR | 0700,
	.owner = 998,
	.group = 0,
	.self = &root,
	.refused = 0,
};

/* 0711: all enter it, only root lists it. */
FIXTURE_VARIANT_ADD(others_clean, directory_unlisted){
	.mode = S_IFDIR | 0711,
	.owner = 0,
	.group = 0,
	.self = &root,
	.refused = READ_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |
		   LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_MAKE_SOCK |
		   LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_CHAR |
		   LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_REMOVE_DIR |
		   LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REFER,
};

/* An ordinary user's own 0600 file: the same rule holds for any ids. */
FIXTURE_VARIANT_ADD(others_clean, user_own_file){
	.mode = S_IFREG | 0600,
	.owner = 1000,
	.group = 1000,
	.self = &user,
	.refused = READ_FILE | WRITES,
};

/* A supplementary group of the user's (42), not its primary one. */
FIXTURE_VARIANT_ADD(others_clean, user_supplementary_group){
	.mode = S_IFREG | 0640,
	.owner = 0,
	.group = 42,
	.self = &user,
	.refused = READ_FILE,
};

/* A world-writable socket (0777): nothing others lack. */
FIXTURE_VARIANT_ADD(others_clean, world_socket){
	.mode = S_IFSOCK | 0777,
	.owner = 0,
	.group = 0,
	.self = &root,
	.refused = 0,
};

TEST_F(others_clean, rights)
{
	uint64_t clean =
		landlock_others_clean(variant->mode, variant->owner, variant->group, variant->self);

	EXPECT_EQ(0ULL, clean & variant->refused);
	if (variant->refused != ALL)
		EXPECT_EQ((uint64_t)(ALL & ~variant->refused), clean);
	/* IOCTL_DEV acts on a descriptor opened with the other rights: never refused alone. */
	if (variant->refused != ALL)
		EXPECT_NE(0ULL, clean & LANDLOCK_ACCESS_FS_IOCTL_DEV);
}

TEST_HARNESS_MAIN
