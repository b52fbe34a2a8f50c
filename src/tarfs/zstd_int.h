/*
 * Internals of the zstd layer, shared by zstd_*.c only (tarfs sees
 * zstd.h).  The index is a sorted table of the frames that hold data:
 * where each one starts in the compressed file, how long it is there,
 * and which uncompressed range it produces.  It comes from a seekable
 * format seek table, a saved index file, or a walk over the frame
 * headers.
 */
#ifndef STASIS_TARFS_ZSTD_INT_H
#define STASIS_TARFS_ZSTD_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "tarfs/zstd.h"

#define ZSTD_FRAME_MAGIC	0xFD2FB528U
#define ZSTD_SKIP_MAGIC		0x184D2A50U	/* low 4 bits free */
#define ZSTD_SKIP_MASK		0xFFFFFFF0U
#define ZSEEK_SKIP_MAGIC	0x184D2A5EU
/* The extra frame tarfs writes before the seek table (zstd.h). */
#define ZSTD_EXTRA_MAGIC	0x184D2A53U
#define ZSEEK_MAGIC		0x8F92EAB1U
#define ZSEEK_FOOTER		9
/*
 * At most this many frames in any index: 4M frames of 1 MiB is 4 TiB of
 * tar, and the table costs 128 MiB; a hostile seek table or index file
 * claiming more is refused before anything is allocated.
 */
#define ZIDX_MAX_FRAMES		(1U << 22)
/* One frame's uncompressed size, as the seekable format bounds it. */
#define ZSEEK_MAX_FRAME_DSIZE	0x40000000U

struct zframe {
	uint64_t	coff;		/* offset of the frame in the file */
	uint64_t	csize;		/* compressed bytes, header included */
	uint64_t	doff;		/* first uncompressed byte */
	uint64_t	dsize;		/* uncompressed bytes (> 0) */
};

enum zidx_origin {
	ZIDX_SEEKTABLE = 1,	/* the file's own seek table */
	ZIDX_LOADED,		/* a saved index file */
	ZIDX_WALKED,		/* frame headers walked, nothing decompressed */
	ZIDX_DECOMPRESSED	/* some frame had no size: decompressed */
};

struct zindex {
	struct zframe	*f;		/* data frames only, by doff */
	size_t		 n;
	size_t		 cap;
	uint64_t	 dsize;		/* total uncompressed size */
	enum zidx_origin origin;
	uint64_t	 decompressed;	/* bytes decompressed to build it */
	uint32_t	 window_max;	/* largest window seen (0: unknown) */
	/*
	 * Seek tables only: where the data frames end, and the length of
	 * the one skippable frame between them and the table (0: none).
	 */
	uint64_t	 dend;
	uint64_t	 xlen;
	/*
	 * The last frame is open: it states no size and was not counted
	 * (zindex_walk's lazy), so its dsize, and the total, are only
	 * what its blocks can hold, until zsrc_finish.
	 */
	int		 open;
};

/* What identifies the archive an index belongs to. */
struct zkey {
	uint64_t	dev, ino, size, mtime_sec, mtime_nsec;
};

void	 zindex_free(struct zindex *);
/* Append a data frame (dsize > 0) after the last one; -1 on a bound. */
int	 zindex_add(struct zindex *, uint64_t coff, uint64_t csize,
	    uint64_t dsize);
int	 zkey_of(int fd, struct zkey *);
/* The open archive's index, fd, name, and the saved index it came from
   (NULL if none), for zsrc_write_index. */
const struct zindex *zsrc_index(struct zsrc *, int *fd, const char **name,
	    const char **from);

/*
 * Seek table (zstd_seek.c).  zseek_parse reads a table from the last
 * tlen bytes of a file of fsize bytes (tail holds them): 1 when there
 * is one (idx filled), 0 when the file has none, -1 when it has a
 * broken one.  The frames it lists may be followed by one skippable
 * frame before the table (zstd.h's extra frame): its header is checked
 * when tail holds it, else by zseek_read, which does the same on an fd.
 */
int	 zseek_parse(const uint8_t *tail, size_t tlen, uint64_t fsize,
	    struct zindex *);
int	 zseek_read(int fd, uint64_t fsize, const char *name,
	    struct zindex *);
/* Whether h (8 bytes) heads one skippable frame of exactly xlen bytes. */
int	 zseek_gap_ok(const uint8_t *h, uint64_t xlen);
/* Append the seek table frame for these entries to out. */
void	 zseek_table(struct buf *out, const uint32_t *csize,
	    const uint32_t *dsize, const uint32_t *csum, size_t n);

/*
 * Frame walk (zstd_index.c): headers and block headers, decompressing
 * only frames that do not state their size.  verbose: a progress bar on
 * a terminal.  lazy: the last frame, if it states no size and its
 * blocks can hold more than ZIDX_OPEN_MIN (and no more than the bomb
 * limit allows), is left open instead of counted (zsrc_open_lazy).
 */
#define ZIDX_OPEN_MIN	(8U << 20)	/* zstd_src.c's PIECE_MAX */
int	 zindex_walk(int fd, uint64_t fsize, const char *name,
	    struct zindex *, int verbose, const struct zsrc_limits *,
	    int lazy);
/* seek table, else the saved index, else a walk; lim: NULL defaults */
int	 zindex_get(int fd, const char *name, const char *index_path,
	    struct zindex *, char **loaded_from, int verbose,
	    const struct zsrc_limits *, int lazy);
/*
 * Bomb limits (zstd.h): the most uncompressed bytes a file of fsize
 * bytes may hold (UINT64_MAX: no limit), and a check of an index
 * against it: -1 with error_set() naming the first frame past it.
 */
uint64_t zlimit_bytes(const struct zsrc_limits *, uint64_t fsize);
int	 zindex_check(const struct zindex *, const struct zsrc_limits *,
	    uint64_t fsize);

/* Index files (zstd_idxfile.c).  Untrusted input: validated. */
void	 zidx_encode(const struct zindex *, const struct zkey *,
	    struct buf *);
int	 zidx_decode(const void *, size_t, const struct zkey *,
	    struct zindex *);
int	 zidx_load(const char *path, const struct zkey *, struct zindex *);
int	 zidx_save(const char *path, const struct zindex *,
	    const struct zkey *);
/* $XDG_CACHE_HOME/stasis/tarfs/<key>.zidx (or /var/cache/...); malloc'd */
char	*zidx_cache_path(const struct zkey *);
char	*zidx_beside_path(const char *archive);

/* pread(2) all of it; end of file is an error naming the offset. */
int	 zpread_all(int fd, void *, size_t, uint64_t off);
uint32_t zle32(const uint8_t *);
uint64_t zle64(const uint8_t *);
void	 zput32(uint8_t *, uint32_t);
void	 zput64(uint8_t *, uint64_t);

/*
 * Entry points into one big frame (zstd_entry.c says how and why): a
 * block boundary, the window of output before it, whether it ever
 * decoded wrong; and the hashes of the frame's pieces as decoded from
 * the start, which every piece decoded from an entry point must match.
 */
#define ZENT_BUDGET	(32U << 20)	/* windows kept, per frame */
#define ZENT_PRECHECK	(64U << 10)	/* bytes a candidate must match */

struct zentry {
	uint64_t	 cin;		/* a block header, in the file */
	uint64_t	 rel;		/* its output offset in the frame */
	char		*win;		/* output before rel (its window) */
	size_t		 wlen;
	int		 bad;
};

struct zentries {
	struct zentry	*e;		/* by rel */
	size_t		 n, max;
	uint32_t	 window;
	uint64_t	 spacing;
	uint64_t	 next;		/* the next one is wanted from here */
	uint64_t	*ph;		/* per piece: its hash, or 0 */
	size_t		 nph;
	uint8_t		 hdr[6];	/* what a resumed decoder starts with */
};

struct ZSTD_DCtx_s;
/* -1: this frame gets none (its window is too big, say) */
int	 zent_init(struct zentries *, const struct zframe *,
	    const void *fhdr, size_t fhlen, size_t piece);
void	 zent_free(struct zentries *);
struct zentry *zent_find(struct zentries *, uint64_t rel);
int	 zent_add(struct zentries *, uint64_t cin, uint64_t rel, char *win,
	    size_t wlen);
int	 zent_resume(const struct zentries *, const struct zentry *,
	    struct ZSTD_DCtx_s *);
int	 zent_check(int fd, const struct zentries *, uint64_t cin,
	    uint64_t end, char *win, size_t wlen, const char *want, size_t n,
	    struct ZSTD_DCtx_s *);
uint64_t zent_hash(const void *, size_t);

/* The extra skippable frame holding data, appended to out (zstd_extra.c). */
int	 zextra_frame(struct buf *out, const void *data, size_t len);

#endif
