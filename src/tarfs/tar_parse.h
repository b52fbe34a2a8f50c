/* Header field parsing (tar_parse.c), exposed for the unit tests. */
#ifndef STASIS_TARFS_TAR_PARSE_H
#define STASIS_TARFS_TAR_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Octal or base-256 numeric field: 0, or -1 when malformed. */
int	tar_num(const uint8_t *, size_t, int64_t *);
/* 1 if a 512-byte header's checksum matches. */
int	tar_checksum_ok(const uint8_t *);

#endif
