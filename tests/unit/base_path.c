/* Unit tests: base/path.c and base/file.c. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/path.h"
#include "tap.h"

static void
clean(const char *in, const char *want)
{
	char *s = xstrdup(in);

	is_str(path_clean(s), want, in);
	free(s);
}

static void
join(const char *root, const char *name, const char *want)
{
	char *s = path_join(root, name);

	is_str(s, want, name);
	free(s);
}

int
main(void)
{
	struct buf b = BUF_INIT;
	struct stat st;
	char *dir, *p, *q;

	clean("/a/b/../c", "/a/c");
	clean("/../../x", "/x");
	clean("a//b/./c/", "a/b/c");
	clean("../a", "a");
	clean("a/..", ".");
	clean("/", "/");
	clean("./", ".");
	clean("/a/b/c/../../..", "/");

	join("/jail", "../../etc/passwd", "/jail/etc/passwd");
	join("/jail", "/etc/passwd", "/jail/etc/passwd");
	join("/jail/", "a/./b", "/jail/a/b");
	join("/jail", "", "/jail");
	join("/", "x/../../y", "/y");
	join("root", "..", "root");

	ok((dir = path_mkdtemp("/tmp/stasis-unit")) != NULL, "mkdtemp");
	p = xasprintf("%s/a/b/c", dir);
	ok(path_mkdirs(p, 0755) == 0, "mkdirs creates parents");
	ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "mkdirs made a dir");
	ok(path_mkdirs(p, 0755) == 0, "mkdirs on an existing dir is fine");
	free(p);

	p = xasprintf("%s/a/file", dir);
	ok(file_write_atomic(p, "hello\n", 6, 0640) == 0, "atomic write");
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640, "mode kept");
	ok(file_read(p, 100, &b) == 0 && strcmp(buf_cstr(&b), "hello\n") == 0,
	    "read back");
	buf_reset(&b);
	ok(file_write_atomic(p, "bye\n", 4, 0644) == 0, "atomic replace");
	ok(file_read(p, 3, &b) == -1, "read past the limit fails");
	ok(strstr(error_msg(), "limit") != NULL, "limit error says so");
	buf_reset(&b);
	ok(file_read(p, 4, &b) == 0 && strcmp(buf_cstr(&b), "bye\n") == 0,
	    "a file exactly at the limit reads");
	buf_reset(&b);
	ok(path_mkdirs(p, 0755) == -1 && strstr(error_msg(), "Not a "
	    "directory") != NULL, "mkdirs over a file fails");
	q = xasprintf("%s/x", p);
	ok(path_mkdirs(q, 0755) == -1, "mkdirs under a file fails");
	free(q);
	ok(file_read("/nonexistent/x", 10, &b) == -1 &&
	    strstr(error_msg(), "/nonexistent/x") != NULL,
	    "missing file error names it");
	free(p);
	p = xasprintf("%s/nodir/file", dir);
	ok(file_write_atomic(p, "x", 1, 0644) == -1, "atomic write to a "
	    "missing dir fails");
	free(p);
	p = xasprintf("%s/a/pw", dir);
	{
		int fd = open(p, O_RDWR | O_CREAT, 0644);

		ok(fd != -1 && file_write_all(fd, "abcdef", 6) == 0 &&
		    file_pwrite_all(fd, "XY", 2, 2) == 0 &&
		    file_pwrite_all(fd, "!", 1, 8) == 0, "pwrite at offsets");
		buf_reset(&b);
		ok(file_read(p, 100, &b) == 0 && b.len == 9 &&
		    memcmp(b.data, "abXYef\0\0!", 9) == 0,
		    "in place, a hole filled with zeros");
		close(fd);
		ok(file_pwrite_all(fd, "x", 1, 0) == -1 && errno == EBADF,
		    "a failed pwrite keeps errno");
	}
	free(p);

	ok(path_is_mountpoint("/") == 1, "/ is a mount point");
	ok(path_is_mountpoint(dir) == 0, "a fresh dir is not");
	ok(path_rmtree(dir) == 0, "rmtree");
	ok(access(dir, F_OK) == -1, "rmtree removed everything");
	free(dir);
	buf_free(&b);
	{
		char *self = path_self_exe();
		struct stat a, b;

		ok(self[0] == '/' && stat(self, &a) == 0 &&
		    stat("/proc/self/exe", &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev, "path_self_exe is this binary");
		free(self);
	}
	return (done_testing());
}
