/*
 * Unit tests: a zstd frame that does not state its size (`zstd < pipe`,
 * `tar --zstd`), opened lazily as a mount opens it (zstd.h,
 * zsrc_open_lazy).  Its size is a bound until the reads reach its end
 * or zsrc_finish decodes the rest, and a first mount decodes it once,
 * not once to count it and once more for the headers: the bytes the
 * decoders produce are counted (zsrc_stats' produced) and compared
 * with the content's size, and with what the old way (zsrc_open, a
 * count first) costs.  Then what must not change: the same tree and
 * bytes as from the sized frame, entry points built, a cut tar failing
 * with the same message, corrupt frames and bombs refused.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/path.h"
#include "tarfs/tarfs.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/zstd.h"
#include "tarfs/zstd_int.h"
#include "tap.h"
#include "zstdtest.h"

#define NOIDX	"/nonexistent/x.zidx"

/* Text-like (compressible: zstd writes compressed blocks) data. */
static void
make_data(size_t len)
{
	static const char *w[] = { "usr", "bin", "lib", "etc", "share",
	    "rc.conf", "jail", "zfs ", "\n", "0644 ", "root ", "wheel " };
	uint64_t s = 88172645463325252ULL;
	size_t i = 0, k;

	orig = malloc(len);
	olen = len;
	while (i < len) {
		const char *x = w[rnd(&s) % 12];

		for (k = 0; x[k] && i < len; k++)
			orig[i++] = x[k];
	}
}

static struct zsrc *
zopen(const char *path, int lazy, const struct zsrc_limits *lim)
{
	struct zsrc *z;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return (NULL);
	z = lazy ? zsrc_open_lazy(fd, path, NOIDX, lim) :
	    zsrc_open_limits(fd, path, NOIDX, lim);
	close(fd);
	return (z);
}

static uint64_t
produced(struct zsrc *z)
{
	struct zsrc_stats st;

	zsrc_stats(z, &st);
	return (st.produced);
}

/* n bytes at off equal orig's (repeated, for files of two frames). */
static int
equal_at(struct zsrc *z, uint64_t off, size_t n)
{
	char *b = malloc(n);
	size_t i;
	int r;

	r = zsrc_pread(z, b, n, off) == (ssize_t)n;
	for (i = 0; r && i < n; i++)
		r = b[i] == orig[(off + i) % olen];
	free(b);
	return (r);
}

/* The zstd layer alone: the bound, reads past the end, zsrc_finish. */
static void
test_open(void)
{
	struct zsrc_limits lim = { 0, 4U << 20 };
	struct zsrc *z;
	uint64_t bound;
	char *p = tpath("orig"), *q = tpath("pipe.zst"), *b;
	ssize_t n;
	int fd;

	sh("zstd -q -f -c < %s > %s", p, q);
	z = zopen(q, 1, NULL);
	ok(z != NULL && !zsrc_exact(z), "no size: left open (%s)",
	    z ? "" : error_msg());
	if (z == NULL)
		return;
	bound = zsrc_size(z);
	ok(bound >= olen && bound <= olen + olen / 16, "its size is a bound: "
	    "%llu for %zu bytes", (unsigned long long)bound, olen);
	ok(produced(z) == 0, "nothing decoded at open");
	/* Read to the bound: short at the true end, which closes it. */
	b = malloc(bound);
	n = zsrc_pread(z, b, bound, 0);
	ok(n == (ssize_t)olen && memcmp(b, orig, olen) == 0,
	    "a read to the bound returns the %zu bytes there are (%zd)", olen,
	    n);
	ok(zsrc_exact(z) && zsrc_size(z) == olen, "and the size is exact");
	ok(zsrc_finish(z) == 0 && produced(z) >= olen &&
	    produced(z) < olen + olen / 8, "decoded once: %llu bytes for %zu",
	    (unsigned long long)produced(z), olen);
	ok(zsrc_pread(z, b, 100, olen) == 0, "a read at the end: 0");
	is_str(zsrc_index_from(z), "decompression", "index from");
	zsrc_close(z);

	/* Reads stop in the middle: zsrc_finish goes on from there. */
	z = zopen(q, 1, NULL);
	n = z ? zsrc_pread(z, b, 3U << 20, 0) : -1;
	ok(n == 3 << 20 && zsrc_finish(z) == 0 && zsrc_exact(z) &&
	    zsrc_size(z) == olen, "read 3 MiB, finish: exact");
	ok(z && produced(z) < olen + olen / 8, "still decoded once: %llu",
	    z ? (unsigned long long)produced(z) : 0ULL);
	ok(z && equal_at(z, 0, olen) && equal_at(z, olen / 3, 100000),
	    "and reads equal the input");
	zsrc_close(z);

	/* Nothing read: finish decodes it all. */
	z = zopen(q, 1, NULL);
	ok(z && zsrc_finish(z) == 0 && zsrc_size(z) == olen &&
	    equal_at(z, 0, olen), "finish without reads: exact, equal");
	zsrc_close(z);

	/* Counted at open (zsrc_open): the old way decodes it twice. */
	z = zopen(q, 0, NULL);
	ok(z && equal_at(z, 0, olen) && produced(z) >= 2 * olen,
	    "counted first, then read: %llu bytes decoded for %zu (the "
	    "measure tells the two apart)",
	    z ? (unsigned long long)produced(z) : 0ULL, olen);
	zsrc_close(z);

	/* Bombs: a bound past the limit means a count, bounded. */
	z = zopen(q, 1, &lim);
	ok(z == NULL && strstr(error_msg(), "max_size=4.00M") &&
	    strstr(error_msg(), "frame at offset 0"),
	    "bound past max_size: counted, refused (%s)", error_msg());
	zsrc_close(z);
	lim.max_size = olen + olen / 8;
	z = zopen(q, 1, &lim);
	ok(z != NULL && !zsrc_exact(z), "bound within max_size: left open");
	zsrc_close(z);

	/* Two such frames: the first is counted, the last left open. */
	q = tpath("pipe2.zst");
	sh("zstd -q -c < %s > %s && zstd -q -c < %s >> %s", p, q, p, q);
	z = zopen(q, 1, NULL);
	ok(z && !zsrc_exact(z) && zsrc_finish(z) == 0 &&
	    zsrc_size(z) == 2 * olen && equal_at(z, olen - 5000, 10000) &&
	    equal_at(z, 0, 2 * olen), "two frames: the last open, all equal");
	zsrc_close(z);

	/* A corrupt frame: EIO past the damage, finish names the frame. */
	q = tpath("pipebad.zst");
	sh("cp %s/pipe.zst %s", dir, q);
	fd = open(q, O_RDWR);
	pwrite(fd, "XXXXXXXXXXXXXXXX", 16, 700000);
	close(fd);
	z = zopen(q, 1, NULL);
	ok(z != NULL, "corrupt in its blocks: opens (not counted)");
	if (z != NULL) {
		ok(equal_at(z, 0, 100000), "the start reads");
		n = zsrc_pread(z, b, 1U << 20, olen - (1U << 20));
		ok(n == -1 && errno == EIO, "past the damage: EIO (%s)",
		    error_msg());
		ok(zsrc_finish(z) == -1 && strstr(error_msg(),
		    "frame at offset 0"), "finish: %s", error_msg());
		zsrc_close(z);
	}
	/* Its checksum: only the end of the frame can tell. */
	sh("cp %s/pipe.zst %s", dir, q);
	fd = open(q, O_RDWR);
	{
		struct stat st;

		fstat(fd, &st);
		pwrite(fd, "\xff\xff\xff\xff", 4, st.st_size - 4);
	}
	close(fd);
	z = zopen(q, 1, NULL);
	n = z ? zsrc_pread(z, b, olen, 0) : -2;
	ok(z && zsrc_finish(z) == -1 && strstr(error_msg(), "checksum") &&
	    strstr(error_msg(), "frame at offset 0"),
	    "bad checksum: finish refuses it (%s)", error_msg());
	zsrc_close(z);
	free(b);
}

/* The content of the file at path in t, or NULL. */
static char *
slurp(struct tarfs *t, const char *path, size_t *len)
{
	struct stat st;
	uint64_t ino = tarfs_resolve(t, path);
	char *b;

	if (ino == 0 || tarfs_stat(t, ino, &st) == -1)
		return (NULL);
	b = malloc((size_t)st.st_size + 1);
	if (tarfs_read(t, ino, b, (size_t)st.st_size, 0) != st.st_size) {
		free(b);
		return (NULL);
	}
	*len = (size_t)st.st_size;
	return (b);
}

static struct tarfs *
topen(const char *path)
{
	struct tarfs_open_opts oo;

	memset(&oo, 0, sizeof(oo));
	oo.quiet = 1;
	oo.zindex = NOIDX;
	oo.tarindex = "/nonexistent/x.tfidx";
	return (tarfs_open(path, &oo));
}

/*
 * What a mount does: open, walk the headers.  From a pipe, the frame is
 * decoded once (about the tar's size, as with the size stated), the
 * tree and bytes are the sized archive's, and entry points are left.
 */
static void
test_mount(void)
{
	struct zsrc_stats st[2];
	struct tarfs *t;
	struct stat sb;
	uint64_t tsize, count[2];
	const char *how[] = { "no size (pipe)", "size in the header" };
	char *b;
	size_t len;
	int i;

	sh("mkdir -p %s/t && cp %s/orig %s/t/a && head -c 3000000 %s/orig "
	    "> %s/t/b && tar -cf %s/t.tar -C %s/t a b && "
	    "zstd -q -f -c < %s/t.tar > %s/tp.tar.zst && "
	    "zstd -q -f -c %s/t.tar > %s/ts.tar.zst", dir, dir, dir, dir,
	    dir, dir, dir, dir, dir, dir, dir);
	stat(tpath("t.tar"), &sb);
	tsize = (uint64_t)sb.st_size;
	for (i = 0; i < 2; i++) {
		t = topen(tpath(i == 0 ? "tp.tar.zst" : "ts.tar.zst"));
		ok(t != NULL, "%s: opens (%s)", how[i], t ? "" : error_msg());
		if (t == NULL)
			return;
		zsrc_stats(t->src.z, &st[i]);
		count[i] = tarfs_count(t);
		ok(t->src.size == tsize && src_exact(&t->src),
		    "%s: the size is exact after the walk", how[i]);
		ok(st[i].produced >= tsize - 20480 &&
		    st[i].produced <= tsize + tsize / 8,
		    "%s: first mount decoded %llu bytes for a %llu-byte tar",
		    how[i], (unsigned long long)st[i].produced,
		    (unsigned long long)tsize);
		ok(st[i].entries >= 1, "%s: %llu entry points", how[i],
		    (unsigned long long)st[i].entries);
		b = slurp(t, "a", &len);
		ok(b != NULL && len == olen && memcmp(b, orig, olen) == 0,
		    "%s: file a reads back", how[i]);
		free(b);
		b = slurp(t, "b", &len);
		ok(b != NULL && len == 3000000 && memcmp(b, orig, len) == 0,
		    "%s: file b reads back", how[i]);
		free(b);
		if (i == 0) {
			/*
			 * --index saves the zstd index from what the walk
			 * learned: nothing more is decoded, and the saved
			 * index opens to the exact size, decoding nothing.
			 */
			struct zsrc_stats before, after;
			struct zsrc *z;
			int fd;

			zsrc_stats(t->src.z, &before);
			ok(tarfs_save_zindex(t, tpath("tp.zidx"), 1) == 0,
			    "no size: the zstd index is saved from the open "
			    "archive");
			zsrc_stats(t->src.z, &after);
			ok(after.produced == before.produced,
			    "no size: saving it decoded nothing more (%llu "
			    "bytes, then %llu)",
			    (unsigned long long)before.produced,
			    (unsigned long long)after.produced);
			fd = open(tpath("tp.tar.zst"), O_RDONLY);
			z = zsrc_open(fd, tpath("tp.tar.zst"), tpath("tp.zidx"));
			ok(z != NULL && zsrc_size(z) == tsize &&
			    produced(z) == 0 && strcmp(zsrc_index_from(z),
			    tpath("tp.zidx")) == 0,
			    "no size: the saved index opens exact, decoding "
			    "nothing");
			if (z != NULL)
				zsrc_close(z);
			close(fd);
		}
		tarfs_close(t);
	}
	is_int(count[0], count[1], "the same tree");
	ok(st[0].produced <= st[1].produced + tsize / 20,
	    "no size costs what the size stated does: %llu vs %llu bytes",
	    (unsigned long long)st[0].produced,
	    (unsigned long long)st[1].produced);
}

/*
 * Tars that end early: the walk over the bound is done again with the
 * size, so the result is the sized archive's, error message included.
 */
static void
test_cut(void)
{
	static const char *name[] = { "nomarker", "cutdata" };
	struct tarfs *t[2];
	uint64_t end = 512 + (olen + 511) / 512 * 512 + 512 +
	    (3000000 + 511) / 512 * 512;
	uint64_t cut[2] = { end, end - 100000 };
	char msg[2][1024];
	int i, k;

	for (i = 0; i < 2; i++) {
		sh("head -c %llu %s/t.tar > %s/%s.tar && "
		    "zstd -q -f -c < %s/%s.tar > %s/%s.p.tar.zst && "
		    "zstd -q -f -c %s/%s.tar > %s/%s.s.tar.zst",
		    (unsigned long long)cut[i], dir, dir, name[i], dir,
		    name[i], dir, name[i], dir, name[i], dir, name[i]);
		for (k = 0; k < 2; k++) {
			char f[256];

			snprintf(f, sizeof(f), "%s.%s.tar.zst", name[i],
			    k == 0 ? "p" : "s");
			t[k] = topen(tpath(f));
			snprintf(msg[k], sizeof(msg[k]), "%s",
			    t[k] ? "" : error_msg());
			if (t[k] == NULL)	/* the path differs: drop it */
				memmove(msg[k], msg[k] + strlen(tpath(f)),
				    strlen(msg[k] + strlen(tpath(f))) + 1);
		}
		if (i == 0)
			ok(t[0] && t[1] && tarfs_count(t[0]) ==
			    tarfs_count(t[1]) && tarfs_count(t[0]) == 3,
			    "no end-of-archive marker: mounts as sized (%s)",
			    msg[0]);
		else
			ok(!t[0] && !t[1] && strcmp(msg[0], msg[1]) == 0 &&
			    strstr(msg[0], "truncated"),
			    "cut in a file's data: the sized archive's "
			    "message: %s", msg[0]);
		tarfs_close(t[0]);
		tarfs_close(t[1]);
	}
}

int
main(void)
{
	dir = path_mkdtemp("/tmp/stasis-zstd-lazy.XXXXXX");
	if (dir == NULL)
		return (1);
	setenv("XDG_CACHE_HOME", dir, 1);
	log_set_level(LOG_LVL_ERR);
	make_data(12 << 20 | 12345);
	file_write_atomic(tpath("orig"), orig, olen, 0644);
	test_open();
	test_mount();
	test_cut();
	sh("rm -rf %s", dir);
	return (done_testing());
}
