/*
 * SHA-256 (FIPS 180-4) without OpenSSL, for checksums in code that is
 * linked without libcrypto: stasis-tarfs checks its zstd index files
 * with it, and pulling in digest() would bring 3.5 MiB of OpenSSL into
 * a binary that a cold mount reads whole (see docs/ARCHITECTURE.md).
 * Anything that needs a MAC or a signature uses base/crypto.h.
 */
#ifndef STASIS_SHA256_H
#define STASIS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32

struct sha256 {
	uint32_t	h[8];
	uint64_t	len;		/* bytes so far */
	uint8_t		blk[64];
	size_t		nblk;
};

void	sha256_init(struct sha256 *);
void	sha256_update(struct sha256 *, const void *, size_t);
void	sha256_final(struct sha256 *, uint8_t out[SHA256_LEN]);
/* The whole of one buffer. */
void	sha256(const void *, size_t, uint8_t out[SHA256_LEN]);

#endif
