/*
 * Fuzz target: base64 and hex decoding (base/encode.c), which take
 * request values (pass-file-to-command's base64decode) and key files.
 * What is accepted must decode as OpenSSL decodes it and encode back to
 * something that decodes to the same bytes; nothing may be written past
 * the room given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/encode.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out, *ref, *back;
	size_t room;
	char *s, *e;
	int n, m;

	if (size > 65536)
		return (0);
	s = strndup((const char *)data, size);
	/* The room given is the input's first byte, to hit "no room". */
	room = size > 0 ? data[0] % 64 + strlen(s) : 0;
	out = malloc(room + 1);
	ref = malloc(strlen(s) + 4);
	n = base64_decode(s, out, room);
	if (n >= 0) {
		if ((size_t)n > room)
			__builtin_trap();
		if (EVP_DecodeBlock(ref, (unsigned char *)s, (int)strlen(s)) <
		    n || memcmp(ref, out, (size_t)n) != 0)
			__builtin_trap();
		e = base64_encode(out, (size_t)n);
		back = malloc((size_t)n + 1);
		m = base64_decode(e, back, (size_t)n);
		if (m != n || memcmp(back, out, (size_t)n) != 0)
			__builtin_trap();
		free(back);
		free(e);
	}
	n = hex_decode(s, out, room);
	if (n >= 0 && (size_t)n > room)
		__builtin_trap();
	free(ref);
	free(out);
	free(s);
	return (0);
}
