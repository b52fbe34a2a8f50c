/*
 * An image written to a named file is never half-written and never costs
 * the file it replaces: it goes to a temporary name in the same
 * directory (so the rename is atomic), is fsync'd, and is renamed over
 * the target only once everything worked; every other path removes the
 * temporary file and leaves the target as it was.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "image/image_int.h"

/* "dir/.base.XXXXXX" beside out. */
static char *
temp_name(const char *out)
{
	const char *slash = strrchr(out, '/');

	if (slash == NULL)
		return (xasprintf(".%s.XXXXXX", out));
	return (xasprintf("%.*s/.%s.XXXXXX", (int)(slash - out), out,
	    slash + 1));
}

int
out_open(const char *out, char **tmp)
{
	int fd;

	*tmp = temp_name(out);
	if ((fd = mkostemp(*tmp, O_CLOEXEC)) == -1) {
		error_sys("create %s", out);
		free(*tmp);
		*tmp = NULL;
		return (-1);
	}
	/* mkostemp makes it 0600; an image is for everyone to read. */
	if (fchmod(fd, 0644) == -1) {
		error_sys("chmod %s", *tmp);
		close(fd);
		(void)unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return (-1);
	}
	return (fd);
}

int
out_sync(int fd, const char *out)
{
	int r = fsync(fd), e = errno;

	if (close(fd) == -1 && r == 0) {
		r = -1;
		e = errno;
	}
	if (r == -1) {
		errno = e;
		return (error_sys("write %s", out));
	}
	return (0);
}

int
out_rename(const char *tmp, const char *out)
{
	char *d;
	int dfd;

	if (rename(tmp, out) == -1)
		return (error_sys("rename to %s", out));
	/* The rename itself must reach the disk for the file to last. */
	d = xstrdup(out);
	if ((dfd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
	    != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(d);
	return (0);
}

void
out_discard(int fd, char *tmp)
{
	int e = errno;

	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		(void)unlink(tmp);
	free(tmp);
	errno = e;
}
