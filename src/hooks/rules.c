/*
 * Trigger rules, evaluated as webhook evaluates them, errors included:
 * a missing parameter is a "not satisfied", but a signature that does
 * not verify is an error that webhook answers with a 500, unless an
 * "or" with trigger-signature-soft-failures swallows it.  Signatures
 * and values are compared in constant time.
 */
#include <arpa/inet.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The low-level digests: no provider to load, a few KiB of code. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "base/encode.h"
#include "hooks_int.h"

/*
 * HMAC (RFC 2104) keyed once at load: the digest states after the key
 * XOR ipad and XOR opad blocks are kept, so a request costs two short
 * digests and no allocation.
 */
struct mac {
	int		 alg;		/* 1, 256, 512 */
	union {
		SHA_CTX		s1;
		SHA256_CTX	s256;
		SHA512_CTX	s512;
	} in, out;
};

static void
md_init(int alg, void *c)
{
	if (alg == 1)
		SHA1_Init(c);
	else if (alg == 256)
		SHA256_Init(c);
	else
		SHA512_Init(c);
}

static void
md_update(int alg, void *c, const void *d, size_t n)
{
	if (alg == 1)
		SHA1_Update(c, d, n);
	else if (alg == 256)
		SHA256_Update(c, d, n);
	else
		SHA512_Update(c, d, n);
}

static size_t
md_final(int alg, void *c, unsigned char *out)
{
	if (alg == 1) {
		SHA1_Final(out, c);
		return (SHA_DIGEST_LENGTH);
	}
	if (alg == 256) {
		SHA256_Final(out, c);
		return (SHA256_DIGEST_LENGTH);
	}
	SHA512_Final(out, c);
	return (SHA512_DIGEST_LENGTH);
}

static void
mac_key(struct mac *m, int alg, const char *key)
{
	unsigned char k[128], pad[128];
	size_t bs, klen = strlen(key), i;

	m->alg = alg;
	bs = alg == 512 ? 128 : 64;
	memset(k, 0, sizeof(k));
	if (klen > bs) {
		md_init(alg, &m->in);
		md_update(alg, &m->in, key, klen);
		md_final(alg, &m->in, k);
	} else
		memcpy(k, key, klen);
	for (i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x36;
	md_init(alg, &m->in);
	md_update(alg, &m->in, pad, bs);
	for (i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x5c;
	md_init(alg, &m->out);
	md_update(alg, &m->out, pad, bs);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
}

/* "SHA1"/"sha1", "SHA256"/"sha256", anything else: SHA-512. */
static int
mac_alg(const char *alg)
{
	return (strcasecmp(alg, "SHA1") == 0 ? 1 :
	    strcasecmp(alg, "SHA256") == 0 ? 256 : 512);
}

void *
mac_new(const char *alg, const char *key)
{
	struct mac *m = xcalloc(1, sizeof(*m));

	mac_key(m, mac_alg(alg), key);
	return (m);
}

void
mac_free(void *m)
{
	if (m != NULL) {
		explicit_bzero(m, sizeof(struct mac));
		free(m);
	}
}

/* The HMAC of data in lower-case hex, from a keyed state it copies. */
static void
mac_hex(const void *tmpl, const char *data, size_t len, char *hex)
{
	const struct mac *t = tmpl;
	struct mac m = *t;
	unsigned char d[64];
	size_t n;

	md_update(m.alg, &m.in, data, len);
	n = md_final(m.alg, &m.in, d);
	md_update(m.alg, &m.out, d, n);
	n = md_final(m.alg, &m.out, d);
	hex_encode(d, n, hex);
	explicit_bzero(&m, sizeof(m));
	explicit_bzero(d, sizeof(d));
}

/*
 * Go's net.ParseIP of what webhook extracts from "ip:port": strip spaces
 * and brackets, cut at the last colon, strip again.
 */
int
ip_in_cidrs(const char *remote, const struct cidr *c, size_t n)
{
	char ip[80], *colon, *s;
	unsigned char a[16];
	int fam, bits, i;
	size_t k;

	str_lcpy(ip, remote, sizeof(ip));
	s = ip + strspn(ip, " []");
	for (char *e = s + strlen(s); e > s && strchr(" []", e[-1]); )
		*--e = '\0';
	if ((colon = strrchr(s, ':')) != NULL) {
		*colon = '\0';
		for (char *e = s + strlen(s); e > s && strchr(" []", e[-1]); )
			*--e = '\0';
		s += strspn(s, " []");
	}
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, s, a) == 1)
		fam = 6;
	else
		return (-1);
	for (k = 0; k < n; k++) {
		const unsigned char *x = a;
		unsigned char mapped[4];

		/* Go compares an IPv4 range with a v4-mapped address. */
		if (c[k].family == 4 && fam == 6) {
			static const unsigned char pfx[12] = { 0, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0xff, 0xff };

			if (memcmp(a, pfx, 12) != 0)
				continue;
			memcpy(mapped, a + 12, 4);
			x = mapped;
		} else if (c[k].family != fam)
			continue;
		bits = c[k].bits;
		for (i = 0; bits > 0; i++, bits -= 8) {
			unsigned char m = bits >= 8 ? 0xff :
			    (unsigned char)(0xff << (8 - bits));

			if ((x[i] & m) != (c[k].addr[i] & m))
				break;
		}
		if (bits <= 0)
			return (1);
	}
	return (0);
}

/*
 * webhook's ExtractSignatures + ValidateMAC: with a comma, only the
 * parts carrying the prefix count; without one, the prefix is optional.
 */
static int
sig_matches(const char *hex, const char *prefix, const char *sig)
{
	const char *p, *e;
	size_t plen = strlen(prefix);
	int ok = 0;

	if (strchr(sig, ',') == NULL) {
		if (strncmp(sig, prefix, plen) == 0)
			sig += plen;
		return (ct_equal(sig, strlen(sig), hex, strlen(hex)));
	}
	for (p = sig; ; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) >= plen && strncmp(p, prefix, plen) == 0)
			ok |= ct_equal(p + plen, (size_t)(e - p) - plen, hex,
			    strlen(hex));
		if (*e == '\0')
			break;
	}
	return (ok);
}

int
check_signature(const char *alg, const char *prefix, const char *body,
    size_t len, const char *secret, const char *sig)
{
	struct mac m;
	char hex[64 * 2 + 1];

	mac_key(&m, mac_alg(alg), secret);
	mac_hex(&m, body, len, hex);
	explicit_bzero(&m, sizeof(m));
	return (sig_matches(hex, prefix, sig));
}

/* Go's time.Parse("Mon 02 Jan 2006 15:04:05 MST"), roughly. */
static int
scalr_date_ok(const char *date)
{
	struct tm tm;
	const char *end;
	time_t t, now = time(NULL);

	memset(&tm, 0, sizeof(tm));
	end = strptime(date, "%a %d %b %Y %H:%M:%S ", &tm);
	if (end == NULL || *end == '\0')
		return (-1);
	t = timegm(&tm);
	return ((t > now ? t - now : now - t) <= 300);
}

static int
scalr(const struct rule *r, struct hreq *q, int *err)
{
	json_t *sig = json_object_get(hreq_headers(q), "X-Signature");
	json_t *date = json_object_get(hreq_headers(q), "Date");
	char hex[64 * 2 + 1];
	struct buf b = BUF_INIT;
	const char *s;
	int ok;

	if (!json_is_string(sig) || !json_is_string(date))
		return (0);
	buf_add(&b, q->body ? q->body : "", q->body_len);
	buf_addstr(&b, json_string_value(date));
	mac_hex(r->mac, buf_cstr(&b), b.len, hex);
	buf_free(&b);
	s = json_string_value(sig);
	if (!ct_equal(s, strlen(s), hex, strlen(hex))) {
		*err = RULE_ERR_SIG;
		return (0);
	}
	ok = scalr_date_ok(json_string_value(date));
	if (ok != 1) {
		*err = ok == 0 ? RULE_ERR_SIG : RULE_ERR_OTHER;
		return (0);
	}
	return (1);
}

/*
 * PCRE2 backtracks where Go's RE2 (webhook's) cannot, so an operator's
 * pattern that backtracks badly must not let a request's value (up to
 * the body limit) buy seconds of CPU.  A million steps is far more than
 * a pattern for a ref, a name or a header needs, and milliseconds at
 * most; past it the value does not match.
 */
#define REGEX_MATCH_LIMIT	1000000

static pcre2_match_context *mctx;
static pthread_once_t mctx_once = PTHREAD_ONCE_INIT;

static void
mctx_init(void)
{
	if ((mctx = pcre2_match_context_create(NULL)) != NULL) {
		pcre2_set_match_limit(mctx, REGEX_MATCH_LIMIT);
		pcre2_set_depth_limit(mctx, REGEX_MATCH_LIMIT);
	}
}

static int
match(const struct rule *r, struct hreq *q, int *err)
{
	pcre2_match_data *md;
	char *arg;
	int rc, res = 0;

	if (r->mkind == M_IPWL) {
		rc = ip_in_cidrs(q->remote, r->cidrs, r->ncidrs);
		if (rc == -1)
			*err = RULE_ERR_OTHER;
		return (rc == 1);
	}
	if (r->mkind == M_SCALR)
		return (scalr(r, q, err));
	if (harg_get(&r->param, q, &arg) == -1) {
		*err = RULE_ERR_PARAM;
		return (0);
	}
	switch (r->mkind) {
	case M_VALUE:
		res = ct_equal(arg, strlen(arg), r->value, strlen(r->value));
		break;
	case M_REGEX:
		pthread_once(&mctx_once, mctx_init);
		md = pcre2_match_data_create_from_pattern(r->re, NULL);
		rc = pcre2_match(r->re, (PCRE2_SPTR)arg, strlen(arg), 0, 0,
		    md, mctx);
		pcre2_match_data_free(md);
		/* A bad UTF-8 subject or a blown match limit: no match. */
		res = rc >= 0;
		break;
	case M_HMAC1:
	case M_HMAC256:
	case M_HMAC512:
	{
		/* webhook's ExtractSignatures + ValidateMAC. */
		char hex[64 * 2 + 1];

		mac_hex(r->mac, q->body ? q->body : "", q->body_len, hex);
		res = sig_matches(hex, r->mkind == M_HMAC1 ?
		    "sha1=" : r->mkind == M_HMAC256 ? "sha256=" : "sha512=",
		    arg);
	}
		if (!res)
			*err = RULE_ERR_SIG;
		break;
	default:
		break;
	}
	free(arg);
	return (res);
}

int
rule_eval(const struct rule *r, struct hreq *q, int *err, int depth)
{
	size_t i;
	int rv, e;

	*err = 0;
	if (r == NULL || depth > HOOKS_MAX_DEPTH)
		return (0);
	switch (r->kind) {
	case RULE_AND:
		for (i = 0; i < r->nkids; i++) {
			rv = rule_eval(&r->kids[i], q, &e, depth + 1);
			if (e) {
				*err = e;
				return (0);
			}
			if (!rv)
				return (0);
		}
		return (1);
	case RULE_OR:
		for (i = 0; i < r->nkids; i++) {
			rv = rule_eval(&r->kids[i], q, &e, depth + 1);
			if (e && e != RULE_ERR_PARAM && !(q->soft_failures &&
			    e == RULE_ERR_SIG)) {
				*err = e;
				return (0);
			}
			if (rv)
				return (1);
		}
		return (0);
	case RULE_NOT:
		rv = rule_eval(&r->kids[0], q, err, depth + 1);
		return (!rv);
	case RULE_MATCH:
		return (match(r, q, err));
	default:
		return (0);
	}
}
