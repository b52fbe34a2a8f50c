/*
 * The index: inodes, directory entries, names, and lookups over them.
 * Built once by tar_parse.c, then only read (by many FUSE threads at
 * once, without locks).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/buf.h"
#include "base/err.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/node.h"

#define TF_LIMIT	0xfffffff0u	/* inodes, dirents, pool bytes */

static uint32_t
name_hash(uint32_t parent, const char *name, size_t len)
{
	uint32_t h = 2166136261u ^ parent;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 16777619u;
	}
	h ^= h >> 15;
	return (h);
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
rehash(struct tarfs *t)
{
	size_t i, nb = t->nbuckets < 1024 ? 1024 : t->nbuckets * 2;
	uint32_t *b = xcalloc(nb, sizeof(*b));

	for (i = 0; i < t->ndirents; i++) {
		struct tf_dirent *d = &t->dirents[i];
		size_t k = d->hash & (nb - 1);

		d->hnext = b[k];
		b[k] = (uint32_t)i + 1;
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

/* After a load: the hashes and the buckets, from the entries alone. */
void
tf_rehash_all(struct tarfs *t)
{
	size_t i;

	for (i = 0; i < t->ndirents; i++) {
		struct tf_dirent *d = &t->dirents[i];

		d->hash = name_hash(d->parent, t->pool + d->name, d->namelen);
	}
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = 0;
	while (t->nbuckets < t->ndirents)
		rehash(t);
}

int64_t
tf_find(const struct tarfs *t, uint32_t parent, const char *name,
    size_t len)
{
	uint32_t h, i;

	if (t->nbuckets == 0)
		return (-1);
	h = name_hash(parent, name, len);
	for (i = t->buckets[h & (t->nbuckets - 1)]; i != 0;
	    i = t->dirents[i - 1].hnext) {
		const struct tf_dirent *d = &t->dirents[i - 1];

		if (d->hash == h && d->parent == parent &&
		    d->namelen == len &&
		    memcmp(t->pool + d->name, name, len) == 0)
			return ((int64_t)i - 1);
	}
	return (-1);
}

int64_t
tf_dirent_add(struct tarfs *t, uint32_t parent, const char *name,
    size_t len, uint32_t ino)
{
	struct tf_dirent *d;
	uint32_t off;
	size_t k;

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
	d->hash = name_hash(parent, name, len);
	t->ndirents++;
	if (t->ndirents > t->nbuckets)
		rehash(t);
	else {
		k = d->hash & (t->nbuckets - 1);
		d->hnext = t->buckets[k];
		t->buckets[k] = (uint32_t)t->ndirents;
	}
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
	size_t i, *pos;

	for (i = 0; i < t->ninodes; i++) {
		t->inodes[i].nkids = 0;
		if (S_ISDIR(t->inodes[i].mode))
			t->inodes[i].nlink = 2;
	}
	for (i = 0; i < t->ndirents; i++) {
		const struct tf_dirent *d = &t->dirents[i];

		t->inodes[d->parent].nkids++;
		if (S_ISDIR(t->inodes[d->ino].mode)) {
			t->inodes[d->parent].nlink++;
			t->inodes[d->ino].parent = d->parent;
		}
	}
	pos = xcalloc(t->ninodes + 1, sizeof(*pos));
	for (i = 0; i < t->ninodes; i++) {
		t->inodes[i].first = (uint32_t)pos[i];
		pos[i + 1] = pos[i] + t->inodes[i].nkids;
	}
	free(t->kids);
	t->kids = xcalloc(t->ndirents + 1, sizeof(*t->kids));
	for (i = 0; i < t->ninodes; i++)
		pos[i] = t->inodes[i].first;
	for (i = 0; i < t->ndirents; i++)
		t->kids[pos[t->dirents[i].parent]++] = (uint32_t)i;
	free(pos);
}

void
tf_index_free(struct tarfs *t)
{
	free(t->inodes);
	free(t->dirents);
	free(t->buckets);
	free(t->kids);
	free(t->pool);
	free(t->chunks);
	t->inodes = NULL;
	t->dirents = NULL;
	t->buckets = NULL;
	t->kids = NULL;
	t->pool = NULL;
	t->chunks = NULL;
	t->ninodes = t->capinodes = t->ndirents = t->capdirents = 0;
	t->nbuckets = t->poollen = t->poolcap = 0;
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
	    t->nbuckets * sizeof(*t->buckets) +
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
