/*
 * Fuzz target: the zstd layer of tarfs on an arbitrary file: the seek
 * table parser, the frame walk (headers, block headers, frames without
 * sizes), the index file decoder, and reads through the piece cache and
 * the parked decoders.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "tarfs/zstd.h"
#include "tarfs/zstd_int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[70000];
	struct zindex idx;
	struct zsrc *z;
	uint64_t dsize, off[4];
	size_t i;
	int fd;

	log_set_level(LOG_LVL_ERR);
	if (zidx_decode(data, size, NULL, &idx) == 0)
		zindex_free(&idx);
	if (zseek_parse(data, size, size, &idx) == 1)
		zindex_free(&idx);
	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		return (0);
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return (0);
	}
	/* An index path that does not exist: nothing saved is looked up. */
	z = zsrc_open(fd, "fuzz", "/nonexistent/fuzz.zidx");
	close(fd);
	if (z == NULL)
		return (0);
	zsrc_set_cache(z, 1);
	/* Bombs can claim terabytes: read within the first 16 MiB. */
	dsize = zsrc_size(z);
	if (dsize > (16U << 20))
		dsize = 16U << 20;
	off[0] = 0;
	off[1] = dsize / 2;
	off[2] = dsize > 100 ? dsize - 100 : 0;
	off[3] = dsize / 3;
	for (i = 0; i < 4; i++)
		(void)zsrc_pread(z, buf, sizeof(buf), off[i]);
	zsrc_close(z);
	return (0);
}
