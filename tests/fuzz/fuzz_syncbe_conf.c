/*
 * Fuzz target: sync-be's CONF parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "be/be.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syncconf c;
	size_t i;

	if (syncconf_parse((const char *)data, size, "fuzz.conf", &c) == 0) {
		for (i = 0; i < c.n; i++)
			if (c.v[i].pattern[0] != '/')
				__builtin_trap();
		syncconf_free(&c);
	}
	return (0);
}
