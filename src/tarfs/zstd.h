/*
 * Random access into a zstd-compressed tar: the contract between the
 * tarfs filesystem (which sees only an uncompressed byte range) and the
 * zstd layer.  A seekable-format seek table is used when the file has
 * one; otherwise a frame (and, for single-frame files, checkpoint) index
 * is built once and may be saved beside the archive or in a cache dir,
 * so a remount need not decompress anything.  Memory is bounded by the
 * index and a small cache of decompressed blocks, never the archive.
 */
#ifndef STASIS_TARFS_ZSTD_H
#define STASIS_TARFS_ZSTD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct zsrc;

/* Nonzero if the bytes begin a zstd frame (or skippable frame). */
int		 zstd_magic(const void *head, size_t len);

/*
 * Open fd (a zstd file) for random reads.  index_path: where a saved
 * index is looked for (NULL: "<archive>.zidx" beside it, then the cache
 * dir); name is the archive's path, for messages and the default index
 * location.  NULL with error_set() on failure.
 */
struct zsrc	*zsrc_open(int fd, const char *name, const char *index_path);

/*
 * Decompression bombs: what an archive may expand to.  A frame of RLE
 * blocks turns 4 bytes into 128 KiB, so a 32 MiB file can claim 1 TiB,
 * and skipping through it (or counting a frame that does not state its
 * size) costs time in proportion.  The uncompressed size may be at most
 * max_ratio times the compressed file's size (never less than
 * ZSRC_RATIO_FLOOR, so small archives of zeros pass), and at most
 * max_size; 0 turns either check off.  Checked on the sizes the index
 * claims before anything is decompressed, and on the bytes produced
 * while counting a frame that does not state its size, so a bomb is
 * refused at mount, naming the frame's offset, in time proportional to
 * its compressed size.
 */
#define ZSRC_MAX_RATIO		100
#define ZSRC_RATIO_FLOOR	(UINT64_C(1) << 30)
struct zsrc_limits {
	uint64_t	 max_ratio;	/* 0: no ratio limit */
	uint64_t	 max_size;	/* uncompressed bytes; 0: no limit */
};
/* NULL limits: ZSRC_MAX_RATIO, no size limit. */
struct zsrc	*zsrc_open_limits(int fd, const char *name,
		    const char *index_path, const struct zsrc_limits *);
/*
 * A frame that does not state its size (`zstd < pipe`, `tar --zstd`)
 * is decompressed at open only to count its bytes.  A caller that will
 * read the stream from its start anyway (the mount's header walk) need
 * not pay for that pass: zsrc_open_lazy leaves such a frame open when
 * it is the last one and bigger than 8 MiB, and zsrc_size() is then
 * the most its blocks can hold (zsrc_exact() 0), an upper bound; a
 * read past the true end returns short and makes it the size.
 * zsrc_finish() decodes what the reads left of the frame (from where
 * they stopped) and makes the size exact: -1 with error_set() naming
 * the frame when it is corrupt.  Until then the zsrc is for one thread.
 * The bomb limits hold: a frame is left open only when its bound is
 * within them.
 */
struct zsrc	*zsrc_open_lazy(int fd, const char *name,
		    const char *index_path, const struct zsrc_limits *);
int		 zsrc_exact(struct zsrc *);
int		 zsrc_finish(struct zsrc *);
/* Thread-safe: called from every FUSE worker at once. */
ssize_t		 zsrc_pread(struct zsrc *, void *buf, size_t len,
		    uint64_t off);
uint64_t	 zsrc_size(struct zsrc *);	/* uncompressed bytes */
void		 zsrc_close(struct zsrc *);

/*
 * Additions (the zstd helper's, beside the contract above):
 * zsrc_pread fails with -1, errno EIO and error_msg() naming the frame
 * when the archive is corrupt there; zsrc_open dup()s fd (the caller
 * keeps and closes its own).  Where the index came from ("seek table",
 * the index file's path, "frame headers", "decompression") and counters,
 * for -o debug and tests; the cache size (default 16 MiB, at least 1 MiB).
 */
struct zsrc_stats {
	const char	*index_from;
	uint64_t	 frames;
	uint64_t	 index_decompressed;	/* bytes decoded to index */
	uint64_t	 hits, misses;		/* cache, in pieces */
	uint64_t	 decoded;		/* bytes decoded for reads */
	uint64_t	 cached;		/* bytes in the cache now */
	uint64_t	 entries;		/* entry points into big frames */
	uint64_t	 resumed;		/* decodes started at one */
	uint64_t	 refused;		/* pieces from one that differed */
	uint64_t	 produced;		/* bytes decompressed, all told */
};
const char	*zsrc_index_from(struct zsrc *);
/*
 * Decode each big frame that has no entry points yet once, in a thread
 * of its own (a mount that loaded a saved index did not scan it).  Call
 * after any fork; zsrc_close stops it.
 */
void		 zsrc_background(struct zsrc *);
void		 zsrc_stats(struct zsrc *, struct zsrc_stats *);
void		 zsrc_set_cache(struct zsrc *, size_t bytes);

/* stasis tarfs --index: build (if needed) and write the index. */
int		 zstd_write_index(const char *archive, const char *index_path,
		    const struct zsrc_limits *, int quiet);
/* The same from an open zsrc, once zsrc_exact (zsrc_finish). */
int		 zsrc_write_index(struct zsrc *, const char *index_path,
		    int quiet);
/* stasis tarfs --compress: tar -> seekable tar.zst (frame_size bytes
   of input per frame; 0: a default); quiet: no bar, no summary. */
int		 zstd_compress_seekable(const char *in, const char *out,
		    size_t frame_size, int level, int quiet);

/*
 * The extra frame: one skippable frame between the last data frame and
 * the seek table, where stasis embeds the tarfs index (tarfs.h).  The
 * table's entries sum to where it starts; other readers never see it.
 * zsrc_extra: where its payload (after the 8-byte frame header) lies in
 * the file: 1, or 0 when there is none (or no seek table).
 */
int		 zsrc_extra(struct zsrc *, uint64_t *off, uint64_t *len);
struct zextra {
	const void	*data;
	size_t		 len;
	uint64_t	 insize;	/* written only if the input had
					   exactly this many bytes */
};
/* zstd_compress_seekable with an extra frame (NULL: none). */
int		 zstd_compress_seekable_x(const char *in, const char *out,
		    size_t frame_size, int level, int quiet,
		    const struct zextra *);
/*
 * Put data (len 0: nothing) as the extra frame of the seekable file at
 * path, in place of any there: what follows the data frames is
 * rewritten and fsync'd; on failure it is written back as it was.
 */
int		 zstd_set_extra(const char *path, const void *data,
		    size_t len);

#endif
