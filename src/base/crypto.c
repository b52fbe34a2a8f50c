/*
 * HMAC, digests, Ed25519 and random bytes over OpenSSL 3's EVP
 * interfaces.  Hex and base64 are in encode.c.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "buf.h"
#include "crypto.h"
#include "err.h"

static const EVP_MD *
md_byname(const char *alg)
{
	if (strcmp(alg, "sha1") == 0)
		return (EVP_sha1());
	if (strcmp(alg, "sha256") == 0)
		return (EVP_sha256());
	if (strcmp(alg, "sha512") == 0)
		return (EVP_sha512());
	if (strcmp(alg, "md5") == 0)
		return (EVP_md5());
	error_set("unknown digest algorithm '%s'", alg);
	return (NULL);
}

int
digest(const char *alg, const void *data, size_t len, unsigned char *out)
{
	const EVP_MD *md;
	unsigned int n;

	if ((md = md_byname(alg)) == NULL)
		return (-1);
	if (EVP_Digest(data, len, out, &n, md, NULL) != 1)
		return (error_set("%s digest failed", alg));
	return ((int)n);
}

int
hmac(const char *alg, const void *key, size_t keylen, const void *data,
    size_t len, unsigned char *out)
{
	const EVP_MD *md;
	unsigned int n;

	if ((md = md_byname(alg)) == NULL)
		return (-1);
	/* HMAC() with a NULL key pointer would mean "no key": pass "". */
	if (HMAC(md, keylen > 0 ? key : "", (int)keylen, data, len, out,
	    &n) == NULL)
		return (error_set("hmac-%s failed", alg));
	return ((int)n);
}


int
ed25519_public(const unsigned char seed[32], unsigned char pub[32])
{
	EVP_PKEY *k;
	size_t n = 32;
	int r = 0;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (k == NULL || EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 ||
	    n != 32)
		r = error_set("Ed25519: bad private key");
	EVP_PKEY_free(k);
	return (r);
}

int
random_bytes(void *p, size_t n)
{
	if (n > INT_MAX || RAND_bytes(p, (int)n) != 1)
		return (error_set("no random bytes"));
	return (0);
}

int
ed25519_keygen(unsigned char seed[32], unsigned char pub[32])
{
	if (RAND_priv_bytes(seed, 32) != 1)
		return (error_set("Ed25519: no random bytes"));
	return (ed25519_public(seed, pub));
}

int
ed25519_sign(const unsigned char seed[32], const void *msg, size_t len,
    unsigned char sig[64])
{
	EVP_PKEY *k;
	EVP_MD_CTX *c = NULL;
	size_t n = 64;
	int r = -1;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (k == NULL || (c = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(c, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(c, sig, &n, msg, len) != 1 || n != 64)
		error_set("Ed25519: signing failed");
	else
		r = 0;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return (r);
}

int
ed25519_verify(const unsigned char pub[32], const void *msg, size_t len,
    const unsigned char sig[64])
{
	EVP_PKEY *k;
	EVP_MD_CTX *c = NULL;
	int r = -1;

	k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	if (k == NULL || (c = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) != 1)
		error_set("Ed25519: bad public key");
	else
		r = EVP_DigestVerify(c, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return (r);
}
