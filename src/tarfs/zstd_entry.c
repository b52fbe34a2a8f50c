/*
 * Entry points into one big zstd frame: the checkpoints of the index a
 * one-frame tar.zst (`zstd FILE`, `tar --zstd`) gets on its first mount,
 * so that a random read decodes from the nearest one instead of from the
 * start of the frame.
 *
 * A frame can be entered at a block boundary given what a block may
 * refer to: the window of output before it, the entropy tables of the
 * block before, and the three repeat offsets.  libzstd exports only the
 * first: a decoder handed the window as a prefix (ZSTD_DCtx_refPrefix)
 * and a made-up frame header, then fed the frame's blocks from the
 * boundary on, decodes them right unless one of them leans on the
 * tables or offsets it lacks.  On tar.zst files of /usr at levels 1 to
 * 19, 46% to 88% of boundaries decode right; the rest fail or, worse,
 * decode to other bytes (docs/tarfs-zstd.md has the table).  So an entry point is only taken once its
 * first PRECHECK bytes decoded from it equal what the from-the-start
 * decoder produced (zstd_src.c captures both), and every piece a
 * resumed decoder produces is checked against the hash the from-start
 * decoder left for that piece; a piece with no hash, or another one,
 * is decoded from the start instead and the entry point is dropped.
 *
 * Memory: each entry point keeps its window (2 MiB at zstd's default
 * level 3), so their number is bounded by a budget (ZENT_BUDGET) and
 * they are spread evenly over the frame.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "base/buf.h"
#include "base/err.h"
#include "tarfs/zstd_int.h"

/* Frames whose window is bigger (zstd --long) get no entry points. */
#define WINDOW_MAX	(8U << 20)

int
zent_init(struct zentries *es, const struct zframe *f, const void *fhdr,
    size_t fhlen, size_t piece)
{
	ZSTD_frameHeader fh;
	size_t per;
	int e = 0;

	memset(es, 0, sizeof(*es));
	if (ZSTD_getFrameHeader(&fh, fhdr, fhlen) != 0 ||
	    fh.frameType != ZSTD_frame || fh.dictID != 0 ||
	    fh.windowSize == 0 || fh.windowSize > WINDOW_MAX)
		return (-1);
	es->window = (uint32_t)fh.windowSize;
	per = es->window > piece ? es->window : piece;
	es->max = ZENT_BUDGET / per;
	if (es->max < 2)
		return (-1);
	es->spacing = f->dsize / (es->max + 1);
	if (es->spacing < 4 * piece)
		es->spacing = 4 * piece;
	es->next = es->spacing;
	es->e = xcalloc(es->max, sizeof(*es->e));
	es->nph = (size_t)((f->dsize + piece - 1) / piece);
	es->ph = xcalloc(es->nph, sizeof(*es->ph));
	/*
	 * The header a resumed decoder starts with: no size, no checksum
	 * (the frame's own would cover bytes it never saw), a window of
	 * at least the frame's (a power of two; Window_Descriptor with no
	 * mantissa).
	 */
	while ((1ULL << (10 + e)) < fh.windowSize)
		e++;
	zput32(es->hdr, ZSTD_FRAME_MAGIC);
	es->hdr[4] = 0;
	es->hdr[5] = (uint8_t)(e << 3);
	return (0);
}

void
zent_free(struct zentries *es)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		free(es->e[i].win);
	free(es->e);
	free(es->ph);
	memset(es, 0, sizeof(*es));
}

/* Locked by the caller.  The entry point nearest at or before rel. */
struct zentry *
zent_find(struct zentries *es, uint64_t rel)
{
	struct zentry *best = NULL;
	size_t i;

	for (i = 0; i < es->n && es->e[i].rel <= rel; i++)
		if (!es->e[i].bad)
			best = &es->e[i];
	return (best);
}

/* Locked by the caller.  Keep win (now ours); 0, or -1 when full. */
int
zent_add(struct zentries *es, uint64_t cin, uint64_t rel, char *win,
    size_t wlen)
{
	struct zentry *e;

	if (es->n == es->max || (es->n > 0 && es->e[es->n - 1].rel >= rel))
		return (-1);
	e = &es->e[es->n];
	e->cin = cin;
	e->rel = rel;
	e->win = win;
	e->wlen = wlen;
	e->bad = 0;
	/* Decoders glance at these without the lock (zstd_src.c). */
	__atomic_store_n(&es->n, es->n + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&es->next, rel + es->spacing, __ATOMIC_RELAXED);
	return (0);
}

/*
 * Make d decode from e: the window as its prefix, then the made-up
 * header, whose bytes the caller feeds before the blocks at e->cin.
 */
int
zent_resume(const struct zentries *es, const struct zentry *e,
    ZSTD_DCtx *d)
{
	size_t pl = e->wlen < es->window ? e->wlen : es->window;
	size_t r;

	ZSTD_DCtx_reset(d, ZSTD_reset_session_and_parameters);
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
	    ZSTD_WINDOWLOG_LIMIT_DEFAULT);
	r = ZSTD_DCtx_refPrefix(d, e->win + e->wlen - pl, pl);
	if (ZSTD_isError(r))
		return (error_set("zstd entry point: %s",
		    ZSTD_getErrorName(r)));
	return (0);
}

/*
 * Decode n bytes from a candidate entry point (its window win, wlen, at
 * compressed offset cin) and compare them with want: 1 the same, 0 not
 * (or it failed to decode), -1 on a read error.
 */
int
zent_check(int fd, const struct zentries *es, uint64_t cin, uint64_t end,
    char *win, size_t wlen, const char *want, size_t n, ZSTD_DCtx *d)
{
	struct zentry e = { cin, 0, win, wlen, 0 };
	ZSTD_outBuffer o;
	ZSTD_inBuffer i;
	char *out, *in;
	size_t insz = ZSTD_DStreamInSize(), r, k;
	int same = 0;

	if (zent_resume(es, &e, d) == -1)
		return (-1);
	out = xmalloc(n);
	in = xmalloc(insz);
	o = (ZSTD_outBuffer){ out, n, 0 };
	i = (ZSTD_inBuffer){ es->hdr, sizeof(es->hdr), 0 };
	r = ZSTD_decompressStream(d, &o, &i);
	while (!ZSTD_isError(r) && o.pos < o.size && cin < end) {
		k = end - cin < insz ? (size_t)(end - cin) : insz;
		if (zpread_all(fd, in, k, cin) == -1) {
			same = -1;
			goto out;
		}
		cin += k;
		i = (ZSTD_inBuffer){ in, k, 0 };
		while (i.pos < i.size && o.pos < o.size) {
			r = ZSTD_decompressStream(d, &o, &i);
			if (ZSTD_isError(r) || r == 0)
				break;
		}
		if (ZSTD_isError(r) || r == 0)
			break;
	}
	same = !ZSTD_isError(r) && o.pos == n && memcmp(out, want, n) == 0;
out:
	free(in);
	free(out);
	return (same);
}

/*
 * A 64-bit hash of a piece, to tell a piece decoded from an entry point
 * from the one decoded from the start: eight lanes of xxHash64's round,
 * independent so that the multiplies overlap and hashing costs a
 * fraction of decoding.  Never 0 (0: no hash yet).
 */
#define P1	0x9E3779B185EBCA87ULL
#define P2	0xC2B2AE3D27D4EB4FULL
#define ROTL(x, r)	(((x) << (r)) | ((x) >> (64 - (r))))
#define LANES	8

static inline uint64_t
round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = ROTL(acc, 31);
	return (acc * P1);
}

uint64_t
zent_hash(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t v[LANES], w, h = n * P1;
	size_t i;
	int k;

	for (k = 0; k < LANES; k++)
		v[k] = P1 * (uint64_t)(k + 1);
	for (; n >= 8 * LANES; p += 8 * LANES, n -= 8 * LANES)
		for (k = 0; k < LANES; k++) {
			memcpy(&w, p + 8 * k, 8);
			v[k] = round64(v[k], w);
		}
	for (k = 0; k < LANES; k++)
		h = round64(h ^ v[k], (uint64_t)k);
	for (i = 0; i < n; i++)
		h = round64(h, p[i]);
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	return (h | 1);
}
