/*
 * Unit tests: base/encode.c.  base64 against RFC 4648's examples and
 * against OpenSSL's EVP_EncodeBlock over every length up to 300 bytes;
 * what the decoder refuses; hex; ct_equal.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/encode.h"
#include "tap.h"

static void
rfc(const char *in, const char *want)
{
	unsigned char back[16];
	char *e = base64_encode(in, strlen(in)), name[64];

	snprintf(name, sizeof(name), "base64 of \"%s\" (RFC 4648)", in);
	is_str(e, want, name);
	is_int(base64_decode(want, back, sizeof(back)), (int)strlen(in),
	    "and back: the length");
	ok(memcmp(back, in, strlen(in)) == 0, "and back: the bytes");
	free(e);
}

int
main(void)
{
	unsigned char data[300], back[300], ref[404];
	size_t n, badenc = 0, baddec = 0;
	char *e;

	rfc("", "");
	rfc("f", "Zg==");
	rfc("fo", "Zm8=");
	rfc("foo", "Zm9v");
	rfc("foob", "Zm9vYg==");
	rfc("fooba", "Zm9vYmE=");
	rfc("foobar", "Zm9vYmFy");

	srand(7);
	for (n = 0; n < sizeof(data); n++)
		data[n] = (unsigned char)rand();
	for (n = 0; n <= sizeof(data); n++) {
		e = base64_encode(data, n);
		EVP_EncodeBlock(ref, data, (int)n);
		if (strcmp(e, (char *)ref) != 0)
			badenc++;
		if (base64_decode(e, back, sizeof(back)) != (int)n ||
		    memcmp(back, data, n) != 0)
			baddec++;
		free(e);
	}
	is_int((int)badenc, 0, "encodes as OpenSSL for every length 0..300");
	is_int((int)baddec, 0, "and decodes its own output back");

	is_int(base64_decode("Zm9", back, sizeof(back)), -1,
	    "refused: length not a multiple of 4");
	is_int(base64_decode("Zm9*", back, sizeof(back)), -1,
	    "refused: a character outside the alphabet");
	is_int(base64_decode("Zg==Zm9v", back, sizeof(back)), -1,
	    "refused: padding before the end");
	is_int(base64_decode("Z===", back, sizeof(back)), -1,
	    "refused: three padding characters");
	is_int(base64_decode("Zm 9", back, sizeof(back)), -1,
	    "refused: a space");
	is_int(base64_decode("Zm9vYmFy", back, 5), -1,
	    "refused: no room for 6 bytes in 5");
	is_int(base64_decode("Zm9vYg==", back, 4), 4,
	    "4 bytes fit in 4 (padding is not counted)");

	is_int(hex_decode("00ff10", back, sizeof(back)), 3, "hex decode");
	ok(back[0] == 0 && back[1] == 0xff && back[2] == 0x10, "hex bytes");
	is_int(hex_decode("0g", back, sizeof(back)), -1, "bad hex");
	is_int(hex_decode("abc", back, sizeof(back)), -1, "odd hex");
	is_int(hex_decode("0011", back, 1), -1, "hex: no room");
	ok(ct_equal("abc", 3, "abc", 3), "ct_equal: equal");
	ok(!ct_equal("abc", 3, "abd", 3), "ct_equal: last byte differs");
	ok(!ct_equal("abc", 3, "ab", 2), "ct_equal: lengths differ");
	return (done_testing());
}
