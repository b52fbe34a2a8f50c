/*
 * Ed25519 signatures in OpenBSD signify(1)'s formats (signify.c): key
 * pairs, detached signatures of whole files, and their checks.  A
 * release signed with `stasis image sign` verifies with `signify -V`, and
 * the other way round.
 */
#ifndef STASIS_SIGNIFY_H
#define STASIS_SIGNIFY_H

#include <stddef.h>

/* A key pair (no passphrase; the secret key 0600); never overwrites. */
int	signify_keygen(const char *pubpath, const char *secpath,
	    const char *comment);
/* FILE.sig (or sigpath); *written names it (malloc'd). */
int	signify_sign(const char *secpath, const char *file,
	    const char *sigpath, char **written);
/*
 * 0 when the signature (FILE.sig, or sigpath) is pubpath's over the
 * file, else -1 with error_set saying what is wrong: another key, another
 * file, a bad signature or key file.  The _fd form checks the whole
 * regular file open on fd (name: for messages; sigpath required).
 */
int	signify_verify(const char *pubpath, const char *file,
	    const char *sigpath);
int	signify_verify_fd(const char *pubpath, int fd, const char *name,
	    const char *sigpath);
/* A key or signature file's text: the record of want bytes into out,
   the comment into comment (NULL: not wanted).  For the fuzzer. */
int	signify_parse(const char *text, size_t len, unsigned char *out,
	    size_t want, char *comment, size_t clen);

#endif
