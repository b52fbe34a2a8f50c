/*
 * Growable buffers, allocation wrappers, string vectors.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

static void __attribute__((noreturn))
oom(size_t n)
{
	fprintf(stderr, "stasis: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		oom(n);
	return (p);
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz)) == NULL)
		oom(n * sz);
	return (p);
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		oom(n);
	return (p);
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		oom(strlen(s));
	return (p);
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		oom(n);
	return (p);
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom(strlen(fmt));
	va_end(ap);
	return (p);
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_grow(struct buf *b, size_t n)
{
	size_t want;

	if (n > SIZE_MAX - b->len - 1)
		oom(SIZE_MAX);
	want = b->len + n + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	buf_grow(b, 64);
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *
buf_cstr(struct buf *b)
{
	return (b->data != NULL ? b->data : "");
}

char *
buf_steal(struct buf *b)
{
	char *p;

	p = b->data != NULL ? b->data : xstrdup("");
	buf_init(b);
	return (p);
}

static size_t	utf8_len(const unsigned char *);

/*
 * JSON strings are UTF-8: a byte not part of a whole character (a path or
 * a name from outside) becomes '?', as str_utf8_clean does, or the whole
 * document would be refused by its reader.
 */
void
buf_add_json_str(struct buf *b, const char *s)
{
	const unsigned char *p;
	size_t n;

	buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		default:
			if (*p < 0x20)
				buf_printf(b, "\\u%04x", *p);
			else if (*p < 0x80)
				buf_addc(b, (char)*p);
			else if ((n = utf8_len(p)) == 0)
				buf_addc(b, '?');
			else {
				buf_add(b, (const char *)p, n);
				p += n - 1;
			}
		}
	}
	buf_addc(b, '"');
}

static void
strv_pushown(struct strv *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap == 0 ? 8 : sv->cap * 2;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_push(struct strv *sv, const char *s)
{
	strv_pushown(sv, xstrdup(s));
}

void
strv_pushf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom(strlen(fmt));
	va_end(ap);
	strv_pushown(sv, p);
}

void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void
strv_setenv(struct strv *sv, const char *name, const char *value)
{
	size_t i, nl = strlen(name);

	for (i = 0; i < sv->n; i++) {
		if (strncmp(sv->v[i], name, nl) == 0 && sv->v[i][nl] == '=') {
			free(sv->v[i]);
			sv->v[i] = xasprintf("%s=%s", name, value);
			return;
		}
	}
	strv_pushf(sv, "%s=%s", name, value);
}

void
strv_split(struct strv *sv, const char *s, const char *sep)
{
	size_t n;

	while (*s != '\0') {
		s += strspn(s, sep);
		if ((n = strcspn(s, sep)) == 0)
			break;
		strv_pushown(sv, xstrndup(s, n));
		s += n;
	}
}

int
str_startswith(const char *s, const char *prefix)
{
	return (strncmp(s, prefix, strlen(prefix)) == 0);
}

int
str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return (a >= b && strcmp(s + a - b, suffix) == 0);
}

char *
str_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return (s);
}

/* The length of the UTF-8 character at s (1-4), or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* nothing past U+10FFFF */
	} else
		return (0);
	if (s[1] < lo || s[1] > hi)
		return (0);
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return (0);
	return (n);
}

/*
 * Text from outside (a check's output, cut at any byte) goes into JSON,
 * whose strings must be UTF-8: jansson refuses anything else, and the
 * object that would hold it is then silently missing.
 */
char *
str_utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if ((n = utf8_len(p)) == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return (s);
}

size_t
str_lcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n >= size ? size - 1 : n;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return (n);
}

int
str_tonum(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return (error_set("empty number"));
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return (error_set("'%s' is not a number", s));
	if (errno == ERANGE || v < min || v > max)
		return (error_set("'%s' is out of range [%lld, %lld]", s,
		    min, max));
	*out = v;
	return (0);
}

int
str_tosize(const char *s, unsigned long long *out)
{
	char *end;
	double v;
	double mul = 1;

	if (s == NULL || *s == '\0')
		return (error_set("empty size"));
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || v < 0 || isnan(v))
		return (error_set("'%s' is not a size", s));
	switch (*end) {
	case 'k': case 'K':
		mul = 1024.0; end++; break;
	case 'm': case 'M':
		mul = 1024.0 * 1024; end++; break;
	case 'g': case 'G':
		mul = 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T':
		mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0')
		return (error_set("'%s' is not a size (bad suffix)", s));
	v *= mul;
	if (v >= 18446744073709551615.0)
		return (error_set("'%s' is too large", s));
	*out = (unsigned long long)v;
	return (0);
}

char *
str_fmtsize(char *out, size_t len, unsigned long long n)
{
	static const char units[] = "BKMGTPE";
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%lluB", n);
	else if (v < 10)
		snprintf(out, len, "%.2f%c", v, units[u]);
	else if (v < 100)
		snprintf(out, len, "%.1f%c", v, units[u]);
	else
		snprintf(out, len, "%.0f%c", v, units[u]);
	return (out);
}
