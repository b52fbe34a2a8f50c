/*
 * Boot environments on ZFS, as FreeBSD's libbe keeps them: every BE is a
 * filesystem directly under the BE root (zroot/ROOT/default), with
 * canmount=noauto and mountpoint=/; the pool's bootfs names the one the
 * next boot uses, and a one-shot "bootonce" choice overrides it once.
 * sync-be (receive an image stream as a new BE, carry the machine's own
 * state into it, activate it once) is built on the same handle.
 *
 * Every function returns -1 (or NULL) with error_set() on failure and
 * leaves the pool as it found it.
 */
#ifndef STASIS_BE_H
#define STASIS_BE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/buf.h"

/* Where the one-shot choice is recorded (see docs/be.md). */
#define BE_BOOTONCE_PROP	"freebsd:bootonce"
/* What mount saved to restore at umount. */
#define BE_SAVED_MP_PROP	"org.stasis:mountpoint"

struct be {
	char	*root;		/* zroot/ROOT */
	char	*pool;		/* zroot */
	char	*rootfs;	/* the running BE's dataset, or NULL */
	char	*bootfs;	/* the pool's bootfs, or NULL */
	char	*bootonce;	/* the one-shot BE's dataset, or NULL */
	/*
	 * Set by the caller's signal handler: create, mount, export and
	 * import then stop at the next safe point, undo what they made,
	 * and fail with "interrupted"; the others finish.
	 */
	volatile int	*stop;
};

/*
 * Find the BE root: beroot if given, else $STASIS_BEROOT, else the parent
 * of the dataset mounted on "/".  The running BE is the dataset on "/",
 * or $STASIS_BE_ROOTFS (so tests can say which BE "runs" on a test pool).
 */
int	be_open(struct be *, const char *beroot);
/* As be_open; BE_OPEN_NOBOOT skips reading bootfs and bootonce. */
#define BE_OPEN_NOBOOT	0x01
int	be_open_flags(struct be *, const char *beroot, int flags);
void	be_close(struct be *);

/* "zroot/ROOT/NAME" for a name (or NAME@snap), validated; malloc'd. */
char	*be_dataset(const struct be *, const char *name);
/* Is name a valid BE name?  error_set if not. */
int	be_name_ok(const char *name);

struct be_info {
	char		*name;		/* "default"; "ds@s" */
	char		*dataset;
	char		*origin;	/* NULL when none */
	char		*mounted;	/* where it is mounted, or NULL */
	uint64_t	 used;
	uint64_t	 origin_used;	/* the origin snapshot's used */
	uint64_t	 origin_ds_used;	/* its dataset's (-D) */
	time_t		 origin_creation;
	time_t		 creation;
	int		 active;	/* N: running now */
	int		 nextboot;	/* R: the pool's bootfs */
	int		 bootonce;	/* T: for the next boot only */
	char		*sortval;	/* the -c/-C property's value */
	struct be_info	*snaps;		/* for -s */
	size_t		 nsnaps;
};

struct be_list {
	struct be_info	*v;
	size_t		 n;
};

#define BE_LIST_SNAPS	0x01

/* sortprop may be NULL (by name); reverse for -C. */
int	be_list(struct be *, int flags, const char *sortprop, int reverse,
	    struct be_list *);
void	be_list_free(struct be_list *);

/*
 * create NAME from the running BE, or from "BE" or "BE@snap" (from);
 * recursive clones the datasets below it too.  create NAME@snap when name
 * has an '@'.
 */
int	be_create(struct be *, const char *name, const char *from,
	    int recursive);

int	be_activate(struct be *, const char *name, int temporary);
/* activate -T: remove the one-shot choice. */
int	be_deactivate_temp(struct be *);

#define BE_DESTROY_FORCE	0x01	/* -F: unmount first */
#define BE_DESTROY_ORIGIN	0x02	/* -o: the origin snapshot too */
/* origin_kept receives the origin left in place (bectl's notice). */
int	be_destroy(struct be *, const char *name, int flags,
	    char **origin_kept);

int	be_rename(struct be *, const char *from, const char *to);

/* mount at dir, or a fresh /tmp/be_mount.XXXX; *where gets the path. */
int	be_mount(struct be *, const char *name, const char *dir,
	    char **where);
int	be_unmount(struct be *, const char *name, int force);
/* Mount/unmount any dataset at dir by the same means (sync-be, image). */
int	be_mount_dataset(const char *ds, const char *dir);
int	be_unmount_dataset(const char *ds, int force);

/* export: a full stream of a fresh snapshot to fd; import: from fd. */
int	be_export(struct be *, const char *name, int fd);
int	be_import(struct be *, const char *name, int fd);

/* check: the BE root is there and every BE is sane; problems listed. */
int	be_check(struct be *, struct strv *problems);

/*
 * sync-be's CONF: the local state to carry into a new BE.  One path or
 * glob per line, absolute; '#' comments; a leading '?' makes a literal
 * path optional.  Bounded: SYNCCONF_MAX bytes, SYNCCONF_ENTRIES lines.
 */
#define SYNCCONF_MAX		(1u << 20)
#define SYNCCONF_ENTRIES	10000
#define SYNCCONF_LINE_MAX	4096

struct syncconf_entry {
	char	*pattern;	/* cleaned, absolute */
	int	 optional;
	int	 glob;		/* has *, ? or [ */
	int	 line;
};

struct syncconf {
	struct syncconf_entry	*v;
	size_t			 n;
};

int	syncconf_parse(const char *text, size_t len, const char *file,
	    struct syncconf *);
int	syncconf_load(const char *path, struct syncconf *);
void	syncconf_free(struct syncconf *);
/*
 * Expand the entries against srcroot ("/" normally): the paths (absolute,
 * relative to srcroot) that exist and will be copied, in CONF order,
 * without duplicates.  A missing literal path that is not optional is an
 * error.
 */
int	syncconf_expand(const struct syncconf *, const char *srcroot,
	    struct strv *paths);

/*
 * Copy one path (absolute, as from syncconf_expand) from srcroot into
 * dstroot, replacing what is there: files, symlinks, whole directory
 * trees; owners, modes and times kept.  Parents missing in dstroot are
 * made with the source's parents' attributes.  Never follows a symlink
 * inside dstroot.  *bytes grows by what was copied.
 */
int	be_copy_path(const char *srcroot, const char *dstroot,
	    const char *path, uint64_t *bytes);

struct syncbe_opts {
	const char	*name;		/* the new BE */
	const char	*conf;		/* CONF file */
	const char	*srcroot;	/* where the local state is; "/" */
	int		 infd;		/* the stream */
	int		 dry_run;	/* list what would be copied */
	int		 quiet;		/* no progress, no summary */
	int		 no_activate;	/* leave activation alone */
	uint64_t	 size_hint;	/* stream size for the bar, or 0 */
	const char	*pubkey;	/* the stream must carry a signature */
	const char	*sigfile;	/* by pubkey, in sigfile (signify) */
	const char	*spooldir;	/* a piped signed stream waits here */
	uint64_t	 spool_max;	/* its size limit; 0: from free space */
	volatile int	*stop;		/* set by a signal handler */
};

int	be_sync(struct be *, const struct syncbe_opts *);
/* Remove what a dead sync-be left (temporary datasets); count them. */
int	be_sync_cleanup(struct be *, int *removed);

#endif
