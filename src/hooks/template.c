/*
 * webhook's -template: the hooks file is a Go text/template.  What hooks
 * files use of it is the getenv function (and cat), optionally piped
 * through js to make a JSON-safe string; that subset is implemented
 * here, and any other action is an error rather than a silent "".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/file.h"
#include "hooks_int.h"

/* Go's template.JSEscapeString. */
static void
js_escape(struct buf *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\\': buf_addstr(out, "\\\\"); break;
		case '\'': buf_addstr(out, "\\'"); break;
		case '"': buf_addstr(out, "\\\""); break;
		case '<': buf_addstr(out, "\\u003C"); break;
		case '>': buf_addstr(out, "\\u003E"); break;
		case '&': buf_addstr(out, "\\u0026"); break;
		case '=': buf_addstr(out, "\\u003D"); break;
		default:
			if (*p < ' ')
				buf_printf(out, "\\u%04X", *p);
			else
				buf_addc(out, (char)*p);
		}
	}
}

/* A Go string literal: "..." with escapes, or `raw`. */
static const char *
parse_str(const char *p, const char *end, char **out)
{
	struct buf b = BUF_INIT;
	char q;

	if (p >= end || (*p != '"' && *p != '`'))
		return (NULL);
	q = *p++;
	while (p < end && *p != q) {
		if (q == '"' && *p == '\\' && p + 1 < end) {
			p++;
			switch (*p) {
			case 'n': buf_addc(&b, '\n'); break;
			case 't': buf_addc(&b, '\t'); break;
			case 'r': buf_addc(&b, '\r'); break;
			default: buf_addc(&b, *p);
			}
			p++;
			continue;
		}
		buf_addc(&b, *p++);
	}
	if (p >= end) {
		buf_free(&b);
		return (NULL);
	}
	*out = buf_steal(&b);
	return (p + 1);
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return (p);
}

static int
action(const char *p, const char *end, const char *name, int line,
    struct buf *out)
{
	struct buf val = BUF_INIT, tmp = BUF_INIT;
	char *arg = NULL, *fn = NULL;
	const char *q;
	size_t n;

	p = skip_ws(p, end);
	if (end - p >= 2 && p[0] == '/' && p[1] == '*')
		return (0);		/* a comment */
	for (q = p; q < end && (isalnum((unsigned char)*q) || *q == '_'); q++)
		;
	n = (size_t)(q - p);
	fn = xstrndup(p, n);
	if (strcmp(fn, "getenv") != 0 && strcmp(fn, "cat") != 0) {
		/* Not its text: it may be a secret written in braces. */
		error_set("%s: line %d: template: unsupported action "
		    "(getenv, cat, | js)", name, line);
		goto fail;
	}
	q = skip_ws(q, end);
	if ((q = parse_str(q, end, &arg)) == NULL) {
		error_set("%s: line %d: template: %s needs a quoted string",
		    name, line, fn);
		goto fail;
	}
	if (strcmp(fn, "getenv") == 0)
		buf_addstr(&val, getenv(arg) ? getenv(arg) : "");
	else if (file_read(arg, HOOKS_MAX_FILE, &val) == -1) {
		error_wrap("%s: line %d: template: cat", name, line);
		goto fail;
	}
	for (;;) {
		q = skip_ws(q, end);
		if (q >= end)
			break;
		if (*q != '|')
			goto bad;
		q = skip_ws(q + 1, end);
		if (end - q >= 2 && strncmp(q, "js", 2) == 0 &&
		    (end - q == 2 || isspace((unsigned char)q[2]) ||
		    q[2] == '|')) {
			buf_reset(&tmp);
			js_escape(&tmp, buf_cstr(&val));
			buf_reset(&val);
			buf_add(&val, tmp.data ? tmp.data : "", tmp.len);
			q += 2;
		} else
			goto bad;
	}
	buf_add(out, val.data ? val.data : "", val.len);
	free(arg);
	free(fn);
	buf_free(&val);
	buf_free(&tmp);
	return (0);
bad:
	error_set("%s: line %d: template: unsupported pipeline (only | js)",
	    name, line);
fail:
	free(arg);
	free(fn);
	buf_free(&val);
	buf_free(&tmp);
	return (-1);
}

int
template_expand(const char *s, size_t len, const char *name,
    struct buf *out)
{
	const char *p = s, *end = s + len, *open, *close, *a, *b;
	int line = 1;

	while (p < end) {
		open = memmem(p, (size_t)(end - p), "{{", 2);
		if (open == NULL) {
			buf_add(out, p, (size_t)(end - p));
			break;
		}
		a = open + 2;
		b = open;
		/* "{{- " trims the text before. */
		if (a < end && *a == '-' && a + 1 < end &&
		    isspace((unsigned char)a[1])) {
			a++;
			while (b > p && isspace((unsigned char)b[-1]))
				b--;
		}
		buf_add(out, p, (size_t)(b - p));
		for (const char *c = p; c < open; c++)
			line += *c == '\n';
		close = memmem(a, (size_t)(end - a), "}}", 2);
		if (close == NULL)
			return (error_set("%s: line %d: template: unclosed "
			    "action", name, line));
		p = close + 2;
		b = close;
		if (b - a >= 2 && b[-1] == '-' && isspace((unsigned char)
		    b[-2])) {
			b--;
			while (p < end && isspace((unsigned char)*p))
				p++;
		}
		if (action(a, b, name, line, out) == -1)
			return (-1);
		for (const char *c = open; c < close; c++)
			line += *c == '\n';
	}
	return (0);
}
