/*
 * Unit tests: a mount's fstab(5) options split for the kernel
 * (mounts.c's jail_mount_opts, which both backends use with their own
 * flag tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "jail/jail_impl.h"
#include "tap.h"

static const struct jail_mount_flag tab[] = {
	{ "ro", 1 }, { "rdonly", 1 }, { "nosuid", 2 }, { "noexec", 4 },
	{ "nodev", 0 },		/* known, nothing to set */
	{ NULL, 0 }
};

static char *
joined(const struct strv *v)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < v->n; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", v->v[i]);
	return (buf_steal(&b));
}

static void
check(const char *opts, unsigned long want_flags, const char *want_rest)
{
	struct strv rest = STRV_INIT;
	unsigned long f;
	char *r;

	f = jail_mount_opts(opts, tab, &rest);
	r = joined(&rest);
	is_int((int)f, (int)want_flags, opts != NULL ? opts : "(null)");
	is_str(r != NULL ? r : "", want_rest, opts != NULL ? opts : "(null)");
	free(r);
	strv_free(&rest);
}

int
main(void)
{
	check("rw", 0, "");
	check("ro,nosuid", 3, "");
	check("rdonly,noexec", 5, "");
	check("defaults,late,,rw", 0, "");
	check("nodev", 0, "");
	check("ro,size=10m,mode=0755,nosuid,uid=0", 3,
	    "size=10m|mode=0755|uid=0");
	check("nodiratime", 0, "nodiratime");	/* not in this table */
	check("", 0, "");
	check(NULL, 0, "");
	return (done_testing());
}
