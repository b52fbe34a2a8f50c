/* Building the index (node.c), for the archive walk in tar_parse.c. */
#ifndef STASIS_TARFS_NODE_H
#define STASIS_TARFS_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "tarfs/tarfs_int.h"

void	*tf_alloc(size_t);
void	 tf_hash_init(void);	/* the seed; before any table */
uint32_t tf_name_hash(uint32_t parent, const char *, size_t);
uint32_t tf_pool_add(struct tarfs *, const char *, size_t);
int64_t	 tf_inode_new(struct tarfs *, uint32_t mode);
int64_t	 tf_find(const struct tarfs *, uint32_t parent, const char *,
	    size_t);
int64_t	 tf_dirent_add(struct tarfs *, uint32_t parent, const char *,
	    size_t, uint32_t ino);
int	 tf_chunk_add(struct tarfs *, uint64_t off, uint64_t len,
	    uint64_t data);
void	 tf_finalize(struct tarfs *);
void	 tf_rehash_all(struct tarfs *);

#endif
