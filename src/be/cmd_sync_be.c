/*
 * stasis sync-be (also sync-be): `curl -#L URL | sync-be NAME CONF`.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "be/be.h"
#include "commands.h"

static volatile int stop;

static void
on_signal(int sig)
{
	stop = sig;
}

static int
usage(int explicit)
{
	fprintf(explicit ? stdout : stderr,
	    "usage: %s [-nq] [-r beroot] [-R srcroot] [--no-activate]\n"
	    "       [-p pubkey -x sigfile [-w spooldir] [-m size]] NAME CONF "
	    "< stream\n"
	    "\n"
	    "Receive a full ZFS send stream from stdin as boot environment "
	    "NAME,\ncopy in the local state CONF lists (from srcroot, "
	    "default /), and\nactivate it for the next boot only.\n"
	    "\n"
	    "  -n, --dry-run      list what would be copied; read no "
	    "stream\n"
	    "  -q, --quiet        no progress bar or summary\n"
	    "  -r, --beroot DS    the BE root (default: the parent of the "
	    "dataset on /)\n"
	    "  -R, --source DIR   where the local state is (default /)\n"
	    "      --no-activate  leave the next boot alone\n"
	    "  -p, --pubkey KEY   receive only a stream signed by KEY "
	    "(signify's\n"
	    "                     format, `stasis image sign`), checked whole "
	    "first\n"
	    "  -x, --signature F  the stream's signature file\n"
	    "  -w, --spool DIR    where a piped signed stream waits "
	    "(default /var/tmp)\n"
	    "  -m, --spool-max N  refuse a spooled stream larger than N "
	    "bytes (K, M, G;\n"
	    "                     default: what leaves 5%% of the spool's "
	    "filesystem free)\n"
	    "\nSee sync-be(8).\n",
	    strcmp(progname, "sync-be") == 0 ? "sync-be" : "stasis sync-be");
	return (explicit ? 0 : 64);
}

int
cmd_sync_be(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run",	 no_argument,		NULL, 'n' },
		{ "quiet",	 no_argument,		NULL, 'q' },
		{ "beroot",	 required_argument,	NULL, 'r' },
		{ "source",	 required_argument,	NULL, 'R' },
		{ "no-activate", no_argument,		NULL, 'A' },
		{ "pubkey",	 required_argument,	NULL, 'p' },
		{ "signature",	 required_argument,	NULL, 'x' },
		{ "spool",	 required_argument,	NULL, 'w' },
		{ "spool-max",	 required_argument,	NULL, 'm' },
		{ "help",	 no_argument,		NULL, 'h' },
		{ NULL,		 0,			NULL, 0 }
	};
	struct syncbe_opts o;
	struct sigaction sa;
	struct stat st;
	const char *root = NULL;
	unsigned long long max;
	struct be b;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.srcroot = "/";
	o.infd = STDIN_FILENO;
	o.stop = &stop;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+nqm:p:r:R:w:x:h", longopts, NULL))
	    != -1) {
		switch (c) {
		case 'n':
			o.dry_run = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'r':
			root = optarg;
			break;
		case 'R':
			o.srcroot = optarg;
			break;
		case 'A':
			o.no_activate = 1;
			break;
		case 'p':
			o.pubkey = optarg;
			break;
		case 'x':
			o.sigfile = optarg;
			break;
		case 'w':
			o.spooldir = optarg;
			break;
		case 'm':
			if (str_tosize(optarg, &max) == -1 || max == 0) {
				failx("--spool-max %s: want a size above 0 "
				    "(K, M, G, T)", optarg);
				return (64);	/* a usage error */
			}
			o.spool_max = max;
			break;
		case 'h':
			return (usage(1));
		default:
			return (usage(0));
		}
	}
	if (argc - optind != 2)
		return (usage(0));
	o.name = argv[optind];
	o.conf = argv[optind + 1];
	if ((o.pubkey == NULL) != (o.sigfile == NULL)) {
		failx("-p and -x go together: the public key and the "
		    "stream's signature");
		return (64);	/* a usage error */
	}
	if (o.spooldir == NULL)
		o.spooldir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	if (!o.dry_run && isatty(STDIN_FILENO))
		return (failx("the stream comes on stdin, "
		    "not from a terminal"));
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode))
		o.size_hint = st.st_size;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt reads */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* sync-be sets the one-shot choice; it need not read the old. */
	if (be_open_flags(&b, root, BE_OPEN_NOBOOT) == -1)
		return (fail("%s", o.name));
	rc = be_sync(&b, &o) == -1 ? fail("%s", o.name) : 0;
	be_close(&b);
	return (rc);
}
