/*
 * Signed images, in OpenBSD signify(1)'s formats: a release signed here
 * verifies with `signify -V` on a FreeBSD or OpenBSD host, and one
 * signed there verifies here.  Keys and signatures are two lines,
 *
 *	untrusted comment: <text>
 *	<base64 of a binary record>
 *
 * with these records (signify.c's structs; rounds big-endian):
 *
 *	public key	"Ed" keynum[8] pub[32]
 *	secret key	"Ed" "BK" rounds[4] salt[16] checksum[8] keynum[8]
 *			seckey[64]	(the seed, then the public key;
 *					 checksum: SHA-512 of seckey, 8 bytes)
 *	signature	"Ed" keynum[8] sig[64]
 *
 * A signature is Ed25519 over the file's whole contents, as `signify -S`
 * makes it; the file is mapped, not read into memory, so images of any
 * size sign and verify in one pass over the page cache.  Secret keys are
 * made without a passphrase (`signify -G -n`) and kept mode 0600; a
 * passphrase-protected one (rounds > 0: bcrypt_pbkdf, which OpenSSL
 * lacks) is refused with a message saying so.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "encode.h"
#include "err.h"
#include "file.h"
#include "signify.h"

#define COMMENT		"untrusted comment: "
#define MAX_FILE	4096	/* a key or signature file, at most */
#define PUBLEN		(2 + 8 + 32)
#define SECLEN		(2 + 2 + 4 + 16 + 8 + 8 + 64)
#define SIGLEN		(2 + 8 + 64)

int
signify_parse(const char *text, size_t len, unsigned char *out,
    size_t want, char *comment, size_t clen)
{
	const char *nl, *b64, *end = text + len;
	unsigned char rec[SECLEN + 8];
	char line[(SECLEN + 8) / 3 * 4 + 8];
	size_t n;
	int got;

	if (len > MAX_FILE)
		return (error_set("longer than %d bytes", MAX_FILE));
	if (len < sizeof(COMMENT) - 1 ||
	    memcmp(text, COMMENT, sizeof(COMMENT) - 1) != 0)
		return (error_set("does not start with \"%s\"", COMMENT));
	if ((nl = memchr(text, '\n', len)) == NULL)
		return (error_set("no second line"));
	if (comment != NULL) {
		n = (size_t)(nl - text) - (sizeof(COMMENT) - 1);
		if (n >= clen)
			n = clen - 1;
		memcpy(comment, text + sizeof(COMMENT) - 1, n);
		comment[n] = '\0';
	}
	b64 = nl + 1;
	if ((nl = memchr(b64, '\n', (size_t)(end - b64))) == NULL)
		nl = end;
	/* Nothing may follow but the newline (no embedded message here). */
	if (nl < end && nl + 1 != end)
		return (error_set("more than two lines"));
	n = (size_t)(nl - b64);
	if (n == 0 || n >= sizeof(line) || want > SECLEN)
		return (error_set("not a %s record", want == SIGLEN ?
		    "signature" : "key"));
	memcpy(line, b64, n);
	line[n] = '\0';
	if ((got = base64_decode(line, rec, sizeof(rec))) != (int)want)
		return (error_set("not a %s record", want == SIGLEN ?
		    "signature" : "key"));
	if (rec[0] != 'E' || rec[1] != 'd')
		return (error_set("not an Ed25519 %s", want == SIGLEN ?
		    "signature" : "key"));
	memcpy(out, rec, want);
	return (0);
}

static int
read_record(const char *path, unsigned char *out, size_t want,
    const char *what)
{
	struct buf b = BUF_INIT;
	int r;

	if (file_read(path, MAX_FILE, &b) == -1) {
		buf_free(&b);
		return (error_wrap("%s %s", what, path));
	}
	r = signify_parse(b.data ? b.data : "", b.len, out, want, NULL, 0);
	buf_free(&b);
	if (r == -1)
		return (error_wrap("%s %s", what, path));
	return (0);
}

static void
keynum_hex(const unsigned char *k, char *out)
{
	hex_encode(k, 8, out);
}

/* The secret key's seed and keynum, checked against its checksum. */
static int
read_secret(const char *path, unsigned char seed[32], unsigned char *keynum)
{
	unsigned char rec[SECLEN], sum[DIGEST_MAX], pub[32];
	unsigned char *p = rec + 4;
	int r = -1;

	if (read_record(path, rec, SECLEN, "secret key") == -1)
		return (-1);
	if (rec[2] != 'B' || rec[3] != 'K')
		error_set("secret key %s: unknown key derivation", path);
	else if (p[0] | p[1] | p[2] | p[3])
		error_set("secret key %s is protected by a passphrase, which "
		    "stasis cannot read; make one without (`stasis image "
		    "keygen`, or `signify -G -n`)", path);
	else if (digest("sha512", rec + 40, 64, sum) == -1 ||
	    memcmp(sum, rec + 24, 8) != 0)
		error_set("secret key %s: checksum mismatch", path);
	else if (ed25519_public(rec + 40, pub) == -1 ||
	    memcmp(pub, rec + 72, 32) != 0)
		error_set("secret key %s: its halves do not match", path);
	else {
		memcpy(seed, rec + 40, 32);
		memcpy(keynum, rec + 32, 8);
		r = 0;
	}
	explicit_bzero(rec, sizeof(rec));
	return (r);
}

/* The file, mapped whole (an empty one as ""). */
static const void *
map_file(const char *path, size_t *len, int *fd)
{
	struct stat st;
	void *m;

	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		error_sys("%s", path);
		return (NULL);
	}
	if (fstat(*fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (errno == 0 || S_ISREG(st.st_mode) == 0)
			error_set("%s: not a regular file", path);
		else
			error_sys("%s", path);
		close(*fd);
		return (NULL);
	}
	*len = (size_t)st.st_size;
	if (*len == 0)
		return ("");
	m = mmap(NULL, *len, PROT_READ, MAP_SHARED, *fd, 0);
	if (m == MAP_FAILED) {
		error_sys("%s: mmap", path);
		close(*fd);
		return (NULL);
	}
	(void)madvise(m, *len, MADV_SEQUENTIAL);
	return (m);
}

static void
unmap_file(const void *m, size_t len, int fd)
{
	if (len > 0)
		munmap((void *)m, len);
	close(fd);
}

static char *
default_sig(const char *file, const char *sigpath)
{
	if (sigpath != NULL)
		return (xstrdup(sigpath));
	return (xasprintf("%s.sig", file));
}

/*
 * write the two lines to path, mode, failing if it exists (excl) or
 * replacing it atomically.
 */
static int
write_record(const char *path, const char *comment, const unsigned char *rec,
    size_t len, mode_t mode, int excl)
{
	struct buf b = BUF_INIT;
	char *enc = base64_encode(rec, len);
	int fd, r;

	buf_printf(&b, "%s%s\n%s\n", COMMENT, comment, enc);
	free(enc);
	if (!excl)
		r = file_write_atomic(path, b.data, b.len, mode);
	else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		r = error_sys("%s", path);
	else {
		r = file_write_all(fd, b.data, b.len);
		if (r == 0 && (fsync(fd) == -1 || fchmod(fd, mode) == -1))
			r = error_sys("%s", path);
		close(fd);
		if (r == -1)
			(void)unlink(path);
	}
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	return (r);
}

int
signify_keygen(const char *pubpath, const char *secpath, const char *comment)
{
	unsigned char sec[SECLEN], pub[PUBLEN], seed[32], pk[32];
	unsigned char sum[DIGEST_MAX];
	char c[512];
	int r = -1;

	if (comment == NULL)
		comment = "stasis";
	if (strchr(comment, '\n') != NULL)
		return (error_set("a comment is one line"));
	memset(sec, 0, sizeof(sec));
	if (ed25519_keygen(seed, pk) == -1 ||
	    random_bytes(sec + 32, 8) == -1 || random_bytes(sec + 8, 16) == -1)
		goto out;
	memcpy(sec, "EdBK", 4);		/* rounds 0: no passphrase */
	memcpy(sec + 40, seed, 32);
	memcpy(sec + 72, pk, 32);
	if (digest("sha512", sec + 40, 64, sum) == -1)
		goto out;
	memcpy(sec + 24, sum, 8);
	memcpy(pub, "Ed", 2);
	memcpy(pub + 2, sec + 32, 8);
	memcpy(pub + 10, pk, 32);
	snprintf(c, sizeof(c), "%s secret key", comment);
	if (write_record(secpath, c, sec, SECLEN, 0600, 1) == -1)
		goto out;
	snprintf(c, sizeof(c), "%s public key", comment);
	if (write_record(pubpath, c, pub, PUBLEN, 0644, 1) == -1) {
		(void)unlink(secpath);
		goto out;
	}
	r = 0;
out:
	explicit_bzero(sec, sizeof(sec));
	explicit_bzero(seed, sizeof(seed));
	return (r);
}

int
signify_sign(const char *secpath, const char *file, const char *sigpath,
    char **written)
{
	unsigned char seed[32], rec[SIGLEN];
	const void *m;
	char c[512], *path, *pubname, *dot;
	size_t len;
	int fd, r;

	*written = NULL;
	if (read_secret(secpath, seed, rec + 2) == -1)
		return (-1);
	if ((m = map_file(file, &len, &fd)) == NULL) {
		explicit_bzero(seed, sizeof(seed));
		return (-1);
	}
	memcpy(rec, "Ed", 2);
	r = ed25519_sign(seed, m, len, rec + 10);
	explicit_bzero(seed, sizeof(seed));
	unmap_file(m, len, fd);
	if (r == -1)
		return (error_wrap("%s", file));
	/* As signify says it: the public key beside the secret one. */
	pubname = xstrdup(strrchr(secpath, '/') ? strrchr(secpath, '/') + 1 :
	    secpath);
	if ((dot = strrchr(pubname, '.')) != NULL && strcmp(dot, ".sec") == 0)
		strcpy(dot, ".pub");
	snprintf(c, sizeof(c), "verify with %s", pubname);
	free(pubname);
	path = default_sig(file, sigpath);
	if (write_record(path, c, rec, SIGLEN, 0644, 0) == -1) {
		free(path);
		return (-1);
	}
	*written = path;
	return (0);
}

/* Check the signature record against pub and the bytes of m. */
static int
check(const char *pubpath, const char *sigpath, const char *name,
    const void *m, size_t len)
{
	unsigned char pub[PUBLEN], sig[SIGLEN];
	char a[17], b[17];
	int r;

	if (read_record(sigpath, sig, SIGLEN, "signature") == -1 ||
	    read_record(pubpath, pub, PUBLEN, "public key") == -1)
		return (-1);
	if (memcmp(pub + 2, sig + 2, 8) != 0) {
		keynum_hex(sig + 2, a);
		keynum_hex(pub + 2, b);
		return (error_set("%s: signed with key %s, and %s is key %s",
		    name, a, pubpath, b));
	}
	if ((r = ed25519_verify(pub + 10, m, len, sig + 10)) == -1)
		return (error_wrap("%s", name));
	if (r == 0)
		return (error_set("%s: signature verification failed: the "
		    "file is not the one that was signed", name));
	return (0);
}

int
signify_verify(const char *pubpath, const char *file, const char *sigpath)
{
	const void *m;
	char *path;
	size_t len;
	int fd, r;

	path = default_sig(file, sigpath);
	if ((m = map_file(file, &len, &fd)) == NULL) {
		free(path);
		return (-1);
	}
	r = check(pubpath, path, file, m, len);
	unmap_file(m, len, fd);
	free(path);
	return (r);
}

int
signify_verify_fd(const char *pubpath, int fd, const char *name,
    const char *sigpath)
{
	struct stat st;
	void *m = NULL;
	size_t len;
	int r;

	if (fstat(fd, &st) == -1)
		return (error_sys("%s", name));
	if (!S_ISREG(st.st_mode))
		return (error_set("%s: not a regular file", name));
	len = (size_t)st.st_size;
	if (len > 0 && (m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0)) ==
	    MAP_FAILED)
		return (error_sys("%s: mmap", name));
	if (m != NULL)
		(void)madvise(m, len, MADV_SEQUENTIAL);
	r = check(pubpath, sigpath, name, m != NULL ? m : "", len);
	if (m != NULL)
		munmap(m, len);
	return (r);
}
