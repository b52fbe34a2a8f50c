/*
 * The zfs/zpool output parsers, on output captured from zfs-fuse and
 * OpenZFS, and on malformed input.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "zfs/zfs.h"
#include "tap.h"

static void
test_get(void)
{
	const char *out =
	    "tank\tused\t761856\n"
	    "tank\tcreation\t1795637303\n"
	    "tank/ROOT/be2\torigin\ttank/ROOT/default@s1\n"
	    "tank/ROOT/be2\tused\t0\n"
	    "tank/ROOT/be2\tfreebsd:bootonce\t-\n"
	    "tank/ROOT/default@s1\ttype\tsnapshot\n"
	    "tank/ROOT/a b\tmountpoint\t/mnt/with space\n";
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	struct zfs_ds *d;

	is_int(zfs_parse_get(out, strlen(out), &l), 0, "parse get output");
	is_int(l.n, 4, "four datasets");
	d = zfs_dslist_find(&l, "tank/ROOT/be2");
	ok(d != NULL, "find by name");
	is_str(zfs_ds_prop(d, "origin"), "tank/ROOT/default@s1", "origin");
	is_str(zfs_ds_prop(d, "used"), "0", "used");
	ok(zfs_ds_prop(d, "freebsd:bootonce") == NULL, "'-' is no value");
	ok(zfs_ds_prop(d, "nothere") == NULL, "missing property");
	is_str(zfs_ds_prop(zfs_dslist_find(&l, "tank/ROOT/a b"),
	    "mountpoint"), "/mnt/with space", "blanks kept");
	zfs_dslist_free(&l);

	is_int(zfs_parse_get("", 0, &l), 0, "empty output");
	is_int(l.n, 0, "no datasets");
	ok(zfs_parse_get("tank used 1\n", 12, &l) == -1, "no tabs: error");
	ok(strstr(error_msg(), "line 1") != NULL, "error names the line");
	zfs_dslist_free(&l);
	ok(zfs_parse_get("tank\tused\n", 10, &l) == -1, "two fields: error");
	zfs_dslist_free(&l);
	ok(zfs_parse_get("\tused\t1\n", 8, &l) == -1, "empty name: error");
	zfs_dslist_free(&l);
	ok(zfs_parse_get("a\tb\0c\t1\n", 8, &l) == -1, "NUL: error");
	zfs_dslist_free(&l);
	{
		char *big = xmalloc(ZFS_LINE_MAX + 10);

		memset(big, 'a', ZFS_LINE_MAX + 9);
		big[1] = '\t';
		big[3] = '\t';
		ok(zfs_parse_get(big, ZFS_LINE_MAX + 9, &l) == -1,
		    "line too long: error");
		zfs_dslist_free(&l);
		free(big);
	}
}

static void
test_zpool(void)
{
	const char *table =
	    "NAME             PROPERTY  VALUE                     SOURCE\n"
	    "stasis3094  bootfs    stasis3094/ROOT/be3  local\n";
	const char *none =
	    "NAME   PROPERTY  VALUE   SOURCE\n"
	    "tank   bootfs    -       default\n";
	const char *h = "tank\tbootfs\ttank/ROOT/x\tlocal\n";
	char *v;

	is_int(zpool_parse_get(table, strlen(table), "stasis3094", "bootfs",
	    &v), 0, "table form");
	is_str(v, "stasis3094/ROOT/be3", "bootfs value");
	free(v);
	is_int(zpool_parse_get(none, strlen(none), "tank", "bootfs", &v), 0,
	    "unset bootfs");
	ok(v == NULL, "'-' is NULL");
	is_int(zpool_parse_get(h, strlen(h), "tank", "bootfs", &v), 0,
	    "-H form");
	is_str(v, "tank/ROOT/x", "-H value");
	free(v);
	ok(zpool_parse_get(h, strlen(h), "other", "bootfs", &v) == -1,
	    "other pool: error");
	ok(zpool_parse_get("tank\n", 5, "tank", "bootfs", &v) == -1,
	    "short line: error");
}

static void
test_names(void)
{
	char *p;

	ok(zfs_component_ok("13.2-RELEASE"), "13.2-RELEASE ok");
	ok(zfs_component_ok("a_b:c"), "a_b:c ok");
	ok(!zfs_component_ok(""), "empty rejected");
	ok(!zfs_component_ok("a/b"), "slash rejected");
	ok(!zfs_component_ok("a@b"), "@ rejected");
	ok(!zfs_component_ok("a b"), "space rejected");
	ok(!zfs_component_ok(".."), ".. rejected");
	ok(!zfs_component_ok("-x"), "leading dash rejected");
	p = zfs_pool_of("tank/ROOT/x@s");
	is_str(p, "tank", "pool of a dataset");
	free(p);
	p = zfs_pool_of("tank@s");
	is_str(p, "tank", "pool of a snapshot");
	free(p);
}

int
main(void)
{
	test_get();
	test_zpool();
	test_names();
	return (done_testing());
}
