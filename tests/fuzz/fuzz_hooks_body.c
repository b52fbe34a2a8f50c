/*
 * Fuzz target: request bodies as webhook reads them (JSON, form,
 * XML, multipart), then parameter extraction and Go-style marshalling
 * over whatever payload came out.  The first byte picks the parser;
 * with its bit 2 set, the first line is instead the request's
 * Content-Type (as a client sends it) and body_parse picks, as a
 * request does: the multipart boundary is then the client's too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/hooks_int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "a", "a.b", "root.0", "root.0.x",
	    "r.-a", "r.i.1", "r.#text", "f.k", "0", "a.0.b.1" };
	struct hhook hook;
	struct harg a;
	struct hreq q;
	struct buf b = BUF_INIT;
	const char *s = (const char *)data + 1, *nl;
	char *ctype;
	json_t *p = NULL;
	size_t i, n;
	char *out;

	if (size < 1)
		return (0);
	n = size - 1;
	memset(&hook, 0, sizeof(hook));
	if ((data[0] & 4) && (nl = memchr(s, '\n', n)) != NULL) {
		ctype = strndup(s, (size_t)(nl - s));
		memset(&q, 0, sizeof(q));
		q.content_type = ctype;
		q.body = nl + 1;
		q.body_len = n - (size_t)(nl + 1 - s);
		if (body_parse(&hook, &q, 1 << 20) == 0)
			p = q.payload;
		free(ctype);
	} else switch (data[0] % 4) {
	case 0:
		p = body_json(s, n);
		break;
	case 1:
		p = body_form(s, n);
		break;
	case 2:
		p = body_xml(s, n);
		break;
	default:
		if (body_multipart(s, n, "multipart/form-data; boundary=B",
		    &hook, 1 << 20, &p) == -1)
			p = NULL;
	}
	memset(&q, 0, sizeof(q));
	q.payload = p;
	q.headers = json_object();
	q.query = json_object();
	memset(&a, 0, sizeof(a));
	a.src = SRC_PAYLOAD;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		a.name = (char *)names[i];
		if (harg_get(&a, &q, &out) == 0)
			free(out);
	}
	go_json(&b, p);
	buf_free(&b);
	json_decref(q.headers);
	json_decref(q.query);
	json_decref(p);
	return (0);
}
