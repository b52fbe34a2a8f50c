/*
 * HTTP/1.x request parsing, internal to base/: the request head, the
 * chunked transfer coding and URL decoding.  Every byte here comes from
 * the network, so every function is bounded and has a fuzz target
 * (tests/fuzz/fuzz_http_parse.c).
 */
#ifndef STASIS_HTTP_PARSE_H
#define STASIS_HTTP_PARSE_H

#include <stddef.h>

#include "buf.h"
#include "http.h"

#define HTTP_MAX_HEAD		16384	/* request line + headers */
#define HTTP_MAX_HEADERS	100

struct http_head {
	struct buf	 block;		/* the head, NUL-split in place */
	char		*method;
	char		*path;		/* percent-decoded */
	char		*raw_path;	/* as received, without query */
	char		*query;		/* raw, after '?', or "" */
	char		*version;
	int		 minor;		/* HTTP/1.<minor> */
	struct http_kv	 headers[HTTP_MAX_HEADERS];
	size_t		 nheaders;
	long long	 content_length;	/* -1: none given */
	int		 chunked;
	int		 keepalive;
	int		 expect_continue;
};

/*
 * Parse a request head from p[0..len).  Returns the bytes it used (> 0)
 * when a whole head is there, 0 when more is needed, -1 when it is bad:
 * *status then holds the code to answer with (400, 431, 501, 505).
 */
int	http_parse_head(const char *p, size_t len, struct http_head *,
	    int *status);

/* Chunked decoding, fed incrementally. */
struct http_dechunk {
	int		 state;
	unsigned long long remaining;
	int		 ndigits;
	size_t		 linelen;	/* of an extension or trailer line */
};

/* Chunk extensions and trailer lines are dropped, and refused past this. */
#define HTTP_MAX_CHUNK_LINE	4096

/*
 * Decode from p[0..len) into out.  Returns 1 when the body is complete,
 * 0 when more input is needed, -1 on a bad encoding, -2 when the body
 * would pass max.  *used says how many input bytes were consumed.
 */
int	http_dechunk(struct http_dechunk *, const char *p, size_t len,
	    struct buf *out, size_t max, size_t *used);

/* Decode %XX (and '+' as space when plus is set) in place. */
void	http_urldecode(char *, int plus);

/*
 * Split a raw query ("a=1&b=x%20y") into decoded name/value pairs; the
 * strings are allocated in *storage (freed by the caller with buf_free).
 * At most max pairs.  Returns the count.
 */
size_t	http_parse_query(const char *raw, struct buf *storage,
	    struct http_kv *kv, size_t max);

#endif
