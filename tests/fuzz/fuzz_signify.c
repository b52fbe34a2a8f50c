/*
 * Fuzz target: signify key and signature files (base/signify.c), parsed
 * as each of the three records.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/signify.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t want[] = { 42, 104, 74 };
	unsigned char out[104];
	char comment[64];
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (signify_parse((const char *)data, size, out, want[i],
		    comment, sizeof(comment)) == 0 &&
		    (out[0] != 'E' || out[1] != 'd'))
			__builtin_trap();
	return (0);
}
