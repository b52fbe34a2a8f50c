/*
 * Unit tests: base/sha256.c, against FIPS 180-4's examples and against
 * OpenSSL (base/crypto.c's digest) over every length up to 300 bytes
 * and split updates.
 */
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/encode.h"
#include "base/sha256.h"
#include "tap.h"

int
main(void)
{
	static uint8_t data[100000];
	uint8_t a[SHA256_LEN], b[DIGEST_MAX];
	char hex[2 * SHA256_LEN + 1];
	struct sha256 c;
	size_t n, cut, bad = 0, badsplit = 0;

	sha256("abc", 3, a);
	hex_encode(a, sizeof(a), hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", "SHA-256 of abc (FIPS 180-4)");
	sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, a);
	hex_encode(a, sizeof(a), hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
	    "19db06c1", "SHA-256 of the two-block message (FIPS 180-4)");
	sha256("", 0, a);
	hex_encode(a, sizeof(a), hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", "SHA-256 of nothing");

	srand(1);
	for (n = 0; n < sizeof(data); n++)
		data[n] = (uint8_t)rand();
	for (n = 0; n <= 300; n++) {
		sha256(data, n, a);
		digest("sha256", data, n, b);
		if (memcmp(a, b, SHA256_LEN) != 0)
			bad++;
		/* The same bytes in two updates, cut anywhere. */
		cut = n == 0 ? 0 : (size_t)rand() % n;
		sha256_init(&c);
		sha256_update(&c, data, cut);
		sha256_update(&c, data + cut, n - cut);
		sha256_final(&c, a);
		if (memcmp(a, b, SHA256_LEN) != 0)
			badsplit++;
	}
	is_int((int)bad, 0, "as OpenSSL for every length 0..300");
	is_int((int)badsplit, 0, "and when fed in two pieces");
	sha256(data, sizeof(data), a);
	digest("sha256", data, sizeof(data), b);
	ok(memcmp(a, b, SHA256_LEN) == 0, "as OpenSSL for 100000 bytes");
	return (done_testing());
}
