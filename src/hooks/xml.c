/*
 * XML bodies into the payload tree the way webhook's mxj library maps
 * them: the root element is the one key; attributes become "-name"
 * keys; text becomes the element's string value, or "#text" when the
 * element also has attributes or children; repeated children become a
 * list; an empty element is "".  Values stay strings.  Depth and size
 * are bounded; anything not well-formed gives no payload.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hooks_int.h"

struct xp {
	const char	*p;
	const char	*end;
};

static const char TRIM[] = "\t\r\b\n ";

static int
name_char(unsigned char c)
{
	return (c >= 0x80 || isalnum(c) || c == '_' || c == '-' || c == '.' ||
	    c == ':');
}

/* A name, returning its local part (after the last colon). */
static char *
xname(struct xp *x)
{
	const char *s = x->p, *local;

	if (x->p >= x->end || !(name_char((unsigned char)*x->p) &&
	    !isdigit((unsigned char)*x->p) && *x->p != '-' && *x->p != '.'))
		return (NULL);
	while (x->p < x->end && name_char((unsigned char)*x->p))
		x->p++;
	local = s;
	for (const char *c = s; c < x->p; c++)
		if (*c == ':')
			local = c + 1;
	return (xstrndup(local, (size_t)(x->p - local)));
}

static void
ws(struct xp *x)
{
	while (x->p < x->end && isspace((unsigned char)*x->p))
		x->p++;
}

static void
put_utf8(struct buf *b, unsigned long cp)
{
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | cp >> 6));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | cp >> 12));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | cp >> 18));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decode text up to stop (exclusive) with entities; -1 if bad. */
static int
decode(const char *s, const char *e, struct buf *out)
{
	static const struct { const char *n; char c; } ents[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' },
		{ "apos", '\'' }, { "quot", '"' },
	};
	const char *semi;
	unsigned long cp;
	char *end;
	size_t i, n;

	while (s < e) {
		if (*s != '&') {
			buf_addc(out, *s++);
			continue;
		}
		semi = memchr(s, ';', (size_t)(e - s));
		if (semi == NULL)
			return (-1);
		n = (size_t)(semi - s - 1);
		if (n > 1 && s[1] == '#') {
			if (s[2] == 'x')
				cp = strtoul(s + 3, &end, 16);
			else
				cp = strtoul(s + 2, &end, 10);
			if (end != semi || cp == 0 || cp > 0x10ffff)
				return (-1);
			put_utf8(out, cp);
		} else {
			for (i = 0; i < 5; i++)
				if (strlen(ents[i].n) == n &&
				    strncmp(s + 1, ents[i].n, n) == 0)
					break;
			if (i == 5)
				return (-1);
			buf_addc(out, ents[i].c);
		}
		s = semi + 1;
	}
	return (0);
}

/* Skip <?...?>, <!--...-->, <!...>; 1 skipped, 0 not one, -1 bad. */
static int
skip_misc(struct xp *x)
{
	const char *e;

	if (x->end - x->p >= 4 && memcmp(x->p, "<!--", 4) == 0) {
		e = memmem(x->p + 4, (size_t)(x->end - x->p - 4), "-->", 3);
		if (e == NULL)
			return (-1);
		x->p = e + 3;
		return (1);
	}
	if (x->end - x->p >= 2 && memcmp(x->p, "<?", 2) == 0) {
		e = memmem(x->p + 2, (size_t)(x->end - x->p - 2), "?>", 2);
		if (e == NULL)
			return (-1);
		x->p = e + 2;
		return (1);
	}
	if (x->end - x->p >= 2 && memcmp(x->p, "<!", 2) == 0 &&
	    !(x->end - x->p >= 9 && memcmp(x->p, "<![CDATA[", 9) == 0)) {
		int depth = 0;

		for (e = x->p; e < x->end; e++) {
			if (*e == '<')
				depth++;
			else if (*e == '>' && --depth == 0)
				break;
		}
		if (e >= x->end)
			return (-1);
		x->p = e + 1;
		return (1);
	}
	return (0);
}

static void
add_child(json_t *na, const char *key, json_t *val)
{
	json_t *old = json_object_get(na, key), *list;

	if (old == NULL) {
		json_object_set_new_nocheck(na, key, val);
		return;
	}
	if (json_is_array(old)) {
		json_array_append_new(old, val);
		return;
	}
	list = json_array();
	json_array_append(list, old);
	json_array_append_new(list, val);
	json_object_set_new_nocheck(na, key, list);
}

/* At '<' of a start tag: the element's value (string or object). */
static json_t *
element(struct xp *x, char **namep, int depth)
{
	json_t *na = json_object(), *val = NULL, *child;
	struct buf t = BUF_INIT;
	char *name = NULL, *attr = NULL, *cname, *key;
	const char *s, *e;
	char q;
	int rc;

	*namep = NULL;
	if (depth > HOOKS_MAX_DEPTH)
		goto bad;
	x->p++;
	if ((name = xname(x)) == NULL)
		goto bad;
	for (;;) {
		ws(x);
		if (x->p >= x->end)
			goto bad;
		if (*x->p == '/' || *x->p == '>')
			break;
		if ((attr = xname(x)) == NULL)
			goto bad;
		ws(x);
		if (x->p >= x->end || *x->p != '=')
			goto bad;
		x->p++;
		ws(x);
		if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
			goto bad;
		q = *x->p++;
		s = x->p;
		if ((e = memchr(s, q, (size_t)(x->end - s))) == NULL)
			goto bad;
		buf_reset(&t);
		if (decode(s, e, &t) == -1)
			goto bad;
		x->p = e + 1;
		key = xasprintf("-%s", attr);
		json_object_set_new_nocheck(na, key,
		    json_string_nocheck(buf_cstr(&t)));
		free(key);
		free(attr);
		attr = NULL;
	}
	if (*x->p == '/') {
		if (x->end - x->p < 2 || x->p[1] != '>')
			goto bad;
		x->p += 2;
		goto done;
	}
	x->p++;
	for (;;) {
		/* Text up to the next markup. */
		s = x->p;
		buf_reset(&t);
		while (x->p < x->end && *x->p != '<')
			x->p++;
		if (decode(s, x->p, &t) == -1)
			goto bad;
		if (x->end - x->p >= 9 && memcmp(x->p, "<![CDATA[", 9) == 0) {
			e = memmem(x->p + 9, (size_t)(x->end - x->p - 9),
			    "]]>", 3);
			if (e == NULL)
				goto bad;
			buf_add(&t, x->p + 9, (size_t)(e - x->p - 9));
			x->p = e + 3;
		}
		if (t.len > 0) {
			const char *b = buf_cstr(&t), *z = b + t.len;

			b += strspn(b, TRIM);
			while (z > b && strchr(TRIM, z[-1]) != NULL)
				z--;
			if (z > b) {
				if (json_object_size(na) > 0)
					json_object_set_new(na, "#text",
					    json_stringn_nocheck(b,
					    (size_t)(z - b)));
				else if (val == NULL)
					val = json_stringn_nocheck(b,
					    (size_t)(z - b));
			}
		}
		if (x->p >= x->end)
			goto bad;
		if (x->p[0] == '<' && x->end - x->p >= 2 && x->p[1] == '/')
			break;
		if ((rc = skip_misc(x)) == -1)
			goto bad;
		if (rc == 1)
			continue;
		if (*x->p != '<' || (x->end - x->p >= 9 &&
		    memcmp(x->p, "<![CDATA[", 9) == 0))
			continue;
		if ((child = element(x, &cname, depth + 1)) == NULL)
			goto bad;
		add_child(na, cname, child);
		free(cname);
	}
	x->p += 2;
	if ((cname = xname(x)) == NULL || strcmp(cname, name) != 0) {
		free(cname);
		goto bad;
	}
	free(cname);
	ws(x);
	if (x->p >= x->end || *x->p != '>')
		goto bad;
	x->p++;
done:
	buf_free(&t);
	*namep = name;
	if (val != NULL) {
		/* mxj: text before anything else makes a simple value. */
		json_decref(na);
		return (val);
	}
	if (json_object_size(na) == 0) {
		json_decref(na);
		return (json_string(""));
	}
	return (na);
bad:
	json_decref(val);
	json_decref(na);
	buf_free(&t);
	free(name);
	free(attr);
	return (NULL);
}

json_t *
body_xml(const char *s, size_t len)
{
	struct xp x = { s, s + len };
	json_t *root, *v;
	char *name;
	int rc;

	if (len == 0)
		return (NULL);
	for (;;) {
		while (x.p < x.end && *x.p != '<')
			x.p++;
		if (x.p >= x.end)
			return (NULL);
		if ((rc = skip_misc(&x)) == -1)
			return (NULL);
		if (rc == 0)
			break;
	}
	if ((v = element(&x, &name, 0)) == NULL)
		return (NULL);
	root = json_object();
	json_object_set_new_nocheck(root, name, v);
	free(name);
	return (root);
}
