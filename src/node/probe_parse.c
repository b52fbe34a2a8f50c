/*
 * What the health checks read back, parsed without I/O so that it can be
 * fuzzed (tests/fuzz/fuzz_node_probe.c): haproxy's "show stat" CSV a line
 * at a time, and an HTTP response's status line.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "node/node.h"

#define HAP_MAX_FIELDS	256

void
hap_stat_init(struct hap_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->stcol = -1;
}

void
hap_stat_line(struct hap_stat *st, char *line, const char *backend)
{
	char *fields[HAP_MAX_FIELDS], *p, *f, *save;
	int col, nf = 0;
	size_t n = strlen(line);

	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	if (strcmp(line, "No such proxy.") == 0) {
		st->noproxy = 1;
		return;
	}
	if (line[0] == '#') {
		for (col = 0, f = strtok_r(line + 1, ",", &save);
		    f != NULL; f = strtok_r(NULL, ",", &save), col++)
			if (strcmp(str_trim(f), "status") == 0) {
				st->stcol = col;
				break;
			}
		return;
	}
	if (st->stcol < 0)
		return;
	/* Fields may be empty: split by hand, not strtok. */
	for (p = line; nf < HAP_MAX_FIELDS;) {
		fields[nf++] = p;
		if ((p = strchr(p, ',')) == NULL)
			break;
		*p++ = '\0';
	}
	if (nf <= st->stcol || nf < 2 || strcmp(fields[0], backend) != 0 ||
	    strcmp(fields[1], "FRONTEND") == 0 ||
	    strcmp(fields[1], "BACKEND") == 0)
		return;
	st->total++;
	/* "UP", "UP 1/3" (going down): up; "NOLB", "DRAIN", "DOWN": not. */
	if (strncmp(fields[st->stcol], "UP", 2) == 0)
		st->up++;
}

int
http_status_code(const char *resp, size_t len)
{
	int i, code = 0;

	/* "HTTP/1.x NNN" */
	if (len < 12 || strncmp(resp, "HTTP/1.", 7) != 0 || resp[8] != ' ')
		return (-1);
	for (i = 9; i < 12; i++) {
		if (resp[i] < '0' || resp[i] > '9')
			return (-1);
		code = code * 10 + (resp[i] - '0');
	}
	return (code);
}
