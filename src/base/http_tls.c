/*
 * TLS for the HTTP server, through OpenSSL; http.c calls it through
 * http_tls_ops (see http_tls.h for why).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "err.h"
#include "http_tls.h"
#include "log.h"

struct http_tls {
	SSL_CTX	*ctx;
};

/* The minimum version and TLS 1.2 suites, named as Go names them. */
static int
tls_setup(SSL_CTX *ctx, const struct http_server_opts *o)
{
	static const struct { const char *s; int v; } vers[] = {
		{ "1.0", TLS1_VERSION }, { "1.1", TLS1_1_VERSION },
		{ "1.2", TLS1_2_VERSION }, { "1.3", TLS1_3_VERSION },
	};
	struct buf list = BUF_INIT;
	const char *p, *e, *name;
	char std[128];
	size_t i;
	int v = 0;

	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++)
		if (o->tls_min_version != NULL &&
		    strcmp(o->tls_min_version, vers[i].s) == 0)
			v = vers[i].v;
	if (o->tls_min_version != NULL && v == 0)
		return (error_set("TLS: unknown minimum version \"%s\" (1.0, "
		    "1.1, 1.2, 1.3)", o->tls_min_version));
	SSL_CTX_set_min_proto_version(ctx, v ? v : TLS1_2_VERSION);
	if (o->tls_ciphers == NULL || o->tls_ciphers[0] == '\0')
		return (0);
	for (p = o->tls_ciphers;; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		snprintf(std, sizeof(std), "%.*s", (int)(e - p), p);
		if ((name = OPENSSL_cipher_name(std)) == NULL ||
		    strcmp(name, "(NONE)") == 0) {
			buf_free(&list);
			return (error_set("TLS: unknown cipher suite \"%s\"",
			    std));
		}
		buf_printf(&list, "%s%s", list.len ? ":" : "", name);
		if (*e == '\0')
			break;
	}
	if (SSL_CTX_set_cipher_list(ctx, buf_cstr(&list)) != 1) {
		buf_free(&list);
		return (error_set("TLS: no usable cipher suite in \"%s\"",
		    o->tls_ciphers));
	}
	buf_free(&list);
	return (0);
}

static SSL_CTX *
tls_context(const struct http_server_opts *o)
{
	SSL_CTX *ctx;
	unsigned long e;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		goto fail;
	if (tls_setup(ctx, o) == -1) {
		SSL_CTX_free(ctx);
		return (NULL);
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	    SSL_MODE_ENABLE_PARTIAL_WRITE);
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
		e = ERR_get_error();
		error_set("TLS certificate %s: %s", o->cert_file,
		    ERR_reason_error_string(e));
		SSL_CTX_free(ctx);
		return (NULL);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, o->key_file != NULL ?
	    o->key_file : o->cert_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		e = ERR_get_error();
		error_set("TLS key %s: %s", o->key_file ? o->key_file :
		    o->cert_file, ERR_reason_error_string(e));
		SSL_CTX_free(ctx);
		return (NULL);
	}
	if (o->client_ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, o->client_ca_file,
		    NULL) != 1) {
			e = ERR_get_error();
			error_set("TLS client CA %s: %s", o->client_ca_file,
			    ERR_reason_error_string(e));
			SSL_CTX_free(ctx);
			return (NULL);
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return (ctx);
fail:
	error_set("TLS: cannot create a context");
	return (NULL);
}

static struct http_tls *
tls_load(const struct http_server_opts *o)
{
	struct http_tls *t;
	SSL_CTX *ctx;

	if (o->cert_file == NULL) {
		error_set("TLS: no certificate file");
		return (NULL);
	}
	if ((ctx = tls_context(o)) == NULL)
		return (NULL);
	t = xmalloc(sizeof(*t));
	t->ctx = ctx;
	return (t);
}

static struct http_tls *
tls_dup(const struct http_tls *t)
{
	struct http_tls *d = xmalloc(sizeof(*d));

	SSL_CTX_up_ref(t->ctx);
	d->ctx = t->ctx;
	return (d);
}

static void
tls_free(struct http_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

static void
tls_summary(const struct http_tls *t, char *out, size_t len)
{
	X509 *x = SSL_CTX_get0_certificate(t->ctx);
	const ASN1_TIME *na;
	struct tm tm;
	char subj[256];

	if (x == NULL) {
		snprintf(out, len, "no certificate");
		return;
	}
	X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof(subj));
	na = X509_get0_notAfter(x);
	if (na != NULL && ASN1_TIME_to_tm(na, &tm) == 1)
		snprintf(out, len, "%s, valid until %04d-%02d-%02d", subj,
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	else
		snprintf(out, len, "%s", subj);
}

static int
tls_same(const struct http_tls *a, const struct http_tls *b)
{
	X509 *x = SSL_CTX_get0_certificate(a->ctx);
	X509 *y = SSL_CTX_get0_certificate(b->ctx);

	return (x != NULL && y != NULL && X509_cmp(x, y) == 0);
}

/* SSL_new takes its own reference on the context. */
static void *
tls_conn_new(const struct http_tls *t, int fd)
{
	SSL *ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL)
		return (NULL);
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return (NULL);
	}
	return (ssl);
}

static int
tls_handshake(void *p, char **subject, int *want_write)
{
	SSL *ssl = p;
	X509 *peer;
	int r, e;

	*subject = NULL;
	ERR_clear_error();
	if ((r = SSL_accept(ssl)) == 1) {
		if ((peer = SSL_get1_peer_certificate(ssl)) != NULL) {
			char *s = X509_NAME_oneline(X509_get_subject_name(peer),
			    NULL, 0);

			*subject = s != NULL ? xstrdup(s) : NULL;
			OPENSSL_free(s);
			X509_free(peer);
		}
		return (1);
	}
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return (0);
	if (e == SSL_ERROR_WANT_WRITE) {
		*want_write = 1;
		return (0);
	}
	return (-1);
}

static ssize_t
tls_read(void *p, void *data, size_t n, int *want_write)
{
	SSL *ssl = p;
	int r, e;

	ERR_clear_error();
	if ((r = SSL_read(ssl, data, (int)(n > INT_MAX ? INT_MAX : n))) > 0)
		return (r);
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		errno = EAGAIN;
		return (-1);
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		*want_write = 1;
		errno = EAGAIN;
		return (-1);
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return (0);
	errno = EIO;
	return (-1);
}

static ssize_t
tls_write(void *p, const void *data, size_t n)
{
	SSL *ssl = p;
	int r, e;

	ERR_clear_error();
	if ((r = SSL_write(ssl, data, (int)(n > INT_MAX ? INT_MAX : n))) > 0)
		return (r);
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
		errno = EAGAIN;
		return (-1);
	}
	errno = EIO;
	return (-1);
}

static void
tls_conn_free(void *p)
{
	SSL_free(p);
}

const struct http_tls_ops http_tls_ops = {
	tls_load, tls_dup, tls_free, tls_summary, tls_same,
	tls_conn_new, tls_handshake, tls_read, tls_write, tls_conn_free,
};
