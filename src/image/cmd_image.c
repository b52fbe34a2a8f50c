/*
 * stasis image: build images from directory trees: ZFS send streams and
 * reproducible tar or seekable tar.zst.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/signify.h"
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
	    "       stasis image tar [-qz] [-o file] [-t mtime] "
	    "[--owner-root]\n"
	    "                        [--cross-mounts] [--no-embed] DIR\n"
	    "       stasis image keygen [-q] [-c comment] -p pubkey -s seckey\n"
	    "       stasis image sign [-q] -s seckey [-x sigfile] FILE\n"
	    "       stasis image verify [-q] -p pubkey [-x sigfile] FILE\n"
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
	    "\n"
	    "tar: write DIR as a reproducible POSIX tar (to stdout, or -o "
	    "file): sorted\nnames, numeric owners, the same bytes for the "
	    "same tree.\n"
	    "With -o, the tarfs index follows the tar's end-of-archive "
	    "marker (tar\nreaders stop before it), so a mount need not "
	    "read every header.\n"
	    "  -z           a seekable tar.zst (needs -o)\n"
	    "  --no-embed   with -o: no tarfs index in the file (-z: "
	    "saved beside it)\n"
	    "  -t, --mtime SECONDS  no mtime later than this "
	    "(default: $SOURCE_DATE_EPOCH)\n"
	    "  --owner-root every owner and group 0\n"
	    "  --cross-mounts  enter other file systems mounted in DIR\n"
	    "\n"
	    "keygen, sign, verify: Ed25519 signatures in signify(1)'s "
	    "formats\n(FILE.sig unless -x); `signify -V` verifies them.\n"
	    "\nSee stasis-image(8).\n");
	return (explicit ? 0 : 64);
}

/*
 * SIGINT and SIGTERM set stop (no SA_RESTART: a blocked read or write
 * returns EINTR), which the build checks to remove what it made; a
 * closed output pipe is a write error, not a silent death.
 */
static void
catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* zfs, keygen, sign and verify have no long options but this one. */
static const struct option help_opts[] = {
	{ "help",	no_argument,	NULL, 'h' },
	{ NULL,		0,		NULL, 0 }
};

/* A flag the subcommand cannot do without: say which. */
static int
missing(const char *verb, const char *flag)
{
	fprintf(stderr, "%s: image %s: %s is required\n", progname, verb,
	    flag);
	return (usage(0));
}

static int
image_zfs(int argc, char **argv)
{
	struct image_zfs_opts o;
	const char *out = NULL;
	uint64_t bytes;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.snapname = "image";
	o.workdir = "/var/tmp";
	o.outfd = STDOUT_FILENO;
	o.stop = &stop;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+ho:qs:w:", help_opts, NULL))
	    != -1) {
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
	if (out == NULL && isatty(STDOUT_FILENO))
		return (failx("zfs: must redirect output "
		    "(or use -o file)"));
	catch_stop();
	if (out != NULL)
		rc = image_zfs_file(&o, out, &bytes);
	else
		rc = image_zfs_stream(&o, &bytes);
	return (rc == -1 ? fail("zfs %s", o.dir) : 0);
}

static int
image_tar(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "help",	  no_argument,	     NULL, 'h' },
		{ "mtime",	  required_argument, NULL, 't' },
		{ "owner-root",	  no_argument,	     NULL, 'R' },
		{ "cross-mounts", no_argument,	     NULL, 'X' },
		{ "no-embed",	  no_argument,	     NULL, 'E' },
		{ NULL,		  0,		     NULL, 0 }
	};
	struct image_tar_opts o;
	struct image_tar_stats st;
	const char *out = NULL, *sde;
	long long n;
	int c, rc, zstd = 0;

	memset(&o, 0, sizeof(o));
	o.outfd = STDOUT_FILENO;
	o.stop = &stop;
	/* reproducible-builds.org: clamp to SOURCE_DATE_EPOCH if set. */
	if ((sde = getenv("SOURCE_DATE_EPOCH")) != NULL && *sde != '\0') {
		if (str_tonum(sde, 0, INT64_MAX, &n) == -1)
			return (failx("tar: SOURCE_DATE_EPOCH=%s: not a number "
			    "of seconds", sde));
		o.clamp = 1;
		o.max_mtime = n;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "+ho:qt:z", lopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return (usage(1));
		case 'o':
			out = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 't':
			if (str_tonum(optarg, 0, INT64_MAX, &n) == -1)
				return (fail("tar: --mtime %s", optarg));
			o.clamp = 1;
			o.max_mtime = n;
			break;
		case 'z':
			zstd = 1;
			break;
		case 'R':
			o.owner_root = 1;
			break;
		case 'X':
			o.cross_mounts = 1;
			break;
		case 'E':
			o.no_embed = 1;
			break;
		default:
			return (usage(0));
		}
	}
	if (argc - optind != 1)
		return (usage(0));
	o.dir = argv[optind];
	if (zstd && out == NULL) {
		failx("tar: -z needs -o file");
		return (64);	/* a usage error */
	}
	if (out == NULL && isatty(STDOUT_FILENO))
		return (failx("tar: must redirect output "
		    "(or use -o file)"));
	catch_stop();
	if (out != NULL)
		rc = image_tar_file(&o, out, zstd, &st);
	else
		rc = image_tar_write(&o, &st);
	if (rc == -1)
		return (fail("tar %s", o.dir));
	if (zstd && !o.quiet) {
		char zs[16];

		str_fmtsize(zs, sizeof(zs), st.zbytes);
		fprintf(stderr, "compressed to %s (%.0f%% of the tar), "
		    "indexed: %s\n", zs, st.bytes ? 100.0 * st.zbytes /
		    st.bytes : 0.0, out);
	}
	return (0);
}

/* keygen, sign and verify: signify's flags, signify's formats. */
static int
image_sig(int argc, char **argv)
{
	const char *verb = argv[0], *pub = NULL, *sec = NULL, *sig = NULL;
	const char *comment = NULL;
	char *written;
	int c, quiet = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:hp:qs:x:", help_opts, NULL))
	    != -1) {
		switch (c) {
		case 'c':
			comment = optarg;
			break;
		case 'p':
			pub = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			sec = optarg;
			break;
		case 'x':
			sig = optarg;
			break;
		case 'h':
			return (usage(1));
		default:
			return (usage(0));
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(verb, "keygen") == 0) {
		if (pub == NULL)
			return (missing(verb, "-p pubkey"));
		if (sec == NULL)
			return (missing(verb, "-s seckey"));
		if (argc != 0)
			return (usage(0));
		if (signify_keygen(pub, sec, comment) == -1)
			return (fail("keygen"));
		if (!quiet)
			printf("%s (public), %s (secret, mode 0600)\n", pub,
			    sec);
		return (0);
	}
	if (argc != 1)
		return (usage(0));
	if (strcmp(verb, "sign") == 0) {
		if (sec == NULL)
			return (missing(verb, "-s seckey"));
		if (signify_sign(sec, argv[0], sig, &written) == -1)
			return (fail("sign"));
		if (!quiet)
			printf("%s\n", written);
		free(written);
		return (0);
	}
	if (pub == NULL)
		return (missing(verb, "-p pubkey"));
	if (signify_verify(pub, argv[0], sig) == -1)
		return (fail("verify"));
	if (!quiet)
		printf("Signature Verified\n");
	return (0);
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
	if (strcmp(argv[1], "tar") == 0)
		return (image_tar(argc - 1, argv + 1));
	if (strcmp(argv[1], "keygen") == 0 || strcmp(argv[1], "sign") == 0 ||
	    strcmp(argv[1], "verify") == 0)
		return (image_sig(argc - 1, argv + 1));
	fprintf(stderr, "%s: image: unknown command %s (zfs, tar, keygen, "
	    "sign or verify)\n", progname, argv[1]);
	return (usage(0));
}
