/*
 * HTTP/1.x request parsing.  Strict where laxness would let two parsers
 * disagree about where a request ends (request smuggling): both
 * Content-Length and Transfer-Encoding, several different
 * Content-Lengths, bare LF in the request line are refused.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encode.h"
#include "http_parse.h"

enum {
	CK_SIZE = 0, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF,
	CK_TRAILER, CK_TRAILER_LF, CK_TRAILER_LINE, CK_DONE
};

static int
is_token(const char *s)
{
	static const char seps[] = "()<>@,;:\\\"/[]?={} \t";

	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 32 || *s == 127 || strchr(seps, *s))
			return (0);
	return (1);
}

/* Does a comma-separated header value contain this token? */
static int
has_token(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	while (*v != '\0') {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (strncasecmp(v, tok, n) == 0 && (v[n] == '\0' ||
		    v[n] == ',' || v[n] == ' ' || v[n] == '\t'))
			return (1);
		while (*v != '\0' && *v != ',')
			v++;
	}
	return (0);
}

int
http_parse_head(const char *p, size_t len, struct http_head *h, int *status)
{
	const char *end = NULL;
	char *s, *line, *next, *sp, *colon, *v, *e;
	size_t i, hl;
	int connclose = 0, connkeep = 0;

	/* Tolerate the empty lines some clients send between requests. */
	for (i = 0; i + 1 < len && p[i] == '\r' && p[i + 1] == '\n'; i += 2)
		;
	for (; i + 3 < len; i++) {
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n') {
			end = p + i + 4;
			break;
		}
		if (i >= HTTP_MAX_HEAD)
			break;
	}
	if (end == NULL) {
		if (len > HTTP_MAX_HEAD) {
			*status = 431;
			return (-1);
		}
		return (0);
	}
	hl = (size_t)(end - p);
	*status = 400;
	buf_reset(&h->block);
	buf_grow(&h->block, 2 * hl + 2);
	buf_add(&h->block, p, hl);
	s = h->block.data;
	while (s[0] == '\r' && s[1] == '\n')
		s += 2;
	h->nheaders = 0;
	h->content_length = -1;
	h->chunked = h->expect_continue = 0;

	/* Request line: METHOD SP target SP HTTP/1.x */
	if ((next = strstr(s, "\r\n")) == NULL)
		return (-1);
	*next = '\0';
	line = s;
	if (strchr(line, '\n') != NULL || strchr(line, '\r') != NULL)
		return (-1);
	if ((sp = strchr(line, ' ')) == NULL)
		return (-1);
	*sp++ = '\0';
	h->method = line;
	if (!is_token(h->method))
		return (-1);
	h->raw_path = sp;
	if ((sp = strchr(sp, ' ')) == NULL)
		return (-1);
	*sp++ = '\0';
	h->version = sp;
	if (strncmp(h->version, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)h->version[7]) || h->version[8] != '\0') {
		*status = strncmp(h->version, "HTTP/", 5) == 0 ? 505 : 400;
		return (-1);
	}
	h->minor = h->version[7] - '0';
	if (h->raw_path[0] == '\0')
		return (-1);
	for (v = h->raw_path; *v != '\0'; v++)
		if ((unsigned char)*v <= 32 || *v == 127)
			return (-1);
	/* Absolute form (proxies): keep only the path. */
	if (strncasecmp(h->raw_path, "http://", 7) == 0 ||
	    strncasecmp(h->raw_path, "https://", 8) == 0) {
		v = strstr(h->raw_path, "://") + 3;
		h->raw_path = (v = strchr(v, '/')) != NULL ? v : "/";
	}
	if ((v = strchr(h->raw_path, '?')) != NULL) {
		*v++ = '\0';
		h->query = v;
	} else
		h->query = "";

	/* Headers. */
	for (line = next + 2; *line != '\0'; line = next + 2) {
		if ((next = strstr(line, "\r\n")) == NULL)
			return (-1);
		*next = '\0';
		if (*line == '\0')
			break;
		if (*line == ' ' || *line == '\t')	/* obs-fold */
			return (-1);
		if ((colon = strchr(line, ':')) == NULL)
			return (-1);
		*colon = '\0';
		if (!is_token(line))
			return (-1);
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		for (char *c = v; *c != '\0'; c++)
			if (*c == '\n' || *c == '\r' || *c == '\0')
				return (-1);
		if (h->nheaders == HTTP_MAX_HEADERS) {
			*status = 431;
			return (-1);
		}
		h->headers[h->nheaders].name = line;
		h->headers[h->nheaders++].value = v;

		if (strcasecmp(line, "Content-Length") == 0) {
			char *ep;
			long long cl;

			if (!isdigit((unsigned char)*v))
				return (-1);
			errno = 0;
			cl = strtoll(v, &ep, 10);
			if (*ep != '\0' || errno == ERANGE)
				return (-1);
			if (h->content_length != -1 && h->content_length != cl)
				return (-1);
			h->content_length = cl;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			if (strcasecmp(v, "chunked") != 0) {
				*status = 501;
				return (-1);
			}
			h->chunked = 1;
		} else if (strcasecmp(line, "Connection") == 0) {
			connclose |= has_token(v, "close");
			connkeep |= has_token(v, "keep-alive");
		} else if (strcasecmp(line, "Expect") == 0) {
			if (strcasecmp(v, "100-continue") != 0) {
				*status = 417;
				return (-1);
			}
			h->expect_continue = 1;
		}
	}
	if (h->chunked && h->content_length != -1)
		return (-1);
	h->keepalive = h->minor >= 1 ? !connclose : connkeep;
	*status = 0;

	/*
	 * The decoded path goes after the head in the same block, which was
	 * sized for it up front so no pointer into it moves.
	 */
	h->path = h->block.data + hl + 1;
	memcpy(h->path, h->raw_path, strlen(h->raw_path) + 1);
	http_urldecode(h->path, 0);
	return ((int)hl);
}

void
http_urldecode(char *s, int plus)
{
	char *w = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && (hi = hex_digit(s[1])) >= 0 &&
		    (lo = hex_digit(s[2])) >= 0) {
			*w++ = (char)(hi << 4 | lo);
			s += 2;
		} else if (*s == '+' && plus)
			*w++ = ' ';
		else
			*w++ = *s;
	}
	*w = '\0';
}

size_t
http_parse_query(const char *raw, struct buf *st, struct http_kv *kv,
    size_t max)
{
	size_t n = 0, i, off, len = strlen(raw);
	size_t offs[2 * 128];
	char *eq, *amp, *p;

	if (max > 128)
		max = 128;
	buf_reset(st);
	buf_add(st, raw, len);
	buf_addc(st, '\0');
	p = st->data;
	while (*p != '\0' && n < max) {
		if ((amp = strpbrk(p, "&;")) != NULL)
			*amp = '\0';
		if (*p != '\0') {
			if ((eq = strchr(p, '=')) != NULL)
				*eq++ = '\0';
			http_urldecode(p, 1);
			offs[2 * n] = (size_t)(p - st->data);
			if (eq != NULL) {
				http_urldecode(eq, 1);
				offs[2 * n + 1] = (size_t)(eq - st->data);
			} else
				offs[2 * n + 1] = len;	/* the final NUL */
			n++;
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	for (i = 0; i < n; i++) {
		off = offs[2 * i];
		kv[i].name = st->data + off;
		kv[i].value = st->data + offs[2 * i + 1];
	}
	return (n);
}

int
http_dechunk(struct http_dechunk *d, const char *p, size_t len,
    struct buf *out, size_t max, size_t *used)
{
	size_t i = 0, take;
	int x;

	while (i < len && d->state != CK_DONE) {
		char c = p[i];

		switch (d->state) {
		case CK_SIZE:
			if ((x = hex_digit(c)) >= 0) {
				if (++d->ndigits > 15)
					return (-1);
				d->remaining = d->remaining * 16 + (unsigned)x;
				i++;
			} else if (d->ndigits == 0)
				return (-1);
			else if (c == ';' || c == ' ' || c == '\t') {
				d->state = CK_EXT;
				i++;
			} else if (c == '\r') {
				d->state = CK_SIZE_LF;
				i++;
			} else
				return (-1);
			break;
		case CK_EXT:
			if (c == '\r') {
				d->state = CK_SIZE_LF;
				d->linelen = 0;
			} else if (c == '\n' ||
			    ++d->linelen > HTTP_MAX_CHUNK_LINE)
				return (-1);
			i++;
			break;
		case CK_SIZE_LF:
			if (c != '\n')
				return (-1);
			i++;
			d->ndigits = 0;
			if (d->remaining == 0)
				d->state = CK_TRAILER;
			else if (d->remaining > max ||
			    out->len + d->remaining > max) {
				*used = i;
				return (-2);
			} else
				d->state = CK_DATA;
			break;
		case CK_DATA:
			take = len - i < d->remaining ? len - i :
			    (size_t)d->remaining;
			buf_add(out, p + i, take);
			i += take;
			d->remaining -= take;
			if (d->remaining == 0)
				d->state = CK_DATA_CR;
			break;
		case CK_DATA_CR:
			if (c != '\r')
				return (-1);
			d->state = CK_DATA_LF;
			i++;
			break;
		case CK_DATA_LF:
			if (c != '\n')
				return (-1);
			d->state = CK_SIZE;
			i++;
			break;
		case CK_TRAILER:	/* start of a trailer line */
			if (c == '\r') {
				d->state = CK_TRAILER_LF;
				i++;
			} else {
				d->state = CK_TRAILER_LINE;
			}
			break;
		case CK_TRAILER_LINE:	/* trailers are read and dropped */
			if (c == '\n') {
				d->state = CK_TRAILER;
				d->linelen = 0;
				if (++d->ndigits > HTTP_MAX_HEADERS)
					return (-1);
			} else if (c != '\r' &&
			    ++d->linelen > HTTP_MAX_CHUNK_LINE)
				return (-1);
			i++;
			break;
		case CK_TRAILER_LF:
			if (c != '\n')
				return (-1);
			d->state = CK_DONE;
			i++;
			break;
		}
	}
	*used = i;
	return (d->state == CK_DONE ? 1 : 0);
}
