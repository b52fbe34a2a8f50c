/*
 * HTTP server glue over libmicrohttpd.
 *
 * MHD runs an epoll loop per thread of a pool; our handler is called once
 * per request with the whole body read.  Bodies are bounded (413 past the
 * limit, decided from Content-Length before anything is read when it is
 * given), connections are bounded in number and time, and a handler that
 * must wait (a command run) parks its connection with http_defer() instead
 * of holding a pool thread.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "buf.h"
#include "err.h"
#include "file.h"
#include "http.h"
#include "log.h"

#define DEFAULT_MAX_BODY	(10u << 20)
#define DEFAULT_TIMEOUT		30
#define DEFAULT_MAX_CONNS	1024
#define MAX_HEADERS		256
#define MAX_TLS_FILE		(1u << 20)

struct http_server {
	struct MHD_Daemon	*mhd;
	struct http_server_opts	 o;
	struct buf		 cert;
	struct buf		 key;
	struct buf		 ca;
};

struct http_pending {
	pthread_mutex_t		 mtx;
	int			 suspended;
	int			 completed;
};

/* Per-request state, from the URI callback to the completion callback. */
struct reqstate {
	struct http_server	*srv;
	struct MHD_Connection	*conn;
	char			*raw_url;
	struct buf		 body;
	int			 too_large;
	int			 handled;
	int			 deferred;
	struct http_pending	 pend;
	struct http_request	 req;
	struct http_response	 resp;
	char			*subject;
};

const char *
http_reason(int code)
{
	const char *r = MHD_get_reason_phrase_for((unsigned int)code);

	return (r != NULL && *r != '\0' ? r : "Unknown");
}

void
http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
}

void
http_response_free(struct http_response *r)
{
	strv_free(&r->headers);
	buf_free(&r->body);
}

void
http_set_header(struct http_response *r, const char *name,
    const char *value)
{
	size_t i, nl = strlen(name);

	for (i = 0; i < r->headers.n; i++) {
		if (strncasecmp(r->headers.v[i], name, nl) == 0 &&
		    r->headers.v[i][nl] == ':') {
			free(r->headers.v[i]);
			r->headers.v[i] = xasprintf("%s: %s", name, value);
			return;
		}
	}
	strv_pushf(&r->headers, "%s: %s", name, value);
}

const char *
http_header(const struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return (req->headers[i].value);
	return (NULL);
}

const char *
http_query(const struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].name, name) == 0)
			return (req->query[i].value);
	return (NULL);
}

struct kvcollect {
	struct http_kv	*kv;
	size_t		 n;
};

static enum MHD_Result
collect_kv(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct kvcollect *c = cls;

	if (c->n >= MAX_HEADERS)
		return (MHD_NO);
	c->kv = xrealloc(c->kv, (c->n + 1) * sizeof(*c->kv));
	c->kv[c->n].name = xstrdup(key);
	c->kv[c->n].value = xstrdup(value != NULL ? value : "");
	c->n++;
	return (MHD_YES);
}

static void
free_kv(struct http_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
	free(kv);
}

static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct reqstate *st = xcalloc(1, sizeof(*st));

	st->srv = cls;
	st->conn = conn;
	st->raw_url = xstrdup(uri != NULL ? uri : "/");
	pthread_mutex_init(&st->pend.mtx, NULL);
	http_response_init(&st->resp);
	return (st);
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct reqstate *st = *con_cls;

	if (st == NULL)
		return;
	buf_free(&st->body);
	free_kv(st->req.headers, st->req.nheaders);
	free_kv(st->req.query, st->req.nquery);
	http_response_free(&st->resp);
	pthread_mutex_destroy(&st->pend.mtx);
	free(st->subject);
	free(st->raw_url);
	free(st);
	*con_cls = NULL;
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, struct http_response *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t i, len = r->body.len;
	char *c;

	mr = MHD_create_response_from_buffer(len, len > 0 ? buf_steal(
	    &r->body) : (void *)"", len > 0 ? MHD_RESPMEM_MUST_FREE :
	    MHD_RESPMEM_PERSISTENT);
	if (mr == NULL)
		return (MHD_NO);
	for (i = 0; i < r->headers.n; i++) {
		char *h = xstrdup(r->headers.v[i]);

		if ((c = strchr(h, ':')) != NULL) {
			*c++ = '\0';
			while (*c == ' ')
				c++;
			MHD_add_response_header(mr, h, c);
		}
		free(h);
	}
	ret = MHD_queue_response(conn, (unsigned int)r->status, mr);
	MHD_destroy_response(mr);
	return (ret);
}

static enum MHD_Result
send_simple(struct MHD_Connection *conn, int status, const char *msg)
{
	struct http_response r;
	enum MHD_Result ret;

	http_response_init(&r);
	r.status = status;
	buf_addstr(&r.body, msg);
	http_set_header(&r, "Content-Type", "text/plain; charset=utf-8");
	ret = send_response(conn, &r);
	http_response_free(&r);
	return (ret);
}

/*
 * mTLS: MHD asks for a client certificate when given a trust list, but
 * leaves verifying it to us.
 */
static int
verify_client(struct reqstate *st)
{
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *certs;
	gnutls_session_t sess;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn;
	unsigned int status, n;

	ci = MHD_get_connection_info(st->conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || (sess = ci->tls_session) == NULL)
		return (-1);
	if (gnutls_certificate_verify_peers2(sess, &status) != 0 ||
	    status != 0)
		return (-1);
	if ((certs = gnutls_certificate_get_peers(sess, &n)) == NULL ||
	    n == 0)
		return (-1);
	if (gnutls_x509_crt_init(&crt) != 0)
		return (-1);
	if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) ==
	    0 && gnutls_x509_crt_get_dn2(crt, &dn) == 0) {
		st->subject = xstrndup((const char *)dn.data, dn.size);
		gnutls_free(dn.data);
	}
	gnutls_x509_crt_deinit(crt);
	return (0);
}

static void
fill_request(struct reqstate *st, const char *url, const char *method,
    const char *version)
{
	struct http_request *req = &st->req;
	const union MHD_ConnectionInfo *ci;
	struct kvcollect c;
	const char *q;
	char port[16];

	req->method = method;
	req->url = url;
	req->version = version;
	q = strchr(st->raw_url, '?');
	req->raw_query = q != NULL ? q + 1 : "";
	ci = MHD_get_connection_info(st->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		socklen_t sl = ci->client_addr->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

		if (getnameinfo(ci->client_addr, sl, req->remote_addr,
		    sizeof(req->remote_addr), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
			req->remote_port = (uint16_t)atoi(port);
		/* Report v4-mapped peers the way they connected. */
		if (strncmp(req->remote_addr, "::ffff:", 7) == 0 &&
		    strchr(req->remote_addr + 7, '.') != NULL)
			memmove(req->remote_addr, req->remote_addr + 7,
			    strlen(req->remote_addr + 7) + 1);
	}
	memset(&c, 0, sizeof(c));
	MHD_get_connection_values(st->conn, MHD_HEADER_KIND, collect_kv, &c);
	req->headers = c.kv;
	req->nheaders = c.n;
	memset(&c, 0, sizeof(c));
	MHD_get_connection_values(st->conn, MHD_GET_ARGUMENT_KIND,
	    collect_kv, &c);
	req->query = c.kv;
	req->nquery = c.n;
	req->body = buf_cstr(&st->body);
	req->body_len = st->body.len;
	req->client_cert_subject = st->subject;
	req->priv = st;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct reqstate *st = *con_cls;
	const char *cl;
	size_t max = srv->o.max_body;

	if (st == NULL)		/* no URI callback: cannot happen */
		return (MHD_NO);
	if (st->deferred) {
		/* Resumed: the answer is ready. */
		return (send_response(conn, &st->resp));
	}
	if (!st->handled && st->body.data == NULL && !st->too_large) {
		/* First call: headers only.  Refuse big bodies up front. */
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > max)
			st->too_large = 1;
		buf_grow(&st->body, 0);
		if (st->too_large)
			return (send_simple(conn, 413,
			    "Request body too large.\n"));
		return (MHD_YES);
	}
	if (*upload_size > 0) {
		if (st->too_large || st->body.len + *upload_size > max)
			st->too_large = 1;
		else
			buf_add(&st->body, upload_data, *upload_size);
		*upload_size = 0;
		return (MHD_YES);
	}
	if (st->too_large)
		return (send_simple(conn, 413, "Request body too large.\n"));
	if (st->handled)
		return (MHD_YES);
	st->handled = 1;

	if (srv->o.client_ca_file != NULL && verify_client(st) == -1)
		return (send_simple(conn, 403,
		    "A valid client certificate is required.\n"));
	fill_request(st, url, method, version);
	srv->o.handler(srv->o.arg, &st->req, &st->resp);
	if (!st->deferred)
		return (send_response(conn, &st->resp));

	pthread_mutex_lock(&st->pend.mtx);
	if (st->pend.completed) {
		pthread_mutex_unlock(&st->pend.mtx);
		return (send_response(conn, &st->resp));
	}
	MHD_suspend_connection(conn);
	st->pend.suspended = 1;
	pthread_mutex_unlock(&st->pend.mtx);
	return (MHD_YES);
}

struct http_pending *
http_defer(struct http_request *req)
{
	struct reqstate *st = req->priv;

	st->deferred = 1;
	return (&st->pend);
}

void
http_complete(struct http_pending *p, struct http_response *resp)
{
	struct reqstate *st = (struct reqstate *)((char *)p -
	    offsetof(struct reqstate, pend));

	pthread_mutex_lock(&p->mtx);
	http_response_free(&st->resp);
	st->resp = *resp;
	http_response_init(resp);
	p->completed = 1;
	if (p->suspended)
		MHD_resume_connection(st->conn);
	pthread_mutex_unlock(&p->mtx);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
}

struct http_server *
http_server_start(const struct http_server_opts *o)
{
	struct http_server *srv;
	struct addrinfo hints, *ai = NULL;
	struct MHD_OptionItem opts[16];
	unsigned int flags, threads;
	char portstr[16];
	int n = 0;

	srv = xcalloc(1, sizeof(*srv));
	srv->o = *o;
	if (srv->o.max_body == 0)
		srv->o.max_body = DEFAULT_MAX_BODY;
	if (srv->o.timeout_s == 0)
		srv->o.timeout_s = DEFAULT_TIMEOUT;
	if (srv->o.max_conns == 0)
		srv->o.max_conns = DEFAULT_MAX_CONNS;
	threads = srv->o.threads;
	if (threads == 0) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);

		threads = nc > 0 ? (unsigned int)nc : 1;
	}

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (o->cert_file != NULL) {
		if (file_read(o->cert_file, MAX_TLS_FILE, &srv->cert) == -1 ||
		    file_read(o->key_file != NULL ? o->key_file : "",
		    MAX_TLS_FILE, &srv->key) == -1 ||
		    (o->client_ca_file != NULL && file_read(o->client_ca_file,
		    MAX_TLS_FILE, &srv->ca) == -1)) {
			error_wrap("TLS");
			goto fail;
		}
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
		    0, (void *)buf_cstr(&srv->cert) };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
		    0, (void *)buf_cstr(&srv->key) };
		if (o->client_ca_file != NULL)
			opts[n++] = (struct MHD_OptionItem){
			    MHD_OPTION_HTTPS_MEM_TRUST, 0,
			    (void *)buf_cstr(&srv->ca) };
	}
	if (o->addr != NULL && o->addr[0] != '\0') {
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
		snprintf(portstr, sizeof(portstr), "%d", o->port);
		if (getaddrinfo(o->addr, portstr, &hints, &ai) != 0) {
			error_set("listen address '%s' is not an IP address",
			    o->addr);
			goto fail;
		}
		if (ai->ai_family == AF_INET6)
			flags |= MHD_USE_IPv6;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
		    ai->ai_addr };
	} else
		flags |= MHD_USE_DUAL_STACK;
	if (threads > 1)
		opts[n++] = (struct MHD_OptionItem){
		    MHD_OPTION_THREAD_POOL_SIZE, threads, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
	    srv->o.timeout_s, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
	    srv->o.max_conns, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    1024, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	srv->mhd = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL,
	    access_cb, srv,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_cb, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
	    MHD_OPTION_ARRAY, opts,
	    MHD_OPTION_END);
	if (ai != NULL)
		freeaddrinfo(ai);
	ai = NULL;
	if (srv->mhd == NULL) {
		error_set("cannot listen on %s port %d (in use, or no "
		    "permission%s)", o->addr && *o->addr ? o->addr : "*",
		    o->port, o->cert_file ? ", or a bad certificate/key" : "");
		goto fail;
	}
	return (srv);
fail:
	if (ai != NULL)
		freeaddrinfo(ai);
	buf_free(&srv->cert);
	buf_free(&srv->key);
	buf_free(&srv->ca);
	free(srv);
	return (NULL);
}

int
http_server_port(struct http_server *srv)
{
	const union MHD_DaemonInfo *di;

	di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return (di != NULL ? di->port : -1);
}

void
http_server_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->mhd);
	buf_free(&srv->cert);
	buf_free(&srv->key);
	buf_free(&srv->ca);
	free(srv);
}
