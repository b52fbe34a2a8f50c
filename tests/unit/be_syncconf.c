/*
 * sync-be's CONF: parsing, bounds, and expansion against a source root.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/path.h"
#include "be/be.h"
#include "tap.h"

static int
parse(const char *s, struct syncconf *c)
{
	return (syncconf_parse(s, strlen(s), "t.conf", c));
}

static void
touch(const char *root, const char *rel)
{
	char *p = xasprintf("%s%s", root, rel);
	FILE *f = fopen(p, "w");

	if (f != NULL)
		fclose(f);
	free(p);
}

int
main(void)
{
	struct syncconf c;
	struct strv v = STRV_INIT;
	char *root, *d, *big;
	size_t i;

	is_int(parse("# state\n/etc/rc.conf\n  ?/etc/opt   # maybe\n"
	    "/etc/*.db\n\n/root//.ssh/\n", &c), 0, "parse");
	is_int(c.n, 4, "four entries");
	is_str(c.v[0].pattern, "/etc/rc.conf", "plain path");
	ok(c.v[1].optional && !c.v[1].glob, "? makes it optional");
	is_str(c.v[1].pattern, "/etc/opt", "comment and blanks trimmed");
	ok(c.v[2].glob, "glob detected");
	is_str(c.v[3].pattern, "/root/.ssh", "path cleaned");
	is_int(c.v[3].line, 6, "line number kept");
	syncconf_free(&c);

	ok(parse("etc/rc.conf\n", &c) == -1, "relative rejected");
	ok(strstr(error_msg(), "t.conf:1:") != NULL, "error has file:line");
	ok(parse("/\n", &c) == -1, "/ rejected");
	ok(parse("/etc/../x\n", &c) == -1, ".. rejected");
	ok(parse("/etc/./x\n", &c) == -1, ". rejected");
	ok(parse("/etc/a\tb\n", &c) == -1, "control character rejected");
	ok(syncconf_parse("/a\0b\n", 5, "t", &c) == -1, "NUL rejected");
	big = xmalloc(SYNCCONF_LINE_MAX + 3);
	memset(big, 'a', SYNCCONF_LINE_MAX + 2);
	big[0] = '/';
	big[SYNCCONF_LINE_MAX + 2] = '\0';
	ok(parse(big, &c) == -1, "long line rejected");
	free(big);
	{
		struct buf b = BUF_INIT;

		for (i = 0; i <= SYNCCONF_ENTRIES; i++)
			buf_printf(&b, "/f%zu\n", i);
		ok(parse(buf_cstr(&b), &c) == -1, "too many entries");
		buf_free(&b);
	}
	is_int(parse("", &c), 0, "empty CONF is fine");
	is_int(c.n, 0, "and lists nothing");
	syncconf_free(&c);

	/* expansion against a source root */
	root = path_mkdtemp("/tmp/stasis-unit-sync.XXXXXX");
	d = xasprintf("%s/etc", root);
	mkdir(d, 0755);
	touch(root, "/etc/rc.conf");
	touch(root, "/etc/a.db");
	touch(root, "/etc/b.db");
	is_int(parse("/etc/rc.conf\n/etc/*.db\n?/etc/none\n/etc/rc.conf\n"
	    "/etc/*.nomatch\n", &c), 0, "parse for expand");
	is_int(syncconf_expand(&c, root, &v), 0, "expand");
	is_int(v.n, 3, "three paths, duplicates dropped");
	is_str(v.v[0], "/etc/rc.conf", "relative to the root");
	is_str(v.v[1], "/etc/a.db", "glob sorted (a)");
	is_str(v.v[2], "/etc/b.db", "glob sorted (b)");
	strv_free(&v);
	syncconf_free(&c);
	is_int(parse("/etc/missing\n", &c), 0, "parse missing");
	ok(syncconf_expand(&c, root, &v) == -1, "missing literal path fails");
	ok(strstr(error_msg(), "line 1") != NULL, "and names the line");
	strv_free(&v);
	syncconf_free(&c);
	(void)path_rmtree(root);
	free(d);
	free(root);
	return (done_testing());
}
