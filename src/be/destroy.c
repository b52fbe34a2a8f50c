/*
 * destroy and rename.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

int
be_destroy(struct be *b, const char *name, int flags, char **origin_kept)
{
	char *ds, *origin = NULL, *mp = NULL;
	int rc = -1;

	*origin_kept = NULL;
	if ((ds = be_existing(b, name)) == NULL)
		return (-1);
	if (strchr(name, '@') != NULL) {
		rc = zfs_destroy(ds, 0);
		free(ds);
		return (rc);
	}
	if ((b->rootfs != NULL && strcmp(ds, b->rootfs) == 0) ||
	    (b->bootfs != NULL && strcmp(ds, b->bootfs) == 0)) {
		error_set("cannot destroy active boot environment %s", name);
		goto out;
	}
	if ((mp = zfs_mountpoint_of(ds)) != NULL) {
		if (!(flags & BE_DESTROY_FORCE)) {
			error_set("boot environment %s is mounted at %s "
			    "(unmount it, or use -F)", name, mp);
			goto out;
		}
		if (be_unmount(b, name, 1) == -1)
			goto out;
	}
	if (zfs_get1(ds, "origin", &origin) == -1)
		goto out;
	if (zfs_destroy(ds, ZFS_DESTROY_RECURSIVE) == -1)
		goto out;
	rc = 0;
	if (b->bootonce != NULL && strcmp(b->bootonce, ds) == 0)
		rc = be_deactivate_temp(b);
	if (origin == NULL)
		goto out;
	if ((flags & BE_DESTROY_ORIGIN) || be_is_auto_snapname(origin)) {
		/*
		 * bectl's rule: the origin goes with -o, or when create
		 * made it; another BE cloned from it keeps it alive.
		 */
		if (zfs_destroy(origin, 0) == -1 &&
		    (flags & BE_DESTROY_ORIGIN)) {
			error_wrap("destroyed %s, but not its origin", name);
			rc = -1;
		}
		if (rc == 0)
			error_clear();
	} else {
		*origin_kept = origin;
		origin = NULL;
	}
out:
	free(mp);
	free(origin);
	free(ds);
	return (rc);
}

int
be_rename(struct be *b, const char *from, const char *to)
{
	char *src, *dst;
	int rc = -1, e;

	if (strchr(from, '@') != NULL || strchr(to, '@') != NULL)
		return (error_set("cannot rename snapshots with rename"));
	if (be_name_ok(to) == -1)
		return (-1);
	if ((src = be_existing(b, from)) == NULL)
		return (-1);
	dst = xasprintf("%s/%s", b->root, to);
	if ((e = zfs_exists(dst)) != 0) {
		if (e == 1)
			error_set("dataset %s already exists", dst);
		goto out;
	}
	if (zfs_rename(src, dst) == -1)
		goto out;
	rc = 0;
	/*
	 * bootfs follows the dataset; the one-shot name does not.  If it
	 * cannot be moved, the rename is undone: a one-shot naming a
	 * dataset that no longer exists would boot nothing.
	 */
	if (b->bootonce != NULL && strcmp(b->bootonce, src) == 0 &&
	    (rc = be_set_bootonce(b, dst)) == -1) {
		char *why = xstrdup(error_msg());

		if (zfs_rename(dst, src) == -1)
			error_wrap("cannot move the one-shot boot to %s (%s), "
			    "nor rename it back to %s", dst, why, src);
		else
			error_set("cannot move the one-shot boot to %s, "
			    "so %s keeps its name: %s", dst, src, why);
		free(why);
	}
	if (rc == 0)
		rc = be_refresh(b);
out:
	free(src);
	free(dst);
	return (rc);
}
