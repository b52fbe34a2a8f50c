/*
 * Fuzz target: config loading (JSON and YAML into one tree) and dotted
 * path lookups, the parsers every config file and webhook payload meets.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/tree.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[] = { "a", "a.b", "0", "0.id", "a.0.b.1",
	    "x.y.z" };
	json_t *j;
	size_t i;
	char *s;
	int f;

	for (f = TREE_JSON; f <= TREE_YAML; f++) {
		if ((j = tree_load_buf((const char *)data, size, f,
		    "fuzz")) == NULL)
			continue;
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			s = tree_scalar_str(tree_get(j, paths[i]));
			free(s);
		}
		json_decref(j);
	}
	return (0);
}
