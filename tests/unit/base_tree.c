/* Unit tests: base/tree.c (JSON and YAML into one tree). */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/tree.h"
#include "tap.h"

static const char yaml[] =
    "- id: deploy\n"
    "  execute-command: /bin/true\n"
    "  include-command-output-in-response: yes\n"
    "  n: 42\n"
    "  f: 1.5\n"
    "  q: \"42\"\n"
    "  empty:\n"
    "  base: &b {x: 1}\n"
    "  copy: *b\n"
    "  list: [a, b]\n";

int
main(void)
{
	json_t *j, *h;
	char *s, *big;
	size_t i;

	j = tree_load_buf(yaml, strlen(yaml), TREE_AUTO, "hooks.yaml");
	ok(j != NULL && json_is_array(j), "YAML list loads");
	h = json_array_get(j, 0);
	is_str(json_string_value(json_object_get(h, "id")), "deploy", "string");
	ok(json_is_true(json_object_get(h, "include-command-output-in-"
	    "response")), "yes is a boolean (YAML 1.1)");
	ok(json_integer_value(json_object_get(h, "n")) == 42, "integer");
	ok(json_is_real(json_object_get(h, "f")), "float");
	ok(json_is_string(json_object_get(h, "q")), "quoted stays a string");
	ok(json_is_null(json_object_get(h, "empty")), "empty is null");
	ok(json_integer_value(tree_get(h, "copy.x")) == 1, "alias expanded");
	is_str(json_string_value(tree_get(j, "0.list.1")), "b",
	    "dotted path through arrays");
	json_decref(j);

	s = "{\"a\":{\"b.c\":1,\"b\":{\"c\":2}},\"x\":[{\"y\":true}]}";
	j = tree_load_buf(s, strlen(s), TREE_AUTO, "t.json");
	ok(j != NULL, "JSON loads");
	ok(json_integer_value(tree_get(j, "a.b.c")) == 1,
	    "a key with dots wins over splitting (webhook's rule)");
	ok(json_is_true(tree_get(j, "x.0.y")), "array index");
	ok(tree_get(j, "x.1.y") == NULL, "index out of range");
	ok(tree_get(j, "x.y") == NULL, "non-numeric index");
	ok(tree_get(j, "nope") == NULL, "missing key");
	s = tree_scalar_str(tree_get(j, "x.0.y"));
	is_str(s, "true", "boolean as text");
	free(s);
	json_decref(j);

	j = json_real(0.1);
	s = tree_scalar_str(j);
	is_str(s, "0.1", "shortest real text");
	free(s);
	json_decref(j);

	j = tree_load_buf("[y, N, 'y', yes]", 16, TREE_YAML, "yn.yaml");
	ok(j != NULL && json_is_true(json_array_get(j, 0)) &&
	    json_is_false(json_array_get(j, 1)) &&
	    json_is_string(json_array_get(j, 2)) &&
	    json_is_true(json_array_get(j, 3)),
	    "y and N are booleans, as yaml.v2 reads them; 'y' is not");
	json_decref(j);
	ok(tree_load_buf("{\"a\":", 5, TREE_JSON, "bad.json") == NULL,
	    "bad JSON fails");
	ok(strstr(error_msg(), "bad.json: line 1") != NULL,
	    "error names file and line");
	ok(tree_load_buf("a: [b\n", 6, TREE_YAML, "bad.yaml") == NULL,
	    "bad YAML fails");
	ok(strstr(error_msg(), "bad.yaml: line") != NULL, "YAML error line");
	ok(tree_load_buf("", 0, TREE_YAML, "e.yaml") == NULL, "empty YAML");

	/* Deep nesting is refused, not a stack overflow. */
	big = xmalloc(20001);
	for (i = 0; i < 10000; i++)
		big[i] = '[';
	memset(big + 10000, ']', 10000);
	big[20000] = '\0';
	ok(tree_load_buf(big, 20000, TREE_YAML, "deep.yaml") == NULL,
	    "deep YAML refused");
	free(big);

	/* A billion laughs is refused by the node budget. */
	{
		struct buf b = BUF_INIT;

		buf_addstr(&b, "a: &a [x,x,x,x,x,x,x,x,x,x]\n");
		for (i = 1; i < 9; i++)
			buf_printf(&b, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,"
			    "*%c,*%c,*%c]\n", (int)('a' + i), (int)('a' + i),
			    (int)('a' + i - 1), (int)('a' + i - 1),
			    (int)('a' + i - 1), (int)('a' + i - 1),
			    (int)('a' + i - 1), (int)('a' + i - 1),
			    (int)('a' + i - 1), (int)('a' + i - 1),
			    (int)('a' + i - 1), (int)('a' + i - 1));
		ok(tree_load_buf(b.data, b.len, TREE_YAML, "laughs.yaml") ==
		    NULL && strstr(error_msg(), "too many") != NULL,
		    "alias bomb refused");
		buf_free(&b);
	}
	return (done_testing());
}
