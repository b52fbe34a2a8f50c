/*
 * Fuzz target: the zstd layer of tarfs on an arbitrary file: the seek
 * table parser, the frame walk (headers, block headers, frames without
 * sizes), the index file decoder, the decompression bomb limits, and
 * reads through the piece cache and the parked decoders.
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
	static const struct zsrc_limits lim = { 1000, 16U << 20 };
	struct zindex idx;
	struct zsrc *z;
	uint64_t dsize, off[4];
	size_t i;
	int fd, lazy;

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
	/*
	 * An index path that does not exist: nothing saved is looked up.
	 * Bomb limits far below the defaults (whose 1 GiB floor would
	 * let an input cost a second), so that inputs reach the refusals
	 * (a stated size, a block walk, a frame counted without a size)
	 * and the limit holds for whatever is accepted.
	 */
	for (lazy = 0; lazy < 2; lazy++) {
		/*
		 * Lazily, a last frame without a size is left open: its
		 * bound must hold the limit too, reads may close it, and
		 * zsrc_finish makes the size exact, never past the bound.
		 */
		z = lazy ? zsrc_open_lazy(fd, "fuzz",
		    "/nonexistent/fuzz.zidx", &lim) : zsrc_open_limits(fd,
		    "fuzz", "/nonexistent/fuzz.zidx", &lim);
		if (z == NULL)
			continue;
		if (zsrc_size(z) > lim.max_size)
			abort();
		zsrc_set_cache(z, 1);
		dsize = zsrc_size(z);
		off[0] = 0;
		off[1] = dsize / 2;
		off[2] = dsize > 100 ? dsize - 100 : 0;
		off[3] = dsize / 3;
		for (i = 0; i < 4; i++)
			(void)zsrc_pread(z, buf, sizeof(buf), off[i]);
		if (zsrc_finish(z) == 0) {
			if (!zsrc_exact(z) || zsrc_size(z) > dsize)
				abort();
			(void)zsrc_pread(z, buf, sizeof(buf),
			    zsrc_size(z) / 2);
		}
		zsrc_close(z);
	}
	close(fd);
	return (0);
}
