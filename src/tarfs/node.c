/*
 * The index: inodes, directory entries, names, and lookups over them.
 * Built once by tar_parse.c, then only read (by many FUSE threads at
 * once, without locks).
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/node.h"

#define TF_LIMIT	0xfffffff0u	/* inodes, dirents, pool bytes */

/*
 * The lookup key's hash: (parent, name), eight bytes of the name at a
 * time (FNV a byte at a time was a third of every lookup; the walk
 * hashes every name of the archive once or twice).  Not stored: the
 * table is rebuilt on every load, so it may change freely.  The tail
 * (under 8 bytes) is read in two overlapping 4-byte loads, or as 3
 * bytes, which for a given length take every byte; the length itself
 * is in the seed.
 */
#define HMUL	0x9E3779B97F4A7C15ULL

/*
 * The names are the archive's, so an unkeyed hash would let an archive
 * whose names were chosen to share a slot turn every insertion into a
 * walk of all of them: a mount of n entries in n * n steps, a hang for
 * a few hundred thousand.  So the hash is seeded at random, once per
 * process, before the first table is made (every hash in a table is
 * taken under the one seed); the table is never saved, so nothing
 * depends on its value.
 */
static uint64_t hash_seed;
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void
seed_init(void)
{
	struct timespec ts;

	if (getrandom(&hash_seed, sizeof(hash_seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(hash_seed)) {
		/* No entropy yet (early boot): still not the archive's. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		hash_seed = ((uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec ^
		    (uint64_t)getpid() << 16) * HMUL;
	}
}

void
tf_hash_init(void)
{
	(void)pthread_once(&hash_once, seed_init);
}

uint32_t
tf_name_hash(uint32_t parent, const char *name, size_t len)
{
	const unsigned char *p = (const unsigned char *)name;
	/* Mixed first: the tail's bytes must not cancel the length's. */
	uint64_t h = (((uint64_t)parent << 32 | (uint32_t)len) ^
	    0xcbf29ce484222325ULL ^ hash_seed) * HMUL, w;
	uint32_t a, b;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * HMUL;
		h ^= h >> 29;
	}
	if (len >= 4) {
		memcpy(&a, p, 4);
		memcpy(&b, p + len - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (len > 0)
		w = (uint64_t)p[0] << 16 | (uint64_t)p[len / 2] << 8 |
		    p[len - 1];
	else
		w = 0;
	h = (h ^ w) * HMUL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return ((uint32_t)h);
}

/*
 * An array about to be written whole (a load reads the index into it,
 * a table is cleared): its pages faulted in by one madvise instead of
 * a trap each as they are first written (a 6 MiB array: 0.8 ms, not
 * 1.4).  Without MADV_POPULATE_WRITE (Linux < 5.14) they fault as
 * before.
 */
#define PREFAULT_MIN	(64 * 1024)

static void
prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)4095;

	if (n >= PREFAULT_MIN && e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

void *
tf_alloc(size_t n)
{
	void *p = xmalloc(n);

	prefault(p, n);
	return (p);
}

static void *
zalloc(size_t n, size_t size)
{
	void *p = tf_alloc(n * size);

	memset(p, 0, n * size);
	return (p);
}

static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return (0);
	if (n >= TF_LIMIT)
		return (error_set("index too large (%zu entries)", n));
	ncap = *cap < 64 ? 64 : *cap * 2;
	*p = xrealloc(*p, ncap * size);
	*cap = ncap;
	return (0);
}

uint32_t
tf_pool_add(struct tarfs *t, const char *s, size_t len)
{
	size_t off = t->poollen;

	if (len >= TF_LIMIT || t->poollen + len + 1 >= TF_LIMIT) {
		error_set("index too large (names exceed 4G)");
		return (UINT32_MAX);
	}
	if (t->poollen + len + 1 > t->poolcap) {
		size_t ncap = t->poolcap < 4096 ? 4096 : t->poolcap;

		while (ncap < t->poollen + len + 1)
			ncap *= 2;
		t->pool = xrealloc(t->pool, ncap);
		t->poolcap = ncap;
	}
	memcpy(t->pool + off, s, len);
	t->pool[off + len] = '\0';
	t->poollen += len + 1;
	return ((uint32_t)off);
}

int64_t
tf_inode_new(struct tarfs *t, uint32_t mode)
{
	struct tf_inode *n;

	if (grow((void **)&t->inodes, &t->capinodes, t->ninodes,
	    sizeof(*t->inodes)) == -1)
		return (-1);
	n = &t->inodes[t->ninodes];
	memset(n, 0, sizeof(*n));
	n->mode = mode;
	n->nlink = 1;
	return ((int64_t)t->ninodes++);
}

static void
slot_put(struct tf_slot *s, size_t mask, uint32_t idx, uint32_t hash)
{
	size_t k = hash & mask;

	while (s[k].idx != 0)
		k = (k + 1) & mask;
	s[k].idx = idx;
	s[k].hash = hash;
}

/* A table of n slots (a power of two) holding what the old one held. */
static void
resize(struct tarfs *t, size_t n)
{
	struct tf_slot *s;
	size_t i;

	tf_hash_init();
	s = zalloc(n, sizeof(*s));

	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].idx != 0)
			slot_put(s, n - 1, t->slots[i].idx, t->slots[i].hash);
	free(t->slots);
	t->slots = s;
	t->nslots = n;
}

/* Slots for n entries: at most half full, so probes stay short. */
static size_t
slots_for(size_t n)
{
	size_t k = 1024;

	while (k < 2 * n)
		k *= 2;
	return (k);
}

/* After a load: the table, from the entries alone, sized once. */
void
tf_rehash_all(struct tarfs *t)
{
	size_t i, n = slots_for(t->ndirents);
	struct tf_slot *s;

	tf_hash_init();
	s = zalloc(n, sizeof(*s));
	for (i = 0; i < t->ndirents; i++) {
		const struct tf_dirent *d = &t->dirents[i];

		slot_put(s, n - 1, (uint32_t)i + 1, tf_name_hash(d->parent,
		    t->pool + d->name, d->namelen));
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
}

/*
 * The table has an empty slot (it is at most half full), which ends
 * every probe.
 */
int64_t
tf_find(const struct tarfs *t, uint32_t parent, const char *name,
    size_t len)
{
	const struct tf_slot *s;
	uint32_t h;
	size_t k, mask = t->nslots - 1;

	if (t->nslots == 0)
		return (-1);
	h = tf_name_hash(parent, name, len);
	for (k = h & mask; (s = &t->slots[k])->idx != 0; k = (k + 1) & mask) {
		const struct tf_dirent *d = &t->dirents[s->idx - 1];

		if (s->hash == h && d->parent == parent &&
		    d->namelen == len &&
		    memcmp(t->pool + d->name, name, len) == 0)
			return ((int64_t)s->idx - 1);
	}
	return (-1);
}

int64_t
tf_dirent_add(struct tarfs *t, uint32_t parent, const char *name,
    size_t len, uint32_t ino)
{
	struct tf_dirent *d;
	uint32_t off;

	if (grow((void **)&t->dirents, &t->capdirents, t->ndirents,
	    sizeof(*t->dirents)) == -1)
		return (-1);
	if ((off = tf_pool_add(t, name, len)) == UINT32_MAX)
		return (-1);
	d = &t->dirents[t->ndirents];
	d->name = off;
	d->namelen = (uint32_t)len;
	d->parent = parent;
	d->ino = ino;
	t->ndirents++;
	if (2 * t->ndirents > t->nslots)
		resize(t, slots_for(t->ndirents));
	slot_put(t->slots, t->nslots - 1, (uint32_t)t->ndirents,
	    tf_name_hash(parent, name, len));
	return ((int64_t)t->ndirents - 1);
}

int
tf_chunk_add(struct tarfs *t, uint64_t off, uint64_t len, uint64_t data)
{
	if (grow((void **)&t->chunks, &t->capchunks, t->nchunks,
	    sizeof(*t->chunks)) == -1)
		return (-1);
	t->chunks[t->nchunks].off = off;
	t->chunks[t->nchunks].len = len;
	t->chunks[t->nchunks].data = data;
	t->nchunks++;
	return (0);
}

/*
 * After the last header: group the directory entries by parent (for
 * readdir, in archive order) and count each directory's links.
 */
void
tf_finalize(struct tarfs *t)
{
	uint32_t *cnt, *sub, at = 0;
	size_t i;

	/*
	 * Counted in arrays of their own, small enough to stay in the
	 * cache, so that the inodes (72 bytes each: 3.6 MiB for 50k) are
	 * walked twice, not four times.
	 */
	cnt = zalloc(t->ninodes + 1, sizeof(*cnt));
	sub = zalloc(t->ninodes + 1, sizeof(*sub));
	for (i = 0; i < t->ndirents; i++) {
		const struct tf_dirent *d = &t->dirents[i];

		cnt[d->parent]++;
		if (S_ISDIR(t->inodes[d->ino].mode)) {
			sub[d->parent]++;
			t->inodes[d->ino].parent = d->parent;
		}
	}
	for (i = 0; i < t->ninodes; i++) {
		struct tf_inode *n = &t->inodes[i];

		n->first = at;
		n->nkids = cnt[i];
		if (S_ISDIR(n->mode))
			n->nlink = 2 + sub[i];
		cnt[i] = at;		/* now where its next child goes */
		at += n->nkids;
	}
	free(t->kids);
	t->kids = tf_alloc((t->ndirents + 1) * sizeof(*t->kids));
	for (i = 0; i < t->ndirents; i++)
		t->kids[cnt[t->dirents[i].parent]++] = (uint32_t)i;
	free(cnt);
	free(sub);
}

void
tf_index_free(struct tarfs *t)
{
	free(t->inodes);
	free(t->dirents);
	free(t->slots);
	free(t->kids);
	free(t->pool);
	free(t->chunks);
	t->inodes = NULL;
	t->dirents = NULL;
	t->slots = NULL;
	t->kids = NULL;
	t->pool = NULL;
	t->chunks = NULL;
	t->ninodes = t->capinodes = t->ndirents = t->capdirents = 0;
	t->nslots = t->poollen = t->poolcap = 0;
	t->nchunks = t->capchunks = 0;
}

/* The public read side: inode numbers are index + 1. */

static const struct tf_inode *
inode(const struct tarfs *t, uint64_t ino)
{
	if (ino == 0 || ino > t->ninodes) {
		errno = ENOENT;
		return (NULL);
	}
	return (&t->inodes[ino - 1]);
}

uint64_t
tarfs_count(const struct tarfs *t)
{
	return (t->ninodes);
}

size_t
tarfs_memory(const struct tarfs *t)
{
	return (t->capinodes * sizeof(*t->inodes) +
	    t->capdirents * sizeof(*t->dirents) +
	    t->nslots * sizeof(*t->slots) +
	    (t->ndirents + 1) * sizeof(*t->kids) + t->poolcap +
	    t->capchunks * sizeof(*t->chunks));
}

const char *
tarfs_format(const struct tarfs *t)
{
	return (t->src.kind == SRC_ZSTD ? "tar.zst" : "tar");
}

uint64_t
tarfs_lookup(const struct tarfs *t, uint64_t dir, const char *name)
{
	const struct tf_inode *n;
	int64_t d;

	if ((n = inode(t, dir)) == NULL)
		return (0);
	if (!S_ISDIR(n->mode)) {
		errno = ENOTDIR;
		return (0);
	}
	if (strcmp(name, ".") == 0)
		return (dir);
	if (strcmp(name, "..") == 0) {
		return ((uint64_t)n->parent + 1);
	}
	if ((d = tf_find(t, (uint32_t)(dir - 1), name, strlen(name))) == -1) {
		errno = ENOENT;
		return (0);
	}
	return ((uint64_t)t->dirents[d].ino + 1);
}

uint64_t
tarfs_resolve(const struct tarfs *t, const char *path)
{
	uint64_t ino = TARFS_ROOT_INO;
	char *p, *c, *save = NULL;

	p = xstrdup(path);
	for (c = strtok_r(p, "/", &save); c != NULL && ino != 0;
	    c = strtok_r(NULL, "/", &save))
		ino = tarfs_lookup(t, ino, c);
	free(p);
	return (ino);
}

int
tarfs_stat(const struct tarfs *t, uint64_t ino, struct stat *st)
{
	const struct tf_inode *n;

	if ((n = inode(t, ino)) == NULL)
		return (-1);
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = n->mode;
	st->st_nlink = n->nlink;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_size = (off_t)n->size;
	st->st_blksize = 65536;
	st->st_blocks = (blkcnt_t)((n->stored + 511) / 512);
	st->st_mtim.tv_sec = n->mtime;
	st->st_mtim.tv_nsec = n->mtime_ns;
	st->st_atim = st->st_mtim;
	st->st_ctim = st->st_mtim;
	if (S_ISCHR(n->mode) || S_ISBLK(n->mode))
		st->st_rdev = (dev_t)n->data;
	return (0);
}

const char *
tarfs_readlink(const struct tarfs *t, uint64_t ino)
{
	const struct tf_inode *n;

	if ((n = inode(t, ino)) == NULL)
		return (NULL);
	if (!S_ISLNK(n->mode)) {
		errno = EINVAL;
		return (NULL);
	}
	return (t->pool + n->data);
}

int
tarfs_readdir(const struct tarfs *t, uint64_t ino, uint64_t idx,
    const char **name, uint64_t *child)
{
	const struct tf_inode *n;
	const struct tf_dirent *d;

	if ((n = inode(t, ino)) == NULL)
		return (-1);
	if (!S_ISDIR(n->mode)) {
		errno = ENOTDIR;
		return (-1);
	}
	if (idx < 2) {
		*name = idx == 0 ? "." : "..";
		*child = idx == 0 ? ino : tarfs_lookup(t, ino, "..");
		return (1);
	}
	idx -= 2;
	if (idx >= n->nkids)
		return (0);
	d = &t->dirents[t->kids[n->first + idx]];
	*name = t->pool + d->name;
	*child = (uint64_t)d->ino + 1;
	return (1);
}

/* Sparse files: holes read as zeros, chunks from the archive. */
static ssize_t
read_sparse(const struct tarfs *t, const struct tf_inode *n, char *buf,
    size_t len, uint64_t off)
{
	const struct tf_chunk *c = &t->chunks[n->data];
	size_t lo = 0, hi = n->nchunks, done = 0;

	/* First chunk that ends after off. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c[mid].off + c[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (done < len) {
		uint64_t pos = off + done;
		size_t n2;

		if (lo >= n->nchunks || c[lo].off > pos) {
			uint64_t end = lo < n->nchunks ? c[lo].off : n->size;

			n2 = (size_t)(end - pos < len - done ?
			    end - pos : len - done);
			memset(buf + done, 0, n2);
		} else {
			uint64_t in = pos - c[lo].off;

			n2 = (size_t)(c[lo].len - in < len - done ?
			    c[lo].len - in : len - done);
			if (src_pread(&t->src, buf + done, n2,
			    c[lo].data + in) == -1) {
				errno = EIO;
				return (-1);
			}
			lo++;
		}
		done += n2;
	}
	return ((ssize_t)done);
}

ssize_t
tarfs_read(const struct tarfs *t, uint64_t ino, void *buf, size_t len,
    uint64_t off)
{
	const struct tf_inode *n;

	if ((n = inode(t, ino)) == NULL)
		return (-1);
	if (S_ISDIR(n->mode)) {
		errno = EISDIR;
		return (-1);
	}
	if (!S_ISREG(n->mode)) {
		errno = EINVAL;
		return (-1);
	}
	if (off >= n->size)
		return (0);
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (n->flags & TF_SPARSE)
		return (read_sparse(t, n, buf, len, off));
	if (src_pread(&t->src, buf, len, n->data + off) == -1) {
		errno = EIO;
		return (-1);
	}
	return ((ssize_t)len);
}

int
tarfs_data_fd(const struct tarfs *t, uint64_t ino, uint64_t *archive_off)
{
	const struct tf_inode *n;

	if ((n = inode(t, ino)) == NULL || !S_ISREG(n->mode) ||
	    (n->flags & TF_SPARSE) || t->src.kind != SRC_FILE)
		return (-1);
	*archive_off = n->data;
	return (t->src.fd);
}
