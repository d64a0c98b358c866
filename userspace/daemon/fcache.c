// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier F's verdict cache, in sbxd's memory: a fixed table of slots keyed by the file's
 * device and inode, each holding the content identity the verdict was made for (ctime,
 * birth time, size). A lookup whose identity differs is a miss; a write event for the
 * inode (FAN_MODIFY, FAN_CLOSE_WRITE: fan.c) drops the slot. Two inodes hashing to one
 * slot evict each other: an evicted verdict is a miss, verified again, never an allow.
 *
 * ctime, not mtime: the owner sets mtime (utimes) but not ctime. With multigrain
 * timestamps (6.13+) a write after a stat always moves ctime; on older kernels two writes
 * in one clock tick may share a ctime, which is why the write events also invalidate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbxd.h"

struct slot {
	struct sbxd_file_id id;
	enum sbxd_kind kind; /* SBXD_KIND_NONE: empty */
};

struct sbxd_fcache {
	unsigned int size, fill;
	struct slot slots[];
};

int sbxd_fcache_new(unsigned int entries, struct sbxd_fcache **out)
{
	struct sbxd_fcache *c;

	if (!entries)
		entries = 4096;
	c = calloc(1, sizeof(*c) + (size_t)entries * sizeof(struct slot));
	if (!c)
		return -ENOMEM;
	c->size = entries;
	*out = c;
	return 0;
}

void sbxd_fcache_free(struct sbxd_fcache *c)
{
	free(c);
}

int sbxd_file_id(int fd, struct sbxd_file_id *id)
{
	struct statx st;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
		  STATX_INO | STATX_CTIME | STATX_SIZE | STATX_TYPE | STATX_BTIME, &st))
		return -errno;
	if (!S_ISREG(st.stx_mode))
		return -EINVAL;
	memset(id, 0, sizeof(*id));
	id->dev = (uint64_t)st.stx_dev_major << 32 | st.stx_dev_minor;
	id->ino = st.stx_ino;
	id->ctime_sec = st.stx_ctime.tv_sec;
	id->ctime_nsec = st.stx_ctime.tv_nsec;
	if (st.stx_mask & STATX_BTIME) {
		id->btime_sec = st.stx_btime.tv_sec;
		id->btime_nsec = st.stx_btime.tv_nsec;
	}
	id->size = st.stx_size;
	return 0;
}

static struct slot *slot_of(struct sbxd_fcache *c, uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ (ino * 0xc2b2ae3d27d4eb4full);

	h ^= h >> 29;
	return &c->slots[h % c->size];
}

static bool same_content(const struct sbxd_file_id *a, const struct sbxd_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->ctime_sec == b->ctime_sec &&
	       a->ctime_nsec == b->ctime_nsec && a->btime_sec == b->btime_sec &&
	       a->btime_nsec == b->btime_nsec && a->size == b->size;
}

enum sbxd_kind sbxd_fcache_lookup(struct sbxd_fcache *c, const struct sbxd_file_id *id)
{
	struct slot *s = slot_of(c, id->dev, id->ino);

	return s->kind != SBXD_KIND_NONE && same_content(&s->id, id) ? s->kind : SBXD_KIND_NONE;
}

void sbxd_fcache_store(struct sbxd_fcache *c, const struct sbxd_file_id *id, enum sbxd_kind k)
{
	struct slot *s = slot_of(c, id->dev, id->ino);

	if (s->kind == SBXD_KIND_NONE)
		c->fill++;
	s->id = *id;
	s->kind = k;
}

void sbxd_fcache_invalidate(struct sbxd_fcache *c, uint64_t dev, uint64_t ino)
{
	struct slot *s = slot_of(c, dev, ino);

	if (s->kind != SBXD_KIND_NONE && s->id.dev == dev && s->id.ino == ino) {
		s->kind = SBXD_KIND_NONE;
		c->fill--;
	}
}

unsigned int sbxd_fcache_fill(const struct sbxd_fcache *c)
{
	return c->fill;
}

unsigned int sbxd_fcache_size(const struct sbxd_fcache *c)
{
	return c->size;
}

/*
 * A read lease is granted only while nobody has the file open for writing (a writable
 * shared mapping keeps its open file): the kernel's own answer to "is there a writer",
 * taken and given back at once. Any other refusal (leases disabled, an odd file system)
 * also counts as a writer: the file is then verified on every exec, never cached.
 */
bool sbxd_file_open_for_write(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		return true;
	fcntl(fd, F_SETLEASE, F_UNLCK);
	return false;
}
