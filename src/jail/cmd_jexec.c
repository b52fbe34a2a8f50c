/*
 * jexec(8): jexec [-l] [-u user | -U user] jail [command ...]; the exit
 * status is the command's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "commands.h"
#include "jail/jail.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: jexec [-l] [-u username | -U username] "
	    "jail [command ...]\n");
}

int
cmd_jexec(int argc, char **argv)
{
	struct jail_exec_opts eo;
	static char *shell[] = { "/bin/sh", NULL };
	int c, r;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return (0);
	}
	memset(&eo, 0, sizeof(eo));
	while ((c = getopt(argc, argv, "+lnu:U:")) != -1) {
		switch (c) {
		case 'l':
			eo.clean = 1;
			break;
		case 'n':
			break;	/* old FreeBSD flag, no meaning */
		case 'u':
			eo.user = optarg;
			eo.user_from_host = 1;
			break;
		case 'U':
			eo.user = optarg;
			eo.user_from_host = 0;
			break;
		default:
			usage(stderr);
			return (1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return (1);
	}
	r = jail_exec(jail_rundir(), argv[0], &eo, argc > 1 ? argv + 1 :
	    shell);
	if (r == -1)
		return (fail("%s", argv[0]));
	return (r);
}
