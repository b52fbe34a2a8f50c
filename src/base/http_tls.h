/*
 * Between http.c and http_tls.c, the HTTP server's only OpenSSL code.
 * http.c reaches TLS through this table, which it refers to weakly: a
 * binary linked without libssl (stasis-hooks, see the Makefile) then
 * serves plain HTTP and says that TLS is not in it, where a direct call
 * would pull all of libssl and libcrypto into the link.  Not for use
 * outside src/base/http*.c; the public interface is http.h.
 */
#ifndef STASIS_HTTP_TLS_H
#define STASIS_HTTP_TLS_H

#include <sys/types.h>

#include "http.h"

struct http_tls_ops {
	struct http_tls	*(*load)(const struct http_server_opts *);
	/* Another reference to the same context. */
	struct http_tls	*(*dup)(const struct http_tls *);
	void		 (*free)(struct http_tls *);
	void		 (*summary)(const struct http_tls *, char *, size_t);
	int		 (*same)(const struct http_tls *,
			    const struct http_tls *);
	/* A connection's TLS state on an accepted socket; NULL: none. */
	void		*(*conn_new)(const struct http_tls *, int fd);
	/* 1 done (*subject: the client certificate's, or NULL), 0 more
	   to come, -1 failed.  *want_write: wait to write, not read. */
	int		 (*handshake)(void *, char **subject, int *want_write);
	/* As read(2) and send(2); -1 with errno EAGAIN or EIO. */
	ssize_t		 (*read)(void *, void *, size_t, int *want_write);
	ssize_t		 (*write)(void *, const void *, size_t);
	void		 (*conn_free)(void *);
};

extern const struct http_tls_ops http_tls_ops;

#endif
