/*
 * The least any tool must read from disk to mount a plain tar it has no
 * index for, and the fastest this machine reads it: the floor under
 * "first mount of a foreign archive, cold".  Like bench/spawn_floor.c
 * for hooks, it tells a target that no program can meet here from one
 * that stasis misses.
 *
 * A mount must see every header (and the pax and GNU long-name records,
 * whose data are headers too); nothing else.  This program walks the
 * archive once, untimed, to learn where they lie, something no real
 * mount can know in advance: each header's size field is what says
 * where the next one is.  Then it reads exactly those disk pages with
 * O_DIRECT (no page cache, so no cache drop is needed between passes),
 * in several ways: page by page, with nearby pages merged into one read
 * (gaps up to 64 KiB or 1 MiB read through), and the whole file; each
 * with 4, 16 and 64 threads, so the disk gets a deep queue.  The best
 * pass is the floor.
 *
 * usage: tar_floor ARCHIVE
 * Prints "KEY VALUE" lines: bytes (of pages holding headers), size (of
 * the archive), secs (the best pass), how (that pass), and each pass to
 * standard error.
 */
#define _GNU_SOURCE		/* O_DIRECT */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLK	512
#define PAGE	4096
#define CHUNK	(1 << 20)	/* the longest single read */

struct range {
	off_t	off;
	size_t	len;
};

static int fd;
static unsigned char *need;	/* a byte per page: holds a header */
static struct range *rv;
static size_t nr;
static volatile size_t next;	/* the next range to read, shared */

static void
die(const char *what)
{
	fprintf(stderr, "tar_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Octal, or base-256 when the field's top bit is set, as GNU tar writes. */
static uint64_t
num(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (p[0] & 0x80) {
		v = p[0] & 0x3f;
		for (i = 1; i < n; i++)
			v = v << 8 | p[i];
		return (v);
	}
	for (i = 0; i < n && (p[i] == ' ' || p[i] == '\0'); i++)
		;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v << 3 | (uint64_t)(p[i] - '0');
	return (v);
}

/* The pages [off, off + len) lie in, added to the needed set. */

static void
mark(off_t off, uint64_t len)
{
	off_t p;

	for (p = off / PAGE; p <= (off_t)((off + len - 1) / PAGE); p++)
		need[p] = 1;
}

/* "NN size=VALUE\n" in a pax record block: the next entry's size. */
static int
pax_size(const char *b, size_t n, uint64_t *size)
{
	size_t i = 0, len;
	char *e;

	while (i < n) {
		len = strtoul(b + i, &e, 10);
		if (e == b + i || len == 0 || len > n - i)
			break;
		if (strncmp(e, " size=", 6) == 0) {
			*size = strtoull(e + 6, NULL, 10);
			return (1);
		}
		i += len;
	}
	return (0);
}

static void
walk(off_t fsize)
{
	unsigned char h[BLK];
	uint64_t size, next_size = 0;
	int have_next = 0;
	off_t off = 0;
	char *pax;

	while (off + BLK <= fsize) {
		if (pread(fd, h, BLK, off) != BLK)
			die("pread");
		mark(off, BLK);
		if (h[0] == '\0')	/* end of archive */
			break;
		size = num(h + 124, 12);
		off += BLK;
		switch (h[156]) {
		case 'x':		/* pax record data: read, it is a header */
			mark(off, size ? size : 1);
			if (size > 0 && size < (1 << 20)) {
				if ((pax = malloc(size)) == NULL)
					die("malloc");
				if (pread(fd, pax, size, off) != (ssize_t)size)
					die("pread");
				have_next = pax_size(pax, size, &next_size);
				free(pax);
			}
			off += (size + BLK - 1) / BLK * BLK;
			continue;
		case 'g': case 'L': case 'K':
			mark(off, size ? size : 1);
			off += (size + BLK - 1) / BLK * BLK;
			continue;
		case 'S':		/* old GNU sparse: extension blocks */
			if (h[482]) {
				do {
					if (pread(fd, h, BLK, off) != BLK)
						die("pread");
					mark(off, BLK);
					off += BLK;
				} while (h[504]);
			}
			break;
		}
		if (have_next) {
			size = next_size;
			have_next = 0;
		}
		off += (size + BLK - 1) / BLK * BLK;
	}
}

static void
add(off_t off, size_t len)
{
	size_t n;

	for (; len > 0; off += n, len -= n) {
		n = len < CHUNK ? len : CHUNK;
		rv[nr].off = off;
		rv[nr++].len = n;
	}
}

/*
 * The reads of one pass: each run of needed pages, runs less than gap
 * bytes apart joined (the gap read through), or with whole set, the
 * whole file; none longer than CHUNK.
 */
static void
plan(size_t npages, size_t gap, int whole)
{
	size_t p = 0, start, end, q;

	nr = 0;
	if (whole) {
		add(0, npages * PAGE);
		return;
	}
	while (p < npages) {
		while (p < npages && !need[p])
			p++;
		if (p == npages)
			break;
		start = p;
		end = p + 1;	/* [start, end) needed so far */
		for (q = end; q < npages; q++) {
			if (!need[q])
				continue;
			if ((q - end) * PAGE > gap)
				break;
			end = q + 1;
		}
		add((off_t)start * PAGE, (end - start) * PAGE);
		p = end;
	}
}

static void *
reader(void *arg)
{
	void *buf;
	size_t i;

	(void)arg;
	if (posix_memalign(&buf, PAGE, CHUNK) != 0)
		return (NULL);
	while ((i = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED)) < nr)
		if (pread(fd, buf, rv[i].len, rv[i].off) < 0)
			die("pread (O_DIRECT)");
	free(buf);
	return (NULL);
}

static double
pass(int threads)
{
	pthread_t t[64];
	struct timespec a, b;
	int i;

	next = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		size_t gap;
		int whole;
	} how[] = {
		{ "header pages", 0, 0 },
		{ "header pages, gaps <= 64 KiB read through", 64 << 10, 0 },
		{ "header pages, gaps <= 1 MiB read through", 1 << 20, 0 },
		{ "the whole file", 0, 1 },
	};
	static const int nthr[] = { 4, 16, 64 };
	struct stat st;
	size_t npages, p, nneed = 0;
	double s, best = 1e9;
	char bestname[128] = "";
	unsigned h, k;

	if (argc != 2) {
		fprintf(stderr, "usage: tar_floor ARCHIVE\n");
		return (2);
	}
	if ((fd = open(argv[1], O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		die(argv[1]);
	npages = (st.st_size + PAGE - 1) / PAGE;
	if ((need = calloc(npages, 1)) == NULL ||
	    (rv = calloc(npages + st.st_size / CHUNK + 1, sizeof(*rv))) == NULL)
		die("calloc");
	walk(st.st_size);
	close(fd);
	for (p = 0; p < npages; p++)
		nneed += need[p];
	if ((fd = open(argv[1], O_RDONLY | O_DIRECT)) == -1)
		die(argv[1]);
	for (h = 0; h < sizeof(how) / sizeof(how[0]); h++) {
		plan(npages, how[h].gap, how[h].whole);
		for (k = 0; k < sizeof(nthr) / sizeof(nthr[0]); k++) {
			s = pass(nthr[k]);
			fprintf(stderr, "tar_floor: %s, %zu reads, %d threads: "
			    "%.1f ms\n", how[h].name, nr, nthr[k], s * 1e3);
			if (s < best) {
				best = s;
				snprintf(bestname, sizeof(bestname), "%s, %d "
				    "threads", how[h].name, nthr[k]);
			}
		}
	}
	printf("bytes %zu\nsize %lld\nsecs %.6f\nhow %s\n", nneed * PAGE,
	    (long long)st.st_size, best, bestname);
	return (0);
}
