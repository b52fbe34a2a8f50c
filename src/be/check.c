/*
 * check: what bectl check promises (the BE root is usable), plus the
 * leftovers only we can leave: a mount's saved mountpoint on a BE that is
 * no longer mounted, and sync-be's temporary datasets.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

int
be_check(struct be *b, struct strv *problems)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	const char *n, *t, *cm;
	size_t i, rl = strlen(b->root);
	char *mp, *saved;

	if (zfs_get(b->root, "type,canmount", 1, &l) == -1)
		return (error_wrap("check %s", b->root));
	for (i = 0; i < l.n; i++) {
		n = l.v[i].name;
		t = zfs_ds_prop(&l.v[i], "type");
		if (t == NULL || strcmp(t, "filesystem") != 0 ||
		    strncmp(n, b->root, rl) != 0 || n[rl] != '/')
			continue;
		if (str_startswith(n + rl + 1, BE_SYNC_PREFIX)) {
			strv_pushf(problems, "%s: left by an interrupted "
			    "sync-be (the next sync-be removes it)", n);
			continue;
		}
		cm = zfs_ds_prop(&l.v[i], "canmount");
		if (cm != NULL && strcmp(cm, "on") == 0)
			strv_pushf(problems, "%s: canmount=on (a boot "
			    "environment should be noauto)", n);
		mp = zfs_mountpoint_of(n);
		if (mp == NULL && zfs_get_local(n, BE_SAVED_MP_PROP,
		    &saved) == 0 && saved != NULL) {
			strv_pushf(problems, "%s: unmounted behind our back; "
			    "its mountpoint should be %s", n, saved);
			free(saved);
		}
		free(mp);
	}
	zfs_dslist_free(&l);
	error_clear();
	return (0);
}
