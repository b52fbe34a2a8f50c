/*
 * Copying local state into a BE tree: attributes kept, listed directories
 * replaced whole, symlinks in the destination never followed.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/path.h"
#include "be/be.h"
#include "tap.h"

static void
put(const char *root, const char *rel, const char *data)
{
	char *p = xasprintf("%s%s", root, rel);
	FILE *f = fopen(p, "w");

	if (f != NULL) {
		fputs(data, f);
		fclose(f);
	}
	free(p);
}

static char *
get(const char *root, const char *rel)
{
	struct buf b = BUF_INIT;
	char *p = xasprintf("%s%s", root, rel);
	FILE *f = fopen(p, "r");
	char tmp[256];
	size_t n;

	free(p);
	if (f == NULL)
		return (NULL);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return (buf_steal(&b));
}

static int
exists(const char *root, const char *rel)
{
	struct stat st;
	char *p = xasprintf("%s%s", root, rel);
	int r = lstat(p, &st) == 0;

	free(p);
	return (r);
}

int
main(void)
{
	char *src, *dst, *p, *s;
	struct timespec ts[2] = { { 1600000000, 0 }, { 1600000000, 0 } };
	struct stat st;
	uint64_t bytes = 0;

	src = path_mkdtemp("/tmp/stasis-unit-copy-src.XXXXXX");
	dst = path_mkdtemp("/tmp/stasis-unit-copy-dst.XXXXXX");
	p = xasprintf("%s/etc", src); mkdir(p, 0755); free(p);
	p = xasprintf("%s/etc/rc.d", src); mkdir(p, 0750); free(p);
	p = xasprintf("%s/boot", src); mkdir(p, 0711); free(p);
	put(src, "/etc/rc.conf", "local\n");
	put(src, "/etc/rc.d/one", "1\n");
	put(src, "/boot/loader.conf", "zfs_load=YES\n");
	p = xasprintf("%s/etc/rc.conf", src);
	chmod(p, 0640);
	utimensat(AT_FDCWD, p, ts, 0);
	free(p);
	p = xasprintf("%s/etc/link", src);
	symlink("rc.conf", p);
	free(p);

	p = xasprintf("%s/etc", dst); mkdir(p, 0755); free(p);
	p = xasprintf("%s/etc/rc.d", dst); mkdir(p, 0755); free(p);
	put(dst, "/etc/rc.conf", "image\n");
	put(dst, "/etc/rc.d/image_only", "x\n");

	is_int(be_copy_path(src, dst, "/etc/rc.conf", &bytes), 0, "copy file");
	s = get(dst, "/etc/rc.conf");
	is_str(s, "local\n", "file replaced");
	free(s);
	p = xasprintf("%s/etc/rc.conf", dst);
	stat(p, &st);
	free(p);
	is_int(st.st_mode & 07777, 0640, "mode kept");
	is_int(st.st_mtim.tv_sec, 1600000000, "mtime kept");
	is_int(bytes, 6, "bytes counted");
	is_int(be_copy_path(src, dst, "/etc/rc.d", &bytes), 0, "copy dir");
	ok(!exists(dst, "/etc/rc.d/image_only"), "dir replaced whole");
	s = get(dst, "/etc/rc.d/one");
	is_str(s, "1\n", "dir content");
	free(s);
	p = xasprintf("%s/etc/rc.d", dst);
	stat(p, &st);
	free(p);
	is_int(st.st_mode & 07777, 0750, "dir mode kept");
	is_int(be_copy_path(src, dst, "/boot/loader.conf", &bytes), 0,
	    "copy into a dir the image lacks");
	p = xasprintf("%s/boot", dst);
	stat(p, &st);
	free(p);
	is_int(st.st_mode & 07777, 0711, "made parent has the source's mode");
	is_int(be_copy_path(src, dst, "/etc/link", &bytes), 0, "copy symlink");
	{
		char t[64];
		ssize_t n;

		p = xasprintf("%s/etc/link", dst);
		n = readlink(p, t, sizeof(t) - 1);
		free(p);
		t[n > 0 ? n : 0] = '\0';
		is_str(t, "rc.conf", "symlink target kept");
	}
	ok(be_copy_path(src, dst, "/etc/none", &bytes) == -1,
	    "missing source fails");

	/* a symlink in the destination where a directory should be */
	p = xasprintf("%s/boot", dst);
	(void)path_rmtree(p);
	symlink("/tmp", p);
	free(p);
	ok(be_copy_path(src, dst, "/boot/loader.conf", &bytes) == -1,
	    "symlinked parent refused");
	ok(strstr(error_msg(), "not a directory") != NULL, "and says why");
	s = get("/tmp", "/loader.conf");
	ok(s == NULL || strcmp(s, "zfs_load=YES\n") != 0,
	    "nothing written through it");
	free(s);
	ok(be_copy_path(src, dst, "/", &bytes) == -1, "/ itself refused");

	(void)path_rmtree(src);
	(void)path_rmtree(dst);
	free(src);
	free(dst);
	return (done_testing());
}
