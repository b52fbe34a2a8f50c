/*
 * Request bodies into the payload tree, the way webhook reads them: the
 * content type (or the hook's incoming-payload-content-type) picks JSON
 * (a top-level list lands under "root"), form-urlencoded (first value of
 * each name), XML (xml.c) or multipart form data (values, and JSON
 * files).  A body that does not parse leaves the payload empty, except
 * multipart, which webhook answers with a 500.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/encode.h"
#include "base/err.h"
#include "hooks_int.h"

json_t *
body_json(const char *s, size_t len)
{
	json_error_t jerr;
	json_t *v, *o;
	size_t i;

	if (len == 0)
		return (NULL);
	for (i = 0; i < len && isspace((unsigned char)s[i]); i++)
		;
	v = json_loadb(s, len, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK,
	    &jerr);
	if (v == NULL)
		return (NULL);
	if (i < len && s[i] == '[') {
		o = json_object();
		json_object_set_new(o, "root", v);
		return (o);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return (NULL);
	}
	return (v);
}

/* Go's url.QueryUnescape; -1 on a bad escape. */
static int
unescape(const char *s, size_t n, struct buf *out)
{
	size_t i;
	int h, l;

	buf_reset(out);
	buf_grow(out, n + 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			buf_addc(out, ' ');
		else if (s[i] == '%') {
			if (i + 2 >= n || (h = hex_digit(s[i + 1])) == -1 ||
			    (l = hex_digit(s[i + 2])) == -1)
				return (-1);
			buf_addc(out, (char)(h << 4 | l));
			i += 2;
		} else
			buf_addc(out, s[i]);
	}
	buf_add(out, "", 0);	/* NUL-terminated even when empty */
	return (0);
}

/*
 * Go's url.ParseQuery into obj (first value wins).  Keys, as values, are
 * any bytes, as Go keeps them: json_object_set_new refuses a key that is
 * not UTF-8, and the pair was silently lost.  Returns -1 if any
 * pair was bad (a semicolon, a bad escape); the good ones are kept.
 */
int
form_parse(const char *s, size_t len, json_t *obj)
{
	struct buf k = BUF_INIT, v = BUF_INIT;
	const char *p = s, *end = s + len, *amp, *eq;
	int rc = 0;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (memchr(p, ';', (size_t)(amp - p)) != NULL) {
			rc = -1;
			goto next;
		}
		if (amp == p)
			goto next;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (unescape(p, (size_t)((eq ? eq : amp) - p), &k) == -1 ||
		    unescape(eq ? eq + 1 : amp, eq ? (size_t)(amp - eq - 1) :
		    0, &v) == -1) {
			rc = -1;
			goto next;
		}
		if (json_object_get(obj, buf_cstr(&k)) == NULL)
			json_object_set_new_nocheck(obj, buf_cstr(&k),
			    json_stringn_nocheck(buf_cstr(&v), v.len));
next:
		p = amp + 1;
	}
	buf_free(&k);
	buf_free(&v);
	return (rc);
}

json_t *
body_form(const char *s, size_t len)
{
	json_t *o;

	if (len == 0)
		return (NULL);
	o = json_object();
	if (form_parse(s, len, o) == -1) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

/* A parameter of a header value: boundary=..., name="...". */
static char *
header_param(const char *h, const char *name)
{
	size_t n = strlen(name);
	const char *p = h, *e;
	struct buf b = BUF_INIT;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, n) != 0 || p[n] != '=')
			continue;
		p += n + 1;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				buf_addc(&b, *p);
			}
		} else {
			e = p + strcspn(p, "; \t");
			buf_add(&b, p, (size_t)(e - p));
		}
		return (buf_steal(&b));
	}
	return (NULL);
}

static const char *
find(const char *s, const char *end, const char *needle, size_t n)
{
	return (memmem(s, (size_t)(end - s), needle, n));
}

int
body_multipart(const char *s, size_t len, const char *ctype,
    const struct hhook *h, long long maxmem, json_t **out)
{
	const char *end = s + len, *p, *line, *hend, *content, *next;
	char *boundary, *delim = NULL, *name, *filename;
	char *disp = NULL, *pctype = NULL;
	long long values = 0;
	json_t *payload = NULL, *v;
	size_t dlen, i;
	int rc = -1, json;

	*out = NULL;
	if ((boundary = header_param(ctype, "boundary")) == NULL ||
	    boundary[0] == '\0') {
		free(boundary);
		return (error_set("no multipart boundary"));
	}
	delim = xasprintf("--%s", boundary);
	dlen = strlen(delim);
	/* The first delimiter line; a preamble before it is skipped. */
	p = s;
	for (;;) {
		if ((line = find(p, end, delim, dlen)) == NULL) {
			error_set("multipart: NextPart: EOF");
			goto out;
		}
		if (line == s || line[-1] == '\n')
			break;
		p = line + 1;
	}
	p = line + dlen;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			rc = 0;		/* the closing delimiter */
			break;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			p += 2;
		else if (p < end && *p == '\n')
			p++;
		else {
			error_set("multipart: bad boundary line");
			goto out;
		}
		/* Part headers. */
		free(disp);
		free(pctype);
		disp = pctype = NULL;
		for (;;) {
			hend = memchr(p, '\n', (size_t)(end - p));
			if (hend == NULL) {
				error_set("multipart: NextPart: EOF");
				goto out;
			}
			line = p;
			p = hend + 1;
			if (hend > line && hend[-1] == '\r')
				hend--;
			if (hend == line)
				break;
			if ((size_t)(hend - line) > 20 &&
			    strncasecmp(line, "Content-Disposition:", 20) ==
			    0) {
				free(disp);
				disp = xstrndup(line + 20,
				    (size_t)(hend - line - 20));
			} else if ((size_t)(hend - line) > 13 &&
			    strncasecmp(line, "Content-Type:", 13) == 0) {
				char *raw = xstrndup(line + 13,
				    (size_t)(hend - line - 13));

				free(pctype);
				pctype = xstrdup(str_trim(raw));
				free(raw);
			}
		}
		content = p;
		/* The content ends at CRLF (or LF) and the delimiter. */
		for (next = p;; next++) {
			next = find(next, end, delim, dlen);
			if (next == NULL) {
				error_set("multipart: NextPart: EOF");
				goto out;
			}
			if (next > content && next[-1] == '\n')
				break;
			if (next == content)
				break;
		}
		p = next + dlen;
		if (next > content && next[-1] == '\n')
			next--;
		if (next > content && next[-1] == '\r')
			next--;
		if (disp == NULL)
			continue;
		name = header_param(disp, "name");
		filename = header_param(disp, "filename");
		if (name == NULL || name[0] == '\0') {
			free(name);
			free(filename);
			continue;
		}
		if (payload == NULL)
			payload = json_object();
		if (filename == NULL) {
			values += next - content;
			if (values > maxmem + (10ll << 20)) {
				free(name);
				error_set("multipart: message too large");
				goto out;
			}
			if (json_object_get(payload, name) == NULL)
				json_object_set_new_nocheck(payload, name,
				    json_stringn_nocheck(content,
				    (size_t)(next - content)));
		} else {
			json = pctype != NULL &&
			    strcmp(pctype, "application/json") == 0;
			for (i = 0; i < h->njson; i++)
				if (h->json_params[i].src == SRC_PAYLOAD &&
				    strcmp(h->json_params[i].name, name) == 0)
					json = 1;
			if (json && json_object_get(payload, name) == NULL) {
				json_error_t jerr;

				v = json_loadb(content, (size_t)(next -
				    content), JSON_DISABLE_EOF_CHECK, &jerr);
				if (v == NULL || !json_is_object(v)) {
					json_decref(v);
					v = json_null();
				}
				/* This consumes v, even when it fails. */
				json_object_set_new_nocheck(payload, name, v);
			}
		}
		free(name);
		free(filename);
	}
out:
	free(disp);
	free(pctype);
	free(boundary);
	free(delim);
	if (rc == 0)
		*out = payload;
	else
		json_decref(payload);
	return (rc);
}

/*
 * A multipart body is parsed at once: when it does not parse, webhook
 * answers 500 (BODY_MULTIPART_ERR).  The other types are parsed on first
 * use by hreq_payload(): their errors only leave the payload empty.
 */
int
body_parse(const struct hhook *h, struct hreq *r, long long maxmem)
{
	const char *ct = r->content_type ? r->content_type : "";

	if (str_startswith(ct, "multipart/form-data;") && strstr(ct, "json")
	    == NULL && strstr(ct, "x-www-form-urlencoded") == NULL &&
	    strstr(ct, "xml") == NULL) {
		r->lazy &= ~LAZY_PAYLOAD;
		if (body_multipart(r->body, r->body_len, ct, h, maxmem,
		    &r->payload) == -1)
			return (BODY_MULTIPART_ERR);
		return (0);
	}
	if (r->raw == NULL) {
		r->lazy |= LAZY_PAYLOAD;
		hreq_payload(r);
	}
	return (0);
}

json_t *
hreq_payload(struct hreq *r)
{
	const char *ct = r->content_type ? r->content_type : "";

	if (!(r->lazy & LAZY_PAYLOAD))
		return (r->payload);
	r->lazy &= ~LAZY_PAYLOAD;
	if (strstr(ct, "json") != NULL)
		r->payload = body_json(r->body, r->body_len);
	else if (strstr(ct, "x-www-form-urlencoded") != NULL)
		r->payload = body_form(r->body, r->body_len);
	else if (strstr(ct, "xml") != NULL)
		r->payload = body_xml(r->body, r->body_len);
	return (r->payload);
}
