/*
 * Fuzz target: the HTTP request head parser, chunked decoding and query
 * parsing, all of which see raw network bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/http_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_head h;
	struct http_dechunk d;
	struct http_kv kv[16];
	struct buf b = BUF_INIT, st = BUF_INIT;
	size_t used, i, off;
	int status, r;

	r = http_parse_head((const char *)data, size, &h, &status);
	if (r > 0) {
		(void)http_parse_query(h.query, &st, kv, 16);
		for (i = 0; i < h.nheaders; i++)
			(void)strlen(h.headers[i].name);
		/* What follows the head, as a chunked body. */
		memset(&d, 0, sizeof(d));
		off = (size_t)r;
		while (off < size) {
			/* Feed in uneven pieces to exercise resumption. */
			size_t n = (size - off) > 7 ? 7 : size - off;

			if (http_dechunk(&d, (const char *)data + off, n, &b,
			    4096, &used) != 0)
				break;
			off += used;
		}
	}
	buf_free(&b);
	buf_free(&st);
	return (0);
}
