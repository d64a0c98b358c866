// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd's verdict cache, in its memory: a fixed table of slots keyed by the file's device
 * and inode, each holding the content identity the verdict was made for (ctime, birth
 * time, size) and an open descriptor of the file with a read lease on it.
 *
 * The lease is the write-side invalidation that cannot be outrun. The kernel grants a
 * read lease only while nobody has the file open for writing, and any later open for
 * writing (or truncate) must first break it: the opener takes its write access, then
 * waits until sbxd has dropped the verdict and let the lease go (fan.c, on the lease
 * signal). An exec that was answered from the cache before that point then finds the
 * writer and fails with ETXTBSY; one after it misses. Without the lease, a write between
 * sbxd's answer and the kernel's deny_write_access in exec would run unverified bytes.
 *
 * A lookup whose identity differs is a miss; a write event (FAN_MODIFY, FAN_CLOSE_WRITE)
 * for the inode also drops the slot. Two inodes hashing to one slot evict each other: an
 * evicted verdict is a miss, verified again, never an allow. ctime, not mtime: the owner
 * sets mtime (utimes) but not ctime.
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
	int lease_fd; /* holds the read lease; handed to release() with the slot */
	struct sbxd_allowed allowed; /* the latest execs answered from this slot */
};

struct sbxd_fcache {
	unsigned int size, fill, sweep_next;
	void (*release)(void *arg, int lease_fd, const struct sbxd_file_id *id,
			const struct sbxd_allowed *allowed);
	void *arg;
	struct slot slots[];
};

int sbxd_fcache_new(unsigned int entries,
		    void (*release)(void *arg, int lease_fd, const struct sbxd_file_id *id,
				    const struct sbxd_allowed *allowed),
		    void *arg, struct sbxd_fcache **out)
{
	struct sbxd_fcache *c;

	if (!entries)
		entries = 4096;
	c = calloc(1, sizeof(*c) + (size_t)entries * sizeof(struct slot));
	if (!c)
		return -ENOMEM;
	c->size = entries;
	c->release = release;
	c->arg = arg;
	for (unsigned int i = 0; i < entries; i++)
		c->slots[i].lease_fd = -1;
	*out = c;
	return 0;
}

static void slot_clear(struct sbxd_fcache *c, struct slot *s)
{
	if (s->kind == SBXD_KIND_NONE)
		return;
	s->kind = SBXD_KIND_NONE;
	if (s->lease_fd >= 0 && c->release)
		c->release(c->arg, s->lease_fd, &s->id, &s->allowed);
	else if (s->lease_fd >= 0)
		close(s->lease_fd);
	s->lease_fd = -1;
	c->fill--;
}

void sbxd_fcache_free(struct sbxd_fcache *c)
{
	if (!c)
		return;
	c->release = NULL;
	sbxd_fcache_clear(c);
	free(c);
}

void sbxd_fcache_clear(struct sbxd_fcache *c)
{
	for (unsigned int i = 0; i < c->size; i++)
		slot_clear(c, &c->slots[i]);
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

void sbxd_fcache_store(struct sbxd_fcache *c, const struct sbxd_file_id *id, enum sbxd_kind k,
		       int lease_fd, pid_t pid)
{
	struct slot *s = slot_of(c, id->dev, id->ino);

	slot_clear(c, s);
	c->fill++;
	s->id = *id;
	s->kind = k;
	s->lease_fd = lease_fd;
	memset(&s->allowed, 0, sizeof(s->allowed));
	if (pid > 0)
		sbxd_allowed_add(&s->allowed, pid);
}

void sbxd_allowed_add(struct sbxd_allowed *a, pid_t pid)
{
	a->pid[a->next++ % SBXD_ALLOWED_MAX] = pid;
}

enum sbxd_kind sbxd_fcache_hit(struct sbxd_fcache *c, const struct sbxd_file_id *id, pid_t pid)
{
	enum sbxd_kind k = sbxd_fcache_lookup(c, id);

	if (sbxd_kind_allows(k))
		sbxd_allowed_add(&slot_of(c, id->dev, id->ino)->allowed, pid);
	return k;
}

void sbxd_fcache_invalidate(struct sbxd_fcache *c, uint64_t dev, uint64_t ino)
{
	struct slot *s = slot_of(c, dev, ino);

	if (s->kind != SBXD_KIND_NONE && s->id.dev == dev && s->id.ino == ino)
		slot_clear(c, s);
}

bool sbxd_fcache_invalidate_fd(struct sbxd_fcache *c, int fd)
{
	for (unsigned int i = 0; i < c->size; i++)
		if (c->slots[i].kind != SBXD_KIND_NONE && c->slots[i].lease_fd == fd) {
			slot_clear(c, &c->slots[i]);
			return true;
		}
	return false;
}

/*
 * A cached verdict keeps its file open: a file deleted (or replaced by rename) since would
 * keep its blocks until evicted. Each call looks at count slots, from where the last left.
 */
void sbxd_fcache_sweep(struct sbxd_fcache *c, unsigned int count)
{
	struct stat st;

	for (unsigned int i = 0; i < count && i < c->size; i++, c->sweep_next++) {
		struct slot *s = &c->slots[c->sweep_next % c->size];

		if (s->kind != SBXD_KIND_NONE && s->lease_fd >= 0 &&
		    (fstat(s->lease_fd, &st) || st.st_nlink == 0))
			slot_clear(c, s);
	}
}

unsigned int sbxd_fcache_entry_bytes(void)
{
	return sizeof(struct slot);
}

unsigned int sbxd_fcache_fill(const struct sbxd_fcache *c)
{
	return c->fill;
}

unsigned int sbxd_fcache_size(const struct sbxd_fcache *c)
{
	return c->size;
}

int sbxd_lease_take(int fd)
{
	if (fcntl(fd, F_SETSIG, SBXD_LEASE_SIGNAL) || fcntl(fd, F_SETLEASE, F_RDLCK))
		return -errno;
	return 0;
}
