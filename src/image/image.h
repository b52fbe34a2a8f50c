/*
 * Images: a directory tree made into something a server boots from or
 * mounts: a full ZFS send stream of the tree, built in a scratch
 * file-backed pool, which `stasis sync-be` receives as a boot environment;
 * or a reproducible tar (optionally a seekable tar.zst) that `stasis
 * tarfs` mounts and jails use as their root.
 */
#ifndef STASIS_IMAGE_H
#define STASIS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct image_zfs_opts {
	const char	*dir;		/* the tree */
	const char	*snapname;	/* the stream's snapshot name */
	const char	*workdir;	/* for the scratch pool's file */
	int		 outfd;		/* the stream */
	int		 quiet;		/* no progress, no summary */
	volatile int	*stop;		/* set by a signal handler */
};

/*
 * Write a full ZFS send stream holding dir's files (owners, modes, times,
 * symlinks, devices as `cp -a` keeps them) to outfd.  The scratch pool is
 * destroyed whatever happens.  *bytes receives the stream's length.
 */
int	image_zfs_stream(const struct image_zfs_opts *, uint64_t *bytes);
/*
 * The same into the file out, atomically: a temporary name in out's
 * directory, renamed over out only when the stream is complete; on any
 * failure out is left as it was (o->outfd is not used).
 */
int	image_zfs_file(const struct image_zfs_opts *, const char *out,
	    uint64_t *bytes);

struct image_tar_opts {
	const char	*dir;		/* the tree */
	int		 outfd;		/* image_tar_write's output */
	int		 self_fd;	/* >0: a file never archived (the
					   output, when outfd is a pipe) */
	int		 quiet;		/* no progress, summary, warnings */
	int		 owner_root;	/* every uid and gid 0 */
	int		 cross_mounts;	/* descend into other file systems */
	int		 clamp;		/* mtimes above max_mtime become it */
	int		 no_embed;	/* image_tar_file: no tarfs index in
					   the file */
	int64_t		 max_mtime;
	volatile int	*stop;		/* set by a signal handler */
};

struct image_tar_stats {
	uint64_t	 entries;	/* headers written, pax ones excluded */
	uint64_t	 bytes;		/* the tar's length */
	uint64_t	 skipped;	/* sockets, the output file itself */
	uint64_t	 zbytes;	/* the tar.zst's length (-z) */
};

/*
 * Write dir as a reproducible POSIX (pax) tar to outfd: entries named as
 * `tar -C dir .` names them ("./", "./etc/", "./etc/passwd"), a
 * directory's entries sorted bytewise right after it, numeric owners
 * only, no atime/ctime, pax headers only where ustar has no room.
 * Symlinks are never followed and other file systems are not entered
 * (unless cross_mounts).  The same tree gives the same bytes.
 */
int	image_tar_write(const struct image_tar_opts *,
	    struct image_tar_stats *);

/*
 * The same into the file out, atomically: a temporary name in out's
 * directory, renamed over out only when everything worked.  With zstd,
 * out is a seekable tar.zst made by `stasis tarfs --compress` fed
 * through a pipe.  `stasis tarfs --index --embed` then puts the tarfs
 * index into it (after the tar's end-of-archive marker, or in a
 * skippable frame of the tar.zst); with no_embed, a tar is left as it
 * is and a tar.zst gets its indexes saved beside it (out.tfidx).
 */
int	image_tar_file(const struct image_tar_opts *, const char *out,
	    int zstd, struct image_tar_stats *);

#endif
