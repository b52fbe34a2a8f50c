/*
 * Hex, base64 and constant-time comparison.  Apart from base/crypto.h
 * because they need no OpenSSL: the hooks daemon's small binary
 * (stasis-hooks, see the Makefile) uses them and links no libcrypto
 * beyond its SHA compression functions.
 */
#ifndef STASIS_ENCODE_H
#define STASIS_ENCODE_H

#include <stddef.h>

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void	hex_encode(const unsigned char *, size_t n, char *out);
/* The value of one hex digit, or -1. */
int	hex_digit(int);
/* Decode hex; returns the byte count or -1 on bad input or no room. */
int	hex_decode(const char *, unsigned char *out, size_t outlen);
/*
 * base64 (RFC 4648, standard alphabet, padded).  encode: malloc'd.
 * decode: the byte count, or -1 on a length that is not a multiple of
 * 4, a character outside the alphabet, misplaced padding or no room.
 */
char	*base64_encode(const void *, size_t);
int	 base64_decode(const char *, unsigned char *out, size_t outlen);

/* Compare without leaking where they differ; lengths compared too. */
int	ct_equal(const void *, size_t, const void *, size_t);

#endif
