/*
 * Lexical path cleaning and joining that cannot escape a root, and
 * directory helpers.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "path.h"

char *
path_clean(char *p)
{
	char *r, *w, *start;
	int abs = (p[0] == '/');

	start = abs ? p + 1 : p;
	r = w = start;
	while (*r != '\0') {
		if (*r == '/') {		/* "//" */
			r++;
			continue;
		}
		if (r[0] == '.' && (r[1] == '/' || r[1] == '\0')) {
			r += 1;
			continue;
		}
		if (r[0] == '.' && r[1] == '.' && (r[2] == '/' ||
		    r[2] == '\0')) {
			r += 2;
			/* Drop the last component written, if any. */
			if (w > start) {
				w--;		/* the '/' after it, or its end */
				while (w > start && w[-1] != '/')
					w--;
			}
			continue;
		}
		if (w > start && w[-1] != '/')
			*w++ = '/';
		while (*r != '\0' && *r != '/')
			*w++ = *r++;
	}
	/* A trailing '/' can be left when the last component was "..". */
	if (w > start && w[-1] == '/')
		w--;
	*w = '\0';
	if (!abs && w == start) {
		p[0] = '.';
		p[1] = '\0';
	}
	return (p);
}

char *
path_join(const char *root, const char *name)
{
	char *clean, *out;
	const char *rel;
	size_t rl;

	/* Clean the name as if absolute so ".." stops at its root. */
	clean = xasprintf("/%s", name);
	path_clean(clean);
	rel = clean + 1;
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (*rel == '\0')
		out = xstrndup(root, rl);
	else if (rl == 1 && root[0] == '/')
		out = xasprintf("/%s", rel);
	else
		out = xasprintf("%.*s/%s", (int)rl, root, rel);
	free(clean);
	return (out);
}

int
path_mkdirs(const char *path, mode_t mode)
{
	char *p, *s;
	struct stat st;

	/* Mostly there already, or only its last part missing. */
	if (mkdir(path, mode) == 0)
		return (0);
	if (errno == EEXIST) {
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return (0);
		errno = ENOTDIR;
		return (error_sys("mkdir %s", path));
	}
	p = xstrdup(path);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST) {
			error_sys("mkdir %s", p);
			free(p);
			return (-1);
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (stat(p, &st) == -1 || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		error_sys("mkdir %s", p);
		free(p);
		return (-1);
	}
	free(p);
	return (0);
}

static int
rmtree_at(int dfd, const char *name, dev_t dev, const char *top)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return (errno == ENOENT ? 0 : error_sys("stat %s/%s", top,
		    name));
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT)
			return (error_sys("unlink %s/%s", top, name));
		return (0);
	}
	if (st.st_dev != dev)
		return (error_set("%s/%s is a mount point; not removing it",
		    top, name));
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return (error_sys("open %s/%s", top, name));
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return (error_sys("opendir %s/%s", top, name));
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (rmtree_at(dirfd(d), de->d_name, dev, top) == -1) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT)
		return (error_sys("rmdir %s/%s", top, name));
	return (rc);
}

int
path_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return (errno == ENOENT ? 0 : error_sys("stat %s", path));
	return (rmtree_at(AT_FDCWD, path, st.st_dev, "."));
}

int
path_is_mountpoint(const char *path)
{
	struct stat a, b;
	char *parent;
	int r;

	if (lstat(path, &a) == -1)
		return (error_sys("stat %s", path));
	if (!S_ISDIR(a.st_mode))
		return (0);
	parent = xasprintf("%s/..", path);
	r = stat(parent, &b);
	free(parent);
	if (r == -1)
		return (error_sys("stat %s/..", path));
	/* Bind mounts of the same fs share st_dev: check mountinfo too. */
	if (a.st_dev != b.st_dev || a.st_ino == b.st_ino)
		return (1);
	{
		/* mp: the %4095s below, whatever PATH_MAX is (1024 on BSD) */
		char rp[PATH_MAX], line[8192], mp[4096];
		FILE *f;
		int found = 0;

		if (realpath(path, rp) == NULL)
			return (0);
		if ((f = fopen("/proc/self/mountinfo", "r")) == NULL)
			return (0);
		while (fgets(line, sizeof(line), f) != NULL) {
			/* id parent major:minor root mountpoint ... */
			if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
			    strcmp(mp, rp) == 0) {
				found = 1;
				break;
			}
		}
		fclose(f);
		return (found);
	}
}

char *
path_mkdtemp(const char *prefix)
{
	char *t = xasprintf("%s", prefix);

	if (!str_endswith(t, "XXXXXX")) {
		free(t);
		t = xasprintf("%s.XXXXXX", prefix);
	}
	if (mkdtemp(t) == NULL) {
		error_sys("mkdtemp %s", t);
		free(t);
		return (NULL);
	}
	return (t);
}

void
path_exec_sibling(const char *name, char *const argv[])
{
	char *self, *full, *slash;
	struct stat a, b;

	self = path_self_exe();
	if ((slash = strrchr(self, '/')) != NULL &&
	    stat("/proc/self/exe", &a) == 0) {
		*slash = '\0';
		full = xasprintf("%s/%s", self, name);
		if (stat(full, &b) == 0 && (a.st_dev != b.st_dev ||
		    a.st_ino != b.st_ino)) {
			fflush(NULL);
			execv(full, argv);
		}
		free(full);
	}
	free(self);
}

char *
path_self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n;

	if ((n = readlink("/proc/self/exe", buf, sizeof(buf) - 1)) <= 0)
		return (xstrdup("stasis"));
	buf[n] = '\0';
	return (xstrdup(buf));
}
