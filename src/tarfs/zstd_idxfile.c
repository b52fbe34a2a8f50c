/*
 * Saved frame indexes ("<archive>.zidx" or the cache dir), so that a
 * remount does not walk or decompress anything.  Little-endian:
 *
 *	0   "STASZIDX"        8   version (1)       12  largest window
 *	16  archive dev       24  ino               32  size
 *	40  mtime seconds     48  mtime nanoseconds
 *	56  frame count       64  uncompressed size
 *	72  frames: offset, compressed size, uncompressed size (8 each)
 *	    SHA-256 of everything before it
 *
 * The archive's dev/ino/size/mtime are checked, so an index never
 * describes a file other than the one it was made from; the file is
 * untrusted all the same (size, checksum and every frame bounded).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/err.h"
#include "base/file.h"
#include "base/path.h"
#include "tarfs/zstd.h"
#include "tarfs/zstd_int.h"

#define ZIDX_MAGIC	"STASZIDX"
#define ZIDX_VERSION	1
#define ZIDX_HDR	72
#define ZIDX_ENT	24
#define ZIDX_SUM	SHA256_LEN
#define ZIDX_MAX_LEN	(ZIDX_HDR + (size_t)ZIDX_MAX_FRAMES * ZIDX_ENT + \
			    ZIDX_SUM)

void
zidx_encode(const struct zindex *idx, const struct zkey *k, struct buf *out)
{
	uint8_t h[ZIDX_HDR], e[ZIDX_ENT], sum[SHA256_LEN];
	size_t i, start = out->len;

	memcpy(h, ZIDX_MAGIC, 8);
	zput32(h + 8, ZIDX_VERSION);
	zput32(h + 12, idx->window_max);
	zput64(h + 16, k->dev);
	zput64(h + 24, k->ino);
	zput64(h + 32, k->size);
	zput64(h + 40, k->mtime_sec);
	zput64(h + 48, k->mtime_nsec);
	zput64(h + 56, idx->n);
	zput64(h + 64, idx->dsize);
	buf_add(out, h, sizeof(h));
	for (i = 0; i < idx->n; i++) {
		zput64(e, idx->f[i].coff);
		zput64(e + 8, idx->f[i].csize);
		zput64(e + 16, idx->f[i].dsize);
		buf_add(out, e, sizeof(e));
	}
	sha256(out->data + start, out->len - start, sum);
	buf_add(out, sum, ZIDX_SUM);
}

int
zidx_decode(const void *data, size_t len, const struct zkey *k,
    struct zindex *idx)
{
	const uint8_t *p = data, *e;
	uint8_t sum[SHA256_LEN];
	uint64_t n, fsize, end = 0, coff, csize, dsize;
	size_t i;

	memset(idx, 0, sizeof(*idx));
	if (len < ZIDX_HDR + ZIDX_SUM || memcmp(p, ZIDX_MAGIC, 8) != 0)
		return (error_set("not a stasis zstd index"));
	if (zle32(p + 8) != ZIDX_VERSION)
		return (error_set("index version %u (this stasis reads %u)",
		    zle32(p + 8), ZIDX_VERSION));
	n = zle64(p + 56);
	if (n > ZIDX_MAX_FRAMES || len != ZIDX_HDR + n * ZIDX_ENT + ZIDX_SUM)
		return (error_set("index is truncated or too large"));
	sha256(p, len - ZIDX_SUM, sum);
	if (memcmp(sum, p + len - ZIDX_SUM, ZIDX_SUM) != 0)
		return (error_set("index checksum mismatch"));
	fsize = zle64(p + 32);
	if (k != NULL && (zle64(p + 16) != k->dev || zle64(p + 24) != k->ino ||
	    fsize != k->size || zle64(p + 40) != k->mtime_sec ||
	    zle64(p + 48) != k->mtime_nsec))
		return (error_set("index is stale: the archive has changed "
		    "since it was written"));
	for (i = 0, e = p + ZIDX_HDR; i < n; i++, e += ZIDX_ENT) {
		coff = zle64(e);
		csize = zle64(e + 8);
		dsize = zle64(e + 16);
		if (coff < end || csize == 0 || csize > fsize ||
		    coff > fsize - csize || dsize == 0) {
			zindex_free(idx);
			return (error_set("index entry %zu is corrupt", i));
		}
		if (zindex_add(idx, coff, csize, dsize) == -1) {
			zindex_free(idx);
			return (error_wrap("index entry %zu", i));
		}
		end = coff + csize;
	}
	if (idx->dsize != zle64(p + 64)) {
		zindex_free(idx);
		return (error_set("index sizes do not add up"));
	}
	idx->window_max = zle32(p + 12);
	idx->origin = ZIDX_LOADED;
	return (0);
}

int
zidx_load(const char *path, const struct zkey *k, struct zindex *idx)
{
	struct buf b = BUF_INIT;
	int r;

	if (file_read(path, ZIDX_MAX_LEN, &b) == -1)
		return (-1);
	r = zidx_decode(b.data, b.len, k, idx);
	buf_free(&b);
	if (r == -1)
		return (error_wrap("%s", path));
	return (0);
}

int
zidx_save(const char *path, const struct zindex *idx, const struct zkey *k)
{
	struct buf b = BUF_INIT;
	int r;

	zidx_encode(idx, k, &b);
	r = file_write_atomic(path, b.data, b.len, 0644);
	buf_free(&b);
	return (r);
}

static char *
cache_dir(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return (xasprintf("%s/stasis/tarfs", x));
	if (geteuid() == 0)
		return (xstrdup("/var/cache/stasis/tarfs"));
	if (home != NULL && home[0] == '/')
		return (xasprintf("%s/.cache/stasis/tarfs", home));
	return (NULL);
}

char *
zidx_cache_path(const struct zkey *k)
{
	char *d, *p;

	if ((d = cache_dir()) == NULL)
		return (NULL);
	p = xasprintf("%s/%llx-%llx-%llx-%llx.%09llu.zidx", d,
	    (unsigned long long)k->dev, (unsigned long long)k->ino,
	    (unsigned long long)k->size, (unsigned long long)k->mtime_sec,
	    (unsigned long long)k->mtime_nsec);
	free(d);
	return (p);
}

char *
zidx_beside_path(const char *archive)
{
	return (xasprintf("%s.zidx", archive));
}

static int
save_cache(const struct zindex *idx, const struct zkey *k, char **where)
{
	char *p, *d;
	int r;

	if ((p = zidx_cache_path(k)) == NULL)
		return (error_set("no cache directory (set XDG_CACHE_HOME)"));
	d = xstrdup(p);
	*strrchr(d, '/') = '\0';
	r = path_mkdirs(d, 0755);
	free(d);
	if (r == 0)
		r = zidx_save(p, idx, k);
	if (r == -1) {
		free(p);
		return (-1);
	}
	*where = p;
	return (0);
}

/*
 * Write idx (of the archive open on fd; from: the saved index it was
 * loaded from, or NULL) where --index puts it, saying what it did.
 */
static int
write_index(const char *archive, int fd, const struct zindex *idx,
    const char *from, const char *index_path, int quiet)
{
	struct zkey key;
	char *to, sz[16];
	int rc = -1, e;

	if (zkey_of(fd, &key) == -1)
		return (-1);
	str_fmtsize(sz, sizeof(sz), idx->dsize);
	if (idx->origin == ZIDX_SEEKTABLE) {
		if (!quiet)
			printf("%s: has a seek table (%zu frames, %s): no "
			    "zstd index needed\n", archive, idx->n, sz);
		return (0);
	}
	to = index_path ? xstrdup(index_path) : zidx_beside_path(archive);
	if (from != NULL && strcmp(from, to) == 0) {
		if (!quiet)
			printf("%s: index %s is up to date (%zu frames, "
			    "%s)\n", archive, to, idx->n, sz);
		rc = 0;
	} else if (zidx_save(to, idx, &key) == 0) {
		if (!quiet)
			printf("wrote index %s (%zu frames, %s)\n", to, idx->n,
			    sz);
		rc = 0;
	} else if (index_path == NULL && ((e = errno) == EACCES ||
	    e == EROFS || e == EPERM)) {
		free(to);
		to = NULL;
		if (save_cache(idx, &key, &to) == 0) {
			printf("wrote index %s (%zu frames, %s)\n", to, idx->n,
			    sz);
			rc = 0;
		}
	}
	free(to);
	if (rc == 0 && idx->n == 1 && idx->dsize > (8U << 20))
		printf("%s: one zstd frame: random reads start at the entry "
		    "points a scan of it leaves at each mount; `stasis tarfs "
		    "--compress` makes it seekable\n", archive);
	return (rc);
}

int
zstd_write_index(const char *archive, const char *index_path,
    const struct zsrc_limits *lim, int quiet)
{
	struct zindex idx;
	char *from = NULL;
	int fd, rc;

	if ((fd = open(archive, O_RDONLY | O_CLOEXEC)) == -1)
		return (error_sys("%s", archive));
	if (zindex_get(fd, archive, index_path, &idx, &from, 1, lim, 0) ==
	    -1) {
		close(fd);
		return (-1);
	}
	rc = write_index(archive, fd, &idx, from, index_path, quiet);
	close(fd);
	free(from);
	zindex_free(&idx);
	return (rc);
}

/*
 * The same from an open archive whose reads have made its index exact:
 * --index on a tar.zst whose frame states no size saves what the header
 * walk learned instead of decoding the frame once more to count it.
 */
int
zsrc_write_index(struct zsrc *z, const char *index_path, int quiet)
{
	const struct zindex *idx;
	const char *name, *from;
	int fd;

	if (!zsrc_exact(z))
		return (error_set("the archive's size is not known yet"));
	idx = zsrc_index(z, &fd, &name, &from);
	return (write_index(name, fd, idx, from, index_path, quiet));
}
