/*
 * Images: a directory tree made into something a server boots from.
 * Minimal for now: a full ZFS send stream of the tree, built in a scratch
 * file-backed pool, which `stasis sync-be` receives as a boot environment.
 */
#ifndef STASIS_IMAGE_H
#define STASIS_IMAGE_H

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

#endif
