/*
 * activate: the pool's bootfs names the BE every boot uses; -t records a
 * one-shot choice instead (see docs/be.md for where and why there).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/spawn.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

/*
 * On FreeBSD the loader reads the one-shot choice from the pool label,
 * which only zfsbootcfg(8) writes; use it when it is there.
 */
static void
zfsbootcfg(const char *pool, const char *value)
{
	struct buf out = BUF_INIT;

	if (access("/sbin/zfsbootcfg", X_OK) != 0)
		return;
	(void)spawn_cmd(&out, "/sbin/zfsbootcfg", "-z", pool, value, NULL);
	buf_free(&out);
	error_clear();
}

/* The one-shot choice, for a dataset known to exist. */
int
be_set_bootonce(struct be *b, const char *ds)
{
	char *v = xasprintf("zfs:%s:", ds);
	int rc;

	if ((rc = zfs_set(b->pool, BE_BOOTONCE_PROP, v)) == 0) {
		zfsbootcfg(b->pool, v);
		free(b->bootonce);
		b->bootonce = xstrdup(ds);
	}
	free(v);
	return (rc);
}

int
be_activate(struct be *b, const char *name, int temporary)
{
	char *ds, *origin = NULL, *mp;
	int i, rc = -1;

	if ((ds = be_existing(b, name)) == NULL)
		return (-1);
	if (strchr(name, '@') != NULL) {
		error_set("cannot activate a snapshot (%s)", name);
		goto out;
	}
	if (temporary) {
		rc = be_set_bootonce(b, ds);
		free(ds);
		return (rc);
	}
	/* A BE that was a clone stops depending on its origin. */
	for (i = 0; i < 64; i++) {
		free(origin);
		if (zfs_get1(ds, "origin", &origin) == -1)
			goto out;
		if (origin == NULL)
			break;
		if (zfs_promote(ds) == -1)
			goto out;
	}
	if (zfs_set(ds, "canmount", "noauto") == -1)
		goto out;
	/* A BE mounted by `be mount` gets "/" back at umount. */
	if ((mp = zfs_mountpoint_of(ds)) == NULL) {
		if (zfs_set(ds, "mountpoint", "/") == -1)
			goto out;
	}
	free(mp);
	if (zpool_set(b->pool, "bootfs", ds) == -1)
		goto out;
	rc = 0;
	if (b->bootonce != NULL)
		rc = be_deactivate_temp(b);
out:
	free(origin);
	free(ds);
	if (rc == 0)
		rc = be_refresh(b);
	return (rc);
}

int
be_deactivate_temp(struct be *b)
{
	char *v;

	if (zfs_get_local(b->pool, BE_BOOTONCE_PROP, &v) == -1)
		return (-1);
	if (v != NULL && zfs_inherit(b->pool, BE_BOOTONCE_PROP) == -1) {
		free(v);
		return (-1);
	}
	if (v != NULL)
		zfsbootcfg(b->pool, "");
	free(v);
	return (be_refresh(b));
}
