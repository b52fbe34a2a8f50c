/*
 * HMAC, digests, Ed25519 signatures and random bytes (OpenSSL).  Hex,
 * base64 and constant-time comparison are in base/encode.h.
 */
#ifndef STASIS_CRYPTO_H
#define STASIS_CRYPTO_H

#include <stddef.h>

#define DIGEST_MAX	64	/* SHA-512 */

/* alg: "sha1", "sha256", "sha512", "md5".  Returns the length, or -1. */
int	digest(const char *alg, const void *, size_t, unsigned char *out);
int	hmac(const char *alg, const void *key, size_t keylen,
	    const void *, size_t, unsigned char *out);

/*
 * Ed25519 (RFC 8032): a 32-byte private key (the seed), a 32-byte
 * public key, 64-byte signatures of a whole message.  verify: 1 good,
 * 0 not, -1 (error_set) when it could not be checked.
 */
/* n bytes from OpenSSL's CSPRNG; -1 (error_set) if it has none. */
int	random_bytes(void *, size_t n);
int	ed25519_keygen(unsigned char seed[32], unsigned char pub[32]);
int	ed25519_public(const unsigned char seed[32], unsigned char pub[32]);
int	ed25519_sign(const unsigned char seed[32], const void *, size_t,
	    unsigned char sig[64]);
int	ed25519_verify(const unsigned char pub[32], const void *, size_t,
	    const unsigned char sig[64]);

#endif
