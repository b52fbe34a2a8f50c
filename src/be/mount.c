/*
 * mount and umount.  zfs-fuse cannot mount a dataset anywhere but at its
 * mountpoint property (no `mount -t zfs`, no temporary mount options), so
 * mounting sets the property to the directory, after saving the old value
 * in a user property; unmounting puts it back, and only once the dataset
 * is unmounted: a BE's own mountpoint is "/", and setting that on a
 * mounted dataset would remount it over the running root.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/path.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

#define TMP_PREFIX	"/tmp/be_mount."

/* Descendant filesystems that mount by themselves under their parent. */
static int
children(const char *ds, struct strv *out)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	const char *t, *cm;
	size_t i;

	if (zfs_get(ds, "type,canmount", ZFS_DEPTH_ALL, &l) == -1)
		return (-1);
	for (i = 0; i < l.n; i++) {
		t = zfs_ds_prop(&l.v[i], "type");
		cm = zfs_ds_prop(&l.v[i], "canmount");
		if (strcmp(l.v[i].name, ds) != 0 && t != NULL &&
		    strcmp(t, "filesystem") == 0 && cm != NULL &&
		    strcmp(cm, "on") == 0)
			strv_push(out, l.v[i].name);
	}
	zfs_dslist_free(&l);
	return (0);
}

static int
restore(const char *ds)
{
	char *saved;
	int rc;

	if (zfs_get_local(ds, BE_SAVED_MP_PROP, &saved) == -1)
		return (-1);
	if (saved == NULL)
		return (0);
	if (strcmp(saved, "inherited") == 0)
		rc = zfs_inherit(ds, "mountpoint");
	else
		rc = zfs_set(ds, "mountpoint", saved);
	if (rc == 0)
		rc = zfs_inherit(ds, BE_SAVED_MP_PROP);
	free(saved);
	return (rc);
}

int
be_mount_dataset(const char *ds, const char *dir)
{
	struct strv kids = STRV_INIT;
	char *mp, *old;
	size_t i;
	int rc = -1;

	if ((mp = zfs_mountpoint_of(ds)) != NULL) {
		error_set("%s is already mounted at %s", ds, mp);
		free(mp);
		return (-1);
	}
	if (*dir != '/')
		return (error_set("mount point %s is not absolute", dir));
	if (zfs_get_local(ds, "mountpoint", &old) == -1)
		return (-1);
	if (zfs_set(ds, BE_SAVED_MP_PROP, old != NULL ? old : "inherited")
	    == -1)
		goto out;
	if (zfs_set(ds, "mountpoint", dir) == -1) {
		(void)zfs_inherit(ds, BE_SAVED_MP_PROP);
		goto out;
	}
	/* Setting the property may have mounted it already. */
	if ((mp = zfs_mountpoint_of(ds)) == NULL && zfs_mount(ds) == -1)
		goto undo;
	free(mp);
	if (children(ds, &kids) == -1)
		goto undo;
	for (i = 0; i < kids.n; i++) {
		if ((mp = zfs_mountpoint_of(kids.v[i])) != NULL) {
			free(mp);
			continue;
		}
		if (zfs_mount(kids.v[i]) == -1)
			goto undo;
	}
	rc = 0;
	goto out;
undo:
	{
		char *msg = xstrdup(error_msg());

		(void)be_unmount_dataset(ds, 1);
		error_set("%s", msg);
		free(msg);
	}
out:
	strv_free(&kids);
	free(old);
	return (rc);
}

int
be_unmount_dataset(const char *ds, int force)
{
	struct strv kids = STRV_INIT;
	char *mp;
	size_t i;
	int rc = 0;

	if (children(ds, &kids) == 0) {
		for (i = kids.n; i > 0 && rc == 0; i--) {
			if ((mp = zfs_mountpoint_of(kids.v[i - 1])) == NULL)
				continue;
			free(mp);
			rc = zfs_unmount(kids.v[i - 1], force);
		}
	}
	strv_free(&kids);
	if (rc == -1)
		return (-1);
	if ((mp = zfs_mountpoint_of(ds)) != NULL) {
		free(mp);
		if (zfs_unmount(ds, force) == -1)
			return (-1);
	}
	/* Never restore "/" while it is mounted: see the top comment. */
	if ((mp = zfs_mountpoint_of(ds)) != NULL) {
		free(mp);
		return (error_set("%s is still mounted", ds));
	}
	return (restore(ds));
}

int
be_mount(struct be *b, const char *name, const char *dir, char **where)
{
	char *ds, *tmp = NULL;
	char real[PATH_MAX];
	struct stat st;
	int rc = -1;

	*where = NULL;
	if ((ds = be_existing(b, name)) == NULL)
		return (-1);
	if (strchr(name, '@') != NULL) {
		error_set("cannot mount a snapshot (%s)", name);
		goto out;
	}
	if (b->rootfs != NULL && strcmp(ds, b->rootfs) == 0) {
		error_set("boot environment %s is the running one, "
		    "mounted at /", name);
		goto out;
	}
	if (dir == NULL) {
		if ((tmp = path_mkdtemp(TMP_PREFIX "XXXXXX")) == NULL)
			goto out;
		dir = tmp;
	} else if (stat(dir, &st) == -1) {
		error_sys("mount point %s", dir);
		goto out;
	} else if (!S_ISDIR(st.st_mode)) {
		error_set("mount point %s is not a directory", dir);
		goto out;
	}
	if (realpath(dir, real) == NULL) {
		error_sys("mount point %s", dir);
		goto out;
	}
	if (strcmp(real, "/") == 0) {
		error_set("refusing to mount %s on /", name);
		goto out;
	}
	if (be_mount_dataset(ds, real) == -1)
		goto out;
	if (be_interrupted(b)) {
		(void)be_unmount_dataset(ds, 1);
		error_set("interrupted");
		goto out;
	}
	*where = xstrdup(real);
	rc = 0;
out:
	if (rc == -1 && tmp != NULL)
		rmdir(tmp);
	free(tmp);
	free(ds);
	return (rc);
}

int
be_unmount(struct be *b, const char *name, int force)
{
	char *ds, *mp;
	int rc;

	if ((ds = be_existing(b, name)) == NULL)
		return (-1);
	if ((mp = zfs_mountpoint_of(ds)) == NULL) {
		error_set("boot environment %s is not mounted", name);
		free(ds);
		return (-1);
	}
	if (b->rootfs != NULL && strcmp(ds, b->rootfs) == 0)
		rc = error_set("boot environment %s is the running one",
		    name);
	else
		rc = be_unmount_dataset(ds, force);
	/* The directory mount made for it goes with it. */
	if (rc == 0 && str_startswith(mp, TMP_PREFIX))
		(void)rmdir(mp);
	free(mp);
	free(ds);
	return (rc);
}
