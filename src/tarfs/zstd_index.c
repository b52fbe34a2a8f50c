/*
 * Building the frame index of a zstd file that has no seek table.
 *
 * Every frame's compressed length comes from walking its block headers
 * (3 bytes each, 128 KiB of output at most per block), so that costs a
 * few small reads per MiB and no decompression.  Its uncompressed length
 * is the frame header's content size, which `zstd FILE` always writes;
 * only a frame that does not state it (zstd reading a pipe, as
 * `tar --zstd` runs it) is decompressed once to count its bytes, and
 * `stasis tarfs --index` saves the result so that is never done again.
 * A mount, which decodes the frame anyway to read the tar headers, can
 * have the last such frame left open instead, sized by what its blocks
 * can hold until that decoding finds its end (zstd.h, zsrc_open_lazy).
 *
 * A frame cannot be entered in the middle: its blocks use the window and
 * the entropy tables of the blocks before them, and libzstd offers no way
 * to save and restore that state.  So a single-frame archive is read
 * from the start of the frame (zstd_src.c keeps a few decoders parked
 * where the last reads ended); `stasis tarfs --compress` rewrites it into
 * independent frames.  See docs/tarfs-zstd.md.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/progress.h"
#include "tarfs/zstd_int.h"

uint64_t
zlimit_bytes(const struct zsrc_limits *lim, uint64_t fsize)
{
	static const struct zsrc_limits def = { ZSRC_MAX_RATIO, 0 };
	uint64_t r = UINT64_MAX;

	if (lim == NULL)
		lim = &def;
	if (lim->max_ratio != 0) {
		if (fsize != 0 && lim->max_ratio > UINT64_MAX / fsize)
			r = UINT64_MAX;
		else
			r = lim->max_ratio * fsize;
		if (r < ZSRC_RATIO_FLOOR)
			r = ZSRC_RATIO_FLOOR;
	}
	if (lim->max_size != 0 && lim->max_size < r)
		r = lim->max_size;
	return (r);
}

/* The message for a frame that takes the archive past its limit. */
static int
bomb(uint64_t off, const struct zsrc_limits *lim, uint64_t fsize)
{
	static const struct zsrc_limits def = { ZSRC_MAX_RATIO, 0 };
	char a[16], b[16];
	uint64_t limit = zlimit_bytes(lim, fsize);

	if (lim == NULL)
		lim = &def;
	str_fmtsize(a, sizeof(a), limit);
	str_fmtsize(b, sizeof(b), fsize);
	if (lim->max_size != 0 && limit == lim->max_size)
		return (error_set("frame at offset %llu: uncompressed size "
		    "exceeds max_size=%s; refused as a decompression bomb "
		    "(-o max_size= raises the limit)",
		    (unsigned long long)off, a));
	return (error_set("frame at offset %llu: uncompressed size exceeds "
	    "%s (max_ratio=%llu times the %s archive, at least 1G); refused "
	    "as a decompression bomb (-o max_ratio= raises the limit, 0 "
	    "lifts it)", (unsigned long long)off, a,
	    (unsigned long long)lim->max_ratio, b));
}

int
zindex_check(const struct zindex *idx, const struct zsrc_limits *lim,
    uint64_t fsize)
{
	uint64_t limit = zlimit_bytes(lim, fsize);
	size_t lo = 0, hi = idx->n, mid;

	if (idx->dsize <= limit)
		return (0);
	/* The first frame that ends past the limit. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx->f[mid].doff + idx->f[mid].dsize > limit)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (bomb(lo < idx->n ? idx->f[lo].coff : 0, lim, fsize));
}

/* Decompress one frame only to learn how many bytes it holds. */
static int
count_frame(int fd, uint64_t off, uint64_t csize, uint64_t *dsize,
    struct progress *pr, uint64_t budget)
{
	ZSTD_DCtx *d;
	ZSTD_inBuffer in = { NULL, 0, 0 };
	ZSTD_outBuffer out;
	size_t insz = ZSTD_DStreamInSize(), outsz = ZSTD_DStreamOutSize();
	uint8_t *ib, *ob;
	uint64_t pos = off, end = off + csize, total = 0;
	size_t r = 1, n;
	int rc = -1;

	if ((d = ZSTD_createDCtx()) == NULL)
		return (error_set("out of memory"));
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
	    ZSTD_WINDOWLOG_LIMIT_DEFAULT);
	ib = xmalloc(insz);
	ob = xmalloc(outsz);
	while (pos < end && r != 0) {
		n = end - pos < insz ? end - pos : insz;
		if (zpread_all(fd, ib, n, pos) == -1)
			goto out;
		pos += n;
		in = (ZSTD_inBuffer){ ib, n, 0 };
		while (in.pos < in.size || r != 0) {
			out = (ZSTD_outBuffer){ ob, outsz, 0 };
			r = ZSTD_decompressStream(d, &out, &in);
			if (ZSTD_isError(r)) {
				error_set("frame at offset %llu: %s",
				    (unsigned long long)off,
				    ZSTD_getErrorName(r));
				goto out;
			}
			total += out.pos;
			if (total > budget) {
				*dsize = total;
				rc = 1;		/* the caller says why */
				goto out;
			}
			if (r == 0 || (in.pos == in.size &&
			    out.pos < out.size))
				break;
		}
		if (pr != NULL)
			progress_update(pr, pos);
	}
	if (r != 0) {
		error_set("frame at offset %llu is truncated",
		    (unsigned long long)off);
		goto out;
	}
	if (pos != end || in.pos != in.size) {
		error_set("frame at offset %llu ends before its blocks do",
		    (unsigned long long)off);
		goto out;
	}
	*dsize = total;
	rc = 0;
out:
	free(ib);
	free(ob);
	ZSTD_freeDCtx(d);
	return (rc);
}

/*
 * Block headers are read through this: one small pread per block found
 * the page cache cold at every block (a block is ~40 KiB of file at
 * zstd's default level, too far apart for the kernel to see a
 * sequential read), and the walk of a 180 MiB one-frame archive took
 * longer than decoding it.  Reading 1 MiB at a time streams the file.
 */
#define RD_BUF	(1U << 20)

struct zrd {
	int		 fd;
	uint64_t	 fsize;
	uint8_t		*buf;
	uint64_t	 off;		/* of buf[0] */
	size_t		 len;
};

static int
rd_get(struct zrd *rd, uint64_t pos, void *out, size_t n)
{
	uint64_t k;

	if (pos < rd->off || pos + n > rd->off + rd->len) {
		if (pos >= rd->fsize || n > rd->fsize - pos)
			return (error_set("read past the end at %llu",
			    (unsigned long long)pos));
		k = rd->fsize - pos < RD_BUF ? rd->fsize - pos : RD_BUF;
		if (rd->buf == NULL)
			rd->buf = xmalloc(RD_BUF);
		if (zpread_all(rd->fd, rd->buf, (size_t)k, pos) == -1) {
			rd->len = 0;
			return (-1);
		}
		rd->off = pos;
		rd->len = (size_t)k;
	}
	memcpy(out, rd->buf + (pos - rd->off), n);
	return (0);
}

/*
 * One frame at off: its compressed length (*csize), the uncompressed
 * length when known without decompressing (*dsize, or UINT64_MAX), and
 * the most its blocks can hold (*bound: raw and RLE blocks their size,
 * a compressed one its frame's block maximum, 128 KiB at most).
 */
static int
walk_frame(struct zrd *rd, uint64_t fsize, uint64_t off, uint64_t *csize,
    uint64_t *dsize, uint64_t *bound, uint32_t *window, uint64_t budget)
{
	ZSTD_frameHeader zh;
	uint8_t h[ZSTD_FRAMEHEADERSIZE_MAX];
	uint64_t pos, sum = 0, nblocks = 0, most = 0;
	uint32_t bh, bsize;
	size_t n, r;
	int raw = 1, type;

	n = fsize - off < sizeof(h) ? fsize - off : sizeof(h);
	if (rd_get(rd, off, h, n) == -1)
		return (-1);
	if (n < 8)
		return (error_set("trailing garbage at offset %llu",
		    (unsigned long long)off));
	if ((zle32(h) & ZSTD_SKIP_MASK) == ZSTD_SKIP_MAGIC) {
		*csize = 8 + (uint64_t)zle32(h + 4);
		if (*csize > fsize - off)
			return (error_set("skippable frame at offset %llu is "
			    "truncated", (unsigned long long)off));
		*dsize = *bound = 0;
		return (0);
	}
	if (zle32(h) != ZSTD_FRAME_MAGIC)
		return (error_set("not a zstd frame at offset %llu",
		    (unsigned long long)off));
	r = ZSTD_getFrameHeader(&zh, h, n);
	if (ZSTD_isError(r) || r != 0)
		return (error_set("bad frame header at offset %llu: %s",
		    (unsigned long long)off, ZSTD_isError(r) ?
		    ZSTD_getErrorName(r) : "truncated"));
	if (zh.windowSize > *window)
		*window = zh.windowSize > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)zh.windowSize;
	/*
	 * A stated size past the budget is refused before its blocks are
	 * walked (a bomb's blocks are millions of 4-byte RLE blocks).
	 */
	if (zh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN &&
	    zh.frameContentSize > budget)
		return (1);
	pos = off + zh.headerSize;
	for (;;) {
		uint8_t b[3];

		if (fsize - pos < 3 || rd_get(rd, pos, b, 3) == -1)
			return (error_set("frame at offset %llu is truncated "
			    "(block header at %llu)", (unsigned long long)off,
			    (unsigned long long)pos));
		bh = b[0] | b[1] << 8 | b[2] << 16;
		type = (bh >> 1) & 3;
		bsize = bh >> 3;
		if (type == 3 || bsize > ZSTD_BLOCKSIZE_MAX)
			return (error_set("corrupt block header at offset "
			    "%llu", (unsigned long long)pos));
		pos += 3;
		if (type == 1) {	/* RLE: one byte, repeated */
			pos += 1;
			sum += bsize;
			most += bsize;
		} else {
			pos += bsize;
			if (type == 0) {
				sum += bsize;
				most += bsize;
			} else {
				raw = 0;
				most += zh.blockSizeMax < ZSTD_BLOCKSIZE_MAX ?
				    zh.blockSizeMax : ZSTD_BLOCKSIZE_MAX;
			}
		}
		if (pos > fsize)
			return (error_set("frame at offset %llu is truncated",
			    (unsigned long long)off));
		nblocks++;
		if (raw && sum > budget)
			return (1);
		if (bh & 1)
			break;
	}
	if (zh.checksumFlag)
		pos += 4;
	if (pos > fsize)
		return (error_set("frame at offset %llu is truncated",
		    (unsigned long long)off));
	*csize = pos - off;
	*bound = most;
	if (zh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN) {
		/* No block produces more than 128 KiB: a claim past that
		   is a lie, found without decompressing anything. */
		if (zh.frameContentSize / ZSTD_BLOCKSIZE_MAX > nblocks)
			return (error_set("frame at offset %llu: content size "
			    "%llu, more than its %llu blocks can hold",
			    (unsigned long long)off,
			    (unsigned long long)zh.frameContentSize,
			    (unsigned long long)nblocks));
		*dsize = zh.frameContentSize;
		if (raw && sum != *dsize)
			return (error_set("frame at offset %llu: content size "
			    "%llu, blocks hold %llu", (unsigned long long)off,
			    (unsigned long long)*dsize,
			    (unsigned long long)sum));
	} else
		*dsize = raw ? sum : UINT64_MAX;
	return (0);
}

/*
 * The open frame (zstd_int.h) is followed by another data frame after
 * all: counted now, as any frame without a size.  Its blocks' bound is
 * the budget: a frame that produces more is corrupt.
 */
static int
count_open(int fd, struct zindex *idx, struct progress *pr)
{
	struct zframe *f = &idx->f[idx->n - 1];
	uint64_t dsize;
	int r;

	if ((r = count_frame(fd, f->coff, f->csize, &dsize, pr,
	    f->dsize)) == -1)
		return (-1);
	if (r == 1)
		return (error_set("frame at offset %llu holds more than its "
		    "blocks can", (unsigned long long)f->coff));
	idx->dsize -= f->dsize - dsize;
	f->dsize = dsize;
	if (dsize == 0)
		idx->n--;
	idx->open = 0;
	idx->origin = ZIDX_DECOMPRESSED;
	idx->decompressed += dsize;
	return (0);
}

int
zindex_walk(int fd, uint64_t fsize, const char *name, struct zindex *idx,
    int verbose, const struct zsrc_limits *lim, int lazy)
{
	struct progress *pr = NULL;
	struct zrd rd = { fd, fsize, NULL, 0, 0 };
	uint64_t off = 0, csize = 0, dsize = 0, bound = 0;
	uint64_t limit = zlimit_bytes(lim, fsize);
	int r;

	memset(idx, 0, sizeof(*idx));
	idx->origin = ZIDX_WALKED;
	while (off < fsize) {
		if ((r = walk_frame(&rd, fsize, off, &csize, &dsize, &bound,
		    &idx->window_max, limit - idx->dsize)) == -1)
			goto fail;
		if (idx->open && (r == 1 || dsize != 0)) {
			/* Not the last one: counted, and this one walked
			   again with what the count leaves of the budget. */
			if (pr == NULL && verbose)
				pr = progress_new("indexed", name, fsize, 2);
			if (count_open(fd, idx, pr) == -1)
				goto fail;
			continue;
		}
		if (r == 1 || (dsize != UINT64_MAX &&
		    dsize > limit - idx->dsize)) {
			bomb(off, lim, fsize);
			goto fail;
		}
		if (dsize == UINT64_MAX && lazy && bound > ZIDX_OPEN_MIN &&
		    bound <= limit - idx->dsize) {
			/*
			 * Left open: its blocks' bound stands for its size
			 * until the reader has decoded it (zsrc_finish).
			 * The bound is within the limit, so the frame is.
			 */
			dsize = bound;
			idx->open = 1;
		} else if (dsize == UINT64_MAX) {
			if (pr == NULL && verbose)
				pr = progress_new("indexed", name, fsize, 2);
			if ((r = count_frame(fd, off, csize, &dsize, pr,
			    limit - idx->dsize)) == -1)
				goto fail;
			if (r == 1) {
				bomb(off, lim, fsize);
				goto fail;
			}
			idx->origin = ZIDX_DECOMPRESSED;
			idx->decompressed += dsize;
		}
		if (zindex_add(idx, off, csize, dsize) == -1) {
			error_wrap("frame at offset %llu",
			    (unsigned long long)off);
			goto fail;
		}
		off += csize;
		if (pr != NULL)
			progress_update(pr, off);
	}
	if (pr != NULL)
		progress_done(pr, 1);
	free(rd.buf);
	return (0);
fail:
	if (pr != NULL)
		progress_abort(pr);
	free(rd.buf);
	zindex_free(idx);
	return (error_wrap("%s", name));
}

static int
try_load(const char *path, const struct zkey *key, struct zindex *idx,
    char **from)
{
	if (access(path, F_OK) == -1)
		return (0);
	if (zidx_load(path, key, idx) == -1) {
		log_warn("ignoring index %s: %s", path, error_msg());
		return (0);
	}
	*from = xstrdup(path);
	return (1);
}

static int
get(int fd, const char *name, const char *index_path, struct zindex *idx,
    char **from, int verbose, const struct zkey *key,
    const struct zsrc_limits *lim, int lazy)
{
	char *p;
	int r;

	if ((r = zseek_read(fd, key->size, name, idx)) != 0)
		return (r == 1 ? 0 : -1);
	if (index_path != NULL) {
		if (try_load(index_path, key, idx, from))
			return (0);
	} else {
		p = zidx_beside_path(name);
		r = try_load(p, key, idx, from);
		free(p);
		if (r)
			return (0);
		if ((p = zidx_cache_path(key)) != NULL) {
			r = try_load(p, key, idx, from);
			free(p);
			if (r)
				return (0);
		}
	}
	return (zindex_walk(fd, key->size, name, idx, verbose, lim, lazy));
}

int
zindex_get(int fd, const char *name, const char *index_path,
    struct zindex *idx, char **from, int verbose,
    const struct zsrc_limits *lim, int lazy)
{
	struct zkey key;

	*from = NULL;
	if (zkey_of(fd, &key) == -1)
		return (error_wrap("%s", name));
	if (get(fd, name, index_path, idx, from, verbose, &key, lim,
	    lazy) == -1)
		return (-1);
	/* A seek table or a saved index claims sizes too. */
	if (zindex_check(idx, lim, key.size) == -1) {
		zindex_free(idx);
		free(*from);
		*from = NULL;
		return (error_wrap("%s", name));
	}
	return (0);
}
