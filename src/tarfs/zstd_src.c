/*
 * Random reads of the uncompressed stream of a zstd file, from every
 * FUSE worker thread at once.
 *
 * The stream is cut into pieces: a frame of up to PIECE_MAX bytes is one
 * piece, decompressed whole in one call; a bigger frame is cut into
 * PIECE-sized pieces produced by a few streaming decoders ("cursors")
 * that stay parked where they stopped, since a frame can only be entered
 * at its start, or at an entry point its first decoding left behind
 * (zstd_entry.c says how).  Pieces live in an LRU cache of
 * bounded size; one thread decodes a missing piece while the others that
 * want it wait, so FUSE's readahead does not decode it twice.  Memory is
 * the index, the cache, and the cursors' windows, all bounded.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "tarfs/zstd.h"
#include "tarfs/zstd_int.h"

#define PIECE_MAX	(8U << 20)	/* frames this small: one piece */
#define PIECE		(1U << 20)	/* bigger frames: pieces this big */
/*
 * Decoded pieces kept.  The page cache holds what files were read, so
 * this only saves decoding a frame twice: on a 50k-entry tree.tar.zst,
 * 16 MiB mounted in 207 ms and read 20k files as fast as 64 MiB did,
 * with a 27 MiB daemon instead of 77.
 */
#define CACHE_DEFAULT	(16U << 20)
#define NBUCKET		1024
#define POOL_MAX	16		/* idle decoders kept */
#define CURSOR_BUDGET	(64U << 20)	/* windows of parked cursors */
#define NCURSOR_MAX	16
/*
 * Freed piece buffers kept for the next piece: a 256 KiB buffer from
 * malloc is a fresh mmap (cmd_tarfs.c sets the threshold), and filling
 * it page-faults 64 times; measured, the faults were a quarter of the
 * CPU time of a mount's scan of a seekable tar.zst.
 */
/*
 * Prefetch: when reads walk whole frames in order (a mount's header
 * scan of a tar of small files, a sequential read of a big file), the
 * next PREFETCH frames (at most PREFETCH_BYTES) are decoded by worker
 * threads, one per CPU, so that frames decode in parallel while the
 * reader parses or copies.  A reader that jumps (skipping a big file)
 * breaks the run, and nothing is prefetched until it runs again.
 */
#define PREFETCH	4
#define PREFETCH_BYTES	(8U << 20)
#define NWORKER_MAX	4
#define SPARE_MAX	16
#define SPARE_BYTES	(4U << 20)

struct zpiece {
	uint64_t	 key;		/* first uncompressed byte */
	size_t		 len;
	char		*data;
	int		 refs;
	int		 ready;
	struct zpiece	*hnext;
	struct zpiece	*prev, *next;	/* LRU, most recent first */
};

struct zcursor {
	ZSTD_DCtx	*d;
	size_t		 frame;		/* SIZE_MAX: none */
	uint64_t	 cin;		/* next compressed byte to read */
	uint64_t	 dpos;		/* uncompressed bytes produced */
	int		 ended;		/* the decoder finished the frame */
	uint8_t		*in;
	size_t		 ipos, ilen;
	/* Under z->lock: where it is, or will be once its job is done. */
	size_t		 pframe;
	uint64_t	 ppos;
	int		 busy;
	uint64_t	 used;
	/*
	 * Decoding from an entry point (from != NULL): every piece it
	 * produces is checked; the first piece's head comes from the
	 * entry point's window (pre, npre).
	 */
	struct zentry	*from;
	const char	*pre;
	size_t		 npre;
	/*
	 * Decoding from the frame's start: the next block boundary in
	 * the file (0: not known yet, UINT64_MAX: none), and the output
	 * kept (ring, from rstart) while near the next entry point wanted,
	 * with a candidate waiting for its check (cwin: its window).
	 */
	uint64_t	 blk;
	char		*ring;
	size_t		 rlen, rcap;
	uint64_t	 rstart;
	char		*cwin;
	size_t		 cwlen;
	uint64_t	 ccin, crel;
};

struct zsrc {
	int		 fd;
	char		*name;
	struct zindex	 idx;
	char		*index_from;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct zpiece	*hash[NBUCKET];
	struct zpiece	*head, *tail;
	size_t		 bytes, max;
	ZSTD_DCtx	*pool[POOL_MAX];
	int		 npool;
	struct zcursor	*cur;
	int		 ncur;
	uint64_t	 tick;
	uint64_t	 hits, misses, decoded;
	struct {
		char	*data;
		size_t	 len;
	}		 spare[SPARE_MAX];
	int		 nspare;
	size_t		 sparebytes;
	/* Prefetch, under lock: the frames queued, the workers. */
	size_t		 q[PREFETCH];
	int		 qn;
	size_t		 lastframe;	/* whole frame read last */
	int		 nworker;	/* running; 0: started on demand */
	int		 maxworker;	/* 0: no prefetch */
	int		 inflight;	/* frames workers are decoding */
	int		 stop;
	pthread_t	 worker[NWORKER_MAX];
	pthread_cond_t	 qcond;
	struct zsrc	*allnext;	/* every open zsrc, for fork */
	/* Entry points of big frames, by frame (entst: 0 not yet, 1, 2 none). */
	struct zentries	*ent;
	uint8_t		*entst;
	uint64_t	 resumed, refused;
	/* The background scan (zsrc_background), with its own cursor. */
	pthread_t	 scan;
	int		 scanning, scanstop;
	struct zcursor	 scur;
	/*
	 * A frame left open (zsrc_open_lazy) is cut in pieces even once
	 * its size turns out to be small: pieces of it may be cached.
	 */
	size_t		 pieced;	/* SIZE_MAX: none */
	uint64_t	 produced;	/* bytes decoded (atomic) */
};

static struct zpiece *piece_get(struct zsrc *, uint64_t, int);
static void prefetch(struct zsrc *, size_t);
static void piece_put(struct zsrc *, struct zpiece *);

int
zstd_magic(const void *head, size_t len)
{
	uint32_t m;

	if (len < 4)
		return (0);
	m = zle32(head);
	return (m == ZSTD_FRAME_MAGIC ||
	    (m & ZSTD_SKIP_MASK) == ZSTD_SKIP_MAGIC);
}

static int
whole(const struct zsrc *z, size_t fi)
{
	const struct zframe *f = &z->idx.f[fi];

	/* The macro: the function would link in libzstd's compressor. */
	return (f->dsize <= PIECE_MAX && fi != z->pieced &&
	    f->csize <= ZSTD_COMPRESSBOUND(PIECE_MAX));
}

static void
count(struct zsrc *z, uint64_t n)
{
	__atomic_fetch_add(&z->produced, n, __ATOMIC_RELAXED);
}

static ZSTD_DCtx *
dctx_get(struct zsrc *z)
{
	ZSTD_DCtx *d = NULL;

	pthread_mutex_lock(&z->lock);
	if (z->npool > 0)
		d = z->pool[--z->npool];
	pthread_mutex_unlock(&z->lock);
	if (d == NULL && (d = ZSTD_createDCtx()) == NULL)
		error_set("out of memory");
	return (d);
}

static void
dctx_put(struct zsrc *z, ZSTD_DCtx *d)
{
	ZSTD_DCtx_reset(d, ZSTD_reset_session_and_parameters);
	pthread_mutex_lock(&z->lock);
	if (z->npool < POOL_MAX) {
		z->pool[z->npool++] = d;
		d = NULL;
	}
	pthread_mutex_unlock(&z->lock);
	ZSTD_freeDCtx(d);
}

static int
decode_whole(struct zsrc *z, const struct zframe *f, char *out)
{
	ZSTD_DCtx *d;
	void *in;
	size_t r;
	int rc = -1;

	if ((d = dctx_get(z)) == NULL)
		return (-1);
	in = xmalloc(f->csize);
	if (zpread_all(z->fd, in, f->csize, f->coff) == 0) {
		r = ZSTD_decompressDCtx(d, out, f->dsize, in, f->csize);
		if (ZSTD_isError(r))
			error_set("frame at offset %llu: %s",
			    (unsigned long long)f->coff, ZSTD_getErrorName(r));
		else if (r != f->dsize)
			error_set("frame at offset %llu holds %zu bytes, not "
			    "%llu", (unsigned long long)f->coff, r,
			    (unsigned long long)f->dsize);
		else
			rc = 0;
		if (!ZSTD_isError(r))
			count(z, r);
	}
	free(in);
	dctx_put(z, d);
	return (rc);
}

/*
 * The next block boundary after the decoder's input position at, from
 * the block headers (read from the buffer, or the file).
 */
static void
blk_advance(struct zsrc *z, struct zcursor *c, uint64_t at)
{
	uint64_t base = c->cin - c->ilen, v;
	uint8_t h[3];

	while (c->blk != UINT64_MAX && c->blk <= at) {
		if (c->blk >= base && c->blk + 3 <= c->cin)
			memcpy(h, c->in + (c->blk - base), 3);
		else if (zpread_all(z->fd, h, 3, c->blk) == -1) {
			error_clear();
			c->blk = UINT64_MAX;
			return;
		}
		v = (uint64_t)h[0] | (uint64_t)h[1] << 8 | (uint64_t)h[2] << 16;
		if ((v >> 1 & 3) == 3 || (v & 1))	/* reserved, or last */
			c->blk = UINT64_MAX;
		else
			c->blk += 3 + ((v >> 1 & 3) == 1 ? 1 : v >> 3);
	}
}

/* Keep the output p (n bytes at rel) in the cursor's ring. */
static void
ring_add(struct zcursor *c, const char *p, size_t n, uint64_t rel,
    size_t keep)
{
	if (c->rlen > 0 && c->rstart + c->rlen != rel)
		c->rlen = 0;
	if (c->rlen == 0)
		c->rstart = rel;
	if (c->rlen + n > c->rcap && c->rlen > keep) {
		memmove(c->ring, c->ring + c->rlen - keep, keep);
		c->rstart += c->rlen - keep;
		c->rlen = keep;
	}
	if (c->rlen + n > c->rcap) {
		c->rcap = c->rlen + n > 2 * keep ? c->rlen + n : 2 * keep;
		c->ring = xrealloc(c->ring, c->rcap);
	}
	memcpy(c->ring + c->rlen, p, n);
	c->rlen += n;
}

/*
 * After output up to rel: a candidate whose PRECHECK bytes are in the
 * ring is checked, and kept as an entry point if they match.
 */
static void
candidate_check(struct zsrc *z, struct zcursor *c, struct zentries *es,
    uint64_t rel)
{
	const struct zframe *f = &z->idx.f[c->frame];
	uint64_t n = f->dsize - c->crel;
	ZSTD_DCtx *d;
	int same;

	if (n > ZENT_PRECHECK)
		n = ZENT_PRECHECK;
	if (c->cwin == NULL || rel < c->crel + n)
		return;
	same = 0;
	if (c->rstart <= c->crel && (d = dctx_get(z)) != NULL) {
		same = zent_check(z->fd, es, c->ccin, f->coff + f->csize,
		    c->cwin, c->cwlen, c->ring + (c->crel - c->rstart),
		    (size_t)n, d);
		dctx_put(z, d);
		count(z, n);
	}
	pthread_mutex_lock(&z->lock);
	if (same == 1 && zent_add(es, c->ccin, c->crel, c->cwin,
	    c->cwlen) == 0)
		c->cwin = NULL;
	pthread_mutex_unlock(&z->lock);
	if (same == -1)
		error_clear();
	free(c->cwin);
	c->cwin = NULL;
}

/* At a block boundary (cin) after output up to rel: a candidate? */
static void
candidate_take(struct zcursor *c, const struct zentries *es, uint64_t rel,
    uint64_t cin)
{
	uint64_t from = rel > es->window ? rel - es->window : 0;

	if (from > rel / PIECE * PIECE)
		from = rel / PIECE * PIECE;
	if (c->cwin != NULL || rel < es->next || c->rstart > from ||
	    c->rstart + c->rlen != rel)
		return;
	c->cwlen = (size_t)(rel - from);
	c->cwin = xmalloc(c->cwlen > 0 ? c->cwlen : 1);
	memcpy(c->cwin, c->ring + (from - c->rstart), c->cwlen);
	c->ccin = cin;
	c->crel = rel;
}

static const char said[] = "%s: frame sizes unknown, decompressed it once "
    "to index it; `stasis tarfs --index` saves the index";

/*
 * The cursor's decoder, from the frame's start (so the checksum was
 * checked), finished the frame after end bytes: the open frame's size
 * (zsrc_open_lazy).  -1 for any other frame, whose index said more, or
 * for more than the open frame's blocks can hold.
 */
static int
close_frame(struct zsrc *z, struct zcursor *c, uint64_t end)
{
	struct zindex *idx = &z->idx;
	struct zframe *f = &idx->f[c->frame];

	if (!idx->open || c->frame != idx->n - 1 || c->from != NULL)
		return (error_set("frame at offset %llu is shorter than its "
		    "index says", (unsigned long long)f->coff));
	if (end > f->dsize)
		return (error_set("frame at offset %llu holds more than its "
		    "blocks can", (unsigned long long)f->coff));
	pthread_mutex_lock(&z->lock);
	idx->dsize -= f->dsize - end;
	f->dsize = end;
	idx->open = 0;
	idx->origin = ZIDX_DECOMPRESSED;
	z->pieced = c->frame;
	pthread_mutex_unlock(&z->lock);
	log_info(said, z->name);
	return (0);
}

/*
 * Produce want bytes of the cursor's frame into dst: all of them, or
 * those up to the end of an open frame that ends sooner (which closes
 * it).  The count, or -1.
 */
static ssize_t
step(struct zsrc *z, struct zcursor *c, char *dst, size_t want)
{
	const struct zframe *f = &z->idx.f[c->frame];
	struct zentries *es = NULL;
	ZSTD_outBuffer o = { dst, want, 0 };
	ZSTD_inBuffer i;
	uint64_t left, arm, rel;
	size_t r, n, lim, before, pre, keep = 0, insz = ZSTD_DStreamInSize();

	if (c->npre > 0) {
		o.pos = c->npre < want ? c->npre : want;
		memcpy(dst, c->pre, o.pos);
		c->pre += o.pos;
		c->npre -= o.pos;
	}
	pre = o.pos;
	/* Entry points are taken by decoders from the start only. */
	if (c->from == NULL && z->entst != NULL && z->entst[c->frame] == 1 &&
	    c->blk != UINT64_MAX) {
		es = &z->ent[c->frame];
		keep = es->window + PIECE + ZENT_PRECHECK;
	}
	while (o.pos < o.size) {
		if (c->ended) {
			/*
			 * The frame is done: an open one ends here, unless
			 * this decoder came from an entry point (it has not
			 * seen the checksum): decode_with starts over.
			 */
			if (z->idx.open && c->frame == z->idx.n - 1 &&
			    c->from != NULL)
				break;
			if (close_frame(z, c, c->dpos + o.pos) == -1)
				return (-1);
			break;
		}
		if (c->ipos == c->ilen) {
			left = f->coff + f->csize - c->cin;
			if (left == 0)
				return (error_set("frame at offset %llu ends "
				    "before its index says",
				    (unsigned long long)f->coff));
			n = left < insz ? left : insz;
			if (zpread_all(z->fd, c->in, n, c->cin) == -1)
				return (-1);
			c->cin += n;
			c->ipos = 0;
			c->ilen = n;
			if (es != NULL && c->blk == 0) {
				r = ZSTD_frameHeaderSize(c->in, n);
				c->blk = ZSTD_isError(r) ? UINT64_MAX :
				    f->coff + r;
			}
		}
		lim = c->ilen;
		rel = c->dpos + o.pos;
		arm = 0;
		if (es != NULL) {
			/* es->next and es->n move under z->lock: a glance */
			uint64_t next = __atomic_load_n(&es->next,
			    __ATOMIC_RELAXED);

			arm = next > es->window ? next - es->window : 0;
			if (arm > next / PIECE * PIECE)
				arm = next / PIECE * PIECE;
			blk_advance(z, c, c->cin - c->ilen + c->ipos);
			if (rel >= next && c->blk <= c->cin)
				lim = (size_t)(c->blk - (c->cin - c->ilen));
		}
		before = o.pos;
		i = (ZSTD_inBuffer){ c->in, lim, c->ipos };
		r = ZSTD_decompressStream(c->d, &o, &i);
		c->ipos = i.pos;
		if (ZSTD_isError(r))
			return (error_set("frame at offset %llu: %s",
			    (unsigned long long)f->coff, ZSTD_getErrorName(r)));
		c->ended = r == 0;
		if (es == NULL)
			continue;
		if (rel + (o.pos - before) >= arm || c->cwin != NULL) {
			ring_add(c, dst + before, o.pos - before, rel, keep);
			candidate_check(z, c, es, c->dpos + o.pos);
			if (lim < c->ilen && c->ipos == lim && o.pos < o.size)
				candidate_take(c, es, c->dpos + o.pos, c->blk);
		} else
			c->rlen = 0;
		if (__atomic_load_n(&es->n, __ATOMIC_RELAXED) == es->max &&
		    c->cwin == NULL) {
			es = NULL;		/* all taken */
			c->rlen = 0;
		}
	}
	c->dpos += o.pos;
	count(z, o.pos - pre);
	return ((ssize_t)o.pos);
}

static struct zcursor *
cursor_take(struct zsrc *z, size_t fi, uint64_t rel, size_t len)
{
	struct zcursor *c, *best, *near;
	int i;

	pthread_mutex_lock(&z->lock);
	for (;;) {
		/*
		 * The decoder parked nearest before rel; if a busy one is
		 * nearer still (FUSE reads a file's pieces in parallel),
		 * waiting for it beats starting over.  Else the least
		 * recently used idle one starts over.
		 */
		best = near = NULL;
		for (i = 0; i < z->ncur; i++) {
			c = &z->cur[i];
			if (c->pframe != fi || c->ppos > rel)
				continue;
			if (near == NULL || c->ppos > near->ppos)
				near = c;
			if (!c->busy && (best == NULL || c->ppos > best->ppos))
				best = c;
		}
		if (near != NULL && near->busy)
			best = NULL;
		else if (best == NULL)
			for (i = 0; i < z->ncur; i++) {
				c = &z->cur[i];
				if (!c->busy && (best == NULL ||
				    c->used < best->used))
					best = c;
			}
		if (best != NULL)
			break;
		pthread_cond_wait(&z->cond, &z->lock);
	}
	best->busy = 1;
	best->used = ++z->tick;
	best->pframe = fi;
	best->ppos = rel + len;
	pthread_mutex_unlock(&z->lock);
	return (best);
}

static void
cursor_give(struct zsrc *z, struct zcursor *c)
{
	pthread_mutex_lock(&z->lock);
	c->busy = 0;
	c->pframe = c->frame;
	c->ppos = c->dpos;
	pthread_cond_broadcast(&z->cond);
	pthread_mutex_unlock(&z->lock);
}

/* The entry points of big frame fi, set up on its first read; or NULL. */
static struct zentries *
entries(struct zsrc *z, size_t fi)
{
	const struct zframe *f = &z->idx.f[fi];
	struct zentries *es = NULL;
	uint8_t h[ZSTD_FRAMEHEADERSIZE_MAX];
	size_t n = f->csize < sizeof(h) ? (size_t)f->csize : sizeof(h);

	pthread_mutex_lock(&z->lock);
	if (z->entst == NULL) {
		z->ent = xcalloc(z->idx.n, sizeof(*z->ent));
		z->entst = xcalloc(z->idx.n, 1);
	}
	if (z->entst[fi] == 0) {
		if (zpread_all(z->fd, h, n, f->coff) == 0 &&
		    zent_init(&z->ent[fi], f, h, n, PIECE) == 0)
			z->entst[fi] = 1;
		else {
			error_clear();
			z->entst[fi] = 2;
		}
	}
	if (z->entst[fi] == 1)
		es = &z->ent[fi];
	pthread_mutex_unlock(&z->lock);
	return (es);
}

static void
cursor_restart(struct zsrc *z, struct zcursor *c, size_t fi)
{
	ZSTD_DCtx_reset(c->d, ZSTD_reset_session_and_parameters);
	ZSTD_DCtx_setParameter(c->d, ZSTD_d_windowLogMax,
	    ZSTD_WINDOWLOG_LIMIT_DEFAULT);
	c->frame = fi;
	c->cin = z->idx.f[fi].coff;
	c->dpos = 0;
	c->ended = 0;
	c->ipos = c->ilen = 0;
	c->from = NULL;
	c->npre = 0;
	c->blk = 0;
	c->rlen = 0;
	free(c->cwin);
	c->cwin = NULL;
}

/* Start the cursor at entry point e: its first piece's head, made up
   header, then the blocks from e->cin. */
static int
cursor_resume(struct zsrc *z, struct zcursor *c, size_t fi,
    struct zentries *es, struct zentry *e)
{
	uint64_t ps = e->rel / PIECE * PIECE;

	cursor_restart(z, c, fi);
	if (zent_resume(es, e, c->d) == -1)
		return (-1);
	memcpy(c->in, es->hdr, sizeof(es->hdr));
	c->ilen = sizeof(es->hdr);
	c->cin = e->cin;
	c->dpos = ps;
	c->pre = e->win + e->wlen - (e->rel - ps);
	c->npre = (size_t)(e->rel - ps);
	c->from = e;
	c->blk = UINT64_MAX;
	return (0);
}

/*
 * A piece (n bytes at rel) just produced: from the start, its hash is
 * noted; from an entry point, it must equal the noted one.  0, or -1
 * when it differs (or there is nothing to compare with).
 */
static int
piece_check(struct zsrc *z, struct zentries *es, struct zcursor *c,
    const char *p, size_t n, uint64_t rel)
{
	uint64_t h, want;

	if (es == NULL || rel / PIECE >= es->nph || n == 0)
		return (0);
	h = zent_hash(p, n);
	if (c->from == NULL) {
		__atomic_store_n(&es->ph[rel / PIECE], h, __ATOMIC_RELAXED);
		return (0);
	}
	want = __atomic_load_n(&es->ph[rel / PIECE], __ATOMIC_RELAXED);
	if (want == h)
		return (0);
	pthread_mutex_lock(&z->lock);
	if (want != 0)
		c->from->bad = 1;
	z->refused++;
	pthread_mutex_unlock(&z->lock);
	return (-1);
}

/*
 * Decode len bytes at rel of big frame fi into out with cursor c: the
 * count (fewer only where an open frame ends sooner), or -1.
 */
static ssize_t
decode_with(struct zsrc *z, struct zcursor *c, size_t fi, uint64_t rel,
    char *out, size_t len)
{
	struct zentries *es;
	struct zentry *e;
	uint64_t gap;
	size_t want;
	ssize_t n, rc = -1;
	int retried = 0;

	if (c->d == NULL) {
		if ((c->d = ZSTD_createDCtx()) == NULL) {
			error_set("out of memory");
			goto out;
		}
		c->in = xmalloc(ZSTD_DStreamInSize());
		c->frame = SIZE_MAX;
	}
	es = entries(z, fi);
again:
	/*
	 * Only where the piece's hash is known, i.e. behind where decoding
	 * from the start has been: beyond, nothing could check it, and the
	 * piece would be decoded again from the start.
	 */
	e = NULL;
	if (es != NULL && !retried && rel / PIECE < es->nph &&
	    __atomic_load_n(&es->ph[rel / PIECE], __ATOMIC_RELAXED) != 0) {
		pthread_mutex_lock(&z->lock);
		e = zent_find(es, rel);
		pthread_mutex_unlock(&z->lock);
	}
	if (e != NULL && (c->frame != fi || c->dpos > rel ||
	    c->dpos < e->rel / PIECE * PIECE)) {
		/* An entry point nearer than where the cursor is. */
		if (cursor_resume(z, c, fi, es, e) == -1)
			goto out;
		pthread_mutex_lock(&z->lock);
		z->resumed++;
		pthread_mutex_unlock(&z->lock);
	} else if (c->frame != fi || c->dpos > rel)
		cursor_restart(z, c, fi);
	/*
	 * Skip up to rel.  From the start every piece's hash is noted on
	 * the way; from an entry point only the piece asked for is
	 * checked, as nothing else of it is kept.
	 */
	while (c->dpos < rel) {
		gap = rel - c->dpos;
		want = gap < len ? gap : len;
		if ((n = step(z, c, out, want)) == -1)
			goto out;
		if ((size_t)n < want) {
			/* An open frame's end: closed, and rel past it. */
			if (c->from != NULL)
				goto restart;
			rc = 0;
			goto out;
		}
		/* (whole pieces only: a last, short piece cuts others) */
		if (c->from == NULL && gap >= PIECE && len == PIECE)
			(void)piece_check(z, es, c, out, PIECE,
			    c->dpos - PIECE);
	}
	if ((n = step(z, c, out, len)) == -1)
		goto out;
	/* A decoder from an entry point does not close an open frame. */
	if ((c->from != NULL && (size_t)n < len) ||
	    piece_check(z, es, c, out, (size_t)n, rel) == -1) {
restart:
		/* Decoded wrong from that entry point: from the start. */
		cursor_restart(z, c, fi);
		retried = 1;
		goto again;
	}
	rc = n;
out:
	if (rc == -1)
		c->frame = SIZE_MAX;
	return (rc);
}

static ssize_t
decode_part(struct zsrc *z, size_t fi, uint64_t rel, char *out, size_t len)
{
	struct zcursor *c = cursor_take(z, fi, rel, len);
	ssize_t rc;

	rc = decode_with(z, c, fi, rel, out, len);
	cursor_give(z, c);
	return (rc);
}

/*
 * A mount that loaded a saved tar index never scanned the archive, so a
 * big frame has no entry points yet: this thread decodes it once from
 * its start, with a cursor of its own and nothing put in the cache,
 * and leaves them (and the pieces' hashes) as the scan would have.
 */
static void *
scan_main(void *arg)
{
	struct zsrc *z = arg;
	const struct zframe *f;
	struct zentries *es;
	char *buf = xmalloc(PIECE);
	uint64_t rel, len;
	size_t fi;

	for (fi = 0; fi < z->idx.n; fi++) {
		f = &z->idx.f[fi];
		if (whole(z, fi) || (es = entries(z, fi)) == NULL ||
		    __atomic_load_n(&es->n, __ATOMIC_RELAXED) > 0)
			continue;
		for (rel = 0; rel < f->dsize; rel += PIECE) {
			if (__atomic_load_n(&z->scanstop, __ATOMIC_RELAXED) ||
			    __atomic_load_n(&es->n, __ATOMIC_RELAXED) ==
			    es->max)
				break;
			len = f->dsize - rel < PIECE ? f->dsize - rel : PIECE;
			if (decode_with(z, &z->scur, fi, rel, buf,
			    (size_t)len) == -1) {
				error_clear();
				break;
			}
		}
	}
	free(buf);
	return (NULL);
}

void
zsrc_background(struct zsrc *z)
{
	size_t fi;
	int want = 0;

	for (fi = 0; fi < z->idx.n; fi++)
		if (!whole(z, fi))
			want = 1;
	pthread_mutex_lock(&z->lock);
	if (want && !z->scanning) {
		z->scur.frame = z->scur.pframe = SIZE_MAX;
		if (pthread_create(&z->scan, NULL, scan_main, z) == 0)
			z->scanning = 1;
	}
	pthread_mutex_unlock(&z->lock);
}

/* Locked.  A buffer of exactly len bytes, or NULL: malloc one. */
static char *
spare_get(struct zsrc *z, size_t len)
{
	char *d;
	int i;

	for (i = z->nspare - 1; i >= 0; i--)
		if (z->spare[i].len == len) {
			d = z->spare[i].data;
			z->sparebytes -= len;
			z->spare[i] = z->spare[--z->nspare];
			return (d);
		}
	return (NULL);
}

/* Locked.  Keep d for a later piece of the same size, or free it. */
static void
spare_put(struct zsrc *z, char *d, size_t len)
{
	if (z->nspare < SPARE_MAX && z->sparebytes + len <= SPARE_BYTES) {
		z->spare[z->nspare].data = d;
		z->spare[z->nspare].len = len;
		z->nspare++;
		z->sparebytes += len;
	} else
		free(d);
}

static void
lru_unlink(struct zsrc *z, struct zpiece *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		z->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		z->tail = p->prev;
	p->prev = p->next = NULL;
}

static void
lru_front(struct zsrc *z, struct zpiece *p)
{
	p->prev = NULL;
	p->next = z->head;
	if (z->head)
		z->head->prev = p;
	z->head = p;
	if (z->tail == NULL)
		z->tail = p;
}

static struct zpiece **
bucket(struct zsrc *z, uint64_t key)
{
	return (&z->hash[(key / 4096 * 0x9E3779B97F4A7C15ULL >> 40) %
	    NBUCKET]);
}

static void
hash_remove(struct zsrc *z, struct zpiece *p)
{
	struct zpiece **pp;

	for (pp = bucket(z, p->key); *pp != p; pp = &(*pp)->hnext)
		;
	*pp = p->hnext;
}

/* Locked.  Drop least recently used pieces nobody is reading. */
static void
evict(struct zsrc *z)
{
	struct zpiece *p, *prev;

	for (p = z->tail; p != NULL && z->bytes > z->max; p = prev) {
		prev = p->prev;
		if (p->refs > 0)
			continue;
		lru_unlink(z, p);
		hash_remove(z, p);
		z->bytes -= p->len;
		spare_put(z, p->data, p->len);
		free(p);
	}
}

static size_t
find_frame(const struct zindex *idx, uint64_t off)
{
	size_t lo = 0, hi = idx->n, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (idx->f[mid].doff <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (lo);
}

static struct zpiece *
piece_get(struct zsrc *z, uint64_t off, int prefetching)
{
	struct zpiece *p;
	const struct zframe *f;
	size_t fi;
	uint64_t key, rel;
	size_t len;
	ssize_t r;

	fi = find_frame(&z->idx, off);
	f = &z->idx.f[fi];
	if (whole(z, fi)) {
		key = f->doff;
		len = f->dsize;
	} else {
		rel = (off - f->doff) / PIECE * PIECE;
		key = f->doff + rel;
		len = f->dsize - rel < PIECE ? f->dsize - rel : PIECE;
	}
	pthread_mutex_lock(&z->lock);
	if (!prefetching && whole(z, fi) && fi != z->lastframe) {
		if (fi == z->lastframe + 1 && z->maxworker > 0)
			prefetch(z, fi);
		z->lastframe = fi;
	}
	for (;;) {
		for (p = *bucket(z, key); p != NULL && p->key != key;
		    p = p->hnext)
			;
		if (p == NULL)
			break;
		if (prefetching) {	/* there, or being decoded */
			pthread_mutex_unlock(&z->lock);
			return (NULL);
		}
		if (p->ready) {
			p->refs++;
			lru_unlink(z, p);
			lru_front(z, p);
			z->hits++;
			pthread_mutex_unlock(&z->lock);
			return (p);
		}
		pthread_cond_wait(&z->cond, &z->lock);
	}
	p = xcalloc(1, sizeof(*p));
	p->key = key;
	p->len = len;
	p->refs = 1;
	p->hnext = *bucket(z, key);
	*bucket(z, key) = p;
	z->misses++;
	p->data = spare_get(z, len);
	pthread_mutex_unlock(&z->lock);

	if (p->data == NULL)
		p->data = xmalloc(len);
	if (whole(z, fi))
		r = decode_whole(z, f, p->data) == 0 ? (ssize_t)len : -1;
	else
		r = decode_part(z, fi, key - f->doff, p->data, len);

	pthread_mutex_lock(&z->lock);
	if (r <= 0) {		/* 0: past the end of an open frame */
		hash_remove(z, p);
		spare_put(z, p->data, len);
		pthread_cond_broadcast(&z->cond);
		pthread_mutex_unlock(&z->lock);
		free(p);
		return (NULL);
	}
	p->len = (size_t)r;	/* fewer where an open frame ended */
	p->ready = 1;
	lru_front(z, p);
	z->bytes += p->len;
	z->decoded += p->len;
	evict(z);
	pthread_cond_broadcast(&z->cond);
	pthread_mutex_unlock(&z->lock);
	return (p);
}

static void
piece_put(struct zsrc *z, struct zpiece *p)
{
	pthread_mutex_lock(&z->lock);
	p->refs--;
	evict(z);
	pthread_mutex_unlock(&z->lock);
}


static void *
worker_main(void *arg)
{
	struct zsrc *z = arg;
	struct zpiece *p;
	size_t fi;
	int i;

	pthread_mutex_lock(&z->lock);
	for (;;) {
		while (!z->stop && z->qn == 0)
			pthread_cond_wait(&z->qcond, &z->lock);
		if (z->stop)
			break;
		fi = z->q[0];
		for (i = 1; i < z->qn; i++)
			z->q[i - 1] = z->q[i];
		z->qn--;
		z->inflight++;
		pthread_mutex_unlock(&z->lock);
		/* NULL: cached, being decoded, or failed (the reader will
		   decode it and say why). */
		if ((p = piece_get(z, z->idx.f[fi].doff, 1)) != NULL)
			piece_put(z, p);
		pthread_mutex_lock(&z->lock);
		z->inflight--;
		pthread_cond_broadcast(&z->cond);
	}
	pthread_mutex_unlock(&z->lock);
	return (NULL);
}

/* Locked.  Queue the whole frames after fi that are not cached. */
static void
prefetch(struct zsrc *z, size_t fi)
{
	struct zpiece *p;
	uint64_t bytes = 0;
	size_t j;
	int i, queued;

	for (j = fi + 1; j < z->idx.n && j <= fi + PREFETCH; j++) {
		const struct zframe *f = &z->idx.f[j];

		if (!whole(z, j) || (bytes += f->dsize) > PREFETCH_BYTES)
			break;
		for (p = *bucket(z, f->doff); p != NULL && p->key != f->doff;
		    p = p->hnext)
			;
		for (queued = 0, i = 0; i < z->qn; i++)
			queued |= z->q[i] == j;
		if (p != NULL || queued)
			continue;
		if (z->qn == PREFETCH) {	/* drop the oldest */
			memmove(z->q, z->q + 1, (PREFETCH - 1) * sizeof(*z->q));
			z->qn--;
		}
		z->q[z->qn++] = j;
	}
	while (z->nworker < z->maxworker) {
		if (pthread_create(&z->worker[z->nworker], NULL, worker_main,
		    z) != 0) {
			z->maxworker = z->nworker;
			break;
		}
		z->nworker++;
	}
	pthread_cond_broadcast(&z->qcond);
}

/*
 * Threads do not survive fork(2) (the mount daemonizes after the scan),
 * and a condition variable that threads wait on is broken in the child:
 * before a fork, every zsrc's workers finish their frame and exit, and
 * its lock is held across the fork; they start again when next needed.
 */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct zsrc *all;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
fork_prepare(void)
{
	struct zsrc *z;
	int i, n;

	pthread_mutex_lock(&all_lock);
	for (z = all; z != NULL; z = z->allnext) {
		pthread_mutex_lock(&z->lock);
		z->stop = 1;
		z->qn = 0;
		n = z->nworker;
		pthread_cond_broadcast(&z->qcond);
		pthread_mutex_unlock(&z->lock);
		for (i = 0; i < n; i++)
			pthread_join(z->worker[i], NULL);
		pthread_mutex_lock(&z->lock);
		z->nworker = 0;
		z->stop = 0;
	}
}

static void
fork_parent(void)
{
	struct zsrc *z;

	for (z = all; z != NULL; z = z->allnext)
		pthread_mutex_unlock(&z->lock);
	pthread_mutex_unlock(&all_lock);
}

static void
fork_child(void)
{
	struct zsrc *z;

	for (z = all; z != NULL; z = z->allnext) {
		/* No thread of the parent waits on them here. */
		pthread_cond_init(&z->cond, NULL);
		pthread_cond_init(&z->qcond, NULL);
		pthread_mutex_unlock(&z->lock);
	}
	pthread_mutex_unlock(&all_lock);
}

static void
atfork_init(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

ssize_t
zsrc_pread(struct zsrc *z, void *buf, size_t len, uint64_t off)
{
	struct zpiece *p;
	size_t done = 0, n, at;

	if (off >= z->idx.dsize)
		return (0);
	if (len > z->idx.dsize - off)
		len = z->idx.dsize - off;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	while (done < len) {
		if ((p = piece_get(z, off + done, 0)) == NULL) {
			/* An open frame that ended before off + done. */
			if (off + done >= z->idx.dsize)
				break;
			error_wrap("%s", z->name);
			errno = EIO;
			return (-1);
		}
		at = off + done - p->key;
		if (at >= p->len) {	/* likewise */
			piece_put(z, p);
			break;
		}
		n = p->len - at < len - done ? p->len - at : len - done;
		memcpy((char *)buf + done, p->data + at, n);
		piece_put(z, p);
		done += n;
	}
	return ((ssize_t)done);
}

uint64_t
zsrc_size(struct zsrc *z)
{
	return (z->idx.dsize);
}

struct zsrc *
zsrc_open(int fd, const char *name, const char *index_path)
{
	return (zsrc_open_limits(fd, name, index_path, NULL));
}

static struct zsrc *
open_with(int fd, const char *name, const char *index_path,
    const struct zsrc_limits *lim, int lazy)
{
	struct zsrc *z;
	uint64_t w;
	int n;

	z = xcalloc(1, sizeof(*z));
	if ((z->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		error_sys("%s", name);
		free(z);
		return (NULL);
	}
	z->name = xstrdup(name);
	if (zindex_get(z->fd, name, index_path, &z->idx, &z->index_from,
	    1, lim, lazy) == -1) {
		close(z->fd);
		free(z->name);
		free(z);
		return (NULL);
	}
	pthread_mutex_init(&z->lock, NULL);
	pthread_cond_init(&z->cond, NULL);
	pthread_cond_init(&z->qcond, NULL);
	z->max = CACHE_DEFAULT;
	z->lastframe = SIZE_MAX - 1;
	z->pieced = SIZE_MAX;
	z->produced = z->idx.decompressed;	/* counted to index it */
	{
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		/* One CPU: the reader decodes; workers would only queue. */
		z->maxworker = ncpu < 2 ? 0 : ncpu > NWORKER_MAX ?
		    NWORKER_MAX : (int)ncpu;
	}
	pthread_once(&atfork_once, atfork_init);
	pthread_mutex_lock(&all_lock);
	z->allnext = all;
	all = z;
	pthread_mutex_unlock(&all_lock);
	/* Windows are unknown for seek tables: assume zstd -19's 8 MiB. */
	w = z->idx.window_max ? z->idx.window_max : (8U << 20);
	n = CURSOR_BUDGET / (w + PIECE);
	z->ncur = n < 1 ? 1 : n > NCURSOR_MAX ? NCURSOR_MAX : n;
	z->cur = xcalloc(z->ncur, sizeof(*z->cur));
	for (n = 0; n < z->ncur; n++)
		z->cur[n].frame = z->cur[n].pframe = SIZE_MAX;
	/* (an open frame: once it is closed, by zsrc_finish) */
	if (z->idx.origin == ZIDX_DECOMPRESSED && !z->idx.open)
		log_info(said, name);
	if (z->idx.n == 1 && z->idx.dsize > PIECE_MAX)
		log_info("%s: one zstd frame: random reads start at the "
		    "entry points a first scan of it leaves; `stasis tarfs "
		    "--compress` makes it seekable", name);
	log_debug("%s: %zu frames, %llu bytes, index from %s", name,
	    z->idx.n, (unsigned long long)z->idx.dsize, zsrc_index_from(z));
	return (z);
}

struct zsrc *
zsrc_open_limits(int fd, const char *name, const char *index_path,
    const struct zsrc_limits *lim)
{
	return (open_with(fd, name, index_path, lim, 0));
}

/*
 * Why a frame is left open rather than counted at open, and how a read
 * closes it: zstd.h.  A mount reads the headers from the start of the
 * stream to the end-of-archive marker, in order (tar_parse.c), so the
 * cursor that serves it has decoded nearly the whole frame when the
 * walk ends; counting the frame first decoded it all once more, and
 * was half the first mount's time.  The bound the walk sees instead of
 * the size is close (a zstd writer fills its blocks) and never short.
 */
struct zsrc *
zsrc_open_lazy(int fd, const char *name, const char *index_path,
    const struct zsrc_limits *lim)
{
	return (open_with(fd, name, index_path, lim, 1));
}

int
zsrc_exact(struct zsrc *z)
{
	return (!z->idx.open);
}

/*
 * Decode the rest of the open frame, from the decoder parked nearest
 * its end (where the reads stopped), to learn its size.  The pieces go
 * nowhere, but their hashes and the entry points are taken on the way,
 * as on any decoding from the start.
 */
int
zsrc_finish(struct zsrc *z)
{
	size_t fi = z->idx.n - 1;
	struct zcursor *c;
	uint64_t bound, rel, before;
	ssize_t n = 0;
	char *buf;

	if (!z->idx.open)
		return (0);
	bound = z->idx.f[fi].dsize;
	before = __atomic_load_n(&z->produced, __ATOMIC_RELAXED);
	c = cursor_take(z, fi, bound, 0);
	buf = xmalloc(PIECE);
	rel = c->frame == fi && c->from == NULL ? c->dpos : 0;
	while (z->idx.open) {
		if (rel > bound) {
			n = error_set("frame at offset %llu holds more than "
			    "its blocks can", (unsigned long long)
			    z->idx.f[fi].coff);
			c->frame = SIZE_MAX;
			break;
		}
		/*
		 * Pieces, as reads ask for them; at the bound (its last
		 * block full) only the checksum may be left: one byte more
		 * must not come.
		 */
		if (rel % PIECE != 0) {
			if ((n = step(z, c, buf, 1)) == -1)
				c->frame = SIZE_MAX;
		} else
			n = decode_with(z, c, fi, rel, buf, PIECE);
		if (n == -1)
			break;
		rel += (uint64_t)n;
	}
	free(buf);
	cursor_give(z, c);
	if (n == -1)
		return (-1);
	pthread_mutex_lock(&z->lock);
	z->idx.decompressed += __atomic_load_n(&z->produced,
	    __ATOMIC_RELAXED) - before;
	pthread_mutex_unlock(&z->lock);
	log_debug("%s: %llu bytes, %llu of them decoded after the reads",
	    z->name, (unsigned long long)z->idx.dsize,
	    (unsigned long long)z->idx.decompressed);
	return (0);
}

const struct zindex *
zsrc_index(struct zsrc *z, int *fd, const char **name, const char **from)
{
	*fd = z->fd;
	*name = z->name;
	*from = z->idx.origin == ZIDX_LOADED ? z->index_from : NULL;
	return (&z->idx);
}

const char *
zsrc_index_from(struct zsrc *z)
{
	switch (z->idx.origin) {
	case ZIDX_SEEKTABLE:
		return ("seek table");
	case ZIDX_LOADED:
		return (z->index_from);
	case ZIDX_WALKED:
		return ("frame headers");
	default:
		return ("decompression");
	}
}

int
zsrc_extra(struct zsrc *z, uint64_t *off, uint64_t *len)
{
	if (z->idx.origin != ZIDX_SEEKTABLE || z->idx.xlen < 8)
		return (0);
	*off = z->idx.dend + 8;
	*len = z->idx.xlen - 8;
	return (1);
}

void
zsrc_stats(struct zsrc *z, struct zsrc_stats *st)
{
	size_t i;

	pthread_mutex_lock(&z->lock);
	st->frames = z->idx.n;
	st->index_decompressed = z->idx.decompressed;
	st->hits = z->hits;
	st->misses = z->misses;
	st->decoded = z->decoded;
	st->cached = z->bytes;
	st->entries = 0;
	for (i = 0; z->entst != NULL && i < z->idx.n; i++)
		if (z->entst[i] == 1)
			st->entries += z->ent[i].n;
	st->resumed = z->resumed;
	st->refused = z->refused;
	st->produced = __atomic_load_n(&z->produced, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&z->lock);
	st->index_from = zsrc_index_from(z);
}

void
zsrc_set_cache(struct zsrc *z, size_t bytes)
{
	pthread_mutex_lock(&z->lock);
	z->max = bytes < PIECE ? PIECE : bytes;
	evict(z);
	pthread_mutex_unlock(&z->lock);
}

void
zsrc_close(struct zsrc *z)
{
	struct zpiece *p, *next;
	struct zsrc **pz;
	size_t k;
	int i;

	if (z == NULL)
		return;
	pthread_mutex_lock(&all_lock);
	for (pz = &all; *pz != NULL && *pz != z; pz = &(*pz)->allnext)
		;
	if (*pz != NULL)
		*pz = z->allnext;
	pthread_mutex_unlock(&all_lock);
	pthread_mutex_lock(&z->lock);
	z->stop = 1;
	pthread_cond_broadcast(&z->qcond);
	pthread_mutex_unlock(&z->lock);
	for (i = 0; i < z->nworker; i++)
		pthread_join(z->worker[i], NULL);
	if (z->scanning) {
		__atomic_store_n(&z->scanstop, 1, __ATOMIC_RELAXED);
		pthread_join(z->scan, NULL);
	}
	ZSTD_freeDCtx(z->scur.d);
	free(z->scur.in);
	free(z->scur.ring);
	free(z->scur.cwin);
	for (p = z->head; p != NULL; p = next) {
		next = p->next;
		free(p->data);
		free(p);
	}
	for (i = 0; i < z->nspare; i++)
		free(z->spare[i].data);
	for (i = 0; i < z->npool; i++)
		ZSTD_freeDCtx(z->pool[i]);
	for (i = 0; i < z->ncur; i++) {
		ZSTD_freeDCtx(z->cur[i].d);
		free(z->cur[i].in);
		free(z->cur[i].ring);
		free(z->cur[i].cwin);
	}
	free(z->cur);
	for (k = 0; z->entst != NULL && k < z->idx.n; k++)
		if (z->entst[k] == 1)
			zent_free(&z->ent[k]);
	free(z->ent);
	free(z->entst);
	pthread_mutex_destroy(&z->lock);
	pthread_cond_destroy(&z->cond);
	pthread_cond_destroy(&z->qcond);
	zindex_free(&z->idx);
	free(z->index_from);
	free(z->name);
	close(z->fd);
	free(z);
}
