/*
 * passwd(5) and group(5) lookups in a given root, without NSS: the
 * binary is static and the jail's files are not the host's.
 *
 * The files come from the jail's image, so they are read as untrusted
 * input: regular files only (not /dev/zero, not a FIFO that would block),
 * at most USER_MAX_FILE bytes, and parsed from memory by
 * jail_user_parse, which has a fuzz target (tests/fuzz/fuzz_jail_passwd.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "jail/jail_impl.h"

#define USER_MAX_FILE	(1 << 20)

static int
numeric(const char *s, long long *n)
{
	if (str_tonum(s, 0, 0x7fffffff, n) == -1) {
		error_clear();
		return (0);
	}
	return (1);
}

/*
 * The next line of [*p, end), NUL-terminated in place; NULL at the end.
 * A line holding a NUL byte is no passwd or group entry: it comes back
 * as "" so that it matches nothing.
 */
static char *
next_line(char **p, char *end)
{
	char *l = *p, *nl;

	if (l >= end)
		return (NULL);
	if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
		nl = end;
	*nl = '\0';
	*p = nl + 1;
	if (strlen(l) != (size_t)(nl - l))
		return ((char *)"");
	return (l);
}

/* Split line on ':' into exactly n fields; 0 if there are fewer. */
static int
fields(char *line, char **f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((f[i] = strsep(&line, ":")) == NULL)
			return (0);
	return (1);
}

static int
fits(const char *v, size_t room, const char *what, const char *name)
{
	if (strlen(v) < room)
		return (1);
	error_set("user \"%s\": %s longer than %zu bytes", name, what,
	    room - 1);
	return (0);
}

int
jail_user_parse(const char *pw, size_t pwlen, const char *gr, size_t grlen,
    const char *name, struct jail_user *u)
{
	char *copy, *p, *end, *line, *f[7], *m, *mem;
	long long n, want;
	int byid, found = 0, rc = -1;

	memset(u, 0, sizeof(*u));
	byid = numeric(name, &want);
	copy = xmalloc(pwlen + 1);
	memcpy(copy, pw, pwlen);
	end = copy + pwlen;
	for (p = copy; !found && (line = next_line(&p, end)) != NULL;) {
		if (!fields(line, f, 7) || !numeric(f[2], &n))
			continue;
		/* The first entry with that name, or a number as its uid. */
		if (strcmp(f[0], name) != 0 && !(byid && n == want &&
		    strcmp(f[2], name) == 0))
			continue;
		u->uid = n;
		if (!numeric(f[3], &n))
			continue;
		u->gid = n;
		if (*f[5] == '\0')
			f[5] = "/";
		if (*f[6] == '\0')
			f[6] = "/bin/sh";
		if (!fits(f[0], sizeof(u->name), "name", name) ||
		    !fits(f[5], sizeof(u->home), "home directory", name) ||
		    !fits(f[6], sizeof(u->shell), "shell", name))
			goto out;
		str_lcpy(u->name, f[0], sizeof(u->name));
		str_lcpy(u->home, f[5], sizeof(u->home));
		str_lcpy(u->shell, f[6], sizeof(u->shell));
		found = 1;
	}
	free(copy);
	copy = NULL;
	if (!found) {
		error_set("unknown user \"%s\"", name);
		goto out;
	}
	u->groups[u->ngroups++] = u->gid;
	if (gr != NULL) {
		copy = xmalloc(grlen + 1);
		memcpy(copy, gr, grlen);
		end = copy + grlen;
		for (p = copy; u->ngroups < (int)(sizeof(u->groups) /
		    sizeof(u->groups[0])) && (line = next_line(&p, end)) !=
		    NULL;) {
			if (!fields(line, f, 4) || !numeric(f[2], &n))
				continue;
			mem = f[3];
			while ((m = strsep(&mem, ",")) != NULL &&
			    u->ngroups < (int)(sizeof(u->groups) /
			    sizeof(u->groups[0])))
				if (strcmp(m, u->name) == 0 &&
				    (gid_t)n != u->gid)
					u->groups[u->ngroups++] = n;
		}
	}
	rc = 0;
out:
	free(copy);
	if (rc == -1)
		memset(u, 0, sizeof(*u));
	return (rc);
}

/*
 * Read root's etc/FILE, a regular file of at most USER_MAX_FILE bytes.
 * 1 read, 0 absent (ENOENT), -1 anything else.
 */
static int
read_etc(const char *root, const char *file, struct buf *b)
{
	struct stat st;
	char *path;
	int fd, r = -1;

	path = xasprintf("%s/etc/%s", strcmp(root, "/") ? root : "", file);
	/* O_NONBLOCK: a FIFO must not hang us before fstat refuses it. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		r = errno == ENOENT ? 0 : -1;
		error_sys("%s", path);
		goto out;
	}
	if (fstat(fd, &st) == -1)
		error_sys("%s", path);
	else if (!S_ISREG(st.st_mode))
		error_set("%s: not a regular file", path);
	else if (st.st_size > USER_MAX_FILE)
		error_set("%s: larger than the limit of %d bytes", path,
		    USER_MAX_FILE);
	else if (file_read_fd(fd, USER_MAX_FILE, b) == -1)
		error_wrap("%s", path);
	else
		r = 1;
	close(fd);
out:
	free(path);
	return (r);
}

int
jail_user_lookup(const char *root, const char *name, struct jail_user *u)
{
	struct buf pw = BUF_INIT, gr = BUF_INIT;
	int r, g;

	memset(u, 0, sizeof(*u));
	if ((r = read_etc(root, "passwd", &pw)) != 1) {
		buf_free(&pw);
		return (-1);
	}
	/* No group file: no supplementary groups, as before. */
	if ((g = read_etc(root, "group", &gr)) == -1) {
		buf_free(&pw);
		buf_free(&gr);
		return (-1);
	}
	error_clear();
	r = jail_user_parse(pw.data ? pw.data : "", pw.len, g == 1 ?
	    (gr.data ? gr.data : "") : NULL, gr.len, name, u);
	buf_free(&pw);
	buf_free(&gr);
	return (r);
}
