/* Unit tests: base/http_parse.c, the request parser. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/http_parse.h"
#include "tap.h"

static int
parse(const char *s, struct http_head *h, int *status)
{
	return (http_parse_head(s, strlen(s), h, status));
}

int
main(void)
{
	struct http_head h;
	struct http_dechunk d;
	struct http_kv kv[8];
	struct buf b = BUF_INIT, st = BUF_INIT;
	size_t used, n;
	char *big, *s;
	int status, r;

	memset(&h, 0, sizeof(h));
	r = parse("GET /hooks/a%2Fb?x=1 HTTP/1.1\r\nHost: h\r\nX-A:  v  \r\n"
	    "\r\nnext", &h, &status);
	is_int(r, (int)strlen("GET /hooks/a%2Fb?x=1 HTTP/1.1\r\nHost: h\r\n"
	    "X-A:  v  \r\n\r\n"), "head length consumed");
	is_str(h.method, "GET", "method");
	is_str(h.path, "/hooks/a/b", "path decoded");
	is_str(h.raw_path, "/hooks/a%2Fb", "raw path kept");
	is_str(h.query, "x=1", "query");
	is_int(h.nheaders, 2, "two headers");
	is_str(h.headers[1].value, "v", "value trimmed");
	ok(h.keepalive, "HTTP/1.1 keeps alive");
	is_int(parse("GET / HTTP/1.1\r\nHost: h\r\n", &h, &status), 0,
	    "incomplete head asks for more");
	ok(parse("GET / HTTP/1.0\r\n\r\n", &h, &status) > 0 && !h.keepalive,
	    "HTTP/1.0 closes by default");
	ok(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &h,
	    &status) > 0 && !h.keepalive, "Connection: close");
	ok(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", &h,
	    &status) > 0 && h.content_length == 5, "content length");
	ok(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n", &h, &status) == -1 && status == 400,
	    "CL with TE refused (smuggling)");
	ok(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6"
	    "\r\n\r\n", &h, &status) == -1, "conflicting CLs refused");
	ok(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &h,
	    &status) == -1, "negative CL refused");
	ok(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &h,
	    &status) == -1 && status == 501, "unknown TE: 501");
	ok(parse("GET / HTTP/2.0\r\n\r\n", &h, &status) == -1 &&
	    status == 505, "HTTP/2 over this: 505");
	ok(parse("GET / FOO\r\n\r\n", &h, &status) == -1 && status == 400,
	    "garbage version: 400");
	ok(parse("GET /\r\n\r\n", &h, &status) == -1, "HTTP/0.9 refused");
	ok(parse("GET / HTTP/1.1\r\n folded\r\n\r\n", &h, &status) == -1,
	    "obs-fold refused");
	ok(parse("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", &h, &status) ==
	    -1, "space in header name refused");
	ok(parse("GET http://example/x?y HTTP/1.1\r\n\r\n", &h, &status) > 0 &&
	    strcmp(h.path, "/x") == 0 && strcmp(h.query, "y") == 0,
	    "absolute form");
	ok(parse("POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", &h,
	    &status) > 0 && h.expect_continue, "expect 100-continue");

	big = xmalloc(HTTP_MAX_HEAD + 100);
	memset(big, 'a', HTTP_MAX_HEAD + 99);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	big[HTTP_MAX_HEAD + 99] = '\0';
	ok(parse(big, &h, &status) == -1 && status == 431,
	    "endless head: 431");
	free(big);
	{
		struct buf many = BUF_INIT;
		int i;

		buf_addstr(&many, "GET / HTTP/1.1\r\n");
		for (i = 0; i < HTTP_MAX_HEADERS + 1; i++)
			buf_printf(&many, "X-%d: v\r\n", i);
		buf_addstr(&many, "\r\n");
		ok(parse(many.data, &h, &status) == -1 && status == 431,
		    "too many headers: 431");
		buf_free(&many);
	}

	memset(&d, 0, sizeof(d));
	s = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	r = http_dechunk(&d, s, strlen(s), &b, 100, &used);
	is_int(r, 1, "chunked complete");
	is_str(buf_cstr(&b), "hello world", "chunked decoded");
	is_int(used, strlen(s) - 4, "stops at the end of the body");
	buf_reset(&b);
	memset(&d, 0, sizeof(d));
	/* Fed one byte at a time. */
	s = "3\r\nabc\r\n0\r\n\r\n";
	for (n = 0, r = 0; n < strlen(s) && r == 0; n++) {
		r = http_dechunk(&d, s + n, 1, &b, 100, &used);
		ok(used == 1, "one byte consumed at %zu", n);
	}
	ok(r == 1 && strcmp(buf_cstr(&b), "abc") == 0, "byte-wise decode");
	buf_reset(&b);
	memset(&d, 0, sizeof(d));
	s = "ffffffffffffffffff\r\n";
	ok(http_dechunk(&d, s, strlen(s), &b, 100, &used) == -1,
	    "absurd chunk size refused");
	memset(&d, 0, sizeof(d));
	s = "65\r\n";
	ok(http_dechunk(&d, s, strlen(s), &b, 100, &used) == -2,
	    "chunk past the body limit");
	memset(&d, 0, sizeof(d));
	s = "3\r\nabcX";
	ok(http_dechunk(&d, s, strlen(s), &b, 100, &used) == -1,
	    "missing CRLF after chunk");
	{
		/* Dropped lines are bounded too: an endless extension or
		   trailer line is refused, one just under the bound is not. */
		struct buf ext = BUF_INIT;
		const char *what[] = { "extension", "trailer" };
		int i;

		for (i = 0; i < 2; i++) {
			size_t k;

			for (k = HTTP_MAX_CHUNK_LINE;
			    k <= HTTP_MAX_CHUNK_LINE + 1; k++) {
				char name[64];

				buf_reset(&ext);
				buf_reset(&b);
				memset(&d, 0, sizeof(d));
				if (i == 0) {
					buf_addstr(&ext, "1;");
					while (ext.len < 2 + k)
						buf_addstr(&ext, "x");
					buf_addstr(&ext, "\r\na\r\n0\r\n\r\n");
				} else {
					buf_addstr(&ext, "1\r\na\r\n0\r\n");
					while (ext.len < 9 + k)
						buf_addstr(&ext, "x");
					buf_addstr(&ext, "\r\n\r\n");
				}
				snprintf(name, sizeof(name), "chunk %s line "
				    "of %zu bytes: %s", what[i], k, k >
				    HTTP_MAX_CHUNK_LINE ? "refused" : "kept");
				is_int(http_dechunk(&d, ext.data, ext.len, &b,
				    100, &used), k > HTTP_MAX_CHUNK_LINE ? -1 : 1,
				    name);
			}
		}
		buf_free(&ext);
	}

	n = http_parse_query("a=1&b=x+y%21&c&=z&d=", &st, kv, 8);
	is_int(n, 5, "query pairs");
	is_str(kv[1].value, "x y!", "query decoding");
	is_str(kv[2].name, "c", "name without value");
	is_str(kv[2].value, "", "has an empty value");
	is_str(kv[3].name, "", "empty name kept");
	buf_free(&b);
	buf_free(&st);
	buf_free(&h.block);
	return (done_testing());
}
