/*
 * The HTTP/1.1 server: one epoll loop per worker thread, each with its own
 * SO_REUSEPORT listening socket so the kernel spreads connections without
 * a shared accept lock.  libmicrohttpd did this job first; on this
 * machine it answered 195k requests/s per core where the hooks daemon
 * needs 3x webhook's 90k, and it brought GnuTLS's start-up cost into
 * every process, so we keep the part we need (keep-alive, pipelining,
 * bounded bodies, chunked uploads, 100-continue, TLS through OpenSSL
 * in http_tls.c) here.  See docs/ARCHITECTURE.md.
 *
 * A connection belongs to one worker for its life; only http_complete()
 * crosses threads, through the worker's completion queue and eventfd.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "http_parse.h"
#include "http_tls.h"
#include "log.h"

/* http_tls.c, when the binary has it (see http_tls.h). */
#pragma weak http_tls_ops
#define TLS	(&http_tls_ops)

#define DEFAULT_MAX_BODY	(10u << 20)
#define DEFAULT_TIMEOUT		30
#define DEFAULT_MAX_CONNS	1024
#define READ_CHUNK		16384
#define MAX_QUERY_ARGS		128
#define MAX_EVENTS		128
/*
 * Output a client has not read yet, past which its connection is neither
 * read nor answered until it reads: a client that pipelines requests
 * and never reads the answers would otherwise make us hold every one.
 */
#define WBUF_HIGH		(256u << 10)

enum cstate { C_HANDSHAKE, C_HEAD, C_BODY, C_PARKED, C_CLOSING };

struct worker;

struct conn {
	struct worker		*w;
	struct conn		*prev, *next;	/* worker's list */
	struct conn		*qnext;		/* completion queue */
	int			 fd;
	void			*tls;		/* http_tls.c's, or NULL */
	enum cstate		 state;
	uint32_t		 events;	/* registered with epoll */
	int			 tls_want_write;
	int			 unreg;		/* out of epoll while parked */
	int			 held;		/* requests held back: see
						   WBUF_HIGH */
	time_t			 deadline;
	struct buf		 rbuf;
	size_t			 roff;
	struct buf		 wbuf;
	size_t			 woff;
	struct http_head	 head;
	struct buf		 body;
	struct http_dechunk	 dc;
	struct buf		 qstore;
	struct http_kv		 query[MAX_QUERY_ARGS];
	struct http_request	 req;
	struct http_response	 resp;
	char			 addr[64];
	uint16_t		 port;
	char			*subject;
	/* Deferred answers. */
	pthread_mutex_t		 mtx;
	int			 deferred;
	int			 completed;
	int			 orphan;
};

struct http_pending {
	struct conn	c;	/* the token is the connection itself */
};

struct worker {
	struct http_server	*srv;
	pthread_t		 thr;
	int			 ep;
	int			 lfd;
	int			 evfd;
	struct conn		*conns;
	pthread_mutex_t		 qmtx;
	struct conn		*queue;
	char			 date[64];
	time_t			 date_t;
};

struct http_server {
	struct http_server_opts	 o;
	struct worker		*w;
	unsigned int		 nw;
	int			 port;
	struct http_tls		*tls;		/* under ctxmtx (reload) */
	pthread_mutex_t		 ctxmtx;
	atomic_int		 nconns;
	atomic_int		 stop;
};

const char *
http_reason(int code)
{
	switch (code) {
	case 100: return ("Continue");
	case 200: return ("OK");
	case 201: return ("Created");
	case 202: return ("Accepted");
	case 204: return ("No Content");
	case 301: return ("Moved Permanently");
	case 302: return ("Found");
	case 304: return ("Not Modified");
	case 400: return ("Bad Request");
	case 401: return ("Unauthorized");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 405: return ("Method Not Allowed");
	case 408: return ("Request Timeout");
	case 409: return ("Conflict");
	case 411: return ("Length Required");
	case 412: return ("Precondition Failed");
	case 413: return ("Request Entity Too Large");
	case 415: return ("Unsupported Media Type");
	case 417: return ("Expectation Failed");
	case 429: return ("Too Many Requests");
	case 431: return ("Request Header Fields Too Large");
	case 500: return ("Internal Server Error");
	case 501: return ("Not Implemented");
	case 502: return ("Bad Gateway");
	case 503: return ("Service Unavailable");
	case 504: return ("Gateway Timeout");
	case 505: return ("HTTP Version Not Supported");
	default: return ("Unknown");
	}
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
	r->status = 200;
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

/* I/O, plain or TLS.  Returns bytes, 0 at EOF, -1 with errno. */
static ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	if (c->tls == NULL)
		return (read(c->fd, p, n));
	return (TLS->read(c->tls, p, n, &c->tls_want_write));
}

static ssize_t
conn_write(struct conn *c, const void *p, size_t n)
{
	if (c->tls == NULL)
		return (send(c->fd, p, n, MSG_NOSIGNAL));
	return (TLS->write(c->tls, p, n));
}

static void
conn_free(struct conn *c)
{
	if (c->tls != NULL)
		TLS->conn_free(c->tls);
	buf_free(&c->rbuf);
	buf_free(&c->wbuf);
	buf_free(&c->head.block);
	buf_free(&c->body);
	buf_free(&c->qstore);
	http_response_free(&c->resp);
	free(c->subject);
	pthread_mutex_destroy(&c->mtx);
	free(c);
}

static void
conn_close(struct conn *c)
{
	struct worker *w = c->w;

	if (!c->unreg)
		epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	atomic_fetch_sub(&w->srv->nconns, 1);
	conn_free(c);
}

static int
out_full(const struct conn *c)
{
	return (c->wbuf.len - c->woff > WBUF_HIGH);
}

static void
set_events(struct conn *c)
{
	struct epoll_event ev;
	uint32_t want = EPOLLRDHUP;

	/*
	 * A parked connection leaves epoll altogether: level-triggered
	 * hang-up events would otherwise spin while the command runs.  A
	 * client that half-closed still gets its answer when it comes.
	 */
	if (c->state == C_PARKED) {
		if (!c->unreg)
			epoll_ctl(c->w->ep, EPOLL_CTL_DEL, c->fd, NULL);
		c->unreg = 1;
		c->events = 0;
		return;
	}
	if (c->state != C_CLOSING && !out_full(c))
		want |= EPOLLIN;
	if (c->woff < c->wbuf.len || c->tls_want_write)
		want |= EPOLLOUT;
	if (c->state == C_HANDSHAKE)
		want |= EPOLLIN;
	if (want == c->events && !c->unreg)
		return;
	ev.events = want;
	ev.data.ptr = c;
	epoll_ctl(c->w->ep, c->unreg ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd,
	    &ev);
	c->unreg = 0;
	c->events = want;
}

static const char *
date_header(struct worker *w)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != w->date_t) {
		gmtime_r(&now, &tm);
		strftime(w->date, sizeof(w->date),
		    "%a, %d %b %Y %H:%M:%S GMT", &tm);
		w->date_t = now;
	}
	return (w->date);
}

static void
serialize(struct conn *c, struct http_response *r, int head_only,
    int close_after)
{
	struct buf *b = &c->wbuf;
	size_t i;
	int nobody = r->status < 200 || r->status == 204 || r->status == 304;

	buf_printf(b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", r->status,
	    http_reason(r->status), date_header(c->w));
	for (i = 0; i < r->headers.n; i++) {
		/* We own framing: a handler cannot break it. */
		if (strncasecmp(r->headers.v[i], "Content-Length:", 15) == 0 ||
		    strncasecmp(r->headers.v[i], "Transfer-Encoding:", 18) ==
		    0 || strncasecmp(r->headers.v[i], "Connection:", 11) == 0)
			continue;
		if (strpbrk(r->headers.v[i], "\r\n") != NULL)
			continue;
		buf_addstr(b, r->headers.v[i]);
		buf_add(b, "\r\n", 2);
	}
	if (!nobody)
		buf_printf(b, "Content-Length: %zu\r\n", r->body.len);
	if (close_after)
		buf_add(b, "Connection: close\r\n", 19);
	buf_add(b, "\r\n", 2);
	if (!nobody && !head_only)
		buf_add(b, r->body.data != NULL ? r->body.data : "",
		    r->body.len);
}

static void
simple_error(struct conn *c, int status, const char *msg)
{
	struct http_response r;

	http_response_init(&r);
	r.status = status;
	http_set_header(&r, "Content-Type", "text/plain; charset=utf-8");
	buf_addstr(&r.body, msg);
	serialize(c, &r, 0, 1);
	http_response_free(&r);
	c->state = C_CLOSING;
}

/* Write what is queued; returns -1 when the connection must go. */
static int
flush(struct conn *c)
{
	ssize_t n;

	while (c->woff < c->wbuf.len) {
		n = conn_write(c, c->wbuf.data + c->woff, c->wbuf.len -
		    c->woff);
		if (n > 0) {
			c->woff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		return (-1);
	}
	/*
	 * Nothing waits to be written: give the memory back, so that an
	 * idle keep-alive connection holds no buffers (one worker reuses the
	 * same freed chunk for the next connection it serves).
	 */
	buf_free(&c->wbuf);
	c->woff = 0;
	if (c->state == C_CLOSING)
		return (-1);
	return (0);
}

static void
start_request(struct conn *c)
{
	c->state = C_HEAD;
	buf_free(&c->body);	/* a big upload's buffer is not kept */
	memset(&c->dc, 0, sizeof(c->dc));
	http_response_free(&c->resp);
	c->deferred = c->completed = 0;
	c->deadline = time(NULL) + c->w->srv->o.timeout_s;
}

static void
finish_response(struct conn *c)
{
	int keep = c->head.keepalive && !atomic_load(&c->w->srv->stop);

	serialize(c, &c->resp, strcmp(c->head.method, "HEAD") == 0, !keep);
	http_response_free(&c->resp);
	if (keep)
		start_request(c);
	else
		c->state = C_CLOSING;
}

static void
dispatch(struct conn *c)
{
	struct http_server *srv = c->w->srv;
	struct http_request *q = &c->req;

	memset(q, 0, sizeof(*q));
	q->method = c->head.method;
	q->url = c->head.path;
	q->version = c->head.version;
	memcpy(q->remote_addr, c->addr, sizeof(q->remote_addr));
	q->remote_port = c->port;
	q->headers = c->head.headers;
	q->nheaders = c->head.nheaders;
	q->raw_query = c->head.query;
	q->nquery = http_parse_query(c->head.query, &c->qstore, c->query,
	    MAX_QUERY_ARGS);
	q->query = c->query;
	q->body = buf_cstr(&c->body);
	q->body_len = c->body.len;
	q->client_cert_subject = c->subject;
	q->priv = c;
	http_response_init(&c->resp);
	srv->o.handler(srv->o.arg, q, &c->resp);
	if (c->deferred) {
		pthread_mutex_lock(&c->mtx);
		if (!c->completed) {
			c->state = C_PARKED;
			c->deadline = 0;
			pthread_mutex_unlock(&c->mtx);
			return;
		}
		pthread_mutex_unlock(&c->mtx);
	}
	finish_response(c);
}

/* Run the request state machine over what has been read. */
static void
process(struct conn *c)
{
	size_t avail, used;
	int r, status;

	while (c->state == C_HEAD || c->state == C_BODY) {
		avail = c->rbuf.len - c->roff;
		if (c->state == C_HEAD) {
			if (avail == 0)
				break;
			if (out_full(c)) {
				c->held = 1;
				break;
			}
			r = http_parse_head(c->rbuf.data + c->roff, avail,
			    &c->head, &status);
			if (r == 0)
				break;
			if (r < 0) {
				simple_error(c, status, status == 431 ?
				    "Request header too large.\n" :
				    "Bad request.\n");
				return;
			}
			c->roff += (size_t)r;
			if (c->head.content_length >
			    (long long)c->w->srv->o.max_body) {
				simple_error(c, 413,
				    "Request body too large.\n");
				return;
			}
			if (c->head.expect_continue && (c->head.chunked ||
			    c->head.content_length > 0) &&
			    c->roff == c->rbuf.len)
				buf_addstr(&c->wbuf,
				    "HTTP/1.1 100 Continue\r\n\r\n");
			c->state = C_BODY;
			continue;
		}
		/* C_BODY */
		if (c->head.chunked) {
			r = http_dechunk(&c->dc, c->rbuf.data + c->roff, avail,
			    &c->body, c->w->srv->o.max_body, &used);
			c->roff += used;
			if (r == -1) {
				simple_error(c, 400, "Bad chunked body.\n");
				return;
			}
			if (r == -2) {
				simple_error(c, 413,
				    "Request body too large.\n");
				return;
			}
			if (r == 0)
				break;
		} else if (c->head.content_length > 0) {
			size_t want = (size_t)c->head.content_length -
			    c->body.len;

			used = avail < want ? avail : want;
			buf_add(&c->body, c->rbuf.data + c->roff, used);
			c->roff += used;
			if (c->body.len < (size_t)c->head.content_length)
				break;
		}
		dispatch(c);
	}
	/* Keep the unread rest (pipelined requests) at the front. */
	if (c->roff > 0) {
		memmove(c->rbuf.data, c->rbuf.data + c->roff, c->rbuf.len -
		    c->roff);
		c->rbuf.len -= c->roff;
		c->roff = 0;
	}
}

static int
tls_handshake(struct conn *c)
{
	int r;

	if ((r = TLS->handshake(c->tls, &c->subject, &c->tls_want_write)) ==
	    1)
		start_request(c);
	else if (r == -1)
		log_debug("http: TLS handshake with %s failed", c->addr);
	return (r == -1 ? -1 : 0);
}

static void
on_event(struct conn *c, uint32_t ev)
{
	ssize_t n;
	int reads = 0;

	c->tls_want_write = 0;
	if (c->state == C_HANDSHAKE) {
		if (tls_handshake(c) == -1) {
			conn_close(c);
			return;
		}
		if (c->state == C_HANDSHAKE) {
			set_events(c);
			return;
		}
	}
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) &&
	    c->state != C_CLOSING && !out_full(c)) {
		for (;;) {
			/* Bound the buffer: head or body, never past limits. */
			if (c->rbuf.len > HTTP_MAX_HEAD +
			    c->w->srv->o.max_body + 65536)
				break;
			buf_grow(&c->rbuf, READ_CHUNK - 1);
			n = conn_read(c, c->rbuf.data + c->rbuf.len,
			    c->rbuf.cap - c->rbuf.len - 1);
			if (n > 0) {
				size_t room = c->rbuf.cap - c->rbuf.len - 1;

				c->rbuf.len += (size_t)n;
				/*
				 * A short read drained the socket: skip the
				 * read that would only say EAGAIN (epoll is
				 * level-triggered and will tell us of more).
				 */
				if ((size_t)n < room || ++reads >= 4)
					break;
				continue;
			}
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN)
				break;
			/* EOF or error: answer what is complete, then go. */
			process(c);
			if (c->state == C_PARKED) {
				set_events(c);
				return;
			}
			(void)flush(c);
			conn_close(c);
			return;
		}
		process(c);
		/* All consumed (the usual case): no read buffer kept idle. */
		if (c->rbuf.len == 0)
			buf_free(&c->rbuf);
	}
	for (;;) {
		if (c->state == C_PARKED) {
			set_events(c);
			return;
		}
		if (flush(c) == -1) {
			conn_close(c);
			return;
		}
		/* The client read: answer what was held back. */
		if (!c->held || out_full(c) || c->state != C_HEAD)
			break;
		c->held = 0;
		process(c);
	}
	set_events(c);
}

static void
on_accept(struct worker *w)
{
	struct http_server *srv = w->srv;
	struct sockaddr_storage ss;
	struct epoll_event ev;
	socklen_t sl;
	struct conn *c;
	char port[16];
	int fd, one = 1;

	for (;;) {
		sl = sizeof(ss);
		fd = accept4(w->lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (atomic_fetch_add(&srv->nconns, 1) >=
		    (int)srv->o.max_conns) {
			atomic_fetch_sub(&srv->nconns, 1);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = xcalloc(1, sizeof(*c));
		c->w = w;
		c->fd = fd;
		pthread_mutex_init(&c->mtx, NULL);
		if (getnameinfo((struct sockaddr *)&ss, sl, c->addr,
		    sizeof(c->addr), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
			c->port = (uint16_t)atoi(port);
		if (strncmp(c->addr, "::ffff:", 7) == 0 &&
		    strchr(c->addr + 7, '.') != NULL)
			memmove(c->addr, c->addr + 7, strlen(c->addr + 7) + 1);
		if (srv->tls != NULL) {
			pthread_mutex_lock(&srv->ctxmtx);
			c->tls = TLS->conn_new(srv->tls, fd);
			pthread_mutex_unlock(&srv->ctxmtx);
			if (c->tls == NULL) {
				log_warn("http: no TLS state for %s", c->addr);
				close(fd);
				atomic_fetch_sub(&srv->nconns, 1);
				pthread_mutex_destroy(&c->mtx);
				free(c);
				continue;
			}
			c->state = C_HANDSHAKE;
			c->deadline = time(NULL) + srv->o.timeout_s;
		} else
			start_request(c);
		c->next = w->conns;
		if (w->conns != NULL)
			w->conns->prev = c;
		w->conns = c;
		c->events = EPOLLIN | EPOLLRDHUP;
		ev.events = c->events;
		ev.data.ptr = c;
		epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

static void
on_completions(struct worker *w)
{
	struct conn *c, *next;
	uint64_t v;

	(void)!read(w->evfd, &v, sizeof(v));
	pthread_mutex_lock(&w->qmtx);
	c = w->queue;
	w->queue = NULL;
	pthread_mutex_unlock(&w->qmtx);
	for (; c != NULL; c = next) {
		next = c->qnext;
		c->state = C_BODY;	/* anything but PARKED */
		finish_response(c);
		process(c);		/* pipelined requests waiting */
		if (c->state == C_PARKED)
			continue;
		if (flush(c) == -1) {
			conn_close(c);
			continue;
		}
		set_events(c);
	}
}

static void
expire(struct worker *w)
{
	time_t now = time(NULL);
	struct conn *c, *next;

	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state != C_PARKED && c->deadline != 0 &&
		    now > c->deadline)
			conn_close(c);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];
	time_t last = time(NULL);
	sigset_t all;
	int i, n;

	/* Signals are the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!atomic_load(&w->srv->stop)) {
		n = epoll_wait(w->ep, evs, MAX_EVENTS, 1000);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &w->lfd)
				on_accept(w);
			else if (evs[i].data.ptr == &w->evfd)
				on_completions(w);
			else
				on_event(evs[i].data.ptr, evs[i].events);
		}
		if (time(NULL) != last) {
			last = time(NULL);
			expire(w);
		}
	}
	return (NULL);
}

struct http_pending *
http_defer(struct http_request *req)
{
	struct conn *c = req->priv;

	c->deferred = 1;
	return ((struct http_pending *)c);
}

void
http_complete(struct http_pending *p, struct http_response *resp)
{
	struct conn *c = &p->c;
	struct worker *w;
	uint64_t one = 1;

	pthread_mutex_lock(&c->mtx);
	http_response_free(&c->resp);
	c->resp = *resp;
	http_response_init(resp);
	c->completed = 1;
	if (c->orphan) {
		/* The server stopped while the command ran. */
		pthread_mutex_unlock(&c->mtx);
		close(c->fd);
		conn_free(c);
		return;
	}
	if (c->state != C_PARKED) {
		/* Completed inside the handler: dispatch() sends it. */
		pthread_mutex_unlock(&c->mtx);
		return;
	}
	w = c->w;
	pthread_mutex_lock(&w->qmtx);
	c->qnext = w->queue;
	w->queue = c;
	pthread_mutex_unlock(&w->qmtx);
	pthread_mutex_unlock(&c->mtx);
	(void)!write(w->evfd, &one, sizeof(one));
}

static int
listen_socket(const struct sockaddr *sa, socklen_t sl)
{
	int fd, one = 1;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, sa, sl) == -1 || listen(fd, 1024) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return (-1);
	}
	return (fd);
}

struct http_server *
http_server_start(const struct http_server_opts *o)
{
	struct http_server *srv;
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	struct epoll_event ev;
	socklen_t sl;
	char portstr[16];
	unsigned int i, n;
	long nc;

	srv = xcalloc(1, sizeof(*srv));
	srv->o = *o;
	if (srv->o.max_body == 0)
		srv->o.max_body = DEFAULT_MAX_BODY;
	if (srv->o.timeout_s == 0)
		srv->o.timeout_s = DEFAULT_TIMEOUT;
	if (srv->o.max_conns == 0)
		srv->o.max_conns = DEFAULT_MAX_CONNS;
	n = srv->o.threads;
	if (n == 0) {
		nc = sysconf(_SC_NPROCESSORS_ONLN);
		n = nc > 0 ? (unsigned int)nc : 1;
	}
	pthread_mutex_init(&srv->ctxmtx, NULL);
	if (o->tls != NULL)
		srv->tls = TLS->dup(o->tls);
	else if (o->cert_file != NULL && (srv->tls = http_tls_load(o)) ==
	    NULL)
		goto fail;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", o->port);
	if (getaddrinfo(o->addr != NULL && o->addr[0] != '\0' ? o->addr :
	    NULL, portstr, &hints, &ai) != 0) {
		error_set("listen address '%s' is not an IP address", o->addr);
		goto fail;
	}
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	sl = ai->ai_addrlen;
	freeaddrinfo(ai);

	srv->w = xcalloc(n, sizeof(*srv->w));
	srv->nw = 0;
	for (i = 0; i < n; i++) {
		struct worker *w = &srv->w[i];

		w->srv = srv;
		w->ep = w->evfd = -1;
		if ((w->lfd = listen_socket((struct sockaddr *)&ss, sl)) ==
		    -1) {
			error_sys("listen on %s port %d", o->addr && *o->addr ?
			    o->addr : "*", o->port);
			goto fail;
		}
		srv->nw++;
		if (i == 0) {
			/* Port 0: the others must join the port it got. */
			sl = sizeof(ss);
			getsockname(w->lfd, (struct sockaddr *)&ss, &sl);
			srv->port = ntohs(ss.ss_family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&ss)->sin6_port :
			    ((struct sockaddr_in *)&ss)->sin_port);
		}
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		pthread_mutex_init(&w->qmtx, NULL);
		ev.events = EPOLLIN;
		ev.data.ptr = &w->lfd;
		epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &ev);
		ev.data.ptr = &w->evfd;
		epoll_ctl(w->ep, EPOLL_CTL_ADD, w->evfd, &ev);
	}
	for (i = 0; i < srv->nw; i++) {
		if (pthread_create(&srv->w[i].thr, NULL, worker_main,
		    &srv->w[i]) != 0) {
			errno = EAGAIN;
			error_sys("start HTTP worker");
			atomic_store(&srv->stop, 1);
			while (i-- > 0)
				pthread_join(srv->w[i].thr, NULL);
			srv->nw = n;	/* all sockets to close */
			goto fail_nothreads;
		}
	}
	return (srv);
fail:
fail_nothreads:
	for (i = 0; srv->w != NULL && i < srv->nw; i++) {
		if (srv->w[i].lfd != -1)
			close(srv->w[i].lfd);
		if (srv->w[i].ep != -1)
			close(srv->w[i].ep);
		if (srv->w[i].evfd != -1)
			close(srv->w[i].evfd);
	}
	free(srv->w);
	http_tls_free(srv->tls);
	pthread_mutex_destroy(&srv->ctxmtx);
	free(srv);
	return (NULL);
}

int
http_server_port(struct http_server *srv)
{
	return (srv->port);
}

void
http_server_stop(struct http_server *srv)
{
	struct conn *c, *next;
	unsigned int i;
	uint64_t one = 1;

	if (srv == NULL)
		return;
	atomic_store(&srv->stop, 1);
	for (i = 0; i < srv->nw; i++)
		(void)!write(srv->w[i].evfd, &one, sizeof(one));
	for (i = 0; i < srv->nw; i++)
		pthread_join(srv->w[i].thr, NULL);
	for (i = 0; i < srv->nw; i++) {
		struct worker *w = &srv->w[i];

		for (c = w->conns; c != NULL; c = next) {
			next = c->next;
			pthread_mutex_lock(&c->mtx);
			if (c->state == C_PARKED && !c->completed) {
				/* http_complete() will free it. */
				c->orphan = 1;
				pthread_mutex_unlock(&c->mtx);
				continue;
			}
			pthread_mutex_unlock(&c->mtx);
			close(c->fd);
			conn_free(c);
		}
		close(w->lfd);
		close(w->ep);
		close(w->evfd);
		pthread_mutex_destroy(&w->qmtx);
	}
	free(srv->w);
	http_tls_free(srv->tls);
	pthread_mutex_destroy(&srv->ctxmtx);
	free(srv);
}

/*
 * Certificates are renewed in place (certbot, an ACME client, a CA's
 * cron job), so a long-running server must take new files without
 * dropping its sockets.  The files are read and checked into a context
 * of their own first; only a good one is swapped in, for connections
 * accepted from then on.  Open connections keep the context they were
 * made with (each SSL holds a reference on it).
 */
struct http_tls *
http_tls_load(const struct http_server_opts *o)
{
	if (TLS == NULL) {
		error_set("TLS is not in this binary (%s): use stasis",
		    program_invocation_short_name);
		return (NULL);
	}
	return (TLS->load(o));
}

void
http_tls_free(struct http_tls *t)
{
	if (t != NULL)
		TLS->free(t);
}

void
http_tls_summary(const struct http_tls *t, char *out, size_t len)
{
	TLS->summary(t, out, len);
}

int
http_tls_same(const struct http_tls *a, const struct http_tls *b)
{
	return (TLS->same(a, b));
}

int
http_tls_available(void)
{
	return (TLS != NULL);
}

int
http_server_set_tls(struct http_server *srv, const struct http_tls *t)
{
	struct http_tls *old, *new;

	if (srv->tls == NULL)
		return (error_set("TLS: the server was started without it"));
	new = TLS->dup(t);
	pthread_mutex_lock(&srv->ctxmtx);
	old = srv->tls;
	srv->tls = new;
	pthread_mutex_unlock(&srv->ctxmtx);
	TLS->free(old);
	return (0);
}

