/*
 * Fuzz target: parameter extraction.  The input is split at the first
 * newline into a dotted parameter name and a JSON payload; every source
 * is asked for that name, and parse-parameters-as-json rewrites it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/hooks_int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum src srcs[] = { SRC_HEADER, SRC_URL, SRC_PAYLOAD,
	    SRC_RAW_BODY, SRC_STRING, SRC_ENTIRE_PAYLOAD, SRC_ENTIRE_HEADERS,
	    SRC_ENTIRE_QUERY };
	const char *nl = memchr(data, '\n', size);
	struct hhook hook;
	struct harg a;
	struct hreq q;
	char *name, *out;
	size_t i;

	if (nl == NULL)
		return (0);
	name = xstrndup((const char *)data, (size_t)(nl - (const char *)data));
	memset(&q, 0, sizeof(q));
	q.body = nl + 1;
	q.body_len = size - (size_t)(nl + 1 - (const char *)data);
	q.payload = body_json(q.body, q.body_len);
	q.headers = json_object();
	q.query = json_object();
	if (q.payload != NULL) {
		json_object_set(q.headers, "X-A", q.payload);
		json_object_set_new(q.query, name, json_stringn_nocheck(
		    q.body, q.body_len));
	}
	strcpy(q.remote, "127.0.0.1:1");
	q.method = "POST";
	memset(&a, 0, sizeof(a));
	a.name = name;
	memset(&hook, 0, sizeof(hook));
	hook.json_params = &a;
	hook.njson = 1;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		a.src = srcs[i];
		if (harg_get(&a, &q, &out) == 0)
			free(out);
		hreq_parse_json_params(&hook, &q);
	}
	json_decref(q.payload);
	json_decref(q.headers);
	json_decref(q.query);
	free(name);
	return (0);
}
