/*
 * The HTTP/1.1 server: one handler function sees a whole request
 * (headers, query, body already read and bounded) and fills a response.
 * The body limit and the read timeout are enforced here, so a slow or
 * huge client costs a feature nothing.  The handler runs on a worker
 * thread and must not block for long: park the connection with
 * http_defer() instead.  Responses get Date and Content-Length (framing
 * headers a handler sets are ignored); keep-alive and pipelining are
 * handled here.
 */
#ifndef STASIS_HTTP_H
#define STASIS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct http_kv {
	char	*name;
	char	*value;
};

struct http_request {
	const char	*method;
	const char	*url;		/* path, percent-decoded, no query */
	const char	*version;	/* "HTTP/1.1" */
	char		 remote_addr[64];	/* textual IP, no port */
	uint16_t	 remote_port;
	struct http_kv	*headers;	/* as received, in order */
	size_t		 nheaders;
	struct http_kv	*query;		/* decoded query arguments */
	size_t		 nquery;
	const char	*raw_query;	/* undecoded, after '?', or "" */
	const char	*body;		/* NUL-terminated for convenience */
	size_t		 body_len;
	const char	*client_cert_subject;	/* mTLS: verified peer, or NULL */
	void		*priv;		/* the glue's */
};

struct http_response {
	int		 status;	/* default 200 */
	struct strv	 headers;	/* "Name: value" lines */
	struct buf	 body;
};

/* Case-insensitive header lookup (first match); NULL if absent. */
const char	*http_header(const struct http_request *, const char *);
/* First query argument of that name; NULL if absent. */
const char	*http_query(const struct http_request *, const char *);
void		 http_set_header(struct http_response *, const char *name,
		    const char *value);

typedef void	(*http_handler_fn)(void *arg, struct http_request *,
		    struct http_response *);

struct http_server_opts {
	const char	*addr;		/* NULL or "": all addresses */
	int		 port;
	http_handler_fn	 handler;
	void		*arg;
	size_t		 max_body;	/* 413 past it; 0: 10 MiB */
	unsigned int	 timeout_s;	/* idle/read timeout; 0: 30 */
	unsigned int	 threads;	/* 0: number of CPUs */
	unsigned int	 max_conns;	/* 0: 1024 */
	const char	*cert_file;	/* TLS when set */
	const char	*key_file;
	const char	*client_ca_file;	/* mTLS: require a client cert
						   signed by this CA (PEM) */
	const char	*tls_min_version;	/* "1.0".."1.3"; NULL: 1.2 */
	const char	*tls_ciphers;	/* TLS <= 1.2 suites, comma-separated
					   IANA names (as Go takes them);
					   NULL: OpenSSL's defaults */
	const struct http_tls *tls;	/* loaded already (http_tls_load):
					   used instead of the files */
};

struct http_server;

struct http_server	*http_server_start(const struct http_server_opts *);
/* The port actually bound (useful with port 0). */
int			 http_server_port(struct http_server *);
void			 http_server_stop(struct http_server *);

/*
 * TLS read apart from a server (cert_file, key_file, client_ca_file,
 * tls_min_version and tls_ciphers of the options), so that a reload can
 * check renewed files before anything changes, then swap them in: new
 * connections get them, open ones keep what they were made with.
 */
struct http_tls;
struct http_tls	*http_tls_load(const struct http_server_opts *);
void		 http_tls_free(struct http_tls *);
/* "subject, valid until YYYY-MM-DD" of the certificate. */
void		 http_tls_summary(const struct http_tls *, char *, size_t);
/* Whether both hold the same certificate. */
int		 http_tls_same(const struct http_tls *,
		    const struct http_tls *);
/*
 * Whether this binary has TLS at all: stasis-hooks, linked without
 * OpenSSL's TLS, has not (http_tls_load then says so).
 */
int		 http_tls_available(void);
/* -1 (error_set) if the server was started without TLS. */
int		 http_server_set_tls(struct http_server *,
		    const struct http_tls *);

/*
 * Answer later: called inside the handler, it parks the connection (no
 * worker thread is held) and returns a token; the response is sent when
 * http_complete() is called, from any thread.  The request stays valid
 * until then.  The handler's own response argument is then ignored.
 */
struct http_pending;
struct http_pending	*http_defer(struct http_request *);
void			 http_complete(struct http_pending *,
			    struct http_response *);

void	http_response_init(struct http_response *);
void	http_response_free(struct http_response *);

/* Standard reason phrase for a status code ("Not Found"). */
const char	*http_reason(int);

#endif
