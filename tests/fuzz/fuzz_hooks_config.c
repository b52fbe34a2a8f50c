/*
 * Fuzz target: hooks files.  The input goes through -template's
 * expansion (without getenv secrets: the environment is the fuzzer's)
 * and then is loaded as JSON or YAML and checked as a hooks file.
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
	struct buf b = BUF_INIT;
	struct hconf *c;
	json_t *j;
	int f;

	for (f = TREE_JSON; f <= TREE_YAML; f++) {
		j = tree_load_buf((const char *)data, size, f, "fuzz");
		if (j == NULL)
			continue;
		c = conf_parse(j, "fuzz");
		conf_free(c);
		json_decref(j);
	}
	/* cat would read files: the fuzzer must not pick paths. */
	if (memmem(data, size, "cat", 3) == NULL &&
	    template_expand((const char *)data, size, "fuzz", &b) == 0 &&
	    (j = tree_load_buf(buf_cstr(&b), b.len, TREE_AUTO, "f")) !=
	    NULL) {
		conf_free(conf_parse(j, "fuzz"));
		json_decref(j);
	}
	buf_free(&b);
	return (0);
}
