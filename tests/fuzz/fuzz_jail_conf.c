/*
 * Fuzz target: the jail.conf(5) parser and the per-jail resolution
 * (defaults, +=, variable expansion), which every jail.conf meets.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/err.h"
#include "jail/jail.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_conf conf;
	struct jail_params p;
	size_t i;

	if (jail_conf_parse((const char *)data, size, "(fuzz)", &conf) == -1)
		return (0);
	for (i = 0; i < conf.n && i < 64; i++) {
		if (jail_conf_resolve(&conf, conf.jails[i].name, NULL, &p) ==
		    0) {
			(void)jail_params_check(&p, 1);
			jail_params_free(&p);
		}
		error_clear();
	}
	jail_conf_free(&conf);
	return (0);
}
