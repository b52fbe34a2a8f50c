/*
 * Copying the machine's own state into a new BE: owners, modes and times
 * kept; a listed directory replaces the image's whole.  The destination
 * came from a stream, so nothing in it is followed: every step below the
 * BE's root is an openat(2) with O_NOFOLLOW, and a symlink where a
 * directory should be is an error, not a way out of the BE.  (Hard links
 * between copied files, ACLs and extended attributes are not carried.)
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/path.h"
#include "be/be.h"

#define COPY_DEPTH_MAX	256
#define COPY_BUF	(1u << 20)

static int	copy_node(const char *, const struct stat *, int,
		    const char *, uint64_t *, int);

/* Owner, then mode (chown clears set-id bits), then times. */
static int
attrs_fd(int fd, const struct stat *st, const char *what)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchown(fd, st->st_uid, st->st_gid) == -1)
		return (error_sys("chown %s", what));
	if (fchmod(fd, st->st_mode & 07777) == -1)
		return (error_sys("chmod %s", what));
	if (futimens(fd, ts) == -1)
		return (error_sys("set times of %s", what));
	return (0);
}

static int
copy_file(const char *src, const struct stat *st, int dfd, const char *name,
    uint64_t *bytes)
{
	int in, out, rc = -1;
	ssize_t n;
	char *buf = NULL;

	if ((in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (error_sys("open %s", src));
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (out == -1) {
		error_sys("create %s", src);
		goto out;
	}
	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, COPY_BUF, 0);
		if (n == -1 && (errno == EXDEV || errno == ENOSYS ||
		    errno == EINVAL || errno == EOPNOTSUPP))
			break;
		if (n == -1) {
			error_sys("copy %s", src);
			goto out;
		}
		if (n == 0)
			goto done;
		*bytes += n;
	}
	/* Not every filesystem (FUSE ones) does copy_file_range. */
	buf = xmalloc(COPY_BUF);
	while ((n = read(in, buf, COPY_BUF)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			error_sys("read %s", src);
			goto out;
		}
		for (ssize_t off = 0, w; off < n; off += w) {
			if ((w = write(out, buf + off, n - off)) == -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				error_sys("write %s", src);
				goto out;
			}
		}
		*bytes += n;
	}
done:
	rc = attrs_fd(out, st, src);
out:
	free(buf);
	if (out != -1 && close(out) == -1 && rc == 0)
		rc = error_sys("close %s", src);
	close(in);
	return (rc);
}

static int
copy_dir(const char *src, const struct stat *st, int dfd, const char *name,
    uint64_t *bytes, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat cst;
	char *child;
	int sub, rc = 0;

	if (depth > COPY_DEPTH_MAX)
		return (error_set("%s: deeper than %d levels", src,
		    COPY_DEPTH_MAX));
	if (mkdirat(dfd, name, 0700) == -1)
		return (error_sys("mkdir %s", src));
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (sub == -1)
		return (error_sys("open new %s", src));
	if ((d = opendir(src)) == NULL) {
		close(sub);
		return (error_sys("opendir %s", src));
	}
	while (rc == 0) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				rc = error_sys("readdir %s", src);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		child = xasprintf("%s/%s", src, de->d_name);
		if (lstat(child, &cst) == -1)
			rc = error_sys("%s", child);
		else
			rc = copy_node(child, &cst, sub, de->d_name, bytes,
			    depth + 1);
		free(child);
	}
	closedir(d);
	/* Last: copying into it changed its times. */
	if (rc == 0)
		rc = attrs_fd(sub, st, src);
	close(sub);
	return (rc);
}

static int
copy_node(const char *src, const struct stat *st, int dfd, const char *name,
    uint64_t *bytes, int depth)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	char target[PATH_MAX];
	ssize_t n;

	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return (copy_file(src, st, dfd, name, bytes));
	case S_IFDIR:
		return (copy_dir(src, st, dfd, name, bytes, depth));
	case S_IFLNK:
		if ((n = readlink(src, target, sizeof(target) - 1)) == -1)
			return (error_sys("readlink %s", src));
		target[n] = '\0';
		if (symlinkat(target, dfd, name) == -1)
			return (error_sys("symlink %s", src));
		if (fchownat(dfd, name, st->st_uid, st->st_gid,
		    AT_SYMLINK_NOFOLLOW) == -1)
			return (error_sys("chown %s", src));
		if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) == -1)
			return (error_sys("set times of %s", src));
		return (0);
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK:
		if (mknodat(dfd, name, st->st_mode & (S_IFMT | 0777),
		    st->st_rdev) == -1)
			return (error_sys("mknod %s", src));
		if (fchownat(dfd, name, st->st_uid, st->st_gid,
		    AT_SYMLINK_NOFOLLOW) == -1 ||
		    fchmodat(dfd, name, st->st_mode & 07777, 0) == -1 ||
		    utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) == -1)
			return (error_sys("attributes of %s", src));
		return (0);
	default:
		/* Sockets belong to running programs, not to state. */
		return (0);
	}
}

/* rm -rf of name in dfd, never following a symlink. */
static int
remove_at(int dfd, const char *name, int depth)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int sub, rc = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return (errno == ENOENT ? 0 : error_sys("stat %s", name));
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dfd, name, 0) == -1)
			return (error_sys("unlink %s", name));
		return (0);
	}
	if (depth > COPY_DEPTH_MAX)
		return (error_set("%s: too deep to remove", name));
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (sub == -1 || (d = fdopendir(sub)) == NULL) {
		if (sub != -1)
			close(sub);
		return (error_sys("open %s", name));
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		rc = remove_at(sub, de->d_name, depth + 1);
	}
	closedir(d);
	if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) == -1)
		rc = error_sys("rmdir %s", name);
	return (rc);
}

int
be_copy_path(const char *srcroot, const char *dstroot, const char *path,
    uint64_t *bytes)
{
	char *rel, *comp, *next, *src, *srcdir;
	struct stat st, pst;
	int dfd, sub, rc = -1;

	rel = path_clean(xstrdup(path));
	if (*rel != '/' || rel[1] == '\0') {
		error_set("cannot copy %s: not an absolute path below /",
		    path);
		free(rel);
		return (-1);
	}
	src = path_join(srcroot, rel);
	if (lstat(src, &st) == -1) {
		error_sys("%s", src);
		goto out0;
	}
	if ((dfd = open(dstroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		error_sys("open %s", dstroot);
		goto out0;
	}
	/* Walk down to the parent, making what the image lacks. */
	srcdir = path_clean(xstrdup(srcroot));
	for (comp = rel + 1; (next = strchr(comp, '/')) != NULL;
	    comp = next + 1) {
		char *sd;

		*next = '\0';
		sd = xasprintf("%s/%s", srcdir, comp);
		free(srcdir);
		srcdir = sd;
		sub = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (sub == -1 && errno == ENOENT) {
			if (lstat(srcdir, &pst) == -1) {
				error_sys("%s", srcdir);
				goto out;
			}
			if (mkdirat(dfd, comp, 0700) == -1) {
				error_sys("mkdir %s in the new BE", srcdir);
				goto out;
			}
			sub = openat(dfd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (sub != -1 && attrs_fd(sub, &pst, srcdir) == -1) {
				close(sub);
				goto out;
			}
		}
		if (sub == -1) {
			if (errno == ELOOP || errno == ENOTDIR)
				error_set("%s in the new BE is not a directory "
				    "(a symlink?); not following it", srcdir);
			else
				error_sys("open %s in the new BE", srcdir);
			goto out;
		}
		close(dfd);
		dfd = sub;
		*next = '/';
	}
	if (remove_at(dfd, comp, 0) == -1 ||
	    copy_node(src, &st, dfd, comp, bytes, 0) == -1)
		goto out;
	rc = 0;
out:
	free(srcdir);
	close(dfd);
out0:
	free(src);
	free(rel);
	return (rc);
}
