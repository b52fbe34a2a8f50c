/*
 * The zstd seekable format's seek table (facebook/zstd contrib/
 * seekable_format): a skippable frame at the very end of the file,
 *
 *	magic 0x184D2A5E | frame size | entries | footer
 *	entry:  compressed size (4) | uncompressed size (4) | [checksum (4)]
 *	footer: number of frames (4) | descriptor (1) | magic 0x8F92EAB1
 *
 * all little-endian.  The table is untrusted: it must account for every
 * byte of the file before it, and it is bounded before it is read.  One
 * skippable frame may lie between the last data frame and the table
 * (where `stasis tarfs --compress` embeds the tarfs index): the entries
 * then sum to where it starts, and it must end where the table does.
 * Readers of the seekable format find frames from the table's sums and
 * never look at it; zstd -d skips it as any skippable frame.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "tarfs/zstd_int.h"

uint32_t
zle32(const uint8_t *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

uint64_t
zle64(const uint8_t *p)
{
	return ((uint64_t)zle32(p) | (uint64_t)zle32(p + 4) << 32);
}

void
zput32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

void
zput64(uint8_t *p, uint64_t v)
{
	zput32(p, (uint32_t)v);
	zput32(p + 4, (uint32_t)(v >> 32));
}

void
zindex_free(struct zindex *idx)
{
	free(idx->f);
	memset(idx, 0, sizeof(*idx));
}

int
zindex_add(struct zindex *idx, uint64_t coff, uint64_t csize,
    uint64_t dsize)
{
	struct zframe *f;

	if (dsize == 0)
		return (0);
	if (idx->n >= ZIDX_MAX_FRAMES)
		return (error_set("more than %u frames", ZIDX_MAX_FRAMES));
	if (idx->dsize + dsize < idx->dsize || idx->dsize + dsize >
	    (UINT64_C(1) << 62))
		return (error_set("uncompressed size too large"));
	if (idx->n == idx->cap) {
		idx->cap = idx->cap ? idx->cap * 2 : 64;
		idx->f = xrealloc(idx->f, idx->cap * sizeof(*idx->f));
	}
	f = &idx->f[idx->n++];
	f->coff = coff;
	f->csize = csize;
	f->doff = idx->dsize;
	f->dsize = dsize;
	idx->dsize += dsize;
	return (0);
}

int
zkey_of(int fd, struct zkey *k)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return (error_sys("fstat"));
	memset(k, 0, sizeof(*k));
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	k->size = st.st_size;
	k->mtime_sec = st.st_mtim.tv_sec;
	k->mtime_nsec = st.st_mtim.tv_nsec;
	return (0);
}

/* Bytes of the table frame, from the footer, or 0 if there is none. */
static int
footer(const uint8_t *ft, uint64_t fsize, uint32_t *nframes,
    size_t *esize, uint64_t *tsize)
{
	uint8_t desc;

	if (zle32(ft + 5) != ZSEEK_MAGIC)
		return (0);
	*nframes = zle32(ft);
	desc = ft[4];
	if (desc & 0x7c)
		return (error_set("seek table: reserved descriptor bits "
		    "set (0x%02x)", desc));
	*esize = (desc & 0x80) ? 12 : 8;
	if (*nframes > ZIDX_MAX_FRAMES)
		return (error_set("seek table: %u frames (at most %u)",
		    *nframes, ZIDX_MAX_FRAMES));
	*tsize = 8 + (uint64_t)*nframes * *esize + ZSEEK_FOOTER;
	if (*tsize > fsize)
		return (error_set("seek table: %u entries do not fit in a "
		    "%llu-byte file", *nframes, (unsigned long long)fsize));
	return (1);
}

int
zseek_parse(const uint8_t *tail, size_t tlen, uint64_t fsize,
    struct zindex *idx)
{
	const uint8_t *e;
	uint64_t tsize, coff, csize, dsize;
	uint32_t n, i;
	size_t esize;
	int r;

	memset(idx, 0, sizeof(*idx));
	if (tlen < ZSEEK_FOOTER || fsize < tlen)
		return (0);
	if ((r = footer(tail + tlen - ZSEEK_FOOTER, fsize, &n, &esize,
	    &tsize)) <= 0)
		return (r);
	if (tsize > tlen)
		return (error_set("seek table: truncated"));
	e = tail + tlen - tsize;
	if (zle32(e) != ZSEEK_SKIP_MAGIC ||
	    zle32(e + 4) != tsize - 8)
		return (error_set("seek table: bad skippable frame header at "
		    "offset %llu", (unsigned long long)(fsize - tsize)));
	e += 8;
	coff = 0;
	for (i = 0; i < n; i++, e += esize) {
		csize = zle32(e);
		dsize = zle32(e + 4);
		if (csize == 0 || dsize > ZSEEK_MAX_FRAME_DSIZE ||
		    coff + csize > fsize - tsize) {
			zindex_free(idx);
			return (error_set("seek table: entry %u (%llu bytes at "
			    "offset %llu) lies outside the file", i,
			    (unsigned long long)csize,
			    (unsigned long long)coff));
		}
		if (zindex_add(idx, coff, csize, dsize) == -1) {
			zindex_free(idx);
			return (error_wrap("seek table"));
		}
		coff += csize;
	}
	idx->dend = coff;
	idx->xlen = fsize - tsize - coff;
	/* The gap's header, when tail holds it; else zseek_read's job. */
	if (idx->xlen != 0 && (idx->xlen < 8 || (tlen >= fsize - coff &&
	    !zseek_gap_ok(tail + tlen - (fsize - coff), idx->xlen)))) {
		zindex_free(idx);
		return (error_set("seek table: frames cover %llu bytes, the "
		    "file has %llu before the table", (unsigned long long)coff,
		    (unsigned long long)(fsize - tsize)));
	}
	idx->origin = ZIDX_SEEKTABLE;
	return (1);
}

int
zseek_gap_ok(const uint8_t *h, uint64_t xlen)
{
	return ((zle32(h) & ZSTD_SKIP_MASK) == ZSTD_SKIP_MAGIC &&
	    (uint64_t)zle32(h + 4) + 8 == xlen);
}

int
zpread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, (char *)buf + got, len - got, off + got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (error_sys("read at offset %llu",
			    (unsigned long long)(off + got)));
		if (n == 0)
			return (error_set("unexpected end of file at offset "
			    "%llu", (unsigned long long)(off + got)));
		got += n;
	}
	return (0);
}

int
zseek_read(int fd, uint64_t fsize, const char *name, struct zindex *idx)
{
	uint8_t ft[ZSEEK_FOOTER], *tail;
	uint64_t tsize;
	uint32_t n;
	size_t esize;
	int r;

	memset(idx, 0, sizeof(*idx));
	if (fsize < ZSEEK_FOOTER + 8)
		return (0);
	if (zpread_all(fd, ft, sizeof(ft), fsize - sizeof(ft)) == -1)
		return (error_wrap("%s", name));
	if ((r = footer(ft, fsize, &n, &esize, &tsize)) <= 0)
		return (r == -1 ? error_wrap("%s", name) : 0);
	tail = xmalloc(tsize);
	if (zpread_all(fd, tail, tsize, fsize - tsize) == -1) {
		free(tail);
		return (error_wrap("%s", name));
	}
	r = zseek_parse(tail, tsize, fsize, idx);
	free(tail);
	if (r == 1 && idx->xlen != 0) {
		uint8_t h[8];

		if (zpread_all(fd, h, sizeof(h), idx->dend) == -1)
			r = -1;
		else if (!zseek_gap_ok(h, idx->xlen))
			r = error_set("seek table: frames cover %llu bytes, "
			    "then %llu bytes that are not one skippable frame",
			    (unsigned long long)idx->dend,
			    (unsigned long long)idx->xlen);
		if (r == -1)
			zindex_free(idx);
	}
	if (r == -1)
		return (error_wrap("%s", name));
	return (r);
}

void
zseek_table(struct buf *out, const uint32_t *csize, const uint32_t *dsize,
    const uint32_t *csum, size_t n)
{
	uint8_t e[12];
	size_t i, esize = csum ? 12 : 8;

	zput32(e, ZSEEK_SKIP_MAGIC);
	zput32(e + 4, (uint32_t)(n * esize + ZSEEK_FOOTER));
	buf_add(out, e, 8);
	for (i = 0; i < n; i++) {
		zput32(e, csize[i]);
		zput32(e + 4, dsize[i]);
		if (csum)
			zput32(e + 8, csum[i]);
		buf_add(out, e, esize);
	}
	zput32(e, (uint32_t)n);
	e[4] = csum ? 0x80 : 0;
	zput32(e + 5, ZSEEK_MAGIC);
	buf_add(out, e, ZSEEK_FOOTER);
}
