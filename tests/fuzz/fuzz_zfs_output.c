/*
 * Fuzz target: the zfs get -H -p and zpool get output parsers.  The first
 * byte picks the parser; the rest is the tool's output.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "zfs/zfs.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	const char *s;
	char *v;
	size_t i;

	if (size < 1)
		return (0);
	s = (const char *)data + 1;
	size--;
	if (data[0] & 1) {
		if (zpool_parse_get(s, size, "tank", "bootfs", &v) == 0)
			free(v);
		return (0);
	}
	if (zfs_parse_get(s, size, &l) == 0) {
		for (i = 0; i < l.n; i++) {
			(void)zfs_ds_prop(&l.v[i], "origin");
			(void)zfs_ds_prop(&l.v[i], "used");
			(void)zfs_component_ok(l.v[i].name);
		}
		(void)zfs_dslist_find(&l, "tank/ROOT/default");
	}
	zfs_dslist_free(&l);
	return (0);
}
