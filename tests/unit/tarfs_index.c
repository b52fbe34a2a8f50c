/*
 * tarfs: header fields, and the index built from archives assembled
 * here block by block (ustar, pax, GNU long names, both sparse kinds,
 * hardlinks, duplicates, implied parents, hostile names, truncation).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/err.h"
#include "tarfs/tar_parse.h"
#include "tarfs/tarfs.h"
#include "tarfs/tarfs_int.h"
#include "tap.h"

static unsigned char ar[1 << 20];

static const char *
buf_len(size_t n)
{
	static char b[32];

	snprintf(b, sizeof(b), "%zu", n);
	return (b);
}
static size_t arlen;

static void
cksum(unsigned char *h)
{
	unsigned sum = 0;
	int i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Append a ustar header and its data (padded). */
static unsigned char *
hdr(const char *name, char type, const char *link, const void *data,
    size_t size, unsigned mode, long mtime)
{
	unsigned char *h = ar + arlen;

	memset(h, 0, 512);
	strncpy((char *)h, name, 100);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)size);
	snprintf((char *)h + 136, 12, "%011lo", mtime);
	h[156] = (unsigned char)type;
	if (link != NULL)
		strncpy((char *)h + 157, link, 100);
	memcpy(h + 257, "ustar\0" "00", 8);
	cksum(h);
	arlen += 512;
	if (size > 0 && data != NULL) {
		memcpy(ar + arlen, data, size);
		arlen += (size + 511) & ~(size_t)511;
	}
	return (h);
}

static void
pax(char type, const char *records)
{
	hdr("PaxHeader", type, NULL, records, strlen(records), 0644, 0);
}

/* Append "LEN key=value\n" to out, LEN counting its own digits. */
static void
rec(char *out, const char *kv)
{
	size_t n = strlen(kv) + 2, len = n + 1;

	while (len != n + strlen(buf_len(len)))
		len = n + strlen(buf_len(len));
	sprintf(out + strlen(out), "%zu %s\n", len, kv);
}

static void
end(void)
{
	memset(ar + arlen, 0, 1024);
	arlen += 1024;
}

static struct tarfs *
open_ar(void)
{
	return (tarfs_open_mem(ar, arlen));
}

static char *
rd(struct tarfs *t, const char *path)
{
	static char buf[4096];
	uint64_t ino = tarfs_resolve(t, path);
	ssize_t n;

	if (ino == 0)
		return ("(missing)");
	n = tarfs_read(t, ino, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return ("(error)");
	buf[n] = '\0';
	return (buf);
}

static void
test_fields(void)
{
	unsigned char f[12];
	int64_t v;

	memcpy(f, "0000644\0", 8);
	ok(tar_num(f, 8, &v) == 0 && v == 0644, "octal");
	memcpy(f, "  755 \0\0", 8);
	ok(tar_num(f, 8, &v) == 0 && v == 0755, "octal with spaces");
	memset(f, 0, 12);
	f[0] = 0x80;
	f[11] = 0x02;
	f[10] = 0x01;
	ok(tar_num(f, 12, &v) == 0 && v == 0x102, "base-256");
	memset(f, 0xff, 12);
	ok(tar_num(f, 12, &v) == 0 && v == -1, "base-256 negative");
	memcpy(f, "12x4567\0", 8);
	ok(tar_num(f, 8, &v) == -1, "bad digit refused");
	memset(f, 0, 12);
	f[0] = 0x80;
	f[1] = 0x01;
	ok(tar_num(f, 12, &v) == -1, "base-256 past 63 bits refused");
}

/* The word-at-a-time sum against a byte loop, both signednesses. */
/* What tar_num must make of an octal field: the plain definition. */
static int
ref_num(const unsigned char *p, size_t n, int64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\0'))
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(p[i] - '0');
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return (-1);
	*out = (int64_t)v;
	return (0);
}

/* Random octal fields (eight digits are read at once) against it. */
static void
test_num_fields(void)
{
	static const char alpha[] = "01234567 \0" "89/:";
	unsigned char f[12];
	unsigned r = 99;
	size_t k, i, n, lead, digits, differ = 0, tried = 0;
	int64_t a, b;
	int ra, rb;

	for (k = 0; k < 200000; k++) {
		n = k % 2 ? 12 : 8;
		r = r * 1103515245 + 12345;
		lead = (r >> 16) % 4;
		r = r * 1103515245 + 12345;
		digits = (r >> 16) % (n + 1);
		memset(f, 0, sizeof(f));
		for (i = 0; i < n; i++) {
			r = r * 1103515245 + 12345;
			if (i < lead)
				f[i] = ' ';
			else if (i < lead + digits)
				f[i] = (unsigned char)('0' + (r >> 16) % 8);
			else
				f[i] = (r >> 16) % 2 ? ' ' : '\0';
			/* now and then anything */
			if ((r >> 20) % 97 == 0)
				f[i] = (unsigned char)alpha[(r >> 8) % 14];
		}
		a = b = 0x55;
		ra = tar_num(f, n, &a);
		rb = ref_num(f, n, &b);
		tried++;
		if (ra != rb || (ra == 0 && a != b))
			differ++;
	}
	is_int(differ, 0, "octal fields: as a digit at a time reads them");
	ok(tried == 200000, "200000 fields");
	memcpy(f, "77777777777", 12);
	ok(tar_num(f, 12, &a) == 0 && a == 077777777777, "eleven sevens");
	memcpy(f, "00000008123", 12);
	ok(tar_num(f, 12, &a) == -1, "an 8 among the first eight refused");
	memcpy(f, "00000000128", 12);
	ok(tar_num(f, 12, &a) == -1, "an 8 after eight good digits refused");
}

static void
test_checksum(void)
{
	unsigned char h[512];
	long u, sg;
	int i, k, good = 0, tried = 0;

	srand(7);
	for (k = 0; k < 200; k++) {
		for (i = 0; i < 512; i++)
			h[i] = k == 0 ? 0xff : (unsigned char)rand();
		u = sg = 0;
		for (i = 0; i < 512; i++) {
			int c = i >= 148 && i < 156 ? ' ' : h[i];

			u += (unsigned char)c;
			sg += (signed char)c;
		}
		if (k % 2 == 0 && sg < 0)
			continue;	/* a negative sum has no octal form */
		snprintf((char *)h + 148, 8, "%06lo",
		    (unsigned long)(k % 2 ? u : sg) & 0777777);
		h[155] = ' ';
		tried++;
		good += tar_checksum_ok(h);
		h[300] ^= 1;
		good -= tar_checksum_ok(h);
	}
	ok(good == tried && tried > 100, "checksums: %d of %d accepted "
	    "(signed and unsigned), then refused once a bit flips", good,
	    tried);
}

static void
test_basic(void)
{
	struct tarfs *t;
	struct stat st;
	const char *name;
	uint64_t child, ino;

	arlen = 0;
	hdr("./", '5', NULL, NULL, 0, 0750, 100);
	hdr("./etc/", '5', NULL, NULL, 0, 0755, 200);
	hdr("./etc/passwd", '0', NULL, "root:x:0:0\n", 11, 0644, 300);
	hdr("./etc/link", '2', NULL, NULL, 0, 0777, 301);
	strcpy((char *)ar + arlen - 512 + 157, "passwd");
	cksum(ar + arlen - 512);
	hdr("./etc/hard", '1', "./etc/passwd", NULL, 0, 0644, 302);
	hdr("usr/lib/x", '0', NULL, "x", 1, 0600, 400);
	hdr("dev/null", '3', NULL, NULL, 0, 0666, 0);
	snprintf((char *)ar + arlen - 512 + 329, 8, "%07o", 1);
	snprintf((char *)ar + arlen - 512 + 337, 8, "%07o", 3);
	cksum(ar + arlen - 512);
	hdr("etc/passwd", '0', NULL, "second\n", 7, 0640, 500);
	end();
	t = open_ar();
	ok(t != NULL, "a ustar archive indexes (%s)", error_msg());
	if (t == NULL)
		return;
	tarfs_stat(t, TARFS_ROOT_INO, &st);
	is_int(st.st_mode, S_IFDIR | 0750, "./ sets the root's mode");
	is_str(rd(t, "etc/passwd"), "second\n", "the later duplicate wins");
	is_str(rd(t, "etc/hard"), "root:x:0:0\n",
	    "a hardlink keeps the inode it was made to");
	ino = tarfs_resolve(t, "etc/hard");
	tarfs_stat(t, ino, &st);
	is_int(st.st_nlink, 1, "the replaced name no longer counts");
	is_str(tarfs_readlink(t, tarfs_resolve(t, "etc/link")), "passwd",
	    "symlink target");
	tarfs_stat(t, tarfs_resolve(t, "usr/lib"), &st);
	ok(S_ISDIR(st.st_mode), "implied parent is a directory");
	tarfs_stat(t, tarfs_resolve(t, "dev/null"), &st);
	ok(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
	    "character device numbers");
	tarfs_stat(t, tarfs_resolve(t, "etc"), &st);
	is_int(st.st_mtime, 200, "directory mtime");
	tarfs_stat(t, TARFS_ROOT_INO, &st);
	is_int(st.st_nlink, 5, "root links: 2 + etc, usr, dev");
	ok(tarfs_readdir(t, tarfs_resolve(t, "etc"), 2, &name, &child) == 1 &&
	    strcmp(name, "passwd") == 0, "readdir in archive order");
	ok(tarfs_readdir(t, tarfs_resolve(t, "etc"), 5, &name, &child) == 0,
	    "readdir ends");
	ok(tarfs_lookup(t, TARFS_ROOT_INO, "nope") == 0 && errno == ENOENT,
	    "a missing name is ENOENT");
	tarfs_close(t);
}

static void
test_pax_gnu(void)
{
	struct tarfs *t;
	struct stat st;
	char longname[300], kv[400], recs[1024];

	arlen = 0;
	memset(longname, 'n', 250);
	longname[250] = '\0';
	snprintf(kv, sizeof(kv), "path=a/%s", longname);
	recs[0] = '\0';
	rec(recs, kv);
	rec(recs, "mtime=1700000000.123456789");
	pax('x', recs);
	hdr("ignored", '0', NULL, "p", 1, 0644, 1);
	recs[0] = '\0';
	rec(recs, "mtime=-1.5");
	rec(recs, "uid=4000000000");
	pax('x', recs);
	hdr("neg", '0', NULL, "q", 1, 0644, 1);
	recs[0] = '\0';
	rec(recs, "gid=4242");
	pax('g', recs);
	hdr("g", '0', NULL, "r", 1, 0644, 1);
	hdr("././@LongLink", 'L', NULL, "gnu/long/name\0", 14, 0644, 0);
	hdr("short", '0', NULL, "s", 1, 0644, 1);
	end();
	t = open_ar();
	ok(t != NULL, "pax and GNU headers index (%s)", error_msg());
	if (t == NULL)
		return;
	snprintf(kv, sizeof(kv), "a/%s", longname);
	is_str(rd(t, kv), "p", "pax path");
	tarfs_stat(t, tarfs_resolve(t, "neg"), &st);
	ok(st.st_mtim.tv_sec == -2 && st.st_mtim.tv_nsec == 500000000,
	    "negative fractional mtime");
	ok(st.st_uid == 4000000000u, "big uid from pax");
	tarfs_stat(t, tarfs_resolve(t, "g"), &st);
	is_int(st.st_gid, 4242, "a global header applies to what follows");
	is_str(rd(t, "gnu/long/name"), "s", "GNU long name");
	tarfs_close(t);
}

static void
test_sparse(void)
{
	struct tarfs *t;
	unsigned char *h;
	char buf[64], recs[512];
	uint64_t ino;

	arlen = 0;
	/* pax 0.1: two chunks of a 40-byte file. */
	recs[0] = '\0';
	rec(recs, "GNU.sparse.major=0");
	rec(recs, "GNU.sparse.minor=1");
	rec(recs, "GNU.sparse.name=sp");
	rec(recs, "GNU.sparse.size=40");
	rec(recs, "GNU.sparse.map=2,3,30,4");
	pax('x', recs);
	hdr("GNUSparseFile.0/sp", '0', NULL, "abcwxyz", 7, 0644, 1);
	/* old GNU 'S': one chunk. */
	h = hdr("old", 'S', NULL, NULL, 0, 0644, 1);
	snprintf((char *)h + 124, 12, "%011o", 2);
	snprintf((char *)h + 386, 12, "%011o", 10);
	snprintf((char *)h + 398, 12, "%011o", 2);
	snprintf((char *)h + 483, 12, "%011o", 16);
	memcpy(h + 257, "ustar  \0", 8);
	cksum(h);
	memcpy(ar + arlen, "OK", 2);
	arlen += 512;
	end();
	t = open_ar();
	ok(t != NULL, "sparse archives index (%s)", error_msg());
	if (t == NULL)
		return;
	ino = tarfs_resolve(t, "sp");
	ok(tarfs_read(t, ino, buf, sizeof(buf), 0) == 40 &&
	    memcmp(buf, "\0\0abc", 5) == 0 && buf[5] == 0 &&
	    memcmp(buf + 30, "wxyz", 4) == 0 && buf[39] == 0,
	    "pax 0.1 sparse reads holes and chunks");
	ok(tarfs_read(t, ino, buf, 3, 31) == 3 && memcmp(buf, "xyz", 3) == 0,
	    "a read inside a chunk");
	ino = tarfs_resolve(t, "old");
	ok(tarfs_read(t, ino, buf, sizeof(buf), 0) == 16 &&
	    memcmp(buf + 10, "OK", 2) == 0 && buf[9] == 0 && buf[12] == 0,
	    "old GNU sparse");
	tarfs_close(t);
}

static void
test_hostile(void)
{
	struct tarfs *t;

	arlen = 0;
	hdr("../../../etc/shadow", '0', NULL, "x", 1, 0644, 1);
	hdr("/abs", '0', NULL, "y", 1, 0644, 1);
	hdr("a/../../b", '1', "/etc/shadow", NULL, 0, 0644, 1);
	hdr("c", '1', "missing", NULL, 0, 0644, 1);
	end();
	t = open_ar();
	ok(t != NULL, "hostile names index");
	if (t == NULL)
		return;
	is_str(rd(t, "etc/shadow"), "x", "../ kept inside");
	is_str(rd(t, "abs"), "y", "absolute kept inside");
	is_str(rd(t, "b"), "x", "hardlink through ../ and / inside");
	ok(tarfs_resolve(t, "c") == 0, "hardlink to nothing skipped");
	tarfs_close(t);

	arlen = 0;
	hdr("f", '0', NULL, "0123456789", 10, 0644, 1);
	arlen = 512 + 5;
	t = open_ar();
	ok(t == NULL && strstr(error_msg(), "offset 0") != NULL,
	    "truncated data refused: %s", error_msg());
	arlen = 0;
	hdr("f", '0', NULL, "x", 1, 0644, 1);
	ar[arlen - 512 - 10] ^= 1;
	t = open_ar();
	ok(t == NULL && strstr(error_msg(), "checksum") != NULL,
	    "bad checksum refused: %s", error_msg());
	arlen = 0;
	t = open_ar();
	ok(t != NULL && tarfs_count(t) == 1, "an empty archive is an empty root");
	tarfs_close(t);
}

/* A saved index loads back to the same tree; damage is refused. */
/* A directory, a file, a symlink and a hardlink to it, another file. */
static void
small_tree(void)
{
	arlen = 0;
	hdr("d/", '5', NULL, NULL, 0, 0755, 1);
	hdr("d/f", '0', NULL, "hello", 5, 0644, 2);
	hdr("d/l", '2', "f", NULL, 0, 0777, 3);
	hdr("d/h", '1', "d/f", NULL, 0, 0644, 4);
	hdr("e/g", '0', NULL, "x", 1, 0600, 5);
}

static void
test_saved(void)
{
	char path[] = "/tmp/tarfs_index.XXXXXX";
	static char idx[1 << 20];
	struct tarfs *t, *u;
	struct stat st;
	FILE *f;
	size_t n, i, refused = 0, loaded = 0;
	int fd;

	small_tree();
	end();
	t = open_ar();
	fd = mkstemp(path);
	close(fd);
	ok(t != NULL && tarfs_save_index(t, path, NULL) == 0, "index saved");
	f = fopen(path, "rb");
	n = fread(idx, 1, sizeof(idx), f);
	fclose(f);
	unlink(path);
	u = tarfs_open_index_mem(idx, n, ar, arlen);
	ok(u != NULL, "index loads (%s)", error_msg());
	if (u == NULL || t == NULL)
		return;
	ok(tarfs_from_index(u), "from the index");
	is_str(rd(u, "d/h"), "hello", "a hardlink reads through the index");
	is_str(tarfs_readlink(u, tarfs_resolve(u, "d/l")), "f", "symlink");
	tarfs_stat(u, tarfs_resolve(u, "d/f"), &st);
	is_int(st.st_nlink, 2, "link count");
	tarfs_stat(u, TARFS_ROOT_INO, &st);
	is_int(st.st_nlink, 4, "root link count rebuilt");
	is_int(tarfs_count(u), tarfs_count(t), "same inode count");
	tarfs_close(u);
	ok(tarfs_open_index_mem(idx, n, ar, arlen - 512) == NULL,
	    "an index of another archive size is refused");
	ok(tarfs_open_index_mem(idx, n - 1, ar, arlen) == NULL,
	    "a cut index is refused");
	/* Every single-byte change either is refused or still loads. */
	for (i = 0; i < n; i++) {
		idx[i] ^= 0x41;
		u = tarfs_open_index_mem(idx, n, ar, arlen);
		if (u == NULL)
			refused++;
		else {
			loaded++;
			(void)tarfs_resolve(u, "d/f");
			tarfs_close(u);
		}
		idx[i] ^= 0x41;
	}
	ok(refused > 0, "damaged indexes: %zu refused, %zu harmless",
	    refused, loaded);
	tarfs_close(t);
}

/* Walk a whole tree, as the fuzzer does; the number of entries seen. */
static size_t
walk(struct tarfs *t)
{
	const char *name;
	uint64_t ino, idx, child, n = tarfs_count(t);
	size_t seen = 0;
	char b[64];

	for (ino = 1; ino <= n; ino++)
		for (idx = 0; tarfs_readdir(t, ino, idx, &name, &child) == 1;
		    idx++) {
			seen++;
			(void)tarfs_read(t, child, b, sizeof(b), 0);
		}
	return (seen);
}

/*
 * The index embedded after the end-of-archive marker: found, the same
 * tree; any one byte changed, any cut, or an append as tar -r does it,
 * and it is ignored (the headers are read, or the archive refused as
 * corrupt), never used.
 */
static void
test_embedded(void)
{
	char path[] = "/tmp/tarfs_embed.XXXXXX";
	static unsigned char emb[1 << 20];
	struct tarfs *t, *u;
	uint64_t count = 0;
	size_t m, i, used = 0, scanned = 0, refused = 0, seen;
	FILE *f;
	int fd;

	small_tree();
	end();
	memset(ar + arlen, 0, 9 * 512);		/* record padding */
	arlen += 9 * 512;
	t = open_ar();
	fd = mkstemp(path);
	ok(fd != -1 && write(fd, ar, arlen) == (ssize_t)arlen, "tar written");
	close(fd);
	ok(tarfs_embed_index(path, NULL, &count) == 0, "embedded (%s)",
	    error_msg());
	is_int(count, tarfs_count(t), "inodes counted");
	f = fopen(path, "rb");
	m = fread(emb, 1, sizeof(emb), f);
	fclose(f);
	ok(m > arlen && memcmp(emb, ar, arlen) == 0,
	    "the tar's bytes untouched, %zu bytes follow", m - arlen);
	u = tarfs_open_mem(emb, m);
	ok(u != NULL && tarfs_from_index(u) &&
	    strcmp(tarfs_index_from(u), "embedded") == 0, "found and used");
	if (u == NULL || t == NULL)
		return;
	is_str(rd(u, "d/h"), "hello", "a hardlink reads through it");
	is_int(tarfs_count(u), tarfs_count(t), "same inode count");
	seen = walk(t);
	is_int(walk(u), seen, "same entries");
	tarfs_close(u);
	ok(tarfs_embed_index(path, NULL, NULL) == 0, "embedded again");
	f = fopen(path, "rb");
	ok(fread(ar + arlen, 1, m + 1, f) == m && memcmp(ar + arlen, emb,
	    m) == 0, "the same bytes: the old index replaced");
	fclose(f);
	unlink(path);

	/* Every single-byte change from the end marker on. */
	for (i = arlen - 11 * 512; i < m; i++) {
		emb[i] ^= 0x41;
		u = tarfs_open_mem(emb, m);
		if (u == NULL)
			refused++;
		else {
			if (tarfs_from_index(u))
				used++;
			else if (walk(u) == seen &&
			    strcmp(rd(u, "d/h"), "hello") == 0)
				scanned++;
			tarfs_close(u);
		}
		emb[i] ^= 0x41;
	}
	ok(used == 0, "one byte changed: never used (%zu read from the "
	    "headers, %zu refused as corrupt)", scanned, refused);
	ok(scanned + refused == m - (arlen - 11 * 512), "and every time "
	    "the tree is right or the archive refused");
	for (used = 0, i = arlen; i < m; i++) {
		u = tarfs_open_mem(emb, i);
		if (u != NULL && tarfs_from_index(u))
			used++;
		tarfs_close(u);
	}
	is_int(used, 0, "cut anywhere: never used");
	/* tar -r: a new entry and end marker from the old marker on. */
	memcpy(ar, emb, m);
	arlen -= 11 * 512;
	hdr("new", '0', NULL, "appended", 8, 0644, 6);
	end();
	u = tarfs_open_mem(ar, m);
	ok(u != NULL && !tarfs_from_index(u) &&
	    strcmp(rd(u, "new"), "appended") == 0,
	    "appended as tar -r does: the stale trailer ignored");
	tarfs_close(u);
	tarfs_close(t);
}

/*
 * The embedded index's checksums over pieces: version 1 is tf_sum64
 * whatever the split (archives embedded before version 2 still load),
 * version 2 the same whatever the split, and another sum.
 */
static void
test_sums(void)
{
	static uint8_t b[4096];
	struct tf_sum s;
	size_t len, i, at, n, v1bad = 0, v2bad = 0, same = 0;
	uint64_t whole2;
	unsigned r = 12345;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)((r = r * 1103515245 + 12345) >> 16);
	for (len = 0; len < 300; len += len < 80 ? 1 : 37) {
		tf_sum_init(&s, 2, len, 0);
		tf_sum_add(&s, b, len);
		whole2 = tf_sum_end(&s);
		if (len > 0 && whole2 == tf_sum64(b, len, 0))
			same++;
		for (i = 0; i < 8; i++) {
			int v;

			for (v = 1; v <= 2; v++) {
				tf_sum_init(&s, v, len, 0);
				for (at = 0; at < len; at += n) {
					n = (r = r * 1103515245 + 12345) >>
					    16 & (i < 4 ? 7 : 63);
					if (n > len - at)
						n = len - at;
					tf_sum_add(&s, b + at, n);
				}
				if (v == 1 && tf_sum_end(&s) !=
				    tf_sum64(b, len, 0))
					v1bad++;
				if (v == 2 && tf_sum_end(&s) != whole2)
					v2bad++;
			}
		}
	}
	is_int(v1bad, 0, "version 1 over pieces: tf_sum64 of the whole");
	is_int(v2bad, 0, "version 2: the same sum whatever the pieces");
	is_int(same, 0, "and another sum than version 1's");
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static void
put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/*
 * Make the trailer at the end of a[0..m) version v, its index summed
 * as version sv (the trailer's own checksum right).
 */
static void
retrailer(uint8_t *a, size_t m, int v, int sv)
{
	uint8_t *tr = a + m - 64;
	uint64_t len = le64(tr + 8);
	const uint8_t *idx = tr - len;
	struct tf_sum s;

	tf_sum_init(&s, sv, len, 0);
	tf_sum_add(&s, idx, len);
	put_le64(tr + 16, tf_sum_end(&s));
	put_le64(tr + 48, (uint64_t)64 << 32 | (unsigned)v);
	put_le64(tr + 56, tf_sum64(tr, 56, 0));
}

/*
 * Round trips: the index embedded now (version 2) and as before
 * (version 1) both load, the same tree as the headers give; a trailer
 * whose version does not match its index's checksum is not used.  A
 * saved index file loads the same tree, and one cut short is ignored.
 */
static void
test_roundtrip(void)
{
	char path[] = "/tmp/tarfs_rt.XXXXXX", ipath[64];
	static uint8_t emb[1 << 20];
	struct tarfs *t, *u;
	struct tarfs_open_opts o = { .quiet = 1 };
	size_t m, seen;
	FILE *f;
	int fd;

	small_tree();
	hdr("e/g", '0', NULL, "y", 1, 0600, 6);
	hdr("i/m/p/l/i/e/d", '0', NULL, "z", 1, 0600, 7);
	end();
	t = open_ar();
	seen = walk(t);
	fd = mkstemp(path);
	ok(fd != -1 && write(fd, ar, arlen) == (ssize_t)arlen, "tar written");
	close(fd);
	ok(tarfs_embed_index(path, NULL, NULL) == 0, "embedded");
	f = fopen(path, "rb");
	m = fread(emb, 1, sizeof(emb), f);
	fclose(f);
	is_int(le64(emb + m - 16) & 0xffffffff, 2, "as version 2");
	u = tarfs_open_mem(emb, m);
	ok(u != NULL && tarfs_from_index(u) && walk(u) == seen &&
	    strcmp(rd(u, "d/h"), "hello") == 0 && strcmp(rd(u, "e/g"),
	    "y") == 0 && strcmp(rd(u, "i/m/p/l/i/e/d"), "z") == 0,
	    "version 2: used, the same tree");
	tarfs_close(u);
	retrailer(emb, m, 1, 1);
	u = tarfs_open_mem(emb, m);
	ok(u != NULL && tarfs_from_index(u) && walk(u) == seen &&
	    strcmp(rd(u, "d/h"), "hello") == 0 && strcmp(rd(u, "e/g"),
	    "y") == 0, "version 1: used, the same tree");
	tarfs_close(u);
	retrailer(emb, m, 1, 2);
	u = tarfs_open_mem(emb, m);
	ok(u != NULL && !tarfs_from_index(u) && walk(u) == seen,
	    "version 1 trailer, version 2 sum: not used");
	tarfs_close(u);
	retrailer(emb, m, 2, 1);
	u = tarfs_open_mem(emb, m);
	ok(u != NULL && !tarfs_from_index(u) && walk(u) == seen,
	    "version 2 trailer, version 1 sum: not used");
	tarfs_close(u);
	retrailer(emb, m, 3, 2);
	u = tarfs_open_mem(emb, m);
	ok(u != NULL && !tarfs_from_index(u), "version 3: not used");
	tarfs_close(u);

	/* A saved index file, read into place. */
	fd = open(path, O_WRONLY | O_TRUNC);
	ok(fd != -1 && write(fd, ar, arlen) == (ssize_t)arlen,
	    "the plain tar again");
	close(fd);
	snprintf(ipath, sizeof(ipath), "%s.idx", path);
	o.tarindex = ipath;
	o.rebuild = 1;
	u = tarfs_open(path, &o);
	ok(u != NULL && tarfs_save_index(u, ipath, NULL) == 0, "saved");
	tarfs_close(u);
	o.rebuild = 0;
	u = tarfs_open(path, &o);
	ok(u != NULL && tarfs_from_index(u) && walk(u) == seen &&
	    strcmp(rd(u, "d/h"), "hello") == 0,
	    "the saved index loads the same tree");
	tarfs_close(u);
	ok(truncate(ipath, 200) == 0, "cut short");
	u = tarfs_open(path, &o);
	ok(u != NULL && !tarfs_from_index(u) && walk(u) == seen,
	    "ignored, the headers read");
	tarfs_close(u);
	unlink(ipath);
	unlink(path);
	tarfs_close(t);
}

/*
 * A plain tar is walked through a mapping (src_map): one that shrinks
 * under the walk fails with a message, where it would raise SIGBUS.
 */
static void
test_mapped(void)
{
	char path[] = "/tmp/tarfs_map.XXXXXX";
	struct tarfs *t;
	int fd;

	arlen = 0;
	hdr("a/", '5', NULL, NULL, 0, 0755, 1);
	hdr("a/f", '0', NULL, "hello", 5, 0644, 2);
	end();
	fd = mkstemp(path);
	ok(fd != -1 && write(fd, ar, arlen) == (ssize_t)arlen,
	    "archive written");
	close(fd);
	t = tarfs_open(path, &(struct tarfs_open_opts){ .quiet = 1,
	    .rebuild = 1 });
	ok(t != NULL && tarfs_resolve(t, "a/f") != 0,
	    "a mapped file walks like one read");
	if (t != NULL)
		tarfs_close(t);

	t = calloc(1, sizeof(*t));
	t->quiet = 1;
	ok(src_open(&t->src, path, NULL, 0, 0) == 0, "opened");
	ok(truncate(path, 0) == 0, "then truncated");
	ok(tf_index_build(t) == -1 &&
	    strstr(error_msg(), "changed while being read") != NULL,
	    "the walk fails with a message, not SIGBUS (%s)", error_msg());
	tf_index_free(t);
	src_close(&t->src);
	free(t);
	unlink(path);
}

int
main(void)
{
	test_fields();
	test_num_fields();
	test_checksum();
	test_basic();
	test_pax_gnu();
	test_sparse();
	test_hostile();
	test_saved();
	test_embedded();
	test_sums();
	test_roundtrip();
	test_mapped();
	return (done_testing());
}
