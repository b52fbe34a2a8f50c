/*
 * export and import: a BE as a full ZFS send stream and back.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

/*
 * A BE named without a snapshot is sent from one made for the purpose,
 * and that snapshot is destroyed again when the stream ends, sent or
 * not: it would otherwise pin the BE's blocks, one more per export
 * (FreeBSD's bectl leaves it; `export be@snap` sends a kept one).
 */
int
be_export(struct be *b, const char *name, int fd)
{
	struct zfs_stream s;
	char *ds, *snap = NULL;
	int rc = -1, made = 0;

	if ((ds = be_existing(b, name)) == NULL)
		return (-1);
	if (strchr(name, '@') != NULL)
		snap = xstrdup(ds);
	else if ((snap = be_auto_snapname(ds)) == NULL ||
	    zfs_snapshot(snap, 0) == -1)
		goto out;
	else
		made = 1;
	if (zfs_send_start(&s, snap, fd) == -1)
		goto out;
	rc = zfs_stream_wait(&s);
out:
	if (made) {
		char *msg = xstrdup(error_msg());

		/* A whole stream is not failed for it, but it is said. */
		if (zfs_destroy(snap, 0) == -1 && rc == 0)
			log_warn("export %s: could not destroy the snapshot "
			    "%s: %s", name, snap, error_msg());
		if (rc == -1)
			error_set("%s", msg);
		free(msg);
	}
	free(snap);
	free(ds);
	return (rc);
}

int
be_import(struct be *b, const char *name, int fd)
{
	struct zfs_stream s;
	char *ds;
	int e, rc = -1;

	if (strchr(name, '@') != NULL)
		return (error_set("import names a boot environment, "
		    "not a snapshot (%s)", name));
	if ((ds = be_dataset(b, name)) == NULL)
		return (-1);
	if ((e = zfs_exists(ds)) != 0) {
		if (e == 1)
			error_set("dataset %s already exists", ds);
		goto out;
	}
	if (zfs_recv_start(&s, ds, fd) == -1)
		goto out;
	if (zfs_stream_wait(&s) == -1 || be_make_bootable(ds) == -1)
		goto undo;
	rc = 0;
	goto out;
undo:
	{
		char *msg = xstrdup(error_msg());

		if (zfs_exists(ds) == 1)
			(void)zfs_destroy(ds, ZFS_DESTROY_RECURSIVE |
			    ZFS_DESTROY_FORCE);
		error_set("%s", msg);
		free(msg);
	}
out:
	free(ds);
	return (rc);
}
