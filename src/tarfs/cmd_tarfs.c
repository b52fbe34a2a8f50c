/*
 * stasis tarfs: argv in, tarfs.h and zstd.h calls out.
 *
 *   stasis tarfs [-fdqv] [-o options] ARCHIVE DIR
 *   stasis tarfs --check ARCHIVE
 *   stasis tarfs --index [--embed] ARCHIVE [INDEX]
 *   stasis tarfs --compress [--no-embed] [-l level] [-F size] IN.tar OUT
 *   mount.tarfs ARCHIVE DIR [-sfnv] [-o options]     (mount(8) helper)
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/path.h"
#include "commands.h"
#include "tarfs/tarfs.h"
#include "tarfs/zstd.h"

static int
usage(FILE *f, int status)
{
	fprintf(f,
	    "usage: stasis tarfs [-fdqv] [-o options] ARCHIVE DIR\n"
	    "       stasis tarfs --check ARCHIVE\n"
	    "       stasis tarfs --index [--embed] ARCHIVE [INDEX]\n"
	    "       stasis tarfs --compress [--no-embed] [-l level] "
	    "[-F frame-size]\n"
	    "                    IN.tar OUT.tar.zst\n"
	    "       mount.tarfs ARCHIVE DIR [-sfnv] [-N ns] [-o options]\n"
	    "\n"
	    "Mount a tar or tar.zst archive read-only on DIR.\n"
	    "  -f, --foreground  do not daemonize\n"
	    "  -d, --debug       FUSE debug output (implies -f)\n"
	    "  -q, --quiet       no progress bar or warnings\n"
	    "  -v, --verbose     say which index was used\n"
	    "  -o OPTIONS        tarindex=PATH (saved index), reindex\n"
	    "                    (ignore saved and embedded indexes),\n"
	    "                    saveindex (save one if there was none),\n"
	    "                    index=PATH (zstd index), threads=N,\n"
	    "                    readahead=KB (the mount's),\n"
	    "                    max_ratio=N, max_size=SIZE (tar.zst bomb\n"
	    "                    limits; default 100 times the archive,\n"
	    "                    at least 1G; 0: no limit), cache=SIZE\n"
	    "                    (tar.zst: decompressed data kept; 16M),\n"
	    "                    and FUSE/mount options (allow_other,...)\n"
	    "  --check           index the archive, print a summary, exit\n"
	    "  --index           save the index (ARCHIVE.tfidx; for tar.zst\n"
	    "                    also the zstd random-access index)\n"
	    "  --embed           with --index: write it into the archive\n"
	    "                    itself (a tar, or a seekable tar.zst)\n"
	    "  --compress        write a seekable tar.zst from a tar (- for\n"
	    "                    stdin or stdout), the index embedded\n"
	    "  --no-embed        with --compress: without the index\n"
	    "See stasis-tarfs(8).\n");
	return (status);
}

/* mount(8) spellings that mean nothing to a FUSE mount, or are given. */
static int
ignored_opt(const char *o)
{
	static const char *const ign[] = { "rw", "ro", "defaults", "auto",
	    "noauto", "user", "users", "nouser", "owner", "group", "nofail",
	    "_netdev", "loop", "sw", "x-systemd.automount", NULL };
	int i;

	if (strncmp(o, "x-", 2) == 0 || strncmp(o, "comment=", 8) == 0)
		return (1);
	for (i = 0; ign[i] != NULL; i++)
		if (strcmp(o, ign[i]) == 0)
			return (1);
	return (0);
}

/* Take our own options out of -o, pass the rest to FUSE. */
static int
parse_opts(const char *s, struct buf *fuse, struct tarfs_open_opts *oo,
    struct tarfs_mount_opts *mo)
{
	struct strv v = STRV_INIT;
	long long n;
	size_t i;
	int r = -1;

	strv_split(&v, s, ",");
	for (i = 0; i < v.n; i++) {
		const char *o = v.v[i];

		if (strncmp(o, "index=", 6) == 0)
			oo->zindex = xstrdup(o + 6);
		else if (strncmp(o, "tarindex=", 9) == 0)
			oo->tarindex = xstrdup(o + 9);
		else if (strcmp(o, "reindex") == 0)
			oo->rebuild = 1;
		else if (strcmp(o, "saveindex") == 0)
			oo->save = 1;
		else if (strncmp(o, "max_ratio=", 10) == 0) {
			if (str_tonum(o + 10, 0, LLONG_MAX, &n) == -1) {
				error_wrap("-o %s", o);
				goto out;
			}
			oo->max_ratio = n == 0 ? UINT64_MAX : (uint64_t)n;
		} else if (strncmp(o, "max_size=", 9) == 0) {
			unsigned long long sz;

			if (str_tosize(o + 9, &sz) == -1) {
				error_wrap("-o %s", o);
				goto out;
			}
			oo->max_size = sz == 0 ? UINT64_MAX : sz;
		}
		else if (strncmp(o, "cache=", 6) == 0) {
			unsigned long long sz;

			if (str_tosize(o + 6, &sz) == -1 || sz < (1 << 20) ||
			    sz > SIZE_MAX / 2) {
				error_set("-o %s: want a size from 1M up", o);
				goto out;
			}
			oo->cache = (size_t)sz;
		} else if (strncmp(o, "threads=", 8) == 0) {
			if (str_tonum(o + 8, 1, 256, &n) == -1) {
				error_wrap("-o %s", o);
				goto out;
			}
			mo->threads = (int)n;
		} else if (strncmp(o, "readahead=", 10) == 0) {
			if (str_tonum(o + 10, 0, 65536, &n) == -1) {
				error_wrap("-o %s", o);
				goto out;
			}
			mo->readahead_kb = (unsigned)n;
		} else if (strcmp(o, "debug") == 0)
			mo->debug = 1;
		else if (!ignored_opt(o)) {
			if (fuse->len > 0)
				buf_addc(fuse, ',');
			buf_addstr(fuse, o);
		}
	}
	r = 0;
out:
	strv_free(&v);
	return (r);
}

/* -N: a mount namespace given as a pid or a path (/proc/PID/ns/mnt). */
static int
join_ns(const char *ns)
{
	char *path;
	long long pid;
	int fd, r;

	if (str_tonum(ns, 1, INT_MAX, &pid) == 0)
		path = xasprintf("/proc/%lld/ns/mnt", pid);
	else
		path = xstrdup(ns);
	error_clear();
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		r = error_sys("%s", path);
		free(path);
		return (r);
	}
	r = setns(fd, CLONE_NEWNS) == -1 ? error_sys("setns %s", path) : 0;
	close(fd);
	free(path);
	return (r);
}

static int
do_check(const char *archive, const struct tarfs_open_opts *oo)
{
	struct tarfs *t;
	const char *from;
	char sz[32];

	if ((t = tarfs_open(archive, oo)) == NULL)
		return (fail(NULL));
	from = tarfs_index_from(t);
	printf("%s: %s, %llu inodes, index %s%s%s%s\n", archive,
	    tarfs_format(t), (unsigned long long)tarfs_count(t),
	    str_fmtsize(sz, sizeof(sz), tarfs_memory(t)),
	    from == NULL ? "" : strcmp(from, "embedded") == 0 ?
	    " (from the index embedded in the archive)" :
	    " (from the saved index ", from == NULL ||
	    strcmp(from, "embedded") == 0 ? "" : from,
	    from == NULL || strcmp(from, "embedded") == 0 ? "" : ")");
	tarfs_close(t);
	return (0);
}

/* Does the file start with a zstd frame?  (Errors: tarfs_open says.) */
static int
is_zstd(const char *path)
{
	unsigned char head[8];
	ssize_t n = -1;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) != -1) {
		n = read(fd, head, sizeof(head));
		close(fd);
	}
	return (n >= 4 && head[0] == 0x28 && head[1] == 0xb5 &&
	    head[2] == 0x2f && head[3] == 0xfd);
}

/*
 * --index: for tar.zst, the zstd layer's random-access index first (at
 * INDEX if given), then ours (ARCHIVE.tfidx, or -o tarindex=; for plain
 * tar INDEX names it), built afresh from the archive.
 */
static int
do_index(int argc, char **argv, struct tarfs_open_opts *oo, int embed)
{
	struct tarfs *t;
	const char *tidx = oo->tarindex;
	char *where = NULL;
	uint64_t n;

	if (embed) {
		if (argc != 1 || tidx != NULL) {
			failx("--index --embed: the index goes into the "
			    "archive, not to a file");
			return (64);	/* a usage error */
		}
		/* A full disk is an error to undo, not a death (ulimit -f). */
		signal(SIGXFSZ, SIG_IGN);
		if (tarfs_embed_index(argv[0], oo, &n) == -1)
			return (fail("--index --embed %s", argv[0]));
		if (!oo->quiet)
			printf("embedded the tarfs index in %s (%llu "
			    "inodes)\n", argv[0], (unsigned long long)n);
		return (0);
	}

	oo->rebuild = 1;
	oo->save = 0;
	/*
	 * A tar.zst: opening it for our index builds (or loads) the zstd
	 * layer's too, in the same pass: the header walk decodes a frame
	 * that states no size once (zstd.h, zsrc_open_lazy), and both
	 * indexes are saved from what it learned.
	 */
	if (argc == 2 && is_zstd(argv[0])) {
		free((char *)oo->zindex);
		oo->zindex = xstrdup(argv[1]);
	}
	if ((t = tarfs_open(argv[0], oo)) == NULL)
		return (fail("--index"));
	if (tarfs_save_zindex(t, argc == 2 && is_zstd(argv[0]) ? argv[1] :
	    NULL, oo->quiet) == -1) {
		tarfs_close(t);
		return (fail("--index %s", argv[0]));
	}
	/* For a plain tar, INDEX names ours (there is no other). */
	if (strcmp(tarfs_format(t), "tar") == 0 && argc == 2 && tidx == NULL)
		tidx = argv[1];
	if (tarfs_save_index(t, tidx, &where) == -1) {
		tarfs_close(t);
		return (fail("--index %s", argv[0]));
	}
	if (!oo->quiet)
		printf("wrote the tarfs index %s (%llu inodes)\n", where,
		    (unsigned long long)tarfs_count(t));
	free(where);
	tarfs_close(t);
	return (0);
}

/*
 * stasis-tarfs has no compressor (tarfs_can_compress): --compress runs
 * from the full stasis beside it, with these arguments (getopt has
 * moved the options first, which changes nothing).
 */
static int
compress_elsewhere(int argc, char **argv, int helper)
{
	char **av = xcalloc((size_t)argc + 2, sizeof(*av)), *self;
	int i, n = 0;

	if (!helper)
		av[n++] = "stasis";
	for (i = 0; i < argc; i++)
		av[n++] = argv[i];
	path_exec_sibling("stasis", av);
	free(av);
	self = path_self_exe();
	failx("--compress: %s has no zstd compressor, and there is no "
	    "stasis beside it to run", self);
	free(self);
	return (1);
}

static int
tarfs_command(int argc, char **argv, struct tarfs_open_opts *oo)
{
	static const struct option lopts[] = {
		{ "foreground",	no_argument,	   NULL, 'f' },
		{ "debug",	no_argument,	   NULL, 'd' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "check",	no_argument,	   NULL, 'C' },
		{ "index",	no_argument,	   NULL, 'I' },
		{ "compress",	no_argument,	   NULL, 'Z' },
		{ "embed",	no_argument,	   NULL, 'E' },
		{ "no-embed",	no_argument,	   NULL, 'e' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ NULL,		0,		   NULL, 0 }
	};
	struct tarfs_mount_opts mo = { 0 };
	struct buf fopts = BUF_INIT;
	struct tarfs *t;
	long long n;
	int helper, c, mode = 0, fake = 0, level = 3, r, embed = -1;
	int argc0 = argc;
	char **argv0 = argv;
	size_t frame = 0;

	/*
	 * glibc raises its mmap threshold each time a big block is freed,
	 * after which the zstd layer's 512 KiB pieces come from per-thread
	 * heaps that never shrink: measured, 196 MiB peak instead of 80
	 * for reading a tree.tar.zst whose cache was bounded at 64 MiB.  A
	 * fixed threshold hands big blocks back to the kernel on free.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	helper = strcmp(progname, "mount.tarfs") == 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "fdqhsnvo:l:F:t:N:", lopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f':
			/* mount(8) passes -f for "fake": do nothing. */
			if (helper)
				fake = 1;
			else
				mo.foreground = 1;
			break;
		case 'd':
			mo.debug = mo.foreground = 1;
			break;
		case 'q':
			oo->quiet = 1;
			/* The zstd layer's hints are info, its warnings warn. */
			log_set_level(LOG_LVL_WARN);
			break;
		case 't':	/* mount(8): the type, tarfs */
			break;
		case 'N':	/* mount(8): mount in this mount namespace */
			if (join_ns(optarg) == -1)
				return (fail("-N %s", optarg));
			break;
		case 's':	/* mount(8): sloppy */
		case 'n':	/* mount(8): no mtab */
			break;
		case 'v':	/* also mount(8)'s: verbose */
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'E':
		case 'e':
			embed = c == 'E';
			break;
		case 'o':
			if (parse_opts(optarg, &fopts, oo, &mo) == -1)
				return (fail(NULL));
			if (mo.debug)
				mo.foreground = 1;
			break;
		case 'l':
			/* A bad value is a usage error, as a bad option. */
			if (str_tonum(optarg, -7, 22, &n) == -1) {
				fail("-l");
				return (64);
			}
			level = (int)n;
			break;
		case 'F': {
			unsigned long long sz;

			if (str_tosize(optarg, &sz) == -1 || sz < 4096 ||
			    sz > (256ULL << 20)) {
				failx("-F %s: a size from 4k to 256m", optarg);
				return (64);
			}
			frame = (size_t)sz;
			break;
		}
		case 'C':
		case 'I':
		case 'Z':
			mode = c;
			break;
		case 'h':
			return (usage(stdout, 0));
		default:
			return (usage(stderr, 64));
		}
	}
	argc -= optind;
	argv += optind;

	if ((embed == 1 && mode != 'I') || (embed == 0 && mode != 'Z')) {
		failx("%s goes with %s", embed ? "--embed" : "--no-embed",
		    embed ? "--index" : "--compress");
		return (64);	/* a usage error */
	}
	switch (mode) {
	case 'C':
		if (argc != 1)
			return (usage(stderr, 64));
		return (do_check(argv[0], oo));
	case 'I':
		if (argc < 1 || argc > 2)
			return (usage(stderr, 64));
		return (do_index(argc, argv, oo, embed == 1));
	case 'Z':
		if (argc != 2)
			return (usage(stderr, 64));
		if (!tarfs_can_compress())
			return (compress_elsewhere(argc0, argv0, helper));
		if (tarfs_compress(argv[0], argv[1], frame, level, oo->quiet,
		    embed != 0) == -1)
			return (fail("--compress %s", argv[0]));
		return (0);
	}
	if (argc != 2)
		return (usage(stderr, 64));
	if (fake)
		return (0);
	if ((t = tarfs_open(argv[0], oo)) == NULL) {
		buf_free(&fopts);
		return (fail(NULL));
	}
	mo.fsname = argv[0];
	mo.fuse_opts = buf_cstr(&fopts);
	r = tarfs_mount(t, argv[1], &mo);
	tarfs_close(t);
	buf_free(&fopts);
	if (r == -1)
		return (fail(NULL));
	return (0);
}

int
cmd_tarfs(int argc, char **argv)
{
	struct tarfs_open_opts oo = { 0 };
	int r;

	r = tarfs_command(argc, argv, &oo);
	/* -o index= and tarindex= are copies. */
	free((char *)oo.zindex);
	free((char *)oo.tarindex);
	return (r);
}
