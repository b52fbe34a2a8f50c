/*
 * hooks configuration: the fields are read, and a mistake names the
 * file, the hook and the field; -template's getenv subset.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/tree.h"
#include "hooks/hooks_int.h"
#include "tap.h"

static struct hconf *
load(const char *text)
{
	json_t *j = tree_load_buf(text, strlen(text), TREE_AUTO, "f");
	struct hconf *c;

	if (j == NULL)
		return (NULL);
	c = conf_parse(j, "f");
	json_decref(j);
	return (c);
}

static void
bad(const char *text, const char *want)
{
	struct hconf *c = load(text);

	ok(c == NULL && strstr(error_msg(), want) != NULL, "refused: %s",
	    want);
	if (c != NULL || strstr(error_msg(), want) == NULL)
		printf("#   got: %s\n", c ? "(loaded)" : error_msg());
	conf_free(c);
}

static int
tx(const char *s, struct buf *b)
{
	return (template_expand(s, strlen(s), "t", b));
}

int
main(void)
{
	struct hconf *c;
	struct buf b = BUF_INIT;
	const struct hhook *h;

	c = load("- id: a\n"
	    "  execute-command: /bin/true\n"
	    "  command-working-directory: /tmp\n"
	    "  response-message: hi\n"
	    "  response-headers: [{name: X-A, value: b}]\n"
	    "  include-command-output-in-response: true\n"
	    "  include-command-output-in-response-on-error: true\n"
	    "  pass-arguments-to-command: [{source: payload, name: x}]\n"
	    "  pass-environment-to-command: [{source: url, name: q, "
	    "envname: Q}]\n"
	    "  pass-file-to-command: [{source: header, name: h, "
	    "base64decode: true}]\n"
	    "  parse-parameters-as-json: [{source: payload, name: j}]\n"
	    "  trigger-rule-mismatch-http-response-code: 403\n"
	    "  trigger-signature-soft-failures: true\n"
	    "  incoming-payload-content-type: application/json\n"
	    "  success-http-response-code: 201\n"
	    "  http-methods: [' post']\n"
	    "  trigger-rule: {match: {type: value, value: 1, parameter: "
	    "{source: string, name: x}}}\n");
	ok(c != NULL && c->n == 1, "every field of a YAML hook");
	if (c != NULL) {
		h = &c->hooks[0];
		is_str(h->cwd, "/tmp", "command-working-directory");
		is_str(h->resp_headers.v[0], "X-A: b", "response-headers");
		ok(h->capture && h->capture_on_error && h->soft_failures,
		    "booleans");
		is_int(h->mismatch_code, 403, "mismatch code");
		is_int(h->success_code, 201, "success code");
		is_str(h->methods.v[0], "POST", "methods trimmed, upper case");
		ok(h->nargs == 1 && h->nenv == 1 && h->nfiles == 1 &&
		    h->files[0].base64 && h->njson == 1, "argument lists");
		is_str(h->rule->value, "1", "a YAML number as a string value");
		is_str(h->content_type, "application/json", "content type");
	}
	conf_free(c);

	bad("[{\"id\": 1, \"success-http-response-code\": \"x\"}]",
	    "hook \"1\": success-http-response-code: expected an HTTP");
	bad("[{\"id\": \"a\", \"trigger-rule\": {\"or\": {}}}]",
	    "hook \"a\": trigger-rule.or: expected a list of rules");
	bad("[{\"id\": \"a\", \"trigger-rule\": {\"not\": {\"match\": "
	    "{\"type\": \"value\"}}}}]",
	    "hook \"a\": trigger-rule.not.match.parameter: missing");
	bad("[{\"id\": \"a\", \"pass-environment-to-command\": [{\"source\": "
	    "\"request\", \"name\": \"path\"}]}]",
	    "pass-environment-to-command[0]: source request takes");
	bad("[{\"id\": \"a\", \"response-headers\": [{\"name\": \"a b\"}]}]",
	    "hook \"a\": response-headers: bad header name");
	bad("[{\"id\": \"a\", \"trigger-rule\": {\"match\": {\"type\": "
	    "\"payload-hmac-sha1\", \"secret\": \"\", \"parameter\": "
	    "{\"source\": \"header\", \"name\": \"x\"}}}}]",
	    "trigger-rule.match.secret: a signature rule needs a non-empty");

	setenv("HOOKS_UNIT_X", "a\"b<", 1);
	ok(tx("v: {{ getenv \"HOOKS_UNIT_X\" }}.", &b)
	    == 0, "template getenv");
	is_str(buf_cstr(&b), "v: a\"b<.", "getenv value");
	buf_reset(&b);
	ok(tx("{{getenv `HOOKS_UNIT_X` | js}}", &b) ==
	    0, "template | js");
	is_str(buf_cstr(&b), "a\\\"b\\u003C", "js escaping");
	buf_reset(&b);
	ok(tx("a\n  {{- /* c */ -}}  \nb", &b) == 0 &&
	    strcmp(buf_cstr(&b), "ab") == 0, "comments and trim markers");
	buf_reset(&b);
	ok(tx("x\n{{ .Foo }}", &b) == -1 &&
	    strstr(error_msg(), "t: line 2: template: unsupported action") !=
	    NULL, "other actions are refused with the line");
	ok(tx("{{ getenv \"X\"", &b) == -1,
	    "unclosed action");
	buf_free(&b);
	return (done_testing());
}
