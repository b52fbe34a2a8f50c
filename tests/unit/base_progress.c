/* Unit tests: base/progress.c (the summary line, off a terminal). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/progress.h"
#include "tap.h"

int
main(void)
{
	struct progress *p;
	char out[256];
	int fds[2];
	ssize_t n;

	if (pipe(fds) == -1)
		return (1);
	p = progress_new("received", "stream", 0, fds[1]);
	progress_update(p, 1000);
	progress_add(p, 1900523110ULL - 1000);
	progress_done(p, 0);
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	ok(strncmp(out, "received 1.77G stream in 0 seconds (", 36) == 0,
	    "summary line: %s", strtok(out, "\n"));
	ok(strchr(out, '\r') == NULL, "no bar drawn off a terminal");
	return (done_testing());
}
