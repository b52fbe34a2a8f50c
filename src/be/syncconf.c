/*
 * sync-be's CONF: which of the running system's files are its own state
 * (loader.conf, password databases, rc.conf.d, root's home...) and go
 * into every new BE.  Read from a file an administrator wrote, but still
 * bounded and strict: one absolute path or glob per line, nothing else.
 */
#include <sys/stat.h>

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/path.h"
#include "be/be.h"

static int
bad(const char *file, int line, const char *why)
{
	return (error_set("%s:%d: %s", file, line, why));
}

/* No "." or ".." components: a CONF names paths as they are. */
static int
dotty(const char *p)
{
	const char *c = p;

	while (*c != '\0') {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return (1);
		c += n;
	}
	return (0);
}

int
syncconf_parse(const char *text, size_t len, const char *file,
    struct syncconf *c)
{
	const char *p = text, *end = text + len, *nl;
	struct syncconf_entry *e;
	char *line, *s;
	int lineno = 0, optional;
	size_t cap = 0;

	memset(c, 0, sizeof(*c));
	if (len > SYNCCONF_MAX)
		return (error_set("%s: larger than %u bytes", file,
		    SYNCCONF_MAX));
	if (memchr(text, '\0', len) != NULL)
		return (error_set("%s: holds a NUL byte", file));
	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (nl - p > SYNCCONF_LINE_MAX) {
			syncconf_free(c);
			return (bad(file, lineno, "line too long"));
		}
		line = xstrndup(p, nl - p);
		if ((s = strchr(line, '#')) != NULL)
			*s = '\0';
		s = str_trim(line);
		if (*s == '\0') {
			free(line);
			continue;
		}
		optional = 0;
		if (*s == '?') {
			optional = 1;
			s = str_trim(s + 1);
		}
		if (*s != '/' || strcmp(s, "/") == 0 || dotty(s)) {
			free(line);
			syncconf_free(c);
			return (bad(file, lineno, "want an absolute path "
			    "(not /, no . or .. components)"));
		}
		for (char *q = s; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f) {
				free(line);
				syncconf_free(c);
				return (bad(file, lineno,
				    "control character in path"));
			}
		if (c->n == SYNCCONF_ENTRIES) {
			free(line);
			syncconf_free(c);
			return (bad(file, lineno, "too many entries"));
		}
		if (c->n == cap) {
			cap = cap ? cap * 2 : 16;
			c->v = xrealloc(c->v, cap * sizeof(*c->v));
		}
		e = &c->v[c->n++];
		e->pattern = path_clean(xstrdup(s));
		e->optional = optional;
		e->glob = strpbrk(s, "*?[") != NULL;
		e->line = lineno;
		free(line);
	}
	return (0);
}

int
syncconf_load(const char *path, struct syncconf *c)
{
	struct buf b = BUF_INIT;
	int rc;

	memset(c, 0, sizeof(*c));
	if (file_read(path, SYNCCONF_MAX, &b) == -1)
		return (-1);
	rc = syncconf_parse(b.data != NULL ? b.data : "", b.len, path, c);
	buf_free(&b);
	return (rc);
}

void
syncconf_free(struct syncconf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].pattern);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void
add_unique(struct strv *v, const char *p)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], p) == 0)
			return;
	strv_push(v, p);
}

/* srcroot with glob's special characters escaped. */
static char *
glob_escape(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s != '\0'; s++) {
		if (strchr("*?[]\\", *s) != NULL)
			buf_addc(&b, '\\');
		buf_addc(&b, *s);
	}
	return (buf_steal(&b));
}

int
syncconf_expand(const struct syncconf *c, const char *srcroot,
    struct strv *paths)
{
	char *root, *full, *eroot, *pat;
	struct stat st;
	glob_t g;
	size_t i, k, rl;
	int rc = 0;

	root = path_clean(xstrdup(srcroot));
	rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
	for (i = 0; i < c->n && rc == 0; i++) {
		const struct syncconf_entry *e = &c->v[i];

		if (!e->glob) {
			full = xasprintf("%.*s%s", (int)rl, root, e->pattern);
			if (lstat(full, &st) == 0)
				add_unique(paths, e->pattern);
			else if (errno != ENOENT || !e->optional)
				rc = error_sys("line %d: %s", e->line, full);
			free(full);
			continue;
		}
		eroot = glob_escape(rl ? root : "");
		pat = xasprintf("%s%s", eroot, e->pattern);
		memset(&g, 0, sizeof(g));
		switch (glob(pat, GLOB_ERR, NULL, &g)) {
		case 0:
			for (k = 0; k < g.gl_pathc; k++)
				add_unique(paths, g.gl_pathv[k] + rl);
			break;
		case GLOB_NOMATCH:
			break;
		default:
			rc = error_set("line %d: cannot expand %s", e->line,
			    e->pattern);
		}
		globfree(&g);
		free(pat);
		free(eroot);
	}
	free(root);
	return (rc);
}
