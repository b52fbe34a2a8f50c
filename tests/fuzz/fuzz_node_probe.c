/*
 * Fuzz target: what stasis serve's health checks read back, parsed by
 * src/node/probe_parse.c: haproxy's "show stat" CSV fed a line at a time
 * (as probe_haproxy reads it off the stats socket), and an HTTP
 * response's status line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hap_stat st;
	char *s, *p, *nl;
	int code;

	if (size > 65536)
		return (0);
	code = http_status_code((const char *)data, size);
	if (code != -1 && (code < 0 || code > 999))
		abort();
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	hap_stat_init(&st);
	for (p = s; p != NULL; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		hap_stat_line(&st, p, "web");
	}
	if (st.up < 0 || st.up > st.total)
		abort();
	free(s);
	return (0);
}
