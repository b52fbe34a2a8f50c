/*
 * Opening an archive: the source, then the index over it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "tarfs/tarfs_int.h"

struct tarfs *
tarfs_open(const char *archive, const struct tarfs_open_opts *o)
{
	struct tarfs *t = xcalloc(1, sizeof(*t));

	t->quiet = o != NULL && o->quiet;
	if (src_open(&t->src, archive, o != NULL ? o->zindex : NULL) == -1) {
		free(t);
		return (NULL);
	}
	if (tf_index_build(t) == -1) {
		error_wrap("%s", archive);
		tarfs_close(t);
		return (NULL);
	}
	return (t);
}

struct tarfs *
tarfs_open_mem(const void *buf, size_t len)
{
	struct tarfs *t = xcalloc(1, sizeof(*t));

	t->quiet = 1;
	src_open_mem(&t->src, buf, len);
	if (tf_index_build(t) == -1) {
		tarfs_close(t);
		return (NULL);
	}
	return (t);
}

void
tarfs_close(struct tarfs *t)
{
	if (t == NULL)
		return;
	tf_index_free(t);
	src_close(&t->src);
	free(t);
}
