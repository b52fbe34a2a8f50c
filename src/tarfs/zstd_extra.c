/*
 * The extra skippable frame of a seekable tar.zst, where tarfs keeps an
 * embedded index (embed.c): written by zstd_compress_seekable_x with the
 * data, or put in, replaced or taken out of an existing file here.  Apart
 * from the compressor because it needs none: stasis-tarfs, linked
 * without the compressor (see the Makefile), embeds indexes too.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "tarfs/zstd.h"
#include "tarfs/zstd_int.h"

/* The extra frame's header and payload, appended to out. */
int
zextra_frame(struct buf *out, const void *data, size_t len)
{
	uint8_t h[8];

	if (len > UINT32_MAX)
		return (error_set("an extra frame of %zu bytes: at most %u",
		    len, UINT32_MAX));
	zput32(h, ZSTD_EXTRA_MAGIC);
	zput32(h + 4, (uint32_t)len);
	buf_add(out, h, sizeof(h));
	buf_add(out, data, len);
	return (0);
}

int
zstd_set_extra(const char *path, const void *data, size_t len)
{
	struct zindex idx;
	struct stat st;
	struct buf nb = BUF_INIT;
	uint8_t *old = NULL;
	uint64_t fsize, tsize, oldlen;
	int fd, r, rc = -1;

	memset(&idx, 0, sizeof(idx));
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return (error_sys("%s", path));
	if (fstat(fd, &st) == -1) {
		error_sys("%s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set("%s: not a regular file", path);
		goto out;
	}
	fsize = (uint64_t)st.st_size;
	if ((r = zseek_read(fd, fsize, path, &idx)) == -1)
		goto out;
	if (r == 0) {
		error_set("%s: no seek table (`stasis tarfs --compress` "
		    "writes a seekable tar.zst)", path);
		goto out;
	}
	if (len > 0 && zextra_frame(&nb, data, len) == -1) {
		error_wrap("%s", path);
		goto out;
	}
	/* What follows the data frames, kept to be written back. */
	oldlen = fsize - idx.dend;
	tsize = oldlen - idx.xlen;
	old = xmalloc(oldlen);
	if (zpread_all(fd, old, oldlen, idx.dend) == -1) {
		error_wrap("%s", path);
		goto out;
	}
	buf_add(&nb, old + idx.xlen, tsize);	/* the table, verbatim */
	if (file_pwrite_all(fd, nb.data, nb.len, idx.dend) == -1 ||
	    ftruncate(fd, (off_t)(idx.dend + nb.len)) == -1 ||
	    fsync(fd) == -1) {
		error_sys("%s", path);
		if (file_pwrite_all(fd, old, oldlen, idx.dend) == -1 ||
		    ftruncate(fd, (off_t)fsize) == -1 || fsync(fd) == -1) {
			char *m = xstrdup(error_msg());

			error_set("%s; putting its old end back failed too: "
			    "%s", m, strerror(errno));
			free(m);
		}
		goto out;
	}
	rc = 0;
out:
	close(fd);
	zindex_free(&idx);
	free(old);
	buf_free(&nb);
	return (rc);
}
