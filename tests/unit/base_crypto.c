/* Unit tests: base/crypto.c (RFC 4231 and RFC 2202 vectors). */
#include <string.h>
#include <stdlib.h>

#include "base/crypto.h"
#include "base/encode.h"
#include "tap.h"

int
main(void)
{
	unsigned char md[DIGEST_MAX], raw[16];
	char hex[2 * DIGEST_MAX + 1], *b64;
	int n;

	n = hmac("sha256", "Jefe", 4, "what do ya want for nothing?", 28, md);
	hex_encode(md, (size_t)n, hex);
	is_str(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
	    "64ec3843", "HMAC-SHA256 RFC 4231 case 2");
	n = hmac("sha1", "Jefe", 4, "what do ya want for nothing?", 28, md);
	hex_encode(md, (size_t)n, hex);
	is_str(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
	    "HMAC-SHA1 RFC 2202 case 2");
	n = hmac("sha512", "Jefe", 4, "what do ya want for nothing?", 28, md);
	is_int(n, 64, "HMAC-SHA512 length");
	hex_encode(md, 8, hex);
	is_str(hex, "164b7a7bfcf819e2", "HMAC-SHA512 RFC 4231 prefix");
	ok(hmac("sha3", "k", 1, "d", 1, md) == -1, "unknown algorithm");
	n = digest("sha256", "abc", 3, md);
	hex_encode(md, (size_t)n, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", "SHA-256 of abc");
	ok(hmac("sha256", "", 0, "", 0, md) == 32, "empty key and data");

	is_int(hex_decode("00ff10", raw, sizeof(raw)), 3, "hex decode");
	ok(raw[1] == 0xff, "hex decode value");
	is_int(hex_decode("0g", raw, sizeof(raw)), -1, "bad hex");
	is_int(hex_decode("abc", raw, sizeof(raw)), -1, "odd hex");
	b64 = base64_encode("hello", 5);
	is_str(b64, "aGVsbG8=", "base64 encode");
	is_int(base64_decode(b64, raw, sizeof(raw)), 5, "base64 decode");
	ok(memcmp(raw, "hello", 5) == 0, "base64 round trip");
	free(b64);
	is_int(base64_decode("a", raw, sizeof(raw)), -1, "bad base64");

	ok(ct_equal("abc", 3, "abc", 3), "ct_equal equal");
	ok(!ct_equal("abc", 3, "abd", 3), "ct_equal differ");
	ok(!ct_equal("abc", 3, "abcd", 4), "ct_equal length");
	{
		/* RFC 8032, 7.1, test 1 (the empty message) and test 2. */
		unsigned char seed[32], pub[32], want[32], sig[64], wsig[64];
		unsigned char m2 = 0x72;

		hex_decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919"
		    "703bac031cae7f60", seed, 32);
		hex_decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325"
		    "af021a68f707511a", want, 32);
		hex_decode("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974"
		    "d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0"
		    "595bbe24655141438e7a100b", wsig, 64);
		ok(ed25519_public(seed, pub) == 0 &&
		    memcmp(pub, want, 32) == 0, "Ed25519: RFC 8032 public key");
		ok(ed25519_sign(seed, "", 0, sig) == 0 &&
		    memcmp(sig, wsig, 64) == 0, "Ed25519: RFC 8032 signature");
		ok(ed25519_verify(pub, "", 0, sig) == 1, "Ed25519: verifies");
		ok(ed25519_verify(pub, &m2, 1, sig) == 0,
		    "Ed25519: another message does not");
		sig[5] ^= 1;
		ok(ed25519_verify(pub, "", 0, sig) == 0,
		    "Ed25519: a flipped bit does not");
		ok(ed25519_keygen(seed, pub) == 0 &&
		    ed25519_sign(seed, "x", 1, sig) == 0 &&
		    ed25519_verify(pub, "x", 1, sig) == 1,
		    "Ed25519: a new key signs and verifies");
	}
	return (done_testing());
}
