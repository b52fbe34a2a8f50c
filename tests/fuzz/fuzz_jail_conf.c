/*
 * Fuzz target: the jail.conf(5) parser and the per-jail resolution
 * (defaults, +=, variable expansion), which every jail.conf meets, and
 * the fstab-style line parser on each resolved mount value.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/err.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_conf conf;
	struct jail_params p;
	struct jail_param *jp;
	struct jail_mount m;
	size_t i, k;

	if (jail_conf_parse((const char *)data, size, "(fuzz)", &conf) == -1)
		return (0);
	for (i = 0; i < conf.n && i < 64; i++) {
		if (jail_conf_resolve(&conf, conf.jails[i].name, NULL, &p) ==
		    0) {
			(void)jail_params_check(&p, 1);
			jp = jail_params_find(&p, "mount");
			for (k = 0; jp != NULL && k < jp->vals.n; k++)
				if (jail_mount_parse(jp->vals.v[k], &m) == 0)
					jail_mount_free(&m);
			jail_params_free(&p);
		}
		error_clear();
	}
	jail_conf_free(&conf);
	return (0);
}
