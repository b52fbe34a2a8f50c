/* Unit tests: base/http.c over real loopback connections. */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/http.h"
#include "base/path.h"
#include "base/spawn.h"
#include "tap.h"

static void *
finish_later(void *p)
{
	struct http_pending *pend = p;
	struct http_response r;

	usleep(100000);
	http_response_init(&r);
	r.status = 202;
	buf_addstr(&r.body, "later");
	http_complete(pend, &r);
	return (NULL);
}

static void
handler(void *arg, struct http_request *req, struct http_response *resp)
{
	const char *q = http_query(req, "q");
	const char *h = http_header(req, "x-test");
	pthread_t t;

	if (strcmp(req->url, "/defer") == 0) {
		pthread_create(&t, NULL, finish_later, http_defer(req));
		pthread_detach(t);
		return;
	}
	if (req->client_cert_subject != NULL)
		http_set_header(resp, "X-Subject", req->client_cert_subject);
	http_set_header(resp, "X-Echo", "1");
	http_set_header(resp, "x-echo", "2");	/* replaces, any case */
	buf_printf(&resp->body, "%s %s q=%s h=%s raw=%s ip=%s body=%s",
	    req->method, req->url, q ? q : "-", h ? h : "-", req->raw_query,
	    req->remote_addr, req->body);
}

static atomic_int nbig;

/* 64 KiB answers, counted. */
static void
big_handler(void *arg, struct http_request *req, struct http_response *resp)
{
	atomic_fetch_add(&nbig, 1);
	buf_grow(&resp->body, 65536);
	memset(resp->body.data, 'x', 65536);
	resp->body.len = 65536;
}

/*
 * A client that pipelines 1000 requests for 64 KiB answers and does not
 * read: the server must stop answering (and reading) once a bounded
 * amount waits to be sent, not hold 64 MB for it; then, as the client
 * reads, answer every request in order.
 */
static void
test_unread_pipeline(void)
{
	struct http_server_opts o;
	struct http_server *srv;
	struct sockaddr_in sin;
	struct buf reqs = BUF_INIT;
	char tmp[65536];
	long long got = 0;
	ssize_t n;
	int s, i, small = 4096, held;

	memset(&o, 0, sizeof(o));
	o.addr = "127.0.0.1";
	o.handler = big_handler;
	o.threads = 1;
	if ((srv = http_server_start(&o)) == NULL) {
		ok(0, "server for the unread pipeline starts");
		return;
	}
	for (i = 0; i < 1000; i++)
		buf_printf(&reqs, "GET /%d HTTP/1.1\r\nHost: x\r\n%s\r\n", i,
		    i == 999 ? "Connection: close\r\n" : "");
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)http_server_port(srv));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok(connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    write(s, reqs.data, reqs.len) == (ssize_t)reqs.len,
	    "1000 requests pipelined");
	usleep(500000);
	held = atomic_load(&nbig);
	ok(held < 300, "not read: the server stopped answering (answered "
	    "%d of 1000, each 64 KiB)", held);
	while ((n = read(s, tmp, sizeof(tmp))) > 0)
		got += n;
	ok(atomic_load(&nbig) == 1000 && got > 1000LL * 65536,
	    "read: all 1000 answered (%lld bytes)", got);
	close(s);
	http_server_stop(srv);
	buf_free(&reqs);
}

static char *
roundtrip(int port, const char *req)
{
	struct sockaddr_in sin;
	struct buf b = BUF_INIT;
	char tmp[4096];
	ssize_t n;
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return (NULL);
	(void)!write(s, req, strlen(req));
	while ((n = read(s, tmp, sizeof(tmp))) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(s);
	return (buf_steal(&b));
}

int
main(void)
{
	struct http_server_opts o;
	struct http_server *srv;
	char *r, *big;
	int port;

	memset(&o, 0, sizeof(o));
	o.addr = "127.0.0.1";
	o.port = 0;
	o.handler = handler;
	o.max_body = 1000;
	o.threads = 2;
	ok((srv = http_server_start(&o)) != NULL, "server starts");
	port = http_server_port(srv);
	ok(port > 0, "bound a port");

	r = roundtrip(port, "POST /hooks/a%20b?q=x%26y&z HTTP/1.1\r\n"
	    "Host: x\r\nX-Test: yes\r\nContent-Length: 5\r\n"
	    "Connection: close\r\n\r\nhello");
	ok(r != NULL && strncmp(r, "HTTP/1.1 200", 12) == 0, "200 OK");
	ok(r && strstr(r, "POST /hooks/a b q=x&y h=yes raw=q=x%26y&z "
	    "ip=127.0.0.1 body=hello") != NULL, "request seen whole");
	ok(r && strstr(r, "x-echo: 2") != NULL, "header replaced");
	free(r);

	big = xmalloc(2001);
	memset(big, 'a', 2000);
	big[2000] = '\0';
	{
		char *req = xasprintf("POST / HTTP/1.1\r\nHost: x\r\n"
		    "Content-Length: 2000\r\nConnection: close\r\n\r\n%s", big);
		r = roundtrip(port, req);
		ok(r && strncmp(r, "HTTP/1.1 413", 12) == 0,
		    "body past the limit gets 413");
		free(r);
		free(req);
		req = xasprintf("POST / HTTP/1.1\r\nHost: x\r\n"
		    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
		    "7d0\r\n%s\r\n0\r\n\r\n", big);
		r = roundtrip(port, req);
		ok(r && strncmp(r, "HTTP/1.1 413", 12) == 0,
		    "chunked body past the limit gets 413");
		free(r);
		free(req);
	}
	free(big);

	r = roundtrip(port, "GET /defer HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n");
	ok(r && strncmp(r, "HTTP/1.1 202", 12) == 0 &&
	    strstr(r, "later") != NULL, "deferred answer from another thread");
	free(r);
	ok(strcmp(http_reason(404), "Not Found") == 0, "reason phrase");

	r = roundtrip(port, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
	    "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	ok(r && strstr(r, "GET /a") && strstr(r, "GET /c") && !strstr(r,
	    "HEAD /b q"), "pipelined requests answered in order, HEAD "
	    "without a body");
	ok(r && strstr(r, "Connection: close") != NULL,
	    "close announced on the last");
	free(r);

	{
		struct sockaddr_in sin;
		char tmp[512];
		ssize_t n;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		const char *hd = "POST /e HTTP/1.1\r\nHost: x\r\n"
		    "Expect: 100-continue\r\nContent-Length: 2\r\n"
		    "Connection: close\r\n\r\n";

		(void)!write(fd, hd, strlen(hd));
		alarm(10);
		n = read(fd, tmp, sizeof(tmp) - 1);
		tmp[n > 0 ? n : 0] = '\0';
		ok(strcmp(tmp, "HTTP/1.1 100 Continue\r\n\r\n") == 0,
		    "100 Continue before the body is sent");
		(void)!write(fd, "hi", 2);
		n = read(fd, tmp, sizeof(tmp) - 1);
		tmp[n > 0 ? n : 0] = '\0';
		ok(strstr(tmp, "body=hi") != NULL, "then the body is read");
		alarm(0);
		close(fd);
	}

	r = roundtrip(port, "BROKEN\r\n\r\n");
	ok(r && strncmp(r, "HTTP/1.1 400", 12) == 0, "bad request: 400");
	free(r);

	http_server_stop(srv);

	/* A slow client is cut off after the read timeout. */
	o.timeout_s = 1;
	ok((srv = http_server_start(&o)) != NULL, "server with 1 s timeout");
	{
		struct sockaddr_in sin;
		char tmp[64];
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)http_server_port(srv));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		(void)!write(fd, "GET / HTTP/1.1\r\nHo", 19);
		/* read() returns 0 when the server closes; 10 s alarm. */
		alarm(10);
		ok(read(fd, tmp, sizeof(tmp)) == 0,
		    "slow client disconnected by the timeout");
		alarm(0);
		close(fd);
	}
	http_server_stop(srv);

	/* TLS with a required client certificate (mTLS). */
	{
		char *dir = path_mkdtemp("/tmp/stasis-tls");
		char *sh = xasprintf("cd %s && "
		    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
		    "-subj /CN=ca -keyout ca.key -out ca.crt && "
		    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
		    "-subj /CN=localhost -keyout srv.key -out srv.crt && "
		    "openssl req -newkey rsa:2048 -nodes -subj /CN=client "
		    "-keyout cli.key -out cli.csr && "
		    "openssl x509 -req -in cli.csr -CA ca.crt -CAkey ca.key "
		    "-CAcreateserial -days 1 -out cli.crt", dir);
		char url[64], *crt, *key, *ca, *ccrt, *ckey;

		ok(spawn_cmd(NULL, "sh", "-c", sh, NULL) == 0,
		    "test certificates made");
		crt = xasprintf("%s/srv.crt", dir);
		key = xasprintf("%s/srv.key", dir);
		ca = xasprintf("%s/ca.crt", dir);
		ccrt = xasprintf("%s/cli.crt", dir);
		ckey = xasprintf("%s/cli.key", dir);
		o.addr = "127.0.0.1";
		o.port = 0;
		o.timeout_s = 5;
		o.cert_file = crt;
		o.key_file = key;
		o.client_ca_file = ca;
		ok((srv = http_server_start(&o)) != NULL, "TLS server");
		snprintf(url, sizeof(url), "https://127.0.0.1:%d/t",
		    http_server_port(srv));
		struct buf out = BUF_INIT;
		ok(spawn_cmd(&out, "curl", "-sk", "-i", "--cert", ccrt,
		    "--key", ckey, url, NULL) == 0 && strstr(buf_cstr(&out),
		    "GET /t") != NULL, "mTLS request answered");
		ok(strstr(buf_cstr(&out), "X-Subject: /CN=client") != NULL,
		    "client certificate subject passed to the handler");
		buf_reset(&out);
		ok(spawn_cmd(&out, "curl", "-sk", url, NULL) == -1,
		    "no client certificate: refused");
		http_server_stop(srv);
		o.cert_file = "/nonexistent.crt";
		ok(http_server_start(&o) == NULL && strstr(error_msg(),
		    "/nonexistent.crt") != NULL, "bad certificate named");
		o.cert_file = o.key_file = o.client_ca_file = NULL;
		buf_free(&out);
		path_rmtree(dir);
		free(dir); free(sh); free(crt); free(key); free(ca);
		free(ccrt); free(ckey);
	}
	test_unread_pipeline();
	o.port = port;
	o.addr = "not-an-ip";
	ok(http_server_start(&o) == NULL, "bad address refused");
	return (done_testing());
}
