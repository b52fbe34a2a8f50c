/*
 * Fuzz target: the tar header parser and the index builder (every
 * header kind, pax records, GNU long names, sparse maps, the tree
 * built from hostile names), then a walk of the whole index: every
 * directory listed, every inode stat'ed, every file read, so a broken
 * index shows up here, not in a FUSE thread.
 *
 * Inputs starting "IDX" are a saved index instead (ARCHIVE.tfidx, just
 * as untrusted): "IDX", a byte, the archive's length (4 bytes, little
 * endian), the archive, then the index over it.
 *
 * A plain archive is first looked at for an embedded index (embed.c:
 * the trailer at its end, the zeros after its end marker, the index),
 * as a mount does.  Inputs starting with a zstd magic are opened as a
 * file, as a mount opens a tar.zst: the seek table, the extra frame
 * before it and the index embedded there, then the headers.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stdio.h>
#include <unistd.h>

#include "base/log.h"
#include "tarfs/tarfs.h"
#include "tarfs/zstd.h"

/* A tar.zst through a memfd, with bomb limits far below the defaults. */
static struct tarfs *
open_zstd(const uint8_t *data, size_t size)
{
	struct tarfs_open_opts o = { 0 };
	struct tarfs *t;
	char path[64];
	int fd;

	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		return (NULL);
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return (NULL);
	}
	/* No saved index of any kind is found: only the file itself. */
	setenv("XDG_CACHE_HOME", "/nonexistent", 1);
	o.quiet = 1;
	o.zindex = "/nonexistent/fuzz.zidx";
	o.max_ratio = 1000;
	o.max_size = 16U << 20;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	t = tarfs_open(path, &o);
	close(fd);
	return (t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4096];
	struct tarfs *t;
	struct stat st;
	const char *name;
	uint64_t ino, idx, child, n;

	log_set_level(LOG_LVL_ERR);
	if (size >= 8 && memcmp(data, "IDX", 3) == 0) {
		size_t al = (size_t)data[4] | (size_t)data[5] << 8 |
		    (size_t)data[6] << 16 | (size_t)data[7] << 24;

		if (al > size - 8)
			return (0);
		t = tarfs_open_index_mem(data + 8 + al, size - 8 - al,
		    data + 8, al);
	} else if (zstd_magic(data, size))
		t = open_zstd(data, size);
	else
		t = tarfs_open_mem(data, size);
	if (t == NULL)
		return (0);
	n = tarfs_count(t);
	for (ino = 1; ino <= n; ino++) {
		if (tarfs_stat(t, ino, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			for (idx = 0; tarfs_readdir(t, ino, idx, &name,
			    &child) == 1; idx++)
				(void)tarfs_lookup(t, ino, name);
		} else if (S_ISLNK(st.st_mode))
			(void)tarfs_readlink(t, ino);
		else if (S_ISREG(st.st_mode)) {
			/* Start, a middle and the end: holes and chunks. */
			(void)tarfs_read(t, ino, buf, sizeof(buf), 0);
			(void)tarfs_read(t, ino, buf, 7,
			    (uint64_t)st.st_size / 2);
			(void)tarfs_read(t, ino, buf, sizeof(buf),
			    st.st_size > 100 ? (uint64_t)st.st_size - 100 : 0);
		}
	}
	tarfs_close(t);
	return (0);
}
