/*
 * Fuzz target: rule evaluation.  The input is split at the first NUL
 * into a trigger-rule (JSON or YAML) and a request body; the rule is
 * loaded as a hook's and evaluated against that body (as a JSON payload
 * and for signatures), with headers and query taken from the payload.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/tree.h"
#include "hooks/hooks_int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	struct hconf *c;
	struct hreq q;
	json_t *rule, *doc, *v;
	const char *k;
	int err;

	if (nul == NULL)
		return (0);
	rule = tree_load_buf((const char *)data, (size_t)(nul -
	    (const char *)data), TREE_AUTO, "fuzz");
	if (rule == NULL)
		return (0);
	doc = json_pack("[{s:s, s:o}]", "id", "h", "trigger-rule", rule);
	c = conf_parse(doc, "fuzz");
	json_decref(doc);
	if (c == NULL)
		return (0);
	memset(&q, 0, sizeof(q));
	q.body = nul + 1;
	q.body_len = size - (size_t)(nul + 1 - (const char *)data);
	q.payload = body_json(q.body, q.body_len);
	q.headers = json_object();
	q.query = json_object();
	if (q.payload != NULL)
		json_object_foreach(q.payload, k, v) {
			if (json_is_string(v)) {
				json_object_set(q.headers, k, v);
				json_object_set(q.query, k, v);
			}
		}
	strcpy(q.remote, "[::1]:9");
	q.method = "POST";
	q.soft_failures = q.body_len & 1;
	rule_eval(c->hooks[0].rule, &q, &err, 0);
	json_decref(q.payload);
	json_decref(q.headers);
	json_decref(q.query);
	conf_free(c);
	return (0);
}
