/*
 * create: a BE is a clone of a snapshot of another BE, as libbe makes it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

#define AUTO_FMT	"%Y-%m-%d-%H:%M:%S"

char *
be_auto_snapname(const char *ds)
{
	char stamp[64], *s;
	time_t now = time(NULL);
	struct tm tm;
	int i;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), AUTO_FMT, &tm);
	for (i = 0; i < 1000; i++) {
		s = xasprintf("%s@%s-%d", ds, stamp, i);
		if (zfs_exists(s) != 1)
			return (s);
		free(s);
	}
	error_set("no free snapshot name for %s", ds);
	return (NULL);
}

int
be_is_auto_snapname(const char *snap)
{
	const char *at = strchr(snap, '@');
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (at == NULL)
		return (0);
	end = strptime(at + 1, AUTO_FMT, &tm);
	return (end != NULL && (*end == '\0' || *end == '-'));
}

/* The filesystems at and below ds, parents first. */
static int
filesystems(const char *ds, struct strv *out)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	const char *t;
	size_t i;

	if (zfs_get(ds, "type", ZFS_DEPTH_ALL, &l) == -1)
		return (-1);
	for (i = 0; i < l.n; i++)
		if ((t = zfs_ds_prop(&l.v[i], "type")) != NULL &&
		    strcmp(t, "filesystem") == 0)
			strv_push(out, l.v[i].name);
	zfs_dslist_free(&l);
	return (0);
}

static int
snapshot_only(struct be *b, const char *name, int recursive)
{
	char *snap, *ds;
	int rc;

	if ((snap = be_dataset(b, name)) == NULL)
		return (-1);
	ds = xstrndup(snap, strcspn(snap, "@"));
	if (zfs_exists(ds) != 1) {
		error_set("boot environment %.*s does not exist",
		    (int)strcspn(name, "@"), name);
		rc = -1;
	} else if (zfs_exists(snap) == 1)
		rc = error_set("snapshot %s already exists", snap);
	else
		rc = zfs_snapshot(snap, recursive);
	free(ds);
	free(snap);
	return (rc);
}

/* Clone srcds@snapname (and below, if recursive) to target. */
static int
clone_tree(const struct be *b, const char *srcds, const char *snapname,
    const char *target, int recursive, struct strv *made)
{
	struct strv fss = STRV_INIT;
	/*
	 * zfs-fuse mounts a fresh clone whatever its canmount says, so
	 * the clone starts with no mountpoint and gets "/" once it exists
	 * unmounted (setting it then mounts nothing).
	 */
	const char *top[] = { "canmount=noauto", "mountpoint=none", NULL };
	const char *child[] = { "canmount=noauto", NULL };
	size_t i, sl = strlen(srcds);
	char *snap, *dst;
	int rc = 0;

	if (recursive) {
		if (filesystems(srcds, &fss) == -1)
			return (-1);
	} else
		strv_push(&fss, srcds);
	for (i = 0; i < fss.n && rc == 0; i++) {
		if (be_interrupted(b)) {
			rc = -1;
			break;
		}
		snap = xasprintf("%s@%s", fss.v[i], snapname);
		dst = xasprintf("%s%s", target, fss.v[i] + sl);
		rc = zfs_clone(snap, dst, i == 0 ? top : child);
		if (rc == 0)
			strv_push(made, dst);
		else {
			/* A failed clone may still have made dst. */
			char *m = xstrdup(error_msg());

			if (zfs_exists(dst) == 1)
				strv_push(made, dst);
			error_set("%s", m);
			free(m);
		}
		free(snap);
		free(dst);
	}
	if (rc == 0)
		rc = zfs_set(target, "mountpoint", "/");
	strv_free(&fss);
	return (rc);
}

int
be_create(struct be *b, const char *name, const char *from, int recursive)
{
	struct strv made = STRV_INIT;
	char *target = NULL, *src = NULL, *snap = NULL, *autosnap = NULL;
	const char *snapname;
	int rc = -1, e;

	if (strchr(name, '@') != NULL)
		return (snapshot_only(b, name, recursive));
	if (be_name_ok(name) == -1)
		return (-1);
	target = xasprintf("%s/%s", b->root, name);
	if ((e = zfs_exists(target)) != 0) {
		if (e == 1)
			error_set("dataset %s already exists", target);
		goto out;
	}
	if (from == NULL) {
		if (b->rootfs == NULL) {
			error_set("no running boot environment to copy "
			    "(/ is not on ZFS); use -e");
			goto out;
		}
		src = xstrdup(b->rootfs);
	} else if (strchr(from, '@') != NULL) {
		if ((snap = be_existing(b, from)) == NULL)
			goto out;
		src = xstrndup(snap, strcspn(snap, "@"));
	} else if ((src = be_existing(b, from)) == NULL)
		goto out;
	if (snap == NULL) {
		if ((autosnap = be_auto_snapname(src)) == NULL ||
		    zfs_snapshot(autosnap, recursive) == -1)
			goto out;
		if (be_interrupted(b))
			goto out;
		snap = xstrdup(autosnap);
	}
	snapname = strchr(snap, '@') + 1;
	rc = clone_tree(b, src, snapname, target, recursive, &made);
	/* Not done until it says so: a late interrupt undoes it too. */
	if (rc == 0 && be_interrupted(b))
		rc = -1;
out:
	if (rc == -1) {
		/* Undo: the clones we made, then our snapshot. */
		char *msg = xstrdup(error_msg());

		while (made.n > 0)
			(void)zfs_destroy(made.v[--made.n], 0);
		if (autosnap != NULL && zfs_exists(autosnap) == 1)
			(void)zfs_destroy(autosnap, recursive ?
			    ZFS_DESTROY_RECURSIVE : 0);
		error_set("%s", msg);
		free(msg);
	}
	strv_free(&made);
	free(target);
	free(src);
	free(snap);
	free(autosnap);
	return (rc);
}
