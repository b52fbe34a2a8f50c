/*
 * stasis tarfs --compress: a tar into a seekable tar.zst, i.e. frames
 * that each hold frame_size bytes of input and decompress on their own,
 * followed by the seekable format's seek table, so a mount needs no
 * index and a random read decompresses one frame.  Any zstd reader
 * (zstd -d, tar --zstd, archivemount) reads the result as usual: the
 * table is a skippable frame.
 *
 * Frames carry their content size and checksum; the checksum of the
 * frame (low 32 bits of XXH64 of its content) is exactly the seek
 * table's entry checksum, so it is copied from the frame's last bytes.
 * The frames of a batch are compressed on all CPUs at once.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/progress.h"
#include "tarfs/zstd.h"
#include "tarfs/zstd_int.h"

/*
 * 256 KiB: a random 4 KiB read decompresses a quarter MiB (~0.2 ms
 * here), for 1% more size than 512 KiB frames and 10% more than one
 * frame (docs/tarfs-zstd.md has the measurements).
 */
#define FRAME_DEFAULT	(256U << 10)
#define FRAME_MIN	(4U << 10)
#define FRAME_MAX	(256U << 20)
#define NWORK_MAX	8

struct job {
	ZSTD_CCtx	*cc;
	const char	*in;
	size_t		 inlen;
	char		*out;
	size_t		 outcap, outlen;
	size_t		 err;
	pthread_t	 t;
};

static void *
work(void *arg)
{
	struct job *j = arg;

	j->outlen = ZSTD_compress2(j->cc, j->out, j->outcap, j->in, j->inlen);
	j->err = ZSTD_isError(j->outlen) ? j->outlen : 0;
	return (NULL);
}

/* Fill buf with up to len bytes; fewer only at end of input. */
static ssize_t
read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		if (n == 0)
			break;
		got += n;
	}
	return ((ssize_t)got);
}

struct out {
	int		 fd;
	char		*tmp;
	const char	*path;
};

static int
out_open(struct out *o, const char *path)
{
	o->path = path;
	o->tmp = NULL;
	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		if (isatty(o->fd))
			return (error_set("not writing compressed data to a "
			    "terminal"));
		return (0);
	}
	o->tmp = xasprintf("%s.XXXXXX", path);
	if ((o->fd = mkostemp(o->tmp, O_CLOEXEC)) == -1) {
		error_sys("%s", path);
		free(o->tmp);
		return (-1);
	}
	(void)fchmod(o->fd, 0644);
	file_tmp_guard(o->tmp);
	return (0);
}

static int
out_finish(struct out *o, int ok)
{
	int rc = 0;

	if (o->tmp == NULL)
		return (ok ? 0 : -1);
	if (ok && fsync(o->fd) == -1)
		rc = error_sys("%s", o->path);
	if (close(o->fd) == -1 && ok && rc == 0)
		rc = error_sys("%s", o->path);
	if (ok && rc == 0 && rename(o->tmp, o->path) == -1)
		rc = error_sys("rename to %s", o->path);
	if (!ok || rc == -1)
		unlink(o->tmp);
	/* After the rename: a signal before it still removes the temp. */
	file_tmp_forget();
	free(o->tmp);
	return (ok ? rc : -1);
}

int
zstd_compress_seekable(const char *in, const char *outpath,
    size_t frame_size, int level, int quiet)
{
	return (zstd_compress_seekable_x(in, outpath, frame_size, level,
	    quiet, NULL));
}

int
zstd_compress_seekable_x(const char *in, const char *outpath,
    size_t frame_size, int level, int quiet, const struct zextra *x)
{
	struct job jobs[NWORK_MAX];
	struct progress *pr = NULL;
	struct stat st;
	struct out o;
	struct buf tab = BUF_INIT;
	uint32_t *cs = NULL, *ds = NULL, *sum = NULL;
	size_t n = 0, cap = 0, i, nj, nw;
	uint64_t total_in = 0, total_out = 0;
	char *inbuf = NULL, a[16], b[16];
	ssize_t got = 1;
	long np;
	int ifd, ok = 0;

	if (frame_size == 0)
		frame_size = FRAME_DEFAULT;
	if (frame_size < FRAME_MIN || frame_size > FRAME_MAX)
		return (error_set("frame size %zu: not between %u and %u",
		    frame_size, FRAME_MIN, FRAME_MAX));
	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
		return (error_set("compression level %d: not between %d and "
		    "%d", level, ZSTD_minCLevel(), ZSTD_maxCLevel()));
	if (strcmp(in, "-") == 0)
		ifd = STDIN_FILENO;
	else if ((ifd = open(in, O_RDONLY | O_CLOEXEC)) == -1)
		return (error_sys("%s", in));
	if (out_open(&o, outpath) == -1) {
		if (ifd != STDIN_FILENO)
			close(ifd);
		return (-1);
	}
	np = sysconf(_SC_NPROCESSORS_ONLN);
	nw = np < 1 ? 1 : np > NWORK_MAX ? NWORK_MAX : (size_t)np;
	inbuf = xmalloc(nw * frame_size);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < nw; i++) {
		if ((jobs[i].cc = ZSTD_createCCtx()) == NULL) {
			error_set("out of memory");
			goto done;
		}
		ZSTD_CCtx_setParameter(jobs[i].cc, ZSTD_c_compressionLevel,
		    level);
		ZSTD_CCtx_setParameter(jobs[i].cc, ZSTD_c_checksumFlag, 1);
		ZSTD_CCtx_setParameter(jobs[i].cc, ZSTD_c_contentSizeFlag, 1);
		jobs[i].outcap = ZSTD_compressBound(frame_size);
		jobs[i].out = xmalloc(jobs[i].outcap);
	}
	pr = progress_new("compressed", in, fstat(ifd, &st) == 0 &&
	    S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, quiet ? -1 : 2);
	while (got > 0) {
		/* Read a batch of frames, compress them in parallel. */
		for (nj = 0; nj < nw; nj++) {
			got = read_full(ifd, inbuf + nj * frame_size,
			    frame_size);
			if (got == -1) {
				error_sys("%s", in);
				goto fail;
			}
			if (got == 0)
				break;
			jobs[nj].in = inbuf + nj * frame_size;
			jobs[nj].inlen = got;
			if ((size_t)got < frame_size) {
				nj++;
				got = 0;
				break;
			}
		}
		for (i = 1; i < nj; i++)
			if (pthread_create(&jobs[i].t, NULL, work,
			    &jobs[i]) != 0)
				work(&jobs[i]), jobs[i].t = 0;
		if (nj > 0)
			work(&jobs[0]);
		for (i = 1; i < nj; i++)
			if (jobs[i].t != 0)
				pthread_join(jobs[i].t, NULL);
		for (i = 0; i < nj; i++) {
			if (jobs[i].err) {
				error_set("compress: %s",
				    ZSTD_getErrorName(jobs[i].err));
				goto fail;
			}
			if (n == ZIDX_MAX_FRAMES) {
				error_set("more than %u frames: use a bigger "
				    "frame size", ZIDX_MAX_FRAMES);
				goto fail;
			}
			if (file_write_all(o.fd, jobs[i].out,
			    jobs[i].outlen) == -1) {
				error_wrap("%s", outpath);
				goto fail;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				cs = xrealloc(cs, cap * sizeof(*cs));
				ds = xrealloc(ds, cap * sizeof(*ds));
				sum = xrealloc(sum, cap * sizeof(*sum));
			}
			cs[n] = (uint32_t)jobs[i].outlen;
			ds[n] = (uint32_t)jobs[i].inlen;
			sum[n] = zle32((uint8_t *)jobs[i].out +
			    jobs[i].outlen - 4);
			n++;
			total_in += jobs[i].inlen;
			total_out += jobs[i].outlen;
			progress_update(pr, total_in);
		}
	}
	if (x != NULL && x->len > 0) {
		/* The input changed since the caller read it: not ours. */
		if (x->insize != total_in)
			log_warn("%s: %llu bytes read, %llu expected: the "
			    "input changed; no extra frame", in,
			    (unsigned long long)total_in,
			    (unsigned long long)x->insize);
		else if (zextra_frame(&tab, x->data, x->len) == -1) {
			error_wrap("%s", outpath);
			goto fail;
		}
	}
	zseek_table(&tab, cs, ds, sum, n);
	if (file_write_all(o.fd, tab.data, tab.len) == -1) {
		error_wrap("%s", outpath);
		goto fail;
	}
	total_out += tab.len;
	progress_done(pr, quiet);
	ok = 1;
	goto done;
fail:
	progress_abort(pr);
done:
	if (out_finish(&o, ok) == -1)
		ok = 0;
	if (ok && !quiet) {
		str_fmtsize(a, sizeof(a), total_in);
		str_fmtsize(b, sizeof(b), total_out);
		fprintf(stderr, "wrote %s: %zu frames, %s -> %s (%.1f%%)\n",
		    outpath, n, a, b, total_in ? 100.0 * total_out /
		    total_in : 100.0);
	}
	for (i = 0; i < nw; i++) {
		ZSTD_freeCCtx(jobs[i].cc);
		free(jobs[i].out);
	}
	if (ifd != STDIN_FILENO)
		close(ifd);
	free(inbuf);
	free(cs);
	free(ds);
	free(sum);
	buf_free(&tab);
	return (ok ? 0 : -1);
}
