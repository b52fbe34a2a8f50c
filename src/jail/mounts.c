/*
 * mount and mount.fstab: fstab(5) lines "src dst type opts [dump pass]",
 * with FreeBSD's \040 for a blank inside a field; and their mount points.
 */
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
#include "jail/jail.h"
#include "jail/jail_impl.h"

#define FSTAB_MAX	(256 * 1024)
#define MOUNTS_MAX	256

static char *
unescape(const char *s)
{
	struct buf b = BUF_INIT;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			buf_addc(&b, (char)((s[1] - '0') * 64 +
			    (s[2] - '0') * 8 + (s[3] - '0')));
			s += 4;
		} else
			buf_addc(&b, *s++);
	}
	return (buf_steal(&b));
}

int
jail_mount_parse(const char *line, struct jail_mount *m)
{
	struct strv f = STRV_INIT;

	memset(m, 0, sizeof(*m));
	strv_split(&f, line, " \t");
	if (f.n < 3 || f.n > 6) {
		strv_free(&f);
		return (error_set("mount \"%s\": want \"source mountpoint "
		    "type [options]\"", line));
	}
	m->src = unescape(f.v[0]);
	m->dst = unescape(f.v[1]);
	m->type = xstrdup(f.v[2]);
	m->opts = xstrdup(f.n > 3 ? f.v[3] : "rw");
	strv_free(&f);
	if (m->dst[0] != '/') {
		error_set("mount \"%s\": mount point is not absolute", line);
		jail_mount_free(m);
		return (-1);
	}
	return (0);
}

void
jail_mount_free(struct jail_mount *m)
{
	free(m->src);
	free(m->dst);
	free(m->type);
	free(m->opts);
	memset(m, 0, sizeof(*m));
}

void
jail_mounts_free(struct jail_mount *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		jail_mount_free(&v[i]);
	free(v);
}

static int
add_line(struct jail_mount **v, size_t *n, const char *line)
{
	struct jail_mount m;

	if (*n >= MOUNTS_MAX)
		return (error_set("more than %d mounts", MOUNTS_MAX));
	if (jail_mount_parse(line, &m) == -1)
		return (-1);
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = m;
	return (0);
}

int
jail_mounts_collect(const struct jail_params *p, struct jail_mount **v,
    size_t *n)
{
	struct jail_param *jp;
	struct buf b = BUF_INIT;
	char *s, *line, *save;
	size_t i;

	*v = NULL;
	*n = 0;
	if ((jp = jail_params_find(p, "mount")) != NULL)
		for (i = 0; i < jp->vals.n; i++)
			if (add_line(v, n, jp->vals.v[i]) == -1)
				goto fail;
	if ((jp = jail_params_find(p, "mount.fstab")) != NULL)
		for (i = 0; i < jp->vals.n; i++) {
			buf_reset(&b);
			if (file_read(jp->vals.v[i], FSTAB_MAX, &b) == -1) {
				error_wrap("mount.fstab");
				goto fail;
			}
			s = (char *)buf_cstr(&b);
			for (line = strtok_r(s, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save)) {
				line = str_trim(line);
				if (*line == '\0' || *line == '#')
					continue;
				if (add_line(v, n, line) == -1) {
					error_wrap("%s", jp->vals.v[i]);
					goto fail;
				}
			}
		}
	buf_free(&b);
	return (0);
fail:
	buf_free(&b);
	jail_mounts_free(*v, *n);
	*v = NULL;
	*n = 0;
	return (-1);
}

unsigned long
jail_mount_opts(const char *opts, const struct jail_mount_flag *tab,
    struct strv *rest)
{
	struct strv v = STRV_INIT;
	unsigned long flags = 0;
	size_t i;
	int k, known;

	strv_split(&v, opts != NULL ? opts : "", ",");
	for (i = 0; i < v.n; i++) {
		known = 0;
		for (k = 0; tab[k].word != NULL; k++)
			if (strcmp(v.v[i], tab[k].word) == 0) {
				flags |= tab[k].flag;
				known = 1;
			}
		if (known || strcmp(v.v[i], "rw") == 0 ||
		    strcmp(v.v[i], "late") == 0 ||
		    strcmp(v.v[i], "defaults") == 0)
			continue;
		strv_push(rest, v.v[i]);
	}
	strv_free(&v);
	return (flags);
}

void
jail_mkmountpoint_note(const char *dst, struct strv *made)
{
	char *p = path_clean(xstrdup(dst)), *top = NULL, *slash;
	struct stat st;

	while (lstat(p, &st) == -1 && errno == ENOENT) {
		free(top);
		top = xstrdup(p);
		if ((slash = strrchr(p, '/')) == NULL || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
	if (top == NULL)
		return;
	/* Pairs: the mount point, and the topmost directory made for it. */
	p = path_clean(xstrdup(dst));
	strv_push(made, p);
	strv_push(made, top);
	free(p);
	free(top);
}

void
jail_mkmountpoint_undo(const struct strv *made)
{
	struct stat st;
	char *p, *slash;
	size_t i;

	for (i = 0; i + 1 < made->n; i += 2) {
		p = xstrdup(made->v[i]);
		/* Only what is empty: made for the mount, holding nothing. */
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == 0)
			(void)unlink(p);
		for (;;) {
			(void)rmdir(p);
			if (strcmp(p, made->v[i + 1]) == 0 ||
			    (slash = strrchr(p, '/')) == NULL || slash == p)
				break;
			*slash = '\0';
		}
		free(p);
	}
}

/*
 * The mount point of a jail mount, made if missing: a file when a file
 * is bound onto it, else a directory (and its parents).
 */
int
jail_mkmountpoint(const char *dst, const char *src)
{
	struct stat st;
	int fd;

	if (lstat(dst, &st) == 0)
		return (0);
	if (src != NULL && stat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char *d = xstrdup(dst), *slash = strrchr(d, '/');

		if (slash != NULL && slash != d) {
			*slash = '\0';
			if (path_mkdirs(d, 0755) == -1) {
				free(d);
				return (-1);
			}
		}
		free(d);
		if ((fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644))
		    == -1)
			return (error_sys("create mount point %s", dst));
		close(fd);
		return (0);
	}
	return (path_mkdirs(dst, 0755));
}
