/*
 * BE names and bectl's automatic snapshot names.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "tap.h"

int
main(void)
{
	struct be b;
	char *ds;

	ok(be_name_ok("13.2-RELEASE") == 0, "13.2-RELEASE");
	ok(be_name_ok("default") == 0, "default");
	ok(be_name_ok("a b") == -1, "space");
	ok(strstr(error_msg(), "invalid boot environment name") != NULL,
	    "message");
	ok(be_name_ok("a/b") == -1, "slash");
	ok(be_name_ok("") == -1, "empty");
	ok(be_name_ok(".sync-be.123") == -1, "sync-be's reserved prefix");
	ok(be_is_auto_snapname("z/ROOT/d@2026-11-25-20:16:26-0"),
	    "auto name");
	ok(be_is_auto_snapname("z/ROOT/d@2026-11-25-20:16:26"),
	    "auto name without counter");
	ok(!be_is_auto_snapname("z/ROOT/d@s1"), "named snapshot");
	ok(!be_is_auto_snapname("z/ROOT/d"), "no snapshot");
	ok(!be_is_auto_snapname("z/ROOT/d@2026-11-25"), "date only");

	memset(&b, 0, sizeof(b));
	b.root = "tank/ROOT";
	ds = be_dataset(&b, "new");
	is_str(ds, "tank/ROOT/new", "dataset of a BE");
	free(ds);
	ds = be_dataset(&b, "new@snap");
	is_str(ds, "tank/ROOT/new@snap", "dataset of a BE snapshot");
	free(ds);
	ok(be_dataset(&b, "new@a b") == NULL, "bad snapshot name");
	ok(be_dataset(&b, "../x") == NULL, "bad BE name");
	return (done_testing());
}
