/*
 * stasis image: build images from directory trees (ZFS streams for now).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "image/image.h"
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
	    "usage: stasis image zfs [-q] [-o file] [-s snapshot] "
	    "[-w workdir] DIR\n"
	    "\n"
	    "Write DIR as a full ZFS send stream (to stdout, or -o file), "
	    "built in a\nscratch file-backed pool under workdir "
	    "(default /var/tmp); what\n`stasis sync-be` receives as a boot "
	    "environment.\n"
	    "\n"
	    "  -o FILE      write the stream here, not to stdout\n"
	    "  -s NAME      the snapshot name in the stream "
	    "(default: image)\n"
	    "  -w DIR       where the scratch pool's file goes\n"
	    "  -q           no progress bar or summary\n"
	    "\nSee stasis-image(8).\n");
	return (explicit ? 0 : 64);
}

static int
image_zfs(int argc, char **argv)
{
	struct image_zfs_opts o;
	struct sigaction sa;
	const char *out = NULL;
	uint64_t bytes;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.snapname = "image";
	o.workdir = "/var/tmp";
	o.outfd = STDOUT_FILENO;
	o.stop = &stop;
	optind = 1;
	while ((c = getopt(argc, argv, "+ho:qs:w:")) != -1) {
		switch (c) {
		case 'h':
			return (usage(1));
		case 'o':
			out = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 's':
			o.snapname = optarg;
			break;
		case 'w':
			o.workdir = optarg;
			break;
		default:
			return (usage(0));
		}
	}
	if (argc - optind != 1)
		return (usage(0));
	o.dir = argv[optind];
	if (out != NULL) {
		o.outfd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
		if (o.outfd == -1) {
			error_sys("%s", out);
			return (fail("zfs"));
		}
	} else if (isatty(STDOUT_FILENO))
		return (failx("image zfs: must redirect output "
		    "(or use -o file)"));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = image_zfs_stream(&o, &bytes);
	if (out != NULL) {
		close(o.outfd);
		if (rc == -1) {
			int e = errno;

			unlink(out);
			errno = e;
		}
	}
	return (rc == -1 ? fail("zfs %s", o.dir) : 0);
}

int
cmd_image(int argc, char **argv)
{
	if (argc < 2)
		return (usage(0));
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return (usage(1));
	if (strcmp(argv[1], "zfs") == 0)
		return (image_zfs(argc - 1, argv + 1));
	fprintf(stderr, "%s: image: unknown format %s (only zfs so far)\n",
	    progname, argv[1]);
	return (usage(0));
}
