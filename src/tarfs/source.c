/*
 * The archive as one uncompressed byte range, whatever holds it.  Plain
 * tar is read with pread(2) straight from the file (and the kernel's
 * page cache); tar.zst goes through the zstd layer (zstd.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/zstd.h"

int
src_open(struct src *s, const char *path, const char *zindex,
    uint64_t max_ratio, uint64_t max_size)
{
	struct zsrc_limits lim = { ZSRC_MAX_RATIO, 0 };
	unsigned char head[18];
	struct stat st;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	/*
	 * O_NONBLOCK: a FIFO must not hang the open waiting for a writer;
	 * it is refused below.  Reads of a regular file ignore the flag.
	 */
	if ((s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return (error_sys("%s", path));
	if (fstat(s->fd, &st) == -1) {
		error_sys("%s", path);
		goto fail;
	}
	s->fsize = (uint64_t)st.st_size;
	s->mtime = st.st_mtim.tv_sec;
	s->mtime_ns = (uint32_t)st.st_mtim.tv_nsec;
	s->dev = (uint64_t)st.st_dev;
	s->ino = (uint64_t)st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		error_set("%s: is a directory", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		error_set("%s: not a regular file (tarfs reads an archive at "
		    "random offsets; save a stream to a file first)", path);
		goto fail;
	}
	n = pread(s->fd, head, sizeof(head), 0);
	if (n == -1) {
		error_sys("%s: read", path);
		goto fail;
	}
	if (n >= 4 && zstd_magic(head, (size_t)n)) {
		/* tarfs.h's 0 is the default, UINT64_MAX none (zstd's 0) */
		if (max_ratio != 0)
			lim.max_ratio = max_ratio == UINT64_MAX ? 0 : max_ratio;
		if (max_size != 0)
			lim.max_size = max_size == UINT64_MAX ? 0 : max_size;
		/* Counting a frame that states no size waits for the walk. */
		if ((s->z = zsrc_open_lazy(s->fd, path, zindex,
		    &lim)) == NULL)
			goto fail;
		s->kind = SRC_ZSTD;
		s->size = zsrc_size(s->z);
		return (0);
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		error_set("%s: not a regular file", path);
		goto fail;
	}
	s->kind = SRC_FILE;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(s->fd, 0, SEEK_END);

		if (end == -1) {
			error_sys("%s: seek", path);
			goto fail;
		}
		s->size = (uint64_t)end;
	} else
		s->size = (uint64_t)st.st_size;
	return (0);
fail:
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	return (-1);
}

void
src_open_mem(struct src *s, const void *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->kind = SRC_MEM;
	s->fd = -1;
	s->mem = buf;
	s->size = len;
}

int
src_pread(const struct src *s, void *buf, size_t len, uint64_t off)
{
	size_t got;

	return (src_pread_some(s, buf, len, len, off, &got));
}

int
src_pread_some(const struct src *s, void *buf, size_t min, size_t len,
    uint64_t off, size_t *got)
{
	size_t done;
	ssize_t n;

	if (off > s->size || min > s->size - off) {
		errno = EIO;
		return (-1);
	}
	if (len > s->size - off)
		len = (size_t)(s->size - off);
	*got = len;
	switch (s->kind) {
	case SRC_MEM:
		memcpy(buf, s->mem + off, len);
		return (0);
	case SRC_ZSTD:
		/* Short at the true end, if s->size is only a bound. */
		for (done = 0; done < len; done += (size_t)n) {
			n = zsrc_pread(s->z, (char *)buf + done, len - done,
			    off + done);
			if (n == -1 || (n == 0 && done < min)) {
				errno = EIO;
				return (-1);
			}
			if (n == 0)
				break;
		}
		*got = done;
		return (0);
	case SRC_FILE:
		for (done = 0; done < len; done += (size_t)n) {
			n = pread(s->fd, (char *)buf + done, len - done,
			    (off_t)(off + done));
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0) {
				if (n == 0)
					errno = EIO;
				return (-1);
			}
		}
		return (0);
	}
	errno = EIO;
	return (-1);
}

/*
 * The first mount's walk touches one header per entry, spread over the
 * whole file: mapped, that is a page fault per 64 KiB (the kernel maps
 * the cached pages around each fault) instead of a copy of a read
 * window per header, 66 -> 47 ms warm for a 50k-entry tar; cold, the
 * same readahead runs either way.
 */
const uint8_t *
src_map(const struct src *s)
{
	void *m;

	if (s->kind != SRC_FILE || s->size == 0 || s->size > SIZE_MAX)
		return (NULL);
	m = mmap(NULL, (size_t)s->size, PROT_READ, MAP_SHARED, s->fd, 0);
	return (m == MAP_FAILED ? NULL : m);
}

void
src_unmap(const struct src *s, const uint8_t *m)
{
	if (m != NULL)
		munmap((void *)m, (size_t)s->size);
}

int
src_exact(const struct src *s)
{
	return (s->kind != SRC_ZSTD || zsrc_exact(s->z));
}

int
src_finish(struct src *s)
{
	if (s->kind != SRC_ZSTD)
		return (0);
	/* (a read may have closed it already: the size is known then) */
	if (zsrc_finish(s->z) == -1)
		return (-1);
	s->size = zsrc_size(s->z);
	return (0);
}

void
src_background(struct src *s)
{
	if (s->kind == SRC_ZSTD)
		zsrc_background(s->z);
}

void
src_set_cache(struct src *s, size_t bytes)
{
	if (s->kind == SRC_ZSTD)
		zsrc_set_cache(s->z, bytes);
}

void
src_close(struct src *s)
{
	if (s->z != NULL)
		zsrc_close(s->z);
	s->z = NULL;
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
}
