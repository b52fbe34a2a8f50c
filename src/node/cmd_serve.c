/*
 * stasis serve: argv to node.h, nothing more.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "commands.h"
#include "node/node.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: stasis serve [-dqt] [-c file] [-l addr:port]... [-a addr:port]\n"
"                    [-s socket] [-S statefile] [-r rundir] [-H hooksfile]\n"
"                    [-L logfile | -L syslog] [-P pidfile]\n"
"  -c, --config FILE   configuration (default %s if it exists)\n"
"  -l, --listen A:P    HTTP address for /jails and /_up (repeatable)\n"
"  -a, --agent A:P     haproxy agent-check address\n"
"  -s, --control SOCK  control socket (default %s)\n"
"  -S, --state FILE    state file (default %s)\n"
"  -r, --rundir DIR    the jails' run directory\n"
"  -H, --hooks FILE    also serve the webhooks of this hooks file\n"
"  -L, --log FILE      log to FILE (or to syslog) instead of stderr\n"
"  -P, --pidfile FILE  write the process id to FILE\n"
"  -t, --check         check the configuration and exit\n"
"  -d, --debug         log debug messages\n"
"  -q, --quiet         log warnings and errors only\n"
"See stasis-serve(8) and stasis-serve.conf(5).\n",
	    NODE_DEFAULT_CONFIG, NODE_DEFAULT_CONTROL, NODE_DEFAULT_STATE);
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "listen",	required_argument, NULL, 'l' },
		{ "agent",	required_argument, NULL, 'a' },
		{ "control",	required_argument, NULL, 's' },
		{ "state",	required_argument, NULL, 'S' },
		{ "rundir",	required_argument, NULL, 'r' },
		{ "hooks",	required_argument, NULL, 'H' },
		{ "log",	required_argument, NULL, 'L' },
		{ "pidfile",	required_argument, NULL, 'P' },
		{ "check",	no_argument,	   NULL, 't' },
		{ "debug",	no_argument,	   NULL, 'd' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct node_config *cf;
	struct node_opts o;
	struct node *n;
	const char *conf = NULL, *logfile = NULL, *pidfile = NULL;
	char pid[32];
	const char *sets[64][2], *flat[2 * 65];
	int nsets = 0, nlisten = 0, check = 0, ch, i;
	size_t nflat = 0;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "c:l:a:s:S:r:H:L:P:tdqh", lopts,
	    NULL)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case 'c': conf = optarg; break;
		case 'l': key = "listen"; nlisten++; break;
		case 'a': key = "agent"; break;
		case 's': key = "control"; break;
		case 'S': key = "state"; break;
		case 'r': key = "rundir"; break;
		case 'H': o.hooks_file = optarg; break;
		case 'L': logfile = optarg; break;
		case 'P': pidfile = optarg; break;
		case 't': check = 1; break;
		case 'd': log_set_level(LOG_LVL_DEBUG); break;
		case 'q': log_set_level(LOG_LVL_WARN); break;
		case 'h': usage(stdout); return (0);
		default: usage(stderr); return (64);
		}
		if (key != NULL) {
			if (nsets == 64)
				return (failx("too many options"));
			sets[nsets][0] = key;
			sets[nsets++][1] = optarg;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return (64);
	}
	if (conf == NULL && access(NODE_DEFAULT_CONFIG, F_OK) == 0)
		conf = NODE_DEFAULT_CONFIG;
	cf = conf != NULL ? node_config_load(conf) : node_config_new();
	if (cf == NULL)
		return (fail("config"));
	/* Kept by the daemon: a reload applies them again on the file. */
	if (nlisten > 0) {
		flat[nflat++] = "listen-clear";
		flat[nflat++] = "";
	}
	for (i = 0; i < nsets; i++) {
		flat[nflat++] = sets[i][0];
		flat[nflat++] = sets[i][1];
	}
	for (i = 0; i < (int)nflat; i += 2)
		if (node_config_set(cf, flat[i], flat[i + 1]) == -1) {
			node_config_free(cf);
			return (fail("%s", flat[i]));
		}
	o.config_file = conf;
	o.sets = flat;
	o.nsets = nflat / 2;
	if (check) {
		node_config_free(cf);
		printf("%s: configuration OK\n", conf ? conf : "(flags)");
		return (0);
	}
	if (logfile != NULL && strcmp(logfile, "syslog") == 0)
		log_to_syslog(LOG_DAEMON);
	else if (logfile != NULL && log_to_file(logfile) == -1) {
		node_config_free(cf);
		return (fail("log %s", logfile));
	}
	if ((n = node_start(cf, &o)) == NULL)
		return (fail("start"));
	/* After start: a second daemon refused must not take the file. */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (pidfile != NULL &&
	    file_write_atomic(pidfile, pid, strlen(pid), 0644) == -1) {
		node_stop(n);
		return (fail("pidfile %s", pidfile));
	}
	if (node_run(n) == -1) {
		node_stop(n);
		if (pidfile != NULL)
			(void)unlink(pidfile);
		return (fail("run"));
	}
	node_stop(n);
	if (pidfile != NULL)
		(void)unlink(pidfile);
	return (0);
}
