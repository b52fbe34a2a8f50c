/*
 * The index saved to a file ("ARCHIVE.tfidx", `stasis tarfs --index`),
 * so that a remount reads a few megabytes instead of every header.
 *
 * The file holds the inodes, the directory entries (name, parent,
 * inode), the names and the sparse chunks, as this machine lays them
 * out; the hash and the per-directory lists are rebuilt on load, which
 * is cheap and means nothing in the file can make a lookup loop.  It
 * names the archive's size and mtime, and is ignored when they differ.
 * The same bytes embedded in the archive (embed.c) name only where the
 * tar ends, and file data must lie before that.
 * Everything in it is checked before use as if hostile: an index file
 * is as untrusted as the archive.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/node.h"

#define MAGIC		"STASTFI1"
#define ENDIAN		0x01020304u

struct idxhdr {
	char		magic[8];
	uint32_t	endian;
	uint32_t	hdrsize;
	uint32_t	inodesize, direntsize;
	uint64_t	srcsize;	/* uncompressed archive bytes */
	uint64_t	fsize;		/* the archive file */
	int64_t		mtime;
	uint64_t	mtime_ns;
	uint64_t	ninodes, ndirents, poollen, nchunks;
};

/* On disk a dirent is just these, as in memory: the table is rebuilt. */
struct idxdirent {
	uint32_t	name, namelen, parent, ino;
};
_Static_assert(sizeof(struct idxdirent) == sizeof(struct tf_dirent),
    "a loaded index is read straight into the entries");

void
tf_index_encode(const struct tarfs *t, struct buf *b, uint64_t tarend)
{
	struct idxhdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, 8);
	h.endian = ENDIAN;
	h.hdrsize = sizeof(h);
	h.inodesize = sizeof(struct tf_inode);
	h.direntsize = sizeof(struct idxdirent);
	if (tarend != 0) {
		/* Embedded: it describes the tar up to its end, whatever
		   file holds it, so nothing about that file is named. */
		h.srcsize = tarend;
	} else {
		h.srcsize = t->src.size;
		h.fsize = t->src.fsize;
		h.mtime = t->src.mtime;
		h.mtime_ns = t->src.mtime_ns;
	}
	h.ninodes = t->ninodes;
	h.ndirents = t->ndirents;
	h.poollen = t->poollen;
	h.nchunks = t->nchunks;
	buf_add(b, &h, sizeof(h));
	buf_add(b, t->inodes, t->ninodes * sizeof(*t->inodes));
	buf_add(b, t->dirents, t->ndirents * sizeof(*t->dirents));
	buf_add(b, t->pool, t->poollen);
	buf_add(b, t->chunks, t->nchunks * sizeof(*t->chunks));
}

int
tf_index_save(const struct tarfs *t, const char *path)
{
	struct buf b = BUF_INIT;
	int r;

	tf_index_encode(t, &b, 0);
	r = file_write_atomic(path, b.data, b.len, 0644);
	buf_free(&b);
	return (r);
}

static int
bad(const char *what, size_t i)
{
	return (error_set("corrupt index: %s %zu", what, i));
}

/*
 * Every field that a lookup or a read will trust; file bytes must lie
 * below lim (the archive's size, or the tar's end for an embedded one).
 */
static int
check(struct tarfs *t, uint64_t lim)
{
	uint8_t *seen = NULL;
	size_t i, k;
	int r = -1;

	if (t->ninodes == 0 || !S_ISDIR(t->inodes[0].mode))
		return (bad("root", 0));
	if (t->poollen > 0 && t->pool[t->poollen - 1] != '\0')
		return (bad("name pool", 0));
	if (t->poollen == 0 && t->ndirents > 0)
		return (bad("name pool", 0));
	for (i = 0; i < t->ndirents; i++) {
		const struct tf_dirent *d = &t->dirents[i];

		if (d->parent >= t->ninodes || d->ino >= t->ninodes ||
		    d->ino == 0 || d->name >= t->poollen ||
		    d->namelen >= t->poollen - d->name ||
		    t->pool[d->name + d->namelen] != '\0' ||
		    memchr(t->pool + d->name, '\0', d->namelen) != NULL ||
		    memchr(t->pool + d->name, '/', d->namelen) != NULL ||
		    d->namelen == 0 ||
		    !S_ISDIR(t->inodes[d->parent].mode))
			return (bad("entry", i));
	}
	for (i = 0; i < t->ninodes; i++) {
		struct tf_inode *n = &t->inodes[i];

		n->first = n->nkids = n->parent = 0;
		switch (n->mode & S_IFMT) {
		case S_IFDIR:
		case S_IFCHR:
		case S_IFBLK:
		case S_IFIFO:
			break;
		case S_IFLNK:
			if (n->data >= t->poollen ||
			    n->size != strlen(t->pool + n->data))
				return (bad("symlink", i));
			break;
		case S_IFREG:
			if (n->flags & ~TF_SPARSE)
				return (bad("inode flags", i));
			if (!(n->flags & TF_SPARSE)) {
				if (n->data > lim || n->size > lim - n->data)
					return (bad("file extent", i));
				break;
			}
			if (n->data > t->nchunks ||
			    n->nchunks > t->nchunks - n->data)
				return (bad("sparse map", i));
			{
				uint64_t end = 0;

				for (k = n->data; k < n->data + n->nchunks;
				    k++) {
					const struct tf_chunk *c =
					    &t->chunks[k];

					if (c->len == 0 || c->off < end ||
					    c->len > n->size ||
					    c->off > n->size - c->len ||
					    c->data > lim ||
					    c->len > lim - c->data)
						return (bad("sparse chunk", k));
					end = c->off + c->len;
				}
			}
			break;
		default:
			return (bad("inode type", i));
		}
		if (!S_ISREG(n->mode) && (n->flags != 0))
			return (bad("inode flags", i));
	}
	/*
	 * Directories form a tree: each has one name (the root none), and
	 * following parents from any of them reaches the root.
	 */
	seen = xcalloc(t->ninodes, 1);
	for (i = 0; i < t->ndirents; i++) {
		uint32_t ino = t->dirents[i].ino;

		if (!S_ISDIR(t->inodes[ino].mode))
			continue;
		if (seen[ino]++)
			goto out_bad;
		t->inodes[ino].parent = t->dirents[i].parent;
	}
	memset(seen, 0, t->ninodes);
	seen[0] = 2;			/* 2: reaches the root */
	for (i = 1; i < t->ninodes; i++) {
		uint32_t p = (uint32_t)i;
		size_t depth = 0;

		if (!S_ISDIR(t->inodes[i].mode))
			continue;
		/* 1: on the path being followed now */
		while (seen[p] == 0 && depth++ <= t->ninodes) {
			seen[p] = 1;
			p = t->inodes[p].parent;
		}
		if (seen[p] != 2)
			goto out_bad;
		for (p = (uint32_t)i; seen[p] == 1; p = t->inodes[p].parent)
			seen[p] = 2;
	}
	r = 0;
	goto out;
out_bad:
	bad("directory tree", i);
out:
	free(seen);
	return (r);
}

/* A whole index in memory. */
struct memrd {
	struct tf_idxread	 rd;
	const char		*buf;
};

static int
mem_read(struct tf_idxread *rd, void *dst, size_t len, uint64_t off)
{
	memcpy(dst, ((struct memrd *)rd)->buf + off, len);
	return (0);
}

int
tf_index_load(struct tarfs *t, const void *buf, size_t len)
{
	return (tf_index_load_x(t, buf, len, 0));
}

int
tf_index_load_x(struct tarfs *t, const void *buf, size_t len,
    uint64_t tarend)
{
	struct memrd m = { { mem_read, NULL }, buf };

	return (tf_index_load_rd(t, &m.rd, len, tarend));
}

/* A saved index file: read into place, without a copy of it whole. */
struct fdrd {
	struct tf_idxread	 rd;
	int			 fd;
};

static int
fd_read(struct tf_idxread *rd, void *dst, size_t len, uint64_t off)
{
	int fd = ((struct fdrd *)rd)->fd;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)dst + done, len - done,
		    (off_t)(off + done));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (error_sys("read"));
		if (n == 0)
			return (error_set("corrupt index: shorter than it "
			    "was (%llu bytes)", (unsigned long long)(off +
			    done)));
		done += (size_t)n;
	}
	return (0);
}

/* The caller names path in what it says of an error. */
int
tf_index_load_file(struct tarfs *t, const char *path, size_t max)
{
	struct fdrd f = { { fd_read, NULL }, -1 };
	struct stat st;
	int r;

	/* O_NONBLOCK: a FIFO is refused below, not waited on. */
	if ((f.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return (error_sys("open"));
	if (fstat(f.fd, &st) == -1)
		r = error_sys("fstat");
	else if (!S_ISREG(st.st_mode))
		r = error_set("not a regular file");
	else if ((uint64_t)st.st_size > max)
		r = error_set("larger than %zu bytes", max);
	else
		r = tf_index_load_rd(t, &f.rd, (size_t)st.st_size, 0);
	close(f.fd);
	return (r);
}

/* Read n bytes of the index at *off into a new array (size + 1). */
static void *
take(struct tf_idxread *rd, size_t n, uint64_t *off, int *r)
{
	void *p = tf_alloc(n + 1);

	if (*r == 0 && n > 0)
		*r = rd->read(rd, p, n, *off);
	*off += n;
	return (p);
}

/*
 * The header first: what it says must add up to len before anything
 * is allocated, so memory stays within the index's size; then each
 * array is read straight into place, the reader's done (a checksum)
 * consulted, and everything checked before use.
 */
int
tf_index_load_rd(struct tarfs *t, struct tf_idxread *rd, size_t len,
    uint64_t tarend)
{
	struct idxhdr h;
	uint64_t need, off = sizeof(h);
	int r = 0;

	if (len < sizeof(h))
		return (error_set("not a tarfs index (too short)"));
	if (rd->read(rd, &h, sizeof(h), 0) == -1)
		return (-1);
	if (memcmp(h.magic, MAGIC, 8) != 0 || h.endian != ENDIAN ||
	    h.hdrsize != sizeof(h) || h.inodesize != sizeof(struct tf_inode) ||
	    h.direntsize != sizeof(struct idxdirent))
		return (error_set("not a tarfs index of this version"));
	if (tarend != 0) {
		/* Embedded: never the file's mtime, which copies change. */
		if (h.srcsize != tarend || tarend > t->src.size ||
		    h.fsize != 0 || h.mtime != 0 || h.mtime_ns != 0)
			return (error_set("index is not of this tar"));
	} else if (h.srcsize != t->src.size || h.fsize != t->src.fsize ||
	    h.mtime != t->src.mtime || h.mtime_ns != t->src.mtime_ns)
		return (error_set("index is stale (the archive changed)"));
	if (h.ninodes >= 0xfffffff0u || h.ndirents >= 0xfffffff0u ||
	    h.poollen >= 0xfffffff0u || h.nchunks >= 0xfffffff0u)
		return (error_set("corrupt index: counts"));
	need = sizeof(h) + h.ninodes * sizeof(struct tf_inode) +
	    h.ndirents * sizeof(struct idxdirent) + h.poollen +
	    h.nchunks * sizeof(struct tf_chunk);
	if (need != len)
		return (error_set("corrupt index: %zu bytes, expected %llu",
		    len, (unsigned long long)need));
	t->ninodes = t->capinodes = h.ninodes;
	t->inodes = take(rd, h.ninodes * sizeof(*t->inodes), &off, &r);
	t->ndirents = t->capdirents = h.ndirents;
	t->dirents = take(rd, h.ndirents * sizeof(*t->dirents), &off, &r);
	t->poollen = t->poolcap = h.poollen;
	t->pool = take(rd, h.poollen, &off, &r);
	t->nchunks = t->capchunks = h.nchunks;
	t->chunks = take(rd, h.nchunks * sizeof(*t->chunks), &off, &r);
	if (r == 0 && rd->done != NULL)
		r = rd->done(rd);
	if (r == -1 || check(t, tarend != 0 ? tarend : t->src.size) == -1) {
		tf_index_free(t);
		return (-1);
	}
	tf_rehash_all(t);
	tf_finalize(t);
	return (0);
}
