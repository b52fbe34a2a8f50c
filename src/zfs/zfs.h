/*
 * The zfs(8) and zpool(8) commands, driven with argv and read back in
 * their parsable output, so that the same code runs over OpenZFS on
 * FreeBSD and Linux and over zfs-fuse.  Only the forms every one of them
 * understands are used: `zfs get -H -p -o name,property,value` (zfs-fuse's
 * `zfs list` has no -p) and `zpool get PROP POOL` in its table form
 * (zfs-fuse's `zpool get` has no -H).
 *
 * The programs are "zfs" and "zpool" from PATH, or $STASIS_ZFS and
 * $STASIS_ZPOOL.  Every failing call returns -1 with error_set() holding
 * the tool's own message ("cannot open 'tank/x': dataset does not exist").
 */
#ifndef STASIS_ZFS_H
#define STASIS_ZFS_H

#include <sys/types.h>

#include <stddef.h>

#include "base/buf.h"

/* Bounds on what we accept from the tools (or from a fuzzer). */
#define ZFS_OUTPUT_MAX	(64u << 20)	/* all of one command's */
#define ZFS_LINE_MAX	16384		/* one line of it */
#define ZFS_NAME_MAX	255		/* a dataset name */

/* One dataset (or snapshot) and the properties asked for. */
struct zfs_ds {
	char		*name;
	struct strv	 props;		/* name, value, ... */
};

/* Datasets in the order the tool printed them. */
struct zfs_dslist {
	struct zfs_ds	*v;
	size_t		 n;
	size_t		 cap;
};

#define ZFS_DSLIST_INIT	{ NULL, 0, 0 }

/*
 * Parse `zfs get -H -p -o name,property,value` output (tab-separated).
 * Lines for the same dataset are merged.  -1 and error_set on malformed
 * input or past the bounds above.
 */
int		 zfs_parse_get(const char *, size_t, struct zfs_dslist *);
void		 zfs_dslist_free(struct zfs_dslist *);
struct zfs_ds	*zfs_dslist_find(const struct zfs_dslist *, const char *);
/* The value, or NULL when the property was not printed or is "-". */
const char	*zfs_ds_prop(const struct zfs_ds *, const char *);

/*
 * Parse `zpool get PROP POOL` output: either the table with a
 * "NAME PROPERTY VALUE SOURCE" header, or -H's tab-separated lines.
 * Stores a malloc'd value ("-" becomes NULL) for pool/prop.
 * Returns 0 when found, -1 and error_set otherwise.
 */
int		 zpool_parse_get(const char *, size_t, const char *pool,
		    const char *prop, char **value);

/* Is this a valid dataset name component (no '/', '@', '#', '%')? */
int		 zfs_component_ok(const char *);

/* Depth for zfs_get: the dataset alone, or all descendants. */
#define ZFS_DEPTH_SELF	0
#define ZFS_DEPTH_ALL	(-1)

/*
 * `zfs get -H -p -o name,property,value [-r | -d N] props ds`.
 * props is comma-separated.  Snapshots are included when recursing.
 */
int	zfs_get(const char *ds, const char *props, int depth,
	    struct zfs_dslist *);
/* One property of one dataset into *value (malloc'd; NULL for "-"). */
int	zfs_get1(const char *ds, const char *prop, char **value);
/* As zfs_get1, but only a value set on ds itself (-s local). */
int	zfs_get_local(const char *ds, const char *prop, char **value);
/* 1 exists, 0 does not, -1 the tool failed otherwise. */
int	zfs_exists(const char *ds);

int	zfs_set(const char *ds, const char *prop, const char *value);
int	zfs_inherit(const char *ds, const char *prop);
int	zfs_snapshot(const char *snap, int recursive);
/* props: NULL or a NULL-terminated list of "name=value". */
int	zfs_clone(const char *snap, const char *ds,
	    const char *const *props);
int	zfs_promote(const char *ds);
int	zfs_rename(const char *from, const char *to);

#define ZFS_DESTROY_RECURSIVE	0x01	/* -r: and what is below */
#define ZFS_DESTROY_FORCE	0x02	/* -f: unmount first */
int	zfs_destroy(const char *ds, int flags);

int	zfs_mount(const char *ds);
int	zfs_unmount(const char *ds, int force);

/* A pool on one file-backed vdev, with no mountpoint of its own. */
int	zpool_create_file(const char *pool, const char *file);
int	zpool_destroy(const char *pool);
int	zpool_get(const char *pool, const char *prop, char **value);
int	zpool_set(const char *pool, const char *prop, const char *value);

/*
 * Streams.  zfs_send_start runs `zfs send SNAP` writing to outfd;
 * zfs_recv_start runs `zfs receive DS` reading from infd.  Both return a
 * handle whose zfs_stream_wait collects the exit status and the tool's
 * stderr: 0 on success, -1 and error_set with its message otherwise.
 */
struct zfs_stream {
	pid_t	 pid;
	int	 errfd;		/* its stderr, a pipe (up to 64 KiB) */
	char	*what;		/* "receive tank/ROOT/x" */
};

int	zfs_send_start(struct zfs_stream *, const char *snap, int outfd);
int	zfs_recv_start(struct zfs_stream *, const char *ds, int infd);
int	zfs_stream_wait(struct zfs_stream *);
/* Has it exited?  1 yes (zfs_stream_wait then collects it), 0 no. */
int	zfs_stream_exited(struct zfs_stream *);
/* Kill it (SIGTERM), then wait; the result is discarded. */
void	zfs_stream_kill(struct zfs_stream *);

/* The pool of a dataset name ("tank" for "tank/ROOT/x"), malloc'd. */
char	*zfs_pool_of(const char *ds);

/* The dataset mounted on path, from the mount table, or NULL. */
char	*zfs_mounted_on(const char *path);
/* Where ds is mounted now, from the mount table, or NULL. */
char	*zfs_mountpoint_of(const char *ds);

#endif
