/*
 * hooks parameters and bodies: Go's header canonicalisation and JSON
 * marshalling, dotted lookups, and the JSON/form/XML/multipart payloads.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "hooks/hooks_int.h"
#include "tap.h"

static char *
marshal(json_t *j)
{
	struct buf b = BUF_INIT;

	go_json(&b, j);
	json_decref(j);
	return (buf_steal(&b));
}

static char *
get(json_t *payload, const char *src, const char *name)
{
	struct harg a = { 0 };
	struct hreq q;
	char *out = NULL;

	memset(&q, 0, sizeof(q));
	q.payload = payload;
	q.headers = json_object();
	q.query = json_object();
	a.src = strcmp(src, "payload") == 0 ? SRC_PAYLOAD :
	    SRC_ENTIRE_PAYLOAD;
	a.name = (char *)name;
	if (harg_get(&a, &q, &out) == -1)
		out = NULL;
	json_decref(q.headers);
	json_decref(q.query);
	return (out);
}

#define IS_GET(p, src, name, want, what) do {				\
	char *g_ = get(p, src, name);					\
	is_str(g_, want, what);						\
	free(g_);							\
} while (0)

int
main(void)
{
	char h[64], *s;
	json_t *p, *hk;
	struct hhook hook;

	canonical_header("x-hub-signature-256", h, sizeof(h));
	is_str(h, "X-Hub-Signature-256", "canonical header");
	canonical_header("CONTENT-type", h, sizeof(h));
	is_str(h, "Content-Type", "canonical header, upper case");
	canonical_header("bad header", h, sizeof(h));
	is_str(h, "bad header", "invalid names are left alone");

	s = marshal(json_pack("{s:s,s:[i,b,n],s:f}", "b", "<&>\n\"",
	    "a", 1, 1, "c", 1.5));
	is_str(s, "{\"a\":[1,true,null],\"b\":\"\\u003c\\u0026\\u003e\\n\\\""
	    "\",\"c\":1.5}", "Go's json.Marshal: sorted, HTML-safe");
	free(s);

	s = "{\"a\": {\"b.c\": 1, \"b\": {\"c\": 2}}, \"l\": "
	    "[{\"x\": \"y\"}], \"n\": null, \"t\": true}";
	p = body_json(s, strlen(s));
	ok(p != NULL, "JSON payload");
	IS_GET(p, "payload", "a.b.c", "1", "dotted path: the rest as a key wins");
	IS_GET(p, "payload", "a.b", "{\"c\":2}", "dotted path to an object");
	IS_GET(p, "payload", "l.0.x", "y", "array index");
	IS_GET(p, "payload", "l", "[{\"x\":\"y\"}]", "a list as JSON");
	IS_GET(p, "payload", "n", "<nil>", "null as Go prints it");
	IS_GET(p, "payload", "t", "true", "boolean");
	IS_GET(p, "payload", "l.1", NULL, "index past the end");
	IS_GET(p, "payload", "zz", NULL, "missing key");
	json_decref(p);
	p = body_json("{\"a.b\": 1, \"a\": {\"b\": 2}}", 26);
	IS_GET(p, "payload", "a.b", "1", "a dotted key wins over the path");
	json_decref(p);
	p = body_json("  [1, 2]", 8);
	IS_GET(p, "payload", "root.1", "2", "a top-level list is under root");
	json_decref(p);
	ok(body_json("5", 1) == NULL, "a JSON scalar is no payload");
	ok(body_json("{", 1) == NULL, "bad JSON is no payload");

	p = body_form("a=1&b=%3C&a=2&c=x+y&=z", 22);
	IS_GET(p, "payload", "a", "1", "form: first value");
	IS_GET(p, "payload", "b", "<", "form: percent-decoding");
	IS_GET(p, "payload", "c", "x y", "form: plus is a space");
	json_decref(p);
	ok(body_form("a=1;b=2", 7) == NULL, "form: semicolons refused");
	ok(body_form("a=%zz", 5) == NULL, "form: bad escape refused");

	s = "<r a=\"1\"><i>x</i><i>y</i><e/><t k=\"v\">txt</t>"
	    "<m>&lt;&#65;</m></r>";
	p = body_xml(s, strlen(s));
	ok(p != NULL, "XML payload");
	IS_GET(p, "payload", "r.-a", "1", "XML attribute");
	IS_GET(p, "payload", "r.i.1", "y", "XML repeated element");
	IS_GET(p, "payload", "r.e", "", "XML empty element");
	IS_GET(p, "payload", "r.t.#text", "txt", "XML text with attributes");
	IS_GET(p, "payload", "r.m", "<A", "XML entities");
	json_decref(p);
	ok(body_xml("<a><b></a>", 10) == NULL, "XML mismatched tags");
	ok(body_xml("<a>&bogus;</a>", 14) == NULL, "XML unknown entity");

	memset(&hook, 0, sizeof(hook));
	s = "--B\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\nval\r\n"
	    "--B\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"a\"\r\nContent-Type: application/json\r\n\r\n"
	    "{\"k\": 3}\r\n--B--\r\n";
	ok(body_multipart(s, strlen(s), "multipart/form-data; boundary=B",
	    &hook, 1 << 20, &p) == 0, "multipart");
	IS_GET(p, "payload", "v", "val", "multipart value");
	IS_GET(p, "payload", "f.k", "3", "multipart JSON file");
	json_decref(p);
	ok(body_multipart("--B\r\nbroken", 11,
	    "multipart/form-data; boundary=B", &hook, 1 << 20, &p) == -1,
	    "truncated multipart refused");
	ok(body_multipart("x", 1, "multipart/form-data", &hook, 1 << 20,
	    &p) == -1, "multipart without a boundary refused");

	hk = json_pack("{s:s}", "X-J", "{\"in\": \"side\"}");
	{
		struct hreq q;
		struct harg ja = { SRC_HEADER, "header", "x-j", NULL, 0 };
		struct harg ga = { SRC_HEADER, "header", "X-J.in", NULL, 0 };
		char *out = NULL;

		memset(&q, 0, sizeof(q));
		q.headers = hk;
		hook.json_params = &ja;
		hook.njson = 1;
		hreq_parse_json_params(&hook, &q);
		ok(harg_get(&ga, &q, &out) == 0 && strcmp(out, "side") == 0,
		    "parse-parameters-as-json on a header");
		free(out);
	}
	json_decref(hk);
	return (done_testing());
}
