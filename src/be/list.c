/*
 * Listing: one `zfs get -r` of the BE root gives every BE, its snapshots
 * and (usually) its origin, so a listing costs one command however many
 * BEs there are.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

#define LIST_PROPS	"type,origin,used,creation"

static uint64_t
num(const char *s)
{
	return (s != NULL ? strtoull(s, NULL, 10) : 0);
}

static void
fill(struct be *b, struct be_info *i, const char *name,
    const struct zfs_ds *d, const char *sortprop)
{
	memset(i, 0, sizeof(*i));
	i->name = xstrdup(name);
	i->dataset = xstrdup(d->name);
	if (zfs_ds_prop(d, "origin") != NULL)
		i->origin = xstrdup(zfs_ds_prop(d, "origin"));
	i->used = num(zfs_ds_prop(d, "used"));
	i->creation = (time_t)num(zfs_ds_prop(d, "creation"));
	if (strchr(d->name, '@') == NULL)
		i->mounted = zfs_mountpoint_of(d->name);
	i->active = b->rootfs != NULL && strcmp(b->rootfs, d->name) == 0;
	i->nextboot = b->bootfs != NULL && strcmp(b->bootfs, d->name) == 0;
	i->bootonce = b->bootonce != NULL &&
	    strcmp(b->bootonce, d->name) == 0;
	if (sortprop != NULL) {
		const char *v = strcmp(sortprop, "name") == 0 ? name :
		    zfs_ds_prop(d, sortprop);
		i->sortval = xstrdup(v != NULL ? v : "");
	}
}

/* The origin's used (and its dataset's, for -D), looked up if needed. */
static void
origin_space(const struct zfs_dslist *all, struct be_info *i)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	const struct zfs_ds *d;
	char *ods;

	if (i->origin == NULL)
		return;
	if ((d = zfs_dslist_find(all, i->origin)) == NULL &&
	    zfs_get(i->origin, "used,creation", ZFS_DEPTH_SELF, &l) == 0)
		d = zfs_dslist_find(&l, i->origin);
	if (d != NULL) {
		i->origin_used = num(zfs_ds_prop(d, "used"));
		i->origin_creation = (time_t)num(zfs_ds_prop(d,
		    "creation"));
	}
	zfs_dslist_free(&l);
	ods = xstrndup(i->origin, strcspn(i->origin, "@"));
	if ((d = zfs_dslist_find(all, ods)) != NULL)
		i->origin_ds_used = num(zfs_ds_prop(d, "used"));
	else if (zfs_get(ods, "used", ZFS_DEPTH_SELF, &l) == 0)
		i->origin_ds_used = num(zfs_ds_prop(zfs_dslist_find(&l, ods),
		    "used"));
	zfs_dslist_free(&l);
	free(ods);
	error_clear();
}

static int
numeric_prop(const char *p)
{
	return (strcmp(p, "creation") == 0 || strcmp(p, "used") == 0 ||
	    strcmp(p, "usedds") == 0 || strcmp(p, "usedsnap") == 0 ||
	    strcmp(p, "usedrefreserv") == 0 || strcmp(p, "referenced") == 0);
}

static int sort_numeric, sort_reverse;

static int
cmp(const void *a, const void *b)
{
	const struct be_info *x = a, *y = b;
	int c;

	if (sort_numeric) {
		uint64_t p = num(x->sortval), q = num(y->sortval);

		c = p < q ? -1 : p > q;
	} else
		c = strcmp(x->sortval, y->sortval);
	if (c == 0)
		c = strcmp(x->name, y->name);
	return (sort_reverse ? -c : c);
}

int
be_list(struct be *b, int flags, const char *sortprop, int reverse,
    struct be_list *out)
{
	struct zfs_dslist all = ZFS_DSLIST_INIT;
	struct be_info *i;
	char *props;
	size_t k, j, rl = strlen(b->root);
	const char *n, *t;

	memset(out, 0, sizeof(*out));
	if (sortprop == NULL)
		sortprop = "name";
	if (strcmp(sortprop, "name") == 0 || strstr(LIST_PROPS, sortprop))
		props = xstrdup(LIST_PROPS);
	else
		props = xasprintf("%s,%s", LIST_PROPS, sortprop);
	if (zfs_get(b->root, props, ZFS_DEPTH_ALL, &all) == -1) {
		free(props);
		return (error_wrap("list %s", b->root));
	}
	free(props);
	out->v = xcalloc(all.n + 1, sizeof(*out->v));
	for (k = 0; k < all.n; k++) {
		n = all.v[k].name;
		t = zfs_ds_prop(&all.v[k], "type");
		/* A BE: a filesystem right under the root. */
		if (t == NULL || strcmp(t, "filesystem") != 0 ||
		    strncmp(n, b->root, rl) != 0 || n[rl] != '/' ||
		    strchr(n + rl + 1, '/') != NULL ||
		    str_startswith(n + rl + 1, BE_SYNC_PREFIX))
			continue;
		i = &out->v[out->n++];
		fill(b, i, n + rl + 1, &all.v[k], sortprop);
		origin_space(&all, i);
		if (!(flags & BE_LIST_SNAPS))
			continue;
		for (j = 0; j < all.n; j++) {
			const char *sn = all.v[j].name;

			if (strncmp(sn, n, strlen(n)) != 0 ||
			    sn[strlen(n)] != '@')
				continue;
			i->snaps = xrealloc(i->snaps,
			    (i->nsnaps + 1) * sizeof(*i->snaps));
			fill(b, &i->snaps[i->nsnaps++], sn, &all.v[j], NULL);
		}
	}
	zfs_dslist_free(&all);
	sort_numeric = numeric_prop(sortprop);
	sort_reverse = reverse;
	qsort(out->v, out->n, sizeof(*out->v), cmp);
	return (0);
}

static void
info_free(struct be_info *i)
{
	size_t k;

	free(i->name);
	free(i->dataset);
	free(i->origin);
	free(i->mounted);
	free(i->sortval);
	for (k = 0; k < i->nsnaps; k++)
		info_free(&i->snaps[k]);
	free(i->snaps);
}

void
be_list_free(struct be_list *l)
{
	size_t k;

	for (k = 0; k < l->n; k++)
		info_free(&l->v[k]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
