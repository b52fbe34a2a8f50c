/*
 * The index embedded in the archive it describes, so that the first
 * mount of an archive stasis built reads one index instead of every
 * header: `stasis tarfs --compress` and `stasis image tar` write it,
 * `stasis tarfs --index --embed` adds it to a tar in place.
 *
 *   plain tar: tar | end-of-archive marker, padding | index | trailer
 *   tar.zst:   data frames | skippable frame: trailer, index | seek table
 *
 * The index is idxfile.c's, naming only where the tar ends; the trailer
 * (64 bytes, little-endian) is
 *
 *	 0  magic "STASTFE1"
 *	 8  index length
 *	16  checksum of the index
 *	24  tar end: offset of the end-of-archive marker in the tar
 *	32  binding: checksum of the tar's first block and of the block
 *	    before its end (plain tar); the uncompressed size (tar.zst)
 *	40  offset of the index in the file (plain tar; 0 in a tar.zst)
 *	48  version (2; 1 is read too), trailer size (64), 4 bytes each
 *	56  checksum of bytes 0-55
 *
 * The checksums are tf_sum64, but the index's in a version 2 trailer is
 * taken in four lanes (tf_sum, version 2): one chain a word at a time
 * was a sixth of the load of a 5.5 MiB index.
 *
 * Tar readers stop at the end-of-archive marker and never see what
 * follows; zstd readers skip the skippable frame, and the seek table's
 * entries still sum to the data frames.  `tar -r` and `tar -u` write
 * from the marker on, so a trailer they leave behind names a tar end
 * that holds a header now, not zero blocks, and is ignored.  An index
 * is used only if: the trailer checks out, the index's bytes checksum,
 * the blocks from the tar end to the index (in a tar.zst the two at the
 * tar end: what follows may be a plain tar's index, compressed with it)
 * are zeros, the binding matches, and idxfile.c finds every inode, name
 * and extent within the tar.  Anything else: the headers
 * are read, as for any archive.  The file's mtime is never consulted.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/zstd.h"

/*
 * The compressor is most of libzstd: stasis-tarfs, which a cold mount
 * reads whole, is linked without it (see the Makefile) and runs
 * --compress from the full stasis (cmd_tarfs.c).
 */
#pragma weak zstd_compress_seekable_x

int
tarfs_can_compress(void)
{
	return (zstd_compress_seekable_x != NULL);
}

#define EMAGIC		"STASTFE1"
#define IMAGIC		"STASTFI1"	/* idxfile.c's */
#define TRAILER		64
#define VERSION		2	/* 1: the index summed in one chain */
#define BLK		512
#define MAX_INDEX	((uint64_t)4 << 30)
/* Zeros allowed between the marker and the index: record padding. */
#define ZERO_MAX	((uint64_t)1 << 20)

struct trailer {
	uint64_t	idxlen, idxsum, tarend, bind, idxoff;
	int		version;
};

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/*
 * A checksum against corruption and stale data, not an adversary (the
 * index is checked as hostile anyway), a word at a time.
 */
#define SMUL		0x9E3779B97F4A7C15ULL
#define SSEED		0xcbf29ce484222325ULL

static inline uint64_t
sum_step(uint64_t h, const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	h = (h ^ w) * SMUL;
	return (h ^ h >> 31);
}

static uint64_t
sum_tail(uint64_t h, const uint8_t *p, size_t len)
{
	for (; len >= 8; p += 8, len -= 8)
		h = sum_step(h, p);
	for (; len > 0; p++, len--)
		h = (h ^ *p) * 0x100000001b3ULL;
	return (h ^ h >> 29);
}

/* Version 1, whole: the trailer's, the binding's, v1 indexes'. */
uint64_t
tf_sum64(const void *buf, size_t len, uint64_t h)
{
	return (sum_tail(h ^ SSEED ^ len, buf, len));
}

/*
 * The same over pieces, and version 2: four independent chains over
 * each 32 bytes (word k to lane k), folded at the end, then the tail
 * as version 1 takes it: four times the speed of one chain, whose
 * every step waits for the last multiply.
 */
void
tf_sum_init(struct tf_sum *s, int version, uint64_t total, uint64_t seed)
{
	int k;

	memset(s, 0, sizeof(*s));
	s->version = version;
	s->h = seed ^ SSEED ^ total;
	for (k = 0; k < 4; k++)
		s->lane[k] = (s->h + (uint64_t)k + 1) * SMUL;
}

static const uint8_t *
sum_blocks(struct tf_sum *s, const uint8_t *p, size_t *len)
{
	uint64_t a = s->lane[0], b = s->lane[1], c = s->lane[2],
	    d = s->lane[3], h = s->h;

	if (s->version == 1) {
		for (; *len >= 8; p += 8, *len -= 8)
			h = sum_step(h, p);
		s->h = h;
		return (p);
	}
	for (; *len >= 32; p += 32, *len -= 32) {
		a = sum_step(a, p);
		b = sum_step(b, p + 8);
		c = sum_step(c, p + 16);
		d = sum_step(d, p + 24);
	}
	s->lane[0] = a;
	s->lane[1] = b;
	s->lane[2] = c;
	s->lane[3] = d;
	return (p);
}

void
tf_sum_add(struct tf_sum *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t blk = s->version == 1 ? 8 : 32, n, one;

	if (s->npart > 0) {
		n = blk - s->npart < len ? blk - s->npart : len;
		memcpy(s->part + s->npart, p, n);
		s->npart += n;
		p += n;
		len -= n;
		if (s->npart < blk)
			return;
		one = blk;
		(void)sum_blocks(s, s->part, &one);
		s->npart = 0;
	}
	p = sum_blocks(s, p, &len);
	memcpy(s->part, p, len);
	s->npart = len;
}

uint64_t
tf_sum_end(struct tf_sum *s)
{
	uint64_t h = s->h;
	int k;

	if (s->version != 1)
		for (k = 0; k < 4; k++) {
			h = (h ^ s->lane[k]) * SMUL;
			h ^= h >> 31;
		}
	return (sum_tail(h, s->part, s->npart));
}

static uint64_t
sum_index(int version, const void *buf, size_t len)
{
	struct tf_sum s;

	tf_sum_init(&s, version, len, 0);
	tf_sum_add(&s, buf, len);
	return (tf_sum_end(&s));
}

static void
trailer_encode(const struct trailer *tr, uint8_t *p)
{
	memset(p, 0, TRAILER);
	memcpy(p, EMAGIC, 8);
	put64(p + 8, tr->idxlen);
	put64(p + 16, tr->idxsum);
	put64(p + 24, tr->tarend);
	put64(p + 32, tr->bind);
	put64(p + 40, tr->idxoff);
	put64(p + 48, (uint64_t)TRAILER << 32 | VERSION);
	put64(p + 56, tf_sum64(p, 56, 0));
}

/* 0, -1 with error_set (no trailer at all: the message says so). */
static int
trailer_decode(const uint8_t *p, struct trailer *tr)
{
	if (memcmp(p, EMAGIC, 8) != 0)
		return (error_set("no embedded index"));
	if ((get64(p + 48) != ((uint64_t)TRAILER << 32 | VERSION) &&
	    get64(p + 48) != ((uint64_t)TRAILER << 32 | 1)) ||
	    get64(p + 56) != tf_sum64(p, 56, 0))
		return (error_set("trailer of another version, or corrupt"));
	tr->version = (int)(uint32_t)get64(p + 48);
	tr->idxlen = get64(p + 8);
	tr->idxsum = get64(p + 16);
	tr->tarend = get64(p + 24);
	tr->bind = get64(p + 32);
	tr->idxoff = get64(p + 40);
	if (tr->idxlen > MAX_INDEX || tr->tarend % BLK != 0 ||
	    tr->tarend > (UINT64_C(1) << 62))
		return (error_set("trailer out of bounds"));
	return (0);
}

/* Whether [off, end) of the tar stream is 1024 to ZERO_MAX zero bytes. */
static int
zeros(const struct src *s, uint64_t off, uint64_t end)
{
	uint8_t b[16384];
	size_t n, i;

	if (end < off || end - off < 2 * BLK || end - off > ZERO_MAX ||
	    end > s->size)
		return (0);
	for (; off < end; off += n) {
		n = end - off < sizeof(b) ? (size_t)(end - off) : sizeof(b);
		if (src_pread(s, b, n, off) == -1)
			return (0);
		for (i = 0; i < n; i++)
			if (b[i] != 0)
				return (0);
	}
	return (1);
}

/* Plain tar: what ties the index to this tar beyond its end marker. */
static int
binding(const struct src *s, uint64_t tarend, uint64_t *out)
{
	uint8_t b[2 * BLK];

	*out = 0;
	if (tarend < BLK)
		return (0);
	if (src_pread(s, b, BLK, 0) == -1 ||
	    src_pread(s, b + BLK, BLK, tarend - BLK) == -1)
		return (error_sys("read"));
	*out = tf_sum64(b, sizeof(b), 1);
	return (0);
}

/*
 * The index at off (a file offset), read straight into its arrays by
 * idxfile.c, a piece at a time, each piece summed while in the cache.
 */
#define PIECE		(256 * 1024)

struct embrd {
	struct tf_idxread	 rd;
	const struct src	*src;
	uint64_t		 off;
	uint64_t		 want;
	struct tf_sum		 sum;
};

static int
emb_read(struct tf_idxread *rd, void *dst, size_t len, uint64_t at)
{
	struct embrd *e = (struct embrd *)rd;
	uint8_t *p = dst;
	size_t n, done;
	ssize_t k;

	for (; len > 0; p += n, at += n, len -= n) {
		n = len < PIECE ? len : PIECE;
		if (e->src->kind != SRC_ZSTD) {
			if (src_pread(e->src, p, n, e->off + at) == -1)
				return (error_sys("read"));
		} else {
			/* In the file, past the tar the source gives. */
			for (done = 0; done < n; done += (size_t)k) {
				k = pread(e->src->fd, p + done, n - done,
				    (off_t)(e->off + at + done));
				if (k == -1 && errno == EINTR) {
					k = 0;
					continue;
				}
				if (k <= 0)
					return (error_set("short read"));
			}
		}
		tf_sum_add(&e->sum, p, n);
	}
	return (0);
}

static int
emb_done(struct tf_idxread *rd)
{
	struct embrd *e = (struct embrd *)rd;

	if (tf_sum_end(&e->sum) != e->want)
		return (error_set("index checksum mismatch"));
	return (0);
}

static int
load_at(struct tarfs *t, const struct trailer *tr, uint64_t off)
{
	struct embrd e;

	memset(&e, 0, sizeof(e));
	e.rd.read = emb_read;
	e.rd.done = emb_done;
	e.src = &t->src;
	e.off = off;
	e.want = tr->idxsum;
	tf_sum_init(&e.sum, tr->version, tr->idxlen, 0);
	if (tr->idxlen > SIZE_MAX)
		return (error_set("index too large"));
	return (tf_index_load_rd(t, &e.rd, (size_t)tr->idxlen, tr->tarend));
}

static int
load_plain(struct tarfs *t)
{
	struct trailer tr;
	uint8_t p[TRAILER];
	uint64_t size = t->src.size, bind;

	if (size < TRAILER + 2 * BLK)
		return (error_set("no embedded index"));
	if (src_pread(&t->src, p, TRAILER, size - TRAILER) == -1)
		return (error_sys("read"));
	if (trailer_decode(p, &tr) == -1)
		return (-1);
	if (tr.idxlen > size - TRAILER ||
	    tr.idxoff != size - TRAILER - tr.idxlen)
		return (error_set("the index is not where the trailer says "
		    "(the archive was appended to or cut)"));
	if (!zeros(&t->src, tr.tarend, tr.idxoff))
		return (error_set("no end-of-archive marker at offset %llu "
		    "(the archive was appended to)",
		    (unsigned long long)tr.tarend));
	if (binding(&t->src, tr.tarend, &bind) == -1)
		return (-1);
	if (bind != tr.bind)
		return (error_set("the tar is not the one indexed"));
	return (load_at(t, &tr, tr.idxoff));
}

static int
load_zstd(struct tarfs *t)
{
	struct trailer tr;
	uint8_t p[TRAILER];
	uint64_t off, len;
	ssize_t n;

	if (t->src.z == NULL ||
	    !zsrc_extra(t->src.z, &off, &len) || len < TRAILER)
		return (error_set("no embedded index"));
	while ((n = pread(t->src.fd, p, TRAILER, (off_t)off)) == -1 &&
	    errno == EINTR)
		;
	if (n != TRAILER)
		return (error_set("short read"));
	if (trailer_decode(p, &tr) == -1)
		return (-1);
	if (tr.idxlen != len - TRAILER || tr.idxoff != 0 ||
	    tr.bind != t->src.size)
		return (error_set("trailer does not fit its frame"));
	if (t->src.size < 2 * BLK || tr.tarend > t->src.size - 2 * BLK ||
	    !zeros(&t->src, tr.tarend, tr.tarend + 2 * BLK))
		return (error_set("no end-of-archive marker at offset %llu",
		    (unsigned long long)tr.tarend));
	return (load_at(t, &tr, off + TRAILER));
}

int
tf_embed_load(struct tarfs *t)
{
	int r;

	if (t->src.kind == SRC_FILE || t->src.kind == SRC_MEM)
		r = load_plain(t);
	else if (t->src.kind == SRC_ZSTD)
		r = load_zstd(t);
	else
		return (0);
	if (r == -1) {
		if (strcmp(error_msg(), "no embedded index") != 0)
			log_debug("%s: ignoring the embedded index: %s",
			    t->archive != NULL ? t->archive : "archive",
			    error_msg());
		error_clear();
		return (0);
	}
	free(t->from);
	t->from = xstrdup("embedded");
	return (1);
}

/*
 * From a tar just indexed: the index and its trailer, for a plain tar
 * (its index at idxoff) or for the extra frame of a tar.zst (plain 0).
 */
static int
payload(const struct tarfs *t, int plain, uint64_t idxoff, struct buf *idx,
    uint8_t *trl)
{
	struct trailer tr;

	if (t->tarend > t->src.size || t->src.size - t->tarend < 2 * BLK ||
	    !zeros(&t->src, t->tarend, t->tarend + 2 * BLK))
		return (error_set("no end-of-archive marker (two zero "
		    "blocks) after the last entry, at offset %llu",
		    (unsigned long long)t->tarend));
	memset(&tr, 0, sizeof(tr));
	tf_index_encode(t, idx, t->tarend);
	tr.idxlen = idx->len;
	tr.idxsum = sum_index(VERSION, idx->data, idx->len);
	tr.tarend = t->tarend;
	if (plain) {
		tr.idxoff = idxoff;
		if (binding(&t->src, t->tarend, &tr.bind) == -1)
			return (-1);
	} else
		tr.bind = t->src.size;
	trailer_encode(&tr, trl);
	return (0);
}

/* Whether the archive changed since it was opened (and indexed). */
static int
changed(const struct tarfs *t, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return (error_sys("%s", t->archive));
	if ((uint64_t)st.st_size != t->src.fsize ||
	    st.st_mtim.tv_sec != t->src.mtime ||
	    (uint32_t)st.st_mtim.tv_nsec != t->src.mtime_ns)
		return (error_set("changed while being indexed"));
	return (0);
}

/*
 * Plain tar: where the index goes.  Right after the zeros that follow
 * the end-of-archive marker; what lies after them may only be an index
 * of ours (current, or left behind by `tar -r`), which is replaced.
 */
static int
place(struct tarfs *t, uint64_t *idxoff)
{
	uint8_t b[16384], p[TRAILER];
	uint64_t off, size = t->src.size, z = size;
	struct trailer tr;
	size_t n, i;

	memset(p, 0, sizeof(p));
	if (size >= TRAILER && src_pread(&t->src, p, TRAILER,
	    size - TRAILER) == 0 && trailer_decode(p, &tr) == 0 &&
	    tr.tarend == t->tarend && tr.idxoff <= size &&
	    zeros(&t->src, tr.tarend, tr.idxoff)) {
		*idxoff = tr.idxoff;
		return (0);
	}
	error_clear();
	for (off = t->tarend; off < size && z == size; off += n) {
		n = size - off < sizeof(b) ? (size_t)(size - off) : sizeof(b);
		if (src_pread(&t->src, b, n, off) == -1)
			return (error_sys("read"));
		for (i = 0; i < n; i++)
			if (b[i] != 0) {
				z = off + i;
				break;
			}
	}
	if (z < size && !(size - z >= 8 && src_pread(&t->src, b, 8, z) == 0 &&
	    memcmp(b, IMAGIC, 8) == 0) && !(size >= TRAILER &&
	    memcmp(p, EMAGIC, 8) == 0))
		return (error_set("%llu bytes after the end-of-archive "
		    "marker at offset %llu are not an index of ours; not "
		    "touching them", (unsigned long long)(size - z),
		    (unsigned long long)t->tarend));
	/* Padding beyond what a reader will check: write over it. */
	*idxoff = z - t->tarend > ZERO_MAX ? t->tarend + 2 * BLK : z;
	return (0);
}

static int
embed_plain(struct tarfs *t)
{
	struct buf idx = BUF_INIT;
	struct timespec ts[2];
	uint8_t trl[TRAILER], *old = NULL;
	uint64_t idxoff, oldlen, size = t->src.size;
	int fd = -1, rc = -1;

	if (place(t, &idxoff) == -1 ||
	    payload(t, 1, idxoff, &idx, trl) == -1)
		goto out;
	oldlen = size - idxoff;
	if (oldlen > MAX_INDEX + ZERO_MAX) {
		error_set("%llu bytes after the tar",
		    (unsigned long long)oldlen);
		goto out;
	}
	/* What is written over, to put back on failure. */
	old = xmalloc(oldlen + 1);
	if (src_pread(&t->src, old, oldlen, idxoff) == -1) {
		error_sys("read");
		goto out;
	}
	if ((fd = open(t->archive, O_WRONLY | O_CLOEXEC)) == -1) {
		error_sys("%s", t->archive);
		goto out;
	}
	if (changed(t, fd) == -1)
		goto out;
	buf_add(&idx, trl, TRAILER);
	if (file_pwrite_all(fd, idx.data, idx.len, idxoff) == -1 ||
	    ftruncate(fd, (off_t)(idxoff + idx.len)) == -1 ||
	    fsync(fd) == -1) {
		error_sys("write");
		if (file_pwrite_all(fd, old, oldlen, idxoff) == -1 ||
		    ftruncate(fd, (off_t)size) == -1 || fsync(fd) == -1) {
			char *m = xstrdup(error_msg());

			error_set("%s; putting its old end back failed too: "
			    "%s", m, strerror(errno));
			free(m);
		} else {
			/* As found, mtime included (a saved index stays). */
			ts[0].tv_nsec = UTIME_OMIT;
			ts[1].tv_sec = t->src.mtime;
			ts[1].tv_nsec = t->src.mtime_ns;
			(void)futimens(fd, ts);
		}
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(old);
	buf_free(&idx);
	return (rc);
}

static int
embed_zstd(struct tarfs *t)
{
	struct buf idx = BUF_INIT, frame = BUF_INIT;
	uint8_t trl[TRAILER];
	int rc = -1;

	if (payload(t, 0, 0, &idx, trl) == -1)
		goto out;
	buf_add(&frame, trl, TRAILER);
	buf_add(&frame, idx.data, idx.len);
	if (changed(t, t->src.fd) == -1)
		goto out;
	rc = zstd_set_extra(t->archive, frame.data, frame.len);
out:
	buf_free(&idx);
	buf_free(&frame);
	return (rc);
}

int
tarfs_embed_index(const char *archive, const struct tarfs_open_opts *o,
    uint64_t *count)
{
	struct tarfs_open_opts oo;
	struct tarfs *t;
	int r;

	memset(&oo, 0, sizeof(oo));
	if (o != NULL)
		oo = *o;
	oo.rebuild = 1;
	oo.save = 0;
	oo.tarindex = NULL;
	if ((t = tarfs_open(archive, &oo)) == NULL)
		return (-1);
	if (t->src.kind == SRC_FILE)
		r = embed_plain(t);
	else
		r = embed_zstd(t);
	if (r == 0 && count != NULL)
		*count = tarfs_count(t);
	tarfs_close(t);
	return (r);
}

int
tarfs_compress(const char *in, const char *out, size_t frame, int level,
    int quiet, int embed)
{
	struct tarfs_open_opts oo;
	struct buf idx = BUF_INIT, pl = BUF_INIT;
	struct zextra x;
	struct tarfs *t;
	uint8_t trl[TRAILER];
	int r, have = 0;

	if (!tarfs_can_compress())
		return (error_set("this binary has no zstd compressor: use "
		    "stasis tarfs --compress"));
	memset(&oo, 0, sizeof(oo));
	oo.quiet = 1;
	oo.rebuild = 1;
	if (embed && strcmp(in, "-") != 0) {
		/* Index the tar first: its headers are quick to read. */
		if ((t = tarfs_open(in, &oo)) == NULL)
			;
		else if (t->src.kind != SRC_FILE)
			error_set("compressed already");
		else if (payload(t, 0, 0, &idx, trl) == -1)
			;
		else if (idx.len > UINT32_MAX - TRAILER - 8)
			error_set("an index of %zu bytes is too big for a "
			    "zstd frame", idx.len);
		else {
			buf_add(&pl, trl, TRAILER);
			buf_add(&pl, idx.data, idx.len);
			x.data = pl.data;
			x.len = pl.len;
			x.insize = t->src.size;
			have = 1;
		}
		if (!have && !quiet)
			log_warn("%s: %s; no index embedded", in,
			    error_msg());
		error_clear();
		tarfs_close(t);
	}
	r = zstd_compress_seekable_x(in, out, frame, level, quiet,
	    have ? &x : NULL);
	buf_free(&idx);
	buf_free(&pl);
	if (r == -1 || !embed || have)
		return (r);
	if (strcmp(out, "-") == 0) {
		if (!quiet)
			log_info("no index embedded when writing to stdout "
			    "from stdin: `stasis tarfs --index --embed` "
			    "adds one");
		return (0);
	}
	/* From stdin: index what was written, and embed it in place. */
	if (tarfs_embed_index(out, &oo, NULL) == -1) {
		if (!quiet)
			log_warn("%s: no index embedded: %s", out,
			    error_msg());
		error_clear();
	}
	return (0);
}
