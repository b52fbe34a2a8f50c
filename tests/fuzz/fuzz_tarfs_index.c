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
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tarfs/tarfs.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4096];
	struct tarfs *t;
	struct stat st;
	const char *name;
	uint64_t ino, idx, child, n;

	if (size >= 8 && memcmp(data, "IDX", 3) == 0) {
		size_t al = (size_t)data[4] | (size_t)data[5] << 8 |
		    (size_t)data[6] << 16 | (size_t)data[7] << 24;

		if (al > size - 8)
			return (0);
		t = tarfs_open_index_mem(data + 8 + al, size - 8 - al,
		    data + 8, al);
	} else
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
