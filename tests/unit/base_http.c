/* Unit tests: base/http.c over real loopback connections. */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/http.h"
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
	http_set_header(resp, "X-Echo", "1");
	http_set_header(resp, "x-echo", "2");	/* replaces, any case */
	buf_printf(&resp->body, "%s %s q=%s h=%s raw=%s ip=%s body=%s",
	    req->method, req->url, q ? q : "-", h ? h : "-", req->raw_query,
	    req->remote_addr, req->body);
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

	http_server_stop(srv);
	o.port = port;
	o.addr = "not-an-ip";
	ok(http_server_start(&o) == NULL, "bad address refused");
	return (done_testing());
}
