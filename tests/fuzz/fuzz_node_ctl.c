/*
 * Fuzz target: the control socket's request line, and the status
 * document formatter the operator's `stasis status` runs on the answer
 * (and `stasis ctl reload`'s, on its).
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
	struct node_ctl_cmd c;
	struct buf out = BUF_INIT;
	char *s;

	(void)node_ctl_parse((const char *)data, size, &c);
	if (size > 65536)
		return (0);
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	(void)node_status_format(s, &out);
	(void)node_status_json(s, &out);
	(void)node_reload_format(s, &out);
	buf_free(&out);
	free(s);
	return (0);
}
