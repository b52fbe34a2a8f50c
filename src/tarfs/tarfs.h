/*
 * tarfs: a tarball (plain or zstd-compressed) as a read-only filesystem.
 *
 * tarfs_open() reads every header once and builds a compact index (one
 * array of inodes, one of directory entries, a string pool and a hash
 * for lookups); file data is never copied, reads go to the archive.
 * tarfs_mount() serves that index through FUSE (lowlevel API, many
 * threads).  The lookup and read functions are what the FUSE operations
 * call, and what the unit tests and the fuzzer drive without a mount.
 */
#ifndef STASIS_TARFS_H
#define STASIS_TARFS_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

struct tarfs;

/* Inode numbers as FUSE sees them: the root is 1. */
#define TARFS_ROOT_INO	1

/* Limits on what a hostile archive can make us hold. */
#define TARFS_MAX_NAME		65536	/* GNU long names, pax path */
#define TARFS_MAX_PAX		(1 << 20)	/* one pax header's data */
#define TARFS_MAX_DEPTH		1024	/* path components */
#define TARFS_MAX_SPARSE	(1 << 20)	/* chunks in one sparse file */

struct tarfs_open_opts {
	const char	*zindex;	/* zstd index file (NULL: default) */
	const char	*tarindex;	/* saved index (NULL: ARCHIVE.tfidx) */
	int		 quiet;		/* no progress bar, no warnings */
	int		 rebuild;	/* ignore a saved index */
	int		 save;	/* none found: save one (tarfs_save_index) */
	/* tar.zst bomb limits (zstd.h): 0 the default, UINT64_MAX none */
	uint64_t	 max_ratio;	/* uncompressed / compressed size */
	uint64_t	 max_size;	/* uncompressed bytes */
	size_t		 cache;		/* tar.zst piece cache; 0: 16 MiB */
};

/*
 * Open and index an archive.  NULL with error_set() on failure; the
 * message names the byte offset of a corrupt or truncated header.
 */
struct tarfs	*tarfs_open(const char *archive,
		    const struct tarfs_open_opts *);
/* The same over bytes in memory (tests, the fuzzer); buf must outlive. */
struct tarfs	*tarfs_open_mem(const void *buf, size_t len);
/* From a saved index (idx) over an archive in memory (tests, fuzzer). */
struct tarfs	*tarfs_open_index_mem(const void *idx, size_t idxlen,
		    const void *buf, size_t len);
/*
 * Save the index to path (NULL: ARCHIVE.tfidx, or the cache dir when
 * the archive's directory is not writable), atomically, so that the
 * next tarfs_open() of an unchanged archive need not read it.  *where
 * (if not NULL) gets the path written, to free(3).
 */
int		 tarfs_save_index(const struct tarfs *, const char *path,
		    char **where);
/*
 * For a tar.zst, save the zstd layer's random-access index (zstd.h) to
 * path (NULL: ARCHIVE.zidx, or the cache dir), from what tarfs_open()
 * learned; says what it wrote unless quiet.  0 for a plain tar.
 */
int		 tarfs_save_zindex(struct tarfs *, const char *path,
		    int quiet);
/* Whether tarfs_open() loaded a saved index (1) or read the archive. */
int		 tarfs_from_index(const struct tarfs *);
/* Which: "embedded" (in the archive), the index file's path, or NULL. */
const char	*tarfs_index_from(const struct tarfs *);

/*
 * The index embedded in the archive itself, found by tarfs_open()
 * before any index file (unless opts->tarindex names one, or rebuild)
 * and ignored unless it checks out (embed.c says how).
 * tarfs_embed_index() reads the archive's headers and embeds the index
 * in place: after a plain tar's end-of-archive marker (replacing one
 * already there), or in a skippable frame before a seekable tar.zst's
 * seek table.  On failure the archive is left as it was, byte for byte.
 * *count (if not NULL) gets the number of inodes.
 */
int		 tarfs_embed_index(const char *archive,
		    const struct tarfs_open_opts *, uint64_t *count);
/*
 * stasis tarfs --compress: the tar in (or "-", stdin) to a seekable
 * tar.zst out (or "-", stdout) of frame bytes per frame (0: default) at
 * level; embed: with the index in it (from stdin only into a file).
 */
int		 tarfs_compress(const char *in, const char *out, size_t frame,
		    int level, int quiet, int embed);
/* 0 in a binary linked without the compressor (stasis-tarfs). */
int		 tarfs_can_compress(void);
void		 tarfs_close(struct tarfs *);

/* Number of inodes (root included), and of index bytes held. */
uint64_t	 tarfs_count(const struct tarfs *);
size_t		 tarfs_memory(const struct tarfs *);
/* "tar" or "tar.zst". */
const char	*tarfs_format(const struct tarfs *);

/* The child called name in directory dir: its inode, or 0 (errno). */
uint64_t	 tarfs_lookup(const struct tarfs *, uint64_t dir,
		    const char *name);
/* Walk a path from the root ("a/b/c"); 0 and errno when missing. */
uint64_t	 tarfs_resolve(const struct tarfs *, const char *path);
int		 tarfs_stat(const struct tarfs *, uint64_t ino, struct stat *);
/* A symlink's target (NUL-terminated, owned by the index). */
const char	*tarfs_readlink(const struct tarfs *, uint64_t ino);
/*
 * Entry number idx of directory ino ("." and ".." are 0 and 1): fills
 * name and child; 1 on success, 0 at the end, -1 (errno) on error.
 */
int		 tarfs_readdir(const struct tarfs *, uint64_t ino, uint64_t idx,
		    const char **name, uint64_t *child);
/* Read file bytes; -1 with errno EIO when the archive fails there. */
ssize_t		 tarfs_read(const struct tarfs *, uint64_t ino, void *buf,
		    size_t len, uint64_t off);
/*
 * For zero-copy reads of plain tar: the archive fd and the archive
 * offset where ino's bytes lie contiguously; -1 when not so (sparse,
 * compressed, or not a regular file).
 */
int		 tarfs_data_fd(const struct tarfs *, uint64_t ino,
		    uint64_t *archive_off);

struct tarfs_mount_opts {
	const char	*fsname;	/* shown by mount(8): the archive */
	const char	*fuse_opts;	/* extra -o options for FUSE */
	int		 foreground;
	int		 debug;
	int		 threads;	/* max worker threads; 0: default */
	unsigned	 readahead_kb;	/* the mount's readahead; 0: kernel's */
};

/*
 * Mount t on dir and serve it until unmounted.  Daemonizes unless
 * foreground (after the mount succeeded, so errors still reach the
 * caller's terminal).  Returns 0 after a clean unmount.
 */
int		 tarfs_mount(struct tarfs *, const char *dir,
		    const struct tarfs_mount_opts *);

#endif
