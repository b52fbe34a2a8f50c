/*
 * Where ZFS datasets are mounted, from the kernel's mount table.  OpenZFS
 * on Linux says "zfs", zfs-fuse "fuse.zfs"; both name the dataset as the
 * source.  (FreeBSD would read getmntinfo(3) instead.)
 */
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "zfs/zfs.h"

static int
is_zfs(const struct mntent *m)
{
	return (strcmp(m->mnt_type, "zfs") == 0 ||
	    strcmp(m->mnt_type, "fuse.zfs") == 0);
}

/* The last matching entry wins: it is the one on top. */
static char *
lookup(const char *path, const char *ds)
{
	struct mntent *m;
	char *found = NULL;
	FILE *f;

	if ((f = setmntent("/proc/self/mounts", "r")) == NULL)
		return (NULL);
	while ((m = getmntent(f)) != NULL) {
		if (!is_zfs(m))
			continue;
		if (path != NULL && strcmp(m->mnt_dir, path) == 0) {
			free(found);
			found = xstrdup(m->mnt_fsname);
		} else if (ds != NULL && strcmp(m->mnt_fsname, ds) == 0) {
			free(found);
			found = xstrdup(m->mnt_dir);
		}
	}
	endmntent(f);
	return (found);
}

char *
zfs_mounted_on(const char *path)
{
	return (lookup(path, NULL));
}

char *
zfs_mountpoint_of(const char *ds)
{
	return (lookup(NULL, ds));
}
