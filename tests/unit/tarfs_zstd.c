/*
 * Unit tests: the zstd layer of tarfs.  Seekable files made by
 * zstd_compress_seekable, single-frame and multi-frame files made by the
 * zstd CLI, each read back at random offsets (from several threads) and
 * compared with the original; saved indexes used, stale ones ignored;
 * corrupt and truncated files refused or giving EIO, never a crash.
 */
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include "tarfs/zstd.h"
#include "tarfs/zstd_int.h"
#include "tap.h"
#include "zstdtest.h"

/* Text-like (compressible) data with some incompressible stretches. */
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
		if (rnd(&s) % 3000 == 0) {
			for (k = 0; k < 3000 && i < len; k++)
				orig[i++] = (char)rnd(&s);
			continue;
		}
		const char *x = w[rnd(&s) % 12];
		for (k = 0; x[k] && i < len; k++)
			orig[i++] = x[k];
	}
}

static struct zsrc *
zopen(const char *path, const char *idx)
{
	struct zsrc *z;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return (NULL);
	z = zsrc_open(fd, path, idx);
	close(fd);
	return (z);
}

/* Random reads compared with the original; 0 when all match. */
static int
check_reads(struct zsrc *z, uint64_t seed, int nreads, size_t maxlen)
{
	uint64_t s = seed, off;
	char *b = malloc(maxlen);
	size_t len;
	ssize_t n;
	int bad = 0, i;

	for (i = 0; i < nreads && !bad; i++) {
		off = rnd(&s) % (olen + 100);
		len = rnd(&s) % maxlen + 1;
		n = zsrc_pread(z, b, len, off);
		if (off >= olen) {
			bad = n != 0;
		} else {
			size_t want = len < olen - off ? len : olen - off;
			bad = n != (ssize_t)want ||
			    memcmp(b, orig + off, want) != 0;
		}
		if (bad)
			printf("# read %zu at %llu: got %zd: %s\n", len,
			    (unsigned long long)off, n, error_msg());
	}
	free(b);
	return (bad);
}

struct thr {
	struct zsrc	*z;
	uint64_t	 seed;
	int		 bad;
};

static void *
thr_main(void *arg)
{
	struct thr *t = arg;

	t->bad = check_reads(t->z, t->seed, 300, 200000);
	return (NULL);
}

static int
check_threads(struct zsrc *z)
{
	pthread_t id[6];
	struct thr t[6];
	int i, bad = 0;

	for (i = 0; i < 6; i++) {
		t[i].z = z;
		t[i].seed = 1234567 + i * 7919;
		t[i].bad = 0;
		pthread_create(&id[i], NULL, thr_main, &t[i]);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(id[i], NULL);
		bad |= t[i].bad;
	}
	return (bad);
}

static int
whole_equal(struct zsrc *z)
{
	char *b = malloc(olen + 1);
	ssize_t n = zsrc_pread(z, b, olen + 1, 0);
	int r = n == (ssize_t)olen && memcmp(b, orig, olen) == 0;

	free(b);
	return (r);
}

static void
test_file(const char *what, const char *path, const char *want_from)
{
	struct zsrc *z;

	z = zopen(path, NULL);
	ok(z != NULL, "%s: opens (%s)", what, z ? "" : error_msg());
	if (z == NULL)
		return;
	is_int(zsrc_size(z), olen, "size");
	if (want_from != NULL)
		is_str(zsrc_index_from(z), want_from, "index from");
	ok(whole_equal(z), "%s: whole stream equals the input", what);
	ok(check_reads(z, 42, 2000, 70000) == 0, "%s: 2000 random reads",
	    what);
	ok(check_threads(z) == 0, "%s: 6 threads of random reads", what);
	zsrc_close(z);
}

/*
 * One frame: its first full read leaves entry points (zstd_entry.c), and
 * random reads then start at them, checked against the hashes that read
 * left; all of it equal to the input, from one thread and several, at
 * zstd's default level, at -19 (8 MiB windows, repeat tables used
 * more), and as `tar --zstd` writes it (no size in the header).
 */
static void
test_entries(const char *p)
{
	static const char *how[] = { "-3 -c", "-19 -c", "-3 -c <" };
	struct zsrc_stats st;
	struct zsrc *z;
	char *q;
	int i;

	for (i = 0; i < 3; i++) {
		q = tpath("entries.zst");
		sh("zstd -q -f %s %s > %s", how[i], p, q);
		z = zopen(q, NULL);
		ok(z != NULL && whole_equal(z), "zstd %s: read whole", how[i]);
		if (z == NULL)
			continue;
		zsrc_stats(z, &st);
		ok(st.entries >= 1, "and left %llu entry points",
		    (unsigned long long)st.entries);
		zsrc_set_cache(z, 1);
		ok(check_reads(z, 11 + i, 400, 70000) == 0 &&
		    check_threads(z) == 0, "random reads, 6 threads: equal");
		zsrc_stats(z, &st);
		ok(st.resumed > 0, "decoded from entry points %llu times "
		    "(%llu pieces refused)", (unsigned long long)st.resumed,
		    (unsigned long long)st.refused);
		zsrc_close(z);
	}

	/* Not scanned (a saved index): the background scan leaves them. */
	z = zopen(q, NULL);
	if (z == NULL)
		return;
	zsrc_background(z);
	for (i = 0; i < 200; i++) {
		zsrc_stats(z, &st);
		if (st.entries >= 2)
			break;
		usleep(50000);
	}
	ok(st.entries >= 2, "a background scan left %llu entry points",
	    (unsigned long long)st.entries);
	zsrc_set_cache(z, 1);
	ok(check_reads(z, 21, 400, 70000) == 0 && check_threads(z) == 0,
	    "random reads from them: equal");
	zsrc_stats(z, &st);
	ok(st.resumed > 0, "decoded from entry points %llu times",
	    (unsigned long long)st.resumed);
	/* Closed while scanning: the scan stops. */
	zsrc_close(z);
	z = zopen(q, NULL);
	if (z != NULL) {
		zsrc_background(z);
		zsrc_close(z);
		ok(1, "closed during a background scan");
	}
}

static void
corrupt_at(const char *path, uint64_t off)
{
	int fd = open(path, O_RDWR);
	char c;

	pread(fd, &c, 1, off);
	c ^= 0x5a;
	pwrite(fd, &c, 1, off);
	close(fd);
}

static void
test_corrupt(const char *seekable)
{
	struct zindex idx;
	struct zsrc *z;
	char *p = tpath("bad.zst"), *b;
	struct stat st;
	ssize_t n;
	int bad;

	/* A flipped byte inside frame 3: reads there fail, others work. */
	sh("cp %s %s", seekable, p);
	z = zopen(p, NULL);
	ok(z != NULL, "corrupt: opens (the seek table is intact)");
	if (z == NULL)
		return;
	zsrc_close(z);
	{
		int fd = open(p, O_RDONLY);
		struct zindex ix;
		stat(p, &st);
		zseek_read(fd, st.st_size, p, &ix);
		close(fd);
		corrupt_at(p, ix.f[3].coff + ix.f[3].csize / 2);
		z = zopen(p, NULL);
		b = malloc(4096);
		errno = 0;
		n = zsrc_pread(z, b, 4096, ix.f[3].doff + 100);
		ok(n == -1 && errno == EIO, "corrupt frame: EIO (%s)",
		    error_msg());
		n = zsrc_pread(z, b, 4096, ix.f[3].doff + 100);
		ok(n == -1 && errno == EIO, "corrupt frame: EIO again");
		n = zsrc_pread(z, b, 4096, ix.f[1].doff);
		ok(n == 4096 && memcmp(b, orig + ix.f[1].doff, 4096) == 0,
		    "other frames still read");
		free(b);
		zsrc_close(z);
		zindex_free(&ix);
	}

	/* Seek table entries that point beyond the file. */
	sh("cp %s %s", seekable, p);
	stat(p, &st);
	corrupt_at(p, st.st_size - 9 - 12 * 2 + 2);	/* a csize byte */
	z = zopen(p, NULL);
	ok(z == NULL, "bad seek table refused: %s", error_msg());
	zsrc_close(z);

	/* Truncated: the table is gone, the walk finds a cut frame. */
	sh("head -c %lld %s > %s", (long long)st.st_size / 2, seekable, p);
	z = zopen(p, NULL);
	ok(z == NULL && strstr(error_msg(), "truncated") != NULL,
	    "truncated file refused: %s", error_msg());
	zsrc_close(z);

	/* Garbage after the frames. */
	sh("cp %s/single.zst %s && echo garbage-garbage >> %s", dir, p, p);
	z = zopen(p, NULL);
	ok(z == NULL && strstr(error_msg(), "offset") != NULL,
	    "trailing garbage refused: %s", error_msg());
	zsrc_close(z);

	/* A single frame corrupted late: EIO there, not a crash. */
	sh("zstd -q -c %s/orig > %s", dir, p);
	stat(p, &st);
	corrupt_at(p, st.st_size - 100);
	z = zopen(p, NULL);
	ok(z != NULL, "late corruption in a single frame: opens");
	if (z != NULL) {
		b = malloc(olen);
		error_clear();
		n = zsrc_pread(z, b, olen, 0);
		bad = n == -1 && errno == EIO;
		ok(bad, "late corruption in a single frame: EIO (%s)",
		    error_msg());
		n = zsrc_pread(z, b, 4096, 4096);
		ok(n == 4096 && memcmp(b, orig + 4096, 4096) == 0,
		    "the start still reads");
		free(b);
		zsrc_close(z);
	}

	/* An index file is checked: one flipped bit, refused. */
	{
		struct zkey k;
		struct buf bb = BUF_INIT;
		int fd = open(seekable, O_RDONLY);

		zkey_of(fd, &k);
		zseek_read(fd, k.size, seekable, &idx);
		close(fd);
		zidx_encode(&idx, &k, &bb);
		zindex_free(&idx);
		ok(zidx_decode(bb.data, bb.len, &k, &idx) == 0 &&
		    idx.dsize == olen, "index decodes");
		zindex_free(&idx);
		bb.data[80] ^= 1;
		ok(zidx_decode(bb.data, bb.len, &k, &idx) == -1,
		    "flipped index refused: %s", error_msg());
		bb.data[80] ^= 1;
		k.mtime_nsec++;
		ok(zidx_decode(bb.data, bb.len, &k, &idx) == -1 &&
		    strstr(error_msg(), "stale") != NULL,
		    "stale index refused: %s", error_msg());
		ok(zidx_decode(bb.data, bb.len - 1, NULL, &idx) == -1,
		    "short index refused");
		buf_free(&bb);
	}
}

static void
test_index(void)
{
	struct zsrc_stats st;
	struct zsrc *z;
	char *a = tpath("stream.zst"), *ix, *ix2 = tpath("custom.zidx");
	char *b = tpath("ro/stream.zst");
	struct timeval tv[2];

	/* zstd reading a pipe writes no content size: decompressed once */
	sh("zstd -q -c < %s/orig > %s", dir, a);
	z = zopen(a, NULL);
	ok(z != NULL, "pipe-made single frame opens");
	if (z == NULL)
		return;
	zsrc_stats(z, &st);
	is_str(st.index_from, "decompression", "indexed by decompressing");
	is_int(st.index_decompressed, olen, "decompressed once, all of it");
	zsrc_close(z);

	ok(zstd_write_index(a, NULL, NULL, 1) == 0, "--index writes beside");
	ix = zidx_beside_path(a);
	ok(access(ix, F_OK) == 0, "%s exists", ix);
	test_file("single frame, saved index", a, ix);
	z = zopen(a, NULL);
	zsrc_stats(z, &st);
	is_int(st.index_decompressed, 0, "saved index: nothing decompressed "
	    "to index");
	zsrc_close(z);
	ok(zstd_write_index(a, NULL, NULL, 1) == 0, "--index again: up to date");

	ok(zstd_write_index(a, ix2, NULL, 1) == 0, "--index to a chosen path");
	z = zopen(a, ix2);
	is_str(z ? zsrc_index_from(z) : "", ix2, "chosen index used");
	zsrc_close(z);

	/* A changed archive: the index is stale, ignored, rebuilt. */
	gettimeofday(&tv[0], NULL);
	tv[1] = tv[0];
	tv[1].tv_sec -= 100;
	utimes(a, tv);
	z = zopen(a, NULL);
	is_str(z ? zsrc_index_from(z) : "", "decompression",
	    "stale index ignored");
	zsrc_close(z);

	/* No write access beside the archive: the cache dir. */
	sh("mkdir %s/ro && cp %s %s && chmod 555 %s/ro", dir, a, b, dir);
	if (geteuid() == 0) {
		ok(1, "# skip read-only dir as root");
	} else {
		ok(zstd_write_index(b, NULL, NULL, 1) == 0, "--index in the cache dir");
		z = zopen(b, NULL);
		ok(z != NULL && strstr(zsrc_index_from(z), "/stasis/tarfs/") !=
		    NULL, "cache dir index used");
		zsrc_close(z);
	}
	sh("chmod 755 %s/ro", dir);

	/* A seekable file needs no index. */
	ok(zstd_write_index(tpath("seek.zst"), NULL, NULL, 1) == 0 &&
	    access(tpath("seek.zst.zidx"), F_OK) == -1,
	    "--index on a seekable file writes nothing");
	free(ix);
}

/* A one-frame file of RLE blocks of zeros: gib GiB from 4 bytes each. */
static void
write_rle_bomb(const char *path, uint64_t bytes, int with_size)
{
	uint8_t h[14] = { 0x28, 0xb5, 0x2f, 0xfd }, b[4] = { 0 };
	uint64_t n = bytes >> 17, i;
	uint32_t bh = (128U << 10) << 3 | 2;
	size_t hl;
	FILE *f = fopen(path, "w");

	h[5] = (17 - 10) << 3;		/* window 128 KiB */
	if (with_size) {
		h[4] = 0xc0;		/* 8-byte content size */
		zput64(h + 6, bytes);
		hl = 14;
	} else {
		h[4] = 0;
		hl = 6;
	}
	fwrite(h, 1, hl, f);
	for (i = 0; i < n; i++) {
		uint32_t x = bh | (i == n - 1);

		b[0] = x;
		b[1] = x >> 8;
		b[2] = x >> 16;
		fwrite(b, 1, 4, f);
	}
	fclose(f);
}

static struct zsrc *
zopen_lim(const char *path, uint64_t ratio, uint64_t size)
{
	struct zsrc_limits lim = { ratio, size };
	struct zsrc *z;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return (NULL);
	z = zsrc_open_limits(fd, path, "/nonexistent/x.zidx", &lim);
	close(fd);
	return (z);
}

/* Decompression bombs are refused at open, naming the frame. */
static void
test_bombs(void)
{
	struct zindex idx;
	struct zsrc *z;
	char *p = tpath("bomb.zst"), *q, buf[4096], zero[4096];
	uint8_t h[32];
	ssize_t n;
	int fd, i;

	/* 64 GiB claimed in 2 MiB: refused before its blocks are walked. */
	write_rle_bomb(p, UINT64_C(64) << 30, 1);
	z = zopen(p, NULL);
	ok(z == NULL && strstr(error_msg(), "decompression bomb") &&
	    strstr(error_msg(), "frame at offset 0"),
	    "RLE bomb with a size: refused (%s)", error_msg());
	zsrc_close(z);
	/* The same without a size: the block walk stops at the limit. */
	write_rle_bomb(p, UINT64_C(64) << 30, 0);
	z = zopen(p, NULL);
	ok(z == NULL && strstr(error_msg(), "decompression bomb"),
	    "RLE bomb without a size: refused (%s)", error_msg());
	zsrc_close(z);

	/* 2 GiB in 64 KiB: over the default, fine with the limit lifted. */
	write_rle_bomb(p, UINT64_C(2) << 30, 1);
	z = zopen(p, NULL);
	ok(z == NULL, "2 GiB of RLE in 64 KiB: refused by default");
	zsrc_close(z);
	z = zopen_lim(p, 0, 0);
	memset(zero, 0, sizeof(zero));
	n = z ? zsrc_pread(z, buf, sizeof(buf), (UINT64_C(2) << 30) - 4096) :
	    -1;
	ok(z != NULL && n == 4096 && memcmp(buf, zero, 4096) == 0,
	    "max_ratio=0: opens, reads its end");
	zsrc_close(z);
	z = zopen_lim(p, 40000, 0);
	ok(z != NULL, "max_ratio=40000 (above RLE's 32768): opens");
	zsrc_close(z);
	z = zopen_lim(p, 0, UINT64_C(1) << 30);
	ok(z == NULL && strstr(error_msg(), "max_size=1.00G"),
	    "max_size=1G: refused (%s)", error_msg());
	zsrc_close(z);

	/* Frames without sizes are counted: stopped at max_size. */
	q = tpath("multipipe.zst");
	z = zopen_lim(q, 0, 1 << 20);
	ok(z == NULL && strstr(error_msg(), "max_size=1.00M") &&
	    strstr(error_msg(), "frame at offset 0"),
	    "counting a frame without a size stops at max_size (%s)",
	    error_msg());
	zsrc_close(z);
	z = zopen_lim(q, 0, 5 << 20);
	ok(z == NULL && strstr(error_msg(), "max_size=5.00M") &&
	    !strstr(error_msg(), "frame at offset 0:"),
	    "... naming the second frame (%s)", error_msg());
	zsrc_close(z);

	/* A content size its compressed blocks cannot hold. */
	sh("zstd -q -c %s/orig > %s", dir, p);
	fd = open(p, O_RDWR);
	pread(fd, h, sizeof(h), 0);
	{
		int fcs = h[4] >> 6, single = (h[4] >> 5) & 1;
		int did[] = { 0, 1, 2, 4 };
		int at = 5 + !single + did[h[4] & 3];

		ok(fcs == 2, "zstd wrote a 4-byte content size");
		for (i = 0; i < 4; i++)
			h[at + i] = 0xff;
		pwrite(fd, h, sizeof(h), 0);
	}
	close(fd);
	z = zopen_lim(p, 0, 0);
	ok(z == NULL && strstr(error_msg(), "more than its"),
	    "content size past what the blocks hold: refused (%s)",
	    error_msg());
	zsrc_close(z);

	/* A seek table's claims: the first frame past the limit named. */
	memset(&idx, 0, sizeof(idx));
	for (i = 0; i < 8; i++)
		zindex_add(&idx, (uint64_t)i * 1000, 1000, 1U << 30);
	ok(zindex_check(&idx, NULL, 8000) == -1 &&
	    strstr(error_msg(), "frame at offset 1000:"),
	    "seek table claiming 8 GiB in 8 KB: frame 1 named (%s)",
	    error_msg());
	{
		struct zsrc_limits l = { 2U << 20, 0 };

		ok(zindex_check(&idx, &l, 8000) == 0, "... max_ratio=2M: ok");
		l.max_size = UINT64_C(5) << 30;
		ok(zindex_check(&idx, &l, 8000) == -1 &&
		    strstr(error_msg(), "frame at offset 5000:"),
		    "... max_size=5G: frame 5 named (%s)", error_msg());
	}
	zindex_free(&idx);
	ok(zlimit_bytes(NULL, 1000) == ZSRC_RATIO_FLOOR &&
	    zlimit_bytes(NULL, UINT64_C(1) << 40) == UINT64_C(100) << 40,
	    "default limit: 100x, at least 1 GiB");
	{
		struct zsrc_limits l = { UINT64_MAX, 0 };

		ok(zlimit_bytes(&l, 1U << 20) == UINT64_MAX,
		    "ratio times size overflows to no limit");
	}
}

/*
 * The extra frame before the seek table: the table still describes the
 * data frames, zstd -d skips it, zstd_set_extra replaces or removes it
 * in place, and a gap that is not one skippable frame breaks the table.
 */
static void
test_extra(const char *orig)
{
	static const char data[] = "extra frame payload";
	struct zextra x = { data, sizeof(data), olen };
	struct zindex idx;
	struct zsrc *z;
	struct stat st;
	uint64_t off = 0, len = 0;
	char *q = tpath("extra.zst"), *q2 = tpath("extra2.zst");
	int fd;

	ok(zstd_compress_seekable_x(orig, q, 64 << 10, 1, 1, &x) == 0,
	    "compress with an extra frame");
	test_file("seekable with an extra frame", q, "seek table");
	ok(sh("zstd -q -d -c %s | cmp -s - %s", q, orig) == 0,
	    "zstd -d skips the extra frame");
	z = zopen(q, NULL);
	ok(z != NULL && zsrc_extra(z, &off, &len) == 1 &&
	    len == sizeof(data), "zsrc_extra finds it (%llu bytes)",
	    (unsigned long long)len);
	zsrc_close(z);
	ok(zstd_compress_seekable(orig, q2, 64 << 10, 1, 1) == 0 &&
	    zstd_set_extra(q2, data, sizeof(data)) == 0 &&
	    sh("cmp -s %s %s", q, q2) == 0,
	    "zstd_set_extra writes the same bytes");
	ok(zstd_set_extra(q2, NULL, 0) == 0 && (z = zopen(q2, NULL)) != NULL &&
	    zsrc_extra(z, &off, &len) == 0, "and takes it out again");
	zsrc_close(z);
	x.insize = olen + 1;
	ok(zstd_compress_seekable_x(orig, q2, 64 << 10, 1, 1, &x) == 0 &&
	    (z = zopen(q2, NULL)) != NULL && zsrc_extra(z, &off, &len) == 0,
	    "an input of another size: no extra frame");
	zsrc_close(z);
	/* The frame's magic made a data frame's: no longer a valid gap. */
	fd = open(q, O_RDWR);
	fstat(fd, &st);
	ok(pwrite(fd, "\x28\xb5\x2f\xfd", 4, (off_t)off - 8) == 4,
	    "gap magic changed");
	ok(zseek_read(fd, st.st_size, q, &idx) == -1, "the table is "
	    "refused: %s", error_msg());
	close(fd);
	ok(zstd_set_extra(q, data, 1) == -1, "and not rewritten");
}

int
main(void)
{
	char *p, *q;
	struct zsrc *z;

	dir = path_mkdtemp("/tmp/stasis-zstd-test.XXXXXX");
	if (dir == NULL)
		return (1);
	setenv("XDG_CACHE_HOME", dir, 1);
	log_set_level(LOG_LVL_ERR);
	make_data(12 << 20 | 12345);
	p = tpath("orig");
	file_write_atomic(p, orig, olen, 0644);

	/* Seekable, small frames and the default. */
	q = tpath("seek.zst");
	ok(zstd_compress_seekable(p, q, 64 << 10, 3, 1) == 0, "compress");
	test_file("seekable 64K", q, "seek table");
	ok(sh("zstd -q -d -c %s | cmp -s - %s", q, p) == 0,
	    "zstd -d reads the seekable file");
	q = tpath("seekdef.zst");
	ok(zstd_compress_seekable(p, q, 0, 1, 1) == 0, "compress, defaults");
	test_file("seekable default", q, "seek table");
	ok(zstd_compress_seekable(p, q, 100, 3, 1) == -1, "frame size 100 "
	    "refused: %s", error_msg());
	ok(zstd_compress_seekable(p, q, 0, 99, 1) == -1, "level 99 refused");
	ok(zstd_compress_seekable(tpath("nope"), q, 0, 3, 1) == -1,
	    "missing input: %s", error_msg());

	/* One frame, content size in the header (zstd FILE). */
	q = tpath("single.zst");
	sh("zstd -q -c %s > %s", p, q);
	test_file("single frame", q, "frame headers");
	z = zopen(q, NULL);
	if (z != NULL)
		zsrc_set_cache(z, 1);
	ok(z != NULL && check_reads(z, 7, 60, 5000) == 0 &&
	    check_threads(z) == 0, "single frame, 1 MiB cache: cursors");
	zsrc_close(z);

	/* Several frames, some without sizes, a skippable one between. */
	q = tpath("multi.zst");
	sh("cd %s && split -b 3000000 orig part. && for f in part.*; do "
	    "zstd -q -c $f; "
	    "printf '\\120\\052\\115\\030\\003\\000\\000\\000abc'; "
	    "done > multi.zst && zstd -q -c < part.aa >> /dev/null", dir);
	test_file("multi frame", q, "frame headers");
	q = tpath("multipipe.zst");
	sh("cd %s && for f in part.*; do zstd -q -c < $f; done > %s", dir, q);
	test_file("multi frame, no sizes", q, "decompression");

	test_entries(p);
	test_extra(p);
	test_corrupt(tpath("seek.zst"));
	test_index();
	test_bombs();

	/* The mount opens and scans the archive, then daemonizes. */
	z = zopen(tpath("seek.zst"), NULL);
	if (z != NULL) {
		char *b = malloc(olen);
		pid_t pid;
		int status = -1;

		zsrc_pread(z, b, olen / 2, 0);
		if ((pid = fork()) == 0) {
			zsrc_set_cache(z, 1);
			_exit(!(whole_equal(z) && check_reads(z, 9, 200,
			    70000) == 0));
		}
		waitpid(pid, &status, 0);
		ok(status == 0, "after fork: the child reads it all");
		ok(whole_equal(z), "after fork: the parent too");
		free(b);
		zsrc_close(z);
	}

	ok(zstd_magic("\x28\xb5\x2f\xfd", 4) && zstd_magic("\x5e\x2a\x4d\x18",
	    4) && !zstd_magic("ustar", 5) && !zstd_magic("\x28\xb5", 2),
	    "zstd_magic");
	sh("rm -rf %s", dir);
	return (done_testing());
}
