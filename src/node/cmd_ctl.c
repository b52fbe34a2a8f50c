/*
 * stasis drain, undrain, status and reload: the operator's side of the control
 * socket of a running `stasis serve`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/libxo.h"
#include "base/log.h"
#include "commands.h"
#include "node/node.h"

static void
usage(FILE *f, const char *cmd)
{
	if (strcmp(cmd, "drain") == 0)
		fprintf(f, "usage: stasis drain [-m] [-c file | -s socket] "
		    "app\n"
		    "  -m, --maint    maintenance: no traffic at all, not even "
		    "existing sessions\n");
	else if (strcmp(cmd, "undrain") == 0)
		fprintf(f, "usage: stasis undrain [-w percent] "
		    "[-c file | -s socket] app\n"
		    "  -w, --weight P agent weight in percent (0-100)\n");
	else if (strcmp(cmd, "reload") == 0)
		fprintf(f, "usage: stasis reload [-c file | -s socket]\n"
		    "  re-read the daemon's configuration file; a bad file "
		    "is reported\n  and the running configuration stays\n");
	else
		fprintf(f, "usage: stasis status [--json | --libxo json] "
		    "[-c file | -s socket]\n"
		    "  -j, --json     the daemon's JSON document "
		    "(so does --libxo json)\n");
	fprintf(f, "  -c, --config F the daemon's configuration (for its "
	    "control socket)\n"
	    "  -s, --socket S control socket (default %s)\n"
	    "See stasis-serve(8).\n", NODE_DEFAULT_CONTROL);
}

static int
ctl_main(int argc, char **argv, const char *cmd)
{
	static const struct option lopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "socket",	required_argument, NULL, 's' },
		{ "weight",	required_argument, NULL, 'w' },
		{ "maint",	no_argument,	   NULL, 'm' },
		{ "json",	no_argument,	   NULL, 'j' },
		{ "libxo",	required_argument, NULL, 'X' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct node_config *cf = NULL;
	struct buf req = BUF_INIT, reply = BUF_INIT, out = BUF_INIT;
	const char *sock = NULL, *conf = NULL, *weight = NULL, *optstr;
	int maint = 0, json = 0, ch, li, xo, rc = 0;
	int is_status = strcmp(cmd, "status") == 0;
	int is_reload = strcmp(cmd, "reload") == 0;

	optstr = is_status ? "c:s:jh" : is_reload ? "c:s:h" :
	    strcmp(cmd, "drain") == 0 ? "c:s:mh" : "c:s:w:h";
	optind = 1;
	while ((ch = getopt_long(argc, argv, optstr, lopts, &li)) != -1) {
		/*
		 * The long options are shared: one that is another
		 * command's (drain --weight, reload --json) is a usage
		 * error, not silently ignored.  --libxo is status's.
		 */
		if (ch != '?' && (ch == 'X' ? !is_status :
		    strchr(optstr, ch) == NULL)) {
			failx("--%s is not an option of %s", lopts[li].name,
			    cmd);
			usage(stderr, cmd);
			return (64);
		}
		switch (ch) {
		case 'c': conf = optarg; break;
		case 's': sock = optarg; break;
		case 'w': weight = optarg; break;
		case 'm': maint = 1; break;
		case 'j': json = 1; break;
		case 'X':
			if ((xo = libxo_format(optarg)) != LIBXO_JSON) {
				failx("%s", xo == -1 ? error_msg() :
				    "--libxo: status prints json only");
				usage(stderr, cmd);
				return (64);
			}
			json = 1;
			break;
		case 'h': usage(stdout, cmd); return (0);
		default: usage(stderr, cmd); return (64);
		}
	}
	argc -= optind;
	argv += optind;
	if (is_status || is_reload ? argc != 0 : argc != 1) {
		usage(stderr, cmd);
		return (64);
	}
	if (sock == NULL) {
		if (conf == NULL && access(NODE_DEFAULT_CONFIG, F_OK) == 0)
			conf = NODE_DEFAULT_CONFIG;
		if (conf != NULL && (cf = node_config_load(conf)) == NULL)
			return (fail("config"));
		sock = cf ? node_config_control(cf) : NODE_DEFAULT_CONTROL;
	}
	if (is_status)
		buf_addstr(&req, "status");
	else if (is_reload)
		buf_addstr(&req, "reload");
	else if (strcmp(cmd, "drain") == 0)
		buf_printf(&req, "%s %s", maint ? "maint" : "drain", argv[0]);
	else
		buf_printf(&req, "undrain %s%s%s", argv[0], weight ? " " : "",
		    weight ? weight : "");
	if (node_ctl(sock, buf_cstr(&req), &reply) == -1) {
		rc = is_status || is_reload ? fail(NULL) :
		    fail("%s", argv[0]);
		goto out;
	}
	if (is_reload && node_reload_format(buf_cstr(&reply), &out) == 0)
		fputs(buf_cstr(&out), stdout);
	if (is_status) {
		if ((json ? node_status_json(buf_cstr(&reply), &out) :
		    node_status_format(buf_cstr(&reply), &out)) == -1) {
			rc = fail("status");
			goto out;
		}
		fputs(buf_cstr(&out), stdout);
	}
out:
	node_config_free(cf);
	buf_free(&req);
	buf_free(&reply);
	buf_free(&out);
	return (rc);
}

int
cmd_drain(int argc, char **argv)
{
	return (ctl_main(argc, argv, "drain"));
}

int
cmd_undrain(int argc, char **argv)
{
	return (ctl_main(argc, argv, "undrain"));
}

int
cmd_reload(int argc, char **argv)
{
	return (ctl_main(argc, argv, "reload"));
}

int
cmd_status(int argc, char **argv)
{
	return (ctl_main(argc, argv, "status"));
}
