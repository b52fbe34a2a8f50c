/*
 * Parameters: where webhook's Argument.Get finds a value (headers,
 * query, payload with dotted paths, the raw body, the request itself,
 * literal strings and whole maps), and how it turns the value into the
 * text a command sees: scalars as Go's fmt prints them, maps and lists
 * as Go's json.Marshal does (sorted keys, <>& escaped).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/http.h"
#include "base/tree.h"
#include "hooks_int.h"

static int
token_char(unsigned char c)
{
	return (isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL));
}

/* Go's textproto.CanonicalMIMEHeaderKey. */
void
canonical_header(const char *s, char *out, size_t len)
{
	size_t i, n = strlen(s);
	int upper = 1;

	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++)
		if (!token_char((unsigned char)s[i])) {
			memcpy(out, s, n);
			out[n] = '\0';
			return;
		}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (upper && c >= 'a' && c <= 'z')
			c = (unsigned char)toupper(c);
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (unsigned char)tolower(c);
		out[i] = (char)c;
		upper = c == '-';
	}
	out[n] = '\0';
}

/*
 * The length of the UTF-8 character at p (1-4) within n bytes, or 0 if
 * it is not one: Go's utf8.DecodeRune (no overlongs, surrogates, or
 * past U+10FFFF).
 */
static size_t
utf8_char(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (len > n || p[1] < lo || p[1] > hi)
		return (0);
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
	return (len);
}

/* Go's encodeState.string (Go 1.19, HTML escaping on). */
static void
go_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	buf_addc(b, '"');
	while (i < n) {
		unsigned char c = p[i];

		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				buf_addc(b, '\\');
				buf_addc(b, (char)c);
			} else if (c == '\n')
				buf_addstr(b, "\\n");
			else if (c == '\r')
				buf_addstr(b, "\\r");
			else if (c == '\t')
				buf_addstr(b, "\\t");
			else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				buf_addstr(b, "\\u00");
				buf_addc(b, hex[c >> 4]);
				buf_addc(b, hex[c & 0xf]);
			} else
				buf_addc(b, (char)c);
			i++;
			continue;
		}
		/* U+2028 and U+2029 are escaped; the rest passes. */
		if (i + 2 < n && c == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			buf_addstr(b, p[i + 2] == 0xa8 ? "\\u2028" :
			    "\\u2029");
			i += 3;
			continue;
		}
		/* A byte not part of a character: Go writes U+FFFD. */
		if ((len = utf8_char(p + i, n - i)) == 0) {
			buf_addstr(b, "\\ufffd");
			i++;
			continue;
		}
		buf_add(b, p + i, len);
		i += len;
	}
	buf_addc(b, '"');
}

static int
keycmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
go_real(struct buf *b, double d)
{
	char tmp[64];
	int prec;

	if (!isfinite(d)) {
		buf_addstr(b, "null");
		return;
	}
	/* The shortest text that reads back the same, as Go prints. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	buf_addstr(b, tmp);
}

static void
go_json_depth(struct buf *b, json_t *j, int depth)
{
	const char **keys;
	const char *k;
	json_t *v;
	size_t i, n;

	if (depth > HOOKS_MAX_DEPTH * 2) {
		buf_addstr(b, "null");
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		n = json_object_size(j);
		keys = xcalloc(n + 1, sizeof(*keys));
		i = 0;
		json_object_foreach(j, k, v)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), keycmp);
		buf_addc(b, '{');
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(b, ',');
			go_json_str(b, keys[i], strlen(keys[i]));
			buf_addc(b, ':');
			go_json_depth(b, json_object_get(j, keys[i]),
			    depth + 1);
		}
		buf_addc(b, '}');
		free(keys);
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		json_array_foreach(j, i, v) {
			if (i > 0)
				buf_addc(b, ',');
			go_json_depth(b, v, depth + 1);
		}
		buf_addc(b, ']');
		break;
	case JSON_STRING:
		go_json_str(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		buf_printf(b, "%lld", (long long)json_integer_value(j));
		break;
	case JSON_REAL:
		go_real(b, json_real_value(j));
		break;
	case JSON_TRUE:
		buf_addstr(b, "true");
		break;
	case JSON_FALSE:
		buf_addstr(b, "false");
		break;
	default:
		buf_addstr(b, "null");
	}
}

void
go_json(struct buf *b, json_t *j)
{
	if (j == NULL)
		buf_addstr(b, "null");
	else
		go_json_depth(b, j, 0);
}

char *
go_string(json_t *j)
{
	struct buf b = BUF_INIT;

	if (j == NULL || json_is_null(j))
		return (xstrdup("<nil>"));
	switch (json_typeof(j)) {
	case JSON_STRING:
		return (xstrndup(json_string_value(j),
		    json_string_length(j)));
	case JSON_OBJECT:
	case JSON_ARRAY:
	case JSON_INTEGER:
	case JSON_REAL:
		go_json(&b, j);
		break;
	case JSON_TRUE:
		buf_addstr(&b, "true");
		break;
	default:
		buf_addstr(&b, "false");
	}
	return (buf_steal(&b));
}

static int
lookup(json_t *src, const char *key, char **out)
{
	json_t *v;

	if (src == NULL)
		return (-1);
	if ((v = tree_get(src, key)) == NULL)
		return (-1);
	*out = go_string(v);
	return (0);
}

/* As hreq_headers() would map them: canonical names, first wins. */
static int
raw_header(const struct http_request *req, const char *key, char **out)
{
	char name[256];
	size_t i;

	if (strcmp(key, "Host") == 0 || strcmp(key, "Transfer-Encoding") == 0)
		return (-1);
	for (i = 0; i < req->nheaders; i++) {
		canonical_header(req->headers[i].name, name, sizeof(name));
		if (strcmp(name, key) == 0) {
			*out = xstrdup(req->headers[i].value);
			return (0);
		}
	}
	return (-1);
}

int
harg_get(const struct harg *a, struct hreq *r, char **out)
{
	char key[512];
	struct buf b = BUF_INIT;

	*out = NULL;
	switch (a->src) {
	case SRC_HEADER:
		canonical_header(a->name, key, sizeof(key));
		/* A plain name needs no map: look at the request itself. */
		if ((r->lazy & LAZY_HEADERS) && strchr(key, '.') == NULL)
			return (raw_header(r->raw, key, out));
		return (lookup(hreq_headers(r), key, out));
	case SRC_URL:
		return (lookup(hreq_query(r), a->name, out));
	case SRC_PAYLOAD:
		return (lookup(hreq_payload(r), a->name, out));
	case SRC_STRING:
		*out = xstrdup(a->name);
		return (0);
	case SRC_RAW_BODY:
		*out = xstrndup(r->body ? r->body : "", r->body_len);
		return (0);
	case SRC_REQUEST:
		if (strcasecmp(a->name, "remote-addr") == 0)
			*out = xstrdup(r->remote);
		else if (strcasecmp(a->name, "method") == 0)
			*out = xstrdup(r->method);
		else
			return (-1);
		return (0);
	case SRC_ENTIRE_PAYLOAD:
		go_json(&b, hreq_payload(r));
		break;
	case SRC_ENTIRE_HEADERS:
		go_json(&b, hreq_headers(r));
		break;
	case SRC_ENTIRE_QUERY:
		go_json(&b, hreq_query(r));
		break;
	default:
		return (-1);
	}
	*out = buf_steal(&b);
	return (0);
}

/* Go's ReplaceParameter: only an existing key is replaced. */
static void
replace(json_t *src, const char *key, json_t *val, int depth)
{
	const char *dot = strchr(key, '.');
	json_t *next;
	char *end;
	unsigned long idx;

	if (src == NULL || depth > HOOKS_MAX_DEPTH)
		return;
	if (json_is_array(src)) {
		if (dot == NULL)
			return;
		idx = strtoul(key, &end, 10);
		if (end != dot || !isdigit((unsigned char)key[0]))
			return;
		replace(json_array_get(src, idx), dot + 1, val, depth + 1);
		return;
	}
	if (!json_is_object(src))
		return;
	if (dot == NULL) {
		if (json_object_get(src, key) != NULL)
			json_object_set(src, key, val);
		return;
	}
	next = json_object_getn(src, key, (size_t)(dot - key));
	replace(next, dot + 1, val, depth + 1);
}

void
hreq_parse_json_params(const struct hhook *h, struct hreq *r)
{
	json_t *src, *val;
	json_error_t jerr;
	char *s, key[512];
	size_t i;

	for (i = 0; i < h->njson; i++) {
		const struct harg *a = &h->json_params[i];

		if (harg_get(a, r, &s) == -1)
			continue;
		val = json_loads(s, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK,
		    &jerr);
		free(s);
		if (val == NULL || !json_is_object(val)) {
			json_decref(val);
			continue;
		}
		switch (a->src) {
		case SRC_HEADER:
			canonical_header(a->name, key, sizeof(key));
			src = hreq_headers(r);
			break;
		case SRC_PAYLOAD:
			str_lcpy(key, a->name, sizeof(key));
			src = hreq_payload(r);
			break;
		case SRC_URL:
			str_lcpy(key, a->name, sizeof(key));
			src = hreq_query(r);
			break;
		default:
			src = NULL;
		}
		replace(src, key, val, 0);
		json_decref(val);
	}
}
