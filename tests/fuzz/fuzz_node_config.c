/*
 * Fuzz target: serve.conf, from YAML/JSON text to a checked struct
 * node_config (durations, addresses, URLs, prefixes, names).
 */
#include <stddef.h>
#include <stdint.h>

#include "node/node.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_config *cf;

	cf = node_config_parse((const char *)data, size, "fuzz");
	node_config_free(cf);
	return (0);
}
