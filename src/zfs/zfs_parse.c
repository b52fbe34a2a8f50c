/*
 * Parsers for the zfs and zpool tools' output.  The output is trusted
 * about as much as any other input (a different zfs build, a name with
 * odd bytes, a fuzzer): every line and the whole are bounded, and a line
 * that does not have the expected shape is an error, not a guess.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "zfs/zfs.h"

static struct zfs_ds *
dslist_add(struct zfs_dslist *l, const char *name, size_t len)
{
	struct zfs_ds *d;

	size_t i;

	/* The tools group a dataset's lines; look back before scanning. */
	for (i = l->n; i > 0; i--)
		if (strlen(l->v[i - 1].name) == len &&
		    memcmp(l->v[i - 1].name, name, len) == 0)
			return (&l->v[i - 1]);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	d = &l->v[l->n++];
	memset(d, 0, sizeof(*d));
	d->name = xstrndup(name, len);
	return (d);
}

void
zfs_dslist_free(struct zfs_dslist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		strv_free(&l->v[i].props);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct zfs_ds *
zfs_dslist_find(const struct zfs_dslist *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return (&l->v[i]);
	return (NULL);
}

const char *
zfs_ds_prop(const struct zfs_ds *d, const char *prop)
{
	size_t i;

	if (d == NULL)
		return (NULL);
	for (i = 0; i + 1 < d->props.n; i += 2)
		if (strcmp(d->props.v[i], prop) == 0)
			return (strcmp(d->props.v[i + 1], "-") == 0 ? NULL :
			    d->props.v[i + 1]);
	return (NULL);
}

static void
push_n(struct strv *v, const char *s, size_t n)
{
	char *t = xstrndup(s, n);

	strv_push(v, t);
	free(t);
}

static int
has_nul(const char *s, size_t len)
{
	return (memchr(s, '\0', len) != NULL);
}

int
zfs_parse_get(const char *s, size_t len, struct zfs_dslist *out)
{
	const char *p, *end, *nl, *t1, *t2;
	struct zfs_ds *d;
	size_t lineno, ll;

	if (len > ZFS_OUTPUT_MAX)
		return (error_set("zfs output too large (%zu bytes)", len));
	if (has_nul(s, len))
		return (error_set("zfs output holds a NUL byte"));
	p = s;
	end = s + len;
	for (lineno = 1; p < end; lineno++, p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		ll = nl - p;
		if (ll == 0)
			continue;
		if (ll > ZFS_LINE_MAX)
			return (error_set("zfs output line %zu too long",
			    lineno));
		t1 = memchr(p, '\t', ll);
		t2 = t1 != NULL ? memchr(t1 + 1, '\t', nl - t1 - 1) : NULL;
		if (t1 == NULL || t2 == NULL || t1 == p || t2 == t1 + 1)
			return (error_set("zfs output line %zu: want "
			    "name, property and value separated by tabs",
			    lineno));
		if ((size_t)(t1 - p) > ZFS_NAME_MAX)
			return (error_set("zfs output line %zu: dataset "
			    "name too long", lineno));
		d = dslist_add(out, p, t1 - p);
		push_n(&d->props, t1 + 1, t2 - t1 - 1);
		push_n(&d->props, t2 + 1, nl - t2 - 1);
	}
	return (0);
}

/* Split one line on runs of blanks, at most max fields. */
static size_t
fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		f[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return (n);
}

int
zpool_parse_get(const char *s, size_t len, const char *pool,
    const char *prop, char **value)
{
	char *copy, *line, *next, *f[5];
	size_t n;
	int rc = -1;

	*value = NULL;
	if (len > ZFS_OUTPUT_MAX)
		return (error_set("zpool output too large (%zu bytes)", len));
	if (has_nul(s, len))
		return (error_set("zpool output holds a NUL byte"));
	copy = xstrndup(s, len);
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strlen(line) > ZFS_LINE_MAX) {
			error_set("zpool output line too long");
			goto out;
		}
		/*
		 * The value is the third field; values with blanks in them
		 * are not among the ones we ask for (bootfs, health...).
		 */
		n = fields(line, f, 4);
		if (n == 0)
			continue;
		if (n < 3) {
			error_set("zpool output: short line");
			goto out;
		}
		if (strcmp(f[0], "NAME") == 0 && strcmp(f[1], "PROPERTY") == 0)
			continue;
		if (strcmp(f[0], pool) != 0 || strcmp(f[1], prop) != 0)
			continue;
		if (strcmp(f[2], "-") != 0)
			*value = xstrdup(f[2]);
		rc = 0;
		goto out;
	}
	error_set("zpool output has no %s for pool %s", prop, pool);
out:
	free(copy);
	return (rc);
}

int
zfs_component_ok(const char *s)
{
	const unsigned char *p;

	if (s == NULL || *s == '\0' || strlen(s) > ZFS_NAME_MAX / 2)
		return (0);
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || *s == '-')
		return (0);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || *p == ':'))
			return (0);
	return (1);
}

char *
zfs_pool_of(const char *ds)
{
	size_t n = strcspn(ds, "/@");

	return (xstrndup(ds, n));
}
