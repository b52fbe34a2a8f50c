/*
 * Fuzz target: passwd(5) and group(5) as a jail's image supplies them,
 * parsed by jail_user_parse (src/jail/user.c) for jexec -U and
 * exec.jail_user.  Input: the user name on the first line, then the
 * passwd file, then (after a line "%%") the group file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "jail/jail_impl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data, *end = d + size, *nl, *sep;
	const char *gr = NULL;
	struct jail_user u;
	size_t pwlen, grlen = 0;
	char name[65];

	if ((nl = memchr(d, '\n', size)) == NULL || (size_t)(nl - d) >=
	    sizeof(name))
		return (0);
	memcpy(name, d, (size_t)(nl - d));
	name[nl - d] = '\0';
	d = nl + 1;
	pwlen = (size_t)(end - d);
	if ((sep = memmem(d, pwlen, "\n%%\n", 4)) != NULL) {
		pwlen = (size_t)(sep - d) + 1;
		gr = sep + 4;
		grlen = (size_t)(end - gr);
	}
	if (jail_user_parse(d, pwlen, gr, grlen, name, &u) == 0) {
		/* What the caller then uses must be terminated and bounded. */
		if (strlen(u.name) >= sizeof(u.name) ||
		    strlen(u.home) >= sizeof(u.home) ||
		    strlen(u.shell) >= sizeof(u.shell) || u.ngroups < 1 ||
		    u.ngroups > (int)(sizeof(u.groups) / sizeof(u.groups[0])))
			abort();
	}
	error_clear();
	return (0);
}
