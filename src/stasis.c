/*
 * stasis: the command table and dispatch, nothing else.
 *
 * Called as "stasis CMD ...", or through a link named after a FreeBSD
 * tool (jail, jls, jexec, bectl, sync-be, mount.tarfs), in which case it
 * is that tool, so the talk's command lines work unchanged.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/path.h"
#include "commands.h"

#ifndef STASIS_VERSION
#define STASIS_VERSION "0.1.0"
#endif

/*
 * A feature that has not landed yet leaves its entry point undefined; the
 * weak references let the binary link and say so instead of failing.
 */
#pragma weak cmd_hooks
#pragma weak cmd_tarfs
#pragma weak cmd_jail
#pragma weak cmd_jls
#pragma weak cmd_jexec
#pragma weak cmd_be
#pragma weak cmd_sync_be
#pragma weak cmd_image
#pragma weak cmd_serve
#pragma weak cmd_drain
#pragma weak cmd_undrain
#pragma weak cmd_status
#pragma weak cmd_reload

struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
};

static const struct command commands[] = {
	{ "hooks",	cmd_hooks,	"serve signed webhooks that run commands" },
	{ "tarfs",	cmd_tarfs,	"mount a tarball as a read-only filesystem" },
	{ "jail",	cmd_jail,	"create, modify and remove jails" },
	{ "jls",	cmd_jls,	"list jails" },
	{ "jexec",	cmd_jexec,	"run a command inside a jail" },
	{ "be",		cmd_be,		"manage ZFS boot environments (bectl)" },
	{ "sync-be",	cmd_sync_be,	"receive an image stream as a new boot environment" },
	{ "image",	cmd_image,	"build images from directory trees" },
	{ "serve",	cmd_serve,	"the node daemon: jail state, health, BGP gate" },
	{ "drain",	cmd_drain,	"stop sending new traffic to an app" },
	{ "undrain",	cmd_undrain,	"send traffic to a drained app again" },
	{ "status",	cmd_status,	"show the node daemon's view" },
	{ "reload",	cmd_reload,	"make the node daemon re-read serve.conf" },
	{ NULL,		NULL,		NULL }
};

/* Link names that select a command, as FreeBSD names the tools. */
static const struct {
	const char	*link;
	const char	*command;
} personalities[] = {
	{ "jail",	 "jail" },
	{ "jls",	 "jls" },
	{ "jexec",	 "jexec" },
	{ "bectl",	 "be" },
	{ "sync-be",	 "sync-be" },
	{ "mount.tarfs", "tarfs" },
	{ NULL,		 NULL }
};

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: stasis command [args ...]\n"
	    "       stasis --version | --help\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-10s %s%s\n", c->name, c->summary,
		    c->fn == NULL ? " (not built yet)" : "");
	fprintf(f, "\nSee stasis(8) and stasis-COMMAND(8).\n");
}

static const struct command *
lookup(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return (c);
	return (NULL);
}

static char **main_argv;

/*
 * The small binaries (stasis-jailtools, stasis-tarfs: see the Makefile)
 * are linked with their own commands only; any other runs, with the same
 * argv (a personality stays one), from the stasis-<command> next to it if
 * there is one, else from the full stasis: a jail's tarball root asks
 * stasis-jailtools for "tarfs", and stasis-tarfs starts fastest.
 */
static void
run_full(const char *cmd)
{
	char *name = xasprintf("stasis-%s", cmd);

	path_exec_sibling(name, main_argv);
	free(name);
	path_exec_sibling("stasis", main_argv);
}

/*
 * What a command printed must have reached its file: a listing or a JSON
 * document cut short by a full disk, with exit status 0, would be taken
 * as whole by the script that asked for it.
 */
static int
out_done(int rc)
{
	int e = 0;

	if (fflush(stdout) == EOF)
		e = errno;
	else if (!ferror(stdout))
		return (rc);
	if (rc == 0) {
		fprintf(stderr, "%s: write to standard output: %s\n",
		    progname, e != 0 ? strerror(e) : "error");
		rc = 1;
	}
	return (rc);
}

static int
run(const struct command *c, int argc, char **argv)
{
	if (c->fn == NULL) {
		run_full(c->name);
		fprintf(stderr, "%s: %s: this command does not exist yet "
		    "in this build of stasis %s\n", progname, c->name,
		    STASIS_VERSION);
		return (69);	/* EX_UNAVAILABLE */
	}
	return (out_done(c->fn(argc, argv)));
}

int
main(int argc, char **argv)
{
	const struct command *c;
	const char *base;
	int i;

	main_argv = argv;
	base = strrchr(argv[0], '/');
	base = base != NULL ? base + 1 : argv[0];
	for (i = 0; personalities[i].link != NULL; i++) {
		if (strcmp(base, personalities[i].link) == 0) {
			log_init(personalities[i].link, LOG_LVL_INFO);
			return (run(lookup(personalities[i].command),
			    argc, argv));
		}
	}

	log_init("stasis", LOG_LVL_INFO);
	if (argc < 2) {
		usage(stderr);
		return (64);	/* EX_USAGE */
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return (out_done(0));
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("stasis %s\n", STASIS_VERSION);
		return (out_done(0));
	}
	if ((c = lookup(argv[1])) == NULL) {
		fprintf(stderr, "stasis: %s: unknown command\n", argv[1]);
		usage(stderr);
		return (64);
	}
	cmdname = c->name;
	return (run(c, argc - 1, argv + 1));
}
