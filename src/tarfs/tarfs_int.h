/*
 * tarfs internals shared by the index builder, the readers and the FUSE
 * operations.  Not part of the API: see tarfs.h.
 */
#ifndef STASIS_TARFS_INT_H
#define STASIS_TARFS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tarfs.h"

struct buf;

/*
 * The archive as an uncompressed byte range: a plain file read with
 * pread(2), a zstd file through zsrc_pread(), or bytes in memory.
 */
enum src_kind { SRC_FILE, SRC_ZSTD, SRC_MEM };

struct src {
	enum src_kind	 kind;
	int		 fd;
	struct zsrc	*z;
	const uint8_t	*mem;
	uint64_t	 size;		/* uncompressed bytes */
	uint64_t	 fsize;		/* the file: size and mtime, what */
	int64_t		 mtime;		/* a saved index is checked by */
	uint32_t	 mtime_ns;
	uint64_t	 dev, ino;	/* the cache's key, with the above */
};

/*
 * Opens path; detects zstd from the first bytes.  -1 and error_set.
 * A tar.zst whose last frame states no size may be left open (zstd.h,
 * zsrc_open_lazy): size is then a bound, never less than the true
 * size (src_exact 0), until src_finish decodes the rest of the frame.
 */
int	src_open(struct src *, const char *path, const char *zindex,
	    uint64_t max_ratio, uint64_t max_size);
int	src_exact(const struct src *);
int	src_finish(struct src *);
void	src_open_mem(struct src *, const void *, size_t);
/* Exactly len bytes at off, or -1 (short read or I/O error, errno). */
int	src_pread(const struct src *, void *, size_t, uint64_t off);
/*
 * At least min, at most len bytes at off (*got: how many): fewer than
 * len only at the end, which an open tar.zst may reach before size.
 */
int	src_pread_some(const struct src *, void *, size_t min, size_t len,
	    uint64_t off, size_t *got);
void	src_close(struct src *);
/* tar.zst: bytes of decompressed pieces kept (zsrc_set_cache). */
void	src_set_cache(struct src *, size_t);
/* tar.zst: entry points not left by a scan made now (zsrc_background). */
void	src_background(struct src *);
/* A plain tar file mapped whole, for the walk; NULL when not (zstd,
 * memory, empty, or mmap failed: then read with src_pread). */
const uint8_t *src_map(const struct src *);
void	src_unmap(const struct src *, const uint8_t *);

/*
 * One inode.  72 bytes; with its directory entry (16), its lookup
 * slots (16-32) and name, a file costs the index about 130 bytes
 * whatever its size.
 */
struct tf_inode {
	uint64_t	size;		/* st_size (real size if sparse) */
	uint64_t	data;		/* archive offset of the bytes;
					   symlink: pool offset of target;
					   sparse: first chunk; device: rdev */
	int64_t		mtime;
	uint32_t	mtime_ns;
	uint32_t	mode;		/* st_mode, type bits included */
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	nlink;
	uint32_t	nchunks;	/* sparse chunks; 0: contiguous */
	uint32_t	first;		/* directory: first child in kids[] */
	uint32_t	nkids;		/* directory: number of children */
	uint32_t	parent;		/* directory: its parent's index */
	uint32_t	flags;
#define TF_SPARSE	0x1		/* data, nchunks: the chunk map */
	uint64_t	stored;		/* bytes held in the archive */
};

/*
 * One name in one directory (hardlinks: several point at one inode).
 * 16 bytes, the saved index's layout too (idxfile.c), so a load reads
 * the entries straight into place.
 */
struct tf_dirent {
	uint32_t	name;		/* pool offset, NUL-terminated */
	uint32_t	namelen;
	uint32_t	parent;		/* inode index */
	uint32_t	ino;		/* inode index */
};

/*
 * One slot of the lookup table (open addressing, linear probing, at
 * most half full): the name's hash beside the entry, so that a probe
 * for a name not there (every new file of the walk) reads the table
 * alone, not the entries and names it passes.
 */
struct tf_slot {
	uint32_t	idx;		/* dirent index + 1; 0: empty */
	uint32_t	hash;
};

struct tf_chunk {
	uint64_t	off;		/* offset in the file */
	uint64_t	len;
	uint64_t	data;		/* offset in the archive */
};

struct tarfs {
	struct src	  src;
	struct tf_inode	 *inodes;
	size_t		  ninodes, capinodes;
	struct tf_dirent *dirents;
	size_t		  ndirents, capdirents;
	struct tf_slot	 *slots;	/* keyed by (parent, name) */
	size_t		  nslots;	/* a power of two, or 0 */
	uint32_t	 *kids;		/* dirent indexes grouped by parent */
	char		 *pool;
	size_t		  poollen, poolcap;
	struct tf_chunk	 *chunks;
	size_t		  nchunks, capchunks;
	int		  quiet;
	int		  loaded;	/* from a saved index */
	char		 *from;		/* which: its path, or "embedded" */
	char		 *archive;	/* its path, for the default index */
	uint64_t	  tarend;	/* where the headers ended: the end-
					   of-archive marker, or the end */
};

/* tar_parse.c, node.c */
int	tf_index_build(struct tarfs *);
void	tf_index_free(struct tarfs *);

/* idxfile.c: the index saved to a file, and loaded (and checked) back */
int	tf_index_save(const struct tarfs *, const char *path);
int	tf_index_load(struct tarfs *, const void *, size_t);
/*
 * The same bytes in a buffer, and loaded back: tarend 0 for a saved
 * index (checked against the archive's size and mtime), else the offset
 * of the end-of-archive marker of an embedded one (embed.c), which must
 * match and bounds every file's bytes.
 */
void	tf_index_encode(const struct tarfs *, struct buf *, uint64_t tarend);
int	tf_index_load_x(struct tarfs *, const void *, size_t,
	    uint64_t tarend);
/*
 * Where a load reads an index from, so that its arrays are read
 * straight into place: read gives exactly len bytes at off (0, or -1
 * with error_set), called in order, each byte of the index once; done
 * (may be NULL), after the last, says whether they may be used (a
 * checksum: 0, or -1 with error_set).
 */
struct tf_idxread {
	int	(*read)(struct tf_idxread *, void *, size_t, uint64_t off);
	int	(*done)(struct tf_idxread *);
};
int	tf_index_load_rd(struct tarfs *, struct tf_idxread *, size_t len,
	    uint64_t tarend);
/* A saved index file of at most max bytes. */
int	tf_index_load_file(struct tarfs *, const char *path, size_t max);

/* embed.c: the index embedded in the archive */
int	tf_embed_load(struct tarfs *);
/*
 * Its checksums: tf_sum64 whole (version 1), tf_sum over pieces in
 * either version (total: the bytes that will be added in all).
 */
struct tf_sum {
	uint64_t	h, lane[4];
	uint8_t		part[32];
	size_t		npart;
	int		version;
};
uint64_t tf_sum64(const void *, size_t, uint64_t seed);
void	tf_sum_init(struct tf_sum *, int version, uint64_t total,
	    uint64_t seed);
void	tf_sum_add(struct tf_sum *, const void *, size_t);
uint64_t tf_sum_end(struct tf_sum *);

#endif
