/*
 * The handle: which BE root, which pool, which BE runs, which boots next.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

static char *
env(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && *v != '\0' ? xstrdup(v) : NULL);
}

int
be_open(struct be *b, const char *beroot)
{
	return (be_open_flags(b, beroot, 0));
}

int
be_open_flags(struct be *b, const char *beroot, int flags)
{
	char *slash;
	int e;

	memset(b, 0, sizeof(*b));
	if ((b->rootfs = env("STASIS_BE_ROOTFS")) == NULL)
		b->rootfs = zfs_mounted_on("/");
	if (beroot != NULL && *beroot != '\0')
		b->root = xstrdup(beroot);
	else if ((b->root = env("STASIS_BEROOT")) == NULL &&
	    b->rootfs != NULL && (slash = strrchr(b->rootfs, '/')) != NULL)
		b->root = xstrndup(b->rootfs, slash - b->rootfs);
	if (b->root == NULL) {
		be_close(b);
		return (error_set("cannot find the boot environment root: "
		    "/ is not a ZFS dataset; use -r beroot or "
		    "STASIS_BEROOT"));
	}
	while (str_endswith(b->root, "/") && strlen(b->root) > 1)
		b->root[strlen(b->root) - 1] = '\0';
	if (strchr(b->root, '@') != NULL || *b->root == '/') {
		error_set("bad boot environment root %s", b->root);
		be_close(b);
		return (-1);
	}
	if ((e = zfs_exists(b->root)) != 1) {
		if (e == 0)
			error_set("boot environment root %s does not exist",
			    b->root);
		be_close(b);
		return (-1);
	}
	b->pool = zfs_pool_of(b->root);
	if (!(flags & BE_OPEN_NOBOOT) && be_refresh(b) == -1) {
		be_close(b);
		return (-1);
	}
	return (0);
}

/* Re-read bootfs and the one-shot choice (after activation changes). */
int
be_interrupted(const struct be *b)
{
	if (b->stop == NULL || !*b->stop)
		return (0);
	error_set("interrupted");
	return (1);
}

int
be_refresh(struct be *b)
{
	char *v;

	free(b->bootfs);
	free(b->bootonce);
	b->bootfs = b->bootonce = NULL;
	if (zpool_get(b->pool, "bootfs", &b->bootfs) == -1)
		return (error_wrap("pool %s", b->pool));
	if (zfs_get_local(b->pool, BE_BOOTONCE_PROP, &v) == -1)
		return (-1);
	/* The loader's form: "zfs:pool/ROOT/name:". */
	if (v != NULL && str_startswith(v, "zfs:")) {
		b->bootonce = xstrdup(v + 4);
		if (str_endswith(b->bootonce, ":"))
			b->bootonce[strlen(b->bootonce) - 1] = '\0';
	}
	free(v);
	return (0);
}

void
be_close(struct be *b)
{
	free(b->root);
	free(b->pool);
	free(b->rootfs);
	free(b->bootfs);
	free(b->bootonce);
	memset(b, 0, sizeof(*b));
}

int
be_name_ok(const char *name)
{
	if (!zfs_component_ok(name))
		return (error_set("invalid boot environment name '%s' "
		    "(letters, digits, '.', '_', '-', ':' only)", name));
	if (str_startswith(name, BE_SYNC_PREFIX))
		return (error_set("invalid boot environment name '%s' "
		    "(reserved for sync-be)", name));
	return (0);
}

char *
be_dataset(const struct be *b, const char *name)
{
	const char *at = strchr(name, '@');
	char *be;

	be = at != NULL ? xstrndup(name, at - name) : xstrdup(name);
	if (be_name_ok(be) == -1) {
		free(be);
		return (NULL);
	}
	free(be);
	if (at != NULL && !zfs_component_ok(at + 1)) {
		error_set("invalid snapshot name '%s'", at + 1);
		return (NULL);
	}
	return (xasprintf("%s/%s", b->root, name));
}

/* The BE's dataset, which must exist. */
char *
be_existing(const struct be *b, const char *name)
{
	char *ds;
	int e;

	if ((ds = be_dataset(b, name)) == NULL)
		return (NULL);
	if ((e = zfs_exists(ds)) == 1)
		return (ds);
	if (e == 0) {
		if (strchr(name, '@') != NULL)
			error_set("snapshot %s does not exist", ds);
		else
			error_set("boot environment %s does not exist "
			    "(no dataset %s)", name, ds);
	}
	free(ds);
	return (NULL);
}

/*
 * A dataset about to become a BE: it must not be mounted while its
 * mountpoint becomes "/" (that would mount it over the running root), so
 * unmount first, then canmount=noauto, then mountpoint=/, in that order.
 */
int
be_make_bootable(const char *ds)
{
	char *mp;

	if ((mp = zfs_mountpoint_of(ds)) != NULL) {
		free(mp);
		if (zfs_unmount(ds, 1) == -1)
			return (-1);
	}
	if (zfs_set(ds, "canmount", "noauto") == -1 ||
	    zfs_set(ds, "mountpoint", "/") == -1)
		return (-1);
	return (0);
}
