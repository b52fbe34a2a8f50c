/*
 * Fuzz target: BIRD control-socket replies (numbered lines, continuation
 * and async lines) and the "show protocols" state reader.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "node/node.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bird_line bl;
	char *s, *p, *nl;

	if (size > 65536)
		return (0);
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	(void)bird_protocol_state(s, "anycast_web");
	for (p = s; p != NULL && *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		(void)bird_parse_line(p, &bl);
	}
	free(s);
	return (0);
}
